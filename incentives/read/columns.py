"""A column of cells to a typed column, driven by its kind's declaration (`values.KINDS`).

Vectorized where the text is plain (the kind's `plain` pattern, cast by polars), cell by
cell through `values.parse` otherwise, so every bad cell becomes an error with its
position, text and what is wrong. Typed cells (`workbook.Book.body`) come in as they
were read: a double as its shortest repr, date cells as dates.
"""

from __future__ import annotations

import polars as pl

from incentives.read import values
from incentives.problems import said
from incentives.schema import Column


def default_value(column: Column):
    return values.parse(column.default, column) if column.default is not None else None


def convert(raw: pl.Series, column: Column, date1904: bool | pl.Series = False, errors: bool = True
            ) -> tuple[pl.Series, list[tuple[int, str, values.BadValue]]]:
    """The typed column and its bad cells as (position, text, problem). `date1904`: of the
    workbook, or of each cell's workbook when cells of several are typed at once. `errors`:
    whether a text cell may hold an error value (other kinds are always checked: their
    odd texts go through `values.parse`). `raw` is text, or as read typed (`Book.body`):
    doubles, read as their shortest repr by the one number rule, or date cells."""
    declared = values.KINDS[column.kind]
    dates = raw.dt.date() if raw.dtype.is_temporal() and declared.dtype == pl.Date else None
    if raw.dtype != pl.String:
        # A double's shortest repr, as polars writes it (0.30000000000000004, 1e+20): the number
        # rule reads it as Excel shows the cell (tests/test_typed.py checks it against parse_decimal)
        raw = raw.cast(pl.String)
    text = raw.str.strip_chars()
    text = pl.select(pl.when(text == "").then(None).otherwise(text)).to_series()
    per_cell = isinstance(date1904, pl.Series)
    if (date1904.any() if per_cell else date1904) and declared.serial:
        # A date kept as a plain number counts from 1904-01-01 in such a workbook:
        # move it onto the 1900 count the parser knows (calamine already did date cells).
        serial = text.str.contains(r"^[0-9]+(\.[0-9]+)?$").fill_null(False)
        if per_cell:
            serial = serial & date1904
        shifted = (text.cast(pl.Float64, strict=False).floor().cast(pl.Int64, strict=False) + 1462).cast(pl.String)
        text = pl.select(pl.when(serial).then(shifted).otherwise(text)).to_series()
    dtype = declared.dtype
    default = default_value(column)
    if dates is not None:  # date cells, typed by the reader
        typed = dates
    elif declared.verbatim:  # text as it is, but for an Excel error value, read as text by a CSV
        typed = text
        if errors and text.str.starts_with("#").any():
            erred = text.is_in(values.ERROR_VALUES).fill_null(False)
            typed = pl.select(pl.when(erred).then(None).otherwise(text)).to_series()
    elif declared.plain:
        plain = text.str.contains(declared.plain).fill_null(False)
        typed = pl.select(pl.when(plain).then(text).otherwise(None)).to_series().cast(dtype)
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
            bad.append((i, "", values.BadValue("value.blank", what=said("kind.expected:" + column.kind.value))))
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
