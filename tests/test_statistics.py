"""Intervals, comparisons, funnel limits and trends."""

import math

import numpy as np
import pandas as pd
import pytest

from regiekit import engine
from regiekit.engine import intervals
from regiekit.publish import statistics


def test_wilson_interval_matches_the_formula():
    low, high = intervals.proportion_interval([10], [100])
    p, n, z = 0.1, 100, 1.959963984540054
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    assert low[0] == pytest.approx((centre - half) * 100) and high[0] == pytest.approx((centre + half) * 100)
    low, high = intervals.proportion_interval([0, 5], [0, 5])  # no denominator: no interval; 5 of 5 reaches 100
    assert math.isnan(low[0]) and high[1] == pytest.approx(100)


def test_rate_interval_is_exact_poisson():
    low, high = intervals.rate_interval([0, 150], [1000, 100], scale=1000)
    assert low[0] == 0 and high[0] == pytest.approx(3.689, abs=1e-3)  # 0 events: upper 3,689 per 1000
    assert low[1] < 1500 < high[1]


def test_median_and_mean_intervals():
    assert intervals.median_interval(list(range(1, 21))) == (6.0, 15.0)  # ranks 6 and 15 for n = 20
    low, high = intervals.mean_interval(10, 2, 25)
    assert (low, high) == pytest.approx((10 - 2.0639 * 0.4, 10 + 2.0639 * 0.4), abs=1e-3)
    assert all(math.isnan(v) for v in intervals.mean_interval(10, None, 1))


def test_engine_results_carry_intervals(demo_store):
    result = engine.compute(["jeugdhulp_pct", "jeugdhulp_aantal", "doorlooptijd_mediaan"], ["JZ04", "GM0106"],
                            [2024], demo_store)
    pct = result[result["indicator"] == "jeugdhulp_pct"]
    assert (pct["ci_low"] < pct["value"]).all() and (pct["value"] < pct["ci_high"]).all()
    assert result[result["indicator"] == "jeugdhulp_aantal"]["ci_low"].isna().all()  # a count of everyone: no interval
    median = result[(result["indicator"] == "doorlooptijd_mediaan") & (result["region_code"] == "JZ04")].iloc[0]
    assert median["ci_low"] <= median["value"] <= median["ci_high"]


def test_comparison_with_the_rest_of_nederland():
    same = statistics.compare_with_rest(100, 1000, 10_000, 100_000)
    assert same.direction == "gelijk" and same.difference == pytest.approx(0)
    higher = statistics.compare_with_rest(150, 1000, 10_050, 100_000)
    assert higher.direction == "hoger" and higher.p_value < 0.001 and higher.difference > 4.9
    assert statistics.compare_with_rest(10, 100, 10, 100) is None  # the region is the whole: nothing to compare


def test_funnel_limits_flag_outlying_gemeenten():
    frame = pd.DataFrame({"region_code": ["a", "b", "c", "d"], "numerator": [100, 10, 300, 1000],
                          "denominator": [1000, 100, 1000, 10_000]})
    out = statistics.funnel(frame).set_index("region_code")
    assert out.loc["a", "target"] == pytest.approx(1410 / 12_100 * 100)
    assert out.loc["c", "position"] == "boven" and out.loc["b", "position"] == "binnen"
    assert out.loc["b", "upper_998"] - out.loc["b", "lower_998"] > out.loc["d", "upper_998"] - out.loc["d", "lower_998"]


def test_funnel_limits_allow_for_the_usual_spread_between_gemeenten():
    rng = np.random.default_rng(7)
    sizes = rng.integers(2_000, 60_000, 300)
    rates = np.clip(rng.normal(0.11, 0.015, 300), 0.01, None)  # gemeenten really differ: sd 1,5 points
    frame = pd.DataFrame({"region_code": [f"g{i}" for i in range(300)], "numerator": rng.binomial(sizes, rates),
                          "denominator": sizes})
    frame.loc[0, ["numerator", "denominator"]] = [9_000, 30_000]  # one gemeente at 30%: a real outlier
    out = statistics.funnel(frame)
    assert 0.4 * 0.015 ** 2 < out["tau2"].iloc[0] < 1.2 * 0.015 ** 2  # winsorised: a little below the truth
    outside = (out["position"] != "binnen").mean()
    assert outside < 0.03 and out.loc[0, "position"] == "boven"
    plain = statistics.funnel_limits(out["target"].iloc[0], frame["denominator"])
    value = frame["numerator"] / frame["denominator"] * 100
    assert ((value > plain["upper_998"]) | (value < plain["lower_998"])).mean() > 0.3  # without: most 'outside'


def test_trend_uses_the_dispersion_between_years():
    years = [2016, 2017, 2018, 2019, 2020]
    steady = statistics.trend(years, [1000, 1050, 1100, 1150, 1200], [10_000] * 5)
    assert steady.significant and steady.factor > 1
    wobbly = statistics.trend(years, [1000, 1300, 900, 1250, 1050], [10_000] * 5)
    assert not wobbly.significant
    counts = statistics.trend(years, np.array([50, 45, 40, 36, 30]))
    assert counts.significant and counts.factor < 1
    assert statistics.trend(years[:2], [1, 2], [10, 10]) is None
