"""`calc explain`: one partner's figures and their derivation, from a run's output folder alone.

No re-computation from inputs: ledger.xlsx gives the figures, audit.xlsx the run (period,
rounding, where previously settled came from) and the Trace (the band reached, the
slices), summary.xlsx the bonus awards, and statements/<partner_id>.xlsx every line of the
partner with its source, outcome and base amount. The sums are redone from those lines in
Decimal and checked against the ledger row to the cent, so an explanation that does not
add up says so instead of reading well. `explain_report.py` tells the `Explanation` in words.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from incentives import schema, words
from incentives.classify import INCLUDED, REASONS
from incentives.money import MODES, ZERO, round_money
from incentives.periods import Period, parse_period, period_of
from incentives.read.values import BadValue, parse_decimal
from incentives.schema import normalize_word
from incentives.tools import SheetCells, ToolError, read_book
from incentives.write.statement_lines import LINE_COLUMNS
from incentives.write.statements import statement_path

SHOWN_IDS = 8  # partner ids listed when the one asked for is unknown
_LEDGER_WORDS = {normalize_word(n): c.name for c in schema.LEDGER.columns for n in c.names()}
# added later (carried claw-backs): a run of an earlier calc has none, and carried nothing
_LEDGER_OPTIONAL = frozenset(c.name for c in schema.LEDGER.columns if not c.required)
_LINE_FIELDS = ("file", "row", "invoice_date", "invoice_id", "line_no", "net_amount", "currency", "base_amount",
                "outcome", "detail", "share")


@dataclass(frozen=True)
class Line:
    file: str
    row: int
    date: dt.date | None
    invoice_id: str
    line_no: object
    net_amount: Decimal | None
    currency: str
    base_amount: Decimal
    outcome: str
    detail: str
    share: Decimal | None


@dataclass(frozen=True)
class Group:
    """Lines under one heading: a period of their invoice dates, or a reason of exclusion."""

    label: str
    lines: tuple[Line, ...]

    @property
    def total(self) -> Decimal:
        return sum((line.base_amount for line in self.lines), ZERO)


@dataclass(frozen=True)
class Check:
    figure: str
    ledger: Decimal
    derived: Decimal
    how: str

    @property
    def ok(self) -> bool:
        return self.ledger == self.derived


@dataclass(frozen=True)
class Award:
    bonus: str
    group: str
    rank: object
    tied: object
    amount: Decimal


@dataclass(frozen=True)
class Explanation:
    run_dir: str
    partner_id: str
    ledger: tuple[tuple[str, object], ...]  # the ledger row: (column, value), amounts as Decimal
    ledger_row: int
    settings: tuple[tuple[str, str], ...]  # audit.xlsx Run: (item, value)
    period: Period
    statement: str | None  # relative path, None when the partner has none
    periods: tuple[Group, ...]  # included lines by period of the invoice date
    reasons: tuple[Group, ...]  # excluded lines by reason, in the contract's order
    trace: tuple[tuple[str, str, Decimal | None], ...]  # audit.xlsx Trace: (step, words, value)
    awards: tuple[Award, ...] | None  # None without summary.xlsx
    checks: tuple[Check, ...]

    def __getitem__(self, column: str):
        return dict(self.ledger)[column]

    def setting(self, item: str) -> str:
        return dict(self.settings).get(item, "")

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)


# ---------------------------------------------------------------- reading the run


@dataclass(frozen=True)
class RunOutput:
    """What every partner's explanation reads from a run folder: read once for many partners."""

    folder: Path
    ledger: SheetCells
    settings: tuple[tuple[str, str], ...]  # audit.xlsx Run: (item, value)
    period: Period
    trace: SheetCells
    bonuses: SheetCells | None  # summary.xlsx Bonuses; None without summary.xlsx

    def setting(self, item: str) -> str:
        return dict(self.settings).get(item, "")


