"""The pipeline as one short function of stages per command:
load -> validate -> classify -> convert -> aggregate -> settle -> write."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from incentives import reconcile
from incentives.convert import to_base
from incentives.load import load
from incentives.model import Inputs
from incentives.periods import Period
from incentives.previous import read_settled
from incentives.problems import Problem
from incentives.review import TierReview, review
from incentives.settle import Settlement, settle
from incentives.validate import validate
from incentives.write.audit import write_audit
from incentives.write.folder import WriteFailed, check_target, mend, write_atomically
from incentives.write.ledger import write_ledger
from incentives.write.statements import write_statements
from incentives.write.summary import write_summary

Progress = Callable[[str], None]


def quiet(phase: str) -> None:
    pass


@dataclass(frozen=True)
class Outcome:
    """What a command did: the problems found, and the computed run when there was no error."""

    problems: tuple[Problem, ...]
    inputs: Inputs | None = None
    settlement: Settlement | None = None
    out: Path | None = None

    @property
    def ok(self) -> bool:
        return not any(p.is_error for p in self.problems)


def _sorted(problems: list[Problem]) -> tuple[Problem, ...]:
    return tuple(sorted(problems, key=Problem.sort_key))


def check(folder: Path, period: Period | None) -> Outcome:
    """Read and validate an input folder; `inputs` only when there is no error."""
    inputs, problems = load(folder)
    if inputs is not None:
        problems += validate(inputs, period)
    outcome = Outcome(_sorted(problems), inputs)
    return outcome if outcome.ok else Outcome(outcome.problems)


def compute(inputs: Inputs, period: Period, previous: Path | None) -> tuple[Settlement | None, list[Problem]]:
    settled, problems = (read_settled(previous, inputs.program, period) if previous else ({}, []))
    if any(p.is_error for p in problems):
        return None, problems
    lines = to_base(inputs)
    if previous:
        return settle(inputs, lines, period, settled, previous.resolve().name), problems
    return settle(inputs, lines, period), problems


def default_out(inputs: Inputs, period: Period) -> Path:
    return Path("outputs") / inputs.program.program_id / period.label


def write_outputs(folder: Path, inputs: Inputs, settlement: Settlement, balances: tuple[reconcile.Balance, ...],
                  reviews: tuple[TierReview, ...], command: str) -> None:
    write_ledger(folder, inputs.program, settlement)
    write_summary(folder, inputs, settlement, balances, reviews)
    write_statements(folder, inputs, settlement, reviews)
    write_audit(folder, inputs, settlement, command)


def run(folder: Path, period: Period, out: Path | None = None, previous: Path | None = None,
        command: str = "", progress: Progress = quiet) -> Outcome:
    progress("reading")
    checked = check(folder, period)
    refused = {previous: "the --ledger folder"} if previous else {}
    if not checked.ok:
        refusal = out and check_target(out, input_dir=folder, program_id=None, refused=refused)
        return Outcome(_sorted([*checked.problems, *([refusal] if refusal else [])]))
    inputs = checked.inputs
    # The output folder is checked before anything is computed: a refusal costs no time.
    target = out or default_out(inputs, period)
    mended = mend(target)
    refusal = check_target(target, input_dir=folder, program_id=inputs.program.program_id, refused=refused)
    if refusal or any(p.is_error for p in mended):
        return Outcome(_sorted([*checked.problems, *mended, *([refusal] if refusal else [])]))
    progress("computing")
    settlement, problems = compute(inputs, period, previous)
    if settlement is None:
        return Outcome(_sorted([*checked.problems, *mended, *problems]))
    sales_files = [f for f in inputs.files if f.path.startswith("sales/")]
    balances = reconcile.balances(settlement.lines, sales_files)
    problems += reconcile.check(balances)
    problems = _sorted([*checked.problems, *mended, *problems])
    if any(p.is_error for p in problems):
        return Outcome(problems)
    ytd = {r.partner.partner_id: r.totals.ytd_base for r in settlement.rows}
    reviews = review(inputs.program, inputs.partners, ytd)
    progress("writing")
    try:
        mended = write_atomically(target, lambda staging: write_outputs(
            staging, inputs, settlement, balances, reviews, command or f"calc run {folder.name} --period {period}"))
    except WriteFailed as ex:
        return Outcome(_sorted([*problems, ex.problem]))
    return Outcome(_sorted([*problems, *mended]), inputs, settlement, target)
