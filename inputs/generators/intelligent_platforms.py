"""Sample inputs of the Intelligent Platforms accumulation program, year 2026.

Points of 2% of a partner's purchases up to 3,000,000 KZT and 4% above, settled per
quarter, every line tied to a registered deal. Four distributors report their
partners' purchases month by month, each in its own layout. The amounts are planned
so that partners cross 3,000,000 KZT in each quarter, one ends a quarter exactly on
it and one falls back under it after a credit note; a few lines are planted so that
every exclusion reason of the contract is hit at least twice. `plan` decides all of
it with one seeded generator; the writers only lay it out.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from decimal import Decimal as D
from pathlib import Path

from generators.common import Book, clear, headers, money, weekday_on_or_after
from incentives import schema

PROGRAM_ID = "intelligent-platforms"
YEAR = 2026
SEED = 2026
THRESHOLD = D(3_000_000)

# key, value, where the value comes from (the Notes sheet and the README say it)
SETTINGS = (
    ("program_id", PROGRAM_ID, "sample: folder name"),
    ("name", "Intelligent Platforms Partner Program", "seed"),
    ("unit", "points", "seed: баллы"),
    ("base_currency", "KZT", "seed: thresholds are stated in KZT"),
    ("year", str(YEAR), "illustrative: the sample year"),
    ("period", "quarter", "seed: «расчет баллов осуществляется по результатам квартала»"),
    ("basis", "purchases", "seed: «процент от суммы покупок»"),
    ("tier_method", "all_units", "reading of the seed: the rate reached applies to all purchases of the term"),
    ("requires_opportunity", "yes", "illustrative: the seed says nothing about deal registration"),
    ("rounding", "half_up", "illustrative: the seed does not say"),
    ("language", "ru", "the program runs in Kazakhstan, in Russian"),
)
assert [k for k, _, _ in SETTINGS] == [s.key for s in schema.PROGRAM_SETTINGS], "write every setting"

TIERS = ("Primary Reseller", "Professional Reseller", "Corporate Reseller", "Solution Provider", "Service Provider")
ROLE_OF_RANK = {1: "reseller", 2: "reseller", 3: "reseller", 4: "solution_provider", 5: "service_provider"}
ATTRIBUTES = ("site_registered", "sales_specialists", "certified_staff", "joint_solutions", "product_engineers")
REQUIREMENTS = (
    *((tier, "site_registered", "=", "yes") for tier in TIERS),
    ("Professional Reseller", "sales_specialists", ">=", "1"),
    ("Corporate Reseller", "sales_specialists", ">=", "1"),
    ("Corporate Reseller", "certified_staff", ">=", "1"),
    ("Solution Provider", "joint_solutions", ">=", "1"),
    ("Service Provider", "product_engineers", ">=", "1"),
)
CHANNEL_RULES = (("distributor", "end_user", "exclude"),)


@dataclass(frozen=True)
class Product:
    sku: str
    category: str
    price: D  # list price, KZT


CATALOG = tuple(Product(s, c, D(p)) for s, c, p in (
    ("IP-SRV-R120", "servers", "987400"), ("IP-SRV-R220", "servers", "1648300"),
    ("IP-SRV-R440", "servers", "2896500"), ("IP-STG-N200", "storage", "1452800"),
    ("IP-WS-T300", "workstations", "869900"), ("IP-WS-T500", "workstations", "1338600"),
    ("IP-PC-M300", "desktops", "287450"), ("IP-PC-M500", "desktops", "364900"),
    ("IP-NB-L14", "notebooks", "412300"), ("IP-NB-P15", "notebooks", "559990"),
    ("IP-ACC-RAIL", "components", "38200"), ("IP-ACC-RAM32", "components", "64750"),
    ("IP-ACC-SSD960", "components", "96400"), ("IP-SW-MGMT", "software", "145000"),
    ("IP-SVC-INST", "services", "120000"), ("IP-SVC-EXT3Y", "services", "214500"),
    ("IP-DEMO-R220", "servers", "989000"),
))
PRODUCT = {p.sku: p for p in CATALOG}
EXCLUSIONS = (("product_category", "services"), ("product_sku", "IP-DEMO-R220"))
EARNING = tuple(p for p in CATALOG if ("product_category", p.category) not in EXCLUSIONS
                and ("product_sku", p.sku) not in EXCLUSIONS)

RESELLERS = (  # name, city, country; the two foreign ones first so they get 2025 registrations
    ("ОсОО «Ала-Тоо Системс»", "Бишкек", "KG"), ("ООО «Самарканд Тех Солюшнс»", "Ташкент", "UZ"),
    *((name, city, "KZ") for name, city in (
        ("ТОО «Алтын Сервис»", "Алматы"), ("ТОО «Береке Системс»", "Астана"), ("ТОО «Жулдыз IT»", "Шымкент"),
        ("ТОО «Нур Технолоджи»", "Астана"), ("ТОО «Сункар Инжиниринг»", "Алматы"),
        ("ТОО «Кайнар Компьютерс»", "Караганда"), ("ТОО «Бастау Интеграция»", "Павлодар"),
        ("ТОО «Тулпар Телеком»", "Актобе"), ("ТОО «Арман Софт»", "Алматы"), ("ТОО «Көктем Сервис»", "Тараз"),
        ("ТОО «Шаңырақ Системс»", "Астана"), ("ТОО «Мерей Трейд»", "Костанай"),
        ("ТОО «Достык Компьютер Центр»", "Усть-Каменогорск"), ("ТОО «Олжа Групп»", "Атырау"),
        ("ТОО «Сапа Солюшнс»", "Алматы"), ("ТОО «Ақниет Технолоджи»", "Кызылорда"),
        ("ТОО «Орда Дата»", "Астана"), ("ТОО «Жасыл Дала IT»", "Петропавловск"),
        ("ТОО «Алаш Сервер Системс»", "Семей"), ("ИП «Сейткалиев Е.Б.»", "Уральск"),
        ("ТОО «Азия Компьютерс»", "Алматы"), ("ТОО «Батыс Инфо»", "Актобе"),
        ("ТОО «Шығыс Технолоджи»", "Усть-Каменогорск"), ("ТОО «Оңтүстік Системс»", "Шымкент"),
        ("ТОО «Солтүстік IT»", "Костанай"), ("ТОО «Каспиан Нет Сервис»", "Актау"),
        ("ТОО «Айбын Инжиниринг»", "Караганда"), ("ТОО «Барыс Дата Центр»", "Астана"),
        ("ТОО «Тарлан Системс»", "Алматы"), ("ТОО «ИнфоСтандарт Казахстан»", "Алматы"),
        ("АО «Сенім Технологии»", "Астана"), ("ТОО «Ұлан Сервис»", "Талдыкорган"),
        ("ИП «Жумабеков А.К.»", "Туркестан"), ("ТОО «Кемел Интегратор»", "Караганда"),
    )),
)
CUSTOMERS = (
    "КГУ «Школа-гимназия № 12»", "КГП на ПХВ «Городская поликлиника № 5»", "ТОО «Агрофирма Жана Кала»",
    "АО «Павлодарский энергоцентр»", "ТОО «Логистик Хаб Шымкент»", "ГУ «Отдел образования Бурабайского района»",
    "ТОО «Караганда Стройсервис»", "АО «Транспортная компания Сапар»", "ТОО «Медицинский центр Шипагер»",
    "КГУ «Областная научная библиотека»", "ТОО «Актобе Нефтесервис»", "ТОО «Атырау Бурение»",
    "ТОО «Костанай Агро Трейд»", "ТОО «Кызылорда Су Арнасы»", "АО «Финансовая компания Алем»",
    "ТОО «Отель Жибек Жолы»", "ТОО «Ресторанная группа Дастархан»", "НАО «Университет Сарыарка»",
    "ТОО «Юридическая фирма Зан»", "ТОО «Аптечная сеть Дәрі»", "КГП «Центр обслуживания населения»",
    "ТОО «Складской комплекс Алатау»", "ТОО «Автоцентр Тулпар Моторс»", "ТОО «Цементный завод Шығыс»",
    "ТОО «Строительная компания Құрылыс»", "ТОО «Мунай Сервис Групп»", "ТОО «Бухгалтерская служба Есеп»",
    "ТОО «Типография Баспа»", "АО «Страховая компания Қорған»", "ТОО «Горнообогатительный комбинат Кен»",
)
FOREIGN_CUSTOMERS = {"KG": ("ОсОО «Ош Агро Экспорт»", "ОсОО «Бишкек Медиа Групп»"),
                     "UZ": ("ООО «Тошкент Логистика»", "ООО «Фаргона Текстиль»")}

# Quarterly purchase targets, thousands of KZT, by what a partner shows about the 3,000,000
# threshold. `fill` stays under a target by less than the cheapest product, so ordinary
# partners (at most 2.7 million a year to September) never cross it.
TARGETS = {
    "ordinary": ((300, 900), (300, 900), (300, 900)),
    "crosses in Q1": ((3400, 4200), (1000, 2000), (800, 1600)),
    "crosses in Q2": ((1300, 1800), (1900, 2600), (500, 1200)),
    "crosses in Q3": ((700, 1000), (800, 1100), (1800, 2400)),
    "exactly 3,000,000.00 at the end of Q2": ((1200, 1600), (0, 0), (500, 900)),  # Q2 is the rest
    "claw-back in Q3": ((1200, 1500), (500, 800), (200, 400)),  # plus the big order in Q2
    "no purchases": ((0, 0), (0, 0), (0, 0)),
}
DESIGNS = {"crosses in Q1": 1, "crosses in Q2": 3, "crosses in Q3": 3,
           "exactly 3,000,000.00 at the end of Q2": 1, "claw-back in Q3": 1}


@dataclass(frozen=True)
class Layout:
    """How one distributor writes its sales reports."""

    style: str  # headers: name, title or ru (see common.headers)
    columns: tuple[str, ...]
    sheet: str
    date_format: str
    titles: int  # title rows above the header


SALES_COLUMNS = tuple(c.name for c in schema.SALES.columns)
CUSTOMER_WORDS = {"ru": {"end_user": "конечный пользователь", "reseller": "реселлер"},
                  "title": {"end_user": "End user", "reseller": "Reseller"}}
STATUS_WORDS = {"ru": {"approved": "одобрена", "pending": "на рассмотрении", "rejected": "отклонена"}}
MONTHS_RU = ("январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август", "сентябрь",
             "октябрь", "ноябрь", "декабрь")


@dataclass(frozen=True)
class Distributor:
    id: str
    name: str
    city: str
    slug: str
    prefix: str
    layout: Layout


DISTRIBUTORS = (
    Distributor("D01", "ТОО «Сарыарка Дистрибуция»", "Караганда", "saryarka", "SRK",
                Layout("ru", SALES_COLUMNS, "Продажи", "dd.mm.yyyy", 2)),
    Distributor("D02", "ТОО «Тенгри Трейд»", "Алматы", "tengri", "TNG",
                Layout("name", SALES_COLUMNS, "Sales", "yyyy-mm-dd", 0)),
    Distributor("D03", "ТОО «Алатау Компьютерс»", "Алматы", "alatau", "ALT",
                Layout("ru", ("invoice_date", "invoice_id", "line_no", "partner_id", "customer_name", "customer_id",
                              "customer_type", "product_sku", "product_category", "quantity", "net_amount",
                              "currency", "opportunity_id"), "Sales", "dd.mm.yyyy", 1)),
    Distributor("D04", "ТОО «Жибек Жолы Дистрибуция»", "Алматы", "zhibek", "ZHB",
                Layout("title", ("invoice_date", "partner_id", "invoice_id", "line_no", "product_sku",
                                 "product_category", "quantity", "net_amount", "currency", "customer_name",
                                 "customer_type", "opportunity_id"), "Sales", "yyyy-mm-dd", 0)),
)
DIST = {d.id: d for d in DISTRIBUTORS}
USD_FILE = "sales/2026-06_zhibek_usd.xlsx"  # the foreign partners' June purchases, invoiced in USD
TEXT_DATES = "sales/2026-03_alatau.xlsx"  # dates typed as dd.mm.yyyy text


@dataclass(frozen=True)
class Customer:
    id: str
    name: str


@dataclass(frozen=True)
class Partner:
    id: str
    name: str
    country: str
    city: str
    role: str
    tier: str
    registered_on: dt.date
    parent: str | None
    company_id: str
    language: str | None
    attributes: tuple
    customers: tuple[Customer, ...]


@dataclass(eq=False)
class Opp:
    partner: str
    customer: Customer
    status: str = "approved"
    registered_on: dt.date | None = None  # None: derived from the lines that name it
    expires_on: dt.date | None = None
    id: str = ""


@dataclass(frozen=True)
class Item:
    product: Product
    qty: int
    unit: D
    reason: str | None = None  # the reason code this line is planted for; None: it counts
    note: str = ""  # why the line is worth a look, for the README

    @property
    def amount(self) -> D:
        return self.qty * self.unit


@dataclass(eq=False)
class Invoice:
    dist: Distributor
    date: dt.date
    partner: str
    customer: Customer
    opp: Opp | str | None
    items: list[Item]
    customer_type: str = "end_user"
    currency: str = "KZT"
    file: str = ""  # "" : the distributor's report of the invoice month
    credit_of: Invoice | None = None
    id: str = ""

    def report(self) -> str:
        return self.file or f"sales/{self.date:%Y-%m}_{self.dist.slug}.xlsx"


@dataclass
class Sample:
    rates: dict[str, D]
    partners: list[Partner]
    design: dict[str, str]
    opps: list[Opp] = field(default_factory=list)
    invoices: list[Invoice] = field(default_factory=list)
    # (file, invoice, line_no): a line sent again, the DUPLICATE rows
    copies: list[tuple[str, Invoice, int]] = field(default_factory=list)


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


# ---------------------------------------------------------------- planning


def plan(rng: random.Random) -> Sample:
    sample = Sample(fx_rates(rng), *roster(rng))
    regular = RegularOpps(sample)
    for partner in sample.partners:
        if partner.role != "distributor":
            sample.invoices += purchases(rng, partner, sample.design[partner.id], regular)
    plant(rng, sample, regular)
    settle(rng, sample, regular)
    check(sample)
    return sample


def fx_rates(rng: random.Random) -> dict[str, D]:
    rate, rates = D("497.35"), {}
    for month in range(1, 13):
        # a random walk pulled back towards 497, so it stays within 470-520
        rate = money(rate + D(rng.randint(-1200, 1200)) / 100 + (D(497) - rate) * D("0.3"))
        rates[f"{YEAR}-{month:02d}"] = rate
    return rates


def company_id(rng: random.Random, country: str) -> str:
    """A registration number of the country's length: BIN (12), KG INN (14), UZ INN (9)."""
    if country == "UZ":
        return f"{rng.randint(200, 309)}{rng.randrange(10**6):06d}"
    if country == "KG":
        birth = f"{rng.randint(1, 28):02d}{rng.randint(1, 12):02d}{rng.randint(1995, 2020)}"
        return f"0{rng.randint(1, 3)}{birth}{rng.randrange(10**5):05d}"
    return f"{rng.randint(5, 22):02d}{rng.randint(1, 12):02d}40{rng.randrange(10**6):06d}"


