"""Disclosure control for everything a report publishes: primary and secondary suppression, rounding
and an audit that proves no suppressed cell can be recomputed.

Method (documented in ``docs/onthullingscontrole.md``):

1. **Cells.** Indicators that count the same units (same numerator definition, age band, period type
   and breakdown) share their cells: a count and a percentage of the same youths are suppressed
   together, so one cannot be recomputed from the other and the (public) population.
2. **Primary suppression** (defaults in ``regiekit/publish/disclosure.yaml``, in the manner of CBS
   Beleidsinformatie Jeugd): a count of 1 to ``min_count - 1``; a share whose complement (the units
   of the same kind *not* counted) is that small; a percentage on fewer than ``min_denominator`` units;
   a mean or median of fewer than ``min_cases`` cases.
3. **Secondary suppression.** The published numbers are linked: every jeugdregio, provincie and
   Nederland is the sum of its gemeenten, and the categories of an exclusive breakdown add up to the
   total (taken as known). Where a suppressed cell could be recomputed, the smallest safe cell of the
   same relation is suppressed as well, until the audit passes.
4. **Audit.** For every primary-suppressed cell a linear programme (HiGHS) finds the smallest
   and largest value consistent with everything published (published cells exact, unknown cells >= 0);
   a cell is protected when that interval is at least ``protection`` wide.
5. **Rounding.** Published counts are rounded to multiples of ``round_to``; percentages are computed
   from the unrounded numbers. Changes between periods are derived from published values only, so a
   change next to a suppressed value is suppressed too.

Relations between *different* numerators (met + zonder verblijf overlap, unions) are not additive and
are not used; multi-valued breakdowns only give inequalities. Unpublished ('internal') output skips all
of this and is marked as not for publication.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from regiekit import engine
from regiekit.indicators.definitions import Indicator, load_catalogue
from regiekit.publish import relations
from regiekit.publish.relations import TOLERANCE
from regiekit.publish.rules import DisclosureError, Rules

__all__ = ["STATUS_TEXT", "SUPPRESSED", "DisclosureError", "Rules", "audit", "protect"]

SUPPRESSED = "x"  # shown instead of a suppressed value, as CBS does
STATUS_TEXT = {"geheim": "geheim (onthullingscontrole)", "afgerond": "afgerond op {round_to}",
               "klein": "minder dan {min_count}",
               "intern": "INTERN: niet voor publicatie", "geheim_cbs": "geheim (CBS)", "": ""}


def _signature(ind: Indicator) -> str:
    """Indicators with the same signature count the same units and share cells: the total (no
    breakdown) and every breakdown of it, keyed ``field=category``."""
    return json.dumps([ind.numerator.model_dump(mode="json"), ind.population.model_dump(mode="json"),
                       ind.period, ind.statistic is not None and ind.id], sort_keys=True)


def _primary(frame: pd.DataFrame, defs: dict[str, Indicator], rules: Rules) -> tuple[pd.Series, pd.Series]:
    """(cell-level, row-level) primary suppression flags for an engine table."""
    num = frame["numerator"].astype(float)
    den = pd.to_numeric(frame["denominator"], errors="coerce").astype(float)
    is_stat = frame["indicator"].map(lambda i: defs[i].statistic is not None)
    same_units = frame["indicator"].map(lambda i: defs[i].denominator is not None
                                        and defs[i].denominator.count == defs[i].numerator.count)
    small = (num > 0) & (num < rules.min_count) & ~is_stat
    rest = den - num  # the units a share leaves out
    if rules.missing_exact:  # missing answers describe the form, not the youth
        missing = frame["category"].eq(engine.UNKNOWN)
        small &= ~missing
        group = [frame[k].fillna("") for k in ("indicator", "region_code", "period", "subperiod")]
        rest -= num.where(missing, 0).groupby(group).transform("sum").where(~missing, 0)
    complement = same_units & (rest > 0) & (rest < rules.min_count)
    cell = small | complement
    unreliable = ((frame["unit"].isin(["percent", "per_1000"]) & (den.fillna(0) < rules.min_denominator))
                  | (is_stat & (num < rules.min_cases)))
    return cell, unreliable


KEYS = ["_sig", "period", "subperiod", "category", "region_code"]


def _cells(frame: pd.DataFrame, rules: Rules):
    """The table with its cell keys, the row-level primary flags, and one row per cell (numerator value,
    primary flag, and whether every row of the cell is suppressed when the table has a status)."""
    defs = {i: load_catalogue()[i] for i in frame["indicator"].unique()}
    cell_primary, row_primary = _primary(frame, defs, rules)
    by = frame["indicator"].map(lambda i: defs[i].by)
    category = [f"{b}={c}" if isinstance(b, str) else "" for b, c in zip(by, frame["category"])]
    same_units = frame["indicator"].map(lambda i: defs[i].denominator is not None
                                        and defs[i].denominator.count == defs[i].numerator.count)
    keyed = frame.assign(subperiod=frame["subperiod"].fillna(""), category=category,
                         _sig=frame["indicator"].map(lambda i: _signature(defs[i])), _cell=cell_primary.to_numpy(),
                         _den=pd.to_numeric(frame["denominator"], errors="coerce").where(same_units),
                         _hidden=frame["status"].isin(["geheim", "klein"]) if "status" in frame else False)
    cells = keyed.groupby(KEYS, dropna=False, sort=False).agg(
        value=("numerator", "first"), primary=("_cell", "any"), suppressed=("_hidden", "all"),
        total=("_den", "max"), indicator=("indicator", "first")).reset_index()
    if "status" in frame:  # a protected table: what it shows as 'minder dan N'
        cells = cells.merge(keyed.assign(_klein=frame["status"].eq("klein").to_numpy())
                            .groupby(KEYS, dropna=False, sort=False)["_klein"].any().rename("small").reset_index(),
                            on=KEYS, how="left")
    else:
        values = cells["value"].astype(float)
        cells["small"] = rules.show_small & cells["primary"] & (values > 0) & (values < rules.min_count)
    kinds: dict[str, str | set] = {}
    for d in defs.values():
        sig = _signature(d)
        if d.statistic is not None:
            kinds[sig] = "statistic"
        else:
            kinds.setdefault(sig, set())
            if engine.exclusive_breakdown(d):
                kinds[sig].add(d.by)
    return keyed, row_primary, cells, kinds


def protect(frame: pd.DataFrame, rules: Rules | None = None, internal: bool = False) -> pd.DataFrame:
    """The engine table with what may be published: ``published`` (the value as it may be shown, None
    when suppressed; counts rounded) and ``status`` ('', 'afgerond', 'geheim', 'klein' for a small count a
    case monitor shows as 'minder dan N', or 'intern').

    Protection is decided on the whole table at once, so run it on every region that any report of the
    run publishes (all gemeenten and the regions above them): a jeugdregio minus its other gemeenten
    then cannot reveal a suppressed gemeente in another report."""
    rules = rules or Rules.load()
    out = frame.copy()
    if internal:
        return out.assign(published=out["value"].astype(float), status="intern")
    if out.empty:
        return out.assign(published=pd.Series(dtype=float), status=pd.Series(dtype=str))
    keyed, row_primary, cells, kinds = _cells(out, rules)
    decided = []
    for (sig, _, _), group in cells.groupby(["_sig", "period", "subperiod"], sort=False):
        group = group.assign(suppressed=group["primary"])
        if kinds[sig] != "statistic":
            group = relations.secondary(group, kinds[sig], rules)
        decided.append(group)
    cells = pd.concat(decided, ignore_index=True)
    merged = keyed.drop(columns="_hidden").merge(cells[KEYS + ["suppressed", "small"]], on=KEYS, how="left")
    suppressed = merged["suppressed"].to_numpy(dtype=bool) | row_primary.to_numpy(dtype=bool)
    value = out["value"].astype(float)
    is_count = (out["unit"] == "count").to_numpy()
    small = merged["small"].to_numpy(dtype=bool) & is_count  # shown as 'minder dan N' (case monitors)
    if rules.round_to > 1:
        value = value.where(~is_count, (value / rules.round_to).round() * rules.round_to)
    out["published"] = value.where(~suppressed)
    out["status"] = np.where(small, "klein", np.where(suppressed, "geheim",
                                                       np.where(is_count & (rules.round_to > 1), "afgerond", "")))
    return out


def audit(protected: pd.DataFrame, rules: Rules | None = None) -> pd.DataFrame:
    """Every primary-suppressed cell with the interval a reader can infer from what the table publishes;
    ``safe`` is False where that interval is narrower than ``rules.protection``. No unsafe row is the
    proof that no suppressed small number can be recomputed."""
    rules = rules or Rules.load()
    _, _, cells, kinds = _cells(protected, rules)
    found = []
    for (sig, period, sub), group in cells.groupby(["_sig", "period", "subperiod"], sort=False):
        if kinds[sig] == "statistic":
            continue
        group = group.reset_index(drop=True)
        values = group["value"].astype(float).to_numpy()
        for cell, low, high in relations.intervals(relations.relations_of(group, kinds[sig], rules),
                                                   group["suppressed"].to_numpy(), values,
                                                   group["primary"].to_numpy(),
                                                   bounds=relations.shown_bounds(group, rules)):
            found.append({"indicator": group["indicator"].iloc[cell], "region_code": group["region_code"].iloc[cell],
                          "period": period, "subperiod": sub, "category": group["category"].iloc[cell],
                          "lowest": low, "highest": high, "safe": high - low >= rules.protection - TOLERANCE})
    return pd.DataFrame(found, columns=["indicator", "region_code", "period", "subperiod", "category",
                                        "lowest", "highest", "safe"])
