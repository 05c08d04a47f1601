"""`calc diff`: what changed between two workbooks, or between two run folders.

`compare` returns a `Result` (plain values, no I/O after reading); `diff_report.py` writes it
for the terminal (`render`) and as a workbook (`write_report`).

Rows are matched by key where the header row names one: (partner_id, invoice_id,
line_no), or the parts of it present (a statement's Lines sheet has no partner_id),
else partner_id, else path; header words are matched as the readers match them, with the
contract's English and Russian aliases. A key seen twice (a duplicate line, a total row
with blank keys) is told apart by its occurrence; the order of keyed rows is not compared.
Other sheets are aligned by position with difflib, so there too an inserted row is one
added row, not a cascade of changed cells. Columns are matched by header name where the
sheet has a header row (the first row of two cells or more, within the first 20), else by
letter. Numbers are equal within the tolerance; a formula is compared apart from its value.
"""

from __future__ import annotations

import difflib
import math
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple

from incentives import schema, words
from incentives.problems import column_letter
from incentives.schema import normalize_word
from incentives.tools import SheetCells, ToolError, read_book


def _words(*names: str) -> frozenset[str]:
    return frozenset(normalize_word(n) for n in names)


def _said(key: str) -> tuple[str, ...]:
    """A statement's label in each language: a statement's column is found by any of them."""
    return tuple(words.catalogue(lang)[key] for lang in words.LANGUAGES)


KEYS: dict[str, frozenset[str]] = {
    "partner_id": _words(*schema.SALES.column("partner_id").names(), *schema.PARTNERS.column("partner_id").names()),
    "invoice_id": _words(*schema.SALES.column("invoice_id").names(), *_said("h_invoice_id")),
    "line_no": _words(*schema.SALES.column("line_no").names(), *_said("h_line_no")),
    "path": _words("path"),
}
LINE_KEY = ("partner_id", "invoice_id", "line_no")
HEADER_SEARCH = 20  # rows looked at for a header: sales reports put a few title rows above it


# ---------------------------------------------------------------- the result


@dataclass(frozen=True)
class Cell:
    """One changed cell: its value, or its formula when either side has one."""

    column: str
    old_ref: str
    new_ref: str
    part: str  # "value" or "formula"
    old: object
    new: object
    delta: Decimal | None = None  # new − old, for two numbers


@dataclass(frozen=True)
class RowChange:
    kind: str  # "added", "removed" or "changed"
    key: tuple  # the key values (and, past the first, the occurrence); () when matched by position
    old_row: int | None  # Excel row numbers
    new_row: int | None
    cells: tuple[Cell, ...] = ()
    values: tuple[tuple[str, object], ...] = ()  # (column, value) of an added or removed row


@dataclass(frozen=True)
class SheetDiff:
    name: str
    status: str  # "compared", "added", "removed" or "ignored"
    key: tuple[str, ...] = ()  # the key columns; () when rows are matched by position
    columns_added: tuple[str, ...] = ()
    columns_removed: tuple[str, ...] = ()
    rows: tuple[RowChange, ...] = ()

    @property
    def equal(self) -> bool:
        return self.status == "ignored" or (self.status == "compared" and not (
            self.rows or self.columns_added or self.columns_removed))

    def count(self, kind: str) -> int:
        return sum(r.kind == kind for r in self.rows)

    @property
    def cells_changed(self) -> int:
        return sum(len(r.cells) for r in self.rows)


@dataclass(frozen=True)
class FileDiff:
    path: str  # relative to the compared folders; "" when two workbooks were compared
    status: str  # "compared", "only in OLD" or "only in NEW"
    sheets: tuple[SheetDiff, ...] = ()

    @property
    def equal(self) -> bool:
        return self.status == "compared" and all(s.equal for s in self.sheets)


@dataclass(frozen=True)
class Result:
    old: str
    new: str
    tolerance: Decimal
    files: tuple[FileDiff, ...]

    @property
    def equal(self) -> bool:
        return all(f.equal for f in self.files)


# ---------------------------------------------------------------- comparing


