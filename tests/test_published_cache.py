"""The cache of published tables is keyed on what a table depends on: the data, the definitions and the
package's own code. A changed definition or counting rule gives a new table; old ones are removed."""

import re
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import make_store

ROOT = Path(__file__).resolve().parents[1]
ASSEN = "GM0106"
PROGRAM = ("import sys, regiekit; from regiekit.data.store import Store; from regiekit.publish import published; "
           "assert regiekit.__file__.startswith(sys.argv[2]), regiekit.__file__; "
           "print(int(published.table(['jeugdhulp_aantal'], Store.open(sys.argv[1]))['numerator'].sum()))")


@pytest.fixture(autouse=True)
def own_cache(monkeypatch):
    """These tests look at the store's own cache, not at the session's shared one."""
    monkeypatch.delenv("REGIEKIT_CACHE", raising=False)


def _cached(store) -> list[str]:
    return sorted(p.name for p in (Path(store.path) / "gepubliceerd").glob("*.parquet"))


def test_a_changed_definition_or_rule_recomputes_the_published_table(tmp_path):
    rows = [{"traject_id": n, "jeugdige_id": n, "geslacht": "man", "geboortedatum": date(2010, 6, 15),
             "gemeente_code": ASSEN, "aanbieder_id": "A1", "zorgvorm": "zonder_verblijf", "verwijzer": "huisarts",
             "startdatum": date(2024, 1, 10), "einddatum": None, "reden_beeindiging": None} for n in range(30)]
    store = make_store(tmp_path / "store", pd.DataFrame(rows), years=(2024,))
    package = tmp_path / "code"
    shutil.copytree(ROOT / "regiekit", package / "regiekit", ignore=shutil.ignore_patterns("__pycache__"))

    def run() -> str:
        done = subprocess.run([sys.executable, "-c", PROGRAM, str(store.path), str(package)], cwd=tmp_path,
                              env={"PYTHONPATH": str(package), "PATH": "/usr/bin:/bin"}, capture_output=True,
                              text=True, timeout=300)
        assert done.returncode == 0, done.stderr[-2000:]
        return done.stdout.strip()

    assert run() == str(30 * 5)  # Assen, its jeugdregio, provincie and size class, Nederland
    first = _cached(store)
    assert len(first) == 2  # the table, and its protection unit for 2024
    assert run() == "150" and _cached(store) == first  # unchanged: served from the cache

    catalogue = package / "regiekit" / "indicators" / "catalogue" / "cbs_jeugd.yaml"
    text = catalogue.read_text(encoding="utf-8")
    label = text.index("label:", text.index("id: jeugdhulp_aantal"))
    line_end = text.index("\n", label)
    catalogue.write_text(text[:label] + "label: Jongeren met jeugdhulp, nieuw label" + text[line_end:],
                         encoding="utf-8")
    assert run() == "150"
    second = _cached(store)
    assert len(second) == 2 and not set(second) & set(first)  # recomputed under new keys; the old tables removed

    rule = package / "regiekit" / "engine" / "sql.py"
    rule.write_text(rule.read_text(encoding="utf-8") + "\n# a changed counting rule\n", encoding="utf-8")
    assert run() == "150"
    third = _cached(store)
    assert len(third) == 2 and not set(third) & set(first + second)


def _small_store(path: Path):
    rows = [{"traject_id": n, "jeugdige_id": n, "geslacht": "man", "geboortedatum": date(2010, 6, 15),
             "gemeente_code": ASSEN, "aanbieder_id": "A1", "zorgvorm": "zonder_verblijf", "verwijzer": "huisarts",
             "startdatum": date(2024, 1, 10), "einddatum": None, "reden_beeindiging": None} for n in range(30)]
    return make_store(path, pd.DataFrame(rows), years=(2024,))


