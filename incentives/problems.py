"""Errors and notes are values with a location, collected and reported together."""

from __future__ import annotations

import re
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



GROUP_FROM = 3  # cells of one column with the same problem, from which they are told as one
_QUOTED = re.compile(r'"[^"]*"')


def told(problems: list[Problem], least: int = GROUP_FROM) -> list[tuple[Problem, str]]:
    """Each problem with its line of text, in order; the cells of one column with the same problem
    (the same message but for the values quoted in it), `least` or more of them, told as one line:
    `sales/a.xlsx:Sales!K2:K17: 16 cells: net_amount "…" is not a number, e.g. "3 000 тг" (hint)`."""
    groups: dict[tuple, list[Problem]] = {}
    for p in problems:
        groups.setdefault(_group(p), []).append(p)
    out = []
    for p in problems:
        s, key = p.source, _group(p)
        group = groups.pop(key, None)
        if group is None:
            continue  # told with the first of its group
        if len(group) < least:
            out += [(q, str(q)) for q in group]
            continue
        rows = [q.source.row for q in group]
        letter = column_letter(s.column)
        example = _QUOTED.search(p.message)
        text = (f"{s.file}:{s.sheet}!{letter}{min(rows)}:{letter}{max(rows)}: {len(group)} cells: "
                f"{key[4]}" + (f", e.g. {example.group(0)} at {letter}{p.source.row}" if example else ""))
        out.append((p, text + (f" ({p.hint})" if p.hint else "")))
    return out


def _group(p: Problem) -> tuple:
    """What the cells of one column with the same problem share; a problem not in a cell is alone."""
    s = p.source
    if s.row is None or s.column is None:
        return (id(p),)
    return (p.severity, s.file, s.sheet, s.column, _QUOTED.sub('"…"', p.message), p.hint)
