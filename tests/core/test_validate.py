"""validate: each cross-sheet rule fed the fault it guards against, and its message, word for word."""

from __future__ import annotations

from dataclasses import replace

import pytest

from incentives.periods import parse_period
from incentives.problems import Source
from incentives.validate import unsafe_file_name, validate
from tests.inline import band, inputs, opportunity, partner, program, sale

PROGRAM_SHEET = "program.xlsx:Program"


def at(record, file: str, sheet: str, row: int):
    return replace(record, source=Source(file, sheet, row))


def said(given, period: str | None = None) -> list[str]:
    """Every problem, errors first marked `error:` and notes `note:`."""
    found = validate(given, parse_period(period) if period else None)
    return [f"{'error' if p.is_error else 'note'}: {p}" for p in found]


def test_clean_inputs_have_no_problem():
    given = inputs([sale("A", "2026-07-01", 100), sale("U", "2026-07-01", 10, currency="USD")],
                   [partner("P1"), partner("D1", role="distributor")], fx=[("USD", "2026-07", "480")],
                   opportunities=[opportunity("O1"), opportunity("O2")])
    assert said(given, "2026Q3") == []


@pytest.mark.parametrize("settings, problem", [
    ({"program_id": "../etc"}, "program_id '../etc' is not usable in a path "
                               "(use letters, digits, - and _ only, e.g. intelligent-platforms)"),
    ({"program_id": "a..b"}, "program_id 'a..b' is not usable in a path "
                             "(use letters, digits, - and _ only, e.g. intelligent-platforms)"),
    ({"program_id": "-x"}, "program_id '-x' is not usable in a path "
                           "(use letters, digits, - and _ only, e.g. intelligent-platforms)"),
    ({"unit": "usd"}, "unit 'usd' is neither a currency code nor points (e.g. KZT or points)"),
    ({"unit": "USDT"}, "unit 'USDT' is neither a currency code nor points (e.g. KZT or points)"),
    ({"base_currency": "KZ"}, "base_currency 'KZ' is not a currency code (e.g. KZT)"),
    ({"year": 1999}, "year 1999 is not a program year (e.g. 2026)"),
    ({"year": 2101}, "year 2101 is not a program year (e.g. 2026)"),
], ids=["path", "dots", "leading-dash", "lower-case-unit", "long-unit", "base-currency", "year-1999", "year-2101"])
def test_program_settings(settings, problem):
    assert said(inputs([], program_=program(**settings))) == [f"error: {PROGRAM_SHEET}: {problem}"]


@pytest.mark.parametrize("settings", [{"unit": "USD", "program_id": "ip_2026.v2"}, {"year": 2000}, {"year": 2100}],
                         ids=["currency-unit", "year-2000", "year-2100"])
def test_program_settings_accepted(settings):
    assert said(inputs([], program_=program(**settings))) == []


@pytest.mark.parametrize("kind, period, problem", [
    ("quarter", "2026-08", "--period 2026-08 is a month, but the program settles by quarter (run with a quarter of 2026)"),
    ("month", "2026Q3", "--period 2026Q3 is a quarter, but the program settles by month (run with a month of 2026)"),
    ("quarter", "2027Q1", "--period 2027Q1 is not in the program year 2026 "
                          "(run a period of the program year, or change year in program.xlsx)"),
], ids=["month-of-a-quarterly-program", "quarter-of-a-monthly-program", "other-year"])
def test_period_fits_program(kind, period, problem):
    assert said(inputs([], program_=program(period=kind)), period) == [f"error: {PROGRAM_SHEET}: {problem}"]


BANDS_AT = [at(band(0, "0.02"), "program.xlsx", "RateBands", 2), at(band(3000000, "0.04"), "program.xlsx", "RateBands", 3)]


