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
    # the folder's README is accounted for as a note (contract: README* files are notes); under
    # membership = calendar_year, a member without a renewal for the year is named in a note
    lapsed = {"intelligent-platforms": [
        "partners.xlsx:Partners: membership = calendar_year: 1 partner(s) registered before 2026 have no renewal "
        "for it (P003): their lines are OUTSIDE_MEMBERSHIP (enter the renewal date in renewed_on if one was "
        "agreed)"]}
    assert [str(p) for p in run(program).problems] == ["README.md: README, not read", *lapsed.get(program, [])]


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


def test_intelligent_platforms_service_provider_is_a_status_beside_the_ladder(run):
    """«Service Reseller/Provider (для участников со статусом Professional/Corporate Reseller или
    Solution Provider)»: held in addition to a level, so no one is told to upgrade to it, and a
    partner qualifying for Corporate Reseller is told so; «совместный план продаж» is asked of
    every level above Primary Reseller."""
    review = {r["partner_id"]: r for r in sheet(run("intelligent-platforms").out / "summary.xlsx", "TierReview")}
    assert {r["highest_qualifying_tier"] for r in review.values()} <= {
        "Primary Reseller", "Professional Reseller", "Corporate Reseller", "Solution Provider", "Distributor"}
    assert (review["P012"]["recommendation"], review["P012"]["highest_qualifying_tier"]) == ("upgrade",
                                                                                           "Corporate Reseller")
    for pid in ("P008", "P010", "P017", "D01", "D02", "D03", "D04"):  # no joint sales plan: no level above Primary
        assert review[pid]["recommendation"] == "keep", pid
    assert "joint_sales_plan no = yes: not met" in review["P031"]["requirements"]
    assert review["P031"]["recommendation"] == "review"
    held = {p: r["status_recommendation"] for p, r in review.items() if r["statuses_held"]}
    assert held == {"P009": "Service Provider: keep", "P022": "Service Provider: keep",
                    "P028": "Service Provider: keep", "P030": "Service Provider: review"}
    assert review["P030"]["status_requirements"] == ("Service Provider: warranty_programs yes = yes: met; "
                                                     "product_engineers 0 >= 1: not met")
    applying = sorted(p for p, r in review.items() if r["status_recommendation"] == "Service Provider: apply")
    assert applying == ["P011", "P035"]  # allowed to their level, warranty support and an engineer


def test_intelligent_platforms_points_reading_distributors_earn_none(run):
    """«Primary Reseller ... участие в накопительной программе*»; «Позволяет партнёру накапливать
    баллы начиная с момента первой покупки»: the sample's reading (every level earns points, the
    distributors, who are not members, none) is expressed by a tier's own 0% band and stated in
    the Notes sheet."""
    outcome = run("intelligent-platforms")
    program = outcome.inputs.program
    distributors = [p for p in outcome.inputs.partners if p.role == "distributor"]
    assert len(distributors) == 4 and {p.tier for p in distributors} == {"Distributor"}
    assert [(b.over, b.rate) for b in program.bands_for("Distributor")] == [(0, 0)]
    for level in ("Primary Reseller", "Professional Reseller", "Corporate Reseller", "Solution Provider"):
        assert [(b.over, b.rate) for b in program.bands_for(level)] == [(0, D("0.02")), (3000000, D("0.04"))]
    review = {r["partner_id"]: r for r in sheet(outcome.out / "summary.xlsx", "TierReview")}
    assert {review[p.partner_id]["recommendation"] for p in distributors} == {"keep"}
    notes = sheet(INPUTS / "intelligent-platforms" / "program.xlsx", "Notes")
    reading = [n["source"] for n in notes if n["sheet"] == "RateBands" and "Distributor" in n["item"]]
    assert len(reading) == 1 and "reading of the seed" in reading[0] and "Primary Reseller only" in reading[0]


