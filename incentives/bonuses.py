"""Stage: best-partner bonuses, per scope group, from the eligible base.

Positions 1..winners each carry one award; partners tied on the base share the
awards of the positions they span equally, the odd cent going to the lowest
partner_id. A yearly bonus is awarded only in the run of the year's last period.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal
from itertools import groupby

from incentives.model import Bonus, Partner
from incentives.money import CENT, ZERO, round_money
from incentives.periods import Period


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
