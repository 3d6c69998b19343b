"""Secondary suppression and the audit, over the cells and relations of :mod:`regiekit.publish.cells`.

The reader (the attacker) is assumed to know every published cell exactly (rounding is not counted as
protection), every relation, that a suppressed cell is at least 1 (zeros are published and never
suppressed) and that a cell shown as '<3' is 1 or 2. A *target* is a number that must stay uncertain: a
small cell, or the units a share leaves out (total minus part). Its interval is the lowest and highest
value consistent with all that, found by a linear programme (HiGHS) and rounded inwards to whole numbers;
a target is protected when the interval is at least ``protection`` wide. The programme lets every
suppressed cell move by at most ``protection`` above its value: a reader with that freedom only knows
less, so a target protected under it is protected.

Secondary suppression chooses the published cells to suppress as well, at the least information lost
(:func:`_cost`: the value of a cell, and a thousand times more for a count of ``LARGE`` or more), in the
manner of Fischetti and Salazar's optimal method (Tau-Argus):

1. a first choice per group of linked cells (one integer programme): in every relation, a suppressed cell
   has partners that can move far enough (:func:`_cover`);
2. rounds of audit and repair: the audit of every target that is not yet protected gives, from the dual
   of its linear programme, a *capacity cut*: which published cells would widen its interval and by how
   much if suppressed (a few solves shared by all targets of a group first prove most of them protected:
   :meth:`_Reader.seen`). One integer programme chooses the cheapest cells that satisfy every cut found so
   far. Suppressing more only widens intervals, so a protected target stays protected and each round
   audits only the targets still open;
3. after ``ROUNDS`` rounds, a target still open gets an integer programme of its own over the cells
   around it (the cut's model of the reader becomes exact there), widening the area until it is protected;
4. a cell of ``LARGE`` or more that no target needs any more is published again (:func:`_release`).

The result is protected by construction: protection ends only when the last audit finds every target's
interval at least ``protection`` wide, and a large cell is only published again where each target keeps
two tables a reader cannot rule out that lie ``protection`` apart.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field

import highspy
import numpy as np
from scipy.sparse import coo_matrix, csr_matrix, hstack, vstack
from scipy.sparse.csgraph import connected_components

from regiekit.publish.cells import Relation
from regiekit.publish.rules import DisclosureError

TOLERANCE = 1e-6  # the solver's rounding
LARGE = 100  # a count of 100 or more is not hidden to protect a small one, unless nothing smaller can
SCREENS = 64  # at most this many pairs of solves push the targets of a group at once, before each target's own
ROUNDS = 30  # rounds of capacity cuts before a target still open gets a programme of its own
# Work limits of the integer programmes, in branch-and-bound nodes rather than seconds, so that the same data
# give the same suppression on a busy machine (one thread: HiGHS is then deterministic); the best choice
# found within them is taken. SAFETY_SECONDS only stops a programme that runs away.
NODES = 1000
SAFETY_SECONDS = 600.0
INFINITY = highspy.kHighsInf


@dataclass
class Target:
    """A number that must stay uncertain: ``sum(coef * cell)`` over ``members``."""

    members: np.ndarray
    coefs: np.ndarray

    def value(self, values: np.ndarray) -> float:
        return float(self.coefs @ values[self.members])


@dataclass
class Problem:
    """The cells (``values``; ``fixed`` for those that are never suppressed: the public population, zeros),
    their relations, and what a reader is told about suppressed cells: ``small`` ones are shown as
    'minder dan N' (between 1 and ``small_high``)."""

    values: np.ndarray
    relations: list[Relation]
    fixed: np.ndarray
    small: np.ndarray
    small_high: float
    protection: float
    weight: np.ndarray  # per cell: a factor on its cost (see :func:`_cost`)
    by_cell: list[list[int]] = field(init=False)
    matrix: csr_matrix = field(init=False)  # the relations' coefficients, one row per relation
    equal: np.ndarray = field(init=False)  # per relation: an equality (else ``<= 0``)

    def __post_init__(self):
        self.by_cell = [[] for _ in range(len(self.values))]
        for n, rel in enumerate(self.relations):
            for m in rel.members:
                self.by_cell[m].append(n)
        self.matrix = _stack([(rel.members, rel.coefs, 0.0, 0.0) for rel in self.relations], len(self.values))[0]
        self.equal = np.array([rel.equal for rel in self.relations], dtype=bool)

    def bounds(self, cells) -> tuple[np.ndarray, np.ndarray]:
        """What a reader knows of suppressed ``cells``: at least 1 (a 0 is hidden only in a row of too few
        units), at most ``small_high`` if shown small, and (see the module) at most ``protection`` above
        the value."""
        cells = np.asarray(cells, dtype=np.int64)
        values = self.values[cells]
        return np.minimum(values, 1.0), np.where(self.small[cells], self.small_high, values + self.protection)


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
    solver.setOptionValue("threads", 1)
    return solver


def _stack(rows, columns: int) -> tuple[csr_matrix, np.ndarray, np.ndarray]:
    """Rows given as (columns, coefs, low, high) as a matrix and its row bounds, for :func:`_model`."""
    sizes = [len(r[0]) for r in rows]
    matrix = coo_matrix((np.concatenate([np.asarray(r[1], dtype=float) for r in rows] or [[]]),
                         (np.repeat(np.arange(len(rows)), sizes),
                          np.concatenate([np.asarray(r[0], dtype=np.int64) for r in rows] or [[]]).astype(np.int64))),
                        shape=(len(rows), columns)).tocsr()
    return matrix, np.array([r[2] for r in rows], dtype=float), np.array([r[3] for r in rows], dtype=float)


def _model(lower, upper, cost, integer, matrix: csr_matrix, row_lower, row_upper) -> highspy.Highs:
    """A HiGHS model: columns with bounds, cost and integrality; rows ``row_lower <= matrix @ x <= row_upper``."""
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = len(lower), matrix.shape[0]
    lp.col_lower_, lp.col_upper_ = np.asarray(lower, dtype=float), np.asarray(upper, dtype=float)
    lp.col_cost_ = np.asarray(cost, dtype=float)
    lp.row_lower_ = np.asarray(row_lower, dtype=float)
    lp.row_upper_ = np.asarray(row_upper, dtype=float)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lp.a_matrix_.start_ = matrix.indptr.astype(np.int32)
    lp.a_matrix_.index_ = matrix.indices.astype(np.int32)
    lp.a_matrix_.value_ = matrix.data.astype(float)
    if any(integer):
        lp.integrality_ = [highspy.HighsVarType.kInteger if i else highspy.HighsVarType.kContinuous for i in integer]
    solver = _solver()
    solver.passModel(lp)
    return solver


def _components(chains: list[np.ndarray], size: int) -> np.ndarray:
    """Per cell (of ``size``) the label of its group, when the cells of each chain are linked."""
    tails = np.concatenate([m[:-1] for m in chains] or [np.array([], dtype=np.int64)])
    heads = np.concatenate([m[1:] for m in chains] or [np.array([], dtype=np.int64)])
    return connected_components(coo_matrix((np.ones(len(tails)), (tails, heads)), shape=(size, size)),
                                directed=False)[1]


def _groups(problem: Problem, suppressed: np.ndarray, targets: list[Target]):
    """The targets per group of linked suppressed cells: (cells, relations, target positions); targets
    without a suppressed cell are returned apart. Suppressed cells are linked when they share a relation
    or a target: a reader pins a target down with everything linked to any of its cells, and relations
    without a suppressed cell carry nothing."""
    hidden = [target.members[suppressed[target.members]] for target in targets]
    chains = [m for m in (rel.members[suppressed[rel.members]] for rel in problem.relations) if len(m) > 1]
    chains += [m for m in hidden if len(m) > 1]
    label = _components(chains, len(problem.values))
    wanted: dict[int, list[int]] = {}
    open_ = []
    for n, members in enumerate(hidden):
        if len(members):
            wanted.setdefault(int(label[members[0]]), []).append(n)
        else:
            open_.append(n)
    if not wanted:
        return [], open_
    cells = np.flatnonzero(suppressed)
    cells = cells[np.argsort(label[cells], kind="stable")]
    starts = np.flatnonzero(np.r_[True, np.diff(label[cells]) != 0])
    members = dict(zip(label[cells[starts]].tolist(), np.split(cells, starts[1:])))
    groups = []
    for group, positions in wanted.items():
        inside = members[group].tolist()
        groups.append((inside, sorted({r for c in inside for r in problem.by_cell[c]}), positions))
    return groups, open_


def _reader_rows(problem: Problem, cells: list[int], relations: list[int]) -> tuple[csr_matrix, np.ndarray, np.ndarray]:
    """The ``relations`` over the suppressed ``cells`` as a reader sees them: the published cells' part is
    known and moves into the row bounds."""
    matrix = problem.matrix[relations]
    published = problem.values.copy()
    published[cells] = 0.0
    constant = -(matrix @ published)
    return matrix[:, cells], np.where(problem.equal[relations], constant, -INFINITY), constant


class _Reader:
    """The linear programme of a reader who knows every published cell, over the suppressed ``cells``
    and the ``relations`` between them."""

    def __init__(self, problem: Problem, cells: list[int], relations: list[int]):
        self.problem, self.cells = problem, cells
        self.hidden = np.zeros(len(problem.values), dtype=bool)
        self.hidden[cells] = True
        self.column = {m: k for k, m in enumerate(cells)}
        self.matrix = problem.matrix[relations]  # the relations' rows over all cells (for :func:`_cut`)
        lower, upper = problem.bounds(cells)
        self.solver = _model(lower, upper, np.zeros(len(cells)), [False] * len(cells),
                             *_reader_rows(problem, cells, relations))
        # each target changes only the costs: the last basis stays feasible, so the primal simplex goes on
        # from it (the default dual simplex starts nearly afresh, 3-4 times slower here)
        self.solver.setOptionValue("simplex_strategy", 4)
        self.everything = np.arange(len(cells), dtype=np.int32)

    def _solve(self, cost: np.ndarray) -> None:
        self.solver.changeColsCost(len(self.cells), self.everything, cost)
        self.solver.run()
        status = self.solver.getModelStatus()
        if status in (highspy.HighsModelStatus.kInfeasible, highspy.HighsModelStatus.kUnboundedOrInfeasible):
            raise DisclosureError("de gepubliceerde cellen zijn tegenstrijdig: geen tabel past bij alle verbanden")
        if status != highspy.HighsModelStatus.kOptimal:
            raise DisclosureError("de audit kon een lineair programma niet oplossen "
                                  f"(HiGHS: {self.solver.modelStatusToString(status)})")

    def ends(self, target: Target) -> tuple[float, float, list[np.ndarray]]:
        """The lowest and highest value of ``target``, and per direction the relations' dual values."""
        cost = np.zeros(len(self.cells))
        shown = ~self.hidden[target.members]
        np.add.at(cost, [self.column[m] for m in target.members[~shown]], target.coefs[~shown])
        constant = float(target.coefs[shown] @ self.problem.values[target.members[shown]])
        ends, duals = [], []
        for sign in (1.0, -1.0):  # the lowest value, then the highest (as the lowest of its negative)
            self._solve(sign * cost)
            end = sign * self.solver.getInfo().objective_function_value + constant
            ends.append(float(np.ceil(end - TOLERANCE) if sign > 0 else np.floor(end + TOLERANCE)))
            duals.append(np.asarray(self.solver.getSolution().row_dual))
        return ends[0], ends[1], duals

    def seen(self, targets: list[Target]) -> tuple[np.ndarray, np.ndarray]:
        """Per target the lowest and highest value in some tables a reader cannot rule out: each pair of solves
        pushes every target not yet ``protection`` apart up or down at once (signs drawn with a fixed seed), so
        that a few solves set most protected targets apart; it stops when a pair sets fewer than two more apart
        (their own ends cost as much) or after ``SCREENS`` pairs. An inner bound of every interval, rounded
        inwards as the ends of :meth:`ends` are."""
        rows = [(n, self.column[m], c) for n, t in enumerate(targets) for m, c in zip(t.members, t.coefs)
                if self.hidden[m]]
        n, k, c = zip(*rows) if rows else ((), (), ())
        coefs = coo_matrix((c, (n, k)), shape=(len(targets), len(self.cells))).tocsr()
        published = np.where(self.hidden, 0.0, self.problem.values)
        constant = np.array([t.value(published) for t in targets])
        low, high = np.full(len(targets), np.inf), np.full(len(targets), -np.inf)
        pending = np.ones(len(targets), dtype=bool)
        signs = np.random.default_rng(0)
        for _ in range(SCREENS):
            push = coefs.T @ (signs.choice([-1.0, 1.0], len(targets)) * pending)
            for direction in (1.0, -1.0):
                self._solve(direction * push)
                value = coefs @ np.asarray(self.solver.getSolution().col_value) + constant
                low, high = np.minimum(low, value), np.maximum(high, value)
            still = np.floor(high + TOLERANCE) - np.ceil(low - TOLERANCE) < self.problem.protection - TOLERANCE
            done, pending = pending.sum() - still.sum(), still
            if done < 2 or not pending.any():
                break
        return np.ceil(low - TOLERANCE), np.floor(high + TOLERANCE)


