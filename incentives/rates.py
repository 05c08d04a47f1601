"""Rate bands: which band a cumulative base reaches, and the entitlement it earns.

A band applies when the base is strictly over its threshold: with bands 0 -> 2%
and 3,000,000 -> 4%, 3,000,000.00 earns 2% and 3,000,000.01 earns 4%.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from incentives.model import RateBand
from incentives.money import ZERO, round_money


@dataclass(frozen=True)
class Slice:
    """One band's part of the base under `incremental` (the whole base under `all_units`)."""

    over: Decimal
    upto: Decimal | None
    amount: Decimal
    rate: Decimal

    @property
    def earned(self) -> Decimal:
        return self.amount * self.rate


@dataclass(frozen=True)
class Entitlement:
    base: Decimal
    band: RateBand | None  # the band reached, None when over no band
    next_band: RateBand | None
    slices: tuple[Slice, ...]
    exact: Decimal  # before rounding
    amount: Decimal  # rounded once

    @property
    def rate(self) -> Decimal:
        return self.band.rate if self.band else ZERO

    @property
    def to_next_band(self) -> Decimal | None:
        """What more base reaches the next band (strictly over its threshold: + 0.01)."""
        if self.next_band is None:
            return None
        return self.next_band.over - self.base + Decimal("0.01")


def reached(bands: tuple[RateBand, ...], base: Decimal) -> tuple[RateBand | None, RateBand | None]:
    """The band of the highest threshold the base is strictly over, and the next one up."""
    ordered = sorted(bands, key=lambda b: b.over)
    below = [b for b in ordered if base > b.over]
    above = [b for b in ordered if not base > b.over]
    return (below[-1] if below else None), (above[0] if above else None)


def entitle(bands: tuple[RateBand, ...], base: Decimal, method: str, rounding: str) -> Entitlement:
    band, next_band = reached(bands, base)
    if method == "all_units":
        slices = (Slice(band.over, None, base, band.rate),) if band else ()
    else:
        ordered = sorted(bands, key=lambda b: b.over)
        slices = []
        for this, following in zip(ordered, [*ordered[1:], None]):
            if not base > this.over:
                break
            top = base if following is None else min(base, following.over)
            slices.append(Slice(this.over, following.over if following else None, top - this.over, this.rate))
        slices = tuple(slices)
    exact = sum((s.earned for s in slices), ZERO)
    return Entitlement(base, band, next_band, slices, exact, round_money(exact, rounding))
