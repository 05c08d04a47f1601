"""What every output workbook shares: byte-identical files, text written as text.

Text from inputs never becomes a formula, a link or a number; the workbook's
properties carry no wall-clock time, so the same inputs give the same bytes. A
character XML does not allow becomes U+FFFD in every string a sheet gets (Excel calls
a file with one damaged), and a date Excel cannot hold is written as its text.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import polars as pl
import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from incentives import __version__
from incentives.write.rows import Column, body, splice

FIXED_TIME = dt.datetime(2000, 1, 1)
MONEY = "#,##0.00"
RATE = "0.00%"
DATE = "yyyy-mm-dd"
EXCEL_FIRST_DAY = dt.date(1900, 1, 1)  # and its last, 9999-12-31, is Python's too
# Not allowed in XML 1.0: C0 controls but tab, newline and carriage return; U+FFFE, U+FFFF; lone surrogates
XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def xml_safe(text: str) -> str:
    """`text` with each character XML does not allow replaced by U+FFFD."""
    return XML_INVALID.sub("\ufffd", text)


class SafeSheet(Worksheet):
    """A worksheet whose every string (cells, header and footer) is `xml_safe`."""

    def _write_string(self, row, col, string, cell_format=None):
        return super()._write_string(row, col, xml_safe(string), cell_format)

    def set_header(self, header="", *args, **kwargs):
        return super().set_header(xml_safe(header), *args, **kwargs)

    def set_footer(self, footer="", *args, **kwargs):
        return super().set_footer(xml_safe(footer), *args, **kwargs)


class SafeBook(xlsxwriter.Workbook):
    def add_worksheet(self, name=None, worksheet_class=None):
        return super().add_worksheet(name, worksheet_class or SafeSheet)


def workbook(path: Path | io.BytesIO) -> xlsxwriter.Workbook:
    book = SafeBook(path if isinstance(path, io.BytesIO) else str(path), {
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
    sheet, styles = _head(book, name, header, formats, widths)
    count = 0
    for i, row in enumerate(rows, start=1):
        count = i
        for j, value in enumerate(row):
            write_value(sheet, i, j, value, styles[j])
    sheet.autofilter(0, 0, max(count, 1), len(header) - 1)
    return sheet


@dataclass(frozen=True)
class LongTable:
    """A table of many rows: xlsxwriter writes its header, `close` splices its body in
    (`rows.py`). `frame` holds the columns of the header, in its order."""

    part: str  # the sheet's part in the package
    frame: pl.DataFrame
    styles: tuple  # each column's Format, or None


def write_long_table(book: xlsxwriter.Workbook, name: str, header: list[str], frame: pl.DataFrame,
                     formats: dict[str, str] | None = None, widths: dict[str, int] | None = None) -> LongTable:
    """`write_table` for a frame of many rows; the workbook is then closed by `close`."""
    sheet, styles = _head(book, name, header, formats, widths)
    sheet.autofilter(0, 0, max(frame.height, 1), len(header) - 1)
    return LongTable(f"xl/worksheets/sheet{len(book.worksheets())}.xml", frame, tuple(styles))


def close(book: xlsxwriter.Workbook, written: io.BytesIO, path: Path, table: LongTable) -> None:
    """Close `book` (made by `workbook(written)`) into `path`, `table`'s body spliced in."""
    book.close()
    frame = table.frame
    columns = tuple(Column(c, "text" if frame.schema[c] == pl.String else "number", xf_index(style))
                    for c, style in zip(frame.columns, table.styles))
    splice(written.getvalue(), table.part, body(frame, columns, 2).str.join("").item(), path, frame.height + 1)


def xf_index(style) -> str | None:
    """A format's index in the closed workbook's styles, as a cell's `s` attribute. (Asked of
    xlsxwriter: a format equal to one made earlier shares that one's index, which its own
    `xf_index` attribute does not show.)"""
    return None if style is None else str(style._get_xf_index())


def _head(book: xlsxwriter.Workbook, name: str, header: list[str], formats: dict[str, str] | None,
          widths: dict[str, int] | None):
    """The sheet with its bold frozen header and column widths and formats; each column's format."""
    sheet = book.add_worksheet(name)
    bold = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    made = {f: book.add_format({"num_format": f}) for f in sorted(set((formats or {}).values()))}
    styles = [made.get((formats or {}).get(title)) for title in header]
    for j, title in enumerate(header):
        sheet.write_string(0, j, title, bold)
        sheet.set_column(j, j, (widths or {}).get(title, max(10, min(40, len(title) + 2))), styles[j])
    sheet.freeze_panes(1, 0)
    return sheet, styles


def write_value(sheet, row: int, col: int, value, fmt=None) -> None:
    if value is None or value == "":
        sheet.write_blank(row, col, None, fmt)
    elif isinstance(value, str):
        sheet.write_string(row, col, value, fmt)
    elif isinstance(value, bool):
        sheet.write_boolean(row, col, value, fmt)
    elif isinstance(value, dt.date) and value < EXCEL_FIRST_DAY:  # Excel would show #VALUE!
        sheet.write_string(row, col, f"{value.year:04d}-{value.month:02d}-{value.day:02d}", fmt)
    elif isinstance(value, dt.date):
        sheet.write_datetime(row, col, dt.datetime(value.year, value.month, value.day), fmt)
    else:
        sheet.write_number(row, col, cell(value), fmt)
