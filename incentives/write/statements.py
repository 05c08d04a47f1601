"""statements/<partner_id>.xlsx: what a distributor reads about its own period, one workbook a partner.

The stage's orchestration: which partners get a statement (`statement_partners`), each
one's file name (`statement_path`), each one's grade from the run's tier review (passed
in: `grades`), and the partners in batches of about `BATCH_LINES` lines, each batch's
lines prepared at once (`statement_lines.shown`: words, shares, the Lines bodies) and its
workbooks laid out one by one (`statement_book.write_book`), in a pool of processes on
large runs. A batch holds only picklable values; for the pool, its lines are left in a
scratch file of the folder being written (`Spilled`) and read back by the worker.

A statement is in the partner's language (English or Russian); every word is in
the catalogues of `words.py`, codes too (outcomes, customer types).
"""

from __future__ import annotations

import tempfile
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from incentives import processes
from incentives.bonuses import Award
from incentives.model import Inputs, Program
from incentives.periods import Period
from incentives.review import TierReview
from incentives.settle import LedgerRow, Origin, Settlement
from incentives.validate import unsafe_file_name
from incentives.words import Words
from incentives.write.folder import SCRATCH, SCRATCH_FILE
from incentives.write.rows import Shared
from incentives.write.statement_book import Grade, write_book
from incentives.write.statement_lines import LOCAL, NEEDED, NOTHING, SHEET_ROWS, shown


def statement_partners(settlement: Settlement) -> list[LedgerRow]:
    """Roster partners with a statement: any line read, or anything settled, accrued or payable."""
    return [row for row in settlement.rows
            if row.totals.included_lines or row.totals.excluded_lines
            or row.previously_settled or row.accrual or row.total_payable or row.carried_in or row.payment]


def grades(program: Program, reviews: tuple[TierReview, ...]) -> dict[str, Grade | None]:
    """Each partner's grade, from the run's tier review."""
    return {r.partner_id: Grade.of(r, program) for r in reviews}


BATCH_LINES = 20_000  # lines per batch: one batch's XML is tens of MB, and a pool gets work in even parts
POOL_FROM = 50_000  # lines from which a pool pays for starting its processes (about 0.5 s each)


