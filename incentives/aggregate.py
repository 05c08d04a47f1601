"""Stage: aggregate the classified lines per partner, as of a period's end.

A partner's period, year-to-date and quarter bases count its included lines only; its
excluded lines are counted and summed apart, for the statement and the reconciliation.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import polars as pl

from incentives.classify import INCLUDED
from incentives.money import ZERO
from incentives.periods import Period, period_of


@dataclass(frozen=True)
class Totals:
    """A partner's lines as of a period's end."""

    period_base: Decimal = ZERO
    ytd_base: Decimal = ZERO
    quarter_base: Decimal = ZERO  # the quarter ending with the period, for quarterly bonuses
    included_lines: int = 0
    excluded_lines: int = 0
    excluded_amount: Decimal = ZERO


def totals(lines: pl.DataFrame, period: Period) -> dict[str, Totals]:
    included = pl.col("outcome") == INCLUDED
    amount = pl.col("base_amount")
    date = pl.col("invoice_date")
    quarter = period_of(period.end, "quarter")
    zero = pl.lit(Decimal(0), dtype=lines.schema["base_amount"])
    grouped = lines.group_by("partner_id").agg(
        pl.when(included & date.is_between(period.start, period.end)).then(amount).otherwise(zero).sum()
        .alias("period_base"),
        pl.when(included).then(amount).otherwise(zero).sum().alias("ytd_base"),
        pl.when(included & date.is_between(quarter.start, period.end))
        .then(amount).otherwise(zero).sum().alias("quarter_base"),
        included.sum().alias("included_lines"),
        (~included).sum().alias("excluded_lines"),
        pl.when(~included).then(amount).otherwise(zero).sum().alias("excluded_amount"),
    )
    return {r["partner_id"]: Totals(r["period_base"], r["ytd_base"], r["quarter_base"], r["included_lines"],
                                    r["excluded_lines"], r["excluded_amount"])
            for r in grouped.iter_rows(named=True)}
