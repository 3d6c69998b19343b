"""The charts as a reader sees them: Dutch numbers on the axes, nothing clipped, gaps and axis choices said."""

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd

from regiekit.indicators.definitions import load_catalogue
from regiekit.reports import charts


def _series(values: dict[str, list], years=range(2016, 2025)) -> pd.DataFrame:
    rows = []
    for code, series in values.items():
        for year, value in zip(years, series):
            rows.append({"indicator": "jeugdhulp_pct", "region_code": code, "region_name": code, "period": year,
                         "value": value, "ci_low": None if value is None else value - 0.3,
                         "ci_high": None if value is None else value + 0.3})
    return pd.DataFrame(rows)


def _labels(fig) -> list[str]:
    fig.canvas.draw()
    return [t.get_text() for ax in fig.axes for t in [*ax.get_yticklabels(), *ax.get_xticklabels()] if t.get_text()]


def _texts(fig) -> str:
    return " ".join(t.get_text() for ax in fig.axes for t in ax.texts)


def test_trend_axes_are_dutch_and_chosen_for_reading_the_change():
    ind = load_catalogue()["jeugdhulp_pct"]
    narrow = _series({"GM0106": [67.0, 67.5, 68.2, 68.0, 67.8, 68.4, 68.9, 68.1, 67.9],
                      "NL01": [66.8, 67.1, 67.4, 67.9, 68.0, 68.2, 68.3, 68.5, 68.6]})
    fig = charts.trend(narrow, [ind], {"GM0106": "Assen", "NL01": "Nederland"})
    ax = fig.axes[0]
    labels = _labels(fig)
    assert labels and not any("." in label for label in labels)
    low, high = ax.get_ylim()
    assert low > 50 and "as begint niet bij 0" in _texts(fig)  # a 68% line does not run flat along the top
    assert low < narrow["ci_low"].min() and narrow["ci_high"].max() < high  # nothing clipped
    wide = _series({"GM0106": [5.0, 7.5, 9.0, 10.0, 11.0, 12.0, 11.5, 12.5, 13.0]})
    fig = charts.trend(wide, [ind], {"GM0106": "Assen"})
    assert fig.axes[0].get_ylim()[0] == 0 and "as begint niet bij 0" not in _texts(fig)
    assert wide["ci_high"].max() < fig.axes[0].get_ylim()[1]
    fine = _series({"NL01": [12.1, 12.2, 12.3, 12.2, 12.4, 12.3, 12.5, 12.4, 12.6]})
    labels = _labels(charts.trend(fine.assign(ci_low=fine["value"], ci_high=fine["value"]), [ind], {}))
    assert any("," in label for label in labels) and not any("." in label for label in labels)  # 12,4 not 12.4


def test_a_mostly_suppressed_series_says_which_years_are_missing():
    ind = load_catalogue()["jeugdhulp_pct"]
    gaps = _series({"GM1680": [None, None, None, 8.0, None, None, 9.0, 9.5, None],
                    "NL01": [10.0, 10.2, 10.4, 10.6, 10.8, 11.0, 11.2, 11.4, 11.6]})
    fig = charts.trend(gaps, [ind], {"GM1680": "Aa en Hunze", "NL01": "Nederland"})
    assert "Aa en Hunze: 2016-2018, 2020-2021 en 2024 niet gepubliceerd" in _texts(fig)
    assert "Nederland:" not in _texts(fig)


def test_funnel_and_bar_axes_are_dutch():
    ind = load_catalogue()["jeugdhulp_verblijf_aandeel"]
    points = pd.DataFrame({"region_code": ["a", "b"], "region_name": ["A", "B"], "denominator": [1500, 60_000],
                           "value": [8.5, 10.25]})
    grid = pd.Series(np.geomspace(1000, 100_000, 20))
    limits = pd.DataFrame({"denominator": grid, "target": 9.5, "lower_95": 9.0, "upper_95": 10.0,
                           "lower_998": 8.5, "upper_998": 10.5})
    labels = _labels(charts.funnel(points, limits, "a", ind, "gemeenten"))
    assert "10.000" in labels and not any("." in label and "," in label for label in labels)
    assert not any(label.count(".") and not label.replace(".", "").isdigit() for label in labels)
    rows = pd.DataFrame({"category": ["3", "4", "10"], "series": [2024] * 3, "value": [1.5, 2.5, np.nan],
                         "mark": ["", "", "x"]})
    fig = charts.categories(rows, "Verdeling", "% van de casussen")
    labels = _labels(fig)
    assert not any("." in label for label in labels) and "x: niet gepubliceerd" in " ".join(
        t.get_text() for t in fig.axes[0].get_legend().get_texts())
