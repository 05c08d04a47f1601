"""statements/<partner_id>.xlsx: what a distributor reads about its own period.

Sheet `Statement` explains the ledger row on one page: bases, the band reached and
what the next one needs, the A/B/C grade of the tier's annual targets reached so far
and what the next grade needs (when the tier has targets), the entitlement with its
arithmetic (per span of one tier when the tier changed during the year), what was
settled before, the accrual (a claw-back when negative), bonuses and the total payable,
a claw-back carried from or to another period in words, what is to pay and what is to
recover as two figures (points credited and debited for a points programme), and the
lines excluded, by reason. Sheet `Lines`
lists every line of the partner that the run read, in read order, with its outcome
and each included line's share of the entitlement (largest remainder, so the shares
add up to it exactly). Past Excel's rows per sheet the lines continue on `Lines (2)`,
`Lines (3)`, ..., each with the header; the totals rows (included, and excluded apart) end the last.

A statement is in the partner's language (English or Russian); every word is in
the catalogues of `words.py`, codes too (outcomes, customer types). `write_statement`
takes only picklable arguments, so statements can be written in a process pool.
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import polars as pl

from incentives import processes, words
from incentives.allocate import shares_in_cents
from incentives.bonuses import Award
from incentives.classify import INCLUDED, LANGUAGES, REASONS, WORDED, worded
from incentives.model import Inputs, Program
from incentives.money import ZERO
from incentives.periods import Period
from incentives.rates import Entitlement
from incentives.review import TierReview, review
from incentives.register.manifest import short
from incentives.settle import LedgerRow, Origin, Settlement
from incentives.validate import unsafe_file_name
from incentives.write.rows import Column, body, splice_sheets
from incentives.words import Words
from incentives.write.xlsx import DATE, MAX_WIDTH, MONEY, PAPER_A4, PRINTABLE, RATE, pixels, workbook, xf_index

COUNT = "#,##0"

# Every label of a statement, key -> its words in each of LANGUAGES (the catalogues of `words.py`):
# read by the tools (`explain`, `diff`) to find a statement's columns in any language.
WORDS: dict[str, tuple[str, ...]] = {
    **{key: tuple(words.catalogue(lang)[key] for lang in LANGUAGES) for key in words.EN},
    **{code: tuple(words.catalogue(lang)[f"reason:{code}"] for lang in LANGUAGES) for code, _ in REASONS},
}

# The Lines sheet: (column, kind, width). Text columns widen to their longest value.
LINE_COLUMNS: tuple[tuple[str, str, int], ...] = (
    ("file", "text", 16), ("row", "int", 7), ("invoice_date", "date", 11), ("invoice_id", "text", 10),
    ("line_no", "int", 6), ("customer_name", "text", 16), ("customer_type", "text", 12),
    ("opportunity_id", "text", 11), ("product_sku", "text", 11), ("quantity", "number", 9),
    ("net_amount", "money", 15), ("currency", "text", 8), ("fx_rate", "number", 9), ("base_amount", "money", 16),
    ("outcome", "text", 10), ("detail", "text", 14), ("flag", "text", 8), ("share", "money", 16),
)
LINES_SHEET = 2  # the first Lines sheet is the workbook's second: xl/worksheets/sheet2.xml
SHEET_ROWS = 1_048_576  # Excel's rows per sheet; a Lines sheet holds its header, lines, and room for the totals


def statement_partners(settlement: Settlement) -> list[LedgerRow]:
    """Roster partners with a statement: any line read, or anything settled, accrued or payable."""
    return [row for row in settlement.rows
            if row.totals.included_lines or row.totals.excluded_lines
            or row.previously_settled or row.accrual or row.total_payable or row.carried_in or row.payment]


@dataclass(frozen=True)
class Grade:
    """Where a partner stands against its tier's annual targets (from the tier review)."""

    grade: str  # A, B, C, or "" below every target
    to_next: Decimal | None  # None: the highest grade is reached
    next_grade: str
    targets: tuple[tuple[str, Decimal], ...]  # the tier's targets given, as ("A", amount), ...

    @classmethod
    def of(cls, r: TierReview, program: Program) -> Grade | None:
        """None when the partner's tier sets no annual target."""
        tier = next((t for t in program.tiers if t.name == r.tier), None)
        targets = tuple((g, t) for g, t in zip("ABC", (tier.target_a, tier.target_b, tier.target_c))
                        if t is not None) if tier else ()
        return cls(r.grade, r.to_next_grade, r.next_grade, targets) if targets else None


