"""The output folder (write/folder.py): calc replaces only a folder calc wrote, whole or not at all."""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import shutil
import signal
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from xlsxwriter.exceptions import FileCreateError

from incentives import pipeline
from incentives.cli import main
from incentives.periods import parse_period
from incentives.write import folder
from incentives.write.folder import (WriteFailed, aside_path, check_target, lock_path, mend, staging_path,
                                     write_atomically)
from tests.builders import PROGRAM, line, make_inputs

SALES = {"a.xlsx": [line("A", "2026-07-01", 1000)]}


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def snapshot_of(root: Path) -> dict[str, bytes | None]:
    """Every path under `root` with its bytes (None for a folder)."""
    return {p.relative_to(root).as_posix(): (p.read_bytes() if p.is_file() else None) for p in sorted(root.rglob("*"))}


def calc_names(parent: Path) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if ".calc-" in p.name)


@pytest.fixture
def inputs(tmp_path) -> Path:
    return make_inputs(tmp_path / "in", SALES)


# ---------------------------------------------------------------- refusals, through the command line


def _docs(tmp_path: Path) -> Path:
    docs = tmp_path / "docs"
    (docs / "sub").mkdir(parents=True)
    (docs / "notes.txt").write_text("mine")
    (docs / "sub" / "contract.docx").write_bytes(b"PK")
    return docs


def _link(tmp_path: Path) -> Path:
    (tmp_path / "link").symlink_to(tmp_path / "in")
    return tmp_path / "link"


def _below_file(tmp_path: Path) -> Path:
    (tmp_path / "report.txt").write_text("mine")
    return tmp_path / "report.txt" / "out"


REFUSED = [
    (lambda t: t / "in", "is the input folder, which calc must not replace"),
    (lambda t: t / "in" / "sales", "is inside the input folder"),
    (lambda t: t / "in" / "new", "is inside the input folder"),
    (lambda t: t, "holds the input folder"),
    (_docs, "holds files calc did not write (notes.txt); replacing it would delete them"),
    (_link, "is the input folder"),
    (_below_file, "is below the file"),
]


@pytest.mark.parametrize("make_out, says", REFUSED, ids=["input-folder", "inside-input", "new-inside-input",
                                                         "above-input", "foreign-folder", "symlink-to-input",
                                                         "below-a-file"])
def test_out_refused_changes_nothing(tmp_path, inputs, make_out, says):
    out = make_out(tmp_path)
    before = snapshot_of(tmp_path)
    result = invoke("run", inputs, "--period", "2026Q3", "--out", out)
    assert result.exit_code == 1, result.output
    assert says in result.output
    assert "(pass --out" in result.output and "nothing was written" in result.output
    assert snapshot_of(tmp_path) == before


def test_default_out_follows_the_same_rule(tmp_path, inputs, monkeypatch):
    monkeypatch.chdir(tmp_path)
    default = tmp_path / "outputs" / PROGRAM["program_id"] / "2026Q3"
    default.mkdir(parents=True)
    (default / "notes.txt").write_text("mine")
    result = invoke("run", inputs, "--period", "2026Q3")
    assert result.exit_code == 1 and "--out outputs/test/2026Q3: holds files calc did not write (notes.txt)" in result.output
    assert (default / "notes.txt").read_text() == "mine"
    (default / "notes.txt").unlink()
    assert invoke("run", inputs, "--period", "2026Q3").exit_code == 0
    assert (default / "ledger.xlsx").is_file()


def test_ledger_folder_is_refused(tmp_path, inputs):
    earlier = tmp_path / "q2"
    assert invoke("run", inputs, "--period", "2026Q2", "--out", earlier).exit_code == 0
    before = snapshot_of(earlier)
    outcome = pipeline.run(inputs, parse_period("2026Q3"), earlier, previous=earlier)
    assert [str(p) for p in outcome.problems if p.is_error] == [
        f"--out {earlier}: is the --ledger folder, which calc must not replace "
        "(pass --out a new or empty folder, e.g. outputs/test/<period>)"]
    assert snapshot_of(earlier) == before


