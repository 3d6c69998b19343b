"""Run a report notebook for one region and period: papermill, then nbconvert HTML without code.

Outputs for report R, region C and period P in ``out_dir`` (``_intern`` added for internal runs):
``R_C_P.html`` (the report), ``R_C_P.pdf`` (printed by headless Chromium, when available),
``R_C_P.csv`` and ``R_C_P.xlsx`` (exactly the numbers it shows), ``R_C_P.ipynb`` (the executed
notebook, for inspection) and ``R_C_P.json`` (the inputs it was made from, written last: a report
whose ``.json`` exists is complete). Everything is written in a staging folder first and moved into
place only when all files exist, so a failed or killed run leaves no partial report.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import jinja2
import nbformat
import pandas as pd
import papermill
from jupyter_client.asynchronous import AsyncKernelClient as KernelClient
from jupyter_client.manager import KernelManager
from jupyter_core.utils import run_sync
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, DeadKernelError
from nbconvert import HTMLExporter
from papermill.iorw import load_notebook_node
from papermill.parameterize import parameterize_notebook

from regiekit import __version__, digest, engine, formatting, project
from regiekit.data.store import Store
from regiekit.errors import RegiekitError
from regiekit.publish import disclosure
from regiekit.reference.regions import load_regions
from regiekit.reports import maps, registry

STAGING_PREFIX = ".staging-"
CELL_TIMEOUT = 600  # seconds one notebook cell may take; REGIEKIT_CELTIJD overrides it


def cell_timeout() -> int:
    """The per-cell time limit in seconds, from ``REGIEKIT_CELTIJD`` or the default."""
    value = os.environ.get("REGIEKIT_CELTIJD", "").strip()
    if not value:
        return CELL_TIMEOUT
    if not value.isdigit() or int(value) == 0:
        raise RunError(f"REGIEKIT_CELTIJD moet een positief aantal seconden zijn, niet {value!r}")
    return int(value)


class RunError(RegiekitError):
    """A report could not be produced."""


@dataclass(frozen=True)
class Job:
    """One report for one region and period, with everything that determines its content."""

    report: str
    region: str  # CBS code
    period: int | str  # a year, or a span of years as text ('2021-2023')
    internal: bool = False
    rules_file: str | None = None
    overrides_file: str | None = None
    texts_file: str | None = None
    bron: str = "auto"  # own records, CBS StatLine, or each where available

    @property
    def stem(self) -> str:
        return (f"{self.report}_{self.region}_{self.period}" + ("" if self.bron == "auto" else f"_{self.bron}")
                + ("_intern" if self.internal else ""))

    def fingerprint(self, store: Store) -> str:
        """Changes when anything the report is made from changes: data, notebook, package code and
        definitions, parameters, the files named on the command line."""
        extra = {name: _digest(Path(p)) for name, p in (("regels", self.rules_file), ("oordelen", self.overrides_file),
                                                          ("teksten", self.texts_file)) if p}
        boundaries = maps.find()
        if boundaries is not None:  # the map changes with the boundary file it uses (or disappears without one)
            extra["grenzen"] = [str(boundaries), *_stat(boundaries)]
        return digest.of({"job": self.__dict__, "store": store.state(), "extra": extra,
                          "notebook": _digest(project.notebook(self.report)), "code": digest.code()})


def _stat(path: Path) -> tuple[int, int]:
    info = path.stat()
    return info.st_size, info.st_mtime_ns


def _digest(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


@dataclass(frozen=True)
class Outputs:
    html: Path
    csv: Path
    xlsx: Path
    notebook: Path
    record: Path
    pdf: Path | None = None


def records(out_dir: Path) -> dict[str, dict]:
    """The complete reports in ``out_dir``: the record (``.json``, written last) of each, by file stem."""
    found = {}
    for path in sorted(out_dir.glob("*.json")):
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(record, dict) and {"rapport", "regio", "periode"} <= record.keys():
            found[path.stem] = record
    return found


def same_mode(out_dir: Path, internal: bool) -> None:
    """Refuse internal output in a folder with public reports, and the reverse: a folder that is shared
    or published must never hold, or list, numbers without disclosure control."""
    mixed = sorted(stem for stem, record in records(out_dir).items() if bool(record.get("intern")) != internal)
    if mixed:
        held, wanted = ("openbare", "interne") if internal else ("interne", "openbare")
        raise RunError(f"de uitvoermap {out_dir} bevat {held} rapporten ({mixed[0]}" + (" en meer" if len(mixed) > 1
                       else "") + f"); schrijf {wanted} rapporten naar een eigen map (--out)")


def writable(out_dir: Path) -> Path:
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=out_dir):
            pass
    except OSError as exc:
        raise RunError(f"kan niet schrijven in de uitvoermap {out_dir}: {exc.strerror or exc}") from exc
    return out_dir


_exporters = threading.local()  # an exporter loads its templates once: 0,1 s per report otherwise


# A4 print: JupyterLab's output areas scroll sideways on screen, which cuts tables off on paper; the
# report tables wrap their headings and shrink a little instead, and charts and rows are not split.
PRINT_CSS = """<style>
@page { size: A4; margin: 14mm 12mm; }
table.regiekit-kern { width: 100%; }
@media print {
  .jp-OutputArea-output, .jp-RenderedHTMLCommon, .jp-OutputArea-child { overflow: visible !important; }
  table.regiekit-kern { font-size: 8pt !important; width: 100% !important; table-layout: auto !important; }
  table.regiekit-kern th, table.regiekit-kern td { padding: 2px 3px !important; white-space: normal !important;
                                                   hyphens: auto; }
  table.regiekit-kern td.num { white-space: nowrap !important; }
  .jp-OutputArea-prompt, .jp-InputPrompt { display: none !important; }
  .jp-Notebook { padding: 0 !important; }
  img { max-width: 100% !important; break-inside: avoid; }
  tr { break-inside: avoid; }
}
</style>"""


# JupyterLab's page without its scripts (require.js, MathJax, Mermaid, each loaded from a CDN): a report
# needs none of them, must open offline and must not call out when it is read.
OFFLINE_TEMPLATE = """{%- extends 'index.html.j2' -%}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}"""


INTERNAL_MARK = "INTERN – niet voor publicatie"
# an internal report says so on every printed page (top and bottom margin) and stays marked on screen
INTERNAL_CSS = f"""<style>
@page {{ @top-center {{ content: "{INTERNAL_MARK}"; color: #a00; font: bold 9pt sans-serif; }}
        @bottom-center {{ content: "{INTERNAL_MARK}"; color: #a00; font: bold 9pt sans-serif; }} }}
@media screen {{ body::before {{ content: "{INTERNAL_MARK}"; display: block; position: sticky; top: 0; z-index: 10;
  background: #a00; color: #fff; font: bold 11pt sans-serif; padding: 4px 12px; }} }}
</style>"""


def _html(notebook_path: Path, title: str, internal: bool = False) -> str:
    exporter = getattr(_exporters, "html", None)
    if exporter is None:
        exporter = _exporters.html = HTMLExporter(
            exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True,
            extra_loaders=[jinja2.DictLoader({"regiekit_offline.html.j2": OFFLINE_TEMPLATE})],
            template_file="regiekit_offline.html.j2")
    body, _ = exporter.from_notebook_node(nbformat.read(notebook_path, as_version=4),
                                          resources={"metadata": {"name": title}})
    css = PRINT_CSS + (INTERNAL_CSS if internal else "")
    return body.replace('<html lang="en">', '<html lang="nl">', 1).replace("</head>", css + "</head>", 1)


def chromium() -> str | None:
    """The headless browser used to print PDFs (Debian package ``chromium``), if installed."""
    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


def print_pdf(html_path: Path, pdf_path: Path, browser: str) -> None:
    """Print an HTML file to PDF with headless Chromium: offline, images embedded, A4."""
    done = subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
                           f"--print-to-pdf={pdf_path}", html_path.resolve().as_uri()],
                          capture_output=True, text=True, timeout=180)
    if done.returncode != 0 or not pdf_path.exists() or pdf_path.stat().st_size == 0:
        raise RunError(f"PDF maken mislukt: {done.stderr.strip()[-300:]}")


def check_files(rules_file, overrides_file, texts_file=None) -> tuple[str | None, str | None, str | None]:
    """Absolute paths of the optional rules, verdict and text files, checked before any work starts."""
    found = []
    for name, path in (("regels", rules_file), ("oordelen", overrides_file), ("teksten", texts_file)):
        if path is not None and not Path(path).is_file():
            raise RunError(f"{name}bestand {path} bestaat niet")
        found.append(str(Path(path).resolve()) if path is not None else None)
    if found[0]:
        disclosure.Rules.load(found[0])  # refuses unknown or invalid rules before any work starts
    return found[0], found[1], found[2]


def make_job(report: str, region: str, period: int | str, store: Store, internal: bool = False,
             rules_file=None, overrides_file=None, texts_file=None, bron: str = "auto") -> Job:
    """Check a request (report, region, period, files, source) and turn it into a job."""
    if bron not in engine.SOURCES:
        raise RunError(f"onbekende bron {bron!r}; kies uit {', '.join(engine.SOURCES)}")
    target, found = registry.get(report).request(region, period, store)
    period = found if isinstance(found, int) else str(found)  # a span as text: '2021-2023'
    return Job(report, target.code, period, internal, *check_files(rules_file, overrides_file, texts_file), bron)


# Empties the namespace between reports like %reset -f, then freezes what is left (modules, caches)
# out of the garbage collector's sight: a full collection over pandas, matplotlib and statsmodels
# costs 0,3 s, which every report would otherwise pay for the figures of the one before.
_RESET = """(lambda ip: [ip.displayhook.flush()] + [ip.user_ns.pop(n) for n in list(ip.user_ns)
    if n not in ip.user_ns_hidden and not (n.startswith("__") and n.endswith("__"))])(get_ipython())
__import__("gc").collect(); __import__("gc").freeze()"""


def _sweep_sockets() -> None:
    """Remove the socket folders of kernels that no longer run (left behind by a ``kill -9`` of a run):
    a folder goes when none of its sockets accepts a connection (and it is not one just being set up)."""
    for folder in Path(tempfile.gettempdir()).glob("regiekit-kernel-*"):
        try:
            info = folder.stat()
            sockets = [p for p in folder.iterdir() if p.is_socket()]
        except OSError:
            continue
        if info.st_uid == os.getuid() and time.time() - info.st_mtime > 300 and not any(map(_listening, sockets)):
            shutil.rmtree(folder, ignore_errors=True)


def _listening(path: Path) -> bool:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
        try:
            probe.connect(str(path))
        except OSError:
            return False
        return True


class Kernels:
    """One warm Jupyter kernel per worker thread, with a connected client: a batch pays for starting
    Python and importing pandas, matplotlib and regiekit once per worker instead of once per report.
    Each report starts with an empty namespace; a kernel that died is replaced."""

    def __init__(self):
        _sweep_sockets()
        self._local = threading.local()
        self._started: list[tuple[KernelManager, KernelClient, Path]] = []  # with the folder of its sockets
        self._lock = threading.Lock()

    def get(self) -> KernelManager:
        kernel = getattr(self._local, "kernel", None)
        if kernel is None or not kernel.is_alive():
            if kernel is not None:
                self.discard()
            # local sockets (IPC) instead of TCP on localhost: nothing to eavesdrop on, and no warning about it
            sockets = Path(tempfile.mkdtemp(prefix="regiekit-kernel-"))
            # an asynchronous client: nbclient then checks, while it waits for a cell, that the kernel lives
            kernel = KernelManager(kernel_name="python3", transport="ipc", ip=str(sockets / "k"),
                                   client_class="jupyter_client.asynchronous.AsyncKernelClient")
            kernel.start_kernel(cwd=str(project.working_dir()))
            client = kernel.client()
            client.start_channels()
            run_sync(client.wait_for_ready)(timeout=120)
            client.allow_stdin = False
            self._local.kernel, self._local.client = kernel, client
            with self._lock:
                self._started.append((kernel, client, sockets))
        return kernel

    def client(self) -> KernelClient:
        """The connected client of this thread's kernel."""
        self.get()
        return self._local.client

    def discard(self) -> None:
        """Stop this thread's kernel (dead, or busy with a cell that ran out of time); the next
        ``get`` starts a new one."""
        kernel = getattr(self._local, "kernel", None)
        if kernel is None:
            return
        self._local.kernel = None
        with self._lock:
            started = [entry for entry in self._started if entry[0] is kernel]
            self._started = [entry for entry in self._started if entry[0] is not kernel]
        for entry in started:
            self._stop(*entry)

    @staticmethod
    def _stop(kernel: KernelManager, client: KernelClient, sockets: Path) -> None:
        client.stop_channels()
        if kernel.has_kernel:
            kernel.shutdown_kernel(now=True)
        shutil.rmtree(sockets, ignore_errors=True)

    def shutdown(self) -> None:
        with self._lock:
            for entry in self._started:
                self._stop(*entry)
            self._started.clear()

    def __enter__(self) -> Kernels:
        return self

    def __exit__(self, *exc) -> None:
        self.shutdown()


def run_notebook(notebook: Path, executed: Path, parameters: dict, kernels: Kernels) -> None:
    """Execute ``notebook`` with papermill's parameter injection on this thread's warm kernel and save it."""
    nb = parameterize_notebook(load_notebook_node(str(notebook)), parameters, kernel_name="python3", language="python")
    client = NotebookClient(nb, km=kernels.get(), timeout=cell_timeout(), kernel_name="python3",
                            resources={"metadata": {"path": str(project.working_dir())}})
    client.kc = kernels.client()
    with client.setup_kernel():
        try:
            reply = run_sync(client.kc.execute_interactive)(_RESET, silent=True, store_history=False, timeout=60)
            if reply["content"]["status"] != "ok":
                raise RunError("de kernel kon niet worden leeggemaakt voor het volgende rapport")
            for index, cell in enumerate(nb.cells):
                client.execute_cell(cell, index)
        except (DeadKernelError, TimeoutError):  # TimeoutError includes nbclient's CellTimeoutError
            kernels.discard()  # dead, or still busy with the cell: the next report gets a new kernel
            raise
        finally:
            nbformat.write(nb, executed)


def execute(job: Job, store: Store, out: Path, pdf: bool = True, kernels: Kernels | None = None) -> Outputs:
    """Produce the outputs of one job in ``out`` (which must exist and be writable), on a kernel of
    ``kernels`` (else on a kernel of its own)."""
    if kernels is None:
        with Kernels() as own:
            return execute(job, store, out, pdf, own)
    target = load_regions().get(job.region)
    staging = Path(tempfile.mkdtemp(prefix=f"{STAGING_PREFIX}{job.stem}-", dir=out))
    stem = job.stem
    try:
        executed = staging / f"{stem}.ipynb"
        csv = staging / f"{stem}.csv"
        notebook = project.notebook(job.report)
        offered = {"region": job.region, "period": job.period, "data_dir": str(Path(store.path).resolve()),
                   "published_csv": str(csv), "intern": job.internal, "regels": job.rules_file,
                   "oordelen": job.overrides_file, "teksten": job.texts_file, "bron": job.bron}
        declared = papermill.inspect_notebook(notebook)
        try:
            run_notebook(notebook, executed, {k: v for k, v in offered.items() if k in declared}, kernels)
        except CellExecutionError as exc:
            raise RunError(f"{job.report} voor {job.region} {job.period} mislukt: {exc.ename}: {exc.evalue}") from exc
        except DeadKernelError as exc:
            raise RunError(f"{job.report} voor {job.region} {job.period} mislukt: de kernel is gestopt") from exc
        except TimeoutError as exc:
            raise RunError(f"{job.report} voor {job.region} {job.period} mislukt: een cel duurde langer dan "
                           f"{cell_timeout()} seconden (REGIEKIT_CELTIJD)") from exc
        if not csv.exists():
            raise RunError(f"{job.report} voor {job.region} {job.period} schreef geen gepubliceerde cijfers")
        mark = f" ({INTERNAL_MARK})" if job.internal else ""
        title = f"{job.report.capitalize()} {target.label} {job.period}{mark}"
        (staging / f"{stem}.html").write_text(_html(executed, title, job.internal), encoding="utf-8")
        sheet = formatting.spreadsheet_safe(pd.read_csv(csv))
        sheet_name = "INTERN cijfers" if job.internal else "cijfers"
        sheet.to_excel(staging / f"{stem}.xlsx", index=False, sheet_name=sheet_name)
        browser = chromium() if pdf else None
        if browser:
            print_pdf(staging / f"{stem}.html", staging / f"{stem}.pdf", browser)
        (staging / f"{stem}.json").write_text(json.dumps(
            {"rapport": job.report, "regio": job.region, "periode": job.period, "intern": job.internal,
             "invoer": job.fingerprint(store), "regiekit": __version__}, indent=2) + "\n", encoding="utf-8")
        final = Outputs(out / f"{stem}.html", out / f"{stem}.csv", out / f"{stem}.xlsx", out / f"{stem}.ipynb",
                        out / f"{stem}.json", out / f"{stem}.pdf" if browser else None)
        for path in (final.notebook, final.csv, final.xlsx, final.pdf, final.html, final.record):
            if path is not None:
                os.replace(staging / path.name, path)  # the record last: it marks the report complete
        return final
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def up_to_date(job: Job, store: Store, out: Path) -> bool:
    """Whether ``out`` holds a complete report made from exactly this job's inputs."""
    record = out / f"{job.stem}.json"
    if not record.exists() or not all((out / f"{job.stem}.{ext}").exists() for ext in ("html", "csv", "xlsx", "ipynb")):
        return False
    try:
        return json.loads(record.read_text(encoding="utf-8")).get("invoer") == job.fingerprint(store)
    except (OSError, ValueError):
        return False


def run_report(report: str, region: str, period: int | str, out_dir: Path | str | None = None,
               data_dir: Path | str | None = None, internal: bool = False, rules_file: Path | str | None = None,
               overrides_file: Path | str | None = None, texts_file: Path | str | None = None,
               pdf: bool = True, bron: str = "auto") -> Outputs:
    """Execute ``notebooks/<report>.ipynb`` for one region and period and export it."""
    store = Store.open(data_dir)
    job = make_job(report, region, period, store, internal, rules_file, overrides_file, texts_file, bron)
    out = writable(Path(out_dir) if out_dir else project.default_output_dir(internal))
    same_mode(out, internal)
    return execute(job, store, out, pdf)
