"""Opening an input workbook; a sheet's first rows as text, its body typed.

A sheet is read in two steps. Its first HEAD rows come as a grid of text cells
(`Book.head`): fastexcel (the calamine engine of polars) gives every cell as text
there, numbers as it shows them (at most 9 decimals), date cells as
`YYYY-MM-DD HH:MM:SS`; `table.py` finds the header among them. The body under the
header is then loaded once, only the columns the header maps (`Book.body`): number
and date cells of number and date columns typed (a double, a datetime), every other
column as text. A sheet the typed load cannot take as it is (a column mixing
numbers and text, error cells, a date column of plain numbers) is read whole as
text (`Book.grid`), as a .csv is. Rows keep
their sheet position (row 0 is Excel row 1) and each column its absolute index, so
every value can be traced to its cell.

An .xlsx's first rows come from the parts the guard inflated (`guard.Findings.parts`),
packed again without compression with each long sheet stopped after HEAD rows, so
finding the header does not parse the sheet (other formats, and a sheet of HEAD rows
or fewer, give their first rows from the whole sheet). The body is read from the file:
handed the guard's inflated parts instead, a 1,111-line workbook took 0.6 CPU ms more
(`load._open`, median of 5 alternations over 60 workbooks: 7.13 against 6.53 ms), as
fastexcel copies a source of bytes about three times; inflating the sheet again costs
less. calamine reads .xlsx, .xlsm, .xlsb, .xls and .ods
alike; a .csv is read by `formats.read_csv` into the same grid, every cell text. No
parser sees a file before `guard.examine` has passed it: partner files come from
outside, and calamine trusts what a file declares.
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass
from pathlib import Path

import fastexcel
import polars as pl
import python_calamine
from isal import isal_zlib

from incentives.problems import Problem, Source, error
from incentives.read import formats, guard
from incentives.schema import Kind
from incentives.read.values import KINDS

HEAD = 30  # the rows a header is sought in


@dataclass(frozen=True)
class Grid:
    """A sheet as text: `frame` row i is Excel row i + 1; `columns[j]` is the 0-based
    sheet column of frame column j."""

    source: Source
    frame: pl.DataFrame
    columns: tuple[int, ...]
    date1904: bool = False
    # Whether a text cell may hold an error value: the guard found error cells here, or the
    # sheet is a CSV (whose text "#N/A" is what Excel wrote for one).
    errors: bool = False
    whole: bool = True  # False: the sheet's first HEAD rows only (`Book.head`); its body is `Book.body`


@dataclass(frozen=True)
class Book:
    path: Path
    rel: str
    sheets: tuple[str, ...]
    hidden: tuple[str, ...]
    reader: fastexcel.ExcelReader | None  # None for a .csv, whose one sheet is `text`
    # Serial dates count from 1904-01-01. calamine converts cells formatted as dates
    # itself; a date kept as a plain number needs 1462 days added.
    date1904: bool = False
    # The guard's errors for formulas without calculated values, each on its sheet: they
    # keep that sheet from being read, not the file from being opened.
    formulas: tuple[Problem, ...] = ()
    # Cells holding an error value (sheet, row, column, "#N/A"), found by the guard: the
    # reader hands them over blank, so the grid gets their text back.
    errors: tuple[tuple[str, int, int, str], ...] = ()
    # A .csv's cells, all text: its one sheet, answering to whichever name is asked.
    text: pl.DataFrame | None = None
    # The same workbook with its sheets cut after HEAD rows (`head`), and the sheets cut;
    # None: every sheet is read whole as text (not an .xlsx, or too big to keep in memory).
    heads: fastexcel.ExcelReader | None = None
    cut: frozenset[str] = frozenset()

    @property
    def csv(self) -> bool:
        return self.text is not None

    def grid(self, sheet: str) -> Grid:
        """The whole sheet as text."""
        if self.text is not None:
            return Grid(Source(self.rel, sheet), self.text, tuple(range(self.text.width)), errors=True)
        return self._text(self.reader, sheet, True)

    def head(self, sheet: str) -> Grid:
        """The sheet's first HEAD rows as text, or the whole sheet when it has no more, or
        cannot be cut (`whole` says which)."""
        if self.heads is None or sheet not in self.cut:
            return self.grid(sheet)
        return self._text(self.heads, sheet, False)

    def _text(self, reader: fastexcel.ExcelReader, sheet: str, whole: bool) -> Grid:
        loaded = reader.load_sheet(sheet, header_row=None, skip_rows=0, dtypes="string")
        frame = loaded.to_polars()
        columns = tuple(c.absolute_index for c in loaded.available_columns())
        cells = [(row, column, text) for name, row, column, text in self.errors if name == sheet]
        return Grid(Source(self.rel, sheet), with_cells(frame, columns, cells) if cells else frame, columns,
                    self.date1904, bool(cells), whole)

    def body(self, sheet: str, first: int, columns: dict[int, Kind | None]) -> dict[int, pl.Series] | None:
        """The sheet's rows from `first` (0-based) of these sheet columns, each of its kind
        (None: text): a number or date column typed when every cell of it is a number (a
        date) or every one text, other columns as text. None when the sheet must be read
        as text instead: a column mixing numbers and text (or dates and text), error cells."""
        if any(name == sheet for name, *_ in self.errors):
            return None  # the text grid gives them back their text
        wanted = sorted(columns)
        names = [f"c{j}" for j in wanted]
        typed = {j: KINDS[columns[j]].typed if columns[j] else () for j in wanted}
        text = {f"c{j}": "string" for j in wanted if not typed[j]}
        try:
            loaded = self.reader.load_sheet(sheet, header_row=None, skip_rows=first, column_names=names,
                                            use_columns=wanted, dtypes=text or None, schema_sample_rows=None,
                                            dtype_coercion="strict")
            if [c.absolute_index for c in loaded.selected_columns] != wanted:
                return None
            frame = loaded.to_polars()
        except READER_ERRORS:  # a column of several types (strict), an odd error cell: the text grid reports it
            return None
        out = {}
        for j, name in zip(wanted, names):
            series = frame[name]
            if series.dtype not in (*typed[j], pl.String, pl.Null):
                return None
            out[j] = series
        return out



def with_cells(frame: pl.DataFrame, columns: tuple[int, ...], cells: list[tuple[int, int, str]]) -> pl.DataFrame:
    """The grid with these (row, sheet column, text) cells set, where the grid reaches them."""
    at = {column: j for j, column in enumerate(columns)}
    series = frame.get_columns()
    for row, column, text in cells:
        j = at.get(column)
        if j is not None and row < frame.height:
            series[j] = series[j].scatter(row, text)
    return pl.DataFrame(series)


# What the readers raise for a file or sheet they cannot read: a bad file, not a bug. Anything
# else raised while reading is a bug in calc and must not be reported as the user's file.
READER_ERRORS = (fastexcel.FastExcelError, python_calamine.CalamineError)


def open_checked(path: Path, rel: str) -> tuple[Book | None, list[Problem]]:
    """The workbook and every problem the guard finds in the raw file; no Book when
    any of them is an error, so calamine never reads a file the guard refused. Formulas
    without values are the Book's `formulas`: only a sheet calc reads is refused for them."""
    found = guard.examine(path, rel)
    problems = list(found.problems)
    formulas = tuple(p for p in problems if p.hinted and p.hinted.key == guard.RECALC)
    if any(p.is_error and p not in formulas for p in problems):
        return None, problems
    kind = guard.kind_of(path)
    if kind == "csv":
        try:
            text = formats.read_csv(path, rel)
        except guard.Refused as refused:
            return None, problems + [refused.problem]
        return Book(path, rel, (), (), None, text=text), problems
    try:
        reader = fastexcel.read_excel(path)
        names = tuple(reader.sheet_names)
        states = {s.name: s.state for s in found.book.sheets}
        if kind == "ods":  # its sheet states live in styles: calamine knows them
            states = {m.name: "visible" if m.visible == python_calamine.SheetVisibleEnum.Visible else "hidden"
                      for m in python_calamine.CalamineWorkbook.from_path(str(path)).sheets_metadata}
    except READER_ERRORS as ex:  # calamine reports every kind of bad file as one error type
        return None, problems + [error(Source(rel), "workbook.damaged", reader=str(ex).splitlines()[0][:200])]
    # Sheet states come from the guard's look at the workbook part: asking fastexcel would
    # load every sheet whole.
    info = found.book
    hidden = tuple(n for n in names if states.get(n, "visible") != "visible")
    heads, cut = _heads(found)
    return (Book(path, rel, names, hidden, reader, info.date1904, formulas, found.errors, heads=heads, cut=cut),
            [p for p in problems if p not in formulas])