def intervals(problem: Problem, suppressed: np.ndarray, targets: list[Target], screen: bool = False,
              cuts: bool = False):
    """(lowest, highest) of every target for a reader who knows everything published: one linear
    programme per group of linked suppressed cells, its objective switched from target to target. With
    ``screen`` (the question is only: protected or not), a target that a few shared solves already set
    ``protection`` apart (:meth:`_Reader.seen`) gets the values seen instead of its ends: an inner bound
    of its interval. With ``cuts``, also per unprotected target a capacity cut ({published cell: widening},
    width missing)."""
    found: list[tuple[float, float]] = [(0.0, 0.0)] * len(targets)
    found_cuts: dict[int, tuple[dict[int, float], float]] = {}
    groups, open_ = _groups(problem, suppressed, targets)
    for n in open_:  # nothing suppressed: the number is published as it is
        value = targets[n].value(problem.values)
        found[n] = (value, value)
        if cuts:
            found_cuts[n] = (_cut(problem, suppressed, targets[n], None, {}), problem.protection)
    for cells, relations, wanted in groups:
        reader = _Reader(problem, cells, relations)
        if screen and len(wanted) > 1:
            lows, highs = reader.seen([targets[n] for n in wanted])
            apart = highs - lows >= problem.protection - TOLERANCE
            for n, low, high in zip(np.asarray(wanted)[apart], lows[apart], highs[apart]):
                found[n] = (float(low), float(high))
            wanted = list(np.asarray(wanted)[~apart])
        for n in wanted:
            target = targets[n]
            low, high, duals = reader.ends(target)
            found[n] = (low, high)
            missing = problem.protection - (high - low)
            if cuts and missing > TOLERANCE:
                found_cuts[n] = (_cut(problem, suppressed, target, reader.matrix, dict(zip((1.0, -1.0), duals))),
                                 missing)
    return (found, found_cuts) if cuts else found


