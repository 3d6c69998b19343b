"""Golden checks: the engine reproduces the figures the seed documents print, from the same inputs."""

import numpy as np
import pandas as pd
import pytest

from regiekit import engine
from regiekit.errors import RegiekitError
from regiekit.indicators.definitions import load_catalogue
from regiekit.publish import verdicts
from regiekit.publish.changes import difference_pp, growth_pct
from regiekit.reference.regions import load_regions

from .conftest import make_store

# Seed 004, "Jeugdhulp met verblijf" by age band, Nederland 2016-2019, and its growth column.
VERBLIJF = {"0-4": [4110, 3915, 3805, 3360], "4-12": [15135, 16010, 14665, 14515],
            "12-18": [22880, 24175, 22115, 22145], "18-23": [1665, 2085, 2185, 2955]}
GROWTH = {"0-4": "-18%", "4-12": "-4%", "12-18": "-3%", "0-18": "-5%", "18-23": "+77%"}
YEARS = [2016, 2017, 2018, 2019]
# Total jeugdhulp (0-23) chosen so that verblijf is 11,6 / 11,6 / 10,4 / 10,1 % of it, as printed.
JEUGDHULP_TOTAL = [377_500, 398_150, 411_250, 425_495]
AGE_IN_BAND = {"0-4": 2, "4-12": 8, "12-18": 15, "18-23": 20}


def _youths(n, year, age, zorgvorm, first_id):
    """``n`` youths with one trajectory covering ``year``, aged ``age`` on 31 December."""
    born = pd.Timestamp(year - age, 6, 15)
    return pd.DataFrame({
        "traject_id": np.arange(first_id, first_id + n), "jeugdige_id": np.arange(first_id, first_id + n),
        "geslacht": "man", "geboortedatum": born.date(), "gemeente_code": "GM0106", "aanbieder_id": "A1",
        "zorgvorm": zorgvorm, "verwijzer": "huisarts", "startdatum": pd.Timestamp(year, 1, 1).date(),
        "einddatum": pd.Timestamp(year, 12, 31).date(), "reden_beeindiging": "volgens_plan"})


@pytest.fixture(scope="module")
def seed004(tmp_path_factory):
    parts, next_id = [], 1
    for y, year in enumerate(YEARS):
        for band, counts in VERBLIJF.items():
            parts.append(_youths(counts[y], year, AGE_IN_BAND[band], "pleegzorg", next_id))
            next_id += counts[y]
        verblijf = sum(c[y] for c in VERBLIJF.values())
        parts.append(_youths(JEUGDHULP_TOTAL[y] - verblijf, year, 10, "zonder_verblijf", next_id))
        next_id += JEUGDHULP_TOTAL[y] - verblijf
    return make_store(tmp_path_factory.mktemp("seed004"), pd.concat(parts, ignore_index=True), years=YEARS)


def _printed_growth(old, new) -> str:
    value = round(growth_pct(old, new))
    return f"{value:+d}%" if value > 0 else f"{value}%"


def test_verblijf_by_age_band_and_growth_2016_2019(seed004):
    result = engine.compute(["jeugdhulp_verblijf_aantal_leeftijd"], ["NL01"], YEARS, seed004)
    table = result.pivot(index="category", columns="period", values="numerator")
    for band, counts in VERBLIJF.items():
        assert list(table.loc[band, YEARS]) == counts
    table.loc["0-18"] = table.loc[["0-4", "4-12", "12-18"]].sum()
    assert list(table.loc["0-18", YEARS]) == [42125, 44100, 40585, 40020]
    for band, printed in GROWTH.items():
        assert _printed_growth(table.loc[band, 2016], table.loc[band, 2019]) == printed


def test_verblijf_share_of_jeugdhulp(seed004):
    share = engine.compute(["jeugdhulp_verblijf_aandeel", "jeugdhulp_verblijf_aantal"], ["NL01"], YEARS, seed004)
    values = share[share["indicator"] == "jeugdhulp_verblijf_aandeel"].set_index("period")["value"]
    assert [f"{round(values[y], 1):.1f}".replace(".", ",") for y in YEARS] == ["11,6", "11,6", "10,4", "10,1"]
    counts = share[share["indicator"] == "jeugdhulp_verblijf_aantal"].set_index("period")["numerator"]
    assert (counts[2018], counts[2019]) == (42770, 42975)  # "stijgt van 42.770 naar 42.975"
    assert round(difference_pp(round(values[2018], 1), round(values[2019], 1)), 1) == -0.3