def test_out_is_checked_when_the_inputs_have_errors_too(tmp_path):
    broken = make_inputs(tmp_path / "in", {"a.xlsx": [line("A", "2026-07-01", "lots")]})
    result = invoke("run", broken, "--period", "2026Q3", "--out", broken)
    assert result.exit_code == 1
    assert "is not a number" in result.output and "is the input folder" in result.output


# ---------------------------------------------------------------- which folder is an earlier run


def _run(tmp_path: Path, inputs: Path) -> Path:
    out = tmp_path / "out"
    assert invoke("run", inputs, "--period", "2026Q3", "--out", out).exit_code == 0
    return out


def _manifest(out: Path) -> None:
    files = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    (out / "manifest.sha256").write_text("".join(f"{hashlib.sha256((out / f).read_bytes()).hexdigest()}  {f}\n"
                                                 for f in files))


def test_an_earlier_run_empty_or_new_folder_is_accepted(tmp_path, inputs):
    out = _run(tmp_path, inputs)
    assert check_target(out, input_dir=inputs, program_id="test") is None  # with calc's own manifest
    (out / "manifest.sha256").unlink()  # as a run of a calc before manifests left it
    assert check_target(out, input_dir=inputs, program_id="test") is None
    _manifest(out)
    assert check_target(out, input_dir=inputs, program_id="test") is None
    assert check_target(tmp_path / "new" / "deeper", input_dir=inputs, program_id="test") is None
    (tmp_path / "empty").mkdir()
    assert check_target(tmp_path / "empty", input_dir=inputs, program_id="test") is None
    # and the rerun replaces it
    assert invoke("run", inputs, "--period", "2026Q3", "--out", out).exit_code == 0
    listed = [line.split("  ", 1)[1] for line in (out / "manifest.sha256").read_text().splitlines()]
    assert listed == sorted(p.relative_to(out).as_posix() for p in out.rglob("*")
                            if p.is_file() and p.name != "manifest.sha256")


def _extra_file(out: Path) -> None:
    (out / "notes.txt").write_text("mine")


def _extra_statement_folder(out: Path) -> None:
    (out / "statements" / "old").mkdir()


def _symlinked_ledger(out: Path) -> None:
    (out / "ledger.xlsx").unlink()
    (out / "ledger.xlsx").symlink_to(out / "audit.xlsx")


def _no_audit(out: Path) -> None:
    (out / "audit.xlsx").unlink()


def _unlisted(out: Path) -> None:
    _manifest(out)
    (out / "statements" / "P9.xlsx").write_bytes(b"mine")


def _changed(out: Path) -> None:
    _manifest(out)
    (out / "ledger.xlsx").write_bytes(b"edited by hand")


def _bad_manifest(out: Path) -> None:
    (out / "manifest.sha256").write_text("not a manifest\n")


FOREIGN = [
    (_extra_file, "(notes.txt: not in its manifest.sha256)"), (_extra_statement_folder, "(statements/old/)"),
    (_symlinked_ledger, "(ledger.xlsx: not a plain file)"),
    (_no_audit, "no audit.xlsx with a Run sheet naming its program"),
    (_unlisted, "(statements/P9.xlsx: not in its manifest.sha256)"),
    (_changed, "(ledger.xlsx: changed since calc wrote it)"),
    (_bad_manifest, "(manifest.sha256: not one calc wrote)"),
]


@pytest.mark.parametrize("spoil, says", FOREIGN, ids=["extra-file", "extra-folder", "symlink", "no-audit",
                                                      "unlisted-by-manifest", "changed-since-manifest", "bad-manifest"])
def test_a_run_folder_with_what_calc_did_not_write_is_refused(tmp_path, inputs, spoil, says):
    out = _run(tmp_path, inputs)
    spoil(out)
    problem = check_target(out, input_dir=inputs, program_id="test")
    assert problem is not None and says in problem.message


def test_a_run_of_another_program_is_refused(tmp_path, inputs):
    out = _run(tmp_path, inputs)
    problem = check_target(out, input_dir=inputs, program_id="other")
    assert problem.message == "is a run of program test, not of other"


