"""Stage: earlier periods. What the program year's earlier periods settled (this run's
`previously_settled`) and what the last of them carried out (its `carried_in`).

They come from one of three places, which `settle.Origin` records and `basis.py` chooses:
the register (the sum of the closed runs' accruals, `from_register`, and the last closed run's
carried_out, `from_register_carried`), an earlier run's ledger (`--ledger`, read back by
`read/settled.py`), or, when neither holds a period of the year, recomputed from this run's own
inputs (`recomputed`), which cannot see that a line arrived late.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

import polars as pl

from incentives import bonuses
from incentives.aggregate import Totals, totals
from incentives.classify import classify
from incentives.model import Inputs
from incentives.money import ZERO, fmt
from incentives.periods import Period, parse_period
from incentives.problems import Problem, Source, error
from incentives.rates import entitlements


def settled_and_carried(inputs: Inputs, lines: pl.DataFrame, period: Period, settled: dict[str, Decimal] | None,
                        carried: dict[str, Decimal] | None) -> tuple[dict[str, Decimal], dict[str, Decimal]]:
    """Each partner's previously_settled and carried_in: `settled` and `carried` as the register or
    `--ledger` gave them, else (None) recomputed from `lines`, this run's converted lines."""
    if settled is None or carried is None:
        again_settled, again_carried = recomputed(inputs, lines, period)
        settled = again_settled if settled is None else settled
        carried = again_carried if carried is None else carried
    return settled, carried


def _owed(inputs: Inputs, lines: pl.DataFrame, period: Period) -> tuple[dict[str, Decimal], dict[str, Totals]]:
    """Each partner's entitlement as of `period`'s end, and its totals then."""
    classified = classify(lines, inputs, period, words=False)
    by_partner = totals(classified, period)
    return {pid: e.amount for pid, e in entitlements(inputs, classified, by_partner, period).items()}, by_partner


def recomputed(inputs: Inputs, lines: pl.DataFrame, period: Period) -> tuple[dict[str, Decimal], dict[str, Decimal]]:
    """What the year's earlier periods settled and what the last of them carried out, recomputed
    from the same inputs; each earlier period classified once.

    Each earlier period paid its entitlement less the one before, so together they paid the
    entitlement as of the previous period's end. Under `carry_forward` each earlier period's
    total_payable (its entitlement less the one before, plus its bonuses) is offset against what
    the period before it carried out; nothing is carried under `net`, nor into a year's first
    period, and then only the previous period is classified."""
    earlier = period.of_year_so_far()[:-1]
    if not earlier:
        return {}, {}
    if inputs.program.clawback != "carry_forward":
        return _owed(inputs, lines, earlier[-1])[0], {}
    carried: dict[str, Decimal] = {}
    owed_before: dict[str, Decimal] = {}
    for e in earlier:
        owed, by_partner = _owed(inputs, lines, e)
        bonus = bonuses.summed(bonuses.awarded(inputs, by_partner, e)[0])
        row = {pid: owed[pid] - owed_before.get(pid, ZERO) + bonus.get(pid, ZERO) + carried.get(pid, ZERO)
               for pid in owed}
        carried = {pid: due for pid, due in row.items() if due < 0}  # an earlier period is never the year's last
        owed_before = owed
    return owed_before, carried


@dataclass(frozen=True)
class Closed:
    """A closed run of the program year, as the register gives it to the engine."""

    label: str  # 2026Q2, 2026Q4-S1
    accruals: tuple[tuple[str, Decimal], ...]  # (partner_id, accrual)
    closed: str = ""  # when and by whom, for messages
    carried_out: tuple[tuple[str, Decimal], ...] = ()  # (partner_id, carried_out): the next run's carried_in


def next_open(closed: Sequence[Closed], kind: str, year: int) -> Period | None:
    """The period a program year closes next: the first of `kind` not closed or, once the
    year's last one is, its next supplement. None when a closed run is of another kind or year."""
    periods = [parse_period(c.label) for c in closed]
    if any(p.kind != kind or p.year != year for p in periods):
        return None
    shut = {p.index for p in periods if not p.supplement}
    year_periods = Period(year, kind, 1).year_periods()
    open_ = [p for p in year_periods if p.index not in shut]
    if open_:
        return open_[0]
    return year_periods[-1].supplemented(1 + max((p.supplement for p in periods), default=0))


