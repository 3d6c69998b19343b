"""Changes between periods, named correctly: growth in percent, differences in percentage points."""

import pandas as pd
import pytest

from regiekit.publish.changes import difference_pp, growth_pct, since, year_over_year


def test_growth_and_difference():
    assert round(growth_pct(25, 42)) == 68            # RET Drenthe: 25 -> 42 registrations is +68%
    assert round(growth_pct(4110, 3360)) == -18
    assert growth_pct(0, 5) is None
    assert difference_pp(10.4, 10.1) == pytest.approx(-0.3)


def test_year_over_year_on_an_engine_table():
    frame = pd.DataFrame({
        "indicator": ["aanmeldingen_aantal"] * 2 + ["aandeel"] * 2, "region_code": "JZ04", "subperiod": None,
        "category": None, "period": [2023, 2024, 2023, 2024], "value": [25.0, 42.0, 10.4, 10.1],
        "unit": ["count", "count", "percent", "percent"]})
    out = year_over_year(frame).set_index(["indicator", "period"])
    assert round(out.loc[("aanmeldingen_aantal", 2024), "growth_pct"]) == 68
    assert pd.isna(out.loc[("aanmeldingen_aantal", 2024), "difference_pp"])
    assert out.loc[("aandeel", 2024), "difference_pp"] == pytest.approx(-0.3)
    assert pd.isna(out.loc[("aandeel", 2024), "growth_pct"])
    assert pd.isna(out.loc[("aandeel", 2023), "previous"])


def test_change_since_a_base_year_and_only_between_published_values():
    frame = pd.DataFrame({
        "indicator": "verblijf_0_4", "region_code": "NL01", "subperiod": None, "category": None,
        "period": [2016, 2017, 2018, 2019], "value": [4110.0, 3915.0, 3805.0, 3360.0], "unit": "count",
        "published": [4110.0, None, 3805.0, 3360.0]})  # 2017 suppressed
    out = since(frame, 2016).set_index("period")
    assert round(out.loc[2019, "growth_pct"]) == -18 and out.loc[2016, "growth_pct"] == 0  # "groei 2016-2019"
    published = year_over_year(frame, "published").set_index("period")
    assert pd.isna(published.loc[2017, "growth_pct"]) and pd.isna(published.loc[2018, "growth_pct"])
    assert round(published.loc[2019, "growth_pct"], 1) == -11.7
