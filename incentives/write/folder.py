"""The output folder: calc replaces only a folder calc wrote, and never leaves half of one.

`check_target` decides, before anything is computed, whether a folder may be the run's
output: one that does not exist, an empty one, or an earlier run of the same program.
`mend` repairs what a killed run left beside the target. `write_atomically` fills a
staging folder beside the target and swaps it in: one atomic exchange on Linux
(`renameat2` with `RENAME_EXCHANGE`), else two renames, the old folder set aside
between them. A run that fails leaves the previous output folder exactly as it was.

Beside a target `T` calc owns three names: `.T.calc-new` (staging), `.T.calc-old` (the
old folder set aside between the two renames) and `.T.calc-lock` (held while a run
writes `T`, so that a leftover found under the lock is proven not in use).

Over 400 lines: the check, the mending, the swap and the lock work on the same three names
beside a target and must agree on what each state of them means (a change to one is a
change to all); the failures of the environment they share are 70 lines of it.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import os
import re
import shutil
import stat
import sys
import warnings
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

from incentives.problems import Problem, Said, Source, error, note, said
from incentives.words import has_message
from incentives.register.manifest import MANIFEST, ManifestError, read_manifest, sha256_of

STATEMENTS = "statements"
# The files a run writes at the top of its folder; statements/ holds only <partner_id>.xlsx.
RUN_FILES = frozenset({"ledger.xlsx", "summary.xlsx", "audit.xlsx", MANIFEST})
# The statements' lines for the pool's workers, while they are written (`write/statements.py`): in
# the staging folder, removed before the manifest; a killed run's staging folder may still hold it.
SCRATCH = ".calc-lines-"
SCRATCH_FILE = "lines-{:04d}.arrow"  # a batch's lines, by its number
_SCRATCH_FILE = re.compile(r"lines-[0-9]{4,}\.arrow")  # any name of SCRATCH_FILE


class WriteFailed(Exception):
    """Writing the output folder failed for a reason of the user's environment (a full disk,
    a read-only folder, ...): `problem` says where and why. Nothing half-written remains."""

    def __init__(self, problem: Problem):
        super().__init__(str(problem))
        self.problem = problem


def staging_path(target: Path) -> Path:
    return target.parent / f".{target.name}.calc-new"


def aside_path(target: Path) -> Path:
    return target.parent / f".{target.name}.calc-old"


def lock_path(target: Path) -> Path:
    return target.parent / f".{target.name}.calc-lock"


# ---------------------------------------------------------------- may calc write there?


def check_target(target: Path, *, input_dir: Path | None, program_id: str | None,
                 refused: Mapping[Path, str | Said] = {}) -> Problem | None:
    """Why `target` must not become the output folder of a run of `program_id` from
    `input_dir`, or None. `refused`: folders never to replace, with what each is ("the
    --ledger folder"); the input folder and every folder in `refused` are refused with
    anything inside or above them (`input_dir` None: the inputs are objects, no local folder).
    `program_id` None (the inputs could not be read) accepts
    a run of any program."""
    where = Source(f"--out {target}")
    instead = said("folder.instead_of", program=program_id) if program_id else said("folder.instead")
    try:
        resolved = target.resolve()
    except (OSError, RuntimeError) as ex:  # a symlink loop
        return error(where, "folder.unresolved", instead, cause=_cause(ex))
    for kept, what in [*([(input_dir, said("folder.input"))] if input_dir else []), *refused.items()]:
        kept = kept.resolve()
        what = said(what) if isinstance(what, str) and has_message(what) else what
        if resolved == kept:
            return error(where, "folder.is_kept", instead, what=what)
        if resolved.is_relative_to(kept):
            return error(where, "folder.inside_kept", instead, what=what, kept=str(kept))
        if kept.is_relative_to(resolved):
            return error(where, "folder.holds_kept", instead, what=what, kept=str(kept))
    for folder in [resolved, *resolved.parents]:
        if os.path.lexists(folder) and not folder.is_dir():
            if folder == resolved:
                return error(where, "folder.is_file")
            return error(where, "folder.below_file", file=str(folder))
    existing = next(f for f in [resolved, *resolved.parents] if f.exists())
    if not os.access(existing, os.W_OK | os.X_OK):
        if _read_only(existing):
            return error(where, "folder.read_only", REMEDIES[errno.EROFS], folder=str(existing))
        return error(where, "folder.not_allowed", REMEDIES[errno.EACCES], folder=str(existing))
    if not resolved.exists():
        return None
    if os.path.ismount(resolved):
        return error(where, "folder.mount_point", inside=str(resolved / (program_id or "run")))
    try:
        if not any(resolved.iterdir()):
            return None
        foreign = _not_calc(resolved)
    except OSError as ex:
        return error(where, "folder.unreadable", instead, cause=_cause(ex))
    if foreign:
        return error(where, "folder.foreign", instead, foreign=foreign)
    found = run_program(resolved)
    if found is None:
        return error(where, "folder.not_a_run", instead)
    if program_id is not None and found != program_id:
        return error(where, "folder.other_program", instead, found=found, program=program_id)
    return None


def run_program(folder: Path) -> str | None:
    """The program_id in `folder/audit.xlsx`'s Run sheet, or None when there is none to read."""
    import openpyxl

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            book = openpyxl.load_workbook(folder / "audit.xlsx", read_only=True, data_only=True)
            try:
                for row in book["Run"].iter_rows(max_row=50, max_col=2, values_only=True):
                    if len(row) == 2 and row[0] == "program_id" and isinstance(row[1], str):
                        return row[1]
            finally:
                book.close()
    except Exception:  # not a workbook calc wrote: the folder is not recognised as a run
        return None
    return None


def _not_calc(folder: Path) -> Said | str | None:
    """The first thing in `folder` calc did not write, in path order, or None: with a manifest,
    a file it does not list or whose content changed; without one, a file a run does not write."""
    listed = None
    if (folder / MANIFEST).is_file():
        listed = _manifest(folder)
        if listed is None:
            return said("folder.foreign_manifest", manifest=MANIFEST)
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder).as_posix()
        if path.is_symlink() or not (path.is_file() or path.is_dir()):
            return said("folder.foreign_special", path=relative)
        if path.is_dir():
            if relative != STATEMENTS and not (listed is None and _scratch(relative)):
                return f"{relative}/"
        elif listed is not None:
            if relative == MANIFEST:
                continue
            if relative not in listed:
                return said("folder.foreign_unlisted", path=relative, manifest=MANIFEST)
            if sha256_of(path) != listed[relative]:
                return said("folder.foreign_changed", path=relative)
        else:
            top, _, rest = relative.partition("/")
            if not (relative in RUN_FILES or (top == STATEMENTS and "/" not in rest and rest.endswith(".xlsx"))
                    or (_scratch(top) and _SCRATCH_FILE.fullmatch(rest))):
                return relative
    return None


