"""validate's newer rules, each fed the fault it guards against, message word for word: TierHistory
rows, calendar-year renewals, portable partner ids, a renewal before the registration."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from incentives.model import Status, TierChange
from incentives.periods import parse_period
from incentives.problems import Source
from incentives.validate import partners as partner_rule
from incentives.validate import opportunities as opportunity_rule
from incentives.validate import portable_partner_ids, rate_bands, renewals, statuses, tier_history
from incentives.validate import unsafe_file_name
from tests.inline import band, inputs, opportunity, partner, program

d = dt.date.fromisoformat
TIERS = program(tiers=[("Silver", 1), ("Gold", 2)])
COLUMNS = (("partner_id", 0), ("tier", 1), ("effective_from", 2))


def row(n, pid, tier, day) -> TierChange:
    """Row n of partners.xlsx's TierHistory."""
    return TierChange(pid, tier, d(day), Source("partners.xlsx", "TierHistory", n), COLUMNS)


def said(rule, given, period=None) -> list[str]:
    return [f"{'error' if p.is_error else 'note'}: {p}" for p in rule(given, parse_period(period) if period else None)]


def test_tier_history_rows_name_a_roster_partner_a_tier_and_one_date_each():
    roster = [partner("P1", tier="Silver"), partner("P2", tier="Gold", registered_on="2026-03-15")]
    history = (row(2, "P1", "Silver", "2026-01-01"), row(3, "P1", "Gold", "2026-05-01"),
               row(4, "P9", "Gold", "2026-01-01"), row(5, "P1", "Platinum", "2026-06-01"),
               row(6, "P1", "Gold", "2026-05-01"),
               # P2 registered 15 March: its first row, 1 April, leaves 15-31 March without a tier
               row(7, "P2", "Gold", "2026-04-01"))
    given = replace(inputs([], roster, TIERS), tier_history=history)
    assert said(tier_history, given) == [
        "error: partners.xlsx:TierHistory!A4: partner 'P9' is not in the Partners sheet (a tier change is of a roster "
        "partner: add it there, or remove this row)",
        "error: partners.xlsx:TierHistory!B5: tier 'Platinum' of P1 is not in the program's Tiers sheet (tiers: Gold, "
        "Silver)",
        "error: partners.xlsx:TierHistory!C6: partner P1 has a second row effective 2026-05-01 (also row 3) (a partner "
        "has one tier on a day: keep one row)",
        "error: partners.xlsx:TierHistory!C7: partner P2 has no TierHistory row in effect on 2026-03-15 (its first is "
        "effective 2026-04-01), so its tier before then is unknown (add a row P2 | <its tier then> | 2026-03-15 (or "
        "earlier))"]


@pytest.mark.parametrize("registered, first, problem", [
    ("2025-01-01", "2026-01-01", False), ("2025-01-01", "2025-06-01", False), ("2025-01-01", "2026-01-02", True),
    ("2026-03-15", "2026-03-15", False), ("2026-03-15", "2026-03-16", True),
])
def test_a_history_covers_the_year_from_the_later_of_1_january_and_the_registration(registered, first, problem):
    given = replace(inputs([], [partner("P1", tier="Silver", registered_on=registered)], TIERS),
                    tier_history=(row(2, "P1", "Silver", first),))
    assert bool(said(tier_history, given)) is problem


def test_a_roster_tier_other_than_the_history_gives_at_the_periods_end_is_noted():
    history = (row(2, "P1", "Silver", "2026-01-01"), row(3, "P1", "Gold", "2026-05-01"))
    given = replace(inputs([], [partner("P1", tier="Silver")], TIERS), tier_history=history)
    assert said(tier_history, given, "2026Q3") == [
        "note: inline: tier 'Silver' of P1 in the Partners sheet is not used for rating: its TierHistory gives 'Gold' "
        "on 2026-09-30, and each line earns under the tier in effect on its date (bring the Partners sheet's tier up to "
        "date)"]
    assert said(tier_history, given, "2026Q1") == []  # Silver on 31 March
    assert said(tier_history, given) == []  # no period: nothing to compare
    # without a Tiers sheet every tier is known: still noted
    assert len(said(tier_history, replace(given, program=program(tiers=())), "2026Q3")) == 1
    # a history naming an unknown tier is an error already: no note besides
    unknown = replace(given, tier_history=(*history, row(4, "P1", "Platinum", "2026-06-01")))
    assert [s.split(":")[0] for s in said(tier_history, unknown, "2026Q3")] == ["error"]


