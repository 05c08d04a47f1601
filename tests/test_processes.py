"""Pool workers end with the main process, however it ends (processes.py)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from incentives import processes

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads process states in /proc")

# The main process: a pool of two workers busy for a minute; it prints their ids, then waits.
MAIN = """
import sys, time
from concurrent.futures import ProcessPoolExecutor
import multiprocessing
from incentives import processes

if __name__ == "__main__":
    if sys.argv[1] == "calc":
        pool = processes.pool(2)
    else:  # a pool without the watchdog: what the test must tell apart
        pool = ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn"))
    futures = [pool.submit(time.sleep, 60) for _ in range(2)]
    while len(pool._processes) < 2 or not all(p.pid for p in pool._processes.values()):
        time.sleep(0.05)
    time.sleep(1)  # the workers have imported and started their tasks
    print(" ".join(str(pid) for pid in pool._processes), flush=True)
    time.sleep(60)
"""


def alive(pid: int) -> bool:
    """Running or sleeping; a zombie (ended, not yet reaped by whoever adopted it) is not alive."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state not in ("Z", "X")


def workers_after_kill_9(tmp_path: Path, pool: str, wait: float) -> tuple[list[int], list[int]]:
    script = tmp_path / "main.py"
    script.write_text(MAIN)
    with subprocess.Popen([sys.executable, str(script), pool], stdout=subprocess.PIPE, text=True) as main:
        pids = [int(p) for p in main.stdout.readline().split()]
        assert len(pids) == 2 and all(alive(p) for p in pids)
        main.send_signal(signal.SIGKILL)
        main.wait()
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline and any(alive(p) for p in pids):
        time.sleep(0.05)
    return pids, [p for p in pids if alive(p)]


def test_workers_end_when_the_main_process_is_killed(tmp_path):
    _, left = workers_after_kill_9(tmp_path, "calc", wait=10)
    assert left == []


def test_without_the_watchdog_workers_outlive_it(tmp_path):
    """The check above can fail: a plain pool's workers sleep on after the main process died."""
    pids, left = workers_after_kill_9(tmp_path, "plain", wait=3)
    try:
        assert left == pids
    finally:
        for pid in left:
            os.kill(pid, signal.SIGKILL)


def _threads(_) -> int:
    import polars

    return polars.thread_pool_size()


def test_a_pools_workers_run_polars_in_one_thread():
    # the pool's processes use the cores; polars' threads on top in each would only contend
    before = os.environ.get("POLARS_MAX_THREADS")
    with processes.pool(2) as pool:
        assert list(pool.map(_threads, range(4))) == [1, 1, 1, 1]
    assert os.environ.get("POLARS_MAX_THREADS") == before  # this process's environment as it was


def test_a_kept_pool_is_started_once_and_outlives_each_stage():
    with processes.Kept() as kept:
        with processes.using(kept) as first:
            assert list(first.map(_threads, range(2))) == [1, 1]
        with processes.using(kept) as second:  # the next stage: the same pool, still running
            assert second is first and list(second.map(_threads, range(2))) == [1, 1]
    with pytest.raises(RuntimeError):  # shut down with the run
        first.submit(_threads, 0)


def test_a_large_run_reads_its_files_and_writes_its_statements_in_one_pool(tmp_path, monkeypatch, sample_run):
    from functools import partial

    from incentives import load, pipeline
    from incentives.periods import parse_period
    from incentives.write import statements
    from tests.builders import SAMPLE

    started = []
    real = processes.pool
    monkeypatch.setattr(processes, "pool", lambda *a, **k: started.append(a) or real(*a, **k))
    monkeypatch.setattr(load, "PROCESSES_FROM", 1)  # the sample's files read by the pool
    monkeypatch.setattr(statements, "POOL_FROM", 1)  # its statements written by it, in batches
    monkeypatch.setattr(pipeline, "write_statements", partial(statements.write_statements, batch_lines=60))
    pooled = pipeline.run(SAMPLE, parse_period("2026Q3"), tmp_path / "pooled")
    assert pooled.ok and len(started) == 1
    # the same statements as the sample's run without a pool
    names = sorted(p.name for p in (sample_run.out / "statements").iterdir())
    assert len(names) == 37 and names == sorted(p.name for p in (pooled.out / "statements").iterdir())
    assert all((pooled.out / "statements" / n).read_bytes() == (sample_run.out / "statements" / n).read_bytes()
               for n in names)
