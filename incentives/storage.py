"""Inputs and outputs by URL (`s3://bucket/vendor/2026`, any fsspec protocol). fsspec (with
s3fs for s3://, both of the `[cluster]` extra) is imported only when a URL is given.

Reading: `find_inputs` lists the objects under a URL by the local folder's rules (`load.py`'s
own rule functions: lock files, hidden files and READMEs noted, subfolders of sales/ read,
names and extensions in any case); `fetch` saves one object as a local file,
where the guard and the reader take it as any other, with its version id or ETag for the
audit. It runs wherever the file is read: on a cluster, the worker fetches the object itself.

Writing: an object store has no atomic rename, so a run never replaces anything. It is written
as a local run is, into a temporary staging folder by the same writers, then uploaded under a
prefix of its own, `<out>/<run id>/`, `manifest.sha256` last: a prefix without one is not a run
(a run killed while uploading leaves one), and `calc close` and `--ledger` refuse it.
Credentials and endpoints come from each machine's environment, as fsspec and botocore read
them (AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID, ~/.aws/...): the URL travels to the workers, no secret.

Test hook: CALC_UPLOAD_HOOK=manifest kills the process (SIGKILL) right before the manifest is
uploaded: a run killed at the worst point.
"""

from __future__ import annotations

import os
import signal
import tempfile
from collections.abc import Callable
from pathlib import Path, PurePosixPath

from incentives import load
from incentives.problems import Problem, Source, error, note
from incentives.register.manifest import MANIFEST, folder_files

HOOK = "CALC_UPLOAD_HOOK"


def is_url(text: str | os.PathLike) -> bool:
    return isinstance(text, str) and "://" in text


def last_name(folder: str | os.PathLike) -> str:
    """A folder's or a URL's last name, as the audit's command shows the input folder."""
    return folder.rstrip("/").rpartition("/")[2] if is_url(folder) else Path(folder).name


def _fs(url: str):
    """The file system of `url` and the path in it; ImportError without the cluster extra."""
    import fsspec

    fs, path = fsspec.core.url_to_fs(url)
    fs.invalidate_cache()  # a listing cached earlier in this process may predate what another wrote
    return fs, path.rstrip("/")


def _name(path: str) -> str:
    return path.rstrip("/").rpartition("/")[2]


def find_inputs(url: str) -> tuple[list[tuple[str, object]], list[Problem]]:
    """`load.find_inputs` for the objects under `url`: (object URL, declaration) to read, and
    the problems, by the same rules. Object stores have no links, so no link rule applies."""
    base = url.rstrip("/")
    found: dict[str, list[tuple[str, object]]] = {}
    problems: list[Problem] = []
    try:
        fs, root = _fs(base)
    except (ImportError, ValueError) as ex:
        return [], [error(Source(url), f"cannot be read ({ex})",
                          "install calc-incentives[cluster] for s3:// URLs, or give a local folder")]

    def walk(directory: str, book) -> None:
        try:
            entries = fs.ls(directory, detail=True)
        except FileNotFoundError:
            entries = []
        for entry in sorted(entries, key=lambda e: _name(e["name"])):
            name, rel = _name(entry["name"]), entry["name"].rstrip("/")[len(root) + 1:]
            if not rel:  # some stores list a folder's own marker object
                continue
            if (words := load.aside(name)) is not None:
                problems.append(note(Source(rel), words))
            elif entry["type"] == "directory":
                if (inner := load.subfolder(rel, name, book, problems)) is not None:
                    walk(entry["name"].rstrip("/"), inner)
            else:
                load.placed(rel, f"{base}/{rel}", name, book, found, problems)

    try:
        walk(root, None)
    except Exception as ex:  # credentials, endpoint, permissions: the store's errors differ by protocol
        return [], [error(Source(url), f"cannot be listed ({type(ex).__name__}: {ex})",
                          "check the URL and this machine's credentials for the store")]
    if not found and not problems:  # as a folder that is not there: no list of missing workbooks
        return [], [error(Source(url), "holds no objects", "check the bucket and the prefix of the input URL")]
    return load.jobs_of(found, problems)


def version_of(info: dict) -> str:
    """An object's version as its store reports it: the version id of a versioned bucket, else
    its ETag; "" for a store that has neither (a local file:// URL)."""
    for key, shown in (("VersionId", "version"), ("ETag", "ETag"), ("etag", "ETag")):
        value = info.get(key)
        if value and value != "null":
            return f"{shown} {str(value).strip(chr(34))}"
    return ""


class Unreadable(Exception):
    """An object the store would not give: its words say why (missing, denied, unreachable)."""