def _cut(problem: Problem, suppressed, target: Target, matrix: csr_matrix | None, duals: dict) -> dict[int, float]:
    """How much suppressing each published cell could widen a target's interval, at most: from the
    reduced cost of the cell in the target's two programmes (``duals``: per direction the dual values of
    the relations, whose rows over all cells are ``matrix``). Suppressing a cell lets it move down to 1 and
    up by ``protection``. Without duals (nothing suppressed yet) every published member of the target and
    of its relations may help."""
    weights: dict[int, float] = {}
    if not duals:
        for m in target.members:
            for r in problem.by_cell[int(m)]:
                for cell in problem.relations[r].members:
                    if not problem.fixed[cell]:
                        weights[int(cell)] = problem.protection
        for m in target.members:
            if not problem.fixed[m]:
                weights[int(m)] = problem.protection
        return weights
    open_ = ~suppressed & ~problem.fixed
    room_down = problem.values - np.minimum(problem.values, 1.0)
    shown = ~suppressed[target.members]
    total = np.zeros(len(problem.values))
    for sign, dual in duals.items():
        active = np.abs(dual) >= TOLERANCE
        rows = matrix[active]
        reduced = -(rows.T @ dual[active])
        touched = np.zeros(len(problem.values), dtype=bool)
        touched[rows.indices] = True
        np.add.at(reduced, target.members[shown], sign * target.coefs[shown])
        touched[target.members[shown]] = True
        total += np.where(touched & open_, room_down * np.maximum(reduced, 0.0)
                          + problem.protection * np.maximum(-reduced, 0.0), 0.0)
    return {int(m): float(total[m]) for m in np.flatnonzero(total > TOLERANCE)}