def roster(rng: random.Random) -> tuple[list[Partner], dict[str, str]]:
    pool = tuple(Customer(company_id(rng, "KZ"), name) for name in CUSTOMERS)
    foreign = {c: tuple(Customer(company_id(rng, c), n) for n in names) for c, names in FOREIGN_CUSTOMERS.items()}
    partners = [Partner(d.id, d.name, "KZ", d.city, "distributor", TIERS[0], day(f"2025-01-{rng.randint(9, 28):02d}"),
                        None, company_id(rng, "KZ"), None,
                        (("yes", rng.randint(3, 6), rng.randint(2, 5), 0, rng.randint(1, 3))),
                        tuple(rng.sample(pool, 3)))
                for d in DISTRIBUTORS]
    # Most joined in 2025; six early in 2026; three mid-year, so lines before their
    # registration exist (OUTSIDE_MEMBERSHIP).
    dates = [day("2025-01-15") + dt.timedelta(rng.randrange(320)) for _ in range(27)]
    dates += [day("2026-01-12") + dt.timedelta(rng.randrange(100)) for _ in range(6)]
    dates += [day("2026-05-15"), day("2026-07-01"), day("2026-08-17")]
    firms = list(RESELLERS[:2]) + rng.sample(RESELLERS[2:], len(RESELLERS) - 2)
    ranks = [1] * 12 + [2] * 9 + [3] * 6 + [4] * 5 + [5] * 4
    rng.shuffle(ranks)
    parents = [d.id for d in DISTRIBUTORS] * 9
    rng.shuffle(parents)
    # One Corporate Reseller without certified staff and one Service Provider without an
    # engineer: the tier review has something to report.
    short = {rng.choice([i for i, r in enumerate(ranks) if r == 3]): "certified_staff",
             rng.choice([i for i, r in enumerate(ranks) if r == 5]): "product_engineers"}
    rows = []
    for i, ((name, city, country), reg, rank, parent) in enumerate(zip(firms, dates, ranks, parents)):
        attrs = {"site_registered": "yes",
                 "sales_specialists": rng.randint(1, 3) if rank in (2, 3, 5) else rng.randint(0, 2),
                 "certified_staff": rng.randint(1, 4) if rank == 3 else rng.randint(0, 2),
                 "joint_solutions": rng.randint(1, 3) if rank == 4 else rng.randint(0, 1) if rank == 5 else 0,
                 "product_engineers": rng.randint(1, 2) if rank == 5 else rng.randint(0, 1)}
        if i in short:
            attrs[short[i]] = 0
        customers = foreign[country] if country != "KZ" else tuple(rng.sample(pool, rng.randint(2, 4)))
        rows.append((reg, name, city, country, rank, "D04" if country != "KZ" else parent,
                     tuple(attrs[a] for a in ATTRIBUTES), customers))
    # ids are issued in order of registration
    for n, (reg, name, city, country, rank, parent, attrs, customers) in enumerate(sorted(rows), 1):
        partners.append(Partner(f"P{n:03d}", name, country, city, ROLE_OF_RANK[rank], TIERS[rank - 1], reg, parent,
                                company_id(rng, country), "en" if country == "UZ" else None, attrs, customers))
    resellers = [p for p in partners if p.role != "distributor"]
    design = {p.id: "ordinary" for p in resellers}
    eligible = [p.id for p in resellers if p.country == "KZ" and p.registered_on.year < YEAR]
    chosen = iter(rng.sample(eligible, sum(DESIGNS.values())))
    for kind, count in DESIGNS.items():
        for _ in range(count):
            design[next(chosen)] = kind
    design[rng.choice([p.id for p in resellers if p.registered_on.year == YEAR
                       and p.registered_on < day("2026-05-01")])] = "no purchases"
    return partners, design


