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
from dataclasses import dataclass, replace
from decimal import Decimal as D
from pathlib import Path

from generators.common import money, weekday_on_or_after
from generators.sample import (INCLUDED, Customer, Deals, Invoice, Item, Layout, Opp, Partner, Placed, Plan, Product,
                               Rules, check_keys, chunks, credit_note, day, draw, files_table, fill, included_base,
                               lines, number, quarter_span, weekdays, write_folder)

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
    ("membership", "calendar_year", "seed: «действует со дня регистрации и до конца календарного года. Продление "
     "участия на следующий период возможно ... по согласованию сторон»: the roster's renewed_on"),
    ("minimum_volume", "none", "seed: states no volume"),
    ("clawback", "net", "illustrative: the seed does not say; a negative total is owed back in its period"),
)

# The ladder: four levels. Service Reseller/Provider is a status held in addition to one of
# three of them («для участников со статусом Professional/Corporate Reseller или Solution
# Provider»), so it is a row of `Statuses`, not a fifth level.
TIERS = ("Primary Reseller", "Professional Reseller", "Corporate Reseller", "Solution Provider")
SERVICE = "Service Provider"
STATUSES = ((SERVICE, "Professional Reseller, Corporate Reseller, Solution Provider"),)
# A partner's rank as drawn (5: it holds the Service Provider status) -> its role.
ROLE_OF_RANK = {1: "reseller", 2: "reseller", 3: "reseller", 4: "solution_provider", 5: "service_provider"}
ATTRIBUTES = ("site_registered", "sales_specialists", "certified_staff", "joint_solutions", "product_engineers")
# yes/no facts of the seed's requirements, drawn apart from the sales (their own seed): «совместный
# план продаж», «поддержка гарантийных программ SWS и AWS».
FACTS = ("joint_sales_plan", "warranty_programs")
# Distributors send the reports and supply the resellers: they are not members of the partner
# program, so their tier is not a level of it, and their own bands pay 0% (RateBands).
DISTRIBUTOR = "Distributor"
REQUIREMENTS = (
    *((tier, "site_registered", "=", "yes") for tier in TIERS),
    *((tier, "role", "!=", "distributor") for tier in TIERS),
    (DISTRIBUTOR, "role", "=", "distributor"),
    *((tier, "joint_sales_plan", "=", "yes") for tier in TIERS[1:]),
    ("Professional Reseller", "sales_specialists", ">=", "1"),
    ("Corporate Reseller", "sales_specialists", ">=", "1"),
    ("Corporate Reseller", "certified_staff", ">=", "1"),
    ("Solution Provider", "joint_solutions", ">=", "1"),
    (SERVICE, "warranty_programs", "=", "yes"),
    (SERVICE, "product_engineers", ">=", "1"),
)
CHANNEL_RULES = (("distributor", "end_user", "exclude"),)

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
# a line as distributors price it (`draw`): at most 10 units, up to 8.75% off list price in quarter percents
PRICING = {"max_qty": 10, "off": D("8.75"), "step": D("0.25")}

