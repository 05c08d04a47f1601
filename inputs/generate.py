"""Regenerate the sample input folders: `python inputs/generate.py [PROGRAM ...] [--out DIR]`.

Each program's sample is one module of `inputs/generators/` with a
`generate(folder) -> list[Path]`; the output is byte-identical on every run.
`--out DIR` writes `DIR/<program>/` instead of `inputs/<program>/` (the tests
compare a fresh copy with the committed one).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
# Run as a plain script: make the project (`incentives`) and the generators importable.
sys.path[:0] = [str(HERE.parent), str(HERE)]

# program id (= folder under inputs/) -> its module in inputs/generators/
PROGRAMS = {
    "intelligent-platforms": "intelligent_platforms",
    "annt": "annt",
    "amt": "amt",
    "rsupport": "rsupport",
    "huawei": "huawei",
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("programs", nargs="*", metavar="PROGRAM", help=f"default: all of {', '.join(PROGRAMS)}")
    parser.add_argument("--out", metavar="DIR", type=Path, default=HERE,
                        help="write DIR/<program>/ (default: the inputs folder)")
    args = parser.parse_args(argv)
    unknown = [p for p in args.programs if p not in PROGRAMS]
    if unknown:
        parser.error(f"unknown program {', '.join(unknown)}; known: {', '.join(PROGRAMS)}")
    for program in args.programs or PROGRAMS:
        module = importlib.import_module(f"generators.{PROGRAMS[program]}")
        folder = args.out / program
        written = module.generate(folder)
        shown = folder.relative_to(HERE.parent) if folder.is_relative_to(HERE.parent) else folder
        print(f"{program}: {len(written)} files written to {shown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
