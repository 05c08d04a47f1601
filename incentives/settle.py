"""Stage: settle. One ledger row per roster partner: its entitlement against what earlier
periods settled (the accrual), its bonuses, and what a claw-back carries (the payment).

`previously_settled` and `carried_in` come from the register, an earlier run's ledger or are
recomputed (`earlier.py`; `Origin` records which). Under `clawback = carry_forward` a negative
balance of a period that is not the year's last is carried into the partner's next period
(`carried_out`, then `carried_in`) instead of being claimed back; it never enters
`previously_settled`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import polars as pl

from incentives import bonuses as bonus_stage
from incentives import tiers
from incentives.aggregate import Totals
from incentives.model import Inputs, Partner
from incentives.money import ZERO
from incentives.periods import Period
from incentives.rates import Entitlement


@dataclass(frozen=True)
class LedgerRow:
    partner: Partner
    totals: Totals
    entitlement: Entitlement
    previously_settled: Decimal
    bonus: Decimal
    carried_in: Decimal = ZERO  # the previous period's carried_out (claw-backs never enter previously_settled)
    carries: bool = False  # carry_forward, and the period is not the year's last: a negative net_due is carried

    @property
    def accrual(self) -> Decimal:
        return self.entitlement.amount - self.previously_settled

    @property
    def total_payable(self) -> Decimal:
        return self.accrual + self.bonus

    @property
    def net_due(self) -> Decimal:
        return self.total_payable + self.carried_in

    @property
    def carried_out(self) -> Decimal:
        return self.net_due if self.carries and self.net_due < 0 else ZERO

    @property
    def payment(self) -> Decimal:
        """Positive is paid to the partner, negative is owed back."""
        return self.net_due - self.carried_out


@dataclass(frozen=True)
class Origin:
    """Where a run's previously_settled came from, and the register state it was computed against."""

    how: str = "recomputed"  # "recomputed", "register" or "ledger" (--ledger)
    register: str = ""  # the register's path as given; "" for a run that consulted none
    head: str = ""  # the program year's register head it was computed against; "" before any entry
    closed: tuple[str, ...] = ()  # register: the closed periods whose accruals it sums (and whose last carried_out)
    ledger: str = ""  # ledger: the earlier run's folder as given, and the sha256 of its ledger.xlsx
    ledger_sha256: str = ""


@dataclass(frozen=True)
class Settlement:
    """The engine's answer for one period."""

    period: Period  # a supplement's carries its number: 2026Q4-S1
    lines: pl.DataFrame  # every line read, with base_amount, outcome, detail, flag
    rows: tuple[LedgerRow, ...]  # in partner_id order
    awards: tuple[bonus_stage.Award, ...]
    settled_from: Origin = field(default_factory=Origin)
    run_id: str = ""  # known before anything is written: `register.manifest.run_id`
    # a supplement's: the awards its lines would make, not paid (bonuses are not re-awarded)
    unawarded: tuple[bonus_stage.Award, ...] = ()


def carries(inputs: Inputs, period: Period) -> bool:
    """Whether a negative net_due of `period` is carried into the next one: under carry_forward,
    in every period but the year's last (a supplement is a run of the last)."""
    return inputs.program.clawback == "carry_forward" and not period.is_last_of_year


def ledger(inputs: Inputs, period: Period, by_partner: dict[str, Totals], owed: dict[str, Entitlement],
           settled: dict[str, Decimal], carried: dict[str, Decimal],
           awards: tuple[bonus_stage.Award, ...]) -> tuple[LedgerRow, ...]:
    """The ledger of `period`: a row per partner of the roster at its tier on the period's last
    day, in partner_id order; `settled` and `carried` (each partner's carried_in) from
    `earlier.settled_and_carried`, `awards` the bonuses paid in this period."""
    bonus = bonus_stage.summed(awards)
    return tuple(
        LedgerRow(p, by_partner.get(p.partner_id, Totals()), owed[p.partner_id],
                  settled.get(p.partner_id, ZERO), bonus.get(p.partner_id, ZERO), carried.get(p.partner_id, ZERO),
                  carries(inputs, period))
        for p in sorted(tiers.in_effect(inputs, period.end), key=lambda p: p.partner_id))
