"""The engine's SQL, read and checked without a database: what a plan computes follows from the
definitions, columns are named by indicator, and every query is valid SQL in the engine's dialect."""

import re

import sqlglot

from regiekit.engine import sql
from regiekit.indicators.definitions import load_catalogue


def _plan(ids, years=(2023, 2024)):
    inds = load_catalogue().select(ids)
    kinds = {(i.numerator.count, i.period) for i in inds}
    assert len(kinds) == 1
    (kind, period_type), = kinds
    return sql.plan_sql(kind, period_type, inds, list(years))


def _valid(statement: str) -> None:
    sqlglot.parse_one(statement, read="duckdb")  # raises on a syntax error


def test_columns_are_named_by_indicator_and_role():
    plan = _plan(["jeugdhulp_pct", "jeugdhulp_verblijf_aandeel", "aanbieders_per_jongere"])
    names = re.findall(r" as (\w+__\w+)", plan.totals)
    assert names == ["numerator__jeugdhulp_pct", "numerator__jeugdhulp_verblijf_aandeel",
                     "denominator__jeugdhulp_verblijf_aandeel", "statistic__aanbieders_per_jongere",
                     "numerator__aanbieders_per_jongere", "denominator__aanbieders_per_jongere",
                     "spread__aanbieders_per_jongere"]
    # a population denominator is not counted from the units but taken from bevolking
    assert "denominator__jeugdhulp_pct" not in plan.totals
    population = sql.population_sql(load_catalogue()["jeugdhulp_pct"], [2024])
    assert "from bevolking" in population and "'0-4', '4-12', '12-18'" in population
    for statement in (plan.units, plan.totals, population):
        _valid(statement)


def test_the_windows_of_each_period_type():
    assert "(2024, date '2024-01-01', date '2024-12-31')" in _plan(["jeugdhulp_pct"], [2024]).units
    assert "(20241, date '2024-01-01', date '2024-06-30'), (20242, date '2024-07-01', date '2024-12-31')" in \
        _plan(["jeugdhulp_aantal_halfjaar"], [2024]).units
    assert "(2024, date '2024-12-31', date '2024-12-31')" in _plan(["uithuisplaatsing_ots_pct"], [2024]).units


def test_provider_counts_only_when_a_definition_reads_them():
    without = _plan(["jeugdhulp_pct", "jeugdhulp_aantal"])
    with_providers = _plan(["jeugdhulp_pct", "aanbieders_per_jongere"])
    assert "aanbieder_id" not in without.units
    assert "null::double as aanbieders_in_periode" in without.units
    assert "array_length(list_distinct(list(aanbieder_id)))::double as aanbieders_in_periode" in with_providers.units


def test_a_condition_shared_by_indicators_is_one_flag():
    plan = _plan(["jeugdhulp_pct", "jeugdhulp_aantal", "jeugdhulp_verblijf_pct"])
    flags = set(re.findall(r" as (f_[0-9a-f]{12})", plan.units))
    assert len(flags) == 2  # jeugdhulp (shared by two indicators) and jeugdhulp met verblijf
    again = _plan(["jeugdhulp_verblijf_pct", "jeugdhulp_aantal", "jeugdhulp_pct"])
    assert set(re.findall(r" as (f_[0-9a-f]{12})", again.units)) == flags  # names follow the SQL, not the order


def test_history_and_repeated_care_only_where_needed():
    assert "firsts as" not in _plan(["jeugdhulp_pct"]).units
    stacked = _plan(["regie_op_3_jongeren", "regie_op_3_leeftijd_eerste_traject"])
    assert "firsts as" in stacked.units and "leeftijd_eerste_traject" in stacked.units
    assert "> 1095.75 and aanbieders_tot_nu > 3" in stacked.totals  # more than 3 years, more than 3 providers
    repeated = _plan(["herhaald_beroep_pct"])
    assert re.search(r"r_[0-9a-f]{12} as \(", repeated.units) and "interval 12 month" in repeated.units
    for plan in (stacked, repeated):
        _valid(plan.units)
        if plan.breakdowns:
            _valid(plan.breakdowns)


def test_breakdowns_are_one_query_labelled_by_indicator():
    plan = _plan(["verblijfsvorm_aantal", "jeugdbescherming_maatregel_aantal", "jeugdhulp_pct"])
    assert re.findall(r"select '(\w+)' as indicator", plan.breakdowns) == ["verblijfsvorm_aantal",
                                                                           "jeugdbescherming_maatregel_aantal"]
    assert plan.breakdowns.count("union all") == 1
    _valid(plan.breakdowns)
    records = _plan(["casusonderzoeken_geslacht_pct", "casusonderzoeken_aantal"])
    assert "count(distinct unit_key)" in records.breakdowns and "from casusonderzoeken r" in records.units


def test_plans_do_not_change_the_definitions():
    inds = load_catalogue().select(["regie_op_3_jongeren", "verblijfsvorm_aandeel"])
    before = [i.model_dump() for i in inds]
    first = sql.plan_sql("jongeren", "calendar_year", inds, [2024])
    assert sql.plan_sql("jongeren", "calendar_year", inds, [2024]) == first
    assert [i.model_dump() for i in inds] == before
