"""Sample inputs of the AMT Partner Program, year 2026.

Three programs a partner chooses between (the seed's Manufacturer, Reseller and
Solutions Partner), as three tiers of one rank; who may sell direct to end users
as ChannelRules; the training, technical staff, log collection and first-line
support duties as Requirements. The seed states no rate: the sample pays
illustrative incremental rebates per tier and says so in the Notes sheet. Each
partner reports its sales quarterly; a few lines are planted so that every rule
is hit.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal as D
from pathlib import Path

from generators.sample import (PARTNER_COLUMNS, Customer, Invoice, Item, Layout, Partner, Plan, Product, Rules,
                               check_keys, credit_note, day, files_table, fill, included_base, lines, number,
                               partner_table, planted_table, quarter_span, rules_tables, to_invoices, weekdays,
                               write_folder)

PROGRAM_ID = "amt"
YEAR = 2026
SEED = 4242
RUN = "2026Q3"

SETTINGS = (
    ("program_id", PROGRAM_ID, "sample: folder name"),
    ("name", "AMT Partner Program", "seed"),
    ("unit", "USD", "illustrative: the seed states no rebate; the sample pays one in USD"),
    ("base_currency", "USD", "illustrative: AMT is a US company"),
    ("year", str(YEAR), "illustrative: the sample year"),
    ("period", "quarter", "illustrative: the seed states no settlement period"),
    ("basis", "sales", "reading of the seed: who a partner sells to is what the rules are about"),
    ("tier_method", "incremental", "illustrative: each slice at its own band's rate"),
    ("requires_opportunity", "no", "seed: no deal registration is asked for"),
    ("rounding", "half_up", "illustrative: the seed does not say"),
    ("language", "en", "seed: in English"),
    ("membership", "continuous", "seed: states no membership term"),
    ("minimum_volume", "none", "seed: states no volume"),
    ("clawback", "net", "illustrative: the seed does not say; a negative total is owed back in its period"),
)

TIERS = (("Manufacturer Partner", 1), ("Reseller Partner", 1), ("Solutions Partner", 1))
BANDS = (
    ("*", D(0), D("0.02")),
    ("Manufacturer Partner", D(0), D("0.04")), ("Manufacturer Partner", D(250_000), D("0.06")),
    ("Reseller Partner", D(0), D("0.03")), ("Reseller Partner", D(100_000), D("0.05")),
)
REQUIREMENTS = (
    ("Manufacturer Partner", "training_completed", "=", "yes"),
    ("Manufacturer Partner", "technical_staff", ">=", "1"),
    ("Manufacturer Partner", "collects_logs", "=", "yes"),
    ("Manufacturer Partner", "tier1_support", "=", "yes"),
    ("Reseller Partner", "collects_logs", "=", "yes"),
)
CHANNEL_RULES = (("manufacturer_partner", "end_user", "exclude"), ("reseller", "end_user", "exclude"))
ATTRIBUTES = ("training_completed", "technical_staff", "collects_logs", "tier1_support")

NOTES = (
    ("Tiers", "Manufacturer Partner, Reseller Partner, Solutions Partner, all rank 1",
     "seed: «Choose which program best describes your business»: three programs, not levels"),
    ("RateBands", "Manufacturer Partner 4% to 250,000 then 6%; Reseller Partner 3% to 100,000 then 5%; "
     "* (Solutions Partner) 2%; incremental", "illustrative: the seed states no rate"),
    ("Requirements", "Manufacturer Partner training_completed = yes",
     "seed: «Training & Competency with AMTDN material: Required»; «Participants must agree to complete training»"),
    ("Requirements", "Manufacturer Partner technical_staff >= 1", "seed: «Maintain Technical Staff: Yes»"),
    ("Requirements", "Manufacturer Partner and Reseller Partner collects_logs = yes",
     "seed: «Required to collect logs and submit issues: Yes / Yes / No»"),
    ("Requirements", "Manufacturer Partner tier1_support = yes",
     "seed: «Attempt to reproduce/troubleshoot field issues: Yes / No / No»; «handle all tier 1 support»"),
    ("Requirements", "training for Reseller and Solutions Partners", "seed: «Recommended» / «Available»: "
     "not required, so no row"),
    ("ChannelRules", "manufacturer_partner, end_user, exclude; reseller, end_user, exclude",
     "seed: «Direct sale to end users: No / No / Yes»; «Sells wholesale only, no sale direct to end users»"),
    ("Partners", "roles manufacturer_partner, reseller, solutions_partner", "seed: the three programs"),
    ("all", "companies, products, prices, dates and amounts", "illustrative sample data, invented"),
)

RULES = Rules(SETTINGS, BANDS, TIERS, REQUIREMENTS, CHANNEL_RULES, notes=NOTES)

CATALOG = tuple(Product(s, c, D(p)) for s, c, p in (
    ("AMT-WBX-SRV", "software", "4950"), ("AMT-WBX-CL10", "software", "1450"), ("AMT-PNL-2D", "panels", "1295"),
    ("AMT-PNL-4D", "panels", "2180"), ("AMT-RDR-MF", "readers", "189"), ("AMT-RDR-BIO", "readers", "645"),
    ("AMT-IO-16", "modules", "415"), ("AMT-PSU-12V", "power", "238"), ("AMT-PPP-1Y", "subscriptions", "320"),
))

TIER_OF_ROLE = {"manufacturer_partner": "Manufacturer Partner", "reseller": "Reseller Partner",
                "solutions_partner": "Solutions Partner"}


def _partner(pid, name, country, role, registered, training, staff, logs, tier1, design) -> Partner:
    attrs = (("training_completed", training), ("technical_staff", staff), ("collects_logs", logs),
             ("tier1_support", tier1))
    return Partner(pid, name, country, role, TIER_OF_ROLE[role], day(registered), attributes=attrs, design=design)


# and the sales planned to Q3 (USD)
PARTNERS = (
    (_partner("M01", "Keystone Security Manufacturing", "US", "manufacturer_partner", "2024-02-12", "yes", 4, "yes",
              "yes", "requirements met; crosses 250,000 in Q2 (two slices); two end-user sales excluded"), "410000"),
    (_partner("M02", "Great Lakes OEM Controls", "US", "manufacturer_partner", "2024-08-19", "no", 3, "yes", "yes",
              "training not completed: review"), "185000"),
    (_partner("M03", "Pacific Integrated Devices", "CA", "manufacturer_partner", "2025-01-27", "yes", 0, "yes",
              "yes", "no technical staff: review"), "142000"),
    (_partner("R01", "Summit Access Distributors", "US", "reseller", "2023-11-06", "no", 0, "yes", "no",
              "training only recommended: keep; an end-user sale excluded"), "168000"),
    (_partner("R02", "Lone Star Door Supply", "US", "reseller", "2024-05-13", "yes", 2, "yes", "yes",
              "also meets the Manufacturer Partner requirements (same rank: keep)"), "96000"),
    (_partner("R03", "Maple Leaf Security Wholesale", "CA", "reseller", "2025-03-03", "no", 1, "no", "no",
              "does not collect logs: review"), "74000"),
    (_partner("S01", "Bayview Integrated Solutions", "US", "solutions_partner", "2024-03-25", "no", 2, "no", "no",
              "sells to end users: counts"), "128000"),
    (_partner("S02", "Rocky Mountain Access Systems", "US", "solutions_partner", "2025-06-09", "yes", 1, "no", "no",
              "sells to end users and once to a dealer: both count"), "83000"),
    (_partner("S03", "Harbor City Integrators", "US", "solutions_partner", "2026-04-20", "no", 1, "no", "no",
              "registered 2026-04-20: an earlier sale is outside membership"), "47000"),
)

DEALERS = ("Tri-County Lock & Safe", "Metro Door Hardware", "Northgate Alarm Dealers", "Prairie Security Supply",
           "Coastal Access Dealers", "Capitol Door Controls")
END_USERS = ("Riverside Medical Center", "Oakridge School District", "Hillcrest Apartments", "Union Freight Terminal",
             "County Courthouse Annex", "Lakeside Data Center", "St. Mary's Parish Offices", "Evergreen Mall")


def report(partner: Partner, date: dt.date) -> str:
    q = (date.month - 1) // 3 + 1
    return f"sales/{date.year}Q{q}_{partner.id}.xlsx"


def plan(rng: random.Random) -> Plan:
    partners = [p for p, _ in PARTNERS]
    sample = Plan(partners)
    by_id = {p.id: p for p in partners}
    dealers = tuple(Customer(f"DL-{n:03d}", name, "reseller") for n, name in enumerate(DEALERS, 101))
    users = tuple(Customer(f"EU-{n:03d}", name) for n, name in enumerate(END_USERS, 501))
    customers = {p.id: tuple(rng.sample(users if p.role == "solutions_partner" else dealers, 3)) for p in partners}
    for p, total in PARTNERS:
        total = D(total)
        quarters = [q for q in (1, 2, 3) if quarter_span(YEAR, q)[1] >= p.registered_on]
        weights = [D(rng.randint(70, 130)) for _ in quarters]
        if p.id == "M01":
            weights = [D(45), D(100), D(60)]  # crosses 250,000 during Q2
        for q, w in zip(quarters, weights):
            start, end = quarter_span(YEAR, q)
            share = (total * w / sum(weights)).quantize(D("0.01"))
            items = fill(rng, CATALOG, share, D(20_000), max_qty=60)
            sample.invoices += to_invoices(rng, items, weekdays(max(start, p.registered_on), end),
                                           lambda d, chunk, p=p: Invoice(report(p, d), p.id, d, p.id,
                                                                         rng.choice(customers[p.id]), chunk))
    plant(rng, sample, by_id, users, dealers)
    number(rng, sample)
    check_keys(sample)
    return sample


def plant(rng: random.Random, sample: Plan, by_id: dict[str, Partner], users, dealers) -> None:
    def one(pid: str, date: str, customer: Customer, expect: str, note: str) -> None:
        product = rng.choice([p for p in CATALOG if p.price > 400])
        d = day(date)
        sample.invoices.append(Invoice(report(by_id[pid], d), pid, d, pid, customer,
                                       [Item(product, rng.randint(2, 8), product.price, expect, note)]))

    # No sale direct to end users for manufacturer and reseller partners.
    one("M01", "2026-02-17", users[0], "CHANNEL_CONFLICT", "a manufacturer partner selling to an end user")
    one("M01", "2026-08-11", users[5], "CHANNEL_CONFLICT", "a manufacturer partner selling to an end user")
    one("M02", "2026-05-06", users[3], "CHANNEL_CONFLICT", "a manufacturer partner selling to an end user")
    one("R01", "2026-07-22", users[2], "CHANNEL_CONFLICT", "a reseller partner selling to an end user")
    # Solutions partners sell to end users; selling to a dealer is no rule's concern.
    one("S01", "2026-06-10", users[4], "included", "a solutions partner selling to an end user: counts")
    one("S02", "2026-09-15", dealers[2], "included", "a solutions partner selling to a dealer: no rule, counts")
    # Before membership, after the period.
    one("S03", "2026-04-08", users[6], "OUTSIDE_MEMBERSHIP", "dated before registered_on 2026-04-20")
    october = Invoice("sales/2026Q3_R02.xlsx", "R02", day("2026-10-02"), "R02", dealers[1],
                      [Item(CATALOG[2], 3, CATALOG[2].price, "OUT_OF_PERIOD",
                            "dated in October, in the Q3 report: counts in 2026Q4")])
    sample.invoices.append(october)
    # A return across quarters.
    sold = max((i for i in sample.invoices if i.partner == "R01" and i.date.month in (4, 5)),
               key=lambda i: (len(i.items), i.date))
    sample.invoices.append(credit_note(sold, day("2026-07-08"), report(by_id["R01"], day("2026-07-08"))))


def check(sample: Plan) -> dict[str, D]:
    ytd = included_base(sample, "USD", dt.date(YEAR, 9, 30))
    q1, q2 = (included_base(sample, "USD", dt.date(YEAR, m, d)) for m, d in ((3, 31), (6, 30)))
    assert q1["M01"] <= 250_000 < q2["M01"], (q1["M01"], q2["M01"])
    return ytd


def generate(folder: Path) -> list[Path]:
    sample = plan(random.Random(SEED))
    ytd = check(sample)
    layout = Layout(style="name")
    return write_folder(folder, RULES, sample, (*PARTNER_COLUMNS, *ATTRIBUTES), layout,
                        lambda placed: describe(sample, ytd, placed))


def describe(sample: Plan, ytd: dict[str, D], placed) -> str:
    return lines(
        "# Sample inputs: AMT Partner Program, 2026",
        "",
        "Generated by `inputs/generators/amt.py` (seed 4242); do not edit by hand. Regenerate, byte-identical:",
        "",
        "```",
        ".venv/bin/python inputs/generate.py amt",
        "```",
        "",
        f"Run: `calc run inputs/amt --period {RUN}`. The seed is `../shared/programs/amt-partner-program.txt`;",
        "`docs/programs.md` maps each of its rules to the rows below.",
        "",
        "## The program (`program.xlsx`)",
        "",
        "The partners' sales, in USD, settled per quarter. The seed's three programs are three tiers of the same",
        "rank (a choice of role, not a ladder). It states no rate: the rebates are illustrative, incremental",
        "(each slice at its band's rate), and the `Notes` sheet says so row by row.",
        "",
        *rules_tables(RULES),
        "",
        "## Partners (`partners.xlsx`)",
        "",
        "Each partner sends one sales report per quarter (`sales/2026Qn_<partner_id>.xlsx`); manufacturer and",
        "reseller partners sell to dealers (customer_type `reseller`), solutions partners to end users.",
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
