"""CBS StatLine: download open-data tables, keep CBS's raw responses, and store their cells as they are.

- :class:`ODataV3` reads CBS's OData v3 service with ``cbsodata`` (all pages, following
  ``odata.nextLink``). Its address is CBS's own service unless ``REGIEKIT_STATLINE_URL`` names another
  (a proxy, a mirror or a test server). A reader for the OData v4 service (datasets.cbs.nl) is a second
  class with the same two methods; nothing else changes.
- :func:`fetch` keeps the raw responses and a ``fetch.json`` (table, title, CBS's modification date,
  fetch time) in ``data/raw/cbs/<table>/``; offline it says so and keeps the cached copy.
- :func:`cells` turns a cached table into one row per cell: table, topic (column key) and its title
  with the titles of its groups (``topic_title``), the other
  dimensions (keys and titles), region in the 2024 classification, period, value, unit and decimals
  from ``DataProperties``, CBS's status of the period (``definitief``, ``voorlopig`` or ``nader
  voorlopig``) and whether CBS left the cell empty (``geheim``: secret or unreliable, never zero).
- :func:`store_cells` writes them to the store table ``cbs_cijfers``. Which cell means which indicator
  is in the indicator definitions (``source.cbs_*``) and is resolved by the engine, not here.

CBS's rows for the size classes of gemeenten ('Minder dan 20 000 inwoners', ...) get regiekit's codes
GK01-GK05 from their titles. Older gemeente codes are mapped to the 2024 classification: counts of
merged gemeenten are summed (and stay empty when one of them is empty), other units cannot be and stay
empty with a note.
"""

from __future__ import annotations

import json
import os
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol
from urllib.parse import urlparse

import cbsodata
import pandas as pd
import requests

from regiekit.atomic import write_bytes, write_text
from regiekit.data.store import register
from regiekit.errors import RegiekitError
from regiekit.reference import herindeling
from regiekit.reference.regions import load_regions, size_class_for_title

CELLS_TABLE = "cbs_cijfers"
ENV_URL = "REGIEKIT_STATLINE_URL"
DEFAULT_URL = "https://opendata.cbs.nl"
STATUS = {"voorlopig": "voorlopig", "nader voorlopig": "nader voorlopig", "definitief": "definitief"}
COUNT_UNITS = ("aantal", "x 1 000", "")
_PERIOD = re.compile(r"^(\d{4})(JJ|HJ|KW|MM)(\d{2})$")
_FIXED = {"ID", "RegioS", "Perioden"}


class StatLineError(RegiekitError):
    """StatLine could not be reached and there is no cached copy, or a response is not usable."""


class Reader(Protocol):
    """A StatLine service: downloads a table's documents into a folder as ``<name>.json`` files (each a
    list of records, as OData v3 names them: TableInfos, DataProperties, one per dimension, TypedDataSet)."""

    def download(self, table: str, folder: Path) -> None: ...


