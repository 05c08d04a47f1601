"""Sample inputs of the RSUPPORT Reseller Program, year 2026.

Silver, Gold and Platinum resellers of a distributor in Thailand, Vietnam and
Indonesia. The seed's requirements table becomes Requirements rows (documents and
training as yes/no roster columns, 1/2/3 or more sales and technical support
managers, Platinum's maintenance resource); its opportunity report becomes
`requires_opportunity` (an unlisted item is excluded from the rebate); its monthly
sales reports are one workbook per reseller and month, and the program settles
monthly; its best partner award is a yearly bonus per country, paid in the
December run. The seed states no rate or award amount: the sample states
illustrative ones in the Notes sheet. In Vietnam two resellers end the year on the
same base, so they share the award, the odd cent going to the lower partner_id.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import replace
from decimal import Decimal as D
from pathlib import Path

from generators.common import money
from generators.sample import (PARTNER_COLUMNS, Customer, Deals, Invoice, Item, Layout, Opp, Partner, Plan,
                               Product, Rules, check_keys, credit_note, date_opportunities, day, files_table, fill,
                               included_base, lines, month_span, number, partner_table, planted_table, rules_tables,
                               to_invoices, weekdays, write_folder)

PROGRAM_ID = "rsupport"
YEAR = 2026
SEED = 2001
RUN = "2026-12"
AWARD = D("1000.01")

SETTINGS = (
    ("program_id", PROGRAM_ID, "sample: folder name"),
    ("name", "RSUPPORT Reseller Program", "seed"),
    ("unit", "USD", "illustrative: the seed's «Profit from sales» states no rate; paid in USD"),
    ("base_currency", "USD", "illustrative: the distributor's reporting currency"),
    ("year", str(YEAR), "illustrative: the sample year; the seed evaluates resellers annually"),
    ("period", "month", "seed: «Provide monthly sales report»; the sample settles each month's report"),
    ("basis", "sales", "seed: «monthly sales report»: the resellers' sales"),
    ("tier_method", "all_units", "illustrative: one rate per category"),
    ("requires_opportunity", "yes", "seed: «Opportunity report ... (unlisted item will be excluded for rebate)»"),
    ("rounding", "half_up", "illustrative: the seed does not say"),
    ("language", "en", "seed: in English"),
    ("membership", "continuous", "seed: states no membership term (the reseller is evaluated annually)"),
    ("minimum_volume", "none", "seed: «re-evaluated depending on the first year's performance» states no volume"),
    ("clawback", "net", "illustrative: the seed does not say; a negative total is owed back in its period"),
)

TIERS = (("Silver", 1), ("Gold", 2), ("Platinum", 3))
BANDS = (("Silver", D(0), D("0.05")), ("Gold", D(0), D("0.08")), ("Platinum", D(0), D("0.12")))
DOCUMENTS = (  # roster column, the seed's row
    ("terms_agreed", "Partner PG operating rights: «Reseller must agree to the terms and requirements»"),
    ("company_profile", "Partner profile: «Provide company information, business and market report»"),
    ("credit_report", "Credit report: «Provide partner/reseller credit report»"),
    ("business_plan", "Annual business plan: «Provide the annual business plan»"),
    ("website_listing", "Promote RSUPPORT: «List RSUPPORT on company's website»"),
    ("sales_training", "Sales training: «Receive sales training from the distributor»"),
)
REQUIREMENTS = (
    *((tier, column, "=", "yes") for tier, _ in TIERS for column, _ in DOCUMENTS),
    *((tier, column, ">=", str(n)) for column in ("sales_managers", "technical_managers")
      for (tier, _), n in zip(TIERS, (1, 2, 3))),
    ("Platinum", "maintenance_resource", "=", "yes"),
)
EXCLUSIONS = (("product_category", "third-party"),)
BONUSES = (("Best partner award", "country", "eligible_base", "year", 1, "fixed", AWARD, D(20_000)),)
ATTRIBUTES = (*(c for c, _ in DOCUMENTS), "sales_managers", "technical_managers", "maintenance_resource")

NOTES = (
    ("Tiers", "Silver 1, Gold 2, Platinum 3", "seed: the three categories"),
    ("RateBands", "Silver 5%, Gold 8%, Platinum 12% of the sales (all units)",
     "illustrative: «Profit from sales: Profit rates for all RSUPPORT's products» states no rate"),
    *(("Requirements", f"{column} = yes (every tier)", f"seed: {row}, O O O") for column, row in DOCUMENTS),
    ("Requirements", "sales_managers >= 1 / 2 / 3", "seed: «Assign a dedicated product sales manager: 1 or more, "
     "2 or more, 3 or more»"),
    ("Requirements", "technical_managers >= 1 / 2 / 3", "seed: «Assign a dedicated technical support manager: 1 or "
     "more, 2 or more, 3 or more»"),
    ("Requirements", "Platinum maintenance_resource = yes", "seed: «Platinum must include resource for maintenance»"),
    ("Program", "requires_opportunity yes", "seed: «Opportunity report on distributor's template (unlisted item "
     "will be excluded for rebate)»: a line counts only with an approved opportunity of the reseller, and "
     "only for an item the opportunity lists (opportunities/*.xlsx: one row per item, column product_sku)"),
    ("Exclusions", "product_category third-party", "reading of the seed: «Profit rates for all RSUPPORT's "
     "products»: other makers' goods on a report never earn"),
    ("Bonuses", f"Best partner award: country, eligible_base, year, 1 winner, fixed {AWARD} USD, over 20,000",
     "seed: «Best partner award: Bonus for best performance reseller» and «Sales performance: By country»; the "
     "amount and minimum are illustrative (an odd cent, to show a shared award's split)"),
    ("Program", "period month", "seed: monthly sales reports; the yearly award is paid in the run of 2026-12"),
    ("not modelled", "webinars, demo accounts, sales and technical material, consulting, marketing, training, "
     "helpdesk, R&D", "seed benefits that are not money: calc does not compute them"),
    ("all", "companies, products, prices, dates and amounts", "illustrative sample data, invented"),
)

RULES = Rules(SETTINGS, BANDS, TIERS, REQUIREMENTS, exclusions=EXCLUSIONS, bonuses=BONUSES, notes=NOTES)

CATALOG = tuple(Product(s, c, D(p)) for s, c, p in (
    ("RC-STD-1Y", "remotecall", "1180"), ("RC-MOB-1Y", "remotecall", "1540"), ("RV-10PC-1Y", "remoteview", "390"),
    ("RV-50PC-1Y", "remoteview", "1650"), ("RM-PRO-1Y", "remotemeeting", "890"), ("MBZ-BIZ-1Y", "mobizen", "260"),
))
ADDON = Product("RC-ADDON-SEAT", "remotecall", D(0))  # priced per order
THIRD_PARTY = (Product("CAM-HD-1080", "third-party", D("79")), Product("HS-USB-PRO", "third-party", D("54")))


def _partner(pid, name, country, tier, registered, sales, tech, maintenance, design, missing=()) -> Partner:
    docs = tuple((c, "no" if c in missing else "yes") for c, _ in DOCUMENTS)
    attrs = (*docs, ("sales_managers", sales), ("technical_managers", tech), ("maintenance_resource", maintenance))
    return Partner(pid, name, country, "reseller", tier, day(registered), attributes=attrs, design=design)


# and the year's sales planned (USD); exact: ends the year on it to the cent
PARTNERS = (
    (_partner("R01", "Siam Remote Solutions Co., Ltd.", "TH", "Platinum", "2024-03-11", 3, 4, "yes",
              "requirements met; best in TH: the award alone"), "142000", False),
    (_partner("R02", "Bangkok Help Desk Systems", "TH", "Gold", "2024-10-21", 2, 1, "no",
              "one technical manager, Gold asks 2: review; an opportunity of another reseller"), "61000", False),
    (_partner("R03", "Chiang Mai Support Tech", "TH", "Silver", "2025-06-02", 2, 2, "no",
              "meets Gold: upgrade; an opportunity that is on no report"), "33000", False),
    (_partner("R04", "Saigon Remote Services JSC", "VN", "Gold", "2024-07-15", 2, 3, "no",
              "year's base 84,250.00, tied with R05: shares the VN award, gets the odd cent; a line naming no "
              "opportunity"),
     "84250.00", True),
    (_partner("R05", "Hanoi IT Support Co.", "VN", "Gold", "2025-01-20", 2, 2, "no",
              "year's base 84,250.00, tied with R04: shares the VN award; a third-party item"), "84250.00", True),
    (_partner("R06", "Da Nang Digital Care", "VN", "Silver", "2025-09-08", 1, 1, "no",
              "RSUPPORT not listed on its website: review; a pending opportunity", ("website_listing",)),
     "27000", False),
    (_partner("R07", "Jakarta Remote Access PT", "ID", "Platinum", "2024-05-06", 3, 3, "no",
              "no maintenance resource: review; best in ID; an expired opportunity"), "118000", False),
    (_partner("R08", "Surabaya Helpdesk Nusantara", "ID", "Gold", "2025-02-24", 3, 3, "yes",
              "meets Platinum: upgrade; a credit note; an item not on its opportunity"), "76000", False),
)
CURRENCY = {"TH": "THB", "VN": "USD", "ID": "USD"}
END_USERS = {
    "TH": ("Krungthep Insurance PCL", "Siam Retail Group", "Chiang Mai Ram Hospital", "Thai Logistics Hub",
           "Phuket Resort Holdings", "Bangkok Metro Services"),
    "VN": ("Vietcom Finance", "Saigon Port Logistics", "Hanoi Telecom Retail", "Mekong Agri Export",
           "Da Nang City Hospital", "VN Garment Holdings"),
    "ID": ("Bank Nusantara Digital", "Jakarta Smart City Office", "Surabaya Shipyard", "Bandung Textile Group",
           "Bali Hospitality Group", "Medan Palm Industries"),
}


def report(partner: Partner, date: dt.date) -> str:
    return f"sales/{date:%Y-%m}_{partner.id}.xlsx"


def thb_rates(rng: random.Random) -> dict[tuple[str, str], D]:
    """USD per 1 THB, a month each; a random walk around 35.5 THB to the dollar."""
    rates, thb = {}, D("35.50")
    for m in range(1, 13):
        thb = money(thb + D(rng.randint(-40, 40)) / 100 + (D("35.50") - thb) * D("0.3"))
        rates["THB", f"{YEAR}-{m:02d}"] = (1 / thb).quantize(D("0.000001"))
    return rates


def plan(rng: random.Random) -> Plan:
    partners = [p for p, _, _ in PARTNERS]
    sample = Plan(partners, rates=thb_rates(rng))
    by_id = {p.id: p for p in partners}
    customers = {p.id: tuple(Customer(f"{p.country}-{n:03d}", name) for n, name in enumerate(
        rng.sample(END_USERS[p.country], 3), 100 + 10 * i)) for i, p in enumerate(partners)}
    deal = Deals(sample)
    for p, total, exact in PARTNERS:
        total = D(total)
        currency = CURRENCY[p.country]
        weights = [D(rng.randint(60, 140)) for _ in range(12)]
        year_items: list[tuple[dt.date, Item]] = []
        for m, w in enumerate(weights, 1):
            start, end = month_span(YEAR, m)
            share = (total * w / sum(weights)).quantize(D("0.01"))
            items = fill(rng, CATALOG, share - (D(1500) if exact and m == 12 else 0), D(12_000), max_qty=25)
            invoices = to_invoices(rng, items, weekdays(start, end), lambda d, chunk, p=p: _invoice(
                sample, p, d, chunk, currency, deal(p.id, rng.choice(customers[p.id]))))
            sample.invoices += invoices
            year_items += [(i.date, x) for i in invoices for x in i.items]
        if exact:  # an add-on order priced so that the year's base is exactly `total`
            rest = total - sum(x.amount for _, x in year_items)
            last = day("2026-12-18")
            sample.invoices.append(_invoice(sample, p, last, [Item(
                ADDON, 1, rest, note=f"add-on seats priced so that the year's base is exactly {total:,}")],
                currency, deal(p.id, customers[p.id][0])))
    plant(rng, sample, by_id, customers, deal)
    date_opportunities(rng, sample)
    number(rng, sample)
    list_items(sample)
    check_keys(sample)
    return sample


def list_items(sample: Plan) -> None:
    """Each opportunity report lists the products of the deal (one row per item): the SKUs of
    the lines naming it. One R08 deal leaves out one of them: that line is an «unlisted item»
    (NOT_REGISTERED, «item not on the opportunity»). Decided without the generator, so the
    lines drawn do not move."""
    naming = defaultdict(list)
    for inv in sample.invoices:
        if isinstance(inv.opp, Opp):
            naming[inv.opp.id].append(inv)
    chosen = None
    credited = {i.credit_of.id for i in sample.invoices if i.credit_of is not None}
    for inv in sorted((i for i in sample.invoices if i.partner == "R08" and isinstance(i.opp, Opp)
                       and i.credit_of is None and i.id not in credited), key=lambda i: i.id):
        skus = [x.product.sku for i in naming[inv.opp.id] for x in i.items]
        alone = [n for n, x in enumerate(inv.items) if skus.count(x.product.sku) == 1 and x.expect == "included"]
        if alone and len(set(skus)) > 1:
            chosen = inv, alone[0]
            break
    inv, n = chosen
    item = inv.items[n]
    inv.items[n] = replace(item, expect="NOT_REGISTERED",
                           note=f"{item.product.sku} is not listed on its opportunity {inv.opp.id}: an unlisted item")
    for opp in sample.opps:
        opp.items = tuple(sorted({x.product.sku for i in naming[opp.id] for x in i.items
                                  if not (i is inv and x is inv.items[n])}))


def _invoice(sample: Plan, p: Partner, d: dt.date, items: list[Item], currency: str, opp: Opp | str | None,
             customer: Customer | None = None) -> Invoice:
    """An invoice of `p` for the customer of its opportunity (or `customer`)."""
    if currency != "USD":  # the catalog is in USD; a Thai reseller invoices in THB
        rate = sample.rates[currency, f"{d:%Y-%m}"]
        items = [Item(i.product, i.qty, money(i.unit / rate), i.expect, i.note) for i in items]
    customer = opp.customer if isinstance(opp, Opp) else customer
    return Invoice(report(p, d), p.id, d, p.id, customer, items, currency, opp)


def plant(rng: random.Random, sample: Plan, by_id: dict[str, Partner], customers, deal) -> None:
    def one(pid: str, date: str, expect: str, note: str, opp="deal", product: Product | None = None,
            customer: Customer | None = None) -> Invoice:
        p, d = by_id[pid], day(date)
        customer = customer or customers[pid][-1]
        product = product or rng.choice(CATALOG)
        item = Item(product, rng.randint(1, 4), product.price, expect, note)
        inv = _invoice(sample, p, d, [item], CURRENCY[p.country], deal(pid, customer) if opp == "deal" else opp,
                       customer)
        sample.invoices.append(inv)
        return inv

    # «unlisted item will be excluded for rebate»: every way a line can miss its opportunity
    one("R04", "2026-05-19", "NOT_REGISTERED", "names no opportunity: not on the opportunity report", opp=None)
    one("R03", "2026-08-12", "NOT_REGISTERED", "opportunity OP-26-9999 is on no report", opp="OP-26-9999")
    other = deal("R01", customers["R01"][0])
    one("R02", "2026-06-09", "NOT_REGISTERED", "names an opportunity of R01", opp=other)
    pending = Opp("R06", customers["R06"][1], "pending", day("2026-09-21"))
    sample.opps.append(pending)
    one("R06", "2026-10-07", "NOT_REGISTERED", "the opportunity is pending", opp=pending)
    expired = Opp("R07", customers["R07"][1], "approved", day("2026-02-02"), day("2026-06-30"))
    sample.opps.append(expired)
    one("R07", "2026-07-14", "NOT_REGISTERED", "the opportunity expired on 2026-06-30", opp=expired)
    # Other makers' goods never earn.
    for pid, date, product in (("R01", "2026-03-24", THIRD_PARTY[0]), ("R05", "2026-11-10", THIRD_PARTY[1])):
        one(pid, date, "PRODUCT_EXCLUDED", f"{product.sku} is category third-party", product=product,
            customer=customers[pid][0])
    # Dated after the run's period, in the December report.
    late = one("R07", "2026-12-28", "included", "")
    late.date = day("2027-01-05")
    late.items[0] = Item(late.items[0].product, late.items[0].qty, late.items[0].unit, "OUT_OF_PERIOD",
                         "dated 2027-01-05, sent with the December report: outside the program year")
    # A return.
    sold = max((i for i in sample.invoices if i.partner == "R08" and i.date.month == 9),
               key=lambda i: (len(i.items), i.date))
    sample.invoices.append(credit_note(sold, day("2026-11-16"), report(by_id["R08"], day("2026-11-16"))))


def check(sample: Plan) -> dict[str, D]:
    year = included_base(sample, "USD", dt.date(YEAR, 12, 31), dt.date(YEAR, 1, 1))
    assert year["R04"] == year["R05"] == D("84250.00") > year["R06"], (year["R04"], year["R05"], year["R06"])
    assert year["R01"] > max(year["R02"], year["R03"]) and year["R07"] > year["R08"]
    return year


def generate(folder: Path) -> list[Path]:
    sample = plan(random.Random(SEED))
    year = check(sample)
    names = {p.id: p.name for p in sample.partners}
    layout = Layout(style="title", titles=lambda file: (
        "RSUPPORT Reseller Program: monthly sales report (distributor's template)",
        f"Reseller: {names[file[-8:-5]]} ({file[-8:-5]}); month: {file[len('sales/'):][:7]}"))
    return write_folder(folder, RULES, sample, (*PARTNER_COLUMNS, *ATTRIBUTES), layout,
                        lambda placed: describe(sample, year, placed),
                        opportunity_file=lambda opp: f"opportunities/{opp.partner}.xlsx")


def describe(sample: Plan, year: dict[str, D], placed) -> str:
    return lines(
        "# Sample inputs: RSUPPORT Reseller Program, 2026",
        "",
        "Generated by `inputs/generators/rsupport.py` (seed 2001); do not edit by hand. Regenerate, byte-identical:",
        "",
        "```",
        ".venv/bin/python inputs/generate.py rsupport",
        "```",
        "",
        f"Run: `calc run inputs/rsupport --period {RUN}` (the year's last month: the yearly best partner award is",
        "paid in that run only). The seed is `../shared/programs/rsupport-reseller-program.txt`;",
        "`docs/programs.md` maps each of its rules to the rows below.",
        "",
        "## The program (`program.xlsx`)",
        "",
        "The resellers' sales, in USD, settled per month (the seed's monthly sales reports). A line counts only",
        "when it names an approved opportunity of the reseller on its opportunity report, valid on the invoice",
        "date, and its product is an item the opportunity lists (the seed: an unlisted item is excluded from",
        "the rebate; each report has one row per item, column `product_sku`). The rates and the award amount are",
        f"illustrative: the seed states none; the award is {AWARD} USD so that a shared award shows its odd cent.",
        "",
        *rules_tables(RULES),
        "",
        "## Partners (`partners.xlsx`)",
        "",
        "Each reseller sends a sales report per month (`sales/2026-MM_<partner_id>.xlsx`, THB in Thailand, USD",
        "elsewhere; `fx_rates.xlsx` has USD per THB for each month) and keeps its opportunity report",
        "(`opportunities/<partner_id>.xlsx`).",
        "",
        *partner_table(sample, ATTRIBUTES),
        "",
        f"Year's included base, USD: {', '.join(f'{p} {v:,.2f}' for p, v in sorted(year.items()))}.",
        "Best partner award, per country, in the 2026-12 run: TH R01, ID R07; VN R04 and R05 tie on",
        f"84,250.00 and share {AWARD}: R04 (the lower partner_id) 500.01, R05 500.00.",
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
