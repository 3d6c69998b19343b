"""Region reference for the CBS 2024 classification: gemeenten, jeugdregio's, provincies, Nederland,
and the size classes of gemeenten (``grootteklasse``: CBS's classes by number of inhabitants on
1 January 2024, from ``inwoners_2024.csv``), so a gemeente can be compared with gemeenten of its size.

Membership is modelled as a many-to-many relation from gemeente to higher levels: a jeugdregio is
not nested in one provincie (JZ12, JZ21 and JZ32 cross a provincial border). Every level above the
gemeente is a sum of gemeenten, so every figure of it is computed from the gemeenten's counts.
"""

from __future__ import annotations

import csv
import difflib
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from regiekit.errors import RegiekitError

LEVELS = ("gemeente", "jeugdregio", "provincie", "land", "grootteklasse")
# CBS's classes of gemeenten by inhabitants: (code, lowest, highest + 1, name)
SIZE_CLASSES = (("GK01", 0, 20_000, "gemeenten met minder dan 20.000 inwoners"),
                ("GK02", 20_000, 50_000, "gemeenten met 20.000 tot 50.000 inwoners"),
                ("GK03", 50_000, 100_000, "gemeenten met 50.000 tot 100.000 inwoners"),
                ("GK04", 100_000, 150_000, "gemeenten met 100.000 tot 150.000 inwoners"),
                ("GK05", 150_000, 10**9, "gemeenten met 150.000 inwoners of meer"))
NEDERLAND = "NL01"
CLASSIFICATION_YEAR = 2024

# Names people use that differ from the CBS spelling.
_ALIASES = {
    "den haag": "GM0518",
    "den bosch": "GM0796",
    "friesland": "PV21",
}


class RegionError(RegiekitError):
    """An unknown or ambiguous region."""


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    level: str

    @property
    def label(self) -> str:
        """Dutch label for a reader, e.g. 'gemeente Assen'."""
        return self.name if self.level in ("land", "grootteklasse") else f"{self.level} {self.name}"


def size_class_for_title(title: str) -> str | None:
    """The size class a StatLine region title names ('Minder dan 20 000 inwoners', '20 000 tot 50 000
    inwoners', '150 000 inwoners of meer'), or None for any other title."""
    text = re.sub(r"(?<=\d)[ .](?=\d{3})", "", title.strip().casefold())
    bounds = {f"minder dan {hi} inwoners" if lo == 0 else
              f"{lo} inwoners of meer" if hi == 10**9 else f"{lo} tot {hi} inwoners": code
              for code, lo, hi, _ in SIZE_CLASSES}
    return bounds.get(text)


