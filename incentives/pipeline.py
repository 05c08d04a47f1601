"""The pipeline as one short function of stages per command:
load -> validate -> where previously settled comes from -> classify -> convert -> aggregate
-> settle -> write (the manifest last); `close` records a finished run in the register."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path

from incentives import __version__, reconcile
from incentives.convert import to_base
from incentives.load import load, program_language
from incentives.model import Inputs
from incentives.periods import Period
from incentives.previous import read_settled
from incentives.problems import Problem, Source, error, note
from incentives.words import Joined
from incentives.register.close import (Closing, Verified, close_run, closed_runs, run_language, verify,
                                       yearly_winners)
from incentives.register.manifest import run_id, write_manifest
from incentives.register.store import Register, RegisterError
from incentives.review import TierReview, review
from incentives.settle import Origin, Settlement, from_register, from_register_carried, settle
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


@dataclass(frozen=True)
class Basis:
    """What a run settles against, decided before anything is computed."""

    period: Period  # a supplement's with its number
    settled: dict[str, Decimal] | None  # None: recomputed from the inputs
    carried: dict[str, Decimal] | None  # carried_in; None: recomputed from the inputs
    origin: Origin
    inputs: Inputs  # with --ledger, its ledger.xlsx among the files
    refused: dict[Path, str]  # folders `--out` may not name (resolved) -> why


def basis(inputs: Inputs, period: Period, previous: Path | None, register: Path | None,
          supplement: bool) -> tuple[Basis, list[Problem]]:
    """Where previously_settled comes from: the register when it holds a closed period of the
    program year, else `--ledger`, else recomputed. Errors refuse the run."""
    program = inputs.program
    origin = Origin(register=register.as_posix() if register else "")
    where = Source(origin.register or "--register")
    entries, refused = (), {}
    if register is not None:
        try:
            with Register.open(register) as book:
                entries = book.entries(program.program_id, program.year)
                origin = replace(origin, head=book.head(program.program_id, program.year))
                refused = book.closed_folders()
        except RegisterError as ex:
            return Basis(period, None, None, origin, inputs, {}), [error(where, str(ex))]
    problems: list[Problem] = []
    settled = carried = None
    if entries:
        if previous is not None:
            problems.append(error(Source("--ledger"), "pipeline.ledger_refused", register=origin.register,
                                  closed=", ".join(e.period for e in entries), program=program.program_id,
                                  year=program.year))
        closed = closed_runs(entries)
        period, settled, found = from_register(inputs, period, closed, where, supplement)
        carried = from_register_carried(closed)
        problems += found
        origin = replace(origin, how="register", closed=tuple(e.period for e in entries))
    elif supplement or period.supplement:
        problems.append(error(where, "pipeline.supplement_unclosed" if register else "pipeline.supplement_no_register",
                              "pipeline.supplement/hint", program=program.program_id, year=program.year))
    elif previous is not None:
        earlier, found = read_settled(previous, inputs, period)
        problems += found
        if earlier is not None:
            settled, carried = earlier.settled, earlier.carried
            inputs = replace(inputs, files=(*inputs.files, earlier.file))
            origin = replace(origin, how="ledger", ledger=previous.as_posix(), ledger_sha256=earlier.file.sha256)
        refused = {**refused, previous.resolve(): "folder.ledger_folder"}
    return Basis(period, settled, carried, origin, inputs, refused), problems


def _settle(chosen: Basis) -> Settlement:
    inputs = chosen.inputs
    settlement = settle(inputs, to_base(inputs), chosen.period, chosen.settled, chosen.origin,
                        chosen.carried)
    identity = run_id([f.sha256 for f in inputs.files], chosen.period.label, __version__, chosen.origin.head)
    return replace(settlement, run_id=identity)


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


def supplement_notes(settlement: Settlement, inputs: Inputs, register: Path | None) -> list[Problem]:
    """A supplement awards no bonus; a note names each yearly bonus whose winners its lines would
    change from those of the closed last period (its summary's Bonuses sheet)."""
    if not settlement.period.supplement or register is None:
        return []
    yearly = [b for b in inputs.program.bonuses if b.period == "year"]
    if not yearly:
        return []
    before = yearly_winners(register, inputs.program.program_id, inputs.program.year, settlement.period.base.label)
    problems = []
    for bonus in yearly:
        now = sorted({a.partner_id for a in settlement.unawarded if a.bonus == bonus.name})
        then = before.get(bonus.name) if before is not None else None
        if then is None:
            problems.append(note(bonus.source, "pipeline.bonus_unread", bonus=bonus.name, period=str(settlement.period),
                                 base=str(settlement.period.base), now=Joined(tuple(now))))
        elif sorted(then) != now:
            problems.append(note(bonus.source, "pipeline.bonus_changed", bonus=bonus.name,
                                 then=Joined(tuple(sorted(then))), now=Joined(tuple(now))))
    return problems


def run(folder: Path, period: Period, out: Path | None = None, previous: Path | None = None,
        command: str = "", progress: Progress = quiet, register: Path | None = None,
        supplement: bool = False) -> Outcome:
    progress("reading", 0)  # the phases (reading, computing, writing) are what bench/ times
    checked = check(folder, period.base, progress)
    if not checked.ok:
        refused = {previous.resolve(): "folder.ledger_folder"} if previous else {}
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
    settlement = _settle(chosen)
    inputs = chosen.inputs
    problems += supplement_notes(settlement, inputs, register)
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


def language(folder: Path) -> str | None:
    """The program's `language` setting, read before a run reads the folder: the terminal speaks it."""
    return program_language(folder)


def close_language(run_dir: Path) -> str | None:
    """The `language` setting of the program of a run folder, as its audit records it."""
    return run_language(run_dir)


def register_entries(register: Path, program_id: str | None = None):
    """`calc register`: the closed runs, per program in the order closed."""
    with Register.open(register) as book:
        return book.entries(program_id)


def verify_register(register: Path, program_id: str | None = None) -> Verified:
    """`calc register --verify`."""
    with Register.open(register) as book:
        return verify(book, program_id)