def test_a_folder_in_refused_and_what_is_above_or_inside_it(tmp_path, inputs):
    closed = _run(tmp_path, inputs)
    refused = {closed: "the closed run of 2026Q3"}
    for out, says in ((closed, "is the closed run of 2026Q3"), (closed / "statements", "is inside the closed run"),
                      (tmp_path, "holds the input folder")):
        problem = check_target(out, input_dir=inputs, program_id="test", refused=refused)
        assert problem is not None and says in problem.message


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root may write anywhere")
def test_a_folder_you_may_not_write_is_refused(tmp_path, inputs):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    problem = check_target(locked / "out", input_dir=inputs, program_id="test")
    assert problem.message == f"cannot be written: you may not write in {locked}"


# ---------------------------------------------------------------- writing: staging, swap, modes


def _fill(text: str):
    def fill(staging: Path) -> None:
        (staging / "statements").mkdir()
        (staging / "ledger.xlsx").write_text(text)
        (staging / "statements" / "P1.xlsx").write_text(text)
    return fill


def test_staging_removed_when_fill_raises(tmp_path):
    target = tmp_path / "out"
    write_atomically(target, _fill("old"))
    before = snapshot_of(tmp_path)

    def fails(staging: Path) -> None:
        _fill("new")(staging)
        raise RuntimeError("a bug while writing")

    with pytest.raises(RuntimeError, match="a bug while writing"):
        write_atomically(target, fails)
    assert snapshot_of(tmp_path) == before
    assert calc_names(tmp_path) == []


def test_the_swap_replaces_and_leaves_nothing_beside(tmp_path):
    target = tmp_path / "out"
    write_atomically(target, _fill("old"))
    write_atomically(target, _fill("new"))
    assert snapshot_of(target) == {"ledger.xlsx": b"new", "statements": None, "statements/P1.xlsx": b"new"}
    assert calc_names(tmp_path) == []


def test_two_renames_where_the_exchange_is_not_available(tmp_path, monkeypatch):
    monkeypatch.setattr(folder, "_exchange", lambda a, b: False)
    target = tmp_path / "out"
    write_atomically(target, _fill("old"))
    write_atomically(target, _fill("new"))
    assert snapshot_of(target)["ledger.xlsx"] == b"new"
    assert calc_names(tmp_path) == []


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="renameat2 is Linux's")
def test_the_exchange_is_used_on_linux(tmp_path, monkeypatch):
    target = tmp_path / "out"
    write_atomically(target, _fill("old"))
    renames = []
    monkeypatch.setattr(folder.os, "rename", lambda a, b: renames.append((a, b)))
    write_atomically(target, _fill("new"))
    assert renames == [] and (target / "ledger.xlsx").read_text() == "new"


def test_a_file_put_into_the_target_while_calc_computed_is_kept(tmp_path):
    target = tmp_path / "out"
    write_atomically(target, _fill("old"))

    def meanwhile(staging: Path) -> None:
        _fill("new")(staging)
        (target / "notes.txt").write_text("mine")

    with pytest.raises(WriteFailed, match=r"changed while calc computed: it now holds files calc did not write \(notes.txt\)"):
        write_atomically(target, meanwhile)
    assert snapshot_of(target) == {"ledger.xlsx": b"old", "notes.txt": b"mine", "statements": None,
                                   "statements/P1.xlsx": b"old"}
    assert calc_names(tmp_path) == []


def test_a_second_writer_is_refused_while_the_first_writes(tmp_path):
    target = tmp_path / "out"

    def nested(staging: Path) -> None:
        with pytest.raises(WriteFailed, match="another calc run is writing this folder now"):
            write_atomically(target, _fill("second"))
        _fill("first")(staging)

    write_atomically(target, nested)
    assert (target / "ledger.xlsx").read_text() == "first"