def _scratch(name: str) -> bool:
    """The name of the statements' scratch folder (`tempfile`'s: the prefix, then 8 characters)."""
    return re.fullmatch(re.escape(SCRATCH) + r"[a-z0-9_]{8}", name) is not None


def _manifest(folder: Path) -> dict[str, str] | None:
    """The folder's manifest as {path: sha256} (`register.manifest.read_manifest`), or None when it
    is not one calc wrote: a line not in sha256sum's format, or a path that is not UTF-8."""
    try:
        listed = read_manifest(folder)
    except (ManifestError, OSError):
        return None
    if any("\ufffd" in name for name in listed):
        return None
    return {name.removeprefix("./"): digest for name, digest in listed.items()}


def _ours(folder: Path) -> bool:
    """A leftover beside the target is calc's when it holds only what a run writes."""
    return folder.is_dir() and not folder.is_symlink() and _not_calc(folder) is None


# ---------------------------------------------------------------- mending what a killed run left


def mend(target: Path) -> list[Problem]:
    """Put back the old folder a killed run set aside when the target is missing (it may be the
    only copy of the last output); remove staging and set-aside folders a killed run left. Each
    thing done, or left alone, is a note; another run writing the target now is an error."""
    try:
        target = target.resolve()
        staged, aside = _leftovers(target)
        if not (staged or aside or os.path.lexists(lock_path(target))):
            return []
        with _locked(target) as held:
            if not held:
                return [_busy(target)]
            return _mend(target)
    except OSError as ex:
        return [note(Source(str(target)), "folder.untidy", cause=_cause(ex))]


# What calc before 2026-11-25 left: mkdtemp's `.T.xxxxxxxx.tmp` and `.T.<pid>.old` (no lock then)
_LEGACY_STAGING = r"\.{}\.[a-z0-9_]{{8}}\.tmp"
_LEGACY_ASIDE = r"\.{}\.(\d+)\.old"


def _leftovers(target: Path) -> tuple[list[Path], list[Path]]:
    """The staging and the set-aside folders of killed runs beside `target` (not yet proven calc's)."""
    staged = [staging_path(target)] if os.path.lexists(staging_path(target)) else []
    aside = [aside_path(target)] if os.path.lexists(aside_path(target)) else []
    if not target.parent.is_dir():
        return staged, aside
    name = re.escape(target.name)
    for entry in sorted(target.parent.iterdir()):
        if re.fullmatch(_LEGACY_STAGING.format(name), entry.name):
            staged.append(entry)
        elif (m := re.fullmatch(_LEGACY_ASIDE.format(name), entry.name)) and not _running(int(m.group(1))):
            aside.append(entry)
    return staged, aside


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return True


def _mend(target: Path) -> list[Problem]:
    where = Source(str(target))
    done = []
    staged, aside = _leftovers(target)
    if not os.path.lexists(target):
        for old in aside:
            if _ours(old):
                os.rename(old, target)
                done.append(note(where, "folder.put_back", old=old.name))
                aside.remove(old)
                break
    for leftover, what in [*((p, said("folder.staging")) for p in staged), *((p, said("folder.aside")) for p in aside)]:
        if _ours(leftover):
            shutil.rmtree(leftover)
            done.append(note(where, "folder.removed", name=leftover.name, what=what))
        else:
            done.append(note(where, "folder.left_alone", path=str(leftover)))
    return done


