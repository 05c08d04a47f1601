"""The command line: parse options, call the pipeline, print, choose the exit code (`exits.py`)."""

from __future__ import annotations

import contextlib
import sys
from decimal import Decimal
from pathlib import Path

import click

from incentives import __version__, pipeline, reconcile, words
from incentives.exits import EXIT_INPUT, guarded
from incentives.periods import Period, parse_period
from incentives.problems import Problem, Source, error, said, told
from incentives.register.manifest import short
from incentives.register.store import default_path
from incentives.settle import Origin
from incentives.storage import is_url, last_name
from incentives.usage import Calc, Invalid, OneOf, no_folder
from incentives.write.audit import settled_said
from incentives.write.errors import write_errors
from incentives.write.register import write_register


class PeriodType(click.ParamType):
    name = "PERIOD"

    def convert(self, value, param, ctx) -> Period:
        if isinstance(value, Period):
            return value
        try:
            return parse_period(value)
        except ValueError:
            raise Invalid(said("usage.period", period=str(value)), ctx, param) from None


class FolderOrURL(click.ParamType):
    """A local folder (checked by `click.Path`: it must exist) or a URL such as s3://bucket/prefix
    (`storage.py`), kept as text."""

    name = "FOLDER|URL"

    def __init__(self, exists: bool = True):
        self.path = click.Path(exists=exists, file_okay=False, path_type=Path)

    def convert(self, value, param, ctx):
        if is_url(value):
            return value
        if self.path.exists and not isinstance(value, Path) and not Path(value).exists():
            raise Invalid(no_folder(Path(value)), ctx, param)  # named with the closest folder beside it
        return self.path.convert(value, param, ctx)


REGISTER_HELP = ("The register of closed runs (an SQLite file; keep it on a local disk). Default: $CALC_REGISTER, "
                 "else outputs/register.sqlite.")


def register_option(command):
    return click.option("--register", "register", type=click.Path(dir_okay=False, path_type=Path), default=None,
                        help=REGISTER_HELP)(command)


def lang_option(command):
    return click.option("--lang", "lang", type=OneOf(words.LANGUAGES), default=None,
                        help="Language of the messages and summaries printed (and of --errors): "
                             + ", ".join(words.LANGUAGES) + ". Default: the program's language setting, else "
                             "English.")(command)


class Say:
    """The terminal's words in one language: `say(key, **values)` a message of the catalogues,
    `say.money(x)` an amount as the language writes it (1,987,400.00 / 1 987 400,00)."""

    def __init__(self, language: str):
        self.language = language
        self.money = words.Words(language).number

    def __call__(self, key: str, **values) -> str:
        return words.say(key, values, self.language)

    def unit(self, unit: str) -> str:
        """What is paid as the terminal names it after an amount: KZT, or points in the language's words."""
        return self("cli.unit:points") if unit == "points" else unit

    def echo(self, key: str, err: bool = False, **values) -> None:
        click.echo(self(key, **values), err=err)


def register_path(given: Path | None) -> Path:
    return given if given is not None else default_path()


def register_line(say: Say, path: Path, program: str, head: str, closed: tuple[str, ...] = ()) -> str:
    """The register a command used and its head: printed by every command that uses it."""
    if head:
        return say("cli.register_head", path=str(path), program=program, head=short(head), closed=", ".join(closed))
    return say("cli.register_empty" if path.exists() else "cli.register_missing", path=str(path), program=program)


def report(say: Say, problems: list[Problem], errors_file: Path | None = None) -> None:
    """Every problem, a column's cells with the same problem as one line; all of them, one a row,
    in `errors_file` when given."""
    for problem, text in told(problems, language=say.language):
        say.echo("cli.error" if problem.is_error else "cli.note", err=problem.is_error, text=text)
    if errors_file is not None:
        write_errors(errors_file, problems, say.language)
        say.echo("cli.errors_file", err=True, path=str(errors_file))
    errors = sum(p.is_error for p in problems)
    notes = len(problems) - errors
    say.echo("cli.counts", err=bool(errors), errors=errors, notes=notes)


def speaking(input_dir: Path, lang: str | None) -> Say:
    """`--lang`, else the language of the folder's program, else English."""
    return Say(words.language_of(lang, lang or pipeline.language(input_dir)))


def _nothing(n: int) -> None:
    pass


def progress_in(say: Say):
    """The terminal's `pipeline.Progress` in the language of `say`."""
    return lambda phase, total=0: progress(phase, total, say)


def progress(phase: str, total: int = 0, say: Say | None = None):
    """A phase on stderr when it is a terminal, silent in scripts and CI: a counted phase (files
    read, statements written) as a progress bar with its count; returns the phase's tick."""
    if not sys.stderr.isatty():
        return _nothing
    words_ = (say or Say("en"))("cli.phase:" + phase)
    if not total:
        click.echo(f"calc: {words_}...", err=True)
        return _nothing
    bar = click.progressbar(length=total, label=f"calc: {words_}", file=sys.stderr, show_pos=True, show_eta=False)
    bar.render_progress()

    def tick(n: int) -> None:
        bar.update(n)
        if bar.pos >= total:
            bar.render_finish()
    return tick