@pytest.fixture
def umask():
    def set_(mask: int) -> None:
        os.umask(mask)
    old = os.umask(0o022)
    yield set_
    os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_modes_are_the_umasks_and_a_replaced_folder_keeps_its_own(tmp_path, inputs, umask):
    umask(0o027)
    out = tmp_path / "new" / "out"
    assert invoke("run", inputs, "--period", "2026Q3", "--out", out).exit_code == 0
    # 0777 and 0666 less the umask 027, as mkdir and a new file get
    assert {_mode(p) for p in (out, out.parent, out / "statements")} == {0o750}
    assert {_mode(p) for p in out.rglob("*") if p.is_file()} == {0o640}
    out.chmod(0o711)
    umask(0o077)
    assert invoke("run", inputs, "--period", "2026Q3", "--out", out).exit_code == 0
    assert _mode(out) == 0o711
    assert _mode(out / "ledger.xlsx") == 0o600


# ---------------------------------------------------------------- failures of the environment


@pytest.mark.parametrize("raised, says", [
    (OSError(errno.ENOSPC, "No space left on device"), "could not be written: no space left on device"),
    (OSError(errno.EROFS, "Read-only file system"), "could not be written: read-only file system"),
    (PermissionError(errno.EACCES, "Permission denied", "/x/.out.calc-new/ledger.xlsx"), None),
    (FileCreateError(OSError(errno.ENOSPC, "No space left on device")), "no space left on device"),
], ids=["no-space", "read-only", "permission-denied", "wrapped-by-xlsxwriter"])
def test_environment_failures_are_problems_and_leave_nothing(tmp_path, raised, says):
    target = tmp_path / "out"
    write_atomically(target, _fill("old"))
    before = snapshot_of(tmp_path)
    if isinstance(raised, PermissionError):
        raised.filename = str(staging_path(target.resolve()) / "ledger.xlsx")
        says = f"could not be written at {target.resolve() / 'ledger.xlsx'}: permission denied"

    def fails(staging: Path) -> None:
        _fill("new")(staging)
        raise raised

    with pytest.raises(WriteFailed) as caught:
        write_atomically(target, fails)
    assert says in caught.value.problem.message and caught.value.problem.hint.startswith(("free", "pass"))
    assert snapshot_of(tmp_path) == before


def test_a_bug_stays_a_bug(tmp_path):
    def fails(staging: Path) -> None:
        raise OSError(errno.EBADF, "Bad file descriptor")

    with pytest.raises(OSError, match="Bad file descriptor"):
        write_atomically(tmp_path / "out", fails)
    assert calc_names(tmp_path) == []


def test_an_environment_failure_exits_1_not_3(tmp_path, inputs, monkeypatch):
    def full(folder_, *args):
        raise OSError(errno.ENOSPC, "No space left on device", str(folder_ / "summary.xlsx"))

    monkeypatch.setattr(pipeline, "write_summary", full)
    out = tmp_path / "out"
    result = invoke("run", inputs, "--period", "2026Q3", "--out", out)
    assert result.exit_code == 1, result.output
    assert f"could not be written at {out / 'summary.xlsx'}: no space left on device" in result.output
    assert "internal error" not in result.output and not out.exists() and calc_names(tmp_path) == []


def test_a_failure_beside_the_statements_waits_for_them(tmp_path, inputs, monkeypatch):
    # The statements are written in a thread while the summary is: when the summary fails, the
    # staging folder is removed only once the statements are done, so nothing they write outlives it.
    written = pipeline.write_statements
    done = []

    def slow(*args, **kwargs):
        time.sleep(0.5)  # still writing when the summary fails
        done.append(written(*args, **kwargs))

    def full(folder_, *args):
        raise OSError(errno.ENOSPC, "No space left on device", str(folder_ / "summary.xlsx"))

    monkeypatch.setattr(pipeline, "write_statements", slow)
    monkeypatch.setattr(pipeline, "write_summary", full)
    out = tmp_path / "out"
    assert invoke("run", inputs, "--period", "2026Q3", "--out", out).exit_code == 1
    assert len(done) == 1 and not out.exists() and calc_names(tmp_path) == []


def _tmpfs(path: Path, options: str) -> bool:
    path.mkdir()
    if not sys.platform.startswith("linux") or os.geteuid() != 0 or shutil.which("mount") is None:
        return False
    return subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(path)],
                          capture_output=True).returncode == 0


