"""The rebate engine: outcomes, currency, bands, accrual and true-up, as the contract states them."""

from __future__ import annotations

from decimal import Decimal

import pytest

from incentives import pipeline
from incentives.model import Requirement
from incentives.problems import Source
from incentives.review import meets
from incentives.periods import parse_period
from tests.builders import line, make_inputs, partner

D = Decimal
WORKED = {"q.xlsx": [line("Q1", "2026-02-10", 1200000), line("Q2", "2026-05-10", 1500000),
                     line("Q3", "2026-08-10", 800000)]}


def ledger(folder, period="2026Q3", previous=None, out=None):
    outcome = pipeline.run(folder, parse_period(period), out or folder.parent / f"out-{period}", previous)
    assert outcome.ok, [str(p) for p in outcome.problems]
    return {r.partner.partner_id: r for r in outcome.settlement.rows}, outcome


def outcomes(outcome) -> dict[str, str]:
    return dict(zip(outcome.settlement.lines["invoice_id"], outcome.settlement.lines["outcome"]))


@pytest.mark.parametrize("method, entitlement, settled, accrual", [
    ("all_units", "140000.00", "54000.00", "86000.00"),      # 3,500,000 x 4% - 2,700,000 x 2%
    ("incremental", "80000.00", "54000.00", "26000.00"),     # 3,000,000 x 2% + 500,000 x 4% - 54,000
], ids=["all_units", "incremental"])
def test_seed_worked_case(tmp_path, method, entitlement, settled, accrual):
    rows, _ = ledger(make_inputs(tmp_path / "in", WORKED, program={"tier_method": method}))
    row = rows["P1"]
    assert (row.totals.period_base, row.totals.ytd_base) == (D("800000.00"), D("3500000.00"))
    assert row.entitlement.rate == D("0.04")
    assert (row.entitlement.amount, row.previously_settled, row.accrual) == (D(entitlement), D(settled), D(accrual))
    assert row.total_payable == D(accrual)


@pytest.mark.parametrize("amount, rate, points", [
    ("3000000.00", "0.02", "60000.00"),
    ("3000000.01", "0.04", "120000.00"),
    ("0", "0", "0.00"),
], ids=["at-threshold-2pct", "one-cent-over-4pct", "nothing"])
def test_threshold_cent(tmp_path, amount, rate, points):
    rows, _ = ledger(make_inputs(tmp_path / "in", {"a.xlsx": [line("A", "2026-07-01", amount)]}))
    assert (rows["P1"].entitlement.rate, rows["P1"].entitlement.amount) == (D(rate), D(points))


def test_first_period_settles_nothing(tmp_path):
    rows, _ = ledger(make_inputs(tmp_path / "in", WORKED), period="2026Q1")
    assert (rows["P1"].previously_settled, rows["P1"].accrual) == (D(0), D("24000.00"))


def test_clawback_when_returns_push_below_band(tmp_path):
    sales = {"a.xlsx": [line("A", "2026-04-10", 3500000), line("CN", "2026-08-10", -1000000)]}
    rows, _ = ledger(make_inputs(tmp_path / "in", sales))
    row = rows["P1"]
    # Q2 settled 3,500,000 x 4% = 140,000; Q3 entitles 2,500,000 x 2% = 50,000
    assert (row.previously_settled, row.entitlement.amount, row.accrual) == (D("140000.00"), D("50000.00"),
                                                                            D("-90000.00"))


def test_ledger_chain_surfaces_late_lines(tmp_path):
    early = make_inputs(tmp_path / "q2", {"a.xlsx": [line("A", "2026-04-10", 2000000)]})
    _, q2 = ledger(early, period="2026Q2")
    # A Q1 line arrives late, in the Q3 reports: recomputation would pretend Q2 had it.
    late = make_inputs(tmp_path / "q3", {"a.xlsx": [line("A", "2026-04-10", 2000000)],
                                         "b.xlsx": [line("LATE", "2026-02-01", 1500000),
                                                    line("B", "2026-08-01", 100000)]})
    chained, _ = ledger(late, previous=q2.out)
    recomputed, _ = ledger(late)
    assert chained["P1"].previously_settled == D("40000.00")     # really paid: 2,000,000 x 2%
    assert recomputed["P1"].previously_settled == D("140000.00")  # 3,500,000 x 4% as if known in Q2
    assert chained["P1"].entitlement.amount == recomputed["P1"].entitlement.amount == D("144000.00")
    assert chained["P1"].accrual == D("104000.00")


