"""ledger.xlsx: sheet Ledger, one row per roster partner, the contract's columns in order."""

from __future__ import annotations

from pathlib import Path

from incentives import schema
from incentives.model import Program
from incentives.settle import LedgerRow, Settlement
from incentives.words import header_notes
from incentives.write.xlsx import MONEY, RATE, workbook, write_table

HEADER = [c.name for c in schema.LEDGER.columns]
FORMATS = {c.name: MONEY for c in schema.LEDGER.columns if c.kind is schema.Kind.DECIMAL} | {"ytd_rate": RATE}


def ledger_values(program: Program, settlement: Settlement, row: LedgerRow) -> list:
    p, t, e = row.partner, row.totals, row.entitlement
    return [program.program_id, program.year, settlement.period.label, p.partner_id, p.partner_name, p.tier,
            p.country, program.unit, t.period_base, t.ytd_base, e.rate, e.amount, row.previously_settled,
            row.accrual, row.bonus, row.total_payable, t.included_lines, t.excluded_lines, t.excluded_amount,
            row.carried_in, row.net_due, row.carried_out, row.payment]


def write_ledger(folder: Path, program: Program, settlement: Settlement) -> Path:
    path = folder / "ledger.xlsx"
    book = workbook(path)
    write_table(book, schema.LEDGER.name, HEADER,
                (ledger_values(program, settlement, row) for row in settlement.rows), FORMATS,
                footer=f"{program.name} · {settlement.period.label} · ledger", notes=header_notes(program.language))
    book.close()
    return path
