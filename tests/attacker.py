"""An independent attacker on regiekit's disclosure control, for tests.

It knows what a reader of a whole run has: the published CSV files of the reports, the public population
per gemeente, year, sex and age band, the public region membership, the documented rules
(docs/onthullingscontrole.md) and the indicator catalogue as documentation of what each number counts. It
never looks at ``regiekit.publish``. Every published and suppressed number becomes a statement about integer
unknowns, one per distinct underlying count (a :class:`Cell`); for every cell that is suppressed wherever it
appears, an integer programme (HiGHS) finds the lowest and the highest value consistent with everything.

What a cell counts is derived from the catalogue: the kind of unit, its filters (``soort``, ``verblijf`` and
``zorgvorm`` reduced to one set of care forms, since the first two are functions of the third), the event, the
``also`` conditions, the period type, the sex, the age band and, for a breakdown, the category. Relations a
reader can use:

- regions: a jeugdregio, provincie, size class or Nederland is the sum of its gemeenten (gemeenten that appear
  nowhere are merged into one unknown per set of regions they belong to);
- age bands: '0-18' is '0-4' + '4-12' + '12-18', '0-23' all four, '12-23' the last two;
- filters: a count whose units all meet another count's conditions is at most that count (jeugdhulp met
  verblijf <= jeugdhulp, jeugdbescherming met verblijf <= jeugdbescherming); youths with any of a set of care
  forms are at most the sum over subsets that cover it (jeugdzorg <= jeugdhulp + jeugdbescherming +
  jeugdreclassering, verblijf <= the sum of the verblijfsvormen); trajectories have one care form each, so
  there a partition is an equality and disjoint subsets add up to at most the whole; the categories of an
  exclusive breakdown add up to at most the total;
- published numbers: a count rounded to 5 lies within 2 of it (one that is no multiple of 5 was not rounded)
  and is 0 or at least ``min_count``; a share lies within half its last decimal of the published value, on a
  public population or on another cell; its numerator and (for a cell) its complement are at least
  ``min_count`` unless zero, its base at least ``min_denominator``; the Wilson interval of a percentage
  (README), computed on the same unrounded numbers, narrows numerator and base further;
- a suppressed count is at least 1 (zeros are published), a '<N' is 1 to N-1;
- under the case regime (:data:`CASES`) counts are exact, and a count of missing answers ('onbekend') is
  published however small.

The programme falls apart into independent parts (a cell fixed by what is published links nothing); in each,
a few solves push all targets up or down at once, and a target that two points found so far set
``protection`` apart needs no solve of its own.
"""

from __future__ import annotations

import contextlib
import itertools
import math
import os
import re
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import highspy
import numpy as np
import pandas as pd

from regiekit.data import vocabulary
from regiekit.indicators.definitions import Count, Indicator, Range, load_catalogue
from regiekit.reference.regions import load_regions

Z = 1.959963984540054  # 95% Wilson interval
INF = highspy.kHighsInf
TRAJECTORY_KINDS = ("jongeren", "trajecten")
CARE_FIELDS = ("soort", "verblijf", "zorgvorm")
SOORT_OF = {z: s for s, forms in vocabulary.SOORT.items() for z in forms}
UNKNOWN = "onbekend"  # the category of missing answers (docs/onthullingscontrole.md)
POOL_ROUNDS = 64  # at most this many rounds of solves of all targets at once (each way) before each target's own
SUPPRESSED = re.compile(r"geheim|^x$|minder dan", re.IGNORECASE)


@dataclass(frozen=True)
class Rules:
    """The documented default rules (docs/onthullingscontrole.md) as a reader knows them."""

    min_count: int = 10
    min_denominator: int = 20
    round_to: int = 5
    protection: int = 10
    missing_exact: bool = False  # a count of missing answers ('onbekend') is exact, however small


CASES = Rules(min_count=3, min_denominator=10, round_to=1, protection=1, missing_exact=True)  # 'casusmonitor'


@dataclass(frozen=True)
class Cell:
    """One underlying count: ``what`` is (kind, flags, period type, sex, category outside the filters);
    ``region`` is a CBS code, or a frozenset of gemeenten merged into one unknown."""

    what: tuple
    band: str | None
    region: str | frozenset
    period: str


@dataclass
class Appearance:
    """One published or suppressed number about a cell (a count, or a share of ``den``)."""

    num: Cell
    den: Cell | float | None
    scale: int
    half: float  # half of the last published decimal, on the indicator's scale
    value: float | None  # None: suppressed
    small: int | None  # shown as 'minder dan small'
    ci: tuple[float, float] | None
    source: str
    exempt: bool = False  # a count of missing answers, published however small (``missing_exact``)


def _care_value(form: str, field_name: str) -> str:
    if field_name == "soort":
        return SOORT_OF[form]
    if field_name == "verblijf":
        return str(form in vocabulary.VERBLIJF)
    return form


