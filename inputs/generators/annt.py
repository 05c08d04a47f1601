"""Sample inputs of the ANNT (American Networks and Technologies) Partner Program, year 2026.

Seven tiers as the seed's table has them (Distributor, Premium Partner, Gold and
Silver Reseller, Gold and Silver Partner, Certified Partner) with its registered
capital, sales scale and clientele requirements and its annual sales targets for
grades A, B and C. The seed states no rebate rate: the sample pays an illustrative
1% of the year's sales, all units, and says so in the Notes sheet. Sixteen
partners are designed by hand, each to show one thing (a grade, a requirement not
met, an upgrade); the lines are drawn with one seeded generator, and the two edge
partners end the year on a target to the cent.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal as D
from pathlib import Path

from generators.sample import (FLAG, PARTNER_COLUMNS, Customer, Invoice, Item, Layout, Partner, Plan, Product,
                               Rules, check_keys, credit_note, day, files_table, fill, included_base, lines, number,
                               partner_table, planted_table, quarter_span, rules_tables, to_invoices, weekdays,
                               write_folder)

PROGRAM_ID = "annt"
YEAR = 2026
SEED = 1776
RUN = "2026Q4"

SETTINGS = (
    ("program_id", PROGRAM_ID, "sample: folder name"),
    ("name", "ANNT Partner Program", "seed: American Networks and Technologies, Partner Program"),
    ("unit", "USD", "illustrative: the seed states no rebate; the sample pays one in USD"),
    ("base_currency", "USD", "seed: capital, sales scale and targets are stated in USD"),
    ("year", str(YEAR), "illustrative: the sample year; the seed's targets are annual"),
    ("period", "quarter", "illustrative: the seed states no settlement period"),
    ("basis", "sales", "seed: «Annual Sales Target»: the partners' sales"),
    ("tier_method", "all_units", "illustrative: one rate, so all units and incremental agree"),
    ("requires_opportunity", "no", "seed: no deal registration is asked for"),
    ("rounding", "half_up", "illustrative: the seed does not say"),
    ("language", "en", "seed: in English"),
    ("membership", "continuous", "seed: states no membership term"),
    ("minimum_volume", "annual_target_c", "reading of the seed: «Partners will need to meet minimum volume»; the "
     "lowest annual target (C) of the tier is its minimum: below it at the year's end, the tier review says "
     "review"),
    ("clawback", "net", "illustrative: the seed does not say; a negative total is owed back in its period"),
)

M = D(1_000_000)
K = D(1_000)
# tier, rank, annual targets A, B, C (seed: «Annual Sales Target»). The Gold and Silver
# Resellers (distribution orders) and the Gold and Silver Partners (project orders) are
# two tracks of the same level: they share a rank.
TIERS = (
    ("Distributor", 5, 5 * M, 4 * M, 3 * M),
    ("Premium Partner", 4, 3 * M, D(2_500_000), 2 * M),
    ("Gold Reseller", 3, 1 * M, 800 * K, 500 * K),
    ("Gold Partner", 3, D(1_500_000), D(1_200_000), 1 * M),
    ("Silver Reseller", 2, 500 * K, 400 * K, 300 * K),
    ("Silver Partner", 2, 1 * M, 800 * K, 500 * K),
    ("Certified Partner", 1, None, None, None),
)
TARGETS = {t: (a, b, c) for t, _, a, b, c in TIERS}
REQUIREMENTS = (
    ("Distributor", "role", "=", "distributor"),
    ("Premium Partner", "role", "=", "solution_provider"),
    ("Distributor", "registered_capital_usd", ">=", "3000000"),
    ("Distributor", "sales_scale_usd", ">", "20000000"),
    ("Distributor", "clientele", ">=", "5000"),
    ("Premium Partner", "registered_capital_usd", ">=", "2000000"),
    ("Premium Partner", "sales_scale_usd", ">", "10000000"),
    ("Gold Reseller", "registered_capital_usd", ">=", "500000"),
    ("Gold Reseller", "role", "=", "reseller"),
    ("Silver Reseller", "registered_capital_usd", ">=", "100000"),
    ("Silver Reseller", "role", "=", "reseller"),
    ("Gold Partner", "registered_capital_usd", ">=", "1000000"),
    ("Gold Partner", "sales_scale_usd", ">", "1000000"),
    ("Gold Partner", "role", "=", "solution_provider"),
    ("Silver Partner", "registered_capital_usd", ">=", "100000"),
    ("Silver Partner", "role", "=", "solution_provider"),
)
CHANNEL_RULES = (("distributor", "end_user", "flag"),)
ATTRIBUTES = ("registered_capital_usd", "sales_scale_usd", "clientele")

NOTES = (
    ("RateBands", "* over 0: 0.01 (1% of the year's sales)",
     "illustrative: the seed states no rebate rate; targets grade partners, they pay nothing"),
    ("Tiers", "seven tiers: the seed's Gold / Silver Resellers and Gold / Silver Partner are two tiers each",
     "seed: the table's seven columns under five headings"),
    ("Tiers", "ranks: Distributor 5, Premium Partner 4, Gold Reseller and Gold Partner 3, Silver Reseller and "
     "Silver Partner 2, Certified Partner 1", "reading of the seed: the table runs from the highest tier down; "
     "Resellers and Partners are two tracks of one level"),
    ("Tiers", "annual_target_a/b/c: Distributor 5M/4M/3M, Premium 3M/2.5M/2M, Gold Reseller 1M/800k/500k, Silver "
     "Reseller 500k/400k/300k, Gold Partner 1.5M/1.2M/1M, Silver Partner 1M/800k/500k, Certified none",
     "seed: «Annual Sales Target», as given"),
    ("Requirements", "registered_capital_usd >= 3000000, 2000000, 500000, 100000, 1000000, 100000",
     "seed: «Registered Capital ... or above», as given; the Certified Partner has none («---»)"),
    ("Requirements", "sales_scale_usd > 20000000, 10000000, 1000000 (Distributor, Premium, Gold Partner)",
     "seed: «sales scale reaches over USD 20 / 10 / 1 million», strictly over"),
    ("Requirements", "Distributor clientele >= 5000", "seed: «a clientele of 5000+»"),
    ("Requirements", "role = distributor (Distributor), solution_provider (Premium Partner, Gold / Silver Partner), "
     "reseller (Gold / Silver Reseller)",
     "reading of the seed's «Business Order process»: the Distributor distributes and develops lower-tier channels, "
     "Resellers place distribution orders, Premium and Partners project orders facing end users; the rows keep "
     "the tracks apart in the tier review (a solution provider is not told to become a Distributor)"),
    ("Requirements", "commercial, logistics and technical networks, market coverage, sales training, technical "
     "certification", "seed requirements in words only: not modelled"),
    ("Program", "minimum_volume = annual_target_c", "seed: «Partners will need to meet minimum volume»: at the "
     "year's end, a partner below its tier's C target is reviewed (TierReview: below the minimum volume)"),
    ("ChannelRules", "distributor, end_user, flag", "reading of the seed's «Logistics»: a distributor supplies "
     "downstream channels; the seed does not forbid end-user sales, so flag, not exclude"),
    ("Partners", "roles distributor, reseller, solution_provider", "reading of the seed's order process"),
    ("all", "companies, products, prices, dates and amounts", "illustrative sample data, invented"),
)

RULES = Rules(SETTINGS, (("*", D(0), D("0.01")),), TIERS, REQUIREMENTS, CHANNEL_RULES, notes=NOTES)

CATALOG = tuple(Product(s, c, D(p)) for s, c, p in (
    ("ANNT-CS-9600", "switching", "38500"), ("ANNT-AS-2448P", "switching", "2640"),
    ("ANNT-AS-2424", "switching", "1180"), ("ANNT-RT-7200", "routing", "9850"), ("ANNT-RT-3100", "routing", "2350"),
    ("ANNT-FW-5500", "security", "6450"), ("ANNT-AP-W6", "wireless", "415"), ("ANNT-WLC-800", "wireless", "7200"),
    ("ANNT-SFP-10G", "optics", "165"), ("ANNT-UC-IPP", "communication", "189"),
))
SERVICE = Product("ANNT-SVC-INST", "services", D(0))  # priced per job


def _partner(pid, name, country, role, tier, registered, parent, capital, scale, clientele, design) -> Partner:
    attrs = (("registered_capital_usd", D(capital)), ("sales_scale_usd", D(scale) if scale is not None else None),
             ("clientele", clientele))
    return Partner(pid, name, country, role, tier, day(registered), parent, attributes=attrs, design=design)


# id, name, country, role, tier, registered_on, parent, capital, sales scale, clientele, what it shows;
# and the year's sales planned (USD), exact when the partner must end on it to the cent.
PARTNERS = (
    (_partner("D01", "Delta Link Distribution S.A.E.", "EG", "distributor", "Distributor", "2023-03-14", None,
              4_500_000, 26_000_000, 7200, "grade A; requirements met; two end-user sales flagged"), "5620000", False),
    (_partner("D02", "Gulf Channel Trading LLC", "AE", "distributor", "Distributor", "2024-01-22", None,
              3_200_000, 18_000_000, 5400, "sales scale 18M under 20M: review; grade C; an end-user sale flagged"),
     "3380000", False),
    (_partner("P01", "Pyramid Systems Integration", "EG", "solution_provider", "Premium Partner", "2023-06-05", None,
              2_400_000, 12_000_000, None, "grade B; requirements met"), "2710000", False),
    (_partner("P02", "Red Sea Networks Co.", "SA", "solution_provider", "Premium Partner", "2024-02-19", None,
              3_500_000, 24_000_000, 5000, "meets every Distributor number (clientele exactly 5000), but a "
              "solution provider: keep (the tracks apart by role); grade A"), "3240000", False),
    (_partner("P03", "Nile Valley Trading", "EG", "reseller", "Gold Reseller", "2024-04-08", "D01",
              750_000, None, None, "year's sales exactly 1,000,000.00: grade A reached on the target"),
     "1000000.00", True),
    (_partner("P04", "Cairo Net Supplies", "EG", "reseller", "Gold Reseller", "2024-09-30", "D01",
              420_000, None, None, "capital 420k under 500k: review; under every target: no grade, "
              "below the minimum volume"), "352000", False),
    (_partner("P05", "Delta Office Solutions", "EG", "reseller", "Silver Reseller", "2025-02-11", "D01",
              180_000, None, None, "grade B; a 2025 invoice in the first report is out of period"), "431000", False),
    (_partner("P06", "Emirates Link Distribution", "AE", "reseller", "Silver Reseller", "2024-11-04", "D02",
              650_000, None, None, "capital 650k meets the Gold Reseller requirement: upgrade; grade C"),
     "322000", False),
    (_partner("P07", "Alexandria Data Systems", "EG", "solution_provider", "Gold Partner", "2023-10-16", "D01",
              1_600_000, 2_500_000, None, "grade C; requirements met"), "1062000", False),
    (_partner("P08", "Jeddah Smart Solutions", "SA", "solution_provider", "Gold Partner", "2024-05-27", "D02",
              1_200_000, 1_000_000, None, "sales scale exactly 1M, not over it: review; 999,999.99: no grade, "
              "0.01 short of C, below the minimum volume"),
     "999999.99", True),
    (_partner("P09", "Luxor IT Services", "EG", "solution_provider", "Silver Partner", "2024-07-01", "D01",
              300_000, None, None, "grade A; a credit note in Q4"), "1115000", False),
    (_partner("P10", "Dubai Project Networks", "AE", "solution_provider", "Silver Partner", "2025-03-17", "D02",
              1_100_000, 1_400_000, None, "meets the Gold Partner requirements: upgrade; grade B"), "856000", False),
    (_partner("P11", "Giza Communications", "EG", "solution_provider", "Silver Partner", "2025-05-06", "D01",
              90_000, None, None, "capital 90k under 100k: review; no grade, below the minimum volume"), "204000", False),
    (_partner("P12", "Sharjah Tech Mart", "AE", "reseller", "Certified Partner", "2025-08-25", "D02",
              60_000, None, None, "entry tier: no requirement, no target"), "148000", False),
    (_partner("P13", "Riyadh Channel Partners", "SA", "reseller", "Certified Partner", "2025-10-13", "D02",
              240_000, None, None, "capital 240k meets the Silver Reseller requirements: upgrade"), "121000", False),
    (_partner("P14", "Aswan Network Works", "EG", "solution_provider", "Certified Partner", "2026-06-15", "D01",
              50_000, None, None, "registered 2026-06-15: an earlier sale is outside membership"), "96000", False),
)
# The grade each partner's year must reach, checked before writing.
GRADES = {"D01": "A", "D02": "C", "P01": "B", "P02": "A", "P03": "A", "P04": "", "P05": "B", "P06": "C",
          "P07": "C", "P08": "", "P09": "A", "P10": "B", "P11": "", "P12": "", "P13": "", "P14": ""}

END_USERS = {
    "EG": ("Cairo University Hospitals", "Alexandria Port Authority", "Nile Petroleum Services", "Giza Smart Mall",
           "Mansoura Water Company", "Suez Canal Logistics", "Heliopolis Schools Group", "Delta Sugar Company"),
    "AE": ("Abu Dhabi Municipal Services", "Dubai Harbour Hotels", "Sharjah Education Zone", "Ajman Free Zone Clinic",
           "Emirates Freight Terminal", "Al Ain Water Authority"),
    "SA": ("Riyadh Health Cluster", "Jeddah Islamic Port", "Dammam Petrochemical Park", "Makkah Hospitality Group",
           "Qassim University", "Tabuk Cold Chain Co."),
}
DEALERS = {"D01": ("Sinai Networks Dealer", "Upper Egypt IT Traders"),
           "D02": ("Oman Bridge Trading", "Bahrain Net Hub")}
SLUG = {"D01": "delta-link", "D02": "gulf-channel", None: "direct"}


def report(partner: Partner, date: dt.date) -> str:
    """The channel's quarterly report: the distributor's (for itself and its partners), or ANNT's direct one."""
    channel = partner.id if partner.role == "distributor" else partner.parent
    q = (date.month - 1) // 3 + 1
    return f"sales/{date.year}Q{q}_{SLUG[channel]}.xlsx"


