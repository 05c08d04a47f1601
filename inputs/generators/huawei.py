"""Sample inputs of the Huawei Enterprise channel structure, year 2026.

Tier-1 resellers (distributors and value-added partners) and tier-2 resellers
(Platinum, Gold, Silver and Recognized partners) in the United Arab Emirates and
Saudi Arabia. The seed's channel rules become ChannelRules rows: a distributor
selling to an end user is flagged (the seed says «in principle»), a value-added
partner selling to a reseller is excluded; «a distributor cannot be a value-added
partner» is the roster check on company_id, so every company here holds one role.
The seed states no rate and no tier-2 criteria: the sample states illustrative
ones in the Notes sheet. Distributors report their own sales and their tier-2
resellers' quarterly, in USD and local currency.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import replace
from decimal import Decimal as D
from pathlib import Path

from generators.common import money
from generators.sample import (FLAG, PARTNER_COLUMNS, Customer, Invoice, Item, Layout, Partner, Plan, Product,
                               Rules, check_keys, credit_note, day, files_table, fill, included_base, lines, number,
                               partner_table, planted_table, quarter_span, rules_tables, to_invoices, weekdays,
                               write_folder)

PROGRAM_ID = "huawei"
YEAR = 2026
SEED = 1987
RUN = "2026Q3"

SETTINGS = (
    ("program_id", PROGRAM_ID, "sample: folder name"),
    ("name", "Huawei Enterprise Channel Partner Program", "seed: Huawei Enterprise Business Channel Structure"),
    ("unit", "USD", "illustrative: the seed states no rebate; the sample pays one in USD"),
    ("base_currency", "USD", "illustrative: the reporting currency of the region"),
    ("year", str(YEAR), "illustrative: the sample year"),
    ("period", "quarter", "illustrative: the seed states no settlement period"),
    ("basis", "sales", "reading of the seed: the rules are about whom a partner supplies"),
    ("tier_method", "all_units", "illustrative"),
    ("requires_opportunity", "no", "seed: no deal registration is asked for"),
    ("rounding", "half_up", "illustrative: the seed does not say"),
    ("language", "en", "seed: in English"),
    ("membership", "continuous", "seed: states no membership term"),
    ("minimum_volume", "none", "seed: states no volume"),
    ("clawback", "net", "illustrative: the seed does not say; a negative total is owed back in its period"),
)

TIERS = (("Distributor", 5), ("Value-Added Partner", 5), ("Platinum Partner", 4), ("Gold Partner", 3),
         ("Silver Partner", 2), ("Recognized Partner", 1))
TIER2 = ("Platinum Partner", "Gold Partner", "Silver Partner", "Recognized Partner")
BANDS = (
    ("*", D(0), D("0.02")),
    ("Distributor", D(0), D("0.005")), ("Distributor", D(2_000_000), D("0.01")),
    ("Value-Added Partner", D(0), D("0.02")), ("Value-Added Partner", D(1_000_000), D("0.03")),
    ("Platinum Partner", D(0), D("0.03")),
)
REQUIREMENTS = (
    ("Distributor", "role", "=", "distributor"),
    ("Value-Added Partner", "role", "=", "value_added_partner"),
    *((tier, "role", "=", "reseller") for tier in TIER2),
    ("Platinum Partner", "certified_engineers", ">=", "4"),
    ("Gold Partner", "certified_engineers", ">=", "2"),
    ("Silver Partner", "certified_engineers", ">=", "1"),
)
CHANNEL_RULES = (("distributor", "end_user", "flag"), ("value_added_partner", "reseller", "exclude"))
ATTRIBUTES = ("certified_engineers",)

NOTES = (
    ("Tiers", "Distributor and Value-Added Partner (tier-1, rank 5); Platinum 4, Gold 3, Silver 2, Recognized 1 "
     "(tier-2)", "seed 2.1: «Tier-1 reseller: distributor and value-added partners. Tier-2 reseller: platinum, gold "
     "and silver partners, and recognized partner»; the ranks are a reading"),
    ("Requirements", "role = distributor / value_added_partner / reseller per tier",
     "seed 2.1: which tier is which kind of reseller; keeps tier-1 and tier-2 apart in the tier review"),
    ("Requirements", "certified_engineers >= 4 / 2 / 1 (Platinum / Gold / Silver)",
     "illustrative: the seed names the tier-2 levels but states no criteria"),
    ("RateBands", "* 2%; Distributor 0.5%, 1% over 2,000,000; Value-Added Partner 2%, 3% over 1,000,000; "
     "Platinum Partner 3%", "illustrative: the seed states no rate"),
    ("ChannelRules", "distributor, end_user, flag",
     "seed 3.1: «In principle, the distributor shall not directly supply products to end users»: «in principle» "
     "admits exceptions, so the line earns and is flagged for the channel manager; use exclude to refuse it"),
    ("ChannelRules", "value_added_partner, reseller, exclude",
     "seed 3.2: «The value-added partners shall not supply products to tier-2 resellers of Huawei»; whether the "
     "customer is a tier-2 reseller is looked up in the roster: a customer_id that is a partner's partner_id or "
     "company_id is judged by that partner's role, whatever the line's customer_type says"),
    ("Partners", "company_id, one tier-1 role per company",
     "seed 4: «A distributor cannot be a value-added partner and vice versa»: calc's roster check "
     "one_tier1_role_per_company refuses a company_id listed as both"),
    ("not modelled", "capital, employees, market coverage, branches, logistics, financing, branding, incentive "
     "plans for tier-2", "seed duties in words only: calc does not compute them"),
    ("all", "companies, products, prices, dates and amounts", "illustrative sample data, invented"),
)

RULES = Rules(SETTINGS, BANDS, TIERS, REQUIREMENTS, CHANNEL_RULES, notes=NOTES)

CATALOG = tuple(Product(s, c, D(p)) for s, c, p in (
    ("S5735-L48T4X", "switching", "2150"), ("S6730-H24X6C", "switching", "9400"), ("AR6140-16G4XG", "routing", "4850"),
    ("USG6525F", "security", "6200"), ("AirEngine5761", "wlan", "480"), ("OceanStor5310", "storage", "28500"),
    ("FusionServer2288H", "computing", "11800"), ("eKitEngine-S310", "switching", "390"),
))
LOCAL = {"AE": "AED", "SA": "SAR"}
PEG = {"AED": D("3.6725"), "SAR": D("3.75")}  # local units per USD
USD_PER = {"AED": D("0.272294"), "SAR": D("0.266667")}  # fx_rates.xlsx: USD for one local unit


def _partner(pid, name, country, role, tier, registered, parent, company, engineers, design) -> Partner:
    return Partner(pid, name, country, role, tier, day(registered), parent, company,
                   (("certified_engineers", engineers),), design)


# and the sales planned to September (USD)
PARTNERS = (
    (_partner("D01", "Emirates Enterprise Distribution LLC", "AE", "distributor", "Distributor", "2023-02-06", None,
              "AE-DED-1021457", 14, "crosses 2,000,000 in Q3; two end-user sales flagged, they count"), "2450000"),
    (_partner("D02", "Arabian Enterprise Distribution Co.", "SA", "distributor", "Distributor", "2023-09-18", None,
              "SA-CR-1010587341", 11, "stays under 2,000,000; an end-user sale flagged"), "1380000"),
    (_partner("V01", "Falcon Value Systems LLC", "AE", "value_added_partner", "Value-Added Partner", "2024-01-15",
              None, "AE-DED-1187320", 9, "sells to end users; two sales to tier-2 resellers excluded; over 1,000,000"),
     "1240000"),
    (_partner("V02", "Najd Value-Added Solutions", "SA", "value_added_partner", "Value-Added Partner", "2024-06-03",
              None, "SA-CR-1010733902", 6, "one sale to a tier-2 reseller excluded"), "690000"),
    (_partner("P01", "Dubai Digital Integration", "AE", "reseller", "Platinum Partner", "2024-03-11", "D01",
              "AE-DED-1209934", 6, "Platinum, requirements met"), "540000"),
    (_partner("P02", "Sharjah Network House", "AE", "reseller", "Gold Partner", "2024-08-26", "D01",
              "AE-DED-1233018", 1, "one certified engineer, Gold asks 2: review"), "310000"),
    (_partner("P03", "Abu Dhabi Smart Systems", "AE", "reseller", "Silver Partner", "2025-02-10", "D01",
              "AE-DED-1260471", 3, "three engineers meet Gold: upgrade"), "185000"),
    (_partner("P04", "Ajman IT Point", "AE", "reseller", "Recognized Partner", "2025-07-21", "D01",
              "AE-DED-1288805", 0, "entry tier: nothing asked"), "72000"),
    (_partner("P05", "Riyadh Enterprise Networks", "SA", "reseller", "Platinum Partner", "2024-02-19", "D02",
              "SA-CR-1010611245", 3, "three engineers, Platinum asks 4: review"), "460000"),
    (_partner("P06", "Jeddah Cloud & Campus", "SA", "reseller", "Gold Partner", "2024-11-04", "D02",
              "SA-CR-4030298817", 5, "five engineers meet Platinum: upgrade"), "295000"),
    (_partner("P07", "Dammam Systems Trading", "SA", "reseller", "Silver Partner", "2025-04-14", "D02",
              "SA-CR-2050119264", 1, "Silver, requirements met"), "138000"),
    (_partner("P08", "Khobar Tech Services", "SA", "reseller", "Recognized Partner", "2025-10-27", "D02",
              "SA-CR-2051046630", 1, "one engineer meets Silver: upgrade"), "64000"),
)
END_USERS = {
    "AE": ("Dubai Health Authority Campus", "Abu Dhabi Ports Group", "Emirates Schools Establishment",
           "Sharjah Municipality", "Dubai Mall Facilities", "Etihad Rail Depot"),
    "SA": ("King Saud University", "Saudi Ports Authority Dammam", "Riyadh Metro Operations",
           "Jeddah Municipal Hospitals", "NEOM Construction Camp", "Al Rajhi Branch Network"),
}
SLUG = {"D01": "emirates-ed", "D02": "arabian-ed", "V01": "falcon", "V02": "najd"}


def report(partner: Partner, date: dt.date) -> str:
    q = (date.month - 1) // 3 + 1
    return f"sales/{date.year}Q{q}_{SLUG[partner.parent or partner.id]}.xlsx"


def currency_of(partner: Partner) -> str:
    return "USD" if partner.role == "distributor" else LOCAL[partner.country]


def priced(items: list[Item], currency: str) -> list[Item]:
    """The catalog is in USD; a local invoice is priced at the peg."""
    if currency == "USD":
        return items
    return [Item(i.product, i.qty, money(i.unit * PEG[currency]), i.expect, i.note) for i in items]


def plan(rng: random.Random) -> Plan:
    partners = [p for p, _ in PARTNERS]
    rates = {(c, f"{YEAR}-{m:02d}"): r for c, r in USD_PER.items() for m in range(1, 13)}
    sample = Plan(partners, rates=rates)
    by_id = {p.id: p for p in partners}
    tier2 = {p.id: Customer(p.company_id, p.name, "reseller") for p in partners if p.tier in TIER2}
    users = {c: tuple(Customer(f"EU-{c}-{n:02d}", name) for n, name in enumerate(END_USERS[c], 1)) for c in END_USERS}

    def customers(p: Partner) -> tuple[Customer, ...]:
        if p.role == "distributor":  # supplies its tier-2 resellers
            return tuple(c for pid, c in tier2.items() if by_id[pid].parent == p.id)
        return tuple(rng.sample(users[p.country], 3))

    pools = {p.id: customers(p) for p in partners}
    for p, total in PARTNERS:
        total = D(total)
        weights = [D(w) for w in ((30, 30, 40) if p.id == "D01" else (rng.randint(70, 130) for _ in range(3)))]
        limit = D(150_000) if p.role == "distributor" else D(60_000)
        for q, w in zip((1, 2, 3), weights):
            start, end = quarter_span(YEAR, q)
            items = fill(rng, CATALOG, (total * w / sum(weights)).quantize(D("0.01")), limit, max_qty=80)
            sample.invoices += to_invoices(rng, items, weekdays(max(start, p.registered_on), end),
                                           lambda d, chunk, p=p: Invoice(
                                               report(p, d), p.id, d, p.id, rng.choice(pools[p.id]),
                                               priced(chunk, currency_of(p)), currency_of(p)))
    plant(rng, sample, by_id, tier2, users)
    number(rng, sample)
    check_keys(sample)
    return sample


def plant(rng: random.Random, sample: Plan, by_id: dict[str, Partner], tier2: dict, users: dict) -> None:
    def one(pid: str, date: str, customer: Customer, expect: str, note: str) -> None:
        p, d = by_id.get(pid), day(date)
        product = rng.choice([x for x in CATALOG if 1000 < x.price < 12_000])
        currency = currency_of(p) if p else "USD"
        item = Item(product, rng.randint(2, 10), product.price, expect, note)
        reporter = p or by_id["D01"]
        sample.invoices.append(Invoice(report(reporter, d), pid, d, pid, customer, priced([item], currency),
                                       currency))

    # «In principle, the distributor shall not directly supply products to end users»: flagged, counts.
    one("D01", "2026-02-24", users["AE"][1], FLAG, "a distributor supplying an end user: flagged, counts")
    one("D01", "2026-08-18", users["AE"][4], FLAG, "a distributor supplying an end user: flagged, counts")
    one("D02", "2026-05-12", users["SA"][4], FLAG, "a distributor supplying an end user: flagged, counts")
    # «The value-added partners shall not supply products to tier-2 resellers»: excluded.
    one("V01", "2026-04-15", tier2["P02"], "CHANNEL_CONFLICT", "a value-added partner supplying tier-2 reseller P02")
    # Typed end_user in V01's report, but the customer's id is P03's company id: the roster says
    # it is a tier-2 reseller, so the line is excluded all the same.
    one("V01", "2026-09-08", replace(tier2["P03"], type="end_user"), "CHANNEL_CONFLICT",
        "a value-added partner supplying tier-2 reseller P03, typed end_user in the report: the customer_id is "
        "P03's company_id on the roster")
    one("V02", "2026-06-23", tier2["P07"], "CHANNEL_CONFLICT", "a value-added partner supplying tier-2 reseller P07")
    # A reseller the distributor has not had certified yet.
    one("P99", "2026-07-09", users["AE"][2], "UNKNOWN_PARTNER",
        "P99 is not on the roster: a tier-2 reseller not certified yet")
    # A return.
    sold = max((i for i in sample.invoices if i.partner == "P05" and i.date.month in (4, 5)),
               key=lambda i: (len(i.items), i.date))
    sample.invoices.append(credit_note(sold, day("2026-08-05"), report(by_id["P05"], day("2026-08-05"))))


def check(sample: Plan) -> dict[str, D]:
    ytd = included_base(sample, "USD", dt.date(YEAR, 9, 30))
    q2 = included_base(sample, "USD", dt.date(YEAR, 6, 30))
    assert q2["D01"] <= 2_000_000 < ytd["D01"], (q2["D01"], ytd["D01"])
    assert ytd["D02"] <= 2_000_000 and ytd["V01"] > 1_000_000 >= ytd["V02"]
    companies = [p.company_id for p in sample.partners]
    assert len(set(companies)) == len(companies), "one role per company"
    return ytd


def generate(folder: Path) -> list[Path]:
    sample = plan(random.Random(SEED))
    ytd = check(sample)
    return write_folder(folder, RULES, sample, (*PARTNER_COLUMNS, *ATTRIBUTES), Layout(style="name"),
                        lambda placed: describe(sample, ytd, placed))


def describe(sample: Plan, ytd: dict[str, D], placed) -> str:
    return lines(
        "# Sample inputs: Huawei Enterprise channel, 2026",
        "",
        "Generated by `inputs/generators/huawei.py` (seed 1987); do not edit by hand. Regenerate, byte-identical:",
        "",
        "```",
        ".venv/bin/python inputs/generate.py huawei",
        "```",
        "",
        f"Run: `calc run inputs/huawei --period {RUN}`. The seed is `../shared/programs/huawei-channel-structure.txt`;",
        "`docs/programs.md` maps each of its rules to the rows below.",
        "",
        "## The program (`program.xlsx`)",
        "",
        "The partners' sales, in USD, settled per quarter. The seed's channel rules are ChannelRules rows: a",
        "distributor supplying an end user is **flagged** (the seed says «in principle»: the line earns and",
        "finance sees it in the Summary's `flagged_lines` and the statement's Flag column); a value-added",
        "partner supplying a reseller is **excluded** (CHANNEL_CONFLICT). A customer whose `customer_id` is a",
        "roster partner's id or `company_id` is judged by that partner's role, whatever the line's",
        "`customer_type` says (the statement's words name the partner). The rates and the tier-2 criteria are",
        "illustrative (the seed states none); the `Notes` sheet says so row by row.",
        "",
        *rules_tables(RULES),
        "",
        "## Partners (`partners.xlsx`)",
        "",
        "Every partner has its own `company_id`: calc refuses a roster where one company is both a distributor",
        "and a value-added partner (the tests build that case from a copy of this folder). Distributors invoice",
        "in USD and report their tier-2 resellers' sales with their own (`sales/2026Qn_<distributor>.xlsx`);",
        "value-added partners report theirs; tier-2 resellers and VAPs invoice in AED or SAR (`fx_rates.xlsx`:",
        "USD for one unit, at the peg).",
        "",
        *partner_table(sample, ATTRIBUTES),
        "",
        f"Included sales to September, USD: {', '.join(f'{p} {v:,.2f}' for p, v in sorted(ytd.items()))}.",
        "",
        "## Sales reports",
        "",
        *files_table(placed),
        "",
        "## Lines planted for a rule",
        "",
        *planted_table(placed),
    )
