"""Gemeentelijke herindelingen: old gemeente codes mapped to a later classification year.

``regiekit/reference/herindelingen.csv`` lists the mergers since 2016 (effective 1 January of
``jaar``): every old code goes wholly into one new gemeente. Gemeenten that were split over several
successors (e.g. Littenseradiel in 2018, Haaren in 2021) are not in the list: their figures cannot
be assigned without a distribution key, and :func:`recode` reports them as unmapped.
"""

from __future__ import annotations

import csv
from functools import lru_cache
from importlib import resources

from regiekit.reference.regions import RegionError, load_regions


@lru_cache(maxsize=1)
def _mergers() -> list[dict[str, str]]:
    text = resources.files("regiekit.reference").joinpath("herindelingen.csv").read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


def mapping(to_year: int = 2024) -> dict[str, str]:
    """Old code -> its gemeente in the classification of ``to_year`` (chains followed)."""
    direct = {row["oude_code"]: row["nieuwe_code"] for row in _mergers() if int(row["jaar"]) <= to_year}
    resolved = {}
    for old in direct:
        code = old
        while code in direct:
            code = direct[code]
        resolved[old] = code
    return resolved


def recode(codes, to_year: int = 2024) -> tuple[list[str | None], list[str]]:
    """Gemeente codes expressed in the ``to_year`` classification, and the codes that could not be
    mapped (unknown, or split gemeenten). Codes of other levels (JZ, PV, NL) pass unchanged."""
    if to_year != load_regions().year:
        raise RegionError(f"alleen de regio-indeling van {load_regions().year} zit in het pakket")
    known = {r.code for r in load_regions().all()}
    merged = mapping(to_year)
    out, unmapped = [], []
    for code in codes:
        new = code if code in known else merged.get(code)
        out.append(new)
        if new is None:
            unmapped.append(code)
    return out, sorted(set(unmapped))
