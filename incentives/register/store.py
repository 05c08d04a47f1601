"""The register: one SQLite file (the standard library's sqlite3) of the closed runs.

Per closed run, one row of `entries` (program, year, period label, run id, run folder
relative to the register's folder, the sha256 of its manifest.sha256, the sha256 of the
previous entry of the same program year, when and by whom it was closed, whether it was
adopted) and one row of `ledger_rows` per partner: the whole Ledger row, amounts as decimal
text. Each entry's `sha256` covers all of that, its rows included, so the entries of a
program year form a hash chain; its head is the sha256 of the year's last entry ("" before
the first).

Append-only, in the schema too: triggers refuse any UPDATE or DELETE, an entry not chained
to its year's head, and ledger rows for any entry but the last one added. An entry and its
rows are written in one transaction (BEGIN IMMEDIATE: two closes at once wait for each
other, and the second sees the first's entry); UNIQUE (program_id, year, period) keeps two
closes of one period from both succeeding. SQLite's locking is not reliable on network
shares: keep the file on a local disk.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from incentives.problems import Said, said

# The Ledger's columns, as the register keeps them (the contract's order).
ROW_COLUMNS = ("program_id", "year", "period", "partner_id", "partner_name", "tier", "country", "unit",
               "period_base", "ytd_base", "ytd_rate", "ytd_entitlement", "previously_settled", "accrual", "bonus",
               "total_payable", "included_lines", "excluded_lines", "excluded_amount", "carried_in", "net_due",
               "carried_out", "payment")
AMOUNTS = ("period_base", "ytd_base", "ytd_rate", "ytd_entitlement", "previously_settled", "accrual", "bonus",
           "total_payable", "excluded_amount", "carried_in", "net_due", "carried_out", "payment")
COUNTS = ("year", "included_lines", "excluded_lines")
# The columns added with carried claw-backs (2026-11-25). A register of an earlier calc gets them
# on opening, as 0.00; the hash of an entry closed before keeps covering the columns it was closed
# with, and holds only while its added columns are 0.00.
ADDED = ("carried_in", "net_due", "carried_out", "payment")
EARLIER_COLUMNS = ROW_COLUMNS[:-len(ADDED)]
BUSY_SECONDS = 60  # how long a close waits for another one holding the register


def _column_sql(column: str) -> str:
    """Amounts are decimal text (a rate plain, money with 2 decimals: a float such as 1.5 could
    only arrive as '1.5'); counts are integers."""
    if column in AMOUNTS:
        shape = f"{column} NOT GLOB '*[^0-9.-]*'" + ("" if column == "ytd_rate" else
                                                      f" AND {column} GLOB '*[0-9].[0-9][0-9]'")
        return f"{column} TEXT NOT NULL CHECK (typeof({column}) = 'text' AND {shape})"
    if column in COUNTS:
        return f"{column} INTEGER NOT NULL CHECK (typeof({column}) = 'integer')"
    return f"{column} TEXT NOT NULL"


_ROW_SQL = ",\n    ".join(_column_sql(c) for c in ROW_COLUMNS)

SCHEMA = f"""
CREATE TABLE IF NOT EXISTS entries (
    id INTEGER PRIMARY KEY,
    program_id TEXT NOT NULL,
    year INTEGER NOT NULL,
    period TEXT NOT NULL,
    run_id TEXT NOT NULL,
    run_folder TEXT NOT NULL,
    manifest_sha256 TEXT NOT NULL,
    previous_sha256 TEXT NOT NULL,
    sha256 TEXT NOT NULL UNIQUE,
    closed_at TEXT NOT NULL,
    closed_by TEXT NOT NULL,
    adopted INTEGER NOT NULL CHECK (adopted IN (0, 1)),
    UNIQUE (program_id, year, period),
    UNIQUE (program_id, year, previous_sha256)
);
CREATE TABLE IF NOT EXISTS ledger_rows (
    entry_id INTEGER NOT NULL REFERENCES entries (id),
    {_ROW_SQL},
    PRIMARY KEY (entry_id, partner_id)
);
CREATE TRIGGER IF NOT EXISTS entries_never_updated BEFORE UPDATE ON entries
BEGIN SELECT RAISE(ABORT, 'the register is append-only: an entry is never updated'); END;
CREATE TRIGGER IF NOT EXISTS entries_never_deleted BEFORE DELETE ON entries
BEGIN SELECT RAISE(ABORT, 'the register is append-only: an entry is never deleted'); END;
CREATE TRIGGER IF NOT EXISTS rows_never_updated BEFORE UPDATE ON ledger_rows
BEGIN SELECT RAISE(ABORT, 'the register is append-only: a ledger row is never updated'); END;
CREATE TRIGGER IF NOT EXISTS rows_never_deleted BEFORE DELETE ON ledger_rows
BEGIN SELECT RAISE(ABORT, 'the register is append-only: a ledger row is never deleted'); END;
CREATE TRIGGER IF NOT EXISTS entries_chained BEFORE INSERT ON entries
WHEN NEW.previous_sha256 IS NOT coalesce((SELECT sha256 FROM entries WHERE program_id = NEW.program_id
                                          AND year = NEW.year ORDER BY id DESC LIMIT 1), '')
