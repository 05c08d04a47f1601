"""Stage 1, load: an input folder's workbooks become `Inputs`, or a list of problems.

Finds the contract's files, reads every declared sheet through `read.table`, and
turns the small sheets into records. Every problem of every file is collected;
the caller decides whether to go on.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from itertools import islice, repeat
from decimal import Decimal
from pathlib import Path

import polars as pl

from incentives import processes, schema
from incentives.model import (Bonus, ChannelRule, Exclusion, FxRate, InputFile, Inputs, Partner, Program,
                              RateBand, Requirement, Status, Tier, TierChange)
from incentives.money import plain
from incentives.problems import Problem, Source, error, note, said
from incentives.words import Joined
from incentives.read import guard, values
from incentives.read.table import ROW, DTYPES, Raw, Table, read_raw, read_raws, read_table, repeated, tables_from_raws
from incentives.read.workbook import open_book

READERS = min(4, os.cpu_count() or 1)
PROCESSES_FROM = 200  # files from which reading in processes pays for starting them (about 0.5 s each)
TYPED_TOGETHER = 100  # files whose sheets are typed in one batch while the pool reads on


WORKBOOK_TYPES = ", ".join(guard.KINDS)
NAMED_KINDS = tuple(k for k in guard.KINDS if k != ".csv")  # program, roster and rates have sheets


def _aside(name: str) -> str | None:
    """What a file calc does not read is, when it may lie in the input folder: a note's
    message (its value `name`, the workbook a lock file stands for), or None when it is an
    error to be there."""
    if name.startswith("~$"):
        return "load.lock_file"
    if name.startswith("."):
        return "load.hidden_file"
    if name.casefold().startswith("readme"):
        return "load.readme"
    return None


def find_inputs(folder: Path) -> tuple[list[tuple[Path, schema.Workbook]], list[Problem]]:
    """Every file of the input folder accounted for: the workbooks to read, each with its
    declaration, in path order (`sales/` and `opportunities/` with their subfolders,
    extensions in any case); lock files, hidden files and READMEs as notes; anything else,
    and a link that leads outside the folder or nowhere, an error naming it."""
    root = folder.resolve()
    named = {b.pattern.casefold().rpartition(".")[0]: b for b in schema.WORKBOOKS if "/" not in b.pattern}
    folders = {b.pattern.partition("/")[0].casefold(): b for b in schema.WORKBOOKS if "/" in b.pattern}
    found: dict[str, list[Path]] = {}  # pattern -> files
    problems: list[Problem] = []

    def walk(directory: Path, book: schema.Workbook | None, seen: frozenset[Path]) -> None:
        for path in sorted(directory.iterdir(), key=lambda p: p.name):
            rel = _rel(folder, path)
            if (words := _aside(path.name)) is not None:
                problems.append(note(Source(rel), words, name=path.name[2:]))
                continue
            target = _inside(root, path, rel, problems)
            if target is None:
                continue
            if target.is_dir():
                if book is None and path.name.casefold() in folders:
                    walk(path, folders[path.name.casefold()], seen | {target})
                elif book is not None and target not in seen:
                    walk(path, book, seen | {target})
                elif book is not None:
                    problems.append(error(Source(rel), "load.link_loop"))
                else:
                    problems.append(error(Source(rel), "load.folder_not_read"))
                continue
            suffix = path.suffix.casefold()
            stem = path.name.casefold()[:-len(suffix)] if suffix else path.name.casefold()
            if book is None and stem in named and suffix in NAMED_KINDS:
                found.setdefault(named[stem].pattern, []).append(path)
            elif book is not None and suffix in guard.KINDS:
                found.setdefault(book.pattern, []).append(path)
            elif book is not None:
                problems.append(error(Source(rel), "load.not_a_workbook", kinds=WORKBOOK_TYPES))
            else:
                expected = ", ".join(b.pattern for b in schema.WORKBOOKS)
                problems.append(error(Source(rel), "load.not_an_input", expected=expected))

    if folder.is_dir():
        walk(folder, None, frozenset({root}))
    jobs = []
    for book in schema.WORKBOOKS:
        paths = sorted(found.get(book.pattern, []), key=lambda p: _rel(folder, p))
        if "/" not in book.pattern and len(paths) > 1:
            problems.append(error(Source(_rel(folder, paths[0])), "load.given_twice",
                                  paths=", ".join(_rel(folder, p) for p in paths)))
            paths = paths[:1]
        if not paths and book.required:
            problems.append(error(Source(book.pattern), "load.book_missing", what=said("load.book:" + book.pattern),
                                  pattern=book.pattern))
        jobs += [(path, book) for path in paths]
    return jobs, problems


def _inside(root: Path, path: Path, rel: str, problems: list[Problem]) -> Path | None:
    """Where a folder entry leads, when it can be read: a link must resolve, inside the
    input folder (a file outside it would be read as if it were an input)."""
    try:
        target = path.resolve(strict=True)
    except (OSError, RuntimeError):  # a dangling link, or one that loops
        problems.append(error(Source(rel), "load.link_nowhere"))
        return None
    if path.is_symlink() and not target.is_relative_to(root):
        problems.append(error(Source(rel), "load.link_outside", target=str(target)))
        return None
    if not (target.is_file() or target.is_dir()):
        problems.append(error(Source(rel), "load.not_a_file"))
        return None
    return target


def _rel(folder: Path, path: Path) -> str:
    return path.relative_to(folder).as_posix()


@dataclass(frozen=True)
class _Opened:
    """One input file read up to its raw sheets: what the threads hand back."""

    info: InputFile
    problems: tuple[Problem, ...]  # the file's own, before any sheet
    sheets: tuple[tuple[schema.Sheet, Raw | None, tuple[Problem, ...]], ...]  # in the book's order


def _open(folder: Path, path: Path, book: schema.Workbook) -> _Opened:
    """Guard, open, find and map each declared sheet; cells still text. Safe in a thread."""
    rel = _rel(folder, path)
    data = path.read_bytes()
    info = InputFile(rel, hashlib.sha256(data).hexdigest(), len(data), (), 0)
    del data
    opened = open_book(path, rel)
    if isinstance(opened, Problem):
        return _Opened(info, (opened,), ())
    notes = [note(Source(rel, name), "load.hidden_sheet") for name in opened.hidden]
    sheets = []
    for sheet in book.sheets:
        if sheet is schema.SALES:  # every visible sheet holding sales lines
            sheets += [(sheet, raw, tuple(found)) for raw, found in read_raws(opened, sheet)]
        else:
            raw, found = read_raw(opened, sheet)
            sheets.append((sheet, raw, tuple(found)))
    read = {p.source.sheet for _, _, found in sheets for p in found} | {r.source.sheet for _, r, _ in sheets if r}
    notes += [note(p.source, "load.formulas_harmless", found=p.said)
              for p in opened.formulas if p.source.sheet not in read]
    names = opened.sheets or tuple(r.source.sheet for _, r, _ in sheets if r)  # a CSV's: the sheet read
    return _Opened(replace(info, sheets=names), tuple(notes), tuple(sheets))


def read_book(folder: Path, path: Path, book: schema.Workbook
              ) -> tuple[dict[str, list[Table]], InputFile, list[Problem]]:
    """One workbook's declared sheets as tables (a sales workbook's may be several)."""
    ((tables, info, problems),) = _read_books([_open(folder, path, book)])
    return tables, info, problems


def _nothing(n: int) -> None:
    pass


def _read_all(folder: Path, jobs: list[tuple[Path, schema.Workbook]], tick: Callable[[int], None] = _nothing
              ) -> list[tuple[dict[str, list[Table]], InputFile, list[Problem]]]:
    """`read_book` of every job, in their order. Many files are opened in a pool of processes
    (much of the guard's and the header's work holds the GIL) and typed here in batches as
    they come, while the pool opens the next ones; a few, in threads (calamine's work runs
    without the GIL), then typed at once."""
    if len(jobs) >= PROCESSES_FROM and processes.workers() > 1:
        with processes.pool() as pool:
            opened = pool.map(_open, repeat(folder), *zip(*jobs), chunksize=8)
            read = []
            while batch := list(islice(opened, TYPED_TOGETHER)):
                read += _read_books(batch)
                tick(len(batch))
            return read
    with ThreadPoolExecutor(READERS) as pool:
        opened = []
        for book in pool.map(lambda job: _open(folder, *job), jobs):
            opened.append(book)
            tick(1)
        return _read_books(opened)


def _read_books(opened: list[_Opened]) -> list[tuple[dict[str, list[Table]], InputFile, list[Problem]]]:
    """The raws of every file typed together, sheet by sheet; each file's tables and
    problems as if it had been read alone."""
    by_sheet: dict[str, list[tuple[int, int, Raw]]] = {}
    for i, o in enumerate(opened):
        for k, (sheet, raw, _) in enumerate(o.sheets):
            if raw is not None:
                by_sheet.setdefault(sheet.name, []).append((i, k, raw))
    typed: dict[tuple[int, int], tuple[Table, list[Problem]]] = {}
    for name, raws in by_sheet.items():
        for (i, k, _), result in zip(raws, tables_from_raws([raw for _, _, raw in raws])):
            typed[i, k] = result
    out = []
    for i, o in enumerate(opened):
        tables: dict[str, list[Table]] = {}
        problems = list(o.problems)
        for k, (sheet, _, found) in enumerate(o.sheets):
            problems += found
            if (i, k) in typed:
                table, bad = typed[i, k]
                problems += bad
                tables.setdefault(sheet.name, []).append(table)
        rows = sum(t.frame.height for ts in tables.values() for t in ts)
        out.append((tables, replace(o.info, rows=rows), problems))
    return out


def _frame(tables: list[Table], sheet: schema.Sheet) -> pl.DataFrame:
    """One frame of every file's rows, with their sources."""
    names = [c.name for c in sheet.columns]
    if tables:
        heights = [t.frame.height for t in tables]
        body = pl.concat([t.frame.select(ROW, *names) for t in tables], how="vertical")
        return body.select(repeated([t.source.file for t in tables], heights, pl.String).alias("file"),
                           repeated([t.source.sheet for t in tables], heights, pl.String).alias("sheet"),
                           pl.all())
    schema_ = {"file": pl.String, "sheet": pl.String, ROW: pl.Int64,
               **{c.name: DTYPES[c.kind] for c in sheet.columns}}
    return pl.DataFrame(schema=schema_)


