"""The engine: persons counted once, levels are sums of gemeenten, values are ratios of sums."""

import os
from datetime import date

import pandas as pd
import pytest

from regiekit import engine
from regiekit.data.store import StoreError
from regiekit.engine import backends
from regiekit.periods import PeriodError, Span, parse
from regiekit.reference.regions import load_regions

from .conftest import make_store

ASSEN, EMMEN = "GM0106", "GM0114"


def _trajectory(tid, youth, gemeente, zorgvorm, start, end, born=date(2010, 6, 15)):
    return {"traject_id": tid, "jeugdige_id": youth, "geslacht": "man", "geboortedatum": born,
            "gemeente_code": gemeente, "aanbieder_id": f"A{tid}", "zorgvorm": zorgvorm, "verwijzer": "huisarts",
            "startdatum": start, "einddatum": end, "reden_beeindiging": None if end is None else "volgens_plan"}


@pytest.fixture
def tiny_store(tmp_path):
    """Hand-made data whose counts are known."""
    rows = [
        _trajectory(1, 101, ASSEN, "zonder_verblijf", date(2024, 1, 10), date(2024, 8, 1)),
        _trajectory(2, 101, ASSEN, "pleegzorg", date(2024, 3, 1), None),           # same youth, overlapping
        _trajectory(3, 102, ASSEN, "zonder_verblijf", date(2024, 1, 1), date(2024, 3, 31)),
        _trajectory(4, 102, EMMEN, "zonder_verblijf", date(2024, 4, 1), None),    # moved: counts in Emmen
        _trajectory(5, 103, ASSEN, "zonder_verblijf", date(2024, 1, 1), date(2024, 5, 31),
                    born=date(2006, 6, 15)),                                          # 17 on last day of care
        _trajectory(6, 104, ASSEN, "zonder_verblijf", date(2022, 1, 1), date(2023, 12, 31)),  # not in 2024
        _trajectory(7, 105, ASSEN, "ots", date(2023, 5, 1), None),
        _trajectory(8, 106, ASSEN, "zonder_verblijf", date(2024, 2, 1), date(2024, 11, 30),
                    born=date(2006, 1, 15)),                                          # 18 on last day: not 0-18
    ]
    return make_store(tmp_path, pd.DataFrame(rows))


def _values(frame):
    return frame.set_index(["indicator", "region_code", "period"])


def test_a_youth_counts_once_where_they_last_started_care(tiny_store):
    result = _values(engine.compute(["jeugdhulp_pct", "jeugdhulp_aantal", "jeugdhulp_verblijf_aandeel"],
                                    [ASSEN, EMMEN, "JZ04", "NL01"], [2024], tiny_store))
    # Assen 2024, 0-18: youths 101 and 103 (102 moved to Emmen, 104 ended in 2023, 106 was 18)
    assert result.loc[("jeugdhulp_pct", ASSEN, 2024), "numerator"] == 2
    assert result.loc[("jeugdhulp_pct", ASSEN, 2024), "denominator"] == 600
    assert result.loc[("jeugdhulp_pct", ASSEN, 2024), "value"] == pytest.approx(100 * 2 / 600)
    assert result.loc[("jeugdhulp_pct", EMMEN, 2024), "numerator"] == 1
    assert result.loc[("jeugdhulp_pct", "JZ04", 2024), "numerator"] == 3
    assert result.loc[("jeugdhulp_aantal", ASSEN, 2024), "numerator"] == 3  # 0-23 includes youth 106
    share = result.loc[("jeugdhulp_verblijf_aandeel", ASSEN, 2024)]
    assert (share["numerator"], share["denominator"]) == (1, 3)


def test_jeugdbescherming_running_from_an_earlier_year(tiny_store):
    result = _values(engine.compute(["jeugdbescherming_pct"], [ASSEN], [2023, 2024], tiny_store))
    assert result.loc[("jeugdbescherming_pct", ASSEN, 2023), "numerator"] == 1
    assert result.loc[("jeugdbescherming_pct", ASSEN, 2024), "numerator"] == 1


def test_unknown_period_is_refused(tiny_store):
    with pytest.raises(engine.EngineError, match=r"geen gegevens voor 2030"):
        engine.compute(["jeugdhulp_pct"], [ASSEN], [2030], tiny_store)


