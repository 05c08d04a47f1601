"""Errors and notes are values with a location, collected and reported together.

A problem keeps its message as a key of the message catalogues and its values (`Said`),
not as text: it is told in the reader's language when it is printed or written
(`Problem.text`, `told`); `str(problem)` and `message` are its English.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from incentives import words


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


# Slotted: a column of bad cells makes a problem per cell, and every object without a __dict__
# is one the garbage collector need not walk (a 50,000-cell column read in 2.3 s, not 3.9 s).
@dataclass(frozen=True, slots=True)
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

    def text(self, language: str = "en") -> str:
        """sales/a.xlsx:Sales!K2, or a whole row as the language says it: sales/a.xlsx:Sales row 2."""
        where = self.file
        if self.sheet:
            where += f":{self.sheet}"
            cell = self.cell()
            if cell:
                where += f"!{cell}" if self.column is not None else words.say("where.row", {"row": cell}, language)
        return where

    def __str__(self) -> str:
        return self.text()


Values = tuple[tuple[str, object], ...]


@dataclass(frozen=True, slots=True)
class Said:
    """A message as a key of the catalogues (`incentives.words`) and its named values, in no
    language yet; a value may be a `Said` (a phrase inside a message) or a `Source`."""

    key: str
    values: Values = ()

    def text(self, language: str = "en") -> str:
        return words.say(self.key, dict(self.values), language)

    def __str__(self) -> str:
        return self.text()


def said(key: str, **values) -> Said:
    return Said(key, tuple(values.items()))


class Told:
    """What has a message (`said`) and maybe a hint (`hinted`): both in English, for tests, logs
    and sorting; a reader gets them in their language from `Said.text`."""

    __slots__ = ()
    said: Said
    hinted: Said | None

    @property
    def message(self) -> str:
        return self.said.text()

    @property
    def hint(self) -> str:
        return self.hinted.text() if self.hinted else ""


@dataclass(frozen=True, slots=True)
class Problem(Told):
    source: Source
    said: Said
    hinted: Said | None = None
    severity: Severity = Severity.ERROR

    def sort_key(self) -> tuple:
        s = self.source
        return (s.file, s.sheet, s.row or 0, -1 if s.column is None else s.column, self.message)

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def text(self, language: str = "en") -> str:
        """The problem as the reader of `language` reads it: place, message (hint)."""
        hint = self.hinted.text(language) if self.hinted else ""
        return f"{self.source.text(language)}: {self.said.text(language)}" + (f" ({hint})" if hint else "")

    def __str__(self) -> str:
        return self.text()


def hint_of(message: Said, hint: str | Said = "") -> Said | None:
    """The hint of `message`: `hint` (a key, with the message's values; a `Said`; or text), else
    the catalogue's `<key>/hint` if it has one."""
    if isinstance(hint, Said):
        return hint
    if hint:
        return Said(hint, message.values if words.has_message(hint) else ())
    if words.has_message(message.key + "/hint"):
        return Said(message.key + "/hint", message.values)
    return None


def _problem(source: Source, key: str, hint: str | Said, severity: Severity, values: dict) -> Problem:
    """`key` a message of the catalogues (or, in code not yet translated, English text)."""
    message = Said(key, tuple(values.items()))
    return Problem(source, message, hint_of(message, hint), severity)


def error(source: Source, key: str, hint: str | Said = "", **values) -> Problem:
    return _problem(source, key, hint, Severity.ERROR, values)


def note(source: Source, key: str, hint: str | Said = "", **values) -> Problem:
    return _problem(source, key, hint, Severity.NOTE, values)



GROUP_FROM = 3  # cells of one column with the same problem, from which they are told as one
CELL_VALUE = "value"  # the value named so in a message is the cell's own: it differs from cell to cell


def told(problems: list[Problem], least: int = GROUP_FROM, language: str = "en") -> list[tuple[Problem, str]]:
    """Each problem with its line of text in `language`, in order; the cells of one column with the
    same problem (the same message but for the cell's own value), `least` or more of them, told as one
    line: `sales/a.xlsx:Sales!K2:K17: 16 cells: net_amount "…" is not a number, e.g. "3 000 тг" at K2 (hint)`."""
    keys = [_group(p) for p in problems]
    groups: dict[tuple, list[Problem]] = {}
    for p, key in zip(problems, keys):
        groups.setdefault(key, []).append(p)
    out = []
    for p, key in zip(problems, keys):
        s = p.source
        group = groups.pop(key, None)
        if group is None:
            continue  # told with the first of its group
        if len(group) < least:
            out += [(q, q.text(language)) for q in group]
            continue
        rows = [q.source.row for q in group]
        letter = column_letter(s.column)
        example = _value(p.said)
        text = words.say("told.cells", {
            "where": f"{s.file}:{s.sheet}!{letter}{min(rows)}:{letter}{max(rows)}", "count": len(group),
            "message": _generic(p.said).text(language)}, language)
        if example is not None:
            text += words.say("told.example", {"value": example, "cell": f"{letter}{p.source.row}"}, language)
        hint = _generic(p.hinted).text(language) if p.hinted else ""
        out.append((p, text + (f" ({hint})" if hint else "")))
    return out


def _generic(said: Said) -> Said:
    """The message with the cell's own value left out: what the cells of a group share."""
    return Said(said.key, tuple((k, "…" if k == CELL_VALUE else _generic(v) if isinstance(v, Said) else v)
                                for k, v in said.values))


def _value(said: Said):
    """The cell's own value in a message (or in a phrase inside it), or None."""
    for k, v in said.values:
        if k == CELL_VALUE:
            return v
        if isinstance(v, Said) and (inner := _value(v)) is not None:
            return inner
    return None


def _group(p: Problem) -> tuple:
    """What the cells of one column with the same problem share; a problem not in a cell is alone."""
    s = p.source
    if s.row is None or s.column is None:
        return (id(p),)
    return (p.severity, s.file, s.sheet, s.column, _shape(p.said), p.hinted and _shape(p.hinted))


def _shape(said: Said) -> tuple:
    """`_generic` as a plain tuple: the group's key, made for every problem."""
    return said.key, tuple((k, "…" if k == CELL_VALUE else _shape(v) if isinstance(v, Said) else v)
                           for k, v in said.values)