def _records(table: Table | None) -> list[tuple[Source, dict]]:
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
    for source, row in _records(table):
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


def program_language(folder: Path) -> str | None:
    """The `language` setting of the folder's program.xlsx, read from its Program sheet alone:
    the terminal speaks it from a run's first line, before the folder is read (and when the
    run stops on an error). None when there is no such workbook or it cannot be read."""
    named = [p for p in (sorted(folder.iterdir()) if folder.is_dir() else [])
             if p.stem.casefold() == "program" and p.suffix.casefold() in NAMED_KINDS and p.is_file()]
    if not named:
        return None
    book = open_book(named[0], named[0].name)
    if isinstance(book, Problem):
        return None
    table, _ = read_table(book, schema.PROGRAM)
    settings, _ = read_program(table)
    return settings.get("language") if table is not None else None


def build_program(tables: dict[str, Table]) -> tuple[Program | None, list[Problem]]:
    settings, problems = read_program(tables.get("Program"))
    if any(p.is_error for p in problems) or "Program" not in tables:
        return None, problems
    bands = tuple(RateBand(r["tier"], r["over"], r["rate"], s) for s, r in _records(tables.get("RateBands")))
    tiers = tuple(Tier(r["tier"], r["rank"], r["annual_target_a"], r["annual_target_b"], r["annual_target_c"], s)
                  for s, r in _records(tables.get("Tiers")))
    requirements = tuple(Requirement(r["tier"], schema.normalize_word(r["attribute"]).replace(" ", "_"),
                                     r["operator"], r["value"], s)
                         for s, r in _records(tables.get("Requirements")))
    rules = tuple(ChannelRule(schema.normalize_word(r["role"]).replace(" ", "_"), r["customer_type"], r["action"], s)
                  for s, r in _records(tables.get("ChannelRules")))
    exclusions = tuple(Exclusion(r["field"], r["value"], s) for s, r in _records(tables.get("Exclusions")))
    bonuses = tuple(Bonus(r["name"], r["scope"], r["metric"], r["period"], r["winners"], r["award"], r["amount"],
                          r["min_base"] if r["min_base"] is not None else Decimal(0), s)
                    for s, r in _records(tables.get("Bonuses")))
    statuses = tuple(Status(r["status"], _listed(r["tiers"]), s) for s, r in _records(tables.get("Statuses")))
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
    for source, r in _records(table):
        attributes = tuple((k, _text(v)) for k, v in r.items() if k not in declared and k != ROW)
        partners.append(Partner(
            partner_id=r["partner_id"], partner_name=_text(r["partner_name"]), country=_text(r["country"]).upper(),
            role=schema.normalize_word(_text(r["role"])).replace(" ", "_"), tier=r["tier"],
            registered_on=r["registered_on"], parent_id=_text(r["parent_id"]), company_id=_text(r["company_id"]),
            language=r["language"] or default_language, vendor_id=_text(r["vendor_id"]), attributes=attributes,
            source=source, id_column=table.column_index("partner_id"), statuses=_listed(r["statuses"]),
            renewed_on=r["renewed_on"]))
    return tuple(partners)


