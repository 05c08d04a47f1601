"""What every sample generator shares: exact money, and byte-identical workbooks.

xlsxwriter stamps zip entries with a fixed date; the only wall-clock value it
writes is the document's creation time, fixed here. Cells get their type from the
Python value, so amounts stay Decimal until the one `float()` at the cell.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import xlsxwriter

from incentives.schema import Sheet

CENT = Decimal("0.01")
CREATED = dt.datetime(2026, 1, 1)
WEEKDAYS = range(5)


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def headers(sheet: Sheet, names: tuple[str, ...], style: str = "name") -> list[str]:
    """Column headers as a sender writes them: `name` (invoice_id), `title`
    (Invoice Id) or `ru` (Номер счета, the schema's Russian header)."""
    def one(name: str) -> str:
        if style == "ru":
            return sheet.column(name).header_ru
        if style == "title":
            return name.replace("_", " ").title().replace(" Id", " ID").replace(" Sku", " SKU")
        return name
    return [one(n) for n in names]


def weekday_on_or_after(day: dt.date) -> dt.date:
    while day.weekday() not in WEEKDAYS:
        day += dt.timedelta(days=1)
    return day


def clear(folder: Path, keep: tuple[str, ...] = ()) -> None:
    """Remove the workbooks a previous run wrote, so a renamed file leaves no stale copy."""
    for path in sorted(folder.rglob("*.xlsx")):
        if path.name not in keep:
            path.unlink()


class Book:
    """One output workbook; use as a context manager, add sheets with `sheet`."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.book = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False,
                                                    "strings_to_numbers": False})
        self.book.set_properties({"created": CREATED, "author": "calc sample generator"})
        self.bold = self.book.add_format({"bold": True, "bottom": 1})
        self.title = self.book.add_format({"bold": True})
        self.amount = self.book.add_format({"num_format": "#,##0.00"})
        self.whole = self.book.add_format({"num_format": "0"})
        self.dates = {f: self.book.add_format({"num_format": f, "align": "left"})
                      for f in ("yyyy-mm-dd", "dd.mm.yyyy")}

    def __enter__(self) -> Book:
        return self

    def __exit__(self, *exc) -> None:
        self.book.close()

    def sheet(self, name: str, header: list[str], rows: list[list], *, titles: tuple[str, ...] = (),
              date_format: str = "yyyy-mm-dd") -> None:
        """A table below optional title rows (and one blank row after them)."""
        ws = self.book.add_worksheet(name)
        for r, text in enumerate(titles):
            ws.write_string(r, 0, text, self.title)
        top = len(titles) + 1 if titles else 0
        widths = [len(h) + 2 for h in header]
        for c, text in enumerate(header):
            ws.write_string(top, c, text, self.bold)
        for r, row in enumerate(rows, start=top + 1):
            for c, value in enumerate(row):
                widths[c] = max(widths[c], len(self._write(ws, r, c, value, date_format)) + 2)
        for c, width in enumerate(widths):
            ws.set_column(c, c, min(width, 48))
        ws.freeze_panes(top + 1, 0)

    def _write(self, ws, r: int, c: int, value, date_format: str) -> str:
        """Write one cell by its Python type; return its text, for the column width."""
        if value is None:
            return ""
        if isinstance(value, Decimal):
            ws.write_number(r, c, float(value), self.amount)
            return f"{value:,.2f}"
        if isinstance(value, bool):
            raise TypeError("write yes/no as text")
        if isinstance(value, int):
            ws.write_number(r, c, value, self.whole)
            return str(value)
        if isinstance(value, dt.date):
            ws.write_datetime(r, c, dt.datetime.combine(value, dt.time()), self.dates[date_format])
            return "2026-01-01"
        ws.write_string(r, c, str(value))
        return str(value)