def test_every_level_is_the_sum_of_its_gemeenten(demo_store):
    regions = load_regions()
    result = engine.compute(["jeugdhulp_pct", "jeugdhulp_verblijf_aandeel"], periods=[2019, 2024], store=demo_store)
    gemeente = result[result["level"] == "gemeente"].set_index(["indicator", "region_code", "period"])
    higher = result[result["level"] != "gemeente"]
    assert set(higher["level"]) == {"jeugdregio", "provincie", "land", "grootteklasse"}
    assert len(higher) == 2 * 2 * (42 + 12 + 1 + 5)  # the size classes of gemeenten too
    for row in higher.itertuples():
        members = gemeente.loc[[(row.indicator, g, row.period) for g in regions.members(row.region_code)]]
        assert row.numerator == members["numerator"].sum()
        assert row.denominator == members["denominator"].sum()
        assert row.value == pytest.approx(100 * members["numerator"].sum() / members["denominator"].sum())
    # never the mean of the gemeente percentages
    nl = higher[(higher["region_code"] == "NL01") & (higher["indicator"] == "jeugdhulp_pct")]
    mean_of_pcts = gemeente.xs(("jeugdhulp_pct", 2024), level=("indicator", "period"))["value"].mean()
    assert nl[nl["period"] == 2024]["value"].iloc[0] != pytest.approx(mean_of_pcts, abs=1e-9)


def _frame(rows):
    return pd.DataFrame(rows)


def test_period_logic_peildatum_started_ended_and_spanning_years(tmp_path):
    rows = [
        _trajectory(1, 201, ASSEN, "zonder_verblijf", date(2022, 6, 1), date(2024, 2, 1)),   # spans 2022-2024
        _trajectory(2, 202, ASSEN, "zonder_verblijf", date(2023, 3, 1), date(2023, 12, 30)),  # ends before 31-12
        _trajectory(3, 203, ASSEN, "zonder_verblijf", date(2023, 12, 31), None),              # starts on 31-12
        _trajectory(4, 204, ASSEN, "zonder_verblijf", date(2020, 1, 1), None),                # > 4 years in 2024
    ]
    store = make_store(tmp_path, _frame(rows), years=(2022, 2023, 2024))
    result = _values(engine.compute(["trajecten_gestart", "trajecten_beeindigd", "trajecten_lopend",
                                     "trajecten_langer_dan_4_jaar_pct", "jeugdhulp_aantal"],
                                    [ASSEN], None, store))
    n = result["numerator"]
    assert [n["trajecten_gestart", ASSEN, y] for y in (2022, 2023, 2024)] == [1, 2, 0]
    assert [n["trajecten_beeindigd", ASSEN, y] for y in (2022, 2023, 2024)] == [0, 1, 1]
    assert [n["trajecten_lopend", ASSEN, y] for y in (2022, 2023, 2024)] == [2, 3, 2]
    assert [n["jeugdhulp_aantal", ASSEN, y] for y in (2022, 2023, 2024)] == [2, 4, 3]
    assert [n["trajecten_langer_dan_4_jaar_pct", ASSEN, y] for y in (2022, 2023, 2024)] == [0, 0, 1]


def test_a_project_period_is_one_window_that_counts_everyone_once(tmp_path):
    """A span of years ('2022-2023') is one window: a youth in care in both years counts once, a
    trajectory that started in either year counts as started, a peildatum is the span's last 31 December."""
    rows = [
        _trajectory(1, 201, ASSEN, "zonder_verblijf", date(2022, 6, 1), date(2024, 2, 1)),   # both years
        _trajectory(2, 202, ASSEN, "zonder_verblijf", date(2023, 3, 1), date(2023, 12, 30)),
        _trajectory(3, 203, ASSEN, "zonder_verblijf", date(2023, 12, 31), None),
        _trajectory(4, 204, ASSEN, "zonder_verblijf", date(2020, 1, 1), None),                # both years
    ]
    store = make_store(tmp_path, _frame(rows), years=(2022, 2023, 2024))
    span = Span(2022, 2023)
    result = engine.compute(["jeugdhulp_aantal", "trajecten_gestart", "trajecten_lopend"], [ASSEN], [span], store)
    n = result.set_index("indicator")["numerator"]
    assert (n["jeugdhulp_aantal"], n["trajecten_gestart"], n["trajecten_lopend"]) == (4, 3, 3)  # years: 2 and 4
    assert set(result["period"]) == {2023} and set(result["subperiod"]) == {"2022-2023"}
    with pytest.raises(engine.EngineError, match="geen gegevens voor 2021"):
        engine.compute(["jeugdhulp_aantal"], [ASSEN], [Span(2021, 2023)], store)


