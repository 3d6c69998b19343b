"""Indicators as CBS StatLine publishes them: the cells of ``cbs_cijfers`` that a definition maps
(``source.cbs_table``, ``cbs_column``, ``cbs_dimensions``), in the engine's table format.

CBS's figures are already under CBS's own disclosure control: a value is taken as CBS published it,
an empty cell stays empty (``geheim``, CBS: secret or unreliable) and is never read as zero. Every
row says where it came from (``source``: table and CBS's modification date) and CBS's status of the
period (``status``: definitief, voorlopig, nader voorlopig).

Two kinds of figure are derived from CBS's cells, never from its percentages:
- a share of two CBS counts (``cbs_denominator``: the cell it divides by, another category or column),
  with numerator, denominator and interval, per category for a breakdown (``cbs_categories``);
- a region CBS does not publish (a jeugdregio, a size class, or a provincie missing from the table)
  as the sum of its gemeenten's counts, numerators and denominators. The sum is withheld when a
  member's cell is empty: with the other members published it would give the secret cell away.
"""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pandas as pd

from regiekit.data.statline import CELLS_TABLE
from regiekit.data.store import Store
from regiekit.engine.complete import COLUMNS
from regiekit.engine.intervals import with_intervals
from regiekit.indicators.definitions import Indicator
from regiekit.reference.regions import Region, load_regions

EXTRA = ["status", "geheim", "source", "note"]
_CELL = ["region_code", "period", "subperiod"]
SUM_NOTE = ("som van de CBS-cijfers van {n} gemeenten (CBS rondt aantallen af op vijftallen; een jongere die in het "
            "jaar verhuisde, telt in beide gemeenten)")
ONE_NOTE = "het CBS-cijfer van de enige gemeente van de regio"
SECRET_NOTE = "niet af te leiden: CBS heeft het cijfer van {names} geheimgehouden"


def source_text(table: str, modified: str | None, synthetic: bool = False) -> str:
    """'CBS StatLine 85098NED, gewijzigd 31-10-2023' (the date CBS last changed the table)."""
    if synthetic:
        return f"synthetische demodata in de vorm van CBS StatLine {table}"
    if not modified:
        return f"CBS StatLine {table}"
    return f"CBS StatLine {table}, gewijzigd {datetime.fromisoformat(modified):%d-%m-%Y}"


def _matches(stored: pd.Series, wanted: dict[str, str]) -> pd.Series:
    """Which stored 'name=value;...' strings name exactly the wanted dimensions (order does not matter)."""
    target = {f"{name}={value}" for name, value in wanted.items()}
    return pd.Series([set(filter(None, str(text).split(";"))) == target for text in stored], index=stored.index,
                     dtype=bool)


def _cells(found: pd.DataFrame, ind: Indicator, column: str, dimensions: dict[str, str]) -> pd.DataFrame:
    """The cells of one column (CBS's key, or its title with its groups) with these dimensions (key or title)."""
    halves = ind.period == "half_year"  # a yearly indicator takes CBS's year figures, not its half years
    mine = found[(found["table"] == ind.source.cbs_table) & ((found["topic"] == column)
                                                             | (found["topic_title"] == column))
                 & (found["subperiod"].notna() == halves)]
    mine = mine[_matches(mine["dimensions"], dimensions) | _matches(mine["dimension_titles"], dimensions)]
    return mine.assign(subperiod=mine["subperiod"].astype(object).where(mine["subperiod"].notna(), None),
                       source=[source_text(t, m, s) for t, m, s in
                               zip(mine["table"], mine["gewijzigd"], mine["synthetisch"])])


def _figures(found: pd.DataFrame, ind: Indicator) -> pd.DataFrame:
    """One row per published region, period (and category): value, numerator, denominator, status, geheim,
    source, note."""
    src = ind.source
    categories = src.cbs_categories.values.items() if src.cbs_categories else [(None, None)]
    parts = []
    for category, title in categories:
        dims = {**src.cbs_dimensions, **({src.cbs_categories.dimension: title} if category else {})}
        parts.append(_share(found, ind, dims).assign(category=category))
    return pd.concat(parts, ignore_index=True)


def _share(found: pd.DataFrame, ind: Indicator, dimensions: dict[str, str]) -> pd.DataFrame:
    keep = [*_CELL, "value", "status", "geheim", "source", "note"]
    top = _cells(found, ind, ind.source.cbs_column, dimensions)[keep]
    below = ind.source.cbs_denominator
    if below is None:
        counted = ind.unit == "count"
        return top.assign(numerator=top["value"] if counted else np.nan, denominator=np.nan)
    bottom = _cells(found, ind, below.column or ind.source.cbs_column, below.dimensions)[[*_CELL, "value", "geheim"]]
    both = top.merge(bottom, on=_CELL, suffixes=("", "_den"))
    geheim = both["geheim"] | both["geheim_den"] | ~(both["value_den"] > 0)
    return both.assign(numerator=both["value"].where(~geheim), denominator=both["value_den"].where(~geheim),
                       value=(ind.scale * both["value"] / both["value_den"]).where(~geheim),
                       geheim=geheim)[[*keep, "numerator", "denominator"]]