NOTES = (
    ("RateBands", "* over 0: 0.02; * over 3000000: 0.04", "seed: 2% up to 3 000 000 KZT, 4% above"),
    ("Tiers", "four levels, English names, ranks 1-4", "seed: the program's structure; Service Reseller/Provider "
     "is not a level (see Statuses)"),
    ("Statuses", "Service Provider, for Professional Reseller, Corporate Reseller, Solution Provider",
     "seed: «Service Reseller/Provider (для участников со статусом Professional/Corporate Reseller или Solution "
     "Provider)»: a status held in addition to a level, reviewed apart in TierReview (status_* columns); the "
     "roster's `statuses` column names who holds it"),
    ("Requirements", "site_registered = yes (every tier)", "seed: «регистрация»; the attribute name is illustrative"),
    ("Requirements", "sales_specialists, certified_staff, joint_solutions, product_engineers >= 1",
     "seed: «наличие ... специалиста», «сертифицированный персонал», «совместных решений», «инженера»; "
     "attribute names and the >= 1 reading are illustrative"),
    ("Requirements", "joint_sales_plan = yes (Professional, Corporate, Solution Provider)",
     "seed: «совместный план продаж»: a yes/no fact of the roster, like site_registered"),
    ("Requirements", "Service Provider: warranty_programs = yes, product_engineers >= 1",
     "seed: «поддержка гарантийных программ SWS и AWS», «наличие в штате компании инженера»; a yes/no fact "
     "and a count of the roster"),
    ("ChannelRules", "distributor, end_user, exclude", "illustrative: the seed has no channel rule"),
    ("Exclusions", "product_category services; product_sku IP-DEMO-R220", "illustrative: the seed excludes nothing"),
    ("RateBands", "* over 0: 0.02, over 3000000: 0.04 for every level; Distributor over 0: 0",
     "reading of the seed: the table lists «участие в накопительной программе» under Primary Reseller only, "
     "but the programme lets «партнёру» accumulate points «начиная с момента первой покупки ... в течение срока "
     "участия партнера в программе», and the benefits of a level add to those below it (Service Provider's "
     "«дополнительные условия поставки» add to «специальные условия поставки»): a partner keeps its points when "
     "it is promoted, so every level earns them. Distributors are not members of the program (they supply "
     "the resellers and send the reports): their tier Distributor has its own band of 0%, so they earn none"),
    ("Tiers", "Distributor, rank 1", "sample: the roster needs a tier for the report senders; Requirements keep "
     "it apart (role = distributor; every level role != distributor), so no distributor is told to upgrade"),
    ("all", "companies, products, prices, rates, dates and amounts", "illustrative sample data, invented"),
)
RULES = Rules(SETTINGS, (("*", D(0), D("0.02")), ("*", THRESHOLD, D("0.04")), (DISTRIBUTOR, D(0), D(0))),
              (*((t, r) for r, t in enumerate(TIERS, 1)), (DISTRIBUTOR, 1)), REQUIREMENTS, CHANNEL_RULES, EXCLUSIONS, notes=NOTES,
              tier_targets=False, statuses=STATUSES)

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

RU_WORDS = (("end_user", "конечный пользователь"), ("reseller", "реселлер"),
            ("approved", "одобрена"), ("pending", "на рассмотрении"), ("rejected", "отклонена"))
TITLE_WORDS = (("end_user", "End user"), ("reseller", "Reseller"))
MONTHS_RU = ("январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август", "сентябрь",
             "октябрь", "ноябрь", "декабрь")


@dataclass(frozen=True)
class Distributor:
    id: str
    name: str
    city: str
    slug: str
    prefix: str
    titles: int  # title rows above the header of its sales reports (see `layout`)
    layout: Layout

    def report(self, date: dt.date) -> str:
        """Its sales report of the month of `date`."""
        return f"sales/{date:%Y-%m}_{self.slug}.xlsx"


DISTRIBUTORS = (
    Distributor("D01", "ТОО «Сарыарка Дистрибуция»", "Караганда", "saryarka", "SRK", 2,
                Layout("ru", sheet="Продажи", date_format="dd.mm.yyyy", words=RU_WORDS)),
    Distributor("D02", "ТОО «Тенгри Трейд»", "Алматы", "tengri", "TNG", 0, Layout("name")),
    Distributor("D03", "ТОО «Алатау Компьютерс»", "Алматы", "alatau", "ALT", 1,
                Layout("ru", ("invoice_date", "invoice_id", "line_no", "partner_id", "customer_name", "customer_id",
                              "customer_type", "product_sku", "product_category", "quantity", "net_amount",
                              "currency", "opportunity_id"), date_format="dd.mm.yyyy", words=RU_WORDS)),
    Distributor("D04", "ТОО «Жибек Жолы Дистрибуция»", "Алматы", "zhibek", "ZHB", 0,
                Layout("title", ("invoice_date", "partner_id", "invoice_id", "line_no", "product_sku",
                                 "product_category", "quantity", "net_amount", "currency", "customer_name",
                                 "customer_type", "opportunity_id"), words=TITLE_WORDS)),
)
DIST = {d.id: d for d in DISTRIBUTORS}
USD_FILE = "sales/2026-06_zhibek_usd.xlsx"  # the foreign partners' June purchases, invoiced in USD
TEXT_DATES = "sales/2026-03_alatau.xlsx"  # dates typed as dd.mm.yyyy text
# partners.xlsx; city and language are not fields of Partner, so they are attributes
ROSTER = ("partner_id", "partner_name", "country", "city", "role", "tier", "registered_on", "parent_id", "company_id",
          "language", *ATTRIBUTES, *FACTS, "statuses", "renewed_on")