def test_periods_are_years_or_spans_of_years():
    assert (parse("2024"), parse(2024), parse("2021-2023"), parse(" 2021 - 2023 ")) == \
        (2024, 2024, Span(2021, 2023), Span(2021, 2023))
    assert parse("2023-2023") == 2023 and str(Span(2021, 2023)) == "2021-2023"
    for bad in ("2023-2021", "21-23", "volgend jaar"):
        with pytest.raises(PeriodError):
            parse(bad)


def test_herhaald_beroep_within_the_window(tmp_path):
    rows = [
        _trajectory(1, 301, ASSEN, "zonder_verblijf", date(2022, 1, 1), date(2023, 1, 31)),
        _trajectory(2, 301, ASSEN, "zonder_verblijf", date(2023, 6, 1), None),       # back within 12 months
        _trajectory(3, 302, ASSEN, "zonder_verblijf", date(2021, 1, 1), date(2022, 1, 31)),
        _trajectory(4, 302, ASSEN, "zonder_verblijf", date(2023, 6, 1), None),       # back after 16 months
        _trajectory(5, 303, ASSEN, "zonder_verblijf", date(2023, 2, 1), None),       # first help
    ]
    store = make_store(tmp_path, _frame(rows), years=(2022, 2023))
    result = _values(engine.compute(["herhaald_beroep_pct"], [ASSEN], [2023], store))
    row = result.loc[("herhaald_beroep_pct", ASSEN, 2023)]
    assert (row["numerator"], row["denominator"]) == (1, 3)


