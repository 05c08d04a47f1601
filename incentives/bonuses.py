"""Stage: best-partner bonuses, per scope group, from the eligible base.

Positions 1..winners each carry one award; partners tied on the base share the
awards of the positions they span equally, the odd cent going to the lowest
partner_id. A yearly bonus is awarded only in the run of the year's last period; a
supplement (2026Q4-S1) awards none (`awarded`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal
from itertools import groupby
from pathlib import Path
from typing import TYPE_CHECKING

from incentives import tiers
from incentives.aggregate import Totals
from incentives.model import Bonus, Inputs, Partner
from incentives.money import CENT, ZERO, round_money
from incentives.periods import Period
from incentives.problems import Problem, note

if TYPE_CHECKING:  # settle.py builds on this stage: its Settlement is only named here
    from incentives.settle import Settlement


@dataclass(frozen=True)
class Award:
    bonus: str
    group: str  # the scope group, e.g. "KZ / Gold", or "all"
    rank: int
    partner_id: str
    base: Decimal
    tied: int  # how many share this rank
    amount: Decimal


def due(bonus: Bonus, period: Period) -> bool:
    if bonus.period == "year":
        return period.is_last_of_year
    return period.end.month % 3 == 0


def group_of(bonus: Bonus, partner: Partner) -> str:
    return {"all": "all", "country": partner.country, "tier": partner.tier,
            "country+tier": f"{partner.country} / {partner.tier}"}[bonus.scope]


def split(pool: Decimal, partner_ids: list[str]) -> dict[str, Decimal]:
    """`pool` shared equally in cents; the odd cents go to the lowest partner_ids (a negative
    pool's odd cents are negative: each share is rounded toward zero, the rest handed out)."""
    ordered = sorted(partner_ids)
    share = (pool / len(ordered)).quantize(CENT, rounding=ROUND_DOWN)
    odd = int((pool - share * len(ordered)) / CENT)
    cent = CENT if odd >= 0 else -CENT
    return {pid: share + (cent if i < abs(odd) else ZERO) for i, pid in enumerate(ordered)}


def award(bonuses: tuple[Bonus, ...], partners: tuple[Partner, ...], bases: dict[tuple[str, str], Decimal],
          period: Period, rounding: str) -> tuple[Award, ...]:
    """`bases[(bonus.period, partner_id)]`: the eligible base of each partner over the bonus's period."""
    awards: list[Award] = []
    for bonus in bonuses:
        if not due(bonus, period):
            continue
        candidates = [p for p in partners if bases.get((bonus.period, p.partner_id), ZERO) > bonus.min_base]
        candidates.sort(key=lambda p: group_of(bonus, p))
        for group, members in groupby(candidates, key=lambda p: group_of(bonus, p)):
            ranked = sorted(members, key=lambda p: (-bases[(bonus.period, p.partner_id)], p.partner_id))
            position = 1
            for base, tied in groupby(ranked, key=lambda p: bases[(bonus.period, p.partner_id)]):
                tied = list(tied)
                places = min(len(tied), bonus.winners - position + 1)
                if places <= 0:
                    break
                each = bonus.amount if bonus.award == "fixed" else base * bonus.amount
                shares = split(round_money(each * places, rounding), [p.partner_id for p in tied])
                awards += [Award(bonus.name, group, position, p.partner_id, base, len(tied), shares[p.partner_id])
                           for p in tied]
                position += len(tied)
    return tuple(awards)


def awarded(inputs: Inputs, by_partner: dict[str, Totals],
            period: Period) -> tuple[tuple[Award, ...], tuple[Award, ...]]:
    """The awards of `period` from each partner's totals, among the partners at their tier on the
    period's last day; and, apart, those of a supplement, which are not paid (bonuses are not
    re-awarded): (paid, unawarded)."""
    bases = {(kind, pid): getattr(t, "ytd_base" if kind == "year" else "quarter_base")
             for pid, t in by_partner.items() for kind in ("year", "quarter")}
    partners = tiers.in_effect(inputs, period.end) if inputs.tier_history else inputs.partners
    awards = award(inputs.program.bonuses, partners, bases, period, inputs.program.rounding)
    return ((), awards) if period.supplement else (awards, ())


def summed(awards: Sequence[Award]) -> dict[str, Decimal]:
    """Each partner's awards summed."""
    bonus: dict[str, Decimal] = {}
    for a in awards:
        bonus[a.partner_id] = bonus.get(a.partner_id, ZERO) + a.amount
    return bonus


def supplement_notes(settlement: Settlement, inputs: Inputs, register: Path | None,
                     before: dict[str, list[str]] | None) -> list[Problem]:
    """A supplement awards no bonus; a note names each yearly bonus whose winners its lines would
    change from those of the closed last period (`before`: its summary's Bonuses sheet, read by
    `basis.py`; None when it could not be read)."""
    if not settlement.period.supplement or register is None:
        return []
    yearly = [b for b in inputs.program.bonuses if b.period == "year"]
    if not yearly:
        return []
    problems = []
    for bonus in yearly:
        now = sorted({a.partner_id for a in settlement.unawarded if a.bonus == bonus.name})
        then = before.get(bonus.name) if before is not None else None
        if then is None:
            problems.append(note(bonus.source, f"bonus {bonus.name!r} is not re-awarded in {settlement.period}; its "
                                 f"winners in {settlement.period.base} could not be read to compare",
                                 f"with this run's lines they would be {', '.join(now) or 'none'}"))
        elif sorted(then) != now:
            problems.append(note(bonus.source, f"bonus {bonus.name!r}: the late lines would change its winners "
                                 f"from {', '.join(sorted(then)) or 'none'} to {', '.join(now) or 'none'}; a "
                                 "supplement awards no bonus", "settle any change of award by hand"))
    return problems