def unsafe(problem: Problem, suppressed: np.ndarray, targets: list[Target], screen: bool = False) -> list[int]:
    """The targets whose interval is narrower than the protection (with ``screen``, a few shared solves first
    set most protected targets apart, as in the rounds of the protection)."""
    found = intervals(problem, suppressed, targets, screen)
    return [n for n, (low, high) in enumerate(found) if high - low < problem.protection - TOLERANCE]


def _cost(problem: Problem, cells) -> np.ndarray:
    """The information lost by suppressing ``cells``: the value times the cell's ``weight``, and a thousand
    times more for a count of ``LARGE`` or more."""
    values = problem.values[cells]
    return (values + 1.0) * problem.weight[cells] * np.where(values >= LARGE, 1000.0, 1.0)


def _linked_groups(problem: Problem) -> list[np.ndarray]:
    """The cells that equalities link, group by group (cells that are never suppressed break the links)."""
    chains = [m[~problem.fixed[m]] for rel in problem.relations if rel.equal for m in [rel.members]]
    label = _components([m for m in chains if len(m) > 1], len(problem.values))
    order = np.argsort(label, kind="stable")
    cuts = np.flatnonzero(np.diff(label[order])) + 1
    return [g for g in np.split(order, cuts) if not problem.fixed[g].all()]


