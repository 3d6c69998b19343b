"""The attack on a whole published run, shared by the runs attacked (``test_attacker*.py``): the run made by
the CLI as a user would, the independent attacker (tests/attacker.py) on its published CSV files and the
public population, and the true numbers (from the engine) that check the attacker itself is honest."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

import pandas as pd
import pytest

from tests.attacker import Attacker, Rules, read_run

PERIOD = "2024"


def _true(target: dict, truth: dict) -> float | None:
    """The true value of a target ({cell: coefficient}), if known."""
    if not all(cell in truth for cell in target):
        return None
    return sum(coef * truth[cell] for cell, coef in target.items())


def _leak(source: Path, target: Path, leaks: dict) -> int:
    """Copy the run's CSV files with suppressed numbers published as their true values: ``leaks`` maps
    (indicator, region_code, period, category) to the value."""
    target.mkdir()
    changed = 0
    for path in source.glob("*.csv"):
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        if "category" in frame:
            for (indicator, region, period, category), value in leaks.items():
                hit = ((frame["indicator"] == indicator) & (frame["region_code"] == region)
                       & (frame["period"] == period) & (frame["category"] == category))
                frame.loc[hit, ["value", "markering"]] = [str(value), ""]
                changed += int(hit.sum())
        frame.to_csv(target / path.name, index=False)
    return changed


class AttackSuite:
    """Subclass as ``Test...`` with the run's ``reports``, ``regions()``, the ``rules`` a reader knows and
    the ``leak_level`` at which the leaky copy publishes suppressed counts."""

    reports: tuple[str, ...] = ()
    rules: Rules = Rules()
    leak_level: str = "gemeente"
    in_process: bool = False  # write each report's published CSV as its notebook does, without the notebook

    @staticmethod
    def regions() -> list[str]:
        raise NotImplementedError

    @pytest.fixture(scope="class")
    @classmethod
    def run(cls, demo_store, tmp_path_factory) -> Path:
        """The whole run, made by the CLI as a user would (all outputs in one folder)."""
        out = tmp_path_factory.mktemp("run")
        if cls.in_process:  # the CSV the notebook writes (Report.write_csv), for many regions in little time
            for report in cls.reports:
                build = importlib.import_module(f"regiekit.reports.{report}").build
                for region in cls.regions():
                    build(region, int(PERIOD), demo_store.path).write_csv(out / f"{report}_{region}_{PERIOD}.csv")
            return out
        env = {k: v for k, v in os.environ.items() if k != "REGIEKIT_GRENZEN"}  # offline: the packaged boundaries
        env["REGIEKIT_HOME"] = str(tmp_path_factory.mktemp("project"))
        for report in cls.reports:
            start = time.perf_counter()
            done = subprocess.run([sys.executable, "-m", "regiekit", "run", report, "--region", *cls.regions(),
                                   "--period", PERIOD, "--out", str(out), "--data", str(demo_store.path),
                                   "--no-pdf", "--jobs", "2", "--quiet"],
                                  capture_output=True, text=True, timeout=1800, env=env)
            assert done.returncode == 0, done.stderr[-3000:]
            print(f"regiekit run {report}: {time.perf_counter() - start:.0f} s")
        return out

    @pytest.fixture(scope="class")
    @classmethod
    def population(cls, demo_store) -> pd.DataFrame:
        return demo_store.table("bevolking")

    @pytest.fixture(scope="class")
    @classmethod
    def attacker(cls, run, population) -> Attacker:
        return Attacker.from_run(run, population, rules=cls.rules)

    @pytest.fixture(scope="class")
    @classmethod
    def results(cls, attacker) -> pd.DataFrame:
        start = time.perf_counter()
        found = attacker.attack()
        print(f"attack on {len(found)} suppressed numbers: {time.perf_counter() - start:.0f} s")
        return found

    @pytest.fixture(scope="class")
    @classmethod
    def truth(cls, demo_store, attacker, run) -> dict:
        """The true value of every cell the run's indicators count, in every region and year."""
        from regiekit.engine.compute import compute

        shown = set(read_run(run)["indicator"])
        ids = [i for i in shown if i in attacker.catalogue and attacker.catalogue[i].statistic is None
               and attacker.catalogue[i].unit in ("count", "percent", "per_1000")]
        found = {}
        for row in compute(ids, store=demo_store).itertuples():
            category = None if pd.isna(row.category) else str(row.category)
            num, den = attacker.cells_of(row.indicator, row.region_code, row.period, category)
            found[num] = int(row.numerator)
            if den is not None and not pd.isna(row.denominator):
                found[den] = int(row.denominator)
        return found

    def test_the_attackers_model_holds_for_the_true_numbers(self, attacker, results, truth):
        """Every bound and relation the attacker uses holds for the truth, and every interval it finds holds
        the true value: a pinned cell is a real leak, a protected one really protected."""
        assert attacker.check(truth) == []
        outside = [(r.cell, r.lowest, r.highest, _true(r.target, truth)) for r in results.dropna().itertuples()
                   if _true(r.target, truth) is not None and not r.lowest <= _true(r.target, truth) <= r.highest]
        assert not outside, outside

    def test_the_attacker_pins_a_cell_of_a_deliberately_leaky_run(self, run, attacker, results, truth, population,
                                                                  tmp_path):
        """Publishing the secondarily suppressed counts (true value at least min_count) of a breakdown whose
        categories add up must let the attacker pin a suppressed small count beside them that it could not
        pin before. Breakdowns whose small counts add up to the least are leaked first: their sum is then
        known (the total follows from published shares), so each lies in a narrow interval."""
        from regiekit.engine.sql import exclusive_breakdown

        rules = attacker.rules
        before = {next(iter(t)): s for t, s in zip(results["target"], results["status"]) if len(t) == 1}
        rows = read_run(run)
        rows = rows[(rows["value"] == "") & rows["markering"].str.contains("geheim") & (rows["unit"] == "count")
                    & (rows["category"].fillna("") != "")]
        rows = rows[(rows["region_code"].map(attacker.level) == self.leak_level)
                    & rows["indicator"].map(lambda i: exclusive_breakdown(attacker.catalogue[i]))]
        groups = defaultdict(dict)  # (indicator, region, period) -> {category: cell}
        for row in rows.itertuples():
            cell = attacker.cells_of(row.indicator, row.region_code, row.period, row.category)[0]
            groups[(row.indicator, row.region_code, row.period)][row.category] = cell
        candidates = []
        for key, members in groups.items():
            secondary = {(*key, category): truth[cell] for category, cell in members.items()
                         if truth.get(cell, 0) >= rules.min_count}
            small = [cell for cell in members.values() if truth.get(cell, rules.min_count) < rules.min_count]
            if secondary and small and all(before.get(cell) in ("protected", "unknown") for cell in small):
                candidates.append((sum(truth[cell] for cell in small), key[2], secondary, small))
        assert candidates, "no secondarily suppressed count beside protected small ones: nothing to leak"
        tried = []
        for n, (_, period, secondary, small) in enumerate(sorted(candidates, key=lambda c: c[:2])[:3]):
            folder = tmp_path / f"leak{n}"
            assert _leak(run, folder, secondary) > 0
            found = Attacker.from_run(folder, population, rules=self.rules).attack(periods=[period], cells=small)
            after = {next(iter(t)): r for t, r in zip(found["target"], found.itertuples()) if len(t) == 1}
            pinned = [(c, after[c]) for c in small if c in after and after[c].status == "pinned"]
            tried.append((secondary, [(after[c].cell, after[c].lowest, after[c].highest) for c in small if c in after]))
            if pinned:
                print(f"published {secondary}; pinned:", [(r.cell, r.lowest, r.highest) for _, r in pinned])
                assert all(r.lowest <= truth[c] <= r.highest for c, r in pinned)
                return
        pytest.fail(f"the attacker pinned nothing after these leaks: {tried}")

    def test_the_attacker_pins_no_suppressed_cell_of_a_whole_run(self, attacker, results, truth):
        """No suppressed small number (1 to min_count - 1, by its true value) is pinned to an interval narrower
        than ``protection``; the attacker itself does not know which suppressed numbers are small, so its
        'pinned' may include secondary suppressions whose interval reaches below min_count: those are
        printed."""
        rules = attacker.rules
        results = results.assign(true=[_true(t, truth) for t in results["target"]]).astype({"true": float})
        counts = results["status"].value_counts().to_dict()
        print(f"{len(results)} suppressed numbers attacked: {counts}; seconds per target up to "
              f"{results['seconds'].max():.1f}")
        narrow = results[results["status"] == "pinned"].sort_values(["width", "cell"])
        print(narrow[["cell", "lowest", "highest", "true"]].to_string())
        inconsistent = attacker.inconsistent()
        print(f"{len(inconsistent)} cells published in one place and suppressed in another:", inconsistent)
        small = results["true"].isna() | results["true"].between(1, rules.min_count - 1)
        pinned = narrow[small[narrow.index]]
        assert small.sum() > 20, "the run suppresses (almost) no small number: the attack says nothing"
        assert counts.get("unknown", 0) == 0, "a solve did not finish: these cells are not known to be safe"
        assert pinned.empty, (f"{len(pinned)} suppressed small numbers pinned to an interval narrower than "
                              f"{rules.protection}:\n{pinned[['cell', 'lowest', 'highest', 'true']].to_string()}")
        assert not inconsistent, f"cells published in one place and suppressed in another: {inconsistent}"