def grades(inputs: Inputs, settlement: Settlement, reviews: tuple[TierReview, ...] | None = None
           ) -> dict[str, Grade | None]:
    """Each partner's grade; from the run's tier review, or reviewed here from the ledger's year-to-date bases."""
    if reviews is None:
        reviews = review(inputs.program, inputs.partners,
                         {r.partner.partner_id: r.totals.ytd_base for r in settlement.rows})
    return {r.partner_id: Grade.of(r, inputs.program) for r in reviews}


BATCH_LINES = 20_000  # lines per batch: one batch's XML is tens of MB, and a pool gets work in even parts
POOL_FROM = 50_000  # lines from which a pool pays for starting its processes (about 0.5 s each)
NEEDED = tuple(c for c, _, _ in LINE_COLUMNS if c != "share")  # of the settled lines
LOCAL = tuple(c for c in WORDED if c not in NEEDED)  # the words in the partners' other languages


def write_statements(folder: Path, inputs: Inputs, settlement: Settlement,
                     reviews: tuple[TierReview, ...] | None = None, workers: int | None = None,
                     batch_lines: int = BATCH_LINES, sheet_rows: int = SHEET_ROWS,
                     tick: Callable[[int], None] | None = None, cluster=None) -> list[Path]:
    """`folder/statements/<partner_id>.xlsx` for each partner of `statement_partners`, in partner_id order.

    Partners go in batches of about `batch_lines` lines; with `workers` > 1 (by default, from
    `POOL_FROM` lines on, `processes.workers()`) the batches are written in a pool of processes.
    `sheet_rows`: the rows a Lines sheet may have (Excel's; smaller in tests). `tick(n)`: n more
    statements written (a progress bar), called as each batch is done. `cluster` (`--cluster`):
    every batch is written by the cluster's workers (`cluster.write_batches`)."""
    target = folder / "statements"
    target.mkdir(parents=True, exist_ok=True)
    rows = statement_partners(settlement)
    paths = [statement_path(target, row.partner.partner_id) for row in rows]
    lines = settlement.lines.select("partner_id", *NEEDED, *LOCAL)
    frames = lines.partition_by("partner_id", as_dict=True, maintain_order=True)
    awards: dict[str, list[Award]] = {}
    for a in settlement.awards:
        awards.setdefault(a.partner_id, []).append(a)
    graded = grades(inputs, settlement, reviews)
    batches, statements, size = [], [], 0
    for path, row in zip(paths, rows):
        pid = row.partner.partner_id
        statements.append((path, row, tuple(awards.get(pid, ())), graded.get(pid)))
        size += frames[pid,].height if (pid,) in frames else 0
        if size >= batch_lines or row is rows[-1]:
            parts = [frames[p.partner.partner_id,] for _, p, _, _ in statements if (p.partner.partner_id,) in frames]
            batches.append(Batch(inputs.program, settlement.settled_from, settlement.period, tuple(statements),
                                 pl.concat(parts) if parts else lines.clear(), sheet_rows, settlement.run_id))
            statements, size = [], 0
    if workers is None:
        workers = processes.workers() if lines.height >= POOL_FROM else 1
    if cluster is not None:
        from incentives.cluster import write_batches  # only with --cluster: nothing of Dask otherwise
        write_batches(cluster, batches, tick or _nothing)
    elif workers > 1 and len(batches) > 1:
        with processes.pool(workers) as pool:
            for batch, _ in zip(batches, pool.map(write_batch, batches)):
                (tick or _nothing)(len(batch.statements))
    else:
        for batch in batches:
            write_batch(batch)
            (tick or _nothing)(len(batch.statements))
    return paths