def _filter(kind: str, conditions) -> frozenset:
    """A canonical filter: frozenset of (key, frozenset of values); ranges are opaque keys."""
    out: dict = {}
    for name, cond in conditions:
        if isinstance(cond, Range):
            key, values = (name, cond.gt, cond.ge, cond.lt, cond.le), frozenset({"*"})
        elif kind in TRAJECTORY_KINDS and name in CARE_FIELDS:
            wanted = {str(v) for v in cond}
            key, values = "zorgvorm", frozenset(z for z in vocabulary.ZORGVORM if _care_value(z, name) in wanted)
        else:
            key, values = name, frozenset(str(v) for v in cond)
        out[key] = out[key] & values if key in out else values
    return frozenset(out.items())


def _implies(a: frozenset, b: frozenset) -> bool:
    """Every unit meeting filter ``a`` meets filter ``b``."""
    da = dict(a)
    return all(key in da and da[key] <= values for key, values in b)


def _disjoint(a: frozenset, b: frozenset) -> bool:
    """No unit meets both filters (for units with one value per field)."""
    da = dict(a)
    return any(isinstance(key, str) and not key.startswith("_") and key not in vocabulary.MULTI_VALUED
               and key in da and not da[key] & values for key, values in b)


def _reduce(flags: set) -> frozenset:
    """Drop conditions implied by another one of the same unit."""
    return frozenset(f for f in flags if not any(g != f and _implies(g, f) for g in flags))


def _flags(kind: str, count: Count, extra: list) -> frozenset:
    """The conditions a unit must meet to be counted; for youths each is 'some trajectory meets it'."""
    event = [("_event", [count.event])] if count.event in ("gestart", "beeindigd") else []
    where = list(count.where.items())
    if kind != "jongeren":
        return frozenset({_filter(kind, where + event + extra)})
    flags = {_filter(kind, where + event)} | {_filter(kind, list(w.items())) for w in count.also}
    if extra:
        flags.add(_filter(kind, where + extra))
    if count.event in ("stapeling", "herhaald_beroep"):
        youth = repr((count.event, sorted(count.parameters.items()), sorted(_filter(kind, where), key=repr)))
        flags.add(frozenset({("_youth", frozenset({youth}))}))
    return _reduce(flags)


def _cell_implies(a: tuple, b: tuple) -> bool:
    """Every unit of cell type ``a`` is a unit of cell type ``b`` (same kind, period type, sex, category)."""
    if a[0] != b[0] or a[2:] != b[2:]:
        return False
    return all(any(_implies(fa, fb) for fa in a[1]) for fb in b[1])


def _only_care(a: frozenset, b: frozenset) -> bool:
    """The filters differ at most in their care forms."""
    return {k: v for k, v in a if k != "zorgvorm"} == {k: v for k, v in b if k != "zorgvorm"}


def _care(f: frozenset) -> frozenset:
    return dict(f).get("zorgvorm", frozenset(vocabulary.ZORGVORM))


def _bands(band: str) -> tuple[str, ...]:
    low, high = vocabulary.band_bounds(band)
    return tuple(b for b in vocabulary.AGE_BANDS if low <= vocabulary.band_bounds(b)[0]
                 and vocabulary.band_bounds(b)[1] <= high)


def _number(text) -> float | None:
    try:
        value = float(text)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(value) else value


def _year(period: str) -> int:
    return int(re.findall(r"\d{4}", str(period))[-1])


def wilson(n, d):
    """The Wilson 95% interval of n / d (arrays)."""
    n, d = np.asarray(n, dtype=float), np.asarray(d, dtype=float)
    p = n / d
    shrink = 1 + Z**2 / d
    centre = (p + Z**2 / (2 * d)) / shrink
    half = Z * np.sqrt(np.maximum(p * (1 - p) / d + Z**2 / (4 * d**2), 0)) / shrink
    return centre - half, centre + half


def _width(d, q):
    return 2 * Z * np.sqrt(q * (1 - q) * d + Z**2 / 4) / (d + Z**2)


def interval_bounds(p: float, ci: tuple[float, float], scale: int, half: float, den: float | None = None,
                    span: int = 20_000) -> dict:
    """What a published share ``p`` with its rounded Wilson interval ``ci`` says about its numerator and
    (when unknown) its base: {'num': (lo, hi), 'den': (lo, hi)}, outer bounds (never too narrow)."""
    lo, hi = ci
    tol = half + 1e-9
    if den is not None:
        ns = np.arange(math.ceil(den * (p - half) / scale - 1e-9), math.floor(den * (p + half) / scale + 1e-9) + 1)
        ns = ns[(ns >= 0) & (ns <= den)]
        if not len(ns):
            return {}
        low, high = wilson(ns, np.full(len(ns), den))
        ok = ns[(np.abs(low * scale - lo) <= tol) & (np.abs(high * scale - hi) <= tol)]
        return {"num": (int(ok.min()), int(ok.max()))} if len(ok) else {}
    q_lo, q_hi = max((p - half) / scale, 0.0), min((p + half) / scale, 1.0)
    q_far = q_lo if abs(q_lo - 0.5) > abs(q_hi - 0.5) else q_hi
    q_near = min(max(0.5, q_lo), q_hi)
    w_max, w_min = (hi - lo + 2 * half) / scale, (hi - lo - 2 * half) / scale
    # the width falls with the base: the base lies where the widest and narrowest widths allow
    first = _bisect(lambda d: _width(d, q_far) <= w_max)
    last = math.inf if w_min <= 0 else _bisect(lambda d: _width(d, q_near) < w_min) - 1
    if last < first:
        return {}
    if last - first > span:
        return {"den": (first, last)}
    ds = np.arange(first, int(last) + 1)
    n_lo = np.maximum(np.ceil(ds * (p - half) / scale - 1e-9), 0).astype(int)
    n_hi = np.minimum(np.floor(ds * (p + half) / scale + 1e-9), ds).astype(int)
    count = np.maximum(n_hi - n_lo + 1, 0)
    d_all = np.repeat(ds, count)
    n_all = np.repeat(n_lo, count) + (np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count))
    if not len(d_all):
        return {}
    low, high = wilson(n_all, d_all)
    ok = (np.abs(low * scale - lo) <= tol) & (np.abs(high * scale - hi) <= tol)
    if not ok.any():
        return {}
    return {"num": (int(n_all[ok].min()), int(n_all[ok].max())), "den": (int(d_all[ok].min()), int(d_all[ok].max()))}