def test_uithuisplaatsing_bij_ots_on_peildatum(tmp_path):
    """34 / 32 / 29 / 27 %: of the youths under OTS on 31 December, the share placed out of home that day."""
    rows, next_id = [], 1
    for year, placed in zip(YEARS, (34, 32, 29, 27)):
        for i in range(100):
            youth = next_id
            rows.append((next_id, youth, "ots", pd.Timestamp(year, 1, 1), pd.Timestamp(year + 1, 1, 1)))
            next_id += 1
            if i < placed:
                rows.append((next_id, youth, "pleegzorg", pd.Timestamp(year, 3, 1), pd.Timestamp(year + 1, 6, 30)))
                next_id += 1
            elif i < placed + 10:  # placement that ended before the peildatum does not count
                rows.append((next_id, youth, "residentieel_overig", pd.Timestamp(year, 3, 1),
                             pd.Timestamp(year, 12, 30)))
                next_id += 1
        ended = next_id  # an OTS that ended on 30 December is not an OTS on the peildatum
        rows.append((ended, ended, "ots", pd.Timestamp(year, 1, 1), pd.Timestamp(year, 12, 30)))
        next_id += 1
    frame = pd.DataFrame(rows, columns=["traject_id", "jeugdige_id", "zorgvorm", "startdatum", "einddatum"])
    frame = frame.assign(geslacht="vrouw", geboortedatum=pd.Timestamp(2008, 5, 1).date(), gemeente_code="GM0114",
                         aanbieder_id="GI1", verwijzer=None, reden_beeindiging="volgens_plan")
    frame["startdatum"] = frame["startdatum"].dt.date
    frame["einddatum"] = frame["einddatum"].dt.date
    store = make_store(tmp_path, frame, years=YEARS)
    result = engine.compute(["uithuisplaatsing_ots_pct"], ["NL01"], YEARS, store).set_index("period")
    assert [round(result.loc[y, "value"]) for y in YEARS] == [34, 32, 29, 27]
    assert list(result["denominator"]) == [100, 100, 100, 100]


