"""The same run in the local pool and on LocalClusters: `python bench/cluster.py INPUT_DIR`.

Runs calc for 2026Q3 on INPUT_DIR (e.g. the 1M-line workload of `bench/workload.py`) with the
process pool, `--cluster local:2` and `--cluster local:4`, the three in turn, `--rounds` times,
each in a fresh child process. Prints per run: wall time, the cluster's start (from the
child's start, calc's imports included: 0 for the pool, whose start is in its phases), the driver's
peak memory (RSS of the calc process alone: what one driver must hold), and CPU seconds of the
whole tree (the child and every process it reaped: pool workers, nannies and Dask workers),
which on a shared machine moves less than wall time; and checks that every run's
manifest.sha256 is the same (byte-identical outputs). Run by hand, not in CI.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHILD = r"""
import json, resource, sys, time
from pathlib import Path
started = time.perf_counter()
from incentives import pipeline
from incentives.periods import parse_period
folder, out, address = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
marks = {}
def progress(phase, total=0):
    marks.setdefault(phase, time.perf_counter())
    return lambda n: None
def run(cluster):
    outcome = pipeline.run(folder, parse_period("2026Q3"), out, command="bench", progress=progress,
                           register=out.parent / "register.sqlite", cluster=cluster)
    assert outcome.ok, [str(p) for p in outcome.problems if p.is_error]
    return outcome
if __name__ == "__main__":
    connected = None
    if address != "pool":
        from incentives.cluster import connect
        with connect(address) as cluster:
            connected = time.perf_counter()
            outcome = run(cluster)
    else:
        outcome = run(None)
    ended = time.perf_counter()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"lines": outcome.inputs.sales.height, "start": (connected or started) - started,
                      "read": marks["computing"] - marks["reading"], "compute": marks["writing"] - marks["computing"],
                      "write": ended - marks["writing"], "driver_mib": peak}))
"""


def one(folder: Path, address: str, work: Path) -> dict:
    out = work / "out"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    began = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(folder), str(out), address], stdout=subprocess.PIPE,
                             text=True)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - began
    text = child.stdout.read()
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        raise SystemExit(f"{address}: exit {child.returncode}")
    found = json.loads(text.strip().splitlines()[-1])
    found.update(wall=wall, cpu=usage.ru_utime + usage.ru_stime,
                 manifest=(out / "manifest.sha256").read_bytes())
    shutil.rmtree(work, ignore_errors=True)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("input_dir", type=Path)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--modes", default="pool,local:2,local:4")
    args = parser.parse_args()
    modes = args.modes.split(",")
    work = Path(tempfile.mkdtemp(prefix="calc-bench-cluster-"))
    results: dict[str, list[dict]] = {m: [] for m in modes}
    print(f"{'run':<10} {'wall s':>7} {'start s':>8} {'read s':>7} {'compute s':>10} {'write s':>8} "
          f"{'CPU s':>7} {'driver MiB':>11}", flush=True)
    for _ in range(args.rounds):
        for mode in modes:  # in turn: the load of a shared machine falls on each alike
            r = one(args.input_dir, mode, work / "run")
            results[mode].append(r)
            print(f"{mode:<10} {r['wall']:>7.1f} {r['start']:>8.1f} {r['read']:>7.1f} {r['compute']:>10.1f} "
                  f"{r['write']:>8.1f} {r['cpu']:>7.1f} {r['driver_mib']:>11.0f}", flush=True)
    manifests = {r["manifest"] for rs in results.values() for r in rs}
    print(f"lines: {results[modes[0]][0]['lines']:,}; outputs byte-identical across every run: "
          f"{'yes' if len(manifests) == 1 else 'NO'}")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
