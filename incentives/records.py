"""The load stage's last step: the typed tables of an input folder become the records of
`model.py`: the program (its settings, read by key in English or Russian, and its rate bands,
tiers, requirements, channel rules, exclusions, bonuses and statuses), the roster, the tier
history and the fx rates as frozen records; the sales and opportunity lines as one polars
frame each, every row with its file, sheet and row.
"""

from __future__ import annotations

from decimal import Decimal

import polars as pl

from incentives import schema
from incentives.model import (Bonus, ChannelRule, Exclusion, FxRate, Partner, Program, RateBand, Requirement, Status,
                              Tier, TierChange)
from incentives.money import plain
from incentives.problems import Problem, Source, error, note, said
from incentives.read import values
from incentives.words import Joined
from incentives.read.table import ROW, Table, repeated


def frame(tables: list[Table], sheet: schema.Sheet) -> pl.DataFrame:
    """One frame of every file's rows, with their sources."""
    names = [c.name for c in sheet.columns]
    if tables:
        heights = [t.frame.height for t in tables]
        wanted = [ROW, *names]  # a table's frame is mostly just these: selecting them took 0.1 ms a table
        # One chunk, not one a file: the files' frames are let go, and the stages after read one
        # buffer a column (a 1M run's peak 70 MB lower, its compute 5 percent faster).
        body = pl.concat([t.frame if t.frame.columns == wanted else t.frame.select(wanted) for t in tables],
                         how="vertical", rechunk=True)
        return body.select(repeated([t.source.file for t in tables], heights, pl.String).alias("file"),
                           repeated([t.source.sheet for t in tables], heights, pl.String).alias("sheet"),
                           pl.all())
    schema_ = {"file": pl.String, "sheet": pl.String, ROW: pl.Int64,
               **{c.name: values.KINDS[c.kind].dtype for c in sheet.columns}}
    return pl.DataFrame(schema=schema_)


def _rows(table: Table | None) -> list[tuple[Source, dict]]:
    if table is None:
        return []
    return [(table.at(r[ROW]), r) for r in table.frame.iter_rows(named=True)]


def _text(value) -> str:
    if value is None:
        return ""
    return plain(value) if isinstance(value, Decimal) else str(value)


def read_program(table: Table | None) -> tuple[dict, list[Problem]]:
    """The `Program` key/value sheet as typed settings."""
    settings: dict = {}
    problems: list[Problem] = []
    if table is None:
        return settings, problems
    by_key = {}
    for setting in schema.PROGRAM_SETTINGS:
        for word in (setting.key, setting.ru_key):
            if word:
                by_key[schema.normalize_word(word)] = setting
    seen: dict[str, Source] = {}
    for source, row in _rows(table):
        key = row["key"]
        setting = by_key.get(schema.normalize_word(key))
        where = table.at(source.row, "key")
        if setting is None:
            problems.append(note(where, "load.setting_unused", key=key))
            continue
        if setting.key in seen:
            problems.append(error(where, "load.setting_twice", key=setting.key, row=seen[setting.key].row))
            continue
        seen[setting.key] = source
        raw = row["value"]
        if raw is None or not raw.strip():
            continue
        try:
            settings[setting.key] = values.parse(raw, setting.as_column())
        except values.BadValue as ex:
            problems.append(error(table.at(source.row, "value"), "table.cell", ex.hinted, column=setting.key,
                                  value=raw, why=ex.said))
    for setting in schema.PROGRAM_SETTINGS:
        if setting.key in settings:
            continue
        if not setting.required:
            settings[setting.key] = values.parse(setting.default, setting.as_column())
        elif setting.key in seen:
            problems.append(error(table.at(seen[setting.key].row, "value"), "load.setting_blank", key=setting.key,
                                  example=setting.example))
        else:
            problems.append(error(table.source, "load.setting_missing", key=setting.key,
                                  found=Joined(tuple(sorted(seen))), example=setting.example))
    return settings, problems