BEGIN SELECT RAISE(ABORT, 'an entry must be chained to the head of its program year'); END;
CREATE TRIGGER IF NOT EXISTS rows_with_their_entry BEFORE INSERT ON ledger_rows
WHEN NEW.entry_id IS NOT (SELECT max(id) FROM entries)
BEGIN SELECT RAISE(ABORT, 'ledger rows are added only with their entry'); END;
"""

_ENTRY = ("id", "program_id", "year", "period", "run_id", "run_folder", "manifest_sha256", "previous_sha256",
          "sha256", "closed_at", "closed_by", "adopted")


@dataclass(frozen=True)
class Entry:
    """A closed run, as the register holds it."""

    id: int
    program_id: str
    year: int
    period: str  # its label: 2026Q3, 2026Q4-S1
    run_id: str
    run_folder: str  # relative to the register's folder, with /
    manifest_sha256: str
    previous_sha256: str  # "" for the first entry of its program year
    sha256: str
    closed_at: str  # UTC, ISO 8601
    closed_by: str
    adopted: bool
    rows: tuple[tuple, ...]  # each partner's Ledger row, in ROW_COLUMNS order; amounts as decimal text

    def values(self, column: str) -> dict[str, object]:
        """partner_id -> the row's `column` (Decimal for an amount)."""
        i, pid = ROW_COLUMNS.index(column), ROW_COLUMNS.index("partner_id")
        return {r[pid]: Decimal(r[i]) if column in AMOUNTS else r[i] for r in self.rows}

    def total(self, column: str = "total_payable") -> Decimal:
        return sum(self.values(column).values(), Decimal(0))

    @property
    def unit(self) -> str:
        return self.rows[0][ROW_COLUMNS.index("unit")] if self.rows else ""

    def computed_sha256(self) -> str:
        return entry_sha256(self.program_id, self.year, self.period, self.run_id, self.run_folder,
                            self.manifest_sha256, self.previous_sha256, self.closed_at, self.closed_by, self.adopted,
                            self.rows)

    def holds_its_sha256(self) -> bool:
        """Its content gives its sha256: over every column, or, for an entry closed before the
        carried columns were added (all of them 0.00 since), over the columns it was closed with."""
        if self.computed_sha256() == self.sha256:
            return True
        added = [ROW_COLUMNS.index(c) for c in ADDED]
        if any(r[i] != "0.00" for r in self.rows for i in added):
            return False
        earlier = tuple(r[:len(EARLIER_COLUMNS)] for r in self.rows)
        return entry_sha256(self.program_id, self.year, self.period, self.run_id, self.run_folder,
                            self.manifest_sha256, self.previous_sha256, self.closed_at, self.closed_by, self.adopted,
                            earlier, EARLIER_COLUMNS) == self.sha256


