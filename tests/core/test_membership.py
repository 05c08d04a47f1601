"""classify.member_from: the first day of the program year a partner is a member."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from incentives.classify import member_from
from tests.inline import partner, program

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