def compare(old: Path, new: Path, tolerance: Decimal = Decimal(0), ignore: tuple[str, ...] = ()) -> Result:
    """Two workbooks, or two folders (every .xlsx in either, by relative path)."""
    ignored = frozenset(n.casefold() for n in ignore)
    if old.is_file() and new.is_file():
        files = (compare_books(old, new, str(old), str(new), tolerance, ignored),)
    elif old.is_dir() and new.is_dir():
        old_files, new_files = _workbooks(old), _workbooks(new)
        files = tuple(
            compare_books(old / rel, new / rel, str(old / rel), str(new / rel), tolerance, ignored, rel)
            if rel in old_files and rel in new_files
            else FileDiff(rel, "only in OLD" if rel in old_files else "only in NEW")
            for rel in sorted(old_files | new_files))
    else:
        raise ToolError(f"compare two workbooks or two folders: {old} is a {_kind(old)} and {new} is a {_kind(new)}")
    return Result(str(old), str(new), tolerance, files)


def _kind(path: Path) -> str:
    return "folder" if path.is_dir() else "file" if path.is_file() else "missing path"


def _workbooks(folder: Path) -> set[str]:
    """Relative paths of the .xlsx files, leaving out Excel's lock files (~$) and hidden
    entries (a run's staging folder is hidden while it is written)."""
    found = set()
    for path in folder.rglob("*.xlsx"):
        parts = path.relative_to(folder).parts
        if path.is_file() and not any(p.startswith((".", "~$")) for p in parts):
            found.add("/".join(parts))
    return found


def compare_books(old: Path, new: Path, old_rel: str, new_rel: str, tolerance: Decimal = Decimal(0),
                  ignored: frozenset[str] = frozenset(), path: str = "") -> FileDiff:
    olds = {s.name: s for s in read_book(old, old_rel, formulas=True)}
    news = {s.name: s for s in read_book(new, new_rel, formulas=True)}
    sheets = []
    for name in [*news, *(n for n in olds if n not in news)]:
        if name.casefold() in ignored:
            sheets.append(SheetDiff(name, "ignored"))
        elif name not in olds:
            sheets.append(SheetDiff(name, "added"))
        elif name not in news:
            sheets.append(SheetDiff(name, "removed"))
        else:
            sheets.append(compare_sheets(olds[name], news[name], tolerance))
    return FileDiff(path, "compared", tuple(sheets))


class _Layout(NamedTuple):
    header: int | None  # 0-based index of the header row; None: columns go by letter
    columns: tuple[tuple[str, str, int], ...]  # (id, title, index) of each named column
    keys: tuple[tuple[str, int], ...]  # (key name, index) of each key column found


_NO_HEADER = _Layout(None, (), ())


def _layout(values: tuple[tuple, ...]) -> _Layout:
    """The header row: the first row with two cells or more, if every cell is a distinct text
    and it names a key column or has three cells or more (a statement's two-cell label rows
    are not a header)."""
    for i, row in enumerate(values[:HEADER_SEARCH]):
        cells = [(j, v) for j, v in enumerate(row) if v is not None]
        if len(cells) < 2:
            continue
        words = [normalize_word(v) if isinstance(v, str) else None for _, v in cells]
        if None in words or len(set(words)) < len(words):
            return _NO_HEADER
        keys: dict[str, int] = {}
        for (j, _), word in zip(cells, words):
            for key, names in KEYS.items():
                if word in names:
                    keys.setdefault(key, j)
        if not keys and len(cells) < 3:
            return _NO_HEADER
        return _Layout(i, tuple((w, str(v).strip(), j) for (j, v), w in zip(cells, words)), tuple(keys.items()))
    return _NO_HEADER


def _choose_key(old: _Layout, new: _Layout) -> tuple[str, ...]:
    common = {k for k, _ in old.keys} & {k for k, _ in new.keys}
    if "invoice_id" in common:
        return tuple(k for k in LINE_KEY if k in common)
    return next(((k,) for k in ("partner_id", "path") if k in common), ())