def _bisect(holds, top: int = 10**9) -> int:
    """The smallest integer d >= 1 for which the monotone condition holds (top if none)."""
    low, high = 1, top
    while low < high:
        mid = (low + high) // 2
        if holds(mid):
            high = mid
        else:
            low = mid + 1
    return low


def read_run(folder: Path) -> pd.DataFrame:
    """Every row of every CSV under ``folder`` (as text), with its file."""
    frames = []
    for path in sorted(Path(folder).rglob("*.csv")):
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        if {"indicator", "region_code", "period", "value"} <= set(frame.columns):
            frames.append(frame.assign(file=path.name))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


@dataclass
class _Model:
    """The integer programme of one period: columns by key, rows as (low, high, {col: coef}, label)."""

    cols: dict = field(default_factory=dict)
    lower: list = field(default_factory=list)
    upper: list = field(default_factory=list)
    rows: list = field(default_factory=list)

    def var(self, key) -> int:
        if key not in self.cols:
            self.cols[key] = len(self.lower)
            self.lower.append(0.0)
            self.upper.append(INF)
        return self.cols[key]

    def bound(self, key, low=None, high=None):
        col = self.var(key)
        if low is not None:
            self.lower[col] = max(self.lower[col], low)
        if high is not None:
            self.upper[col] = min(self.upper[col], high)

    def row(self, low, high, terms: dict, label: str):
        merged: dict[int, float] = defaultdict(float)
        for key, coef in terms.items():
            merged[self.var(key)] += coef
        self.rows.append((low, high, {c: v for c, v in merged.items() if v}, label))

    def parts(self, targets: list[list[int]]) -> list[tuple[list[int], list[int], list[int]]]:
        """The independent parts of the programme: (columns, rows, targets), where rows share no column
        that can vary with another part and each target's columns lie in one part. A column fixed to one
        value links nothing: it is a constant of the rows that hold it."""
        parent = list(range(len(self.lower)))

        def root(c: int) -> int:
            while parent[c] != c:
                parent[c] = parent[parent[c]]
                c = parent[c]
            return c

        free = [low < high for low, high in zip(self.lower, self.upper)]
        for columns in [[c for c in terms if free[c]] for _, _, terms, _ in self.rows] + targets:
            for c in columns[1:]:
                parent[root(c)] = root(columns[0])
        found: dict[int, tuple[set, list, list]] = {}
        for r, (_, _, terms, _) in enumerate(self.rows):
            linked = [c for c in terms if free[c]]
            if linked:
                part = found.setdefault(root(linked[0]), (set(), [], []))
                part[0].update(linked)
                part[1].append(r)
        for t, columns in enumerate(targets):
            found.setdefault(root(columns[0]), (set(), [], []))[0].update(columns)
            found[root(columns[0])][2].append(t)
        return [(sorted(cols), rows, ts) for cols, rows, ts in found.values() if ts]

    def solver(self, columns: list[int] | None = None, rows: list[int] | None = None) -> highspy.Highs:
        """The programme, or the part of it with ``columns`` (in that order) and ``rows``."""
        columns = list(range(len(self.lower))) if columns is None else columns
        rows = range(len(self.rows)) if rows is None else rows
        local = {c: k for k, c in enumerate(columns)}
        with _quiet():
            h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        h.setOptionValue("threads", 1)  # as regiekit.publish does: HiGHS has one thread pool per process
        h.setOptionValue("mip_abs_gap", 0.5)
        h.setOptionValue("mip_rel_gap", 0.0)
        n = len(columns)
        h.addVars(n, np.array([self.lower[c] for c in columns], dtype=float),
                  np.array([self.upper[c] for c in columns], dtype=float))
        h.changeColsIntegrality(n, np.arange(n, dtype=np.int32), np.full(n, highspy.HighsVarType.kInteger))
        for r in rows:  # a column outside ``columns`` is fixed: its value moves to the row's bounds
            low, high, terms, _ = self.rows[r]
            constant = sum(coef * self.lower[c] for c, coef in terms.items() if c not in local)
            inside = [(local[c], coef) for c, coef in terms.items() if c in local]
            h.addRow(low - constant, high - constant, len(inside), np.array([k for k, _ in inside], dtype=np.int32),
                     np.array([coef for _, coef in inside], dtype=float))
        return h


