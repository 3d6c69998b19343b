"""Shared fixtures: the full synthetic demo data, generated and processed once per test session."""

import os
import shutil
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from filelock import FileLock

from regiekit.data import store, synth
from regiekit.publish import published
from regiekit.reference.regions import load_regions

SHARED = Path(__file__).resolve().parents[2] / "shared"


@pytest.fixture(scope="session")
def shared_regions_csv() -> Path:
    path = SHARED / "reference" / "regions" / "gemeenten_2024.csv"
    if not path.exists():
        pytest.skip("shared/ is not beside the repository")
    return path


def _shared(tmp_path_factory, name: str) -> tuple[Path, FileLock]:
    """A folder shared by the test processes of one session (pytest-xdist's workers), and its lock: the
    demo store is made, and its published tables protected, once for all of them."""
    base = tmp_path_factory.getbasetemp()
    root = base.parent if base.name.startswith("popen-gw") else base
    return root / name, FileLock(root / f"{name}.lock")


@pytest.fixture(scope="session", autouse=True)
def shared_published_tables(tmp_path_factory):
    """Stores with the same content share their published tables (``REGIEKIT_CACHE``): the demo data
    (here, in a test's ``regiekit demo`` and in a benchmark) are protected once per session, by whichever
    test, subprocess or worker asks first."""
    folder, _ = _shared(tmp_path_factory, "gepubliceerd")
    os.environ[published.SHARED] = str(folder)
    yield
    os.environ.pop(published.SHARED, None)


@pytest.fixture(scope="session")
def demo_raw(tmp_path_factory) -> Path:
    raw, lock = _shared(tmp_path_factory, "demo_raw")
    with lock:
        if not raw.exists():
            made = raw.with_name("demo_raw.partial")
            shutil.rmtree(made, ignore_errors=True)
            synth.generate(made, synth.DEFAULT_SEED)
            made.rename(raw)
    return raw


@pytest.fixture(scope="session")
def demo_store(demo_raw, tmp_path_factory) -> store.Store:
    processed, lock = _shared(tmp_path_factory, "demo_processed")
    with lock:
        if not processed.exists():
            store.build(demo_raw, processed, {"bron": "synthetisch", "seed": synth.DEFAULT_SEED})  # as regiekit demo
    return store.Store.open(processed)


@pytest.fixture(scope="session")
def assen(demo_store, tmp_path_factory) -> Path:
    """The real factsheet for Assen 2024, made by the CLI as a user would (all outputs in one folder)."""
    import os
    import subprocess
    import sys

    out = tmp_path_factory.mktemp("out")
    env = {k: v for k, v in os.environ.items() if k != "REGIEKIT_GRENZEN"}  # offline: the packaged boundaries
    env["REGIEKIT_HOME"] = str(tmp_path_factory.mktemp("project"))  # a new project: no boundaries downloaded
    done = subprocess.run([sys.executable, "-m", "regiekit", "run", "factsheet", "--region", "Assen",
                           "--period", "2024", "--out", str(out), "--data", str(demo_store.path)],
                          capture_output=True, text=True, timeout=600, env=env)
    assert done.returncode == 0, done.stderr
    return out


TRAJECTORY_COLUMNS = ["traject_id", "jeugdige_id", "geslacht", "geboortedatum", "gemeente_code", "aanbieder_id",
                      "zorgvorm", "verwijzer", "startdatum", "einddatum", "reden_beeindiging"]
REGISTRATION_COLUMNS = ["casus_id", "jeugdige_id", "aanmelddatum", "adviesdatum", "soort_vraag", "aanmelder",
                        "geslacht", "leeftijd", "gemeente_aanmelding", "gemeente_financieel", "verklarende_analyse",
                        "problematiek_jeugdige", "verblijfsplek", "problemen_school", "type_onderwijs",
                        "problematiek_ouders"]


def make_store(folder: Path, trajecten: pd.DataFrame, years=(2023, 2024), aantal: int = 100,
               bevolking: pd.DataFrame | None = None, aanmeldingen: pd.DataFrame | None = None,
               **records: pd.DataFrame) -> store.Store:
    """A processed store from hand-made tables; the population is ``aantal`` per gemeente, year, sex and
    band; ``records`` adds other record tables (plaatsingen=..., casusonderzoeken=...)."""
    raw = folder / "raw"
    raw.mkdir(parents=True)
    if bevolking is None:
        bevolking = pd.DataFrame(
            [{"gemeente_code": r.code, "jaar": y, "geslacht": s, "leeftijdsklasse": b, "aantal": aantal}
             for r in load_regions().all("gemeente") for y in years for s in ("man", "vrouw")
             for b in ("0-4", "4-12", "12-18", "18-23")])
    if aanmeldingen is None:
        aanmeldingen = pd.DataFrame({c: pd.Series(dtype="object") for c in REGISTRATION_COLUMNS})
    tables = {"trajecten": trajecten, "bevolking": bevolking, "aanmeldingen": aanmeldingen, **records}
    for name, frame in tables.items():
        pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), raw / f"{name}.parquet")
    return store.Store.open(store.build(raw, folder / "processed"))


@pytest.fixture
def statline_server(monkeypatch):
    """CBS's OData v3 service stood in for on 127.0.0.1 (recorded responses), reached as a user would
    reach a mirror: through REGIEKIT_STATLINE_URL."""
    from tests.statline_server import StatLineServer

    server = StatLineServer()
    monkeypatch.setenv("REGIEKIT_STATLINE_URL", server.url)
    yield server
    server.stop()


def raw_codes(page: str) -> set[str]:
    """Vocabulary codes that a reader would see as codes in the visible text of a report's HTML
    ('ret_tafel', 'adhd', 'stap1_signaleren', 'jeugdbescherming+jeugdhulp'), instead of their labels."""
    import re

    from bs4 import BeautifulSoup

    from regiekit.data import vocabulary

    soup = BeautifulSoup(page, "html.parser")
    for tag in soup(["style", "script"]):
        tag.decompose()
    words = set(re.findall(r"[\w+]+", soup.get_text(" ")))
    codes = set(vocabulary.LABELS) | {value for name in dir(vocabulary) if name.isupper()
                                      for value in getattr(vocabulary, name) if isinstance(value, str)
                                      and isinstance(getattr(vocabulary, name), tuple)}
    # a code whose label is itself, or holds it as a word ('basisschool'), reads fine
    shown_as_code = {c for c in codes if not re.search(rf"(^|\W){re.escape(c)}($|\W)", vocabulary.label(c))}
    found = {c for c in shown_as_code if c in words}
    return found | {w for w in words if re.fullmatch(r"[a-z_]+(\+[a-z_]+)+", w)}  # combinations of codes
