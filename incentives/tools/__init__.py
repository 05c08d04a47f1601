"""Auditor tools over finished runs and any workbook: `diff.py` compares two workbooks or
run folders (`diff_report.py` writes what differs), `explain.py` derives one partner's
figures from a run's output folder (`explain_report.py` tells them in words).

Both read workbooks through `read_book`: the guard first (a file may come from outside),
then calamine (python-calamine), cell by cell with each cell's type, about 20 times faster
than openpyxl: what makes a diff of two quarter-scale runs practical. A workbook with
formulas is read with openpyxl in read-only mode, which keeps each formula's text.
"""

from __future__ import annotations

import datetime as dt
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path

import openpyxl
from openpyxl.utils.exceptions import InvalidFileException
from python_calamine import CalamineError, CalamineWorkbook

from incentives.read import guard


class ToolError(Exception):
    """A file the tools cannot read or a question they cannot answer; the command exits 2."""


@dataclass(frozen=True)
class SheetCells:
    """A sheet as rows of cell values (row 0 is Excel row 1; trailing blanks dropped, "" read as
    blank). `formulas` has the same shape, each cell's formula text or None; it is None for a
    sheet without formulas, whose `values` are then exactly what the file holds."""

    name: str
    values: tuple[tuple, ...]
    formulas: tuple[tuple, ...] | None = None


def read_book(path: Path, rel: str, formulas: bool = False, only: tuple[str, ...] = ()) -> tuple[SheetCells, ...]:
    """Every sheet of the workbook at `path` (`rel` names it in messages), or the sheets named
    in `only` that it has; ToolError if it cannot be read.

    With `formulas`, formula cells keep their formula text apart from the value Excel last
    calculated (the file is read a second time, with data_only, only when it has formulas);
    a file written by a program may hold uncalculated values, which the guard refuses for the
    pipeline but a comparison shows as they are. Without it, a formula cell reads as its value.
    """
    found = guard.examine(path, rel)
    problems = [p for p in found.problems if p.is_error and not (formulas and p.hint == guard.RECALC)]
    if problems:
        raise ToolError("; ".join(str(p) for p in problems))
    try:
        if not (formulas and found.formulas):
            return _calamine(path, only)
        # openpyxl warns about parts it does not model (data validation extensions, a missing
        # default style); they do not change cell values, so only its own UserWarnings are dropped.
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", category=UserWarning, module=r"openpyxl(\.|$)")
            cells = _load(path, not formulas, only)
            if not formulas or not any(f is not None for _, rows in cells for row in rows for _, f in row):
                return tuple(SheetCells(name, tuple(tuple(v for v, _ in row) for row in rows)) for name, rows in cells)
            values = dict(_load(path, True, only))
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError, CalamineError) as ex:
        raise ToolError(f"{rel}: cannot be read as a workbook ({type(ex).__name__}: {ex})") from ex
    # A formula whose value was never calculated reads as blank: pad so both shapes agree.
    return tuple(SheetCells(name, tuple(tuple(v for v, _ in row) for row in values[name])
                            + ((),) * (len(rows) - len(values[name])),
                            tuple(tuple(f for _, f in row) for row in rows)) for name, rows in cells)


def _calamine(path: Path, only: tuple[str, ...]) -> tuple[SheetCells, ...]:
    """Every sheet, or those in `only`, read by calamine: its values as openpyxl gives them."""
    book = CalamineWorkbook.from_path(str(path))
    sheets = []
    for name in book.sheet_names:
        if only and name not in only:
            continue
        rows = []
        for row in book.get_sheet_by_name(name).to_python(skip_empty_area=False):
            values = list(map(_openpyxl_value, row))
            while values and values[-1] is None:
                values.pop()
            rows.append(tuple(values))
        while rows and not rows[-1]:
            rows.pop()
        sheets.append(SheetCells(name, tuple(rows)))
    return tuple(sheets)


def _openpyxl_value(value):
    """A calamine value as openpyxl reads it: whole numbers as int, dates as datetime, "" as blank."""
    kind = type(value)
    if kind is float:
        return int(value) if value.is_integer() and abs(value) < 2**53 else value
    if kind is str:
        return value or None
    if kind is dt.date:
        return dt.datetime(value.year, value.month, value.day)
    return value


def _load(path: Path, data_only: bool, only: tuple[str, ...]) -> list[tuple[str, list[tuple]]]:
    """(sheet name, rows of (value, formula text or None)) for every sheet, or those in `only`."""
    book = openpyxl.load_workbook(path, read_only=True, data_only=data_only)
    try:
        sheets = []
        for sheet in book.worksheets:
            if only and sheet.title not in only:
                continue  # read-only mode parses a sheet only when it is iterated
            # The stored dimension may be wrong (any program can write it): read every row.
            sheet.reset_dimensions()
            rows = [_trim(tuple(_cell(c) for c in row)) for row in sheet.iter_rows()]
            while rows and not rows[-1]:
                rows.pop()
            sheets.append((sheet.title, rows))
        return sheets
    finally:
        book.close()


def _cell(cell) -> tuple:
    value = cell.value
    if cell.data_type == "f":
        # an ArrayFormula carries its text; in a data_only pass this branch is never taken
        return None, value if isinstance(value, str) else getattr(value, "text", str(value))
    return (None if value == "" else value), None


def _trim(row: tuple) -> tuple:
    end = len(row)
    while end and row[end - 1] == (None, None):
        end -= 1
    return row[:end]
