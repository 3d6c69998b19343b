"""Indicators as CBS StatLine publishes them: the cells of ``cbs_cijfers`` that a definition maps
(``source.cbs_table``, ``cbs_column``, ``cbs_dimensions``), in the engine's table format.

CBS's figures are already under CBS's own disclosure control: a value is taken as CBS published it,
an empty cell stays empty (``geheim``, CBS: secret or unreliable) and is never read as zero. CBS
publishes values, not numerators and denominators, so those columns and the interval stay empty.
Every row says where it came from (``source``: table and CBS's modification date) and CBS's status
of the period (``status``: definitief, voorlopig, nader voorlopig).
"""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pandas as pd

from regiekit.data.statline import CELLS_TABLE
from regiekit.data.store import Store
from regiekit.engine.complete import COLUMNS
from regiekit.indicators.definitions import Indicator
from regiekit.reference.regions import Region

EXTRA = ["status", "geheim", "source", "note"]


def source_text(table: str, modified: str | None, synthetic: bool = False) -> str:
    """'CBS StatLine 85098NED, gewijzigd 31-10-2023' (the date CBS last changed the table)."""
    if synthetic:
        return f"synthetische demodata in de vorm van CBS StatLine {table}"
    if not modified:
        return f"CBS StatLine {table}"
    return f"CBS StatLine {table}, gewijzigd {datetime.fromisoformat(modified):%d-%m-%Y}"


def _dimensions(ind: Indicator) -> str:
    return ";".join(f"{name}={key}" for name, key in sorted(ind.source.cbs_dimensions.items()))


def values(selected: list[Indicator], wanted: dict[str, Region], years: list[int], store: Store) -> pd.DataFrame:
    """The cells of the mapped indicators for the wanted regions (code -> region) and years."""
    mapped = [i for i in selected if i.source.cbs_column]
    if CELLS_TABLE not in store.tables or not mapped:
        return pd.DataFrame(columns=COLUMNS + EXTRA)
    tables = sorted({i.source.cbs_table for i in mapped})
    found = pd.read_parquet(store.path / f"{CELLS_TABLE}.parquet", filters=[("table", "in", tables)])
    found = found[found["region_code"].isin(list(wanted)) & found["period"].isin(years)]
    parts = []
    for ind in mapped:
        halves = ind.period == "half_year"  # a yearly indicator takes CBS's year figures, not its half years
        mine = found[(found["table"] == ind.source.cbs_table) & (found["topic"] == ind.source.cbs_column)
                     & (found["dimensions"] == _dimensions(ind)) & (found["subperiod"].notna() == halves)]
        parts.append(pd.DataFrame({
            "indicator": ind.id, "region_code": mine["region_code"], "period": mine["period"].astype(int),
            "subperiod": mine["subperiod"].astype(object).where(mine["subperiod"].notna(), None),
            "category": None, "numerator": np.nan, "denominator": np.nan,
            "value": mine["value"].astype(float), "unit": ind.unit, "ci_low": np.nan, "ci_high": np.nan,
            "status": mine["status"], "geheim": mine["geheim"].astype(bool),
            "source": [source_text(t, m, s) for t, m, s in zip(mine["table"], mine["gewijzigd"], mine["synthetisch"])],
            "note": mine["note"]}))
    table = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=COLUMNS + EXTRA)
    table["region_name"] = table["region_code"].map({c: r.name for c, r in wanted.items()})
    table["level"] = table["region_code"].map({c: r.level for c, r in wanted.items()})
    order = {i.id: n for n, i in enumerate(mapped)}
    table = table.sort_values(["indicator", "level", "region_code", "period", "subperiod"],
                              key=lambda s: s.map(order) if s.name == "indicator" else s, na_position="first")
    return table[COLUMNS + EXTRA].reset_index(drop=True)
