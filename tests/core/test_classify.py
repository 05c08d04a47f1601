"""classify: each line's outcome, the first reason of the contract's order that applies, and its words.

Each case is one line on its own, so a swapped or loosened reason shows in its id.
"""

from __future__ import annotations

import pytest

from incentives.classify import classify
from incentives.periods import parse_period
from tests.inline import inputs, opportunity, partner, program, sale, settled

# The program of these cases: DEMO and the category "Services" never earn, a distributor must not sell
# to end users, a reseller selling to a distributor is flagged, and a line needs a registered opportunity.
PROGRAM = program(requires_opportunity=True, exclusions=[("product_sku", "DEMO"), ("product_category", "Services"),
                                                         ("product_sku", "Demo Kit")],
                  channel_rules=[("distributor", "end_user", "exclude"), ("reseller", "distributor", "flag")])
PARTNERS = [partner("P1"), partner("LATE", registered_on="2026-08-01"), partner("D1", role="distributor")]
OPPORTUNITIES = [opportunity("OK"), opportunity("D", pid="D1"), opportunity("L", pid="LATE"),
                 opportunity("PEND", status="pending"), opportunity("REJ", status="rejected"),
                 opportunity("OTHER", pid="D1"), opportunity("NEW", registered_on="2026-07-15"),
                 opportunity("OLD", expires_on="2026-07-15")]

# (line, outcome, English detail, Russian detail); the period is 2026Q3 (1 July to 30 September 2026)
CASES = {
    # two reasons at once: the first in the contract's order wins
    "out-of-year-and-before-membership": (
        sale("X", "2025-12-15", 100, pid="LATE", opportunity_id="L"), "OUT_OF_PERIOD",
        "outside the program year 2026: counts in 2025", "вне года программы 2026: учитывается в 2025"),
    "after-the-end-and-before-membership": (
        sale("X", "2026-10-05", 100, pid="LATE", opportunity_id="L"), "OUT_OF_PERIOD",
        "dated after the period's end 30 Sep 2026: counts in Q4 2026", "дата позже конца периода 30.09.2026: учитывается в периоде IV квартал 2026"),
    "before-membership-and-excluded-product": (
        sale("X", "2026-07-31", 100, pid="LATE", opportunity_id="L", product_sku="DEMO"), "OUTSIDE_MEMBERSHIP",
        "dated before the partner's registration on 01 Aug 2026", "дата раньше регистрации партнера 01.08.2026"),
    "excluded-product-and-channel-conflict": (
        sale("X", "2026-07-01", 100, pid="D1", opportunity_id="D", product_sku="DEMO"), "PRODUCT_EXCLUDED",
        "product DEMO never earns", "товар DEMO не дает начислений"),
    "channel-conflict-and-no-opportunity": (
        sale("X", "2026-07-01", 100, pid="D1"), "CHANNEL_CONFLICT",
        "a distributor must not sell to customers of type end user",
        "дистрибьютор не может продавать клиентам типа «конечный пользователь»"),
    "excluded-category-and-no-opportunity": (
        sale("X", "2026-07-01", 100, product_category="Services"), "PRODUCT_EXCLUDED",
        "category Services never earns", "категория Services не дает начислений"),
    "unknown-partner-and-out-of-period": (
        sale("X", "2026-11-01", 100, pid="NOPE", opportunity_id="OK"), "UNKNOWN_PARTNER",
        "partner NOPE is not in the roster", "партнера NOPE нет в реестре"),
    # each edge of each reason
    "period-end-day": (sale("X", "2026-09-30", 100, opportunity_id="OK"), "included", None, None),
    "year-start-before-the-period": (sale("X", "2026-01-01", 100, opportunity_id="OK"), "included", None, None),
    "registration-day": (sale("X", "2026-08-01", 100, pid="LATE", opportunity_id="L"), "included", None, None),
    "product-sku-folded": (sale("X", "2026-07-01", 100, opportunity_id="OK", product_sku=" demo"),
                           "PRODUCT_EXCLUDED", "product  demo never earns", "товар  demo не дает начислений"),
    "category-folded": (sale("X", "2026-07-01", 100, opportunity_id="OK", product_category="SERVICES "),
                        "PRODUCT_EXCLUDED", "category SERVICES  never earns", "категория SERVICES  не дает начислений"),
    "sku-separators-folded": (sale("X", "2026-07-01", 100, opportunity_id="OK", product_sku="DEMO_kit"),
                              "PRODUCT_EXCLUDED", "product DEMO_kit never earns", "товар DEMO_kit не дает начислений"),
    "sku-hyphen-folded": (sale("X", "2026-07-01", 100, opportunity_id="OK", product_sku="demo--KIT"),
                          "PRODUCT_EXCLUDED", "product demo--KIT never earns", "товар demo--KIT не дает начислений"),
    "other-sku-and-category": (sale("X", "2026-07-01", 100, opportunity_id="OK", product_sku="DEMO-2",
                                    product_category="Hardware"), "included", None, None),
    "distributor-to-reseller": (sale("X", "2026-07-01", 100, pid="D1", opportunity_id="D", customer_type="reseller"),
                                "included", None, None),
    "no-opportunity": (sale("X", "2026-07-01", 100), "NOT_REGISTERED", "no opportunity named", "сделка не указана"),
    "unknown-opportunity": (sale("X", "2026-07-01", 100, opportunity_id="NOPE"), "NOT_REGISTERED",
                            "opportunity NOPE is not registered", "сделка NOPE не зарегистрирована"),
    "opportunity-of-another-partner": (sale("X", "2026-07-01", 100, opportunity_id="OTHER"), "NOT_REGISTERED",
                                       "opportunity OTHER belongs to partner D1", "сделка OTHER принадлежит партнеру D1"),
    "pending-opportunity": (sale("X", "2026-07-01", 100, opportunity_id="PEND"), "NOT_REGISTERED",
                            "opportunity PEND is pending", "сделка PEND в статусе «на рассмотрении»"),
    "rejected-opportunity": (sale("X", "2026-07-01", 100, opportunity_id="REJ"), "NOT_REGISTERED",
                             "opportunity REJ is rejected", "сделка REJ в статусе «отклонена»"),
    "invoice-before-the-registration": (
        sale("X", "2026-07-14", 100, opportunity_id="NEW"), "NOT_REGISTERED",
        "opportunity NEW was registered on 15 Jul 2026, after the invoice", "сделка NEW зарегистрирована 15.07.2026, позже счета"),
    "invoice-on-the-registration-day": (sale("X", "2026-07-15", 100, opportunity_id="NEW"), "included", None, None),
    "invoice-on-the-expiry-day": (sale("X", "2026-07-15", 100, opportunity_id="OLD"), "included", None, None),
    "invoice-after-the-expiry": (sale("X", "2026-07-16", 100, opportunity_id="OLD"), "NOT_REGISTERED",
                                 "opportunity OLD expired on 15 Jul 2026", "срок сделки OLD истек 15.07.2026"),
}