@pytest.mark.parametrize("extra, problems", [
    (band(0, "1.5", "Gold"), ["program.xlsx:RateBands row 4: rate 1.5 is not a fraction between 0 and 1 (4% is written 0.04)"]),
    (band(0, "-0.01", "Gold"), ["program.xlsx:RateBands row 4: rate -0.01 is not a fraction between 0 and 1 "
                                "(4% is written 0.04)"]),
    (band(-1, "0.02", "Gold"), ["program.xlsx:RateBands row 4: over -1 is negative (bands start at 0)"]),
    (band(0, "0.03", "Silver"), ["program.xlsx:RateBands row 4: rate band for tier 'Silver', which the Tiers sheet "
                                 "does not list (use a tier of the Tiers sheet, or * for every tier)"]),
    (band(3000000, "0.05"), ["program.xlsx:RateBands row 4: a second band for tier '*' over 3000000 (first at row 3) "
                             "(keep one)"]),
], ids=["rate-over-1", "negative-rate", "negative-over", "unknown-tier", "second-band"])
def test_rate_bands(extra, problems):
    bands = [*BANDS_AT, at(extra, "program.xlsx", "RateBands", 4)]
    given = inputs([], program_=program(bands=bands, tiers=[("Primary", 1), ("Gold", 2)]))
    assert said(given) == [f"error: {p}" for p in problems]


PRIMARY_GOLD = [("Primary", 1), ("Gold", 2)]


@pytest.mark.parametrize("bands, tiers, problems", [
    ([], PRIMARY_GOLD, ["program.xlsx:RateBands: no rate bands (add at least a row *, 0, <rate>)"]),
    ([band(0, "0.02", "Gold")], PRIMARY_GOLD, ["program.xlsx:RateBands: tier 'Primary' has no rate band and there is "
                                               "no * band (add bands for it, or * bands for every tier)"]),
    ([band(0, "0"), band(0, "1", "Gold")], PRIMARY_GOLD, []),  # rates 0 and 1 are fractions
    # Silver is in the Tiers sheet though no partner has it yet: it needs bands all the same
    ([band(0, "0.02", "Primary"), band(0, "0.03", "Gold")], [*PRIMARY_GOLD, ("Silver", 3)],
     ["program.xlsx:RateBands: tier 'Silver' has no rate band and there is no * band "
      "(add bands for it, or * bands for every tier)"]),
], ids=["none", "a-tier-without-bands", "edges", "a-tier-without-partners"])
def test_every_tier_has_bands(bands, tiers, problems):
    given = inputs([], [partner("P1"), partner("G", tier="Gold")], program(bands=bands, tiers=tiers))
    assert said(given) == [f"error: {p}" for p in problems]


def test_tiers_and_partners():
    prog = program(tiers=[("Primary", 1), ("Gold", 0), ("Primary", 3)])
    prog = replace(prog, tiers=tuple(at(t, "program.xlsx", "Tiers", i) for i, t in enumerate(prog.tiers, start=2)))
    roster = [at(partner("P1"), "partners.xlsx", "Partners", 2), at(partner("P1"), "partners.xlsx", "Partners", 3),
              at(partner("B/2", tier="Bronze"), "partners.xlsx", "Partners", 4),
              at(replace(partner("R1"), parent_id="NOPE"), "partners.xlsx", "Partners", 5),
              at(replace(partner("R2"), parent_id="P1"), "partners.xlsx", "Partners", 6)]
    assert said(inputs([], roster, prog)) == [
        "error: program.xlsx:Tiers row 3: rank 0 of tier 'Gold' is below 1 (1 is the entry level)",
        "error: program.xlsx:Tiers row 4: tier 'Primary' is listed twice (also row 2) (keep one)",
        "error: partners.xlsx:Partners row 3: partner_id 'P1' is listed twice (also partners.xlsx:Partners row 2) "
        "(a partner has one row in the roster)",
        "error: partners.xlsx:Partners row 4: tier 'Bronze' of B/2 is not in the program's Tiers sheet "
        "(tiers: Gold, Primary)",
        "error: partners.xlsx:Partners row 5: parent_id 'NOPE' of R1 is not in the roster "
        "(name the partner_id of its distributor, or leave it blank)",
        # the file-name rule of ids is its own rule since issue 14 (portable_partner_ids), after partners
        "error: partners.xlsx:Partners row 4: partner_id 'B/2' must not contain / \\ : * ? \" < > | (it names the "
        "partner's statement file: use letters, digits, - and _)",
    ]  # Bronze has no band of its own: the * bands serve it


