"""Smoke run of the national batch benchmark: it runs, prints its figures and finds the same numbers
in all three ways of making factsheets."""

import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


@pytest.mark.slow
def test_national_batch_benchmark_smoke(tmp_path, demo_store):
    done = subprocess.run([sys.executable, str(BENCHMARKS / "national_batch.py"), "--regions", "1", "2", "--jobs", "1",
                           "--keep", str(tmp_path / "bench"), "--eerste", "monitor:JZ04",
                           "--data", str(demo_store.path)], capture_output=True,
                          text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-2000:]
    out = done.stdout
    for line in ("naive loop (papermill + nbconvert, serieel)", "regiekit run --jobs 1", "ondergrens",
                 "x sneller dan de naive loop", "zelfde gepubliceerde cijfers in alle drie: ja", "kernel starten",
                 "eerste rapport monitor JZ04: koud (nieuwe gegevens, geen cache)", "groei (seconden per factsheet"):
        assert line in out, out
    growth = out[out.index("groei"):].splitlines()[2:4]  # one row per number of gemeenten
    assert [row.split()[0] for row in growth] == ["1", "2"], out
    assert sorted(p.name for p in (tmp_path / "bench" / "2" / "regiekit").glob("*.csv")) == [
        "factsheet_GM0014_2024.csv", "factsheet_GM0034_2024.csv"]


@pytest.mark.slow
def test_engine_benchmark_smoke(demo_store):
    done = subprocess.run([sys.executable, str(BENCHMARKS / "engine.py"), "--trajecten", "50000", "100000",
                           "--data", str(demo_store.path)], capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-2000:]
    out = done.stdout
    for line in ("trajecten over tien jaar klaargezet", "regiekit-engine, alle", "pandas, dezelfde 3 indicatoren",
                 "zelfde uitkomsten: ja", "groei ("):
        assert line in out, out
    growth = out[out.index("groei"):].splitlines()[2:4]  # one row per size, the smaller first
    assert len(growth) == 2 and all(row.split()[0].replace(".", "").isdigit() for row in growth), out
