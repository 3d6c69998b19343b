"""The indicator engine: SQL queries (run by :mod:`regiekit.backends`) from the processed store to one tidy table of indicators.

Counting rules (the same for every indicator and region level):
- units are youths (``jongeren``), trajectories (``trajecten``) or registrations (``aanmeldingen``);
  each unit belongs to exactly one gemeente per period, and a region's count is the number of
  units in its member gemeenten, so every level is a sum of gemeenten and nobody counts twice;
- a youth belongs to the gemeente of residence of their most recently started trajectory in the
  period and has the age of their last day of care within the period;
- a trajectory has the age of the youth on its last day within the period; a registration the
  recorded age; values are numerator / denominator, never an average of percentages;
- breakdowns count a unit once per category it has (a youth with two care forms counts under
  both), with all units as the base; missing values form the category ``onbekend``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from regiekit import backends, statistics, vocabulary
from regiekit.definitions import Count, Filter, Indicator, Range, load_catalogue
from regiekit.regions import load_regions
from regiekit.store import Store

COLUMNS = ["indicator", "region_code", "region_name", "level", "period", "subperiod", "category",
           "numerator", "denominator", "value", "unit", "ci_low", "ci_high"]
UNKNOWN = "onbekend"


class EngineError(ValueError):
    """A request the engine cannot answer (unknown period, no data)."""


def _literal(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(float(value))
    return "'" + str(value).replace("'", "''") + "'"


def _condition(where: Filter, alias: str = "") -> str:
    """SQL for a validated filter; fields and values come from the fixed vocabulary."""
    parts = []
    for field_name, cond in sorted(where.items()):
        name = f"{alias}{field_name}"
        if isinstance(cond, Range):
            ops = {"gt": ">", "ge": ">=", "lt": "<", "le": "<="}
            parts += [f"{name} {ops[op]} {_literal(v)}" for op, v in cond.model_dump().items() if v is not None]
        elif field_name in vocabulary.MULTI_VALUED:
            parts.append(f"list_has_any(string_split({name}, ';'), [{', '.join(_literal(v) for v in cond)}])")
        else:
            parts.append(f"{name} in ({', '.join(_literal(v) for v in cond)})")
    return " and ".join(parts) or "true"


def _age_condition(ind: Indicator, kind: str) -> str:
    if kind in vocabulary.WITHOUT_AGE:
        return "true"
    low, high = vocabulary.band_bounds(ind.population.age_band)
    sql = f"leeftijd >= {low} and leeftijd < {high}"
    if ind.population.geslacht:
        sql += f" and geslacht = {_literal(ind.population.geslacht)}"
    return sql


def _age_sql(born: str, on: str) -> str:
    """Completed years from ``born`` to ``on``, in SQL that DuckDB and Spark read alike."""
    return (f"(year({on}) - year({born}) - case when month({on}) * 100 + day({on}) "
            f"< month({born}) * 100 + day({born}) then 1 else 0 end)")


_BAND_SQL = ("case when leeftijd < 4 then '0-4' when leeftijd < 12 then '4-12' "
             "when leeftijd < 18 then '12-18' when leeftijd < 23 then '18-23' else '23+' end")
_FIRST_AGE_SQL = ("case when leeftijd_eerste_traject < 4 then 'voor_basisschool' "
                  "when leeftijd_eerste_traject < 12 then 'basisschool' else 'na_basisschool' end")


@dataclass
class _Plan:
    """The SQL pieces for one kind of unit and period type."""

    kind: str
    period_type: str
    flags: dict[str, str] = field(default_factory=dict)    # youth-level flag SQL -> column
    ctes: list[str] = field(default_factory=list)
    joins: list[str] = field(default_factory=list)  # herhaald-beroep CTEs joined onto the youths
    aggregates: dict[str, str] = field(default_factory=dict)  # column -> aggregate SQL
    need_history: bool = False

    @property
    def counter(self) -> str:
        """How units are counted: youths and trajectories are one row each, records by their key."""
        return "count(distinct unit_key)" if self.kind in vocabulary.RECORDS else "count(*)"

    def flag(self, sql: str) -> str:
        return self.flags.setdefault(sql, f"f{len(self.flags)}")

    def unit_condition(self, count: Count, ind: Indicator) -> str:
        """SQL over the unit table selecting the units a count counts."""
        if self.kind != "jongeren":
            event = {"in_zorg": "true", "gestart": "gestart", "beeindigd": "beeindigd"}[count.event]
            return f"({_condition(count.where)}) and {event} and {_age_condition(ind, self.kind)}"
        base = _condition(count.where)
        event = {"in_zorg": base, "stapeling": base, "herhaald_beroep": base,
                 "gestart": f"({base}) and startdatum >= wstart",
                 "beeindigd": f"({base}) and einddatum <= wend"}[count.event]
        parts = [self.flag(f"bool_or({event})")] + [self.flag(f"bool_or({_condition(w)})") for w in count.also]
        if count.event == "stapeling":
            self.need_history = True
            years, providers = count.parameters["jaren"], count.parameters["aanbieders"]
            parts.append(f"date_diff('day', eerste_start, laatste_dag) > {years * 365.25} and aanbieders_tot_nu > {providers}")
        if count.event == "herhaald_beroep":
            parts.append(self._repeat_flag(count))
        return " and ".join(parts) + f" and {_age_condition(ind, self.kind)}"

    def _repeat_flag(self, count: Count) -> str:
        name = f"r{len(self.ctes)}"
        self.ctes.append(f"""{name} as (
            select w.period, a.jeugdige_id, true as {name}
            from trajecten a join w on a.startdatum between w.wstart and w.wend
            join trajecten b on b.jeugdige_id = a.jeugdige_id and b.einddatum < a.startdatum
                 and b.einddatum >= a.startdatum - interval {int(count.parameters['maanden'])} month
            where {_condition(count.where, 'a.')} and {_condition(count.where, 'b.')}
            group by all)""")
        self.joins.append(name)
        return name


def windows(period_type: str, years: list[int]) -> list[tuple[int, int, str | None, str, str]]:
    """(window id, year, subperiod, first day, last day) of each window of a period type.

    calendar_year: the year; peildatum: 31 December; half_year: H1 and H2 of the year;
    school_year: 1 August of the previous year to 31 July of the year (subperiod '2023/2024')."""
    found = []
    for y in years:
        if period_type == "calendar_year":
            found.append((y, y, None, f"{y}-01-01", f"{y}-12-31"))
        elif period_type == "peildatum":
            found.append((y, y, None, f"{y}-12-31", f"{y}-12-31"))
        elif period_type == "half_year":
            found += [(y * 10 + 1, y, "H1", f"{y}-01-01", f"{y}-06-30"), (y * 10 + 2, y, "H2", f"{y}-07-01", f"{y}-12-31")]
        else:
            found.append((y, y, f"{y - 1}/{y}", f"{y - 1}-08-01", f"{y}-07-31"))
    return found


def _windows_sql(period_type: str, years: list[int]) -> str:
    rows = [f"({wid}, date '{start}', date '{end}')" for wid, _, _, start, end in windows(period_type, years)]
    return f"w(period, wstart, wend) as (values {', '.join(rows)})"


def _units_sql(plan: _Plan, reads: str) -> str:
    """A CTE chain ending in ``units`` (one row per unit, period and gemeente); ``reads`` is the SQL
    that will read the units, so costly derived columns are only computed when it uses them."""
    if plan.kind in vocabulary.RECORDS:
        return _record_units_sql(plan.kind)
    overlap = ("join w on t.startdatum <= w.wend and (t.einddatum is null or t.einddatum >= w.wstart)")
    last_day = "least(coalesce(t.einddatum, w.wend), w.wend)"
    if plan.kind == "trajecten":
        return f"""units0 as (
            select w.period, t.*, {_age_sql('t.geboortedatum', last_day)} as leeftijd,
                   date_diff('day', t.startdatum, {last_day})::double / 365.25 as duur_jaren,
                   t.startdatum >= w.wstart as gestart,
                   t.einddatum is not null and t.einddatum <= w.wend as beeindigd
            from trajecten t {overlap}),
        units as (select *, {_BAND_SQL} as leeftijdsklasse from units0)"""
    flags = "".join(f",\n {sql} as {name}" for sql, name in plan.flags.items())
    providers = ("count(distinct aanbieder_id)::double as aanbieders_in_periode" if "aanbieders_in_periode" in reads
                 else "null::double as aanbieders_in_periode")
    history = ""
    if plan.need_history:
        history = """, firsts as (
            select jeugdige_id, aanbieder_id, min(startdatum) as eerste from trajecten group by all)"""
    hist = """
        hist as (
            select y.period, y.jeugdige_id, min(f.eerste) filter (where f.eerste <= y.wend) as eerste_start,
                   count(f.aanbieder_id) filter (where f.eerste <= y.wend) as aanbieders_tot_nu
            from youth y join firsts f using (jeugdige_id) group by y.period, y.jeugdige_id),""" if plan.need_history else ""
    extra = "".join(f"\n{c}," for c in plan.ctes)
    history_columns = (", hist.eerste_start, hist.aanbieders_tot_nu, "
                       f"{_age_sql('youth.geboortedatum', 'hist.eerste_start')} as leeftijd_eerste_traject"
                       if plan.need_history else "")
    repeat_columns = "".join(f", coalesce({n}.{n}, false) as {n}" for n in plan.joins)
    repeat_joins = "".join(f" left join {n} using (period, jeugdige_id)" for n in plan.joins)
    return f"""tw as (
            select w.period, w.wstart, w.wend, t.*, {last_day} as laatste_dag from trajecten t {overlap}){history},
        {extra} youth as (
            select period, jeugdige_id,
                   arg_max(gemeente_code, struct_pack(s := startdatum, t := traject_id)) as gemeente_code,
                   any_value(geslacht) as geslacht, any_value(geboortedatum) as geboortedatum,
                   max(laatste_dag) as laatste_dag, any_value(wend) as wend,
                   {_age_sql('any_value(geboortedatum)', 'max(laatste_dag)')} as leeftijd,
                   {providers}{flags}
            from tw group by period, jeugdige_id),{hist}
        units as (
            select youth.*, {_BAND_SQL} as leeftijdsklasse{history_columns}{repeat_columns}
            from youth {"join hist using (period, jeugdige_id)" if plan.need_history else ""}{repeat_joins})"""


# Derived fields of record datasets (fixed SQL, never taken from a definition file).
_DERIVED = {
    "aanmeldingen": ("date_diff('day', r.aanmelddatum, r.adviesdatum)::double as doorlooptijd_dagen, "
                     "r.gemeente_financieel != r.gemeente_aanmelding as financieel_elders, "
                     "r.adviesdatum is not null as advies_gegeven"),
    "plaatsingen": ("date_diff('day', r.startdatum, least(coalesce(r.einddatum, w.wend), w.wend))::double / 30.4375 "
                    "as verblijfsduur_maanden"),
}


def _record_units_sql(kind: str) -> str:
    rec = vocabulary.RECORDS[kind]
    start, end = f"r.{rec['start']}", rec["end"] and f"r.{rec['end']}"
    if end:
        join = f"{start} <= w.wend and ({end} is null or {end} >= w.wstart)"
    else:
        join = f"{start} between w.wstart and w.wend"
    gemeente = "" if rec["gemeente"] == "gemeente_code" else f", r.{rec['gemeente']} as gemeente_code"
    age = "null" if kind in vocabulary.WITHOUT_AGE else _BAND_SQL
    derived = f", {_DERIVED[kind]}" if kind in _DERIVED else ""
    return f"""units0 as (
            select w.period, r.*{gemeente}{derived}, {start} >= w.wstart as gestart, r.{rec['key']} as unit_key
            from {kind} r join w on {join}),
        units as (select *, {age} as leeftijdsklasse from units0)"""


def exclusive_breakdown(ind: Indicator) -> bool:
    """Whether every unit falls in exactly one category of the indicator's breakdown (so the categories
    add up to the total), as opposed to multi-valued fields where a unit can count under several."""
    if ind.by is None:
        return False
    if ind.numerator.count == "jongeren" and ind.by in ("zorgvorm", "soort", "verwijzer"):
        return False
    return ind.by not in vocabulary.MULTI_VALUED


_YOUTH_CATEGORIES = {"zorgvorm": vocabulary.ZORGVORM, "soort": tuple(vocabulary.SOORT),
                     "verwijzer": vocabulary.VERWIJZER, "combinatie": tuple(vocabulary.SOORT)}


def _category_sql(plan: _Plan, ind: Indicator) -> str:
    """Expression giving the list of categories of a unit (null entries are no category)."""
    by = ind.by
    if plan.kind == "jongeren" and by in _YOUTH_CATEGORIES:
        # one flag per category (cheaper than collecting lists per youth, and plain SQL everywhere)
        field_sql = "soort" if by == "combinatie" else f"coalesce({by}, '{UNKNOWN}')"
        known = sorted(_YOUTH_CATEGORIES[by]) + ([] if by in ("soort", "combinatie") else [UNKNOWN])
        cond = _condition(ind.numerator.where)
        flags = {c: plan.flag(f"bool_or({field_sql} = {_literal(c)} and ({cond}))") for c in known}
        cases = [f"case when {flag} then {_literal(c)} end" for c, flag in flags.items()]
        if by == "combinatie":  # the care types a youth has, alphabetically, joined with '+'
            return f"[concat_ws('+', {', '.join(cases)})]"
        return f"[{', '.join(cases)}]"
    if by == "leeftijd_eerste_traject":
        plan.need_history = True
        return f"[{_FIRST_AGE_SQL}]"
    if by in vocabulary.MULTI_VALUED:
        return f"coalesce(string_split({by}, ';'), ['{UNKNOWN}'])"
    return f"[coalesce({by}::varchar, '{UNKNOWN}')]"


def _run_plan(db, plan: _Plan, indicators: list[Indicator], years: list[int]) -> pd.DataFrame:
    """Numerators, denominators and statistics per region and period for one plan."""
    totals, by_queries = {}, []
    for n, ind in enumerate(indicators):
        num = plan.unit_condition(ind.numerator, ind)
        if ind.statistic is not None:
            fn = {"mean": "avg", "median": "median"}[ind.statistic.function]
            totals[f"s{n}"] = f"{fn}({ind.statistic.field}) filter (where {num})"
            totals[f"n{n}"] = f"count({ind.statistic.field}) filter (where {num})"  # units with a value
            totals[f"d{n}"] = f"count(*) filter (where {num})"  # all units: the difference is missing
            f = ind.statistic.field
            totals[f"v{n}"] = (f"stddev_samp({f}) filter (where {num})" if ind.statistic.function == "mean"
                               else f"list({f}) filter (where {num} and {f} is not null)")
        elif ind.by is None:
            totals[f"n{n}"] = f"{plan.counter} filter (where {num})"
        else:
            by_queries.append((n, num, _category_sql(plan, ind)))
        if ind.denominator is not None and ind.denominator.count != "bevolking":
            totals[f"d{n}"] = f"{plan.counter} filter (where {plan.unit_condition(ind.denominator, ind)})"
    # materialise the units once; every aggregate below reads them
    reads = " ".join([*totals.values(), *(f"{num} {categories}" for _, num, categories in by_queries)])
    db.materialise("units", f"with {_windows_sql(plan.period_type, years)}, {_units_sql(plan, reads)} "
                   "select * from units")
    frames = []
    if totals:
        select = ", ".join(f"{sql} as {name}" for name, sql in totals.items())
        wide = db.query(f"""select m.region_code, u.period, {select}
            from units u join membership m using (gemeente_code) group by all""")
        for n, ind in enumerate(indicators):
            if ind.by is not None:
                continue
            part = wide[["region_code", "period"]].assign(indicator=ind.id, category=None,
                                                          numerator=wide[f"n{n}"])
            if f"s{n}" in wide:
                part["statistic"] = wide[f"s{n}"]
                part["ci_low"], part["ci_high"] = _statistic_interval(ind, wide[f"s{n}"], wide[f"v{n}"], wide[f"n{n}"])
            if f"d{n}" in wide:
                part["denominator"] = wide[f"d{n}"]
            frames.append(part)
    if by_queries:  # all breakdowns in one query: one pass for DuckDB, one job for Spark
        key = ", u.unit_key" if plan.kind in vocabulary.RECORDS else ""
        counted = db.query(" union all ".join(f"""
            select {n} as part, m.region_code, c.period, c.category, {plan.counter} as numerator
            from (select u.gemeente_code, u.period{key}, unnest({categories}) as category from units u where {num}) c
            join membership m using (gemeente_code) where c.category is not null group by all""" for n, num, categories in by_queries))
        for n, part in counted.groupby("part"):
            part = part.drop(columns="part")
            if f"d{n}" in totals:
                dens = wide[["region_code", "period", f"d{n}"]].rename(columns={f"d{n}": "denominator"})
                part = part.merge(dens, on=["region_code", "period"], how="left")
            frames.append(part.assign(indicator=indicators[n].id))
    if not frames:
        return pd.DataFrame()
    result = pd.concat(frames, ignore_index=True)
    ids = {wid: (year, sub) for wid, year, sub, _, _ in windows(plan.period_type, years)}
    result["subperiod"] = result["period"].map(lambda w: ids[w][1])
    result["period"] = result["period"].map(lambda w: ids[w][0])
    return result


def _statistic_interval(ind: Indicator, values: pd.Series, spreads: pd.Series, counts: pd.Series):
    """Interval of a mean (from its standard deviation) or a median (from the sorted values)."""
    if ind.statistic.function == "mean":
        pairs = [statistics.mean_interval(v, s, n) for v, s, n in zip(values, spreads, counts)]
    else:
        pairs = [statistics.median_interval([] if s is None or s is pd.NA else sorted(s)) for s in spreads]
    return [p[0] for p in pairs], [p[1] for p in pairs]


def _population(db, indicators: list[Indicator], years: list[int]) -> pd.DataFrame:
    """Population denominators per indicator, region and year (per age band for a breakdown by age)."""
    rows = []
    for ind in indicators:
        if ind.denominator is None or ind.denominator.count != "bevolking":
            continue
        bands = ", ".join(_literal(b) for b in vocabulary.population_bands(ind.population.age_band))
        sex = f" and geslacht = {_literal(ind.population.geslacht)}" if ind.population.geslacht else ""
        category = "leeftijdsklasse" if ind.by == "leeftijdsklasse" else "''"
        part = db.query(f"""select m.region_code, jaar as period, {category} as category, sum(aantal) as population
            from bevolking b join membership m using (gemeente_code)
            where jaar in ({', '.join(str(int(y)) for y in years)}) and leeftijdsklasse in ({bands}){sex}
            group by all""")
        rows.append(part.assign(indicator=ind.id))
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()


def published_by_cbs(indicators: Iterable[str] | None = None, regions: Iterable[str] | None = None,
                     periods: Iterable[int] | None = None, store: Store | None = None) -> pd.DataFrame:
    """The same table as :func:`compute`, from the CBS StatLine values in the store (``regiekit fetch
    cbs``): CBS publishes values, not numerators and denominators, so those columns stay empty."""
    store = store or Store.open()
    if "cbs_waarden" not in store.tables:
        raise EngineError("the store holds no CBS values; run 'regiekit fetch cbs' first")
    index = load_regions()
    values = store.table("cbs_waarden")
    if indicators is not None:
        load_catalogue().select(list(indicators))  # unknown ids raise
        values = values[values["indicator"].isin(list(indicators))]
    if regions is not None:
        values = values[values["region_code"].isin([index.get(r).code for r in regions])]
    if periods is not None:
        values = values[values["period"].isin([int(p) for p in periods])]
    names = {r.code: r.name for r in index.all()}
    return values.assign(region_name=values["region_code"].map(names), category=None,
                         numerator=pd.NA, denominator=pd.NA, ci_low=np.nan, ci_high=np.nan)[COLUMNS + ["voorlopig", "note"]].reset_index(drop=True)


def compute(indicators: Iterable[str] | None = None, regions: Iterable[str] | None = None,
            periods: Iterable[int] | None = None, store: Store | None = None,
            parameters: dict[str, dict[str, int]] | None = None, backend: str | None = None) -> pd.DataFrame:
    """Compute indicators for regions (codes or names, any level; default all) and years.

    ``parameters`` overrides the parameters of a definition's counts, e.g.
    ``{"regie_op_3_jongeren": {"jaren": 5, "aanbieders": 4}}``; ``backend`` is ``duckdb`` (default) or
    ``spark`` (see :mod:`regiekit.backends`).
    """
    store = store or Store.open()
    selected = load_catalogue().select(list(indicators) if indicators is not None else None)
    selected = [_with_parameters(i, (parameters or {}).get(i.id)) for i in selected]
    years = sorted({int(p) for p in periods}) if periods is not None else store.years
    unknown = [y for y in years if y not in store.years]
    if unknown:
        raise EngineError(f"no data for period(s) {', '.join(map(str, unknown))}; "
                          f"the store holds {store.years[0]}-{store.years[-1]}")
    index = load_regions()
    wanted = {r.code: r for r in ([index.get(r) for r in regions] if regions is not None else index.all())}
    membership = index.membership()
    groups: dict[tuple[str, str], list[Indicator]] = {}
    for ind in selected:
        if ind.numerator.count != "bevolking":
            groups.setdefault((ind.numerator.count, ind.period), []).append(ind)
    for kind, _ in groups:
        table = "trajecten" if kind == "jongeren" else kind
        if table not in store.tables:
            raise EngineError(f"the store holds no {table}; import or generate them first")
    db = backends.open_backend(store, backend)
    try:
        db.register("membership", membership[membership["region_code"].isin(wanted)])
        parts = [_run_plan(db, _Plan(kind, ptype), inds, years) for (kind, ptype), inds in groups.items()]
        population = _population(db, selected, years)
    finally:
        db.close()
    parts = [p for p in parts if not p.empty]  # no records at all in these years: every count is zero
    counted = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    return _complete(counted, population, selected, wanted, years)


def _with_parameters(ind: Indicator, overrides: dict[str, int] | None) -> Indicator:
    if not overrides:
        return ind
    counts = {}
    for role in ("numerator", "denominator"):
        count = getattr(ind, role)
        if count is not None and count.parameters:
            counts[role] = Count(**{**count.model_dump(), "parameters": {**count.parameters, **overrides}})
    return Indicator(**{**ind.model_dump(), **{k: v.model_dump() for k, v in counts.items()}})


def _complete_categories(rows: pd.DataFrame, selected: list[Indicator], wanted: dict, years: list[int]) -> pd.DataFrame:
    """Every category of a breakdown for every region and period, zero where nothing counted: a missing
    row would be read as zero anyway, and disclosure control needs the whole table."""
    keys = ["indicator", "region_code", "period", "subperiod", "category"]
    parts = []
    for ind in selected:
        mine = rows[rows["indicator"] == ind.id]
        categories = sorted(mine["category"].dropna().unique())
        if ind.by is None or not categories:
            continue
        grid = pd.DataFrame([(ind.id, code, year, sub, cat) for code in wanted for _, year, sub, _, _ in
                             windows(ind.period, years) for cat in categories], columns=keys)
        full = grid.merge(mine, on=keys, how="left")
        full["numerator"] = full["numerator"].fillna(0)
        if "denominator" in full:
            known = full.groupby(["region_code", "period", "subperiod"], dropna=False)["denominator"].transform("max")
            full["denominator"] = full["denominator"].fillna(known)
            if ind.denominator is not None and ind.denominator.count != "bevolking":
                full["denominator"] = full["denominator"].fillna(0)  # no units at all in that region and period
        parts.append(full)
    return pd.concat(parts, ignore_index=True) if parts else rows


def _complete(counted: pd.DataFrame, population: pd.DataFrame, selected: list[Indicator],
              wanted: dict, years: list[int]) -> pd.DataFrame:
    """One row per indicator, region and period (per category for breakdowns), zero where nothing counted."""
    defs = {i.id: i for i in selected}
    keys = ["indicator", "region_code", "period"]
    grid = [(i.id, code, year, sub) for i in selected if i.by is None for code in wanted
            for _, year, sub, _, _ in windows(i.period, years)]
    frame = pd.DataFrame(grid, columns=[*keys, "subperiod"])
    if not counted.empty:
        counted["subperiod"] = counted["subperiod"].astype(object)
        frame = frame.merge(counted[counted["category"].isna()], on=[*keys, "subperiod"], how="left")
        frame = pd.concat([frame, _complete_categories(counted[counted["category"].notna()], selected, wanted, years)],
                          ignore_index=True)
    for column in ("category", "numerator", "denominator", "statistic", "ci_low", "ci_high"):
        if column not in frame:
            frame[column] = pd.NA
    if not population.empty:
        frame["category"] = frame["category"].fillna("")
        frame = frame.merge(population, on=[*keys, "category"], how="left")
        frame["category"] = frame["category"].replace("", None)
        frame["denominator"] = frame["denominator"].astype("Float64").fillna(frame["population"].astype("Float64"))
    frame["numerator"] = frame["numerator"].fillna(0).astype("int64")
    frame["denominator"] = frame["denominator"].astype("Float64").round().astype("Int64")
    is_stat = frame["indicator"].map(lambda i: defs[i].statistic is not None)
    has_den = frame["indicator"].map(lambda i: defs[i].denominator is not None) | is_stat
    frame.loc[~has_den, "denominator"] = pd.NA
    scale = frame["indicator"].map(lambda i: defs[i].scale).astype(float)
    den = frame["denominator"].astype("Float64")
    frame["value"] = (frame["numerator"] / den.where(den > 0) * scale).where(
        has_den, frame["numerator"].astype("Float64"))
    frame.loc[is_stat, "value"] = pd.to_numeric(frame.loc[is_stat, "statistic"], errors="coerce")
    frame["unit"] = frame["indicator"].map(lambda i: defs[i].unit)
    frame = statistics.with_intervals(frame)
    frame["region_name"] = frame["region_code"].map({c: r.name for c, r in wanted.items()})
    frame["level"] = frame["region_code"].map({c: r.level for c, r in wanted.items()})
    order = {i.id: n for n, i in enumerate(selected)}
    frame = frame.sort_values(["indicator", "level", "region_code", "period", "subperiod", "category"],
                              key=lambda s: s.map(order) if s.name == "indicator" else s, na_position="first")
    return frame[COLUMNS].reset_index(drop=True)