def lapsed(*members, membership="calendar_year") -> list[str]:
    return said(renewals, inputs([], list(members), program(membership=membership)))


def member(pid, registered, renewed=None):
    return replace(partner(pid, registered_on=registered), renewed_on=d(renewed) if renewed else None)


def test_calendar_year_membership_notes_the_partners_without_a_renewal_for_the_year():
    # A: no renewal; B renewed in December 2025, C in 2026: for 2026; D renewed in 2024: not; E registered in 2026
    members = [member("A", "2025-05-01"), member("B", "2024-01-01", "2025-12-15"),
               member("C", "2025-01-01", "2026-01-10"), member("D", "2023-01-01", "2024-12-01"),
               member("E", "2026-02-01"), member("F", "2026-01-01")]
    assert lapsed(*members) == [
        "note: partners.xlsx:Partners: membership = calendar_year: 2 partner(s) registered before 2026 have no "
        "renewal for it (A, D): their lines are OUTSIDE_MEMBERSHIP (enter the renewal date in renewed_on if one was "
        "agreed)"]
    assert lapsed(*members, membership="continuous") == []
    assert lapsed(member("B", "2024-01-01", "2025-12-15")) == []


def test_a_long_list_of_lapsed_partners_names_ten():
    ten = [member(f"L{i:02}", "2025-01-01") for i in range(1, 11)]
    assert "(L01, L02, L03, L04, L05, L06, L07, L08, L09, L10):" in lapsed(*ten)[0]
    twelve = lapsed(*ten, member("L11", "2025-01-01"), member("L12", "2025-01-01"))
    assert "12 partner(s)" in twelve[0]
    assert "(L01, L02, L03, L04, L05, L06, L07, L08, L09, L10 and 2 more):" in twelve[0]


def on_roster(pid, n):
    return replace(partner(pid), source=Source("partners.xlsx", "Partners", n), id_column=0)


def test_partner_ids_that_are_one_file_name_on_windows_and_macos():
    composed, decomposed = "Caf\u00e9", "Cafe\u0301"
    found = said(portable_partner_ids, inputs([], [on_roster("P1", 2), on_roster("a/b", 3), on_roster("p1", 4),
                                                   on_roster(composed, 5), on_roster(decomposed.upper(), 6),
                                                   on_roster("a/b", 7), on_roster("P2", 8)]))
    assert found == [
        "error: partners.xlsx:Partners!A3: partner_id 'a/b' must not contain / \\ : * ? \" < > | (it names the "
        "partner's statement file: use letters, digits, - and _)",
        "error: partners.xlsx:Partners!A4: partner_id 'p1' and 'P1' (partners.xlsx:Partners!A2) are one file name on "
        "Windows and macOS, which ignore case and Unicode normalization (give one of them another id: each names the "
        "partner's statement file)",
        f"error: partners.xlsx:Partners!A6: partner_id '{decomposed.upper()}' and '{composed}' "
        "(partners.xlsx:Partners!A5) are one file name on Windows and macOS, which ignore case and Unicode "
        "normalization (give one of them another id: each names the partner's statement file)",
        "error: partners.xlsx:Partners!A7: partner_id 'a/b' must not contain / \\ : * ? \" < > | (it names the "
        "partner's statement file: use letters, digits, - and _)"]


def test_a_renewal_before_the_registration_is_an_error():
    found = said(partner_rule, inputs([], [member("P1", "2025-01-01", "2024-12-31"), member("P2", "2025-01-01",
                                                                                            "2025-01-01")]))
    assert found == ["error: inline: renewed_on 2024-12-31 of P1 is before its registered_on 2025-01-01 (a "
                     "membership is renewed after it began)"]


def test_a_tier_only_the_history_names_needs_bands_too():
    # no Tiers sheet; bands for Silver only, no * band: Gold, named by TierHistory alone, has none
    given = replace(inputs([], [partner("P1", tier="Silver")], program(bands=[band(0, "0.01", "Silver")], tiers=())),
                    tier_history=(row(2, "P1", "Silver", "2026-01-01"), row(3, "P1", "Gold", "2026-05-01")))
    assert said(rate_bands, given) == [
        "error: program.xlsx:RateBands: tier 'Gold' has no rate band and there is no * band (add bands for it, or * "
        "bands for every tier)"]


def status(name, *tiers, n=2):
    return Status(name, tiers, Source("program.xlsx", "Statuses", n))


