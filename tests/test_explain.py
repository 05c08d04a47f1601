"""`calc explain`: a partner's figures derived from a run's output folder alone. Every partner of the
sample agrees with the ledger to the cent; the explanations of a small run, one partner per outcome,
are compared with figures worked out by hand in the test."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from incentives import pipeline
from incentives.periods import parse_period
from incentives.tools.commands import explain
from incentives.tools.explain import explain as explain_partner
from incentives.tools.explain import partner_ids, read_run
from tests.builders import line, make_inputs, partner


def invoke(*args):
    return CliRunner().invoke(explain, [str(a) for a in args])


@pytest.fixture
def sample(sample_run) -> Path:
    return sample_run.out


def test_every_sample_partner_agrees_with_the_ledger(sample):
    run = read_run(sample)
    ids = partner_ids(run)
    assert len(ids) == 40
    for pid in ids:
        e = explain_partner(run, pid)
        assert e.ok, (pid, [c for c in e.checks if not c.ok])
        assert sum((g.total for g in e.periods), Decimal(0)) == e["ytd_base"]
        assert sum(len(g.lines) for g in e.periods) == e["included_lines"]
        assert sum((g.total for g in e.reasons), Decimal(0)) == e["excluded_amount"]
        assert sum(len(g.lines) for g in e.reasons) == e["excluded_lines"]


# A small run whose every figure is worked out by hand below. Program: bands 0 -> 2%, 3,000,000 -> 4%;
# DEMO never earns; a distributor must not sell to end users; 1,000 points to the quarter's best partner.
BEST = {"name": "Best partner", "scope": "all", "metric": "eligible_base", "period": "quarter", "winners": 1,
        "award": "fixed", "amount": 1000, "min_base": 0}
SALES = {
    "a.xlsx": [line("Q1", "2026-02-10", 1200000), line("Q2", "2026-05-10", 1500000),
               line("Q3", "2026-08-10", "800000.50"),
               line("X", "2026-08-11", 1000, product_sku="DEMO"),      # PRODUCT_EXCLUDED
               line("Q3", "2026-08-10", "800000.50"),                  # DUPLICATE
               line("L", "2026-10-01", 10),                            # OUT_OF_PERIOD
               line("C", "2026-07-05", "557190.05", pid="D2"),         # CHANNEL_CONFLICT
               line("R", "2026-07-06", 2000, pid="D2", customer_type="reseller")],
    "b.xlsx": [line("S", "2026-04-10", 3500000, pid="P5"), line("CN", "2026-08-10", -1000000, pid="P5"),
               line("M", "2026-07-15", 500, pid="P6"),                 # OUTSIDE_MEMBERSHIP
               line("U", "2026-07-15", 700, pid="NOPE")],              # UNKNOWN_PARTNER: in no ledger row
}


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("explain")
    make_inputs(folder / "in", SALES,
                partners=[partner("P1"), partner("D2", role="distributor", language="ru"), partner("P5"),
                          partner("P6", registered_on=dt.date(2026, 8, 1)), partner("P9")],
                extra_program_sheets={"Exclusions": [{"field": "product_sku", "value": "DEMO"}],
                                      "ChannelRules": [{"role": "distributor", "customer_type": "end_user",
                                                        "action": "exclude"}],
                                      "Bonuses": [BEST]})
    outcome = pipeline.run(folder / "in", parse_period("2026Q3"), folder / "out")
    assert outcome.ok, [str(p) for p in outcome.problems]
    return folder / "out"


def test_the_whole_explanation_of_a_partner(small):
    result = invoke(small, "P1")
    assert result.exit_code == 0, result.output
    # included: 1,200,000 + 1,500,000 + 800,000.50 = 3,500,000.50; excluded: the repeated 800,000.50, the
    # October 10 and the DEMO 1,000 = 801,010.50. 3,500,000.50 x 4% = 140,000.02; Q1 and Q2 settled
    # 2,700,000 x 2% = 54,000; P1's quarter, 800,000.50, is the best: 1,000 points.
    assert result.output == f"""P1 Partner P1: tier Primary, KZ
test 2026Q3 (2026-07-01 to 2026-09-30); bases in KZT, paid in points
from {small}: ledger.xlsx row 3, audit.xlsx (Run, Trace), statements/P1.xlsx (Lines), summary.xlsx (Bonuses)

Included lines: 3, year-to-date base 3,500,000.50 KZT, by quarter of the invoice date
  2026Q1         1 line(s)         1,200,000.00
  2026Q2         1 line(s)         1,500,000.00
  2026Q3         1 line(s)           800,000.50  ← the period: period base
Excluded lines: 3, 801,010.50 KZT
  DUPLICATE              1 line(s)           800,000.50  duplicate line
  OUT_OF_PERIOD          1 line(s)                10.00  out of period
  PRODUCT_EXCLUDED       1 line(s)             1,000.00  product excluded

Band reached: 3,500,000.50 > 3,000,000.00 → 4% (tier Primary)
Entitlement: 3,500,000.50 × 0.04 = 140,000.02 → rounded half_up 140,000.02 points
Previously settled: 54,000.00 points, recomputed period by period from the same inputs
Accrual: 140,000.02 − 54,000.00 = 86,000.02
Bonus: 1,000.00
  Best partner, all, rank 1: 1,000.00
Total payable: 86,000.02 + 1,000.00 = 87,000.02 points
Payment: 87,000.02 points credited