# ---------------------------------------------------------------- planning


def plan(rng: random.Random) -> Plan:
    rates = fx_rates(rng)
    partners, customers = roster(rng)
    sample = Plan(partners, rates=rates)
    regular = Deals(sample)
    for partner in partners:
        if partner.role != "distributor":
            sample.invoices += purchases(rng, partner, customers[partner.id], regular)
    plant(rng, sample, customers, regular)
    settle(rng, sample, regular)
    check(sample)
    renew(sample)
    check(sample)
    return sample


def renew(sample: Plan) -> None:
    """`membership = calendar_year`: a 2025 member takes part in 2026 from its renewal
    (`renewed_on`). Every one renewed in November or December 2025 but two ordinary partners,
    drawn with their own generator (the sales do not move): one renewed in February 2026 (its
    January lines are outside membership), one not at all (none of its lines count)."""
    rng = random.Random(SEED + 18)
    planted = {i.partner for i in sample.invoices if i.credit_of or any(x.expect != INCLUDED or x.note
                                                                          for x in i.items)}
    planted |= {inv.partner for _, inv, _ in sample.copies}
    lines = Counter(i.partner for i in sample.invoices)
    january = {i.partner for i in sample.invoices if i.date.month == 1}
    plain = sorted(p.id for p in sample.partners if p.design == "ordinary" and p.country == "KZ"
                   and p.registered_on.year < YEAR and p.id not in planted)
    lapsed = min(plain, key=lambda pid: (lines[pid], pid))
    late = rng.choice([pid for pid in plain if pid in january and pid != lapsed])
    renewal = weekday_on_or_after(day("2026-02-09"))
    for n, p in enumerate(sample.partners):
        if p.registered_on.year >= YEAR or p.id == lapsed:
            continue
        on = renewal if p.id == late else day("2025-11-16") + dt.timedelta(rng.randrange(44))
        sample.partners[n] = replace(p, attributes=(*p.attributes, ("renewed_on", on)))
    for inv in sample.invoices:
        if inv.partner == lapsed:
            note = "membership = calendar_year: a 2025 member not renewed for 2026"
        elif inv.partner == late and inv.date < renewal:
            note = f"dated before the membership's renewal on {renewal}"
        else:
            continue
        inv.items[:] = [replace(x, expect="OUTSIDE_MEMBERSHIP", note=note) for x in inv.items]


def fx_rates(rng: random.Random) -> dict[tuple[str, str], D]:
    rate, rates = D("497.35"), {}
    for month in range(1, 13):
        # a random walk pulled back towards 497, so it stays within 470-520
        rate = money(rate + D(rng.randint(-1200, 1200)) / 100 + (D(497) - rate) * D("0.3"))
        rates["USD", f"{YEAR}-{month:02d}"] = rate
    return rates


def company_id(rng: random.Random, country: str) -> str:
    """A registration number of the country's length: BIN (12), KG INN (14), UZ INN (9)."""
    if country == "UZ":
        return f"{rng.randint(200, 309)}{rng.randrange(10**6):06d}"
    if country == "KG":
        birth = f"{rng.randint(1, 28):02d}{rng.randint(1, 12):02d}{rng.randint(1995, 2020)}"
        return f"0{rng.randint(1, 3)}{birth}{rng.randrange(10**5):05d}"
    return f"{rng.randint(5, 22):02d}{rng.randint(1, 12):02d}40{rng.randrange(10**6):06d}"


def attributes(city: str, language: str | None, values: tuple) -> tuple[tuple[str, object], ...]:
    """A partner's ROSTER columns that are not Partner fields; `values` of ATTRIBUTES, in order."""
    return (("city", city), ("language", language), *zip(ATTRIBUTES, values))