def fetch(url: str, into: Path) -> tuple[Path, str]:
    """The object at `url` saved in the folder `into` (its extension kept: the guard reads the
    format from it), and its version; `Unreadable` when the store fails."""
    try:
        fs, path = _fs(url)
        info = fs.info(path)
        local = into / f"object{PurePosixPath(path).suffix}"
        fs.get_file(path, str(local))
    except Exception as ex:  # the store's own errors differ by protocol: each is the store failing
        raise Unreadable(f"{type(ex).__name__}: {ex}") from ex
    return local, version_of(info)


# ---------------------------------------------------------------- a run written under a prefix


def run_url(out: str, run_id: str) -> str:
    return f"{out.rstrip('/')}/{run_id}"


def check_out(out: str, input_url: str | Path) -> Problem | None:
    """Why `--out URL` may not take runs: inside or above the input URL."""
    if not is_url(out):
        return None
    given, inputs = out.rstrip("/") + "/", str(input_url).rstrip("/") + "/"
    if is_url(str(input_url)) and (given.startswith(inputs) or inputs.startswith(given)):
        return error(Source(f"--out {out}"), "is inside or holds the input URL, which calc must not change",
                     "pass --out another prefix, e.g. s3://bucket/runs/<program>/<period>")
    return None


def complete(url: str) -> bool:
    """Whether the prefix at `url` holds a run: its manifest.sha256 was written."""
    fs, root = _fs(url)
    return fs.isfile(f"{root}/{MANIFEST}")


def write_run(out: str, run_id: str, fill: Callable[[Path], None]) -> tuple[str, list[Problem]]:
    """`fill(staging)` in a local temporary folder, uploaded under `<out>/<run id>/`, the manifest
    last. Returns the run's URL and notes; `WriteFailed` when the prefix holds this run already or
    the store refuses. Objects a killed upload of the same run left are replaced (what a run
    writes depends only on its run id); the objects of other runs are never touched."""
    from incentives.write.folder import WriteFailed

    url = run_url(out, run_id)
    where = Source(url)
    notes: list[Problem] = []
    try:
        fs, root = _fs(url)
        if fs.isfile(f"{root}/{MANIFEST}"):
            raise WriteFailed(error(where, "holds this run already, complete (same inputs, period, calc version "
                                    "and register head)", "use it; or delete the prefix to write the run again"))
        if fs.exists(root):
            fs.rm(root, recursive=True)
            notes.append(note(where, "removed what an upload of this run killed before its manifest had left"))
    except WriteFailed:
        raise
    except Exception as ex:  # the store: credentials, endpoint, permissions
        raise WriteFailed(error(where, f"could not be read ({type(ex).__name__}: {ex})",
                                "check the URL and this machine's credentials for the store")) from ex
    with tempfile.TemporaryDirectory(prefix="calc-run-") as tmp:
        staging = Path(tmp) / "run"
        staging.mkdir()
        fill(staging)
        files = folder_files(staging)
        try:
            fs.put([str(staging / rel) for rel in files], [f"{root}/{rel}" for rel in files])
            if os.environ.get(HOOK) == "manifest":
                os.kill(os.getpid(), signal.SIGKILL)
            fs.put_file(str(staging / MANIFEST), f"{root}/{MANIFEST}")  # last: the run is complete now
        except Exception as ex:
            raise WriteFailed(error(where, f"could not be written ({type(ex).__name__}: {ex}); without its "
                                    f"{MANIFEST} the prefix is not a run", "run again")) from ex
    return url, notes


def local_copy(url: str, folder: Path) -> Problem | None:
    """The run at `url` downloaded into `folder` (created), or why not: a prefix without its
    manifest is not a run."""
    try:
        fs, root = _fs(url)
        if not fs.isfile(f"{root}/{MANIFEST}"):
            what = "holds no objects" if not fs.exists(root) else f"has no {MANIFEST}, so it is not a complete run"
            return error(Source(url), what, "a run killed while uploading leaves a prefix without one: run the "
                         "period again and use the new run's URL")
        names = [p for p in fs.find(root) if not p.endswith("/")]
        # downloaded beside, then renamed: a copy killed half-way is never taken for the run
        staging = folder.parent / f".{folder.name}.calc-new"
        staging.mkdir(parents=True, exist_ok=True)
        fs.get(names, [str(staging / p[len(root) + 1:]) for p in names])
        os.rename(staging, folder)
    except Exception as ex:
        return error(Source(url), f"could not be read ({type(ex).__name__}: {ex})",
                     "check the URL and this machine's credentials for the store")
    return None
