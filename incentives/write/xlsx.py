"""What every output workbook shares: byte-identical files, text written as text.

Text from inputs never becomes a formula, a link or a number; the workbook's
properties carry no wall-clock time, so the same inputs give the same bytes. A
character XML does not allow becomes U+FFFD in every string a sheet gets (Excel calls
a file with one damaged), and a date Excel cannot hold is written as its text.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
from dataclasses import dataclass
from decimal import Decimal
from itertools import repeat
from pathlib import Path

import polars as pl
import xlsxwriter
from xlsxwriter.packager import Packager
from xlsxwriter.sharedstrings import SharedStrings
from xlsxwriter.utility import _preserve_whitespace
from xlsxwriter.worksheet import Worksheet

from incentives import __version__
from incentives.write.rows import Body, Column, Shared, body, marked, package

FIXED_TIME = dt.datetime(2000, 1, 1)
MONEY = "#,##0.00;[Red]-#,##0.00"  # a negative amount (a claw-back, a credit note) in red
RATE = "0.00%"
DATE = "yyyy-mm-dd"
EXCEL_FIRST_DAY = dt.date(1900, 1, 1)  # and its last, 9999-12-31, is Python's too
# Not allowed in XML 1.0: C0 controls but tab, newline and carriage return; U+FFFE, U+FFFF; lone surrogates
XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def xml_safe(text: str) -> str:
    """`text` with each character XML does not allow replaced by U+FFFD."""
    return XML_INVALID.sub("\ufffd", text)


_REPLACE = XML_INVALID.sub
_WRITE_STRING = Worksheet._write_string


class SafeSheet(Worksheet):
    """A worksheet whose every string (cells, header and footer) is `xml_safe`."""

    def _write_string(self, row, col, string, cell_format=None):
        # xml_safe, inline: called for every text cell a workbook gets
        return _WRITE_STRING(self, row, col, _REPLACE("\ufffd", string), cell_format)

    def set_header(self, header="", *args, **kwargs):
        return super().set_header(xml_safe(header), *args, **kwargs)

    def set_footer(self, footer="", *args, **kwargs):
        return super().set_footer(xml_safe(footer), *args, **kwargs)


class PlainStrings(SharedStrings):
    """xlsxwriter's shared strings, every one written as text. xlsxwriter writes a string that
    begins with `<r>` and ends with `</r>` as rich text's XML, unescaped: a partner or customer
    named `<r>&</r>` would leave a workbook no reader opens, and one of rich text's runs could show
    other words than the input's. calc writes no rich text."""

    def _write_si(self, string) -> None:
        string = self._escape_control_characters(string)
        self._xml_si_element(string, [("xml:space", "preserve")] if _preserve_whitespace(string) else [])


class PlainPackager(Packager):
    def _write_shared_strings_file(self) -> None:  # xlsxwriter 3.3.1's, with `PlainStrings`
        sst = PlainStrings()
        sst.string_table = self.workbook.str_table
        if not self.workbook.str_table.count:
            return
        sst._set_xml_writer(self._filename("xl/sharedStrings.xml"))
        sst._assemble_xml_file()


