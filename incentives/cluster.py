"""`calc run --cluster ADDRESS`: the run's two maps (reading each input file, writing each batch
of statements) on a Dask cluster instead of the local spawn pool. Imported only with the flag.

`connect` opens a client to a running scheduler (`tcp://host:8786`) or starts a LocalCluster
(`local:N`: N single-threaded worker processes), and refuses to run when a worker's versions
differ from the client's: byte-identical outputs are promised per version of calc and of every
pinned dependency, so one worker with another polars could change a statement. Each worker is
asked with `client.run` (the scheduler's `get_versions` knows neither calc nor polars).

The executor keeps the pool's contract: lists in, small items batched (`chunksize` of them to a
task: an empty task costs milliseconds on Dask), results in submission order. A worker may run
on another machine, so nothing it does may rely on the driver's disk: input objects are fetched
by the worker itself (`storage.fetch`), and statements are written in a temporary folder on the
worker and handed back as bytes (`write_batches`), which the driver writes into its staging folder.
"""

from __future__ import annotations

import collections
import contextlib
import hashlib
import importlib.metadata
import logging
import platform
import re
import tempfile
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import distributed

import incentives
from incentives.problems import Problem, Source, error

DISTRIBUTION = "calc-incentives"
EXTRAS = {"", "cluster"}  # the pins that shape outputs: the package's own and the cluster's (not test's)
LOCAL = re.compile(r"local:(\d+)")


class Refused(Exception):
    """The cluster cannot run this calc: `problem` says which worker and why."""

    def __init__(self, problem: Problem):
        super().__init__(str(problem))
        self.problem = problem


def _pins() -> list[str]:
    """The names of calc's pinned dependencies, from its installed metadata: one list, pyproject's."""
    names = []
    for requirement in importlib.metadata.requires(DISTRIBUTION) or []:
        name = re.match(r"[A-Za-z0-9_.\-]+", requirement)[0]
        extra = re.search(r"""extra\s*==\s*["']([^"']+)["']""", requirement)
        if (extra[1] if extra else "") in EXTRAS:
            names.append(name)
    return sorted(set(names), key=str.casefold)


def _source() -> str:
    """sha256 over calc's own modules: two checkouts with one version string may still differ.
    Read from the files: a worker that imported calc before its files changed runs the old code
    (restart workers after every install; `__version__`, read from memory, tells a new release)."""
    root = Path(incentives.__file__).parent
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def versions() -> dict[str, str]:
    """What this process would compute with: Python, calc (version and source) and each pin."""
    found = {"python": platform.python_version(), "calc": incentives.__version__, "calc source": _source()[:12]}
    for name in _pins():
        try:
            found[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found


def mismatches(mine: dict[str, str], theirs: dict[str, str]) -> list[str]:
    """Each name whose version differs, as `name X here, Y there`."""
    return [f"{name} {mine.get(name, 'not installed')} here, {theirs.get(name, 'not installed')} there"
            for name in sorted(set(mine) | set(theirs), key=str.casefold) if mine.get(name) != theirs.get(name)]


def check_versions(client: distributed.Client, where: Source) -> None:
    """Refused unless every worker has this process's `versions()`; and a cluster without workers."""
    mine = versions()
    answers = client.run(versions, on_error="return")
    if not answers:
        raise Refused(error(where, "has no workers", "start workers: dask worker <scheduler address>"))
    for worker, theirs in sorted(answers.items()):
        if isinstance(theirs, BaseException):
            raise Refused(error(where, f"worker {worker} could not tell its versions ({type(theirs).__name__}: "
                                f"{theirs}): it may lack calc", INSTALL))
        if differ := mismatches(mine, theirs):
            raise Refused(error(where, f"worker {worker} runs other versions than this calc: {'; '.join(differ)}",
                                INSTALL))


INSTALL = ("install on every worker exactly what the client has (pip install calc-incentives[cluster] of the "
           "same version): outputs are byte-identical only with identical pins")


@contextlib.contextmanager
def connect(address: str) -> Iterator[Cluster]:
    """The cluster at `address`, checked; a LocalCluster started (and ended after) for `local:N`.
    Refused when it cannot be reached or a worker's versions differ."""
    where = Source(f"--cluster {address}")
    with contextlib.ExitStack() as stack:
        if m := LOCAL.fullmatch(address):
            if int(m[1]) < 1:
                raise Refused(error(where, "starts no worker", "give local:N with N of 1 or more"))
            with warnings.catch_warnings():
                # without a dashboard the scheduler still serves HTTP (health, metrics), by default
                # on 8787: another cluster there moves it to a free port, with a warning that says so
                warnings.filterwarnings("ignore", r"Port \d+ is already in use", UserWarning)
                local = stack.enter_context(distributed.LocalCluster(
                    n_workers=int(m[1]), threads_per_worker=1, processes=True, dashboard_address=None,
                    # critical logs only: a worker's heartbeat that meets the closing scheduler logs a
                    # traceback, and what fails in a task reaches the driver as its exception anyway
                    silence_logs=logging.CRITICAL))
            address = local.scheduler_address
        try:
            client = stack.enter_context(distributed.Client(address, timeout="20s", set_as_default=False))
        except (OSError, TimeoutError, ValueError) as ex:
            raise Refused(error(where, f"cannot be reached ({ex})",
                                "start the scheduler (dask scheduler) and pass its address, e.g. "
                                "tcp://scheduler:8786; or local:N to start N workers here")) from ex
        check_versions(client, where)
        yield Cluster(client)


@dataclass(frozen=True)
class Cluster:
    """A connected, checked cluster: what `processes.pool(cluster=...)` and the statements use."""

    client: distributed.Client

    def executor(self) -> Executor:
        return Executor(self.client)


@dataclass(frozen=True)
class Executor:
    """The pool's `map` on a Dask client; a context manager like the pool (the client outlives it)."""

    client: distributed.Client

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, *exc) -> None:
        return None

    def map(self, fn: Callable, *iterables, chunksize: int = 1) -> Iterator:
        """`fn(*args)` for each args of `zip(*iterables)`, `chunksize` of them to a task, in order."""
        calls = list(zip(*iterables))
        size = max(1, chunksize)
        window = 2 * max(1, sum(self.client.nthreads().values()))
        return _in_order(self.client, fn, [calls[i:i + size] for i in range(0, len(calls), size)], window)


