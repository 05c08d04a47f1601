"""The five seed programs, end to end: each sample folder of inputs/ runs clean, its outputs
are snapshot-tested, the rule it is there to show reads as a plain assertion, and the
committed folders are what their generators write."""

from __future__ import annotations

import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from click.testing import CliRunner

from incentives import pipeline
from incentives.cli import main
from incentives.periods import parse_period
from tests.xlsx_text import XlsxText, render_folder

ROOT = Path(__file__).parent.parent
INPUTS = ROOT / "inputs"
D = Decimal

# folder of inputs/ -> the period its README runs, and the statements worth a snapshot
PROGRAMS = {
    "intelligent-platforms": ("2026Q3", ("P019",)),  # the claw-back
    "annt": ("2026Q4", ("P08",)),  # 0.01 short of grade C
    "amt": ("2026Q3", ("M01",)),  # end-user sales excluded, two incremental slices
    "rsupport": ("2026-12", ("R04",)),  # the shared award's odd cent, an unlisted item
    "huawei": ("2026Q3", ("V02",)),  # a sale to a tier-2 reseller excluded
}


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """`run(program)`: the pipeline's outcome on the sample folder, computed once per module."""
    done: dict[str, pipeline.Outcome] = {}

    def get(program: str) -> pipeline.Outcome:
        if program not in done:
            out = tmp_path_factory.mktemp(program) / "out"
            outcome = pipeline.run(INPUTS / program, parse_period(PROGRAMS[program][0]), out)
            assert outcome.ok, [str(p) for p in outcome.problems]
            done[program] = outcome
        return done[program]
    return get


def sheet(path: Path, name: str) -> list[dict]:
    rows = list(openpyxl.load_workbook(path)[name].iter_rows(values_only=True))
    return [dict(zip(rows[0], r)) for r in rows[1:]]


def lines_of(outcome: pipeline.Outcome) -> pl.DataFrame:
    roles = pl.DataFrame({"partner_id": [p.partner_id for p in outcome.inputs.partners],
                          "role": [p.role for p in outcome.inputs.partners]})
    return outcome.settlement.lines.join(roles, on="partner_id", how="left")


# ---------------------------------------------------------------- every program


@pytest.mark.parametrize("program", PROGRAMS)
def test_sample_runs_without_a_problem(run, program):
    # the folder's README is accounted for as a note (contract: README* files are notes)
    assert [str(p) for p in run(program).problems] == ["README.md: README, not read"]


@pytest.mark.parametrize("program", PROGRAMS)
def test_outputs_snapshot(run, program, tmp_path, snapshot):
    """ledger, summary, audit and the chosen statements (every statement would make megabytes)."""
    out = run(program).out
    shown = tmp_path / "shown"
    (shown / "statements").mkdir(parents=True)
    for name in ("ledger.xlsx", "summary.xlsx", "audit.xlsx",
                 *(f"statements/{pid}.xlsx" for pid in PROGRAMS[program][1])):
        shutil.copyfile(out / name, shown / name)
    assert render_folder(shown) == snapshot(extension_class=XlsxText)


@pytest.mark.parametrize("program", PROGRAMS)
def test_every_partner_with_a_line_has_a_statement(run, program):
    outcome = run(program)
    with_lines = {r.partner.partner_id for r in outcome.settlement.rows
                  if r.totals.included_lines or r.totals.excluded_lines}
    written = {p.stem for p in (outcome.out / "statements").iterdir()}
    assert with_lines <= written and set(PROGRAMS[program][1]) <= written