def plan(rng: random.Random) -> Plan:
    partners = [p for p, _, _ in PARTNERS]
    sample = Plan(partners)
    by_id = {p.id: p for p in partners}
    customers = {p.id: tuple(Customer(f"C-{p.id}-{i}", n) for i, n in
                             enumerate(rng.sample(END_USERS[p.country], 3), 1)) for p in partners}
    for p in partners:
        if p.role == "distributor":  # a distributor sells to the tier-2 channel
            tier2 = [Customer(q.id, q.name, "reseller") for q in partners if q.parent == p.id]
            customers[p.id] = (*tier2, *(Customer(f"C-{p.id}-{n}", name, "reseller")
                                         for n, name in enumerate(DEALERS[p.id], 1)))
    for p, total, exact in PARTNERS:
        total = D(total)
        limit = D(250_000) if p.role == "distributor" else D(150_000) if p.tier == "Premium Partner" else D(60_000)
        quarters = [q for q in range(1, 5) if quarter_span(YEAR, q)[1] >= p.registered_on]
        weights = [D(rng.randint(70, 130)) for _ in quarters]
        shares = [(total * w / sum(weights)).quantize(D("0.01")) for w in weights]
        shares[-1] = total - sum(shares[:-1])
        items_of_year = []
        for q, share in zip(quarters, shares):
            start, end = quarter_span(YEAR, q)
            days = weekdays(max(start, p.registered_on), end)
            items = fill(rng, CATALOG, share, limit, max_qty=400 if p.role == "distributor" else 120)
            items_of_year += items
            sample.invoices += to_invoices(rng, items, days, lambda d, chunk, p=p: Invoice(
                report(p, d), p.id, d, p.id, rng.choice(customers[p.id]), chunk))
        if exact:
            rest = total - sum(i.amount for i in items_of_year)
            last = max(weekdays(*quarter_span(YEAR, 4)))
            sample.invoices.append(Invoice(report(p, last), p.id, last, p.id, customers[p.id][0], [Item(
                SERVICE, 1, rest, note=f"installation priced so that the year's sales are exactly {total:,}")]))
    plant(rng, sample, by_id, customers)
    number(rng, sample)
    check_keys(sample)
    return sample


