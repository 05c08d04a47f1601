"""The command line: parse options, call the pipeline, print, choose the exit code.

Exit codes: 0 done, 1 the inputs have errors (all printed, nothing written),
2 usage error, 3 an internal error (a bug: please report it).
"""

from __future__ import annotations

import os
import sys
from decimal import Decimal
from pathlib import Path

import click

from incentives import __version__, pipeline, reconcile
from incentives.money import fmt
from incentives.periods import Period, parse_period
from incentives.problems import Problem

EXIT_INPUT = 1
EXIT_INTERNAL = 3


class PeriodType(click.ParamType):
    name = "PERIOD"

    def convert(self, value, param, ctx) -> Period:
        if isinstance(value, Period):
            return value
        try:
            return parse_period(value)
        except ValueError as ex:
            self.fail(str(ex), param, ctx)


FOLDER = click.Path(exists=True, file_okay=False, path_type=Path)


def report(problems: list[Problem], files: int | None = None) -> None:
    for problem in problems:
        label = "error" if problem.is_error else "note"
        click.echo(f"{label}: {problem}", err=problem.is_error)
    errors = sum(p.is_error for p in problems)
    notes = len(problems) - errors
    click.echo(f"{errors} error(s), {notes} note(s)", err=bool(errors))


def progress(phase: str) -> None:
    """Phases on stderr when it is a terminal; silent in scripts and CI."""
    if sys.stderr.isatty():
        click.echo(f"calc: {phase}...", err=True)


def guarded(action):
    """No traceback reaches a finance user; CALC_DEBUG=1 shows it to a developer."""
    try:
        return action()
    except (click.ClickException, click.exceptions.Exit, click.Abort):
        raise
    except Exception as ex:  # a bug, not bad input: bad input is reported as problems
        if os.environ.get("CALC_DEBUG"):
            raise
        click.echo(f"calc: internal error: {type(ex).__name__}: {ex} (set CALC_DEBUG=1 for details, "
                   "and please report it)", err=True)
        sys.exit(EXIT_INTERNAL)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="calc")
def main() -> None:
    """calc: rebates, points and bonuses of channel partner programs, from sales workbooks."""


@main.command()
@click.argument("input_dir", type=FOLDER)
@click.option("--period", type=PeriodType(), help="Settlement period: 2026Q3, 2026-09 or 2026.")
def validate(input_dir: Path, period: Period | None) -> None:
    """Check INPUT_DIR against the data contract and print every error and note."""
    def action():
        outcome = pipeline.check(input_dir, period)
        report(outcome.problems)
        if not outcome.ok:
            sys.exit(EXIT_INPUT)
        inputs = outcome.inputs
        click.echo(f"{input_dir}: {inputs.sales.height} sales line(s) in {len(inputs.files)} file(s), "
                   f"{len(inputs.partners)} partner(s): valid")
    guarded(action)


@main.command()
@click.argument("input_dir", type=FOLDER)
@click.option("--period", type=PeriodType(), required=True, help="Settlement period: 2026Q3, 2026-09 or 2026.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Output folder (default: outputs/<program_id>/<period>/).")
@click.option("--ledger", "previous", type=FOLDER,
              help="An earlier run's output folder: what it settled is previously_settled.")
def run(input_dir: Path, period: Period, out: Path | None, previous: Path | None) -> None:
    """Compute the period's ledger from INPUT_DIR and write the output folder."""
    def action():
        command = f"calc run {input_dir.name} --period {period}" + (f" --ledger {previous.name}" if previous else "")
        outcome = pipeline.run(input_dir, period, out, previous, command, progress)
        report(outcome.problems)
        if not outcome.ok:
            click.echo("nothing was written", err=True)
            sys.exit(EXIT_INPUT)
        rows = outcome.settlement.rows
        payable = sum((r.total_payable for r in rows), start=Decimal(0))
        program = outcome.inputs.program
        excluded = reconcile.excluded_words(outcome.settlement.lines, program.base_currency)
        click.echo(f"{program.program_id} {period}: {len(rows)} partner(s), "
                   f"total payable {fmt(payable)} {program.unit}" + (f"; {excluded}" if excluded else "")
                   + f" -> {outcome.out}")
    guarded(action)


@main.command()
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path), default=Path("templates"))
def templates(folder: Path) -> None:
    """Write the blank input workbooks into FOLDER (default: templates/)."""
    from incentives.templates import write_templates

    for path in guarded(lambda: write_templates(folder)):
        click.echo(str(path))


# The auditor tools live in incentives/tools; their commands are thin too.
from incentives.tools.commands import diff, explain  # noqa: E402

main.add_command(diff)
main.add_command(explain)
