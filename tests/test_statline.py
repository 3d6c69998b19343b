"""CBS StatLine through cbsodata against recorded responses in CBS's own OData format (no network)."""

import json
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pandas as pd
import pytest
import requests

from regiekit.data import statline
from regiekit.data.store import Store
from regiekit.reference import herindeling
from regiekit.reference.regions import load_regions
from regiekit.run import cli

RECORDING = json.loads((Path(__file__).parent / "data" / "statline" / "85098NED.json").read_text(encoding="utf-8"))


class RecordedStatLine:
    """Stands in for requests.Session.send inside cbsodata: answers from the recording, counts calls."""

    def __init__(self, offline: bool = False):
        self.offline, self.urls = offline, []

    def send(self, session, prepared, **kwargs):
        self.urls.append(prepared.url)
        if self.offline:
            raise requests.ConnectionError("no route to opendata.cbs.nl")
        url = urlparse(prepared.url)
        key = url.path.split("/odata/", 1)[1]
        skip = parse_qs(url.query).get("$skip")
        body = RECORDING["responses"].get(key + (f"?$skip={skip[0]}" if skip else ""))
        response = requests.Response()
        response.status_code, response.url = (200, prepared.url) if body else (404, prepared.url)
        response._content = json.dumps(body or {"odata.error": "not found"}).encode()
        return response


@pytest.fixture
def recorded(monkeypatch):
    server = RecordedStatLine()
    _serve(monkeypatch, server)
    return server


def _serve(monkeypatch, server: RecordedStatLine) -> None:
    monkeypatch.setattr(requests.Session, "send", lambda session, prepared, **kw: server.send(session, prepared, **kw))


def test_fetch_caches_raw_responses_and_follows_paging(recorded, tmp_path):
    folder, message = statline.fetch("85098NED", tmp_path / "raw")
    assert "opgehaald, door CBS gewijzigd op 2023-10-31" in message
    assert any("$skip=8" in url for url in recorded.urls)       # the second page was requested
    assert len(json.loads((folder / "TypedDataSet.json").read_text())) == 12
    meta = json.loads((folder / "fetch.json").read_text())
    assert meta["tabel"] == "85098NED" and meta["gewijzigd"] == "2023-10-31T02:00:00" and meta["opgehaald"]


def test_convert_to_catalogue_values(recorded, tmp_path):
    folder, _ = statline.fetch("85098NED", tmp_path / "raw")
    values = statline.convert(folder)
    assert set(values["indicator"]) == {"jeugdhulp_pct", "jeugdhulp_verblijf_pct", "jeugdbescherming_pct",
                                        "jeugdbescherming_met_verblijf_pct", "jeugdreclassering_pct"}
    v = values.set_index(["indicator", "region_code", "period"])
    assert v.loc[("jeugdhulp_pct", "GM0014", 2022), "value"] == 15.4          # padded key 'GM0014  ' stripped
    assert v.loc[("jeugdbescherming_met_verblijf_pct", "GM0037", 2022), "value"] == 59.4
    assert (v.loc[("jeugdhulp_verblijf_pct", "GM0037", 2022), "value"]
            > v.loc[("jeugdhulp_pct", "GM0037", 2022), "value"])
    assert (bool(v.loc[("jeugdhulp_pct", "GM0014", 2022), "voorlopig"])
            and not v.loc[("jeugdhulp_pct", "GM0014", 2021), "voorlopig"])
    assert v.loc[("jeugdhulp_pct", "JZ01", 2022), "level"] == "jeugdregio"
    assert v.loc[("jeugdhulp_pct", "GM0014", 2022), "unit"] == "%"            # from DataProperties
    # 2020: Appingedam, Delfzijl and Loppersum are Eemsdelta in the 2024 classification; percentages of
    # merged gemeenten cannot be added up, so the value stays missing and says why
    eemsdelta = v.loc[("jeugdhulp_pct", "GM1979", 2020)]
    assert pd.isna(eemsdelta["value"]) and "GM0003,GM0010,GM0024" in eemsdelta["note"]
    assert v.loc[("jeugdhulp_pct", "GM1979", 2021), "value"] == 13.2


def test_offline_uses_the_cache_and_says_so(monkeypatch, tmp_path):
    _serve(monkeypatch, RecordedStatLine())
    statline.fetch("85098NED", tmp_path / "raw")
    _serve(monkeypatch, RecordedStatLine(offline=True))
    folder, message = statline.fetch("85098NED", tmp_path / "raw")
    assert "niet bereikbaar" in message and "eerder opgehaalde kopie van" in message
    assert len(statline.convert(folder)) > 0
    with pytest.raises(statline.StatLineError, match="geen eerder opgehaalde kopie"):
        statline.fetch("85099NED", tmp_path / "raw")


def test_fetch_command_writes_the_store(recorded, tmp_path, capsys):
    assert cli.main(["fetch", "cbs", "85098NED", "--raw", str(tmp_path / "raw"), "--data", str(tmp_path / "p")]) == 0
    out = capsys.readouterr().out
    assert "85098NED: opgehaald" in out and "cijfers in" in out
    store = Store.open(tmp_path / "p")
    assert store.source_of("cbs_waarden") == "cbs"
    stored = store.table("cbs_waarden")
    assert stored["suppressed"].any() and set(stored["cbs_table"]) == {"85098NED"}
    # fetching again replaces the table's values instead of adding them twice
    assert cli.main(["fetch", "cbs", "85098NED", "--raw", str(tmp_path / "raw"), "--data", str(tmp_path / "p")]) == 0
    assert len(Store.open(tmp_path / "p").table("cbs_waarden")) == len(stored)


def test_herindeling_maps_old_codes_to_2024():
    codes, unmapped = herindeling.recode(["GM0003", "GM0010", "GM0009", "GM0381", "GM0106", "JZ04", "GM0140"])
    assert codes[:6] == ["GM1979", "GM1979", "GM0014", "GM1942", "GM0106", "JZ04"]
    assert unmapped == ["GM0140"]                     # Littenseradiel was split: not mapped
    known = {r.code for r in load_regions().all("gemeente")}
    assert set(herindeling.mapping().values()) <= known
    assert not set(herindeling.mapping()) & known    # an old code is not a 2024 gemeente


def test_cbs_values_in_the_engine_table_format(recorded, tmp_path):
    from regiekit import engine

    statline.store_values(statline.convert(statline.fetch("85098NED", tmp_path / "raw")[0]), tmp_path / "p")
    table = engine.published_by_cbs(["jeugdhulp_pct"], ["Groningen", "Stadskanaal"], [2022], Store.open(tmp_path / "p"))
    assert list(table.columns[:len(engine.COLUMNS)]) == engine.COLUMNS
    assert dict(zip(table["region_code"], table["value"])) == {"GM0014": 15.4, "GM0037": 14.7}
    assert table["voorlopig"].all()
