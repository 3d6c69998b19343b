"""The indicator engine: one DuckDB pass from the processed store to a tidy table of indicators.

Counting rules (the same for every indicator and region level):
- a youth is counted once per year: in the gemeente of residence of their most recently started
  trajectory that runs in that year, at their age on the last day of care within that year;
- numerators and denominators are counted per gemeente and summed to jeugdregio, provincie and
  Nederland, so every level is a sum of gemeenten and a person is never counted twice;
- values are numerator / denominator, never an average of percentages.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from regiekit import vocabulary
from regiekit.definitions import Count, Indicator, load_catalogue
from regiekit.regions import load_regions
from regiekit.store import Store

COLUMNS = ["indicator", "region_code", "region_name", "level", "period", "numerator", "denominator", "value", "unit"]


class EngineError(ValueError):
    """A request the engine cannot answer (unknown period, no data)."""


def _literal(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "'" + str(value).replace("'", "''") + "'"


def _condition(count: Count) -> str:
    """SQL for a validated ``where`` filter; fields and values come from the fixed vocabulary."""
    parts = [f"{field} in ({', '.join(_literal(v) for v in values)})" for field, values in sorted(count.where.items())]
    return " and ".join(parts) or "true"


def _youth_counts(con, indicators: list[Indicator], years: list[int]) -> tuple[pd.DataFrame, dict]:
    """Per gemeente and year: one column of distinct youths per (filter, age band) in use."""
    flags: dict[tuple, tuple[str, str]] = {}  # filter -> (flag column, SQL condition)
    names: dict[tuple, str] = {}  # (filter, age band) -> count column
    count_sql = []
    for ind in indicators:
        for count in (ind.numerator, ind.denominator):
            if count is None or count.count != "jongeren" or (count.key(), ind.population.age_band) in names:
                continue
            flag, _ = flags.setdefault(count.key(), (f"f{len(flags)}", _condition(count)))
            name = names[(count.key(), ind.population.age_band)] = f"c{len(names)}"
            low, high = vocabulary.band_bounds(ind.population.age_band)
            count_sql.append(f"count(*) filter (where {flag} and leeftijd >= {low} and leeftijd < {high}) as {name}")
    flag_sql = "".join(f",\n bool_or({cond}) as {flag}" for flag, cond in flags.values())
    query = f"""
        with years as (select unnest(?::integer[]) as jaar),
        in_year as (
            select y.jaar, t.*, least(coalesce(t.einddatum, make_date(y.jaar, 12, 31)),
                                      make_date(y.jaar, 12, 31)) as laatste_dag
            from trajecten t join years y
              on t.startdatum <= make_date(y.jaar, 12, 31)
             and (t.einddatum is null or t.einddatum >= make_date(y.jaar, 1, 1))
        ),
        youth_year as (
            select jaar, jeugdige_id,
                   arg_max(gemeente_code, struct_pack(s := startdatum, t := traject_id)) as gemeente_code,
                   date_sub('year', any_value(geboortedatum), max(laatste_dag)) as leeftijd{flag_sql}
            from in_year group by jaar, jeugdige_id
        )
        select gemeente_code, jaar{"".join(", " + c for c in count_sql)}
        from youth_year group by gemeente_code, jaar
    """
    return con.execute(query, [years]).df(), names


def _population(con, bands: set[str], years: list[int]) -> pd.DataFrame:
    cols = ", ".join(
        f"sum(aantal) filter (where leeftijdsklasse in ({', '.join(_literal(b) for b in vocabulary.population_bands(band))})) "
        f"as \"pop_{band}\"" for band in sorted(bands))
    return con.execute(f"select gemeente_code, jaar, {cols} from bevolking where jaar in (select unnest(?::integer[])) "
                       f"group by gemeente_code, jaar", [years]).df()


def compute(indicators: Iterable[str] | None = None, regions: Iterable[str] | None = None,
            periods: Iterable[int] | None = None, store: Store | None = None) -> pd.DataFrame:
    """Compute indicators for regions (codes or names, any level; default all) and years."""
    store = store or Store.open()
    catalogue = load_catalogue()
    selected = catalogue.select(list(indicators) if indicators is not None else None)
    years = sorted(set(int(p) for p in periods)) if periods is not None else store.years
    unknown = [y for y in years if y not in store.years]
    if unknown:
        raise EngineError(f"no data for period(s) {', '.join(map(str, unknown))}; "
                          f"the store holds {store.years[0]}-{store.years[-1]}")
    index = load_regions()
    wanted = [index.get(r) for r in regions] if regions is not None else index.all()
    con = store.connect()
    youth, names = _youth_counts(con, selected, years)
    pop = _population(con, {i.population.age_band for i in selected}, years)
    base = pop.merge(youth, on=["gemeente_code", "jaar"], how="left").fillna(0)

    def column(count: Count | None, ind: Indicator):
        if count is None:
            return None
        if count.count == "bevolking":
            return base[f"pop_{ind.population.age_band}"]
        return base[names[(count.key(), ind.population.age_band)]]

    long = []
    for ind in selected:
        den = column(ind.denominator, ind)
        long.append(pd.DataFrame({
            "indicator": ind.id, "gemeente_code": base["gemeente_code"], "period": base["jaar"].astype(int),
            "numerator": column(ind.numerator, ind).astype("int64"),
            "denominator": den.astype("Int64") if den is not None else pd.array([pd.NA] * len(base), dtype="Int64"),
        }))
    per_gemeente = pd.concat(long, ignore_index=True)
    membership = index.membership()
    membership = membership[membership["region_code"].isin([r.code for r in wanted])]
    result = (per_gemeente.merge(membership, on="gemeente_code")
              .groupby(["indicator", "region_code", "level", "period"], as_index=False)[["numerator", "denominator"]]
              .sum(min_count=1))
    units = {i.id: i.unit for i in selected}
    scale = result["indicator"].map({i.id: i.scale for i in selected})
    den = result["denominator"].astype("Float64")
    result["value"] = (result["numerator"] / den.where(den > 0) * scale).where(
        result["indicator"].map(units) != "count", result["numerator"].astype("Float64"))
    result["unit"] = result["indicator"].map(units)
    result["region_name"] = result["region_code"].map({r.code: r.name for r in wanted})
    order = {i.id: n for n, i in enumerate(selected)}
    result = result.sort_values(["indicator", "level", "region_code", "period"],
                                key=lambda s: s.map(order) if s.name == "indicator" else s)
    return result[COLUMNS].reset_index(drop=True)
