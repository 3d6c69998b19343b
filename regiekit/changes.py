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
