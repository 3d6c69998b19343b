"""The SQL of the engine: from indicator definitions to queries, without touching a database.

Indicators that count the same kind of unit (``jongeren``, ``trajecten``, a record dataset) over the
same period type share one *plan*: :func:`plan_sql` writes it as a :class:`PlanSQL`, three queries in
one SQL dialect (DuckDB's; :mod:`regiekit.engine.backends` translates it for Spark):

- ``units``: one row per unit, window (period) and gemeente, with the columns the counts read;
- ``totals``: per region and window, one column per indicator and role, named ``<role>__<indicator>``
  (roles: ``numerator``, ``denominator``, ``statistic``, ``spread``);
- ``breakdowns``: per indicator, region, window and category, the numerator of each breakdown.

Youth-level conditions (did the youth have care of this kind in the window?) become *flags*, boolean
columns aggregated per youth (as bits of one bitwise-or aggregate: one aggregate state per youth instead
of one per flag); a flag's name is derived from its SQL, so the same condition is computed once however
many indicators use it. Fields and values come from the validated vocabulary, never from
free text.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from regiekit.data import vocabulary
from regiekit.indicators.definitions import Count, Filter, Indicator, Range
from regiekit.periods import Period, Span, last_year

UNKNOWN = "onbekend"
ROLES = ("numerator", "denominator", "statistic", "spread")

_BAND_SQL = ("case when leeftijd < 4 then '0-4' when leeftijd < 12 then '4-12' "
             "when leeftijd < 18 then '12-18' when leeftijd < 23 then '18-23' else '23+' end")
_FIRST_AGE_SQL = ("case when leeftijd_eerste_traject < 4 then 'voor_basisschool' "
                  "when leeftijd_eerste_traject < 12 then 'basisschool' else 'na_basisschool' end")
_YOUTH_CATEGORIES = {"zorgvorm": vocabulary.ZORGVORM, "soort": tuple(vocabulary.SOORT),
                     "verwijzer": vocabulary.VERWIJZER, "combinatie": tuple(vocabulary.SOORT)}
# Derived fields of record datasets (fixed SQL, never taken from a definition file).
_DERIVED = {
    "aanmeldingen": ("date_diff('day', r.aanmelddatum, r.adviesdatum)::double as doorlooptijd_dagen, "
                     "r.gemeente_financieel != r.gemeente_aanmelding as financieel_elders, "
                     "r.adviesdatum is not null as advies_gegeven"),
    "plaatsingen": ("date_diff('day', r.startdatum, least(coalesce(r.einddatum, w.wend), w.wend))::double / 30.4375 "
                    "as verblijfsduur_maanden"),
}
_FLAG_BITS = 62  # flags per bigint mask (the sign bit left alone)
PROVIDERS_FIELD = "aanbieders_in_periode"  # the one youth field that costs a count of distinct providers


def column(role: str, indicator: str) -> str:
    """The name of the result column holding ``role`` of ``indicator``."""
    return f"{role}__{indicator}"


def literal(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(float(value))
    return "'" + str(value).replace("'", "''") + "'"


def condition(where: Filter, alias: str = "") -> str:
    """SQL for a validated filter."""
    parts = []
    for field_name, cond in sorted(where.items()):
        name = f"{alias}{field_name}"
        if isinstance(cond, Range):
            ops = {"gt": ">", "ge": ">=", "lt": "<", "le": "<="}
            parts += [f"{name} {ops[op]} {literal(v)}" for op, v in cond.model_dump().items() if v is not None]
        elif field_name in vocabulary.MULTI_VALUED:
            parts.append(f"list_has_any(string_split({name}, ';'), [{', '.join(literal(v) for v in cond)}])")
        else:
            parts.append(f"{name} in ({', '.join(literal(v) for v in cond)})")
    return " and ".join(parts) or "true"


def age_sql(born: str, on: str) -> str:
    """Completed years from ``born`` to ``on``, in SQL that DuckDB and Spark read alike."""
    return (f"(year({on}) - year({born}) - case when month({on}) * 100 + day({on}) "
            f"< month({born}) * 100 + day({born}) then 1 else 0 end)")


def windows(period_type: str, years: list[Period]) -> list[tuple[int, int, str | None, str, str]]:
    """(window id, year, subperiod, first day, last day) of each window of a period type.

    calendar_year: the year; peildatum: 31 December; half_year: H1 and H2 of the year;
    school_year: 1 August of the previous year to 31 July of the year (subperiod '2023/2024'). A
    :class:`~regiekit.periods.Span` is one window of its whole years (31 December of its last year for
    a peildatum), whatever the period type."""
    found = []
    for y in years:
        if isinstance(y, Span):
            start = f"{y.last}-12-31" if period_type == "peildatum" else f"{y.first}-01-01"
            found.append((y.id, y.last, str(y), start, f"{y.last}-12-31"))
        elif period_type == "calendar_year":
            found.append((y, y, None, f"{y}-01-01", f"{y}-12-31"))
        elif period_type == "peildatum":
            found.append((y, y, None, f"{y}-12-31", f"{y}-12-31"))
        elif period_type == "half_year":
            found += [(y * 10 + 1, y, "H1", f"{y}-01-01", f"{y}-06-30"),
                      (y * 10 + 2, y, "H2", f"{y}-07-01", f"{y}-12-31")]
        else:
            found.append((y, y, f"{y - 1}/{y}", f"{y - 1}-08-01", f"{y}-07-31"))
    return found


def exclusive_breakdown(ind: Indicator) -> bool:
    """Whether every unit falls in exactly one category of the indicator's breakdown (so the categories
    add up to the total), as opposed to multi-valued fields where a unit can count under several."""
    if ind.by is None:
        return False
    if ind.numerator.count == "jongeren" and ind.by in ("zorgvorm", "soort", "verwijzer"):
        return False
    return ind.by not in vocabulary.MULTI_VALUED


@dataclass(frozen=True)
class Fragment:
    """A piece of SQL over the unit table and the youth-level columns it needs computed."""

    sql: str
    flags: dict[str, str] = field(default_factory=dict)  # name -> condition on one of a youth's trajectories
    repeats: dict[str, Count] = field(default_factory=dict)  # name -> the repeated-care count it marks
    history: bool = False  # needs each youth's first start per provider


def _flag(sql: str) -> tuple[str, dict[str, str]]:
    name = "f_" + hashlib.sha1(sql.encode()).hexdigest()[:12]
    return name, {name: sql}


def _age_condition(ind: Indicator, kind: str) -> str:
    if kind in vocabulary.WITHOUT_AGE:
        return "true"
    low, high = vocabulary.band_bounds(ind.population.age_band)
    sql = f"leeftijd >= {low} and leeftijd < {high}"
    if ind.population.geslacht:
        sql += f" and geslacht = {literal(ind.population.geslacht)}"
    return sql


def selects(kind: str, count: Count, ind: Indicator) -> Fragment:
    """The condition on the unit table that selects the units ``count`` counts."""
    if kind != "jongeren":
        event = {"in_zorg": "true", "gestart": "gestart", "beeindigd": "beeindigd"}[count.event]
        return Fragment(f"({condition(count.where)}) and {event} and {_age_condition(ind, kind)}")
    base = condition(count.where)
    event = {"in_zorg": base, "stapeling": base, "herhaald_beroep": base,
             "gestart": f"({base}) and startdatum >= wstart",
             "beeindigd": f"({base}) and einddatum <= wend"}[count.event]
    parts, flags, repeats = [], {}, {}
    for sql in [event] + [condition(w) for w in count.also]:
        name, new = _flag(sql)
        parts.append(name)
        flags.update(new)
    if count.event == "stapeling":
        years, providers = count.parameters["jaren"], count.parameters["aanbieders"]
        parts.append(f"date_diff('day', eerste_start, laatste_dag) > {years * 365.25} "
                     f"and aanbieders_tot_nu > {providers}")
    if count.event == "herhaald_beroep":
        name = "r_" + hashlib.sha1(count.model_dump_json().encode()).hexdigest()[:12]
        parts.append(name)
        repeats[name] = count
    return Fragment(" and ".join(parts) + f" and {_age_condition(ind, kind)}", flags, repeats,
                    history=count.event == "stapeling")


def categories(kind: str, ind: Indicator) -> Fragment:
    """An expression giving the list of categories of a unit in the indicator's breakdown (null
    entries are no category)."""
    by = ind.by
    if kind == "jongeren" and by in _YOUTH_CATEGORIES:
        # one flag per category (cheaper than collecting lists per youth, and plain SQL everywhere)
        field_sql = "soort" if by == "combinatie" else f"coalesce({by}, '{UNKNOWN}')"
        known = sorted(_YOUTH_CATEGORIES[by]) + ([] if by in ("soort", "combinatie") else [UNKNOWN])
        cond = condition(ind.numerator.where)
        cases, flags = [], {}
        for category in known:
            name, new = _flag(f"{field_sql} = {literal(category)} and ({cond})")
            cases.append(f"case when {name} then {literal(category)} end")
            flags.update(new)
        if by == "combinatie":  # the care types a youth has, alphabetically, joined with '+'
            return Fragment(f"[concat_ws('+', {', '.join(cases)})]", flags)
        return Fragment(f"[{', '.join(cases)}]", flags)
    if by == "leeftijd_eerste_traject":
        return Fragment(f"[{_FIRST_AGE_SQL}]", history=True)
    if by in vocabulary.MULTI_VALUED:
        return Fragment(f"coalesce(string_split({by}, ';'), ['{UNKNOWN}'])")
    return Fragment(f"[coalesce({by}::varchar, '{UNKNOWN}')]")


def _fields_read(ind: Indicator) -> set[str]:
    """Every field of the unit table that an indicator's counts, statistic and breakdown read."""
    found = {ind.by} if ind.by else set()
    if ind.statistic is not None:
        found.add(ind.statistic.field)
    for count in (ind.numerator, ind.denominator):
        if count is not None:
            found |= set(count.where) | {f for w in count.also for f in w}
    return found


