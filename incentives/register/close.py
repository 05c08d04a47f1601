"""`calc close RUN_DIR`: a finished run recorded in the register; and `calc register --verify`.

Close refuses a folder whose files do not match its manifest, a period that is not the next
open one of its program year, and a run not computed against the register's current head.
`--adopt` brings in a period settled before the register was used: a folder without a
manifest (one is written) and a run computed without the register are accepted, for the
next open period only, and the entry is marked adopted. A closed run's files are left
read-only (0444), and the payments file for accounts payable is written beside the register.

The order makes a close killed at any point safe: every check first; then the files made
read-only; then the entry and its rows in one transaction (a kill leaves the register
without the entry, or with it whole); then the payments file, written aside and renamed.
Closing the same run again finds it closed and writes its payments file if it is missing.

Test hook: the environment variable CALC_CLOSE_HOOK makes close kill itself (SIGKILL) at a
named point: `checked`, `manifest` (adopt: manifest written), `read-only`, `begun`, `entry`,
`rows`, `committed`, `paid`; or before the n-th SQL statement of its register transaction
(`sql:<n>`). `<point>:pause` sleeps 2 seconds there instead (two closes at once).
"""

from __future__ import annotations

import datetime as dt
import getpass
import os
import signal
import stat
import time
from dataclasses import dataclass
from pathlib import Path

from xlsxwriter.exceptions import FileCreateError

from incentives import __version__
from incentives.money import CENT, plain
from incentives.periods import parse_period
from incentives.read.settled import LEDGER_FILE, Ledger, difference_problems, read_ledger
from incentives.problems import Problem, Said, Source, error, said
from incentives.words import Joined
from incentives.read.workbook import open_book
from incentives.register.manifest import (MANIFEST, ManifestError, check_folder, differences, read_manifest, run_id,
                                          sha256_of, short, write_manifest)
from incentives.register.store import (AMOUNTS, COUNTS, ROW_COLUMNS, Entry, Register, RegisterError,
                                       chain_problems)
from incentives.earlier import Closed, next_open
from incentives.write.audit import HEAD, PAYEES, RUN_ID
from incentives.write.payments import Payment, payments_path, write_payments

HOOK = "CALC_CLOSE_HOOK"
AUDIT_FILE = "audit.xlsx"
_HEX = frozenset("0123456789abcdef")


def _at(point: str) -> None:
    """The test hook: kill or pause at `point` when CALC_CLOSE_HOOK names it."""
    wanted = os.environ.get(HOOK, "")
    name, _, action = wanted.partition(":")
    if name == point:
        if action == "pause":
            time.sleep(2)
        else:
            os.kill(os.getpid(), signal.SIGKILL)


def _sql_hook(register: Register) -> None:
    name, _, count = os.environ.get(HOOK, "").partition(":")
    if name != "sql" or not count.isdigit():
        return
    seen = [0]

    def traced(statement: str) -> None:
        seen[0] += 1
        if seen[0] == int(count):
            os.kill(os.getpid(), signal.SIGKILL)
    register.trace(traced)


# ---------------------------------------------------------------- a run folder read back


@dataclass(frozen=True)
class RunFolder:
    """What `calc close` needs of a finished run folder."""

    folder: Path
    ledger: Ledger
    run_id: str
    head: str | None  # the register head it was computed against; None when its audit records none
    vendors: tuple[tuple[str, str], ...]  # (partner_id, vendor_id)


def _sheets(path: Path, rel: str, names: tuple[str, ...]) -> dict[str, list[tuple]]:
    """The sheets of `names` that a run's workbook has, each as rows of text cells."""
    book = open_book(path, rel) if path.is_file() else None
    if book is None or isinstance(book, Problem):
        return {}
    return {name: book.grid(name).frame.rows() for name in names if name in book.sheets}


def _column(rows: list[tuple], name: str) -> list:
    """A column of a sheet's rows by its header, [] when the header lacks it."""
    if not rows or name not in rows[0]:
        return []
    at = list(rows[0]).index(name)
    return [r[at] for r in rows[1:]]


