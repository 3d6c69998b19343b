"""A synthetic StatLine snapshot for the demo: every table the catalogue maps (85097NED, trajectories by
referrer; 85098NED, the indicators per gemeente; 85099NED, youths by form of care), computed from the
synthetic records and written in CBS's own OData v3 shape and rules, so that the demo follows the path
a real user takes (``regiekit fetch cbs`` -> ``cbs_cijfers`` -> reports).

CBS's rules are followed where they are known: counts rounded to multiples of five; percentages with
one decimal computed from the unrounded counts; a cell is left empty (secret) when its count or the
count of the rest of the base is 1 to 9 or the base is under 20; the last year is 'Voorlopig', the
year before 'Nader voorlopig', earlier years 'Definitief'. Like CBS, the snapshot has gemeenten,
provincies and Nederland, not jeugdregio's. Titles and the fetch record say the tables are synthetic,
and the store records their source as synthetic, so no report presents these figures as CBS's.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from regiekit import engine
from regiekit.atomic import write_text
from regiekit.data.store import Store
from regiekit.indicators.definitions import Indicator, load_catalogue

TITLES = {"85097NED": "Jeugdhulptrajecten in natura; verwijzer, regio (gemeente)",
          "85098NED": "Indicatoren jeugdzorg in natura; gemeenten",
          "85099NED": "Jongeren met jeugdzorg; vormen van jeugdzorg, regio"}
MODIFIED = "2025-01-01T00:00:00"
SMALL = 10  # a count of 1 to SMALL - 1 leaves a cell empty
MIN_BASE = 20
LEVELS = ("gemeente", "provincie", "land")  # CBS publishes these, not jeugdregio's


def _percent(numerator: int, denominator: int) -> float | None:
    if denominator < MIN_BASE or 0 < numerator < SMALL or 0 < denominator - numerator < SMALL:
        return None
    return round(100 * numerator / denominator, 1)


def _count(numerator: int) -> int | None:
    return None if 0 < numerator < SMALL else int(5 * round(numerator / 5))


def _status(year: int, last: int) -> str:
    return "Voorlopig" if year == last else "Nader voorlopig" if year == last - 1 else "Definitief"


def _period(year: int, half: str | None) -> str:
    return f"{year}JJ00" if half is None else f"{year}HJ0{half[-1]}"


def _dimension_key(title: str) -> str:
    return title.split(" Totaal")[0].replace(" ", "")  # 'JH 122 Totaal jeugdhulp met verblijf' -> 'JH122'


def _cells(mapped: list[Indicator], store: Store) -> tuple[dict, dict[str, str], dict[str, str], list[int]]:
    """(region, period, dimensions) -> {column: value}, the unit of every column, the region names and the
    years. A share of two counts (``cbs_denominator``) writes its two counts, as CBS publishes them."""
    table = engine.compute([i.id for i in mapped], store=store)
    table = table[table["level"].isin(LEVELS)]
    cells: dict[tuple, dict] = {}
    units: dict[str, str] = {}

    def put(region, period, column, dims, value, unit):
        cells.setdefault((region, period, tuple(sorted(dims.items()))), {})[column] = value
        units[column] = unit

    for ind in mapped:
        src = ind.source
        for row in table[table["indicator"] == ind.id].itertuples():
            period = _period(row.period, row.subperiod if isinstance(row.subperiod, str) else None)
            dims = dict(src.cbs_dimensions)
            if src.cbs_categories:
                if row.category not in src.cbs_categories.values:
                    continue
                dims[src.cbs_categories.dimension] = src.cbs_categories.values[row.category]
            if ind.unit == "count" or src.cbs_denominator:
                put(row.region_code, period, src.cbs_column, dims, _count(int(row.numerator)), "aantal")
            else:
                put(row.region_code, period, src.cbs_column, dims,
                    _percent(int(row.numerator), int(row.denominator)), "%")
            if src.cbs_denominator:
                put(row.region_code, period, src.cbs_denominator.column or src.cbs_column,
                    src.cbs_denominator.dimensions, _count(int(row.denominator)), "aantal")
    names = dict(zip(table["region_code"], table["region_name"]))
    return cells, units, names, sorted({int(p) for p in table["period"]})


def _write_table(table: str, mapped: list[Indicator], store: Store, raw_dir: Path) -> Path:
    cells, units, names, years = _cells(mapped, store)
    dimensions = sorted({name for _, _, dims in cells for name, _ in dims})
    rows = []
    for n, ((region, period, dims), values) in enumerate(sorted(cells.items())):
        keys = {name: _dimension_key(title) for name, title in dims}
        rows.append({"ID": n, **keys, "RegioS": f"{region:<8}", "Perioden": period, **values})
    properties = [{"Type": "Dimension", "Key": d, "Title": d} for d in dimensions]
    properties += [{"Type": "GeoDimension", "Key": "RegioS", "Title": "Regio's"},
                   {"Type": "TimeDimension", "Key": "Perioden", "Title": "Perioden"}]
    properties += [{"Type": "Topic", "Key": column, "Title": column.split(" / ")[-1], "Unit": unit,
                    "Decimals": 0 if unit == "aantal" else 1, "Description": "Synthetisch."}
                   for column, unit in units.items()]
    documents = {
        "TableInfos": [{"Title": f"SYNTHETISCH (demodata regiekit): {TITLES.get(table, table)}",
                        "Identifier": table, "Modified": MODIFIED, "Status": "Synthetisch"}],
        "DataProperties": properties,
        "RegioS": [{"Key": f"{code:<8}", "Title": name} for code, name in sorted(names.items())],
        "Perioden": [{"Key": key, "Title": key, "Status": _status(int(key[:4]), years[-1])}
                     for key in sorted({period for _, period, _ in cells})],
        "TypedDataSet": rows,
        **{d: [{"Key": _dimension_key(title), "Title": title}
               for title in sorted({t for _, _, dims in cells for name, t in dims if name == d})]
           for d in dimensions},
    }
    folder = Path(raw_dir) / "cbs" / table
    for name, records in documents.items():
        write_text(folder / f"{name}.json", json.dumps(records, ensure_ascii=False))
    meta = {"tabel": table, "titel": documents["TableInfos"][0]["Title"], "gewijzigd": MODIFIED, "synthetisch": True,
            "opgehaald": datetime.now(UTC).isoformat(timespec="seconds")}
    write_text(folder / "fetch.json", json.dumps(meta, indent=2, ensure_ascii=False) + "\n")
    return folder


def write(store: Store, raw_dir: Path) -> list[Path]:
    """Compute a snapshot of every mapped table from the store's own records and write each as a fetched
    table into ``raw_dir/cbs/<table>/`` (what :func:`regiekit.data.statline.cells` reads)."""
    catalogue = load_catalogue()
    return [_write_table(table, [i for i in catalogue.values() if i.source.cbs_table == table and i.source.cbs_column],
                         store, raw_dir)
            for table in catalogue.cbs_tables()]