@click.group(cls=Calc, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="calc")
def main() -> None:
    """calc: rebates, points and bonuses of channel partner programs, from sales workbooks."""


@main.command()
@click.argument("input_dir", type=FolderOrURL())
@click.option("--period", type=PeriodType(), help="Settlement period: 2026Q3, 2026-09 or 2026.")
@click.option("--errors", "errors_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also write every error and note to this workbook (.xlsx), one a row, to filter.")
@lang_option
def validate(input_dir: Path, period: Period | None, errors_file: Path | None, lang: str | None) -> None:
    """Check INPUT_DIR against the data contract and print every error and note."""
    say = guarded(lambda: speaking(input_dir, lang))

    def action():
        outcome = pipeline.check(input_dir, period, progress_in(say))
        report(say, outcome.problems, errors_file=errors_file)
        if not outcome.ok:
            sys.exit(EXIT_INPUT)
        inputs = outcome.inputs
        say.echo("cli.valid", folder=str(input_dir), lines=inputs.sales.height, files=len(inputs.files),
                 partners=len(inputs.partners))
    guarded(action, say.language)


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
@lang_option
def run(input_dir: Path | str, period: Period, out: Path | str | None, previous: Path | None, register: Path | None,
        supplement: bool, errors_file: Path | None, cluster_address: str | None, lang: str | None) -> None:
    """Compute the period's ledger from INPUT_DIR (a folder, or a URL such as s3://bucket/vendor/2026)
    and write the output folder."""
    say = guarded(lambda: speaking(input_dir, lang))

    def action():
        command = (f"calc run {last_name(input_dir)} --period {period}"
                   + (f" --ledger {last_name(previous)}" if previous else "") + (" --supplement" if supplement else ""))
        book = register_path(register)
        with _cluster(cluster_address, say) as cluster:
            outcome = pipeline.run(input_dir, period, out, previous, command, progress_in(say), book, supplement,
                                   cluster)
        if outcome.origin is not None:
            click.echo(register_line(say, book, outcome.program, outcome.origin.head, outcome.origin.closed))
        report(say, outcome.problems, errors_file=errors_file)
        if not outcome.ok:
            say.echo("cli.nothing_written", err=True)
            sys.exit(EXIT_INPUT)
        settlement, program = outcome.settlement, outcome.inputs.program
        rows = settlement.rows
        payable = sum((r.total_payable for r in rows), start=Decimal(0))
        unit = say.unit(program.unit)
        excluded = reconcile.excluded_said(settlement.lines, program.base_currency)
        say.echo("cli.ran", program=program.program_id, period=str(settlement.period), partners=len(rows),
                 payable=say.money(payable), unit=unit, out=str(outcome.out),
                 excluded=say("cli.ran_excluded", excluded=excluded) if excluded else "")
        to_pay = sum((r.payment for r in rows if r.payment > 0), start=Decimal(0))
        to_recover = sum((-r.payment for r in rows if r.payment < 0), start=Decimal(0))
        carried = sum((-r.carried_out for r in rows), start=Decimal(0))
        say.echo("cli.payments_points" if program.unit == "points" else "cli.payments", unit=unit,
                 pay=say.money(to_pay), recover=say.money(to_recover),
                 carried=say("cli.carried", amount=say.money(carried), unit=unit)
                 if program.clawback == "carry_forward" else "")
        say.echo("cli.settled", how=_settled_line(say, settlement.settled_from, settlement.period))
        say.echo("cli.run_id", run_id=short(settlement.run_id),
                 close=f"calc close {outcome.out}" + (f" --register {register}" if register else ""))
    guarded(action, say.language)


@contextlib.contextmanager
def _cluster(address: str | None, say: Say):
    """The checked cluster of `--cluster`, or None; a refusal printed, exit 1, nothing computed."""
    if address is None:
        yield None
        return
    try:
        from incentives import cluster
    except ImportError as ex:
        report(say, [error(Source(f"--cluster {address}"), "cli.cluster_extra", missing=str(ex.name))])
        sys.exit(EXIT_INPUT)
    try:
        connected = cluster.connect(address)
        held = connected.__enter__()
    except cluster.Refused as ex:
        report(say, [ex.problem])
        say.echo("cli.nothing_written", err=True)
        sys.exit(EXIT_INPUT)
    try:
        yield held
    finally:
        connected.__exit__(None, None, None)


def _settled_line(say: Say, origin: Origin, period: Period) -> str:
    if origin.how != "recomputed":  # the audit's Run sheet says the same, in English
        return settled_said(origin).text(say.language)
    if period.index == 1:
        return say("cli.settled_first", period=str(period))
    return say("cli.settled_recomputed")