def test_intelligent_platforms_membership_runs_to_the_end_of_the_calendar_year(run):
    """«Членство ... действует со дня регистрации и до конца календарного года. Продление участия
    на следующий период возможно ... по согласованию сторон»: a 2025 member counts in 2026 only
    from its renewal (`renewed_on`); P003 did not renew, P017 renewed on 2026-02-09."""
    outcome = run("intelligent-platforms")
    renewed = {p.partner_id: p.renewed_on for p in outcome.inputs.partners}
    assert renewed["P003"] is None and str(renewed["P017"]) == "2026-02-09"
    lines = lines_of(outcome)
    p003 = lines.filter(pl.col("partner_id") == "P003")
    assert p003.height > 0 and set(p003["outcome"]) == {"OUTSIDE_MEMBERSHIP"}
    assert set(p003["detail"]) == {"membership not renewed for 2026 (registered on 22 Jan 2025)"}
    p017 = lines.filter(pl.col("partner_id") == "P017")
    early = p017.filter(pl.col("invoice_date") < pl.date(2026, 2, 9))
    assert early.height > 0 and set(early["outcome"]) == {"OUTSIDE_MEMBERSHIP"}
    assert set(early["detail"]) == {"dated before the membership's renewal on 09 Feb 2026"}
    assert "OUTSIDE_MEMBERSHIP" not in set(p017.filter(pl.col("invoice_date") >= pl.date(2026, 2, 9))["outcome"])
    ledger = {r.partner.partner_id: r for r in outcome.settlement.rows}
    assert ledger["P003"].totals.ytd_base == 0 and ledger["P003"].totals.excluded_lines == p003.height


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
        "P06": ("upgrade", "Gold Reseller"),
        "P10": ("upgrade", "Gold Partner"),
        "P13": ("upgrade", "Silver Reseller"),
        "D02": ("review", "Certified Partner"),  # sales scale 18M, the seed asks over 20M
        "P04": ("review", "Silver Reseller"),
        "P08": ("review", "Silver Partner"),
        "P11": ("review", "Certified Partner"),
    }
    assert review["D02"]["requirements"] == ("role distributor = distributor: met; registered_capital_usd 3200000 >= "
                                             "3000000: met; sales_scale_usd 18000000 > 20000000: not met; clientele "
                                             "5400 >= 5000: met")
    # «over USD 1 million» is strictly over: exactly 1,000,000 does not meet it
    assert "sales_scale_usd 1000000 > 1000000: not met" in review["P08"]["requirements"]


def test_annt_tracks_are_kept_apart_by_role(run):
    """«Business Order process»: the Distributor «Develops lower-tier channels ... Distributes
    products and builds level 1 inventory», the Premium Partner places «Project Order[s]»: P02, a
    solution provider meeting every Distributor number (capital, sales scale, clientele 5000),
    is not told to become a Distributor."""
    review = {r["partner_id"]: r for r in sheet(run("annt").out / "summary.xlsx", "TierReview")}
    assert (review["P02"]["recommendation"], review["P02"]["highest_qualifying_tier"]) == ("keep", "Premium Partner")
    assert not any(r["highest_qualifying_tier"] == "Distributor" for p, r in review.items() if not p.startswith("D"))