def _cover(problem: Problem, primary: np.ndarray, need: dict[int, float]) -> np.ndarray:
    """First choice of secondary suppressions, one integer programme per group of linked cells: no
    suppressed cell is alone in a relation, and in every relation of a small cell the other suppressed cells
    can move far enough (``need``: the width still missing after the cell's own room) for its interval to
    reach the protection. The least information lost (:func:`_cost`)."""
    suppressed = primary.copy()
    for group in _linked_groups(problem):
        if not primary[group].any():
            continue
        column = {int(m): n for n, m in enumerate(group)}
        rows = []
        for r in sorted({r for c in group for r in problem.by_cell[c]}):
            rel = problem.relations[r]
            if not rel.equal:
                continue
            inside = [(int(m), c) for m, c in zip(rel.members, rel.coefs) if int(m) in column]
            for cell, sign in inside:
                others = [(m, c) for m, c in inside if m != cell]
                if not others:
                    continue
                wanted = need.get(cell, 0.0)
                if wanted > 0:  # room to move: a partner on the other side can go up, one on the same side down
                    room = [wanted if c * sign < 0 else min(problem.values[m] - 1, wanted) for m, c in others]
                    rows.append(([column[m] for m, _ in others], room, wanted, INFINITY))
                else:
                    rows.append(([column[m] for m, _ in others] + [column[cell]], [1.0] * len(others) + [-1.0],
                                 0.0, INFINITY))
        if not rows:
            continue
        cost = np.where(primary[group], 0.0, _cost(problem, group))
        solver = _model(primary[group].astype(float), np.ones(len(group)), cost, [True] * len(group),
                        *_stack(rows, len(group)))
        _limit(solver, NODES, 0.01)
        solver.run()
        if solver.getInfo().primal_solution_status == 2:
            suppressed[group] |= np.asarray(solver.getSolution().col_value) > 0.5
    return suppressed