@dataclass(frozen=True)
class PlanSQL:
    """The queries of one plan (see the module docstring)."""

    kind: str
    period_type: str
    years: tuple[Period, ...]
    units: str
    totals: str | None
    breakdowns: str | None


def _fragments(kind: str, ind: Indicator) -> list[Fragment]:
    """What the units table must carry for ``ind``: its counts' conditions and its breakdown."""
    found = [selects(kind, ind.numerator, ind)]
    if ind.by is not None and ind.statistic is None:
        found.append(categories(kind, ind))
    if ind.denominator is not None and ind.denominator.count != "bevolking":
        found.append(selects(kind, ind.denominator, ind))
    return found


def plan_sql(kind: str, period_type: str, indicators: list[Indicator], years: list[Period],
             units_of: list[Indicator] | None = None) -> PlanSQL:
    """The queries that count ``indicators`` (all of unit ``kind`` and one period type) in ``years``.
    ``totals`` and ``breakdowns`` read the materialised ``units`` table and the ``membership`` table
    (gemeente_code, region_code). The units table carries what ``units_of`` needs (default
    ``indicators``; it must include them): with every indicator of the kind and period type, one units
    table serves every request, and can be kept (:mod:`regiekit.engine.execute`)."""
    counter = "count(distinct unit_key)" if kind in vocabulary.RECORDS else "count(*)"
    units_of = indicators if units_of is None else units_of
    totals, parts = {}, []
    for ind in indicators:
        num = selects(kind, ind.numerator, ind)
        if ind.statistic is not None:
            f = ind.statistic.field
            fn = {"mean": "avg", "median": "median"}[ind.statistic.function]
            totals[column("statistic", ind.id)] = f"{fn}({f}) filter (where {num.sql})"
            totals[column("numerator", ind.id)] = f"count({f}) filter (where {num.sql})"  # units with a value
            totals[column("denominator", ind.id)] = f"count(*) filter (where {num.sql})"  # all: the rest is missing
            totals[column("spread", ind.id)] = (f"stddev_samp({f}) filter (where {num.sql})"
                                                if ind.statistic.function == "mean"
                                                else f"list({f}) filter (where {num.sql} and {f} is not null)")
        elif ind.by is None:
            totals[column("numerator", ind.id)] = f"{counter} filter (where {num.sql})"
        else:
            parts.append((ind.id, num.sql, categories(kind, ind).sql))
        if ind.denominator is not None and ind.denominator.count != "bevolking":
            den = selects(kind, ind.denominator, ind)
            totals[column("denominator", ind.id)] = f"{counter} filter (where {den.sql})"
    fragments = [f for ind in units_of for f in _fragments(kind, ind)]
    providers = any(PROVIDERS_FIELD in _fields_read(i) for i in units_of)
    units = (f"with {_windows_sql(period_type, years)}, {_units_sql(kind, fragments, providers)} "
             "select * from units")
    total_sql = None
    if totals:
        select = ", ".join(f"{sql} as {name}" for name, sql in totals.items())
        total_sql = (f"select m.region_code, u.period, {select} "
                     "from units u join membership m using (gemeente_code) group by all")
    breakdown_sql = None
    if parts:  # all breakdowns in one query: one pass for DuckDB, one job for Spark
        key = ", u.unit_key" if kind in vocabulary.RECORDS else ""
        breakdown_sql = " union all ".join(f"""
            select {literal(ident)} as indicator, m.region_code, c.period, c.category, {counter} as numerator
            from (select u.gemeente_code, u.period{key}, unnest({cats}) as category from units u where {num}) c
            join membership m using (gemeente_code) where c.category is not null group by all"""
                                           for ident, num, cats in parts)
    return PlanSQL(kind, period_type, tuple(years), units, total_sql, breakdown_sql)