@contextlib.contextmanager
def _mounted(disk: Path, options: str, what: str):
    """A tmpfs mounted at `disk` for the test, unmounted after; the test skipped where it cannot be."""
    if not _tmpfs(disk, options):
        pytest.skip(f"cannot mount {what} here (needs root on Linux)")
    try:
        yield disk
    finally:
        subprocess.run(["umount", str(disk)], check=True)


@pytest.fixture
def full_disk(tmp_path):
    with _mounted(tmp_path / "disk", "size=12k", "a small tmpfs") as disk:
        yield disk


def test_a_real_full_disk(tmp_path, full_disk):
    inputs = make_inputs(tmp_path / "in", {"a.xlsx": [line(f"I{i}", "2026-07-01", 1000 + i) for i in range(300)]})
    result = invoke("run", inputs, "--period", "2026Q3", "--out", full_disk / "out")
    assert result.exit_code == 1, result.output
    assert "no space left on device; nothing was left half-written" in result.output
    assert list(full_disk.iterdir()) == []
    result = invoke("run", inputs, "--period", "2026Q3", "--out", full_disk)
    assert result.exit_code == 1 and "is a mount point" in result.output


# ---------------------------------------------------------------- killed runs, and mending what they left

KILLED = {
    "during-staging": """
        def fill(staging):
            (staging / "ledger.xlsx").write_text("new")
            os.kill(os.getpid(), signal.SIGKILL)
    """,
    "between-the-two-renames": """
        folder._exchange = lambda a, b: False
        rename, calls = os.rename, []
        def once_then_die(a, b):
            calls.append(a)
            if len(calls) == 2:
                os.kill(os.getpid(), signal.SIGKILL)
            rename(a, b)
        os.rename = once_then_die
    """,
    "after-the-exchange": """
        def die(path, *args, **kwargs):
            os.kill(os.getpid(), signal.SIGKILL)
        folder.shutil.rmtree = die
    """,
}


def _killed_run(target: Path, how: str) -> subprocess.CompletedProcess:
    script = "\n".join([
        "import os, signal, sys", "from pathlib import Path", "from incentives.write import folder",
        "def fill(staging):", "    (staging / 'ledger.xlsx').write_text('new')",
        textwrap.dedent(KILLED[how]),
        "folder.write_atomically(Path(sys.argv[1]), fill)"])
    return subprocess.run([sys.executable, "-c", script, str(target)], capture_output=True, text=True)


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
@pytest.mark.parametrize("how, left, says", [
    ("during-staging", [".out.calc-lock", ".out.calc-new"], ["removed .out.calc-new, the staging folder"]),
    ("between-the-two-renames", [".out.calc-lock", ".out.calc-new", ".out.calc-old"],
     ["put back from .out.calc-old", "removed .out.calc-new, the staging folder"]),
    ("after-the-exchange", [".out.calc-lock", ".out.calc-new"], ["removed .out.calc-new, the staging folder"]),
], ids=list(KILLED))
def test_a_killed_run_is_mended(tmp_path, how, left, says):
    target = tmp_path / "out"
    write_atomically(target, _fill("old"))
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    if how == "after-the-exchange" and not folder._exchange(tmp_path / "a", tmp_path / "b"):
        pytest.skip("no renameat2 exchange here")
    killed = _killed_run(target, how)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert calc_names(tmp_path) == left
    notes = mend(target)
    assert [n.message[:len(s)] for n, s in zip(notes, says)] == says and len(notes) == len(says)
    assert not any(n.is_error for n in notes)
    assert calc_names(tmp_path) == []
    expected = "new" if how == "after-the-exchange" else "old"
    assert (target / "ledger.xlsx").read_text() == expected
    assert mend(target) == []


def test_a_leftover_calc_did_not_write_is_left_alone(tmp_path):
    target = tmp_path / "out"
    write_atomically(target, _fill("old"))
    staging = staging_path(target)
    staging.mkdir()
    (staging / "notes.txt").write_text("mine")
    notes = mend(target)
    assert [n.message for n in notes] == [f"left {staging} alone: it holds files calc does not write"]
    assert (staging / "notes.txt").read_text() == "mine"
    with pytest.raises(WriteFailed, match="file exists"):
        write_atomically(target, _fill("new"))
    assert (staging / "notes.txt").read_text() == "mine" and (target / "ledger.xlsx").read_text() == "old"


