"""Where the engine's SQL runs: embedded DuckDB (the default) or Apache Spark.

The engine writes one dialect of SQL (DuckDB's). :class:`DuckDB` runs it as written; :class:`Spark`
translates each statement to Spark SQL with sqlglot and runs it on a Spark session, so the same
indicator definitions and counting rules give the same numbers on a cluster. Choose with
``engine.compute(..., backend="spark")`` or the environment variable ``REGIEKIT_ENGINE=spark``.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import warnings
from pathlib import Path

import duckdb
import pandas as pd

from regiekit import digest
from regiekit.data.store import Store
from regiekit.errors import RegiekitError

NAMES = ("duckdb", "spark")
# pseudonyms and birth dates are not kept a second time: no count reads them once the units are made
PRIVATE = ("jeugdige_id", "traject_id", "geboortedatum")


class BackendError(RegiekitError):
    """A backend that cannot be used here (unknown name, package not installed)."""


def default_memory() -> str:
    """Half the machine's memory: DuckDB on its own takes 80%, leaving a notebook's kernel and pandas too
    little on a small machine; beyond the limit DuckDB spills to disk."""
    return f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') // 2 // 2**20}MiB"


class DuckDB:
    """The embedded default: DuckDB views over the store's Parquet files, within ``memory_limit`` (DuckDB's
    notation, e.g. ``3GB``; default :func:`default_memory`)."""

    def __init__(self, store: Store, memory_limit: str | None = None):
        self.con = store.connect()
        self.con.execute(f"set memory_limit = '{memory_limit or default_memory()}'")

    def register(self, name: str, frame: pd.DataFrame) -> None:
        self.con.register(name, frame)

    def materialise(self, name: str, sql: str, kept: Path | None = None) -> None:
        """Compute ``sql`` once into a table that later queries read. With ``kept``: read that Parquet file
        when it exists, else write the table there (atomically, without the columns of :data:`PRIVATE`) and
        read it back, so a first and a later computation read the same; a read-only store keeps nothing."""
        if kept is not None and kept.exists():
            try:
                self.con.execute(f"create or replace temp view {name} as select * from read_parquet('{kept}')")
                return
            except duckdb.Error:  # damaged: made again
                kept.unlink(missing_ok=True)
        self.con.execute(f"create or replace temp table {name}_made as {sql}")
        self.con.execute(f"create or replace temp view {name} as select * from {name}_made")
        if kept is None:
            return
        columns = {row[0] for row in self.con.execute(f"describe {name}_made").fetchall()}
        private = [c for c in PRIVATE if c in columns]
        select = f"select * exclude ({', '.join(private)})" if private else "select *"
        with contextlib.suppress(OSError, duckdb.Error):
            kept.parent.mkdir(parents=True, exist_ok=True)
            handle, tmp = tempfile.mkstemp(prefix=f".{kept.name}.", dir=kept.parent)
            os.close(handle)
            try:
                self.con.execute(f"copy ({select} from {name}_made) to '{tmp}' (format parquet)")
                os.replace(tmp, kept)
            finally:
                Path(tmp).unlink(missing_ok=True)
            digest.prune(kept)
            self.con.execute(f"create or replace temp view {name} as select * from read_parquet('{kept}')")
            self.con.execute(f"drop table {name}_made")

    def query(self, sql: str) -> pd.DataFrame:
        return self.con.execute(sql).df()

    def close(self) -> None:
        self.con.close()


class Spark:
    """Apache Spark through PySpark: the store's tables are read as Parquet by the session's executors
    (on a cluster the store must be on storage they all reach). Without a configured master the session
    is local, on all cores; ``spark-defaults.conf``, ``PYSPARK_SUBMIT_ARGS`` or ``SPARK_REMOTE``
    (Spark Connect) point it at a cluster."""

    def __init__(self, store: Store):
        try:
            import sqlglot
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # PySpark's notice about pandas 3 on import
                from pyspark.sql import SparkSession
        except ImportError as error:
            raise BackendError("de Spark-engine heeft pyspark en sqlglot nodig: "
                               "pip install 'regiekit[spark]'") from error
        self._transpile = lambda sql: sqlglot.transpile(sql, read="duckdb", write="spark")[0]
        self.spark = (SparkSession.builder.appName("regiekit").config("spark.sql.session.timeZone", "UTC")
                      .config("spark.ui.showConsoleProgress", "false").getOrCreate())
        if self.spark.conf.get("spark.sql.shuffle.partitions") == "200" and _local(self.spark):
            # Spark's default suits clusters; on one machine 200 partitions per shuffle make the engine
            # about 2,5 times slower than twice the cores (measured with benchmarks/engine.py --spark)
            self.spark.conf.set("spark.sql.shuffle.partitions", str(2 * self.spark.sparkContext.defaultParallelism))
        self._cached = []
        for table in store.tables:
            self.spark.read.parquet(str(store.path / f"{table}.parquet")).createOrReplaceTempView(table)

    def register(self, name: str, frame: pd.DataFrame) -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # PySpark's notices about pandas 3, not the user's concern
            self.spark.createDataFrame(frame).createOrReplaceTempView(name)

    def materialise(self, name: str, sql: str, kept: Path | None = None) -> None:
        """As :meth:`DuckDB.materialise`, cached in the session only (``kept`` is for DuckDB)."""
        frame = self.spark.sql(self._transpile(sql)).cache()
        frame.createOrReplaceTempView(name)
        self._cached.append(frame)

    def query(self, sql: str) -> pd.DataFrame:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return self.spark.sql(self._transpile(sql)).toPandas()

    def close(self) -> None:
        """Free the cached tables; the session stays for the next computation."""
        for frame in self._cached:
            frame.unpersist()


def _local(spark) -> bool:
    """Whether the session runs on this machine only (not on a cluster, not through Spark Connect)."""
    try:
        return spark.sparkContext.master.startswith("local")
    except Exception:  # Spark Connect sessions have no SparkContext
        return False


def open_backend(store: Store, backend: str | None = None):
    """The backend named ``backend``, else ``REGIEKIT_ENGINE``, else DuckDB (``REGIEKIT_DUCKDB_MEMORY``
    bounds DuckDB's memory, e.g. ``3GB``; by default half the machine's)."""
    name = (backend or os.environ.get("REGIEKIT_ENGINE") or "duckdb").lower()
    if name == "duckdb":
        return DuckDB(store, os.environ.get("REGIEKIT_DUCKDB_MEMORY"))
    if name == "spark":
        return Spark(store)
    raise BackendError(f"onbekende engine {name!r}; kies uit {', '.join(NAMES)}")
