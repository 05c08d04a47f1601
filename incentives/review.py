"""Stage: tier review. Each partner's requirements met or not, the highest tier it
qualifies for, a recommendation, and the A/B/C grade of its annual target; each
add-on status (sheet `Statuses`) reviewed apart from the ladder.

A partner qualifies for a tier when it meets all of that tier's Requirements rows
(a tier without rows asks nothing). Grades: the year-to-date base reaches a
target when it is at least the target.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass
from decimal import Decimal

from incentives.model import Partner, Program, Requirement, Status, Tier
from incentives.money import ZERO, fmt
from incentives.read.values import BadValue, parse_decimal
from incentives.schema import NO_WORDS, YES_WORDS, normalize_word


@dataclass(frozen=True)
class Check:
    requirement: Requirement
    actual: str
    met: bool

    def __str__(self) -> str:
        r = self.requirement
        return f"{r.attribute} {self.actual or '(blank)'} {r.operator} {r.value}: {'met' if self.met else 'not met'}"


@dataclass(frozen=True)
class StatusReview:
    """An add-on status beside the ladder: held or not, allowed to the partner's tier,
    its requirements met; `recommendation` keep (held, allowed, met), review (held, but
    not allowed to the tier or not met), apply (not held, allowed and met), or ""."""

    status: Status
    held: bool
    allowed: bool
    checks: tuple[Check, ...]

    @property
    def met(self) -> bool:
        return all(c.met for c in self.checks)

    @property
    def recommendation(self) -> str:
        if self.held:
            return "keep" if self.allowed and self.met else "review"
        return "apply" if self.allowed and self.met else ""

    def __str__(self) -> str:
        said = [f"for {', '.join(self.status.tiers)} only"] if not self.allowed else []
        said += [str(c) for c in self.checks]
        return f"{self.status.name}: {'; '.join(said) or 'no requirement'}"


@dataclass(frozen=True)
class TierReview:
    partner_id: str
    partner_name: str
    tier: str
    rank: int | None
    checks: tuple[Check, ...]  # the current tier's requirements
    qualifies: bool
    highest_tier: str
    recommendation: str  # upgrade, keep or review
    ytd_base: Decimal
    grade: str  # A, B, C, or "" below every target
    to_next_grade: Decimal | None
    next_grade: str
    statuses: tuple[StatusReview, ...] = ()  # every status held, and every one the partner could apply for
    minimum: str = ""  # at the year's end, below the tier's minimum volume: the words; else ""

    @property
    def statuses_held(self) -> str:
        return ", ".join(s.status.name for s in self.statuses if s.held)

    @property
    def status_recommendation(self) -> str:
        return "; ".join(f"{s.status.name}: {s.recommendation}" for s in self.statuses)

    @property
    def status_requirements(self) -> str:
        return " | ".join(str(s) for s in self.statuses)

    @property
    def qualifies_text(self) -> str:
        return "yes" if self.qualifies else "no"

    @property
    def requirements_text(self) -> str:
        return "; ".join([*(str(c) for c in self.checks), *([self.minimum] if self.minimum else [])])


def _number(text: str) -> Decimal | None:
    try:
        return parse_decimal(text)
    except BadValue:
        return None


def _canonical(text: str) -> str:
    word = normalize_word(text)
    return "yes" if word in YES_WORDS else "no" if word in NO_WORDS else word


ORDERED = {">=": operator.ge, "<=": operator.le, ">": operator.gt, "<": operator.lt}  # numbers only


def meets(requirement: Requirement, actual: str | None) -> bool:
    if actual is None or actual == "":
        return False
    op = requirement.operator
    if op == "in":
        return _canonical(actual) in {_canonical(v) for v in requirement.value.split(",")}
    left, right = _number(actual), _number(requirement.value)
    if op in ORDERED:
        return left is not None and right is not None and ORDERED[op](left, right)
    same = left == right if left is not None and right is not None else _canonical(actual) == _canonical(
        requirement.value)
    return same if op == "=" else not same


def actual_value(partner: Partner, attribute: str) -> str:
    fixed = {"country": partner.country, "role": partner.role, "tier": partner.tier,
             "partner_name": partner.partner_name, "company_id": partner.company_id}
    return fixed[attribute] if attribute in fixed else (partner.attribute(attribute) or "")


def checks_for(program: Program, partner: Partner, tier: str) -> tuple[Check, ...]:
    return tuple(Check(r, actual_value(partner, r.attribute), meets(r, actual_value(partner, r.attribute)))
                 for r in program.requirements if r.tier == tier)


def grade(tier: Tier | None, base: Decimal) -> tuple[str, Decimal | None, str]:
    """The grade reached, what more reaches the next one, and which one that is."""
    if tier is None:
        return "", None, ""
    targets = [(g, t) for g, t in (("A", tier.target_a), ("B", tier.target_b), ("C", tier.target_c)) if t is not None]
    reached = next((g for g, t in targets if base >= t), "")
    below = [(g, t) for g, t in targets if base < t]
    if not below:
        return reached, None, ""
    g, t = below[-1]  # the lowest target not yet reached
    return reached, t - base, g


def status_reviews(program: Program, partner: Partner) -> tuple[StatusReview, ...]:
    """The statuses the partner holds, and those it may apply for (allowed to its tier, met)."""
    out = (StatusReview(s, s.name in partner.statuses, partner.tier in s.tiers, checks_for(program, partner, s.name))
           for s in program.statuses)
    return tuple(r for r in out if r.recommendation)


def below_minimum(program: Program, tier: Tier | None, base: Decimal, year_end: bool) -> str:
    """`minimum_volume = annual_target_c`: in the run of the year's last period, a year below
    the tier's C target («minimum volume») is the words saying so; otherwise ""."""
    if not year_end or program.minimum_volume != "annual_target_c" or tier is None or tier.target_c is None:
        return ""
    if base >= tier.target_c:
        return ""
    return f"below the minimum volume: {fmt(base)} < annual_target_c {fmt(tier.target_c)} {program.base_currency}"


def review(program: Program, partners: tuple[Partner, ...], ytd: dict[str, Decimal],
           year_end: bool = False) -> tuple[TierReview, ...]:
    """`year_end`: the run is of the year's last period (the minimum volume is judged then)."""
    tiers = {t.name: t for t in program.tiers}
    out = []
    for p in sorted(partners, key=lambda p: p.partner_id):
        current = tiers.get(p.tier)
        qualifying = [t for t in program.tiers if all(c.met for c in checks_for(program, p, t.name))]
        highest = max(qualifying, key=lambda t: t.rank, default=None)
        checks = checks_for(program, p, p.tier)
        qualifies = all(c.met for c in checks)
        base = ytd.get(p.partner_id, ZERO)
        minimum = below_minimum(program, current, base, year_end)
        if not qualifies or minimum:
            recommendation = "review"
        elif highest is not None and current is not None and highest.rank > current.rank:
            recommendation = "upgrade"
        else:
            recommendation = "keep"
        reached, more, next_grade = grade(current, base)
        out.append(TierReview(p.partner_id, p.partner_name, p.tier, current.rank if current else None, checks,
                              qualifies, highest.name if highest else "", recommendation, base, reached, more,
                              next_grade, status_reviews(program, p), minimum))
    return tuple(out)
