"""The rules of the five seed programs that the contract's additions of issue 17 express:
add-on statuses, calendar-year membership, opportunity items, customers resolved against
the roster, the year-end minimum volume. Each test cites the seed's words; inputs inline."""

from __future__ import annotations

import datetime as dt

import openpyxl
import polars as pl
from click.testing import CliRunner

from incentives import pipeline
from incentives.cli import main
from incentives.periods import parse_period
from tests.builders import line, make_inputs, partner


def _review(out) -> dict[str, dict]:
    rows = list(openpyxl.load_workbook(out / "summary.xlsx")["TierReview"].iter_rows(values_only=True))
    return {r[0]: dict(zip(rows[0], r)) for r in rows[1:]}


LADDER = [("Primary Reseller", 1), ("Professional Reseller", 2), ("Solution Provider", 3)]
SERVICE = {
    "Statuses": [{"status": "Service Provider", "tiers": "Professional Reseller, Solution Provider"}],
    "Requirements": [
        {"tier": "Professional Reseller", "attribute": "sales_specialists", "operator": ">=", "value": "1"},
        {"tier": "Solution Provider", "attribute": "joint_solutions", "operator": ">=", "value": "1"},
        {"tier": "Service Provider", "attribute": "product_engineers", "operator": ">=", "value": "1"},
    ],
}


def test_an_add_on_status_is_reviewed_beside_the_ladder_not_on_top_of_it(tmp_path):
    """Intelligent Platforms: «Service Reseller/Provider (для участников со статусом
    Professional/Corporate Reseller или Solution Provider)»: a status held in addition to a
    level, not the top of the ladder. A Primary Reseller with an engineer is not told to
    upgrade to it; a Professional Reseller with one may apply; one that holds it without an
    engineer is reviewed for the status, and keeps its level."""
    partners = [
        partner("P1", "Primary Reseller", product_engineers=1, sales_specialists=0, joint_solutions=0),
        partner("P2", "Professional Reseller", product_engineers=1, sales_specialists=1, joint_solutions=1),
        partner("P3", "Professional Reseller", product_engineers=0, sales_specialists=1, joint_solutions=0,
                statuses="Service Provider"),
        partner("P4", "Solution Provider", product_engineers=2, sales_specialists=0, joint_solutions=1,
                statuses="Service Provider"),
    ]
    folder = make_inputs(tmp_path / "in", {"s.xlsx": [line("I1", "2026-02-01", 1000, "P1")]}, partners=partners,
                         tiers=LADDER, extra_program_sheets=SERVICE)
    outcome = pipeline.run(folder, parse_period("2026Q1"), tmp_path / "out")
    assert outcome.ok, [str(p) for p in outcome.problems]
    review = _review(tmp_path / "out")
    ladder = {p: (r["recommendation"], r["highest_qualifying_tier"]) for p, r in review.items()}
    assert ladder == {"P1": ("keep", "Primary Reseller"), "P2": ("upgrade", "Solution Provider"),
                      "P3": ("keep", "Professional Reseller"), "P4": ("keep", "Solution Provider")}
    statuses = {p: (r["statuses_held"], r["status_recommendation"]) for p, r in review.items()}
    assert statuses == {"P1": (None, None), "P2": (None, "Service Provider: apply"),
                        "P3": ("Service Provider", "Service Provider: review"),
                        "P4": ("Service Provider", "Service Provider: keep")}
    assert review["P3"]["status_requirements"] == "Service Provider: product_engineers 0 >= 1: not met"


def test_a_status_held_by_a_tier_it_is_not_for_is_reviewed_and_an_unknown_one_refused(tmp_path):
    """«для участников со статусом Professional/Corporate Reseller или Solution Provider»:
    a Primary Reseller holding it is reviewed; a status the program does not list is an error."""
    partners = [partner("P1", "Primary Reseller", product_engineers=1, sales_specialists=0, joint_solutions=0,
                        statuses="Service Provider"),
                partner("P2", "Primary Reseller", product_engineers=1, sales_specialists=0, joint_solutions=0,
                        statuses="Gold Service")]
    folder = make_inputs(tmp_path / "in", {"s.xlsx": [line("I1", "2026-02-01", 1000, "P1")]}, partners=partners,
                         tiers=LADDER, extra_program_sheets=SERVICE)
    result = CliRunner().invoke(main, ["validate", str(folder), "--period", "2026Q1"])
    assert result.exit_code == 1
    assert "partners.xlsx:Partners row 3: status 'Gold Service' of P2 is not in the program's Statuses sheet" \
        in result.output
    make_inputs(folder, {"s.xlsx": [line("I1", "2026-02-01", 1000, "P1")]}, partners=partners[:1], tiers=LADDER,
                extra_program_sheets=SERVICE)
    assert pipeline.run(folder, parse_period("2026Q1"), tmp_path / "out").ok
    review = _review(tmp_path / "out")["P1"]
    assert (review["status_recommendation"], review["status_requirements"]) == (
        "Service Provider: review",
        "Service Provider: for Professional Reseller, Solution Provider only; product_engineers 1 >= 1: met")


