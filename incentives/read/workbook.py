"""Opening an input workbook and loading a sheet as a grid of text cells.

fastexcel (the calamine engine of polars) reads every cell as text: numbers in
their shortest round-trip form, date cells as `YYYY-MM-DD HH:MM:SS`. Rows keep
their sheet position (row 0 is Excel row 1) and each column its absolute index,
so every value can be traced to its cell.

calamine reads .xlsx, .xlsm, .xlsb, .xls and .ods alike; a .csv is read by
`formats.read_csv` into the same grid, every cell text. No parser sees a file before
`guard.examine` has passed it: partner files come from outside, and calamine trusts
what a file declares.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import fastexcel
import polars as pl
import python_calamine

from incentives.problems import Problem, Source, error
from incentives.read import formats, guard


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

    @property
    def csv(self) -> bool:
        return self.text is not None

    def grid(self, sheet: str) -> Grid:
        if self.text is not None:
            return Grid(Source(self.rel, sheet), self.text, tuple(range(self.text.width)), errors=True)
        loaded = self.reader.load_sheet(sheet, header_row=None, skip_rows=0, dtypes="string")
        frame = loaded.to_polars()
        columns = tuple(c.absolute_index for c in loaded.available_columns())
        cells = [(row, column, text) for name, row, column, text in self.errors if name == sheet]
        return Grid(Source(self.rel, sheet), with_cells(frame, columns, cells) if cells else frame, columns,
                    self.date1904, bool(cells))


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
    return (Book(path, rel, names, hidden, reader, info.date1904, formulas, found.errors),
            [p for p in problems if p not in formulas])


def open_book(path: Path, rel: str) -> Book | Problem:
    """The workbook, or the first error that keeps it from being read (`open_checked`
    gives them all)."""
    book, problems = open_checked(path, rel)
    return book if book is not None else next(p for p in problems if p.is_error)
