"""A large vendor's quarter, generated deterministically: `python bench/workload.py DIR --lines 1M`.

At 1M lines: 2,000 partners (100 distributors, 1,900 resellers under them), 900 monthly
sales workbooks (100 distributors x January to September), 20,000 registered
opportunities, amounts in KZT with some lines in USD and RUB. Smaller sizes scale
distributors, partners, files and opportunities with the lines, so a sales workbook
always holds about 1,100 lines, as a distributor's monthly export does.

Every exclusion reason is planted at a realistic rate (duplicates pasted twice, lines
of partners not in the roster, December lines in January reports, lines before a
partner's registration, excluded products, a distributor selling to an end user,
lines without a valid opportunity). Each workbook depends only on the seed, its
distributor and its month, so workbooks are written in parallel and are the same
bytes on every run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import random
import sys
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from pathlib import Path

import xlsxwriter

SEED = 2026
YEAR = 2026
MONTHS = 9  # January to September: the year to the end of Q3
FULL = 1_000_000  # lines of the full-size quarter; the counts below are for it
DISTRIBUTORS = 100
PARTNERS = 2_000
OPPORTUNITIES = 20_000
CREATED = dt.datetime(2026, 1, 1)
CENT = Decimal("0.01")
EPOCH = dt.date(1899, 12, 30)

SALES_COLUMNS = ("invoice_id", "line_no", "invoice_date", "partner_id", "customer_id", "customer_name",
                 "customer_type", "opportunity_id", "product_sku", "product_category", "quantity", "net_amount",
                 "currency")
TIERS = ("Silver", "Gold", "Platinum")
ROLES = ("reseller", "reseller", "reseller", "solution_provider", "service_provider")
# sku, category, list price in KZT
CATALOG = tuple((f"SKU-{c[:3].upper()}-{i:03d}", c, Decimal(p)) for i, (c, p) in enumerate(
    [("components", "4200"), ("components", "7900"), ("components", "12500"), ("components", "18300"),
     ("software", "9900"), ("software", "24500"), ("software", "61000"), ("notebooks", "48900"),
     ("notebooks", "73400"), ("desktops", "38600"), ("desktops", "52100"), ("servers", "196000"),
     ("storage", "143500"), ("services", "15000"), ("services", "32000"), ("demo", "99000")]))
EARNING = tuple(p for p in CATALOG if p[1] not in ("services", "demo"))
EXCLUDED = tuple(p for p in CATALOG if p[1] in ("services", "demo"))
# base-currency (KZT) units for one unit of each foreign currency, January; drifts by month
FX = {"USD": Decimal("471.2350"), "RUB": Decimal("5.8123")}
FOREIGN_SHARE = {"USD": 0.03, "RUB": 0.02}


@dataclass(frozen=True)
class Size:
    lines: int
    distributors: int
    partners: int
    opportunities: int

    @property
    def files(self) -> int:
        return self.distributors * MONTHS


def size_of(lines: int) -> Size:
    scale = lines / FULL
    distributors = max(1, round(DISTRIBUTORS * scale))
    partners = max(distributors * 4, round(PARTNERS * scale))
    return Size(lines, distributors, partners, max(partners * 2, round(OPPORTUNITIES * scale)))


def parse_lines(text: str) -> int:
    """10k, 100k, 1M, or a number."""
    t = text.strip().lower().replace("_", "")
    for suffix, factor in (("k", 1_000), ("m", 1_000_000)):
        if t.endswith(suffix):
            return int(float(t[:-1]) * factor)
    return int(t)


@dataclass(frozen=True)
class Partner:
    id: str
    dist: str  # its distributor ("" for a distributor)
    tier: str
    role: str
    registered_on: dt.date
    scale: float  # line amounts are about scale x list price


@dataclass(frozen=True)
class Opp:
    id: str
    partner: str
    registered_on: dt.date
    expires_on: dt.date | None
    status: str


@dataclass(frozen=True)
class Plan:
    size: Size
    partners: tuple[Partner, ...]
    resellers: dict  # distributor id -> tuple of its resellers
    opps: dict  # partner id -> tuple of its opportunities
    rates: dict  # (currency, month) -> rate


@lru_cache(maxsize=2)
def plan(lines: int, seed: int = SEED) -> Plan:
    size = size_of(lines)
    rng = random.Random(f"{seed}-plan")
    dists = [Partner(f"D{i:03d}", "", TIERS[0], "distributor", dt.date(2024, 1, 15), 1.0)
             for i in range(1, size.distributors + 1)]
    resellers: dict[str, list[Partner]] = {d.id: [] for d in dists}
    partners = list(dists)
    for i in range(1, size.partners - size.distributors + 1):
        dist = dists[(i - 1) % len(dists)].id
        if rng.random() < 0.06:  # joined during the year: its earlier lines are outside membership
            registered = dt.date(YEAR, rng.randint(2, 6), rng.randint(1, 28))
        else:
            registered = dt.date(2025, 1, 1) + dt.timedelta(days=rng.randrange(365))
        p = Partner(f"P{i:05d}", dist, rng.choice(TIERS), rng.choice(ROLES), registered,
                    rng.lognormvariate(0, 0.7))
        resellers[dist].append(p)
        partners.append(p)
    opps: dict[str, list[Opp]] = {p.id: [] for p in partners}
    owners = [p for p in partners if p.role != "distributor"]
    start = dt.date(YEAR - 1, 7, 1)
    for i in range(1, size.opportunities + 1):
        owner = owners[(i - 1) % len(owners)]
        registered = start + dt.timedelta(days=rng.randrange(400))
        roll = rng.random()
        status = "approved" if roll < 0.92 else "pending" if roll < 0.96 else "rejected"
        expires = None if rng.random() < 0.3 else registered + dt.timedelta(days=rng.randint(180, 365))
        opps[owner.id].append(Opp(f"OPP-{i:06d}", owner.id, registered, expires, status))
    rates = {}
    for cur, rate in FX.items():
        for month in [f"{YEAR - 1}-12", *(f"{YEAR}-{m:02d}" for m in range(1, 13))]:
            rates[cur, month] = (rate * Decimal(1 + 0.01 * rng.uniform(-3, 3))).quantize(
                Decimal("0.0001"), rounding=ROUND_HALF_UP)
    return Plan(size, tuple(partners), {k: tuple(v) for k, v in resellers.items()},
                {k: tuple(sorted(v, key=lambda o: o.registered_on)) for k, v in opps.items()}, rates)


def _serial(day: dt.date) -> int:
    return (day - EPOCH).days


class Book:
    """A workbook as a distributor's export: header row 1, date and amount cells formatted."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.book = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False,
                                                    "strings_to_numbers": False, "in_memory": True})
        self.book.set_properties({"created": CREATED, "author": "calc bench"})
        self.date = self.book.add_format({"num_format": "yyyy-mm-dd"})
        self.money = self.book.add_format({"num_format": "#,##0.00"})
        self.bold = self.book.add_format({"bold": True})

    def sheet(self, name: str, header, rows) -> None:
        ws = self.book.add_worksheet(name)
        ws.write_row(0, 0, header, self.bold)
        string, number = ws.write_string, ws.write_number
        for r, row in enumerate(rows, start=1):
            for c, v in enumerate(row):
                if v is None:
                    continue
                if isinstance(v, str):
                    string(r, c, v)
                elif isinstance(v, dt.date):
                    number(r, c, _serial(v), self.date)
                elif isinstance(v, Decimal):
                    number(r, c, float(v), self.money)
                else:
                    number(r, c, v)
        ws.freeze_panes(1, 0)

    def close(self) -> None:
        self.book.close()