def test_annt_year_end_below_the_minimum_volume_is_reviewed(run, tmp_path):
    """«Partners will need to meet minimum volume»: at the year's last period, a partner below its
    tier's C target is reviewed, and the words say so; before the year's end, nothing is said."""
    review = {r["partner_id"]: r for r in sheet(run("annt").out / "summary.xlsx", "TierReview")}
    below = {p: r["requirements"].rpartition("; ")[2] for p, r in review.items()
             if "below the minimum volume" in (r["requirements"] or "")}
    # P04: 351,614.03 < Gold Reseller C 500,000; P08: 999,999.99 < Gold Partner C 1,000,000; P11: 203,610.77 < 500,000
    assert below == {"P04": "below the minimum volume: 351,614.03 < annual_target_c 500,000.00 USD",
                     "P08": "below the minimum volume: 999,999.99 < annual_target_c 1,000,000.00 USD",
                     "P11": "below the minimum volume: 203,610.77 < annual_target_c 500,000.00 USD"}
    assert {review[p]["recommendation"] for p in below} == {"review"}
    assert review["P03"]["recommendation"] == "keep"  # 1,000,000.00 reaches its C target (500,000) and A
    q3 = pipeline.run(INPUTS / "annt", parse_period("2026Q3"), tmp_path / "q3")
    assert q3.ok and not any("minimum volume" in (r["requirements"] or "")
                             for r in sheet(tmp_path / "q3" / "summary.xlsx", "TierReview"))


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
    """«Opportunity report on distributor's template (unlisted item will be excluded for rebate)»:
    per item. R08's opportunity OP-26-0012 lists its products, not RC-STD-1Y: that line does not
    count, the deal's other lines do."""
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
        ("R08", "item not on the opportunity: RC-STD-1Y is not listed on <reported>"),
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
    """«The value-added partners shall not supply products to tier-2 resellers of Huawei»: a tier-2
    reseller is a roster partner, found by the line's customer_id (its company_id), whatever the
    line's customer_type: V01's sale to P03 typed end_user is excluded too."""
    outcome = run("huawei")
    lines = lines_of(outcome)
    tier2 = {p.company_id: p.partner_id for p in outcome.inputs.partners if p.role == "reseller"}
    vap = lines.filter(pl.col("role") == "value_added_partner")
    vap_to_reseller = vap.filter(pl.col("customer_id").is_in(list(tier2)))
    assert sorted(vap_to_reseller["partner_id"]) == ["V01", "V01", "V02"]
    assert set(vap_to_reseller["outcome"]) == {"CHANNEL_CONFLICT"}
    assert set(vap.filter(pl.col("outcome") == "CHANNEL_CONFLICT")["customer_id"]) <= set(tier2)
    typed = vap_to_reseller.filter(pl.col("customer_type") == "end_user")
    assert typed["detail"].to_list() == [
        f"a value-added partner must not sell to customers of type reseller (customer {typed['customer_id'][0]} is "
        "P03 on the roster, a reseller)"]
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


SECTIONS = {"intelligent-platforms": "Intelligent Platforms", "annt": "ANNT", "amt": "AMT", "rsupport": "RSUPPORT",
            "huawei": "Huawei"}


@pytest.mark.parametrize("program", PROGRAMS)
def test_docs_programs_names_every_rule_row_of_the_sample(program):
    """docs/programs.md says, per seed, where each rule lives: every Requirements, ChannelRules and
    Statuses row of the sample's program.xlsx, and every setting that is not the default, is named
    in the seed's section."""
    from incentives import load, schema
    text = (ROOT / "docs" / "programs.md").read_text(encoding="utf-8")
    section = text.split(f"\n## {SECTIONS[program]} (")[1].split("\n## ")[0]
    inputs, _ = load.load(INPUTS / program)
    p = inputs.program
    missing = [f"{r.tier}, {r.attribute}" for r in p.requirements
               if r.attribute not in section or (r.tier not in section and "<each tier" not in section)]
    missing += [f"{r.role}, {r.customer_type}, {r.action}" for r in p.channel_rules
                if f"{r.role}, {r.customer_type}, {r.action}" not in section]
    missing += [s.name for s in p.statuses if f"`Statuses`: `{s.name}, {', '.join(s.tiers)}`" not in section]
    defaults = {s.key: s.default for s in schema.PROGRAM_SETTINGS if s.default is not None}
    for key in ("membership", "minimum_volume", "requires_opportunity", "period", "basis", "tier_method"):
        value = {"requires_opportunity": "yes" if p.requires_opportunity else "no"}.get(key, str(getattr(p, key)))
        if value != defaults[key] and f"{key} = {value}" not in section:
            missing.append(f"{key} = {value}")
    assert missing == [], program