def _membership(tmp_path, membership: str | None, partners: list[dict]) -> pl.DataFrame:
    sales = [line(f"{p['partner_id']}-{d}", d, 1000, p["partner_id"])
             for p in partners for d in ("2026-01-20", "2026-03-02")]
    folder = make_inputs(tmp_path / "in", {"s.xlsx": sales}, partners=partners,
                         program={"membership": membership} if membership else None)
    outcome = pipeline.run(folder, parse_period("2026Q1"), tmp_path / "out")
    assert outcome.ok, [str(p) for p in outcome.problems]
    return outcome.settlement.lines.sort("invoice_id").select("invoice_id", "outcome", "detail")


MEMBERS = [
    partner("P1", registered_on=dt.date(2025, 4, 1), renewed_on=dt.date(2025, 12, 15)),  # renewed in time
    partner("P2", registered_on=dt.date(2025, 4, 1)),  # not renewed
    partner("P3", registered_on=dt.date(2024, 6, 1), renewed_on=dt.date(2026, 2, 10)),  # renewed late
    partner("P4", registered_on=dt.date(2023, 6, 1), renewed_on=dt.date(2024, 12, 1)),  # renewed for 2025 only
    partner("P5", registered_on=dt.date(2026, 1, 25)),  # registered in the year
]


def test_calendar_year_membership_needs_a_renewal(tmp_path):
    """Intelligent Platforms: «Членство ... действует со дня регистрации и до конца календарного
    года. Продление участия на следующий период возможно ... по согласованию сторон»: a 2025
    registration is a member in 2026 only from its renewal."""
    lines = _membership(tmp_path, "calendar_year", MEMBERS)
    assert [tuple(r) for r in lines.iter_rows()] == [
        ("P1-2026-01-20", "included", None), ("P1-2026-03-02", "included", None),
        ("P2-2026-01-20", "OUTSIDE_MEMBERSHIP", "membership not renewed for 2026 (registered on 01 Apr 2025)"),
        ("P2-2026-03-02", "OUTSIDE_MEMBERSHIP", "membership not renewed for 2026 (registered on 01 Apr 2025)"),
        ("P3-2026-01-20", "OUTSIDE_MEMBERSHIP", "dated before the membership's renewal on 10 Feb 2026"),
        ("P3-2026-03-02", "included", None),
        ("P4-2026-01-20", "OUTSIDE_MEMBERSHIP", "membership not renewed for 2026 (registered on 01 Jun 2023)"),
        ("P4-2026-03-02", "OUTSIDE_MEMBERSHIP", "membership not renewed for 2026 (registered on 01 Jun 2023)"),
        ("P5-2026-01-20", "OUTSIDE_MEMBERSHIP", "dated before the partner's registration on 25 Jan 2026"),
        ("P5-2026-03-02", "included", None),
    ]


def test_continuous_membership_is_the_default_and_ignores_renewals(tmp_path):
    """The contract's reading, kept as the default: a member from registration on."""
    lines = _membership(tmp_path, None, MEMBERS)
    assert lines.filter(pl.col("outcome") != "included")["invoice_id"].to_list() == ["P5-2026-01-20"]


def test_a_renewal_before_registration_is_refused(tmp_path):
    folder = make_inputs(tmp_path / "in", {"s.xlsx": [line("I1", "2026-02-01", 1000)]},
                         partners=[partner("P1", registered_on=dt.date(2025, 4, 1), renewed_on=dt.date(2025, 1, 1))],
                         program={"membership": "calendar_year"})
    result = CliRunner().invoke(main, ["validate", str(folder), "--period", "2026Q1"])
    assert result.exit_code == 1
    assert "renewed_on 2025-01-01 of P1 is before its registered_on 2025-04-01" in result.output


