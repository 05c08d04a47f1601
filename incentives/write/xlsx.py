"""What every output workbook shares: byte-identical files, text written as text.

Text from inputs never becomes a formula, a link or a number; the workbook's
properties carry no wall-clock time, so the same inputs give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import xlsxwriter

from incentives import __version__

FIXED_TIME = dt.datetime(2000, 1, 1)
MONEY = "#,##0.00"
RATE = "0.00%"
DATE = "yyyy-mm-dd"


def workbook(path: Path | io.BytesIO) -> xlsxwriter.Workbook:
    book = xlsxwriter.Workbook(path if isinstance(path, io.BytesIO) else str(path), {
        "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False,
        # in memory: no temporary files, half the fixed cost of a small workbook
        "in_memory": True,
    })
    book.set_properties({"created": FIXED_TIME, "author": "calc", "comments": f"calc {__version__}"})
    return book


def cell(value):
    """A value as xlsxwriter writes it: Decimal to a number, once, at the edge."""
    if isinstance(value, Decimal):
        return float(value)
    return value


def write_table(book: xlsxwriter.Workbook, name: str, header: list[str], rows, formats: dict[str, str] | None = None,
                widths: dict[str, int] | None = None):
    """A sheet of one table: bold frozen header, autofilter, column formats."""
    sheet = book.add_worksheet(name)
    bold = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    styles = {f: book.add_format({"num_format": f}) for f in set((formats or {}).values())}
    for j, title in enumerate(header):
        sheet.write_string(0, j, title, bold)
        fmt = styles.get((formats or {}).get(title))
        sheet.set_column(j, j, (widths or {}).get(title, max(10, min(40, len(title) + 2))), fmt)
    count = 0
    for i, row in enumerate(rows, start=1):
        count = i
        for j, value in enumerate(row):
            write_value(sheet, i, j, value, styles.get((formats or {}).get(header[j])))
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(count, 1), len(header) - 1)
    return sheet


def write_value(sheet, row: int, col: int, value, fmt=None) -> None:
    if value is None or value == "":
        sheet.write_blank(row, col, None, fmt)
    elif isinstance(value, str):
        sheet.write_string(row, col, value, fmt)
    elif isinstance(value, bool):
        sheet.write_boolean(row, col, value, fmt)
    elif isinstance(value, dt.date):
        sheet.write_datetime(row, col, dt.datetime(value.year, value.month, value.day), fmt)
    else:
        sheet.write_number(row, col, cell(value), fmt)
