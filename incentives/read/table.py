"""From a sheet to a typed table, driven by the sheet's declaration.

Finds the header row in the sheet's first rows (it may sit below title rows), maps
headers to declared columns (any order, any case, English or Russian, extra columns
noted), loads the body of the mapped columns (`workbook.Book.body`: typed where it
can be) and converts each column at once, the cells of many files together
(`columns.convert`: vectorized where the text is plain, cell by cell through
`values.parse` otherwise), so every bad cell becomes an error with its address.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from itertools import accumulate

import polars as pl

from incentives.problems import Problem, Source, error, note, said
from incentives.read import values
from incentives.read.columns import convert, default_value as _default
from incentives.read.workbook import HEAD, READER_ERRORS, Book, Grid
from incentives.schema import Column, Kind, Sheet, normalize_word
from incentives.words import Header, Quoted

HEADER_SCAN = HEAD
ROW = "row"  # the Excel row of each line, kept to the end


@dataclass(frozen=True)
class Table:
    """A typed sheet: one column per declared column (missing optional ones filled
    with their default), `row`, and for rosters the extra attribute columns as text."""

    spec: Sheet
    source: Source
    frame: pl.DataFrame
    # declared or attribute column name -> 0-based sheet column, for error locations
    cells: tuple[tuple[str, int], ...]

    def column_index(self, name: str) -> int | None:
        return dict(self.cells).get(name)

    def at(self, row: int, name: str | None = None) -> Source:
        column = self.column_index(name) if name else None
        return Source(self.source.file, self.source.sheet, row, column)


def find_sheet(book: Book, spec: Sheet) -> tuple[str | None, list[Problem]]:
    if book.csv:  # a CSV is one sheet, the one asked for
        return spec.name, []
    wanted = {normalize_word(n) for n in spec.names()}
    visible = [n for n in book.sheets if n not in book.hidden]
    match = [n for n in visible if normalize_word(n) in wanted]
    if match:
        return match[0], []
    if not spec.required:
        return None, []
    hidden = [n for n in book.hidden if normalize_word(n) in wanted]
    hint = "table.sheet_hidden/hint" if hidden else "table.sheet_missing/hint"
    return None, [error(Source(book.rel), "table.sheet_missing", hint, sheet=spec.name, found=Quoted(book.sheets),
                        hidden=hidden[0] if hidden else "")]


def read_table(book: Book, spec: Sheet) -> tuple[Table | None, list[Problem]]:
    raw, problems = read_raw(book, spec)
    if raw is None:
        return None, problems
    ((table, found),) = tables_from_raws([raw])
    return table, problems + found


def read_raw(book: Book, spec: Sheet) -> tuple[Raw | None, list[Problem]]:
    """The sheet of `spec` found, loaded and its header mapped; cells still text."""
    name, problems = find_sheet(book, spec)
    if name is None:
        return None, problems
    if uncalculated := [p for p in book.formulas if p.source.sheet == name]:
        return None, problems + uncalculated
    grid, damaged = _grid(book, name)
    if grid is None:
        return None, damaged
    raw, found = map_grid(grid, spec, book)
    return raw, problems + found


LOOKS_LIKE = 3  # header cells of a sheet's columns that make a sheet of another name one of them
_COPY = re.compile(r"\s*(\(\d+\)|\d+)$")  # "Sales (2)", "Продажи2": Excel's names for a copied sheet


def read_raws(book: Book, spec: Sheet) -> list[tuple[Raw | None, list[Problem]]]:
    """Every visible sheet holding `spec`'s rows (a sales workbook may split its lines
    over `Sales`, `Sales (2)`, `Продажи`...): each sheet named as `spec` or a copy of it,
    and each other sheet whose header row names at least LOOKS_LIKE of its columns; the
    latter must then match it too. Other sheets are noted as not read."""
    if book.csv:
        return [read_raw(book, spec)]
    wanted = {normalize_word(n) for n in spec.names()}
    out: list[tuple[Raw | None, list[Problem]]] = []
    passed: list[Problem] = []
    for name in (n for n in book.sheets if n not in book.hidden):
        named = normalize_word(_COPY.sub("", name)) in wanted or normalize_word(name) in wanted
        if uncalculated := [p for p in book.formulas if p.source.sheet == name]:
            if named:
                out.append((None, uncalculated))
            continue
        grid, damaged = _grid(book, name)
        if grid is None:
            out.append((None, damaged))
            continue
        if not named and _header_row(grid.frame, spec)[1] < LOOKS_LIKE:
            passed.append(note(Source(book.rel, name), "table.sheet_not_read", sheet=spec.name))
            continue
        out.append(map_grid(grid, spec, book))
    if not out:
        _, missing = find_sheet(book, spec)
        return [(None, missing)]
    return out + [(None, passed)] if passed else out


def _grid(book: Book, name: str, whole: bool = False) -> tuple[Grid | None, list[Problem]]:
    """The sheet's first rows as text (`Book.head`), or with `whole` all of it."""
    try:
        return (book.grid(name) if whole else book.head(name)), []
    except READER_ERRORS as ex:  # calamine reports a damaged sheet as one error type; a bug is not caught
        return None, [error(Source(book.rel, name), "table.damaged", reader=str(ex).splitlines()[0][:200])]


