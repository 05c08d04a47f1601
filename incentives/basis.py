"""Stage 4, basis: what a run settles against, decided before anything is computed.

What earlier periods settled (`previously_settled`) and carried (`carried_in`) comes from the
register when it holds a closed period of the program year (its entries read through
`register/store.py`, summed by the rules of `earlier.py`), else from `--ledger`, an earlier
run's ledger.xlsx read back and checked by `read/settled.py`, else it is recomputed from the
inputs (None here; `earlier.settled_and_carried` recomputes it). A supplement needs the
register. The basis also names the folders `--out` may not be: the register's closed runs and
the `--ledger` folder. I/O at the front end, like `load.py`: errors refuse the run. `--ledger`
may be a run's URL (`storage.py`): downloaded, and refused without its manifest.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path

from incentives.earlier import from_register, from_register_carried
from incentives.model import Inputs
from incentives.periods import Period
from incentives.problems import Problem, Source, error
from incentives.read.settled import read_settled
from incentives.register.close import closed_runs, yearly_winners
from incentives.register.store import Register, RegisterError
from incentives.settle import Origin
from incentives.storage import is_url


@dataclass(frozen=True)
class Basis:
    """What a run settles against, decided before anything is computed."""

    period: Period  # a supplement's with its number
    settled: dict[str, Decimal] | None  # None: recomputed from the inputs
    carried: dict[str, Decimal] | None  # carried_in; None: recomputed from the inputs
    origin: Origin
    inputs: Inputs  # with --ledger, its ledger.xlsx among the files
    refused: dict[Path, str]  # folders `--out` may not name (resolved) -> why
    # a supplement's: each yearly bonus's winners in the closed last period; None: could not be read
    winners: dict[str, list[str]] | None = None


def ledger_folder(previous: Path | str | None) -> dict[Path, str]:
    """The --ledger folder, which --out may not name; none for a URL (a run under a prefix is
    never replaced)."""
    return {previous.resolve(): "the --ledger folder"} if previous is not None and not is_url(previous) else {}


def _settled_from_url(url: str, inputs: Inputs, period: Period):
    """`--ledger URL`: the run under the prefix downloaded and read as a folder would be; refused
    without its manifest (a prefix without one is not a run). Problems name the URL."""
    from incentives import storage

    with tempfile.TemporaryDirectory(prefix="calc-ledger-") as tmp:
        copy = Path(tmp) / "run"
        if (refusal := storage.local_copy(url, copy)) is not None:
            return None, [refusal]
        earlier, found = read_settled(copy, inputs, period)
    shown = url.rstrip("/")
    found = [replace(p, source=replace(p.source, file=p.source.file.replace(copy.as_posix(), shown)))
             for p in found]
    if earlier is not None:
        earlier = replace(earlier, file=replace(earlier.file, path=f"{shown}/{earlier.file.path.rpartition('/')[2]}"))
    return earlier, found


def basis(inputs: Inputs, period: Period, previous: Path | str | None, register: Path | None,
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
            problems.append(error(Source("--ledger"), f"is refused: the register {origin.register} holds "
                                  f"{', '.join(e.period for e in entries)} of {program.program_id} {program.year}",
                                  "run without --ledger: what was settled comes from the register"))
        closed = closed_runs(entries)
        period, settled, found = from_register(inputs, period, closed, where, supplement)
        carried = from_register_carried(closed)
        problems += found
        origin = replace(origin, how="register", closed=tuple(e.period for e in entries))
    elif supplement or period.supplement:
        problems.append(error(where, "a supplement settles late lines after the year's last period is closed, but "
                              + (f"the register holds no closed period of {program.program_id} {program.year}"
                                 if register else "no register was given"),
                              f"close every period of {program.year} first (calc close), then run the supplement"))
    elif previous is not None:
        earlier, found = _settled_from_url(previous, inputs, period) if is_url(previous) else \
            read_settled(previous, inputs, period)
        if earlier is not None and is_url(inputs.folder) and not is_url(previous):  # no input folder to be relative to
            name = earlier.file.path.rpartition("/")[2]
            earlier = replace(earlier, file=replace(earlier.file, path=(previous.resolve() / name).as_posix()))
        problems += found
        if earlier is not None:
            settled, carried = earlier.settled, earlier.carried
            inputs = replace(inputs, files=(*inputs.files, earlier.file))
            origin = replace(origin, how="ledger", ledger=previous if is_url(previous) else previous.as_posix(),
                             ledger_sha256=earlier.file.sha256)
        refused = {**refused, **ledger_folder(previous)}
    winners = None
    if period.supplement and register is not None and any(b.period == "year" for b in program.bonuses) \
            and not any(p.is_error for p in problems):
        winners = yearly_winners(register, program.program_id, program.year, period.base.label)
    return Basis(period, settled, carried, origin, inputs, refused, winners), problems
