"""Stages: aggregate the included lines per partner, apply the rate bands, settle
against what earlier periods paid, add bonuses: one ledger row per roster partner.

What earlier periods paid (`previously_settled`) comes from one of three places, which
`Origin` records: the register (the sum of the closed runs' accruals, `from_register`), an
earlier run's ledger (`--ledger`, read by `previous.py`), or, when the register holds no
closed period of the program year, recomputed from this run's own inputs
(`recomputed`), which cannot see that a line arrived late.

Under `clawback = carry_forward` a negative balance of a period that is not the year's last is
carried into the partner's next period (`carried_out`, then `carried_in`) instead of being
claimed back; `carried_in` comes from the same three places (the register's last closed run,
`--ledger`'s `carried_out`, or `recomputed`) and never enters `previously_settled`.
A partner with TierHistory rows is rated per span of one tier (`tiers.py`, `rates.entitle_spans`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

import polars as pl

from incentives import bonuses as bonus_stage
from incentives import tiers
from incentives.classify import INCLUDED, classify
from incentives.model import Inputs, Partner
from incentives.money import ZERO
from incentives.periods import Period, parse_period, period_of
from incentives.problems import Problem, Source, error, said
from incentives.words import Joined, Number
from incentives.rates import Entitlement, entitle, entitle_spans


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


def carries(inputs: Inputs, period: Period) -> bool:
    """Whether a negative net_due of `period` is carried into the next one: under carry_forward,
    in every period but the year's last (a supplement is a run of the last)."""
    return inputs.program.clawback == "carry_forward" and not period.is_last_of_year


def _bonuses(inputs: Inputs, by_partner: dict[str, Totals], period: Period) -> tuple[bonus_stage.Award, ...]:
    bases = {(kind, pid): getattr(t, "ytd_base" if kind == "year" else "quarter_base")
             for pid, t in by_partner.items() for kind in ("year", "quarter")}
    partners = tiers.in_effect(inputs, period.end) if inputs.tier_history else inputs.partners
    return tuple(bonus_stage.award(inputs.program.bonuses, partners, bases, period, inputs.program.rounding))


def _bonus_by_partner(awards: Sequence[bonus_stage.Award]) -> dict[str, Decimal]:
    bonus: dict[str, Decimal] = {}
    for a in awards:
        bonus[a.partner_id] = bonus.get(a.partner_id, ZERO) + a.amount
    return bonus


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
        bonus = _bonus_by_partner(_bonuses(inputs, by_partner, e))
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
        return period, {}, [error(where, "settle.other_kind", name=name, shown=shown, period=str(period),
                                  kinds=Joined(tuple(said("validate.by:" + k) for k in kinds), said("and")),
                                  kind=said("validate.kind:" + period.kind))]
    by_label = {c.label: c for c in closed}
    problems: list[Problem] = []
    if supplement or period.supplement:
        final = period.year_periods()[-1]
        if not coming.supplement:
            problems.append(error(where, "settle.supplement_early", final=str(final), name=name, coming=str(coming)))
        elif period.base != final:
            problems.append(error(where, "settle.supplement_period", final=str(final), base=str(period.base)))
        elif period.supplement and period.supplement != coming.supplement:
            problems.append(error(where, "settle.supplement_next", period=str(period), name=name, coming=str(coming),
                                  final=str(final)))
        else:
            period = coming
    elif period.label in by_label:
        c = by_label[period.label]
        problems.append(error(where, "settle.closed_at" if c.closed else "settle.closed",
                              "settle.closed_supplement/hint" if coming.supplement else "settle.closed/hint",
                              period=str(period), program=program.program_id, at=c.closed, coming=str(coming),
                              base=str(coming.base)))
    elif coming < period:
        problems.append(error(where, "settle.gap", coming=str(coming), name=name, period=str(period)))
    settled: dict[str, Decimal] = {}
    for c in closed:
        for pid, accrual in c.accruals:
            settled[pid] = settled.get(pid, ZERO) + accrual
    roster = {p.partner_id for p in inputs.partners}
    for pid, amount in sorted(settled.items()):
        if amount and pid not in roster:
            problems.append(error(Source("partners.xlsx", "Partners"), "settle.off_roster", pid=pid,
                                  amount=Number(amount, 2), unit=program.unit, shown=shown))
    for pid, carried in from_register_carried(closed).items():
        if carried and pid not in roster and not settled.get(pid):
            problems.append(error(Source("partners.xlsx", "Partners"), "settle.carried_off_roster", pid=pid,
                                  amount=Number(-carried, 2), unit=program.unit, label=closed[-1].label))
    return period, settled, problems


def from_register_carried(closed: Sequence[Closed]) -> dict[str, Decimal]:
    """`carried_in` when the register holds closed runs of the program year: the last closed run's
    carried_out."""
    return dict(closed[-1].carried_out) if closed else {}


def settle(inputs: Inputs, lines: pl.DataFrame, period: Period,
           settled: dict[str, Decimal] | None = None, settled_from: Origin = Origin(),
           carried: dict[str, Decimal] | None = None) -> Settlement:
    """The ledger of `period`; `settled` and `carried` (each partner's carried_in) from the
    register or a previous run's ledger, else recomputed. A supplement awards no bonus: what its
    lines would award is `unawarded`."""
    classified = classify(lines, inputs, period)
    by_partner = totals(classified, period)
    owed = entitlements(inputs, classified, by_partner, period)
    if settled is None or carried is None:
        again_settled, again_carried = recomputed(inputs, lines, period)
        settled = again_settled if settled is None else settled
        carried = again_carried if carried is None else carried
    awards = _bonuses(inputs, by_partner, period)
    unawarded = ()
    if period.supplement:
        awards, unawarded = (), awards
    bonus = _bonus_by_partner(awards)
    rows = tuple(
        LedgerRow(p, by_partner.get(p.partner_id, Totals()), owed[p.partner_id],
                  settled.get(p.partner_id, ZERO), bonus.get(p.partner_id, ZERO), carried.get(p.partner_id, ZERO),
                  carries(inputs, period))
        for p in sorted(tiers.in_effect(inputs, period.end), key=lambda p: p.partner_id))
    return Settlement(period, classified, rows, awards, settled_from, unawarded=unawarded)
