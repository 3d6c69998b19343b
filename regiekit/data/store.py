"""The processed store: validated Parquet tables in ``data/processed/`` plus a ``store.json`` manifest.

Tables (one Parquet file each):
- ``bevolking``: gemeente_code, jaar, geslacht, leeftijdsklasse, aantal (youths on 31 December);
- ``trajecten``: one row per trajectory with soort (jeugdhulp, jeugdbescherming, jeugdreclassering),
  zorgvorm, verblijf, aanbieder, verwijzer, start/end date and reason of ending;
- ``aanmeldingen``: expert-team registrations in the shape of the RET monitor.

Reports read only this store, through :class:`Store` (DuckDB views over the Parquet files).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from regiekit import digest
from regiekit.atomic import write_text
from regiekit.data import vocabulary
from regiekit.errors import RegiekitError
from regiekit.project import default_processed_dir
from regiekit.reference.regions import load_regions

REQUIRED = ("bevolking", "trajecten")
OPTIONAL = ("aanmeldingen", "plaatsingen", "servicepunt", "casusonderzoeken", "followups", "pilot_casussen", "enquetes",
            "cbs_cijfers")
TABLES = REQUIRED + OPTIONAL
MANIFEST = "store.json"
UNREADABLE = (OSError, ValueError, pa.ArrowException)  # what reading a damaged Parquet file raises


class StoreError(RegiekitError):
    """The processed store is missing, incomplete or its input is invalid."""


def _sql_list(values) -> str:
    return ", ".join("'" + str(v).replace("'", "''") + "'" for v in values)


def bounded_connection(spill: Path, memory: str = "256MB") -> duckdb.DuckDBPyConnection:
    """A DuckDB connection that spills to ``spill`` instead of growing: imports of a million rows stay
    within a few hundred MB whatever the number of cores."""
    return duckdb.connect(config={"memory_limit": memory, "threads": 2, "temp_directory": str(spill),
                                  "preserve_insertion_order": False})


def _check(con: duckdb.DuckDBPyConnection, table: str, condition: str, message: str) -> None:
    bad = con.execute(f"select count(*) from {table} where not ({condition})").fetchone()[0]
    if bad:
        raise StoreError(f"{table}: {bad} rijen {message}")


def build(raw_dir: Path, processed_dir: Path | None = None, source: dict | None = None) -> Path:
    """Validate the raw tables in ``raw_dir`` and write the processed store atomically."""
    raw_dir = Path(raw_dir)
    processed_dir = Path(processed_dir or default_processed_dir())
    missing = [t for t in REQUIRED if not (raw_dir / f"{t}.parquet").exists()]
    if missing:
        raise StoreError(f"de ruwe gegevens in {raw_dir} missen {', '.join(missing)}")
    present = [t for t in TABLES if (raw_dir / f"{t}.parquet").exists()]
    gemeenten = _sql_list(r.code for r in load_regions().all("gemeente"))
    con = duckdb.connect()
    for t in present:
        con.execute(f"create view raw_{t} as select * from read_parquet('{raw_dir / t}.parquet')")
    _check(con, "raw_bevolking", f"gemeente_code in ({gemeenten}) and aantal >= 0 "
           f"and leeftijdsklasse in ({_sql_list(vocabulary.AGE_BANDS)})",
           "met een onbekende gemeente, leeftijdsklasse of aantal")
    _check(con, "raw_trajecten", f"gemeente_code in ({gemeenten})", "met een onbekende gemeente")
    _check(con, "raw_trajecten", f"zorgvorm in ({_sql_list(vocabulary.ZORGVORM)})", "met een onbekende zorgvorm")
    _check(con, "raw_trajecten", f"verwijzer is null or verwijzer in ({_sql_list(vocabulary.VERWIJZER)})",
           "met een onbekende verwijzer")  # breakdowns by verwijzer count the known values
    _check(con, "raw_trajecten", "einddatum is null or einddatum >= startdatum", "die eindigen voordat ze beginnen")
    for t in OPTIONAL:
        if t in present:
            column = vocabulary.RECORDS[t]["gemeente"]
            _check(con, f"raw_{t}", f"{column} in ({gemeenten})", "met een onbekende gemeente")
    queries = {t: _processed_select(t, f"raw_{t}") + " order by all" for t in present}
    processed_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".store-", dir=processed_dir.parent))
    try:
        rows = {}
        for name, query in queries.items():
            con.execute(f"copy ({query}) to '{staging / name}.parquet' (format parquet, compression zstd)")
            rows[name] = con.execute(f"select count(*) from read_parquet('{staging / name}.parquet')").fetchone()[0]
        years = con.execute("select min(jaar), max(jaar) from raw_bevolking").fetchone()
        label = (source or {}).get("bron", "onbekend")
        manifest = {"bron": source or {}, "tabellen": rows, "bronnen": dict.fromkeys(rows, label), "jaren": list(years),
                    "regio_indeling": load_regions().year,
                    "gebouwd": datetime.now(UTC).isoformat(timespec="seconds")}
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        _replace_dir(staging, processed_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return processed_dir


def _processed_select(table: str, source: str) -> str:
    """The processed form of a table: trajectories get their kind of care and a verblijf flag."""
    if table != "trajecten":
        return f"select * from {source}"
    soort = " ".join(f"when zorgvorm in ({_sql_list(forms)}) then '{name}'" for name, forms in vocabulary.SOORT.items())
    return (f"select * exclude (soort, verblijf), case {soort} end as soort, "
            f"zorgvorm in ({_sql_list(vocabulary.VERBLIJF)}) as verblijf "
            f"from (select *, null as soort, null as verblijf from {source})")


def add_rows(processed_dir: Path, table: str, new_rows: Path, source: dict, spill: Path) -> int:
    """Append validated rows (a Parquet file) to a table of the store, atomically, spilling to ``spill``.
    A synthetic demo table is replaced rather than mixed with real data. Returns the table's new row count."""
    processed_dir = Path(processed_dir)
    processed_dir.mkdir(parents=True, exist_ok=True)
    manifest = _manifest(processed_dir)
    target = processed_dir / f"{table}.parquet"
    keep_existing = target.exists() and manifest["bronnen"].get(table) != "synthetisch"
    con = bounded_connection(spill)
    new = _processed_select(table, f"read_parquet('{new_rows}')")
    query = f"select * from read_parquet('{target}') union all by name {new}" if keep_existing else new
    tmp = processed_dir / f".{table}.parquet.tmp"
    con.execute(f"copy ({query}) to '{tmp}' (format parquet, compression zstd)")
    rows = con.execute(f"select count(*) from read_parquet('{tmp}')").fetchone()[0]
    start = vocabulary.RECORDS.get(table, {}).get("start", "startdatum")
    years = con.execute(f"select min(year({start})), max(year({start})) from read_parquet('{tmp}')").fetchone()
    os.replace(tmp, target)
    register(processed_dir, table, rows, source, years)
    return rows