def _header_row(frame: pl.DataFrame, spec: Sheet) -> tuple[int | None, int]:
    known = spec.header_words
    best, best_hits = None, 0
    for i, row in enumerate(frame.head(HEADER_SCAN).rows()):
        # A row cannot count more hits than it has cells: under a header row, no data row
        # needs its cells compared.
        if sum(cell is not None for cell in row) <= best_hits:
            continue
        hits = sum(1 for cell in row if cell is not None and normalize_word(cell) in known)
        if hits > best_hits:
            best, best_hits = i, hits
    return best, best_hits


@dataclass(frozen=True)
class Raw:
    """A sheet whose header is found and mapped, its cells not yet judged: `text` holds the
    body of each mapped declared column as it was loaded (text, or a number or date column
    typed: `Book.body`), `extra` of each roster attribute column, blank rows included. The
    raws of many files of one sheet are typed together (`tables_from_raws`): one vectorized
    pass per column, not one per file and column."""

    spec: Sheet
    source: Source
    first_row: int  # the Excel row of the body's first row
    height: int
    text: tuple[tuple[str, pl.Series], ...]
    extra: tuple[tuple[str, pl.Series], ...]
    cells: tuple[tuple[str, int], ...]
    date1904: bool = False
    errors: bool = False  # a text cell may hold an error value (`Grid.errors`)

    def column_index(self, name: str) -> int | None:
        return dict(self.cells).get(name)