def _satisfy(problem: Problem, suppressed: np.ndarray, cuts: list[tuple[dict[int, float], float]]) -> list[int]:
    """The cheapest published cells whose suppression satisfies every capacity cut (one integer programme)."""
    rows, chosen = [], set()
    for weights, missing in cuts:
        left = missing - sum(min(w, missing) for m, w in weights.items() if suppressed[m])
        if left > TOLERANCE and any(not suppressed[m] for m in weights):
            rows.append(({m: min(w, left) for m, w in weights.items() if not suppressed[m]}, left))
            chosen |= set(rows[-1][0])
    if not rows:
        return []
    candidates = sorted(chosen)
    column = {m: k for k, m in enumerate(candidates)}
    solver = _model(np.zeros(len(candidates)), np.ones(len(candidates)), _cost(problem, candidates),
                    [True] * len(candidates),
                    *_stack([([column[m] for m in w], list(w.values()), left, INFINITY) for w, left in rows],
                            len(candidates)))
    _limit(solver, NODES, 0.01)
    solver.run()
    if solver.getInfo().primal_solution_status != 2:
        return []  # the cuts ask too much together: each target gets a programme of its own
    return [candidates[k] for k in np.flatnonzero(np.asarray(solver.getSolution().col_value) > 0.5)]


def _around(problem: Problem, members, hops: int) -> list[int]:
    """The cells that can be suppressed within ``hops`` relations of ``members``."""
    cells = {int(m) for m in members if not problem.fixed[m]}
    frontier = set(cells)
    for _ in range(hops):
        frontier = {int(m) for c in frontier for r in problem.by_cell[c] for m in problem.relations[r].members
                    if not problem.fixed[m]} - cells
        cells |= frontier
    return sorted(cells)


def _protect_one(problem: Problem, suppressed: np.ndarray, target: Target, hops: int,
                 nodes: int) -> list[int] | None:
    """The cheapest cells to suppress as well so that ``target`` is protected, with the reader's two
    extreme tables as variables (Fischetti and Salazar's model for one target) over the cells within
    ``hops`` relations; cells further away keep their value, and no cell moves more than ``protection`` either
    way: a stricter reader, whose tables a real reader cannot rule out either (the bound on the moves makes the
    linear relaxation tight enough for HiGHS to solve the programme at its root: one 2015 target took 41 s
    without it, 7 s with). The best choice found within ``nodes`` branch-and-bound nodes (within 5% of the least
    loss when proven by then); None when the area is too small or no choice was found."""
    cells = _around(problem, target.members, hops)
    column = {m: k for k, m in enumerate(cells)}
    n, step = len(cells), problem.protection
    lows, highs = problem.bounds(cells)
    values = problem.values[cells]
    free = ~suppressed[cells]
    low = np.maximum(lows - values, -step)  # how far each cell may move, once suppressed (see above)
    high = np.minimum(highs - values, step)
    # columns: the low table's moves (n), the high table's moves (n), suppress (n)
    lower = np.concatenate([low, low, np.zeros(n)])
    upper = np.concatenate([high, high, free.astype(float)])
    rows = []
    for r in sorted({r for c in cells for r in problem.by_cell[c]}):
        rel = problem.relations[r]
        inside = [(column[int(m)], a) for m, a in zip(rel.members, rel.coefs) if int(m) in column]
        slack = 0.0 if rel.equal else -float(rel.coefs @ problem.values[rel.members])
        for offset in (0, n):
            rows.append(([k + offset for k, _ in inside], [a for _, a in inside], 0.0 if rel.equal else -INFINITY,
                         slack))
    for k in np.flatnonzero(free):  # a published cell moves only when suppressed
        for offset in (0, n):
            rows.append(([k + offset, 2 * n + k], [1.0, -high[k]], -INFINITY, 0.0))
            rows.append(([k + offset, 2 * n + k], [1.0, -low[k]], 0.0, INFINITY))
    spread = [(column[int(m)], c) for m, c in zip(target.members, target.coefs) if int(m) in column]
    rows.append(([k + n for k, _ in spread] + [k for k, _ in spread], [c for _, c in spread] + [-c for _, c in spread],
                 step, INFINITY))
    cost = np.concatenate([np.zeros(2 * n), np.where(free, _cost(problem, cells), 0.0)])
    solver = _model(lower, upper, cost, [False] * (2 * n) + [True] * n, *_stack(rows, 3 * n))
    _limit(solver, nodes, 0.05)
    solver.run()
    if solver.getInfo().primal_solution_status != 2:
        return None
    chosen = np.asarray(solver.getSolution().col_value)[2 * n:] > 0.5
    return [cells[k] for k in np.flatnonzero(chosen & free)]