def population_sql(ind: Indicator, years: list[Period]) -> str:
    """The population denominator of an indicator per region and year (per age band for a breakdown
    by age), from ``bevolking`` and ``membership``; a span's population is that of its last year."""
    bands = ", ".join(literal(b) for b in vocabulary.population_bands(ind.population.age_band))
    sex = f" and geslacht = {literal(ind.population.geslacht)}" if ind.population.geslacht else ""
    category = "leeftijdsklasse" if ind.by == "leeftijdsklasse" else "''"
    return (f"select m.region_code, jaar as period, {category} as category, sum(aantal) as population "
            "from bevolking b join membership m using (gemeente_code) "
            f"where jaar in ({', '.join(str(last_year(y)) for y in years)}) and leeftijdsklasse in ({bands}){sex} "
            "group by all")


def _windows_sql(period_type: str, years: list[Period]) -> str:
    rows = [f"({wid}, date '{start}', date '{end}')" for wid, _, _, start, end in windows(period_type, years)]
    return f"w(period, wstart, wend) as (values {', '.join(rows)})"


def _repeat_cte(name: str, count: Count) -> str:
    """Youths who start care in the window within ``maanden`` months after an earlier trajectory ended."""
    return f"""{name} as (
            select w.period, a.jeugdige_id, true as {name}
            from trajecten a join w on a.startdatum between w.wstart and w.wend
            join trajecten b on b.jeugdige_id = a.jeugdige_id and b.einddatum < a.startdatum
                 and b.einddatum >= a.startdatum - interval {int(count.parameters['maanden'])} month
            where {condition(count.where, 'a.')} and {condition(count.where, 'b.')}
            group by all)"""