def roster(rng: random.Random) -> tuple[list[Partner], dict[str, tuple[Customer, ...]]]:
    """The partners, each with its design (a kind of TARGETS), and the customers each sells to."""
    pool = tuple(Customer(company_id(rng, "KZ"), name) for name in CUSTOMERS)
    foreign = {c: tuple(Customer(company_id(rng, c), n) for n in names) for c, names in FOREIGN_CUSTOMERS.items()}
    partners, customers = [], {}
    for d in DISTRIBUTORS:
        partners.append(Partner(d.id, d.name, "KZ", "distributor", DISTRIBUTOR,
                                day(f"2025-01-{rng.randint(9, 28):02d}"), None, company_id(rng, "KZ"),
                                attributes(d.city, None, ("yes", rng.randint(3, 6), rng.randint(2, 5), 0,
                                                          rng.randint(1, 3)))))
        customers[d.id] = tuple(rng.sample(pool, 3))
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
        own = foreign[country] if country != "KZ" else tuple(rng.sample(pool, rng.randint(2, 4)))
        rows.append((reg, name, city, country, rank, "D04" if country != "KZ" else parent,
                     tuple(attrs[a] for a in ATTRIBUTES), own))
    # ids are issued in order of registration
    for n, (reg, name, city, country, rank, parent, values, own) in enumerate(sorted(rows), 1):
        partners.append(Partner(f"P{n:03d}", name, country, ROLE_OF_RANK[rank], level(rank, dict(zip(ATTRIBUTES, values))),
                                reg, parent, company_id(rng, country),
                                attributes(city, "en" if country == "UZ" else None, values)))
        customers[partners[-1].id] = own
    resellers = [p for p in partners if p.role != "distributor"]
    design = {p.id: "ordinary" for p in resellers}
    eligible = [p.id for p in resellers if p.country == "KZ" and p.registered_on.year < YEAR]
    chosen = iter(rng.sample(eligible, sum(DESIGNS.values())))
    for kind, count in DESIGNS.items():
        for _ in range(count):
            design[next(chosen)] = kind
    design[rng.choice([p.id for p in resellers if p.registered_on.year == YEAR
                       and p.registered_on < day("2026-05-01")])] = "no purchases"
    return [replace(p, design=design.get(p.id, "")) for p in with_facts(partners)], customers


def meets(partner: Partner, tier: str) -> bool:
    """Whether the partner meets every REQUIREMENTS row of `tier` (a level or a status): the
    generator's own reading, for the README; calc's tier review is tested against it."""
    attrs = {**dict(partner.attributes), "role": partner.role}
    test = {"=": lambda a, v: a == v, "!=": lambda a, v: a != v, ">=": lambda a, v: int(a or 0) >= int(v)}
    return all(test[op](attrs.get(name), value) for t, name, op, value in REQUIREMENTS if t == tier)


def level(rank: int, attrs: dict) -> str:
    """The level of a partner drawn at `rank`; a service partner (rank 5) holds its status on
    the level its staff qualifies it for."""
    if rank < 5:
        return TIERS[rank - 1]
    return ("Solution Provider" if attrs["joint_solutions"] else
            "Corporate Reseller" if attrs["certified_staff"] else "Professional Reseller")


def with_facts(partners: list[Partner]) -> list[Partner]:
    """The yes/no facts (FACTS) and the statuses held, drawn with their own generator, so the
    sales of the sample do not move. Above the entry level a partner has a joint sales plan,
    but for one Professional Reseller (reviewed); four of the Primary Resellers have one
    (without it, no upgrade is recommended). The service partners support the SWS/AWS
    warranty programs; so do a few others, who may apply for the status."""
    rng = random.Random(SEED + 17)
    professional = rng.choice(sorted(p.id for p in partners if p.tier == TIERS[1] and p.role != "service_provider"))
    primary = set(rng.sample(sorted(p.id for p in partners if p.tier == TIERS[0] and p.role != "distributor"), 4))
    out = []
    for p in partners:
        if p.role == "distributor":
            out.append(replace(p, attributes=(*p.attributes, ("joint_sales_plan", "no"), ("warranty_programs", "no"))))
            continue
        plan = "yes" if p.tier != TIERS[0] and p.id != professional or p.id in primary else "no"
        service = p.role == "service_provider"
        warranty = "yes" if service else rng.choice(("yes", "no", "no", "no"))
        out.append(replace(p, attributes=(*p.attributes, ("joint_sales_plan", plan), ("warranty_programs", warranty),
                                          ("statuses", SERVICE if service else None))))
    return out


