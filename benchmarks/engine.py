"""Benchmark: the indicator engine on national-scale trajectory data.

For each size of ``--trajecten`` (by default 1, 3 and 10 million, so the growth shows), builds a store
with about that many trajectories over ten years (the synthetic demo data, its
youths repeated under new pseudonyms and the population scaled with them), then computes every
catalogue indicator on trajectories and population, for every region of every level and every year,
with the regiekit engine (DuckDB), and compares three indicators with a straightforward pandas
implementation of the same counting rules (youth counted once per year, in the gemeente of their
most recently started trajectory, at their age on their last day of care). Each side runs in its own
process, so the peak memory printed is its own; a table at the end sets the sizes side by side. Usage:

    .venv/bin/python benchmarks/engine.py                     # 1, 3 and 10 million trajectories
    .venv/bin/python benchmarks/engine.py --trajecten 500000  # a quick run
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import pandas as pd

from regiekit.engine.execute import UNITS

COMPARED = {  # indicator -> (trajectory condition, age band): the pandas side of the comparison
    "jeugdhulp_aantal": ("soort == 'jeugdhulp'", (0, 23)),
    "jeugdhulp_verblijf_aantal": ("soort == 'jeugdhulp' and verblijf", (0, 23)),
    "jeugdbescherming_aantal": ("soort == 'jeugdbescherming'", (0, 18)),
}


def scaled_store(source: Path, target: Path, trajectories: int) -> int:
    """A copy of the store at ``source`` with every youth repeated under new pseudonyms until there
    are at least ``trajectories`` trajectories (or, for fewer than it holds, a sample of its youths),
    the population scaled alike; returns the number of trajectories written."""
    target.mkdir(parents=True)
    con = duckdb.connect()
    have = con.execute(f"select count(*) from read_parquet('{source / 'trajecten.parquet'}')").fetchone()[0]
    copies = max(1, math.ceil(trajectories / have))
    every = max(1, have // trajectories)  # fewer than the demo holds: every n-th youth, population / n
    con.execute("copy (select t.* replace (t.traject_id || '.' || c as traject_id, "
                f"""t.jeugdige_id || '.' || c as jeugdige_id)
                    from read_parquet('{source / 'trajecten.parquet'}') t, range({copies}) r(c)
                    where hash(t.jeugdige_id) % {every} = 0)
                    to '{target / 'trajecten.parquet'}' (format parquet)""")
    con.execute(f"""copy (select * replace (round(aantal * {copies} / {every})::bigint as aantal)
                    from read_parquet('{source / 'bevolking.parquet'}'))
                    to '{target / 'bevolking.parquet'}' (format parquet)""")
    written = con.execute(f"select count(*) from read_parquet('{target / 'trajecten.parquet'}')").fetchone()[0]
    manifest = json.loads((source / "store.json").read_text(encoding="utf-8"))
    manifest["tabellen"] = {"bevolking": manifest["tabellen"]["bevolking"], "trajecten": written}
    manifest["bronnen"] = {t: "synthetisch" for t in manifest["tabellen"]}
    (target / "store.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return written


def regiekit_side(store: str, ids: list[str], out: str, backend: str = "duckdb") -> dict:
    from regiekit import engine
    from regiekit.data.store import Store

    if backend == "spark":  # start the session before the clock: its start-up is not the computation
        from pyspark.sql import SparkSession
        (SparkSession.builder.config("spark.ui.showConsoleProgress", "false")
         .config("spark.driver.memory", "4g").getOrCreate())
    began = time.perf_counter()
    result = engine.compute(ids, None, None, Store.open(store), backend=backend)
    spent = time.perf_counter() - began
    result.to_parquet(out)
    return {"seconds": spent, "rows": len(result)}


def pandas_side(store: str, out: str) -> dict:
    """The compared indicators with plain pandas: all regions, all years."""
    from regiekit.reference.regions import load_regions

    began = time.perf_counter()
    columns = ["traject_id", "jeugdige_id", "gemeente_code", "geboortedatum", "startdatum", "einddatum", "soort",
               "verblijf"]
    trajecten = pd.read_parquet(Path(store) / "trajecten.parquet", columns=columns)
    for column in ("geboortedatum", "startdatum", "einddatum"):
        trajecten[column] = pd.to_datetime(trajecten[column])
    membership = load_regions().membership()
    years = json.loads((Path(store) / "store.json").read_text())["jaren"]
    found = []
    for year in range(years[0], years[1] + 1):
        start, end = pd.Timestamp(year, 1, 1), pd.Timestamp(year, 12, 31)
        running = trajecten[(trajecten["startdatum"] <= end)
                            & (trajecten["einddatum"].isna() | (trajecten["einddatum"] >= start))].copy()
        running["laatste_dag"] = running["einddatum"].fillna(end).clip(upper=end)
        for ident, (condition, _) in COMPARED.items():
            running[ident] = running.eval(condition)
        running = running.sort_values(["startdatum", "traject_id"])
        youth = running.groupby("jeugdige_id", sort=False).agg(
            gemeente_code=("gemeente_code", "last"), geboortedatum=("geboortedatum", "first"),
            laatste_dag=("laatste_dag", "max"), **{i: (i, "any") for i in COMPARED})
        born, last = youth["geboortedatum"], youth["laatste_dag"]
        youth["leeftijd"] = last.dt.year - born.dt.year - (
            (last.dt.month < born.dt.month) | ((last.dt.month == born.dt.month) & (last.dt.day < born.dt.day)))
        for ident, (_, (low, high)) in COMPARED.items():
            chosen = youth[youth[ident] & (youth["leeftijd"] >= low) & (youth["leeftijd"] < high)]
            counts = chosen.groupby("gemeente_code").size().rename("numerator").reset_index()
            counts = membership.merge(counts, on="gemeente_code", how="left").fillna({"numerator": 0})
            per_region = counts.groupby("region_code", as_index=False)["numerator"].sum()
            found.append(per_region.assign(indicator=ident, period=year))
    spent = time.perf_counter() - began
    pd.concat(found, ignore_index=True).to_parquet(out)
    return {"seconds": spent}


def _same(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    """The same table up to dtypes and floating-point rounding."""
    try:
        pd.testing.assert_frame_equal(a, b, check_dtype=False)
    except AssertionError:
        return False
    return True


def _peak_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _child(kind: str, store: str, ids: list[str], out: str, backend: str = "duckdb", memory: str | None = None) -> dict:
    """Run one side in a fresh process and return its timing and peak memory (for Spark: of the Python
    process only; the JVM's memory is its own)."""
    code = (f"import json, sys; sys.path.insert(0, {str(Path(__file__).parent)!r}); import engine as b; "
            f"r = b.regiekit_side({store!r}, {ids!r}, {out!r}, {backend!r}) if {kind!r} == 'regiekit' "
            f"else b.pandas_side({store!r}, {out!r}); "
            "r['peak_mb'] = b._peak_mb(); print(json.dumps(r))")
    env = {**os.environ, **({"REGIEKIT_DUCKDB_MEMORY": memory} if memory else {})}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    if done.returncode != 0:
        raise SystemExit(f"{kind} failed: {done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure(source: Path, ids: list[str], trajectories: int, memory: str | None, spark: bool) -> dict:
    """One size: the scaled store, every indicator, the compared three with regiekit and with pandas."""
    work = Path(tempfile.mkdtemp(prefix="regiekit-engine-bench-"))
    try:
        began = time.perf_counter()
        found = {"trajecten": scaled_store(source, work / "store", trajectories),
                 "klaarzetten": time.perf_counter() - began}
        # the three against pandas, then everything, each on a store that keeps no units table yet
        found["drie"] = _child("regiekit", str(work / "store"), list(COMPARED), str(work / "subset.parquet"),
                               memory=memory)
        shutil.rmtree(work / "store" / UNITS, ignore_errors=True)
        found["alle"] = _child("regiekit", str(work / "store"), ids, str(work / "regiekit.parquet"), memory=memory)
        found["warm"] = _child("regiekit", str(work / "store"), ids, str(work / "warm.parquet"), memory=memory)
        found["identical"] = _same(pd.read_parquet(work / "warm.parquet"), pd.read_parquet(work / "regiekit.parquet"))
        if spark:
            found["spark"] = _child("regiekit", str(work / "store"), ids, str(work / "spark.parquet"), backend="spark")
            found["spark"]["identical"] = _same(pd.read_parquet(work / "spark.parquet"),
                                                pd.read_parquet(work / "regiekit.parquet"))
        found["pandas"] = _child("pandas", str(work / "store"), [], str(work / "pandas.parquet"))
        a = pd.read_parquet(work / "subset.parquet")[["indicator", "region_code", "period", "numerator"]]
        b = pd.read_parquet(work / "pandas.parquet")[["indicator", "region_code", "period", "numerator"]]
        merged = a.merge(b, on=["indicator", "region_code", "period"], how="outer", suffixes=("", "_pandas"))
        found["identical"] &= bool(len(merged) == len(a) == len(b) and (
            merged["numerator"].astype(float) == merged["numerator_pandas"].astype(float)).all())
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trajecten", type=int, nargs="+", default=[1_000_000, 3_000_000, 10_000_000],
                        help="trajectories at least, one run per size (default 1, 3 and 10 million)")
    parser.add_argument("--geheugen", help="DuckDB memory limit, e.g. 3GB (default: DuckDB's own, 80%% of RAM)")
    parser.add_argument("--spark", action="store_true", help="also compute everything on a local Spark session "
                                                              "and compare (needs pyspark and Java)")
    parser.add_argument("--data", help="the processed store to scale (default: the project's, built as the demo "
                                       "when missing)")
    args = parser.parse_args(argv)

    sys.path.insert(0, str(Path(__file__).parent))
    from national_batch import ensure_store

    from regiekit.formatting import number
    from regiekit.indicators.definitions import load_catalogue

    source = Path(args.data).resolve() if args.data else ensure_store()
    ids = [i.id for i in load_catalogue().values()
           if i.numerator.count in ("jongeren", "trajecten", "bevolking")]
    limit = f", DuckDB-geheugengrens {args.geheugen}" if args.geheugen else ""
    runs = []
    for size in args.trajecten:
        found = measure(source, ids, size, args.geheugen, args.spark)
        runs.append(found)
        mine, subset, theirs = found["alle"], found["drie"], found["pandas"]
        print(f"{number(found['trajecten'])} trajecten over tien jaar klaargezet in "
              f"{number(found['klaarzetten'], 1)} s")
        print(f"regiekit-engine, alle {len(ids)} indicatoren op trajecten en bevolking, alle regio's en jaren: "
              f"{number(mine['seconds'], 1)} s, piekgeheugen {number(mine['peak_mb'])} MB, "
              f"{number(mine['rows'])} uitkomsten (de eerste keer: de tabellen per jongere worden gemaakt en "
              "bewaard)")
        warm = found["warm"]
        print(f"dezelfde {len(ids)} indicatoren opnieuw (tabellen per jongere uit de gegevensmap): "
              f"{number(warm['seconds'], 1)} s, piekgeheugen {number(warm['peak_mb'])} MB "
              f"(doel bij 10 miljoen: onder 30 s en 4 GB{limit})")
        if args.spark:
            spark = found["spark"]
            print(f"dezelfde {len(ids)} indicatoren op Spark (lokaal, alle kernen): {number(spark['seconds'], 1)} s, "
                  f"{number(spark['seconds'] / mine['seconds'], 1)}x de tijd van DuckDB; zelfde uitkomsten als "
                  f"DuckDB: {'ja' if spark['identical'] else 'NEE'}")
        print(f"regiekit-engine, de {len(COMPARED)} vergeleken indicatoren: {number(subset['seconds'], 1)} s, "
              f"piekgeheugen {number(subset['peak_mb'])} MB")
        print(f"pandas, dezelfde {len(COMPARED)} indicatoren: {number(theirs['seconds'], 1)} s, piekgeheugen "
              f"{number(theirs['peak_mb'])} MB ({number(theirs['seconds'] / subset['seconds'], 1)}x de tijd van "
              "regiekit)")
    print(f"groei ({len(ids)} indicatoren; de 3 vergeleken indicatoren tegen pandas):")
    print(f"  {'trajecten':>12} {'eerste: s':>10} {'piek MB':>8} {'daarna: s':>10} {'piek MB':>8} "
          f"{'s per miljoen':>14} {'3: s':>6} {'pandas: s':>10} {'pandas/regiekit':>16}")
    for found in runs:
        mine, warm, subset, theirs = found["alle"], found["warm"], found["drie"], found["pandas"]
        print(f"  {number(found['trajecten']):>12} {number(mine['seconds'], 1):>10} {number(mine['peak_mb']):>8} "
              f"{number(warm['seconds'], 1):>10} {number(warm['peak_mb']):>8} "
              f"{number(mine['seconds'] / found['trajecten'] * 1e6, 1):>14} {number(subset['seconds'], 1):>6} "
              f"{number(theirs['seconds'], 1):>10} {number(theirs['seconds'] / subset['seconds'], 1) + 'x':>16}")
    identical = all(f["identical"] and f.get("spark", {}).get("identical", True) for f in runs)
    print(f"zelfde uitkomsten: {'ja' if identical else 'NEE'}")
    return 0 if identical else 1


if __name__ == "__main__":
    sys.exit(main())