class ODataV3:
    """CBS's OData v3 service through ``cbsodata``; ``url`` defaults to ``$REGIEKIT_STATLINE_URL`` or CBS."""

    def __init__(self, url: str | None = None):
        self.url = (url or os.environ.get(ENV_URL) or DEFAULT_URL).rstrip("/")
        parts = urlparse(self.url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise StatLineError(f"{ENV_URL} moet een adres als https://opendata.cbs.nl zijn, niet {self.url!r}")
        self.https, self.host = parts.scheme == "https", parts.netloc + parts.path

    def download(self, table: str, folder: Path) -> None:
        cbsodata.options.use_https = self.https
        cbsodata.download_data(table, dir=str(folder), typed=False, catalog_url=self.host)  # typed=False: TypedDataSet


def fetch(table: str, raw_dir: Path, reader: Reader | None = None) -> tuple[Path, str]:
    """Download a table's raw responses into ``raw_dir/cbs/<table>/``; offline, keep the cached copy.

    Returns the cache folder and a one-line message saying what happened."""
    folder = Path(raw_dir) / "cbs" / table
    staging = folder.with_name(f".{table}.download")
    reader = reader or ODataV3()
    try:
        reader.download(table, staging)
    except (requests.ConnectionError, requests.Timeout) as exc:
        if (folder / "fetch.json").exists():
            fetched = json.loads((folder / "fetch.json").read_text(encoding="utf-8"))["opgehaald"]
            why = "geen antwoord op tijd" if isinstance(exc, requests.Timeout) else "geen verbinding"
            return folder, (f"{table}: CBS StatLine is niet bereikbaar ({why}); "
                            f"de eerder opgehaalde kopie van {fetched} wordt gebruikt")
        raise StatLineError(f"{table}: CBS StatLine is niet bereikbaar en er is geen eerder opgehaalde kopie "
                            f"in {folder}") from exc
    except requests.HTTPError as exc:
        status = getattr(exc.response, "status_code", None)
        raise StatLineError(f"{table}: CBS StatLine weigerde het verzoek"
                            + (f" met HTTP-status {status}" if status else "") + f" ({exc})") from exc
    info = _json(staging, "TableInfos")[0]
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


def _status(text: str | None) -> str:
    """CBS's status of a period ('Voorlopig', 'Nader voorlopig', 'Definitief'; empty is definitief)."""
    key = (text or "definitief").strip().lower()
    if key not in STATUS:
        raise StatLineError(f"onbekende status van een periode: {text!r}")
    return STATUS[key]


def _topic_paths(properties: list[dict]) -> dict[str, str]:
    """Topic key -> its title with the titles of its topic groups, e.g. 'Totaal jeugdhulptrajecten in
    natura / Beëindigde trajecten / Reden beëindiging / Beëindigd volgens plan' (leaf titles repeat)."""
    by_id = {p["ID"]: p for p in properties if p.get("ID") is not None}

    def path(prop: dict) -> list[str]:
        parent = by_id.get(prop["ParentID"]) if prop.get("ParentID") is not None else None
        return (path(parent) if parent is not None else []) + [prop.get("Title") or ""]

    return {p["Key"]: " / ".join(path(p)) for p in properties if p.get("Type") == "Topic"}


def cells(folder: Path) -> pd.DataFrame:
    """The cached table as one row per cell (see the module docstring); ``attrs['unmapped']`` lists the
    region codes that could not be expressed in the 2024 classification."""
    folder = Path(folder)
    meta = json.loads((folder / "fetch.json").read_text(encoding="utf-8"))
    table = meta["tabel"]
    properties = _json(folder, "DataProperties")
    topics = {p["Key"]: p for p in properties if p.get("Type") == "Topic"}
    paths = _topic_paths(properties)
    dimensions = [p["Key"] for p in properties if p.get("Type") == "Dimension"]
    titles = {d: {c["Key"].strip(): c["Title"] for c in _json(folder, d)} for d in dimensions}
    status = {p["Key"].strip(): _status(p.get("Status")) for p in _json(folder, "Perioden")}
    data = pd.DataFrame(_json(folder, "TypedDataSet"))
    if data.empty:
        raise StatLineError(f"{table}: de tabel bevat geen cijfers")
    data["region_raw"] = data["RegioS"].str.strip()
    if (folder / "RegioS.json").exists():  # CBS's size classes of gemeenten have no code of their own
        classes = {r["Key"].strip(): size_class_for_title(r["Title"] or "") for r in _json(folder, "RegioS")}
        data["region_raw"] = data["region_raw"].map(lambda code: classes.get(code) or code)
    data["dimensions"], data["dimension_titles"] = "", ""
    if dimensions:  # e.g. 'VormenVanJeugdzorg=A045790' and 'VormenVanJeugdzorg=JH 122 Jeugdhulp met verblijf'
        keys = [d + "=" + data[d].str.strip() for d in dimensions]
        names = [d + "=" + data[d].str.strip().map(titles[d]).fillna("") for d in dimensions]
        data["dimensions"] = keys[0].str.cat(keys[1:], sep=";") if len(keys) > 1 else keys[0]
        data["dimension_titles"] = names[0].str.cat(names[1:], sep=";") if len(names) > 1 else names[0]
    data["region_code"], unmapped = herindeling.recode(data["region_raw"])
    periods = data["Perioden"].map(_period)
    data["period"], data["subperiod"] = periods.map(lambda p: p[0]), periods.map(lambda p: p[1])
    data["status"] = data["Perioden"].str.strip().map(status)
    keys = ["dimensions", "dimension_titles", "region_code", "period", "subperiod"]
    parts = []
    for column, prop in topics.items():
        unit = (prop.get("Unit") or "").strip()
        summable = unit.lower() in COUNT_UNITS
        part = data[[*keys, "region_raw", "status"]].assign(value=pd.to_numeric(data[column], errors="coerce"))
        part = part[part["region_code"].notna()]
        merged = part.groupby(keys, dropna=False).agg(
            value=("value", lambda v, summable=summable: v.sum(min_count=len(v)) if summable or len(v) == 1 else None),
            sources=("region_raw", lambda r: ",".join(sorted(set(r)))), status=("status", "first")).reset_index()
        recoded = merged["sources"] != merged["region_code"]
        merged["note"] = [f"samengesteld uit {s} (herindeling)" + ("" if summable else "; niet op te tellen")
                          if r else None for s, r in zip(merged["sources"], recoded)]
        parts.append(merged.drop(columns="sources").assign(
            table=table, topic=column, topic_title=paths[column], unit=unit, decimals=prop.get("Decimals"),
            gewijzigd=meta.get("gewijzigd")))
    found = pd.concat(parts, ignore_index=True)
    found["geheim"] = found["value"].isna()
    found["synthetisch"] = bool(meta.get("synthetisch"))  # the demo's snapshot, never presented as CBS's
    found["level"] = found["region_code"].map({r.code: r.level for r in load_regions().all()})
    found.attrs["unmapped"] = unmapped
    return found


def store_cells(found: pd.DataFrame, processed_dir: Path) -> int:
    """Write a table's cells into ``cbs_cijfers`` of the store, replacing earlier cells of the same table."""
    processed_dir = Path(processed_dir)
    target = processed_dir / f"{CELLS_TABLE}.parquet"
    tables = set(found["table"])
    if target.exists():
        old = pd.read_parquet(target)
        found = pd.concat([old[~old["table"].isin(tables)], found], ignore_index=True)
    write_bytes(target, found.to_parquet(index=False))
    label = "synthetisch" if found["synthetisch"].all() else "cbs"
    register(processed_dir, CELLS_TABLE, len(found), {"bron": label, "tabellen": sorted(set(found["table"]))},
             (int(found["period"].min()), int(found["period"].max())))
    return len(found)