def run_language(folder: Path) -> str | None:
    """The `language` setting of the program a run folder's audit records (its Program sheet):
    what `calc close` speaks. None when the folder has no such audit."""
    rows = _sheets(folder / AUDIT_FILE, AUDIT_FILE, ("Program",)).get("Program", [])
    return next((str(r[1]).strip() for r in rows if len(r) > 1 and r[0] == "language" and r[1]), None)


def read_run(folder: Path, shown: str) -> tuple[RunFolder | None, list[Problem]]:
    ledger, problems = read_ledger(folder / LEDGER_FILE, f"{shown}/{LEDGER_FILE}")
    audit = _sheets(folder / AUDIT_FILE, f"{shown}/{AUDIT_FILE}", ("Run", "Inputs", PAYEES))
    if "Run" not in audit:
        problems.append(error(Source(f"{shown}/{AUDIT_FILE}"), "close.no_audit"))
    if ledger is None or "Run" not in audit:
        return None, problems
    items = {str(r[0]).strip(): ("" if r[1] is None else str(r[1]).strip())
             for r in audit["Run"][1:] if len(r) > 1 and r[0]}
    head = items.get(HEAD)
    if head is not None:
        head = head if len(head) == 64 and set(head) <= _HEX else ""
    recorded = items.get(RUN_ID, "")
    if not recorded:  # a run of a calc before run ids: its id from its inputs as its audit lists them
        shas = [sha for sha in _column(audit.get("Inputs", []), "sha256") if sha]
        recorded = run_id(shas, ledger.period.label, items.get("calc version", __version__), "")
    payees = audit.get(PAYEES, [])
    vendors = tuple((pid, vid or "") for pid, vid in zip(_column(payees, "partner_id"), _column(payees, "vendor_id"))
                    if pid)
    return RunFolder(folder, ledger, recorded, head, vendors), problems


def _register_row(row: dict) -> tuple:
    """A Ledger row as the register keeps it: amounts as decimal text, never floating point."""
    out = []
    for column in ROW_COLUMNS:
        value = row[column]
        if column == "ytd_rate":
            out.append(plain(value))
        elif column in AMOUNTS:
            out.append(f"{value.quantize(CENT) + 0:f}")
        elif column in COUNTS:
            out.append(int(value))
        else:
            out.append("" if value is None else str(value))
    return tuple(out)


def closed_runs(entries: tuple[Entry, ...]) -> tuple[Closed, ...]:
    """The register's entries as the engine takes them."""
    return tuple(Closed(e.period, tuple(e.values("accrual").items()), f"closed {e.closed_at} by {e.closed_by}",
                        tuple(e.values("carried_out").items()))
                 for e in entries)


# ---------------------------------------------------------------- close


@dataclass(frozen=True)
class Closing:
    """What `calc close` did."""

    problems: tuple[Problem, ...]
    register: Path
    program: str = ""  # "<program_id> <year>"
    head_before: str = ""
    closed: tuple[str, ...] = ()  # the program year's closed periods before this close
    entry: Entry | None = None
    payments: Path | None = None
    already: bool = False  # the run was closed before: nothing added
    coming: str = ""  # the period the program year closes next

    @property
    def ok(self) -> bool:
        return self.entry is not None and not any(p.is_error for p in self.problems)


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


def _read_only(folder: Path, on: bool) -> None:
    for path in _files(folder):
        mode = path.stat().st_mode
        path.chmod(stat.S_IMODE(mode) & ~0o222 if on else stat.S_IMODE(mode) | stat.S_IWUSR)


def _user() -> str:
    try:
        return os.environ.get("USER") or os.environ.get("USERNAME") or getpass.getuser()
    except (KeyError, OSError):  # no such user in the password database
        return "unknown"