def test_a_tiers_own_zero_band_earns_nothing_over_every_threshold(tmp_path):
    """Intelligent Platforms: «участие в накопительной программе*» is a benefit of the program's
    members; a tier's own bands replace the `*` bands, and a 0% band pays nothing, however much
    is bought (the distributors of the sample)."""
    partners = [partner("P1", "Primary"), partner("D1", "Distributor", role="distributor")]
    sales = [line("I1", "2026-02-01", 4000000, "P1"), line("I2", "2026-02-01", 4000000, "D1",
                                                           customer_type="reseller")]
    folder = make_inputs(tmp_path / "in", {"s.xlsx": sales}, partners=partners,
                         tiers=[("Primary", 1), ("Distributor", 1)],
                         bands=[("*", 0, "0.02"), ("*", 3000000, "0.04"), ("Distributor", 0, "0")])
    outcome = pipeline.run(folder, parse_period("2026Q1"), tmp_path / "out")
    assert outcome.ok, [str(p) for p in outcome.problems]
    rows = {r.partner.partner_id: r for r in outcome.settlement.rows}
    # P1: 4,000,000 × 4% = 160,000.00; D1: 4,000,000 × 0% = 0, its line included
    assert (rows["P1"].entitlement.amount, rows["P1"].totals.included_lines) == (160000, 1)
    assert (rows["D1"].entitlement.amount, rows["D1"].totals.included_lines) == (0, 1)


def test_below_the_minimum_volume_at_the_years_end_is_review_not_keep(tmp_path):
    """ANNT: «Partners will need to meet minimum volume»: with `minimum_volume = annual_target_c`,
    a partner meeting its requirements but whose year ends below its tier's C target is
    `review`, in the run of the year's last period only."""
    folder = make_inputs(tmp_path / "in", {"s.xlsx": [line("I1", "2026-03-01", "299999.99", "P1"),
                                                      line("I2", "2026-03-01", "300000", "P2")]},
                         partners=[partner("P1", "Silver"), partner("P2", "Silver")],
                         tiers=[("Silver", 1, 500000, 400000, 300000)], program={"minimum_volume": "annual_target_c"})
    for period, expected in (("2026Q3", {"P1": "keep", "P2": "keep"}), ("2026Q4", {"P1": "review", "P2": "keep"})):
        assert pipeline.run(folder, parse_period(period), tmp_path / period).ok
        review = _review(tmp_path / period)
        assert {p: r["recommendation"] for p, r in review.items()} == expected, period
    # 299,999.99 is 0.01 under the C target 300,000.00; 300,000.00 reaches it
    assert review["P1"]["requirements"] == "below the minimum volume: 299,999.99 < annual_target_c 300,000.00 KZT"
    assert review["P2"]["requirements"] is None


def _opportunity_run(tmp_path, opportunities: list[dict]) -> list[tuple]:
    sales = [line("I1", "2026-02-10", 1000, opportunity_id="OP-1", product_sku="RC-STD-1Y"),
             line("I2", "2026-02-10", 500, opportunity_id="OP-1", product_sku="rc std 1y"),
             line("I3", "2026-02-10", 300, opportunity_id="OP-1", product_sku="CAM-HD-1080"),
             line("I4", "2026-02-10", 200, opportunity_id="OP-2", product_sku="CAM-HD-1080")]
    folder = make_inputs(tmp_path / "in", {"s.xlsx": sales}, program={"requires_opportunity": "yes"},
                         opportunities=opportunities)
    outcome = pipeline.run(folder, parse_period("2026Q1"), tmp_path / "out")
    assert outcome.ok, [str(p) for p in outcome.problems]
    return [tuple(r) for r in outcome.settlement.lines.sort("invoice_id").select("invoice_id", "outcome", "detail")
            .iter_rows()]


def _opp(oid: str, sku: str | None = None) -> dict:
    return {"opportunity_id": oid, "partner_id": "P1", "customer_name": "Customer",
            "registered_on": dt.date(2026, 1, 5), "status": "approved", **({"product_sku": sku} if sku else {})}