def write_program(folder: Path) -> None:
    book = Book(folder / "program.xlsx")
    book.sheet("Program", ["key", "value"], [
        ["program_id", "bench-quarter"], ["name", "Large vendor partner program (bench)"], ["unit", "points"],
        ["base_currency", "KZT"], ["year", str(YEAR)], ["period", "quarter"], ["basis", "purchases"],
        ["tier_method", "all_units"], ["requires_opportunity", "yes"], ["rounding", "half_up"],
        ["language", "en"]])
    book.sheet("RateBands", ["tier", "over", "rate"], [["*", Decimal(0), Decimal("0.02")],
                                                       ["*", Decimal(3_000_000), Decimal("0.04")]])
    book.sheet("Tiers", ["tier", "rank"], [[t, i] for i, t in enumerate(TIERS, 1)])
    book.sheet("ChannelRules", ["role", "customer_type", "action"], [["distributor", "end_user", "exclude"]])
    book.sheet("Exclusions", ["field", "value"], [["product_category", "services"], ["product_category", "demo"]])
    book.close()


def write_partners(folder: Path, p: Plan) -> None:
    rng = random.Random(f"{SEED}-names")
    book = Book(folder / "partners.xlsx")
    book.sheet("Partners", ["partner_id", "partner_name", "country", "role", "tier", "registered_on", "parent_id",
                            "language"],
               [[x.id, f"{'Distributor' if not x.dist else 'Partner'} {x.id} LLP", rng.choice(("KZ",) * 8 + ("KG", "UZ")),
                 x.role, x.tier, x.registered_on, x.dist or None, rng.choice(("en", "ru"))] for x in p.partners])
    book.close()


def write_rates(folder: Path, p: Plan) -> None:
    book = Book(folder / "fx_rates.xlsx")
    book.sheet("Rates", ["currency", "month", "rate"], [[c, m, r] for (c, m), r in sorted(p.rates.items())])
    book.close()


def write_opportunities(folder: Path, p: Plan, dist: str) -> None:
    book = Book(folder / "opportunities" / f"{dist}.xlsx")
    rows = [[o.id, o.partner, f"Customer {o.id[-4:]}", o.registered_on, o.expires_on, o.status]
            for r in p.resellers[dist] for o in p.opps[r.id]]
    book.sheet("Opportunities", ["opportunity_id", "partner_id", "customer_name", "registered_on", "expires_on",
                                 "status"], rows)
    book.close()


