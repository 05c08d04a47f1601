"""Each column kind declared once (`values.KINDS`): its parser, its typed column, its
vectorized path, its template format, read the same wherever a cell of it is read."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import polars as pl
import pytest

from incentives import schema
from incentives.read import values
from incentives.read.columns import convert
from incentives.schema import Kind

SALES = schema.SALES.column
PARTNERS = schema.PARTNERS.column


def test_every_kind_is_declared():
    """A new kind without its declaration would be read by nothing."""
    assert set(values.KINDS) == set(Kind)


# One column of each kind, cells as a user types them, and the value and polars type each
# is read as (written here by hand, not taken from the declarations).
CELLS = [
    (SALES("invoice_id"), ["  INV-1 ", "007"], ["INV-1", "007"], pl.String),
    (SALES("line_no"), ["3", "12"], [3, 12], pl.Int64),
    (SALES("net_amount"), ["1 200 000,50", "1200000.5", "-0.25"],
     [Decimal("1200000.5"), Decimal("1200000.5"), Decimal("-0.25")], pl.Decimal(38, 10)),
    (SALES("invoice_date"), ["31.03.2026", "2026-03-31 00:00:00", "46112"],
     [dt.date(2026, 3, 31)] * 3, pl.Date),  # 46112 days after 1899-12-30 is 2026-03-31
    (schema.RATES.column("month"), ["03.2026", "2026-03"], ["2026-03", "2026-03"], pl.String),
    (SALES("customer_type"), ["Конечный пользователь", "reseller"], ["end_user", "reseller"], pl.String),
    (next(s for s in schema.PROGRAM_SETTINGS if s.key == "requires_opportunity").as_column(), ["да", "no"], [True, False], pl.Boolean),
]


@pytest.mark.parametrize("column, texts, expected, dtype", CELLS, ids=[c.kind.value for c, *_ in CELLS])
def test_a_kind_reads_the_same_cell_by_cell_and_as_a_column(column, texts, expected, dtype):
    assert [values.parse(t, column) for t in texts] == expected
    typed, bad = convert(pl.Series(texts, dtype=pl.String), column)
    assert bad == [] and typed.dtype == dtype
    assert [v.normalize() if isinstance(v, Decimal) else v for v in typed.to_list()] == \
        [v.normalize() if isinstance(v, Decimal) else v for v in expected]


def test_foreign_digits_are_refused_only_by_kinds_made_of_digits():
    """`digits`: a number, a date, a month; an id may hold any character."""
    assert values.parse("٣", SALES("invoice_id")) == "٣"
    for column in (SALES("line_no"), SALES("net_amount"), SALES("invoice_date"), schema.RATES.column("month")):
        with pytest.raises(values.BadValue, match="only the digits 0-9"):
            values.parse("٣", column)


def test_a_plain_number_is_a_serial_date_counted_from_1904_in_such_a_workbook():
    """`serial`: 44650 days after 1904-01-01 is 2026-03-31 (1462 days fewer than from 1899-12-30)."""
    typed, bad = convert(pl.Series(["44650"]), SALES("invoice_date"), date1904=True)
    assert bad == [] and typed.to_list() == [dt.date(2026, 3, 31)]
    amount, _ = convert(pl.Series(["44650"]), SALES("net_amount"), date1904=True)
    assert amount.to_list() == [Decimal(44650)]  # a number column is no date
