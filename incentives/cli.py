"""The command line: parse options, call the pipeline, print, choose the exit code (`exits.py`)."""

from __future__ import annotations

import contextlib
import sys
from decimal import Decimal
from pathlib import Path

import click

from incentives import __version__, pipeline, reconcile
from incentives.exits import EXIT_INPUT, guarded
from incentives.money import fmt
from incentives.periods import Period, parse_period
from incentives.problems import Problem, told
from incentives.register.manifest import short
from incentives.register.store import default_path
from incentives.settle import Origin
from incentives.storage import is_url, last_name
from incentives.write.audit import settled_words
from incentives.write.errors import write_errors
from incentives.write.register import write_register


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


class FolderOrURL(click.ParamType):
    """A local folder (checked as FOLDER: it must exist) or a URL such as s3://bucket/prefix
    (`storage.py`), kept as text."""

    name = "FOLDER|URL"

    def __init__(self, exists: bool = True):
        self.path = click.Path(exists=exists, file_okay=False, path_type=Path)

    def convert(self, value, param, ctx):
        if is_url(value):
            return value
        return self.path.convert(value, param, ctx)
REGISTER_HELP = ("The register of closed runs (an SQLite file; keep it on a local disk). Default: $CALC_REGISTER, "
                 "else outputs/register.sqlite.")


def register_option(command):
    return click.option("--register", "register", type=click.Path(dir_okay=False, path_type=Path), default=None,
                        help=REGISTER_HELP)(command)


def register_path(given: Path | None) -> Path:
    return given if given is not None else default_path()


def register_line(path: Path, program: str, head: str, closed: tuple[str, ...] = ()) -> str:
    """The register a command used and its head: printed by every command that uses it."""
    if head:
        return f"register {path}: {program} at head {short(head)} (closed: {', '.join(closed)})"
    missing = "" if path.exists() else " (the file does not exist yet: calc close creates it)"
    return f"register {path}: no closed period of {program}{missing}"


def report(problems: list[Problem], errors_file: Path | None = None) -> None:
    """Every problem, a column's cells with the same problem as one line; all of them, one a row,
    in `errors_file` when given."""
    for problem, text in told(problems):
        label = "error" if problem.is_error else "note"
        click.echo(f"{label}: {text}", err=problem.is_error)
    if errors_file is not None:
        write_errors(errors_file, problems)
        click.echo(f"every problem, one a row: {errors_file}", err=True)
    errors = sum(p.is_error for p in problems)
    notes = len(problems) - errors
    click.echo(f"{errors} error(s), {notes} note(s)", err=bool(errors))


def _nothing(n: int) -> None:
    pass


def progress(phase: str, total: int = 0):
    """A phase on stderr when it is a terminal, silent in scripts and CI: a counted phase (files
    read, statements written) as a progress bar with its count; returns the phase's tick."""
    if not sys.stderr.isatty():
        return _nothing
    if not total:
        click.echo(f"calc: {phase}...", err=True)
        return _nothing
    bar = click.progressbar(length=total, label=f"calc: {phase}", file=sys.stderr, show_pos=True, show_eta=False)
    bar.render_progress()

    def tick(n: int) -> None:
        bar.update(n)
        if bar.pos >= total:
            bar.render_finish()
    return tick


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="calc")
def main() -> None:
    """calc: rebates, points and bonuses of channel partner programs, from sales workbooks."""


@main.command()
@click.argument("input_dir", type=FolderOrURL())
@click.option("--period", type=PeriodType(), help="Settlement period: 2026Q3, 2026-09 or 2026.")
@click.option("--errors", "errors_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also write every error and note to this workbook (.xlsx), one a row, to filter.")
def validate(input_dir: Path, period: Period | None, errors_file: Path | None) -> None:
    """Check INPUT_DIR against the data contract and print every error and note."""
    def action():
        outcome = pipeline.check(input_dir, period, progress)
        report(outcome.problems, errors_file=errors_file)
        if not outcome.ok:
            sys.exit(EXIT_INPUT)
        inputs = outcome.inputs
        click.echo(f"{input_dir}: {inputs.sales.height} sales line(s) in {len(inputs.files)} file(s), "
                   f"{len(inputs.partners)} partner(s): valid")
    guarded(action)


@main.command()
@click.argument("input_dir", type=FolderOrURL())
@click.option("--period", type=PeriodType(), required=True, help="Settlement period: 2026Q3, 2026-09 or 2026.")
@click.option("--out", type=FolderOrURL(exists=False),
              help="Output folder (default: outputs/<program_id>/<period>/); or a URL (s3://bucket/runs/...), "
                   "under which the run is written as <out>/<run id>/, manifest.sha256 last.")
