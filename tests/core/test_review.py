"""review: requirements met or not, the highest qualifying tier, the recommendation and the A/B/C grade."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from incentives.model import Requirement
from incentives.problems import Source
from incentives.review import grade, meets, review
from tests.inline import partner, program

D = Decimal


@pytest.mark.parametrize("operator, value, actual, met", [
    ("in", "KZ, UZ", "kz", True),            # any of the listed, case and spaces folded
    ("in", "KZ, UZ", "UZ", True),
    ("in", "KZ, UZ", "RU", False),
    ("in", "yes", "да", True),               # yes words are one
    ("=", "reseller", "Reseller", True),
    ("=", "reseller", "distributor", False),
    ("=", "5", "5.00", True),                # numbers compare as numbers
    ("=", "yes", "Y", True),
    ("=", "no", "нет", True),                # no words are one
    ("=", "no", "yes", False),
    ("=", "yes", "1", True),                 # 1 is a number and a yes word: as a yes word it meets "yes"
    ("!=", "reseller", "distributor", True),
    ("!=", "reseller", "reseller", False),
    ("!=", "5", "5.00", False),
    ("!=", "5", "6", True),
    ("!=", "reseller", "", False),           # a blank meets nothing
    ("=", "", "", False),
    (">=", "3", "3", True),
    (">=", "3", "2.99", False),
    (">=", "3", "many", False),              # not a number
    (">=", "many", "3", False),
    ("<=", "3", "3", True),
    ("<=", "3", "3.01", False),
    (">", "3", "3.01", True),
    ("<", "3", "3", False),
], ids=["in-folded", "in-second", "not-in", "in-yes-words", "eq-folded", "eq-other", "eq-numbers", "eq-yes-words",
        "no-words", "no-is-not-yes", "one-is-yes", "ne-other", "ne-same", "ne-same-number", "ne-other-number", "ne-blank", "eq-blank", "ge-at", "ge-below",
        "ge-not-a-number", "ge-value-not-a-number", "le-at", "le-over", "gt-over", "lt-at"])
def test_meets(operator, value, actual, met):
    assert meets(Requirement("Gold", "x", operator, value, Source("program.xlsx")), actual) is met


# Silver (rank 1) asks nothing; Gold (rank 2) asks at least 3 certified staff in KZ or UZ;
# Platinum (rank 3) asks 10. Annual targets of Silver: A 3,000,000, B 2,000,000, C 1,000,000.
TIERED = program(tiers=[("Silver", 1, 3000000, 2000000, 1000000), ("Gold", 2), ("Platinum", 3)],
                 requirements=[("Gold", "certified_staff", ">=", "3"), ("Gold", "country", "in", "KZ, UZ"),
                               ("Platinum", "certified_staff", ">=", "10")])


@pytest.mark.parametrize("tier, staff, country, qualifies, highest, recommendation, checks", [
    ("Silver", "5", "KZ", True, "Gold", "upgrade", ""),
    ("Silver", "1", "KZ", True, "Silver", "keep", ""),
    ("Gold", "2", "KZ", False, "Silver", "review", "certified_staff 2 >= 3: not met; country KZ in KZ, UZ: met"),
    ("Gold", "4", "UZ", True, "Gold", "keep", "certified_staff 4 >= 3: met; country UZ in KZ, UZ: met"),
    ("Gold", "4", "RU", False, "Silver", "review", "certified_staff 4 >= 3: met; country RU in KZ, UZ: not met"),
    ("Gold", "", "KZ", False, "Silver", "review", "certified_staff (blank) >= 3: not met; country KZ in KZ, UZ: met"),
    ("Platinum", "12", "KZ", True, "Platinum", "keep", "certified_staff 12 >= 10: met"),
], ids=["upgrade", "keep-silver", "review-staff", "keep-gold", "review-country", "review-blank", "keep-platinum"])
def test_tier_review(tier, staff, country, qualifies, highest, recommendation, checks):
    p = partner("P1", tier=tier, country=country, certified_staff=staff)
    [r] = review(TIERED, (p,), {"P1": D(0)})
    assert (r.tier, r.rank, r.qualifies, r.qualifies_text) == (
        tier, {"Silver": 1, "Gold": 2, "Platinum": 3}[tier], qualifies, "yes" if qualifies else "no")
    assert (r.highest_tier, r.recommendation, r.requirements_text) == (highest, recommendation, checks)


def test_review_is_in_partner_id_order_with_each_ytd_base():
    partners = (partner("P2", tier="Silver"), partner("P1", tier="Silver"))
    reviewed = review(TIERED, partners, {"P1": D("2500000")})
    # P1: B reached, 3,000,000 - 2,500,000 to A; P2: nothing yet, 1,000,000 to C
    assert [(r.partner_id, r.partner_name, r.ytd_base, r.grade, r.to_next_grade, r.next_grade) for r in reviewed] == [
        ("P1", "Partner P1", D("2500000"), "B", D("500000"), "A"), ("P2", "Partner P2", D(0), "", D("1000000"), "C")]


# P1: a Gold distributor in UZ, company BIN-7, with 4 certified staff (a roster column)
@pytest.mark.parametrize("attribute, value, check", [
    ("role", "distributor", "role distributor = distributor: met"),
    ("role", "reseller", "role distributor = reseller: not met"),
    ("tier", "Gold", "tier Gold = Gold: met"),
    ("country", "UZ", "country UZ = UZ: met"),
    ("partner_name", "Partner P1", "partner_name Partner P1 = Partner P1: met"),
    ("company_id", "BIN-7", "company_id BIN-7 = BIN-7: met"),
    ("company_id", "BIN-8", "company_id BIN-7 = BIN-8: not met"),
    ("certified_staff", "4", "certified_staff 4 = 4: met"),
], ids=["role", "other-role", "tier", "country", "partner-name", "company-id", "other-company-id", "roster-column"])
def test_requirements_read_the_partners_own_fields(attribute, value, check):
    p = replace(partner("P1", tier="Gold", role="distributor", country="UZ", certified_staff="4"), company_id="BIN-7")
    [r] = review(program(tiers=[("Gold", 1)], requirements=[("Gold", attribute, "=", value)]), (p,), {})
    assert (r.qualifies, r.requirements_text) == (check.endswith(": met"), check)


def test_a_partner_qualifying_for_no_tier():
    # every tier asks 3 certified staff: a partner with 1 qualifies for none
    prog = program(tiers=[("Silver", 1), ("Gold", 2)], requirements=[("Silver", "certified_staff", ">=", "3"),
                                                                      ("Gold", "certified_staff", ">=", "3")])
    [r] = review(prog, (partner("P1", tier="Silver", certified_staff="1"),), {})
    assert (r.qualifies, r.highest_tier, r.recommendation) == (False, "", "review")


def test_a_tier_not_in_the_tiers_sheet_has_no_rank_and_no_grade():
    [r] = review(TIERED, (partner("P1", tier="Bronze"),), {"P1": D("5000000")})
    # Bronze has no rows: it asks nothing, but it has no rank to compare with, so: keep
    assert (r.rank, r.qualifies, r.recommendation, r.grade, r.to_next_grade) == (None, True, "keep", "", None)


SILVER = TIERED.tiers[0]


@pytest.mark.parametrize("base, reached, to_next, next_grade", [
    ("500000", "", "500000", "C"),         # 1,000,000 - 500,000 to C
    ("1000000", "C", "1000000", "B"),      # at the target: reached; 2,000,000 - 1,000,000 to B
    ("2500000", "B", "500000", "A"),       # 3,000,000 - 2,500,000 to A
    ("2999999.99", "B", "0.01", "A"),
    ("3000000", "A", None, ""),            # the highest: nothing next
    ("-10", "", "1000010", "C"),
], ids=["below-every-target", "at-C", "between-B-and-A", "a-cent-below-A", "A", "negative"])
def test_grade(base, reached, to_next, next_grade):
    assert grade(SILVER, D(base)) == (reached, D(to_next) if to_next else None, next_grade)


def test_grade_without_targets_or_tier():
    gold = TIERED.tiers[1]
    assert grade(gold, D(100)) == ("", None, "")
    assert grade(None, D(100)) == ("", None, "")