def sales_rows(p: Plan, dist: str, month: int) -> list[list]:
    """One distributor's report of one month, in invoice order, with planted exclusions."""
    rng = random.Random(f"{SEED}-{dist}-{month}")
    size = p.size
    target = size.lines // size.files + (1 if _file_index(p, dist, month) < size.lines % size.files else 0)
    members = p.resellers[dist]
    days = [dt.date(YEAR, month, d) for d in range(1, 29) if dt.date(YEAR, month, d).weekday() < 5]
    rows: list[list] = []
    seq = 0
    while len(rows) < target:
        seq += 1
        invoice = f"{dist}-{month:02d}-{seq:05d}"
        day = rng.choice(days)
        roll = rng.random()
        if roll < 0.004:
            partner = Partner(f"X{rng.randrange(10_000):05d}", dist, TIERS[0], "reseller", dt.date(2025, 1, 1), 1.0)
        elif roll < 0.01:
            partner = next(d for d in p.partners if d.id == dist)  # the distributor's own sale
        else:
            partner = rng.choice(members)
        if month == 1 and rng.random() < 0.01:
            day = dt.date(YEAR - 1, 12, rng.randint(20, 31))  # a December invoice in the January report
        customer = rng.randrange(1, 400)
        ctype = "end_user" if partner.role == "distributor" or rng.random() < 0.9 else "reseller"
        opp = _opportunity(rng, p.opps.get(partner.id, ()), day)
        currency = "KZT"
        pick = rng.random()
        for cur, share in FOREIGN_SHARE.items():
            if pick < share:
                currency = cur
                break
            pick -= share
        for line_no in range(1, min(target - len(rows), rng.choice((1, 1, 1, 2, 3, 5))) + 1):
            sku, category, price = rng.choice(EXCLUDED) if rng.random() < 0.03 else rng.choice(EARNING)
            qty = rng.choice((1, 1, 1, 2, 2, 3, 5, 10))
            if rng.random() < 0.02:
                qty = -qty  # a return
            kzt = price * qty * Decimal(partner.scale * rng.uniform(0.85, 1.0)) / 14
            amount = kzt if currency == "KZT" else kzt / p.rates[currency, f"{day:%Y-%m}"]
            rows.append([invoice, line_no, day, partner.id, f"C{dist[1:]}{customer:04d}", f"Customer {customer} LLP",
                         ctype, opp, sku, category, qty, amount.quantize(CENT, rounding=ROUND_HALF_UP), currency])
            if rng.random() < 0.003:  # pasted twice: the same line again
                rows.append(list(rows[-1]))
    return rows[:target]


def _opportunity(rng: random.Random, opps: tuple[Opp, ...], day: dt.date) -> str | None:
    """Mostly an opportunity valid on the day; sometimes none, or any of the partner's."""
    if not opps or rng.random() < 0.01:
        return None
    valid = [o for o in opps if o.status == "approved" and o.registered_on <= day and (o.expires_on is None or day <= o.expires_on)]
    if valid and rng.random() < 0.97:
        return rng.choice(valid).id
    return rng.choice(opps).id


def _file_index(p: Plan, dist: str, month: int) -> int:
    return (int(dist[1:]) - 1) * MONTHS + month - 1


def write_sales(folder: Path, lines: int, dist: str, month: int) -> int:
    p = plan(lines)
    rows = sales_rows(p, dist, month)
    book = Book(folder / "sales" / f"{YEAR}-{month:02d}_{dist}.xlsx")
    book.sheet("Sales", list(SALES_COLUMNS), rows)
    book.close()
    return len(rows)


def _task(args) -> int:
    kind, folder, lines, dist, month = args
    if kind == "sales":
        return write_sales(Path(folder), lines, dist, month)
    write_opportunities(Path(folder), plan(lines), dist)
    return 0


def generate(folder: Path, lines: int, workers: int = 2) -> dict:
    """Write the input folder unless it already holds this size; returns its description."""
    size = size_of(lines)
    stamp = folder / ".workload.json"  # hidden: calc notes it, where any other file beside the inputs is an error
    (folder / "workload.json").unlink(missing_ok=True)  # where earlier versions kept it
    described = {"lines": size.lines, "distributors": size.distributors, "partners": size.partners,
                 "opportunities": size.opportunities, "files": size.files, "seed": SEED,
                 "generator": hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]}
    if stamp.is_file() and json.loads(stamp.read_text()) == described:
        return described
    p = plan(lines)
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.rglob("*.xlsx"):
        old.unlink()
    write_program(folder)
    write_partners(folder, p)
    write_rates(folder, p)
    dists = [f"D{i:03d}" for i in range(1, size.distributors + 1)]
    tasks = [("opps", str(folder), lines, d, 0) for d in dists]
    tasks += [("sales", str(folder), lines, d, m) for d in dists for m in range(1, MONTHS + 1)]
    with ProcessPoolExecutor(workers) as pool:
        written = sum(pool.map(_task, tasks, chunksize=4))
    assert written == size.lines, (written, size.lines)
    stamp.write_text(json.dumps(described))
    return described


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--lines", default="10k", help="10k, 100k, 1M or a number (default 10k)")
    args = parser.parse_args(argv)
    print(generate(args.folder, parse_lines(args.lines)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