def test_twente_2019_union_counts_a_youth_once(tmp_path):
    """Seed 001: 125.550 youths under 18, 110.735 without jeugdzorg, so 14.815 (12%) with; 13.114 helped
    at home plus 2.080 elsewhere is 15.194 because the groups overlap."""
    twente = load_regions().members("JZ14")
    population = []
    per_gemeente = np.full(len(twente), 125_550 // len(twente))
    per_gemeente[: 125_550 - per_gemeente.sum()] += 1
    for gm, n in zip(twente, per_gemeente):
        for band, share in (("0-4", 4), ("4-12", 8), ("12-18", 6)):
            population.append({"gemeente_code": gm, "jaar": 2019, "geslacht": "man", "leeftijdsklasse": band,
                               "aantal": int(n * share // 18) if band != "12-18"
                               else int(n - n * 4 // 18 - n * 8 // 18)})
    bevolking = pd.DataFrame(population)
    assert bevolking["aantal"].sum() == 125_550
    only_home, only_elsewhere, both = 13_114 - 379, 2_080 - 379, 379
    kinds = ["home"] * only_home + ["elsewhere"] * only_elsewhere + ["both"] * both
    rows, tid = [], 1
    for youth, kind in enumerate(kinds, start=1):
        gm = twente[youth % len(twente)]
        for zorgvorm in {"home": ["zonder_verblijf"], "elsewhere": ["pleegzorg"],
                         "both": ["zonder_verblijf", "pleegzorg"]}[kind]:
            rows.append({"traject_id": tid, "jeugdige_id": youth, "zorgvorm": zorgvorm, "gemeente_code": gm})
            tid += 1
    frame = pd.DataFrame(rows).assign(
        geslacht="man", geboortedatum=pd.Timestamp(2009, 3, 1).date(), aanbieder_id="A1", verwijzer="huisarts",
        startdatum=pd.Timestamp(2019, 2, 1).date(), einddatum=pd.Timestamp(2019, 11, 30).date(),
        reden_beeindiging="volgens_plan")
    store = make_store(tmp_path, frame, years=[2019], bevolking=bevolking)
    result = engine.compute(["jeugdzorg_aantal", "jeugdzorg_pct", "jeugdhulp_zonder_verblijf_aantal",
                             "jeugdhulp_verblijf_aantal"], ["JZ14"], [2019], store).set_index("indicator")
    assert result.loc["jeugdhulp_zonder_verblijf_aantal", "numerator"] == 13_114
    assert result.loc["jeugdhulp_verblijf_aantal", "numerator"] == 2_080
    assert result.loc["jeugdzorg_aantal", "numerator"] == 14_815  # not 15.194
    assert result.loc["jeugdzorg_pct", "denominator"] - result.loc["jeugdzorg_aantal", "numerator"] == 110_735
    assert round(result.loc["jeugdzorg_pct", "value"]) == 12


# Verdicts on the seed 004 series, in the tone of its "Wat zegt deze factsheet ons?"

def _series(nums, dens, years=YEARS):
    return pd.DataFrame({"period": years, "numerator": nums, "denominator": dens,
                         "value": [n / d * 100 for n, d in zip(nums, dens)]})


def test_verdict_verblijf_share_falls_as_desired(seed004):
    result = engine.compute(["jeugdhulp_verblijf_aandeel"], ["NL01"], YEARS, seed004)
    verdict = verdicts.judge(load_catalogue()["jeugdhulp_verblijf_aandeel"], result, 2019, "NL01")
    assert verdict.verdict == "verbetert"
    assert verdict.sentence.startswith("Het percentage verblijf als aandeel van alle jeugdhulp daalt van 10,4% "
                                       "in 2018 naar 10,1% in 2019.")
    assert "dalende trend" in verdict.sentence


def test_verdict_verblijf_by_age_band_direction_differs(seed004):
    """Verblijf 0-4 falls (-18%) and should; 18-23 rises (+77%) and may: both improve. 12-18 wobbles (-3%)."""
    result = engine.compute(["jeugdhulp_verblijf_aantal_leeftijd"], ["NL01"], YEARS, seed004)
    ind = load_catalogue()["jeugdhulp_verblijf_aantal_leeftijd"]
    band = {b: verdicts.judge(ind, result[result["category"] == b], 2019, band=b) for b in VERBLIJF}
    assert band["0-4"].verdict == "verbetert" and "daalt van 3.805 in 2018 naar 3.360 in 2019" in band["0-4"].sentence
    assert (band["18-23"].verdict == "verbetert"
            and "stijgt van 2.185 in 2018 naar 2.955 in 2019" in band["18-23"].sentence)
    assert band["12-18"].verdict == "geen_trend"


def test_verdict_uithuisplaatsing_ots_depends_on_the_numbers_behind_it():
    """34 / 32 / 29 / 27 %: of 100 youths a year that is no structural trend; nationally it is one."""
    ind = load_catalogue()["uithuisplaatsing_ots_pct"]
    small = verdicts.judge(ind, _series([34, 32, 29, 27], [100] * 4), 2019)
    assert small.verdict == "geen_trend"
    assert small.sentence == ("Het percentage uithuisplaatsing bij ondertoezichtstelling daalt van 29% in 2018 naar "
                              "27% in 2019. Er is geen structurele trend af te leiden uit deze vier meetjaren.")
    national = verdicts.judge(ind, _series([34 * 300, 32 * 300, 29 * 300, 27 * 300], [30_000] * 4), 2019)
    assert national.verdict == "verbetert" and national.trend.significant and national.trend.factor < 1


def test_verdict_three_survey_years_without_structural_trend():
    """Seed 004, werkdruk 49% (2015), 62% (2017), 52% (2019): 'geen structurele trend ... drie meetjaren'."""
    ind = load_catalogue()["jeugdhulp_pct"]
    verdict = verdicts.judge(ind, _series([490, 620, 520], [1000] * 3, [2015, 2017, 2019]), 2019)
    assert verdict.verdict == "geen_trend"
    assert verdict.sentence.endswith("Er is geen structurele trend af te leiden uit deze drie meetjaren.")


def test_verdict_stable_and_neutral_and_manual_override(tmp_path):
    ind = load_catalogue()["jeugdhulp_pct"]  # direction neutral
    flat = verdicts.judge(ind, _series([10000, 10010, 9990, 10005], [100_000] * 4), 2019, "GM0106")
    assert flat.verdict == "stabiel" and "stabiel" in flat.sentence
    rising = verdicts.judge(ind, _series([9000, 10000, 11000, 12000], [100_000] * 4), 2019, "GM0106")
    assert rising.verdict == "ambigu" and "stijgende trend" in rising.sentence
    overrides = tmp_path / "oordelen.csv"
    overrides.write_text("indicator,region_code,period,oordeel,tekst\n"
                         "jeugdhulp_pct,GM0106,2019,verbetert,Meer jongeren worden op tijd geholpen.\n")
    manual = verdicts.apply_override(rising, verdicts.load_overrides(overrides))
    assert (manual.verdict, manual.sentence, manual.manual) == ("verbetert", "Meer jongeren worden op tijd geholpen.",
                                                                True)
    overrides.write_text("indicator,region_code,period,oordeel,tekst\njeugdhulp_pct,GM0106,2019,prima,x\n")
    with pytest.raises(RegiekitError, match="onbekende oordelen"):
        verdicts.load_overrides(overrides)


def test_series_break_stops_the_comparison_across_it():
    ind = load_catalogue()["verblijfsvorm_aandeel"]  # break in 2019: gezinsgericht partly counted as pleegzorg
    verdict = verdicts.judge(ind, _series([600, 610, 620, 700], [1000] * 4), 2019)
    assert verdict.verdict == "onbekend" and "Trendbreuk in 2019" in verdict.note
    assert "2018" not in verdict.sentence