def build_program(tables: dict[str, Table]) -> tuple[Program | None, list[Problem]]:
    settings, problems = read_program(tables.get("Program"))
    if any(p.is_error for p in problems) or "Program" not in tables:
        return None, problems
    bands = tuple(RateBand(r["tier"], r["over"], r["rate"], s) for s, r in _rows(tables.get("RateBands")))
    tiers = tuple(Tier(r["tier"], r["rank"], r["annual_target_a"], r["annual_target_b"], r["annual_target_c"], s)
                  for s, r in _rows(tables.get("Tiers")))
    requirements = tuple(Requirement(r["tier"], schema.normalize_word(r["attribute"]).replace(" ", "_"),
                                     r["operator"], r["value"], s)
                         for s, r in _rows(tables.get("Requirements")))
    rules = tuple(ChannelRule(schema.normalize_word(r["role"]).replace(" ", "_"), r["customer_type"], r["action"], s)
                  for s, r in _rows(tables.get("ChannelRules")))
    exclusions = tuple(Exclusion(r["field"], r["value"], s) for s, r in _rows(tables.get("Exclusions")))
    bonuses = tuple(Bonus(r["name"], r["scope"], r["metric"], r["period"], r["winners"], r["award"], r["amount"],
                          r["min_base"] if r["min_base"] is not None else Decimal(0), s)
                    for s, r in _rows(tables.get("Bonuses")))
    statuses = tuple(Status(r["status"], _listed(r["tiers"]), s) for s, r in _rows(tables.get("Statuses")))
    program = Program(
        program_id=settings["program_id"], name=settings["name"], unit=settings["unit"],
        base_currency=settings["base_currency"].upper(), year=settings["year"], period=settings["period"],
        basis=settings["basis"], tier_method=settings["tier_method"],
        requires_opportunity=settings["requires_opportunity"],
        rounding=settings["rounding"], language=settings["language"],
        bands=bands, tiers=tiers, requirements=requirements, channel_rules=rules, exclusions=exclusions,
        bonuses=bonuses, statuses=statuses, membership=settings["membership"],
        minimum_volume=settings["minimum_volume"], clawback=settings["clawback"],
    )
    return program, problems


def _listed(text: str | None) -> tuple[str, ...]:
    """A comma-separated cell as its trimmed, non-blank items."""
    return tuple(item.strip() for item in (text or "").split(",") if item.strip())


def build_partners(table: Table | None, default_language: str) -> tuple[Partner, ...]:
    declared = {c.name for c in schema.PARTNERS.columns}
    partners = []
    for source, r in _rows(table):
        attributes = tuple((k, _text(v)) for k, v in r.items() if k not in declared and k != ROW)
        partners.append(Partner(
            partner_id=r["partner_id"], partner_name=_text(r["partner_name"]), country=_text(r["country"]).upper(),
            role=schema.normalize_word(_text(r["role"])).replace(" ", "_"), tier=r["tier"],
            registered_on=r["registered_on"], parent_id=_text(r["parent_id"]), company_id=_text(r["company_id"]),
            language=r["language"] or default_language, vendor_id=_text(r["vendor_id"]), attributes=attributes,
            source=source, id_column=table.column_index("partner_id"), statuses=_listed(r["statuses"]),
            renewed_on=r["renewed_on"]))
    return tuple(partners)


def tier_history(table: Table | None) -> tuple[TierChange, ...]:
    if table is None:
        return ()
    columns = tuple((c, table.column_index(c)) for c in ("partner_id", "tier", "effective_from"))
    return tuple(TierChange(r["partner_id"], r["tier"], r["effective_from"], s, columns) for s, r in _rows(table))


def program_sheets(tables: dict[str, Table]) -> tuple:
    sheets = []
    for sheet in schema.PROGRAM_BOOK.sheets:
        table = tables.get(sheet.name)
        if table is None:
            continue
        header = tuple(c.name for c in sheet.columns)
        rows = tuple(tuple(_text(v) for v in row) for row in table.frame.select(header).iter_rows())
        sheets.append((sheet.name, header, rows))
    return tuple(sheets)


def fx_rates(table: Table | None) -> tuple[FxRate, ...]:
    return tuple(FxRate(r["currency"].upper(), r["month"], r["rate"], s) for s, r in _rows(table))