def quarter_lines(rng: random.Random, target: D, exact: bool) -> list[Item]:
    """Lines of earning products adding up to `target`, less than the cheapest product
    under it, or, when `exact`, to the cent (the last line priced to fit)."""
    # Lines of about an eighth of the quarter: a reseller buys several times a month; a
    # product may cost up to twice that, bought one at a time.
    limit = max(target / 8, D(150_000))
    items = fill(rng, tuple(p for p in EARNING if p.price <= max(2 * limit, D(420_000))), target, limit, **PRICING)
    rest = target - sum(i.amount for i in items)
    if exact and rest:
        items.append(Item(min(EARNING, key=lambda p: abs(p.price - rest)), 1, rest,
                          note="priced so that the partner's year to date is exactly 3,000,000.00 at the end of Q2"))
    return items


# Kazakhstan's public holidays of 2026 that fall on weekdays: nobody invoices then.
HOLIDAYS = frozenset(day(d) for d in ("2026-01-01", "2026-01-02", "2026-01-07", "2026-03-09", "2026-03-23",
                                      "2026-03-24", "2026-03-25", "2026-05-01", "2026-05-07", "2026-07-06",
                                      "2026-08-31", "2026-10-26", "2026-12-16"))


def sale(dist: Distributor, date: dt.date, partner: str, customer: Customer, opp: Opp | str | None,
         items: list[Item], file: str = "") -> Invoice:
    """A KZT invoice, in the distributor's report of its month unless `file` says otherwise."""
    return Invoice(file or dist.report(date), dist.prefix, date, partner, customer, items, "KZT", opp)


def purchases(rng: random.Random, partner: Partner, customers: tuple[Customer, ...], regular: Deals) -> list[Invoice]:
    invoices: list[Invoice] = []
    for q, (lo, hi) in enumerate(TARGETS[partner.design], 1):
        start, end = quarter_span(YEAR, q)
        days = weekdays(max(start, partner.registered_on), end, HOLIDAYS)
        target = D(rng.randint(lo, hi) * 1000)
        exact = partner.design.startswith("exactly") and q == 2
        if exact:  # every line so far counts, in KZT
            target = THRESHOLD - sum(i.amount for inv in invoices for i in inv.items)
        if not days or not target:
            continue
        # the foreign partners' second quarter is all in June: the USD report
        june = [d for d in days if d.month == 6] if partner.country != "KZ" and q == 2 else []
        for chunk in chunks(rng, quarter_lines(rng, target, exact)):
            customer = rng.choice(customers)
            invoices.append(sale(DIST[partner.parent], rng.choice(june or days), partner.id, customer,
                                 regular(partner.id, customer), chunk))
    return invoices