def read_run(run_dir: Path) -> RunOutput:
    """ledger.xlsx, audit.xlsx (Run, Trace) and summary.xlsx (Bonuses) of `run_dir`, or ToolError."""
    if not (run_dir / "ledger.xlsx").is_file() or not (run_dir / "audit.xlsx").is_file():
        raise ToolError(f"{run_dir} is not the output folder of a run: it has no ledger.xlsx and audit.xlsx")
    (ledger,) = _sheets(run_dir, "ledger.xlsx", schema.LEDGER.name)
    run_sheet, trace = _sheets(run_dir, "audit.xlsx", "Run", "Trace")
    settings = tuple((cell_text(r[0]), cell_text(_get(r, 1))) for r in run_sheet.values[1:] if r and r[0] is not None)
    try:
        period = parse_period(dict(settings).get("period", ""))
    except ValueError as ex:
        raise ToolError(f"audit.xlsx:Run: {ex}") from None
    bonuses = _sheets(run_dir, "summary.xlsx", "Bonuses")[0] if (run_dir / "summary.xlsx").is_file() else None
    return RunOutput(run_dir, ledger, settings, period, trace, bonuses)


def explain(run: RunOutput, partner_id: str) -> Explanation:
    """The partner's figures, derived from its lines and checked; ToolError if the partner is
    not in the run's ledger."""
    ledger, row_no = _ledger_row(run, partner_id)
    trace = tuple((cell_text(r[1]), cell_text(_get(r, 2)), _decimal(_get(r, 3), "audit.xlsx:Trace", None))
                  for r in run.trace.values[1:] if len(r) > 1 and r[0] == partner_id)
    path = statement_path(run.folder / "statements", partner_id)
    statement = f"statements/{path.name}" if path.is_file() else None
    lines = _lines(run.folder, statement, run.setting("base currency"), run.setting("unit")) if statement else ()
    awards = _awards(run.bonuses, partner_id) if run.bonuses is not None else None

    included = [line for line in lines if line.outcome == INCLUDED]
    kind = "month" if run.period.kind == "month" else "quarter"
    periods: dict[Period, list[Line]] = {}
    for line in included:
        periods.setdefault(period_of(line.date, kind), []).append(line)
    found = {line.outcome for line in lines} - {INCLUDED}
    codes = [code for code, _ in REASONS if code in found] + sorted(found - {code for code, _ in REASONS})
    checks = _checks(dict(ledger), dict(run.settings), run.period, included,
                     [line for line in lines if line.outcome != INCLUDED], trace, awards)
    return Explanation(str(run.folder), partner_id, ledger, row_no, run.settings, run.period, statement,
                       tuple(Group(p.label, tuple(ls)) for p, ls in sorted(periods.items())),
                       tuple(Group(c, tuple(line for line in lines if line.outcome == c)) for c in codes),
                       trace, awards, checks)


def _sheets(folder: Path, rel: str, *names: str) -> tuple[SheetCells, ...]:
    """The named sheets of `folder/rel`, in the order asked, reading the file once."""
    found = {s.name: s for s in read_book(folder / rel, rel, only=names)}
    missing = [n for n in names if n not in found]
    if missing:
        raise ToolError(f"{rel} has no sheet {', '.join(missing)}")
    return tuple(found[n] for n in names)


def _columns(sheet: SheetCells, rel: str, wanted: dict[str, str],
             optional: frozenset[str] = frozenset()) -> dict[str, int]:
    """Column index of each wanted field; `wanted` maps normalized header words to fields."""
    header = sheet.values[0] if sheet.values else ()
    found = {wanted[normalize_word(h)]: j for j, h in enumerate(header) if isinstance(h, str)
             and normalize_word(h) in wanted}
    missing = sorted(set(wanted.values()) - set(found) - optional)
    if missing:
        raise ToolError(f"{rel}:{sheet.name}: no column {', '.join(missing)} "
                        f"(found: {', '.join(str(h) for h in header if h is not None) or 'no header'})")
    return found


def partner_ids(run: RunOutput) -> list[str]:
    at = _columns(run.ledger, "ledger.xlsx", _LEDGER_WORDS)["partner_id"]
    return [cell_text(_get(r, at)) for r in run.ledger.values[1:]]


