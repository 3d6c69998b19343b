"""Changes between two periods, named as a report names them."""

from __future__ import annotations


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


def year_over_year(frame):
    """Add the previous year's value and the change to an engine table: ``previous``, ``growth_pct``
    (relative change, for counts and means) and ``difference_pp`` (for percentages)."""
    keys = ["indicator", "region_code", "subperiod", "category"]
    earlier = frame[keys + ["period", "value"]].assign(period=frame["period"] + 1).rename(columns={"value": "previous"})
    out = frame.merge(earlier, on=keys + ["period"], how="left")
    is_pct = out["unit"].isin(["percent", "per_1000"])
    old, new = out["previous"].astype("Float64"), out["value"].astype("Float64")
    out["growth_pct"] = ((new / old.where(old != 0) - 1) * 100).where(~is_pct)
    out["difference_pp"] = (new - old).where(is_pct)
    return out
