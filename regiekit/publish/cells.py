"""The counts behind every published number, and every relation between them that a reader can use.

A published number is a count of units or a share of two counts. Each count is a *cell*: which units
(the count's kind, event and filters, its period type and sex), which age band, which category of a
breakdown, which region and which period. Cells come from the catalogue, not from lists kept by hand:

- indicators whose numerators count the same units share their cells, so the number and the percentage
  of youths with jeugdbescherming are one cell, and so are ``verlengde_jeugdhulp_verblijf_aantal`` and the
  18-23 band of ``jeugdhulp_verblijf_aantal_leeftijd``;
- a share's denominator is the cell of the count it divides by (the public population is no cell);
- a breakdown by ``leeftijdsklasse`` gives the cells of each age band.

Relations (a reader knows them all): a jeugdregio, provincie, size class and Nederland is the sum of its
gemeenten, each level partitions Nederland; the categories of an exclusive breakdown add up to the total and
a category of a multi-valued one is at most the total; age bands add up to the bands they make up (0-18 is
0-4, 4-12 and 12-18; 0-23 is 0-18 and 18-23). :mod:`regiekit.publish.suppression` protects and audits
the cells with these relations; :mod:`regiekit.publish.disclosure` applies the decisions to every row.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import combinations

import numpy as np
import pandas as pd

from regiekit import engine
from regiekit.data import vocabulary
from regiekit.indicators.definitions import Count, Indicator, load_catalogue
from regiekit.publish.rules import DisclosureError
from regiekit.reference.regions import NEDERLAND, load_regions

PLACE = ["count", "band", "category", "period", "subperiod"]  # a cell without its region
KEY = [*PLACE, "region_code"]
LEVELS_OF_NEDERLAND = ("jeugdregio", "provincie", "grootteklasse")  # each level partitions Nederland


@dataclass
class Relation:
    """``sum(coef * cell) == 0`` (or ``<= 0`` when not ``equal``) over the cells ``members``."""

    members: np.ndarray
    coefs: np.ndarray
    equal: bool = True


@dataclass
class Cells:
    """The cells of an engine table: ``atoms`` (one row per cell with its key, ``value``, ``public`` for the
    population and ``missing`` for a category 'onbekend'), per table row the cell of its ``numerator`` and
    ``denominator`` (-1: none, or the public population), the ``relations`` between cells and, per share of
    units of the same kind, the cells whose difference is the units the share leaves out (``complements``:
    total, part and the part's 'onbekend' cell or -1)."""

    atoms: pd.DataFrame
    numerator: np.ndarray
    denominator: np.ndarray
    relations: list[Relation]
    complements: list[tuple[int, int, int]]


def count_key(count: Count, ind: Indicator) -> str:
    """What a cell counts, apart from its age band, category, region and period."""
    return json.dumps([count.model_dump(mode="json"), ind.period, ind.population.geslacht], sort_keys=True)


def same_units(ind: Indicator) -> bool:
    """A share of units of the same kind (its complement counts units too)."""
    return ind.denominator is not None and ind.denominator.count == ind.numerator.count


def build(frame: pd.DataFrame, missing_exact: bool = False) -> Cells:
    """The cells of an engine table and the relations between them. Raises :class:`DisclosureError` when
    two indicators that count the same cell disagree (the catalogue's definitions and the engine differ)."""
    catalogue = load_catalogue()
    defs = {i: catalogue[i] for i in frame["indicator"].unique()}
    counted = frame["indicator"].map(lambda i: defs[i].statistic is None).to_numpy(dtype=bool)
    by = frame["indicator"].map(lambda i: defs[i].by)
    category = frame["category"].where(frame["category"].notna(), None)
    per_band = by.eq("leeftijdsklasse")
    band = frame["indicator"].map(lambda i: defs[i].population.age_band).where(~per_band, category)
    label = [f"{b}={c}" if isinstance(b, str) and b != "leeftijdsklasse" else "" for b, c in zip(by, category)]
    place = pd.DataFrame({"band": band.astype(str), "category": label, "period": frame["period"].astype(str),
                          "subperiod": frame["subperiod"].fillna("").astype(str),
                          "region_code": frame["region_code"].astype(str)})
    numerators = place.assign(count=frame["indicator"].map(lambda i: count_key(defs[i].numerator, defs[i])),
                              value=pd.to_numeric(frame["numerator"], errors="coerce").astype(float))
    den_key = frame["indicator"].map(lambda i: count_key(defs[i].denominator, defs[i])
                                     if defs[i].denominator is not None and defs[i].denominator.count != "bevolking"
                                     else None)
    denominators = place.assign(count=den_key, category="",
                                band=frame["indicator"].map(lambda i: defs[i].population.age_band),
                                value=pd.to_numeric(frame["denominator"], errors="coerce").astype(float))
    # a count the engine could not make (no data for that region and year) is no cell: nothing is published
    has_den = den_key.notna().to_numpy() & counted & denominators["value"].notna().to_numpy()
    counted = counted & numerators["value"].notna().to_numpy()
    both = pd.concat([numerators[counted], denominators[has_den]], ignore_index=True)
    atoms = both.groupby(KEY, sort=False).agg(value=("value", "first"), low=("value", "min"),
                                              high=("value", "max")).reset_index()
    atoms = atoms.reindex(columns=[*KEY, "value", "low", "high"])  # the columns also without any cell
    clash = atoms[atoms["low"] != atoms["high"]]
    if not clash.empty:
        first = clash.iloc[0]
        raise DisclosureError(f"twee indicatoren tellen dezelfde cel verschillend ({first['region_code']} "
                              f"{first['period']} {first['band']} {first['category']}: {first['low']:g} en "
                              f"{first['high']:g}); de definities in de catalogus spreken elkaar tegen")
    atoms = atoms.drop(columns=["low", "high"])
    atoms["public"] = atoms["count"].map(lambda k: json.loads(k)[0]["count"] == "bevolking")
    atoms["missing"] = atoms["category"].str.endswith(f"={engine.UNKNOWN}")
    position = pd.Series(np.arange(len(atoms)), index=pd.MultiIndex.from_frame(atoms[KEY]))
    numerator = np.full(len(frame), -1)
    numerator[counted] = position.reindex(pd.MultiIndex.from_frame(numerators.loc[counted, KEY])).to_numpy()
    denominator = np.full(len(frame), -1)
    denominator[has_den] = position.reindex(pd.MultiIndex.from_frame(denominators.loc[has_den, KEY])).to_numpy()
    exclusive = {(count_key(d.numerator, d), d.by): engine.exclusive_breakdown(d) for d in defs.values() if d.by}
    by_band = counted & per_band.to_numpy()
    wholes = numerators.loc[by_band, KEY].assign(band=frame.loc[by_band, "indicator"].map(
        lambda i: defs[i].population.age_band), category="")
    whole = position.reindex(pd.MultiIndex.from_frame(wholes[KEY])).to_numpy()
    relations = _regions(atoms) + _breakdowns(atoms, exclusive) + _bands(atoms, zip(whole, numerator[by_band]))
    shares = np.flatnonzero(has_den & frame["indicator"].map(lambda i: same_units(defs[i])).to_numpy(dtype=bool))
    missing = atoms["missing"].to_numpy()
    unknown = _missing_of(atoms, position) if missing_exact else np.full(len(atoms), -1)
    complements = {(int(denominator[r]), int(numerator[r]), int(unknown[numerator[r]]))
                   for r in shares if not missing[numerator[r]]}
    subsets = _subsets(atoms)
    relations += _relations(((whole, [part]) for whole, part in subsets), equal=False) + _covers(atoms, exclusive)
    # two counts of which one counts some of the other's units: their difference counts units too
    done = {(total, part) for total, part, _ in complements}
    complements = sorted(complements | {(whole, part, -1) for whole, part in subsets if (whole, part) not in done})
    return Cells(atoms, numerator, denominator, relations, complements)


@cache
def within(part: str, whole: str) -> bool:
    """Whether the count ``part`` (a :func:`count_key`) counts some of the units of ``whole``: the same units,
    event, period type and sex, and filters at least as strict (jeugdhulp met verblijf of jeugdhulp)."""
    (mine, period, sex), (theirs, whole_period, whole_sex) = json.loads(part), json.loads(whole)
    if (period, sex) != (whole_period, whole_sex) or mine["event"] not in ("in_zorg", "gestart", "beeindigd") \
            or any(mine[k] != theirs[k] for k in ("count", "event", "also", "parameters")):
        return False
    for name, allowed in theirs["where"].items():
        own = mine["where"].get(name)
        if own is None or (own != allowed if isinstance(allowed, dict) or isinstance(own, dict)
                           else not set(own) <= set(allowed)):
            return False
    return True


def _subsets(atoms: pd.DataFrame) -> list[tuple[int, int]]:
    """(whole, part): cells of the same band, category, region and period where the part counts some of the
    whole's units (:func:`within`); a reader knows the part is at most the whole."""
    counts = atoms.loc[~atoms["public"], "count"].unique()
    pairs = pd.DataFrame([(w, p) for w in counts for p in counts if w != p and within(p, w)],
                         columns=["count", "part_count"])
    if pairs.empty:
        return []
    place = ["band", "category", "period", "subperiod", "region_code"]
    cells = atoms.loc[~atoms["public"], ["count", *place]].assign(cell=np.flatnonzero(~atoms["public"]))
    wholes = cells.merge(pairs, on="count")
    parts = cells.rename(columns={"count": "part_count", "cell": "part"})
    found = wholes.merge(parts, on=["part_count", *place])
    return list(zip(found["cell"].tolist(), found["part"].tolist()))


def _covers(atoms: pd.DataFrame, exclusive: dict) -> list[Relation]:
    """A count filtered to some values of a field against the categories of those values in a breakdown
    by that field of a count whose units it counts (advice followed in part or in full, among the cases with
    a follow-up, against the cases per answer): at most their sum, equal to it where the two counts differ
    only in that field's filter and the breakdown is exclusive (``exclusive``: see :func:`build`)."""
    shown = atoms[~atoms["public"]]
    broken = shown.loc[shown["category"] != "", ["count", "category"]].drop_duplicates()
    fields = broken.assign(field=broken["category"].str.split("=", n=1).str[0]).groupby("count")["field"].agg(set)
    pairs = []  # (count, breakdown count, its categories of the filter's values, equal)
    for key in shown["count"].unique():
        (count, period, sex) = json.loads(key)
        for name, values in count["where"].items():
            if not isinstance(values, list):
                continue  # a range: no category of a breakdown holds it
            rest = json.dumps([{**count, "where": {k: v for k, v in count["where"].items() if k != name}}, period, sex],
                              sort_keys=True)
            for other, known in fields.items():
                if name in known and (other == rest or within(rest, other)):
                    pairs.append((key, other, tuple(f"{name}={v}" for v in values),
                                  other == rest and exclusive.get((other, name), False)))
    found = []
    place = ["band", "period", "subperiod", "region_code"]
    for key, other, categories, equal in pairs:
        wholes = shown[(shown["count"] == key) & (shown["category"] == "")]
        parts = shown[(shown["count"] == other) & shown["category"].isin(categories)]
        members = parts.assign(cell=parts.index).groupby(place)["cell"].agg(list)
        for cell, at in zip(wholes.index, pd.MultiIndex.from_frame(wholes[place])):
            mine = members.get(at)
            if mine is not None and len(mine) == len(categories):
                found.append(Relation(np.array([cell, *mine], dtype=np.int64), np.array([1.0] + [-1.0] * len(mine)),
                                      equal))
    return found


def _missing_of(atoms: pd.DataFrame, position: pd.Series) -> np.ndarray:
    """Per cell the 'onbekend' cell of the breakdown it belongs to (-1: none)."""
    field = atoms["category"].str.split("=", n=1).str[0]
    keys = atoms[KEY].assign(category=(field + f"={engine.UNKNOWN}").where(atoms["category"] != "", ""))
    found = position.reindex(pd.MultiIndex.from_frame(keys[KEY])).fillna(-1).to_numpy().astype(int)
    return np.where((atoms["category"] != "").to_numpy(), found, -1)


def _relations(groups, equal: bool = True) -> list[Relation]:
    """One relation per group of (whole, parts): whole minus the sum of the parts is 0 (or, for a part
    that is at most the whole, part minus whole is at most 0)."""
    found = []
    for whole, parts in groups:
        members = np.array([whole, *parts], dtype=np.int64)
        coefs = np.array([1.0] + [-1.0] * len(parts)) if equal else np.array([-1.0, 1.0])
        found.append(Relation(members, coefs, equal))
    return found


@lru_cache(maxsize=1)
def _region_links() -> pd.DataFrame:
    """(whole, part, kind, parts): every region made up of gemeenten, and Nederland made up of each level."""
    index = load_regions()
    rows = [(r.code, g, "gemeenten") for r in index.all() if r.level != "gemeente" for g in index.members(r.code)]
    rows += [(NEDERLAND, r.code, "jeugdregio") for r in index.all("jeugdregio")]
    links = pd.DataFrame(rows, columns=["whole", "part", "kind"])
    return links.assign(parts=links.groupby(["whole", "kind"])["part"].transform("size"))


def _regions(atoms: pd.DataFrame) -> list[Relation]:
    """Regions as sums of their gemeenten and levels as partitions of Nederland, where every part is a cell
    (a gemeente not in the table carries no published information)."""
    cells = atoms.loc[~atoms["public"], KEY].assign(cell=np.flatnonzero(~atoms["public"]))
    parts = cells.merge(_region_links(), left_on="region_code", right_on="part")
    wholes = cells.rename(columns={"region_code": "whole", "cell": "whole_cell"})
    parts = parts.merge(wholes, on=[*PLACE, "whole"])
    complete = parts.groupby([*PLACE, "whole", "kind"], sort=False)["cell"].transform("size") == parts["parts"]
    parts = parts[complete]
    # Nederland as the sum of its jeugdregio's, or of its gemeenten where a jeugdregio is missing: the other
    # partitions of Nederland follow from these and the regions' own sums (no information is lost)
    preferred = parts.groupby("whole_cell")["kind"].transform("max")  # 'jeugdregio' before 'gemeenten'
    parts = parts[(parts["whole"] != NEDERLAND) | (parts["kind"] == preferred)]
    return _relations((whole[0], cells) for whole, cells in _split(parts, ["whole_cell", "kind"], "whole_cell", "cell"))


def _split(frame: pd.DataFrame, by: list[str], *columns: str):
    """Per group of rows with the same ``by``: the ``columns`` as arrays (a fast ``groupby`` loop; rows with a
    missing key are left out, as ``groupby`` does)."""
    codes = frame.groupby(by, sort=False).ngroup().to_numpy(dtype=float)
    keep = codes >= 0  # a missing key: no group (NaN, or -1 in older pandas)
    if not keep.any():
        return
    order = np.argsort(codes[keep], kind="stable")
    starts = np.flatnonzero(np.diff(codes[keep][order])) + 1
    yield from zip(*(np.split(frame[c].to_numpy()[keep][order], starts) for c in columns))


def _breakdowns(atoms: pd.DataFrame, exclusive: dict) -> list[Relation]:
    """Categories against their total: equal to it together for an exclusive breakdown, each at most the
    total for a multi-valued one."""
    place = ["count", "band", "period", "subperiod", "region_code"]
    shown = atoms[~atoms["public"]]
    parts = shown[shown["category"] != ""].assign(cell=lambda t: t.index.to_numpy(),
                                                  field=lambda t: t["category"].str.split("=", n=1).str[0])
    totals = shown[shown["category"] == ""][place].assign(total=lambda t: t.index.to_numpy())
    parts = parts.merge(totals, on=place)
    if parts.empty:
        return []
    is_exclusive = [exclusive.get((k, f), False) for k, f in zip(parts["count"], parts["field"])]
    whole = parts[is_exclusive].groupby(["total", "field"], sort=False)["cell"]
    found = _relations((t, g.to_numpy()) for (t, _), g in whole)
    at_most = parts[~np.array(is_exclusive, dtype=bool)]
    return found + _relations(zip(at_most["total"], ([c] for c in at_most["cell"])), equal=False)


@lru_cache(maxsize=64)
def _splits(bands: tuple[str, ...]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Every way the present ``bands`` make up another present band, e.g. ('0-18', ('0-4', '4-12', '12-18'))."""
    parts_of = {b: set(vocabulary.population_bands(b)) for b in bands}
    found = []
    for whole in bands:
        others = [b for b in bands if b != whole and parts_of[b] < parts_of[whole]]
        for size in range(2, len(others) + 1):
            for combo in combinations(others, size):
                covered = [p for b in combo for p in parts_of[b]]
                if len(covered) == len(set(covered)) and set(covered) == parts_of[whole]:
                    found.append((whole, combo))
    return tuple(found)


def _bands(atoms: pd.DataFrame, breakdowns) -> list[Relation]:
    """Age bands that add up to another band of the same count, category, region and period; and the
    bands of a breakdown by age (``breakdowns``: pairs of the total's cell and a band's cell) add up to its
    total, also where a band is missing: the engine gives every band that occurs anywhere in the data, so
    one that does not occur is 0, as a reader of a table without it assumes."""
    place = ["count", "category", "period", "subperiod", "region_code"]
    shown = atoms[~atoms["public"]]
    found = set()
    for bands, cells in _split(shown.assign(cell=shown.index), place, "band", "cell"):
        if len(bands) < 3:
            continue
        cell = dict(zip(bands, cells.tolist()))
        for whole, parts in _splits(tuple(sorted(cell))):
            found.add((cell[whole], tuple(sorted(cell[p] for p in parts))))
    parts_of: dict[int, set[int]] = {}
    for whole, part in breakdowns:
        if whole == whole:  # the total is a cell (NaN: the table does not hold it)
            parts_of.setdefault(int(whole), set()).add(int(part))
    found |= {(whole, tuple(sorted(parts))) for whole, parts in parts_of.items() if whole not in parts}
    return _relations(sorted(found))
