"""Batch runs: one report for many regions and periods, unattended.

- one failing region does not stop the others; the result lists failures (the CLI exits with 1);
- a report whose inputs did not change since it was made is skipped (``force`` redoes it);
- a lock file keeps two runs from writing into the same folder; stale staging folders of a killed
  run are removed when the next run starts;
- public and internal reports never share a folder (internal ones default to ``output-intern/``);
- the run writes ``manifest.json`` (this run's parameters, versions, timings, status per report) and
  ``index.html`` (every report in the folder, of this run and earlier ones, with links to its files),
  both atomically.
"""

from __future__ import annotations

import atexit
import fcntl
import html
import json
import shutil
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from tqdm import tqdm

from regiekit import __version__, digest, project
from regiekit.atomic import write_text
from regiekit.data.store import Store
from regiekit.periods import order as period_order
from regiekit.periods import parse as parse_period
from regiekit.publish import disclosure, published
from regiekit.reference.regions import load_regions
from regiekit.reports import registry
from regiekit.run.runner import (
    INTERNAL_MARK,
    STAGING_PREFIX,
    Kernels,
    RunError,
    _digest,
    execute,
    make_job,
    records,
    same_mode,
    up_to_date,
    writable,
)

LOCK = ".regiekit.lock"
STATUS_TEXT = {"gemaakt": "gemaakt", "overgeslagen": "ongewijzigd (overgeslagen)", "mislukt": "mislukt"}


@dataclass
class BatchResult:
    out: Path
    records: list[dict] = field(default_factory=list)

    @property
    def failed(self) -> list[dict]:
        return [r for r in self.records if r["status"] == "mislukt"]

    def summary(self) -> str:
        counts = {s: sum(r["status"] == s for r in self.records) for s in STATUS_TEXT}
        lines = [f"{counts['gemaakt']} gemaakt, {counts['overgeslagen']} ongewijzigd overgeslagen, "
                 f"{counts['mislukt']} mislukt; overzicht: {self.out / 'index.html'}"]
        lines += [f"  mislukt: {r['regio']} {r['periode']}: {r['fout']}" for r in self.failed]
        return "\n".join(lines)


@contextmanager
def locked(out: Path):
    """Hold the folder's lock for the duration of a run, or refuse at once."""
    with open(out / LOCK, "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RunError(f"een andere run van regiekit schrijft al naar {out}; probeer het opnieuw als die klaar "
                               "is") from None
        yield


def targets(regions: list[str] | None, level: str | None, kind: registry.ReportKind, store: Store) -> list[str]:
    """Region codes from names or codes, or every region of a level that the report is made for."""
    if bool(regions) == bool(level):
        raise RunError("geef --region (een of meer regio's) of --level, niet allebei en niet geen van beide")
    if level:
        return kind.regions(level, store)
    return list(dict.fromkeys(load_regions().get(str(r)).code for r in regions))


def make_one(job, store: Store, out: Path, pdf: bool, force: bool, kernels: Kernels) -> dict:
    """Make (or skip) one report and describe what happened; never raises, so one failing region
    does not stop the others."""
    began = time.time()
    record = {"regio": job.region, "periode": job.period, "bestanden": [], "fout": None}
    try:
        if not force and up_to_date(job, store, out):
            record["status"] = "overgeslagen"
        else:
            execute(job, store, out, pdf, kernels)
            record["status"] = "gemaakt"
        record["bestanden"] = sorted(p.name for p in out.glob(f"{job.stem}.*"))
    except Exception as exc:  # any error is reported per region
        record.update(status="mislukt", fout=f"{type(exc).__name__}: {exc}")
    record["seconden"] = round(time.time() - began, 2)
    return record


_WORKER_KERNELS: Kernels | None = None


def _make_one_on_worker(job, store_path: str, out: str, pdf: bool, force: bool) -> dict:
    """``make_one`` in a Dask worker process, on a kernel the worker keeps warm for its next reports."""
    global _WORKER_KERNELS
    if _WORKER_KERNELS is None:
        _WORKER_KERNELS = Kernels()
        atexit.register(_WORKER_KERNELS.shutdown)
    return make_one(job, Store.open(store_path), Path(out), pdf, force, _WORKER_KERNELS)


def _on_cluster(cluster: str, todo: list, store_path: Path, out: Path, pdf: bool, force: bool, jobs: int,
                report: str, progress: bool) -> list[dict]:
    """Fan the reports out to a Dask distributed cluster: ``local`` starts one on this machine with
    ``jobs`` worker processes, anything else is a scheduler address (its workers must see the same
    data and output folders and have regiekit installed)."""
    from distributed import Client, LocalCluster
    from distributed import as_completed as completed

    if cluster == "local":
        client = Client(LocalCluster(n_workers=max(1, jobs), threads_per_worker=1, processes=True,
                                     dashboard_address=None))
    else:
        client = Client(cluster)
    try:
        futures = client.map(_make_one_on_worker, todo, store_path=str(store_path), out=str(out), pdf=pdf,
                             force=force, pure=False)
        bar = tqdm(completed(futures), total=len(futures), desc=report, unit="rapport", disable=not progress)
        return [f.result() for f in bar]
    finally:
        client.close()
        if cluster == "local":
            client.cluster.close()


