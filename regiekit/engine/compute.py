"""The engine's entry points: :func:`compute` (indicators from own records) and
:func:`published_by_cbs` (the values CBS publishes), both as one tidy table.

Counting rules (the same for every indicator and region level):
- units are youths (``jongeren``), trajectories (``trajecten``) or records (``aanmeldingen``, ...);
  each unit belongs to exactly one gemeente per period, and a region's count is the number of
  units in its member gemeenten, so every level is a sum of gemeenten and nobody counts twice;
- a youth belongs to the gemeente of residence of their most recently started trajectory in the
  period and has the age of their last day of care within the period;
- a trajectory has the age of the youth on its last day within the period; a registration the
  recorded age; values are numerator / denominator, never an average of percentages;
- breakdowns count a unit once per category it has (a youth with two care forms counts under
  both), with all units as the base; missing values form the category ``onbekend``.

The work is split in three: :mod:`~regiekit.engine.sql` writes the SQL of a plan,
:mod:`~regiekit.engine.execute` runs it on a backend (:mod:`~regiekit.engine.backends`), and
:mod:`~regiekit.engine.complete` turns the counts into the finished table. Each plan's units table
is made for every catalogue indicator of the plan and kept in the store (``eenheden/``), so a later
request reads it instead of grouping the trajectories again (:func:`~regiekit.engine.execute.kept_units`).
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from regiekit.data.statline import CELLS_TABLE
from regiekit.data.store import Store
from regiekit.engine import backends, cbs, execute
from regiekit.engine.complete import complete
from regiekit.engine.sql import plan_sql
from regiekit.errors import RegiekitError
from regiekit.indicators.definitions import Count, Indicator, load_catalogue
from regiekit.periods import Period, Span, calendar_years, order, parse
from regiekit.reference.regions import load_regions


class EngineError(RegiekitError):
    """A request the engine cannot answer (unknown period, no data)."""


SOURCES = ("auto", "eigen", "cbs")  # own records, CBS StatLine, or own records where the store holds them


def own_tables(ind: Indicator) -> set[str]:
    """The store tables an indicator is computed from when counted from own records."""
    kinds = {c.count for c in (ind.numerator, ind.denominator) if c is not None}
    return {"trajecten" if k == "jongeren" else k for k in kinds}


def available(selected: list[Indicator], store: Store, bron: str = "auto") -> list[Indicator]:
    """The indicators of ``selected`` that the chosen source has (see :func:`resolve`)."""
    found = []
    for ind in selected:
        try:
            resolve([ind], store, bron)
        except EngineError:
            continue
        found.append(ind)
    return found


def resolve(selected: list[Indicator], store: Store, bron: str = "auto") -> dict[str, str]:
    """Where each indicator comes from: ``eigen`` (counted from the store's own records) or ``cbs``
    (taken from the CBS StatLine cells in the store). ``auto`` takes own records where the store holds
    every table the definition counts, CBS otherwise."""
    if bron not in SOURCES:
        raise EngineError(f"onbekende bron {bron!r}; kies uit {', '.join(SOURCES)}")
    found = {}
    for ind in selected:
        own = own_tables(ind) <= set(store.tables)
        cbs_ok = bool(ind.source.cbs_column) and CELLS_TABLE in store.tables
        choice = {"eigen": "eigen" if own else None, "cbs": "cbs" if cbs_ok else None,
                  "auto": "eigen" if own else "cbs" if cbs_ok else None}[bron]
        if choice is None:
            missing = ", ".join(sorted(own_tables(ind) - set(store.tables))) or "geen"
            where = {"eigen": f"de eigen gegevens missen {missing}",
                     "cbs": "CBS publiceert deze indicator niet met dezelfde basis, of de CBS-cijfers zijn niet "
                            "opgehaald ('regiekit fetch cbs')",
                     "auto": f"de eigen gegevens missen {missing} en CBS publiceert deze indicator niet met "
                             "dezelfde basis (of de CBS-cijfers zijn niet opgehaald)"}[bron]
            raise EngineError(f"{ind.id}: {where}")
        found[ind.id] = choice
    return found


def published_by_cbs(indicators: Iterable[str] | None = None, regions: Iterable[str] | None = None,
                     periods: Iterable[int] | None = None, store: Store | None = None) -> pd.DataFrame:
    """The same table as :func:`compute`, from the CBS StatLine cells in the store (``regiekit fetch
    cbs``) for the indicators the catalogue maps to a StatLine column, with ``status``, ``geheim``,
    ``source`` and ``note`` (see :mod:`regiekit.engine.cbs`)."""
    store = store or Store.open()
    if CELLS_TABLE not in store.tables:
        raise EngineError("de gegevens bevatten geen CBS-cijfers; haal ze op met 'regiekit fetch cbs'")
    selected = load_catalogue().select(list(indicators) if indicators is not None else None)
    index = load_regions()
    wanted = {r.code: r for r in ([index.get(r) for r in regions] if regions is not None else index.all())}
    years = sorted({int(p) for p in periods if not isinstance(p, Span)}) if periods is not None else store.years
    return cbs.values(selected, wanted, years, store)  # CBS publishes years and half years, never a span


def compute(indicators: Iterable[str] | None = None, regions: Iterable[str] | None = None,
            periods: Iterable[Period] | None = None, store: Store | None = None,
            parameters: dict[str, dict[str, int]] | None = None, backend: str | None = None) -> pd.DataFrame:
    """Compute indicators for regions (codes or names, any level; default all) and periods (years, or
    spans of years counted as one window: :mod:`regiekit.periods`).

    ``parameters`` overrides the parameters of a definition's counts, e.g.
    ``{"regie_op_3_jongeren": {"jaren": 5, "aanbieders": 4}}``; ``backend`` is ``duckdb`` (default) or
    ``spark`` (see :mod:`regiekit.engine.backends`).
    """
    store = store or Store.open()
    catalogue = load_catalogue()
    selected = catalogue.select(list(indicators) if indicators is not None else None)
    selected = [_with_parameters(i, (parameters or {}).get(i.id)) for i in selected]
    years = sorted({parse(p) for p in periods}, key=order) if periods is not None else store.years
    unknown = sorted({y for p in years for y in calendar_years(p) if y not in store.years})
    if unknown:
        raise EngineError(f"geen gegevens voor {', '.join(map(str, unknown))}; "
                          f"de gegevens lopen van {store.years[0]} tot en met {store.years[-1]}")
    index = load_regions()
    wanted = {r.code: r for r in ([index.get(r) for r in regions] if regions is not None else index.all())}
    membership = index.membership()
    groups: dict[tuple[str, str], list[Indicator]] = {}
    for ind in selected:
        if ind.numerator.count != "bevolking":
            groups.setdefault((ind.numerator.count, ind.period), []).append(ind)
    every: dict[tuple[str, str], list[Indicator]] = {}  # what each plan's units carry: one table for any request
    for ind in catalogue.values():
        if (ind.numerator.count, ind.period) in groups:
            every.setdefault((ind.numerator.count, ind.period), []).append(
                _with_parameters(ind, (parameters or {}).get(ind.id)))
    tables = {kind: "trajecten" if kind == "jongeren" else kind for kind, _ in groups}  # what a plan counts from
    for table in tables.values():
        if table not in store.tables:
            raise EngineError(f"de gegevens bevatten geen {table}; importeer ze met 'regiekit import' "
                              "of maak de demodata met 'regiekit demo'")
    db = backends.open_backend(store, backend)
    try:
        db.register("membership", membership[membership["region_code"].isin(wanted)])
        parts = []
        for (kind, ptype), inds in groups.items():
            plan = plan_sql(kind, ptype, inds, years, units_of=every[(kind, ptype)])
            parts.append(execute.run_plan(db, plan, inds, execute.kept_units(store, tables[kind], plan)))
        population = execute.population(db, selected, years)
    finally:
        db.close()
    parts = [p for p in parts if not p.empty]  # no records at all in these years: every count is zero
    counted = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    return complete(counted, population, selected, wanted, years)


def _with_parameters(ind: Indicator, overrides: dict[str, int] | None) -> Indicator:
    if not overrides:
        return ind
    counts = {}
    for role in ("numerator", "denominator"):
        count = getattr(ind, role)
        if count is not None and count.parameters:
            counts[role] = Count(**{**count.model_dump(), "parameters": {**count.parameters, **overrides}})
    return Indicator(**{**ind.model_dump(), **{k: v.model_dump() for k, v in counts.items()}})
