"""Publishable indicator tables: engine -> intervals -> disclosure control, for every region and period.

Disclosure control must see every number any report could publish: every region (a gemeente suppressed in
one factsheet must not be recoverable from the jeugdregio and the other gemeenten in other factsheets) and
every indicator that counts the same youths (:func:`protection_units`). So the own records are protected
as one publication per period (periods share no cells), over all regions and the whole unit, and cached in
the store (``gepubliceerd/``): every report of every run reads the same decisions. The key includes the
package's code (:func:`regiekit.digest.code`) and the store's state: a new version of a counting rule, a
definition or the data gives new tables, and cached tables that can no longer be used are removed.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from contextvars import ContextVar
from dataclasses import asdict
from pathlib import Path

import numpy as np
import pandas as pd
from filelock import FileLock
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from tqdm import tqdm

from regiekit import digest, engine
from regiekit.atomic import write_bytes
from regiekit.data.store import UNREADABLE, Store
from regiekit.indicators.definitions import load_catalogue
from regiekit.periods import Period, Span, order
from regiekit.publish import cells, disclosure
from regiekit.reference.regions import load_regions

FOLDER = "gepubliceerd"
SHARED = "REGIEKIT_CACHE"  # a folder of published tables shared by stores with the same content


def _folder(store: Store) -> Path:
    """Where the published tables of ``store`` are cached: its own ``gepubliceerd/``, or the folder that
    ``REGIEKIT_CACHE`` names, shared by every store with the same content (:meth:`Store.state`), such as
    copies of one store on a team's server, or the test processes of one session."""
    shared = os.environ.get(SHARED)
    return Path(shared) if shared else Path(store.path) / FOLDER


_SHOW_PROGRESS: ContextVar[bool] = ContextVar("show_progress", default=False)


@contextlib.contextmanager
def progress(show: bool = True):
    """Within this block, computing a table that is not cached yet shows a progress bar (a batch's
    first run on a new store spends a minute here before any report starts)."""
    token = _SHOW_PROGRESS.set(show)
    try:
        yield
    finally:
        _SHOW_PROGRESS.reset(token)


def _key(ids: list[str], rules: disclosure.Rules, internal: bool, levels, periods, parameters, sources) -> str:
    catalogue = load_catalogue()
    return digest.of({"definitions": [catalogue[i].model_dump(mode="json") for i in ids], "rules": asdict(rules),
                      "internal": internal, "levels": levels, "periods": periods, "parameters": parameters,
                      "sources": sources})[:20]


def _prune(path: Path) -> None:
    """Remove the cached tables (and their locks) that can never be used again beside ``path`` (named
    code-state-key): those of another version of regiekit's code, and those of the same key made from data
    in another state. A shared folder (``REGIEKIT_CACHE``) holds other stores' tables too and is not pruned."""
    if not os.environ.get(SHARED):
        digest.prune(path)


def protection_units(ids: list[str], store: Store) -> list[list[str]]:
    """The indicators protected together with ``ids``, as units: every indicator counted from the store's
    own records that shares a count with them or counts some of the same units (a numerator, a
    denominator, an age band of the same units, a count with stricter filters: :func:`cells.within`),
    directly or through others. Each unit is the same whichever report asks for which of its indicators,
    so its cells get one decision everywhere; ``ids`` that share nothing make separate units."""
    catalogue = load_catalogue()
    own = engine.available(list(catalogue.values()), store, "eigen")  # a mean with the counts of its units
    keys = {i.id: {cells.count_key(c, i) for c in (i.numerator, i.denominator)
                   if c is not None and c.count != "bevolking"} for i in own}
    names = list(keys)
    counting: dict[str, list[int]] = {}  # count -> the indicators (positions in ``names``) counting it
    for n, i in enumerate(names):
        for k in keys[i]:
            counting.setdefault(k, []).append(n)
    edges = [(first[0], n) for k, first in counting.items() for o, others in counting.items()
             if o == k or cells.within(k, o) or cells.within(o, k) for n in others]
    rows, cols = zip(*edges) if edges else ((), ())
    _, label = connected_components(coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(names),) * 2))
    members = {n: [names[m] for m in np.flatnonzero(label == label[k])] for k, n in enumerate(names)}
    units: dict[str, list[str]] = {}
    for first in ids:
        unit = sorted(members.get(first, [first]))
        units.setdefault(unit[0], unit)
    return list(units.values())


def _may_fork_workers() -> bool:
    """Whether periods may be protected in worker processes: new processes import the main module again,
    which is harmless for a notebook, the regiekit command and installed tools, but would run a user's
    own script a second time."""
    path = getattr(sys.modules.get("__main__"), "__file__", None)
    if path is None:
        return True
    path = Path(path).resolve()
    return path.is_relative_to(Path(sys.prefix).resolve()) or path.is_relative_to(Path(__file__).parents[1])