def run_batch(report: str, regions: list[str] | None = None, level: str | None = None,
              periods: list[str] | None = None, out_dir: Path | str | None = None, data_dir=None, jobs: int = 1,
              force: bool = False, pdf: bool = True, internal: bool = False, rules_file=None, overrides_file=None,
              texts_file=None, progress: bool = True, cluster: str | None = None, bron: str = "auto") -> BatchResult:
    """Run ``report`` for every region and period; see the module docstring."""
    started = time.time()
    store = Store.open(data_dir)
    kind = registry.get(report)
    codes = targets(regions, level, kind, store)
    todo = [make_job(report, code, period, store, internal, rules_file, overrides_file, texts_file, bron)
            for code in codes for period in (periods or ["latest"])]
    todo = list(dict.fromkeys(todo))
    wanted = sorted({parse_period(j.period) for j in todo}, key=period_order)  # years and project periods
    out = writable(Path(out_dir) if out_dir else project.default_output_dir(internal))
    result = BatchResult(out)
    with locked(out):
        same_mode(out, internal)
        for stale in out.glob(f"{STAGING_PREFIX}*"):
            shutil.rmtree(stale, ignore_errors=True)  # left by a killed run; we hold the lock
        # the published tables, computed once before the workers start (they read them from the cache)
        rules = disclosure.Rules.load(todo[0].rules_file, kind.name)
        with published.progress(progress):
            kind.prepare(store, rules, internal, wanted, bron)

        if cluster:
            result.records = _on_cluster(cluster, todo, Path(store.path), out, pdf, force, jobs, report, progress)
        else:
            with Kernels() as kernels, ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
                futures = [pool.submit(make_one, job, store, out, pdf, force, kernels) for job in todo]
                bar = tqdm(as_completed(futures), total=len(futures), desc=report, unit="rapport", disable=not progress)
                result.records = [f.result() for f in bar]
        order = {(j.region, j.period): n for n, j in enumerate(todo)}
        result.records.sort(key=lambda r: order[(r["regio"], r["periode"])])
        manifest = {
            "rapport": report, "regiekit": __version__, "code_sha256": digest.code(),
            "notebook_sha256": _digest(project.notebook(report)),
            "parameters": {"regio's": codes, "niveau": level,
                           "periodes": [p if isinstance(p, int) else str(p) for p in wanted], "intern": internal,
                           "regels": todo[0].rules_file, "oordelen": todo[0].overrides_file,
                           "teksten": todo[0].texts_file, "jobs": jobs, "force": force, "pdf": pdf,
                           "dask": cluster, "bron": bron},
            "gegevens": {"map": str(Path(store.path).resolve()), "gebouwd": store.manifest.get("gebouwd"),
                         "bronnen": store.manifest.get("bronnen", store.manifest.get("bron"))},
            "start": datetime.fromtimestamp(started, UTC).isoformat(timespec="seconds"),
            "seconden": round(time.time() - started, 2), "rapporten": result.records}
        write_text(out / "manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
        write_text(out / "index.html", _index(report, result, internal))
    return result


def _index(report: str, result: BatchResult, internal: bool) -> str:
    """A Dutch overview page of every report in the folder (this run's, with its failures, and those
    of earlier runs), linking each one's files; opens from disk."""
    names = {r.code: r.label for r in load_regions().all()}
    order = {r.code: n for n, r in enumerate(load_regions().all())}
    this_run = {(r["regio"], str(r["periode"])): r for r in result.records}
    rows: dict[str, list[tuple]] = {}
    for stem, record in records(result.out).items():
        region, period = record["regio"], str(record["periode"])
        run = this_run.pop((region, period), None) if record["rapport"] == report else None
        status = STATUS_TEXT[run["status"]] if run else "uit een eerdere run"
        files = sorted(p.name for p in result.out.glob(f"{stem}.*") if p.suffix != ".json")
        rows.setdefault(record["rapport"], []).append((region, period, status, files, ""))
    for (region, period), run in this_run.items():  # failed (or otherwise missing) reports of this run
        rows.setdefault(report, []).append((region, period, STATUS_TEXT[run["status"]], [], run["fout"] or ""))
    sections = []
    for kind in sorted(rows, key=lambda k: (k != report, k)):
        body = []
        for region, period, status, files, error in sorted(rows[kind], key=lambda r: (order.get(r[0], 10**6), r[1])):
            links = " · ".join(f'<a href="{html.escape(f)}">{html.escape(f.rsplit(".", 1)[1].upper())}</a>'
                               for f in files)
            body.append(f"<tr><td>{html.escape(names.get(region, region))}</td><td>{html.escape(period)}</td>"
                        f"<td>{status}</td><td>{links or html.escape(error)}</td></tr>")
        sections.append(f"<h2>{html.escape(kind.capitalize())}</h2><table><thead><tr><th>Regio</th><th>Periode</th>"
                        f"<th>Status</th><th>Bestanden</th></tr></thead><tbody>{''.join(body)}</tbody></table>")
    mark = f" ({INTERNAL_MARK})" if internal else ""
    warning = f"<p><strong>{INTERNAL_MARK}.</strong> Cijfers zonder onthullingscontrole.</p>" if internal else ""
    return ("<!DOCTYPE html><html lang=\"nl\"><head><meta charset=\"utf-8\">"
            f"<title>regiekit: rapporten in deze map{mark}</title><style>body{{font-family:sans-serif;margin:2em}}"
            "td,th{padding:.3em .8em;text-align:left}tr:nth-child(even){background:#f3f3f3}</style></head><body>"
            f"<h1>Rapporten in deze map</h1>{warning}"
            f"<p>Laatste run ({html.escape(report)}): {html.escape(result.summary().splitlines()[0].split(';')[0])}."
            f"</p>{''.join(sections)}</body></html>\n")