def _ledger_row(run: RunOutput, partner_id: str) -> tuple[tuple[tuple[str, object], ...], int]:
    columns = _columns(run.ledger, "ledger.xlsx", _LEDGER_WORDS, _LEDGER_OPTIONAL)
    ids = partner_ids(run)
    if partner_id not in ids:
        known = [i for i in ids if i]
        close = difflib.get_close_matches(partner_id, known, n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        shown = ", ".join(known[:SHOWN_IDS]) + (", …" if len(known) > SHOWN_IDS else "")
        raise ToolError(f"partner {partner_id!r} is not in the ledger of {run.folder} ({len(known)} partner(s): "
                        f"{shown}){hint}")
    i = ids.index(partner_id) + 1
    row = run.ledger.values[i]
    where = f"ledger.xlsx:{run.ledger.name} row {i + 1}"

    def value(column: schema.Column):
        if column.name not in columns:  # an optional column an earlier calc did not write
            return ZERO
        cell = _get(row, columns[column.name])
        if column.kind is schema.Kind.DECIMAL:
            return _decimal(cell, f"{where} {column.name}")
        return _int(cell, f"{where} {column.name}") if column.kind is schema.Kind.INTEGER else cell_text(cell)

    return tuple((c.name, value(c)) for c in schema.LEDGER.columns), i + 1


def _lines(folder: Path, rel: str, currency: str, unit: str) -> tuple[Line, ...]:
    """Every line of the statement's Lines sheets (`Lines`, then `Lines (2)`, ... past Excel's rows
    per sheet); their headers are in the partner's language."""
    sheets = [s for s in read_book(folder / rel, rel) if re.fullmatch(r"Lines( \(\d+\))?", s.name)]
    if not sheets:
        raise ToolError(f"{rel} has no sheet Lines")
    units = {unit, *(words.Words(lang).code("unit", unit) for lang in words.LANGUAGES)}  # "points", «баллы»
    wanted = {normalize_word(title.format(cur=currency, unit=said)): column
              for column, _, _ in LINE_COLUMNS if column in _LINE_FIELDS
              for title in (words.catalogue(lang)["h_" + column] for lang in words.LANGUAGES) for said in units}
    out = []
    columns = {s.name: _columns(s, rel, wanted) for s in sheets}
    for sheet, i, row in ((s, i, r) for s in sheets for i, r in enumerate(s.values[1:], start=2)):
        v = {field: _get(row, j) for field, j in columns[sheet.name].items()}
        if not isinstance(v["row"], (int, float)):  # the total row closing the last sheet
            continue
        where = f"{rel}:{sheet.name} row {i}"
        date = v["invoice_date"]
        out.append(Line(cell_text(v["file"]), int(v["row"]), date.date() if isinstance(date, dt.datetime) else date,
                        cell_text(v["invoice_id"]), v["line_no"], _decimal(v["net_amount"], where, None),
                        cell_text(v["currency"]), _decimal(v["base_amount"], where), _outcome(cell_text(v["outcome"])),
                        cell_text(v["detail"]), _decimal(v["share"], where, None)))
    return tuple(out)


# A statement shows each outcome in its partner's words: back to the code from any language's.
_OUTCOMES = {normalize_word(said): code for code in (INCLUDED, *(c for c, _ in REASONS))
             for said in (code, *(words.catalogue(lang)[f"reason:{code}"] for lang in words.LANGUAGES))}


def _outcome(text: str) -> str:
    return _OUTCOMES.get(normalize_word(text), text)


def _awards(sheet: SheetCells, partner_id: str) -> tuple[Award, ...]:
    fields = ("bonus", "group", "rank", "partner_id", "tied", "amount")
    at = _columns(sheet, "summary.xlsx", {normalize_word(f): f for f in fields})
    return tuple(Award(cell_text(_get(r, at["bonus"])), cell_text(_get(r, at["group"])), _get(r, at["rank"]),
                       _get(r, at["tied"]), _decimal(_get(r, at["amount"]), "summary.xlsx:Bonuses"))
                 for r in sheet.values[1:] if cell_text(_get(r, at["partner_id"])) == partner_id)


def _get(row: tuple, j: int):
    return row[j] if j < len(row) else None


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _int(value, where: str) -> int:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and float(value).is_integer():
        return int(value)
    raise ToolError(f"{where}: {value!r} is not a count")


def _decimal(value, where: str, blank: Decimal | None = ZERO) -> Decimal | None:
    """A cell as Decimal, converted once: a float through its shortest text (0.1 stays 0.1)."""
    if value is None:
        return blank
    if isinstance(value, bool):
        raise ToolError(f"{where}: {value!r} is not a number")
    try:
        return parse_decimal(repr(value) if isinstance(value, float) else str(value))
    except BadValue as ex:
        raise ToolError(f"{where}: {value!r} {ex.message}") from None


# ---------------------------------------------------------------- checking


def _checks(ledger: dict, run: dict, period: Period, included: list[Line], excluded: list[Line],
            trace: tuple, awards: tuple[Award, ...] | None) -> tuple[Check, ...]:
    """Each ledger figure against what the lines and the ledger's own arithmetic give."""
    def total(lines) -> Decimal:
        return sum((line.base_amount for line in lines), ZERO)

    ytd_base = total(included)
    checks = [
        Check("included_lines", Decimal(ledger["included_lines"]), Decimal(len(included)), "included lines counted"),
        Check("period_base", ledger["period_base"], total(line for line in included if period.contains(line.date)),
              f"included lines dated {period.start} to {period.end} summed"),
        Check("ytd_base", ledger["ytd_base"], ytd_base, "included lines summed"),
        Check("excluded_lines", Decimal(ledger["excluded_lines"]), Decimal(len(excluded)), "excluded lines counted"),
        Check("excluded_amount", ledger["excluded_amount"], total(excluded), "excluded lines summed"),
    ]
    rounding = run.get("rounding", "half_up")
    if rounding not in MODES:
        raise ToolError(f"audit.xlsx:Run: rounding {rounding!r} is not one of {', '.join(MODES)}")
    slices = [value for step, _, value in trace if step == "slice"]
    segments = [value for step, _, value in trace if step == "segment"]
    if segments:  # the tier changed during the year
        checks.append(Check("ytd_entitlement", ledger["ytd_entitlement"], round_money(sum(segments, ZERO), rounding),
                            f"tier spans of the Trace added, rounded {rounding}"))
    elif run.get("tier method") == "incremental" and slices:
        checks.append(Check("ytd_entitlement", ledger["ytd_entitlement"], round_money(sum(slices, ZERO), rounding),
                            f"slices of the Trace added, rounded {rounding}"))
    else:
        checks.append(Check("ytd_entitlement", ledger["ytd_entitlement"],
                            round_money(ytd_base * ledger["ytd_rate"], rounding),
                            f"year-to-date base of the lines × ytd_rate, rounded {rounding}"))
    if included:
        checks.append(Check("ytd_entitlement", ledger["ytd_entitlement"],
                            sum((line.share or ZERO for line in included), ZERO), "shares of the lines added"))
    checks.append(Check("accrual", ledger["accrual"], ledger["ytd_entitlement"] - ledger["previously_settled"],
                        "ytd_entitlement − previously_settled"))
    if awards is not None:
        checks.append(Check("bonus", ledger["bonus"], sum((a.amount for a in awards), ZERO),
                            "awards of summary.xlsx Bonuses added"))
    checks.append(Check("total_payable", ledger["total_payable"], ledger["accrual"] + ledger["bonus"],
                        "accrual + bonus"))
    checks.append(Check("net_due", ledger["net_due"], ledger["total_payable"] + ledger["carried_in"],
                        "total_payable + carried_in"))
    checks.append(Check("payment", ledger["payment"], ledger["net_due"] - ledger["carried_out"],
                        "net_due − carried_out"))
    return tuple(checks)