def _nothing(n: int) -> None:
    pass


@dataclass(frozen=True)
class Batch:
    """Statements to write together: each (path, ledger row, awards, grade), and all their lines
    (partner_id, `NEEDED` and `LOCAL`, in read order). Picklable, for a process pool."""

    program: Program
    settled_from: Origin
    period: Period
    statements: tuple[tuple[Path, LedgerRow, tuple[Award, ...], Grade | None], ...]
    lines: pl.DataFrame
    sheet_rows: int = SHEET_ROWS
    run_id: str = ""


def write_batch(batch: Batch) -> None:
    """The batch's statements: the lines of all its partners prepared in one pass, then each workbook."""
    entitlements = {row.partner.partner_id: row.entitlement.amount for _, row, _, _ in batch.statements}
    languages = {row.partner.partner_id: row.partner.language for _, row, _, _ in batch.statements}
    prepared = shown(batch.lines, entitlements, languages, batch.sheet_rows)
    said = {language: Words(language) for language in set(languages.values())}  # one a language: its dates once
    for path, row, awards, grade in batch.statements:
        _write(path, batch.program, row, prepared.get(row.partner.partner_id, NOTHING), awards,
               batch.settled_from, batch.period, grade, batch.run_id, said[row.partner.language])


def statement_path(folder: Path, partner_id: str) -> Path:
    """`folder/<partner_id>.xlsx`, the id in its NFC form (one name for one id on every file
    system), refusing any id that would land elsewhere."""
    path = folder / f"{unicodedata.normalize('NFC', partner_id)}.xlsx"
    if unsafe_file_name(partner_id) or path.resolve().parent != folder.resolve():
        raise ValueError(f"partner_id {partner_id!r} is not usable as a statement file name")
    return path


def write_statement(path: Path, program: Program, row: LedgerRow, lines_frame: pl.DataFrame,
                    awards: tuple[Award, ...], settled_from: Origin, period: Period, grade: Grade | None = None,
                    run_id: str = "", sheet_rows: int = SHEET_ROWS) -> Path:
    """One partner's statement workbook; `lines_frame` is the partner's lines in read order; `grade`
    None when its tier sets no annual target."""
    lines = lines_frame.select(pl.lit(row.partner.partner_id, pl.String).alias("partner_id"), *NEEDED, *LOCAL)
    write_batch(Batch(program, settled_from, period, ((path, row, awards, grade),), lines, sheet_rows, run_id))
    return path


def _write(path: Path, program: Program, row: LedgerRow, lines: Shown, awards: tuple[Award, ...],
           settled_from: Origin, period: Period, grade: Grade | None, run_id: str, said: Words) -> None:
    written = io.BytesIO()
    book = workbook(written)
    styles = _styles(book)
    _statement_sheet(book, styles, said, program, row, lines, awards, settled_from, period, grade, run_id)
    for k in range(len(lines.bodies)):
        _lines_sheet(book, styles, said, program, row, lines, period, run_id, k)
    book.close()
    # The bodies go in after xlsxwriter is done: only then are the formats' indices known.
    bodies = {}
    for k, xml in enumerate(lines.bodies):  # UTF-8: a mark is its one byte, replaced three times faster than in text
        for kind, mark in STYLE_MARKS.items():
            xml = xml.replace(mark.encode("ascii"), xf_index(styles[kind]).encode("ascii"))
        # a sheet but the last ends with its lines: its dimension must reach them (the last's totals row does)
        last_row = lines.per_sheet + 1 if k < len(lines.bodies) - 1 else None
        bodies[f"xl/worksheets/sheet{LINES_SHEET + k}.xml"] = (xml, last_row)
    splice_sheets(written.getvalue(), bodies, path)


# ---------------------------------------------------------------- the lines, for all partners at once


