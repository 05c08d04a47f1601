"""Stage 2, load: an input folder's workbooks become `Inputs`, or a list of problems.

Finds the contract's files (`find_inputs`: every file accounted for), opens and reads every
declared sheet through `read/` (in threads, or in processes for many files), and hands the
typed tables to `records.py`, which turns them into records. Every problem of every file is
collected; the caller decides whether to go on.

The stages of `calc run`, in order (`pipeline.py` runs them, incentives/README.md maps them):
read (`read/`) -> load (`load.py`, `records.py`) -> validate (`validate.py`) -> basis
(`basis.py`, `read/settled.py`) -> convert (`convert.py`) -> classify (`classify.py`) -> aggregate
(`aggregate.py`) -> rate (`rates.py`, `tiers.py`) -> earlier periods (`earlier.py`) -> bonuses
(`bonuses.py`) -> settle (`settle.py`) -> reconcile (`reconcile.py`) -> tier review (`review.py`)
-> write (`write/`) -> manifest (`register/manifest.py`).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path, PurePosixPath

import polars as pl

from incentives import processes, records, schema
from incentives.model import InputFile, Inputs
from incentives.problems import Problem, Source, error, note, said
from incentives.read import guard
from incentives.read.table import Raw, Table, read_raw, read_raws, read_table, tables_from_raws
from incentives.read.workbook import open_book
from incentives.register.manifest import sha256_of

READERS = min(4, os.cpu_count() or 1)
PROCESSES_FROM = 200  # files from which reading in processes pays for starting them (about 0.5 s each)
# Files a worker of the pool opens and types in one task: typing costs 1.43 CPU ms a file
# 8 at a time, 1.00 from 32 (1,111-line workbooks, one polars thread); 32 a task keep the
# two workers' last tasks short. A cluster's task is 8 files: its workers are many.
TYPED_TOGETHER = 32
CLUSTER_TASK = 8


WORKBOOK_TYPES = ", ".join(guard.KINDS)
NAMED_KINDS = tuple(k for k in guard.KINDS if k != ".csv")  # program, roster and rates have sheets


def aside(name: str) -> str | None:
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


NAMED = {b.pattern.casefold().rpartition(".")[0]: b for b in schema.WORKBOOKS if "/" not in b.pattern}
FOLDERS = {b.pattern.partition("/")[0].casefold(): b for b in schema.WORKBOOKS if "/" in b.pattern}


def find_inputs(folder: Path) -> tuple[list[tuple[Path, schema.Workbook]], list[Problem]]:
    """Every file of the input folder accounted for: the workbooks to read, each with its
    declaration, in path order (`sales/` and `opportunities/` with their subfolders,
    extensions in any case); lock files, hidden files and READMEs as notes; anything else,
    and a link that leads outside the folder or nowhere, an error naming it. (`storage.py`
    lists a folder of objects by the same rules: `aside`, `subfolder`, `placed`, `jobs_of`.)"""
    root = folder.resolve()
    found: dict[str, list[tuple[str, Path]]] = {}  # pattern -> (rel, file)
    problems: list[Problem] = []

    def walk(directory: Path, book: schema.Workbook | None, seen: frozenset[Path]) -> None:
        for path in sorted(directory.iterdir(), key=lambda p: p.name):
            rel = _rel(folder, path)
            if (words := aside(path.name)) is not None:
                problems.append(note(Source(rel), words, name=path.name[2:]))
                continue
            target = _inside(root, path, rel, problems)
            if target is None:
                continue
            if target.is_dir():
                if book is not None and target in seen:
                    problems.append(error(Source(rel), "load.link_loop"))
                elif (inner := subfolder(rel, path.name, book, problems)) is not None:
                    walk(path, inner, seen | {target})
                continue
            placed(rel, path, path.name, book, found, problems)

    if folder.is_dir():
        walk(folder, None, frozenset({root}))
    return jobs_of(found, problems)


def subfolder(rel: str, name: str, book: schema.Workbook | None, problems: list[Problem]
               ) -> schema.Workbook | None:
    """The declaration a folder's files are read under (a subfolder of sales/ is read as sales),
    or None, with an error, for a folder calc does not read."""
    if book is not None:
        return book
    if name.casefold() in FOLDERS:
        return FOLDERS[name.casefold()]
    problems.append(error(Source(rel), "load.folder_not_read"))
    return None


def placed(rel: str, path, name: str, book: schema.Workbook | None,
            found: dict[str, list[tuple[str, object]]], problems: list[Problem]) -> None:
    """A file found at `rel` (in a folder read as `book`, None at the top) added to `found` under
    its workbook's pattern, or an error saying why calc does not read it."""
    suffix = PurePosixPath(name).suffix.casefold()
    stem = name.casefold()[:-len(suffix)] if suffix else name.casefold()
    if book is None and stem in NAMED and suffix in NAMED_KINDS:
        found.setdefault(NAMED[stem].pattern, []).append((rel, path))
    elif book is not None and suffix in guard.KINDS:
        found.setdefault(book.pattern, []).append((rel, path))
    elif book is not None:
        problems.append(error(Source(rel), "load.not_a_workbook", kinds=WORKBOOK_TYPES))
    else:
        expected = ", ".join(b.pattern for b in schema.WORKBOOKS)
        problems.append(error(Source(rel), "load.not_an_input", expected=expected))


