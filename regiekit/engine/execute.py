"""Running a plan's SQL on a backend and reading the results back per indicator."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from regiekit import digest
from regiekit.data.store import Store
from regiekit.engine import sql
from regiekit.indicators.definitions import Indicator

UNITS = "eenheden"  # the store's folder of kept units tables


def kept_units(store: Store, table: str, plan: sql.PlanSQL) -> Path:
    """Where the store keeps the units table of ``plan`` (counted from ``table``): keyed on the package's
    code, the table's state and the query (its windows and the catalogue's conditions), so a new version, an
    import or other years make a new one (and the old ones are removed: :func:`regiekit.digest.prune`)."""
    name = f"{digest.code()[:12]}-{store.state([table])[:12]}-{digest.of(plan.units)[:20]}.parquet"
    return Path(store.path) / UNITS / name


def run_plan(db, plan: sql.PlanSQL, indicators: list[Indicator], kept: Path | None = None) -> pd.DataFrame:
    """Numerators, denominators and statistics per indicator, region and period (and category, for a
    breakdown) of one plan, as a long table; ``spread`` holds what a statistic's interval needs. The units
    table is computed once (or read from ``kept``: :func:`kept_units`); the queries below read it."""
    db.materialise("units", plan.units, kept)
    frames = []
    if plan.totals:
        wide = db.query(plan.totals)
        for ind in indicators:
            if ind.by is not None:
                continue
            part = wide[["region_code", "period"]].assign(indicator=ind.id, category=None)
            for role in sql.ROLES:
                name = sql.column(role, ind.id)
                if name in wide:
                    part[role] = wide[name]
            frames.append(part)
    if plan.breakdowns:
        counted = db.query(plan.breakdowns)
        for ident, part in counted.groupby("indicator"):
            name = sql.column("denominator", ident)
            if plan.totals and name in wide:
                dens = wide[["region_code", "period", name]].rename(columns={name: "denominator"})
                part = part.merge(dens, on=["region_code", "period"], how="left")
            frames.append(part)
    if not frames:
        return pd.DataFrame()
    result = pd.concat(frames, ignore_index=True)
    ids = {wid: (year, sub) for wid, year, sub, _, _ in sql.windows(plan.period_type, list(plan.years))}
    result["subperiod"] = result["period"].map(lambda w: ids[w][1])
    result["period"] = result["period"].map(lambda w: ids[w][0])
    return result


def population(db, indicators: list[Indicator], years: list) -> pd.DataFrame:
    """Population denominators per indicator, region and year (per age band for a breakdown by age)."""
    rows = [db.query(sql.population_sql(ind, years)).assign(indicator=ind.id) for ind in indicators
            if ind.denominator is not None and ind.denominator.count == "bevolking"]
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()
