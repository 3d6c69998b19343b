"""Changes between two periods, named as a report names them."""

from __future__ import annotations

import pandas as pd

from regiekit import formatting


def growth_pct(old: float, new: float) -> float | None:
    """Relative change in percent ('groei'): 4.110 -> 3.360 is -18,2%. None when ``old`` is 0."""
    if old in (0, None) or new is None:
        return None
    return (new / old - 1) * 100


def difference_pp(old: float, new: float) -> float | None:
    """Absolute change of a percentage in percentage points: 10,4% -> 10,1% is -0,3 pp."""
    if old is None or new is None:
        return None
    return new - old


def shown(old: float | None, new: float | None, unit: str, decimals: int) -> str:
    """The change between two values as a report shows it, computed from the values as shown (each rounded
    to ``decimals``: 56% -> 65% is +9 procentpunt, whatever the unrounded shares): the difference for a
    share ('procentpunt', or per 1.000), the growth in percent for counts, means and durations; '–' when
    either value is missing or the growth is from 0."""
    if pd.isna(old) or pd.isna(new):
        return "–"
    old, new = round(float(old), decimals), round(float(new), decimals)
    if unit in ("percent", "per_1000"):
        difference = formatting.signed(difference_pp(old, new), decimals)
        return f"{difference} procentpunt" if unit == "percent" else f"{difference} per 1.000"
    growth = growth_pct(old, new)
    return "–" if growth is None else formatting.signed(growth) + "%"


def _compare(frame, earlier, column: str):
    keys = ["indicator", "region_code", "subperiod", "category"]
    out = frame.merge(earlier, on=keys + ["period"], how="left")
    is_pct = out["unit"].isin(["percent", "per_1000"])
    old, new = out["previous"].astype("Float64"), out[column].astype("Float64")
    out["growth_pct"] = ((new / old.where(old != 0) - 1) * 100).where(~is_pct)
    out["difference_pp"] = (new - old).where(is_pct)
    return out


def year_over_year(frame, column: str = "value"):
    """Add the previous year's value and the change to an engine table: ``previous``, ``growth_pct``
    (relative change, for counts and means) and ``difference_pp`` (for percentages). Use
    ``column="published"`` on a published table: a change next to a suppressed value stays empty."""
    keys = ["indicator", "region_code", "subperiod", "category"]
    earlier = frame[keys + ["period", column]].assign(period=frame["period"] + 1).rename(columns={column: "previous"})
    return _compare(frame, earlier, column)


def since(frame, base_year: int, column: str = "value"):
    """The change since ``base_year`` (e.g. 'groei 2016-2019'), named as :func:`year_over_year` names
    it; ``previous`` holds the base year's value."""
    keys = ["indicator", "region_code", "subperiod", "category"]
    base = frame[frame["period"] == base_year][keys + [column]].rename(columns={column: "previous"})
    earlier = frame[keys + ["period"]].merge(base, on=keys, how="inner")
    return _compare(frame, earlier.drop_duplicates(keys + ["period"]), column)
