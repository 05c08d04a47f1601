"""classify.member_from: the first day of the program year a partner is a member."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from incentives.classify import classify, member_from
from incentives.convert import to_base
from incentives.periods import parse_period
from tests.inline import inputs, partner, program, sale

d = dt.date.fromisoformat


@pytest.mark.parametrize("membership, registered, renewed, member", [
    ("calendar_year", "2026-03-01", None, "2026-03-01"),  # registered in the program year: from then
    ("calendar_year", "2026-01-01", None, "2026-01-01"),
    ("calendar_year", "2025-05-01", None, None),  # registered before, never renewed
    ("calendar_year", "2025-05-01", "2025-12-15", "2026-01-01"),  # renewed the year before: from 1 January
    ("calendar_year", "2025-05-01", "2026-02-10", "2026-02-10"),  # renewed late: from its renewal
    ("calendar_year", "2023-05-01", "2024-12-01", None),  # that renewal was for 2025
    ("continuous", "2020-01-01", None, "2020-01-01"),  # a member since its registration
], ids=["registered-in-year", "registered-1-january", "no-renewal", "renewed-before", "renewed-in-year",
        "old-renewal", "continuous"])
def test_member_from(membership, registered, renewed, member):
    p = replace(partner("P1", registered_on=registered), renewed_on=d(renewed) if renewed else None)
    assert member_from(program(membership=membership), p) == (d(member) if member else None)


def test_lines_outside_a_calendar_year_membership_are_excluded_with_their_words():
    # L: lapsed (registered 2025, no renewal); R: renewed on 10 February 2026; N: registered in 2026, 1 March
    roster = [partner("L", registered_on="2025-05-01"),
              replace(partner("R", registered_on="2025-05-01"), renewed_on=d("2026-02-10")),
              partner("N", registered_on="2026-03-01")]
    lines = [sale("L1", "2026-07-01", 10, pid="L"), sale("R1", "2026-02-09", 10, pid="R"),
             sale("R2", "2026-02-10", 10, pid="R"), sale("N1", "2026-02-28", 10, pid="N"),
             sale("N2", "2026-03-01", 10, pid="N")]
    given = inputs(lines, roster, program(membership="calendar_year"))
    classified = classify(to_base(given), given, parse_period("2026Q3"))
    assert list(zip(classified["invoice_id"], classified["outcome"], classified["detail"])) == [
        ("L1", "OUTSIDE_MEMBERSHIP", "membership not renewed for 2026 (registered on 01 May 2025)"),
        ("R1", "OUTSIDE_MEMBERSHIP", "dated before the membership's renewal on 10 Feb 2026"),
        ("R2", "included", None),
        ("N1", "OUTSIDE_MEMBERSHIP", "dated before the partner's registration on 01 Mar 2026"),
        ("N2", "included", None)]
