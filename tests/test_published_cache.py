"""The cache of published tables is keyed on what a table depends on: the data, the definitions and the
package's own code. A changed definition or counting rule gives a new table; old ones are removed."""

import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pandas as pd

from tests.conftest import make_store

ROOT = Path(__file__).resolve().parents[1]
ASSEN = "GM0106"
PROGRAM = ("import sys, regiekit; from regiekit.data.store import Store; from regiekit.publish import published; "
           "assert regiekit.__file__.startswith(sys.argv[2]), regiekit.__file__; "
           "print(int(published.table(['jeugdhulp_aantal'], Store.open(sys.argv[1]))['numerator'].sum()))")


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
    assert len(first) == 1
    assert run() == "150" and _cached(store) == first  # unchanged: served from the cache

    catalogue = package / "regiekit" / "indicators" / "catalogue" / "cbs_jeugd.yaml"
    text = catalogue.read_text(encoding="utf-8")
    label = text.index("label:", text.index("id: jeugdhulp_aantal"))
    line_end = text.index("\n", label)
    catalogue.write_text(text[:label] + "label: Jongeren met jeugdhulp, nieuw label" + text[line_end:],
                         encoding="utf-8")
    assert run() == "150"
    second = _cached(store)
    assert len(second) == 1 and second != first  # recomputed under a new key; the old table removed

    rule = package / "regiekit" / "engine" / "sql.py"
    rule.write_text(rule.read_text(encoding="utf-8") + "\n# a changed counting rule\n", encoding="utf-8")
    assert run() == "150"
    third = _cached(store)
    assert len(third) == 1 and third not in (first, second)
