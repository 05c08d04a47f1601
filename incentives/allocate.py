"""Share a rounded total over weights, in cents, by the largest-remainder method.

A statement shows each included line's share of the partner's entitlement; the
shares must add up to the entitlement exactly, so each line cannot be rounded on
its own. Every share starts at its exact proportional value rounded down to the
cent; the cents still missing go one each to the shares that lost the most in
that rounding down. Ties in what was lost go to the earlier weight (the line read
first), so the result depends only on the order of the weights.

- Each share is within one cent of `total × weight / sum(weights)`, and the shares
  add up to `total` exactly: no cent is lost or invented.
- Negative weights (credit notes, returns) get negative shares, and a negative sum
  of weights (net returns) is as proportional as a positive one.
- A zero `total` gives zero shares, whatever the weights.
- When the weights sum to zero but `total` does not, no proportion exists; each
  weight then counts as 1, so the total is still carried, in equal parts.
- With no weights at all, a non-zero `total` cannot be carried: ValueError.
"""

from __future__ import annotations

from decimal import Decimal

import polars as pl

from incentives.money import CENT, ZERO


def allocate(total: Decimal, weights: list[Decimal]) -> list[Decimal]:
    """`total` (in whole cents) shared over `weights`, one share per weight, in their order."""
    if not total.is_finite() or total != total.quantize(CENT):
        raise ValueError(f"total {total} is not a whole number of cents")
    if not all(w.is_finite() for w in weights):
        raise ValueError("weights must be finite numbers")
    cents = int(total.scaleb(2))
    if cents == 0:
        return [ZERO.quantize(CENT)] * len(weights)
    if not weights:
        raise ValueError(f"no weights to carry a total of {total}")
    # Integer weights, scaled by the finest decimal place, keep the arithmetic exact.
    places = max(0, *(-w.as_tuple().exponent for w in weights))
    frame = pl.DataFrame({"weight": pl.Series([int(w.scaleb(places)) for w in weights], dtype=pl.Int128),
                          "total": pl.Series([cents] * len(weights), dtype=pl.Int128), "group": 0})
    shares = with_shares(frame, pl.col("weight"), pl.col("total"), ["group"])["share"]
    return [Decimal(c) * CENT for c in shares.to_list()]


def with_shares(frame: pl.DataFrame, weight: pl.Expr, total: pl.Expr, group: list[str],
                name: str = "share") -> pl.DataFrame:
    """`frame` with column `name`: each row's share, in cents, of its group's `total` (in cents, the
    same on every row of the group), by integer `weight` (Int128); the rows of a group in their
    order. Worked out in steps, each a `with_columns`: as one expression, polars works a window out
    again wherever it is named, ten times the cost (0.75 against 0.1 µs a line)."""
    zero, one = pl.lit(0, pl.Int128), pl.lit(1, pl.Int128)  # (Int128 has no unary minus)
    w, whole, n, t = pl.col("__w"), pl.col("__whole"), pl.col("__n"), pl.col("__t")
    steps = frame.with_columns(__w=weight, __t=total.cast(pl.Int128)).with_columns(
        __whole=w.sum().over(group), __n=pl.len().over(group).cast(pl.Int128))
    # weights summing to zero: each counts as 1. Same proportions with a positive whole: the floor
    # division then leaves remainders in [0, whole).
    steps = steps.with_columns(__w=pl.when(whole == 0).then(one).otherwise(w),
                               __whole=pl.when(whole == 0).then(n).otherwise(whole))
    steps = steps.with_columns(__w=pl.when(whole < 0).then(zero - w).otherwise(w),
                               __whole=pl.when(whole < 0).then(zero - whole).otherwise(whole))
    steps = steps.with_columns(__p=t * w).with_columns(__f=pl.col("__p") // whole)
    steps = steps.with_columns(  # 0 <= missing < rows of the group
        __missing=t - pl.col("__f").sum().over(group),
        # The largest remainders get a cent each; among equal ones, the earlier row.
        __order=(pl.col("__p") - pl.col("__f") * whole).rank("ordinal", descending=True).over(group))
    return steps.with_columns(
        (pl.col("__f") + (pl.col("__order").cast(pl.Int128) <= pl.col("__missing")).cast(pl.Int128)).alias(name)
    ).drop("__w", "__t", "__whole", "__n", "__p", "__f", "__missing", "__order")
