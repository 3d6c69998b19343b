"""Benchmark: factsheets for every gemeente for one period, three ways, on the same notebook and data.

1. naive   - what people do today: a serial loop of ``papermill.execute_notebook`` and nbconvert's
             HTML exporter per region (a fresh kernel each time);
2. regiekit - ``regiekit run factsheet --level gemeente`` (warm kernels, ``--jobs`` workers), no PDF;
3. floor   - the same tables, charts and HTML parts in one warm Python process, no kernel at all.

Prints, for each number of gemeenten asked (by default 10, 40 and 342, so the growth shows), wall
times, ratios, peak memory and whether the published numbers are identical; then a profile of where
the time of one report goes and a table setting the sizes side by side. Then the time to a first
report (``--eerste``: by default a factsheet and the voortgang of jeugdregio Drenthe): cold, on a copy
of the store without its cache of published tables, as an analyst meets it after building a store or
importing data, and warm, the next report (target: under 15 seconds, kernel start included). Usage
(from the repository):

    .venv/bin/python benchmarks/national_batch.py               # 10, 40 and all 342 gemeenten (about an hour)
    .venv/bin/python benchmarks/national_batch.py --regions 10  # the first 10 gemeenten
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd


def ensure_store() -> Path:
    """The demo store (built as ``regiekit demo`` does when it is missing)."""
    from regiekit import project
    from regiekit.data import store, synth

    processed = project.default_processed_dir()
    if not (processed / "store.json").exists():
        raw = project.default_raw_dir() / "demo"
        synth.generate(raw, synth.DEFAULT_SEED)
        store.build(raw, processed, source={"bron": "synthetisch", "seed": synth.DEFAULT_SEED})
    return processed


def naive(codes: list[str], period: int, data: Path, out: Path) -> float:
    import papermill
    from nbconvert import HTMLExporter

    from regiekit import project

    out.mkdir(parents=True)
    began = time.perf_counter()
    for code in codes:
        executed = out / f"factsheet_{code}_{period}.ipynb"
        papermill.execute_notebook(project.notebook("factsheet"), executed, progress_bar=False,
                                   parameters={"region": code, "period": period, "data_dir": str(data),
                                               "published_csv": str(out / f"factsheet_{code}_{period}.csv")},
                                   cwd=str(project.working_dir()))
        body, _ = HTMLExporter(exclude_input=True).from_filename(str(executed))
        (out / f"factsheet_{code}_{period}.html").write_text(body, encoding="utf-8")
    return time.perf_counter() - began


def runner(codes: list[str], period: int, data: Path, out: Path, jobs: int) -> float:
    from regiekit.run.batch import run_batch

    began = time.perf_counter()
    result = run_batch("factsheet", codes, periods=[str(period)], out_dir=out, data_dir=data, jobs=jobs,
                       force=True, pdf=False, progress=False)
    if result.failed:
        raise SystemExit(f"the runner failed: {result.summary()}")
    return time.perf_counter() - began


def floor(codes: list[str], period: int, data: Path, out: Path) -> tuple[float, dict[str, float]]:
    """Every part of the factsheet in this process; returns the wall time and the time per step."""
    from regiekit.reports import factsheet

    out.mkdir(parents=True)
    steps = {"gegevens en berekening": 0.0, "grafieken": 0.0, "tekst en tabellen": 0.0, "export": 0.0}
    began = time.perf_counter()
    for code in codes:
        t0 = time.perf_counter()
        fs = factsheet.build(code, period, data)
        _ = fs.published, fs.judgements, fs.comparisons
        t1 = time.perf_counter()
        images = fs.trend_html() + fs.funnel_html() + fs.map_html()
        t2 = time.perf_counter()
        parts = [fs.heading_markdown(), fs.table_html(), fs.text_markdown(), fs.source_markdown()]
        t3 = time.perf_counter()
        (out / f"factsheet_{code}_{period}.html").write_text("\n".join(parts) + images, encoding="utf-8")
        fs.write_csv(out / f"factsheet_{code}_{period}.csv")
        t4 = time.perf_counter()
        for name, spent in zip(steps, (t1 - t0, t2 - t1, t3 - t2, t4 - t3)):
            steps[name] += spent
    return time.perf_counter() - began, steps


def first_report(report: str, region: str, period: int, data: Path, work: Path) -> tuple[float, float]:
    """Seconds to one report on a store whose published tables are not cached yet (cold), and to the
    same report again (warm); each run starts its own kernel, as ``regiekit run`` does."""
    from regiekit.publish import published
    from regiekit.run.batch import run_batch

    cold = work / f"store-{report}"
    cold.mkdir(parents=True)
    for item in data.iterdir():
        if item.name != "gepubliceerd":
            (cold / item.name).symlink_to(item.resolve())
    times = []
    shared = os.environ.pop(published.SHARED, None)  # cold: not from a cache shared with other stores
    try:
        for attempt in ("koud", "warm"):
            began = time.perf_counter()
            result = run_batch(report, [region], periods=[str(period)], out_dir=work / f"first-{report}",
                               data_dir=cold, force=True, pdf=False, progress=False)
            if result.failed:
                raise SystemExit(f"{report} {attempt} failed: {result.summary()}")
            times.append(time.perf_counter() - began)
    finally:
        if shared is not None:
            os.environ[published.SHARED] = shared
    return times[0], times[1]


def kernel_start() -> float:
    """Starting a kernel and importing what a factsheet needs: the cost a warm kernel avoids."""
    from jupyter_core.utils import run_sync

    from regiekit.run.runner import Kernels

    with Kernels() as kernels:
        began = time.perf_counter()
        run_sync(kernels.client().execute_interactive)("import pandas, matplotlib.pyplot, regiekit.reports.factsheet",
                                                       timeout=120)
        spent = time.perf_counter() - began
    return spent


def html_export(notebook: Path, repeat: int = 3) -> float:
    from nbconvert import HTMLExporter

    began = time.perf_counter()
    for _ in range(repeat):
        HTMLExporter(exclude_input=True).from_filename(str(notebook))
    return (time.perf_counter() - began) / repeat


def same_numbers(a: Path, b: Path, codes: list[str], period: int) -> bool:
    for code in codes:
        left = pd.read_csv(a / f"factsheet_{code}_{period}.csv")
        right = pd.read_csv(b / f"factsheet_{code}_{period}.csv")
        if not left.equals(right):
            return False
    return True


def peak_mb() -> tuple[float, float]:
    """Peak resident memory of this process and of the largest child process (kernels), in MB."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, children


