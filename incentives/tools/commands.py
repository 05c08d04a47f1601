"""The click commands `diff` and `explain`: options, a call into the tool, printing, exit codes.

Registered on the `calc` group by cli.py. Exit codes, for scripts and CI: diff 0 equal,
1 different; explain 0 explained, 1 the ledger disagrees with its own lines; both 2 on a
usage error or a file they cannot read, 3 on an internal error (a bug).
"""

from __future__ import annotations

import sys
from decimal import Decimal, InvalidOperation
from pathlib import Path

import click
from xlsxwriter.exceptions import FileCreateError

from incentives.exits import EXIT_USAGE, guarded
from incentives.tools import ToolError
from incentives.tools import diff as diffing
from incentives.tools import diff_report
from incentives.tools import explain as explaining
from incentives.tools import explain_report

EXIT_DIFFERENT = 1
EXIT_DISAGREES = 1


class DecimalType(click.ParamType):
    name = "AMOUNT"

    def convert(self, value, param, ctx) -> Decimal:
        try:
            amount = Decimal(str(value).strip())
        except InvalidOperation:
            self.fail(f"{value!r} is not a number", param, ctx)
        if not amount.is_finite() or amount < 0:
            self.fail(f"{value!r} is not a number of 0 or more", param, ctx)
        return amount


EXISTING = click.Path(exists=True, path_type=Path)


def _run(action):
    """A ToolError is the user's (exit 2, its message); anything else goes to `guarded`,
    which hides tracebacks from finance users."""
    def checked():
        try:
            return action()
        except ToolError as ex:
            click.echo(f"calc: {ex}", err=True)
            sys.exit(EXIT_USAGE)

    return guarded(checked)


@click.command("diff")
@click.argument("old", type=EXISTING)
@click.argument("new", type=EXISTING)
@click.option("--tolerance", type=DecimalType(), default="0", show_default=True,
              help="Numbers differing by at most this much are equal.")
@click.option("--ignore-sheet", "ignore", multiple=True, metavar="NAME",
              help="Leave out sheets of this name (any case), in every workbook; repeatable.")
@click.option("--report", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the differences to this workbook (.xlsx).")
@click.option("--limit", type=click.IntRange(min=0), default=50, show_default=True,
              help="Rows shown per sheet in the terminal (0: all).")
def diff(old: Path, new: Path, tolerance: Decimal, ignore: tuple[str, ...], report: Path | None, limit: int) -> None:
    """Compare two workbooks, or two run folders (every .xlsx by relative path).

    Rows are matched by key (partner_id; partner_id, invoice_id, line_no; path) where the
    header names one, otherwise by position. Exit 0 when equal, 1 when different, 2 on error.
    """
    def action():
        result = diffing.compare(old, new, tolerance, ignore)
        click.echo(diff_report.render(result, limit), nl=False)
        if report is not None:
            try:
                diff_report.write_report(result, report)
            except (OSError, FileCreateError) as ex:  # xlsxwriter wraps the OSError of a file it cannot create
                raise ToolError(f"cannot write the report {report}: {ex}") from ex
            click.echo(f"report: {report}")
        return result.equal

    if not _run(action):
        sys.exit(EXIT_DIFFERENT)


@click.command("explain")
@click.argument("run_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.argument("partner_id")
@click.option("--lines", is_flag=True, help="List the lines behind each figure, with their source file and row.")
def explain(run_dir: Path, partner_id: str, lines: bool) -> None:
    """Explain PARTNER_ID's figures in the run output folder RUN_DIR, from its workbooks alone.

    Every sum is redone from the statement's lines and checked against the ledger to the
    cent. Exit 0 when they agree, 1 when they do not, 2 on an unknown partner or bad folder.
    """
    def action():
        explanation = explaining.explain(explaining.read_run(run_dir), partner_id.strip())
        click.echo(explain_report.render(explanation, lines), nl=False)
        if not explanation.ok:
            bad = sum(not c.ok for c in explanation.checks)
            click.echo(f"calc: the ledger of {run_dir} disagrees with the lines of {explanation.partner_id} "
                       f"in {bad} figure(s)", err=True)
        return explanation.ok

    if not _run(action):
        sys.exit(EXIT_DISAGREES)