def _protect_periods(parts: list[pd.DataFrame], rules: disclosure.Rules, internal: bool) -> list[pd.DataFrame]:
    """:func:`disclosure.protect` for each period's table (periods share no cells), on every core."""
    workers = min(len(parts), os.cpu_count() or 1)
    if workers < 2 or internal or not _may_fork_workers():
        return [disclosure.protect(part, rules, internal) for part in parts]
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        return list(pool.map(disclosure.protect, parts, [rules] * len(parts), [internal] * len(parts)))


def _cached(paths: dict) -> dict:
    """The cached tables among ``paths`` (period -> file); a damaged one is removed, to be made again."""
    found = {}
    for period, path in paths.items():
        try:
            found[period] = pd.read_parquet(path)
        except FileNotFoundError:
            pass
        except UNREADABLE:
            path.unlink(missing_ok=True)
    return found


@contextlib.contextmanager
def _lock(path: Path):
    """Hold ``path`` locked while one process protects what other processes on the same store would
    otherwise protect again (a batch's workers, a second user); a read-only store is not locked."""
    lock = FileLock(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        lock.acquire()
    except OSError:
        lock = None
    try:
        yield
    finally:
        if lock is not None:
            lock.release()


def _of_period(computed: pd.DataFrame, period, todo: list) -> pd.DataFrame:
    """The rows of one period: a year's own (and its half years'), or a project period's (the engine gives
    those its last year as ``period`` and the span as ``subperiod``)."""
    sub = computed["subperiod"].astype(object).where(computed["subperiod"].notna(), "").astype(str)
    spans = {str(p) for p in todo if isinstance(p, Span)}
    if str(period) in spans:
        return computed[sub == str(period)].reset_index(drop=True)
    return computed[(computed["period"].astype(str) == str(period)) & ~sub.isin(spans)].reset_index(drop=True)


def _protect_own(unit: list[str], todo: list, store: Store, rules: disclosure.Rules, internal: bool, parameters,
                 regions, paths: dict) -> dict:
    """Engine and disclosure control for the ``unit`` over ``regions`` (None: all) in the periods ``todo``,
    each period written to its cache file in ``paths``."""
    catalogue = load_catalogue()
    found = {}
    what = (f"cijfers voor alle regio's ({len(unit)} {'indicator' if len(unit) == 1 else 'indicatoren'}, "
            f"{len(todo)} {'periode' if len(todo) == 1 else 'perioden'})")
    # on a terminal a bar that is gone when done; in a log (a scheduled run) a line once counted and when done
    live = sys.stderr.isatty()
    logged = _SHOW_PROGRESS.get() and not live
    began = time.perf_counter()
    with tqdm(total=2, desc=what, unit="stap", disable=not (_SHOW_PROGRESS.get() and live), leave=False,
              bar_format="{desc}: {n}/{total} stappen, {elapsed} {postfix}") as bar:
        bar.set_postfix_str("tellen")
        computed = engine.compute(unit, regions, todo, store, parameters)
        per_gemeente = computed["indicator"].map(lambda i: catalogue[i].by_gemeente)
        computed = computed[~(per_gemeente & (computed["level"] == "land"))]
        bar.update()
        bar.set_postfix_str("onthullingscontrole")
        if logged:
            print(f"{what}: geteld, onthullingscontrole ...", file=sys.stderr, flush=True)
        parts = [_of_period(computed, p, todo) for p in todo]
        for period, part in zip(todo, _protect_periods(parts, rules, internal)):
            found[period] = part
            with contextlib.suppress(OSError):  # a read-only store: use the table without caching it
                write_bytes(paths[period], part.to_parquet(index=False))
                _prune(paths[period])
        bar.update()
        if logged:
            print(f"{what}: klaar in {tqdm.format_interval(time.perf_counter() - began)}", file=sys.stderr, flush=True)
    return found


def _own(ids: list[str], periods, store: Store, rules: disclosure.Rules, internal: bool, parameters,
         levels) -> pd.DataFrame:
    """Indicators counted from own records: engine -> intervals -> disclosure control, for each protection
    unit of ``ids`` (:func:`protection_units`) over every region (of ``levels``, for the case monitors,
    which publish jeugdregio's and Nederland only: a unit is published at one set of levels), one period at
    a time, each period cached in the store, so every report of a run takes the same decision for every
    number. A list by gemeente is published per region below Nederland only: Nederland's list of every
    gemeente would tie all regions' lists together (and a national list of 342 gemeenten is no report)."""
    catalogue = load_catalogue()
    periods = periods if periods is not None else store.years
    parts = []
    for unit in protection_units(ids, store):
        found = _unit_tables(unit, periods, store, rules, internal, parameters, levels)
        parts += [found[p][found[p]["indicator"].isin(ids)] for p in periods]
    protected = pd.concat(parts, ignore_index=True)
    origin = {i: "; ".join(dict.fromkeys(store.describe(t) for t in sorted(engine.own_tables(catalogue[i]))))
              for i in ids}  # per indicator: the tables it is counted from, synthetic or imported
    return protected.assign(bron="eigen", source=protected["indicator"].map(origin), cbs_status=None)


def _unit_tables(unit: list[str], periods: list, store: Store, rules: disclosure.Rules, internal: bool, parameters,
                 levels) -> dict:
    """The protected table of one unit per period: from the cache, or computed (and cached) under a lock."""
    catalogue = load_catalogue()
    # keyed on the state of the tables the unit is counted from: an import of other tables keeps them
    tables = sorted({t for i in unit for t in engine.own_tables(catalogue[i])})
    prefix = f"{digest.code()[:12]}-{store.state(tables)[:12]}-"
    folder = _folder(store)
    paths = {period: folder / f"{prefix}{_key(unit, rules, internal, levels, str(period), parameters, 'eigen')}.parquet"
             for period in periods}
    found = _cached(paths)
    if len(found) < len(paths):
        with _lock(folder / f"{prefix}{_key(unit, rules, internal, levels, None, parameters, 'eigen')}.lock"):
            found |= _cached({p: path for p, path in paths.items() if p not in found})  # made meanwhile
            todo = [p for p in paths if p not in found]
            if todo:
                regions = [r.code for r in load_regions().all() if r.level in levels] if levels else None
                found |= _protect_own(unit, todo, store, rules, internal, parameters, regions, paths)
    return found


def _cbs(ids: list[str], regions, periods, store: Store) -> pd.DataFrame:
    """Indicators taken from CBS StatLine: already under CBS's disclosure control, so published as CBS
    published them; an empty cell is shown as 'geheim (CBS)' and counts as missing, never as zero."""
    figures = engine.published_by_cbs(ids, regions, periods, store)
    return figures.rename(columns={"status": "cbs_status"}).drop(columns="geheim").assign(
        published=figures["value"], status=figures["geheim"].map({True: "geheim_cbs", False: ""}), bron="cbs")


def table(indicators: list[str], store: Store | None = None, rules: disclosure.Rules | None = None,
          internal: bool = False, levels: tuple[str, ...] | None = None,
          periods: list[Period] | None = None, parameters: dict | None = None, bron: str = "auto") -> pd.DataFrame:
    """The engine table for ``indicators`` over all regions (or all regions of ``levels``, for reports
    published only at those levels) and years (or ``periods``: years or spans), with intervals, ``published``
    values and ``status``
    marks; ``parameters`` as for :func:`regiekit.engine.compute`. ``bron`` chooses own records, CBS
    StatLine or each where it is available (:func:`regiekit.engine.resolve`); ``bron``, ``source`` and
    ``cbs_status`` say where every number came from. Raises :class:`disclosure.DisclosureError` when the
    audit fails."""
    store = store or Store.open()
    rules = rules or disclosure.Rules.load()
    ids = sorted(set(indicators))
    levels = sorted(levels) if levels else None
    periods = sorted(periods, key=order) if periods else None
    sources = engine.resolve(load_catalogue().select(ids), store, bron)
    prefix = f"{digest.code()[:12]}-{store.state()[:12]}-"
    key = _key(ids, rules, internal, levels, periods, parameters, sources)
    path = _folder(store) / f"{prefix}{key}.parquet"
    if path.exists():
        try:
            return pd.read_parquet(path)
        except UNREADABLE:
            path.unlink(missing_ok=True)  # a damaged cache is rebuilt, not fatal
    regions = [r.code for r in load_regions().all() if r.level in levels] if levels else None
    own, cbs = [i for i in ids if sources[i] == "eigen"], [i for i in ids if sources[i] == "cbs"]
    parts = ([_own(own, periods, store, rules, internal, parameters, levels)] if own else []) + \
        ([_cbs(cbs, regions, periods, store)] if cbs else [])
    if not parts:
        raise engine.EngineError("geen indicatoren om te berekenen uit de gekozen bron")
    protected = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    if regions is not None:
        protected = protected[protected["region_code"].isin(regions)].reset_index(drop=True)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_bytes(path, protected.to_parquet(index=False))
        _prune(path)
    except OSError:
        pass  # a read-only store: use the table without caching it
    return protected


def as_published(table: pd.DataFrame, indicators: list) -> list:
    """``indicators`` as they apply to the figures of a published table: an indicator taken from CBS
    StatLine carries the series breaks CBS documents (:meth:`Indicator.for_source`)."""
    found = table.groupby("indicator")["bron"].first().to_dict() if "bron" in table else {}
    return [i.for_source(found.get(i.id, "eigen")) for i in indicators]