def _run(solver: highspy.Highs):
    """Run HiGHS; when the process's thread pool was made for another number of threads (HiGHS then
    refuses), use that pool."""
    solver.run()
    if solver.getModelStatus() == highspy.HighsModelStatus.kNotset:
        solver.setOptionValue("threads", 0)
        solver.run()


@contextlib.contextmanager
def _quiet():
    """HiGHS prints its banner on the process's stdout when created."""
    sys.stdout.flush()
    try:
        saved = os.dup(1)
    except OSError:
        yield
        return
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 1)
            yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


class Attacker:
    """Reads a run's published rows and pins down what it can (see the module docstring)."""

    def __init__(self, rows: pd.DataFrame, population: pd.DataFrame, rules: Rules = Rules(),
                 time_limit: float = 20.0, use_intervals: bool = True):
        self.rules, self.time_limit, self.use_intervals = rules, time_limit, use_intervals
        self.catalogue, self.regions = load_catalogue(), load_regions()
        self.level = {r.code: r.level for r in self.regions.all()}
        self.names: dict[tuple, list[str]] = {}  # what, and (what, band) -> the indicators that count it
        pop = population.groupby(["gemeente_code", "jaar", "geslacht", "leeftijdsklasse"])["aantal"].sum()
        self._population, self._populations = pop.to_dict(), {}
        self.appearances = self._read(rows)

    @classmethod
    def from_run(cls, folder: Path, population: pd.DataFrame, **options) -> Attacker:
        return cls(read_run(folder), population, **options)

    # --- what each row says -------------------------------------------------------------------------------
    def cell(self, ind: Indicator, count: Count, category, region: str, period: str) -> Cell:
        """The cell ``count`` of indicator ``ind`` counts, for a breakdown's ``category`` (None: the total)."""
        kind = count.count
        band = None if kind in vocabulary.WITHOUT_AGE else ind.population.age_band
        extra, other = [], None
        if category is not None and ind.by:
            allowed = vocabulary.FIELDS[kind].get(ind.by)
            if ind.by == "leeftijdsklasse":
                band = category
            elif isinstance(allowed, tuple) and category in {str(v) for v in allowed}:
                extra = [(ind.by, [category])]
            else:
                other = (ind.by, category)
        what = (kind, _flags(kind, count, extra), ind.period, ind.population.geslacht, other)
        name = ind.id + (f"[{category}]" if category is not None and ind.by != "leeftijdsklasse" else "")
        for key in (what, (what, band)):
            if name not in self.names.setdefault(key, []):
                self.names[key].append(name)
        return Cell(what, band, region, str(period))

    def cells_of(self, indicator: str, region: str, period, category=None) -> tuple[Cell, Cell | None]:
        """Numerator and (unless the population) denominator cell of one row of an indicator."""
        ind = self.catalogue[indicator]
        num = self.cell(ind, ind.numerator, category, region, str(period))
        if ind.denominator is None or ind.denominator.count == "bevolking":
            return num, None
        return num, self.cell(ind, ind.denominator, None, region, str(period))

    def population(self, ind: Indicator, category, region: str, period: str) -> float:
        """The public population an indicator's share of a region divides by."""
        band = category if ind.by == "leeftijdsklasse" and category else ind.population.age_band
        key = (region, _year(period), ind.population.geslacht, band)
        if key not in self._populations:
            sexes = [ind.population.geslacht] if ind.population.geslacht else list(vocabulary.GESLACHT)
            self._populations[key] = float(sum(self._population.get((g, key[1], s, b), 0)
                                               for g in self.regions.members(region) for s in sexes
                                               for b in vocabulary.population_bands(band)))
        return self._populations[key]

    def _read(self, rows: pd.DataFrame) -> list[Appearance]:
        found = {}
        if rows.empty:
            return []
        for row in rows.to_dict("records"):
            ind = self.catalogue.get(row["indicator"])
            if ind is None or ind.statistic is not None or ind.unit not in ("count", "percent", "per_1000"):
                continue
            if row["region_code"] not in self.level:
                continue
            value, mark = _number(row.get("value")), str(row.get("markering", ""))
            suppressed = value is None and bool(SUPPRESSED.search(mark))
            if value is None and not suppressed:
                continue
            small = re.search(r"minder dan (\d+)", mark)
            category = row.get("category")
            category = None if category is None or category == "" or category != category else str(category)
            region, period = row["region_code"], str(row["period"])
            num = self.cell(ind, ind.numerator, category, region, period)
            den = None
            if ind.denominator is not None:
                den = (self.population(ind, category, region, period) if ind.denominator.count == "bevolking"
                       else self.cell(ind, ind.denominator, None, region, period))
            low, high = _number(row.get("ci_low")), _number(row.get("ci_high"))
            app = Appearance(num, den, ind.scale, 0.5 * 10 ** -ind.decimals if ind.unit != "count" else 0.0, value,
                             int(small.group(1)) if small else None,
                             (low, high) if low is not None and high is not None and value is not None else None,
                             f"{row.get('file', '')}: {ind.id} {region} {period} {category or ''}".strip(),
                             self.rules.missing_exact and category == UNKNOWN)
            key = (num, round(den) if isinstance(den, float) else den, ind.scale, app.half, value, app.small, app.ci)
            found.setdefault(key, app)
        return list(found.values())

    # --- the integer programme ----------------------------------------------------------------------------
    def _model(self, apps: list[Appearance]) -> _Model:
        """The integer programme of one period's appearances."""
        model, period = _Model(), apps[0].num.period
        bounds: dict[Cell, list] = {}
        for app in apps:
            for cell, low, high in self._bounds(app):
                known = bounds.setdefault(cell, [0, INF])
                known[0], known[1] = max(known[0], low), min(known[1], high)
        layout: dict[tuple, dict] = {}  # what -> {'bands': set, 'regions': set}
        types = defaultdict(set)  # gemeente -> the cell types it is shown in
        focus = set()  # gemeenten that need their own unknowns
        for app in apps:
            cells = [c for c in (app.num, app.den) if isinstance(c, Cell)]
            for c in cells:
                spot = layout.setdefault(c.what, {"bands": set(), "regions": set()})
                spot["bands"].add(c.band)
                spot["regions"].add(c.region)
                types[c.region].add(c.what)
            if app.value is None or isinstance(app.den, Cell):
                focus |= {c.region for c in cells}
        focus |= {g for g, shown in types.items() if len(shown) > 1}
        units = {what: self._layout(model, what, spot, period, focus, bounds) for what, spot in layout.items()}
        self._relations(model, units, period)
        for cell, (low, high) in bounds.items():
            if cell in model.cols:
                model.bound(cell, low, high)
        for app in apps:
            self._rows(model, app)
        return model

    def _layout(self, model: _Model, what: tuple, spot: dict, period: str, focus: set, bounds: dict) -> dict:
        """Variables of one cell type: every band (with the four age bands when several), every region shown
        and every merged group of gemeenten, with region sums and band sums as rows. A gemeente gets its own
        unknown when it is in ``focus`` (a suppressed number, a share of a cell or several cell types);
        others are merged with the gemeenten of the same regions, their bounds summed (exact: nothing
        else holds them). Regions without a gemeente in focus are left out (their sums say next to nothing
        about the focus, and make the programme slow)."""
        bands = set(spot["bands"])
        if len(bands) > 1 and None not in bands:
            bands |= {b for band in spot["bands"] for b in _bands(band)}
        higher = [r for r in spot["regions"] if self.level[r] != "gemeente"
                  and (r in focus or not focus.isdisjoint(self.regions.members(r)))]
        shown = {r for r in spot["regions"] if r in focus and self.level[r] == "gemeente"} | set(higher)
        signature = defaultdict(set)
        for region in higher:
            for g in self.regions.members(region):
                if g not in shown:
                    signature[g].add(region)
        atoms = defaultdict(set)
        for g, regions in signature.items():
            atoms[frozenset(regions)].add(g)
        merged = {frozenset(gs): regions for regions, gs in atoms.items()}
        places = list(shown) + list(merged)
        name = self.name(what)
        for band in bands:
            for place in places:
                model.var(Cell(what, band, place, period))
            for gs in merged:
                limits = [bounds.get(Cell(what, band, g, period), (0, INF)) for g in gs]
                model.bound(Cell(what, band, gs, period), sum(lo for lo, _ in limits), sum(hi for _, hi in limits))
            for region in higher:
                members = set(self.regions.members(region))
                terms = {Cell(what, band, region, period): 1.0}
                for place in places:
                    inside = (place in members) if isinstance(place, str) else region in merged[place]
                    if inside and (not isinstance(place, str) or self.level[place] == "gemeente"):
                        terms[Cell(what, band, place, period)] = -1.0
                model.row(0, 0, terms, f"{name} {band} {region} = sum of its gemeenten")
        for band in bands:
            parts = _bands(band) if band else ()
            if len(parts) > 1 and set(parts) <= bands:
                for place in places:
                    terms = {Cell(what, band, place, period): 1.0}
                    terms.update({Cell(what, b, place, period): -1.0 for b in parts})
                    model.row(0, 0, terms, f"{name} {band} = sum of its age bands")
        return {"bands": bands, "places": set(places)}

    def _relations(self, model: _Model, units: dict, period: str):
        """Relations between cell types of one kind: implied filters, covers, partitions, breakdowns."""
        def pairs(a, b):
            return [(band, place) for band in units[a]["bands"] & units[b]["bands"]
                    for place in units[a]["places"] & units[b]["places"]]

        def cells(what, band, place):
            return Cell(what, band, place, period)

        types = list(units)
        for a, b in itertools.permutations(types, 2):
            if _cell_implies(a, b) and not _cell_implies(b, a):
                for band, place in pairs(a, b):
                    model.row(-INF, 0, {cells(a, band, place): 1.0, cells(b, band, place): -1.0},
                              f"{self.name(a)} <= {self.name(b)}")
        for whole in types:
            if len(whole[1]) != 1:
                continue
            (fw,) = whole[1]
            kind = whole[0]
            parts = [t for t in types if t != whole and len(t[1]) == 1 and t[0] == kind and t[2:] == whole[2:]
                     and _implies(next(iter(t[1])), fw) and not _implies(fw, next(iter(t[1])))]
            for size in (2, 3, 4):
                for combo in itertools.combinations(parts[:14], size):
                    filters = [next(iter(t[1])) for t in combo]
                    care_cover = (all(_only_care(f, fw) for f in filters)
                                  and frozenset().union(*map(_care, filters)) >= _care(fw))
                    disjoint = kind != "jongeren" and all(_disjoint(f, g)
                                                           for f, g in itertools.combinations(filters, 2))
                    if care_cover and any(frozenset().union(*map(_care, filters[:i] + filters[i + 1:])) >= _care(fw)
                                          for i in range(size)):
                        care_cover = False  # not a minimal cover
                    if not (care_cover or disjoint):
                        continue
                    low, high = (0, 0) if care_cover and disjoint else (-INF, 0) if care_cover else (0, INF)
                    common = set.intersection(*(units[t]["bands"] for t in (whole, *combo)))
                    places = set.intersection(*(units[t]["places"] for t in (whole, *combo)))
                    label = f"{self.name(whole)} vs {' + '.join(self.name(t) for t in combo)}"
                    for band in common:
                        for place in places:
                            terms = {cells(whole, band, place): 1.0}
                            for t in combo:
                                terms[cells(t, band, place)] = -1.0
                            model.row(low, high, terms, label)
        totals = defaultdict(list)
        for t in types:
            if t[4] is not None:
                totals[(*t[:4], None, t[4][0])].append(t)
        for key, categories in totals.items():
            whole = key[:5]
            if whole not in units or key[5] in vocabulary.MULTI_VALUED:
                continue
            common = set.intersection(*(units[t]["bands"] for t in (whole, *categories)))
            places = set.intersection(*(units[t]["places"] for t in (whole, *categories)))
            for band in common:
                for place in places:
                    terms = {cells(whole, band, place): -1.0}
                    terms.update({cells(t, band, place): 1.0 for t in categories})
                    model.row(-INF, 0, terms, f"categories of {self.name(whole)} <= total")

    def _bounds(self, app: Appearance) -> list[tuple[Cell, float, float]]:
        """(cell, lowest, highest) that one published or suppressed number gives on its own."""
        r, num = self.rules, app.num
        floor = 1 if app.exempt else r.min_count  # a published count of units is 0 or at least this
        if app.value is None:
            return [(num, 1, app.small - 1 if app.small else INF)] if app.den is None else []
        if app.den is None:  # a count: rounded (unless it is no multiple), and never 1 to min_count - 1
            half = r.round_to // 2 if app.value % r.round_to == 0 else 0
            return [(num, 0, 0)] if app.value == 0 else [(num, max(app.value - half, floor), app.value + half)]
        p, h, s = app.value, app.half, app.scale
        if isinstance(app.den, float):
            d = app.den
            low, high = max(math.ceil(d * (p - h) / s - 1e-7), 0), math.floor(d * (p + h) / s + 1e-7)
            if low >= 1:
                low = max(low, floor)
            elif high < floor:
                high = 0
            found = [(num, low, high)]
            if self.use_intervals and app.ci and s == 100 and d > 0:
                found += [(num, *v) for k, v in interval_bounds(p, app.ci, s, h, den=d).items() if k == "num"]
            return found
        found = [(app.den, r.min_denominator, INF)]
        if p - h > 0:
            found.append((num, floor, INF))
        if self.use_intervals and app.ci and s == 100:  # per 1000 may be a Poisson rate
            for key, (low, high) in interval_bounds(p, app.ci, s, h).items():
                found.append((num if key == "num" else app.den, low, high))
        return found

    def _rows(self, model: _Model, app: Appearance):
        """The rows a published share of another cell gives."""
        if app.value is None or not isinstance(app.den, Cell):
            return
        num, den, p, h, s = app.num, app.den, app.value, app.half, app.scale
        model.row(-INF, 1e-6, {num: s, den: -(p + h)}, f"{app.source}: share at most")
        model.row(-1e-6, INF, {num: s, den: -(p - h)}, f"{app.source}: share at least")
        if p + h < s:  # with missing answers published exactly, the rest may be only missing answers
            rest = 1 if self.rules.missing_exact else self.rules.min_count
            model.row(rest, INF, {den: 1.0, num: -1.0}, f"{app.source}: complement not small")

    # --- attack ---------------------------------------------------------------------------------------------
    def targets(self, apps: list[Appearance]) -> list[tuple[str, dict]]:
        """(description, {cell: coef}) of every number suppressed wherever it appears: cells, and the
        complement of a suppressed share of a cell. A count of missing answers that the rules publish however
        small (``missing_exact``) is hidden only to protect others: recovering it discloses nothing."""
        shown = {a.num for a in apps if a.value is not None}
        found = {}
        for a in apps:
            if a.value is not None:
                continue
            if a.num not in shown and not a.exempt:
                found.setdefault(self.describe(a.num), {a.num: 1.0})
            if isinstance(a.den, Cell) and a.den not in shown:
                found.setdefault(f"{self.describe(a.den)} minus {self.describe(a.num)}", {a.den: 1.0, a.num: -1.0})
        return list(found.items())

    def name(self, what: tuple, band=None) -> str:
        """The indicators that count a cell type (in a band), counts first (at most two)."""
        names = sorted(self.names.get((what, band)) or self.names.get(what, ["?"]),
                       key=lambda n: getattr(self.catalogue.get(n.split("[")[0]), "unit", "") != "count")
        return "/".join(names[:2])

    def describe(self, cell: Cell) -> str:
        region = cell.region if isinstance(cell.region, str) else f"{len(cell.region)} gemeenten"
        band = f" {cell.band}" if cell.band else ""
        return f"{self.name(cell.what, cell.band)}{band} {region} {cell.period}"

    def inconsistent(self) -> list[str]:
        """Counts published in one place and suppressed in another: a reader just reads them. (A share
        hidden for its small base beside its published counts hides nothing: it is not reliable.)"""
        shown = {a.num for a in self.appearances if a.value is not None}
        return sorted({self.describe(a.num) for a in self.appearances
                       if a.value is None and a.den is None and a.num in shown})

    def periods(self) -> dict[str, list[Appearance]]:
        found = defaultdict(list)
        for a in self.appearances:
            found[a.num.period].append(a)
        return dict(found)

    def attack(self, periods=None, cells=None) -> pd.DataFrame:
        """Lowest and highest value of every target (of ``periods``, default all): one row per target with
        ``status`` 'pinned' (an interval narrower than ``protection`` that holds a small count), 'protected',
        'not small' (at least ``min_count``: a secondary suppression) or 'unknown' (a solve did not finish);
        ``target`` is the target as {cell: coefficient}. A target that two feasible points found earlier
        already set ``protection`` apart is protected without a solve of its own (``lowest`` and
        ``highest`` then unknown, ``width`` the distance seen). ``cells``: only the targets of these cells."""
        results = []
        for period, apps in sorted(self.periods().items()):
            targets = [t for t in self.targets(apps) if cells is None or not set(cells).isdisjoint(t[1])]
            if not targets or (periods is not None and period not in {str(p) for p in periods}):
                continue
            model = self._model(apps)
            wanted = [[model.cols[c] for c in terms] for _, terms in targets]
            for columns, rows, mine in model.parts(wanted):
                results += self._attack_part(model, columns, rows, [targets[t] for t in mine], period)
        columns = ["cell", "period", "lowest", "highest", "width", "status", "seconds", "target"]
        return pd.DataFrame(results, columns=columns)

    def _attack_part(self, model: _Model, columns: list[int], rows: list[int], targets: list, period) -> list:
        """The verdicts on ``targets`` of one independent part of the programme."""
        solver, n = model.solver(columns, rows), len(columns)
        local = {c: k for k, c in enumerate(columns)}
        # one feasible point first: every later solve starts from the last one found (HiGHS's
        # heuristics take seconds to find one in a model of narrow windows)
        solver.setOptionValue("time_limit", max(float(self.time_limit), 60.0))
        point = self._feasible(solver, n)
        solver.setOptionValue("time_limit", float(self.time_limit))
        pool = [] if point is None else [point]  # feasible points: two that set a target apart protect it
        wanted = [([local[model.cols[c]] for c in terms], np.array(list(terms.values()))) for _, terms in targets]
        signs = np.random.default_rng(len(columns))
        low, high = np.full(len(wanted), INF), np.full(len(wanted), -INF)
        pushed = np.ones(len(wanted), dtype=bool)
        for _ in range(POOL_ROUNDS if point is not None and len(targets) > 1 else 0):
            # every target not yet set apart pushed up or down at once: points that set many targets apart in
            # a few solves; until a round sets fewer than two more apart (their own solves cost as much)
            cost = np.zeros(n)
            for (where, coefs), sign, push in zip(wanted, signs.choice([-1.0, 1.0], len(wanted)), pushed):
                if push:
                    np.add.at(cost, where, sign * coefs)
            for sense in (highspy.ObjSense.kMinimize, highspy.ObjSense.kMaximize):
                _, point = self._solve(solver, sense, cost, point)
                pool.append(point)
                value = np.array([point[where] @ coefs for where, coefs in wanted])
                low, high = np.minimum(low, value), np.maximum(high, value)
            still = high - low < self.rules.protection - 1e-6
            done, pushed = int((pushed & ~still).sum()), still
            if done < 2 or not pushed.any():
                break
        results = []
        for (description, terms), (where, coefs) in zip(targets, wanted):
            start = time.perf_counter()
            seen = np.array([q[where] for q in pool]) @ coefs if pool else np.zeros(0)
            if len(seen) and seen.max() - seen.min() >= self.rules.protection - 1e-6:
                results.append((description, period, math.nan, math.nan, round(seen.max() - seen.min()),
                                "protected", round(time.perf_counter() - start, 3), terms))
                continue
            cost = np.zeros(n)
            cost[where] = coefs
            if point is None:
                bounds = [(-INF, INF), (INF, -INF)]
            else:
                bounds = []
                for sense in (highspy.ObjSense.kMinimize, highspy.ObjSense.kMaximize):
                    found, point = self._solve(solver, sense, cost, point)
                    bounds.append(found)
                    pool.append(point)
            results.append((*self._verdict(description, period, *bounds, time.perf_counter() - start), terms))
        return results

    @staticmethod
    def _feasible(solver: highspy.Highs, n: int) -> np.ndarray | None:
        solver.changeColsCost(n, np.arange(n, dtype=np.int32), np.zeros(n))
        _run(solver)
        status = solver.getModelStatus()
        if status == highspy.HighsModelStatus.kInfeasible:
            raise AssertionError("the published numbers contradict the attacker's model: a relation it assumes is "
                                 "wrong")
        if status == highspy.HighsModelStatus.kTimeLimit:
            return None
        if status != highspy.HighsModelStatus.kOptimal:
            raise AssertionError(f"HiGHS could not solve the attacker's model: {solver.modelStatusToString(status)}")
        return np.array(solver.getSolution().col_value)

    @staticmethod
    def _solve(solver: highspy.Highs, sense, cost: np.ndarray, point: np.ndarray):
        """((outer, inner), point): the true optimum lies between outer and inner; ``point`` is the best
        feasible point known, from which the solve starts."""
        n = len(cost)
        solver.changeColsCost(n, np.arange(n, dtype=np.int32), cost)
        solver.changeObjectiveSense(sense)
        start = highspy.HighsSolution()
        start.col_value = list(point)
        start.value_valid = True
        solver.setSolution(start)
        _run(solver)
        status = solver.getModelStatus()
        info = solver.getInfo()
        minimise = sense == highspy.ObjSense.kMinimize
        worst = -INF if minimise else INF
        known = float(cost @ point)
        if status == highspy.HighsModelStatus.kOptimal:
            point = np.array(solver.getSolution().col_value)
            value = round(info.objective_function_value)
            return (value, value), point
        if status in (highspy.HighsModelStatus.kUnbounded, highspy.HighsModelStatus.kUnboundedOrInfeasible):
            return (worst, worst), point  # it is feasible: ``point`` is
        if status == highspy.HighsModelStatus.kInfeasible:
            raise AssertionError("HiGHS finds the attacker's model infeasible after finding it feasible")
        if status != highspy.HighsModelStatus.kTimeLimit:
            raise AssertionError(f"HiGHS could not solve the attacker's model: {solver.modelStatusToString(status)}")
        inner = known
        if info.primal_solution_status:
            inner = min(inner, info.objective_function_value) if minimise else max(inner, info.objective_function_value)
        return (info.mip_dual_bound, inner), point

    def _verdict(self, description, period, low, high, seconds):
        r = self.rules
        (low_outer, low_inner), (high_outer, high_inner) = low, high
        if low_outer == low_inner and high_outer == high_inner:
            width = high_outer - low_outer
            status = ("not small" if low_outer >= r.min_count else
                      "pinned" if width < r.protection else "protected")
        elif low_outer >= r.min_count:
            status = "not small"
        elif high_inner - low_inner >= r.protection:
            status = "protected"
        elif high_outer - low_outer < r.protection and low_inner < r.min_count:
            status = "pinned"
        else:
            status = "unknown"
        lowest = math.ceil(low_outer - 1e-6) if math.isfinite(low_outer) else low_outer
        highest = math.floor(high_outer + 1e-6) if math.isfinite(high_outer) else high_outer
        return (description, period, lowest, highest, highest - lowest, status, round(seconds, 3))

    # --- soundness ------------------------------------------------------------------------------------------
    def check(self, truth: dict[Cell, float]) -> list[str]:
        """What the true values contradict in the attacker's model (empty: every relation and bound it
        uses holds for the truth, so its intervals are honest). ``truth`` gives some cells' true values."""
        problems = []
        for period, apps in sorted(self.periods().items()):
            model = self._model(apps)
            known = {model.cols[c]: v for c, v in truth.items() if c in model.cols}
            for key, col in model.cols.items():
                if col in known and not model.lower[col] - 1e-6 <= known[col] <= model.upper[col] + 1e-6:
                    problems.append(f"{period}: {self._key(key)} = {known[col]} outside "
                                    f"[{model.lower[col]}, {model.upper[col]}]")
            for low, high, terms, label in model.rows:
                if all(c in known for c in terms):
                    value = sum(coef * known[c] for c, coef in terms.items())
                    if not low - 1e-6 <= value <= high + 1e-6:
                        problems.append(f"{period}: {label}: {value} not in [{low}, {high}]")
            if not problems:
                solver = model.solver()
                for col, value in known.items():
                    solver.changeColBounds(col, value, value)
                solver.setOptionValue("time_limit", float(self.time_limit))
                _run(solver)
                if solver.getModelStatus() == highspy.HighsModelStatus.kInfeasible:
                    problems.append(f"{period}: the true values do not fit the model as a whole")
        return problems

    def _key(self, key) -> str:
        return self.describe(key) if isinstance(key, Cell) else str(key)