def map_grid(grid: Grid, spec: Sheet, book: Book | None = None) -> tuple[Raw | None, list[Problem]]:
    """Find the header and map it to the declared columns: a `Raw`, or the problems that
    keep the sheet from being read. A grid of the sheet's first rows only (`Grid.whole`)
    gets its body from `book`: typed where it can be, else the whole sheet as text."""
    frame, src = grid.frame, grid.source
    problems: list[Problem] = []
    header, hits = _header_row(frame, spec)
    if header is None:
        expected = ", ".join(c.name for c in spec.columns if c.required)
        return None, [error(src, "table.no_header", rows=HEADER_SCAN, expected=expected)]
    header_cells = frame.row(header)
    by_word = spec.header_words
    mapped: dict[str, int] = {}  # declared name -> frame column position
    extra: dict[str, int] = {}
    for j, cell in enumerate(header_cells):
        if cell is None or not cell.strip():
            continue
        where = Source(src.file, src.sheet, header + 1, grid.columns[j])
        column = by_word.get(normalize_word(cell))
        if column is None:
            if spec.keep_extra:
                extra[normalize_word(cell).replace(" ", "_")] = j
            else:
                problems.append(note(where, "table.column_unused", column=cell.strip()))
        elif column.name in mapped:
            first = Source(src.file, src.sheet, header + 1, grid.columns[mapped[column.name]])
            problems.append(error(where, "table.column_twice", column=column.name, first=first.cell()))
        else:
            mapped[column.name] = j
    found = [c.strip() for c in header_cells if c is not None and c.strip()]
    unused = [c for c in found if normalize_word(c) not in by_word]
    for column in spec.columns:
        if column.required and column.name not in mapped:
            close = _close_header(column, unused)
            problems.append(error(
                Source(src.file, src.sheet, header + 1), "table.column_missing",
                "table.column_close/hint" if close else "table.column_missing/hint",
                column=column.name, found=", ".join(found), close=close or "", ru=column.header_ru))
    if any(p.is_error for p in problems):
        return None, problems
    cells = tuple((c, grid.columns[j]) for c, j in [*mapped.items(), *extra.items()])
    body = _body(grid, header, {grid.columns[j]: spec.column(c).kind for c, j in mapped.items()}
                 | {grid.columns[j]: None for j in extra.values()}, book)
    if isinstance(body, list):
        return None, body
    at = dict(cells)
    text = tuple((c.name, body[at[c.name]]) for c in spec.columns if c.name in mapped)
    extras = tuple((name, body[at[name]]) for name in extra)
    height = len(next(iter(body.values()))) if body else grid.frame.height - header - 1
    return Raw(spec, src, header + 2, height, text, extras, cells, grid.date1904, grid.errors), problems


def _body(grid: Grid, header: int, columns: dict[int, Kind | None], book: Book | None
          ) -> dict[int, pl.Series] | list[Problem]:
    """The rows under the header of these sheet columns: typed (`Book.body`), so a number
    cell is read by its double in every sheet, short or long; when the sheet cannot be read
    typed (or is a CSV), from the sheet read whole as text; or the problem that keeps the
    sheet from being read."""
    if book is not None and not book.csv:
        typed = book.body(grid.source.sheet, header + 1, columns)
        if typed is not None:
            return typed
    if not grid.whole:
        grid, damaged = _grid(book, grid.source.sheet, whole=True)
        if grid is None:
            return damaged
    body = grid.frame.slice(header + 1)
    at = {column: j for j, column in enumerate(grid.columns)}
    return {column: body.to_series(at[column]) for column in columns}


PART = "__part"  # which raw a row of the batch comes from


def repeated(values: list, counts: list[int], dtype) -> pl.Series:
    """Each value as many times as its count, in order."""
    # each value's position repeated, then the values gathered: half the time of repeating texts
    at = pl.Series(range(len(values)), dtype=pl.UInt32).repeat_by(pl.Series(counts, dtype=pl.UInt32)).explode()
    return pl.Series(values, dtype=dtype).gather(at)


def _gathered(raws: list[Raw], name: str, extra: bool = False) -> pl.Series | None:
    """One column of every raw, one after the other; null where a raw lacks it."""
    parts = [dict(r.extra if extra else r.text).get(name) for r in raws]
    if all(p is None for p in parts):
        return None
    # Typed parts (doubles, datetimes) stay typed when every part is of one type; else all text
    # (a double as its shortest repr, which `convert` reads by the same number rule).
    dtypes = {p.dtype for p in parts if p is not None and p.dtype != pl.Null}
    dtype = dtypes.pop() if len(dtypes) == 1 else pl.String
    filled = [p.cast(dtype) if p is not None else pl.repeat(None, r.height, dtype=dtype, eager=True)
              for p, r in zip(parts, raws)]
    return (pl.concat(filled) if len(filled) > 1 else filled[0]).alias(name)


