"""A synthetic StatLine snapshot for the demo: the indicators CBS publishes per gemeente (85098NED),
computed from the synthetic records and written in CBS's own OData v3 shape and rules, so that the
demo follows the path a real user takes (``regiekit fetch cbs`` -> ``cbs_cijfers`` -> reports).

CBS's rules are followed where they are known: percentages with one decimal computed from the counts;
a cell is left empty (secret) when its count or the count of the rest of the base is 1 to 9 or the
base is under 20; the last year is 'Voorlopig', the year before 'Nader voorlopig', earlier years
'Definitief'. Titles and the fetch record say the table is synthetic, and the store records its source
as synthetic, so no report presents these figures as CBS's.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from regiekit import engine
from regiekit.atomic import write_text
from regiekit.data.store import Store
from regiekit.indicators.definitions import load_catalogue

TABLE = "85098NED"
TITLE = "SYNTHETISCH (demodata regiekit): Indicatoren jeugdzorg in natura; gemeenten"
MODIFIED = "2025-01-01T00:00:00"
SMALL = 10  # a count of 1 to SMALL - 1 leaves a cell empty
MIN_BASE = 20


def _cell(numerator: int, denominator: int) -> float | None:
    if denominator < MIN_BASE or 0 < numerator < SMALL or 0 < denominator - numerator < SMALL:
        return None
    return round(100 * numerator / denominator, 1)


def _status(year: int, last: int) -> str:
    return "Voorlopig" if year == last else "Nader voorlopig" if year == last - 1 else "Definitief"


def write(store: Store, raw_dir: Path) -> Path:
    """Compute the snapshot from the store's own records and write it as a fetched table into
    ``raw_dir/cbs/85098NED/`` (what :func:`regiekit.data.statline.cells` reads)."""
    mapped = [i for i in load_catalogue().values() if i.source.cbs_table == TABLE and i.source.cbs_column]
    levels = ("gemeente", "provincie", "land")  # CBS publishes 85098NED for these, not for jeugdregio's
    table = engine.compute([i.id for i in mapped], store=store)
    table = table[table["level"].isin(levels)]
    rows = []
    for (region, period), part in table.groupby(["region_code", "period"], sort=True):
        values = dict(zip(part["indicator"], zip(part["numerator"], part["denominator"].fillna(0))))
        row = {"ID": len(rows), "RegioS": f"{region:<8}", "Perioden": f"{period}JJ00"}
        for ind in mapped:
            num, den = values[ind.id]
            row[ind.source.cbs_column] = _cell(int(num), int(den))
        rows.append(row)
    properties = [{"Type": "GeoDimension", "Key": "RegioS", "Title": "Regio's"},
                  {"Type": "TimeDimension", "Key": "Perioden", "Title": "Perioden"}]
    properties += [{"Type": "Topic", "Key": i.source.cbs_column, "Title": i.label, "Unit": "%", "Decimals": 1,
                    "Description": f"Basis: {i.source.cbs_base}. Synthetisch."} for i in mapped]
    names = {r: n for r, n in zip(table["region_code"], table["region_name"])}
    last = int(table["period"].max())
    documents = {
        "TableInfos": [{"Title": TITLE, "Identifier": TABLE, "Modified": MODIFIED, "Status": "Synthetisch"}],
        "DataProperties": properties,
        "RegioS": [{"Key": f"{code:<8}", "Title": name} for code, name in sorted(names.items())],
        "Perioden": [{"Key": f"{y}JJ00", "Title": f"{y}", "Status": _status(y, last)}
                     for y in sorted({int(p) for p in table["period"]})],
        "TypedDataSet": rows,
    }
    folder = Path(raw_dir) / "cbs" / TABLE
    for name, records in documents.items():
        write_text(folder / f"{name}.json", json.dumps(records, ensure_ascii=False))
    meta = {"tabel": TABLE, "titel": TITLE, "gewijzigd": MODIFIED, "synthetisch": True,
            "opgehaald": datetime.now(UTC).isoformat(timespec="seconds")}
    write_text(folder / "fetch.json", json.dumps(meta, indent=2, ensure_ascii=False) + "\n")
    return folder

