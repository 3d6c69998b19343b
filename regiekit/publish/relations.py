"""The links between published cells and what a reader can infer through them: additive relations
(regions as sums of gemeenten, levels as partitions of Nederland, categories adding up to their total),
secondary suppression over those relations, and the intervals a linear programme (HiGHS) finds for a
suppressed cell. :mod:`regiekit.publish.disclosure` decides what to suppress with these and audits it.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass

import highspy
import numpy as np
import pandas as pd

from regiekit.publish.rules import DisclosureError, Rules
from regiekit.reference.regions import NEDERLAND, load_regions

TOLERANCE = 1e-6  # the solver's rounding: an interval of 0,9999999 for a width of 1 is a width of 1


@dataclass
class _Relation:
    """sum(coef * cell) == constant over the cells of one group."""

    members: list[int]  # row positions in the group
    coefs: list[float]
    constant: float = 0.0
    parent: int | None = None


def relations_of(group: pd.DataFrame, breakdowns: set, rules: Rules) -> list[_Relation]:
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
    for level in ("jeugdregio", "provincie", "grootteklasse"):  # each level partitions Nederland
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


def shown_bounds(group: pd.DataFrame, rules: Rules) -> dict[int, tuple[float, float]]:
    """What a report says about a suppressed cell it shows as 'minder dan N' (``rules.show_small``):
    the cell lies between 1 and N - 1. Other suppressed cells are only known to be 0 or more."""
    if not rules.show_small:
        return {}
    return {n: (1.0, float(rules.min_count - 1)) for n in np.flatnonzero(group["small"].to_numpy(dtype=bool))}


def secondary(group: pd.DataFrame, breakdowns: set, rules: Rules) -> pd.DataFrame:
    """Add secondary suppressions to one group of linked cells until the audit finds nothing."""
    group = group.reset_index(drop=True)
    relations = relations_of(group, breakdowns, rules)
    by_cell = _by_cell(relations)
    bounds = shown_bounds(group, rules)
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
        failed = _unprotected(relations, suppressed, pending, values, rules, by_cell, bounds)
        if not failed:
            group["suppressed"] = suppressed
            group["small"] = [n in bounds for n in range(len(group))]
            return group
        pending = np.zeros_like(primary)
        pending[failed] = True
        if bounds:  # '<3' cells that pin each other down (1 + 1 = 2) are shown as x instead
            mask = np.zeros_like(primary)
            mask[failed] = True
            pinned = [c for c, low, high in intervals(relations, suppressed, values, mask, by_cell)
                      if high - low >= rules.protection - TOLERANCE and c in bounds]
            if pinned:  # protected as x, not as '<3'
                for c in pinned:
                    bounds.pop(c)
                continue
        before = suppressed.sum()
        for cell in failed:
            _widen(cell, relations, suppressed, values, rules)
        if suppressed.sum() == before:  # no single cell helps: hide every cell linked to the failures
            for rel in relations:
                if set(failed) & set(rel.members):
                    suppressed[rel.members] = True
        if suppressed.sum() == before:
            raise DisclosureError(f"kan {len(failed)} cel(len) niet beschermen, bijvoorbeeld regio "
                                  f"{group['region_code'].iloc[failed[0]]}: er is niets meer weg te laten")
    raise DisclosureError("de secundaire onderdrukking komt niet tot een einde")


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


def _unprotected(relations: list[_Relation], suppressed, primary, values, rules: Rules, by_cell,
                 bounds) -> list[int]:
    """Primary cells whose feasible interval, given the published cells, is narrower than required."""
    return [cell for cell, low, high in intervals(relations, suppressed, values, primary, by_cell, bounds)
            if high - low < rules.protection - TOLERANCE]


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


def intervals(relations: list[_Relation], suppressed, values, targets, by_cell=None, bounds=None):
    """(cell, lowest, highest) for every suppressed cell among ``targets`` that appears in a relation:
    what a reader who knows every published cell can infer. One linear programme (HiGHS) per connected
    group of suppressed cells: unknown cells >= 0 (or within ``bounds``, cell -> (low, high), where the
    report shows 'minder dan N'), every relation as an equality; its objective is switched from cell to
    cell."""
    by_cell = by_cell if by_cell is not None else _by_cell(relations)
    wanted = [m for m in sorted(by_cell) if suppressed[m] and targets[m]]
    found, done = [], set()
    for start in wanted:
        if start in done:
            continue
        part = [relations[n] for n in _component(relations, by_cell, suppressed, start)]
        hidden = sorted({m for rel in part for m in rel.members if suppressed[m]})
        done |= set(hidden)
        found += _solve(part, hidden, [m for m in hidden if targets[m]], suppressed, values, bounds or {})
    return sorted(found)


def _solve(relations: list[_Relation], hidden: list[int], wanted: list[int], suppressed, values, bounds):
    """The lowest and highest value of each ``wanted`` cell given ``relations`` over the ``hidden`` cells."""
    column = {m: n for n, m in enumerate(hidden)}
    lp = _solver()
    lows = np.array([bounds.get(m, (0.0, highspy.kHighsInf))[0] for m in hidden], dtype=float)
    highs = np.array([bounds.get(m, (0.0, highspy.kHighsInf))[1] for m in hidden], dtype=float)
    lp.addVars(len(hidden), lows, highs)
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
                raise DisclosureError(f"de gepubliceerde cellen zijn tegenstrijdig ({lp.modelStatusToString(status)})")
        found.append((cell, *bounds))
    return found