def entry_sha256(program_id: str, year: int, period: str, run_id: str, run_folder: str, manifest_sha256: str,
                 previous_sha256: str, closed_at: str, closed_by: str, adopted: bool, rows,
                 columns: tuple[str, ...] = ROW_COLUMNS) -> str:
    """The hash that chains an entry: everything it holds, its rows included, as canonical JSON."""
    text = json.dumps({"program_id": program_id, "year": year, "period": period, "run_id": run_id,
                       "run_folder": run_folder, "manifest_sha256": manifest_sha256,
                       "previous_sha256": previous_sha256, "closed_at": closed_at, "closed_by": closed_by,
                       "adopted": bool(adopted), "columns": list(columns), "rows": [list(r) for r in rows]},
                      ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


class RegisterError(Exception):
    """A register file that cannot be opened or written; the message says which and why."""


def default_path() -> Path:
    return Path(os.environ.get("CALC_REGISTER") or "outputs/register.sqlite")


def _add_columns(db: sqlite3.Connection) -> None:
    """A register of an earlier calc gets the columns added since, as 0.00 (adding a column
    changes no entry: the hash of one closed before covers the columns it was closed with)."""
    have = {r[1] for r in db.execute("PRAGMA table_info(ledger_rows)")}
    missing = [c for c in ADDED if c not in have]
    if not missing:
        return
    db.execute("BEGIN IMMEDIATE")
    try:
        for column in missing:
            db.execute(f"ALTER TABLE ledger_rows ADD COLUMN {_column_sql(column)} DEFAULT '0.00'")
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise


class Register:
    """An open register. `Register.open(path)` reads one (a missing file is an empty register,
    not created); `Register.open(path, create=True)` is for `calc close`."""

    def __init__(self, path: Path, connection: sqlite3.Connection | None):
        self.path = path
        self._db = connection

    @classmethod
    def open(cls, path: Path, create: bool = False) -> Register:
        if not path.exists() and not create:
            return cls(path, None)
        if path.exists() and not path.is_file():
            raise RegisterError(f"register {path} is not a file")
        try:
            if create:
                path.parent.mkdir(parents=True, exist_ok=True)
            # Opened read-write even to read: a close killed half-way leaves a journal that the
            # next connection must roll back.
            db = sqlite3.connect(f"file:{path.resolve()}?mode={'rwc' if create else 'rw'}", uri=True,
                                 timeout=BUSY_SECONDS, isolation_level=None)
            if create:
                db.executescript(f"BEGIN IMMEDIATE;\n{SCHEMA}\nCOMMIT;")
            db.execute("SELECT count(*) FROM entries").fetchone()
            _add_columns(db)
        except sqlite3.Error as ex:
            raise RegisterError(f"register {path} cannot be opened: {ex} (is it an SQLite file of calc?)") from ex
        except OSError as ex:
            raise RegisterError(f"register {path} cannot be created: {ex}") from ex
        return cls(path, db)

    def close(self) -> None:
        if self._db is not None:
            self._db.close()

    def __enter__(self) -> Register:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def exists(self) -> bool:
        return self._db is not None

    def entries(self, program_id: str | None = None, year: int | None = None) -> tuple[Entry, ...]:
        """The entries in the order they were added, of one program (and year) or all."""
        if self._db is None:
            return ()
        where, args = [], []
        if program_id is not None:
            where.append("program_id = ?")
            args.append(program_id)
        if year is not None:
            where.append("year = ?")
            args.append(year)
        condition = f" WHERE {' AND '.join(where)}" if where else ""
        alone = not self._db.in_transaction  # both reads in one transaction: an entry with its rows
        if alone:
            self._db.execute("BEGIN")
        try:
            found = self._db.execute(f"SELECT {', '.join(_ENTRY)} FROM entries{condition} ORDER BY id",
                                     args).fetchall()
            rows: dict[int, list[tuple]] = {}
            for r in self._db.execute(f"SELECT entry_id, {', '.join(ROW_COLUMNS)} FROM ledger_rows WHERE entry_id "
                                      f"IN (SELECT id FROM entries{condition}) ORDER BY entry_id, partner_id", args):
                rows.setdefault(r[0], []).append(tuple(r[1:]))
        finally:
            if alone:
                self._db.execute("COMMIT")
        return tuple(Entry(*f[:-1], bool(f[-1]), tuple(rows.get(f[0], ()))) for f in found)

    def head(self, program_id: str, year: int) -> str:
        """The sha256 of the program year's last entry; "" when it has none."""
        if self._db is None:
            return ""
        found = self._db.execute("SELECT sha256 FROM entries WHERE program_id = ? AND year = ? ORDER BY id DESC "
                                 "LIMIT 1", (program_id, year)).fetchone()
        return found[0] if found else ""

    def closed_folders(self) -> dict[Path, Said]:
        """Every closed run folder (absolute, resolved) -> what it is, for refusing it as `--out`."""
        if self._db is None:
            return {}
        base = self.path.resolve().parent
        return {(base / folder).resolve(): said("folder.closed_run", program=program_id, period=period,
                                         register=str(self.path))
                for program_id, period, folder in self._db.execute(
                    "SELECT program_id, period, run_folder FROM entries ORDER BY id")}

    def trace(self, callback: Callable[[str], None] | None) -> None:
        """Each SQL statement run, before it runs (for the kill tests of `calc close`)."""
        if self._db is not None:
            self._db.set_trace_callback(callback)

    def append(self, *, program_id: str, year: int, period: str, run_id: str, run_folder: str,
               manifest_sha256: str, closed_by: str, adopted: bool, rows: tuple[tuple, ...],
               admit: Callable[[tuple[Entry, ...]], str | None], at: Callable[[str], None] = lambda point: None,
               now: dt.datetime | None = None) -> Entry:
        """Add a closed run, chained to its program year's head, in one transaction.

        `admit` sees the program year's entries inside the transaction (no other close can add
        one meanwhile) and returns why the run may not be added, or None. RegisterError with that
        reason, or with SQLite's, and nothing is added. `at` is called at named points (tests)."""
        if self._db is None:
            raise RegisterError(f"register {self.path} is not open for writing")
        db = self._db
        try:
            db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as ex:
            raise RegisterError(f"register {self.path} is busy (another calc close holds it): {ex}; try again") from ex
        try:
            at("begun")
            entries = self.entries(program_id, year)
            refused = admit(entries)
            if refused:
                raise RegisterError(refused)
            previous = entries[-1].sha256 if entries else ""
            closed_at = (now or dt.datetime.now(dt.timezone.utc)).strftime("%Y-%m-%dT%H:%M:%SZ")
            sha = entry_sha256(program_id, year, period, run_id, run_folder, manifest_sha256, previous, closed_at,
                               closed_by, adopted, rows)
            cursor = db.execute(f"INSERT INTO entries ({', '.join(_ENTRY[1:])}) VALUES ({', '.join('?' * 11)})",
                                (program_id, year, period, run_id, run_folder, manifest_sha256, previous, sha,
                                 closed_at, closed_by, int(adopted)))
            entry_id = cursor.lastrowid
            at("entry")
            db.executemany(f"INSERT INTO ledger_rows (entry_id, {', '.join(ROW_COLUMNS)}) "
                           f"VALUES (?, {', '.join('?' * len(ROW_COLUMNS))})", [(entry_id, *r) for r in rows])
            at("rows")
            db.execute("COMMIT")
        except BaseException as ex:
            if db.in_transaction:
                db.execute("ROLLBACK")
            if isinstance(ex, sqlite3.Error):
                raise RegisterError(f"register {self.path}: {ex}; nothing was added") from ex
            raise
        at("committed")
        return Entry(entry_id, program_id, year, period, run_id, run_folder, manifest_sha256, previous, sha,
                     closed_at, closed_by, adopted, tuple(tuple(r) for r in rows))


def closed_folders(path: Path) -> dict[Path, str]:
    """The closed run folders of the register at `path` (absolute, resolved) -> what each is: the
    folders `--out` may never name."""
    with Register.open(path) as register:
        return register.closed_folders()


def chain_problems(entries: tuple[Entry, ...]) -> list[Said]:
    """What breaks the hash chains of `entries` (all of a register, in the order added): an entry
    whose content no longer gives its sha256, or one not chained to the entry before it."""
    found, heads = [], {}
    for e in entries:
        run = f"{e.program_id} {e.period}"
        if not e.holds_its_sha256():
            found.append(said("verify.entry_altered", run=run, entry=e.id))
        if e.previous_sha256 != heads.get((e.program_id, e.year), ""):
            found.append(said("verify.entry_unchained", run=run, entry=e.id, year=f"{e.program_id} {e.year}"))
        heads[(e.program_id, e.year)] = e.sha256
    return found