def _limit(solver: highspy.Highs, nodes: int, gap: float) -> None:
    """Stop a programme after ``nodes`` nodes or within ``gap`` of the best bound (see ``NODES``)."""
    solver.setOptionValue("mip_max_nodes", nodes)
    solver.setOptionValue("time_limit", SAFETY_SECONDS)
    solver.setOptionValue("mip_rel_gap", gap)


def _protect_alone(problem: Problem, suppressed: np.ndarray, target: Target) -> None:
    """Protect one target with a programme of its own, widening the area around it as needed."""
    for hops, nodes in ((2, NODES // 4), (3, NODES), (len(problem.values), 4 * NODES)):
        chosen = _protect_one(problem, suppressed, target, hops, nodes)
        if chosen is not None:
            suppressed[chosen] = True
            return
    raise DisclosureError(f"kan een weggelaten cel niet beschermen (waarde {target.value(problem.values):g}): "
                          "er is niets meer weg te laten")


def _release(problem: Problem, suppressed: np.ndarray, primary: np.ndarray, targets: list[Target],
             reach: np.ndarray) -> None:
    """Publish again the secondary cells of ``LARGE`` or more that no target needs (a cut of an early round
    asked for one; the cells chosen after it protect the same targets). Per group of linked cells, every
    target's interval is first found with all its large cells fixed at their values (a few shared solves
    first, as in the audit): a target still ``protection`` wide needs none of them. A target that is not gets,
    for each end that must reach further, the reader's table of least movement of the large cells in which the
    target gets there (within ``reach``: per target the values the audits of the rounds found it can take,
    which more suppression never takes away); a large cell moved in one of those tables is
    needed. Every other large cell can be fixed at its value: each of those tables stays feasible, so no
    interval becomes narrower than the protection. It is published, after an audit of the targets of the
    groups concerned confirms it (should that ever fail, every large cell stays hidden)."""
    large = suppressed & ~primary & (problem.values >= LARGE)
    if not large.any():
        return
    needed = np.zeros(len(problem.values), dtype=bool)
    groups, _ = _groups(problem, suppressed, targets)
    checked = []  # per group with large cells: those cells and its targets
    for cells, relations, wanted in groups:
        watched = np.array([k for k, c in enumerate(cells) if large[c]], dtype=np.int32)
        if not len(watched):
            continue
        kept = np.asarray(cells)[watched]  # the large cells as cells of the problem
        checked.append((kept, wanted))
        values = problem.values[kept]
        still = _Reader(problem, cells, relations)  # the reader's programme with the large cells fixed
        still.solver.changeColsBounds(len(watched), watched, values, values)
        short = _narrow(still, [targets[t] for t in wanted], problem.protection)
        if not short:
            continue
        n, extra = len(cells), 2 * len(watched)
        moves, _, _ = _stack([([k, n + 2 * j, n + 2 * j + 1], [1.0, -1.0, 1.0], 0.0, 0.0)  # x - up + down = value
                              for j, k in enumerate(watched)], n + extra)
        matrix, low, high = _reader_rows(problem, cells, relations)
        matrix = vstack([hstack([matrix, csr_matrix((matrix.shape[0], extra))]), moves], format="csr")
        lower, upper = problem.bounds(cells)
        movement = np.r_[np.zeros(n), np.ones(extra)]
        solver = _model(np.r_[lower, np.zeros(extra)], np.r_[upper, np.full(extra, INFINITY)], movement,
                        [False] * (n + extra), matrix, np.r_[low, values], np.r_[high, values])
        solver.setOptionValue("simplex_strategy", 4)  # as in the audit: on from the last basis
        for position, fixed_low, fixed_high in short:
            if needed[kept].all():
                break  # every large cell of the group is needed
            target = targets[wanted[position]]
            seen_low, seen_high = reach[wanted[position]]
            reach_low, reach_high = min(seen_low, fixed_low), max(seen_high, fixed_high)
            deficit = problem.protection - (fixed_high - fixed_low)
            down = min(fixed_low - reach_low, np.ceil(deficit / 2))  # widen both ends alike where there is room
            up = min(reach_high - fixed_high, deficit - down)
            down = deficit - up
            if down > fixed_low - reach_low:  # too narrow with them free (not after the rounds): keep them all
                needed[kept] = True
                break
            inside = still.hidden[target.members]
            columns = np.array([still.column[m] for m in target.members[inside]], dtype=np.int32)
            constant = float(target.coefs[~inside] @ problem.values[target.members[~inside]])
            for row_low, row_high, further in ((-INFINITY, fixed_low - down, down), (fixed_high + up, INFINITY, up)):
                if further <= 0:
                    continue  # the fixed table already reaches this end
                added = solver.addRow(row_low - constant, row_high - constant, len(columns), columns,
                                      target.coefs[inside])
                solver.run()
                if added == highspy.HighsStatus.kOk and solver.getModelStatus() == highspy.HighsModelStatus.kOptimal:
                    away = np.asarray(solver.getSolution().col_value)[n:].reshape(-1, 2).sum(axis=1) > TOLERANCE
                else:  # no table found (the solver's numbers): keep them all
                    away = np.ones(len(watched), dtype=bool)
                needed[kept[away]] = True
                movement[n:] = np.repeat(~needed[kept], 2)  # moving a needed one is free
                solver.changeColsCost(n + extra, np.arange(n + extra, dtype=np.int32), movement)
                if added == highspy.HighsStatus.kOk:
                    solver.deleteRows(1, np.array([solver.getNumRow() - 1], dtype=np.int32))
    released = large & ~needed
    suppressed[released] = False
    again = sorted({t for watched, wanted in checked if released[watched].any() for t in wanted})
    if unsafe(problem, suppressed, [targets[t] for t in again], screen=True):  # the argument above, checked
        suppressed[released] = True


def _narrow(reader: _Reader, targets: list[Target], protection: float) -> list[tuple[int, float, float]]:
    """(position, lowest, highest) of the ``targets`` whose interval in ``reader``'s programme is narrower than
    ``protection``; a few shared solves first set most of the others apart (:meth:`_Reader.seen`)."""
    lows, highs = reader.seen(targets) if len(targets) > 1 else (np.full(1, np.inf), np.full(1, -np.inf))
    narrow = []
    for k in np.flatnonzero(highs - lows < protection - TOLERANCE):
        low, high, _ = reader.ends(targets[k])
        if high - low < protection - TOLERANCE:
            narrow.append((int(k), low, high))
    return narrow


def protect(problem: Problem, primary: np.ndarray, targets: list[Target]) -> np.ndarray:
    """Suppress the ``primary`` cells and as few other cells as needed until every target is protected;
    cells shown small that the rest pins down lose that mark (``problem.small``). The suppressed cells."""
    need = {}
    for target in targets:  # a small cell can go down to 1; the rest of the width must come from others
        cell = int(target.members[min(1, len(target.members) - 1)])
        room = problem.values[cell] - 1.0
        need[cell] = max(need.get(cell, 0.0), problem.protection - room)
    suppressed = _cover(problem, primary, need)
    pending, pool = list(range(len(targets))), []
    reach = np.zeros((len(targets), 2))  # per target the lowest and highest value an audit found it can take
    for round_ in range(len(problem.values) + 1):
        found, cuts = intervals(problem, suppressed, [targets[t] for t in pending], screen=True, cuts=True)
        reach[pending] = np.reshape(found, (-1, 2))
        failed = [pending[k] for k, (low, high) in enumerate(found) if high - low < problem.protection - TOLERANCE]
        if not failed:
            _release(problem, suppressed, primary, targets, reach)
            return suppressed
        pinned = [m for n in failed for m in targets[n].members if problem.small[m] and suppressed[m]]
        if pinned:  # a '<3' that the rest pins down is shown as x; the model then bounds it by its value plus
            problem.small[pinned] = False  # the protection, which can lie below the mark's bound: audit all again
            pending = list(range(len(targets)))
            continue
        pool += list(cuts.values())
        chosen = _satisfy(problem, suppressed, pool) if round_ < ROUNDS else []
        if chosen:
            suppressed[chosen] = True
        else:
            for n in failed:  # what one target's programme suppresses often protects its neighbours too
                if unsafe(problem, suppressed, [targets[n]]):
                    _protect_alone(problem, suppressed, targets[n])
        pending = failed
    raise DisclosureError("de secundaire onderdrukking komt niet tot een einde")
