"""Changes between periods, named correctly: growth in percent, differences in percentage points."""

import pandas as pd
import pytest

from regiekit.changes import difference_pp, growth_pct, year_over_year


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