def _units_sql(kind: str, fragments: list[Fragment], providers: bool) -> str:
    """A CTE chain ending in ``units`` (one row per unit, period and gemeente)."""
    if kind in vocabulary.RECORDS:
        return _record_units_sql(kind)
    overlap = "join w on t.startdatum <= w.wend and (t.einddatum is null or t.einddatum >= w.wstart)"
    last_day = "least(coalesce(t.einddatum, w.wend), w.wend)"
    if kind == "trajecten":
        return f"""units0 as (
            select w.period, t.*, {age_sql('t.geboortedatum', last_day)} as leeftijd,
                   date_diff('day', t.startdatum, {last_day})::double / 365.25 as duur_jaren,
                   t.startdatum >= w.wstart as gestart,
                   t.einddatum is not null and t.einddatum <= w.wend as beeindigd
            from trajecten t {overlap}),
        units as (select *, {_BAND_SQL} as leeftijdsklasse from units0)"""
    flags = {n: s for f in fragments for n, s in f.flags.items()}
    repeats = {n: c for f in fragments for n, c in f.repeats.items()}
    history = any(f.history for f in fragments)
    # each flag a bit of a bigint, or-ed over the youth's trajectories (a null condition is false)
    names = sorted(flags)
    masks = [names[k:k + _FLAG_BITS] for k in range(0, len(names), _FLAG_BITS)]
    bits = [" + ".join(f"(coalesce({flags[n]}, false)::bigint << {b})" for b, n in enumerate(m)) for m in masks]
    flag_sql = "".join(f",\n bit_or({sql}) as mask_{k}" for k, sql in enumerate(bits))
    flag_columns = "".join(f", (mask_{k} >> {b}) & 1 = 1 as {n}" for k, m in enumerate(masks) for b, n in enumerate(m))
    # the distinct providers of a youth's list: several times faster in DuckDB than count(distinct) per group
    provider_sql = (f"array_length(list_distinct(list(aanbieder_id)))::double as {PROVIDERS_FIELD}" if providers
                    else f"null::double as {PROVIDERS_FIELD}")
    firsts = hist = history_columns = ""
    if history:
        firsts = """, firsts as (
            select jeugdige_id, aanbieder_id, min(startdatum) as eerste from trajecten group by all)"""
        hist = """
        hist as (
            select y.period, y.jeugdige_id, min(f.eerste) filter (where f.eerste <= y.wend) as eerste_start,
                   count(f.aanbieder_id) filter (where f.eerste <= y.wend) as aanbieders_tot_nu
            from youth y join firsts f using (jeugdige_id) group by y.period, y.jeugdige_id),"""
        history_columns = (", hist.eerste_start, hist.aanbieders_tot_nu, "
                           f"{age_sql('youth.geboortedatum', 'hist.eerste_start')} as leeftijd_eerste_traject")
    repeat_ctes = "".join(f"\n{_repeat_cte(n, c)}," for n, c in sorted(repeats.items()))
    repeat_columns = "".join(f", coalesce({n}.{n}, false) as {n}" for n in sorted(repeats))
    repeat_joins = "".join(f" left join {n} using (period, jeugdige_id)" for n in sorted(repeats))
    return f"""tw as (
            select w.period, w.wstart, w.wend, t.*, {last_day} as laatste_dag from trajecten t {overlap}){firsts},
        {repeat_ctes} youth as (
            select period, jeugdige_id,
                   arg_max(gemeente_code, struct_pack(s := startdatum, t := traject_id)) as gemeente_code,
                   any_value(geslacht) as geslacht, any_value(geboortedatum) as geboortedatum,
                   max(laatste_dag) as laatste_dag, any_value(wend) as wend,
                   {age_sql('any_value(geboortedatum)', 'max(laatste_dag)')} as leeftijd,
                   {provider_sql}{flag_sql}
            from tw group by period, jeugdige_id),{hist}
        units as (
            select youth.*, {_BAND_SQL} as leeftijdsklasse{flag_columns}{history_columns}{repeat_columns}
            from youth {"join hist using (period, jeugdige_id)" if history else ""}{repeat_joins})"""


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