def test_committed_samples_are_what_the_generators_write(tmp_path):
    result = subprocess.run([sys.executable, str(INPUTS / "generate.py"), "--out", str(tmp_path)],
                            capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    for program in PROGRAMS:
        committed, fresh = INPUTS / program, tmp_path / program
        files = sorted(p.relative_to(committed).as_posix() for p in committed.rglob("*") if p.is_file())
        assert files == sorted(p.relative_to(fresh).as_posix() for p in fresh.rglob("*") if p.is_file()), program
        changed = [f for f in files if (committed / f).read_bytes() != (fresh / f).read_bytes()]
        assert changed == [], f"{program}: regenerate with `python inputs/generate.py {program}`"


# ---------------------------------------------------------------- Intelligent Platforms


def test_intelligent_platforms_points_are_2_then_4_percent_of_the_year(run):
    for r in run("intelligent-platforms").settlement.rows:
        base = r.totals.ytd_base
        assert r.entitlement.rate == (D("0.04") if base > 3_000_000 else D("0.02") if base > 0 else 0), r
    clawback = next(r for r in run("intelligent-platforms").settlement.rows if r.partner.partner_id == "P019")
    assert clawback.entitlement.rate == D("0.02") and clawback.accrual < 0


# ---------------------------------------------------------------- ANNT


def test_annt_tier_review_grades_and_upgrades(run):
    review = {r["partner_id"]: r for r in sheet(run("annt").out / "summary.xlsx", "TierReview")}
    grades = {g: sorted(p for p, r in review.items() if r["grade"] == g) for g in ("A", "B", "C", None)}
    assert grades == {"A": ["D01", "P02", "P03", "P09"], "B": ["P01", "P05", "P10"], "C": ["D02", "P06", "P07"],
                      None: ["P04", "P08", "P11", "P12", "P13", "P14"]}
    # A target is reached on the cent; 0.01 short of it is no grade.
    assert (review["P03"]["ytd_base"], review["P03"]["grade"], review["P03"]["to_next_grade"]) == (1000000, "A", None)
    assert (review["P08"]["ytd_base"], review["P08"]["grade"], review["P08"]["to_next_grade"]) == (999999.99, None,
                                                                                                     0.01)
    decided = {p: (r["recommendation"], r["highest_qualifying_tier"]) for p, r in review.items()
               if r["recommendation"] != "keep"}
    assert decided == {
        "P02": ("upgrade", "Distributor"),  # a Premium Partner meeting every Distributor requirement
        "P06": ("upgrade", "Gold Reseller"),
        "P10": ("upgrade", "Gold Partner"),
        "P13": ("upgrade", "Silver Reseller"),
        "D02": ("review", "Premium Partner"),  # sales scale 18M, the seed asks over 20M
        "P04": ("review", "Silver Reseller"),
        "P08": ("review", "Silver Partner"),
        "P11": ("review", "Certified Partner"),
    }
    assert review["D02"]["requirements"] == ("registered_capital_usd 3200000 >= 3000000: met; sales_scale_usd "
                                             "18000000 > 20000000: not met; clientele 5400 >= 5000: met")
    # «over USD 1 million» is strictly over: exactly 1,000,000 does not meet it
    assert "sales_scale_usd 1000000 > 1000000: not met" in review["P08"]["requirements"]


def test_annt_statement_shows_the_grade_and_the_next(run):
    page = {r[0]: r[1:] for r in openpyxl.load_workbook(run("annt").out / "statements" / "P08.xlsx")["Statement"]
            .iter_rows(min_col=1, max_col=3, values_only=True) if r[0]}
    assert page["Grade reached, year to date"] == (
        "none", "annual targets: A 1,500,000.00, B 1,200,000.00, C 1,000,000.00 USD")
    assert page["To the next grade, USD"] == (0.01, "0.01 USD more sales this year reach grade C")


def test_annt_distributor_end_user_sales_are_flagged_and_count(run):
    lines = lines_of(run("annt")).filter(pl.col("flag").is_not_null())
    assert sorted(lines["partner_id"]) == ["D01", "D01", "D02"]
    assert set(lines["outcome"]) == {"included"} and set(lines["customer_type"]) == {"end_user"}


# ---------------------------------------------------------------- AMT


def test_amt_no_sale_direct_to_end_users_for_manufacturer_and_reseller_partners(run):
    lines = lines_of(run("amt"))
    to_end_users = lines.filter(pl.col("customer_type") == "end_user")
    by_role = {role: sorted(set(g["outcome"])) for (role,), g in to_end_users.group_by("role")}
    assert by_role == {"manufacturer_partner": ["CHANNEL_CONFLICT"], "reseller": ["CHANNEL_CONFLICT"],
                       "solutions_partner": ["OUTSIDE_MEMBERSHIP", "included"]}
    conflicts = lines.filter(pl.col("outcome") == "CHANNEL_CONFLICT").sort("partner_id", "invoice_date")
    assert conflicts["partner_id"].to_list() == ["M01", "M01", "M02", "R01"]
    assert conflicts["detail"][0] == "a manufacturer partner must not sell to customers of type end user"
    # a solutions partner selling to a dealer is no rule's concern
    assert lines.filter((pl.col("role") == "solutions_partner") & (pl.col("customer_type") == "reseller"))[
        "outcome"].to_list() == ["included"]


def test_amt_manufacturer_requirements(run):
    review = {r["partner_id"]: r for r in sheet(run("amt").out / "summary.xlsx", "TierReview")}
    assert {p: r["recommendation"] for p, r in review.items()} == {
        "M01": "keep", "M02": "review", "M03": "review", "R01": "keep", "R02": "keep", "R03": "review",
        "S01": "keep", "S02": "keep", "S03": "keep"}
    assert "training_completed no = yes: not met" in review["M02"]["requirements"]
    assert "technical_staff 0 >= 1: not met" in review["M03"]["requirements"]
    assert review["R01"]["requirements"] == "collects_logs yes = yes: met"  # training is only recommended


# ---------------------------------------------------------------- RSUPPORT


def test_rsupport_best_partner_award_shared_with_the_odd_cent_to_the_lowest_partner_id(run):
    bonuses = sheet(run("rsupport").out / "summary.xlsx", "Bonuses")
    assert [(r["bonus"], r["group"], r["rank"], r["partner_id"], r["tied"], r["amount"]) for r in bonuses] == [
        ("Best partner award", "ID", 1, "R07", 1, 1000.01),
        ("Best partner award", "TH", 1, "R01", 1, 1000.01),
        ("Best partner award", "VN", 1, "R04", 2, 500.01),  # the lower partner_id gets the odd cent
        ("Best partner award", "VN", 1, "R05", 2, 500.00),
    ]
    ledger = {r["partner_id"]: r for r in sheet(run("rsupport").out / "ledger.xlsx", "Ledger")}
    assert ledger["R04"]["ytd_base"] == ledger["R05"]["ytd_base"] == 84250.00
    best = {}
    for r in ledger.values():
        country = next(p.country for p in run("rsupport").inputs.partners if p.partner_id == r["partner_id"])
        best[country] = max(best.get(country, 0), r["ytd_base"])
    assert all(r["eligible_base"] == best[r["group"]] == ledger[r["partner_id"]]["ytd_base"] for r in bonuses)
    assert sum(D(str(r["bonus"])) for r in ledger.values()) == D("3000.03")


def test_rsupport_award_is_paid_only_in_the_last_month(tmp_path):
    outcome = pipeline.run(INPUTS / "rsupport", parse_period("2026-11"), tmp_path / "out")
    assert outcome.ok and outcome.settlement.awards == ()


def test_rsupport_unlisted_items_are_excluded(run):
    lines = lines_of(run("rsupport"))
    unlisted = lines.filter(pl.col("outcome") == "NOT_REGISTERED").sort("partner_id")
    reported = set(run("rsupport").inputs.opportunities["opportunity_id"])
    assert [(p, d.replace(o, "<reported>") if o in reported else d)
            for p, d, o in unlisted.select("partner_id", "detail", "opportunity_id").iter_rows()] == [
        ("R02", "opportunity <reported> belongs to partner R01"),
        ("R03", "opportunity OP-26-9999 is not registered"),
        ("R04", "no opportunity named"),
        ("R06", "opportunity <reported> is pending"),
        ("R07", "opportunity <reported> expired on 30 Jun 2026"),
    ]
    assert sorted(lines.filter(pl.col("outcome") == "PRODUCT_EXCLUDED")["product_category"]) == ["third-party"] * 2


def test_rsupport_staffing_requirements(run):
    review = {r["partner_id"]: (r["recommendation"], r["highest_qualifying_tier"])
              for r in sheet(run("rsupport").out / "summary.xlsx", "TierReview")}
    assert review == {"R01": ("keep", "Platinum"), "R02": ("review", "Silver"), "R03": ("upgrade", "Gold"),
                      "R04": ("keep", "Gold"), "R05": ("keep", "Gold"), "R06": ("review", None),
                      "R07": ("review", "Gold"), "R08": ("upgrade", "Platinum")}


# ---------------------------------------------------------------- Huawei


def test_huawei_vap_to_reseller_excluded_distributor_to_end_user_flagged(run):
    lines = lines_of(run("huawei"))
    vap_to_reseller = lines.filter((pl.col("role") == "value_added_partner") & (pl.col("customer_type") == "reseller"))
    assert sorted(vap_to_reseller["partner_id"]) == ["V01", "V01", "V02"]
    assert set(vap_to_reseller["outcome"]) == {"CHANNEL_CONFLICT"}
    distributor_to_end_user = lines.filter((pl.col("role") == "distributor") & (pl.col("customer_type") == "end_user"))
    assert sorted(distributor_to_end_user["partner_id"]) == ["D01", "D01", "D02"]
    assert set(distributor_to_end_user["outcome"]) == {"included"}
    assert set(distributor_to_end_user["flag"]) == {"channel: a distributor selling to customers of type end user"}
    summary = {r["partner_id"]: r["flagged_lines"] for r in sheet(run("huawei").out / "summary.xlsx", "Summary")}
    assert {p: n for p, n in summary.items() if n} == {"D01": 2, "D02": 1}


def test_huawei_a_company_cannot_be_both_distributor_and_vap(tmp_path):
    folder = tmp_path / "huawei"
    shutil.copytree(INPUTS / "huawei", folder)
    book = openpyxl.load_workbook(folder / "partners.xlsx")
    rows = book["Partners"]
    header = [c.value for c in rows[1]]
    pid, company = header.index("partner_id") + 1, header.index("company_id") + 1
    by_id = {rows.cell(r, pid).value: r for r in range(2, rows.max_row + 1)}
    rows.cell(by_id["V01"], company, rows.cell(by_id["D01"], company).value)
    book.save(folder / "partners.xlsx")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["run", str(folder), "--period", "2026Q3", "--out", str(out)])
    assert result.exit_code == 1
    assert (f"error: partners.xlsx:Partners row {by_id['V01']}: company AE-DED-1021457 is a value_added_partner (V01) "
            f"and a distributor (D01, partners.xlsx:Partners row {by_id['D01']})") in result.output
    assert not out.exists()