@pytest.mark.parametrize("name, why", [
    ("", "is empty"),
    ("x" * 101, "is 101 bytes in UTF-8, more than 100"),
    ("a:b", 'must not contain / \\ : * ? " < > |'),
    ("a\tb", "holds U+0009, a control character"),
    (".hidden", "must not start or end with a dot or space, nor contain '..'"),
    ("a..b", "must not start or end with a dot or space, nor contain '..'"),
    ("x ", "must not start or end with a dot or space, nor contain '..'"),
    ("CON", "is a reserved device name on Windows, with or without an extension"),
    ("com1.txt", "is a reserved device name on Windows, with or without an extension"),
    ("lpt9", "is a reserved device name on Windows, with or without an extension"),
    ("x" * 100, None),
    ("P-001_a.b", None),
    ("console", None),
    ("X1", None),
], ids=["empty", "101-chars", "colon", "tab", "leading-dot", "two-dots", "trailing-space", "CON", "com1", "lpt9",
        "100-chars", "ordinary", "console", "capital-X"])
def test_unsafe_file_name(name, why):
    assert unsafe_file_name(name) == why


def test_one_tier1_role_per_company():
    roster = [at(replace(partner("D1", role="distributor"), company_id="BIN-7"), "partners.xlsx", "Partners", 2),
              at(replace(partner("D2", role="distributor"), company_id="BIN-7"), "partners.xlsx", "Partners", 3),
              at(replace(partner("R1", role="reseller"), company_id="BIN-7"), "partners.xlsx", "Partners", 4),
              at(replace(partner("V1", role="value_added_partner"), company_id="BIN-7"), "partners.xlsx", "Partners", 5),
              at(replace(partner("V2", role="value_added_partner"), company_id="BIN-8"), "partners.xlsx", "Partners", 6),
              at(partner("V3", role="value_added_partner"), "partners.xlsx", "Partners", 7)]
    # two distributors of one company are fine, and a reseller of it; a value-added partner of it is not
    assert said(inputs([], roster)) == [
        "error: partners.xlsx:Partners row 5: company BIN-7 is a value_added_partner (V1) and a distributor "
        "(D1, partners.xlsx:Partners row 2) (a distributor cannot also be a value-added partner: keep one role)"]


def test_requirements_name_a_tier_and_a_roster_column():
    prog = program(tiers=[("Primary", 1)], requirements=[("Primary", "certified_staff", ">=", "3"),
                                                         ("Gold", "country", "in", "KZ"),
                                                         ("Primary", "sales_managers", ">=", "2")])
    prog = replace(prog, requirements=tuple(at(r, "program.xlsx", "Requirements", i)
                                            for i, r in enumerate(prog.requirements, start=2)))
    assert said(inputs([], [partner("P1", certified_staff="4")], prog)) == [
        "error: program.xlsx:Requirements row 3: requirement for tier 'Gold', which neither the Tiers nor the "
        "Statuses sheet lists",
        "error: program.xlsx:Requirements row 4: attribute 'sales_managers' is not a column of the roster (add the "
        "column to partners.xlsx; roster columns: certified_staff, company_id, country, language, parent_id, "
        "partner_id, partner_name, registered_on, renewed_on, role, statuses, tier, vendor_id)"]


def test_fx_rates():
    rates = [("USD", "2026-07", "480"), ("USD", "2026-07", "481"), ("USD", "2026-07", "480"), ("EUR", "2026-07", "0"),
             ("EUR", "2026-08", "-1"), ("JPY", "2026-07", "0.002")]  # a rate under 1 is a rate
    given = inputs([sale("A", "2026-07-01", 1, currency="USD"), sale("B", "2026-09-03", 1, currency="USD"),
                    sale("C", "2026-08-04", 1, currency="USD"), sale("D", "2026-09-01", 1, currency="CNY"),
                    sale("E", "2026-09-01", 1), sale("F", "2026-08-05", 1, currency="USD"),
                    sale("G", "2026-07-01", 1, currency="JPY")], fx=rates)
    given = replace(given, fx_rates=tuple(at(r, "fx_rates.xlsx", "Rates", i) for i, r in enumerate(given.fx_rates, 2)))
    assert said(given) == [
        "error: fx_rates.xlsx:Rates row 3: a second rate for USD 2026-07: 481 (first 480 at row 2) "
        "(keep one rate per currency and month)",
        "error: fx_rates.xlsx:Rates row 5: rate 0 for EUR 2026-07 is not positive",
        "error: fx_rates.xlsx:Rates row 6: rate -1 for EUR 2026-08 is not positive",
        "error: fx_rates.xlsx:Rates: no rate for CNY 2026-09, needed by sales/a.xlsx:Sales row 5 "
        "(add a row CNY | 2026-09 | <KZT per 1 CNY>)",
        # by currency, then month: August before September though the September line was read first
        "error: fx_rates.xlsx:Rates: no rate for USD 2026-08, needed by sales/a.xlsx:Sales row 4 and 1 other line(s) "
        "(add a row USD | 2026-08 | <KZT per 1 USD>)",
        "error: fx_rates.xlsx:Rates: no rate for USD 2026-09, needed by sales/a.xlsx:Sales row 3 "
        "(add a row USD | 2026-09 | <KZT per 1 USD>)"]


