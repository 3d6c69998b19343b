"""Disclosure control for everything a report publishes: primary and secondary suppression, rounding
and an audit that proves no suppressed cell can be recomputed.

Method (documented in ``docs/onthullingscontrole.md``):

1. **Cells.** Indicators that count the same units (same numerator definition, age band, period type
   and breakdown) share their cells: a count and a percentage of the same youths are suppressed
   together, so one cannot be recomputed from the other and the (public) population.
2. **Primary suppression** (defaults in ``regiekit/disclosure.yaml``, in the manner of CBS
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
import os
import sys
from dataclasses import asdict, dataclass, fields
from importlib import resources
from pathlib import Path

import highspy
import numpy as np
import pandas as pd
import yaml

from regiekit import engine
from regiekit.definitions import Indicator, load_catalogue
from regiekit.regions import NEDERLAND, load_regions

SUPPRESSED = "x"  # shown instead of a suppressed value, as CBS does
STATUS_TEXT = {"geheim": "geheim (onthullingscontrole)", "afgerond": "afgerond op {round_to}",
               "intern": "INTERN: niet voor publicatie", "": ""}


class DisclosureError(RuntimeError):
    """Protection could not be established (the audit still finds a recoverable cell)."""


@dataclass(frozen=True)
class Rules:
    min_count: int = 10
    min_denominator: int = 20
    min_cases: int = 10
    round_to: int = 5
    protection: int = 10

    @classmethod
    def load(cls, path: str | Path | None = None) -> "Rules":
        """The packaged defaults, or a YAML file overriding some of them."""
        text = (Path(path).read_text(encoding="utf-8") if path is not None
                else resources.files("regiekit").joinpath("disclosure.yaml").read_text(encoding="utf-8"))
        data = yaml.safe_load(text) or {}
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"unknown disclosure rule(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
        bad = [k for k, v in data.items() if not isinstance(v, int) or v < 0]
        if bad:
            raise ValueError(f"disclosure rule(s) {', '.join(bad)} must be whole numbers of 0 or more")
        return cls(**{**asdict(cls()), **data})

    def text(self) -> list[str]:
        """The rules in Dutch, as a report states them."""
        lines = [f"Aantallen van 1 tot en met {self.min_count - 1} worden niet gepubliceerd (x), evenmin als "
                 f"percentages waarbij zo'n klein aantal jongeren of zaken mee- of juist niet meetelt.",
                 f"Percentages op minder dan {self.min_denominator} jongeren of zaken worden niet gepubliceerd; "
                 f"een gemiddelde of mediaan alleen bij ten minste {self.min_cases} zaken.",
                 "Waar een weggelaten cijfer uit andere cijfers terug te rekenen zou zijn (gemeenten tegen hun "
                 "regio, categorieën tegen het totaal, het ene jaar tegen de verandering), is ook een ander "
                 "cijfer weggelaten (secundaire onderdrukking)."]
        if self.round_to > 1:
            lines.append(f"Aantallen zijn afgerond op {self.round_to}-tallen; percentages zijn berekend op de "
                         "niet-afgeronde aantallen.")
        return lines


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
    complement = same_units & (den - num > 0) & (den - num < rules.min_count)
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
                         _hidden=(frame["status"] == "geheim") if "status" in frame else False)
    cells = keyed.groupby(KEYS, dropna=False, sort=False).agg(
        value=("numerator", "first"), primary=("_cell", "any"), suppressed=("_hidden", "all"),
        total=("_den", "max"), indicator=("indicator", "first")).reset_index()
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
    when suppressed; counts rounded) and ``status`` ('', 'afgerond', 'geheim' or 'intern').

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
            group = _secondary(group, kinds[sig], rules)
        decided.append(group)
    cells = pd.concat(decided, ignore_index=True)
    merged = keyed.drop(columns="_hidden").merge(cells[KEYS + ["suppressed"]], on=KEYS, how="left")
    suppressed = merged["suppressed"].to_numpy(dtype=bool) | row_primary.to_numpy(dtype=bool)
    value = out["value"].astype(float)
    is_count = (out["unit"] == "count").to_numpy()
    if rules.round_to > 1:
        value = value.where(~is_count, (value / rules.round_to).round() * rules.round_to)
    out["published"] = value.where(~suppressed)
    out["status"] = np.where(suppressed, "geheim", np.where(is_count & (rules.round_to > 1), "afgerond", ""))
    return out


@dataclass
class _Relation:
    """sum(coef * cell) == constant over the cells of one group."""

    members: list[int]  # row positions in the group
    coefs: list[float]
    constant: float = 0.0
    parent: int | None = None


def _relations(group: pd.DataFrame, breakdowns: set, rules: Rules) -> list[_Relation]:
    """The additive relations between the cells of one group (see the module docstring)."""
    index = load_regions()
    position = {(r, c): n for n, (r, c) in enumerate(zip(group["region_code"], group["category"]))}
    relations = []
    for category in group["category"].unique():
        for region in group.loc[group["category"] == category, "region_code"].unique():
            if index.get(region).level == "gemeente":
                continue
            children = [position.get((g, category)) for g in index.members(region)]
            if any(c is None for c in children):
                continue  # a gemeente not in the table: the relation holds no published information
            parent = position[(region, category)]
            relations.append(_Relation([parent, *children], [1.0] + [-1.0] * len(children), 0.0, parent))
    for level in ("jeugdregio", "provincie"):  # each level partitions Nederland
        for category in group["category"].unique():
            parts = [position.get((r.code, category)) for r in index.all(level)]
            whole = position.get((NEDERLAND, category))
            if whole is not None and all(p is not None for p in parts):
                relations.append(_Relation([whole, *parts], [1.0] + [-1.0] * len(parts), 0.0, whole))
    for field in sorted(breakdowns):  # the categories of an exclusive breakdown add up to its total
        prefix = f"{field}="
        for region in group["region_code"].unique():
            rows = [n for (r, c), n in position.items() if r == region and c.startswith(prefix)]
            total = position.get((region, ""))
            if total is not None:  # the total is a cell of this table, published or not
                relations.append(_Relation([total, *rows], [1.0] + [-1.0] * len(rows), 0.0, total))
                continue
            known = pd.to_numeric(group["total"].iloc[rows], errors="coerce").max() if rows else float("nan")
            if pd.notna(known) and known >= rules.min_denominator:  # shares on a publishable base reveal it
                relations.append(_Relation(rows, [1.0] * len(rows), float(known)))
    return relations


def _secondary(group: pd.DataFrame, breakdowns: set, rules: Rules) -> pd.DataFrame:
    """Add secondary suppressions to one group of linked cells until the audit finds nothing."""
    group = group.reset_index(drop=True)
    relations = _relations(group, breakdowns, rules)
    by_cell = _by_cell(relations)
    primary = group["primary"].to_numpy(dtype=bool)
    suppressed = primary.copy()
    values = group["value"].astype(float).to_numpy()
    # suppressing more only widens what a reader can infer, so a cell found safe stays safe
    pending = primary.copy()
    for _ in range(len(group) + 1):
        changed = True
        while changed:  # no relation may have exactly one unknown cell
            changed = False
            for rel in relations:
                hidden = [m for m in rel.members if suppressed[m]]
                if len(hidden) == 1 and (_suppress_partner(rel, hidden[0], suppressed, values, rules)
                                         or _suppress_partner(rel, hidden[0], suppressed, values, rules, parent=True)):
                    changed = True
        failed = _unprotected(relations, suppressed, pending, values, rules, by_cell)
        if not failed:
            group["suppressed"] = suppressed
            return group
        pending = np.zeros_like(primary)
        pending[failed] = True
        before = suppressed.sum()
        for cell in failed:
            _widen(cell, relations, suppressed, values, rules)
        if suppressed.sum() == before:  # no single cell helps: hide every cell linked to the failures
            for rel in relations:
                if set(failed) & set(rel.members):
                    suppressed[rel.members] = True
        if suppressed.sum() == before:
            raise DisclosureError(f"cannot protect {len(failed)} cell(s), e.g. region "
                                  f"{group['region_code'].iloc[failed[0]]}: nothing left to suppress")
    raise DisclosureError("secondary suppression did not converge")


def _widen(cell: int, relations: list[_Relation], suppressed, values, rules: Rules) -> None:
    """Suppress one more cell to widen what a reader can infer about ``cell``: a child cell in a relation
    of the cell, else in a relation of the suppressed cells linked to it (a jeugdregio whose gemeenten are
    all suppressed is protected by another jeugdregio), and only as a last resort a total."""
    linked, seen = {cell}, set()
    while True:
        around = sorted((r for n, r in enumerate(relations) if n not in seen and linked & set(r.members)),
                        key=lambda r: sum(suppressed[m] for m in r.members))
        if not around:
            break
        if any(_suppress_partner(rel, cell, suppressed, values, rules) for rel in around):
            return
        seen |= {n for n, r in enumerate(relations) if linked & set(r.members)}
        linked |= {m for rel in around for m in rel.members if suppressed[m]}
    any(_suppress_partner(rel, cell, suppressed, values, rules, parent=True)
        for rel in relations if cell in rel.members)


def _suppress_partner(rel: _Relation, cell: int, suppressed, values, rules: Rules, parent: bool = False) -> bool:
    """Suppress the smallest published cell of ``rel`` that protects ``cell``: one of at least
    ``protection`` if there is one. Only a child cell, unless ``parent`` allows the relation's total.
    False when nothing is left to suppress."""
    candidates = [m for m in rel.members if not suppressed[m] and m != cell and (parent or m != rel.parent)]
    if not candidates:
        return False
    safe = [m for m in candidates if values[m] >= rules.protection]
    chosen = min(safe, key=lambda m: (values[m], m)) if safe else max(candidates, key=lambda m: (values[m], -m))
    suppressed[chosen] = True
    return True


def _unprotected(relations: list[_Relation], suppressed, primary, values, rules: Rules, by_cell) -> list[int]:
    """Primary cells whose feasible interval, given the published cells, is narrower than required."""
    return [cell for cell, low, high in _intervals(relations, suppressed, values, primary, by_cell)
            if high - low < rules.protection]


def _solver() -> highspy.Highs:
    """A silent HiGHS instance (its licence banner goes to the process's stdout, and so into notebooks)."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 1)
            solver = highspy.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(saved)
    solver.setOptionValue("output_flag", False)
    return solver


def _by_cell(relations: list[_Relation]) -> dict[int, list[int]]:
    """For every cell, the positions of the relations it appears in."""
    found: dict[int, list[int]] = {}
    for n, rel in enumerate(relations):
        for m in rel.members:
            found.setdefault(m, []).append(n)
    return found


def _component(relations: list[_Relation], by_cell: dict[int, list[int]], suppressed, start: int) -> list[int]:
    """The relations linked to suppressed cell ``start`` through suppressed cells: all a reader can use
    to pin it down (relations without a suppressed cell in common carry no information about it)."""
    cells, found, todo = {start}, set(), [start]
    while todo:
        for n in by_cell.get(todo.pop(), ()):
            if n not in found:
                found.add(n)
                for m in relations[n].members:
                    if suppressed[m] and m not in cells:
                        cells.add(m)
                        todo.append(m)
    return sorted(found)


def _intervals(relations: list[_Relation], suppressed, values, targets, by_cell=None):
    """(cell, lowest, highest) for every suppressed cell among ``targets`` that appears in a relation:
    what a reader who knows every published cell can infer. One linear programme (HiGHS) per connected
    group of suppressed cells: unknown cells >= 0, every relation as an equality; its objective is
    switched from cell to cell."""
    by_cell = by_cell if by_cell is not None else _by_cell(relations)
    wanted = [m for m in sorted(by_cell) if suppressed[m] and targets[m]]
    found, done = [], set()
    for start in wanted:
        if start in done:
            continue
        part = [relations[n] for n in _component(relations, by_cell, suppressed, start)]
        hidden = sorted({m for rel in part for m in rel.members if suppressed[m]})
        done |= set(hidden)
        found += _solve(part, hidden, [m for m in hidden if targets[m]], suppressed, values)
    return sorted(found)


def _solve(relations: list[_Relation], hidden: list[int], wanted: list[int], suppressed, values):
    """The lowest and highest value of each ``wanted`` cell given ``relations`` over the ``hidden`` cells."""
    column = {m: n for n, m in enumerate(hidden)}
    lp = _solver()
    lp.addVars(len(hidden), np.zeros(len(hidden)), np.full(len(hidden), highspy.kHighsInf))
    for rel in relations:
        constant = rel.constant - sum(c * values[m] for m, c in zip(rel.members, rel.coefs) if not suppressed[m])
        index = [column[m] for m in rel.members if suppressed[m]]
        coefs = [c for m, c in zip(rel.members, rel.coefs) if suppressed[m]]
        lp.addRow(constant, constant, len(index), np.array(index, dtype=np.int32), np.array(coefs, dtype=float))
    found, previous = [], None
    for cell in wanted:
        if previous is not None:
            lp.changeColCost(column[previous], 0.0)
        lp.changeColCost(column[cell], 1.0)
        previous = cell
        bounds = []
        for sense in (highspy.ObjSense.kMinimize, highspy.ObjSense.kMaximize):
            lp.changeObjectiveSense(sense)
            lp.run()
            status = lp.getModelStatus()
            if status == highspy.HighsModelStatus.kUnbounded:
                bounds.append(np.inf)
            elif status == highspy.HighsModelStatus.kOptimal:
                bounds.append(lp.getInfo().objective_function_value)
            else:
                raise DisclosureError(f"the published cells are inconsistent ({lp.modelStatusToString(status)})")
        found.append((cell, *bounds))
    return found


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
        for cell, low, high in _intervals(_relations(group, kinds[sig], rules), group["suppressed"].to_numpy(),
                                          values, group["primary"].to_numpy()):
            found.append({"indicator": group["indicator"].iloc[cell], "region_code": group["region_code"].iloc[cell],
                          "period": period, "subperiod": sub, "category": group["category"].iloc[cell],
                          "lowest": low, "highest": high, "safe": high - low >= rules.protection})
    return pd.DataFrame(found, columns=["indicator", "region_code", "period", "subperiod", "category",
                                        "lowest", "highest", "safe"])
