"""Worker processes for the stages of a large run that pay for them: opening many input
files, writing many statements. Small runs stay in one process. A run started by
`pipeline.run` has one pool at most (`Kept`): the workers that read the files write the
statements, started once.

Workers are spawned, not forked: a forked polars can deadlock on locks its threads
held. So a script that runs calc from Python must guard its top level with
`if __name__ == "__main__":`, as `calc` itself does.

A worker ends when the main process ends, however it ends (kill -9, the out-of-memory
killer): a watchdog thread in each worker waits on the parent's sentinel. (Linux's
PR_SET_PDEATHSIG fires when the thread that created the worker ends, not the process,
so it would not do.) Without it, workers of a killed run go on writing into a staging
folder no one will swap in.

The seam of `calc run --cluster`: `pool(cluster=...)` hands out the Dask cluster's executor
(`cluster.py`) instead of the spawn pool, with the same `map(fn, *lists, chunksize=)`: results in
submission order, so that the outputs are byte-identical to a local run. Nothing of Dask is
imported here: the cluster object comes from `cluster.connect`, which only `--cluster` calls.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor
from contextlib import nullcontext
from multiprocessing.connection import wait

THREADS = "POLARS_MAX_THREADS"
MOST = 4  # each worker imports polars and holds a batch: memory grows with every one
ORPHANED = 70  # a worker's exit status when its parent died (EX_SOFTWARE)


def workers() -> int:
    """How many workers a pool gets on this machine: one per core, at most `MOST`."""
    return min(MOST, os.cpu_count() or 1)


def pool(count: int | None = None, cluster=None):
    """The spawn pool of `count` workers (by default `workers()`), or with `cluster` (a
    `cluster.Cluster`) its Dask executor; either is a context manager whose `map` keeps order."""
    if cluster is not None:
        return cluster.executor()
    return _Spawned(count or workers(), mp_context=multiprocessing.get_context("spawn"), initializer=watch_parent)


class Kept:
    """The spawn pool of a whole run: started when first asked for (`get`), kept until the run
    ends, so that the statements are written by the workers that read the files (a worker's
    start, polars and calc imported, is 0.25 s of a core). A context manager; `None` is asked
    for nothing: each stage then starts a pool of its own."""

    def __init__(self) -> None:
        self._pool: _Spawned | None = None

    def get(self) -> _Spawned:
        if self._pool is None:
            self._pool = pool()
        return self._pool

    def __enter__(self) -> Kept:
        return self

    def __exit__(self, *exc) -> None:
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None


def using(kept: Kept | None, count: int | None = None, cluster=None):
    """The pool a stage works in, as a context manager: `cluster`'s executor, else `kept`'s pool
    (left running as the stage ends), else a pool of `count` workers of its own."""
    if cluster is None and kept is not None:
        return nullcontext(kept.get())
    return pool(count, cluster)


class _Spawned(ProcessPoolExecutor):
    """The spawn pool, its workers each running polars in one thread: the pool's processes
    already use every core, and polars' own threads on top cost a pool writing 1M lines'
    statements 10 percent more CPU. polars reads `POLARS_MAX_THREADS` once, when it is
    imported, which in a spawned worker is before any initializer runs: so each worker is
    started (as the pool gets work) with it in the environment it inherits, which is put
    back as it was right after. This process's polars, imported long before, is not touched.
    (`_spawn_process`: concurrent.futures' internals, as of Python 3.11.)"""

    def _spawn_process(self):
        with _SPAWNING:
            before = os.environ.get(THREADS)
            os.environ[THREADS] = "1"
            try:
                super()._spawn_process()
            finally:
                if before is None:
                    del os.environ[THREADS]
                else:
                    os.environ[THREADS] = before


_SPAWNING = threading.Lock()


def watch_parent() -> None:
    """In a worker: end this process as soon as its parent process ends."""
    parent = multiprocessing.parent_process()
    if parent is None:  # not a child of multiprocessing
        return
    sentinel = parent.sentinel

    def watch() -> None:
        wait([sentinel])
        os._exit(ORPHANED)  # no cleanup to run: what the worker wrote is in a staging folder

    threading.Thread(target=watch, name="calc-watch-parent", daemon=True).start()
