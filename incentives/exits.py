"""How every command ends: its exit code, and no traceback for a finance user.

Exit codes: 0 done, 1 the inputs have errors (all printed, nothing written), 2 usage error,
3 an internal error (a bug: please report it). Shared by `cli.py` and the auditor tools'
commands (`tools/commands.py`), so that neither imports the other.
"""

from __future__ import annotations

import os
import sys

import click

from incentives.register.store import RegisterError
from incentives.words import say

EXIT_INPUT = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3


def guarded(action, language: str = "en"):
    """No traceback reaches a finance user; CALC_DEBUG=1 shows it to a developer. What it
    says, it says in `language`."""
    try:
        return action()
    except (click.ClickException, click.exceptions.Exit, click.Abort):
        raise
    except RegisterError as ex:  # a register file that cannot be opened or written
        click.echo(f"calc: {ex}", err=True)
        sys.exit(EXIT_INPUT)
    except Exception as ex:  # a bug, not bad input: bad input is reported as problems
        if os.environ.get("CALC_DEBUG"):
            raise
        told = say("exits.internal", {"kind": type(ex).__name__, "error": str(ex)}, language)
        click.echo(f"calc: {told}", err=True)
        sys.exit(EXIT_INTERNAL)