def plant(rng: random.Random, sample: Plan, by_id: dict[str, Partner], customers: dict) -> None:
    def one(pid: str, date: str, customer: Customer, expect: str, note: str, file: str | None = None) -> Invoice:
        d = day(date)
        item = Item(*_drawn(rng), expect=expect, note=note)
        inv = Invoice(file or report(by_id[pid], d), pid, d, pid, customer, [item])
        sample.invoices.append(inv)
        return inv

    # The distributor rule, flagged (the line still earns).
    end_user = {pid: Customer(f"C-{pid}-E{n}", name) for n, (pid, name) in enumerate(
        (("D01", "Egyptian Rail Signalling Authority"), ("D02", "Dubai Airports Campus")), 1)}
    one("D01", "2026-03-18", end_user["D01"], FLAG, "a distributor selling to an end user: flagged, counts")
    one("D01", "2026-09-09", end_user["D01"], FLAG, "a distributor selling to an end user: flagged, counts")
    one("D02", "2026-11-04", end_user["D02"], FLAG, "a distributor selling to an end user: flagged, counts")
    # A December 2025 invoice in the first report of 2026.
    one("P05", "2025-12-29", customers["P05"][0], "OUT_OF_PERIOD", "dated in 2025, before the program year",
        file="sales/2026Q1_delta-link.xlsx")
    # A sale before the partner joined.
    one("P14", "2026-06-03", customers["P14"][0], "OUTSIDE_MEMBERSHIP", "dated before registered_on 2026-06-15")
    # The same line sent again in the next quarter's report.
    resent = rng.choice([i for i in sample.invoices if i.partner == "P07" and i.date.month in (5, 6)])
    sample.copies.append(("sales/2026Q3_delta-link.xlsx", resent, 1))
    # A credit note in Q4 for goods of Q3 (it counts, negative).
    sold = max((i for i in sample.invoices if i.partner == "P09" and i.date.month in (7, 8)),
               key=lambda i: (len(i.items), i.date))
    back = credit_note(sold, day("2026-10-14"), report(by_id["P09"], day("2026-10-14")))
    sample.invoices.append(back)