def measure(codes: list[str], period: int, data: Path, work: Path, jobs: int) -> dict:
    """The factsheets of ``codes`` three ways; wall times, peak memory so far and the time per step."""
    found = {"naive": naive(codes, period, data, work / "naive")}
    found["peak_naive"] = peak_mb()
    found["regiekit"] = runner(codes, period, data, work / "regiekit", jobs)
    found["peak_regiekit"] = peak_mb()
    found["floor"], found["steps"] = floor(codes, period, data, work / "floor")
    found["peak_floor"] = peak_mb()
    found["identical"] = (same_numbers(work / "naive", work / "regiekit", codes, period)
                          and same_numbers(work / "naive", work / "floor", codes, period))
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--regions", type=int, nargs="+", default=[10, 40, 342],
                        help="the first N gemeenten, one run per number (default 10, 40 and all 342)")
    parser.add_argument("--period", type=int, default=2024)
    parser.add_argument("--jobs", type=int, default=2, help="runner workers (default 2)")
    parser.add_argument("--keep", help="keep the outputs in this folder")
    parser.add_argument("--data", help="a processed store (default: the project's, built as the demo when missing)")
    parser.add_argument("--eerste", nargs="*", default=["factsheet:GM0106", "voortgang:JZ04"],
                        help="reports (rapport:regio) timed as a first report on a new store")
    args = parser.parse_args(argv)

    from regiekit.data.store import Store
    from regiekit.formatting import number
    from regiekit.publish import published
    from regiekit.reference.regions import load_regions
    from regiekit.reports import factsheet
    from regiekit.reports.common import KERN

    data = Path(args.data).resolve() if args.data else ensure_store()
    every = [r.code for r in load_regions().all("gemeente")]
    published.table([i.id for i in factsheet.load_catalogue().select(tag=KERN)], Store.open(data))  # cache
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="regiekit-bench-"))
    runs = {}
    try:
        for size in args.regions:
            codes = every[:size]
            print(f"Factsheets voor {len(codes)} gemeenten, periode {args.period}, {args.jobs} workers voor regiekit",
                  flush=True)
            runs[len(codes)] = found = measure(codes, args.period, data, work / f"{len(codes)}", args.jobs)
            n = len(codes)
            print(f"naive loop (papermill + nbconvert, serieel): {number(found['naive'], 1):>8} s  "
                  f"({number(found['naive'] / n, 2)} s per factsheet)")
            print(f"regiekit run --jobs {args.jobs}:                 {number(found['regiekit'], 1):>8} s  "
                  f"({number(found['regiekit'] / n, 2)} s per factsheet)")
            print(f"ondergrens (één warm proces, geen kernel):   {number(found['floor'], 1):>8} s  "
                  f"({number(found['floor'] / n, 2)} s per factsheet)")
            print(f"regiekit is {number(found['naive'] / found['regiekit'], 1)}x sneller dan de naive loop (doel: "
                  f"20x) en {number(found['regiekit'] / found['floor'], 1)}x de ondergrens (doel: binnen 3x)")
            own = max(found[k][0] for k in ("peak_naive", "peak_regiekit", "peak_floor"))
            kernel = max(found[k][1] for k in ("peak_naive", "peak_regiekit"))
            print(f"piekgeheugen tot nu toe: benchmarkproces {number(own)} MB, grootste kernel {number(kernel)} MB")
            print(f"zelfde gepubliceerde cijfers in alle drie: {'ja' if found['identical'] else 'NEE'}")
        last = runs[max(runs)]
        start = kernel_start()
        export = html_export(work / f"{max(runs)}" / "regiekit" / f"factsheet_{every[0]}_{args.period}.ipynb")
        firsts = {item: first_report(*item.split(":"), args.period, data, work) for item in args.eerste}
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print(f"waar de tijd van één factsheet heen gaat ({max(runs)} gemeenten):")
    print(f"  kernel starten + imports            {number(start, 2):>6} s "
          "(eenmalig per worker bij regiekit, elke keer bij naive)")
    for name, spent in last["steps"].items():
        print(f"  {name:<35} {number(spent / max(runs), 2):>6} s")
    print(f"  nbconvert HTML-export               {number(export, 2):>6} s")
    print("groei (seconden per factsheet; verhouding naive / regiekit):")
    print(f"  {'gemeenten':>9} {'naive':>7} {'regiekit':>9} {'ondergrens':>11} {'sneller':>8}")
    for n, found in runs.items():
        print(f"  {n:>9} {number(found['naive'] / n, 2):>7} {number(found['regiekit'] / n, 2):>9} "
              f"{number(found['floor'] / n, 2):>11} {number(found['naive'] / found['regiekit'], 1) + 'x':>8}")
    for item, (cold, warm) in firsts.items():
        print(f"eerste rapport {item.replace(':', ' ')}: koud (nieuwe gegevens, geen cache) {number(cold, 1)} s, "
              f"warm {number(warm, 1)} s (doel: onder 15 s)")
    return 0 if all(found["identical"] for found in runs.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