def plant(rng: random.Random, sample: Plan, customers: dict[str, tuple[Customer, ...]], regular: Deals) -> None:
    """The lines that exercise the contract's exclusion reasons and its edge cases."""
    partners = {p.id: p for p in sample.partners}
    ordinary_ids = {p.id for p in sample.partners if p.design == "ordinary"}  # an unknown partner id has no Partner
    invoices = sample.invoices

    def ordinary(dist: str, but: str = "") -> Partner:
        ids = [p.id for p in sample.partners if p.design == "ordinary" and p.parent == dist
               and p.country == "KZ" and p.registered_on < day("2025-12-01") and p.id != but]
        return partners[rng.choice(ids)]

    def add(dist: str, date: str, partner: Partner | str, expect: str, note: str,
            opp: Opp | str | None = "regular", product: Product | None = None, file: str = "") -> None:
        """A one-line invoice; `opp` "regular" is the partner's own valid registration."""
        pid = partner if isinstance(partner, str) else partner.id
        # an unknown partner sells to anyone's customer
        own = customers.get(pid, customers[sample.partners[0].id])
        customer = opp.customer if isinstance(opp, Opp) else rng.choice(own)
        product = product or rng.choice([e for e in EARNING if e.price < 1_000_000])
        item = replace(draw(rng, product, D(900_000), **PRICING), expect=expect, note=note)
        invoices.append(sale(DIST[dist], weekday_on_or_after(day(date)), pid, customer,
                             regular(pid, customer) if opp == "regular" else opp, [item], file))

    taken: set[Invoice] = set()

    def of(dist: str, months: tuple[int, ...], lines: int = 1) -> Invoice:
        """A plain KZT invoice of an ordinary partner in its month's report, not already used by another
        planted case."""
        found = [i for i in invoices if i.prefix == DIST[dist].prefix and i.date.month in months
                 and i.file == DIST[dist].report(i.date) and i.currency == "KZT" and i.credit_of is None
                 and i not in taken and len(i.items) >= lines and i.partner in ordinary_ids
                 and all(x.expect == INCLUDED and not x.note for x in i.items)]
        chosen = rng.choice(found)
        taken.add(chosen)
        return chosen

    # Foreign partners' June invoices go into one USD report, amounts converted at June's rate.
    june_rate = sample.rates["USD", f"{YEAR}-06"]
    for inv in invoices:
        if partners[inv.partner].country != "KZ" and inv.date.month == 6:
            inv.currency, inv.file = "USD", USD_FILE
            inv.items = [replace(i, unit=money(i.unit / june_rate)) for i in inv.items]
            taken.add(inv)

    # Included edge cases.
    mid_may = next(p for p in sample.partners if p.registered_on == day("2026-05-15"))
    mid_july = next(p for p in sample.partners if p.registered_on == day("2026-07-01"))
    add(mid_may.parent, "2026-05-15", mid_may, INCLUDED, "dated on the partner's registered_on: counts")
    for dist, months, to in (("D02", (3,), "2026-04"), ("D01", (6,), "2026-07")):
        late = of(dist, months)
        late.file = DIST[dist].report(day(f"{to}-01"))
        late.items[0] = replace(late.items[0], note=f"invoice of {late.date:%Y-%m} reported late, in the {to} report")
    # Credit notes: two returns within a quarter (one in the text-date file), one across
    # quarters, and the one that takes the claw-back partner back under the threshold.
    for dist, months, on in (("D03", (1, 2), "2026-03-11"), ("D01", (4,), "2026-05-18"), ("D02", (5, 6), "2026-07-20")):
        date = weekday_on_or_after(day(on))
        invoices.append(credit_note(of(dist, months), date, DIST[dist].report(date)))
    claw = next(p for p in sample.partners if p.design == "claw-back in Q3")
    customer = customers[claw.id][0]
    big = sale(DIST[claw.parent], weekday_on_or_after(day("2026-05-25")), claw.id, customer,
               regular(claw.id, customer), [Item(PRODUCT["IP-SRV-R220"], 2, D("1565885.00"),
                                                 note="the big order that the Q3 credit note takes back")])
    invoices.append(big)
    date = weekday_on_or_after(day("2026-08-10"))
    invoices.append(credit_note(big, date, DIST[claw.parent].report(date), back=2,
                                note="credit note: the whole big Q2 order returned, year to date falls back under "
                                "3,000,000 (claw-back)"))

    # DUPLICATE
    resent = of("D02", (4,), lines=2)
    for n in range(1, len(resent.items) + 1):
        sample.copies.append(("sales/2026-05_tengri.xlsx", resent, n))
    pasted = of("D04", (7, 8, 9))
    sample.copies.append((pasted.file, pasted, 1))
    # UNKNOWN_PARTNER: ids that are not on the roster
    add("D02", "2026-02-11", "P099", "UNKNOWN_PARTNER", "partner P099 is not on the roster (no opportunity either)",
        opp=None)
    add("D03", "2026-07-15", "P120", "UNKNOWN_PARTNER", "partner P120 is not on the roster (no opportunity either)",
        opp=None)
    # OUT_OF_PERIOD: December 2025 invoices reported in January, and October lines sent early
    for dist, date in (("D01", "2025-12-29"), ("D03", "2025-12-30")):
        add(dist, date, ordinary(dist), "OUT_OF_PERIOD", "dated in 2025, before the program year",
            file=DIST[dist].report(day("2026-01-01")))
    for date in ("2026-10-02", "2026-10-06", "2026-10-06"):
        add("D02", date, ordinary("D02"), "OUT_OF_PERIOD",
            "dated in October: after the period for runs up to 2026Q3 (counts in 2026Q4)")
    # OUTSIDE_MEMBERSHIP
    add(mid_may.parent, "2026-05-06", mid_may, "OUTSIDE_MEMBERSHIP", "dated before registered_on 2026-05-15")
    add(mid_july.parent, "2026-06-24", mid_july, "OUTSIDE_MEMBERSHIP", "dated before registered_on 2026-07-01")
    # PRODUCT_EXCLUDED: services lines on ordinary invoices, and a demo unit
    for dist, months, sku in (("D01", (4, 5, 6), "IP-SVC-INST"), ("D04", (7, 8, 9), "IP-SVC-EXT3Y")):
        inv = of(dist, months)
        inv.items.append(replace(draw(rng, PRODUCT[sku], D(300_000), **PRICING), expect="PRODUCT_EXCLUDED",
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
        opp = Opp(p.id, customers[p.id][0], status, day(date) - dt.timedelta(20))
        sample.opps.append(opp)
        add(dist, date, p, "NOT_REGISTERED", f"the opportunity is {status}", opp=opp)
    p = ordinary("D02")
    opp = Opp(p.id, customers[p.id][-1], "approved", day("2026-01-20"), day("2026-04-30"))
    sample.opps.append(opp)
    add("D02", "2026-05-12", p, "NOT_REGISTERED", "the opportunity expired on 2026-04-30", opp=opp)
    p = ordinary("D04")
    opp = Opp(p.id, customers[p.id][-1], "approved", day("2026-06-10"))
    sample.opps.append(opp)
    add("D04", "2026-06-03", p, "NOT_REGISTERED", "the opportunity was registered later, on 2026-06-10", opp=opp)
    # Registrations no line names, as a real report has them.
    for dist, status in (("D01", "pending"), ("D03", "rejected")):
        p = ordinary(dist)
        sample.opps.append(Opp(p.id, customers[p.id][0], status, day("2026-09-07")))


def settle(rng: random.Random, sample: Plan, regular: Deals) -> None:
    """Dates of the regular opportunities from the lines naming them; then all ids."""
    uses = defaultdict(list)
    for inv in sample.invoices:
        if isinstance(inv.opp, Opp):
            uses[inv.opp].append(inv.date)
    # One opportunity expires on the very day of its last invoice: still valid then.
    plain = [o for o in regular.made.values() if sample.partner(o.partner).design == "ordinary"
             and all(i.partner == o.partner and all(x.expect == INCLUDED and not x.note for x in i.items)
                     for i in sample.invoices if i.opp is o) and max(uses[o]).month <= 9]
    edge = rng.choice(plain)
    for opp in regular.made.values():
        first, last = min(uses[opp]), max(uses[opp])
        opp.registered_on = first - dt.timedelta(rng.randint(3, 45))
        if opp is edge:
            opp.expires_on = last
            inv = next(i for i in sample.invoices if i.opp is opp and i.date == last)
            inv.items[0] = replace(inv.items[0], note=f"its opportunity expires on this invoice date, {last}: counts")
        elif rng.randrange(10) < 3:
            opp.expires_on = last + dt.timedelta(rng.randint(7, 90))
    number(rng, sample, first=(200, 900), opp_prefix="DR", order=[d.prefix for d in DISTRIBUTORS].index)


def check(sample: Plan) -> None:
    """The band situations the README promises hold for the lines meant to count."""
    ytd = [included_base(sample, "KZT", quarter_span(YEAR, q)[1], day("2026-01-01")) for q in (1, 2, 3)]
    for p in (p for p in sample.partners if p.design):
        q1, q2, q3 = (t[p.id] for t in ytd)
        ok = {"ordinary": q3 < THRESHOLD, "no purchases": q3 == 0,
              "crosses in Q1": q1 > THRESHOLD,
              "crosses in Q2": q1 <= THRESHOLD < q2,
              "crosses in Q3": q2 <= THRESHOLD < q3,
              "exactly 3,000,000.00 at the end of Q2": q2 == THRESHOLD < q3,
              "claw-back in Q3": q2 > THRESHOLD > q3}[p.design]
        assert ok, (p.id, p.design, q1, q2, q3)
    check_keys(sample)


# ---------------------------------------------------------------- writing


def generate(folder: Path) -> list[Path]:
    sample = plan(random.Random(SEED))
    parent = {p.id: p.parent or p.id for p in sample.partners}
    return write_folder(folder, RULES, sample, ROSTER, layout, lambda placed: describe(sample, placed),
                        opportunity_file=lambda opp: f"opportunities/{DIST[parent[opp.partner]].slug}.xlsx",
                        opportunity_layout=layout)


def layout(file: str) -> Layout:
    """How the distributor whose slug names `file` writes it; a sales report's title rows name its month."""
    dist = next(d for d in DISTRIBUTORS if d.slug in file)
    if not file.startswith("sales/"):
        return dist.layout
    month = int(file[len("sales/2026-"):][:2])
    titles = (("Отчет о продажах партнерам — Intelligent Platforms Partner Program",
               f"Дистрибьютор: {dist.name} ({dist.id}); отчетный месяц: {MONTHS_RU[month - 1]} {YEAR}")
              if dist.titles == 2 else (f"Реестр отгрузок {dist.name} за {month:02d}.{YEAR}",)
              if dist.titles == 1 else ())
    return replace(dist.layout, titles=lambda _: titles, text_dates=file == TEXT_DATES)


# ---------------------------------------------------------------- README


def describe(sample: Plan, placed: Placed) -> str:
    partners = [p for p in sample.partners if p.role != "distributor"]
    by_tier = Counter(p.tier for p in partners)
    planted, edges = [], []
    for file, group in sorted(placed.items()):
        for inv, n, row, copy in group:
            item = inv.items[n - 1]
            entry = (file, row, inv.id, n, inv.partner, inv.date)
            if copy:
                planted.append(("DUPLICATE", *entry, "the same line again, already read "
                                + ("above in this file" if file == inv.file else f"in {inv.file}")))
            elif item.expect != INCLUDED:
                planted.append((item.expect, *entry, item.note))
            elif item.note:
                edges.append((*entry, item.note))
    order = ["DUPLICATE", "UNKNOWN_PARTNER", "OUT_OF_PERIOD", "OUTSIDE_MEMBERSHIP", "PRODUCT_EXCLUDED",
             "CHANNEL_CONFLICT", "NOT_REGISTERED"]
    planted.sort(key=lambda e: (order.index(e[0]), e[1], e[2]))
    reg_2026 = sorted((p.registered_on, p.id) for p in partners if p.registered_on.year == YEAR)
    short = [p for p in partners if not meets(p, p.tier)]
    service = [p for p in partners if dict(p.attributes).get("statuses") == SERVICE]
    return lines(
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
        "3,000,000 KZT and 4% above (`RateBands`: `*, 0, 0.02` and `*, 3000000, 0.04`, all units), at",
        "every level (a reading, stated in `Notes`: the seed lists the points under Primary Reseller);",
        "the distributors' tier `Distributor` has its own band `Distributor, 0, 0`,",
        "per quarter, over the participation term: from registration to 31 December, and for a 2025 member",
        "from its renewal (`membership = calendar_year`, the roster's `renewed_on`).",
        "Every setting, and what comes from the seed text and what is illustrative, is in the",
        "`Notes` sheet of `program.xlsx`; illustrative: `requires_opportunity` yes, `rounding`",
        "half_up, the requirement attribute names, the `ChannelRules` row `distributor, end_user,",
        "exclude` and the `Exclusions` (category `services`, SKU `IP-DEMO-R220`).",
        "",
        "## Partners (`partners.xlsx`)",
        "",
        f"{len(sample.partners)} partners: {len(DISTRIBUTORS)} distributors (`D01`-`D04`, role `distributor`, "
        f"the report senders, tier Distributor: its own band pays 0%, as they are not members of the program) "
        f"and {len(partners)} partners "
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
        f"Holding the {SERVICE} status (roster column `statuses`; `Statuses` sheet: a status held in addition to "
        f"a level, reviewed apart in TierReview's `status_*` columns): "
        f"{', '.join(f'{p.id} ({p.tier})' for p in service)}; "
        f"not meeting its requirements: {', '.join(p.id for p in service if not meets(p, SERVICE)) or 'none'}. "
        "Without a joint sales plan (`joint_sales_plan` no) a partner qualifies for no level above Primary "
        "Reseller.",
        "",
        "What each partner's purchases show about the 3,000,000 KZT threshold (by design; the",
        "generator asserts it for the lines meant to count):",
        "",
        *(f"- {kind}: {', '.join(sorted(p.id for p in partners if p.design == kind))}"
          for kind in TARGETS if kind != "ordinary"),
        "- every other partner stays under it through September.",
        "",
        "## Files",
        "",
        "- `program.xlsx`: Program, RateBands, Tiers, Requirements, ChannelRules, Exclusions, Statuses, Notes.",
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
        *files_table(placed),
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
        "Credit notes have invoice ids `<original>-CN`, negative quantity and net_amount. "
        "USD lines convert at the invoice month's rate of `fx_rates.xlsx`.",
    )
