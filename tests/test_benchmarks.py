"""Smoke run of the national batch benchmark: it runs, prints its figures and finds the same numbers
in all three ways of making factsheets."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
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


def test_disclosure_benchmark_counts_the_large_cells_each_needed(tmp_path):
    """One gemeente with 5 youths among gemeenten of hundreds: a count of 100 or more must be hidden beside
    it in every sum it is part of, and the benchmark finds each such cell needed (publishing it pins the 5
    down however many smaller counts were hidden); a large cell hidden for nothing is not counted."""
    import importlib.util

    from regiekit.publish import cells, disclosure, suppression
    from tests.test_disclosure import GEMEENTEN, _table

    numbers = {g: 150 + n % 200 for n, g in enumerate(GEMEENTEN)}
    numbers[GEMEENTEN[0]] = 5
    path = tmp_path / "tabel.parquet"
    _table("jeugdhulp_aantal", numbers).to_parquet(path)
    done = subprocess.run([sys.executable, str(BENCHMARKS / "disclosure.py"), "--tabel", str(path), "--nodig"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    _, _, primary, _, large, _, _, _, needed, undecided = done.stdout.splitlines()[1].replace("|", " ").split()
    assert (primary, undecided) == ("1", "0") and int(large) >= 1 and needed == large, done.stdout

    spec = importlib.util.spec_from_file_location("benchmark", BENCHMARKS / "disclosure.py")
    benchmark = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(benchmark)
    problem, first, targets = disclosure._problem(cells.build(pd.read_parquet(path)), disclosure.Rules())
    hidden = suppression.protect(problem, first, targets)
    large = hidden & ~first & (problem.values >= suppression.LARGE)
    spare = np.flatnonzero(~hidden & ~problem.fixed & (problem.values >= suppression.LARGE))[-2:]  # two size classes
    hidden[spare] = large[spare] = True  # hidden for nothing (one links to the 5's group, one to none)
    assert benchmark._each_needed(problem, hidden, large, targets) == (large.sum() - 2, 0)