@click.option("--ledger", "previous", type=FolderOrURL(),
              help="An earlier run's output folder (the period right before), when no period of the year is closed "
                   "in the register: what it paid is previously_settled.")
@register_option
@click.option("--supplement", is_flag=True,
              help="After the year's last period is closed: settle late lines and corrections in a supplementary "
                   "run of that period (2026Q4-S1, -S2, ...).")
@click.option("--errors", "errors_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also write every error and note to this workbook (.xlsx), one a row, to filter.")
@click.option("--cluster", "cluster_address", metavar="ADDRESS", default=None,
              help="Read the files and write the statements on a Dask cluster: its scheduler's address "
                   "(tcp://scheduler:8786), or local:N to start N worker processes here. Needs "
                   "calc-incentives[cluster]; every worker must have the same versions as this calc.")
def run(input_dir: Path | str, period: Period, out: Path | str | None, previous: Path | None, register: Path | None,
        supplement: bool, errors_file: Path | None, cluster_address: str | None) -> None:
    """Compute the period's ledger from INPUT_DIR (a folder, or a URL such as s3://bucket/vendor/2026)
    and write the output folder."""
    def action():
        command = (f"calc run {last_name(input_dir)} --period {period}"
                   + (f" --ledger {last_name(previous)}" if previous else "") + (" --supplement" if supplement else ""))
        book = register_path(register)
        with _cluster(cluster_address) as cluster:
            outcome = pipeline.run(input_dir, period, out, previous, command, progress, book, supplement, cluster)
        if outcome.origin is not None:
            click.echo(register_line(book, outcome.program, outcome.origin.head, outcome.origin.closed))
        report(outcome.problems, errors_file=errors_file)
        if not outcome.ok:
            click.echo("nothing was written", err=True)
            sys.exit(EXIT_INPUT)
        settlement, program = outcome.settlement, outcome.inputs.program
        rows = settlement.rows
        payable = sum((r.total_payable for r in rows), start=Decimal(0))
        excluded = reconcile.excluded_words(settlement.lines, program.base_currency)
        click.echo(f"{program.program_id} {settlement.period}: {len(rows)} partner(s), "
                   f"total payable {fmt(payable)} {program.unit}" + (f"; {excluded}" if excluded else "")
                   + f" -> {outcome.out}")
        to_pay = sum((r.payment for r in rows if r.payment > 0), start=Decimal(0))
        to_recover = sum((-r.payment for r in rows if r.payment < 0), start=Decimal(0))
        carried = sum((-r.carried_out for r in rows), start=Decimal(0))
        pay, recover = ("points credited", "points debited") if program.unit == "points" else ("to pay", "to recover")
        click.echo(f"{pay} {fmt(to_pay)} {program.unit}, {recover} {fmt(to_recover)} {program.unit}"
                   + (f", carried forward {fmt(carried)} {program.unit} (claw-backs offset against the next periods)"
                      if program.clawback == "carry_forward" else ""))
        click.echo(f"previously settled: {_settled_line(settlement.settled_from, settlement.period)}")
        click.echo(f"run id {short(settlement.run_id)}; review the folder, then record it as paid: "
                   f"calc close {outcome.out}" + (f" --register {register}" if register else ""))
    guarded(action)


@contextlib.contextmanager
def _cluster(address: str | None):
    """The checked cluster of `--cluster`, or None; a refusal printed, exit 1, nothing computed."""
    if address is None:
        yield None
        return
    try:
        from incentives import cluster
    except ImportError as ex:
        click.echo(f"error: --cluster {address}: needs the cluster extra ({ex.name} is not installed) "
                   "(pip install 'calc-incentives[cluster]')", err=True)
        sys.exit(EXIT_INPUT)
    try:
        connected = cluster.connect(address)
        held = connected.__enter__()
    except cluster.Refused as ex:
        report([ex.problem])
        click.echo("nothing was written", err=True)
        sys.exit(EXIT_INPUT)
    try:
        yield held
    finally:
        connected.__exit__(None, None, None)


def _settled_line(origin: Origin, period: Period) -> str:
    if origin.how != "recomputed":
        return settled_words(origin)
    if period.index == 1:
        return f"nothing ({period} is the year's first period)"
    return ("recomputed from these inputs, as if every line had been known when its period was paid: late lines "
            "of earlier periods are not paid this way. Close each period (calc close) and the next run pays them "
            "as true-ups")