_ROW = re.compile(rb"<row[\s/>]")
_DIMENSION = re.compile(rb"<dimension\b[^>]*>")


def _heads(found: guard.Findings) -> tuple[fastexcel.ExcelReader | None, frozenset[str]]:
    """The workbook again with each plain sheet holding more than HEAD rows cut after them,
    and those sheets; (None, none) when no sheet is cut. Other sheets are left out (they are
    read whole from the workbook), and the shared strings after the last one the cut sheets use."""
    if not found.parts:
        return None, frozenset()
    plain = {p: s.name for s in found.book.sheets if s.name in found.plain for p in s.parts}
    sheets = {p for s in found.book.sheets for p in s.parts}
    cut, short, used = set(), [], -1
    for name, data in found.parts:
        sheet = plain.get(name.lower())
        if sheet is not None and (head := _head(data)) is not None:
            cut.add(sheet)
            short.append((name, head))
            used = max([used, *map(int, _SHARED.findall(head))])
        elif name.lower() not in sheets and not name.lower().startswith("xl/worksheets/"):
            short.append((name, data))
    if not cut:
        return None, frozenset()
    short = [(name, _first_strings(data, used + 1) if name.lower() == "xl/sharedstrings.xml" else data)
             for name, data in short]
    return fastexcel.read_excel(_stored(short)), frozenset(cut)