@pytest.mark.parametrize("line, outcome, detail, detail_ru", CASES.values(), ids=CASES.keys())
def test_one_outcome_and_its_words(line, outcome, detail, detail_ru):
    lines = settled(inputs([line], PARTNERS, PROGRAM, opportunities=OPPORTUNITIES), "2026Q3").lines
    assert lines.select("outcome", "detail", "detail_ru").rows() == [(outcome, detail, detail_ru)]


def test_a_repeated_key_is_a_duplicate_even_of_an_unknown_partner():
    # The key is (partner_id, invoice_id, line_no): the first reading counts, the next are DUPLICATE.
    lines = [sale("A", "2026-07-01", 100, opportunity_id="OK"), sale("A", "2026-07-01", 100, opportunity_id="OK"),
             sale("A", "2026-07-01", 100, opportunity_id="OK", line_no=2),
             sale("A", "2026-07-01", 100, pid="D1", opportunity_id="D", customer_type="reseller"),
             sale("U", "2026-07-01", 100, pid="NOPE"), sale("U", "2026-07-01", 100, pid="NOPE")]
    frame = settled(inputs(lines, PARTNERS, PROGRAM, opportunities=OPPORTUNITIES), "2026Q3").lines
    assert frame.select("outcome", "detail", "detail_ru").rows() == [
        ("included", None, None), ("DUPLICATE", "the same line was already read", "эта строка уже была прочитана"),
        ("included", None, None), ("included", None, None),
        ("UNKNOWN_PARTNER", "partner NOPE is not in the roster", "партнера NOPE нет в реестре"),
        ("DUPLICATE", "the same line was already read", "эта строка уже была прочитана")]


def test_a_flag_leaves_the_line_included_with_its_words():
    lines = [sale("F", "2026-07-01", 100, opportunity_id="OK", customer_type="distributor"),
             sale("N", "2026-07-01", 100, opportunity_id="OK")]
    frame = settled(inputs(lines, PARTNERS, PROGRAM, opportunities=OPPORTUNITIES), "2026Q3").lines
    assert frame.select("outcome", "flag", "flag_ru").rows() == [
        ("included", "channel: a reseller selling to customers of type distributor",
         "канал: реселлер продает клиентам типа «дистрибьютор»"),
        ("included", None, None)]


def test_without_requires_opportunity_a_line_needs_none():
    plain = program(requires_opportunity=False)
    frame = settled(inputs([sale("A", "2026-07-01", 100, opportunity_id="NOPE"), sale("B", "2026-07-01", 100)],
                           program_=plain), "2026Q3").lines
    assert frame["outcome"].to_list() == ["included", "included"]


@pytest.mark.parametrize("period, outcomes", [
    ("2026Q2", ["included", "OUT_OF_PERIOD", "OUT_OF_PERIOD"]),
    ("2026Q3", ["included", "included", "OUT_OF_PERIOD"]),
    ("2026Q4", ["included", "included", "included"]),
], ids=["Q2", "Q3", "Q4"])
def test_out_of_period_is_as_of_the_periods_end(period, outcomes):
    lines = [sale("A", "2026-06-30", 100), sale("B", "2026-07-01", 100), sale("C", "2026-12-31", 100)]
    assert settled(inputs(lines), period).lines["outcome"].to_list() == outcomes


def test_without_words_only_the_outcome_is_added():
    given = inputs([sale("A", "2026-07-01", 100), sale("B", "2026-10-01", 100)])
    frame = classify(given.sales, given, parse_period("2026Q3"), words=False)
    assert frame.columns == [*given.sales.columns, "outcome"]
    assert frame["outcome"].to_list() == ["included", "OUT_OF_PERIOD"]


def test_with_an_empty_roster_every_line_is_of_an_unknown_partner():
    frame = settled(inputs([sale("A", "2026-07-01", 100), sale("B", "2026-07-01", 100, pid="P2")], partners=[]),
                    "2026Q3").lines
    assert frame.select("outcome", "detail").rows() == [("UNKNOWN_PARTNER", "partner P1 is not in the roster"),
                                                        ("UNKNOWN_PARTNER", "partner P2 is not in the roster")]