@main.command()
@click.argument("run_dir", type=FolderOrURL())
@register_option
@click.option("--adopt", is_flag=True,
              help="Bring in a period paid before the register was used (a year already under way): a run without "
                   "manifest.sha256, or not computed against the register, for the next open period only.")
@lang_option
def close(run_dir: Path, register: Path | None, adopt: bool, lang: str | None) -> None:
    """Record the finished run in RUN_DIR as paid: the register's next entry, the run's files made
    read-only, and the payments file for accounts payable written beside the register."""
    say = guarded(lambda: Say(words.language_of(lang, lang or pipeline.close_language(run_dir))))

    def action():
        book = register_path(register)
        closing = pipeline.close(run_dir, book, adopt)
        if closing.program:
            click.echo(register_line(say, book, closing.program, closing.head_before, closing.closed))
        if closing.problems:
            report(say, list(closing.problems))
        if not closing.ok:
            say.echo("cli.not_closed", err=True, folder=str(run_dir))
            sys.exit(EXIT_INPUT)
        entry = closing.entry
        payable = entry.total("total_payable")
        if closing.already:
            say.echo("cli.already_closed", folder=str(run_dir), program=entry.program_id, period=entry.period,
                     at=entry.closed_at, by=entry.closed_by)
        else:
            say.echo("cli.closed_adopted" if entry.adopted else "cli.closed", program=entry.program_id,
                     period=entry.period, partners=len(entry.rows), payable=say.money(payable),
                     unit=say.unit(entry.unit),
                     run_id=short(entry.run_id))
            say.echo("cli.new_head", path=str(book), program=closing.program, head=short(entry.sha256))
            say.echo("cli.read_only", folder=str(run_dir))
        pays = entry.values("payment")
        to_pay = [v for v in pays.values() if v > 0]
        to_recover = [-v for v in pays.values() if v < 0]
        say.echo("cli.payments_file", path=str(closing.payments), paid=len(to_pay), recovered=len(to_recover),
                 pay=say.money(sum(to_pay, Decimal(0))), recover=say.money(sum(to_recover, Decimal(0))),
                 unit=say.unit(entry.unit))
        carried = entry.total("carried_out")
        if carried:
            say.echo("cli.carried_next", amount=say.money(-carried), unit=say.unit(entry.unit))
        if closing.coming:
            coming = parse_period(closing.coming)
            say.echo("cli.next_supplement" if coming.supplement else "cli.next", period=str(coming.base))
    guarded(action, say.language)


@main.command("register")
@register_option
@click.option("--program", "program_id", help="Only this program_id.")
@click.option("--verify", is_flag=True,
              help="Re-hash every closed run folder against its manifest and re-check the hash chains; exit 1 "
                   "naming each altered, added or missing file.")
@click.option("--xlsx", "xlsx", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the register as a workbook: one row per partner and closed period.")
@lang_option
def register_(register: Path | None, program_id: str | None, verify: bool, xlsx: Path | None,
              lang: str | None) -> None:
    """List the closed periods of each program in the register: period, closed at, by, total payable."""
    say = Say(words.language_of(lang))

    def action():
        book = register_path(register)
        if not book.exists():
            say.echo("cli.no_register", err=True, path=str(book))
            sys.exit(EXIT_INPUT)
        entries = pipeline.register_entries(book, program_id)
        say.echo("cli.register", path=str(book))
        years: dict[tuple[str, int], list] = {}
        for e in entries:
            years.setdefault((e.program_id, e.year), []).append(e)
        if not entries:
            say.echo("cli.none_closed_of" if program_id else "cli.none_closed", program=program_id or "")
        for (pid, year), closed in years.items():
            say.echo("cli.register_year", program=pid, year=year, head=short(closed[-1].sha256), count=len(closed))
            click.echo(f"  {say('cli.col_period'):<12} {say('cli.col_closed_at'):<21} {say('cli.col_by'):<12} "
                       f"{say('cli.col_payable'):>18}")
            for e in closed:
                click.echo(f"  {e.period:<12} {e.closed_at:<21} {e.closed_by:<12} "
                           f"{say.money(e.total('total_payable')):>18} {say.unit(e.unit)}"
                           + (say("cli.adopted_mark") if e.adopted else ""))
        if xlsx is not None:
            write_register(xlsx, entries)
            say.echo("cli.workbook", path=str(xlsx))
        if verify:
            checked = pipeline.verify_register(book, program_id)
            for problem in checked.problems:
                say.echo("cli.error", err=True, text=problem.text(say.language))
            if checked.problems:
                say.echo("cli.verify_failed", err=True, problems=len(checked.problems), runs=len(checked.entries))
                sys.exit(EXIT_INPUT)
            say.echo("cli.verified", runs=len(checked.entries), files=checked.files)
    guarded(action, say.language)


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