def _busy(target: Path) -> Problem:
    return error(Source(str(target)), "folder.busy")


@contextlib.contextmanager
def _locked(target: Path) -> Iterator[bool]:
    """Hold `.T.calc-lock` while the body runs; yields False when another process holds it."""
    path = lock_path(target)
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
        if not _try_lock(fd):
            os.close(fd)
            yield False
            return
        # The holder before us may have removed the file after we opened it: lock the file that is there.
        try:
            if os.fstat(fd).st_ino == os.stat(path).st_ino:
                break
        except FileNotFoundError:
            pass
        os.close(fd)
    try:
        yield True
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
        os.close(fd)


def _try_lock(fd: int) -> bool:
    try:
        import fcntl
    except ImportError:  # Windows
        import msvcrt
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


# ---------------------------------------------------------------- writing


def write_atomically(target: Path, fill: Callable[[Path], None]) -> list[Problem]:
    """Fill a staging folder beside `target` with `fill(staging)` and swap it in for `target`.
    On any failure the staging folder is removed and `target` is as it was; a failure of the
    environment (no space, read-only, permission denied, ...) is raised as `WriteFailed`.
    Returns the notes of mending what a killed run had left."""
    target = target.resolve()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with _locked(target) as held:
            if not held:
                raise WriteFailed(_busy(target))
            notes = _mend(target)
            staging = staging_path(target)
            os.mkdir(staging)  # the mode the umask gives, as mkdir would
            try:
                fill(staging)
                # What check_target accepted may have changed while the run computed: look again.
                foreign = _not_calc(target) if target.is_dir() and not os.path.islink(target) else None
                if foreign:
                    raise WriteFailed(error(Source(str(target)), "folder.changed", foreign=foreign))
                _swap(staging, target)
            except BaseException:
                shutil.rmtree(staging, ignore_errors=True)
                raise
        return notes
    except WriteFailed:
        raise
    except Exception as ex:
        problem = environment_problem(target, ex)
        if problem is None:
            raise
        raise WriteFailed(problem) from ex


def _swap(staging: Path, target: Path) -> None:
    if not os.path.lexists(target):
        os.rename(staging, target)
        return
    os.chmod(staging, stat.S_IMODE(os.stat(target).st_mode))  # a replaced folder keeps its mode
    if _exchange(staging, target):
        shutil.rmtree(staging, ignore_errors=True)  # now the old folder; what stays is mended next run
        return
    old = aside_path(target)
    os.rename(target, old)
    try:
        os.rename(staging, target)
    except BaseException:
        os.rename(old, target)
        raise
    shutil.rmtree(old, ignore_errors=True)


RENAME_EXCHANGE = 2
AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux renameat2); False where the OS or the file system
    cannot, and the caller falls back to two renames."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):  # no glibc, or one older than 2.28
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    if renameat2(AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b), RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(a), None, str(b))


# ---------------------------------------------------------------- failures of the environment

# errno name -> what to do about it (names this platform's errno lacks are left out)
REMEDIES = {getattr(errno, name): "folder.remedy:" + name for name in (
    "ENOSPC", "EDQUOT", "EFBIG", "EROFS", "EACCES", "EPERM", "ENOTDIR", "EEXIST", "ENOTEMPTY", "ENAMETOOLONG", "EXDEV",
    "EBUSY", "EIO", "EMFILE", "ENFILE") if hasattr(errno, name)}  # message keys


def environment_problem(target: Path, ex: BaseException) -> Problem | None:
    """`ex` as one sentence with the path and the cause, when it is the user's environment
    failing (found also where a library wrapped it: xlsxwriter's FileCreateError, a pool
    worker's exception); None for anything else (a bug, to be reported as such)."""
    found = _os_error(ex)
    if found is None:
        return None
    path = _shown_path(target, found.filename)
    if path == str(target):
        return error(Source(str(target)), "folder.write_failed", REMEDIES[found.errno], cause=_cause(found))
    return error(Source(str(target)), "folder.write_failed_at", REMEDIES[found.errno], path=path, cause=_cause(found))


def _os_error(ex: BaseException | None, depth: int = 0) -> OSError | None:
    if ex is None or depth > 5:
        return None
    if isinstance(ex, OSError) and ex.errno in REMEDIES:
        return ex
    for inner in (*[a for a in getattr(ex, "args", ()) if isinstance(a, BaseException)], ex.__cause__,
                  ex.__context__):
        found = _os_error(inner, depth + 1)
        if found is not None:
            return found
    return None


def _shown_path(target: Path, filename) -> str:
    """The failing path, with the staging folder's name read as the target's (it no longer exists)."""
    if not filename:
        return str(target)
    path = Path(os.fsdecode(filename))
    staging = staging_path(target)
    if path != staging and path.is_relative_to(staging):
        return str(target / path.relative_to(staging))
    return str(path)


def _cause(ex: BaseException) -> str:
    if isinstance(ex, OSError) and ex.errno is not None:
        return os.strerror(ex.errno).lower()
    return str(ex)


def _read_only(folder: Path) -> bool:
    try:
        return bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
    except (OSError, AttributeError):
        return False
