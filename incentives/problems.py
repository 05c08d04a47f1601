"""Errors and notes are values with a location, collected and reported together."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Severity(Enum):
    ERROR = "error"
    NOTE = "note"


def column_letter(index: int) -> str:
    """0-based column index to Excel letters: 0 -> A, 27 -> AB."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


@dataclass(frozen=True)
class Source:
    """Where a value came from: file (relative to the input folder), sheet, row and column.

    `row` is the 1-based Excel row; `column` the 0-based column index, or None for a
    whole row, sheet or file.
    """

    file: str
    sheet: str = ""
    row: int | None = None
    column: int | None = None

    def cell(self) -> str:
        if self.row is None:
            return ""
        return f"{column_letter(self.column) if self.column is not None else ''}{self.row}"

    def __str__(self) -> str:
        where = self.file
        if self.sheet:
            where += f":{self.sheet}"
            cell = self.cell()
            if cell:
                where += f"!{cell}" if self.column is not None else f" row {cell}"
        return where


@dataclass(frozen=True)
class Problem:
    source: Source
    message: str
    hint: str = ""
    severity: Severity = Severity.ERROR

    def sort_key(self) -> tuple:
        s = self.source
        return (s.file, s.sheet, s.row or 0, -1 if s.column is None else s.column, self.message)

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def __str__(self) -> str:
        text = f"{self.source}: {self.message}"
        if self.hint:
            text += f" ({self.hint})"
        return text


def error(source: Source, message: str, hint: str = "") -> Problem:
    return Problem(source, message, hint, Severity.ERROR)


def note(source: Source, message: str, hint: str = "") -> Problem:
    return Problem(source, message, hint, Severity.NOTE)


class InputErrors(Exception):
    """Raised by a stage that cannot go on; carries every problem found so far."""

    def __init__(self, problems: tuple[Problem, ...]):
        super().__init__(f"{sum(p.is_error for p in problems)} input error(s)")
        self.problems = problems
