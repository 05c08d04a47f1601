"""A run folder's `manifest.sha256` and the run id.

The manifest lists every other file of the folder in `sha256sum` format (`<sha256>  <path>`,
paths relative to the folder with `/`, sorted by path) and is written last: a folder without
one is not a complete run, and `sha256sum -c manifest.sha256` run inside the folder verifies it.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from incentives.problems import Problem, Source, error

MANIFEST = "manifest.sha256"
_LINE = re.compile(r"([0-9a-f]{64}) [ *](.+)")


def sha256_of(path: Path) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def run_id(input_sha256s, label: str, version: str, head: str) -> str:
    """sha256 of the run's inputs (their sha256s, sorted), its period label, the calc version and
    the register head it was computed against ("" when the program year had no closed period)."""
    text = "\n".join([*sorted(input_sha256s), f"period {label}", f"calc {version}", f"head {head}"]) + "\n"
    return hashlib.sha256(text.encode()).hexdigest()


def short(sha256: str) -> str:
    """A sha256 as people quote it: its first 12 hex digits."""
    return sha256[:12]


def folder_files(folder: Path) -> list[str]:
    """Every file under `folder` but the manifest itself, relative with `/`, sorted."""
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*")
                  if p.is_file() and p.relative_to(folder).as_posix() != MANIFEST)


def write_manifest(folder: Path, known: Mapping[Path, str] | None = None) -> Path:
    """`folder/manifest.sha256` over every other file: the last file a run writes. `known`: the
    sha256 of files their writer hashed as it wrote them (a run's statements, by the workers that
    wrote them: hashing them all again here took 0.13 s at the end of a 1M run); every other file
    is read and hashed."""
    known = known or {}
    lines = [f"{known.get(folder / rel) or sha256_of(folder / rel)}  {rel}\n" for rel in folder_files(folder)]
    path = folder / MANIFEST
    path.write_text("".join(lines), encoding="utf-8", newline="\n")
    return path


class ManifestError(ValueError):
    """A manifest.sha256 that cannot be read as sha256sum's format: `line`, its first line that is not."""

    def __init__(self, line: int):
        super().__init__(f"{MANIFEST} line {line} is not `<sha256>  <path>`")
        self.line = line

    def problem(self, shown: str, hint: str = "") -> Problem:
        """The error, located at the manifest of the run folder `shown`."""
        return error(Source(f"{shown}/{MANIFEST}"), "manifest.bad_line", hint, manifest=MANIFEST, line=self.line)


@dataclass(frozen=True)
class Difference:
    path: str  # relative to the run folder
    kind: str  # "altered", "added" or "missing"

    @property
    def lock(self) -> bool:
        """An office lock file added beside a workbook left open."""
        return self.kind == "added" and Path(self.path).name.startswith(("~$", ".~lock"))

    @property
    def why(self) -> str:
        why = {"altered": "altered since the run (its sha256 differs from the manifest's)",
               "added": "added since the run (not in the manifest)",
               "missing": "missing (listed in the manifest)"}[self.kind]
        if self.lock:
            why += "; it is an office lock file: close the workbook and delete it"
        return why

    def __str__(self) -> str:
        return f"{self.path}: {self.why}"


def read_manifest(folder: Path) -> dict[str, str]:
    """path -> sha256 as listed; ManifestError naming the first line that is not `<sha256>  <path>`."""
    listed: dict[str, str] = {}
    text = (folder / MANIFEST).read_bytes().decode("utf-8", errors="replace")
    for number, line in enumerate(text.splitlines(), start=1):
        m = _LINE.fullmatch(line)
        if not m:
            raise ManifestError(number)
        listed[m[2]] = m[1]
    return listed


def check_folder(folder: Path) -> tuple[Difference, ...] | None:
    """Every file of `folder` altered, added or missing against its manifest, in path order;
    None when the folder has no manifest. ManifestError when the manifest is unreadable."""
    if not (folder / MANIFEST).is_file():
        return None
    return differences(folder, read_manifest(folder))


def differences(folder: Path, listed: dict[str, str]) -> tuple[Difference, ...]:
    """Every file of `folder` altered, added or missing against `listed` (its manifest, read), in path order."""
    present = folder_files(folder)
    found = [Difference(rel, "added") for rel in present if rel not in listed]
    found += [Difference(rel, "missing") for rel in sorted(set(listed) - set(present))]
    found += [Difference(rel, "altered") for rel in present if rel in listed and sha256_of(folder / rel) != listed[rel]]
    return tuple(sorted(found, key=lambda d: d.path))
