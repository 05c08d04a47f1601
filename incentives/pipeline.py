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
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from incentives import __version__, aggregate, bonuses, earlier, rates, reconcile, settle
from incentives.basis import basis
from incentives.classify import classify
from incentives.convert import to_base
from incentives.load import load
from incentives.model import Inputs
from incentives.periods import Period
from incentives.problems import Problem
from incentives.register.close import Closing, Verified, close_run, verify
from incentives.register.manifest import run_id, write_manifest
from incentives.register.store import Register
from incentives.review import TierReview, review
from incentives.settle import Origin, Settlement
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
    out: Path | None = None
    origin: Origin | None = None  # the register consulted and its head, once the inputs were read
    program: str = ""  # "<program_id> <year>", once the inputs were read

    @property
    def ok(self) -> bool:
        return not any(p.is_error for p in self.problems)


def _sorted(problems: list[Problem]) -> tuple[Problem, ...]:
    return tuple(sorted(problems, key=Problem.sort_key))


def check(folder: Path, period: Period | None, progress: Progress = quiet) -> Outcome:
    """Read and validate an input folder; `inputs` only when there is no error."""
    inputs, problems = load(folder, lambda total: progress("reading files", total))
    if inputs is not None:
        problems += validate(inputs, period)
    outcome = Outcome(_sorted(problems), inputs)
    return outcome if outcome.ok else Outcome(outcome.problems)


def compute(inputs: Inputs, period: Period, settled: dict[str, Decimal] | None = None,
            origin: Origin = Origin(), carried: dict[str, Decimal] | None = None) -> Settlement:
    """The engine's stages, pure: the ledger of `period`; `settled` (previously_settled) and
    `carried` (carried_in) as the basis gave them, None when recomputed from the inputs."""
    lines = to_base(inputs)
    classified = classify(lines, inputs, period)
    by_partner = aggregate.totals(classified, period)
    owed = rates.entitlements(inputs, classified, by_partner, period)
    settled, carried = earlier.settled_and_carried(inputs, lines, period, settled, carried)
    awards, unawarded = bonuses.awarded(inputs, by_partner, period)
    rows = settle.ledger(inputs, period, by_partner, owed, settled, carried, awards)
    identity = run_id([f.sha256 for f in inputs.files], period.label, __version__, origin.head)
    return Settlement(period, classified, rows, awards, origin, identity, unawarded)


def default_out(inputs: Inputs, period: Period) -> Path:
    return Path("outputs") / inputs.program.program_id / period.label


def write_outputs(folder: Path, inputs: Inputs, settlement: Settlement, balances: tuple[reconcile.Balance, ...],
                  reviews: tuple[TierReview, ...], command: str, progress: Progress = quiet) -> None:
    write_ledger(folder, inputs.program, settlement)
    write_summary(folder, inputs, settlement, balances, reviews)
    write_statements(folder, inputs, settlement, reviews,
                     tick=progress("writing statements", len(statement_partners(settlement))))
    write_audit(folder, inputs, settlement, command)
    write_manifest(folder)  # last: a folder without it is not a complete run


def run(folder: Path, period: Period, out: Path | None = None, previous: Path | None = None,
        command: str = "", progress: Progress = quiet, register: Path | None = None,
        supplement: bool = False) -> Outcome:
    """`calc run`: read, load and validate (`check`); the basis; the output folder checked before
    anything is computed; `compute`, convert to settle; a supplement's bonus notes; reconcile, or
    the run fails; the tier review; the write, the manifest last. Nothing is written on an error."""
    progress("reading", 0)  # the phases (reading, computing, writing) are what bench/ times
    checked = check(folder, period.base, progress)
    if not checked.ok:
        refused = {previous.resolve(): "the --ledger folder"} if previous else {}
        refusal = out and check_target(out, input_dir=folder, program_id=None, refused=refused)
        return Outcome(_sorted([*checked.problems, *([refusal] if refusal else [])]))
    inputs = checked.inputs
    chosen, problems = basis(inputs, period, previous, register, supplement)
    name, origin = f"{inputs.program.program_id} {inputs.program.year}", chosen.origin
    # The output folder is checked before anything is computed: a refusal costs no time.
    target = out or default_out(inputs, chosen.period)
    if not any(p.is_error for p in problems):
        problems += mend(target)  # first: it may put back the only copy of the last output
        refusal = check_target(target, input_dir=folder, program_id=inputs.program.program_id,
                               refused=chosen.refused)
        problems += [refusal] if refusal else []
    if any(p.is_error for p in problems):
        return Outcome(_sorted([*checked.problems, *problems]), origin=origin, program=name)
    progress("computing", 0)
    inputs = chosen.inputs
    settlement = compute(inputs, chosen.period, chosen.settled, chosen.origin, chosen.carried)
    problems += bonuses.supplement_notes(settlement, inputs, register, chosen.winners)
    sales_files = [f for f in inputs.files if f.path.startswith("sales/")]
    balances = reconcile.balances(settlement.lines, sales_files)
    problems += reconcile.check(balances)
    problems = _sorted([*checked.problems, *problems])
    if any(p.is_error for p in problems):
        return Outcome(problems, origin=origin, program=name)
    ytd = {r.partner.partner_id: r.totals.ytd_base for r in settlement.rows}
    # tiers on the period's last day
    reviews = review(inputs.program, tuple(r.partner for r in settlement.rows), ytd, settlement.period.is_last_of_year)
    progress("writing", 0)
    try:
        written = write_atomically(target, lambda staging: write_outputs(
            staging, inputs, settlement, balances, reviews, command or f"calc run {folder.name} --period {period}",
            progress))
    except WriteFailed as ex:
        return Outcome(_sorted([*problems, ex.problem]), origin=origin, program=name)
    return Outcome(_sorted([*problems, *written]), inputs, settlement, target, origin, name)


def close(run_dir: Path, register: Path, adopt: bool = False) -> Closing:
    """`calc close`: the finished run in `run_dir` recorded in the register."""
    return close_run(run_dir, register, adopt)


def register_entries(register: Path, program_id: str | None = None):
    """`calc register`: the closed runs, per program in the order closed."""
    with Register.open(register) as book:
        return book.entries(program_id)


def verify_register(register: Path, program_id: str | None = None) -> Verified:
    """`calc register --verify`."""
    with Register.open(register) as book:
        return verify(book, program_id)