def _tier_history(table: Table | None) -> tuple[TierChange, ...]:
    if table is None:
        return ()
    columns = tuple((c, table.column_index(c)) for c in ("partner_id", "tier", "effective_from"))
    return tuple(TierChange(r["partner_id"], r["tier"], r["effective_from"], s, columns) for s, r in _records(table))


def _program_sheets(tables: dict[str, Table]) -> tuple:
    sheets = []
    for sheet in schema.PROGRAM_BOOK.sheets:
        table = tables.get(sheet.name)
        if table is None:
            continue
        header = tuple(c.name for c in sheet.columns)
        rows = tuple(tuple(_text(v) for v in row) for row in table.frame.select(header).iter_rows())
        sheets.append((sheet.name, header, rows))
    return tuple(sheets)


def _counted(files: list[InputFile], sales: pl.DataFrame) -> list[InputFile]:
    """Each sales file with its net_amount summed per currency, as read: one side of
    `reconcile`'s double entry, counted before any stage has seen the lines."""
    sums: dict[str, list[tuple[str, Decimal]]] = {}
    for file, currency, total in (sales.group_by("file", pl.col("currency").str.to_uppercase())
                                  .agg(pl.col("net_amount").sum()).sort("file", "currency").iter_rows()):
        sums.setdefault(file, []).append((currency, total))
    return [replace(f, counted=tuple(sums.get(f.path, ()))) if f.path.startswith("sales/") else f for f in files]


