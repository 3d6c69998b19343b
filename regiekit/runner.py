"""Run a report notebook for one region and period: papermill, then nbconvert HTML without code.

Outputs for report R, region C and period P in ``out_dir``:
``R_C_P.html`` (the report), ``R_C_P.csv`` (exactly the numbers it shows) and ``R_C_P.ipynb``
(the executed notebook, for inspection). Everything is written in a staging folder first and moved
into place only when all three exist, so a failed run leaves no partial output.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import nbformat
import papermill
from nbconvert import HTMLExporter

from regiekit import disclosure
from regiekit.paths import default_output_dir, notebooks_dir
from regiekit.regions import load_regions
from regiekit.store import Store

REPORTS = ("factsheet",)


class RunError(RuntimeError):
    """A report could not be produced."""


@dataclass(frozen=True)
class Outputs:
    html: Path
    csv: Path
    notebook: Path


def _writable(out_dir: Path) -> Path:
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=out_dir):
            pass
    except OSError as exc:
        raise RunError(f"cannot write to output folder {out_dir}: {exc.strerror or exc}") from exc
    return out_dir


def _html(notebook_path: Path, title: str) -> str:
    exporter = HTMLExporter(exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True)
    body, _ = exporter.from_notebook_node(nbformat.read(notebook_path, as_version=4),
                                          resources={"metadata": {"name": title}})
    return body


def run_report(report: str, region: str, period: int | str, out_dir: Path | str | None = None,
               data_dir: Path | str | None = None, internal: bool = False, rules_file: Path | str | None = None,
               overrides_file: Path | str | None = None) -> Outputs:
    """Execute ``notebooks/<report>.ipynb`` for a region and period and export it. ``internal`` output
    (no disclosure control) carries ``_intern`` in its file names."""
    if report not in REPORTS:
        raise RunError(f"unknown report {report!r}; available: {', '.join(REPORTS)}")
    target = load_regions().get(str(region))
    store = Store.open(data_dir)
    try:
        year = int(period)
    except ValueError:
        raise RunError(f"period must be a year such as 2024, not {period!r}") from None
    if year not in store.years:
        raise RunError(f"no data for period {year}; the store holds {store.years[0]}-{store.years[-1]}")
    files = {}
    for name, path in (("regels", rules_file), ("oordelen", overrides_file)):
        if path is not None and not Path(path).is_file():
            raise RunError(f"{name} file {path} does not exist")
        files[name] = str(Path(path).resolve()) if path is not None else None
    if files["regels"]:
        try:
            disclosure.Rules.load(files["regels"])
        except ValueError as exc:
            raise RunError(str(exc)) from exc
    out = _writable(Path(out_dir) if out_dir else default_output_dir())
    stem = f"{report}_{target.code}_{year}" + ("_intern" if internal else "")
    staging = Path(tempfile.mkdtemp(prefix=f".{stem}-", dir=out))
    try:
        executed = staging / f"{stem}.ipynb"
        csv = staging / f"{stem}.csv"
        try:
            papermill.execute_notebook(
                notebooks_dir() / f"{report}.ipynb", executed, kernel_name="python3", progress_bar=False,
                parameters={"region": target.code, "period": year, "data_dir": str(Path(store.path).resolve()),
                            "published_csv": str(csv), "intern": internal, **files},
                cwd=str(notebooks_dir()))
        except papermill.PapermillExecutionError as exc:
            raise RunError(f"{report} for {target.code} {year} failed: {exc.ename}: {exc.evalue}") from exc
        if not csv.exists():
            raise RunError(f"{report} for {target.code} {year} wrote no published numbers")
        title = f"{report.capitalize()} {target.label} {year}"
        (staging / f"{stem}.html").write_text(_html(executed, title), encoding="utf-8")
        final = Outputs(out / f"{stem}.html", out / f"{stem}.csv", out / f"{stem}.ipynb")
        for path in (final.notebook, final.csv, final.html):
            os.replace(staging / path.name, path)
        return final
    finally:
        shutil.rmtree(staging, ignore_errors=True)
