"""The engine gives the same table on Apache Spark as on embedded DuckDB, for every catalogue indicator."""

import os
import shutil

import duckdb
import pandas as pd
import pytest

from regiekit import engine
from regiekit.data import store
from regiekit.engine import backends
from regiekit.indicators.definitions import load_catalogue

pytest.importorskip("pyspark")
pytest.importorskip("sqlglot")


@pytest.fixture(scope="module")
def sample_store(demo_raw, tmp_path_factory):
    """The demo data with one youth in forty (all record tables whole): every kind of unit and
    indicator, small enough for a local Spark session."""
    raw = tmp_path_factory.mktemp("sample_raw")
    con = duckdb.connect()
    for path in demo_raw.glob("*.parquet"):
        where = "where hash(jeugdige_id) % 40 = 0" if path.stem == "trajecten" else ""
        con.execute(f"copy (select * from read_parquet('{path}') {where}) to '{raw / path.name}' (format parquet)")
    return store.Store.open(store.build(raw, tmp_path_factory.mktemp("sample_processed"), {"bron": "synthetisch"}))


@pytest.fixture(scope="module")
def spark():
    if not (os.environ.get("JAVA_HOME") or shutil.which("java")):
        pytest.skip("Spark needs a Java runtime (Debian: openjdk-17-jre-headless)")
    from pyspark.sql import SparkSession

    session = (SparkSession.builder.master("local[2]").appName("regiekit-test")
               .config("spark.sql.shuffle.partitions", "4").config("spark.ui.enabled", "false").getOrCreate())
    yield session
    session.stop()


@pytest.mark.slow
def test_spark_computes_the_same_indicators_as_duckdb(sample_store, spark, monkeypatch):
    regions = ["GM0106", "GM0153", "JZ14", "PV22", "NL01"]  # Assen, Enschede, Twente (the pilot), Drenthe, NL
    years = [2021, 2024]  # a pilot year and a year of the expert-team monitors
    expected = engine.compute(None, regions, years, sample_store)
    kinds = {i.id: i.numerator.count for i in load_catalogue().values()}
    counted = expected.groupby(expected["indicator"].map(kinds))["numerator"].sum()
    assert (counted > 0).all() and set(counted.index) == set(kinds.values())  # every kind of unit is compared
    monkeypatch.setenv("REGIEKIT_ENGINE", "spark")  # the way a user switches a whole run
    found = engine.compute(None, regions, years, sample_store)
    pd.testing.assert_frame_equal(found, expected, check_dtype=False)


def test_unknown_engine_is_refused(sample_store):
    with pytest.raises(backends.BackendError, match="onbekende engine 'polars'"):
        engine.compute(["jeugdhulp_aantal"], ["Assen"], [2024], sample_store, backend="polars")
