"""Atomic output: the run writes a temporary sibling folder and renames it into place.

A run that fails leaves the previous output folder exactly as it was.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path


def write_atomically(target: Path, fill: Callable[[Path], None]) -> None:
    target = target.resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
    try:
        fill(staging)
        old = None
        if target.exists():
            old = target.parent / f".{target.name}.{os.getpid()}.old"
            os.replace(target, old)
        os.replace(staging, target)
        if old is not None:
            shutil.rmtree(old)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
