"""Disclosure control of a national run: every indicator counted from the trajectories, every region,
every year of the demo store, protected as one publication. Prints per year the primary and secondary
suppressed cells, the secondary ones of 100 or more and how many of those no method can avoid (a lower
bound: :func:`_large_needed`), the information lost (the sum of the secondary cells' values) and the
time, for today's method and (``--vergelijk``) the earlier heuristic's result saved as a protected table.
With ``--nodig`` it also counts the secondary cells of 100 or more that are each needed: publishing one
would leave a small cell unprotected even if every smaller count were hidden (:func:`_each_needed`, a few
seconds per cell).

    python benchmarks/disclosure.py --data data/processed [--jaren 2023 2024] [--vergelijk OUD.parquet] [--nodig]
    python benchmarks/disclosure.py --tabel TABEL.parquet ...   (an engine table saved earlier)

With ``--data`` the engine table is computed from the store (and kept with ``--bewaar TABEL.parquet``).
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from regiekit.publish import cells, disclosure, suppression


def _hidden_cells(built: cells.Cells, protected: pd.DataFrame) -> np.ndarray:
    """Cells that a protected table hides everywhere they appear."""
    hidden = protected["status"].isin(disclosure.HIDDEN).to_numpy()
    shown = np.zeros(len(built.atoms), dtype=bool)
    rows = built.numerator >= 0
    np.logical_or.at(shown, built.numerator[rows], ~hidden[rows])
    return ~shown


def _large_needed(problem: suppression.Problem, primary: np.ndarray) -> int:
    """A lower bound on the counts of ``LARGE`` or more that any secondary suppression must hide: a relation
    with one primary cell whose other cells that can be suppressed are all large needs one of them hidden
    (else the primary cell follows from it); the least number of large cells that meets all those
    relations (an integer programme) is the bound."""
    forced = []
    for rel in problem.relations:
        others = [int(c) for c in rel.members if not primary[c] and not problem.fixed[c]]
        if rel.equal and primary[rel.members].sum() == 1 and others \
                and (problem.values[others] >= suppression.LARGE).all():
            forced.append(others)
    if not forced:
        return 0
    cells_ = sorted({c for f in forced for c in f})
    column = {c: k for k, c in enumerate(cells_)}
    ones = np.ones(len(cells_))
    rows = [([column[c] for c in f], [1.0] * len(f), 1.0, suppression.INFINITY) for f in forced]
    solver = suppression._model(np.zeros(len(cells_)), ones, ones, [True] * len(cells_),
                                *suppression._stack(rows, len(cells_)))
    solver.run()
    return round(solver.getInfo().objective_function_value)


def _each_needed(problem: suppression.Problem, suppressed: np.ndarray, large: np.ndarray,
                 targets: list[suppression.Target]) -> tuple[int, int]:
    """How many of the suppressed ``large`` cells cannot be published however many smaller counts were
    hidden instead: with that cell published, every other count below ``LARGE`` hidden and the other large
    cells as they are, a target of its group is still unprotected. (Only targets of its group can change:
    the others keep tables in which the cell has its value.) Also how many the solver could not decide
    (this programme hides nearly everything, which HiGHS now and then gives up on)."""
    groups, _ = suppression._groups(problem, suppressed, targets)
    everything = suppressed | ((problem.values < suppression.LARGE) & ~problem.fixed)
    needed = undecided = 0
    for cell in np.flatnonzero(large):
        wanted = next((w for cells_, _, w in groups if cell in cells_), [])  # none: linked to no target
        trial = everything.copy()
        trial[cell] = False
        try:
            needed += bool(suppression.unsafe(problem, trial, [targets[w] for w in wanted], screen=True))
        except disclosure.DisclosureError:
            undecided += 1
    return needed, undecided


def trajectory_table(data: str) -> pd.DataFrame:
    """The engine table of every indicator counted from the trajectories, every region and year."""
    from regiekit import engine
    from regiekit.data.store import Store
    from regiekit.indicators.definitions import load_catalogue

    store = Store.open(data)
    ids = [i.id for i in engine.available(list(load_catalogue().values()), store, "eigen")
           if i.numerator.count in ("jongeren", "trajecten") and i.statistic is None]
    return engine.compute(ids, store=store)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--data", help="the processed store to compute the engine table from")
    source.add_argument("--tabel", help="engine table (parquet) of all regions and years")
    parser.add_argument("--bewaar", help="save the computed engine table here (parquet)")
    parser.add_argument("--jaren", nargs="*", type=int)
    parser.add_argument("--vergelijk", help="the same table protected by another method (parquet)")
    parser.add_argument("--nodig", action="store_true",
                        help="also count the large secondary cells that are each needed (slow)")
    args = parser.parse_args()
    frame = pd.read_parquet(args.tabel) if args.tabel else trajectory_table(args.data)
    if args.bewaar:
        frame.to_parquet(args.bewaar)
    old = pd.read_parquet(args.vergelijk) if args.vergelijk else None
    rules = disclosure.Rules()
    totals = np.zeros(9)
    print(f"{'jaar':>5} {'cellen':>7} {'primair':>8} {'secundair':>10} {'>=100':>6} {'grens':>6} {'verlies':>9} "
          f"{'tijd s':>7}"
          + (f" | {'oud sec.':>9} {'>=100':>6} {'verlies':>9}" if old is not None else "")
          + (f" | {'elk nodig':>9} {'onbeslist':>9}" if args.nodig else ""))
    each_needed = undecided_all = 0
    for year in args.jaren or sorted(frame["period"].unique()):
        part = frame[frame["period"] == year].reset_index(drop=True)
        built = cells.build(part)
        problem, primary, targets = disclosure._problem(built, rules)
        start = time.perf_counter()
        suppressed = suppression.protect(problem, primary, targets)
        took = time.perf_counter() - start
        values = problem.values
        secondary = suppressed & ~primary
        row = [len(values), primary.sum(), secondary.sum(), (secondary & (values >= suppression.LARGE)).sum(),
               _large_needed(problem, primary), values[secondary].sum(), took]
        line = (f"{year:>5} {row[0]:>7} {row[1]:>8} {row[2]:>10} {row[3]:>6} {row[4]:>6} {row[5]:>9.0f} "
                f"{row[6]:>7.1f}")
        if old is not None:
            hidden = _hidden_cells(built, old[old["period"] == year].reset_index(drop=True)) & ~primary
            row += [hidden.sum(), (hidden & (values >= suppression.LARGE)).sum()]
            line += f" | {row[7]:>9} {row[8]:>6} {values[hidden].sum():>9.0f}"
        if args.nodig:
            needed, undecided = _each_needed(problem, suppressed, secondary & (values >= suppression.LARGE), targets)
            each_needed += needed
            undecided_all += undecided
            line += f" | {needed:>9} {undecided:>9}"
        totals[:len(row)] += row
        print(line, flush=True)
    print(f"totaal: {int(totals[1])} primair, {int(totals[2])} secundair ({int(totals[3])} van 100 of meer, "
          f"waarvan ten minste {int(totals[4])} onvermijdelijk"
          + (f", {each_needed} elk nodig en {undecided_all} onbeslist" if args.nodig else "") + f"), {totals[6]:.0f} s")


if __name__ == "__main__":
    main()