_SHARED = re.compile(rb'<c [^>]*\bt="s"[^>]*>\s*<v>\s*([0-9]{1,9})\s*</v>')


def _first_strings(sst: bytes, count: int) -> bytes:
    """The shared strings part with its first `count` strings only (at least: an empty
    string written <si/> is not counted), or whole."""
    at = 0
    for _ in range(count):
        at = sst.find(b"</si>", at)
        if at < 0:
            return sst
        at += len(b"</si>")
    end = sst.rfind(b"</sst>")
    return sst[:at] + sst[end:] if end >= at else sst


def _head(xml: bytes) -> bytes | None:
    """A sheet's XML ending after its first HEAD rows, or None when it has no more. Its
    dimension goes: it would size the grid for every row."""
    start = xml.find(b"<sheetData")
    end = xml.rfind(b"</sheetData>")
    if start < 0 or end < 0:
        return None
    for n, found in enumerate(_ROW.finditer(xml, start, end)):
        if n == HEAD:
            return _DIMENSION.sub(b"", xml[:start], 1) + xml[start:found.start()] + xml[end:]
    return None


def _stored(parts) -> bytes:
    """A zip of these (name, bytes) parts, stored as they are (the package of first rows)."""
    local, central = [], []
    offset = 0
    for name, data in parts:
        raw = name.encode("utf-8")
        flags = 0 if raw.isascii() else 0x800  # the name is UTF-8
        crc = isal_zlib.crc32(data)
        head = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, flags, 0, 0, 0x21, crc, len(data), len(data), len(raw), 0)
        local += [head, raw, data]
        central.append(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, flags, 0, 0, 0x21, crc, len(data),
                                   len(data), len(raw), 0, 0, 0, 0, 0, offset) + raw)
        offset += len(head) + len(raw) + len(data)
    directory = b"".join(central)
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(central), len(central), len(directory), offset, 0)
    return b"".join([*local, directory, end])


def open_book(path: Path, rel: str) -> Book | Problem:
    """The workbook, or the first error that keeps it from being read (`open_checked`
    gives them all)."""
    book, problems = open_checked(path, rel)
    return book if book is not None else next(p for p in problems if p.is_error)
