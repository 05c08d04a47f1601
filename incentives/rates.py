"""Stage: rate. Which band a cumulative base reaches, and the entitlement it earns; each
partner's entitlement as of a period's end (`entitlements`).

A band applies when the base is strictly over its threshold: with bands 0 -> 2%
and 3,000,000 -> 4%, 3,000,000.00 earns 2% and 3,000,000.01 earns 4%.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

import polars as pl

from incentives import tiers
from incentives.aggregate import Totals
from incentives.model import Inputs, RateBand
from incentives.money import ZERO, round_money
from incentives.periods import Period


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
class Segment:
    """The lines earned under one tier's span of the year (TierHistory): their base, and what
    they earned: under `all_units` one slice, the base at the rate of the tier's band reached by
    the whole year-to-date base; under `incremental` the part of each band their moves of the
    cumulative base covered (negative where they moved it down)."""

    start: dt.date
    end: dt.date | None  # its last day; None: on to the year's end
    tier: str
    base: Decimal
    slices: tuple[Slice, ...]

    @property
    def exact(self) -> Decimal:
        return sum((s.earned for s in self.slices), ZERO)


@dataclass(frozen=True)
class Entitlement:
    base: Decimal
    band: RateBand | None  # the band reached, None when over no band
    next_band: RateBand | None
    slices: tuple[Slice, ...]
    exact: Decimal  # before rounding
    amount: Decimal  # rounded once
    # A partner whose tier changed during the year: what each tier's span earned (then `slices` is
    # empty); () when one tier rated the whole year.
    segments: tuple[Segment, ...] = ()

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


def _covered(x: Decimal, over: Decimal, upto: Decimal | None) -> Decimal:
    """How much of the band (over, upto] a cumulative base of `x` fills."""
    top = x if upto is None else min(x, upto)
    return top - over if top > over else ZERO


def entitle_spans(spans: Sequence, bands_for: Callable[[str], tuple[RateBand, ...]], tier_now: str,
                  moves: Sequence[tuple[int, Decimal]], method: str, rounding: str, until: dt.date) -> Entitlement:
    """A partner whose tier changed during the year (`tiers.spans`), rated from its lines' moves
    of the cumulative base, in line order, each (span index, amount):

    - `all_units`: each span's base × the rate of its tier's band reached by the whole year-to-date base;
    - `incremental`: each move from where the one before left the cumulative base, band by band at the
      rates of its span's tier.

    Exact, rounded once. The band shown (and the next one) are those of `tier_now`, the tier on the
    period's last day. Spans that start after `until` (the period's end) are not shown; when one span
    is left, the entitlement is shown as a tier's of the whole year (its slices, no segments)."""
    base = sum((amount for _, amount in moves), ZERO)
    bases = [ZERO] * len(spans)
    for i, amount in moves:
        bases[i] += amount
    segments = []
    if method == "all_units":
        for span, span_base in zip(spans, bases):
            band, _ = reached(bands_for(span.tier), base)
            slices = (Slice(band.over, None, span_base, band.rate),) if band else ()
            segments.append(Segment(span.start, span.end, span.tier, span_base, slices))
    else:
        covered: list[dict[tuple[Decimal, Decimal | None, Decimal], Decimal]] = [{} for _ in spans]
        at = ZERO
        for i, amount in moves:
            ordered = sorted(bands_for(spans[i].tier), key=lambda b: b.over)
            for this, following in zip(ordered, [*ordered[1:], None]):
                upto = following.over if following else None
                part = _covered(at + amount, this.over, upto) - _covered(at, this.over, upto)
                if part:
                    key = (this.over, upto, this.rate)
                    covered[i][key] = covered[i].get(key, ZERO) + part
            at += amount
        for span, span_base, parts in zip(spans, bases, covered):
            slices = tuple(Slice(over, upto, part, rate) for (over, upto, rate), part in sorted(
                parts.items(), key=lambda kv: kv[0][0]) if part)
            segments.append(Segment(span.start, span.end, span.tier, span_base, slices))
    exact = sum((s.exact for s in segments), ZERO)
    band, next_band = reached(bands_for(tier_now), base)
    shown = tuple(s for s in segments if s.start <= until or s.base or s.exact)
    if len(shown) == 1:
        return Entitlement(base, band, next_band, shown[0].slices, exact, round_money(exact, rounding))
    if shown and shown[-1].end is not None and shown[-1].end > until:
        shown = (*shown[:-1], replace(shown[-1], end=None))  # a change after the period is not this period's
    return Entitlement(base, band, next_band, (), exact, round_money(exact, rounding), shown)


def entitlements(inputs: Inputs, classified: pl.DataFrame, by_partner: dict[str, Totals],
                 period: Period) -> dict[str, Entitlement]:
    """Each partner's entitlement as of `period`'s end (`classified`: the lines classified as of it):
    at its roster tier's bands, or, with TierHistory rows, per span of the tier in effect on each line's date."""
    program = inputs.program
    history = tiers.histories(inputs)
    moved = tiers.moves(classified, inputs) if history else {}
    owed = {}
    for p in inputs.partners:
        pid = p.partner_id
        if pid in history:
            owed[pid] = entitle_spans(tiers.spans(history[pid], program.year), program.bands_for,
                                      tiers.tier_on(history[pid], period.end), moved[pid], program.tier_method,
                                      program.rounding, period.end)
        else:
            owed[pid] = entitle(program.bands_for(p.tier), by_partner.get(pid, Totals()).ytd_base,
                                program.tier_method, program.rounding)
    return owed
