"""`calc run --cluster` (cluster.py, the seam in processes.py) and inputs and outputs by URL
(storage.py): one real LocalCluster of two single-threaded worker processes and one S3
endpoint (moto's server on 127.0.0.1) for the whole session."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

distributed = pytest.importorskip("distributed", reason="the cluster extra is not installed "
                                  "(pip install 'calc-incentives[cluster]')")
fsspec = pytest.importorskip("fsspec", reason="the cluster extra is not installed")
moto_server = pytest.importorskip("moto.server", reason="moto[server] (of the test extra) is not installed")

import openpyxl  # noqa: E402
from click.testing import CliRunner  # noqa: E402

import incentives  # noqa: E402
from incentives import cluster as calc_cluster  # noqa: E402
from incentives import load, storage  # noqa: E402
from incentives.cli import main  # noqa: E402
from incentives.register.manifest import MANIFEST  # noqa: E402
from tests.builders import SAMPLE  # noqa: E402
from tests.hostile.make_corpus import LAUGHS, SHEET, patched, sales  # noqa: E402

PERIOD = "2026Q3"
REGISTER = "register.sqlite"  # the audit names the register a run consulted: every run here names this one


@pytest.fixture(scope="session")
def s3(tmp_path_factory):
    """An S3 endpoint on 127.0.0.1 for the session; its address and test credentials in the
    environment before the cluster starts, so that its workers find them as a real one would."""
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    with pytest.MonkeyPatch.context() as env:
        env.setenv("AWS_ENDPOINT_URL", f"http://{host}:{port}")
        env.setenv("AWS_ACCESS_KEY_ID", "testing")
        env.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        env.setenv("AWS_DEFAULT_REGION", "us-east-1")
        fs = fsspec.filesystem("s3", skip_instance_cache=True)
        for bucket in ("calc-in", "calc-out"):
            fs.mkdir(bucket)
        # the sample as a vendor's folder of objects: the local folder's tree, keys as paths
        fs.put(str(SAMPLE) + "/", "calc-in/vendor/2026/", recursive=True)
        yield fs
    server.stop()


@pytest.fixture(scope="session")
def client(s3):
    # No dashboard (bokeh is not installed). ":0", not None: with None the scheduler's HTTP server
    # (health, metrics) still binds 8787, and where another cluster of the machine holds it,
    # distributed moves to a free port and leaks the socket it tried (a ResourceWarning).
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as local:
        with distributed.Client(local, set_as_default=False) as client:
            yield client


@pytest.fixture(scope="session")
def plain(tmp_path_factory) -> Path:
    """The sample run without the cluster, from a folder named as the objects' prefix (2026): the
    audit records the command with the input folder's name."""
    folder = tmp_path_factory.mktemp("plain") / "2026"
    shutil.copytree(SAMPLE, folder)
    out = folder.parent / "out"
    result = CliRunner().invoke(main, ["run", str(folder), "--period", PERIOD, "--out", str(out),
                                       "--register", str(folder.parent / REGISTER)])
    assert result.exit_code == 0, result.output
    return out


