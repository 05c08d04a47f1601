"""What the samples of the Intelligent Platforms, ANNT, AMT, RSUPPORT and Huawei programs share.

Each of those modules states its program as rows (`Rules`), designs its partners
(each with what it is there to show, `Partner.design`), plans a year of invoices
with one seeded generator, and calls `write_folder`. Every line knows the outcome it is
planted for (`Item.expect`) and why (`Item.note`), so the README can list, with
file and row, the lines that exercise each rule, and `included_base` can check
the planned totals (grades, ties) before anything is written.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal as D
from pathlib import Path

from generators.common import Book, clear, headers, money
from incentives import schema

INCLUDED = "included"
FLAG = "flag"  # included, and flagged by a ChannelRules `flag` row
# the samples hold no credit note reversing a sale of another tier: no original_invoice_date column
SALES_COLUMNS = tuple(c.name for c in schema.SALES.columns if c.name != "original_invoice_date")
PARTNER_COLUMNS = ("partner_id", "partner_name", "country", "role", "tier", "registered_on", "parent_id", "company_id")
OPPORTUNITY_COLUMNS = tuple(c.name for c in schema.OPPORTUNITIES.columns)


@dataclass(frozen=True)
class Rules:
    """program.xlsx as rows; `settings` and `notes` say where each value comes from."""

    settings: tuple[tuple[str, str, str], ...]  # key, value, source
    bands: tuple[tuple[str, D, D], ...]
    tiers: tuple[tuple, ...]  # tier, rank, annual_target_a, _b, _c (None: no target)
    requirements: tuple[tuple[str, str, str, str], ...] = ()
    channel_rules: tuple[tuple[str, str, str], ...] = ()
    exclusions: tuple[tuple[str, str], ...] = ()
    bonuses: tuple[tuple, ...] = ()  # name, scope, metric, period, winners, award, amount, min_base
    notes: tuple[tuple[str, str, str], ...] = ()  # sheet, item, source
    tier_targets: bool = True  # Tiers has the annual_target columns, blank where a tier states none
    statuses: tuple[tuple[str, str], ...] = ()  # add-on status, the tiers that may hold it (comma-separated)

    def __post_init__(self) -> None:
        assert [k for k, _, _ in self.settings] == [s.key for s in schema.PROGRAM_SETTINGS], "write every setting"

    def setting(self, key: str) -> str:
        return next(v for k, v, _ in self.settings if k == key)


@dataclass(frozen=True)
class Product:
    sku: str
    category: str
    price: D  # list price, in the currency the catalog is stated in


@dataclass(frozen=True)
class Customer:
    id: str
    name: str
    type: str = "end_user"  # end_user, reseller or distributor


@dataclass(frozen=True)
class Partner:
    id: str
    name: str
    country: str
    role: str
    tier: str
    registered_on: dt.date
    parent: str | None = None
    company_id: str = ""
    attributes: tuple[tuple[str, object], ...] = ()
    design: str = ""  # what this partner is in the sample to show


@dataclass(eq=False)
class Opp:
    partner: str
    customer: Customer
    status: str = "approved"
    registered_on: dt.date | None = None  # None: set from the lines that name it
    expires_on: dt.date | None = None
    id: str = ""
    items: tuple[str, ...] = ()  # the SKUs it lists (one row each), or none: the whole deal


@dataclass(frozen=True)
class Item:
    product: Product
    qty: int
    unit: D
    expect: str = INCLUDED  # the outcome the line is planted for: included, flag or a reason code
    note: str = ""

    @property
    def amount(self) -> D:
        return self.qty * self.unit


@dataclass(eq=False)
class Invoice:
    file: str
    prefix: str
    date: dt.date
    partner: str
    customer: Customer
    items: list[Item]
    currency: str = "USD"
    opp: Opp | str | None = None
    credit_of: Invoice | None = None
    id: str = ""


@dataclass
class Plan:
    partners: list[Partner]
    invoices: list[Invoice] = field(default_factory=list)
    opps: list[Opp] = field(default_factory=list)
    copies: list[tuple[str, Invoice, int]] = field(default_factory=list)  # a line sent again: DUPLICATE
    rates: dict[tuple[str, str], D] = field(default_factory=dict)  # (currency, YYYY-MM) -> base units per 1

    def partner(self, pid: str) -> Partner:
        return next(p for p in self.partners if p.id == pid)


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def weekdays(start: dt.date, end: dt.date, holidays: frozenset[dt.date] = frozenset()) -> list[dt.date]:
    days = (start + dt.timedelta(n) for n in range((end - start).days + 1))
    return [d for d in days if d.weekday() < 5 and d not in holidays]


def quarter_span(year: int, q: int) -> tuple[dt.date, dt.date]:
    end = dt.date(year, 3 * q + 1, 1) - dt.timedelta(1) if q < 4 else dt.date(year, 12, 31)
    return dt.date(year, 3 * q - 2, 1), end


def month_span(year: int, m: int) -> tuple[dt.date, dt.date]:
    end = dt.date(year, m + 1, 1) - dt.timedelta(1) if m < 12 else dt.date(year, 12, 31)
    return dt.date(year, m, 1), end


def draw(rng: random.Random, product: Product, limit: D, max_qty: int, off: D = D(15), step: D = D(1)) -> Item:
    """One line of `product`: up to `off`% below list price in steps of `step`%, as many units as fit under
    `limit`."""
    unit = money(product.price * (1 - rng.randrange(int(off / step) + 1) * step / 100))
    return Item(product, rng.randint(1, max(1, min(max_qty, int(limit // unit)))), unit)


def fill(rng: random.Random, catalog: tuple[Product, ...], target: D, line_limit: D, max_qty: int = 50,
         **discount: D) -> list[Item]:
    """Lines adding up to `target`, short of it by less than the cheapest product; `discount` is `draw`'s `off`
    and `step`."""
    items, rest = [], target
    while fitting := [p for p in catalog if p.price <= rest]:
        items.append(draw(rng, rng.choice(fitting), min(line_limit, rest), max_qty, **discount))
        rest -= items[-1].amount
    return items


def chunks(rng: random.Random, items: list[Item]) -> Iterator[list[Item]]:
    """`items` shuffled, then taken 1 to 3 at a time: the lines of one invoice."""
    items = list(items)
    rng.shuffle(items)
    while items:
        size = rng.randint(1, 3)
        chunk, items = items[:size], items[size:]
        yield chunk


def to_invoices(rng: random.Random, items: list[Item], days: list[dt.date], make: Callable[[dt.date, list[Item]],
                Invoice]) -> list[Invoice]:
    """`items` grouped 1 to 3 to an invoice, each on a day drawn from `days`."""
    return [make(rng.choice(days), chunk) for chunk in chunks(rng, items)]


def credit_note(invoice: Invoice, on: dt.date, file: str, back: int | None = None, note: str = "") -> Invoice:
    """A return of `back` units (default half) of the invoice's largest line, reported in `file`."""
    line = max(invoice.items, key=lambda i: (i.qty, i.amount))
    back = back or max(1, line.qty // 2)
    returned = Item(line.product, -back, line.unit, note=note or f"credit note: {back} of {line.qty} returned")
    return Invoice(file, invoice.prefix, on, invoice.partner, invoice.customer, [returned], invoice.currency,
                   invoice.opp, credit_of=invoice)


def number(rng: random.Random, plan: Plan, first: tuple[int, int] = (100, 900), opp_prefix: str = "OP",
           order: Callable[[str], int | str] = str) -> None:
    """Invoice ids per prefix and year in date order, from a number drawn in `first` for each prefix (in `order`)
    and year; credit notes `<original>-CN`; opportunity ids `<opp_prefix>-YY-NNNN` by date."""
    groups = defaultdict(list)
    for inv in plan.invoices:
        if inv.credit_of is None:
            groups[inv.prefix, inv.date.year].append(inv)
    for (prefix, year), group in sorted(groups.items(), key=lambda g: (order(g[0][0]), g[0][1])):
        for n, inv in enumerate(sorted(group, key=lambda i: (i.date, i.partner, i.customer.id)),
                                rng.randint(*first)):
            inv.id = f"{prefix}-{year % 100}-{n:05d}"
    for inv in plan.invoices:
        if inv.credit_of is not None:
            inv.id = f"{inv.credit_of.id}-CN"
    for n, opp in enumerate(sorted(plan.opps, key=lambda o: (o.registered_on, o.partner, o.customer.id)), 1):
        opp.id = f"{opp_prefix}-{opp.registered_on:%y}-{n:04d}"


class Deals:
    """One approved opportunity per partner and customer, made and added to the plan on first use; its dates
    are left for the caller to set from the lines that name it."""

    def __init__(self, plan: Plan):
        self.plan = plan
        self.made: dict[tuple[str, str], Opp] = {}

    def __call__(self, partner: str, customer: Customer) -> Opp:
        key = (partner, customer.id)
        if key not in self.made:
            self.made[key] = Opp(partner, customer)
            self.plan.opps.append(self.made[key])
        return self.made[key]


def date_opportunities(rng: random.Random, plan: Plan) -> None:
    """Registration dates of the opportunities left open: some days before the first line naming them."""
    uses = defaultdict(list)
    for inv in plan.invoices:
        if isinstance(inv.opp, Opp):
            uses[id(inv.opp)].append(inv.date)
    for opp in plan.opps:
        if opp.registered_on is None:
            opp.registered_on = min(uses[id(opp)]) - dt.timedelta(rng.randint(5, 40))


def rate_of(plan: Plan, currency: str, date: dt.date, base: str) -> D:
    return D(1) if currency == base else plan.rates[currency, f"{date:%Y-%m}"]


def included_base(plan: Plan, base: str, end: dt.date, start: dt.date | None = None) -> dict[str, D]:
    """Per partner, the base-currency sum of the lines planted to count, dated up to `end` (per line rounding)."""
    totals: dict[str, D] = defaultdict(D)
    for inv in plan.invoices:
        if inv.date > end or (start and inv.date < start):
            continue
        rate = rate_of(plan, inv.currency, inv.date, base)
        totals[inv.partner] += sum((money(i.amount * rate) for i in inv.items if i.expect in (INCLUDED, FLAG)), D(0))
    return totals


def check_keys(plan: Plan) -> None:
    keys = [(i.partner, i.id, n) for i in plan.invoices for n in range(1, len(i.items) + 1)]
    assert len(keys) == len(set(keys)), "a key with two contents is an input error"
    assert len({o.id for o in plan.opps}) == len(plan.opps)


# ---------------------------------------------------------------- writing


@dataclass(frozen=True)
class Layout:
    """How a sender writes its reports; an opportunity report takes only the style, date format and words."""

    style: str = "name"  # headers: name, title or ru (common.headers)
    columns: tuple[str, ...] = SALES_COLUMNS
    sheet: str = "Sales"
    titles: Callable[[str], tuple[str, ...]] = lambda file: ()
    date_format: str = "yyyy-mm-dd"
    words: tuple[tuple[str, str], ...] = ()  # customer types and opportunity statuses as the sender writes them
    text_dates: bool = False  # invoice dates typed as dd.mm.yyyy text


Placed = dict[str, list[tuple[Invoice, int, int, bool]]]  # file -> (invoice, line_no, Excel row, is a copy)
PerFile = Layout | Callable[[str], Layout]  # one layout for every file, or the layout of each file


def write_folder(folder: Path, rules: Rules, plan: Plan, roster: tuple[str, ...], layout: PerFile,
                 describe: Callable[[Placed], str], opportunity_file: Callable[[Opp], str] | None = None,
                 opportunity_layout: PerFile = Layout()) -> list[Path]:
    """The sample folder; `roster` is the columns of partners.xlsx, `layout` that of the sales reports."""
    clear(folder)
    written = [write_program(folder, rules), write_partners(folder, plan, roster)]
    if plan.rates:
        written.append(write_rates(folder, plan))
    if opportunity_file:
        written += write_opportunities(folder, plan, opportunity_file, _of_file(opportunity_layout))
    placed = write_sales(folder, plan, _of_file(layout))
    written += sorted(folder / f for f in placed)
    readme = folder / "README.md"
    readme.write_text(describe(placed), encoding="utf-8")
    return [*written, readme]


def _of_file(layout: PerFile) -> Callable[[str], Layout]:
    return layout if callable(layout) else lambda file: layout


def write_program(folder: Path, rules: Rules) -> Path:
    path = folder / "program.xlsx"
    with Book(path) as book:
        book.sheet("Program", ["key", "value"], [[k, v] for k, v, _ in rules.settings])
        book.sheet("RateBands", ["tier", "over", "rate"], [list(b) for b in rules.bands])
        targets = ["annual_target_a", "annual_target_b", "annual_target_c"] if rules.tier_targets else []
        columns = ["tier", "rank", *targets]
        book.sheet("Tiers", columns, [list(t) + [None] * (len(columns) - len(t)) for t in rules.tiers])
        if rules.requirements:
            book.sheet("Requirements", ["tier", "attribute", "operator", "value"],
                       [list(r) for r in rules.requirements])
        if rules.channel_rules:
            book.sheet("ChannelRules", ["role", "customer_type", "action"], [list(r) for r in rules.channel_rules])
        if rules.exclusions:
            book.sheet("Exclusions", ["field", "value"], [list(e) for e in rules.exclusions])
        if rules.bonuses:
            book.sheet("Bonuses", [c.name for c in schema.BONUSES.columns], [list(b) for b in rules.bonuses])
        if rules.statuses:
            book.sheet("Statuses", ["status", "tiers"], [list(s) for s in rules.statuses])
        book.sheet("Notes", ["sheet", "item", "source"],
                   [["Program", k, s] for k, _, s in rules.settings] + [list(n) for n in rules.notes])
    return path


def write_partners(folder: Path, plan: Plan, columns: tuple[str, ...]) -> Path:
    """Each of `columns` is a field of Partner by its name in PARTNER_COLUMNS, or an attribute."""
    path = folder / "partners.xlsx"
    rows = []
    for p in plan.partners:
        cell = dict(zip(PARTNER_COLUMNS, (p.id, p.name, p.country, p.role, p.tier, p.registered_on, p.parent,
                                          p.company_id)), **dict(p.attributes))
        rows.append([cell.get(c) for c in columns])
    with Book(path) as book:
        book.sheet("Partners", list(columns), rows)
    return path


def write_rates(folder: Path, plan: Plan) -> Path:
    path = folder / "fx_rates.xlsx"
    with Book(path) as book:
        book.sheet("Rates", ["currency", "month", "rate"], [[c, m, r] for (c, m), r in sorted(plan.rates.items())])
    return path


def write_opportunities(folder: Path, plan: Plan, file_of: Callable[[Opp], str],
                        layout_of: Callable[[str], Layout]) -> list[Path]:
    files = defaultdict(list)
    for opp in sorted(plan.opps, key=lambda o: o.id):
        files[file_of(opp)].append(opp)
    written = []
    for file, opps in sorted(files.items()):
        layout = layout_of(file)
        words = dict(layout.words)
        itemized = any(o.items for o in plan.opps)  # then a product_sku column, one row per item
        rows = [[o.id, o.partner, o.customer.name, o.registered_on, o.expires_on, words.get(o.status, o.status),
                 *([sku] if itemized else [])] for o in opps for sku in (o.items or (None,))]
        columns = OPPORTUNITY_COLUMNS if itemized else OPPORTUNITY_COLUMNS[:-1]
        with Book(folder / file) as book:
            book.sheet("Opportunities", headers(schema.OPPORTUNITIES, columns, layout.style), rows,
                       date_format=layout.date_format)
        written.append(folder / file)
    return written


def write_sales(folder: Path, plan: Plan, layout_of: Callable[[str], Layout]) -> Placed:
    lines = defaultdict(list)
    for inv in plan.invoices:
        lines[inv.file] += [(inv, n, False) for n in range(1, len(inv.items) + 1)]
    for file, inv, n in plan.copies:
        lines[file].append((inv, n, True))
    placed: Placed = {}
    for file, group in sorted(lines.items()):
        group.sort(key=lambda x: (x[0].date, x[0].id, x[1], x[2]))  # a copy follows its original
        layout = layout_of(file)
        titles = layout.titles(file)
        words = dict(layout.words)
        rows = []
        for inv, n, _ in group:
            item = inv.items[n - 1]
            cell = {"invoice_id": inv.id, "line_no": n,
                    "invoice_date": f"{inv.date:%d.%m.%Y}" if layout.text_dates else inv.date,
                    "partner_id": inv.partner, "customer_id": inv.customer.id, "customer_name": inv.customer.name,
                    "customer_type": words.get(inv.customer.type, inv.customer.type),
                    "opportunity_id": inv.opp.id if isinstance(inv.opp, Opp) else inv.opp,
                    "product_sku": item.product.sku, "product_category": item.product.category,
                    "quantity": item.qty, "net_amount": item.amount, "currency": inv.currency}
            rows.append([cell[c] for c in layout.columns])
        with Book(folder / file) as book:
            book.sheet(layout.sheet, headers(schema.SALES, layout.columns, layout.style), rows, titles=titles,
                       date_format=layout.date_format)
        first = len(titles) + (1 if titles else 0) + 2  # Excel row of the first line
        placed[file] = [(inv, n, first + k, copy) for k, (inv, n, copy) in enumerate(group)]
    return placed


# ---------------------------------------------------------------- README parts


def rules_tables(rules: Rules) -> list[str]:
    """The rows of program.xlsx, as Markdown."""
    out = ["| sheet | rows |", "|---|---|"]
    out.append("| RateBands | " + "; ".join(f"{t}, {b}, {r}" for t, b, r in rules.bands) + " |")
    out.append("| Tiers | " + "; ".join(
        f"{t[0]} (rank {t[1]}" + (f", A {t[2]:,} / B {t[3]:,} / C {t[4]:,}" if len(t) > 2 and t[2] else "") + ")"
        for t in rules.tiers) + " |")
    for sheet, rows in (("Requirements", rules.requirements), ("ChannelRules", rules.channel_rules),
                        ("Exclusions", rules.exclusions), ("Bonuses", rules.bonuses), ("Statuses", rules.statuses)):
        if rows:
            out.append(f"| {sheet} | " + "; ".join(" ".join(str(c) for c in r) for r in rows) + " |")
    return out


def partner_table(plan: Plan, columns: tuple[str, ...]) -> list[str]:
    out = ["| partner | name | country | role | tier | " + " | ".join(columns) + " | in the sample to show |",
           "|---|---|---|---|---|" + "---|" * len(columns) + "---|"]
    for p in plan.partners:
        attrs = dict(p.attributes)
        out.append(f"| {p.id} | {p.name} | {p.country} | {p.role} | {p.tier} | "
                   + " | ".join(_cell(attrs.get(c)) for c in columns) + f" | {p.design} |")
    return out


def _cell(value) -> str:
    if isinstance(value, D):
        return f"{value:,.0f}" if value == value.to_integral() else f"{value:,.2f}"
    return "" if value is None else str(value)


def planted_table(placed: Placed) -> list[str]:
    """Every line planted for an outcome other than plain `included`, or with a note, by file and row."""
    rows = []
    for file, group in sorted(placed.items()):
        for inv, n, row, copy in group:
            item = inv.items[n - 1]
            expect, note = ("DUPLICATE", "the same line sent again") if copy else (item.expect, item.note)
            if expect == INCLUDED and not note:
                continue
            rows.append((expect, file, row, inv.id, n, inv.partner, inv.date, inv.customer.type, note))
    order = [INCLUDED, FLAG, *(code for code in ("DUPLICATE", "UNKNOWN_PARTNER", "OUT_OF_PERIOD", "OUTSIDE_MEMBERSHIP",
                                                 "PRODUCT_EXCLUDED", "CHANNEL_CONFLICT", "NOT_REGISTERED"))]
    rows.sort(key=lambda r: (order.index(r[0]), r[1], r[2]))
    return ["| outcome | file | row | invoice_id | line_no | partner | date | customer_type | why |",
            "|---|---|---|---|---|---|---|---|---|",
            *(f"| {e} | `{f}` | {r} | {i} | {n} | {p} | {d} | {t} | {why} |" for e, f, r, i, n, p, d, t, why in rows)]


def files_table(placed: Placed) -> list[str]:
    return ["| file | lines |", "|---|---|", *(f"| `{f}` | {len(g)} |" for f, g in sorted(placed.items()))]


def lines(*parts: Iterable[str] | str) -> str:
    out: list[str] = []
    for part in parts:
        out += [part] if isinstance(part, str) else list(part)
    return "\n".join(out) + "\n"