def jobs_of(found: dict[str, list[tuple[str, object]]], problems: list[Problem]) -> tuple[list, list[Problem]]:
    """The files to read, each with its declaration, in the contract's order of workbooks and
    then by path; a named workbook given twice, or a required one missing, an error."""
    jobs = []
    for book in schema.WORKBOOKS:
        files = sorted(found.get(book.pattern, []), key=lambda f: f[0])
        if "/" not in book.pattern and len(files) > 1:
            problems.append(error(Source(files[0][0]), "load.given_twice",
                                  paths=", ".join(rel for rel, _ in files)))
            files = files[:1]
        if not files and book.required:
            problems.append(error(Source(book.pattern), "load.book_missing", what=said("load.book:" + book.pattern),
                                  pattern=book.pattern))
        jobs += [(path, book) for _, path in files]
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


def _rel(folder: Path | str, path: Path | str) -> str:
    if isinstance(path, str):  # an object's URL under the input URL (storage.py)
        return path[len(folder.rstrip("/")) + 1:]
    return path.relative_to(folder).as_posix()


@dataclass(frozen=True)
class _Opened:
    """One input file read up to its raw sheets: what the threads hand back."""

    info: InputFile
    problems: tuple[Problem, ...]  # the file's own, before any sheet
    sheets: tuple[tuple[schema.Sheet, Raw | None, tuple[Problem, ...]], ...]  # in the book's order


def _open(folder: Path | str, path: Path | str, book: schema.Workbook) -> _Opened:
    """Guard, open, find and map each declared sheet; cells still text. Safe in a thread. An
    object's URL is fetched here, by whoever reads it (a cluster's worker: the URL travels, not
    the bytes), into a temporary file the guard and the reader take as any other."""
    if isinstance(path, str):
        import tempfile

        from incentives import storage

        rel = _rel(folder, path)
        with tempfile.TemporaryDirectory(prefix="calc-object-") as tmp:
            try:
                local, version = storage.fetch(path, Path(tmp))
            except storage.Unreadable as ex:
                return _Opened(InputFile(rel, "", 0, (), 0), (error(Source(rel), "load.not_fetched", url=str(path),
                                                                    cause=str(ex)),), ())
            opened = _open_file(rel, local, book)
        return replace(opened, info=replace(opened.info, version=version))
    return _open_file(_rel(folder, path), path, book)


def _open_file(rel: str, path: Path, book: schema.Workbook) -> _Opened:
    info = InputFile(rel, sha256_of(path), path.stat().st_size, (), 0)
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


def program_language(folder: Path | str) -> str | None:
    """The `language` setting of the folder's program.xlsx, read from its Program sheet alone:
    the terminal speaks it from a run's first line, before the folder is read (and when the
    run stops on an error). None when there is no such workbook, it cannot be read, or the
    inputs are a URL (their objects are fetched by the run itself)."""
    if not isinstance(folder, Path):
        return None
    named = [p for p in (sorted(folder.iterdir()) if folder.is_dir() else [])
             if p.stem.casefold() == "program" and p.suffix.casefold() in NAMED_KINDS and p.is_file()]
    if not named:
        return None
    book = open_book(named[0], named[0].name)
    if isinstance(book, Problem):
        return None
    table, _ = read_table(book, schema.PROGRAM)
    settings, _ = records.read_program(table)
    return settings.get("language") if table is not None else None


def read_book(folder: Path, path: Path, book: schema.Workbook
              ) -> tuple[dict[str, list[Table]], InputFile, list[Problem]]:
    """One workbook's declared sheets as tables (a sales workbook's may be several)."""
    ((tables, info, problems),) = _read_books([_open(folder, path, book)])
    return tables, info, problems