def load(folder: Path, counted: Callable[[int], Callable[[int], None]] | None = None
         ) -> tuple[Inputs | None, list[Problem]]:
    """Every workbook of the input folder read; `Inputs` when nothing blocks building them.
    `counted(files)`, when given, is told how many files there are to read and returns a tick
    called as they are read (a progress bar)."""
    files: list[InputFile] = []
    read: dict[str, list[Table]] = {}
    jobs, problems = find_inputs(folder)
    tick = counted(len(jobs)) if counted else _nothing
    for tables, info, found in _read_all(folder, jobs, tick):
        files.append(info)
        problems += found
        for name, table in tables.items():
            read.setdefault(name, []).extend(table)
    first = {name: tables[0] for name, tables in read.items()}
    program, found = build_program(first) if "Program" in first else (None, [])
    problems += found
    if program is None or any(p.is_error for p in problems):
        return None, problems
    sales = _frame(read.get("Sales", []), schema.SALES).with_row_index("seq")
    files = _counted(files, sales)
    inputs = Inputs(
        folder=folder,
        program=program,
        partners=build_partners(first.get("Partners"), program.language),
        fx_rates=tuple(FxRate(r["currency"].upper(), r["month"], r["rate"], s)
                       for s, r in _records(first.get("Rates"))),
        opportunities=_frame(read.get("Opportunities", []), schema.OPPORTUNITIES),
        sales=sales.with_columns(pl.col("currency").str.to_uppercase(), pl.col("seq").cast(pl.Int64)),
        files=tuple(sorted(files, key=lambda f: f.path)),
        program_sheets=_program_sheets(first),
        tier_history=_tier_history(first.get("TierHistory")),
    )
    return inputs, problems
