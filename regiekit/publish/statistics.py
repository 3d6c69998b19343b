"""Uncertainty, comparisons and trends for engine tables (statsmodels where it fits).

- (the intervals of the engine's table are in :mod:`regiekit.engine.intervals`);
- comparison of a region with a larger region it belongs to: the region against the *rest* of that
  region (two-proportion z-test), so the region is not compared with itself;
- funnel-plot control limits around the national value for comparing all gemeenten at once, widened
  for the real spread between gemeenten (overdispersion: Spiegelhalter's additive random effects,
  from winsorised z-scores), so that only a gemeente that differs more than gemeenten usually do
  falls outside;
- trends: a binomial (proportions) or Poisson (counts) GLM with a year term, with the dispersion
  estimated from the years (quasi-likelihood, never below the binomial/Poisson variance), so year-to-
  year wobble in large national numbers is not taken for a trend.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats as scipy_stats
from statsmodels.stats.proportion import proportions_ztest

from regiekit.engine.intervals import ALPHA


@dataclass(frozen=True)
class Comparison:
    """A region against the rest of a larger region it lies in."""

    difference: float  # region value minus the rest's value, on the indicator's scale
    p_value: float
    direction: str  # 'hoger', 'lager' or 'gelijk' (not significantly different)


def compare_with_rest(num: int, den: int, num_total: int, den_total: int, scale: float = 100,
                      alpha: float = ALPHA) -> Comparison | None:
    """Two-proportion z-test of a region (``num``/``den``) against the rest of the region that holds it
    (``num_total - num`` over ``den_total - den``). None when either side has no denominator."""
    rest_num, rest_den = num_total - num, den_total - den
    if den <= 0 or rest_den <= 0 or rest_num < 0:
        return None
    difference = (num / den - rest_num / rest_den) * scale
    if num + rest_num in (0, den + rest_den):
        return Comparison(difference, 1.0, "gelijk")
    _, p_value = proportions_ztest([num, rest_num], [den, rest_den])
    direction = "gelijk" if p_value >= alpha else ("hoger" if difference > 0 else "lager")
    return Comparison(difference, float(p_value), direction)


MIN_REGIONS_FOR_SPREAD = 10  # fewer regions do not tell the spread between them apart from chance


def between_variance(numerators, denominators, target: float, scale: float = 100) -> float:
    """The variance between regions beyond chance (tau², on the 0-1 scale) around ``target``: the
    DerSimonian-Laird estimate from z-scores winsorised at 10% on each side (Spiegelhalter 2005). Zero
    when the spread is what chance gives, or with fewer than MIN_REGIONS_FOR_SPREAD regions."""
    num, den = np.asarray(numerators, dtype=float), np.asarray(denominators, dtype=float)
    keep = den > 0
    num, den = num[keep], den[keep]
    p0 = target / scale
    if len(den) < MIN_REGIONS_FOR_SPREAD or not 0 < p0 < 1:
        return 0.0
    variance = p0 * (1 - p0) / den
    z = (num / den - p0) / np.sqrt(variance)
    low, high = np.quantile(z, [0.1, 0.9])
    phi = float(np.mean(np.clip(z, low, high) ** 2))
    weights = 1 / variance
    tau2 = (len(z) * phi - (len(z) - 1)) / (weights.sum() - (weights ** 2).sum() / weights.sum())
    return max(0.0, float(tau2))


def funnel_limits(target: float, denominators, scale: float = 100, tau2: float = 0.0) -> pd.DataFrame:
    """95% and 99,8% control limits around ``target`` (on the indicator's scale) at each denominator,
    with ``tau2`` (see :func:`between_variance`) added to the binomial variance."""
    n = np.asarray(denominators, dtype=float)
    p0 = target / scale
    limits = {}
    for name, z in (("95", scipy_stats.norm.ppf(0.975)), ("998", scipy_stats.norm.ppf(0.999))):
        half = z * np.sqrt(p0 * (1 - p0) / np.where(n > 0, n, np.nan) + tau2)
        limits[f"lower_{name}"] = np.clip(p0 - half, 0, None) * scale
        limits[f"upper_{name}"] = np.clip(p0 + half, None, 1) * scale
    return pd.DataFrame(limits)


def funnel(frame: pd.DataFrame, target: float | None = None, scale: float = 100) -> pd.DataFrame:
    """Funnel-plot control limits for regions of one indicator and period (rows with numerator and
    denominator): around ``target`` (default: the pooled value of all rows), 95% and 99,8% limits at
    each region's denominator, widened for the spread between the regions (column ``tau2``), and where
    the region falls: 'binnen', 'boven' or 'onder' (99,8%)."""
    den = frame["denominator"].astype(float)
    target = frame["numerator"].sum() / den.sum() * scale if target is None else target
    tau2 = between_variance(frame["numerator"], den, target, scale)
    out = pd.concat([frame.reset_index(drop=True), funnel_limits(target, den, scale, tau2)], axis=1)
    out["target"], out["tau2"] = target, tau2
    value = out["numerator"] / den.where(den > 0).to_numpy() * scale
    out["position"] = np.select([value > out["upper_998"], value < out["lower_998"]], ["boven", "onder"], "binnen")
    return out


@dataclass(frozen=True)
class Trend:
    """A year term fitted to a series: the yearly factor (odds ratio for proportions, rate ratio for
    counts) with its interval and p-value, over ``years``."""

    years: tuple[int, ...]
    factor: float
    low: float
    high: float
    p_value: float

    @property
    def significant(self) -> bool:
        return self.p_value < ALPHA


def trend(years, numerators, denominators=None) -> Trend | None:
    """Fit a binomial GLM (with denominators) or a Poisson GLM (counts) with a year term. Needs three
    years or more; the dispersion is estimated from the years and never taken below 1."""
    years = np.asarray(years, dtype=float)
    num = np.asarray(numerators, dtype=float)
    if len(years) < 3:
        return None
    x = sm.add_constant(years - years.mean())
    if denominators is not None:
        den = np.asarray(denominators, dtype=float)
        if (den <= 0).any() or (num == 0).all() or (num == den).all():
            return None
        endog, family = np.column_stack([num, den - num]), sm.families.Binomial()
    else:
        if (num == 0).all():
            return None
        endog, family = num, sm.families.Poisson()
    fitted = sm.GLM(endog, x, family=family).fit()
    dispersion = max(1.0, float(fitted.pearson_chi2 / fitted.df_resid)) if fitted.df_resid > 0 else 1.0
    slope, se = fitted.params[1], fitted.bse[1] * math.sqrt(dispersion)
    dof = max(int(fitted.df_resid), 1)
    t_value = slope / se if se > 0 else math.inf
    p_value = (float(2 * scipy_stats.t.sf(abs(t_value), dof)) if dispersion > 1
               else float(2 * scipy_stats.norm.sf(abs(t_value))))
    q = scipy_stats.t.ppf(1 - ALPHA / 2, dof) if dispersion > 1 else scipy_stats.norm.ppf(1 - ALPHA / 2)
    return Trend(tuple(int(y) for y in years), math.exp(slope), math.exp(slope - q * se), math.exp(slope + q * se),
                 p_value)


def change_test(num_old: int, den_old, num_new: int, den_new) -> float | None:
    """p-value of the change between two periods: two proportions, or two Poisson counts when there is
    no denominator. None when it cannot be tested."""
    if den_old is None or den_new is None or pd.isna(den_old) or pd.isna(den_new):
        if num_old + num_new == 0:
            return None
        return float(scipy_stats.binomtest(int(num_new), int(num_old + num_new), 0.5).pvalue)
    if den_old <= 0 or den_new <= 0:
        return None
    if num_old + num_new in (0, den_old + den_new):
        return 1.0
    return float(proportions_ztest([num_new, num_old], [den_new, den_old])[1])
