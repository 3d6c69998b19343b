"""Completing the counted rows into the engine's table: a row for every indicator, region and period
(and category), zero where nothing counted, with values, units and 95% intervals."""

from __future__ import annotations

import pandas as pd

from regiekit.engine import intervals
from regiekit.engine.sql import windows
from regiekit.indicators.definitions import Indicator

COLUMNS = ["indicator", "region_code", "region_name", "level", "period", "subperiod", "category",
           "numerator", "denominator", "value", "unit", "ci_low", "ci_high"]


def _statistic_interval(ind: Indicator, values: pd.Series, spreads: pd.Series, counts: pd.Series):
    """Interval of a mean (from its standard deviation) or a median (from the sorted values)."""
    if ind.statistic.function == "mean":
        pairs = [intervals.mean_interval(v, s, n) for v, s, n in zip(values, spreads, counts)]
    else:
        pairs = [intervals.median_interval([] if s is None or s is pd.NA else sorted(s)) for s in spreads]
    return [p[0] for p in pairs], [p[1] for p in pairs]


def _with_statistic_intervals(counted: pd.DataFrame, defs: dict[str, Indicator]) -> pd.DataFrame:
    """``ci_low`` and ``ci_high`` of the means and medians, from the ``spread`` the plan computed."""
    counted = counted.assign(ci_low=pd.NA, ci_high=pd.NA)
    for ind in defs.values():
        rows = counted[counted["indicator"] == ind.id]
        if ind.statistic is not None and not rows.empty:
            low, high = _statistic_interval(ind, rows["statistic"], rows["spread"], rows["numerator"])
            counted.loc[rows.index, "ci_low"], counted.loc[rows.index, "ci_high"] = low, high
    return counted.drop(columns="spread", errors="ignore")


def _complete_categories(rows: pd.DataFrame, selected: list[Indicator], wanted: dict, years: list[int]) -> pd.DataFrame:
    """Every category of a breakdown for every region and period, zero where nothing counted: a missing
    row would be read as zero anyway, and disclosure control needs the whole table."""
    keys = ["indicator", "region_code", "period", "subperiod", "category"]
    parts = []
    for ind in selected:
        mine = rows[rows["indicator"] == ind.id]
        categories = sorted(mine["category"].dropna().unique())
        if ind.by is None or not categories:
            continue
        grid = pd.DataFrame([(ind.id, code, year, sub, cat) for code in wanted for _, year, sub, _, _ in
                             windows(ind.period, years) for cat in categories], columns=keys)
        full = grid.merge(mine, on=keys, how="left")
        full["numerator"] = full["numerator"].fillna(0)
        if "denominator" in full:
            known = full.groupby(["region_code", "period", "subperiod"], dropna=False)["denominator"].transform("max")
            full["denominator"] = full["denominator"].fillna(known)
            if ind.denominator is not None and ind.denominator.count != "bevolking":
                full["denominator"] = full["denominator"].fillna(0)  # no units at all in that region and period
        parts.append(full)
    return pd.concat(parts, ignore_index=True) if parts else rows


def complete(counted: pd.DataFrame, population: pd.DataFrame, selected: list[Indicator],
             wanted: dict, years: list[int]) -> pd.DataFrame:
    """One row per indicator, region and period (per category for breakdowns), zero where nothing counted."""
    defs = {i.id: i for i in selected}
    keys = ["indicator", "region_code", "period"]
    grid = [(i.id, code, year, sub) for i in selected if i.by is None for code in wanted
            for _, year, sub, _, _ in windows(i.period, years)]
    frame = pd.DataFrame(grid, columns=[*keys, "subperiod"])
    if not counted.empty:
        counted = _with_statistic_intervals(counted, defs)
        counted["subperiod"] = counted["subperiod"].astype(object)
        frame = frame.merge(counted[counted["category"].isna()], on=[*keys, "subperiod"], how="left")
        frame = pd.concat([frame, _complete_categories(counted[counted["category"].notna()], selected, wanted, years)],
                          ignore_index=True)
    for column in ("category", "numerator", "denominator", "statistic", "ci_low", "ci_high"):
        if column not in frame:
            frame[column] = pd.NA
    if not population.empty:
        frame["category"] = frame["category"].fillna("")
        frame = frame.merge(population, on=[*keys, "category"], how="left")
        frame["category"] = frame["category"].replace("", None)
        frame["denominator"] = frame["denominator"].astype("Float64").fillna(frame["population"].astype("Float64"))
    frame["numerator"] = frame["numerator"].fillna(0).astype("int64")
    frame["denominator"] = frame["denominator"].astype("Float64").round().astype("Int64")
    def per_indicator(value) -> pd.Series:  # a dict lookup per row, not a Python call per row
        return frame["indicator"].map({i: value(d) for i, d in defs.items()})

    is_stat = per_indicator(lambda d: d.statistic is not None).astype(bool)
    has_den = per_indicator(lambda d: d.denominator is not None).astype(bool) | is_stat
    frame.loc[~has_den, "denominator"] = pd.NA
    scale = per_indicator(lambda d: d.scale).astype(float)
    den = frame["denominator"].astype("Float64")
    frame["value"] = (frame["numerator"] / den.where(den > 0) * scale).where(
        has_den, frame["numerator"].astype("Float64"))
    frame.loc[is_stat, "value"] = pd.to_numeric(frame.loc[is_stat, "statistic"], errors="coerce")
    frame["unit"] = per_indicator(lambda d: d.unit)
    frame = intervals.with_intervals(frame)
    frame["region_name"] = frame["region_code"].map({c: r.name for c, r in wanted.items()})
    frame["level"] = frame["region_code"].map({c: r.level for c, r in wanted.items()})
    order = {i.id: n for n, i in enumerate(selected)}
    frame = frame.sort_values(["indicator", "level", "region_code", "period", "subperiod", "category"],
                              key=lambda s: s.map(order) if s.name == "indicator" else s, na_position="first")
    return frame[COLUMNS].reset_index(drop=True)