def test_an_item_not_on_the_opportunity_is_not_registered(tmp_path):
    """RSUPPORT: «Opportunity report ... (unlisted item will be excluded for rebate)»: per item.
    OP-1 lists RC-STD-1Y and RV-10PC-1Y (one row per item), so a CAM-HD-1080 line naming it does
    not count; OP-2 lists no item, so it covers the whole deal, as before."""
    assert _opportunity_run(tmp_path, [_opp("OP-1", "RC-STD-1Y"), _opp("OP-1", "RV-10PC-1Y"), _opp("OP-2")]) == [
        ("I1", "included", None), ("I2", "included", None),
        ("I3", "NOT_REGISTERED", "item not on the opportunity: CAM-HD-1080 is not listed on OP-1"),
        ("I4", "included", None)]


def test_opportunity_items_may_be_listed_in_one_cell(tmp_path):
    """The same rule with the items comma-separated in one product_sku cell."""
    assert _opportunity_run(tmp_path, [_opp("OP-1", "RC-STD-1Y, RV-10PC-1Y"), _opp("OP-2")])[2] == (
        "I3", "NOT_REGISTERED", "item not on the opportunity: CAM-HD-1080 is not listed on OP-1")


def test_item_rows_of_one_opportunity_must_agree_on_the_deal(tmp_path):
    other = {**_opp("OP-1", "RV-10PC-1Y"), "status": "pending"}
    folder = make_inputs(tmp_path / "in", {"s.xlsx": [line("I1", "2026-02-10", 1000, opportunity_id="OP-1")]},
                         program={"requires_opportunity": "yes"}, opportunities=[_opp("OP-1", "RC-STD-1Y"), other])
    result = CliRunner().invoke(main, ["validate", str(folder), "--period", "2026Q1"])
    assert result.exit_code == 1 and "opportunity_id OP-1 is also at" in result.output


def test_a_customer_on_the_roster_is_judged_by_its_roster_role(tmp_path):
    """Huawei: «The value-added partners shall not supply products to tier-2 resellers of Huawei»;
    «In principle, the distributor shall not directly supply products to end users». Whether the
    customer is a tier-2 reseller is looked up in the roster (by partner_id or company_id), not
    read from the line's customer_type."""
    partners = [partner("V1", role="value_added_partner"), partner("D1", role="distributor"),
                partner("R1", role="reseller", company_id="AE-555")]
    sales = [line("I1", "2026-02-01", 1000, "V1", customer_id="R1", customer_type="end_user"),
             line("I2", "2026-02-01", 1000, "V1", customer_id="AE-555", customer_type="end_user"),
             line("I3", "2026-02-01", 1000, "V1", customer_id="EU-1", customer_type="end_user"),
             line("I4", "2026-02-01", 1000, "D1", customer_id="AE-555", customer_type="end_user"),
             line("I5", "2026-02-01", 1000, "D1", customer_id="EU-1", customer_type="end_user")]
    rules = {"ChannelRules": [{"role": "value_added_partner", "customer_type": "reseller", "action": "exclude"},
                              {"role": "distributor", "customer_type": "end_user", "action": "flag"}]}
    folder = make_inputs(tmp_path / "in", {"s.xlsx": sales}, partners=partners, extra_program_sheets=rules)
    outcome = pipeline.run(folder, parse_period("2026Q1"), tmp_path / "out")
    assert outcome.ok, [str(p) for p in outcome.problems]
    lines = outcome.settlement.lines.sort("invoice_id").select("invoice_id", "outcome", "detail", "flag")
    assert [tuple(r) for r in lines.iter_rows()] == [
        ("I1", "CHANNEL_CONFLICT", "a value-added partner must not sell to customers of type reseller "
         "(customer R1 is R1 on the roster, a reseller)", None),
        ("I2", "CHANNEL_CONFLICT", "a value-added partner must not sell to customers of type reseller "
         "(customer AE-555 is R1 on the roster, a reseller)", None),
        ("I3", "included", None, None),
        ("I4", "included", None, None),  # typed end_user, but R1 is a reseller: not flagged
        ("I5", "included", None, "channel: a distributor selling to customers of type end user")]
    statement = openpyxl.load_workbook(tmp_path / "out" / "statements" / "V1.xlsx")
    said = [c for ws in statement for row in ws.iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert any("(customer AE-555 is R1 on the roster, a reseller)" in c for c in said)
