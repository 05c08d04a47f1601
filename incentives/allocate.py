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
    shares = frame.select(shares_in_cents(pl.col("weight"), pl.col("total"), ["group"])).to_series()
    return [Decimal(c) * CENT for c in shares.to_list()]


def shares_in_cents(weight: pl.Expr, total: pl.Expr, group: list[str]) -> pl.Expr:
    """Each row's share, in cents, of its group's `total` (in cents, the same on every row
    of the group), by integer `weight` (Int128); the rows of a group in their order."""
    whole = weight.sum().over(group)
    n = pl.len().over(group).cast(pl.Int128)
    weight = pl.when(whole == 0).then(pl.lit(1, pl.Int128)).otherwise(weight)
    whole = pl.when(whole == 0).then(n).otherwise(whole)
    # Same proportions with a positive whole: the floor division then leaves remainders in [0, whole).
    zero = pl.lit(0, pl.Int128)  # (Int128 has no unary minus)
    weight = pl.when(whole < 0).then(zero - weight).otherwise(weight)
    whole = pl.when(whole < 0).then(zero - whole).otherwise(whole)
    product = total.cast(pl.Int128) * weight
    floors = product // whole
    missing = total.cast(pl.Int128) - floors.sum().over(group)  # 0 <= missing < rows of the group
    # The largest remainders get a cent each; among equal ones, the earlier row.
    order = (product - floors * whole).rank("ordinal", descending=True).over(group)
    return floors + (order.cast(pl.Int128) <= missing).cast(pl.Int128)
