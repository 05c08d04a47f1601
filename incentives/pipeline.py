"""The pipeline as one short function of stages per command, as beancount's loader reads.

The stages of `calc run`, in order (incentives/README.md maps them):
read (`read/`) -> load (`load.py`, `records.py`) -> validate (`validate.py`) -> basis
(`basis.py`, `read/settled.py`) -> convert (`convert.py`) -> classify (`classify.py`) -> aggregate
(`aggregate.py`) -> rate (`rates.py`, `tiers.py`) -> earlier periods (`earlier.py`) -> bonuses
(`bonuses.py`) -> settle (`settle.py`) -> reconcile (`reconcile.py`) -> tier review (`review.py`)
-> write (`write/`) -> manifest (`register/manifest.py`).
`run` calls them: `check` (load, validate), `basis`, then `compute`, the engine's stages from
convert to settle, pure, each a call to its module; then reconcile, tier review, and the write,
the manifest last. Bonuses come before settle: a ledger row's total_payable, and so what a
claw-back carries, include them. `close` records a finished run in the register;
`register_entries` and `verify_register` read it.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from incentives import __version__, aggregate, bonuses, earlier, processes, rates, reconcile, settle, storage
from incentives.basis import basis, ledger_folder
from incentives.classify import classify
from incentives.convert import to_base
from incentives.load import load, program_language
from incentives.model import Inputs
from incentives.periods import Period
from incentives.problems import Problem, Source, error
from incentives.register.close import Closing, Verified, close_run, run_language, verify
from incentives.register.manifest import run_id, write_manifest
from incentives.register.store import Register
from incentives.review import TierReview, review
from incentives.settle import Origin, Settlement
from incentives.storage import is_url, last_name
from incentives.validate import validate
from incentives.write.audit import write_audit
from incentives.write.folder import WriteFailed, check_target, mend, write_atomically
from incentives.write.ledger import write_ledger
from incentives.write.statements import statement_partners, write_statements
from incentives.write.summary import write_summary

Tick = Callable[[int], None]  # n more of the phase's items done
# A phase begins: its name, and how many items it counts (0: not counted); returns its Tick.
Progress = Callable[[str, int], Tick]


def _nothing(n: int) -> None:
    pass


def quiet(phase: str, total: int = 0) -> Tick:
    return _nothing


@dataclass(frozen=True)
class Outcome:
    """What a command did: the problems found, and the computed run when there was no error."""

    problems: tuple[Problem, ...]
    inputs: Inputs | None = None
    settlement: Settlement | None = None
    out: Path | str | None = None  # a URL: the run's own prefix, <out>/<run id>
    origin: Origin | None = None  # the register consulted and its head, once the inputs were read
    program: str = ""  # "<program_id> <year>", once the inputs were read

    @property
    def ok(self) -> bool:
        return not any(p.is_error for p in self.problems)


def _sorted(problems: list[Problem]) -> tuple[Problem, ...]:
    return tuple(sorted(problems, key=Problem.sort_key))


def check(folder: Path | str, period: Period | None, progress: Progress = quiet, cluster=None,
          kept: processes.Kept | None = None) -> Outcome:
    """Read and validate an input folder (or URL); `inputs` only when there is no error."""
    inputs, problems = load(folder, lambda total: progress("reading files", total), cluster, kept)
    if inputs is not None:
        problems += validate(inputs, period)
    outcome = Outcome(_sorted(problems), inputs)
    return outcome if outcome.ok else Outcome(outcome.problems)


def compute(inputs: Inputs, period: Period, settled: dict[str, Decimal] | None = None,
            origin: Origin = Origin(), carried: dict[str, Decimal] | None = None) -> Settlement:
    """The engine's stages, pure: the ledger of `period`; `settled` (previously_settled) and
    `carried` (carried_in) as the basis gave them, None when recomputed from the inputs."""
    lines = to_base(inputs)
    # What earlier periods settled needs only the converted lines: when it is recomputed (each earlier
    # period classified again) it is worked out in a thread of its own meanwhile, polars' work on both
    # sides running without the GIL.
    with ThreadPoolExecutor(1, thread_name_prefix="calc-earlier") as aside:
        before = aside.submit(earlier.settled_and_carried, inputs, lines, period, settled, carried)
        classified = classify(lines, inputs, period)
        by_partner = aggregate.totals(classified, period)
        owed = rates.entitlements(inputs, classified, by_partner, period)
        settled, carried = before.result()
    awards, unawarded = bonuses.awarded(inputs, by_partner, period)
    rows = settle.ledger(inputs, period, by_partner, owed, settled, carried, awards)
    identity = run_id([f.sha256 for f in inputs.files], period.label, __version__, origin.head)
    return Settlement(period, classified, rows, awards, origin, identity, unawarded)


def default_out(inputs: Inputs, period: Period) -> Path:
    return Path("outputs") / inputs.program.program_id / period.label


def write_outputs(folder: Path, inputs: Inputs, settlement: Settlement, balances: tuple[reconcile.Balance, ...],
                  reviews: tuple[TierReview, ...], command: str, progress: Progress = quiet, cluster=None,
                  kept: processes.Kept | None = None) -> None:
    # The statements (most of the work, in the pool's processes) are written in a thread of their own,
    # while this one writes the ledger, the summary and the audit: the cores the pool leaves idle
    # while it starts and between batches do that work. Leaving the `with` waits for the statements,
    # on an error too: the staging folder is removed only once nothing writes into it.
    hashed: dict[Path, str] = {}  # each statement's sha256, told by its writer
    with ThreadPoolExecutor(1, thread_name_prefix="calc-statements") as background:
        statements = background.submit(write_statements, folder, inputs, settlement, reviews,
                                       tick=progress("writing statements", len(statement_partners(settlement))),
                                       cluster=cluster, kept=kept, hashed=hashed)
        write_ledger(folder, inputs.program, settlement)
        write_summary(folder, inputs, settlement, balances, reviews)
        write_audit(folder, inputs, settlement, command)
        statements.result()
    write_manifest(folder, hashed)  # last: a folder without it is not a complete run


def run(folder: Path | str, period: Period, out: Path | str | None = None, previous: Path | str | None = None,
        command: str = "", progress: Progress = quiet, register: Path | None = None,
        supplement: bool = False, cluster=None) -> Outcome:
    """`calc run`: read, load and validate (`check`); the basis; the output folder checked before
    anything is computed; `compute`, convert to settle; a supplement's bonus notes; reconcile, or
    the run fails; the tier review; the write, the manifest last. Nothing is written on an error.
    `folder`, `out` and `previous` may be URLs (`storage.py`); `cluster` (`cluster.connect`) reads
    the files and writes the statements on a Dask cluster. A large run's files are read and its
    statements written by one pool of processes (`processes.Kept`), started once."""
    with processes.Kept() as kept:
        return _run(folder, period, out, previous, command, progress, register, supplement, cluster, kept)


def _run(folder: Path | str, period: Period, out: Path | str | None, previous: Path | str | None, command: str,
         progress: Progress, register: Path | None, supplement: bool, cluster, kept: processes.Kept) -> Outcome:
    # a folder given as text is a Path, but for a URL: the checks of `--out` compare resolved paths
    folder, out, previous = (p if p is None or is_url(p) else Path(p) for p in (folder, out, previous))
    progress("reading", 0)  # the phases (reading, computing, writing) are what bench/ times
    checked = check(folder, period.base, progress, cluster, kept)
    if not checked.ok:
        refusal = out and _check_out(out, folder, None, ledger_folder(previous))
        return Outcome(_sorted([*checked.problems, *([refusal] if refusal else [])]))
    inputs = checked.inputs
    chosen, problems = basis(inputs, period, previous, register, supplement)
    name, origin = f"{inputs.program.program_id} {inputs.program.year}", chosen.origin
    # The output folder is checked before anything is computed: a refusal costs no time.
    target = out or default_out(inputs, chosen.period)
    if not any(p.is_error for p in problems):
        problems += [] if is_url(target) else mend(target)  # first: it may put back the only copy of the last output
        refusal = _check_out(target, folder, inputs.program.program_id, chosen.refused)
        problems += [refusal] if refusal else []
    if any(p.is_error for p in problems):
        return Outcome(_sorted([*checked.problems, *problems]), origin=origin, program=name)
    progress("computing", 0)
    inputs = chosen.inputs
    settlement = compute(inputs, chosen.period, chosen.settled, chosen.origin, chosen.carried)
    problems += bonuses.supplement_notes(settlement, inputs, register, chosen.winners)
    sales_files = [f for f in inputs.files if f.path.casefold().startswith("sales/")]  # Sales/ too
    balances = reconcile.balances(settlement.lines, sales_files)
    problems += reconcile.check(balances)
    problems = _sorted([*checked.problems, *problems])
    if any(p.is_error for p in problems):
        return Outcome(problems, origin=origin, program=name)
    ytd = {r.partner.partner_id: r.totals.ytd_base for r in settlement.rows}
    # tiers on the period's last day
    reviews = review(inputs.program, tuple(r.partner for r in settlement.rows), ytd, settlement.period.is_last_of_year)
    progress("writing", 0)

    def fill(staging: Path) -> None:
        write_outputs(staging, inputs, settlement, balances, reviews,
                      command or f"calc run {last_name(folder)} --period {period}", progress, cluster, kept)
    try:
        if is_url(target):  # object storage: under a prefix of the run's own, the manifest last
            target, written = storage.write_run(target, settlement.run_id, fill)
        else:
            written = write_atomically(target, fill)
    except WriteFailed as ex:
        return Outcome(_sorted([*problems, ex.problem]), origin=origin, program=name)
    return Outcome(_sorted([*problems, *written]), inputs, settlement, target, origin, name)


def _check_out(target: Path | str, folder: Path | str, program_id: str | None, refused: dict) -> Problem | None:
    if is_url(target):
        return storage.check_out(target, folder)
    return check_target(target, input_dir=None if is_url(folder) else folder, program_id=program_id, refused=refused)


def close(run_dir: Path | str, register: Path, adopt: bool = False) -> Closing:
    """`calc close`: the finished run in `run_dir` recorded in the register. A run's URL is
    downloaded beside the register first (`runs/<bucket>/<prefix>/`) and that copy closed: the
    register keeps local folders it can verify; a prefix without its manifest is refused."""
    if is_url(run_dir):
        copy = register.parent / "runs" / run_dir.partition("://")[2].strip("/")
        if adopt:
            return Closing((error(Source(run_dir), "storage.no_adopt"),), register)
        if not copy.exists() and (refusal := storage.local_copy(run_dir, copy)) is not None:
            return Closing((refusal,), register)
        run_dir = copy
    return close_run(run_dir, register, adopt)


def language(folder: Path) -> str | None:
    """The program's `language` setting, read before a run reads the folder: the terminal speaks it."""
    return program_language(folder)


def close_language(run_dir: Path | str) -> str | None:
    """The `language` setting of the program of a run folder, as its audit records it (None for a
    run at a URL: it is read only once downloaded)."""
    return None if is_url(run_dir) else run_language(Path(run_dir))


def register_entries(register: Path, program_id: str | None = None):
    """`calc register`: the closed runs, per program in the order closed."""
    with Register.open(register) as book:
        return book.entries(program_id)


def verify_register(register: Path, program_id: str | None = None) -> Verified:
    """`calc register --verify`."""
    with Register.open(register) as book:
        return verify(book, program_id)