def test_stapeling_thresholds_are_parameters(tmp_path):
    rows = [_trajectory(i, 401, ASSEN, "zonder_verblijf", date(2020 + i // 2, 1 + (i % 2) * 6, 1), None)
            for i in range(4)]                                                         # 4 providers since 2020
    rows += [_trajectory(10 + i, 402, ASSEN, "zonder_verblijf", date(2023, 1, 1), None) for i in range(5)]
    store = make_store(tmp_path, _frame(rows), years=(2024,))
    default = _values(engine.compute(["regie_op_3_jongeren", "regie_op_3_pct"], [ASSEN], [2024], store))
    assert default.loc[("regie_op_3_jongeren", ASSEN, 2024), "numerator"] == 1   # 401: > 3 years, 4 providers
    assert default.loc[("regie_op_3_pct", ASSEN, 2024), "denominator"] == 2
    stricter = _values(engine.compute(["regie_op_3_jongeren"], [ASSEN], [2024], store,
                                      parameters={"regie_op_3_jongeren": {"jaren": 5}}))
    assert stricter.loc[("regie_op_3_jongeren", ASSEN, 2024), "numerator"] == 0
    looser = _values(engine.compute(["regie_op_3_jongeren"], [ASSEN], [2024], store,
                                    parameters={"regie_op_3_jongeren": {"jaren": 1, "aanbieders": 2}}))
    assert looser.loc[("regie_op_3_jongeren", ASSEN, 2024), "numerator"] == 2


def test_breakdowns_count_cases_not_mentions(tmp_path):
    registrations = pd.DataFrame([
        {"casus_id": "C1", "problematiek_jeugdige": "adhd;ass", "aanmelddatum": date(2024, 1, 5),
         "adviesdatum": date(2024, 2, 5), "geslacht": "jongen", "leeftijd": 9},
        {"casus_id": "C2", "problematiek_jeugdige": "ass", "aanmelddatum": date(2024, 3, 5),
         "adviesdatum": date(2024, 6, 5), "geslacht": "meisje", "leeftijd": 15},
        {"casus_id": "C3", "problematiek_jeugdige": None, "aanmelddatum": date(2024, 4, 5),
         "adviesdatum": None, "geslacht": "jongen", "leeftijd": 12},
        {"casus_id": "C4", "problematiek_jeugdige": "trauma", "aanmelddatum": date(2023, 4, 5),
         "adviesdatum": date(2023, 4, 20), "geslacht": "jongen", "leeftijd": 12},
    ]).assign(gemeente_aanmelding=ASSEN, gemeente_financieel=[ASSEN, EMMEN, ASSEN, ASSEN])
    store = make_store(tmp_path, _frame([_trajectory(1, 1, ASSEN, "zonder_verblijf", date(2024, 1, 1), None)]),
                       aanmeldingen=registrations)
    result = engine.compute(["aanmeldingen_problematiek_jeugdige_pct", "aanmeldingen_aantal",
                             "doorlooptijd_mediaan", "doorlooptijd_binnen_norm_pct",
                             "aanmeldingen_financieel_elders_pct"], ["JZ04"], [2024], store)
    problems = result[result["indicator"] == "aanmeldingen_problematiek_jeugdige_pct"].set_index("category")
    assert dict(problems["numerator"]) == {"adhd": 1, "ass": 2, "onbekend": 1}
    assert set(problems["denominator"]) == {3}                       # three cases, four mentions
    plain = result[result["category"].isna()].set_index("indicator")
    assert plain.loc["aanmeldingen_aantal", "numerator"] == 3
    assert plain.loc["doorlooptijd_mediaan", "value"] == pytest.approx((31 + 92) / 2)
    assert plain.loc["doorlooptijd_mediaan", "numerator"] == 2      # cases with an advice
    assert (plain.loc["doorlooptijd_binnen_norm_pct", "numerator"],
            plain.loc["doorlooptijd_binnen_norm_pct", "denominator"]) == (1, 2)
    assert plain.loc["aanmeldingen_financieel_elders_pct", "numerator"] == 1


def test_youth_breakdowns_count_a_youth_once_per_care_form_and_combination(tmp_path):
    rows = [
        _trajectory(1, 1, ASSEN, "pleegzorg", date(2024, 1, 1), date(2024, 3, 1)),
        _trajectory(2, 1, ASSEN, "gesloten", date(2024, 4, 1), None),        # two verblijf forms
        _trajectory(3, 1, ASSEN, "pleegzorg", date(2024, 6, 1), None),       # the first form again
        _trajectory(4, 2, ASSEN, "pleegzorg", date(2024, 2, 1), None),
        _trajectory(5, 2, ASSEN, "ots", date(2024, 2, 1), None),             # jeugdhulp and jeugdbescherming
        _trajectory(6, 3, ASSEN, "zonder_verblijf", date(2024, 5, 1), None),  # no verblijf
    ]
    store = make_store(tmp_path, _frame(rows), years=(2024,))
    result = engine.compute(["verblijfsvorm_aantal", "zorgcombinatie_aandeel"], [ASSEN], [2024], store)
    forms = result[(result["indicator"] == "verblijfsvorm_aantal") & (result["numerator"] > 0)]
    assert dict(zip(forms["category"], forms["numerator"])) == {"gesloten": 1, "pleegzorg": 2}
    combinations = result[(result["indicator"] == "zorgcombinatie_aandeel") & (result["numerator"] > 0)]
    assert dict(zip(combinations["category"], combinations["numerator"])) == {
        "jeugdhulp": 2, "jeugdbescherming+jeugdhulp": 1}
    assert set(combinations["denominator"]) == {3}


def test_the_store_refuses_an_unknown_verwijzer(tmp_path):
    frame = _frame([_trajectory(1, 1, ASSEN, "pleegzorg", date(2024, 1, 1), None)]).assign(verwijzer="buurman")
    with pytest.raises(StoreError, match="1 rijen met een onbekende verwijzer"):
        make_store(tmp_path, frame, years=(2024,))


def test_every_catalogue_indicator_computes_on_the_demo_data(demo_store):
    from regiekit.indicators.definitions import load_catalogue

    catalogue = load_catalogue()
    result = engine.compute(None, ["JZ14", "GM0153"], [2021, 2024], demo_store)
    assert set(result["indicator"]) == set(catalogue)
    for ident, rows in result.groupby("indicator"):
        ind = catalogue[ident]
        if (ind.by is None or ind.denominator is None
                or (ind.by == "leeftijdsklasse" and ind.denominator.count == "bevolking")):
            continue
        per_region = rows.groupby(["region_code", "period"]).agg(n=("numerator", "sum"), d=("denominator", "first"))
        multi = ind.by in ("problematiek_jeugdige", "problematiek_ouders", "huidige_zorg", "classificaties",
                           "reden_verwijzing", "afspraken", "zorgvorm", "verwijzer")
        # a category per unit: the categories add up to the base; multi-valued ones to at least the base
        assert ((per_region["n"] >= per_region["d"]) if multi else (per_region["n"] == per_region["d"])).all(), ident


def test_statistics_report_missing_values(tmp_path):
    reviews = pd.DataFrame({
        "casus_id": ["A", "B", "C", "D"], "jeugdige_id": [1, 2, 3, 4], "gemeente_code": ASSEN,
        "startdatum": [date(2023, 3, 1)] * 4, "geslacht": "jongen", "leeftijd": [9, 12, 15, 16],
        "woonsituatie": "bij_ouders", "ouders_deelname": "ja",
        "leeftijd_eerste_hulp": [None, "basisschool", None, None],
        "volgt_onderwijs": "ja", "verklarende_analyse": "nee", "huidige_zorg": None, "classificaties": "ass",
        "schoolwisselingen": pd.array([2, 3, None, 4], dtype="Int32"),
        "hulptrajecten": pd.array([None] * 4, dtype="Int32"),
    })
    rebuilt = make_store(tmp_path, _frame([_trajectory(1, 1, ASSEN, "zonder_verblijf", date(2023, 1, 1), None)]),
                         casusonderzoeken=reviews)
    result = engine.compute(["casusonderzoeken_schoolwisselingen_gemiddeld", "casusonderzoeken_leeftijd_eerste_hulp",
                             "casusonderzoeken_hulptrajecten_gemiddeld"], [ASSEN], [2023], rebuilt)
    mean = result[result["indicator"] == "casusonderzoeken_schoolwisselingen_gemiddeld"].iloc[0]
    assert (mean["numerator"], mean["denominator"], mean["value"]) == (3, 4, 3.0)   # one of four missing
    first = result[result["indicator"] == "casusonderzoeken_leeftijd_eerste_hulp"].set_index("category")
    assert first.loc["onbekend", "numerator"] == 3
    none = result[result["indicator"] == "casusonderzoeken_hulptrajecten_gemiddeld"].iloc[0]
    assert none["numerator"] == 0 and none["denominator"] == 4 and pd.isna(none["value"])
    assert rebuilt.tables == ["bevolking", "trajecten", "aanmeldingen", "casusonderzoeken"]


def test_placements_on_the_peildatum_and_distinct_youths(tmp_path):
    placements = pd.DataFrame({
        "plaatsing_id": ["P1", "P2", "P3", "P4"], "jeugdige_id": [1, 1, 2, 3], "gemeente_code": ASSEN,
        "leeftijd": [15, 15, 14, 16], "machtiging": ["spoedmachtiging", "reguliere_machtiging",
                                                     "spoedmachtiging", "voorwaardelijke_machtiging"],
        "startdatum": [date(2024, 1, 1), date(2024, 6, 1), date(2024, 11, 1), date(2023, 12, 1)],
        "einddatum": [date(2024, 3, 31), None, date(2024, 12, 30), date(2024, 1, 31)],
        "servicepunt": ["nee", "ja", "nee", "nee"],
    })
    rebuilt = make_store(tmp_path, _frame([_trajectory(1, 1, ASSEN, "zonder_verblijf", date(2024, 1, 1), None)]),
                         plaatsingen=placements)
    result = engine.compute(["jeugdzorgplus_jongeren", "jeugdzorgplus_peildatum", "jeugdzorgplus_machtiging"],
                            [ASSEN], [2024], rebuilt)
    plain = result[result["category"].isna()].set_index("indicator")["numerator"]
    assert plain["jeugdzorgplus_jongeren"] == 3        # youth 1 placed twice counts once
    assert plain["jeugdzorgplus_peildatum"] == 1       # only P2 runs on 31 December
    with pytest.raises(engine.EngineError, match="de gegevens bevatten geen pilot_casussen"):
        engine.compute(["pilot_betrokkenen_gemiddeld", "enquete_rust_ouder_eens_pct"], [ASSEN], [2024], rebuilt)


def test_half_year_and_school_year_windows(tmp_path):
    rows = [
        _trajectory(1, 501, ASSEN, "zonder_verblijf", date(2024, 2, 1), date(2024, 3, 1)),     # H1 only
        _trajectory(2, 502, ASSEN, "zonder_verblijf", date(2024, 5, 1), date(2024, 9, 1)),     # H1 and H2
        _trajectory(3, 503, ASSEN, "zonder_verblijf", date(2024, 10, 1), None),                # H2 only
    ]
    days = [date(2023, 7, 31), date(2023, 8, 1), date(2024, 7, 31)]
    registrations = pd.DataFrame({"casus_id": ["A", "B", "C"], "gemeente_aanmelding": ASSEN,
                                  "gemeente_financieel": ASSEN, "aanmelddatum": days, "adviesdatum": days,
                                  "leeftijd": 10})
    store = make_store(tmp_path, _frame(rows), aanmeldingen=registrations)
    result = engine.compute(["jeugdhulp_aantal_halfjaar", "jeugdhulp_aantal", "aanmeldingen_aantal_schooljaar"],
                            [ASSEN], [2024], store)
    half = result[result["indicator"] == "jeugdhulp_aantal_halfjaar"].set_index("subperiod")["numerator"]
    assert dict(half) == {"H1": 2, "H2": 2}
    assert result[result["indicator"] == "jeugdhulp_aantal"]["numerator"].iloc[0] == 3
    school = result[result["indicator"] == "aanmeldingen_aantal_schooljaar"].iloc[0]
    assert (school["subperiod"], school["numerator"]) == ("2023/2024", 2)


def test_duckdb_keeps_to_half_the_memory_unless_told_otherwise(tiny_store, monkeypatch):
    """DuckDB on its own takes 80% of the machine: on a small machine the notebook's kernel would be left
    with too little. By default it gets half; REGIEKIT_DUCKDB_MEMORY sets another bound."""
    def limit() -> float:
        db = backends.open_backend(tiny_store)
        try:
            value, unit = db.con.execute("select current_setting('memory_limit')").fetchone()[0].split()
        finally:
            db.close()
        return float(value) * {"MiB": 2**20, "GiB": 2**30, "TiB": 2**40}[unit]

    monkeypatch.delenv("REGIEKIT_DUCKDB_MEMORY", raising=False)
    machine = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    assert limit() == pytest.approx(machine / 2, rel=0.01)
    monkeypatch.setenv("REGIEKIT_DUCKDB_MEMORY", "1GB")
    assert limit() == pytest.approx(1e9, rel=0.01)


def test_the_store_keeps_each_units_table_and_reads_it_back(tiny_store):
    """The per-youth table of a plan is computed once and kept in the store (``eenheden/``), for every
    indicator of the plan: a later request, also for other indicators, reads it instead of grouping the
    trajectories again. It holds no pseudonym or birth date; a damaged one is made again; new data make a
    new one and the old one goes."""
    import duckdb

    def kept():
        return sorted((tiny_store.path / "eenheden").glob("*.parquet"))

    first = engine.compute(["jeugdhulp_pct", "jeugdhulp_aantal"], [ASSEN, EMMEN], [2024], tiny_store)
    youth, = kept()  # one plan: youths per calendar year
    columns = {row[0] for row in duckdb.sql(f"describe select * from '{youth}'").fetchall()}
    assert "gemeente_code" in columns and not columns & {"jeugdige_id", "traject_id", "geboortedatum"}
    engine.compute(["jeugdhulp_verblijf_aandeel"], [ASSEN], [2024], tiny_store)  # same plan: read, not made
    assert kept() == [youth]
    # what is read is the kept table: every youth in it moved to Emmen shows in the counts
    duckdb.sql(f"copy (select * replace ('{EMMEN}' as gemeente_code) from '{youth}') to '{youth}.x' (format parquet)")
    youth.with_name(youth.name + ".x").replace(youth)
    moved = _values(engine.compute(["jeugdhulp_pct"], [ASSEN, EMMEN], [2024], tiny_store))
    assert (moved.loc[("jeugdhulp_pct", ASSEN, 2024), "numerator"],
            moved.loc[("jeugdhulp_pct", EMMEN, 2024), "numerator"]) == (0, 3)
    youth.write_bytes(b"PAR1 kapot")  # damaged: made again from the trajectories
    again = engine.compute(["jeugdhulp_pct", "jeugdhulp_aantal"], [ASSEN, EMMEN], [2024], tiny_store)
    pd.testing.assert_frame_equal(again, first)
    trajecten = pd.read_parquet(tiny_store.path / "trajecten.parquet")  # new data: youth 101 gone
    trajecten[trajecten["jeugdige_id"].astype(str) != "101"].to_parquet(tiny_store.path / "trajecten.parquet")
    fewer = _values(engine.compute(["jeugdhulp_pct"], [ASSEN], [2024], tiny_store))
    assert fewer.loc[("jeugdhulp_pct", ASSEN, 2024), "numerator"] == 1
    assert len(kept()) == 1 and kept() != [youth]
