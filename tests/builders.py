"""Small input folders written from inline Python data, so tests read like the contract."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import xlsxwriter

from incentives.write.xlsx import PlainPackager

SAMPLE = Path(__file__).parent.parent / "inputs" / "intelligent-platforms"  # the committed sample folder

PROGRAM = {
    "program_id": "test", "name": "Test program", "unit": "points", "base_currency": "KZT", "year": 2026,
    "period": "quarter", "basis": "purchases", "tier_method": "all_units", "requires_opportunity": "no",
    "rounding": "half_up",
}
BANDS = [("*", 0, "0.02"), ("*", 3000000, "0.04")]
TIERS = [("Primary", 1)]  # (tier, rank) or (tier, rank, annual_target_a, _b, _c)
TARGETS = ("annual_target_a", "annual_target_b", "annual_target_c")


def partner(pid: str, tier: str = "Primary", registered_on=dt.date(2025, 1, 1), **more) -> dict:
    return {"partner_id": pid, "partner_name": f"Partner {pid}", "country": "KZ", "role": "reseller",
            "tier": tier, "registered_on": registered_on, **more}


def line(invoice_id: str, date, amount, pid: str = "P1", **more) -> dict:
    """A sales line; a date or amount that does not parse is written as the text given."""
    try:
        date = dt.date.fromisoformat(date) if isinstance(date, str) else date
    except ValueError:
        pass
    try:
        amount = Decimal(str(amount))
    except ArithmeticError:
        pass
    return {"invoice_id": invoice_id, "line_no": 1, "invoice_date": date, "partner_id": pid,
            "customer_name": "Customer", "customer_type": "end_user", "product_sku": "SKU-1", "quantity": 1,
            "net_amount": amount, "currency": "KZT", **more}


def write_sheet(path: Path, sheet: str, rows: list[dict] | list[tuple], header: list[str] | None = None,
                title: str | None = None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    book = new_book(path)
    add_sheet(book, sheet, rows, header, title)
    book.close()


class _Book(xlsxwriter.Workbook):
    def _get_packager(self):  # a text such as "<r>&</r>" written as text, as Excel writes it
        return PlainPackager()


def new_book(path: Path) -> xlsxwriter.Workbook:
    """Same data, same bytes: tests that mutate bytes at fixed offsets stay deterministic."""
    book = _Book(str(path), {"strings_to_numbers": False, "strings_to_formulas": False,
                                           "strings_to_urls": False, "in_memory": True})
    book.set_properties({"created": dt.datetime(2000, 1, 1)})
    return book


def add_sheet(book, sheet: str, rows, header=None, title=None) -> None:
    ws = book.add_worksheet(sheet)
    date = book.add_format({"num_format": "yyyy-mm-dd"})
    if header is None:
        header = list(dict.fromkeys(k for r in rows for k in r)) if rows and isinstance(rows[0], dict) else []
    top = 0
    if title:
        ws.write_string(0, 0, title)
        top = 2
    for j, h in enumerate(header):
        ws.write_string(top, j, h)
    for i, r in enumerate(rows, start=top + 1):
        cells = [r.get(h) for h in header] if isinstance(r, dict) else list(r)
        for j, v in enumerate(cells):
            if v is None:
                continue
            if isinstance(v, (dt.date, dt.datetime)):
                ws.write_datetime(i, j, dt.datetime(v.year, v.month, v.day), date)
            elif isinstance(v, (int, float, Decimal)) and not isinstance(v, bool):
                ws.write_number(i, j, float(v))
            else:
                ws.write_string(i, j, str(v))


def make_inputs(folder: Path, sales: dict[str, list[dict]], partners: list[dict] | None = None,
                program: dict | None = None, bands=BANDS, tiers=TIERS, opportunities: list[dict] | None = None,
                fx: list[tuple] | None = None, extra_program_sheets: dict[str, list[dict]] | None = None,
                tier_history: list[tuple] | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    settings = {**PROGRAM, **(program or {})}
    book = new_book(folder / "program.xlsx")
    add_sheet(book, "Program", [{"key": k, "value": str(v)} for k, v in settings.items()])
    add_sheet(book, "RateBands", [{"tier": t, "over": Decimal(str(o)), "rate": Decimal(r)} for t, o, r in bands])
    add_sheet(book, "Tiers", [{"tier": t, "rank": r, **dict(zip(TARGETS, targets))} for t, r, *targets in tiers])
    for name, rows in (extra_program_sheets or {}).items():
        add_sheet(book, name, rows)
    book.close()
    if tier_history is None:
        write_sheet(folder / "partners.xlsx", "Partners", partners or [partner("P1")])
    else:  # (partner_id, tier, effective_from) rows; [] writes the sheet with its header alone
        book = new_book(folder / "partners.xlsx")
        add_sheet(book, "Partners", partners or [partner("P1")])
        add_sheet(book, "TierHistory", [{"partner_id": p, "tier": t, "effective_from": dt.date.fromisoformat(d)}
                                        for p, t, d in tier_history], header=["partner_id", "tier", "effective_from"])
        book.close()
    if fx:
        write_sheet(folder / "fx_rates.xlsx", "Rates", [{"currency": c, "month": m, "rate": Decimal(r)} for c, m, r in fx])
    if opportunities:
        write_sheet(folder / "opportunities" / "opps.xlsx", "Opportunities", opportunities)
    for name, rows in sales.items():
        write_sheet(folder / "sales" / name, "Sales", rows, header=list(line("x", "2026-01-01", 0)) +
                    sorted({k for r in rows for k in r} - set(line("x", "2026-01-01", 0))))
    return folder


def written_statements(folder: Path, outcome, settlement=None, **options) -> list[Path]:
    """`write_statements` as the pipeline calls it, with the run's tier review: `outcome`'s
    statements (or `settlement`'s, when given) into `folder`."""
    from incentives.write.statements import write_statements
    settlement = settlement or outcome.settlement
    return write_statements(folder, outcome.inputs, settlement, reviewed(outcome.inputs, settlement), **options)


def reviewed(inputs, settlement) -> tuple:
    """The run's tier review of a settlement, as the pipeline makes it for the writers."""
    from incentives.review import review
    return review(inputs.program, tuple(r.partner for r in settlement.rows),
                  {r.partner.partner_id: r.totals.ytd_base for r in settlement.rows}, settlement.period.is_last_of_year)