def _drawn(rng: random.Random) -> tuple[Product, int, D]:
    product = rng.choice([p for p in CATALOG if p.price < 10_000])
    qty = rng.randint(2, 12)
    return product, qty, product.price


def grade(tier: str, base: D) -> str:
    return next((g for g, t in zip("ABC", TARGETS[tier]) if t is not None and base >= t), "")


def check(sample: Plan) -> dict[str, D]:
    year = included_base(sample, "USD", dt.date(YEAR, 12, 31), dt.date(YEAR, 1, 1))
    for p in sample.partners:
        assert grade(p.tier, year[p.id]) == GRADES[p.id], (p.id, year[p.id])
    assert year["P03"] == D("1000000.00") and year["P08"] == D("999999.99")
    return year


# ---------------------------------------------------------------- writing


def generate(folder: Path) -> list[Path]:
    sample = plan(random.Random(SEED))
    year = check(sample)
    layout = Layout(style="title", titles=lambda file: (
        "ANNT Partner Program: quarterly sales report",
        f"Channel: {_channel_name(file)}; quarter {file[len('sales/'):][:6]}"))
    return write_folder(folder, RULES, sample, (*PARTNER_COLUMNS, *ATTRIBUTES), layout,
                        lambda placed: describe(sample, year, placed))


