"""One statement workbook laid out: the `Statement` page and the `Lines` sheets.

Sheet `Statement` explains the ledger row on one page: bases, the band reached and
what the next one needs, the A/B/C grade of the tier's annual targets reached so far
and what the next grade needs (when the tier has targets), the entitlement with its
arithmetic (per span of one tier when the tier changed during the year), what was
settled before, the accrual (a claw-back when negative), bonuses and the total payable,
a claw-back carried from or to another period in words, what is to pay and what is to
recover as two figures (points credited and debited for a points programme), and the
lines excluded, by reason. Sheet `Lines` lists every line of the partner that the run
read, in read order, with its outcome and each included line's share of the entitlement;
past Excel's rows per sheet the lines continue on `Lines (2)`, `Lines (3)`, ..., each with
the header; the totals rows (included, and excluded apart) end the last.

The layout is xlsxwriter's calls, made on a `direct.Book`, which writes the bytes xlsxwriter
would at a fraction of its cost (an xlsxwriter workbook given as `book` writes the same
file); the Lines sheets' bodies are built beforehand for a batch of partners
(`statement_lines.shown`) and spliced in as the workbook is closed (`rows.Body`,
`xlsx.close`). Every word comes from the catalogues of `words.py`, in the partner's
language.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from incentives import words
from incentives.bonuses import Award
from incentives.model import Program
from incentives.money import ZERO
from incentives.periods import Period
from incentives.rates import Entitlement
from incentives.register.manifest import short
from incentives.review import TierReview
from incentives.settle import LedgerRow, Origin
from incentives.words import Words
from incentives.write.direct import Book
from incentives.write.rows import Body, Shared
from incentives.write.statement_lines import LINE_COLUMNS, STYLE_MARKS, Shown
from incentives.write.xlsx import DATE, MAX_WIDTH, MONEY, PAPER_A4, PRINTABLE, RATE, close, pixels

COUNT = "#,##0"


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


def write_book(path: Path, program: Program, row: LedgerRow, lines: Shown, awards: tuple[Award, ...],
               settled_from: Origin, period: Period, grade: Grade | None, run_id: str, said: Words,
               shared: Shared | None = None, book=None) -> str:
    """`path`: one partner's statement, its lines `lines` (`Shown`); `grade` None when its tier sets no
    annual target; `said` the words of the partner's language; `shared` the parts of the statements
    written before it (styles, theme, properties: compressed once). `book`: the workbook to lay out,
    by default a `direct.Book`; an xlsxwriter one (`xlsx.workbook()`) writes the same bytes, slower.
    Returns the sha256 of the file."""
    book = Book() if book is None else book
    styles = _styles(book)
    _statement_sheet(book, styles, said, program, row, lines, awards, settled_from, period, grade, run_id)
    formats = tuple((mark, styles[kind]) for kind, mark in STYLE_MARKS.items())
    bodies = []
    for k, rows in enumerate(lines.bodies):
        sheet = _lines_sheet(book, styles, said, program, row, lines, period, run_id, k)
        # a sheet but the last ends with its lines: its dimension must reach them (the last's totals row does)
        last_row = lines.per_sheet + 1 if k < len(lines.bodies) - 1 else None
        bodies.append(Body(sheet.index, rows, formats, last_row))
    return close(book, path, *bodies, shared=shared)


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
        return w(f"{key}_points" if program.unit == "points" and f"{key}_points" in words.catalogue("en") else key, **values)
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
                 run_id: str, k: int = 0):
    """The `k`th Lines sheet (from 0): `Lines`, `Lines (2)`, ...; the last ends with the totals rows,
    included and excluded apart. Its body (rows 2 to its lines' + 1) is spliced in by `write_book`."""
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
        # The column's format: the body's cells carry it too.
        sheet.set_column(j, j, shown[-1], styles.get(kind) if kind in ("date", "money") else None)
    sheet.set_row(0, 30)  # two lines of a wrapped header
    # Printed at 9 pt or more: as many pages across as that takes, the rows' pages side by side.
    sheet.fit_to_pages(pages_across(shown), 0)
    sheet.print_across()
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, count, len(LINE_COLUMNS) - 1)
    if not last:
        return sheet
    at = count + 1
    base = [c for c, _, _ in LINE_COLUMNS].index("base_amount")
    share = [c for c, _, _ in LINE_COLUMNS].index("share")
    sheet.write_string(at, 0, w("total_included", count=w.count(lines.included)), styles["label"])
    sheet.write_number(at, base, float(lines.included_base), styles["money_bold"])
    sheet.write_number(at, share, float(lines.share_total), styles["money_bold"])
    sheet.write_string(at + 1, 0, w("total_excluded", count=w.count(lines.count - lines.included)), styles["label"])
    sheet.write_number(at + 1, base, float(lines.excluded_base), styles["money"])
    return sheet


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