def normalise(text: str) -> str:
    """Case-, accent- and punctuation-insensitive form of a region name."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return " ".join(re.sub(r"[^0-9a-z]+", " ", plain).split())


class RegionIndex:
    """All regions of one classification year, with lookups and membership."""

    def __init__(self, rows: list[dict[str, str]], inhabitants: dict[str, int], year: int = CLASSIFICATION_YEAR):
        self.year = year
        self.inhabitants = inhabitants
        self._regions: dict[str, Region] = {NEDERLAND: Region(NEDERLAND, "Nederland", "land")}
        self._members: dict[str, list[str]] = {NEDERLAND: []}
        self._parents: dict[str, dict[str, str]] = {}
        for row in rows:
            gm = row["gemeente_code"]
            self._regions[gm] = Region(gm, row["gemeente_naam"], "gemeente")
            self._members[gm] = [gm]
            self._members[NEDERLAND].append(gm)
            self._parents[gm] = {"jeugdregio": row["jeugdregio_code"], "provincie": row["provincie_code"],
                                 "land": NEDERLAND}
            for level in ("jeugdregio", "provincie"):
                code = row[f"{level}_code"]
                self._regions.setdefault(code, Region(code, row[f"{level}_naam"], level))
                self._members.setdefault(code, []).append(gm)
            size = next(c for c, low, high, _ in SIZE_CLASSES if low <= inhabitants[gm] < high)
            self._parents[gm]["grootteklasse"] = size
            self._members.setdefault(size, []).append(gm)
        for code, _, _, name in SIZE_CLASSES:
            self._regions[code] = Region(code, name, "grootteklasse")
        # Exact names first; shortened names ("Hengelo" for "Hengelo (O.)") only when no exact match.
        self._by_name: dict[str, list[str]] = {}
        self._by_alias: dict[str, list[str]] = {}
        for region in self._regions.values():
            for key in {normalise(region.name), normalise(region.label)}:
                self._by_name.setdefault(key, []).append(region.code)
            for key in self._short_names(region):
                self._by_alias.setdefault(key, []).append(region.code)
        for alias, code in _ALIASES.items():
            self._by_alias.setdefault(alias, []).append(code)

    @staticmethod
    def _short_names(region: Region) -> set[str]:
        outside = normalise(re.sub(r"\(.*?\)", "", region.name))
        inside = {normalise(part) for part in re.findall(r"\((.*?)\)", region.name)}
        keys = {outside} | (inside if region.level != "gemeente" else set())
        return {k for k in keys if k} - {normalise(region.name)}

    def all(self, level: str | None = None) -> list[Region]:
        """Regions of one level (or all levels), ordered by level then code."""
        if level is not None and level not in LEVELS:
            raise RegionError(f"onbekend niveau {level!r}; kies uit {', '.join(LEVELS)}")
        return sorted((r for r in self._regions.values() if level in (None, r.level)),
                      key=lambda r: (LEVELS.index(r.level), r.code))

    def get(self, query: str, level: str | None = None) -> Region:
        """Find a region by CBS code or name. Ambiguous names resolve to the lowest level
        (gemeente Groningen before provincie Groningen) unless a level is given or the name
        is prefixed with it ("provincie Groningen")."""
        text = query.strip()
        if text.upper() in self._regions:
            region = self._regions[text.upper()]
            if level and region.level != level:
                raise RegionError(f"{region.code} is een {region.level}, geen {level}")
            return region
        key = normalise(text)
        codes = [c for c in self._by_name.get(key, []) if level in (None, self._regions[c].level)]
        codes = codes or [c for c in self._by_alias.get(key, []) if level in (None, self._regions[c].level)]
        if codes:
            codes.sort(key=lambda c: LEVELS.index(self._regions[c].level))
            same_level = [c for c in codes if self._regions[c].level == self._regions[codes[0]].level]
            if len(same_level) > 1:
                options = ", ".join(f"{self._regions[c].name} ({c})" for c in same_level)
                raise RegionError(f"de naam {query!r} past bij meer regio's: {options}")
            return self._regions[codes[0]]
        names = {**self._by_alias, **self._by_name}
        candidates = difflib.get_close_matches(key, list(names), n=5, cutoff=0.6)
        hint = sorted({f"{self._regions[c].label} ({c})" for k in candidates for c in names[k]})
        suffix = f"; bedoelt u: {', '.join(hint[:5])}?" if hint else ""
        where = f" {level}" if level else ""
        raise RegionError(f"onbekende regio{where} {query!r}{suffix}")

    def members(self, code: str) -> list[str]:
        """Gemeente codes that make up a region (a gemeente is its own single member)."""
        return list(self._members[self.get(code).code])

    def parent(self, gemeente_code: str, level: str) -> Region:
        """The jeugdregio, provincie, land or grootteklasse a gemeente belongs to."""
        return self._regions[self._parents[self.get(gemeente_code, "gemeente").code][level]]

    def membership(self):
        """Tidy table (region_code, level, gemeente_code) of every region's members."""
        import pandas as pd

        rows = [(code, self._regions[code].level, gm) for code, gms in self._members.items() for gm in gms]
        return pd.DataFrame(rows, columns=["region_code", "level", "gemeente_code"])


@lru_cache(maxsize=1)
def load_regions() -> RegionIndex:
    """The packaged 2024 region reference."""
    folder = resources.files("regiekit.reference")
    rows = list(csv.DictReader(folder.joinpath("gemeenten_2024.csv").read_text(encoding="utf-8").splitlines()))
    counts = csv.DictReader(folder.joinpath("inwoners_2024.csv").read_text(encoding="utf-8").splitlines())
    return RegionIndex(rows, {r["gemeente_code"]: int(r["inwoners"]) for r in counts})