@dataclass(frozen=True)
class Shown:
    """A partner's lines as its statement shows them."""

    count: int
    bodies: tuple[bytes, ...]  # each Lines sheet's rows as XML (UTF-8), the formats' indices as STYLE_MARKS
    per_sheet: int  # lines on each Lines sheet but the last
    widths: tuple[tuple[str, int], ...]  # the longest text of each text column
    included_base: Decimal  # the included lines' base amounts: what counts
    excluded_base: Decimal  # the excluded lines': apart, never added to what counts
    included: int  # lines
    share_total: Decimal
    by_reason: tuple[tuple[str, int, Decimal], ...]  # (code, lines, base amount) in the contract's order


NOTHING = Shown(0, (b"",), SHEET_ROWS - 3, (), ZERO, ZERO, 0, ZERO, ())
# Stand-ins for the formats' indices in the body: no cell holds a control character (rows.py replaces them).
STYLE_MARKS = {"date": "\x01", "money": "\x02"}
BODY = tuple(Column(c, "text" if kind == "text" else "number", STYLE_MARKS.get(kind)) for c, kind, _ in LINE_COLUMNS)
TEXT = [c for c, kind, _ in LINE_COLUMNS if kind == "text"]


def shown(lines: pl.DataFrame, entitlements: dict[str, Decimal], languages: dict[str, str],
          sheet_rows: int = SHEET_ROWS) -> dict[str, Shown]:
    """Each partner's `Shown`, from `lines` (partner_id, `NEEDED` and `LOCAL`, in read order),
    each partner's entitlement, which its included lines share (`allocate`), and its language;
    a partner's lines cut into sheets of `sheet_rows` rows (header and totals row included)."""
    if not lines.height:
        return {}
    # a line's words in its partner's language; its codes (outcome, customer type) in words too.
    # Whether a line's partner speaks each language is worked out once, for all the columns.
    speaks = {language: pl.col("partner_id").is_in([p for p, lang in languages.items() if lang == language])
              .alias(f"__{language}") for language in LANGUAGES[1:]}
    coded = {"outcome": "reason", "customer_type": "customer_type"}

    def in_words(column: str) -> pl.Expr:
        col = pl.col(column)
        said = col.replace_strict(words.code_words(coded[column], LANGUAGES[0]), default=col, return_dtype=pl.String)
        for language in LANGUAGES[1:]:
            said = pl.when(f"__{language}").then(
                col.replace_strict(words.code_words(coded[column], language), default=col, return_dtype=pl.String)
            ).otherwise(said)
        return said.alias(column)

    lines = lines.with_columns(*speaks.values()).with_columns(
        *(pl.when(f"__{language}").then(pl.col(worded(column, language))).otherwise(pl.col(column)).alias(column)
          for language in LANGUAGES[1:] for column in ("detail", "flag")),
        *(in_words(c) for c in coded), pl.col("outcome").alias("code"),
    ).drop(*LOCAL, *(f"__{language}" for language in speaks))
    cents = pl.DataFrame({"partner_id": list(entitlements), "cents": [int(e.scaleb(2)) for e in entitlements.values()]},
                         schema={"partner_id": pl.String, "cents": pl.Int128})
    included = pl.col("code") == INCLUDED
    share = shares_in_cents((pl.col("base_amount") * 100).cast(pl.Int128), pl.col("cents"), ["partner_id", "included"])
    lines = (lines.join(cents, on="partner_id", how="left", maintain_order="left").with_columns(included=included)
             .with_columns(share=pl.when("included").then(share).cast(pl.Decimal(38, 2)) / 100))
    per_sheet = sheet_rows - 3  # a Lines sheet's header, and room for the two totals rows
    # Only a batch of more lines than a sheet holds can have a partner whose lines do not fit on one.
    split = lines.height > per_sheet and lines.group_by("partner_id").len()["len"].max() > per_sheet
    groups = lines["partner_id"]  # the rows of a sheet are numbered from 2
    if split:
        lines = lines.with_columns(sheet=pl.int_range(pl.len()).over("partner_id") // per_sheet)
        groups = lines.select(pl.concat_str("partner_id", pl.lit("\x00"), "sheet")).to_series()
    xml = lines.select("partner_id", *(["sheet"] if split else []),
                       body(lines.select(c.name for c in BODY), BODY, 2, groups))
    totals = [pl.len(), pl.col(TEXT).str.len_chars().max().fill_null(0), pl.col("base_amount", "share").sum()]
    by_partner = (xml.with_columns(lines.select(*TEXT, "base_amount", "share"))
                  .group_by("partner_id", maintain_order=True))
    if split:
        bodies = (xml.group_by("partner_id", "sheet", maintain_order=True).agg(pl.col("xml").str.join(""))
                  .group_by("partner_id", maintain_order=True).agg("xml"))
        parts = by_partner.agg(*totals).join(bodies, on="partner_id", how="left", maintain_order="left")
    else:
        parts = by_partner.agg(pl.concat_list(pl.col("xml").str.join("")), *totals)
    # the bodies as UTF-8 bytes: never decoded into Python text, to be written as they are
    parts = parts.with_columns(pl.col("xml").cast(pl.List(pl.Binary)))
    reasons: dict[str, list] = {}
    excluded = (lines.filter(~pl.col("included")).group_by("partner_id", "code")
                .agg(pl.len(), pl.col("base_amount").sum()))
    order = {code: i for i, (code, _) in enumerate(REASONS)}
    for pid, code, count, amount in sorted(excluded.iter_rows(),
                                           key=lambda r: (r[0], order.get(r[1], len(order)), r[1])):
        reasons.setdefault(pid, []).append((code, count, amount))
    out = {}
    for r in parts.iter_rows(named=True):
        # what counts and what is excluded, apart: the excluded lines' sums are their reasons'
        by_reason = tuple(reasons.get(r["partner_id"], ()))
        excluded_base = sum((amount for _, _, amount in by_reason), ZERO)
        out[r["partner_id"]] = Shown(r["len"], tuple(r["xml"]), per_sheet, tuple((c, r[c]) for c in TEXT),
                                     (r["base_amount"] or ZERO) - excluded_base, excluded_base,
                                     r["len"] - sum(count for _, count, _ in by_reason), r["share"] or ZERO, by_reason)
    return out


# ---------------------------------------------------------------- the sheets


def _footer(w: Words, program: Program, period: Period, run_id: str, left: str = "") -> str:
    """A printed page's footer: the program, the period, the run; page N of M."""
    said = w("footer", program=program.name, period=w.period(period), run=short(run_id) if run_id else "-")
    text = (left + " · " if left else "") + said
    return "&L" + text.replace("&", "&&") + "&R" + w("page")


def _statement_sheet(book, styles, w: Words, program: Program, row: LedgerRow, lines: Shown,
                     awards: tuple[Award, ...], settled_from: Origin, period: Period, grade: Grade | None,
                     run_id: str) -> None:
    sheet = book.add_worksheet("Statement")
    sheet.set_portrait()
    sheet.set_paper(PAPER_A4)
    sheet.fit_to_pages(1, 1)
    sheet.hide_gridlines(2)
    sheet.set_footer(_footer(w, program, period, run_id))
    sheet.set_column(0, 0, 36)
    sheet.set_column(1, 1, 18)
    sheet.set_column(2, 2, 58)
    p, t, e = row.partner, row.totals, row.entitlement
    cur, unit, num = program.base_currency, w.code("unit", program.unit), w.number
    out = _Rows(sheet, styles)

    sheet.write_string(0, 0, w("title", period=w.period(period)), styles["title"])
    out.at = 2
    out.text(w("program"), f"{program.name} ({program.program_id})")
    out.text(w("partner_id"), p.partner_id)
    out.text(w("partner_name"), p.partner_name)
    out.text(w("tier"), p.tier)
    out.text(w("country"), p.country)
    out.text(w("period"), w.period(period), w("period_span", start=w.date(period.start), end=w.date(period.end)))
    out.text(w("period_end"), w.date(period.end))
    if period.supplement:
        out.text(w("supplement", n=period.supplement), w("supplement_words", period=w.period(period.base)),
                 w("supplement_note"))
    if run_id:
        out.text(w("run_id"), short(run_id), w("run_note"))
    out.text(w("unit"), unit)
    out.text(w("base_currency"), cur)
    out.skip()

    out.value(w("period_base", cur=cur), t.period_base)
    out.value(w("ytd_base", cur=cur), t.ytd_base)
    out.value(w("band"), e.rate, w("band_over", over=num(e.band.over), cur=cur) if e.band else w("no_band"),
              styles["rate"])
    basis = w("sales") if program.basis == "sales" else w("purchases")
    if e.next_band is None:
        out.value(w("next_band", cur=cur), None, w("top_band"))
    else:
        out.value(w("next_band", cur=cur), e.to_next_band, w("next_words", amount=num(e.to_next_band), cur=cur,
                                                             basis=basis, rate=w.percent(e.next_band.rate)))
        _progress(out, w("band_progress"), t.ytd_base, e.next_band.over, w, cur)
    if grade is not None:
        targets = ", ".join(f"{g} {num(t)}" for g, t in grade.targets)
        out.text(w("grade"), grade.grade or w("no_grade"), w("targets", targets=targets, cur=cur))
        if grade.to_next is None:
            out.value(w("next_grade", cur=cur), None, w("top_grade"))
        else:
            out.value(w("next_grade", cur=cur), grade.to_next,
                      w("next_grade_words", amount=num(grade.to_next), cur=cur, basis=basis, grade=grade.next_grade))
            _progress(out, w("grade_progress"), t.ytd_base, dict(grade.targets)[grade.next_grade], w, cur)
    out.skip()

    for g in e.segments:  # a tier that changed during the year: what each tier's span earned
        start, end = w.day(g.start), w.day(g.end) if g.end else ""
        label = w("segment", start=start, end=end, tier=g.tier) if g.end else w("segment_open", start=start,
                                                                                 tier=g.tier)
        sum_ = " + ".join(f"{w.number(s.amount)} × {w.percent(s.rate)}" for s in g.slices) or w("segment_none")
        out.value(label, g.exact, w("segment_words", tier=g.tier, base=w.number(g.base), cur=cur,
                                    sum=f"{sum_} = {w.exact(g.exact)}"))
    if program.tier_method == "incremental":
        for s in e.slices:
            label = (w("slice", over=num(s.over), upto=num(s.upto)) if s.upto is not None
                     else w("slice_top", over=num(s.over)))
            out.value(label, s.earned, f"{num(s.amount)} × {w.percent(s.rate)} = {w.exact(s.earned)}")
    out.value(w("entitlement", unit=unit), e.amount, _arithmetic(w, e))
    closed = settled_from.closed
    source = (w("from_register_span", first=closed[0], last=closed[-1]) if len(closed) > 1 else
              w("from_register", period=closed[0]) if closed else
              w("from_run") if settled_from.how == "ledger" else
              w("recomputed"))
    def says(key: str, **values) -> str:  # a points programme's own words, where it has them
        return w(f"{key}_points" if program.unit == "points" and f"{key}_points" in WORDS else key, **values)
    out.value(says("settled", unit=unit), row.previously_settled, source)
    out.value(says("accrual" if row.accrual >= 0 else "clawback", unit=unit), row.accrual,
              f"{num(e.amount)} − {num(row.previously_settled)} = {num(row.accrual)}")
    out.value(w("bonus", unit=unit), row.bonus, None if awards else w("no_bonus"))
    for a in awards:
        rank = w("award", group=a.group, rank=a.rank)
        out.value(f"  {a.bonus}", a.amount, w("tied", words=rank, tied=a.tied) if a.tied > 1 else rank,
                  label_style=styles["text"])
    out.value(says("payable", unit=unit), row.total_payable,
              f"{num(row.accrual)} + {num(row.bonus)} = {num(row.total_payable)}", styles["page_money_bold"])
    if row.carried_in:
        out.value(w("carried_in", unit=unit), row.carried_in,
                  w("carried_in_words", amount=num(-row.carried_in), unit=unit))
    if row.carried_in or row.carried_out:
        out.value(w("net_due", unit=unit), row.net_due,
                  f"{num(row.total_payable)} + {num(row.carried_in)} = {num(row.net_due)}")
    if row.carried_out:
        out.value(w("carried_out", unit=unit), row.carried_out,
                  w("carried_out_words", amount=num(-row.carried_out), unit=unit,
                    last=w.period(period.year_periods()[-1])))
    out.value(says("to_pay", unit=unit), max(row.payment, ZERO), None, styles["page_money_bold"])
    out.value(says("to_recover", unit=unit), max(-row.payment, ZERO),
              says("to_recover_words") if row.payment < 0 else None, styles["page_money_bold"])
    out.skip()

    out.value(w("included"), t.included_lines, w("included_base", amount=num(t.ytd_base)), styles["count"])
    out.value(w("excluded"), t.excluded_lines, None, styles["count"])
    out.value(w("excluded_amount", cur=cur), t.excluded_amount)
    reasons = lines.by_reason
    if reasons:
        # The amount under the page's other amounts (column B, right-aligned); the count in column C,
        # indented, so the two never run together.
        out.skip()
        sheet.write_string(out.at, 0, w("by_reason"), styles["header"])
        sheet.write_string(out.at, 1, w("reason_amount", cur=cur), styles["header"])
        sheet.write_string(out.at, 2, w("reason_lines"), styles["header"])
        out.at += 1
        for code, count, amount in reasons:
            sheet.write_string(out.at, 0, w.code("reason", code), styles["text"])
            sheet.write_number(out.at, 1, float(amount), styles["page_money"])
            sheet.write_number(out.at, 2, count, styles["count_note"])
            out.at += 1


def _lines_sheet(book, styles, w: Words, program: Program, row: LedgerRow, lines: Shown, period: Period,
                 run_id: str, k: int = 0) -> None:
    """The `k`th Lines sheet (from 0): `Lines`, `Lines (2)`, ...; the last ends with the totals rows,
    included and excluded apart."""
    last = k == len(lines.bodies) - 1
    count = lines.count - k * lines.per_sheet if last else lines.per_sheet
    sheet = book.add_worksheet("Lines" if k == 0 else f"Lines ({k + 1})")
    sheet.set_landscape()
    sheet.set_paper(PAPER_A4)
    sheet.repeat_rows(0)
    sheet.set_footer(_footer(w, program, period, run_id, row.partner.partner_id))
    unit = w.code("unit", program.unit)
    widths = dict(lines.widths)
    shown = []
    for j, (column, kind, width) in enumerate(LINE_COLUMNS):
        title = w("h_" + column, cur=program.base_currency, unit=unit)
        sheet.write_string(0, j, title, styles["header"])
        # The header wraps: a column is as wide as its values (or a word of its title), not its whole title.
        word = max(len(part) for part in title.split())
        shown.append(max(width, min(MAX_WIDTH, max(word, widths.get(column, 0)) + 2)))
        # The column's format: the body's cells, spliced in by write_statement, carry it too.
        sheet.set_column(j, j, shown[-1], styles.get(kind) if kind in ("date", "money") else None)
    sheet.set_row(0, 30)  # two lines of a wrapped header
    # Printed at 9 pt or more: as many pages across as that takes, the rows' pages side by side.
    sheet.fit_to_pages(pages_across(shown), 0)
    sheet.print_across()
    # Rows 2 to count + 1 are the body, spliced in by _write.
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, count, len(LINE_COLUMNS) - 1)
    if not last:
        return
    at = count + 1
    base = [c for c, _, _ in LINE_COLUMNS].index("base_amount")
    share = [c for c, _, _ in LINE_COLUMNS].index("share")
    sheet.write_string(at, 0, w("total_included", count=w.count(lines.included)), styles["label"])
    sheet.write_number(at, base, float(lines.included_base), styles["money_bold"])
    sheet.write_number(at, share, float(lines.share_total), styles["money_bold"])
    sheet.write_string(at + 1, 0, w("total_excluded", count=w.count(lines.count - lines.included)), styles["label"])
    sheet.write_number(at + 1, base, float(lines.excluded_base), styles["money"])