def _nothing(n: int) -> None:
    pass


def _read_all(folder: Path, jobs: list[tuple[Path, schema.Workbook]], tick: Callable[[int], None] = _nothing,
              cluster=None, kept: processes.Kept | None = None
              ) -> list[tuple[dict[str, list[Table]], InputFile, list[Problem]]]:
    """`read_book` of every job, in their order. Many files are read by a pool of processes
    (much of the guard's and the header's work holds the GIL), or with `cluster` (`--cluster`)
    by its workers: each task opens and types a run of files (`TYPED_TOGETHER`, 8 on a
    cluster), so this process receives typed tables only and is free while they read. A few
    files, in threads (calamine's work runs without the GIL), then typed at once."""
    pooled = cluster is not None or (len(jobs) >= PROCESSES_FROM and processes.workers() > 1)
    if pooled:
        size = CLUSTER_TASK if cluster is not None else TYPED_TOGETHER
        chunks = [jobs[i:i + size] for i in range(0, len(jobs), size)]
        read = []
        with processes.using(kept, cluster=cluster) as pool:
            for some in pool.map(_read_some, [folder] * len(chunks), chunks):
                read += some
                tick(len(some))
        return read
    with ThreadPoolExecutor(READERS) as pool:
        opened = []
        for book in pool.map(lambda job: _open(folder, *job), jobs):
            opened.append(book)
            tick(1)
        return _read_books(opened)


def _read_some(folder: Path | str, jobs: list[tuple[Path | str, schema.Workbook]]
               ) -> list[tuple[dict[str, list[Table]], InputFile, list[Problem]]]:
    """`read_book` of a few jobs, typed together: one task of the pool or of a cluster."""
    return _read_books([_open(folder, path, book) for path, book in jobs])


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


def _counted(files: list[InputFile], sales: pl.DataFrame) -> list[InputFile]:
    """Each sales file with its net_amount summed per currency, as read: one side of
    `reconcile`'s double entry, counted before any stage has seen the lines (their currency
    codes in capitals)."""
    sums: dict[str, list[tuple[str, Decimal]]] = {}
    for file, currency, total in (sales.group_by("file", "currency")
                                  .agg(pl.col("net_amount").sum()).sort("file", "currency").iter_rows()):
        sums.setdefault(file, []).append((currency, total))
    return [replace(f, counted=tuple(sums.get(f.path, ()))) if f.path.casefold().startswith("sales/") else f
            for f in files]  # casefold: a folder SALES/ is read as sales/


def load(folder: Path | str, counted: Callable[[int], Callable[[int], None]] | None = None, cluster=None,
         kept: processes.Kept | None = None) -> tuple[Inputs | None, list[Problem]]:
    """Every workbook of the input folder (or of the objects under a URL: `storage.py`) read;
    `Inputs` when nothing blocks building them. `counted(files)`, when given, is told how many
    files there are to read and returns a tick called as they are read (a progress bar);
    `cluster`: the files are read on its workers; `kept`: the run's pool, if a pool reads them."""
    files: list[InputFile] = []
    read: dict[str, list[Table]] = {}
    if isinstance(folder, str):
        from incentives import storage

        jobs, problems = storage.find_inputs(folder)
    else:
        jobs, problems = find_inputs(folder)
    tick = counted(len(jobs)) if counted else _nothing
    for tables, info, found in _read_all(folder, jobs, tick, cluster, kept):
        files.append(info)
        problems += found
        for name, table in tables.items():
            read.setdefault(name, []).extend(table)
    first = {name: tables[0] for name, tables in read.items()}
    program, found = records.build_program(first) if "Program" in first else (None, [])
    problems += found
    if program is None or any(p.is_error for p in problems):
        return None, problems
    sales = (records.frame(read.get("Sales", []), schema.SALES).with_row_index("seq")
             .with_columns(pl.col("currency").str.to_uppercase(), pl.col("seq").cast(pl.Int64)))
    files = _counted(files, sales)
    inputs = Inputs(
        folder=folder,
        program=program,
        partners=records.build_partners(first.get("Partners"), program.language),
        fx_rates=records.fx_rates(first.get("Rates")),
        opportunities=records.frame(read.get("Opportunities", []), schema.OPPORTUNITIES),
        sales=sales,
        files=tuple(sorted(files, key=lambda f: f.path)),
        program_sheets=records.program_sheets(first),
        tier_history=records.tier_history(first.get("TierHistory")),
    )
    return inputs, problems