def _width(sheet: SheetCells, rows: range) -> int:
    return max((len(sheet.values[i]) for i in rows), default=0)


class _Side:
    """One side of a sheet comparison: cells by (row, column index), None past the edges."""

    def __init__(self, sheet: SheetCells):
        self.values, self.formulas = sheet.values, sheet.formulas

    def value(self, i: int, j: int):
        row = self.values[i] if i < len(self.values) else ()
        return row[j] if j < len(row) else None

    def formula(self, i: int, j: int):
        if self.formulas is None or i >= len(self.formulas):
            return None
        row = self.formulas[i]
        return row[j] if j < len(row) else None

    def blank(self, i: int) -> bool:
        formulas = self.formulas[i] if self.formulas is not None and i < len(self.formulas) else ()
        return all(v is None for v in self.values[i]) and all(f is None for f in formulas)

    def cells(self, i: int, columns) -> tuple:
        return tuple((self.value(i, j), self.formula(i, j)) for j in columns)


def compare_sheets(old: SheetCells, new: SheetCells, tolerance: Decimal = Decimal(0)) -> SheetDiff:
    lo, ln = _layout(old.values), _layout(new.values)
    a, b = _Side(old), _Side(new)
    if lo.header is None or ln.header is None:
        width = max(_width(old, range(len(old.values))), _width(new, range(len(new.values))))
        columns = [(column_letter(j), j, j) for j in range(width)]
        pairs = _aligned(a, b, range(len(old.values)), range(len(new.values)), columns)
        return SheetDiff(old.name, "compared", rows=_changes(a, b, pairs, columns, tolerance, None))

    o_body, n_body = range(lo.header + 1, len(old.values)), range(ln.header + 1, len(new.values))
    o_cols, n_cols = _named(lo, _width(old, o_body)), _named(ln, _width(new, n_body))
    o_index = {c: (t, j) for c, t, j in o_cols}
    columns = [(t, o_index[c][1], j) for c, t, j in n_cols if c in o_index]
    added = tuple(t for c, t, _ in n_cols if c not in o_index)
    removed = tuple(t for c, t, _ in o_cols if c not in {c for c, _, _ in n_cols})

    # Title rows above the header go by position and letter; a title row added pushes the
    # header down, which the header's own detection absorbs.
    width = max(_width(old, range(lo.header)), _width(new, range(ln.header)))
    letters = [(column_letter(j), j, j) for j in range(width)]
    rows = _changes(a, b, _aligned(a, b, range(lo.header), range(ln.header), letters), letters, tolerance, None)

    key = _choose_key(lo, ln)
    if key:
        o_key = [dict(lo.keys)[k] for k in key]
        n_key = [dict(ln.keys)[k] for k in key]
        old_keys, new_keys = _keys(a, o_body, o_key), _keys(b, n_body, n_key)
        keys = {("old", i): k for k, i in old_keys.items()} | {("new", j): k for k, j in new_keys.items()}
        rows += _changes(a, b, _keyed(old_keys, new_keys), columns, tolerance, keys)
    else:
        rows += _changes(a, b, _aligned(a, b, o_body, n_body, columns), columns, tolerance, None)
    return SheetDiff(old.name, "compared", key, added, removed, rows)


def _named(layout: _Layout, width: int) -> list[tuple[str, str, int]]:
    """The header's columns, and by letter any column holding data under a blank header cell."""
    named = list(layout.columns)
    taken = {j for _, _, j in named}
    named += [(f"#{column_letter(j)}", column_letter(j), j) for j in range(width) if j not in taken]
    return named


def _key_value(value):
    if isinstance(value, float) and value.is_integer():
        return int(value)  # line_no 1 and 1.0 are the same line
    return value.strip() if isinstance(value, str) else value


def _keys(side: _Side, rows: range, columns: list[int]) -> dict[tuple, int]:
    """Each non-blank row's key (values, occurrence) → row index, in row order."""
    seen: Counter = Counter()
    out = {}
    for i in rows:
        if side.blank(i):
            continue
        values = tuple(_key_value(side.value(i, j)) for j in columns)
        out[(values, seen[values])] = i
        seen[values] += 1
    return out


