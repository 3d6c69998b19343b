"""Golden checks: the engine reproduces the figures the seed documents print, from the same inputs."""

import numpy as np
import pandas as pd
import pytest

from regiekit import engine
from regiekit.changes import difference_pp, growth_pct
from regiekit.regions import load_regions

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
                rows.append((next_id, youth, "residentieel_overig", pd.Timestamp(year, 3, 1), pd.Timestamp(year, 12, 30)))
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
    assert [int(round(result.loc[y, "value"])) for y in YEARS] == [34, 32, 29, 27]
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
                               "aantal": int(n * share // 18) if band != "12-18" else int(n - n * 4 // 18 - n * 8 // 18)})
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