def _keys(frame: pd.DataFrame) -> pd.Series:
    """'JZ01|2023|H1|huisarts' per row: region, period, half year and category (empty when none)."""
    sub = frame["subperiod"].astype(object).where(frame["subperiod"].notna(), "")
    cat = frame["category"].astype(object).where(frame["category"].notna(), "")
    return (frame["region_code"].astype(str) + "|" + frame["period"].astype(str) + "|" + sub.astype(str)
            + "|" + cat.astype(str))


def _derived(figures: pd.DataFrame, missing: list[Region], names: dict[str, str]) -> pd.DataFrame:
    """Regions CBS does not publish, as sums of their gemeenten's numerators (and denominators)."""
    index = load_regions()
    members = pd.DataFrame([(r.code, m) for r in missing for m in index.members(r.code)],
                           columns=["region_code", "gemeente_code"])
    cells = figures.rename(columns={"region_code": "gemeente_code"}).merge(members, on="gemeente_code")
    if cells.empty:
        return figures.iloc[0:0]
    size = members.groupby("region_code").size()
    keys = ["region_code", "period", "subperiod", "category"]
    grouped = cells.groupby(keys, dropna=False)
    out = grouped.agg(numerator=("numerator", "sum"), denominator=("denominator", lambda d: d.sum(min_count=1)),
                      n=("gemeente_code", "size"), secret=("geheim", "sum"), status=("status", "first"),
                      source=("source", "first")).reset_index()
    secret_names = grouped.apply(lambda g: ", ".join(sorted(names[c] for c in g.loc[g["geheim"], "gemeente_code"])),
                                 include_groups=False).rename("secret_names").reset_index()
    out = out.merge(secret_names, on=keys)
    out = out[out["n"] == out["region_code"].map(size)]  # every member gemeente is in the table
    withheld = out["secret"] > 0
    out["numerator"] = out["numerator"].where(~withheld)
    out["denominator"] = out["denominator"].where(~withheld)
    out["geheim"] = withheld
    out["source"] = "afgeleid uit " + out["source"]
    out["note"] = [SECRET_NOTE.format(names=s) if w else ONE_NOTE if n == 1 else SUM_NOTE.format(n=n)
                   for w, s, n in zip(withheld, out["secret_names"], out["n"])]
    return out.drop(columns=["n", "secret", "secret_names"])


def values(selected: list[Indicator], wanted: dict[str, Region], years: list[int], store: Store) -> pd.DataFrame:
    """The cells of the mapped indicators for the wanted regions (code -> region) and years; regions CBS
    does not publish are derived from gemeente counts where the indicator is a count or a share of two."""
    mapped = [i for i in selected if i.source.cbs_column]
    if CELLS_TABLE not in store.tables or not mapped:
        return pd.DataFrame(columns=COLUMNS + EXTRA)
    tables = sorted({i.source.cbs_table for i in mapped})
    found = pd.read_parquet(store.path / f"{CELLS_TABLE}.parquet", filters=[("table", "in", tables)])
    found = found[found["period"].isin(years)]
    names = {r.code: r.name for r in load_regions().all("gemeente")}
    parts = []
    for ind in mapped:
        figures = _figures(found, ind)
        direct = figures[figures["region_code"].isin(list(wanted))]
        above = [r for r in wanted.values() if r.level != "gemeente"]
        summable = ind.unit == "count" or bool(ind.source.cbs_denominator)
        derived = _derived(figures, above, names) if summable and above else figures.iloc[0:0]
        derived = derived[~_keys(derived).isin(set(_keys(direct)))]  # CBS's own figure comes first
        if not derived.empty:
            scale = ind.scale if ind.source.cbs_denominator else 1
            derived = derived.assign(value=derived["numerator"] / derived["denominator"] * scale
                                     if ind.source.cbs_denominator else derived["numerator"])
        rows = pd.concat([direct, derived], ignore_index=True)
        parts.append(rows.assign(indicator=ind.id, unit=ind.unit, ci_low=np.nan, ci_high=np.nan))
    table = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=COLUMNS + EXTRA)
    table["period"] = table["period"].astype(int)
    table["geheim"] = table["geheim"].astype(bool)
    table = with_intervals(table)
    table["region_name"] = table["region_code"].map({c: r.name for c, r in wanted.items()})
    table["level"] = table["region_code"].map({c: r.level for c, r in wanted.items()})
    order = {i.id: n for n, i in enumerate(mapped)}
    table = table.sort_values(["indicator", "level", "region_code", "period", "subperiod", "category"],
                              key=lambda s: s.map(order) if s.name == "indicator" else s, na_position="first")
    return table[COLUMNS + EXTRA].reset_index(drop=True)
