"""`calc explain`: a partner's figures derived from a run's output folder alone, agreeing with
the ledger to the cent, for every partner of the sample and every outcome of a line."""

from __future__ import annotations

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


# (partner, what the sample planted, text the explanation must hold)
OUTCOMES = [
    ("P025", "duplicate", "DUPLICATE              2 line(s)"),
    ("P027", "out of period", "OUT_OF_PERIOD          2 line(s)"),
    ("P034", "outside membership", "OUTSIDE_MEMBERSHIP     1 line(s)"),
    ("P010", "product excluded", "PRODUCT_EXCLUDED       1 line(s)"),
    ("D02", "channel conflict", "CHANNEL_CONFLICT       1 line(s)           557,190.05"),
    ("P013", "not registered", "NOT_REGISTERED         2 line(s)         1,233,129.75"),
    ("P004", "crosses the band in Q3", "Band reached: 3,648,886.79 > 3,000,000.00 → 4%"),
    ("P019", "claw-back", "Accrual: 41,117.89 − 196,245.23 = -155,127.34 (a claw-back)"),
    ("P029", "no purchases, no statement", "No statement: the run read no line of this partner"),
]


@pytest.mark.parametrize("pid, _, expected", OUTCOMES, ids=[o[1] for o in OUTCOMES])
def test_partner_across_outcomes(sample, pid, _, expected):
    result = invoke(sample, pid)
    assert result.exit_code == 0, result.output
    assert expected in result.output
    assert "every figure agrees to the cent" in result.output
    assert "Previously settled: " in result.output and "recomputed period by period" in result.output


def test_period_groups_and_arithmetic(sample):
    result = invoke(sample, "P001")
    assert result.exit_code == 0, result.output
    for text in ["Included lines: 24, year-to-date base 4,677,945.76 KZT, by quarter of the invoice date",
                 "  2026Q3         5 line(s)         1,000,335.75  ← the period: period base",
                 "Entitlement: 4,677,945.76 × 0.04 = 187,117.8304 → rounded half_up 187,117.83 points",
                 "Total payable: 40,013.43 + 0.00 = 40,013.43 points"]:
        assert text in result.output


def test_lines_show_their_source(sample):
    result = invoke(sample, "D02", "--lines")
    assert result.exit_code == 0, result.output
    # D02 reads Russian: the detail is its statement's, in its words
    assert ("      sales/2026-05_tengri.xlsx row 8: 2026-05-20 TNG-26-00558/1 557,190.05 KZT  "
            "(дистрибьютор не может продавать клиентам типа «конечный пользователь»)") in result.output


def test_unknown_partner_exits_2_listing_ids(sample):
    result = invoke(sample, "P19")
    assert result.exit_code == 2
    assert "partner 'P19' is not in the ledger" in result.output
    assert "40 partner(s): D01, D02, D03" in result.output and "did you mean P019?" in result.output
    unknown = invoke(sample, "P099")  # lines of a partner off the roster are in no ledger row
    assert unknown.exit_code == 2


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