def _calls(fn: Callable, chunk: list[tuple]) -> list:
    """On a worker: one task's calls."""
    return [fn(*args) for args in chunk]


def _in_order(client: distributed.Client, fn: Callable, chunks: list[list[tuple]], window: int) -> Iterator:
    """The results of every chunk in order, at most `window` tasks in flight: the driver then
    holds a few tasks' arguments and results at a time, not all of them (submitted at once, a
    million lines' statement batches were pickled together: twice the driver's memory). A
    chunk is scattered to the workers first, so that its task's graph holds a reference, not
    megabytes of frames (Dask warns of large graphs, and would send them again on a retry)."""
    pending: collections.deque = collections.deque()
    try:
        for chunk in chunks:
            [data] = client.scatter([chunk], hash=False)
            pending.append(client.submit(_calls, fn, data, pure=False))
            del data
            if len(pending) >= window:
                yield from _taken(pending.popleft())
        while pending:
            yield from _taken(pending.popleft())
    finally:
        client.cancel(list(pending))  # a failure or an abandoned map leaves no task running


def _taken(future) -> list:
    result = future.result()
    future.release()  # the worker may drop it now
    return result


# ---------------------------------------------------------------- statements written elsewhere


def write_batches(cluster: Cluster, batches: list, tick: Callable[[int], None]) -> None:
    """`statements.write_batch` of each batch on the cluster; each batch's workbooks come back as
    bytes and are written at their paths here, in order."""
    for batch, files in zip(batches, cluster.executor().map(_written, batches)):
        for (path, *_), data in zip(batch.statements, files):
            Path(path).write_bytes(data)
        tick(len(batch.statements))


def _written(batch) -> list[bytes]:
    """On a worker: the batch's statements written in a temporary folder of its own machine (the
    driver's staging folder may not be on its disk), read back in the batch's order."""
    from incentives.write.statements import write_batch

    with tempfile.TemporaryDirectory(prefix="calc-statements-") as tmp:
        here = [Path(tmp) / f"{i}.xlsx" for i in range(len(batch.statements))]
        write_batch(replace(batch, statements=tuple((p, *rest) for p, (_, *rest) in zip(here, batch.statements))))
        return [p.read_bytes() for p in here]
