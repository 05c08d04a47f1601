"""Opening an input workbook and loading a sheet as a grid of text cells.

fastexcel (the calamine engine of polars) reads every cell as text: numbers in
their shortest round-trip form, date cells as `YYYY-MM-DD HH:MM:SS`. Rows keep
their sheet position (row 0 is Excel row 1) and each column its absolute index,
so every value can be traced to its cell.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import fastexcel
import polars as pl

from incentives.problems import Problem, Source, error


@dataclass(frozen=True)
class Grid:
    """A sheet as text: `frame` row i is Excel row i + 1; `columns[j]` is the 0-based
    sheet column of frame column j."""

    source: Source
    frame: pl.DataFrame
    columns: tuple[int, ...]


@dataclass(frozen=True)
class Book:
    path: Path
    rel: str
    sheets: tuple[str, ...]
    hidden: tuple[str, ...]
    reader: fastexcel.ExcelReader

    def grid(self, sheet: str) -> Grid:
        loaded = self.reader.load_sheet(sheet, header_row=None, skip_rows=0, dtypes="string")
        frame = loaded.to_polars()
        columns = tuple(c.absolute_index for c in loaded.available_columns())
        return Grid(Source(self.rel, sheet), frame, columns)


def _what_it_is(path: Path) -> str:
    head = path.read_bytes()[:8]
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return ("is an old binary .xls workbook or an encrypted file", "open it in Excel and save it as .xlsx "
                "without a password")
    if head.startswith(b"PK"):
        return ("is damaged or not an Excel workbook", "open it in Excel and save it again as .xlsx")
    if not head:
        return ("is empty", "replace it with the real workbook")
    return ("is not an Excel workbook (it looks like text or another format)",
            "open it in Excel and save it as .xlsx")


def open_book(path: Path, rel: str) -> Book | Problem:
    try:
        reader = fastexcel.read_excel(path)
        names = tuple(reader.sheet_names)
        hidden = tuple(n for n in names if reader.load_sheet(n, n_rows=0).visible != "visible")
    except Exception as ex:  # calamine reports every kind of bad file as one error type
        what, fix = _what_it_is(path)
        return error(Source(rel), what, f"{fix}; the reader said: {str(ex).splitlines()[0][:200]}")
    return Book(path, rel, names, hidden, reader)
