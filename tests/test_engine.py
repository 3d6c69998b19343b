"""The engine: persons counted once, levels are sums of gemeenten, values are ratios of sums."""

from datetime import date

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from regiekit import engine, store
from regiekit.regions import load_regions

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
    raw = tmp_path / "raw"
    raw.mkdir()
    table = pa.Table.from_pandas(pd.DataFrame(rows), preserve_index=False)
    pq.write_table(table, raw / "trajecten.parquet")
    pop = [{"gemeente_code": g, "jaar": y, "geslacht": s, "leeftijdsklasse": b, "aantal": 100}
           for g in (r.code for r in load_regions().all("gemeente")) for y in (2023, 2024)
           for s in ("man", "vrouw") for b in ("0-4", "4-12", "12-18", "18-23")]
    pq.write_table(pa.Table.from_pandas(pd.DataFrame(pop), preserve_index=False), raw / "bevolking.parquet")
    reg = pa.table({"casus_id": pa.array([], pa.string()), "gemeente_aanmelding": pa.array([], pa.string())})
    pq.write_table(reg, raw / "aanmeldingen.parquet")
    return store.Store.open(store.build(raw, tmp_path / "processed"))


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
    with pytest.raises(engine.EngineError, match="no data for period.*2030"):
        engine.compute(["jeugdhulp_pct"], [ASSEN], [2030], tiny_store)


def test_every_level_is_the_sum_of_its_gemeenten(demo_store):
    regions = load_regions()
    result = engine.compute(["jeugdhulp_pct", "jeugdhulp_verblijf_aandeel"], periods=[2019, 2024], store=demo_store)
    gemeente = result[result["level"] == "gemeente"].set_index(["indicator", "region_code", "period"])
    higher = result[result["level"] != "gemeente"]
    assert set(higher["level"]) == {"jeugdregio", "provincie", "land"}
    assert len(higher) == 2 * 2 * (42 + 12 + 1)
    for row in higher.itertuples():
        members = gemeente.loc[[(row.indicator, g, row.period) for g in regions.members(row.region_code)]]
        assert row.numerator == members["numerator"].sum()
        assert row.denominator == members["denominator"].sum()
        assert row.value == pytest.approx(100 * members["numerator"].sum() / members["denominator"].sum())
    # never the mean of the gemeente percentages
    nl = higher[(higher["region_code"] == "NL01") & (higher["indicator"] == "jeugdhulp_pct")]
    mean_of_pcts = gemeente.xs(("jeugdhulp_pct", 2024), level=("indicator", "period"))["value"].mean()
    assert nl[nl["period"] == 2024]["value"].iloc[0] != pytest.approx(mean_of_pcts, abs=1e-9)