def test_statuses_are_no_tiers_listed_once_for_listed_tiers_and_held_as_listed():
    given = inputs([], [replace(partner("P1", tier="Gold"), statuses=("SP", "VIP")), partner("P2", tier="Silver")],
                   program(tiers=[("Silver", 1), ("Gold", 2)],
                           statuses=(status("SP", "Gold", n=2), status("Gold", "Gold", n=3), status("SP", "Gold", n=4),
                                     status("Cloud", "Gold", "Platinum", n=5))))
    assert said(statuses, given) == [
        "error: program.xlsx:Statuses row 3: status 'Gold' is also a tier of the Tiers sheet (a status is held beside "
        "a tier: remove it from one of the two sheets)",
        "error: program.xlsx:Statuses row 4: status 'SP' is listed twice (keep one row)",
        "error: program.xlsx:Statuses row 5: status 'Cloud' names tier 'Platinum', which the Tiers sheet does not list "
        "(tiers: Gold, Silver)",
        "error: inline: status 'VIP' of P1 is not in the program's Statuses sheet (statuses: Cloud, Gold, SP)"]
    # a status held where the program lists none
    none = inputs([], [replace(partner("P1"), statuses=("SP",))])
    assert said(statuses, none) == ["error: inline: status 'SP' of P1 is not in the program's Statuses sheet "
                                    "(statuses: none)"]
    clean = inputs([], [replace(partner("P1", tier="Gold"), statuses=("SP",))],
                   program(tiers=[("Silver", 1), ("Gold", 2)], statuses=(status("SP", "Gold", "Silver"),)))
    assert said(statuses, clean) == []


def test_eleven_lapsed_partners_name_ten_and_one_more():
    eleven = [member(f"L{i:02}", "2025-01-01") for i in range(1, 12)]
    assert "(L01, L02, L03, L04, L05, L06, L07, L08, L09, L10 and 1 more):" in lapsed(*eleven)[0]


@pytest.mark.parametrize("name, why", [
    ("a\ufdd0", "holds U+FDD0, a noncharacter"),  # the first of U+FDD0..U+FDEF
    ("a\ufdef", "holds U+FDEF, a noncharacter"),  # the last
    ("a\ufdf0", None),  # an Arabic ligature just after them
    ("a\ufffe", "holds U+FFFE, a noncharacter"),
    ("a\uffff", "holds U+FFFF, a noncharacter"),
    ("a\U0001fffe", "holds U+1FFFE, a noncharacter"),
    ("a\U0001ffff", "holds U+1FFFF, a noncharacter"),
    ("a\ufffd", None),  # the replacement character is a symbol
    ("CON .txt", "is a reserved device name on Windows, with or without an extension"),  # Windows drops the space
    ("CON\u00a0", None),  # a no-break space is no space to Windows
    ("COM1X", None),
    # a character with a name is named: Unicode calls U+200E LEFT-TO-RIGHT MARK, category Cf
    ("a\u200eb", "holds U+200E LEFT-TO-RIGHT MARK, a format character (bidi or zero-width)"),
], ids=["FDD0", "FDEF", "FDF0", "FFFE", "FFFF", "1FFFE", "1FFFF", "FFFD", "device-space-dot", "device-nbsp",
        "device-and-more", "named-LRM"])
def test_unsafe_file_names(name, why):
    assert unsafe_file_name(name) == why


def with_items(oid, sku, row, **more):
    return {**opportunity(oid, **more), "product_sku": sku, "row": row}


def test_rows_of_one_opportunity_that_differ_in_product_sku_alone_list_its_items():
    # O1: two items, nothing to say; O2: an item and a row without one: other content; O3: one item twice: a note;
    # O4: a second item with another status: other content; O5: three items
    opps = [with_items("O1", "S1", 2), with_items("O1", "S2", 3), with_items("O2", "S1", 4), with_items("O2", None, 5),
            with_items("O3", "S1", 6), with_items("O3", "S1", 7), with_items("O4", "S1", 8),
            with_items("O4", "S2", 9, status="rejected"), with_items("O5", "S1", 10), with_items("O5", "S2", 11),
            with_items("O5", "S3", 12)]
    where = "opportunities/o.xlsx:Opportunities row"
    assert said(opportunity_rule, inputs([], opportunities=opps)) == [
        f"error: {where} 5: opportunity_id O2 is also at {where} 4 with other content (an opportunity is registered "
        "once)",
        f"note: {where} 7: opportunity O3 repeats {where} 6",
        f"error: {where} 9: opportunity_id O4 is also at {where} 8 with other content (an opportunity is registered "
        "once)"]