def _channel_name(file: str) -> str:
    slug = file.rsplit("_", 1)[1].removesuffix(".xlsx")
    return {"delta-link": "Delta Link Distribution S.A.E.", "gulf-channel": "Gulf Channel Trading LLC",
            "direct": "ANNT direct partners"}[slug]


def describe(sample: Plan, year: dict[str, D], placed) -> str:
    grades = {g: [p.id for p in sample.partners if GRADES[p.id] == g] for g in "ABC"}
    none = [p.id for p in sample.partners if not GRADES[p.id] and TARGETS[p.tier][0]]
    return lines(
        "# Sample inputs: ANNT Partner Program, 2026",
        "",
        "Generated by `inputs/generators/annt.py` (seed 1776); do not edit by hand. Regenerate, byte-identical:",
        "",
        "```",
        ".venv/bin/python inputs/generate.py annt",
        "```",
        "",
        f"Run: `calc run inputs/annt --period {RUN}` (the year's last quarter: the tier review grades a whole year).",
        "The seed is `../shared/programs/annt-partner-program.txt`; `docs/programs.md` maps each of its rules to",
        "the rows below.",
        "",
        "## The program (`program.xlsx`)",
        "",
        "Sales of the year, in USD, settled per quarter. The seed's numbers (registered capital, sales scale,",
        "clientele, annual targets) are used as given; it states no rebate, so the sample pays an illustrative",
        "1% of sales (all units). The `Notes` sheet says, row by row, what comes from the seed and what is",
        "illustrative or a reading of it.",
        "",
        *rules_tables(RULES),
        "",
        "## Partners (`partners.xlsx`)",
        "",
        "Distributors report their own sales and their tier-2 partners' (`parent_id`) in one quarterly",
        "report; the Premium Partners, who order from ANNT directly, are in `*_direct.xlsx`.",
        "",
        *partner_table(sample, ("registered_capital_usd", "sales_scale_usd", "clientele")),
        "",
        f"Grades the year's sales reach: A {', '.join(grades['A'])}; B {', '.join(grades['B'])}; "
        f"C {', '.join(grades['C'])}; none {', '.join(none)}"
        "; the Certified Partners have no target.",
        f"Year's included sales, USD: {', '.join(f'{p} {v:,.2f}' for p, v in sorted(year.items()))}.",
        "",
        "## Sales reports",
        "",
        *files_table(placed),
        "",
        "## Lines planted for a rule",
        "",
        "Rows are Excel rows (two title rows and a blank row above the header).",
        "",
        *planted_table(placed),
    )