class RegularOpps:
    """One approved opportunity per partner and customer, made on first use; its dates
    are set in `settle` from the lines that name it."""

    def __init__(self, sample: Sample):
        self.sample = sample
        self.by_key: dict[tuple[str, str], Opp] = {}

    def __call__(self, partner: str, customer: Customer) -> Opp:
        key = (partner, customer.id)
        if key not in self.by_key:
            self.by_key[key] = Opp(partner, customer)
            self.sample.opps.append(self.by_key[key])
        return self.by_key[key]


def draw(rng: random.Random, product: Product, limit: D) -> Item:
    unit = money(product.price * (1 - D(rng.randrange(36)) / 400))  # up to 8.75% off the list price
    return Item(product, rng.randint(1, max(1, min(10, int(limit // unit)))), unit)


def fill(rng: random.Random, target: D, exact: bool = False) -> list[Item]:
    """Lines of earning products adding up to `target`, less than the cheapest product
    under it, or, when `exact`, to the cent (the last line priced to fit)."""
    # Lines of about an eighth of the quarter: a reseller buys several times a month; a
    # product may cost up to twice that, bought one at a time.
    limit = max(target / 8, D(150_000))
    items, rest = [], target
    while fitting := [p for p in EARNING if p.price <= min(max(2 * limit, D(420_000)), rest)]:
        items.append(draw(rng, rng.choice(fitting), min(limit, rest)))
        rest -= items[-1].amount
    if exact and rest:
        items.append(Item(min(EARNING, key=lambda p: abs(p.price - rest)), 1, rest,
                          note="priced so that the partner's year to date is exactly 3,000,000.00 at the end of Q2"))
    return items


# Kazakhstan's public holidays of 2026 that fall on weekdays: nobody invoices then.
HOLIDAYS = {day(d) for d in ("2026-01-01", "2026-01-02", "2026-01-07", "2026-03-09", "2026-03-23", "2026-03-24",
                             "2026-03-25", "2026-05-01", "2026-05-07", "2026-07-06", "2026-08-31", "2026-10-26",
                             "2026-12-16")}


def weekdays(start: dt.date, end: dt.date, after: dt.date) -> list[dt.date]:
    days = (start + dt.timedelta(n) for n in range((end - start).days + 1))
    return [d for d in days if d.weekday() < 5 and d >= after and d not in HOLIDAYS]


def quarter_days(q: int, after: dt.date) -> list[dt.date]:
    end = dt.date(YEAR, 3 * q + 1, 1) - dt.timedelta(1) if q < 4 else dt.date(YEAR, 12, 31)
    return weekdays(dt.date(YEAR, 3 * q - 2, 1), end, after)


def base(invoices: list[Invoice], rates: dict[str, D] | None = None) -> D:
    """KZT amount of the lines meant to count (USD converted per line, as the contract says)."""
    total = D(0)
    for inv in invoices:
        rate = rates[f"{inv.date:%Y-%m}"] if inv.currency == "USD" else D(1)
        total += sum((money(i.amount * rate) for i in inv.items if i.reason is None), D(0))
    return total


def purchases(rng: random.Random, partner: Partner, kind: str, regular: RegularOpps) -> list[Invoice]:
    invoices: list[Invoice] = []
    for q, (lo, hi) in enumerate(TARGETS[kind], 1):
        days = quarter_days(q, partner.registered_on)
        target = D(rng.randint(lo, hi) * 1000)
        exact = kind.startswith("exactly") and q == 2
        if exact:
            target = THRESHOLD - base(invoices)
        if not days or not target:
            continue
        items = fill(rng, target, exact)
        rng.shuffle(items)
        while items:
            size = rng.randint(1, 3)
            chunk, items = items[:size], items[size:]
            # the foreign partners' second quarter is all in June: the USD report
            june = [d for d in days if d.month == 6] if partner.country != "KZ" and q == 2 else []
            customer = rng.choice(partner.customers)
            invoices.append(Invoice(DIST[partner.parent], rng.choice(june or days), partner.id, customer,
                                    regular(partner.id, customer), chunk))
    return invoices


def plant(rng: random.Random, sample: Sample, regular: RegularOpps) -> None:
    """The lines that exercise the contract's exclusion reasons and its edge cases."""
    partners = {p.id: p for p in sample.partners}
    invoices = sample.invoices

    def ordinary(dist: str, but: str = "") -> Partner:
        ids = [p.id for p in sample.partners if sample.design.get(p.id) == "ordinary" and p.parent == dist
               and p.country == "KZ" and p.registered_on < day("2025-12-01") and p.id != but]
        return partners[rng.choice(ids)]

    def add(dist: str, date: str, partner: Partner | str, reason: str | None, note: str,
            opp: Opp | str | None = "regular", product: Product | None = None, file: str = "") -> None:
        """A one-line invoice; `opp` "regular" is the partner's own valid registration."""
        pid = partner if isinstance(partner, str) else partner.id
        owner = partners.get(pid, sample.partners[0])  # an unknown partner sells to anyone's customer
        customer = opp.customer if isinstance(opp, Opp) else rng.choice(owner.customers)
        product = product or rng.choice([e for e in EARNING if e.price < 1_000_000])
        item = replace(draw(rng, product, D(900_000)), reason=reason, note=note)
        invoices.append(Invoice(DIST[dist], weekday_on_or_after(day(date)), pid, customer,
                                regular(pid, customer) if opp == "regular" else opp, [item], file=file))

    taken: set[Invoice] = set()

    def of(dist: str, months: tuple[int, ...], lines: int = 1) -> Invoice:
        """A plain KZT invoice of an ordinary partner, not already used by another planted case."""
        found = [i for i in invoices if i.dist.id == dist and i.date.month in months and not i.file
                 and i.currency == "KZT" and i.credit_of is None and i not in taken and len(i.items) >= lines
                 and sample.design.get(i.partner) == "ordinary"
                 and all(x.reason is None and not x.note for x in i.items)]
        chosen = rng.choice(found)
        taken.add(chosen)
        return chosen

    # Foreign partners' June invoices go into one USD report, amounts converted at June's rate.
    june_rate = sample.rates[f"{YEAR}-06"]
    for inv in invoices:
        if partners[inv.partner].country != "KZ" and inv.date.month == 6:
            inv.currency, inv.file = "USD", USD_FILE
            inv.items = [replace(i, unit=money(i.unit / june_rate)) for i in inv.items]
            taken.add(inv)

    # Included edge cases.
    mid_may = next(p for p in sample.partners if p.registered_on == day("2026-05-15"))
    mid_july = next(p for p in sample.partners if p.registered_on == day("2026-07-01"))
    add(mid_may.parent, "2026-05-15", mid_may, None, "dated on the partner's registered_on: counts")
    for dist, months, to in (("D02", (3,), "2026-04"), ("D01", (6,), "2026-07")):
        late = of(dist, months)
        late.file = f"sales/{to}_{late.dist.slug}.xlsx"
        late.items[0] = replace(late.items[0], note=f"invoice of {late.date:%Y-%m} reported late, in the {to} report")
    # Credit notes: two returns within a quarter (one in the text-date file), one across
    # quarters, and the one that takes the claw-back partner back under the threshold.
    for dist, months, on in (("D03", (1, 2), "2026-03-11"), ("D01", (4,), "2026-05-18"), ("D02", (5, 6), "2026-07-20")):
        orig = of(dist, months)
        line = max(orig.items, key=lambda i: (i.qty, i.amount))
        back = max(1, line.qty // 2)
        returned = Item(line.product, -back, line.unit, note=f"credit note: {back} of {line.qty} returned")
        invoices.append(Invoice(orig.dist, weekday_on_or_after(day(on)), orig.partner, orig.customer, orig.opp,
                                [returned], credit_of=orig))
    claw = partners[next(p for p, k in sample.design.items() if k == "claw-back in Q3")]
    customer = claw.customers[0]
    big = Invoice(DIST[claw.parent], weekday_on_or_after(day("2026-05-25")), claw.id, customer,
                  regular(claw.id, customer), [Item(PRODUCT["IP-SRV-R220"], 2, D("1565885.00"),
                                                    note="the big order that the Q3 credit note takes back")])
    invoices.append(big)
    invoices.append(Invoice(big.dist, weekday_on_or_after(day("2026-08-10")), claw.id, customer, big.opp,
                            [replace(big.items[0], qty=-2, note="credit note: the whole big Q2 order returned, "
                                     "year to date falls back under 3,000,000 (claw-back)")], credit_of=big))

    # DUPLICATE
    resent = of("D02", (4,), lines=2)
    for n in range(1, len(resent.items) + 1):
        sample.copies.append(("sales/2026-05_tengri.xlsx", resent, n))
    pasted = of("D04", (7, 8, 9))
    sample.copies.append((pasted.report(), pasted, 1))
    # UNKNOWN_PARTNER: ids that are not on the roster
    add("D02", "2026-02-11", "P099", "UNKNOWN_PARTNER", "partner P099 is not on the roster (no opportunity either)",
        opp=None)
    add("D03", "2026-07-15", "P120", "UNKNOWN_PARTNER", "partner P120 is not on the roster (no opportunity either)",
        opp=None)
    # OUT_OF_PERIOD: December 2025 invoices reported in January, and October lines sent early
    for dist, date in (("D01", "2025-12-29"), ("D03", "2025-12-30")):
        add(dist, date, ordinary(dist), "OUT_OF_PERIOD", "dated in 2025, before the program year",
            file=f"sales/2026-01_{DIST[dist].slug}.xlsx")
    for date in ("2026-10-02", "2026-10-06", "2026-10-06"):
        add("D02", date, ordinary("D02"), "OUT_OF_PERIOD",
            "dated in October: after the period for runs up to 2026Q3 (counts in 2026Q4)")
    # OUTSIDE_MEMBERSHIP
    add(mid_may.parent, "2026-05-06", mid_may, "OUTSIDE_MEMBERSHIP", "dated before registered_on 2026-05-15")
    add(mid_july.parent, "2026-06-24", mid_july, "OUTSIDE_MEMBERSHIP", "dated before registered_on 2026-07-01")
    # PRODUCT_EXCLUDED: services lines on ordinary invoices, and a demo unit
    for dist, months, sku in (("D01", (4, 5, 6), "IP-SVC-INST"), ("D04", (7, 8, 9), "IP-SVC-EXT3Y")):
        inv = of(dist, months)
        inv.items.append(replace(draw(rng, PRODUCT[sku], D(300_000)), reason="PRODUCT_EXCLUDED",
                                 note="category services is excluded"))
    add("D02", "2026-03-18", ordinary("D02"), "PRODUCT_EXCLUDED", "demo unit IP-DEMO-R220 is excluded",
        product=PRODUCT["IP-DEMO-R220"])
    # CHANNEL_CONFLICT: distributors selling to end users themselves
    add("D02", "2026-05-20", "D02", "CHANNEL_CONFLICT", "the distributor sold to an end user")
    add("D03", "2026-08-12", "D03", "CHANNEL_CONFLICT", "the distributor sold to an end user, and names no "
        "opportunity (CHANNEL_CONFLICT comes first)", opp=None)
    # NOT_REGISTERED, every way a deal registration can fail
    add("D04", "2026-02-18", ordinary("D04"), "NOT_REGISTERED", "no opportunity_id", opp=None)
    add("D01", "2026-04-15", ordinary("D01"), "NOT_REGISTERED", "opportunity DR-26-9999 does not exist",
        opp="DR-26-9999")
    owner = ordinary("D02")
    other = next(i.opp for i in invoices if i.partner == owner.id and isinstance(i.opp, Opp))
    add("D02", "2026-07-22", ordinary("D02", but=owner.id), "NOT_REGISTERED", f"names an opportunity of {owner.id}",
        opp=other)
    for dist, date, status in (("D03", "2026-05-13", "pending"), ("D01", "2026-08-19", "rejected")):
        p = ordinary(dist)
        opp = Opp(p.id, p.customers[0], status, day(date) - dt.timedelta(20))
        sample.opps.append(opp)
        add(dist, date, p, "NOT_REGISTERED", f"the opportunity is {status}", opp=opp)
    p = ordinary("D02")
    opp = Opp(p.id, p.customers[-1], "approved", day("2026-01-20"), day("2026-04-30"))
    sample.opps.append(opp)
    add("D02", "2026-05-12", p, "NOT_REGISTERED", "the opportunity expired on 2026-04-30", opp=opp)
    p = ordinary("D04")
    opp = Opp(p.id, p.customers[-1], "approved", day("2026-06-10"))
    sample.opps.append(opp)
    add("D04", "2026-06-03", p, "NOT_REGISTERED", "the opportunity was registered later, on 2026-06-10", opp=opp)
    # Registrations no line names, as a real report has them.
    for dist, status in (("D01", "pending"), ("D03", "rejected")):
        p = ordinary(dist)
        sample.opps.append(Opp(p.id, p.customers[0], status, day("2026-09-07")))


def settle(rng: random.Random, sample: Sample, regular: RegularOpps) -> None:
    """Dates of the regular opportunities from the lines naming them; then all ids."""
    uses = defaultdict(list)
    for inv in sample.invoices:
        if isinstance(inv.opp, Opp):
            uses[inv.opp].append(inv.date)
    # One opportunity expires on the very day of its last invoice: still valid then.
    plain = [o for o in regular.by_key.values() if sample.design.get(o.partner) == "ordinary"
             and all(i.partner == o.partner and all(x.reason is None and not x.note for x in i.items)
                     for i in sample.invoices if i.opp is o) and max(uses[o]).month <= 9]
    edge = rng.choice(plain)
    for opp in regular.by_key.values():
        first, last = min(uses[opp]), max(uses[opp])
        opp.registered_on = first - dt.timedelta(rng.randint(3, 45))
        if opp is edge:
            opp.expires_on = last
            inv = next(i for i in sample.invoices if i.opp is opp and i.date == last)
            inv.items[0] = replace(inv.items[0], note=f"its opportunity expires on this invoice date, {last}: counts")
        elif rng.randrange(10) < 3:
            opp.expires_on = last + dt.timedelta(rng.randint(7, 90))
    for n, opp in enumerate(sorted(sample.opps, key=lambda o: (o.registered_on, o.partner, o.customer.id)), 1):
        opp.id = f"DR-{opp.registered_on:%y}-{n:04d}"
    by_dist = defaultdict(list)
    for inv in sample.invoices:
        if inv.credit_of is None:
            by_dist[inv.dist.id, inv.date.year].append(inv)
    for (dist, year), group in sorted(by_dist.items()):
        start = rng.randint(200, 900)
        for n, inv in enumerate(sorted(group, key=lambda i: (i.date, i.partner, i.customer.id)), start):
            inv.id = f"{inv.dist.prefix}-{year % 100}-{n:05d}"
    for inv in sample.invoices:
        if inv.credit_of is not None:
            inv.id = f"{inv.credit_of.id}-CN"


def ytd(sample: Sample, partner: str, quarter: int) -> D:
    end = dt.date(YEAR, 3 * quarter + 1, 1) - dt.timedelta(1)
    return base([i for i in sample.invoices if i.partner == partner and day("2026-01-01") <= i.date <= end],
                sample.rates)


def check(sample: Sample) -> None:
    """The band situations the README promises hold for the lines meant to count."""
    for pid, kind in sample.design.items():
        q1, q2, q3 = (ytd(sample, pid, q) for q in (1, 2, 3))
        ok = {"ordinary": q3 < THRESHOLD, "no purchases": q3 == 0,
              "crosses in Q1": q1 > THRESHOLD,
              "crosses in Q2": q1 <= THRESHOLD < q2,
              "crosses in Q3": q2 <= THRESHOLD < q3,
              "exactly 3,000,000.00 at the end of Q2": q2 == THRESHOLD < q3,
              "claw-back in Q3": q2 > THRESHOLD > q3}[kind]
        assert ok, (pid, kind, q1, q2, q3)
    keys = Counter((i.partner, i.id, n) for i in sample.invoices for n in range(1, len(i.items) + 1))
    assert max(keys.values()) == 1, "a key with two contents is an input error"
    assert len({o.id for o in sample.opps}) == len(sample.opps)


# ---------------------------------------------------------------- writing


def generate(folder: Path) -> list[Path]:
    sample = plan(random.Random(SEED))
    clear(folder)
    written = [write_program(folder), write_partners(folder, sample), write_rates(folder, sample)]
    written += write_opportunities(folder, sample)
    rows = write_sales(folder, sample)
    written += sorted(folder / f for f in rows)
    readme = folder / "README.md"
    readme.write_text(describe(sample, rows), encoding="utf-8")
    return [*written, readme]


def write_program(folder: Path) -> Path:
    path = folder / "program.xlsx"
    with Book(path) as book:
        book.sheet("Program", ["key", "value"], [[k, v] for k, v, _ in SETTINGS])
        book.sheet("RateBands", ["tier", "over", "rate"],
                   [["*", D(0), D("0.02")], ["*", THRESHOLD, D("0.04")]])
        book.sheet("Tiers", ["tier", "rank"], [[t, r] for r, t in enumerate(TIERS, 1)])
        book.sheet("Requirements", ["tier", "attribute", "operator", "value"], [list(r) for r in REQUIREMENTS])
        book.sheet("ChannelRules", ["role", "customer_type", "action"], [list(r) for r in CHANNEL_RULES])
        book.sheet("Exclusions", ["field", "value"], [list(e) for e in EXCLUSIONS])
        book.sheet("Notes", ["sheet", "item", "source"], [["Program", k, s] for k, _, s in SETTINGS] + NOTES)
    return path


NOTES = [
    ["RateBands", "* over 0: 0.02; * over 3000000: 0.04", "seed: 2% up to 3 000 000 KZT, 4% above"],
    ["Tiers", "five levels, English names, ranks 1-5", "seed: the program's structure"],
    ["Requirements", "site_registered = yes (every tier)", "seed: «регистрация»; the attribute name is illustrative"],
    ["Requirements", "sales_specialists, certified_staff, joint_solutions, product_engineers >= 1",
     "seed: «наличие ... специалиста», «сертифицированный персонал», «совместных решений», «инженера»; "
     "attribute names and the >= 1 reading are illustrative"],
    ["Requirements", "joint sales plan, SWS/AWS warranty programs",
     "seed requirements not modelled: not in the roster"],
    ["ChannelRules", "distributor, end_user, exclude", "illustrative: the seed has no channel rule"],
    ["Exclusions", "product_category services; product_sku IP-DEMO-R220", "illustrative: the seed excludes nothing"],
    ["Partners", "distributors have tier Primary Reseller", "illustrative: the roster needs a tier; the seed's "
     "levels are for resellers"],
    ["all", "companies, products, prices, rates, dates and amounts", "illustrative sample data, invented"],
]


def write_partners(folder: Path, sample: Sample) -> Path:
    path = folder / "partners.xlsx"
    columns = ["partner_id", "partner_name", "country", "city", "role", "tier", "registered_on", "parent_id",
               "company_id", "language", *ATTRIBUTES]
    rows = [[p.id, p.name, p.country, p.city, p.role, p.tier, p.registered_on, p.parent, p.company_id, p.language,
             *p.attributes] for p in sample.partners]
    with Book(path) as book:
        book.sheet("Partners", columns, rows)
    return path


def write_rates(folder: Path, sample: Sample) -> Path:
    path = folder / "fx_rates.xlsx"
    with Book(path) as book:
        book.sheet("Rates", ["currency", "month", "rate"], [["USD", m, r] for m, r in sample.rates.items()])
    return path


def write_opportunities(folder: Path, sample: Sample) -> list[Path]:
    parent = {p.id: p.parent or p.id for p in sample.partners}
    columns = tuple(c.name for c in schema.OPPORTUNITIES.columns)
    written = []
    for dist in DISTRIBUTORS:
        words = STATUS_WORDS.get(dist.layout.style, {})
        rows = [[o.id, o.partner, o.customer.name, o.registered_on, o.expires_on, words.get(o.status, o.status)]
                for o in sorted(sample.opps, key=lambda o: o.id) if parent[o.partner] == dist.id]
        path = folder / "opportunities" / f"{dist.slug}.xlsx"
        with Book(path) as book:
            book.sheet("Opportunities", headers(schema.OPPORTUNITIES, columns, dist.layout.style),
                       rows, date_format=dist.layout.date_format)
        written.append(path)
    return written


def write_sales(folder: Path, sample: Sample) -> dict[str, list[tuple[Invoice, int, int]]]:
    """Every sales report; returns, per file, its lines as (invoice, line_no, Excel row)."""
    lines = defaultdict(list)
    for inv in sample.invoices:
        for n in range(1, len(inv.items) + 1):
            lines[inv.report()].append((inv, n))
    for file, inv, n in sample.copies:
        lines[file].append((inv, n))
    placed = {}
    for file, group in sorted(lines.items()):
        group.sort(key=lambda x: (x[0].date, x[0].id, x[1]))  # stable: a pasted copy follows its original
        dist = group[0][0].dist
        layout = dist.layout
        words = CUSTOMER_WORDS.get(layout.style, {})
        month = int(file[len("sales/2026-"):][:2])
        titles = (("Отчет о продажах партнерам — Intelligent Platforms Partner Program",
                   f"Дистрибьютор: {dist.name} ({dist.id}); отчетный месяц: {MONTHS_RU[month - 1]} {YEAR}")
                  if layout.titles == 2 else (f"Реестр отгрузок {dist.name} за {month:02d}.{YEAR}",)
                  if layout.titles == 1 else ())
        rows = []
        for inv, n in group:
            item = inv.items[n - 1]
            cell = {"invoice_id": inv.id, "line_no": n,
                    "invoice_date": f"{inv.date:%d.%m.%Y}" if file == TEXT_DATES else inv.date,
                    "partner_id": inv.partner, "customer_id": inv.customer.id, "customer_name": inv.customer.name,
                    "customer_type": words.get(inv.customer_type, inv.customer_type),
                    "opportunity_id": inv.opp.id if isinstance(inv.opp, Opp) else inv.opp,
                    "product_sku": item.product.sku, "product_category": item.product.category,
                    "quantity": item.qty, "net_amount": item.amount, "currency": inv.currency}
            rows.append([cell[c] for c in layout.columns])
        with Book(folder / file) as book:
            book.sheet(layout.sheet, headers(schema.SALES, layout.columns, layout.style), rows, titles=titles,
                       date_format=layout.date_format)
        first = len(titles) + (1 if titles else 0) + 2  # Excel row of the first line
        placed[file] = [(inv, n, first + k) for k, (inv, n) in enumerate(group)]
    return placed


# ---------------------------------------------------------------- README


def describe(sample: Sample, placed: dict[str, list[tuple[Invoice, int, int]]]) -> str:
    partners = [p for p in sample.partners if p.role != "distributor"]
    by_tier = Counter(p.tier for p in partners)
    seen, planted, edges = set(), [], []
    for file, group in sorted(placed.items()):
        for inv, n, row in group:
            item = inv.items[n - 1]
            copy = (inv, n) in seen
            seen.add((inv, n))
            entry = (file, row, inv.id, n, inv.partner, inv.date)
            if copy:
                planted.append(("DUPLICATE", *entry, "the same line again, already read "
                                + ("above in this file" if file == inv.report() else f"in {inv.report()}")))
            elif item.reason:
                planted.append((item.reason, *entry, item.note))
            elif item.note:
                edges.append((*entry, item.note))
    order = ["DUPLICATE", "UNKNOWN_PARTNER", "OUT_OF_PERIOD", "OUTSIDE_MEMBERSHIP", "PRODUCT_EXCLUDED",
             "CHANNEL_CONFLICT", "NOT_REGISTERED"]
    planted.sort(key=lambda e: (order.index(e[0]), e[1], e[2]))
    reg_2026 = sorted((p.registered_on, p.id) for p in partners if p.registered_on.year == YEAR)
    short = [p for p in partners if any(a == 0 for a, name in zip(p.attributes, ATTRIBUTES)
                                        if (p.tier, name, ">=", "1") in REQUIREMENTS)]
    out = [
        "# Sample inputs: Intelligent Platforms Partner Program, 2026",
        "",
        "Generated by `inputs/generators/intelligent_platforms.py` (seed 2026); do not edit by hand.",
        "Regenerate, byte-identical on every run:",
        "",
        "```",
        ".venv/bin/python inputs/generate.py intelligent-platforms",
        "```",
        "",
        "Run: `calc run inputs/intelligent-platforms --period 2026Q3`. Expected results are not",
        "stored here: the tests compute them from these files.",
        "",
        "## The program",
        "",
        "Points (unit `points`, base currency KZT) of 2% of a partner's purchases up to",
        "3,000,000 KZT and 4% above (`RateBands`: `*, 0, 0.02` and `*, 3000000, 0.04`, all units),",
        "per quarter, over the participation term (registration to 31 December).",
        "Every setting, and what comes from the seed text and what is illustrative, is in the",
        "`Notes` sheet of `program.xlsx`; illustrative: `requires_opportunity` yes, `rounding`",
        "half_up, the requirement attribute names, the `ChannelRules` row `distributor, end_user,",
        "exclude` and the `Exclusions` (category `services`, SKU `IP-DEMO-R220`).",
        "",
        "## Partners (`partners.xlsx`)",
        "",
        f"{len(sample.partners)} partners: {len(DISTRIBUTORS)} distributors (`D01`-`D04`, role `distributor`, "
        f"the report senders, nominal tier Primary Reseller) and {len(partners)} partners "
        f"`P001`-`P{len(partners):03d}` "
        "(ids in order of registration), each with its distributor as `parent_id`:",
        "",
        *(f"- {tier}: {by_tier[tier]}" for tier in TIERS),
        "",
        f"Countries: {', '.join(f'{c} {n}' for c, n in sorted(Counter(p.country for p in sample.partners).items()))}. "
        f"Registered in 2026: {', '.join(f'{i} ({d})' for d, i in reg_2026)}.",
        f"Not meeting their tier's requirements (for the tier review): "
        f"{', '.join(f'{p.id} ({p.tier})' for p in short)}. "
        f"The UZ partner has statement language `en`.",
        "",
        "What each partner's purchases show about the 3,000,000 KZT threshold (by design; the",
        "generator asserts it for the lines meant to count):",
        "",
        *(f"- {kind}: {', '.join(sorted(p for p, k in sample.design.items() if k == kind))}"
          for kind in TARGETS if kind != "ordinary"),
        "- every other partner stays under it through September.",
        "",
        "## Files",
        "",
        "- `program.xlsx`: Program, RateBands, Tiers, Requirements, ChannelRules, Exclusions, Notes.",
        "- `fx_rates.xlsx`: USD to KZT for each month of 2026.",
        "- `opportunities/<distributor>.xlsx`: the deal registrations of each distributor's partners "
        "(`saryarka` with Russian headers and statuses).",
        "- `sales/YYYY-MM_<distributor>.xlsx`: monthly reports, January to September 2026, and an "
        "October report of tengri.",
        "",
        "| distributor | layout of its sales reports |",
        "|---|---|",
        "| D01 saryarka | Russian headers, sheet named `Продажи`, two title rows, Russian customer types |",
        "| D02 tengri | English column names in the contract's order |",
        "| D03 alatau | Russian headers, another column order, one title row, Russian customer types; "
        f"`{TEXT_DATES}` has dates typed as dd.mm.yyyy text |",
        "| D04 zhibek | English title-case headers (`Invoice Date`), another order, no customer_id; "
        f"`{USD_FILE}` is in USD (the KG and UZ partners' June purchases) |",
        "",
        f"{sum(len(g) for g in placed.values())} sales lines in {len(placed)} files:",
        "",
        "| file | lines |",
        "|---|---|",
        *(f"| `{f}` | {len(g)} |" for f, g in sorted(placed.items())),
        "",
        "## Lines planted for each exclusion reason",
        "",
        "Each line below is otherwise valid unless the note says so; rows are Excel rows.",
        "",
        "| reason | file | row | invoice_id | line_no | partner | date | why |",
        "|---|---|---|---|---|---|---|---|",
        *(f"| {r} | `{f}` | {row} | {i} | {n} | {p} | {d} | {why} |" for r, f, row, i, n, p, d, why in planted),
        "",
        "## Lines that count although they look special",
        "",
        "| file | row | invoice_id | line_no | partner | date | note |",
        "|---|---|---|---|---|---|---|",
        *(f"| `{f}` | {row} | {i} | {n} | {p} | {d} | {why} |" for f, row, i, n, p, d, why in edges),
        "",
        f"Credit notes have invoice ids `<original>-CN`, negative quantity and net_amount. "
        f"USD lines convert at the invoice month's rate of `fx_rates.xlsx`.",
        "",
    ]
    return "\n".join(out)
