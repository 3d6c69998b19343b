"""The 95% intervals of the engine's table: Wilson for proportions (percent, per 1000 of the same
units), exact Poisson for rates whose numerator can exceed the denominator, t-intervals for means and
order-statistic intervals for medians (the last two from the individual values the engine holds)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats as scipy_stats
from statsmodels.stats.proportion import proportion_confint
from statsmodels.stats.rates import confint_poisson

from regiekit.indicators.definitions import PROPORTION_UNITS, SCALES

ALPHA = 0.05


def _interval(method, numerator, denominator, scale):
    num = np.asarray(numerator, dtype=float)
    den = np.asarray(denominator, dtype=float)
    ok = den > 0
    low, high = np.full(num.shape, np.nan), np.full(num.shape, np.nan)
    if ok.any():
        lo, hi = method(num[ok], den[ok])
        scale = np.broadcast_to(np.asarray(scale, dtype=float), num.shape)[ok]
        low[ok], high[ok] = np.asarray(lo) * scale, np.asarray(hi) * scale
    return low, high


def proportion_interval(numerator, denominator, scale=100, alpha: float = ALPHA):
    """Wilson interval of ``numerator / denominator`` on the indicator's scale (arrays welcome)."""
    return _interval(lambda n, d: proportion_confint(n, d, alpha=alpha, method="wilson"), numerator, denominator, scale)


def rate_interval(numerator, denominator, scale=1000, alpha: float = ALPHA):
    """Exact (Garwood) Poisson interval of a rate ``numerator`` per ``denominator`` times ``scale``."""
    return _interval(lambda n, d: confint_poisson(n, d, method="exact-c", alpha=alpha), numerator, denominator, scale)


def mean_interval(mean: float, sd: float, n: int, alpha: float = ALPHA) -> tuple[float, float]:
    """t-interval of a mean from its standard deviation and number of cases."""
    if n is None or n < 2 or sd is None or pd.isna(sd):
        return (math.nan, math.nan)
    half = scipy_stats.t.ppf(1 - alpha / 2, n - 1) * sd / math.sqrt(n)
    return (mean - half, mean + half)


def median_interval(ordered: list[float], alpha: float = ALPHA) -> tuple[float, float]:
    """Distribution-free interval of a median from the sorted values: the order statistics x(r) and
    x(n-r+1) with r the alpha/2 quantile of Binomial(n, 1/2); below 6 cases the range of the values."""
    n = len(ordered)
    if n < 2:
        return (math.nan, math.nan)
    r = int(scipy_stats.binom.ppf(alpha / 2, n, 0.5))
    return (float(ordered[max(r - 1, 0)]), float(ordered[min(n - r, n - 1)]))


def with_intervals(frame: pd.DataFrame, alpha: float = ALPHA) -> pd.DataFrame:
    """Add ``ci_low`` and ``ci_high`` to an engine table: proportions and rates from numerator and
    denominator; means and medians keep the interval the engine computed; counts have none."""
    out = frame.copy()
    for column in ("ci_low", "ci_high"):
        if column not in out:
            out[column] = np.nan
        out[column] = pd.to_numeric(out[column], errors="coerce").astype(float)
    num = pd.to_numeric(out["numerator"], errors="coerce").astype(float).to_numpy()
    den = pd.to_numeric(out["denominator"], errors="coerce").astype(float).to_numpy()
    scale = out["unit"].map(SCALES).astype(float).to_numpy()
    is_ratio = out["unit"].isin(PROPORTION_UNITS).to_numpy()
    proportion = is_ratio & (num <= np.nan_to_num(den, nan=-1))
    rate = is_ratio & ~proportion & (np.nan_to_num(den) > 0)
    for mask, method in ((proportion, proportion_interval), (rate, rate_interval)):
        if mask.any():
            low, high = method(num[mask], den[mask], scale[mask], alpha)
            out.loc[mask, "ci_low"], out.loc[mask, "ci_high"] = low, high
    return out
