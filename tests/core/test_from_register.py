"""earlier.next_open, from_register and from_register_carried: what the register's closed runs of a
program year give the engine (previously_settled and carried_in), and the runs it refuses."""

from __future__ import annotations

from decimal import Decimal

import pytest

from incentives.periods import parse_period
from incentives.problems import Source
from incentives.earlier import Closed, from_register, from_register_carried, next_open
from tests.inline import inputs, partner

D = Decimal
WHERE = Source("register.sqlite")


def closed(*labels, **accruals) -> list[Closed]:
    return [Closed(label, tuple(accruals.get(label, ()))) for label in labels]


Q = [f"2026Q{i}" for i in range(1, 5)]


@pytest.mark.parametrize("labels, kind, expected", [
    ([], "quarter", "2026Q1"),
    (Q[:2], "quarter", "2026Q3"),
    (["2026Q1", "2026Q3"], "quarter", "2026Q2"),  # the first open one
    (Q, "quarter", "2026Q4-S1"),
    ([*Q, "2026Q4-S2", "2026Q4-S1"], "quarter", "2026Q4-S3"),  # the next after the highest
    ([f"2026-{m:02}" for m in range(1, 13)], "month", "2026-12-S1"),
    (["2026-01"], "quarter", None),  # another kind
    (["2025Q1"], "quarter", None),  # another year
])
def test_next_open(labels, kind, expected):
    got = next_open(closed(*labels), kind, 2026)
    assert (got.label if got else None) == expected


def run(period, labels, roster=("P1", "P2"), supplement=False, accruals=None, carried_out=()):
    given = inputs([], [partner(p) for p in roster])
    runs = [Closed(label, tuple((accruals or {}).get(label, ())), "", tuple(carried_out) if label == labels[-1] else ())
            for label in labels]
    got, settled, problems = from_register(given, parse_period(period), runs, WHERE, supplement)
    return got.label, settled, [str(p) for p in problems]


def test_previously_settled_is_the_sum_of_the_closed_accruals():
    # P1: 100 + 50 = 150; P2: -20 (a claw-back) + 0
    accruals = {"2026Q1": [("P1", D(100)), ("P2", D(-20))], "2026Q2": [("P1", D(50)), ("P2", D(0))]}
    assert run("2026Q3", Q[:2], accruals=accruals) == ("2026Q3", {"P1": D(150), "P2": D(-20)}, [])


def test_a_year_settled_by_another_kind_of_period_is_refused():
    assert run("2026Q3", ["2026-01", "2026-02"]) == ("2026Q3", {}, [
        "register.sqlite: the register holds test 2026 settled by month (2026-01, 2026-02), but 2026Q3 is a quarter "
        "(a program year is settled by one kind of period to its end)"])
    assert run("2026Q3", ["2026-01", "2026Q1"])[2] == [
        "register.sqlite: the register holds test 2026 settled by month and quarter (2026-01, 2026Q1), but 2026Q3 is "
        "a quarter (a program year is settled by one kind of period to its end)"]


def test_a_supplement_comes_after_the_years_last_period_with_the_next_number():
    assert run("2026Q4", Q, supplement=True)[:3] == ("2026Q4-S1", {}, [])
    assert run("2026Q4-S1", Q)[:3] == ("2026Q4-S1", {}, [])
    assert run("2026Q4", [*Q, "2026Q4-S1"], supplement=True)[0] == "2026Q4-S2"


def test_supplement_refusals():
    assert run("2026Q4", Q[:3], supplement=True)[2] == [
        "register.sqlite: a supplement settles late lines after the year's last period, 2026Q4, is closed; test 2026 "
        "has 2026Q4 open (run --period 2026Q4 without --supplement, and close it)"]
    assert run("2026Q3", Q, supplement=True)[2] == [
        "register.sqlite: a supplement is a run of the year's last period, 2026Q4, not of 2026Q3 (run --period 2026Q4 "
        "--supplement)"]
    assert run("2026Q4-S2", Q)[2] == [
        "register.sqlite: 2026Q4-S2 is not the next supplement of test 2026: 2026Q4-S1 is (run --period 2026Q4 "
        "--supplement)"]
    assert run("2026Q4-S2", Q)[0] == "2026Q4-S2"  # refused, the period as asked


def test_a_closed_period_is_refused_naming_where_corrections_go():
    assert run("2026Q2", Q[:2])[2] == [
        "register.sqlite: 2026Q2 of test is closed in the register (corrections settle in the next open period: run "
        "--period 2026Q3)"]
    assert run("2026Q4", Q)[2] == [
        "register.sqlite: 2026Q4 of test is closed in the register (late lines and corrections now settle in a "
        "supplement, 2026Q4-S1: run --period 2026Q4 --supplement)"]
    runs = [Closed("2026Q1", (), "on 2026-04-02 by anna")]
    assert [str(p) for p in from_register(inputs([]), parse_period("2026Q1"), runs, WHERE)[2]] == [
        "register.sqlite: 2026Q1 of test is closed in the register (on 2026-04-02 by anna) (corrections settle in the "
        "next open period: run --period 2026Q2)"]


def test_a_period_after_an_open_one_is_refused():
    assert run("2026Q3", Q[:1])[2] == [
        "register.sqlite: 2026Q2 of test 2026 is not closed in the register, and every period before 2026Q3 must be "
        "(close 2026Q2 first: calc close <its run folder>, with --adopt if it was paid before the register was used)"]
    assert run("2026Q2", Q[:1])[2] == []  # the next open one


def test_a_partner_settled_or_carrying_a_claw_back_must_stay_on_the_roster():
    # P9 settled 100 + 20; P8 settled 100 - 100 = 0 (nothing to lose); P7 carries -30 out of Q3, the last of
    # three closed runs; P9 carries too (named once, for what it settled)
    accruals = {"2026Q1": [("P9", D(100)), ("P8", D(100))], "2026Q2": [("P9", D(20)), ("P8", D(-100))]}
    label, settled, problems = run("2026Q4", Q[:3], roster=("P1",), accruals=accruals,
                                   carried_out=[("P7", D(-30)), ("P9", D(-5)), ("P6", D(0))])
    assert settled == {"P9": D(120), "P8": D(0)}
    assert problems == [
        "partners.xlsx:Partners: partner P9 has 120.00 points settled in the register (2026Q1, 2026Q2, 2026Q3) but is "
        "not on the roster (put it back on the roster: what it was paid stays part of its year)",
        "partners.xlsx:Partners: partner P7 carries a claw-back of 30.00 points from 2026Q3 in the register but is "
        "not on the roster (put it back on the roster: what it owes is recovered from what it earns next, or after "
        "the year's last period)"]
    # on the roster: nothing to say
    assert run("2026Q3", Q[:2], roster=("P7", "P8", "P9"), accruals=accruals, carried_out=[("P7", D(-30))])[2] == []


def test_carried_in_is_the_last_closed_runs_carried_out():
    assert from_register_carried([]) == {}
    runs = [Closed("2026Q1", (), "", (("P1", D(-10)),)), Closed("2026Q2", (), "", (("P2", D(-7)),))]
    assert from_register_carried(runs) == {"P2": D(-7)}
