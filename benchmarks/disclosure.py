"""Disclosure control of a national run: every indicator counted from the trajectories, every region,
every year of the demo store, protected as one publication. Prints per year the primary and secondary
suppressed cells, the secondary ones of 100 or more, the information lost (the sum of the secondary
cells' values) and the time, for today's method and (``--vergelijk``) the earlier heuristic's result
saved as a protected table.

    python benchmarks/disclosure.py --tabel TABEL.parquet [--jaren 2023 2024] [--vergelijk OUD.parquet]
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tabel", required=True, help="engine table (parquet) of all regions and years")
    parser.add_argument("--jaren", nargs="*", type=int)
    parser.add_argument("--vergelijk", help="the same table protected by another method (parquet)")
    args = parser.parse_args()
    frame = pd.read_parquet(args.tabel)
    old = pd.read_parquet(args.vergelijk) if args.vergelijk else None
    rules = disclosure.Rules()
    totals = np.zeros(8)
    print(f"{'jaar':>5} {'cellen':>7} {'primair':>8} {'secundair':>10} {'>=100':>6} {'verlies':>9} {'tijd s':>7}"
          + (f" | {'oud sec.':>9} {'>=100':>6} {'verlies':>9}" if old is not None else ""))
    for year in args.jaren or sorted(frame["period"].unique()):
        part = frame[frame["period"] == year].reset_index(drop=True)
        built = cells.build(part)
        problem, primary, targets = disclosure._problem(built, rules)
        start = time.perf_counter()
        suppressed = suppression.protect(problem, primary, targets)
        took = time.perf_counter() - start
        values = problem.values
        secondary = suppressed & ~primary
        row = [len(values), primary.sum(), secondary.sum(), (secondary & (values >= 100)).sum(),
               values[secondary].sum(), took]
        line = f"{year:>5} {row[0]:>7} {row[1]:>8} {row[2]:>10} {row[3]:>6} {row[4]:>9.0f} {row[5]:>7.1f}"
        if old is not None:
            hidden = _hidden_cells(built, old[old["period"] == year].reset_index(drop=True)) & ~primary
            row += [hidden.sum(), (hidden & (values >= 100)).sum()]
            line += f" | {row[6]:>9} {row[7]:>6} {values[hidden].sum():>9.0f}"
        totals[:len(row)] += row
        print(line, flush=True)
    print(f"totaal: {int(totals[1])} primair, {int(totals[2])} secundair ({int(totals[3])} van 100 of meer), "
          f"{totals[5]:.0f} s")


if __name__ == "__main__":
    main()
