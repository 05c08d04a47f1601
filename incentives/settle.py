"""Stages: aggregate the included lines per partner, apply the rate bands, settle
against what earlier periods paid, add bonuses: one ledger row per roster partner.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import polars as pl

from incentives import bonuses as bonus_stage
from incentives.classify import INCLUDED, classify
from incentives.model import Inputs, Partner
from incentives.money import ZERO
from incentives.periods import Period, period_of
from incentives.rates import Entitlement, entitle


@dataclass(frozen=True)
class Totals:
    """A partner's lines as of a period's end."""

    period_base: Decimal = ZERO
    ytd_base: Decimal = ZERO
    quarter_base: Decimal = ZERO  # the quarter ending with the period, for quarterly bonuses
    included_lines: int = 0
    excluded_lines: int = 0
    excluded_amount: Decimal = ZERO


@dataclass(frozen=True)
class LedgerRow:
    partner: Partner
    totals: Totals
    entitlement: Entitlement
    previously_settled: Decimal
    bonus: Decimal

    @property
    def accrual(self) -> Decimal:
        return self.entitlement.amount - self.previously_settled

    @property
    def total_payable(self) -> Decimal:
        return self.accrual + self.bonus


@dataclass(frozen=True)
class Settlement:
    """The engine's answer for one period."""

    period: Period
    lines: pl.DataFrame  # every line read, with base_amount, outcome, detail, flag
    rows: tuple[LedgerRow, ...]  # in partner_id order
    awards: tuple[bonus_stage.Award, ...]
    settled_from: str  # "recomputed" or the previous run's folder


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


def entitlements(inputs: Inputs, by_partner: dict[str, Totals]) -> dict[str, Entitlement]:
    program = inputs.program
    return {p.partner_id: entitle(program.bands_for(p.tier), by_partner.get(p.partner_id, Totals()).ytd_base,
                                  program.tier_method, program.rounding)
            for p in inputs.partners}


def recomputed_settled(inputs: Inputs, lines: pl.DataFrame, period: Period) -> dict[str, Decimal]:
    """What the year's earlier periods settled, recomputed from the same inputs.

    Each earlier period paid its entitlement less the one before, so together they
    paid the entitlement as of the previous period's end.
    """
    earlier = period.of_year_so_far()[:-1]
    if not earlier:
        return {}
    previous = earlier[-1]
    before = totals(classify(lines, inputs, previous, words=False), previous)
    return {pid: e.amount for pid, e in entitlements(inputs, before).items()}


def settle(inputs: Inputs, lines: pl.DataFrame, period: Period,
           settled: dict[str, Decimal] | None = None, settled_from: str = "recomputed") -> Settlement:
    """The ledger of `period`; `settled` from a previous run's ledger, else recomputed."""
    classified = classify(lines, inputs, period)
    by_partner = totals(classified, period)
    owed = entitlements(inputs, by_partner)
    if settled is None:
        settled = recomputed_settled(inputs, lines, period)
    bases = {(kind, pid): getattr(t, "ytd_base" if kind == "year" else "quarter_base")
             for pid, t in by_partner.items() for kind in ("year", "quarter")}
    awards = bonus_stage.award(inputs.program.bonuses, inputs.partners, bases, period, inputs.program.rounding)
    bonus: dict[str, Decimal] = {}
    for a in awards:
        bonus[a.partner_id] = bonus.get(a.partner_id, ZERO) + a.amount
    rows = tuple(
        LedgerRow(p, by_partner.get(p.partner_id, Totals()), owed[p.partner_id],
                  settled.get(p.partner_id, ZERO), bonus.get(p.partner_id, ZERO))
        for p in sorted(inputs.partners, key=lambda p: p.partner_id))
    return Settlement(period, classified, rows, awards, settled_from)
