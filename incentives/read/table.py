"""From a sheet's text grid to a typed table, driven by the sheet's declaration.

Finds the header row (it may sit below title rows), maps headers to declared
columns (any order, any case, English or Russian, extra columns noted), and
converts each column at once: vectorized where the text is plain, cell by cell
through `values.parse` otherwise, so every bad cell becomes an error with its
address.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from incentives.problems import Problem, Source, error, note
from incentives.read import values
from incentives.read.workbook import Book, Grid
from incentives.schema import EXPECTED, Column, Kind, Sheet, normalize_word

HEADER_SCAN = 30
DECIMAL = pl.Decimal(38, values.SCALE)
DTYPES = {
    Kind.TEXT: pl.String, Kind.INTEGER: pl.Int64, Kind.DECIMAL: DECIMAL, Kind.DATE: pl.Date,
    Kind.MONTH: pl.String, Kind.ENUM: pl.String, Kind.YESNO: pl.Boolean,
}
ROW = "row"  # the Excel row of each line, kept to the end
_PLAIN_NUMBER = rf"^-?\d{{1,15}}(\.\d{{1,{values.SCALE}}})?$"


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
    wanted = {normalize_word(n) for n in spec.names()}
    visible = [n for n in book.sheets if n not in book.hidden]
    match = [n for n in visible if normalize_word(n) in wanted]
    if match:
        return match[0], []
    if not spec.required:
        return None, []
    hidden = [n for n in book.hidden if normalize_word(n) in wanted]
    hint = (f"sheet {hidden[0]!r} is hidden: unhide it" if hidden else
            f"rename the sheet holding the data to {spec.name!r}")
    found = ", ".join(repr(n) for n in book.sheets) or "none"
    return None, [error(Source(book.rel), f"sheet {spec.name!r} is missing; sheets found: {found}", hint)]


def read_table(book: Book, spec: Sheet) -> tuple[Table | None, list[Problem]]:
    name, problems = find_sheet(book, spec)
    if name is None:
        return None, problems
    try:
        grid = book.grid(name)
    except Exception as ex:  # calamine reports a damaged sheet as one error type
        return None, [error(Source(book.rel, name), "the sheet is damaged and cannot be read",
                            f"open the file in Excel and save it again; the reader said: "
                            f"{str(ex).splitlines()[0][:200]}")]
    return table_from_grid(grid, spec)


def _header_row(frame: pl.DataFrame, spec: Sheet) -> tuple[int | None, int]:
    known = {normalize_word(n) for c in spec.columns for n in c.names()}
    best, best_hits = None, 0
    for i, row in enumerate(frame.head(HEADER_SCAN).iter_rows()):
        hits = sum(1 for cell in row if cell is not None and normalize_word(cell) in known)
        if hits > best_hits:
            best, best_hits = i, hits
    return best, best_hits


def table_from_grid(grid: Grid, spec: Sheet) -> tuple[Table | None, list[Problem]]:
    frame, src = grid.frame, grid.source
    problems: list[Problem] = []
    header, hits = _header_row(frame, spec)
    if header is None:
        expected = ", ".join(c.name for c in spec.columns if c.required)
        return None, [error(src, f"no header row found in the first {HEADER_SCAN} rows",
                            f"expected a row with the columns {expected}")]
    header_cells = frame.row(header)
    by_word = {normalize_word(n): c for c in spec.columns for n in c.names()}
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
                problems.append(note(where, f"column {cell.strip()!r} is not used"))
        elif column.name in mapped:
            first = Source(src.file, src.sheet, header + 1, grid.columns[mapped[column.name]])
            problems.append(error(where, f"column {column.name!r} appears twice (also at {first.cell()})",
                                  "keep one of the two columns"))
        else:
            mapped[column.name] = j
    found = [c.strip() for c in header_cells if c is not None and c.strip()]
    for column in spec.columns:
        if column.required and column.name not in mapped:
            problems.append(error(
                Source(src.file, src.sheet, header + 1),
                f"required column {column.name!r} is missing; columns found: {', '.join(found)}",
                f"add a column headed {column.name!r} (or {column.header_ru!r})"))
    if any(p.is_error for p in problems):
        return None, problems

    body = frame.slice(header + 1).with_row_index(ROW, offset=header + 2)
    used = [frame.columns[j] for j in [*mapped.values(), *extra.values()]]
    if used:
        blank = pl.all_horizontal(pl.col(c).is_null() | (pl.col(c).str.strip_chars() == "") for c in used)
        body = body.filter(~blank)
    columns: dict[str, pl.Series] = {ROW: body[ROW].cast(pl.Int64)}
    rows = columns[ROW]
    for column in spec.columns:
        if column.name in mapped:
            j = mapped[column.name]
            series, bad = convert(body[frame.columns[j]], column, grid.date1904)
            for index, raw, problem in bad:
                problems.append(error(Source(src.file, src.sheet, int(rows[index]), grid.columns[j]),
                                      f'{column.name} "{raw}" {problem.message}' if raw else
                                      f"{column.name} {problem.message}", problem.hint))
        else:
            series = pl.Series([_default(column)] * body.height, dtype=DTYPES[column.kind])
        columns[column.name] = series.alias(column.name)
    for name, j in extra.items():
        columns[name] = body[frame.columns[j]].str.strip_chars().alias(name)
    cells = tuple((c, grid.columns[j]) for c, j in [*mapped.items(), *extra.items()])
    return Table(spec, src, pl.DataFrame(list(columns.values())), cells), problems


def _default(column: Column):
    return values.parse(column.default, column) if column.default is not None else None


def convert(raw: pl.Series, column: Column, date1904: bool = False
            ) -> tuple[pl.Series, list[tuple[int, str, values.BadValue]]]:
    """The typed column and its bad cells as (position, text, problem)."""
    text = raw.str.strip_chars()
    text = pl.select(pl.when(text == "").then(None).otherwise(text)).to_series()
    if date1904 and column.kind in (Kind.DATE, Kind.MONTH):
        # A date kept as a plain number counts from 1904-01-01 in such a workbook:
        # move it onto the 1900 count the parser knows (calamine already did date cells).
        serial = text.str.contains(r"^\d+(\.\d+)?$").fill_null(False)
        shifted = (text.cast(pl.Float64, strict=False).floor().cast(pl.Int64, strict=False) + 1462).cast(pl.String)
        text = pl.select(pl.when(serial).then(shifted).otherwise(text)).to_series()
    dtype = DTYPES[column.kind]
    default = _default(column)
    if column.kind is Kind.TEXT:
        typed = text
    elif column.kind is Kind.DECIMAL:
        plain = text.str.contains(_PLAIN_NUMBER).fill_null(False)
        typed = pl.select(pl.when(plain).then(text).otherwise(None)).to_series().str.to_decimal(scale=values.SCALE)
        typed = _fill_by_parsing(typed, text, ~plain & text.is_not_null(), column, dtype)
    else:
        typed = pl.Series([None] * len(text), dtype=dtype)
        typed = _fill_by_parsing(typed, text, text.is_not_null(), column, dtype)
    bad: list[tuple[int, str, values.BadValue]] = []
    failed = text.is_not_null() & typed.is_null()
    if failed.any():
        for i in failed.arg_true().to_list():
            raw_text = text[i]
            try:
                values.parse(raw_text, column)
            except values.BadValue as ex:
                bad.append((i, raw_text, ex))
    if default is not None:
        typed = typed.fill_null(pl.lit(default, dtype=dtype))
    elif not column.blank_ok and text.null_count():
        for i in text.is_null().arg_true().to_list():
            bad.append((i, "", values.BadValue("is blank", f"expected {EXPECTED[column.kind]}")))
    return typed, sorted(bad, key=lambda b: b[0])


def _fill_by_parsing(typed: pl.Series, text: pl.Series, where: pl.Series, column: Column, dtype) -> pl.Series:
    """Parse the distinct texts at `where` one by one (few: dates, choices, odd numbers)."""
    if not where.any():
        return typed
    parsed: dict[str, object] = {}
    for word in text.filter(where).unique().to_list():
        try:
            parsed[word] = values.parse(word, column)
        except values.BadValue:
            pass
    if not parsed:
        return typed
    filled = text.replace_strict(list(parsed), list(parsed.values()), default=None, return_dtype=dtype)
    return pl.select(pl.when(where).then(filled).otherwise(typed)).to_series()