def tables_from_raws(raws: list[Raw]) -> list[tuple[Table, list[Problem]]]:
    """The raws of one sheet (one per file) typed together: each its `Table` and the
    problems of its cells, in the order a file read alone gives them."""
    if not raws:
        return []
    spec = raws[0].spec
    index = repeated(list(range(len(raws))), [r.height for r in raws], pl.UInt32)
    # Excel rows: each part's first row, plus the position within the part
    offsets = list(accumulate((r.height for r in raws), initial=0))
    rows = pl.int_range(0, offsets[-1], dtype=pl.Int64, eager=True) + repeated(
        [r.first_row - offset for r, offset in zip(raws, offsets)], [r.height for r in raws], pl.Int64)
    names = [c.name for c in spec.columns]
    extra_names = list(dict.fromkeys(name for r in raws for name, _ in r.extra))
    columns = {PART: index.alias(PART), ROW: rows.alias(ROW)}
    for name in names:
        if (gathered := _gathered(raws, name)) is not None:
            columns[name] = gathered
    extras = {name: _gathered(raws, name, extra=True).alias(f"{PART}{i}") for i, name in enumerate(extra_names)}
    batch = pl.DataFrame([*columns.values(), *extras.values()])
    used = [c for c in batch.columns if c not in (PART, ROW)]
    if used:  # a row blank in every column the sheet's header names is no line
        blank = pl.all_horizontal(pl.col(c).is_null() | (pl.col(c).str.strip_chars() == "")
                                  if batch.schema[c] == pl.String else pl.col(c).is_null() for c in used)
        batch = batch.filter(~blank)
    part = batch[PART]
    starts = [*part.search_sorted(pl.Series(range(len(raws)), dtype=pl.UInt32), "left").to_list(), batch.height]
    shift = None
    if any(r.date1904 for r in raws):
        shift = part.is_in([k for k, r in enumerate(raws) if r.date1904])
    rows = batch[ROW]
    errors = any(r.errors for r in raws)
    problems: list[list[Problem]] = [[] for _ in raws]
    typed: dict[str, pl.Series] = {}
    for column in spec.columns:
        dtype = values.KINDS[column.kind].dtype
        if column.name not in batch.columns:
            typed[column.name] = pl.repeat(_default(column), batch.height, dtype=dtype, eager=True).alias(column.name)
            continue
        series, bad = convert(batch[column.name], column, shift if shift is not None else False, errors)
        holders = [k for k, r in enumerate(raws) if column.name in dict(r.text)]
        if len(holders) < len(raws):  # a file without this optional column: its default, unchecked
            present = part.is_in(holders)
            series = pl.select(pl.when(present).then(series).otherwise(pl.lit(_default(column), dtype=dtype))
                               ).to_series()
            bad = [b for b in bad if present[b[0]]]
        header = Header(column.name, column.ru_header)  # one for the column's bad cells
        for i, raw_text, problem in bad:
            raw = raws[part[i]]
            problems[part[i]].append(error(Source(raw.source.file, raw.source.sheet, rows[i],
                                                  raw.column_index(column.name)),
                                           "table.cell" if raw_text else "table.cell_blank", problem.hinted,
                                           column=header, value=raw_text,
                                           why=problem.said))
        typed[column.name] = series.alias(column.name)
    out = []
    for k, raw in enumerate(raws):
        start, height = starts[k], starts[k + 1] - starts[k]
        frame: dict[str, pl.Series] = {ROW: rows.slice(start, height)}
        for name in names:
            frame[name] = typed[name].slice(start, height)
        for name, _ in raw.extra:
            frame[name] = batch[extras[name].name].slice(start, height).str.strip_chars().alias(name)
        out.append((Table(spec, raw.source, pl.DataFrame(list(frame.values())), raw.cells), problems[k]))
    return out


def _close_header(column: Column, headers: list[str]) -> str | None:
    """The header among `headers` (not matched to any column) that looks most like one of
    `column`'s names: «Сумма без НДС » typed «Сума без НДС», net amount typed net_amont."""
    words = {normalize_word(h): h for h in headers}
    best = None
    for name in column.names():
        for hit in difflib.get_close_matches(normalize_word(name), list(words), n=1, cutoff=0.75):
            score = difflib.SequenceMatcher(None, normalize_word(name), hit).ratio()
            if best is None or score > best[0]:
                best = (score, words[hit])
    return best[1] if best else None
