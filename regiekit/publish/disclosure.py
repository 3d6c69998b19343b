"""Disclosure control for everything a report publishes: primary and secondary suppression, rounding
and an audit that proves no suppressed number can be recomputed.

Method (documented in ``docs/onthullingscontrole.md``):

1. **Cells.** Every published number is a count (a cell) or a share of two counts
   (:mod:`regiekit.publish.cells`, derived from the catalogue). A cell gets one decision for every place
   it appears: the number and the percentage of the same youths, a count under two names, the
   denominator of a share.
2. **Primary suppression** (defaults in ``regiekit/publish/disclosure.yaml``, in the manner of CBS
   Beleidsinformatie Jeugd): a cell of 1 to ``min_count - 1``; the part of a share whose complement (the
   units of the same kind *not* counted) is that small; a percentage on fewer than ``min_denominator``
   units; a mean or median of fewer than ``min_cases`` cases.
3. **Secondary suppression** (:mod:`regiekit.publish.suppression`): an integer programme (HiGHS) per
   unprotected small number chooses the cells to suppress as well at the least information lost, over
   every relation a reader can use (regions as sums of gemeenten, levels partitioning Nederland,
   categories adding up to their total, age bands adding up).
4. **Audit.** For every small number an integer programme finds the smallest and largest value
   consistent with everything published; it is protected when that interval is at least ``protection`` wide.
5. **Publication.** A share is published only where its numerator and denominator cells are; counts are
   rounded to multiples of ``round_to`` (cosmetic: the audit assumes a reader knows every published cell
   exactly). Changes between periods are derived from published values only.

Unpublished ('internal') output skips all of this and is marked as not for publication.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from regiekit import engine
from regiekit.indicators.definitions import load_catalogue
from regiekit.publish import cells as cellmodel
from regiekit.publish import suppression
from regiekit.publish.rules import DisclosureError, Rules

__all__ = ["STATUS_TEXT", "SUPPRESSED", "DisclosureError", "Rules", "audit", "protect"]

SUPPRESSED = "x"  # shown instead of a suppressed value, as CBS does
STATUS_TEXT = {"geheim": "geheim (onthullingscontrole)", "afgerond": "afgerond op {round_to}",
               "klein": "minder dan {min_count}",
               "intern": "INTERN: niet voor publicatie", "geheim_cbs": "geheim (CBS)", "": ""}
HIDDEN = ("geheim", "klein")


def _problem(cells: cellmodel.Cells, rules: Rules):
    """The protection problem of a table's cells: the problem, the primary cells and the targets (every
    small cell, and the complement of every share that leaves few units out)."""
    atoms = cells.atoms
    values = atoms["value"].to_numpy(dtype=float)
    public = atoms["public"].to_numpy(dtype=bool)
    exempt = atoms["missing"].to_numpy(dtype=bool) & rules.missing_exact  # missing answers describe the form
    small = (values > 0) & (values < rules.min_count) & ~public & ~exempt
    primary = small.copy()
    targets = [suppression.Target(np.array([c]), np.array([1.0])) for c in np.flatnonzero(small)]
    for total, part, missing in cells.complements:
        members = [total, part] + ([missing] if missing >= 0 else [])
        target = suppression.Target(np.array(members), np.array([1.0, -1.0, -1.0][:len(members)]))
        if 0 < target.value(values) < rules.min_count:
            primary[part] |= values[part] > 0  # a 0 says nothing of the rest, and zeros are published
            targets.append(target)
    # hidden only as a last resort: a missing answer the rules publish exactly, and in a case monitor the
    # number of cases a share divides by (the team's headline count)
    keep = exempt.copy()
    if rules.missing_exact:
        keep[cells.denominator[cells.denominator >= 0]] = True
    weight = np.where(keep, 1000.0, 1.0)
    problem = suppression.Problem(values, cells.relations, public | (values == 0), small & rules.show_small,
                                  float(rules.min_count - 1), float(rules.protection), weight)
    return problem, primary, targets


def _unreliable(frame: pd.DataFrame, rules: Rules) -> np.ndarray:
    """Rows suppressed whatever their cells: a percentage on too few units, a statistic of too few cases."""
    catalogue = load_catalogue()
    is_stat = frame["indicator"].map(lambda i: catalogue[i].statistic is not None).to_numpy(dtype=bool)
    num = pd.to_numeric(frame["numerator"], errors="coerce").astype(float).to_numpy()
    den = pd.to_numeric(frame["denominator"], errors="coerce").astype(float).to_numpy()
    share = frame["unit"].isin(["percent", "per_1000"]).to_numpy()
    return (share & (np.nan_to_num(den) < rules.min_denominator)) | (is_stat & (np.nan_to_num(num) < rules.min_cases))


def _statistics_of_hidden(frame: pd.DataFrame, hidden: np.ndarray) -> np.ndarray:
    """Rows of a mean or median whose field the table also breaks down over the same units, region and
    period with a category hidden: the mean times its cases is the sum of value times count over the
    categories, which would pin the hidden ones (a median narrows them)."""
    catalogue = load_catalogue()
    defs = {i: catalogue[i] for i in frame["indicator"].unique()}
    breakdowns: dict[tuple[str, str], list[str]] = {}
    for d in defs.values():
        if d.by is not None and d.statistic is None:
            breakdowns.setdefault((cellmodel.count_key(d.numerator, d), d.by), []).append(d.id)
    key = frame[["region_code", "period", "subperiod"]].astype(object).fillna("").astype(str)
    place = key["region_code"].str.cat([key["period"], key["subperiod"]], sep="|")
    found = np.zeros(len(frame), dtype=bool)
    for d in defs.values():
        ids = d.statistic and breakdowns.get((cellmodel.count_key(d.numerator, d), d.statistic.field))
        if ids:
            known = frame["category"].ne(engine.UNKNOWN).to_numpy()  # the mean leaves missing answers out
            pinned = set(place[frame["indicator"].isin(ids).to_numpy() & hidden & known])
            mine = frame["indicator"].eq(d.id).to_numpy()
            found[mine] = place[mine].isin(pinned).to_numpy()
    return found


def _hidden_rows(cells: cellmodel.Cells, suppressed: np.ndarray) -> np.ndarray:
    """Rows whose numerator or denominator cell is suppressed."""
    hidden = np.zeros(len(cells.numerator), dtype=bool)
    for column in (cells.numerator, cells.denominator):
        has = column >= 0
        hidden[has] |= suppressed[column[has]]
    return hidden


def protect(frame: pd.DataFrame, rules: Rules | None = None, internal: bool = False) -> pd.DataFrame:
    """The engine table with what may be published: ``published`` (the value as it may be shown, None
    when suppressed; counts rounded) and ``status`` ('', 'afgerond', 'geheim', 'klein' for a small count a
    case monitor shows as 'minder dan N', or 'intern').

    Protection is decided on the whole table at once, so run it on every region and every indicator that
    any report of the run publishes (:func:`regiekit.publish.published.table` does): a jeugdregio minus its
    other gemeenten then cannot reveal a suppressed gemeente in another report."""
    rules = rules or Rules.load()
    out = frame.copy()
    if internal:
        return out.assign(published=out["value"].astype(float), status="intern")
    if out.empty:
        return out.assign(published=pd.Series(dtype=float), status=pd.Series(dtype=str))
    cells = cellmodel.build(out, rules.missing_exact)
    problem, primary, targets = _problem(cells, rules)
    suppressed = suppression.protect(problem, primary, targets)
    hidden = _hidden_rows(cells, suppressed) | _unreliable(out, rules)
    hidden |= _statistics_of_hidden(out, hidden)
    is_count = (out["unit"] == "count").to_numpy()
    has_cell = cells.numerator >= 0
    small = np.zeros(len(out), dtype=bool)
    small[has_cell] = problem.small[cells.numerator[has_cell]] & suppressed[cells.numerator[has_cell]]
    small &= is_count  # shown as 'minder dan N' (case monitors)
    value = out["value"].astype(float)
    if rules.round_to > 1:
        value = value.where(~is_count, (value / rules.round_to).round() * rules.round_to)
    out["published"] = value.where(~hidden)
    out["status"] = np.where(small, "klein", np.where(hidden, "geheim",
                                                      np.where(is_count & (rules.round_to > 1), "afgerond", "")))
    return out


def audit(protected: pd.DataFrame, rules: Rules | None = None) -> pd.DataFrame:
    """Every small number (a small cell, or the complement of a share) with the interval a reader can
    infer from what the table publishes; ``safe`` is False where that interval is narrower than
    ``rules.protection``. No unsafe row is the proof that no suppressed small number can be recomputed."""
    rules = rules or Rules.load()
    columns = ["indicator", "region_code", "period", "subperiod", "category", "lowest", "highest", "safe"]
    if protected.empty:
        return pd.DataFrame(columns=columns)
    cells = cellmodel.build(protected, rules.missing_exact)
    problem, _, targets = _problem(cells, rules)
    shown = ~protected["status"].isin(HIDDEN).to_numpy()
    published = np.zeros(len(cells.atoms), dtype=bool)
    for column in (cells.numerator, cells.denominator):
        has = (column >= 0) & shown
        published[column[has]] = True
    klein = protected["status"].eq("klein").to_numpy() & (cells.numerator >= 0)
    problem.small = np.zeros(len(cells.atoms), dtype=bool)
    problem.small[cells.numerator[klein]] = True
    first_row = pd.Series(np.arange(len(protected)))[cells.numerator >= 0].groupby(
        cells.numerator[cells.numerator >= 0]).first()
    found = []
    for target, (low, high) in zip(targets, suppression.intervals(problem, ~published, targets)):
        row = protected.iloc[first_row.get(int(target.members[min(1, len(target.members) - 1)]), 0)]
        found.append({"indicator": row["indicator"], "region_code": row["region_code"], "period": row["period"],
                      "subperiod": row["subperiod"], "category": row["category"], "lowest": low, "highest": high,
                      "safe": high - low >= rules.protection - suppression.TOLERANCE})
    return pd.DataFrame(found, columns=columns)