def _progress(out: _Rows, label: str, base: Decimal, target: Decimal, w: Words, cur: str) -> None:
    """How far the year-to-date base is on the way to `target`, as a share with a data bar (0 to 100%)."""
    share = min(Decimal(1), max(Decimal(0), base / target)) if target > 0 else Decimal(1)
    out.value(label, share, w("progress_words", base=w.number(base), target=w.number(target), cur=cur),
              out.styles["progress"])
    out.sheet.conditional_format(out.at - 1, 1, out.at - 1, 1, {
        "type": "data_bar", "bar_color": "#63BE7B", "data_bar_2010": False,  # Excel 2007's: every reader reads it
        "min_type": "num", "min_value": 0, "max_type": "num", "max_value": 1})


SMALLEST = 9 / 11  # the scale that prints the 11 pt text at 9 pt


def pages_across(widths: list[int]) -> int:
    """The pages across a Lines sheet needs to print at `SMALLEST` scale or larger (widths in characters)."""
    return max(1, -(-int(pixels(widths) * SMALLEST) // PRINTABLE))


class _Rows:
    """The Statement sheet, written row by row: label, value, and a note in words."""

    def __init__(self, sheet, styles):
        self.sheet, self.styles, self.at = sheet, styles, 0

    def text(self, label: str, value: str, note: str | None = None) -> None:
        self.sheet.write_string(self.at, 0, label, self.styles["label"])
        self.sheet.write_string(self.at, 1, value, self.styles["text"])
        if note:
            self.sheet.write_string(self.at, 2, note, self.styles["note"])
        self.at += 1

    def value(self, label: str, value, note: str | None = None, style=None, label_style=None) -> None:
        self.sheet.write_string(self.at, 0, label, label_style or self.styles["label"])
        if value is not None:
            self.sheet.write_number(self.at, 1, float(value), style or self.styles["page_money"])
        if note:
            self.sheet.write_string(self.at, 2, note, self.styles["note"])
        self.at += 1

    def skip(self) -> None:
        self.at += 1


# ---------------------------------------------------------------- the numbers


def _arithmetic(w: Words, e: Entitlement) -> str:
    """The entitlement as a sum a reader can redo: base × rate, or the slices (or tier spans) added up."""
    if e.segments:
        sum_ = " + ".join(w.exact(s.exact) for s in e.segments)
        result = w.exact(e.exact)
        return f"{sum_} = " + (w("rounded", exact=result, amount=w.number(e.amount)) if e.exact != e.amount
                               else result)
    if not e.slices:
        return w("no_band")
    if len(e.slices) == 1:
        s = e.slices[0]
        sum_ = f"{w.number(s.amount)} × {w.percent(s.rate)}"
    else:
        sum_ = " + ".join(w.exact(s.earned) for s in e.slices)
    result = w.exact(e.exact)
    if e.exact != e.amount:
        result = w("rounded", exact=result, amount=w.number(e.amount))
    return f"{sum_} = {result}"


def padded(number_format: str) -> str:
    """`number_format` with two spaces after the number, in each of its sections."""
    return ";".join(f'{section}"  "' for section in number_format.split(";"))


def _styles(book) -> dict:
    """Every format of a statement, made once per workbook."""
    add = book.add_format
    return {
        "title": add({"bold": True, "font_size": 14}),
        "label": add({"bold": True}),
        "text": add({}),
        "note": add({"text_wrap": True, "valign": "top", "indent": 2}),
        "count_note": add({"num_format": COUNT, "align": "left", "indent": 2}),
        "header": add({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "top"}),
        "money": add({"num_format": MONEY}),
        "money_bold": add({"num_format": MONEY, "bold": True}),
        # On the Statement page a value is followed by its note: two spaces' room after it, so
        # the two never run together (LibreOffice does not indent wrapped text).
        "page_money": add({"num_format": padded(MONEY)}),
        "page_money_bold": add({"num_format": padded(MONEY), "bold": True}),
        "rate": add({"num_format": padded(RATE)}),
        "progress": add({"num_format": padded("0%")}),
        "count": add({"num_format": padded(COUNT)}),
        "date": add({"num_format": DATE}),
    }
