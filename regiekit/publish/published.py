"""Publishable indicator tables: engine -> intervals -> disclosure control, for every region and year.

Disclosure control must see every region any report could publish (a gemeente suppressed in one
factsheet must not be recoverable from the jeugdregio and the other gemeenten in other factsheets), so
a published table always covers all regions of all levels and all years of the store. It is audited
before use and cached in the store (``gepubliceerd/``), keyed on the store, the definitions and the
rules, so a batch computes it once. The key includes the package's code (:func:`regiekit.digest.code`)
and the store's state: a new version of a counting rule, a definition or the data gives a new table,
and cached tables that can no longer be used are removed.
"""

from __future__ import annotations

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
from regiekit.publish import disclosure
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


def _own(ids: list[str], regions, periods, store: Store, rules: disclosure.Rules, internal: bool,
         parameters) -> pd.DataFrame:
    """Indicators counted from own records: engine -> intervals -> disclosure control, audited. A list by
    gemeente is published per region below Nederland only: Nederland's list of every gemeente would tie
    all regions' lists together (and a national list of 342 gemeenten is no report)."""
    with tqdm(total=3, desc=f"cijfers voor alle regio's ({len(ids)} indicator{'en' if len(ids) > 1 else ''})",
              unit="stap", disable=not _SHOW_PROGRESS.get(), leave=False,  # gone when done or failed
              bar_format="{desc}: {n}/{total} stappen, {elapsed} {postfix}") as bar:
        bar.set_postfix_str("tellen")
        computed = engine.compute(ids, regions, periods, store, parameters)
        catalogue = load_catalogue()
        per_gemeente = computed["indicator"].map(lambda i: catalogue[i].by_gemeente)
        computed = computed[~(per_gemeente & (computed["level"] == "land"))].reset_index(drop=True)
        bar.update()
        bar.set_postfix_str("onthullingscontrole")
        protected = disclosure.protect(computed, rules, internal)
        bar.update()
        bar.set_postfix_str("controle op terugrekenen")
        unsafe = protected.iloc[:0] if internal else disclosure.audit(protected, rules).query("not safe")
        bar.update()
    if not unsafe.empty:
        first = unsafe.iloc[0]
        raise disclosure.DisclosureError(f"{len(unsafe)} weggelaten cellen zijn terug te rekenen, bijvoorbeeld "
                                         f"{first['indicator']} {first['region_code']} {first['period']}")
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
    parts = ([_own(own, regions, periods, store, rules, internal, parameters)] if own else []) + \
        ([_cbs(cbs, regions, periods, store)] if cbs else [])
    if not parts:
        raise engine.EngineError("geen indicatoren om te berekenen uit de gekozen bron")
    protected = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
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
