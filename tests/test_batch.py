"""The batch runner, unattended: failures isolated, unchanged reports skipped, killed runs resumed,
one run per folder, nothing written outside it.

These tests run the real runner (papermill, nbconvert, Chromium) on a small stand-in notebook with
the factsheet's parameters, so they test the runner rather than the factsheet (test_factsheet_run
does that)."""

import fcntl
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from regiekit.run import batch, cli
from regiekit.run.runner import RunError

STAND_IN = '''
import time, pandas as pd
from IPython.display import Markdown, display
if region == "GM0014":
    raise ValueError("deze regio gaat mis")
if region == os.environ.get("REGIEKIT_HANG"):  # a report that hangs, its kernel's pid where the test can find it
    with open(os.environ["REGIEKIT_PIDFILE"], "w") as handle:
        handle.write(str(os.getpid()))
    time.sleep(120)
time.sleep(pause)
display(Markdown(f"# Rapport {region} {period}"))
if intern:  # long enough for three printed pages
    display(Markdown("\\n\\n".join(f"Regel {n} van de interne bijlage." for n in range(150))))
pd.DataFrame({"indicator": ["x"], "region_code": [region], "period": [period], "value": [1.0]})\
.to_csv(published_csv, index=False)
'''


@pytest.fixture
def home(tmp_path, monkeypatch):
    """A project folder whose factsheet notebook is the stand-in; pause per report via REGIEKIT_PAUSE."""
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    parameters = nbformat.v4.new_code_cell(
        'region = "GM0106"\nperiod = 2024\ndata_dir = None\npublished_csv = None\nintern = False\n'
        'regels = None\noordelen = None\nimport os\npause = float(os.environ.get("REGIEKIT_PAUSE", "0"))')
    parameters.metadata["tags"] = ["parameters"]
    notebook.cells = [parameters, nbformat.v4.new_code_cell(STAND_IN)]
    (tmp_path / "notebooks").mkdir()
    nbformat.write(notebook, tmp_path / "notebooks" / "factsheet.ipynb")
    monkeypatch.setenv("REGIEKIT_HOME", str(tmp_path))
    return tmp_path


def _reports(out):
    return sorted(p.name for p in out.iterdir() if p.name.startswith("factsheet_"))


@pytest.mark.slow
def test_a_failing_region_does_not_stop_the_others(home, demo_store, tmp_path, capsys):
    out = tmp_path / "out"
    code = cli.main(["run", "factsheet", "--region", "GM0106", "GM0014", "GM0119", "--period", "2024",
                     "--out", str(out), "--data", str(demo_store.path), "--jobs", "2", "--no-pdf", "--quiet"])
    printed = capsys.readouterr().out
    assert code == 1
    assert "2 gemaakt, 0 ongewijzigd overgeslagen, 1 mislukt" in printed
    assert ("mislukt: GM0014 2024: RunError: factsheet voor GM0014 2024 mislukt: ValueError: deze regio gaat mis"
            in printed)
    assert not any("GM0014" in name for name in _reports(out))  # nothing half-made for the failure
    assert {n.split("_")[1] for n in _reports(out)} == {"GM0106", "GM0119"}
    manifest = json.loads((out / "manifest.json").read_text())
    assert [(r["regio"], r["status"]) for r in manifest["rapporten"]] == [
        ("GM0106", "gemaakt"), ("GM0014", "mislukt"), ("GM0119", "gemaakt")]
    assert manifest["parameters"]["periodes"] == [2024] and manifest["notebook_sha256"]
    index = (out / "index.html").read_text()
    assert 'href="factsheet_GM0106_2024.html"' in index and "mislukt" in index and "gemeente Groningen" in index


def test_unchanged_reports_are_skipped_and_force_remakes_them(home, demo_store, tmp_path):
    out = tmp_path / "out"
    first = batch.run_batch("factsheet", ["GM0106"], periods=["latest"], out_dir=out, data_dir=demo_store.path,
                            pdf=False, progress=False)
    assert [r["status"] for r in first.records] == ["gemaakt"]
    assert _reports(out) == [f"factsheet_GM0106_2024.{ext}" for ext in ("csv", "html", "ipynb", "json", "xlsx")]
    made = (out / "factsheet_GM0106_2024.html").stat().st_mtime_ns
    again = batch.run_batch("factsheet", ["Assen"], periods=["2024"], out_dir=out, data_dir=demo_store.path,
                            pdf=False, progress=False)
    assert [r["status"] for r in again.records] == ["overgeslagen"]
    assert (out / "factsheet_GM0106_2024.html").stat().st_mtime_ns == made
    forced = batch.run_batch("factsheet", ["GM0106"], periods=["2024"], out_dir=out, data_dir=demo_store.path,
                             pdf=False, progress=False, force=True)
    assert [r["status"] for r in forced.records] == ["gemaakt"]
    # a changed input (here: the notebook) makes the report stale
    notebook = home / "notebooks" / "factsheet.ipynb"
    notebook.write_text(notebook.read_text().replace("Rapport", "Verslag"))
    changed = batch.run_batch("factsheet", ["GM0106"], periods=["2024"], out_dir=out, data_dir=demo_store.path,
                              pdf=False, progress=False)
    assert [r["status"] for r in changed.records] == ["gemaakt"]