def _payments(register: Path, entry: Entry, run: RunFolder) -> Path:
    """The payments file of a closed entry; RegisterError saying how to get it when it cannot be written."""
    vendors = dict(run.vendors)
    names = entry.values("partner_name")
    path = payments_path(register, entry.program_id, entry.period)
    try:
        return write_payments(path, entry.program_id, entry.period, entry.unit, entry.run_id,
                              [Payment(pid, names[pid], vendors.get(pid, ""), amount)
                               for pid, amount in entry.values("payment").items()])
    except (OSError, FileCreateError) as ex:
        raise RegisterError(f"{run.folder} is closed as {entry.program_id} {entry.period}, but its payments file "
                            f"{path} could not be written ({ex}): make its folder writable and run calc close "
                            f"{run.folder} again to write it") from ex


def close_run(folder: Path, register_path: Path, adopt: bool = False, user: str | None = None,
              now: dt.datetime | None = None) -> Closing:
    """Record the finished run in `folder` in the register; see the module's docstring."""
    shown = folder.as_posix()
    where = Source(shown)
    try:
        differences = check_folder(folder)
    except ManifestError as ex:
        return Closing((ex.problem(shown, "close.run_again"),), register_path)
    problems: list[Problem] = []
    if differences is None and not adopt:
        problems.append(error(where, "close.no_manifest", manifest=MANIFEST))
    elif differences:
        problems += difference_problems(differences, shown, "close.unaltered")
    run, found = read_run(folder, shown)
    problems += found
    if run is None or any(p.is_error for p in problems):
        return Closing(tuple(problems), register_path)
    ledger = run.ledger
    program, label = f"{ledger.program_id} {ledger.year}", ledger.period.label
    try:
        with Register.open(register_path) as register:
            entries = register.entries(ledger.program_id, ledger.year)
            head = register.head(ledger.program_id, ledger.year)
            closed = tuple(e.period for e in entries)
    except RegisterError as ex:
        return Closing((error(Source(str(register_path)), str(ex)),), register_path, program)
    manifest_sha = sha256_of(folder / MANIFEST) if differences is not None else ""
    for e in entries:  # this very folder closed before (a close killed before its payments file, say)
        if run_folder(register_path.parent, e).resolve() == folder.resolve() and e.manifest_sha256 == manifest_sha:
            payments = payments_path(register_path, e.program_id, e.period)
            if not payments.is_file():
                _payments(register_path, e, run)
            return Closing(tuple(problems), register_path, program, head, closed, e, payments, already=True,
                           coming=_coming(entries, ledger))
    refused = _refusal(entries, head, run, adopt)
    if refused:
        return Closing((*problems, error(where, refused[0], **refused[1])), register_path, program, head, closed,
                       coming=_coming(entries, ledger))
    _at("checked")
    if differences is None:
        write_manifest(folder)
        _at("manifest")
        manifest_sha = sha256_of(folder / MANIFEST)
    _read_only(folder, True)
    _at("read-only")
    rows = tuple(_register_row(r) for r in sorted(ledger.rows, key=lambda r: r["partner_id"]))
    relative = Path(os.path.relpath(folder.resolve(), register_path.resolve().parent)).as_posix()
    try:
        with Register.open(register_path, create=True) as register:
            _sql_hook(register)

            def admit(now_entries: tuple[Entry, ...]) -> str | None:
                again = _refusal(now_entries, now_entries[-1].sha256 if now_entries else "", run, adopt)
                return str(error(Source(shown), again[0], **again[1])) if again else None
            entry = register.append(program_id=ledger.program_id, year=ledger.year, period=label, run_id=run.run_id,
                                    run_folder=relative, manifest_sha256=manifest_sha, closed_by=user or _user(),
                                    adopted=adopt, rows=rows,
                                    admit=admit, at=_at, now=now)
    except RegisterError as ex:
        _read_only(folder, False)
        return Closing((*problems, error(Source(str(register_path)), str(ex))), register_path, program, head, closed)
    payments = _payments(register_path, entry, run)
    _at("paid")
    return Closing(tuple(problems), register_path, program, head, closed, entry, payments,
                   coming=_coming((*entries, entry), ledger))


def _coming(entries: tuple[Entry, ...], ledger: Ledger) -> str:
    coming = next_open(closed_runs(entries), ledger.period.kind, ledger.year)
    return coming.label if coming else ""