def _manifest(processed_dir: Path) -> dict:
    path = processed_dir / MANIFEST
    manifest = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {
        "bron": {}, "tabellen": {}, "bronnen": {}, "jaren": None, "regio_indeling": load_regions().year}
    manifest.setdefault("bronnen", dict.fromkeys(manifest["tabellen"], manifest["bron"].get("bron", "onbekend")))
    return manifest


def register(processed_dir: Path, table: str, rows: int, source: dict, years: tuple[int, int]) -> None:
    """Record a (re)written table in the manifest: rows, source and the years it covers."""
    manifest = _manifest(processed_dir)
    if manifest["jaren"] is None or "bevolking" not in manifest["tabellen"]:
        known = manifest["jaren"] or list(years)
        manifest["jaren"] = [min(known[0], years[0]), max(known[1], years[1])]
    manifest["tabellen"][table] = rows
    manifest["bronnen"][table] = source.get("bron", "import")
    manifest.setdefault("imports", []).append({**source, "tabel": table,
                                               "tijd": datetime.now(UTC).isoformat(timespec="seconds")})
    write_text(processed_dir / MANIFEST, json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")


def _replace_dir(new: Path, target: Path) -> None:
    """Swap a fully written directory into place, keeping files that are not part of the store."""
    target.mkdir(parents=True, exist_ok=True)
    for item in sorted(new.iterdir(), key=lambda p: p.name == MANIFEST):  # manifest last
        os.replace(item, target / item.name)


_CONTENTS: dict[tuple, str] = {}


def _content(path: Path) -> str | None:
    """The digest of a file's bytes, remembered while its size and time stay the same."""
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    key = (str(path), stat.st_size, stat.st_mtime_ns)
    if key not in _CONTENTS:
        with open(path, "rb") as file:
            _CONTENTS[key] = hashlib.file_digest(file, "sha256").hexdigest()
    return _CONTENTS[key]


@dataclass
class Store:
    """Read access to a processed store."""

    path: Path

    def __post_init__(self):
        self.path = Path(self.path)
        manifest = self.path / MANIFEST
        if not manifest.exists():
            raise StoreError(f"geen verwerkte gegevens in {self.path}: maak de demodata met 'regiekit demo', of wijs "
                             "met --data of --project een map met verwerkte gegevens aan")
        try:
            self.manifest = json.loads(manifest.read_text(encoding="utf-8"))
        except ValueError:
            self.manifest = None
        if not isinstance(self.manifest, dict) or not {"tabellen", "jaren"} <= set(self.manifest):
            raise StoreError(f"{manifest} is beschadigd; maak de gegevens opnieuw ('regiekit demo' of de import "
                             "opnieuw)")

    @classmethod
    def open(cls, path: Path | str | None = None) -> Store:
        return cls(Path(path) if path else default_processed_dir())

    @property
    def synthetic(self) -> bool:
        """True when the youth-care data (trajecten, bevolking, or the StatLine cells) is synthetic demo data."""
        return any(self.source_of(t) == "synthetisch" for t in (*REQUIRED, "cbs_cijfers") if t in self.tables)

    def describe(self, table: str) -> str:
        """Where a table's rows came from, in a report's words: 'synthetische demodata', or 'eigen
        registratie (ret_2024.csv, geïmporteerd 30-11-2026)' with every file imported into it."""
        source = self.source_of(table)
        if source == "synthetisch":
            return "synthetische demodata"
        files = [f"{i['bestand']}, geïmporteerd {datetime.fromisoformat(i['tijd']):%d-%m-%Y}"
                 for i in self.manifest.get("imports", []) if i.get("tabel") == table and i.get("bestand")]
        if source == "cbs":
            return "CBS StatLine"
        return f"eigen registratie ({'; '.join(dict.fromkeys(files))})" if files else "eigen registratie"

    def synthetic_for(self, tables) -> bool:
        """True when any of ``tables`` holds synthetic demo data."""
        return any(self.source_of(t) == "synthetisch" for t in tables if t in self.tables)

    def source_of(self, table: str) -> str:
        """Where a table came from ('synthetisch', 'import', ...); stores built before sources were
        recorded per table carry one source for all."""
        fallback = self.manifest.get("bron", {}).get("bron", "onbekend")
        return self.manifest.get("bronnen", {}).get(table, fallback)

    @property
    def years(self) -> list[int]:
        first, last = self.manifest["jaren"]
        return list(range(first, last + 1))

    def connect(self) -> duckdb.DuckDBPyConnection:
        """A DuckDB connection with one view per table."""
        con = duckdb.connect()
        # inside Jupyter without ipywidgets DuckDB refuses the setting (and shows no bar)
        with contextlib.suppress(duckdb.InvalidInputException):
            con.execute("set enable_progress_bar = false")
        for t in self.tables:
            if not (self.path / f"{t}.parquet").exists():
                raise StoreError(f"de gegevens in {self.path} missen {t}.parquet; maak ze opnieuw of importeer "
                                 "de tabel opnieuw")
            try:
                pq.ParquetFile(self.path / f"{t}.parquet").close()  # the footer: a truncated file fails here
            except UNREADABLE as exc:
                raise StoreError(f"{self.path / t}.parquet is beschadigd ({type(exc).__name__}); maak de gegevens "
                                 "opnieuw ('regiekit demo') of importeer de tabel opnieuw") from exc
            con.execute(f"create view {t} as select * from read_parquet('{self.path / t}.parquet')")
        return con

    def state(self, tables: list[str] | None = None) -> str:
        """A digest of the store's content, or of ``tables`` only: the bytes of each table file and where
        it came from (for the whole store, the manifest without the time it was built). It changes when a
        table is imported or replaced; two stores with the same data have the same state, so they can
        share their published tables (``REGIEKIT_CACHE``)."""
        if tables is not None:
            return digest.of({t: [self.manifest.get("bronnen", {}).get(t), _content(self.path / f"{t}.parquet")]
                              for t in sorted(tables)})
        manifest = {k: v for k, v in self.manifest.items() if k != "gebouwd"}
        files = {t: _content(self.path / f"{t}.parquet") for t in self.tables}
        return digest.of({"manifest": manifest, "files": files})

    @property
    def tables(self) -> list[str]:
        return [t for t in TABLES if t in self.manifest["tabellen"]]

    def table(self, name: str):
        """A whole table as a pandas DataFrame."""
        if name not in self.tables:
            raise StoreError(f"de gegevens hebben geen tabel {name!r}; wel {', '.join(self.tables)}")
        return self.connect().execute(f"select * from {name}").df()
