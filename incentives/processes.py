"""Worker processes for the stages of a large run that pay for them: opening many input
files, writing many statements. Small runs stay in one process.

Workers are spawned, not forked: a forked polars can deadlock on locks its threads
held. So a script that runs calc from Python must guard its top level with
`if __name__ == "__main__":`, as `calc` itself does.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor

MOST = 4  # each worker imports polars and holds a batch: memory grows with every one


def workers() -> int:
    """How many workers a pool gets on this machine: one per core, at most `MOST`."""
    return min(MOST, os.cpu_count() or 1)


def pool(count: int | None = None) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(count or workers(), mp_context=multiprocessing.get_context("spawn"))