def write_statements(folder: Path, inputs: Inputs, settlement: Settlement,
                     reviews: tuple[TierReview, ...], workers: int | None = None,
                     batch_lines: int = BATCH_LINES, sheet_rows: int = SHEET_ROWS,
                     tick: Callable[[int], None] | None = None, cluster=None,
                     kept: processes.Kept | None = None, hashed: dict[Path, str] | None = None) -> list[Path]:
    """`folder/statements/<partner_id>.xlsx` for each partner of `statement_partners`, in partner_id order.

    Partners go in batches of about `batch_lines` lines; with `workers` > 1 (by default, from
    `POOL_FROM` lines on, `processes.workers()`) the batches are written in a pool of processes.
    `reviews`: the run's tier review (each partner's grade).
    `sheet_rows`: the rows a Lines sheet may have (Excel's; smaller in tests). `tick(n)`: n more
    statements written (a progress bar), called as each batch is done. `cluster` (`--cluster`):
    every batch is written by the cluster's workers (`cluster.write_batches`). `kept`: the run's pool
    (`processes.Kept`), whose workers write the batches when a pool does. `hashed`, when given, is
    told each statement's sha256 as it is written (but on a cluster), for the manifest."""
    hashed = {} if hashed is None else hashed
    target = folder / "statements"
    target.mkdir(parents=True, exist_ok=True)
    rows = statement_partners(settlement)
    paths = [statement_path(target, row.partner.partner_id) for row in rows]
    # Each partner's lines together, in the statements' order (read order within): the lines' rows in
    # that order (a partner without a statement has none), a batch's lines gathered from them as the
    # batch is written. No sorted copy of all the lines is made.
    order = {row.partner.partner_id: i for i, row in enumerate(rows)}
    lines = settlement.lines.select("partner_id", *NEEDED, *LOCAL)
    place = lines.select(pl.col("partner_id").replace_strict(order, default=None, return_dtype=pl.Int64)).to_series()
    counts = dict(place.value_counts().drop_nulls().iter_rows())
    sequence = place.to_frame("p").select(pl.arg_sort_by("p", nulls_last=True, maintain_order=True)).to_series()
    awards: dict[str, list[Award]] = {}
    for a in settlement.awards:
        awards.setdefault(a.partner_id, []).append(a)
    graded = grades(inputs.program, reviews)
    planned, statements, start, size = [], [], 0, 0
    for i, (path, row) in enumerate(zip(paths, rows)):
        pid = row.partner.partner_id
        statements.append((path, row, tuple(awards.get(pid, ())), graded.get(pid)))
        size += counts.get(i, 0)
        if size >= batch_lines or i == len(rows) - 1:
            planned.append((tuple(statements), sequence.slice(start, size)))
            statements, start, size = [], start + size, 0

    def batch(members, positions: pl.Series, spill: Path | None = None) -> Batch:
        """A batch of `members` (statements) with its lines, gathered; with `spill`, left in that file."""
        taken = lines[positions]
        return Batch(inputs.program, settlement.settled_from, settlement.period, members,
                     taken if spill is None else Spilled.of(spill, taken), sheet_rows, settlement.run_id)
    if workers is None:
        workers = processes.workers() if settlement.lines.height >= POOL_FROM else 1
    if cluster is None and workers > 1 and len(planned) > 1:
        # The lines reach the workers through files, not their pipes: pickling a million lines'
        # frames and unpickling them cost 5 CPU s; writing the files and reading them, 0.5. Each batch's
        # lines are gathered, written and let go, and the batch handed to the pool at once: the
        # workers start on the first while the next are gathered. The files are in the folder being
        # written (the disk chosen for the outputs; a run killed leaves them in a staging folder,
        # which the next run removes) and gone before the manifest is written.
        with tempfile.TemporaryDirectory(prefix=SCRATCH, dir=folder) as scratch, \
                processes.using(kept, workers) as pool:
            futures = []
            for k, (members, positions) in enumerate(planned):
                spill = Path(scratch) / SCRATCH_FILE.format(k)
                futures.append((len(members), pool.submit(write_batch, batch(members, positions, spill))))
            for count, future in futures:
                hashed.update(future.result())
                (tick or _nothing)(count)
        return paths
    if cluster is not None:
        from incentives.cluster import write_batches  # only with --cluster: nothing of Dask otherwise
        write_batches(cluster, [batch(*plan) for plan in planned], tick or _nothing)
    else:
        for members, positions in planned:  # one batch's lines at a time
            hashed.update(write_batch(batch(members, positions)))
            (tick or _nothing)(len(members))
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
    lines: pl.DataFrame | Spilled
    sheet_rows: int = SHEET_ROWS
    run_id: str = ""


@dataclass(frozen=True)
class Spilled:
    """A batch's lines left in a scratch file (Arrow IPC): what a worker of the pool is sent
    instead of the lines."""

    path: Path

    @staticmethod
    def of(path: Path, lines: pl.DataFrame) -> Spilled:
        """`lines` written to `path`, in Arrow's oldest layout: read back as they were, faster than
        with string views (0.24 against 0.39 s for a million lines)."""
        lines.write_ipc(path, compat_level=pl.CompatLevel.oldest())
        return Spilled(path)

    def frame(self) -> pl.DataFrame:
        return pl.read_ipc(self.path)


def write_batch(batch: Batch) -> tuple[tuple[Path, str], ...]:
    """The batch's statements: the lines of all its partners prepared in one pass, then each workbook.
    Returns each file with its sha256."""
    entitlements = {row.partner.partner_id: row.entitlement.amount for _, row, _, _ in batch.statements}
    languages = {row.partner.partner_id: row.partner.language for _, row, _, _ in batch.statements}
    lines = batch.lines.frame() if isinstance(batch.lines, Spilled) else batch.lines
    prepared = shown(lines, entitlements, languages, batch.sheet_rows)
    said = {language: Words(language) for language in set(languages.values())}  # one a language: its dates once
    shared = Shared()  # the parts every statement has the same: compressed once a batch
    return tuple((path, write_book(path, batch.program, row, prepared.get(row.partner.partner_id, NOTHING), awards,
                                   batch.settled_from, batch.period, grade, batch.run_id, said[row.partner.language],
                                   shared))
                 for path, row, awards, grade in batch.statements)


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
