"""Publishable indicator tables: engine -> intervals -> disclosure control, for every region and period.

Disclosure control must see every number any report could publish: every region (a gemeente suppressed in
one factsheet must not be recoverable from the jeugdregio and the other gemeenten in other factsheets) and
every indicator that counts the same youths (:func:`protection_unit`). So the own records are protected
as one publication per period (periods share no cells), over all regions and the whole unit, and cached in
the store (``gepubliceerd/``): every report of every run reads the same decisions. The key includes the
package's code (:func:`regiekit.digest.code`) and the store's state: a new version of a counting rule, a
definition or the data gives new tables, and cached tables that can no longer be used are removed.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import asdict
from pathlib import Path

import pandas as pd
from tqdm import tqdm

from regiekit import digest, engine
from regiekit.atomic import write_bytes
from regiekit.data.store import UNREADABLE, Store
from regiekit.indicators.definitions import load_catalogue
from regiekit.periods import Period, order
from regiekit.publish import cells, disclosure
from regiekit.reference.regions import load_regions

FOLDER = "gepubliceerd"
_SHOW_PROGRESS: ContextVar[bool] = ContextVar("show_progress", default=False)


@contextmanager
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


def _prune(folder: Path, prefix: str) -> None:
    """Remove cached tables of another code version or another state of the store: they can never be
    used again."""
    for old in folder.glob("*.parquet"):
        if not old.name.startswith(prefix):
            old.unlink(missing_ok=True)


def protection_unit(ids: list[str], store: Store) -> list[str]:
    """The indicators protected together with ``ids``: every indicator counted from the store's own records
    that shares a count with them, directly or through others (a numerator, a denominator, an age band of
    the same units). Their cells get one decision, whichever report asks for which of them."""
    catalogue = load_catalogue()
    own = [i for i in engine.available(list(catalogue.values()), store, "eigen") if i.statistic is None]
    keys = {i.id: {cells.count_key(c, i) for c in (i.numerator, i.denominator)
                   if c is not None and c.count != "bevolking"} for i in own}
    wanted = {k for i in ids for k in keys.get(i, ())}
    unit, grown = set(ids), True
    while grown:
        grown = False
        for i, mine in keys.items():
            if i not in unit and mine & wanted:
                unit.add(i)
                wanted |= mine
                grown = True
    return sorted(unit)


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


def _own(ids: list[str], periods, store: Store, rules: disclosure.Rules, internal: bool, parameters) -> pd.DataFrame:
    """Indicators counted from own records: engine -> intervals -> disclosure control, for the whole
    protection unit of ``ids`` (:func:`protection_unit`) over every region, one period at a time, each
    period cached in the store, so every report of a run takes the same decision for every number. A list
    by gemeente is published per region below Nederland only: Nederland's list of every gemeente would tie
    all regions' lists together (and a national list of 342 gemeenten is no report)."""
    unit = protection_unit(ids, store)
    catalogue = load_catalogue()
    prefix = f"{digest.code()[:12]}-{store.state()[:12]}-"
    folder = Path(store.path) / FOLDER
    paths = {period: folder / f"{prefix}{_key(unit, rules, internal, None, str(period), parameters, 'eigen')}.parquet"
             for period in (periods if periods is not None else store.years)}
    found = {}
    for period, path in paths.items():
        try:
            found[period] = pd.read_parquet(path)
        except FileNotFoundError:
            pass
        except UNREADABLE:
            path.unlink(missing_ok=True)  # a damaged cache is rebuilt, not fatal
    todo = [p for p in paths if p not in found]
    if todo:
        with tqdm(total=2, desc=f"cijfers voor alle regio's ({len(unit)} indicatoren, {len(todo)} perioden)",
                  unit="stap", disable=not _SHOW_PROGRESS.get(), leave=False,  # gone when done or failed
                  bar_format="{desc}: {n}/{total} stappen, {elapsed} {postfix}") as bar:
            bar.set_postfix_str("tellen")
            computed = engine.compute(unit, None, todo, store, parameters)
            per_gemeente = computed["indicator"].map(lambda i: catalogue[i].by_gemeente)
            computed = computed[~(per_gemeente & (computed["level"] == "land"))]
            bar.update()
            bar.set_postfix_str("onthullingscontrole")
            parts = [computed[computed["period"].astype(str) == str(p)].reset_index(drop=True) for p in todo]
            for period, part in zip(todo, _protect_periods(parts, rules, internal)):
                found[period] = part
                try:
                    folder.mkdir(exist_ok=True)
                    write_bytes(paths[period], part.to_parquet(index=False))
                except OSError:
                    pass  # a read-only store: use the table without caching it
            bar.update()
    protected = pd.concat([found[p][found[p]["indicator"].isin(ids)] for p in paths], ignore_index=True)
    origin = {i: "; ".join(dict.fromkeys(store.describe(t) for t in sorted(engine.own_tables(catalogue[i]))))
              for i in ids}  # per indicator: the tables it is counted from, synthetic or imported
    return protected.assign(bron="eigen", source=protected["indicator"].map(origin), cbs_status=None)


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
    path = Path(store.path) / FOLDER / f"{prefix}{key}.parquet"
    if path.exists():
        try:
            return pd.read_parquet(path)
        except UNREADABLE:
            path.unlink(missing_ok=True)  # a damaged cache is rebuilt, not fatal
    regions = [r.code for r in load_regions().all() if r.level in levels] if levels else None
    own, cbs = [i for i in ids if sources[i] == "eigen"], [i for i in ids if sources[i] == "cbs"]
    parts = ([_own(own, periods, store, rules, internal, parameters)] if own else []) + \
        ([_cbs(cbs, regions, periods, store)] if cbs else [])
    if not parts:
        raise engine.EngineError("geen indicatoren om te berekenen uit de gekozen bron")
    protected = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    if regions is not None:
        protected = protected[protected["region_code"].isin(regions)].reset_index(drop=True)
    try:
        path.parent.mkdir(exist_ok=True)
        write_bytes(path, protected.to_parquet(index=False))
        _prune(path.parent, prefix)
    except OSError:
        pass  # a read-only store: use the table without caching it
    return protected


def as_published(table: pd.DataFrame, indicators: list) -> list:
    """``indicators`` as they apply to the figures of a published table: an indicator taken from CBS
    StatLine carries the series breaks CBS documents (:meth:`Indicator.for_source`)."""
    found = table.groupby("indicator")["bron"].first().to_dict() if "bron" in table else {}
    return [i.for_source(found.get(i.id, "eigen")) for i in indicators]