def test_the_same_key_with_other_content_is_an_error():
    # five columns differ (the quantity too): the message names the first four
    lines = [sale("A", "2026-07-01", 100), sale("A", "2026-07-01", 100),  # the same line twice: DUPLICATE, no error
             sale("B", "2026-07-01", 100), sale("B", "2026-07-02", 200, customer_name="Other", product_sku="S2",
                                                  customer_type="reseller", quantity=2, file="sales/b.xlsx"),
             sale("B", "2026-07-01", 100, line_no=2), sale("B", "2026-07-01", 100, pid="P2"),
             # read three times: the second reading repeats the first, the third differs
             sale("C", "2026-07-01", 100), sale("C", "2026-07-01", 100), sale("C", "2026-07-01", 300)]
    assert said(inputs(lines, [partner("P1"), partner("P2")])) == [
        "error: sales/b.xlsx:Sales row 5: partner P1 invoice B line 1 is also at sales/a.xlsx:Sales row 4 with other "
        "content (invoice_date 2026-07-01 vs 2026-07-02; customer_name Customer vs Other; customer_type end_user vs "
        "reseller; product_sku SKU-1 vs S2) (correct one of the two lines, or give them different line_no)",
        "error: sales/a.xlsx:Sales row 10: partner P1 invoice C line 1 is also at sales/a.xlsx:Sales row 8 with other "
        "content (net_amount 100.0000000000 vs 300.0000000000) (correct one of the two lines, or give them different "
        "line_no)"]


def test_an_opportunity_is_registered_once():
    opps = [opportunity("O1"), opportunity("O2"), opportunity("O1"), opportunity("O2", status="rejected"),
            opportunity("O3")]
    assert said(inputs([], opportunities=opps)) == [
        "note: opportunities/o.xlsx:Opportunities row 4: opportunity O1 repeats opportunities/o.xlsx:Opportunities row 2",
        "error: opportunities/o.xlsx:Opportunities row 5: opportunity_id O2 is also at "
        "opportunities/o.xlsx:Opportunities row 3 with other content (an opportunity is registered once)"]


def test_repeated_opportunities_are_reported_by_id_then_file_then_row():
    # O2 is first read in b.xlsx but a.xlsx comes first; O1's readings come after O2's but its id first
    opps = [{**opportunity("O2"), "file": "opportunities/b.xlsx", "row": 2},
            {**opportunity("O2", status="pending"), "file": "opportunities/a.xlsx", "row": 9},
            {**opportunity("O1"), "file": "opportunities/b.xlsx", "row": 7},
            {**opportunity("O1"), "file": "opportunities/b.xlsx", "row": 3}]
    assert said(inputs([], opportunities=opps)) == [
        "note: opportunities/b.xlsx:Opportunities row 7: opportunity O1 repeats opportunities/b.xlsx:Opportunities row 3",
        "error: opportunities/b.xlsx:Opportunities row 2: opportunity_id O2 is also at "
        "opportunities/a.xlsx:Opportunities row 9 with other content (an opportunity is registered once)"]


def test_missing_rates_are_listed_by_month_whatever_the_read_order():
    # the lines' months read from December back to July; the messages go July to December
    months = ["2026-12", "2026-11", "2026-10", "2026-09", "2026-08", "2026-07"]
    given = inputs([sale(f"I{i}", f"{m}-01", 1, currency="USD") for i, m in enumerate(months)])
    assert [p.message[:23] for p in validate(given, None)] == [f"no rate for USD {m}" for m in sorted(months)]