def test_fx_rounds_per_line(tmp_path):
    sales = {"usd.xlsx": [line("U1", "2026-07-05", "10.01", currency="USD"),
                          line("U2", "2026-07-06", "10.01", currency="USD")]}
    folder = make_inputs(tmp_path / "in", sales, fx=[("USD", "2026-07", "480.125")])
    rows, outcome = ledger(folder)
    # 10.01 x 480.125 = 4806.05125 -> 4806.05 each, not 9612.1025 -> 9612.10 once
    assert list(outcome.settlement.lines["base_amount"]) == [D("4806.05"), D("4806.05")]
    assert rows["P1"].totals.ytd_base == D("9612.10")


def test_missing_fx_rate_is_an_error(tmp_path):
    sales = {"usd.xlsx": [line("U1", "2026-07-05", "10", currency="USD")]}
    folder = make_inputs(tmp_path / "in", sales, fx=[("USD", "2026-06", "480")])
    outcome = pipeline.run(folder, parse_period("2026Q3"), tmp_path / "out")
    assert not outcome.ok and not (tmp_path / "out").exists()
    assert any("no rate for USD 2026-07, needed by sales/usd.xlsx:Sales row 2" in str(p) for p in outcome.problems)


def test_each_reason_code(tmp_path):
    opps = [{"opportunity_id": "OK", "partner_id": "P1", "customer_name": "C", "registered_on": "2026-01-01",
             "status": "approved"},
            {"opportunity_id": "PEND", "partner_id": "P1", "customer_name": "C", "registered_on": "2026-01-01",
             "status": "pending"},
            {"opportunity_id": "OTHER", "partner_id": "P2", "customer_name": "C", "registered_on": "2026-01-01",
             "status": "approved"},
            {"opportunity_id": "OLD", "partner_id": "P1", "customer_name": "C", "registered_on": "2026-01-01",
             "expires_on": "2026-03-31", "status": "approved"}]
    sales = {"a.xlsx": [
        line("INC", "2026-07-01", 100, opportunity_id="OK"),
        line("DUP", "2026-07-01", 100, opportunity_id="OK"),
        line("DUP", "2026-07-01", 100, opportunity_id="OK"),
        line("UNK", "2026-07-01", 100, pid="NOPE", opportunity_id="OK"),
        line("LATE", "2026-10-01", 100, opportunity_id="OK"),
        line("PREV", "2025-12-31", 100, opportunity_id="OK"),
        line("EARLY", "2026-02-01", 100, pid="P2", opportunity_id="OTHER"),
        line("EXCL", "2026-07-01", 100, opportunity_id="OK", product_sku="DEMO"),
        line("CHAN", "2026-07-01", 100, pid="D1", opportunity_id="OK"),
        line("NOOPP", "2026-07-01", 100),
        line("UNKOPP", "2026-07-01", 100, opportunity_id="X"),
        line("PENDING", "2026-07-01", 100, opportunity_id="PEND"),
        line("OTHERS", "2026-07-01", 100, opportunity_id="OTHER"),
        line("EXPIRED", "2026-07-01", 100, opportunity_id="OLD"),
    ]}
    folder = make_inputs(
        tmp_path / "in", sales, program={"requires_opportunity": "yes"},
        partners=[partner("P1"), partner("P2", registered_on="2026-03-01"), partner("D1", role="distributor")],
        opportunities=opps,
        extra_program_sheets={"Exclusions": [{"field": "product_sku", "value": "DEMO"}],
                              "ChannelRules": [{"role": "distributor", "customer_type": "end_user",
                                                "action": "exclude"}]})
    rows, outcome = ledger(folder)
    lines = outcome.settlement.lines
    assert list(lines["outcome"]) == [
        "included", "included", "DUPLICATE", "UNKNOWN_PARTNER", "OUT_OF_PERIOD", "OUT_OF_PERIOD",
        "OUTSIDE_MEMBERSHIP", "PRODUCT_EXCLUDED", "CHANNEL_CONFLICT", "NOT_REGISTERED", "NOT_REGISTERED",
        "NOT_REGISTERED", "NOT_REGISTERED", "NOT_REGISTERED"]
    assert (rows["P1"].totals.included_lines, rows["P1"].totals.excluded_lines) == (2, 9)
    assert rows["P1"].totals.excluded_amount == D("900.00")


