"""CBS StatLine: fetch the open-data tables of the catalogue with ``cbsodata``, keep the raw OData
responses in ``data/raw/cbs/<table>/``, and convert them into the processed store (table
``cbs_waarden``) under the catalogue's indicator ids.

What StatLine returns and how it is handled: region keys padded with spaces (stripped), period
codes such as ``2023JJ00`` (year) and ``2023HJ01`` (half year), preliminary figures (``Status`` of
the period: 'Voorlopig'), empty cells where CBS suppressed a value (kept as missing, flagged), the
page limit of 10.000 rows (``cbsodata`` follows ``odata.nextLink``), keys versus titles (keys are
stored, titles come from the metadata). Units and decimals come from ``DataProperties``, never from
a column name. Older gemeente codes are mapped to the 2024 classification; a count of merged
gemeenten is summed, a percentage cannot be and stays missing with a note.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import cbsodata
import pandas as pd
import requests

from regiekit.atomic import write_text
from regiekit.data.store import register
from regiekit.errors import RegiekitError
from regiekit.indicators.definitions import load_catalogue
from regiekit.reference import herindeling
from regiekit.reference.regions import load_regions

VALUES_TABLE = "cbs_waarden"
_PERIOD = re.compile(r"^(\d{4})(JJ|HJ|KW|MM)(\d{2})$")


class StatLineError(RegiekitError):
    """StatLine could not be reached and there is no cached copy, or a response is not usable."""


def catalogue_tables() -> list[str]:
    """The CBS tables the catalogue takes columns from."""
    return sorted({i.source.cbs_table for i in load_catalogue().values() if i.source.cbs_column})


def fetch(table: str, raw_dir: Path) -> tuple[Path, str]:
    """Download a table's raw OData responses into ``raw_dir/cbs/<table>/``; offline, keep the cache.

    Returns the cache folder and a one-line message saying what happened."""
    folder = Path(raw_dir) / "cbs" / table
    staging = folder.with_name(f".{table}.download")
    try:
        cbsodata.download_data(table, dir=str(staging), typed=False)  # typed=False yields TypedDataSet
    except (requests.ConnectionError, requests.Timeout) as exc:
        if (folder / "fetch.json").exists():
            fetched = json.loads((folder / "fetch.json").read_text(encoding="utf-8"))["opgehaald"]
            return folder, (f"{table}: CBS StatLine is niet bereikbaar ({type(exc).__name__}); "
                            f"de eerder opgehaalde kopie van {fetched} wordt gebruikt")
        raise StatLineError(f"{table}: CBS StatLine is niet bereikbaar en er is geen eerder opgehaalde kopie "
                            f"in {folder}") from exc
    except requests.HTTPError as exc:
        raise StatLineError(f"{table}: StatLine weigerde het verzoek: {exc}") from exc
    info = json.loads((staging / "TableInfos.json").read_text(encoding="utf-8"))[0]
    meta = {"tabel": table, "titel": info.get("Title"), "gewijzigd": info.get("Modified"),
            "opgehaald": datetime.now(UTC).isoformat(timespec="seconds")}
    write_text(staging / "fetch.json", json.dumps(meta, indent=2, ensure_ascii=False) + "\n")
    folder.mkdir(parents=True, exist_ok=True)
    for item in sorted(staging.iterdir(), key=lambda p: p.name == "fetch.json"):  # fetch.json last
        item.replace(folder / item.name)
    staging.rmdir()
    return folder, f"{table}: opgehaald, door CBS gewijzigd op {meta['gewijzigd']}"


def _json(folder: Path, name: str):
    path = folder / f"{name}.json"
    if not path.exists():
        raise StatLineError(f"de opgehaalde kopie in {folder} mist {name}.json")
    return json.loads(path.read_text(encoding="utf-8"))


def _period(code: str) -> tuple[int, str | None]:
    match = _PERIOD.match(code.strip())
    if not match:
        raise StatLineError(f"onbekende periodecode van StatLine {code!r}")
    year, kind, number = int(match[1]), match[2], int(match[3])
    return year, None if kind == "JJ" else f"{'H' if kind == 'HJ' else kind[0]}{number}"


def convert(folder: Path) -> pd.DataFrame:
    """The cached table as catalogue values: one row per indicator, region and period."""
    folder = Path(folder)
    meta = json.loads((folder / "fetch.json").read_text(encoding="utf-8"))
    table = meta["tabel"]
    properties = {p["Key"]: p for p in _json(folder, "DataProperties")}
    wanted = {i.source.cbs_column: i for i in load_catalogue().values()
              if i.source.cbs_table == table and i.source.cbs_column}
    missing = [column for column in wanted if column not in properties]
    if missing:
        raise StatLineError(f"{table} heeft geen kolom(men) {', '.join(missing)}; controleer de catalogus")
    status = {p["Key"].strip(): p.get("Status", "") for p in _json(folder, "Perioden")}
    data = pd.DataFrame(_json(folder, "TypedDataSet"))
    data["region_raw"] = data["RegioS"].str.strip()
    data["region_code"], unmapped = herindeling.recode(data["region_raw"])
    periods = data["Perioden"].map(_period)
    data["period"], data["subperiod"] = periods.map(lambda p: p[0]), periods.map(lambda p: p[1])
    data["voorlopig"] = data["Perioden"].str.strip().map(status).eq("Voorlopig")
    levels = {r.code: r.level for r in load_regions().all()}
    rows = []
    for column, ind in wanted.items():
        prop = properties[column]
        part = data[["region_raw", "region_code", "period", "subperiod", "voorlopig"]].assign(value=data[column])
        part = part[part["region_code"].notna()]
        merged = part.groupby(["region_code", "period", "subperiod"], dropna=False)
        summable = prop.get("Unit", "").strip().lower() in ("aantal", "x 1 000", "")
        combined = merged.agg(value=("value", lambda v, summable=summable:
                                     v.sum(min_count=len(v)) if summable or len(v) == 1 else None),
                              sources=("region_raw", lambda r: ",".join(sorted(set(r)))),
                              voorlopig=("voorlopig", "any")).reset_index()
        combined["note"] = combined["sources"].where(combined["sources"] != combined["region_code"])
        combined["note"] = combined["note"].map(lambda s, summable=summable: None if pd.isna(s) else
                                                f"samengesteld uit {s} (herindeling)"
                                                + ("" if summable else "; percentages niet op te tellen"))
        rows.append(combined.assign(indicator=ind.id, cbs_table=table, cbs_column=column,
                                    unit=prop.get("Unit", "").strip(), decimals=prop.get("Decimals"),
                                    suppressed=combined["value"].isna(), gewijzigd=meta.get("gewijzigd"))
                    .drop(columns=["sources"]))
    values = pd.concat(rows, ignore_index=True)
    values["level"] = values["region_code"].map(levels)
    values.attrs["unmapped"] = unmapped
    return values


def store_values(values: pd.DataFrame, processed_dir: Path) -> int:
    """Write converted values into ``cbs_waarden`` of the store, replacing earlier rows of the same table."""
    processed_dir = Path(processed_dir)
    processed_dir.mkdir(parents=True, exist_ok=True)
    target = processed_dir / f"{VALUES_TABLE}.parquet"
    tables = set(values["cbs_table"])
    if target.exists():
        old = pd.read_parquet(target)
        values = pd.concat([old[~old["cbs_table"].isin(tables)], values], ignore_index=True)
    tmp = target.with_name(f".{target.name}.tmp")
    values.to_parquet(tmp, index=False)
    tmp.replace(target)
    register(processed_dir, VALUES_TABLE, len(values), {"bron": "cbs", "tabellen": sorted(tables)},
             (int(values["period"].min()), int(values["period"].max())))
    return len(values)
