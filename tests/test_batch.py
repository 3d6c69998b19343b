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
time.sleep(pause)
display(Markdown(f"# Rapport {region} {period}"))
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