class SafeBook(xlsxwriter.Workbook):
    """A workbook whose sheets are `SafeSheet`s, its shared strings `PlainStrings`, and whose long
    tables' bodies (`LongTable`, `long`) are spliced in as it is closed: by `close`, or by its own
    `close()`."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.long: list[LongTable] = []

    def add_worksheet(self, name=None, worksheet_class=None):
        return super().add_worksheet(name, worksheet_class or SafeSheet)

    def _get_packager(self):
        return PlainPackager()

    def close(self) -> None:
        if not self.long:
            return super().close()
        close(self, self.filename if isinstance(self.filename, io.BytesIO) else Path(self.filename))


def workbook(path: Path | io.BytesIO | None = None) -> xlsxwriter.Workbook:
    """A workbook for `path`, or, without one, a workbook `close` writes (with long tables' bodies)."""
    path = io.BytesIO() if path is None else path
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


MAX_WIDTH = 50  # a column's width, in characters, at most (longer text wraps off the page otherwise)
PAPER_A4 = 9
PRINTABLE = 988  # A4 landscape between the default margins, in pixels at 96 dpi (10.29 in)
PORTRAIT = 700  # and portrait (7.3 in)


def shown_width(value) -> int:
    """About how many characters a value takes as its column's format shows it."""
    if value is None:
        return 0
    if isinstance(value, bool):
        return 5
    if isinstance(value, (dt.date, dt.datetime)):
        return 10
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return len(f"{float(value):,.2f}")  # the widest of the formats used: money, with two decimals
    return max((len(part) for part in str(value).split("\n")), default=0)


def column_widths(header: list[str], rows: list[list]) -> list[int]:
    """Each column's width from its longest value (header included), capped at `MAX_WIDTH`:
    the `shown_width` of its widest value, measured a column and a kind of value at a time."""
    longest = [len(title) for title in header]
    for j, values in enumerate(zip(*rows)):
        longest[j] = max(longest[j], _widest(values))
    return [min(MAX_WIDTH, max(8, n + 2)) for n in longest]


def _widest(values: tuple) -> int:
    """The largest `shown_width` of `values`. Numbers: the widths of the largest and the smallest
    only (a number's width grows with its magnitude), not each number formatted."""
    kinds = set(map(type, values))
    widest = 0
    for kind in kinds:
        some = values if len(kinds) == 1 else [v for v in values if type(v) is kind]
        if kind is type(None):
            continue
        if issubclass(kind, bool):
            widest = max(widest, 5)
        elif issubclass(kind, (dt.date, dt.datetime)):
            widest = max(widest, 10)
        elif issubclass(kind, (int, float, Decimal)):
            numbers = list(map(float, some))
            if not all(map(math.isfinite, numbers)):  # nan, inf: no order of widths; each one's own
                widest = max(widest, *map(shown_width, some))
                continue
            low, high = min(numbers), max(numbers)
            widest = max(widest, len(f"{low:,.2f}"), len(f"{high:,.2f}"))
            if low == 0 and min(map(math.copysign, repeat(1.0, len(numbers)), numbers)) < 0:
                widest = max(widest, len(f"{-0.0:,.2f}"))  # a negative zero among the zeros: -0.00
        else:
            texts = some if issubclass(kind, str) else list(map(str, some))
            widest = max(widest, max(map(len, "\n".join(texts).split("\n")), default=0))
    return widest


def frame_widths(frame: pl.DataFrame) -> list[int]:
    """`column_widths` of a frame, measured by polars column-wise."""
    if not frame.height:
        return column_widths(frame.columns, [])
    measured = frame.select(
        (pl.col(c).str.len_chars() if frame.schema[c] == pl.String else
         pl.lit(10) if frame.schema[c] in (pl.Date, pl.Datetime) else
         (pl.col(c).cast(pl.Float64).abs().max().fill_null(0) + 1).log10().floor().cast(pl.Int64) * 4 // 3 + 5)
        .max().alias(c) for c in frame.columns).row(0)
    return [min(MAX_WIDTH, max(8, len(c) + 2, (n or 0) + 2)) for c, n in zip(frame.columns, measured)]


def pixels(widths: list[float]) -> int:
    """Columns of these widths (in characters) in pixels at 96 dpi, as Excel lays them out."""
    return sum(int(w * 7 + 5) for w in widths)


def page_setup(sheet, widths: list[float], footer: str = "", header_rows: int = 1, page: str = "Page &P of &N") -> None:
    """A sheet a person may print: A4, landscape when wider than a portrait page, fit to the
    page's width, the header repeated on every page, a footer naming what it is, page N of M."""
    sheet.set_paper(PAPER_A4)
    if pixels(widths) > PORTRAIT:
        sheet.set_landscape()
    else:
        sheet.set_portrait()
    sheet.fit_to_pages(1, 0)
    if header_rows:
        sheet.repeat_rows(0, header_rows - 1)
    sheet.set_footer(("&L" + footer.replace("&", "&&") if footer else "") + "&R" + page)


def write_table(book: xlsxwriter.Workbook, name: str, header: list[str], rows, formats: dict[str, str] | None = None,
                widths: dict[str, int] | None = None, footer: str = "", notes: dict[str, str] | None = None):
    """A sheet of one table: bold frozen header, autofilter, column formats, widths from the
    values, page setup; `notes`: a header's note (its name in the reader's language)."""
    rows = [list(row) for row in rows]
    measured = dict(zip(header, column_widths(header, rows)))
    sheet, styles = _head(book, name, header, formats, measured | (widths or {}), footer, notes)
    frame = columns_of(header, rows) if len(rows) >= LONG_FROM and isinstance(book, SafeBook) else None
    if frame is not None:  # built by polars, spliced in as the book is closed
        book.long.append(LongTable(sheet.index, frame, tuple(styles)))
    else:
        for i, row in enumerate(rows, start=1):
            for j, value in enumerate(row):
                write_value(sheet, i, j, value, styles[j])
    sheet.autofilter(0, 0, max(len(rows), 1), len(header) - 1)
    return sheet


LONG_FROM = 200  # rows from which a table's cells are built by polars (`rows.body`), not one by one by xlsxwriter


def columns_of(header: list[str], rows: list[list]) -> pl.DataFrame | None:
    """The rows as a frame, a column a header, when every column holds values of one kind (text,
    whole numbers, decimals or dates; blanks anywhere) and the header names no column twice;
    None otherwise (the table is then written cell by cell)."""
    if len(set(header)) != len(header) or any(len(row) != len(header) for row in rows):
        return None
    columns = {}
    for title, values in zip(header, zip(*rows) if rows else [()] * len(header)):
        values = [None if v is None or v == "" else v for v in values]
        kinds = {type(v) for v in values if v is not None}
        if not kinds or kinds == {str}:
            dtype = pl.String
        elif kinds == {int} and all(-2**63 <= v < 2**63 for v in values if v is not None):
            dtype = pl.Int64
        elif kinds == {Decimal} and all(v.is_finite() for v in values if v is not None):
            numbers = [v for v in values if v is not None]
            scale = max(max(-v.as_tuple().exponent, 0) for v in numbers)
            if max(v.adjusted() for v in numbers) + 1 + scale > 38:  # more digits than polars' decimals hold
                return None
            dtype = pl.Decimal(38, scale)
        elif kinds == {dt.date}:
            dtype = pl.Date
        else:  # floats (xlsxwriter writes them to 16 digits, polars to their shortest exact text: kept as
            return None  # xlsxwriter writes them), booleans, datetimes, a column of several kinds
        columns[title] = pl.Series(title, values, dtype=dtype)
    return pl.DataFrame(list(columns.values()))


@dataclass(frozen=True)
class LongTable:
    """A table of many rows: xlsxwriter writes its header, `close` splices its `body` in
    (`rows.py`). `frame` holds the columns of the header, in its order."""

    sheet: int  # the sheet's position in the workbook, 0 the first
    frame: pl.DataFrame
    styles: tuple  # each column's Format, or None

    def body(self) -> Body:
        marks, formats = marked(self.styles)
        frame = self.frame
        columns = tuple(Column(c, "text" if frame.schema[c] == pl.String else "number", mark)
                        for c, mark in zip(frame.columns, marks))
        rows = body(frame, columns, 2).str.join("").cast(pl.Binary).item()  # as UTF-8: never decoded into text
        return Body(self.sheet, rows, formats, frame.height + 1)


def write_long_table(book: xlsxwriter.Workbook, name: str, header: list[str], frame: pl.DataFrame,
                     formats: dict[str, str] | None = None, widths: dict[str, int] | None = None,
                     footer: str = "", notes: dict[str, str] | None = None) -> LongTable:
    """`write_table` for a frame of many rows; the workbook is then closed by `close`, its `body` given."""
    measured = dict(zip(header, frame_widths(frame)))
    sheet, styles = _head(book, name, header, formats, measured | (widths or {}), footer, notes)
    sheet.autofilter(0, 0, max(frame.height, 1), len(header) - 1)
    table = LongTable(sheet.index, frame, tuple(styles))
    if isinstance(book, SafeBook):
        book.long.append(table)
    return table


def close(book: xlsxwriter.Workbook, path: Path | io.BytesIO, *bodies: Body, shared: Shared | None = None) -> str:
    """Close `book` (made by `workbook()`) into `path`, with `bodies` (`rows.Body`) spliced into their
    sheets: a long table's, a statement's Lines. `shared`: the parts of workbooks written before
    (`rows.Shared`), not compressed again. Returns the sha256 of what it wrote."""
    return package(parts(book), (*bodies, *(t.body() for t in getattr(book, "long", ()))), path, shared)


def parts(book: xlsxwriter.Workbook) -> list[tuple[str, bytes]]:
    """Each part of `book` as xlsxwriter's `close` would zip it, in its order: (name, bytes). The
    steps of `Workbook._store_workbook` (xlsxwriter 3.3.1) but the zip, for a workbook in memory
    without charts, images or macros; the book is closed."""
    if not isinstance(book, xlsxwriter.Workbook):  # a `direct.Book`, which renders its own
        return book.parts()
    if not book.worksheets():
        book.add_worksheet()
    if book.worksheet_meta.activesheet == 0:
        book.worksheets_objs[0].selected = 1
        book.worksheets_objs[0].hidden = 0
    for sheet in book.worksheets():
        if sheet.index == book.worksheet_meta.activesheet:
            sheet.active = 1
    book._prepare_sst_string_data()
    book._prepare_vml()
    book._prepare_defined_names()
    book._prepare_drawings()
    book._add_chart_data()
    book._prepare_tables()
    book._prepare_metadata()
    packager = book._get_packager()
    packager._add_workbook(book)
    packager._set_tmpdir(book.tmpdir)
    packager._set_in_memory(True)
    files = packager._create_package()
    book.fileclosed = True
    return [(name, data.getvalue() if binary else data.getvalue().encode("utf-8")) for data, name, binary in files]


def _head(book: xlsxwriter.Workbook, name: str, header: list[str], formats: dict[str, str] | None,
          widths: dict[str, int], footer: str = "", notes: dict[str, str] | None = None):
    """The sheet with its bold frozen header, notes, column widths and formats, page setup; each column's format."""
    sheet = book.add_worksheet(name)
    bold = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    made = {f: book.add_format({"num_format": f}) for f in sorted(set((formats or {}).values()))}
    styles = [made.get((formats or {}).get(title)) for title in header]
    shown = [widths.get(title, max(10, min(40, len(title) + 2))) for title in header]
    for j, title in enumerate(header):
        sheet.write_string(0, j, title, bold)
        if notes and notes.get(title):
            sheet.write_comment(0, j, notes[title], {"author": "calc"})
        sheet.set_column(j, j, shown[j], styles[j])
    sheet.freeze_panes(1, 0)
    page_setup(sheet, shown, footer)
    return sheet, styles


def write_value(sheet, row: int, col: int, value, fmt=None) -> None:
    # each cell of a table: xlsxwriter's own writers, without its `write_*` argument conversion
    if value is None or value == "":
        sheet._write_blank(row, col, None, fmt)
    elif isinstance(value, str):
        sheet._write_string(row, col, value, fmt)
    elif isinstance(value, bool):
        sheet._write_boolean(row, col, value, fmt)
    elif isinstance(value, dt.date) and value < EXCEL_FIRST_DAY:  # Excel would show #VALUE!
        sheet._write_string(row, col, f"{value.year:04d}-{value.month:02d}-{value.day:02d}", fmt)
    elif isinstance(value, dt.date):
        sheet._write_datetime(row, col, dt.datetime(value.year, value.month, value.day), fmt)
    else:
        sheet._write_number(row, col, cell(value), fmt)