def test_a_damaged_cache_is_rebuilt_and_a_damaged_store_named_in_one_line(tmp_path, capsys):
    from regiekit.data.store import Store, StoreError
    from regiekit.publish import published
    from regiekit.run import cli

    store = _small_store(tmp_path / "store")
    first = published.table(["jeugdhulp_aantal"], store)
    cached = _cached(store)
    for name in cached:
        (Path(store.path) / "gepubliceerd" / name).write_bytes(b"PAR1 half weggeschreven")
    again = published.table(["jeugdhulp_aantal"], store)
    assert again["numerator"].sum() == first["numerator"].sum() == 150
    assert _cached(store) == cached
    assert all(pd.read_parquet(Path(store.path) / "gepubliceerd" / name).shape[0] for name in cached)

    table = Path(store.path) / "trajecten.parquet"
    table.write_bytes(table.read_bytes()[: table.stat().st_size // 2])  # a copy that stopped halfway
    try:
        Store.open(store.path).connect()
    except StoreError as exc:
        assert "trajecten.parquet is beschadigd" in str(exc) and "\n" not in str(exc)
    else:
        raise AssertionError("a truncated table was read")
    (Path(store.path) / "store.json").write_text("{niet af", encoding="utf-8")
    code = cli.main(["run", "factsheet", "--region", "Assen", "--period", "2024", "--data", str(store.path),
                     "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err.strip()
    assert code != 0 and "store.json is beschadigd" in err and len(err.splitlines()) == 1, err


def test_computing_a_new_table_shows_its_progress_only_when_asked(tmp_path, capsys, monkeypatch):
    """A bar on a terminal, gone when done; in a log (a scheduled run, stderr not a terminal) one line when
    a unit is counted and one when it is protected, not the bar's every redraw."""
    from regiekit.publish import published

    published.table(["jeugdhulp_aantal"], _small_store(tmp_path / "a"))  # a library call: silent
    assert "cijfers voor alle regio's" not in capsys.readouterr().err
    store = _small_store(tmp_path / "b")
    unit, = published.protection_units(["jeugdhulp_aantal"], store)
    what = f"cijfers voor alle regio's ({len(unit)} indicatoren, 1 periode)"
    with published.progress():
        published.table(["jeugdhulp_aantal"], store)  # not cached yet: the batch's first run
        logged = capsys.readouterr().err
        published.table(["jeugdhulp_pct"], store)  # protected with it (one unit): nothing to show
    assert logged.splitlines() == [f"{what}: geteld, onthullingscontrole ...", logged.splitlines()[-1]]
    assert re.fullmatch(rf"{re.escape(what)}: klaar in \d\d:\d\d", logged.splitlines()[-1])
    assert capsys.readouterr().err == ""
    store = _small_store(tmp_path / "c")
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    with published.progress():
        published.table(["jeugdhulp_aantal"], store)
    shown = capsys.readouterr().err
    assert f"{what}: 0/2 stappen" in shown and "\n" not in shown and "klaar in" not in shown


def test_after_voorbereiden_a_first_report_computes_no_protection(tmp_path, capsys, monkeypatch):
    from regiekit.publish import disclosure
    from regiekit.reports import factsheet
    from regiekit.run import cli

    from .conftest import REGISTRATION_COLUMNS

    rows = [{"traject_id": n, "jeugdige_id": n, "geslacht": "man", "geboortedatum": date(2010, 6, 15),
             "gemeente_code": ASSEN, "aanbieder_id": "A1", "zorgvorm": "zonder_verblijf", "verwijzer": "huisarts",
             "startdatum": date(2024, 1, 10), "einddatum": None, "reden_beeindiging": None} for n in range(30)]
    no_cases = pd.DataFrame({c: pd.Series(dtype="datetime64[ns]" if c.endswith("datum") else "object")
                             for c in REGISTRATION_COLUMNS})  # an expert team that registered nothing yet
    store = make_store(tmp_path / "store", pd.DataFrame(rows), years=(2024,), aanmeldingen=no_cases)
    assert cli.main(["voorbereiden", "--data", str(store.path)]) == 0
    printed = capsys.readouterr().out
    assert "Klaar voor een eerste rapport binnen seconden: factsheet" in printed
    assert "pilot: geen indicatoren" in printed  # a report without its data is named with the reason, not an error

    def computed(*args, **kwargs):
        raise AssertionError("disclosure control ran again for the first report")

    monkeypatch.setattr(disclosure, "protect", computed)
    sheet = factsheet.build("Assen", 2024, store.path)  # what the report's notebook does
    assert not sheet.published.empty


def test_stores_with_the_same_data_share_their_published_tables_and_others_do_not(tmp_path, monkeypatch):
    """With ``REGIEKIT_CACHE`` a copy of a store (same content, another folder, another build time) reads
    the tables protected for the first; a store with other data computes its own."""
    from regiekit import engine
    from regiekit.publish import published

    monkeypatch.setenv("REGIEKIT_CACHE", str(tmp_path / "gedeeld"))
    first = published.table(["jeugdhulp_aantal"], _small_store(tmp_path / "a"))
    copy, other = _small_store(tmp_path / "b"), _small_store(tmp_path / "c")
    table = Path(other.path) / "trajecten.parquet"
    frame = pd.read_parquet(table)
    frame.loc[0, "zorgvorm"] = "met_verblijf"
    frame.to_parquet(table)

    def no_engine(*args, **kwargs):
        raise AssertionError("computed again")

    monkeypatch.setattr(engine, "compute", no_engine)
    shared = published.table(["jeugdhulp_aantal"], copy)
    assert shared.equals(first)
    with pytest.raises(AssertionError, match="computed again"):  # other data: not shared
        published.table(["jeugdhulp_aantal"], other)
    assert not list((Path(copy.path) / "gepubliceerd").glob("*"))  # nothing in the stores' own folders


def test_reports_that_share_a_number_protect_it_in_the_same_unit(demo_store):
    """The factsheet and the voortgang both show jeugdhulp met verblijf; whatever else each asks for, the
    unit that holds it is the same (nested counts such as jeugdzorg and jeugdhulp included), so it gets one
    decision (a unit that differed per report hid Nederland's share in one and showed it in the other)."""
    from regiekit.publish import published
    from regiekit.reports import factsheet, voortgang
    from regiekit.reports.common import KERN

    sheet = [i.id for i in factsheet.load_catalogue().select(tag=KERN)]
    progress = sorted({p.indicator for line in voortgang.load_layout().actielijnen for p in line.panelen})
    units = [{tuple(u) for u in published.protection_units(ids, demo_store)} for ids in (sheet, progress)]
    shared = [u for u in units[0] | units[1] if "jeugdhulp_verblijf_aandeel" in u]
    assert len(shared) == 1 and "jeugdzorg_aantal" in shared[0] and "jeugdhulp_aantal" in shared[0]
    indicators = [i for u in units[0] | units[1] for i in u]
    assert len(indicators) == len(set(indicators))  # no indicator in two units
