"""Peak memory and time of reading each corpus file, guarded and not, each run in a
fresh process with its address space capped, so a bomb that gets through cannot take
the machine down. The corpus is built in a child too: Linux carries ru_maxrss across
exec, so a big parent would show in every child's figure.

    python tests/hostile/measure.py [OUT_DIR] [--unguarded]

`open` is open_checked (the guard, then fastexcel) or bare fastexcel.read_excel;
`all` adds loading every sheet, as the reader would.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
LIMIT = 8 << 30  # bytes of address space for each child

CHILD = """
import json, resource, sys, time
resource.setrlimit(resource.RLIMIT_AS, ({limit}, {limit}))
sys.path.insert(0, {root!r})
from pathlib import Path
import fastexcel
from incentives.read.workbook import open_checked
path, guarded = Path(sys.argv[1]), sys.argv[2] == "1"
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.perf_counter()
outcome = "read"
if guarded:
    book, problems = open_checked(path, path.name)  # the guard's examine, then fastexcel's open
    opened = time.perf_counter() - start
    if book is None:
        outcome = str(next(p for p in problems if p.is_error))[:90]
    else:
        for sheet in book.sheets:
            book.grid(sheet)
else:
    try:
        reader = fastexcel.read_excel(path)
        opened = time.perf_counter() - start
        for sheet in reader.sheet_names:
            reader.load_sheet(sheet, header_row=None, dtypes="string").to_polars()
    except Exception as ex:
        opened, outcome = time.perf_counter() - start, "error: " + str(ex).splitlines()[0][:80]
hwm = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM"))
print(json.dumps(dict(seconds=time.perf_counter() - start, opened=opened, outcome=outcome,
                      mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, base_mb=base / 1024,
                      hwm_mb=hwm / 1024)))
"""


def measure(path: Path, guarded: bool) -> dict:
    root = str(HERE.parents[1])
    run = subprocess.run([sys.executable, "-c", CHILD.format(limit=LIMIT, root=root), str(path), str(int(guarded))],
                         capture_output=True, text=True, timeout=600)
    if run.returncode:
        name = signal.Signals(-run.returncode).name if run.returncode < 0 else run.returncode
        return dict(outcome=f"process died ({name}): {run.stderr.strip().splitlines()[0][:70]}")
    return json.loads(run.stdout)


def main(argv: list[str]) -> None:
    folder = Path(next((a for a in argv if not a.startswith("-")), tempfile.mkdtemp()))
    modes = (True, False) if "--unguarded" in argv else (True,)
    built = subprocess.run([sys.executable, str(HERE / "make_corpus.py"), str(folder)], check=True,
                           capture_output=True, text=True).stdout.split()
    print(f"{'file':28} {'mode':8} {'peak RSS':>9} {'imports':>8} {'open':>10} {'all':>10}  outcome")
    for name in built[1::2]:
        for guarded in modes:
            m = measure(folder / name, guarded)
            figures = (f"{m['mb']:6.0f} MB {m['base_mb']:5.0f} MB {m['opened'] * 1000:7.1f} ms "
                       f"{m['seconds'] * 1000:7.1f} ms") if "mb" in m else " " * 42
            print(f"{name:28} {'guarded' if guarded else 'bare':8} {figures}  {m['outcome']}")


if __name__ == "__main__":
    main(sys.argv[1:])