def files_of(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def calls(stream) -> list[dict]:
    """The tasks of calc's maps (`cluster._calls`) the scheduler ran while `stream` recorded."""
    return [t for t in stream.data if t["key"].startswith("_calls")]


def test_a_run_on_the_cluster_is_byte_identical_to_a_plain_run(client, plain, tmp_path):
    out = tmp_path / "out"
    with distributed.get_task_stream(client) as stream:
        result = CliRunner().invoke(main, ["run", str(plain.parent / "2026"), "--period", PERIOD, "--out", str(out),
                                           "--cluster", client.scheduler.address,
                                           "--register", str(plain.parent / REGISTER)])
    assert result.exit_code == 0, result.output
    assert files_of(out) == files_of(plain)
    # the work went to the workers: the sample's 45 input files (program, partners, fx_rates, 4 of
    # opportunities, 38 of sales), 8 a task, are 6 read tasks (5 x 8 + 5); its statements (fewer
    # lines than a batch's 20 000) are 1 write task
    tasks = calls(stream)
    assert len(tasks) == 7
    assert {t["worker"] for t in tasks} <= set(client.scheduler_info()["workers"])


def test_the_workers_are_other_processes(client):
    pids = client.run(os.getpid)
    assert len(pids) == 2 and len(set(pids.values())) == 2 and os.getpid() not in pids.values()


def test_a_worker_with_another_version_of_calc_is_refused(client, tmp_path):
    worker = sorted(client.scheduler_info()["workers"])[0]
    client.run(setattr, incentives, "__version__", "0.0.9", workers=[worker])
    try:
        out = tmp_path / "out"
        result = CliRunner().invoke(main, ["run", str(SAMPLE), "--period", PERIOD, "--out", str(out),
                                           "--cluster", client.scheduler.address])
    finally:
        client.run(setattr, incentives, "__version__", incentives.__version__, workers=[worker])
    assert result.exit_code == 1
    assert (f"worker {worker} runs other versions than this calc: calc {incentives.__version__} here, 0.0.9 there"
            in result.output)
    assert "nothing was written" in result.output and not out.exists()


def test_the_version_check_asks_for_every_pin_of_calc():
    # pyproject pins the package's own dependencies and the cluster extra's: all are compared,
    # the test extra's are not (they do not shape an output)
    found = calc_cluster.versions()
    assert {"calc", "calc source", "python", "polars", "fastexcel", "xlsxwriter", "dask", "distributed",
            "fsspec", "s3fs"} <= set(found)
    assert "pytest" not in found
    assert calc_cluster.mismatches({"polars": "2.1.0", "calc": "0.1.0"}, {"polars": "2.0.0", "calc": "0.1.0"}) == [
        "polars 2.1.0 here, 2.0.0 there"]


def hostile_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    shutil.copytree(SAMPLE, folder)
    base = sales(tmp_path / "base.xlsx")
    patched(base, folder / "sales" / "laughs.xlsx", {SHEET: lambda b: LAUGHS})  # XML entities
    sales(folder / "sales" / "far.xlsx", stray=(999_999, 3))  # a cell at D1000000
    (folder / "sales" / "export.xlsx").write_text("invoice_id;amount\nA;1\n")  # text saved as .xlsx
    return folder


HOSTILE = ["sales/export.xlsx", "sales/far.xlsx", "sales/laughs.xlsx"]


def test_a_hostile_file_read_on_a_worker_is_reported_where_it_is_as_in_the_pool(client, tmp_path, monkeypatch):
    folder = hostile_folder(tmp_path)
    with distributed.get_task_stream(client) as stream:
        inputs, problems = load.load(folder, cluster=calc_cluster.Cluster(client))
    assert len(calls(stream)) == 6  # the sample's 45 files and 3 hostile ones, 8 a task: 48 / 8
    monkeypatch.setattr(load, "PROCESSES_FROM", 1)
    _, in_the_pool = load.load(folder)
    errors = [str(p) for p in problems if p.is_error]
    assert inputs is None and errors == [str(p) for p in in_the_pool if p.is_error]
    assert [e.split(":")[0] for e in errors] == HOSTILE
    assert "D1000000" in errors[1]


def test_a_hostile_object_is_guarded_on_the_worker_that_fetches_it(client, s3, tmp_path):
    folder = hostile_folder(tmp_path)
    s3.put(str(folder) + "/", "calc-in/hostile/", recursive=True)
    inputs, problems = load.load("s3://calc-in/hostile", cluster=calc_cluster.Cluster(client))
    _, here = load.load(folder)
    errors = [str(p) for p in problems if p.is_error]
    assert inputs is None and errors == [str(p) for p in here if p.is_error]
    assert [e.split(":")[0] for e in errors] == HOSTILE


def test_inputs_and_outputs_on_s3_are_byte_identical_to_a_plain_run(client, s3, plain, tmp_path):
    result = CliRunner().invoke(main, ["run", "s3://calc-in/vendor/2026", "--period", PERIOD, "--out",
                                       "s3://calc-out/runs/ip/2026Q3", "--cluster", client.scheduler.address,
                                       "--register", str(plain.parent / REGISTER)])
    assert result.exit_code == 0, result.output
    [prefix] = s3.ls("calc-out/runs/ip/2026Q3")
    run_url = f"s3://{prefix}"
    assert f"-> {run_url}" in result.output and len(prefix.rpartition("/")[2]) == 64  # <out>/<run id>
    copy = tmp_path / "copy"
    s3.get(prefix + "/", str(copy), recursive=True)
    here, there = files_of(plain), files_of(copy)
    assert sorted(here) == sorted(there)
    assert {k for k in here if here[k] != there[k]} == {"audit.xlsx", MANIFEST}  # MANIFEST: audit's sha256
    # audit.xlsx: the same but for a column of the Inputs sheet, each object's ETag: for an object put
    # in one part, S3's ETag is the md5 of its bytes
    local = openpyxl.load_workbook(plain / "audit.xlsx", read_only=True)
    remote = openpyxl.load_workbook(copy / "audit.xlsx", read_only=True)
    for name in local.sheetnames:
        mine = [r for r in local[name].iter_rows(values_only=True)]
        theirs = [r for r in remote[name].iter_rows(values_only=True)]
        if name != "Inputs":
            assert mine == theirs, name
            continue
        assert [r[:-1] for r in theirs] == [tuple(r) for r in mine]
        assert theirs[0][-1] == "version"
        md5 = {rel: hashlib.md5((SAMPLE / rel).read_bytes()).hexdigest() for rel in (r[0] for r in mine[1:])}
        assert [r[-1] for r in theirs[1:]] == [f"ETag {md5[r[0]]}" for r in theirs[1:]]


def test_a_run_killed_before_its_manifest_is_not_a_run(s3, tmp_path):
    out = "s3://calc-out/killed/2026Q1"  # the year's first period: calc close may close it
    env = {**os.environ, storage.HOOK: "manifest"}
    killed = subprocess.run([sys.executable, "-c", "from incentives.cli import main; main()", "run",
                             "s3://calc-in/vendor/2026", "--period", "2026Q1", "--out", out,
                             "--register", str(tmp_path / "r.sqlite")], env=env, capture_output=True, text=True)
    assert killed.returncode == -9, killed.stderr
    [prefix] = s3.ls("calc-out/killed/2026Q1")
    left = [p.rpartition("/")[2] for p in s3.find(prefix)]
    assert "ledger.xlsx" in left and MANIFEST not in left
    run_url = f"s3://{prefix}"
    register = tmp_path / "register.sqlite"
    refused = CliRunner().invoke(main, ["close", run_url, "--register", str(register)])
    assert refused.exit_code == 1
    assert f"error: {run_url}: has no {MANIFEST}, so it is not a complete run" in refused.output
    assert not (tmp_path / "runs").exists() and not register.exists()
    as_ledger = CliRunner().invoke(main, ["run", "s3://calc-in/vendor/2026", "--period", "2026Q2", "--ledger",
                                          run_url, "--out", str(tmp_path / "q2"), "--register", str(register)])
    assert as_ledger.exit_code == 1 and f"error: {run_url}: has no {MANIFEST}" in as_ledger.output
    # the same run again replaces what the killed one left, and completes
    again = CliRunner().invoke(main, ["run", "s3://calc-in/vendor/2026", "--period", "2026Q1", "--out", out,
                                      "--register", str(register)])
    assert again.exit_code == 0, again.output
    assert "removed what an upload of this run killed before its manifest had left" in again.output
    assert storage.complete(run_url)
    # a complete run's URL is the --ledger of the next period
    q2 = CliRunner().invoke(main, ["run", "s3://calc-in/vendor/2026", "--period", "2026Q2", "--ledger", run_url,
                                   "--out", str(tmp_path / "q2"), "--register", str(tmp_path / "q2.sqlite")])
    assert q2.exit_code == 0, q2.output
    assert f"previously settled: from the ledger of the earlier run {run_url}/ledger.xlsx" in q2.output
    # a complete run's URL is closed: its copy beside the register verified against the manifest
    closed = CliRunner().invoke(main, ["close", run_url, "--register", str(register)])
    assert closed.exit_code == 0, closed.output
    assert "closed intelligent-platforms 2026Q1" in closed.output
    copy = tmp_path / "runs" / prefix
    assert sorted(files_of(copy)) == sorted(p[len(prefix) + 1:] for p in s3.find(prefix))
    # the same run once more: the prefix holds it complete, and nothing is written over it
    twice = CliRunner().invoke(main, ["run", "s3://calc-in/vendor/2026", "--period", "2026Q1", "--out", out,
                                      "--register", str(tmp_path / "other.sqlite")])
    assert twice.exit_code == 1 and "holds this run already, complete" in twice.output


def test_an_object_listing_follows_the_local_folders_rules(s3, tmp_path):
    # lock files, hidden files and READMEs noted; a subfolder of sales/ read; names in any case;
    # a stray file and a stray folder refused: as load.find_inputs does on a folder
    folder = tmp_path / "vendor"
    shutil.copytree(SAMPLE, folder)
    (folder / "sales" / "2026").mkdir()
    shutil.move(folder / "sales" / "2026-03_alatau.xlsx", folder / "sales" / "2026" / "2026-03_ALATAU.XLSX")
    (folder / "sales" / "~$open.xlsx").write_bytes(b"lock")
    (folder / "sales" / ".hidden.xlsx").write_bytes(b"x")
    (folder / "notes.txt").write_text("x")
    (folder / "old").mkdir()
    (folder / "old" / "a.xlsx").write_bytes(b"x")
    s3.put(str(folder) + "/", "calc-in/listing/", recursive=True)
    jobs, problems = storage.find_inputs("s3://calc-in/listing")
    local_jobs, local_problems = load.find_inputs(folder)
    assert [load._rel("s3://calc-in/listing", url) for url, _ in jobs] == [
        load._rel(folder, p) for p, _ in local_jobs]
    assert [b for _, b in jobs] == [b for _, b in local_jobs]
    assert [str(p) for p in problems] == [str(p) for p in local_problems]
    assert any("sales/2026/2026-03_ALATAU.XLSX" == load._rel(folder, p) for p, _ in local_jobs)
    assert {str(p).split(":")[0] for p in problems} >= {"sales/~$open.xlsx", "sales/.hidden.xlsx", "notes.txt",
                                                         "old"}


def test_without_the_flag_nothing_of_dask_is_imported(tmp_path):
    script = ("import sys\nfrom incentives.cli import main\ntry:\n    main()\nexcept SystemExit:\n    pass\n"
              "print(sorted({m.split('.')[0] for m in sys.modules} & {'dask', 'distributed', 'fsspec', 's3fs'}))")
    done = subprocess.run([sys.executable, "-c", script, "run", str(SAMPLE), "--period", PERIOD, "--out",
                           str(tmp_path / "out"), "--register", str(tmp_path / REGISTER)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "[]"


def test_an_object_gone_between_listing_and_reading_is_an_error_naming_it(s3):
    jobs, _ = storage.find_inputs("s3://calc-in/vendor/2026")
    book = jobs[-1][1]  # a sales report's declaration
    opened = load._open("s3://calc-in/vendor/2026", "s3://calc-in/vendor/2026/sales/gone.xlsx", book)
    [problem] = opened.problems
    assert problem.is_error and str(problem).startswith(
        "sales/gone.xlsx: could not be fetched from s3://calc-in/vendor/2026/sales/gone.xlsx (FileNotFoundError")


def test_an_input_url_typed_wrong_is_one_error_naming_it(s3, tmp_path):
    result = CliRunner().invoke(main, ["run", "s3://calc-in/vendr/2026", "--period", PERIOD, "--out",
                                       str(tmp_path / "out"), "--register", str(tmp_path / REGISTER)])
    assert result.exit_code == 1
    assert ("error: s3://calc-in/vendr/2026: holds no objects (check the bucket and the prefix of the input URL)\n"
            "1 error(s), 0 note(s)\nnothing was written") in result.output


def test_local_n_starts_a_cluster_of_its_own_for_the_run(plain, tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["run", str(plain.parent / "2026"), "--period", PERIOD, "--out", str(out),
                                       "--cluster", "local:1", "--register", str(plain.parent / REGISTER)])
    assert result.exit_code == 0, result.output
    assert files_of(out) == files_of(plain)
    refused = CliRunner().invoke(main, ["run", str(SAMPLE), "--period", PERIOD, "--out", str(tmp_path / "none"),
                                        "--cluster", "local:0"])
    assert refused.exit_code == 1
    assert "error: --cluster local:0: starts no worker (give local:N with N of 1 or more)" in refused.output