def test_first_reason_wins(tmp_path):
    # unknown partner and out of period at once: UNKNOWN_PARTNER comes first in the contract's order
    sales = {"a.xlsx": [line("X", "2026-11-01", 100, pid="NOPE")]}
    _, outcome = ledger(make_inputs(tmp_path / "in", sales))
    assert outcomes(outcome) == {"X": "UNKNOWN_PARTNER"}


def test_same_key_other_content_is_an_error(tmp_path):
    sales = {"a.xlsx": [line("A", "2026-07-01", 100)], "b.xlsx": [line("A", "2026-07-01", 200)]}
    outcome = pipeline.run(make_inputs(tmp_path / "in", sales), parse_period("2026Q3"), tmp_path / "out")
    assert not outcome.ok
    [problem] = [p for p in outcome.problems if p.is_error]
    assert str(problem).startswith("sales/b.xlsx:Sales row 2: partner P1 invoice A line 1 is also at "
                                   "sales/a.xlsx:Sales row 2 with other content (net_amount 100")


def test_tier_bands_replace_star(tmp_path):
    bands = [("*", 0, "0.02"), ("Gold", 0, "0.05")]
    folder = make_inputs(tmp_path / "in", {"a.xlsx": [line("A", "2026-07-01", 1000), line("B", "2026-07-01", 1000,
                                                                                            pid="G")]},
                         partners=[partner("P1"), partner("G", tier="Gold")], bands=bands,
                         tiers=[("Primary", 1), ("Gold", 2)])
    rows, _ = ledger(folder)
    assert (rows["P1"].entitlement.amount, rows["G"].entitlement.amount) == (D("20.00"), D("50.00"))


def test_company_both_distributor_and_vap_is_an_input_error(tmp_path):
    folder = make_inputs(tmp_path / "in", {"a.xlsx": [line("A", "2026-07-01", 1)]},
                         partners=[partner("P1"), partner("D1", role="distributor", company_id="BIN-7"),
                                   partner("V1", role="value_added_partner", company_id="BIN-7")])
    outcome = pipeline.run(folder, parse_period("2026Q3"), tmp_path / "out")
    assert [str(p) for p in outcome.problems if p.is_error] == [
        "partners.xlsx:Partners row 4: company BIN-7 is a value_added_partner (V1) and a distributor "
        "(D1, partners.xlsx:Partners row 3) (a distributor cannot also be a value-added partner: keep one role)"]


@pytest.mark.parametrize("operator, actual, met", [
    (">", "1000000.01", True), (">", "1000000", False), (">=", "1000000", True), (">=", "999999.99", False),
    ("<", "999999.99", True), ("<", "1000000", False), ("<=", "1000000", True), (">", "many", False),
], ids=["over", "not-over-at-the-value", "at-least", "not-at-least", "under", "not-under-at-the-value", "at-most",
        "not-a-number"])
def test_ordered_requirements_compare_numbers(operator, actual, met):
    requirement = Requirement("Gold", "sales_scale_usd", operator, "1000000", Source("program.xlsx"))
    assert meets(requirement, actual) is met


def test_over_and_under_read_in_words(tmp_path):
    folder = make_inputs(tmp_path, {"a.xlsx": [line("A", "2026-07-01", 100)]},
                         partners=[partner("P1", sales_scale_usd="1000000")],
                         extra_program_sheets={"Requirements": [
                             {"tier": "Primary", "attribute": "sales_scale_usd", "operator": "свыше", "value": "999999"},
                             {"tier": "Primary", "attribute": "sales_scale_usd", "operator": "under", "value": "1000000"}]})
    checked = pipeline.check(folder, parse_period("2026Q3"))
    assert checked.ok, [str(p) for p in checked.problems]
    assert [r.operator for r in checked.inputs.program.requirements] == [">", "<"]