def _refusal(entries: tuple[Entry, ...], head: str, run: RunFolder, adopt: bool) -> tuple[str, dict] | None:
    """Why the run may not be closed now, as a message key and its values (its hint says what
    to do); None when it may."""
    ledger = run.ledger
    period, name = ledger.period, f"{ledger.program_id} {ledger.year}"
    coming = next_open(closed_runs(entries), period.kind, ledger.year)
    if coming is None:
        kinds = sorted({parse_period(e.period).kind for e in entries})
        return "close.other_kind", dict(period=str(period), kind=said("validate.kind:" + period.kind), name=name,
                                        kinds=Joined(tuple(said("validate.by:" + k) for k in kinds), said("and")))
    if period != coming:
        done = next((e for e in entries if e.period == period.label), None)
        if done is not None:
            return "close.already", dict(period=str(period), name=name, at=done.closed_at, by=done.closed_by,
                                         run_id=short(done.run_id), next=f"{coming.base} --supplement"
                                         if coming.supplement else str(coming))
        return "close.not_next", dict(period=str(period), name=name, coming=str(coming))
    if adopt:
        return None
    if run.head is None:
        return "close.no_head", {}
    if run.head != head:
        now = said("close.head_since", head=short(head), period=entries[-1].period) if head else said("close.empty")
        return "close.other_head", dict(head=short(run.head) or said("close.no_closed_head"), name=name, now=now,
                                        period=str(period))
    return None


def run_folder(base: Path, entry: Entry) -> Path:
    """A closed run's folder: the register's folder joined with the entry's relative path."""
    return Path(os.path.normpath(base / entry.run_folder))


def yearly_winners(register_path: Path, program_id: str, year: int, label: str) -> dict[str, list[str]] | None:
    """The winners of each bonus in the closed run of `label` (its summary's Bonuses sheet), or
    None when that run or its summary cannot be read."""
    with Register.open(register_path) as register:
        entry = next((e for e in register.entries(program_id, year) if e.period == label), None)
    if entry is None:
        return None
    folder = run_folder(register_path.parent, entry)
    bonuses = _sheets(folder / "summary.xlsx", f"{folder.as_posix()}/summary.xlsx", ("Bonuses",)).get("Bonuses")
    if bonuses is None:
        return None
    winners: dict[str, list[str]] = {}
    for name, pid in zip(_column(bonuses, "bonus"), _column(bonuses, "partner_id")):
        winners.setdefault(name, []).append(pid)
    return winners


# ---------------------------------------------------------------- verify


@dataclass(frozen=True)
class Verified:
    entries: tuple[Entry, ...]
    files: int  # files re-hashed
    problems: tuple[Problem | Said, ...]  # each altered, added or missing file, each break of a chain


def verify(register: Register, program_id: str | None = None) -> Verified:
    """Every closed run folder re-hashed against its manifest and the manifest against the
    register; every entry's hash and chain link re-checked."""
    entries = register.entries(program_id)
    base = register.path.parent
    found: list[Problem | Said] = []
    files = 0
    for e in entries:
        folder = run_folder(base, e)
        shown = folder.as_posix()
        run = f"{e.program_id} {e.period}"
        if not folder.is_dir():
            found.append(error(Source(shown), "verify.no_folder", run=run))
            continue
        manifest = folder / MANIFEST
        if not manifest.is_file():
            found.append(error(Source(f"{shown}/{MANIFEST}"), "verify.no_manifest"))
            continue
        if sha256_of(manifest) != e.manifest_sha256:
            found.append(error(Source(f"{shown}/{MANIFEST}"), "verify.manifest_altered", run=run))
        try:
            listed = read_manifest(folder)  # once: its differences and its count of files
        except ManifestError as ex:
            found.append(ex.problem(shown))
            continue
        files += len(listed)
        found += difference_problems(differences(folder, listed), shown)
    found += chain_problems(entries)
    return Verified(entries, files, tuple(found))
