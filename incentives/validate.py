"""Stage 3, validate: checks across sheets and files, once every cell has a type.

Each rule is a small function `(inputs, period) -> iterable of Problem`, listed in
`RULES`; a new check is a new function there, never a branch elsewhere.

The stages of `calc run`, in order (`pipeline.py` runs them, incentives/README.md maps them):
read (`read/`) -> load (`load.py`, `records.py`) -> validate (`validate.py`) -> basis
(`basis.py`, `read/settled.py`) -> convert (`convert.py`) -> classify (`classify.py`) -> aggregate
(`aggregate.py`) -> rate (`rates.py`, `tiers.py`) -> earlier periods (`earlier.py`) -> bonuses
(`bonuses.py`) -> settle (`settle.py`) -> reconcile (`reconcile.py`) -> tier review (`review.py`)
-> write (`write/`) -> manifest (`register/manifest.py`).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable
from decimal import Decimal

import polars as pl

from incentives import schema
from incentives.model import Inputs
from incentives.periods import Period
from incentives.problems import Problem, Source, error, note
from incentives.tiers import histories as tier_histories, tier_on

_SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]*")
_CODE = re.compile(r"[A-Z]{3}")
# Windows device names, reserved with any extension. Windows reads the superscripts ¹ ² ³ as digits
# (COM¹ is COM1); the other superscript digits are refused too, in case a later Windows reads them so.
_DIGITS = "0123456789\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079"
_RESERVED = {"con", "prn", "aux", "nul", "conin$", "conout$", *(f"{d}{n}" for d in ("com", "lpt") for n in _DIGITS)}
PROGRAM_SHEET = Source("program.xlsx", "Program")
NAME_BYTES = 100  # a statement's file name is the id and .xlsx: far below every file system's 255
# Invisible or unstable in a file name: control, format (bidi, zero-width), private-use, surrogate
_HIDDEN = {"Cc": "a control character", "Cf": "a format character (bidi or zero-width)",
           "Co": "a private-use character", "Cs": "a lone surrogate"}


def unsafe_file_name(name: str) -> str | None:
    """Why `name` (as its NFC form, the statement's file name) cannot be a portable file name
    in the output folder, or None."""
    name = unicodedata.normalize("NFC", name)
    if not name:
        return "is empty"
    for ch in name:
        what = _HIDDEN.get(unicodedata.category(ch))
        if what is None and (0xFDD0 <= ord(ch) <= 0xFDEF or ord(ch) & 0xFFFE == 0xFFFE):
            what = "a noncharacter"
        if what:
            return f"holds U+{ord(ch):04X} {unicodedata.name(ch, '')}, {what}".replace(" ,", ",")
    if any(ch in name for ch in '/\\:*?"<>|'):
        return 'must not contain / \\ : * ? " < > |'
    if name.strip(". ") != name or ".." in name:
        return "must not start or end with a dot or space, nor contain '..'"
    if name.split(".")[0].rstrip(" ").casefold() in _RESERVED:
        return "is a reserved device name on Windows, with or without an extension"
    if len(name.encode("utf-8")) > NAME_BYTES:
        return f"is {len(name.encode('utf-8'))} bytes in UTF-8, more than {NAME_BYTES}"
    return None


def _caseless(name: str) -> str:
    """The one file name Windows and macOS see for `name`: case and Unicode normalization ignored."""
    return unicodedata.normalize("NFD", unicodedata.normalize("NFD", name).casefold())


def program_settings(inputs: Inputs, period: Period | None) -> Iterable[Problem]:
    p = inputs.program
    if not _SAFE_ID.fullmatch(p.program_id) or ".." in p.program_id:
        yield error(PROGRAM_SHEET, f"program_id {p.program_id!r} is not usable in a path",
                    "use letters, digits, - and _ only, e.g. intelligent-platforms")
    if not (p.unit == "points" or _CODE.fullmatch(p.unit)):
        yield error(PROGRAM_SHEET, f"unit {p.unit!r} is neither a currency code nor points", "e.g. KZT or points")
    if not _CODE.fullmatch(p.base_currency):
        yield error(PROGRAM_SHEET, f"base_currency {p.base_currency!r} is not a currency code", "e.g. KZT")
    if not 2000 <= p.year <= 2100:
        yield error(PROGRAM_SHEET, f"year {p.year} is not a program year", "e.g. 2026")


def period_fits_program(inputs: Inputs, period: Period | None) -> Iterable[Problem]:
    p = inputs.program
    if period is None:
        return
    if period.kind != p.period:
        yield error(PROGRAM_SHEET, f"--period {period} is a {period.kind}, but the program settles by {p.period}",
                    f"run with a {p.period} of {p.year}")
    elif period.year != p.year:
        yield error(PROGRAM_SHEET, f"--period {period} is not in the program year {p.year}",
                    "run a period of the program year, or change year in program.xlsx")


def rate_bands(inputs: Inputs, period: Period | None) -> Iterable[Problem]:
    program = inputs.program
    tiers = {t.name for t in program.tiers}
    seen: dict[tuple[str, Decimal], Source] = {}
    for band in program.bands:
        if band.tier != "*" and tiers and band.tier not in tiers:
            yield error(band.source, f"rate band for tier {band.tier!r}, which the Tiers sheet does not list",
                        "use a tier of the Tiers sheet, or * for every tier")
        if not Decimal(0) <= band.rate <= Decimal(1):
            yield error(band.source, f"rate {band.rate} is not a fraction between 0 and 1", "4% is written 0.04")
        if band.over < 0:
            yield error(band.source, f"over {band.over} is negative", "bands start at 0")
        if (band.tier, band.over) in seen:
            yield error(band.source, f"a second band for tier {band.tier!r} over {band.over} "
                        f"(first at row {seen[band.tier, band.over].row})", "keep one")
        seen.setdefault((band.tier, band.over), band.source)
    if not program.bands:
        yield error(Source("program.xlsx", "RateBands"), "no rate bands", "add at least a row *, 0, <rate>")
    used = {t.name for t in program.tiers} | {p.tier for p in inputs.partners} | {c.tier for c in inputs.tier_history}
    for tier in sorted(used):
        if program.bands and not program.bands_for(tier):
            yield error(Source("program.xlsx", "RateBands"), f"tier {tier!r} has no rate band and there is no * band",
                        "add bands for it, or * bands for every tier")


def tiers(inputs: Inputs, period: Period | None) -> Iterable[Problem]:
    seen: dict[str, Source] = {}
    for tier in inputs.program.tiers:
        if tier.name in seen:
            yield error(tier.source, f"tier {tier.name!r} is listed twice (also row {seen[tier.name].row})", "keep one")
        seen.setdefault(tier.name, tier.source)
        if tier.rank < 1:
            yield error(tier.source, f"rank {tier.rank} of tier {tier.name!r} is below 1", "1 is the entry level")


def partners(inputs: Inputs, period: Period | None) -> Iterable[Problem]:
    tiers_ = {t.name for t in inputs.program.tiers}
    ids = {p.partner_id for p in inputs.partners}
    seen: dict[str, Source] = {}
    for partner in inputs.partners:
        pid = partner.partner_id
        if pid in seen:
            yield error(partner.source, f"partner_id {pid!r} is listed twice (also {seen[pid]})",
                        "a partner has one row in the roster")
        seen.setdefault(pid, partner.source)
        if tiers_ and partner.tier not in tiers_:
            yield error(partner.source, f"tier {partner.tier!r} of {pid} is not in the program's Tiers sheet",
                        "tiers: " + ", ".join(sorted(tiers_)))
        if partner.renewed_on is not None and partner.renewed_on < partner.registered_on:
            yield error(partner.source, f"renewed_on {partner.renewed_on} of {pid} is before its registered_on "
                        f"{partner.registered_on}", "a membership is renewed after it began")
        if partner.parent_id and partner.parent_id not in ids:
            yield error(partner.source, f"parent_id {partner.parent_id!r} of {pid} is not in the roster",
                        "name the partner_id of its distributor, or leave it blank")


def tier_history(inputs: Inputs, period: Period | None) -> Iterable[Problem]:
    """TierHistory rows name a roster partner and a tier of the Tiers sheet, one row per partner and
    date, and a partner with rows has one in effect from the later of 1 January and its registered_on."""
    tiers_ = {t.name for t in inputs.program.tiers}
    roster = {p.partner_id: p for p in inputs.partners}
    seen: dict[tuple[str, object], Source] = {}
    for change in inputs.tier_history:
        pid = change.partner_id
        if pid not in roster:
            yield error(change.at("partner_id"), f"partner {pid!r} is not in the Partners sheet",
                        "a tier change is of a roster partner: add it there, or remove this row")
        if tiers_ and change.tier not in tiers_:
            yield error(change.at("tier"), f"tier {change.tier!r} of {pid} is not in the program's Tiers sheet",
                        "tiers: " + ", ".join(sorted(tiers_)))
        key = (pid, change.effective_from)
        if key in seen:
            yield error(change.at("effective_from"), f"partner {pid} has a second row effective {change.effective_from} (also "
                        f"row {seen[key].row})", "a partner has one tier on a day: keep one row")
        seen.setdefault(key, change.source)
    year_start = dt.date(inputs.program.year, 1, 1)
    for pid, rows in tier_histories(inputs).items():
        partner = roster.get(pid)
        if partner is None:
            continue
        needed = max(year_start, partner.registered_on)
        if rows[0].effective_from > needed:
            yield error(rows[0].at("effective_from"), f"partner {pid} has no TierHistory row in effect on {needed} (its first is "
                        f"effective {rows[0].effective_from}), so its tier before then is unknown",
                        f"add a row {pid} | <its tier then> | {needed} (or earlier)")
        if period is not None and (not tiers_ or tiers_ >= {c.tier for c in rows}):  # an unknown tier is an error
            now = tier_on(rows, period.end)
            if now != partner.tier:
                yield note(partner.source, f"tier {partner.tier!r} of {pid} in the Partners sheet is not used for "
                           f"rating: its TierHistory gives {now!r} on {period.end}, and each line earns under the "
                           "tier in effect on its date", "bring the Partners sheet's tier up to date")


def portable_partner_ids(inputs: Inputs, period: Period | None) -> Iterable[Problem]:
    """A partner_id names its statement file, which must be one file, and the same one, on
    Linux, Windows and macOS."""
    seen: dict[str, tuple[str, Source]] = {}
    for partner in inputs.partners:
        pid = partner.partner_id
        s = partner.source
        cell = Source(s.file, s.sheet, s.row, partner.id_column)
        if why := unsafe_file_name(pid):
            yield error(cell, f"partner_id {pid!r} {why}",
                        "it names the partner's statement file: use letters, digits, - and _")
            continue
        first, where = seen.setdefault(_caseless(pid), (pid, cell))
        if first != pid:
            yield error(cell, f"partner_id {pid!r} and {first!r} ({where}) are one file name on Windows and "
                        "macOS, which ignore case and Unicode normalization",
                        "give one of them another id: each names the partner's statement file")


TIER1_EXCLUSIVE = ("distributor", "value_added_partner")


def one_tier1_role_per_company(inputs: Inputs, period: Period | None) -> Iterable[Problem]:
    """A distributor cannot also be a value-added partner, nor the reverse (Huawei)."""
    seen: dict[str, object] = {}
    for partner in inputs.partners:
        if not partner.company_id or partner.role not in TIER1_EXCLUSIVE:
            continue
        first = seen.setdefault(partner.company_id, partner)
        if first is not partner and first.role != partner.role:
            yield error(partner.source, f"company {partner.company_id} is a {partner.role} ({partner.partner_id}) "
                        f"and a {first.role} ({first.partner_id}, {first.source})",
                        "a distributor cannot also be a value-added partner: keep one role")


def requirements(inputs: Inputs, period: Period | None) -> Iterable[Problem]:
    tiers_ = {t.name for t in inputs.program.tiers} | {s.name for s in inputs.program.statuses}
    columns = {c.name for c in schema.PARTNERS.columns} | {k for p in inputs.partners for k, _ in p.attributes}
    for req in inputs.program.requirements:
        if req.tier not in tiers_:
            yield error(req.source, f"requirement for tier {req.tier!r}, which neither the Tiers nor the Statuses "
                        "sheet lists")
        if req.attribute not in columns:
            yield error(req.source, f"attribute {req.attribute!r} is not a column of the roster",
                        "add the column to partners.xlsx; roster columns: " + ", ".join(sorted(columns)))


def renewals(inputs: Inputs, period: Period | None) -> Iterable[Problem]:
    """`membership = calendar_year`: a note naming the partners registered before the program year
    without a renewal for it, whose lines will all be OUTSIDE_MEMBERSHIP."""
    program = inputs.program
    if program.membership != "calendar_year":
        return
    lapsed = [p.partner_id for p in inputs.partners if p.registered_on.year < program.year
              and (p.renewed_on is None or p.renewed_on.year not in (program.year - 1, program.year))]
    if lapsed:
        shown = ", ".join(lapsed[:10]) + (f" and {len(lapsed) - 10} more" if len(lapsed) > 10 else "")
        yield note(Source("partners.xlsx", "Partners"), f"membership = calendar_year: {len(lapsed)} partner(s) "
                   f"registered before {program.year} have no renewal for it ({shown}): their lines are "
                   "OUTSIDE_MEMBERSHIP", "enter the renewal date in renewed_on if one was agreed")


def statuses(inputs: Inputs, period: Period | None) -> Iterable[Problem]:
    """An add-on status is not a tier, may be held by the tiers it names, and a partner holds
    only listed statuses, each allowed to its tier."""
    tiers_ = {t.name for t in inputs.program.tiers}
    known = {s.name: s for s in inputs.program.statuses}
    seen: set[str] = set()
    for status in inputs.program.statuses:
        if status.name in tiers_:
            yield error(status.source, f"status {status.name!r} is also a tier of the Tiers sheet",
                        "a status is held beside a tier: remove it from one of the two sheets")
        if status.name in seen:
            yield error(status.source, f"status {status.name!r} is listed twice", "keep one row")
        seen.add(status.name)
        for tier in status.tiers:
            if tier not in tiers_:
                yield error(status.source, f"status {status.name!r} names tier {tier!r}, which the Tiers sheet "
                            "does not list", "tiers: " + ", ".join(sorted(tiers_)))
    for partner in inputs.partners:
        for held in partner.statuses:
            if held not in known:
                yield error(partner.source, f"status {held!r} of {partner.partner_id} is not in the program's "
                            "Statuses sheet", "statuses: " + (", ".join(sorted(known)) or "none"))


def fx_rates(inputs: Inputs, period: Period | None) -> Iterable[Problem]:
    seen: dict[tuple[str, str], tuple] = {}
    for fx in inputs.fx_rates:
        if fx.rate <= 0:
            yield error(fx.source, f"rate {fx.rate} for {fx.currency} {fx.month} is not positive")
        first = seen.setdefault((fx.currency, fx.month), (fx.rate, fx.source))
        if first[1] != fx.source and first[0] != fx.rate:
            yield error(fx.source, f"a second rate for {fx.currency} {fx.month}: {fx.rate} (first {first[0]} at "
                        f"row {first[1].row})", "keep one rate per currency and month")
    have = set(seen) | {(inputs.program.base_currency, None)}
    needed = (inputs.sales.filter(pl.col("currency") != inputs.program.base_currency)
              .with_columns(pl.col("invoice_date").dt.strftime("%Y-%m").alias("month"))
              .group_by("currency", "month")
              .agg(pl.len().alias("lines"), pl.col("file").first(), pl.col("sheet").first(), pl.col("row").first())
              .sort("currency", "month"))
    for r in needed.iter_rows(named=True):
        if (r["currency"], r["month"]) not in have:
            others = f" and {r['lines'] - 1} other line(s)" if r["lines"] > 1 else ""
            yield error(Source("fx_rates.xlsx", "Rates"),
                        f"no rate for {r['currency']} {r['month']}, needed by {Source(r['file'], r['sheet'], r['row'])}"
                        f"{others}", f"add a row {r['currency']} | {r['month']} | <{inputs.program.base_currency} "
                        f"per 1 {r['currency']}>")


CONTENT = tuple(c.name for c in schema.SALES.columns)


def sales_keys(inputs: Inputs, period: Period | None) -> Iterable[Problem]:
    """The same key with other content is an input error; the same content is a DUPLICATE line."""
    key = list(schema.SALES.key)
    # Only a key read more than once can have two contents: the rest never reach the grouping.
    sales = inputs.sales.filter(pl.struct(key).is_duplicated())
    conflicts = (sales.group_by(key).agg(pl.struct(CONTENT).n_unique().alias("versions"))
                 .filter(pl.col("versions") > 1).select(key))
    if conflicts.is_empty():
        return
    rows = sales.join(conflicts, on=key, how="semi").sort("seq")
    first: dict[tuple, dict] = {}
    for r in rows.iter_rows(named=True):
        k = tuple(r[c] for c in key)
        if k not in first:
            first[k] = r
            continue
        base = first[k]
        changed = [c for c in CONTENT if r[c] != base[c]]
        if not changed:
            continue
        diff = "; ".join(f"{c} {base[c]} vs {r[c]}" for c in changed[:4])
        yield error(Source(r["file"], r["sheet"], r["row"]),
                    f"partner {k[0]} invoice {k[1]} line {k[2]} is also at {Source(base['file'], base['sheet'], base['row'])} "
                    f"with other content ({diff})", "correct one of the two lines, or give them different line_no")


def opportunities(inputs: Inputs, period: Period | None) -> Iterable[Problem]:
    opps = inputs.opportunities
    dupes = opps.filter(pl.col("opportunity_id").is_duplicated()).sort("opportunity_id", "file", "row")
    first: dict[str, dict] = {}
    for r in dupes.iter_rows(named=True):
        base = first.setdefault(r["opportunity_id"], r)
        if base is r:
            continue
        # Rows of one opportunity that differ only in product_sku list its items.
        same = all(r[c.name] == base[c.name] for c in schema.OPPORTUNITIES.columns if c.name != "product_sku")
        where = Source(r["file"], r["sheet"], r["row"])
        also = Source(base["file"], base["sheet"], base["row"])
        if same and r["product_sku"] == base["product_sku"]:
            yield note(where, f"opportunity {r['opportunity_id']} repeats {also}")
        elif same and r["product_sku"] and base["product_sku"]:
            continue
        else:
            yield error(where, f"opportunity_id {r['opportunity_id']} is also at {also} with other content",
                        "an opportunity is registered once")


RULES = (program_settings, period_fits_program, tiers, rate_bands, partners, tier_history, portable_partner_ids,
         one_tier1_role_per_company, requirements, statuses, renewals, fx_rates, sales_keys,
         opportunities)


def validate(inputs: Inputs, period: Period | None) -> list[Problem]:
    return [problem for rule in RULES for problem in rule(inputs, period)]
