"""payments/<program_id>-<period>.xlsx: what accounts payable acts on, written by `calc close` only.

A run's ledger is a draft; a closed run's payments are this file, beside the register: sheet
`Payments`, one row per partner whose payment is not 0, in partner_id order: the Ledger's
`payment` (`net_due − carried_out`); positive is paid to the partner (`pay`), negative is owed
back (`recover`). Its total is the sum of the ledger's `payment` column.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from incentives.write.xlsx import MONEY, workbook, write_table

HEADER = ["program_id", "period", "partner_id", "partner_name", "vendor_id", "unit", "payment", "direction",
          "reference", "run_id"]
FOLDER = "payments"


@dataclass(frozen=True)
class Payment:
    partner_id: str
    partner_name: str
    vendor_id: str
    payment: Decimal

    @property
    def direction(self) -> str:
        return "pay" if self.payment > 0 else "recover"


def payments_path(register: Path, program_id: str, period: str) -> Path:
    return register.parent / FOLDER / f"{program_id}-{period}.xlsx"


def write_payments(path: Path, program_id: str, period: str, unit: str, run_id: str,
                   payments: list[Payment]) -> Path:
    """The Payments workbook at `path`, whole or not at all (written aside, then renamed)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(handle)
    try:
        book = workbook(Path(temporary))
        write_table(book, "Payments", HEADER,
                            ([program_id, period, p.partner_id, p.partner_name, p.vendor_id, unit, p.payment,
                              p.direction, f"{program_id}/{period}/{p.partner_id}", run_id]
                             for p in sorted(payments, key=lambda p: p.partner_id) if p.payment),
                            {"payment": MONEY}, {"program_id": max(12, len(program_id) + 2), "partner_name": 36,
                                                 "payment": 16, "reference": len(program_id) + len(period) + 16,
                                                 "run_id": 66})
        book.close()
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path