Checked against the ledger row: every figure agrees to the cent (12 checks).
"""


# (partner, what it shows, text the explanation must hold: worked out in the comment)
OUTCOMES = [
    # Q2 settled 3,500,000 x 4% = 140,000; Q3: 3,500,000 - 1,000,000 = 2,500,000 x 2% = 50,000
    ("P5", "claw-back", ["Included lines: 2, year-to-date base 2,500,000.00 KZT",
                         "  2026Q3         1 line(s)        -1,000,000.00  ← the period: period base",
                         "Entitlement: 2,500,000.00 × 0.02 = 50,000.00 → rounded half_up 50,000.00 points",
                         "Accrual: 50,000.00 − 140,000.00 = -90,000.00 (a claw-back)",
                         "Total payable: -90,000.00 + 0.00 = -90,000.00 points"]),
    ("P6", "outside membership", ["Excluded lines: 1, 500.00 KZT",
                                  "  OUTSIDE_MEMBERSHIP     1 line(s)               500.00  outside membership",
                                  "Band reached: 0.00 is over no band (lowest: over 0.00) → rate 0%"]),
    # 2,000 x 2% = 40
    ("D2", "channel conflict", ["  CHANNEL_CONFLICT       1 line(s)           557,190.05  channel conflict",
                                "Entitlement: 2,000.00 × 0.02 = 40.00 → rounded half_up 40.00 points"]),
    ("P9", "no line, no statement", ["No statement: the run read no line of this partner",
                                     "Included lines: 0, year-to-date base 0.00 KZT"]),
]


@pytest.mark.parametrize("pid, _, expected", OUTCOMES, ids=[o[1] for o in OUTCOMES])
def test_partner_across_outcomes(small, pid, _, expected):
    result = invoke(small, pid)
    assert result.exit_code == 0, result.output
    for text in expected:
        assert text in result.output
    assert "every figure agrees to the cent" in result.output
    assert "Previously settled: " in result.output and "recomputed period by period" in result.output


def test_lines_show_their_source(small):
    result = invoke(small, "D2", "--lines")
    assert result.exit_code == 0, result.output
    # D2 reads Russian: the detail is its statement's, in its words; C is the 7th line of a.xlsx (row 8)
    assert ("      sales/a.xlsx row 8: 2026-07-05 C/1 557,190.05 KZT  "
            "(дистрибьютор не может продавать клиентам типа «конечный пользователь»)") in result.output
    assert "      sales/a.xlsx row 9: 2026-07-06 R/1 2,000.00 KZT" in result.output


def test_unknown_partner_exits_2_listing_ids(small):
    result = invoke(small, "P10")
    assert result.exit_code == 2
    assert f"partner 'P10' is not in the ledger of {small} (5 partner(s): D2, P1, P5, P6, P9); did you mean P1?" \
        in result.output
    unknown = invoke(small, "NOPE")  # lines of a partner off the roster are in no ledger row
    assert unknown.exit_code == 2 and "did you mean" not in unknown.output


def test_not_a_run_folder_exits_2(tmp_path):
    result = invoke(tmp_path, "P1")
    assert result.exit_code == 2 and "is not the output folder of a run" in result.output


def test_ledger_that_disagrees_with_its_lines_exits_1(tmp_path):
    out = tmp_path / "out"
    folder = make_inputs(tmp_path / "in", {"a.xlsx": [line("A", "2026-07-01", 1000), line("B", "2026-08-01", 500)]})
    assert pipeline.run(folder, parse_period("2026Q3"), out).ok
    book = openpyxl.load_workbook(out / "ledger.xlsx")
    book["Ledger"]["J2"] = 1500.01  # ytd_base, a cent more than its lines
    book.save(out / "ledger.xlsx")
    result = invoke(out, "P1")
    assert result.exit_code == 1
    assert "!! THE LEDGER DOES NOT AGREE WITH ITS OWN LINES:" in result.output
    assert "!!   ytd_base: ledger 1,500.01, included lines summed: 1,500.00 (difference -0.01)" in result.output


@pytest.mark.parametrize("program, period", [
    ({"tier_method": "incremental"}, "2026Q3"),
    ({"period": "month"}, "2026-08"),
    ({"period": "year"}, "2026"),
], ids=["incremental", "monthly", "yearly"])
def test_other_program_settings_agree(tmp_path, program, period):
    bonus = {"name": "Best partner", "scope": "all", "metric": "eligible_base", "period": "year",
             "winners": 1, "award": "fixed", "amount": 1000, "min_base": 0}
    sales = {"a.xlsx": [line("A", "2026-02-10", 2500000), line("B", "2026-08-01", "1000000.50"),
                        line("C", "2026-08-02", 300, pid="P2"), line("D", "2026-11-02", 300, pid="P2")]}
    folder = make_inputs(tmp_path / "in", sales, partners=[partner("P1"), partner("P2", language="en")],
                         program=program, extra_program_sheets={"Bonuses": [bonus]})
    outcome = pipeline.run(folder, parse_period(period), tmp_path / "out")
    assert outcome.ok, [str(p) for p in outcome.problems]
    run = read_run(tmp_path / "out")
    for pid in ("P1", "P2"):
        e = explain_partner(run, pid)
        assert e.ok, (pid, [c for c in e.checks if not c.ok])
    if program.get("tier_method") == "incremental":
        assert "Entitlement, each slice of the base at its band's rate:" in invoke(tmp_path / "out", "P1").output