def from_register(inputs: Inputs, period: Period, closed: Sequence[Closed], where: Source,
                  supplement: bool = False) -> tuple[Period, dict[str, Decimal], list[Problem]]:
    """`previously_settled` when the register holds closed runs of the program year: the sum of
    their accruals per partner. Every period before `period` must be closed and `period` must
    not be; a supplement (`supplement`, or a label such as 2026Q4-S1) comes after the year's
    last period is closed, and gets the next number. The period to run, with its supplement
    number; the settled amounts; the errors that refuse the run."""
    program = inputs.program
    name = f"{program.program_id} {program.year}"
    shown = ", ".join(c.label for c in closed)
    periods = {c.label: parse_period(c.label) for c in closed}
    coming = next_open(closed, period.kind, program.year)
    if coming is None:
        kinds = sorted({p.kind for p in periods.values()})
        return period, {}, [error(where, f"the register holds {name} settled by {' and '.join(kinds)} "
                                         f"({shown}), but {period} is a {period.kind}",
                                  "a program year is settled by one kind of period to its end")]
    by_label = {c.label: c for c in closed}
    problems: list[Problem] = []
    if supplement or period.supplement:
        final = period.year_periods()[-1]
        if not coming.supplement:
            problems.append(error(where, f"a supplement settles late lines after the year's last period, {final}, "
                                         f"is closed; {name} has {coming} open",
                                  f"run --period {coming} without --supplement, and close it"))
        elif period.base != final:
            problems.append(error(where, f"a supplement is a run of the year's last period, {final}, not of "
                                         f"{period.base}", f"run --period {final} --supplement"))
        elif period.supplement and period.supplement != coming.supplement:
            problems.append(error(where, f"{period} is not the next supplement of {name}: {coming} is",
                                  f"run --period {final} --supplement"))
        else:
            period = coming
    elif period.label in by_label:
        c = by_label[period.label]
        hint = (f"corrections settle in the next open period: run --period {coming}" if not coming.supplement else
                f"late lines and corrections now settle in a supplement, {coming}: run --period {coming.base} "
                "--supplement")
        problems.append(error(where, f"{period} of {program.program_id} is closed in the register"
                                     + (f" ({c.closed})" if c.closed else ""), hint))
    elif coming < period:
        problems.append(error(where, f"{coming} of {name} is not closed in the register, and every period before "
                                     f"{period} must be", f"close {coming} first: calc close <its run folder>, "
                                     "with --adopt if it was paid before the register was used"))
    settled: dict[str, Decimal] = {}
    for c in closed:
        for pid, accrual in c.accruals:
            settled[pid] = settled.get(pid, ZERO) + accrual
    roster = {p.partner_id for p in inputs.partners}
    for pid, amount in sorted(settled.items()):
        if amount and pid not in roster:
            problems.append(error(Source("partners.xlsx", "Partners"),
                                  f"partner {pid} has {fmt(amount)} {program.unit} settled in the register "
                                  f"({shown}) but is not on the roster",
                                  "put it back on the roster: what it was paid stays part of its year"))
    for pid, carried in from_register_carried(closed).items():
        if carried and pid not in roster and not settled.get(pid):
            problems.append(error(Source("partners.xlsx", "Partners"),
                                  f"partner {pid} carries a claw-back of {fmt(-carried)} {program.unit} from "
                                  f"{closed[-1].label} in the register but is not on the roster",
                                  "put it back on the roster: what it owes is recovered from what it earns next, or "
                                  "after the year's last period"))
    return period, settled, problems


def from_register_carried(closed: Sequence[Closed]) -> dict[str, Decimal]:
    """`carried_in` when the register holds closed runs of the program year: the last closed run's
    carried_out."""
    return dict(closed[-1].carried_out) if closed else {}
