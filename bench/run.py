"""Time calc against its read floor and the pandas reference: `python bench/run.py --lines 10k,100k`.

For each size, generates the workload (`bench/workload.py`) into `bench/work/<size>/input`
and runs, each in a fresh child process: calc for 2026Q3, the read floor (fastexcel
reading every input workbook and nothing else, in one thread and in two) and
`bench/baseline.py`. Memory is sampled from /proc every 20 ms over the child and all
its descendants. Then `bench/statements.py`: a statement's fixed cost and the cost per
line, in CPU time. Prints a table per size, the time per line across sizes and the
statements' figures, and writes every figure to `bench/work/results.json`. Run by hand,
not in CI.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
WORK = BENCH / "work"
PERIOD = "2026Q3"
POLL = 0.02  # seconds between memory samples
PAGE = os.sysconf("SC_PAGE_SIZE")
MIB = 2**20
THREADS = 2  # calc reads its files in threads; the floor is also timed with this many
PHASES = ("read", "compute", "write")
NAME = 36  # width of the tables' first column


# The children. Each prints one JSON line last.

def cpu_seconds() -> float:
    """User and system CPU of this process and of its children, ended (joined) or running (the
    pool's workers, which live from the read to the end of the write: read from /proc): unlike
    wall time, it hardly moves with the load of a shared machine."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system + running_children_cpu()


def running_children_cpu() -> float:
    """User and system CPU of this process's children still running, from /proc (0 elsewhere)."""
    total, me = 0, os.getpid()
    for name in os.listdir("/proc") if os.path.exists("/proc/self/stat") else ():
        if not name.isdigit() or not (stat := proc(name, "stat")):  # empty: ended meanwhile
            continue
        fields = stat[stat.rindex(b")") + 2:].split()  # the fields after the command name, state first
        if int(fields[1]) == me:  # ppid; utime and stime are fields 14 and 15 of stat
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def child_calc(folder: Path, out: Path) -> dict:
    """calc's whole run, timed by phase from the pipeline's progress calls; imports timed apart."""
    started = time.perf_counter()
    from incentives.periods import parse_period
    from incentives.pipeline import run
    imported = time.perf_counter()
    marks: dict[str, float] = {}
    cpu: dict[str, float] = {}

    def mark(phase: str, total: int = 0):
        """The pipeline's progress: a phase begins (or a counted step within one); returns its tick."""
        marks[phase] = time.perf_counter()
        cpu[phase] = cpu_seconds()
        return lambda n: None

    outcome = run(folder, parse_period(PERIOD), out, progress=mark)
    done = time.perf_counter()
    cpu_done = cpu_seconds()
    if not outcome.ok:
        raise SystemExit("calc failed:\n" + "\n".join(str(p) for p in outcome.problems if p.is_error))
    return {"startup": imported - started, "read": marks["computing"] - marks["reading"],
            "compute": marks["writing"] - marks["computing"], "write": done - marks["writing"],
            "total": done - marks["reading"], "lines": outcome.settlement.lines.height,
            "cpu_read": cpu["computing"] - cpu["reading"], "cpu_compute": cpu["writing"] - cpu["computing"],
            "cpu_write": cpu_done - cpu["writing"], "cpu_total": cpu_done - cpu["reading"],
            "statements": len(list((outcome.out / "statements").glob("*.xlsx"))), "ok": outcome.ok}


def child_floor(folder: Path, threads: int) -> dict:
    """Every sheet of every input workbook read by fastexcel into polars, and nothing else."""
    from concurrent.futures import ThreadPoolExecutor

    import fastexcel
    import polars  # noqa: F401  loaded before the clock starts, or the first to_polars() would import it

    def read(path: Path) -> int:
        reader = fastexcel.read_excel(path)
        return sum(reader.load_sheet(name).to_polars().height for name in reader.sheet_names)

    paths = sorted(folder.rglob("*.xlsx"))
    started = time.perf_counter()
    cpu = cpu_seconds()
    if threads == 1:
        rows = sum(map(read, paths))
    else:
        with ThreadPoolExecutor(threads) as pool:
            rows = sum(pool.map(read, paths))
    return {"total": time.perf_counter() - started, "threads": threads, "workbooks": len(paths), "rows": rows,
            "cpu_total": cpu_seconds() - cpu}


# The parent: runs children and watches their memory.

def proc(pid: int | str, name: str) -> bytes:
    """A file of /proc/<pid>, or b"" once the process has ended."""
    # os.read, not open(): this runs for every process on the machine 50 times a second
    try:
        fd = os.open(f"/proc/{pid}/{name}", os.O_RDONLY)
        try:
            return os.read(fd, 4096)
        finally:
            os.close(fd)
    except OSError:
        return b""


def tree_rss(root: int) -> int:
    """Bytes resident in a process and all its descendants, summed; a child forked and not yet
    exec'd is not counted. Such a child is the instant a pool starts a worker (spawn forks, or
    vforks, then execs a new interpreter): it holds its parent's very pages, so counting its RSS
    counted the parent twice (a 1M run's peak read 2.3-2.7 GiB, of which 1.3 GiB twice, about one
    run in two). It is told by its command line, still its parent's."""
    children = defaultdict(list)
    for name in os.listdir("/proc"):
        if name.isdigit() and (stat := proc(name, "stat")):
            # the command name, in parentheses, may hold spaces: the fields after it are state, ppid
            children[int(stat[stat.rindex(b")") + 2:].split()[1])].append(int(name))
    total, todo = 0, [(root, None)]
    while todo:
        pid, parent_cmdline = todo.pop()
        cmdline = proc(pid, "cmdline")
        todo += [(child, cmdline) for child in children[pid]]
        if cmdline == parent_cmdline:
            continue
        if statm := proc(pid, "statm"):
            total += int(statm.split()[1]) * PAGE
    return total


def watch(argv: list, env: dict | None = None) -> dict:
    """Run a child to its end, sampling its process tree's memory; its last stdout line, parsed, plus memory."""
    argv = [str(a) for a in argv]
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        child = subprocess.Popen(argv, stdout=out, stderr=err, cwd=ROOT, env=env)
        peak = 0
        while True:
            pid, status, usage = os.wait4(child.pid, os.WNOHANG)
            if pid:
                break
            peak = max(peak, tree_rss(child.pid))
            time.sleep(POLL)
        child.returncode = os.waitstatus_to_exitcode(status)  # reaped by wait4: Popen must not wait again
        out.seek(0)
        err.seek(0)
        if child.returncode:
            raise SystemExit(f"{' '.join(argv)}\nfailed with exit code {child.returncode}:\n"
                             f"{err.read().decode(errors='replace')[-4000:]}")
        figures = json.loads(out.read().decode().splitlines()[-1])
    # Linux counts in ru_maxrss the children the child waited for: the largest one process, not a sum
    return {**figures, "peak_mib": peak / MIB, "maxrss_mib": usage.ru_maxrss / 1024}


def fastest(repeat: int, argv: list, out: Path | None = None, env: dict | None = None) -> dict:
    """The figures of the fastest of `repeat` runs, with every run's total; `out` is emptied before each."""
    runs = []
    for _ in range(repeat):
        if out is not None:
            shutil.rmtree(out, ignore_errors=True)
        runs.append(watch(argv, env))
    return {**min(runs, key=lambda r: r["total"]), "runs": [r["total"] for r in runs]}


def bench_size(label: str, workload: dict, baseline: str | None, repeat: int, earlier: dict | None = None) -> dict:
    """Every figure of one size, its workload already in bench/work/<label>/input; the
    baseline's taken from `earlier` (a size's figures from an earlier results.json) when given."""
    here = WORK / label
    folder = here / "input"
    me = [sys.executable, Path(__file__).resolve(), "--child"]
    say(f"{label}: calc")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    calc = fastest(repeat, [*me, "calc", folder, here / "calc"], here / "calc", env)
    if calc["lines"] != workload["lines"]:
        raise SystemExit(f"{label}: calc read {calc['lines']} lines, the workload has {workload['lines']}")
    say(f"{label}: read floor")
    floors = {str(n): fastest(repeat, [*me, "floor", folder, n]) for n in (1, THREADS)}
    best = min(floors, key=lambda n: floors[n]["total"])
    result = {"lines": workload["lines"], "sales_workbooks": workload["files"], "partners": workload["partners"],
              "workbooks": floors[best]["workbooks"], "calc": calc, "floor": floors, "floor_threads": int(best),
              "calc_read_over_floor": calc["read"] / floors[best]["total"],
              # CPU seconds hardly move with a shared machine's load, where wall time does
              "calc_read_over_floor_cpu": calc["cpu_read"] / floors["1"]["cpu_total"]}
    if earlier is not None and "baseline" in earlier and earlier["lines"] == workload["lines"]:
        say(f"{label}: baseline, from the earlier figures")
        base = {**earlier["baseline"], "reused": True}
        result |= {"baseline": base, "baseline_over_calc": base["total"] / calc["total"]}
    elif baseline:
        say(f"{label}: baseline")
        base = fastest(repeat, [baseline, BENCH / "baseline.py", folder, here / "baseline"], here / "baseline")
        result |= {"baseline": base, "baseline_over_calc": base["total"] / calc["total"]}
    return result


# Printing.

def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def row(name: str, seconds: float, lines: int | None = None, figures: dict | None = None,
        cpu: float | None = None) -> str:
    rate = f"{lines / seconds:>12,.0f}" if lines else " " * 12
    memory = f"{figures['peak_mib']:>10.1f}{figures['maxrss_mib']:>12.1f}" if figures else " " * 22
    used = f"{cpu:>9.2f}" if cpu is not None else ""
    return f"{name:<{NAME}}{seconds:>9.3f}{rate}{memory}{used}".rstrip()


def ratio(name: str, value: float) -> str:
    return f"{name:<{NAME}}{value:>9.2f}x"


def table(label: str, r: dict) -> list[str]:
    calc, lines = r["calc"], r["lines"]
    out = [f"{label}: {lines:,} lines in {r['sales_workbooks']:,} sales workbooks ({r['workbooks']:,} workbooks "
           f"in all), {r['partners']:,} partners; calc wrote {calc['statements']:,} statements",
           f"{'':<{NAME}}{'seconds':>9}{'lines/s':>12}{'peak MiB':>10}{'maxrss MiB':>12}{'CPU s':>9}",
           row("calc startup (imports)", calc["startup"])]
    out += [row(f"calc {p}", calc[p], lines, cpu=calc.get(f"cpu_{p}")) for p in PHASES]
    out.append(row("calc total", calc["total"], lines, calc, calc.get("cpu_total")))
    for n, floor in r["floor"].items():
        out.append(row(f"read floor, {n} thread{'s' if n != '1' else ''}", floor["total"], lines, floor,
                       floor.get("cpu_total")))
    if "baseline" in r:
        base = r["baseline"]
        out += [row(f"baseline {p}", base[p], lines) for p in PHASES]
        out.append(row("baseline total" + (" (earlier run)" if base.get("reused") else ""), base["total"], lines,
                       base))
    threads = r["floor_threads"]
    out.append(ratio(f"calc read / read floor ({threads} thread{'s' if threads > 1 else ''})",
                     r["calc_read_over_floor"]))
    if "calc_read_over_floor_cpu" in r:
        out.append(ratio("calc read / read floor, CPU s (1 thread)", r["calc_read_over_floor_cpu"]))
    if "baseline" in r:
        out.append(ratio("baseline total / calc total", r["baseline_over_calc"]))
    return out


def scaling(results: dict) -> list[str]:
    """Microseconds per line of each figure, one column per size: flat rows mean linear time."""
    figures = [("calc read", lambda r: r["calc"]["read"]), ("calc compute", lambda r: r["calc"]["compute"]),
               ("calc write", lambda r: r["calc"]["write"]), ("calc total", lambda r: r["calc"]["total"]),
               ("read floor", lambda r: r["floor"][str(r["floor_threads"])]["total"])]
    if all("baseline" in r for r in results.values()):
        figures.append(("baseline total", lambda r: r["baseline"]["total"]))
    out = [f"{'time per line, µs':<{NAME}}" + "".join(f"{label:>12}" for label in results)]
    for name, get in figures:
        out.append(f"{name:<{NAME}}" + "".join(f"{get(r) / r['lines'] * 1e6:>12.2f}" for r in results.values()))
    return out


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child"]:
        kind, folder, arg = argv[1:]
        figures = child_calc(Path(folder), Path(arg)) if kind == "calc" else child_floor(Path(folder), int(arg))
        print(json.dumps(figures))
        return 0
    # imported here, not at the top: a calc child's startup must count only what calc imports
    from workload import generate, parse_lines

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", default="10k,100k,1M", help="sizes, comma-separated (default 10k,100k,1M)")
    parser.add_argument("--baseline", action=argparse.BooleanOptionalAction, default=True,
                        help="also run bench/baseline.py (default yes)")
    parser.add_argument("--baseline-python", default=sys.executable,
                        help="the interpreter, with pandas, for the baseline (default this one)")
    parser.add_argument("--baseline-from", type=Path, metavar="RESULTS_JSON",
                        help="take the baseline's figures from an earlier results.json instead of running it "
                             "again (it does not change with calc; the 1M size takes about 10 minutes)")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each child; the fastest is kept (default 1)")
    parser.add_argument("--statements", action=argparse.BooleanOptionalAction, default=True,
                        help="also time one statement's fixed cost and the cost per line (bench/statements.py; "
                             "default yes)")
    args = parser.parse_args(argv)
    earlier = json.loads(args.baseline_from.read_text())["sizes"] if args.baseline_from else {}
    if args.repeat < 1:
        parser.error("--repeat must be 1 or more")
    results = {}
    for label in filter(None, (s.strip() for s in args.lines.split(","))):
        say(f"{label}: workload")
        workload = generate(WORK / label / "input", parse_lines(label))
        results[label] = bench_size(label, workload, args.baseline_python if args.baseline else None, args.repeat,
                                    earlier.get(label))
    statements = None
    if args.statements:
        say("statements: fixed cost and cost per line")
        statements = watch([sys.executable, BENCH / "statements.py", "--json"])
    for label, r in results.items():
        print("\n".join(table(label, r)), end="\n\n")
    print("\n".join(scaling(results)))
    if statements:
        print(f"\n{'statement, fixed cost (CPU ms)':<{NAME}}{statements['fixed_ms']:>9.2f}   "
              f"{statements['partners']:,} statements of 1 to 5 lines, one process (bench/statements.py)")
        print(f"{'statement, cost per line (CPU µs)':<{NAME}}{statements['per_line_us']:>9.2f}   "
              f"{statements['long']} statements of {statements['long_lines']:,} lines")
    report = {"python": platform.python_version(), "machine": platform.platform(), "cpus": os.cpu_count(),
              "period": PERIOD, "repeat": args.repeat, "sizes": results, "statements": statements}
    (WORK / "results.json").write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nfigures: {(WORK / 'results.json').relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