@pytest.mark.parametrize("scratch, removed", [
    (".calc-lines-k3x_9q0a/lines-0007.arrow", True),  # what write/statements.py leaves, killed mid-pool
    (".calc-lines-k3x_9q0a/lines.arrow", False),
    (".calc-lines-k3x_9q0a/notes.txt", False),  # anything else in it is not calc's
    (".calc-lines-mine/lines-0007.arrow", False),  # nor a folder tempfile would not have named
], ids=["the-statements-scratch", "an-older-name", "another-file-in-it", "a-look-alike-folder"])
def test_a_killed_runs_statement_scratch_is_mended_and_nothing_else(tmp_path, scratch, removed):
    target = tmp_path / "out"
    write_atomically(target, _fill("old"))
    staging = staging_path(target)
    (staging / "statements").mkdir(parents=True)
    (staging / "ledger.xlsx").write_text("new")
    (staging / "statements" / "P1.xlsx").write_text("new")
    (staging / scratch).parent.mkdir()
    (staging / scratch).write_text("lines")
    notes = mend(target)
    assert len(notes) == 1 and notes[0].message.startswith("removed" if removed else "left")
    assert staging.exists() != removed and (target / "ledger.xlsx").read_text() == "old"


def test_an_old_folder_set_aside_is_put_back_only_when_the_target_is_missing(tmp_path):
    target = tmp_path / "out"
    write_atomically(target, _fill("current"))
    aside = aside_path(target)
    aside.mkdir()
    (aside / "ledger.xlsx").write_text("older")
    notes = mend(target)
    assert [n.message for n in notes] == ["removed .out.calc-old, the set-aside old folder of a run that was killed"]
    assert (target / "ledger.xlsx").read_text() == "current"


def test_mending_waits_for_no_one(tmp_path):
    target = tmp_path / "out"
    staging_path(target).mkdir()
    with folder._locked(target) as held:
        assert held
        assert [p.message for p in mend(target)] == ["another calc run is writing this folder now"]
        assert staging_path(target).exists()
    assert not lock_path(target).exists()


def test_what_calc_before_the_lock_left_is_mended_too(tmp_path):
    """The names of calc before 2026-11-25: mkdtemp's `.out.xxxxxxxx.tmp`, and `.out.<pid>.old`
    with the pid of the run, put back only when that process is gone."""
    target = tmp_path / "out"
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    old = tmp_path / f".out.{int(gone.stdout)}.old"
    busy = tmp_path / f".out.{os.getpid()}.old"  # this process runs: not a killed run's
    staged = tmp_path / ".out.k3x_9qzb.tmp"
    for leftover, text in ((old, "last output"), (busy, "in use"), (staged, "half")):
        leftover.mkdir()
        _fill(text)(leftover)
    notes = mend(target)
    assert [n.message for n in notes] == [
        f"put back from {old.name}, where a run killed while replacing it had set it aside",
        f"removed {staged.name}, the staging folder of a run that was killed"]
    assert (target / "ledger.xlsx").read_text() == "last output"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == [busy.name]


@pytest.fixture
def read_only_disk(tmp_path):
    with _mounted(tmp_path / "ro", "ro,size=64k", "a read-only tmpfs") as disk:
        yield disk


def test_a_real_read_only_disk(tmp_path, inputs, read_only_disk):
    problem = check_target(read_only_disk / "out", input_dir=inputs, program_id="test")
    assert str(problem) == (f"--out {read_only_disk / 'out'}: cannot be written: {read_only_disk} is on a read-only "
                            "disk (pass --out on a writable disk)")
    with pytest.raises(WriteFailed) as caught:  # and when it turns read-only after the check
        write_atomically(read_only_disk / "out", _fill("new"))
    assert caught.value.problem.message == (f"could not be written at {read_only_disk / '.out.calc-lock'}: read-only "
                                            "file system; nothing was left half-written")