@pytest.mark.slow
def test_a_killed_run_leaves_no_partial_report_and_resumes(home, demo_store, tmp_path):
    out = tmp_path / "out"
    command = [sys.executable, "-m", "regiekit", "run", "factsheet", "--level", "provincie", "--period", "2024",
               "--out", str(out), "--data", str(demo_store.path), "--no-pdf", "--quiet"]
    env = {**os.environ, "REGIEKIT_PAUSE": "1.5"}
    process = subprocess.Popen(command, env=env, start_new_session=True, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    deadline = time.time() + 300
    while time.time() < deadline and not list(out.glob("factsheet_*.json")):
        time.sleep(0.2)
    time.sleep(0.5)
    os.killpg(process.pid, signal.SIGKILL)  # the run and its kernels, mid-report
    process.wait()
    done = {p.stem for p in out.glob("factsheet_*.json")}
    assert 1 <= len(done) < 12
    for stem in {p.name.rsplit(".", 1)[0] for p in out.glob("factsheet_*")}:
        # a report is complete (its record exists, written last) or it is remade on resume
        if stem in done:
            assert all((out / f"{stem}.{ext}").exists() for ext in ("html", "csv", "xlsx", "ipynb"))
    resumed = subprocess.run(command, env={**os.environ, "REGIEKIT_PAUSE": "0"}, capture_output=True, text=True,
                             timeout=600)
    assert resumed.returncode == 0, resumed.stderr
    assert f"{12 - len(done)} gemaakt, {len(done)} ongewijzigd overgeslagen, 0 mislukt" in resumed.stdout
    assert len(list(out.glob("factsheet_*.json"))) == 12
    assert not list(out.glob(".staging-*"))  # the killed run's staging folders are cleaned up


def _hanging_batch(demo_store, out, env, kill_after=None):
    """Run a batch in which GM0034's report hangs (optionally killing its kernel after ``kill_after``
    seconds), in a process of its own that the test ends if the batch itself hangs."""
    command = [sys.executable, "-m", "regiekit", "run", "factsheet", "--region", "GM0034", "GM0106", "GM0119",
               "GM0141", "--period", "2024", "--out", str(out), "--data", str(demo_store.path), "--jobs", "2",
               "--no-pdf", "--quiet"]
    pidfile = out.parent / "kernel.pid"
    env = {**os.environ, "REGIEKIT_HANG": "GM0034", "REGIEKIT_PIDFILE": str(pidfile), **env}
    began = time.time()
    process = subprocess.Popen(command, env=env, start_new_session=True, stdout=subprocess.PIPE, text=True)
    try:
        if kill_after is not None:
            while not pidfile.exists() and time.time() - began < 120:
                time.sleep(0.1)
            time.sleep(kill_after)
            os.kill(int(pidfile.read_text()), signal.SIGKILL)  # kill -9 of the kernel while it runs a cell
        printed, _ = process.communicate(timeout=100)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    return process.returncode, printed, time.time() - began


@pytest.mark.slow
def test_a_killed_kernel_fails_its_report_and_the_batch_finishes(home, demo_store, tmp_path):
    out = tmp_path / "out"
    code, printed, seconds = _hanging_batch(demo_store, out, {}, kill_after=2)
    assert code == 1 and seconds < 60
    assert "3 gemaakt, 0 ongewijzigd overgeslagen, 1 mislukt" in printed
    assert "factsheet voor GM0034 2024 mislukt: de kernel is gestopt" in printed
    assert {n.split("_")[1] for n in _reports(out)} == {"GM0106", "GM0119", "GM0141"}
    statuses = {r["regio"]: r["status"] for r in json.loads((out / "manifest.json").read_text())["rapporten"]}
    assert statuses == {"GM0034": "mislukt", "GM0106": "gemaakt", "GM0119": "gemaakt", "GM0141": "gemaakt"}
    assert not (out / batch.LOCK).exists() or _unlocked(out / batch.LOCK)


@pytest.mark.slow
def test_a_cell_over_the_time_limit_fails_its_report_and_the_batch_finishes(home, demo_store, tmp_path):
    out = tmp_path / "out"
    code, printed, seconds = _hanging_batch(demo_store, out, {"REGIEKIT_CELTIJD": "3"})
    assert code == 1 and seconds < 60
    assert "3 gemaakt, 0 ongewijzigd overgeslagen, 1 mislukt" in printed
    assert "GM0034 2024 mislukt: een cel duurde langer dan 3 seconden (REGIEKIT_CELTIJD)" in printed
    assert {n.split("_")[1] for n in _reports(out)} == {"GM0106", "GM0119", "GM0141"}


def _unlocked(lock: Path) -> bool:
    with open(lock) as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True


def test_internal_reports_are_marked_everywhere_and_never_share_a_folder_with_public_ones(home, demo_store,
                                                                                         tmp_path):
    import shutil

    from openpyxl import load_workbook

    from regiekit.run.runner import chromium

    public, internal = tmp_path / "openbaar", tmp_path / "intern"
    batch.run_batch("factsheet", ["GM0106"], out_dir=public, data_dir=demo_store.path, pdf=False, progress=False)
    index_before = (public / "index.html").read_text()
    with pytest.raises(RunError, match=r"bevat openbare rapporten .*schrijf interne rapporten naar een eigen map"):
        batch.run_batch("factsheet", ["GM0119"], out_dir=public, data_dir=demo_store.path, pdf=False,
                        progress=False, internal=True)
    assert (public / "index.html").read_text() == index_before and "_intern" not in " ".join(_reports(public))

    made = batch.run_batch("factsheet", ["GM0119"], out_dir=internal, data_dir=demo_store.path,
                           pdf=chromium() is not None, progress=False, internal=True)
    assert [r["status"] for r in made.records] == ["gemaakt"]
    with pytest.raises(RunError, match=r"bevat interne rapporten .*schrijf openbare rapporten naar een eigen map"):
        batch.run_batch("factsheet", ["GM0106"], out_dir=internal, data_dir=demo_store.path, pdf=False,
                        progress=False)
    stem = internal / "factsheet_GM0119_2024_intern"
    page = stem.with_suffix(".html").read_text()
    assert "<title>Factsheet gemeente Meppel 2024 (INTERN – niet voor publicatie)</title>" in page
    assert "@top-center" in page and "@bottom-center" in page
    assert load_workbook(stem.with_suffix(".xlsx")).sheetnames == ["INTERN cijfers"]
    assert "<title>regiekit: rapporten in deze map (INTERN" in (internal / "index.html").read_text()
    if chromium() and shutil.which("pdftotext"):
        pages = subprocess.run(["pdftotext", str(stem.with_suffix(".pdf")), "-"], capture_output=True,
                               text=True, check=True).stdout.split("\f")
        pages = [p for p in pages if p.strip()]
        assert len(pages) >= 3
        assert all(p.count("INTERN – niet voor publicatie") >= 2 for p in pages)  # top and bottom of every page


def test_the_index_lists_every_report_in_the_folder(home, demo_store, tmp_path):
    out = tmp_path / "out"
    batch.run_batch("factsheet", ["GM0106"], out_dir=out, data_dir=demo_store.path, pdf=False, progress=False)
    batch.run_batch("factsheet", ["GM0119", "GM0014"], out_dir=out, data_dir=demo_store.path, pdf=False,
                    progress=False)
    index = (out / "index.html").read_text()
    assert 'href="factsheet_GM0106_2024.html"' in index and "uit een eerdere run" in index
    assert 'href="factsheet_GM0119_2024.html"' in index
    assert "gemeente Groningen" in index and "deze regio gaat mis" in index


def test_a_second_run_into_the_same_folder_is_refused(home, demo_store, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    with open(out / batch.LOCK, "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        with pytest.raises(RunError, match="een andere run van regiekit schrijft al naar"):
            batch.run_batch("factsheet", ["GM0106"], out_dir=out, data_dir=demo_store.path, pdf=False, progress=False)
    assert _reports(out) == []


@pytest.mark.parametrize("region", ["../../etc", "/etc/passwd", "GM0106/../../x"])
def test_region_parameters_cannot_escape_the_output_folder(home, demo_store, tmp_path, capsys, region):
    out = tmp_path / "out"
    code = cli.main(["run", "factsheet", "--region", region, "--out", str(out), "--data", str(demo_store.path)])
    assert code == 1 and "onbekende regio" in capsys.readouterr().err
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notebooks"]


def test_region_or_level_is_required(home, demo_store, capsys):
    assert cli.main(["run", "factsheet", "--data", str(demo_store.path)]) == 1
    assert "geef --region (een of meer regio's) of --level" in capsys.readouterr().err


def test_warm_kernels_start_each_report_clean_and_replace_a_dead_one(tmp_path, capfd):
    from regiekit.run.runner import Kernels, run_notebook

    def notebook(name, code):
        nb = nbformat.v4.new_notebook()
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        cell = nbformat.v4.new_code_cell("region = None")
        cell.metadata["tags"] = ["parameters"]
        nb.cells = [cell, nbformat.v4.new_code_cell(code)]
        nbformat.write(nb, tmp_path / name)
        return tmp_path / name

    first = notebook("a.ipynb", "leftover = region\n_hidden = 1\nimport json\nregion")
    second = notebook("b.ipynb", "print(region, [n for n in ('leftover', '_hidden', 'json') if n in globals()], "
                                 "len(Out), _ == '')")
    with Kernels() as kernels:
        kernel = kernels.get()
        sockets = Path(kernel.ip).parent
        assert kernel.transport == "ipc" and sockets.is_dir()  # local sockets, not TCP on localhost
        run_notebook(first, tmp_path / "a_out.ipynb", {"region": "GM0106"}, kernels)
        run_notebook(second, tmp_path / "b_out.ipynb", {"region": "GM0014"}, kernels)
        assert kernels.get() is kernel  # the same warm kernel served both
        kernel.shutdown_kernel(now=True)
        assert kernels.get() is not kernel and kernels.get().is_alive()
        run_notebook(second, tmp_path / "c_out.ipynb", {"region": "GM0034"}, kernels)  # on the new kernel
    assert not sockets.exists()  # removed with the kernels
    assert "eavesdropping" not in capfd.readouterr().err  # no warning about plain-text TCP
    executed = nbformat.read(tmp_path / "b_out.ipynb", as_version=4)
    assert executed.cells[-1].outputs[0]["text"] == "GM0014 [] 0 True\n"  # names, output cache: all gone
    assert nbformat.read(tmp_path / "c_out.ipynb", as_version=4).cells[-1].outputs[0]["text"] == "GM0034 [] 0 True\n"
    assert executed.cells[0].source == "region = None"  # papermill's injected cell follows it
    assert "injected-parameters" in executed.cells[1].metadata["tags"]


@pytest.mark.slow
def test_reports_fan_out_to_a_dask_cluster(home, demo_store, tmp_path, capsys):
    from distributed import LocalCluster

    # a running cluster, reached through its scheduler address (as a real one would be)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        result = batch.run_batch("factsheet", ["GM0106", "GM0014", "GM0119"], periods=["2024"], out_dir=tmp_path / "a",
                                 data_dir=demo_store.path, pdf=False, progress=False, cluster=cluster.scheduler_address)
    assert [(r["regio"], r["status"]) for r in result.records] == [
        ("GM0106", "gemaakt"), ("GM0014", "mislukt"), ("GM0119", "gemaakt")]
    assert "ValueError: deze regio gaat mis" in result.failed[0]["fout"]
    assert {n.split("_")[1] for n in _reports(tmp_path / "a")} == {"GM0106", "GM0119"}
    # a local cluster started by the command itself; unchanged reports are skipped there too
    again = ["run", "factsheet", "--region", "GM0106", "--period", "2024", "--out", str(tmp_path / "a"),
             "--data", str(demo_store.path), "--no-pdf", "--quiet", "--dask", "--jobs", "2"]
    assert cli.main(again) == 0
    assert "0 gemaakt, 1 ongewijzigd overgeslagen, 0 mislukt" in capsys.readouterr().out
    assert json.loads((tmp_path / "a" / "manifest.json").read_text())["parameters"]["dask"] == "local"


def test_socket_folders_of_killed_runs_are_removed_and_live_ones_kept(tmp_path, monkeypatch):
    import socket
    import tempfile

    from regiekit.run.runner import Kernels

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    folders = {}
    live = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    for name in ("dead", "live", "new"):
        folders[name] = tmp_path / f"regiekit-kernel-{name}"
        folders[name].mkdir()
    dead = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    dead.bind(str(folders["dead"] / "k-1"))
    dead.close()  # the socket file stays, nobody answers: a kernel killed with its run
    live.bind(str(folders["live"] / "k-1"))
    live.listen()
    for name in ("dead", "live"):
        os.utime(folders[name], (time.time() - 3600, time.time() - 3600))
    with live:
        Kernels()
        assert not folders["dead"].exists()
        assert folders["live"].exists() and folders["new"].exists()  # running, or just being set up
