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