@main.command()
@click.argument("run_dir", type=FolderOrURL())
@register_option
@click.option("--adopt", is_flag=True,
              help="Bring in a period paid before the register was used (a year already under way): a run without "
                   "manifest.sha256, or not computed against the register, for the next open period only.")
def close(run_dir: Path, register: Path | None, adopt: bool) -> None:
    """Record the finished run in RUN_DIR as paid: the register's next entry, the run's files made
    read-only, and the payments file for accounts payable written beside the register."""
    def action():
        book = register_path(register)
        closing = pipeline.close(run_dir, book, adopt)
        if closing.program:
            click.echo(register_line(book, closing.program, closing.head_before, closing.closed))
        if closing.problems:
            report(list(closing.problems))
        if not closing.ok:
            click.echo(f"{run_dir} was not closed", err=True)
            sys.exit(EXIT_INPUT)
        entry = closing.entry
        payable = entry.total("total_payable")
        if closing.already:
            click.echo(f"{run_dir} is already closed: {entry.program_id} {entry.period}, closed {entry.closed_at} "
                       f"by {entry.closed_by}; nothing added")
        else:
            click.echo(f"closed {entry.program_id} {entry.period}{' (adopted)' if entry.adopted else ''}: "
                       f"{len(entry.rows)} partner(s), total payable {fmt(payable)} {entry.unit}, run id "
                       f"{short(entry.run_id)}")
            click.echo(f"register {book}: head of {closing.program} is now {short(entry.sha256)}")
            click.echo(f"the files of {run_dir} are now read-only")
        pays = entry.values("payment")
        to_pay = [v for v in pays.values() if v > 0]
        to_recover = [-v for v in pays.values() if v < 0]
        click.echo(f"payments for accounts payable: {closing.payments} ({len(to_pay)} to pay, {len(to_recover)} to "
                   f"recover): to pay {fmt(sum(to_pay, Decimal(0)))} {entry.unit}, to recover "
                   f"{fmt(sum(to_recover, Decimal(0)))} {entry.unit}")
        carried = entry.total("carried_out")
        if carried:
            click.echo(f"carried forward to the next period: {fmt(-carried)} {entry.unit} to recover from what "
                       "the partners earn next")
        if closing.coming:
            coming = parse_period(closing.coming)
            click.echo(f"next: calc run INPUT_DIR --period {coming.base}" + (" --supplement" if coming.supplement
                                                                             else "")
                       + (" (late lines and corrections of the year, after its last period)" if coming.supplement
                          else ""))
    guarded(action)


@main.command("register")
@register_option
@click.option("--program", "program_id", help="Only this program_id.")
@click.option("--verify", is_flag=True,
              help="Re-hash every closed run folder against its manifest and re-check the hash chains; exit 1 "
                   "naming each altered, added or missing file.")
@click.option("--xlsx", "xlsx", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the register as a workbook: one row per partner and closed period.")
def register_(register: Path | None, program_id: str | None, verify: bool, xlsx: Path | None) -> None:
    """List the closed periods of each program in the register: period, closed at, by, total payable."""
    def action():
        book = register_path(register)
        if not book.exists():
            click.echo(f"register {book}: does not exist (calc close creates it)", err=True)
            sys.exit(EXIT_INPUT)
        entries = pipeline.register_entries(book, program_id)
        click.echo(f"register {book}")
        years: dict[tuple[str, int], list] = {}
        for e in entries:
            years.setdefault((e.program_id, e.year), []).append(e)
        if not entries:
            click.echo("  no closed period" + (f" of {program_id}" if program_id else ""))
        for (pid, year), closed in years.items():
            click.echo(f"{pid} {year}: head {short(closed[-1].sha256)}, {len(closed)} closed period(s)")
            click.echo(f"  {'period':<12} {'closed at (UTC)':<21} {'by':<12} {'total payable':>18}")
            for e in closed:
                click.echo(f"  {e.period:<12} {e.closed_at:<21} {e.closed_by:<12} "
                           f"{fmt(e.total('total_payable')):>18} {e.unit}" + ("  adopted" if e.adopted else ""))
        if xlsx is not None:
            write_register(xlsx, entries)
            click.echo(f"workbook: {xlsx}")
        if verify:
            checked = pipeline.verify_register(book, program_id)
            for problem in checked.problems:
                click.echo(f"error: {problem}", err=True)
            if checked.problems:
                click.echo(f"{len(checked.problems)} problem(s) in {len(checked.entries)} closed run(s): the register "
                           "no longer matches the run folders it records", err=True)
                sys.exit(EXIT_INPUT)
            click.echo(f"verified: {len(checked.entries)} closed run(s), {checked.files} file(s) match their "
                       "manifests, and the hash chains are whole")
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