def _keyed(old: dict[tuple, int], new: dict[tuple, int]) -> list[tuple[int | None, int | None]]:
    """Pairs (old row, new row) matched by key, in the new order; a removed row comes where
    it stood among the old rows."""
    removed = [k for k in old if k not in new]
    pairs: list[tuple[int | None, int | None]] = []
    r = 0
    for k, j in new.items():
        i = old.get(k)
        if i is not None:
            while r < len(removed) and old[removed[r]] < i:
                pairs.append((old[removed[r]], None))
                r += 1
        pairs.append((i, j))
    pairs += [(old[k], None) for k in removed[r:]]
    return pairs


def _aligned(a: _Side, b: _Side, old_rows: range, new_rows: range, columns) -> list[tuple[int | None, int | None]]:
    """Pairs (old row, new row) of the longest matching runs of equal rows; in a replaced
    block rows pair by position and the longer side's extra rows are added or removed."""
    left = [a.cells(i, [oj for _, oj, _ in columns]) for i in old_rows]
    right = [b.cells(j, [nj for _, _, nj in columns]) for j in new_rows]
    pairs: list[tuple[int | None, int | None]] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, left, right, autojunk=False).get_opcodes():
        n = min(i2 - i1, j2 - j1)
        pairs += [(old_rows[i1 + k], new_rows[j1 + k]) for k in range(n)]
        pairs += [(old_rows[i], None) for i in range(i1 + n, i2)]
        pairs += [(None, new_rows[j]) for j in range(j1 + n, j2)]
    return pairs


def _changes(a: _Side, b: _Side, pairs, columns, tolerance: Decimal, keys: dict | None) -> tuple[RowChange, ...]:
    out = []
    # Columns in the same places on both sides: a row equal to its match, value for value
    # and type for type, without formulas, has no change to look for cell by cell.
    aligned = a.formulas is None and b.formulas is None and all(oj == nj for _, oj, nj in columns)
    for i, j in pairs:
        if aligned and i is not None and j is not None and _identical(a.values[i], b.values[j]):
            continue
        key = ()
        if keys is not None:
            values, occurrence = keys[("new", j) if j is not None else ("old", i)]
            key = values + ((f"#{occurrence + 1}",) if occurrence else ())
        if i is None or j is None:
            side, at = (b, j) if i is None else (a, i)
            shown = tuple((t, side.value(at, (nj if i is None else oj))) for t, oj, nj in columns)
            out.append(RowChange("added" if i is None else "removed", key, None if i is None else i + 1,
                                 None if j is None else j + 1, values=tuple((t, v) for t, v in shown if v is not None)))
            continue
        cells = []
        for title, oj, nj in columns:
            of, nf = a.formula(i, oj), b.formula(j, nj)
            if (of or nf) and of != nf:
                cells.append(Cell(title, f"{column_letter(oj)}{i + 1}", f"{column_letter(nj)}{j + 1}", "formula",
                                  of, nf))
            ov, nv = a.value(i, oj), b.value(j, nj)
            same, delta = _same(ov, nv, tolerance)
            if not same:
                cells.append(Cell(title, f"{column_letter(oj)}{i + 1}", f"{column_letter(nj)}{j + 1}", "value",
                                  ov, nv, delta))
        if cells:
            out.append(RowChange("changed", key, i + 1, j + 1, tuple(cells)))
    return tuple(out)


def _identical(old: tuple, new: tuple) -> bool:
    return old == new and all(type(o) is type(n) for o, n in zip(old, new))


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _decimal(value: int | float) -> Decimal:
    # repr is the shortest text that reads back as the same float: 0.1 stays 0.1
    return Decimal(value) if isinstance(value, int) else Decimal(repr(value))


def _same(old, new, tolerance: Decimal) -> tuple[bool, Decimal | None]:
    if _number(old) and _number(new):
        delta = _decimal(new) - _decimal(old)
        return abs(delta) <= tolerance, delta
    return type(old) is type(new) and old == new, None
