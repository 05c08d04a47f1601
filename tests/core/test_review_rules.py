"""review.py's program rules: add-on statuses reviewed beside the ladder (held, allowed to the
tier, requirements met) and the minimum volume judged at the year's end."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from incentives.model import Status
from incentives.problems import Source
from incentives.review import review
from tests.inline import partner, program

D = Decimal
HERE = Source("inline")

# SP: for Gold partners, asks 2 engineers; Cloud: for Gold, asks nothing
STATUSES = program(tiers=[("Silver", 1), ("Gold", 2)], requirements=[("SP", "engineers", ">=", "2")],
                   statuses=(Status("SP", ("Gold",), HERE), Status("Cloud", ("Gold",), HERE)))


def member(pid, tier, engineers, *held):
    return replace(partner(pid, tier=tier, engineers=engineers), statuses=held)


@pytest.mark.parametrize("tier, engineers, held, recommendation, requirements", [
    # held, allowed and met: keep both
    ("Gold", "3", ("SP", "Cloud"), "SP: keep; Cloud: keep", "SP: engineers 3 >= 2: met | Cloud: no requirement"),
    # not held, allowed and met: apply for both
    ("Gold", "2", (), "SP: apply; Cloud: apply", "SP: engineers 2 >= 2: met | Cloud: no requirement"),
    # SP not met and not held: not shown; Cloud held: keep
    ("Gold", "1", ("Cloud",), "Cloud: keep", "Cloud: no requirement"),
    # held but not met: review
    ("Gold", "0", ("SP",), "SP: review; Cloud: apply", "SP: engineers 0 >= 2: not met | Cloud: no requirement"),
    # held by a Silver partner, met: review, the status is for Gold only
    ("Silver", "5", ("SP",), "SP: review", "SP: for Gold only; engineers 5 >= 2: met"),
    # Silver, held neither: nothing to apply for
    ("Silver", "5", (), "", ""),
    # held by a Silver partner, Cloud asks nothing: review, for Gold only
    ("Silver", "5", ("Cloud",), "Cloud: review", "Cloud: for Gold only"),
], ids=["keep", "apply", "not-met-not-held", "held-not-met", "held-not-allowed", "nothing", "not-allowed-no-rows"])
def test_statuses(tier, engineers, held, recommendation, requirements):
    [r] = review(STATUSES, (member("P1", tier, engineers, *held),), {})
    assert (r.status_recommendation, r.status_requirements) == (recommendation, requirements)
    # only statuses held are listed as held, in the program's order
    assert r.statuses_held == ", ".join(s for s in ("SP", "Cloud") if s in held)
    # the ladder is reviewed apart: no tier asks anything, so Silver qualifies for Gold
    assert r.recommendation == ("keep" if tier == "Gold" else "upgrade")


# Silver's targets A 3,000, B 2,000, C 1,000 (the minimum volume); Gold's has no C target
MINIMUM = program(tiers=[("Silver", 1, 3000, 2000, 1000), ("Gold", 2, 5000, None, None)],
                  minimum_volume="annual_target_c")


@pytest.mark.parametrize("settings, tier, base, year_end, minimum", [
    ({}, "Silver", "999.99", True, "below the minimum volume: 999.99 < annual_target_c 1,000.00 KZT"),
    ({}, "Silver", "-5", True, "below the minimum volume: -5.00 < annual_target_c 1,000.00 KZT"),
    ({}, "Silver", "1000", True, ""),  # at the target: reached
    ({}, "Silver", "999.99", False, ""),  # judged at the year's end only
    ({"minimum_volume": "none"}, "Silver", "999.99", True, ""),
    ({}, "Gold", "1", True, ""),  # no C target
    ({}, "Bronze", "1", True, ""),  # a tier not in the sheet
], ids=["below", "negative", "at-target", "not-year-end", "rule-off", "no-target-c", "unknown-tier"])
def test_minimum_volume(settings, tier, base, year_end, minimum):
    [r] = review(replace(MINIMUM, **settings), (partner("P1", tier=tier),), {"P1": D(base)}, year_end)
    assert r.minimum == minimum
    # below the minimum: review, though Gold asks nothing that a Silver partner lacks
    assert r.recommendation == ("review" if minimum else "upgrade" if tier == "Silver" else "keep")
    assert r.requirements_text == minimum  # no requirement rows: the minimum alone


def test_the_minimum_volume_is_not_judged_unless_told_it_is_the_years_end():
    [r] = review(MINIMUM, (partner("P1", tier="Silver"),), {"P1": D(1)})
    assert (r.minimum, r.recommendation) == ("", "upgrade")


def test_the_minimum_follows_the_requirements_in_the_words():
    prog = replace(MINIMUM, requirements=program(requirements=[("Silver", "engineers", ">=", "2")]).requirements)
    [r] = review(prog, (partner("P1", tier="Silver", engineers="3"),), {"P1": D(10)}, True)
    assert r.requirements_text == ("engineers 3 >= 2: met; below the minimum volume: 10.00 < annual_target_c "
                                   "1,000.00 KZT")
    assert (r.qualifies, r.recommendation) == (True, "review")


def test_a_status_for_several_tiers_names_them_all():
    prog = replace(STATUSES, statuses=(Status("SP", ("Gold", "Platinum"), HERE),))
    [r] = review(prog, (member("P1", "Silver", "5", "SP"),), {})
    assert r.status_requirements == "SP: for Gold, Platinum only; engineers 5 >= 2: met"
