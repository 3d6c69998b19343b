"""CBS StatLine through cbsodata against a stand-in for CBS's OData v3 service on 127.0.0.1 (recorded
responses in CBS's own format, tests/data/statline/), reached through REGIEKIT_STATLINE_URL."""

import json
from pathlib import Path

import pandas as pd
import pytest

from regiekit import engine
from regiekit.data import statline
from regiekit.data.store import Store
from regiekit.indicators.definitions import load_catalogue
from regiekit.reference import herindeling
from regiekit.reference.regions import load_regions
from regiekit.run import cli


def _cells(tmp_path) -> pd.DataFrame:
    return statline.cells(statline.fetch("85098NED", tmp_path / "raw")[0])


def test_fetch_caches_raw_responses_and_follows_paging(statline_server, tmp_path):
    folder, message = statline.fetch("85098NED", tmp_path / "raw")
    assert "opgehaald, door CBS gewijzigd op 2024-10-30" in message
    assert any("$skip=12" in url for url in statline_server.urls)       # the second page, from odata.nextLink
    assert all(url.startswith("/ODataFeed/odata/85098NED") for url in statline_server.urls)
    assert len(json.loads((folder / "TypedDataSet.json").read_text())) == 23
    meta = json.loads((folder / "fetch.json").read_text())
    assert meta["tabel"] == "85098NED" and meta["gewijzigd"] == "2024-10-30T02:00:00" and meta["opgehaald"]


def test_cells_keep_cbs_values_units_status_and_empty_cells(statline_server, tmp_path):
    cells = _cells(tmp_path).set_index(["topic", "region_code", "period", "subperiod"])
    # CBS's published 2022 figures for Groningen and Stadskanaal, region keys 'GM0014  ' stripped
    assert cells.loc[("JongerenMetJeugdhulpInNatura_1", "GM0014", 2022, None), "value"] == 15.4
    assert cells.loc[("JongerenMetJeugdhMetVerblInNat_2", "GM0037", 2022, None), "value"] == 17.1
    assert cells.loc[("JongerenMetJeugdhulpInNatura_1", "NL01", 2023, None), "value"] == 13.9
    assert cells.loc[("JongerenMetJeugdhulpInNatura_1", "NL01", 2023, "H1"), "value"] == 11.7   # half year
    assert cells.loc[("JongerenMetJeugdhulpInNatura_1", "PV22", 2023, None), "level"] == "provincie"
    gm = cells.loc[("JongerenMetJeugdhulpInNatura_1", "GM0014", 2022, None)]
    assert gm["unit"] == "%" and gm["decimals"] == 1 and gm["status"] == "definitief"  # from DataProperties
    statuses = cells.xs("JongerenMetJeugdhulpInNatura_1").xs("GM0106")["status"].to_dict()
    assert statuses[(2024, "H1")] == "nader voorlopig" and statuses[(2024, "H2")] == "voorlopig"
    ameland = cells.loc[("JongerenMetJeugdbescherming_3", "GM0060", 2022, None)]
    assert ameland["geheim"] and pd.isna(ameland["value"])    # CBS's empty cell: secret, not zero
    assert not cells.loc[("JongerenMetJeugdhulpInNatura_1", "GM0060", 2022, None), "geheim"]


def test_merged_gemeenten_in_the_2024_classification(statline_server, tmp_path):
    cells = _cells(tmp_path).set_index(["topic", "region_code", "period", "subperiod"])
    # 2020: Appingedam, Delfzijl and Loppersum are Eemsdelta in the 2024 classification; percentages of
    # merged gemeenten cannot be added up, so the value stays empty and says why
    eemsdelta = cells.loc[("JongerenMetJeugdhulpInNatura_1", "GM1979", 2020, None)]
    assert pd.isna(eemsdelta["value"]) and "GM0003,GM0010,GM0024" in eemsdelta["note"]
    assert cells.loc[("JongerenMetJeugdhulpInNatura_1", "GM1979", 2021, None), "value"] == 13.2
    codes, unmapped = herindeling.recode(["GM0003", "GM0010", "GM0009", "GM0381", "GM0106", "JZ04", "GM0140"])
    assert codes[:6] == ["GM1979", "GM1979", "GM0014", "GM1942", "GM0106", "JZ04"]
    assert unmapped == ["GM0140"]                     # Littenseradiel was split: not mapped
    known = {r.code for r in load_regions().all("gemeente")}
    assert set(herindeling.mapping().values()) <= known
    assert not set(herindeling.mapping()) & known    # an old code is not a 2024 gemeente


def test_each_column_maps_to_the_indicator_with_its_base():
    """85098NED's columns do not share one base: column 2 is a share of the youths with jeugdhulp
    (17,1 in Stadskanaal against 14,7 with jeugdhulp at all), column 4 of the youths with
    jeugdbescherming, column 5 of all youths aged 12 to 23."""
    mapped = {i.source.cbs_column: i for i in load_catalogue().values() if i.source.cbs_table == "85098NED"
              and i.source.cbs_column}
    assert {c: i.id for c, i in mapped.items()} == {
        "JongerenMetJeugdhulpInNatura_1": "jeugdhulp_pct",
        "JongerenMetJeugdhMetVerblInNat_2": "jeugdhulp_verblijf_aandeel_0_18",
        "JongerenMetJeugdbescherming_3": "jeugdbescherming_pct",
        "JeugdbeschEnJeugdhMetVerblInNat_4": "jeugdbescherming_met_verblijf_pct",
        "JongerenMetJeugdreclassering_5": "jeugdreclassering_pct_12_23"}
    col2 = mapped["JongerenMetJeugdhMetVerblInNat_2"]
    assert col2.denominator.count == "jongeren" and col2.denominator.where == {"soort": ["jeugdhulp"]}
    assert col2.population.age_band == "0-18"
    col4 = mapped["JeugdbeschEnJeugdhMetVerblInNat_4"]
    assert col4.denominator.where == {"soort": ["jeugdbescherming"]}
    assert mapped["JongerenMetJeugdreclassering_5"].population.age_band == "12-23"
    for column in ("JongerenMetJeugdhulpInNatura_1", "JongerenMetJeugdbescherming_3"):
        assert mapped[column].denominator.count == "bevolking" and mapped[column].population.age_band == "0-18"
    assert all(i.source.cbs_base for i in mapped.values())
    assert load_catalogue()["jeugdhulp_verblijf_pct"].source.cbs_column is None  # share of all youths: no CBS column


def test_offline_uses_the_cache_and_says_so(statline_server, tmp_path):
    statline.fetch("85098NED", tmp_path / "raw")
    statline_server.stop()
    folder, message = statline.fetch("85098NED", tmp_path / "raw")
    assert "niet bereikbaar" in message and "eerder opgehaalde kopie van" in message
    assert len(statline.cells(folder)) > 0
    with pytest.raises(statline.StatLineError, match="geen eerder opgehaalde kopie"):
        statline.fetch("85099NED", tmp_path / "raw")


def test_an_unusable_address_is_refused(monkeypatch):
    monkeypatch.setenv(statline.ENV_URL, "opendata.cbs.nl")
    with pytest.raises(statline.StatLineError, match="REGIEKIT_STATLINE_URL moet een adres"):
        statline.ODataV3()
    assert statline.ODataV3("https://opendata.cbs.nl/").host == "opendata.cbs.nl"


def test_fetch_command_writes_the_store(statline_server, tmp_path, capsys):
    args = ["fetch", "cbs", "--raw", str(tmp_path / "raw"), "--data", str(tmp_path / "p")]
    assert cli.main(args) == 0  # every table the catalogue maps: 85097NED, 85098NED and 85099NED
    out = capsys.readouterr().out
    assert "85098NED: opgehaald" in out and "cijfers in" in out
    store = Store.open(tmp_path / "p")
    assert store.source_of("cbs_cijfers") == "cbs"
    stored = store.table("cbs_cijfers")
    assert stored["geheim"].any() and set(stored["table"]) == {"85097NED", "85098NED", "85099NED"}
    # fetching again replaces the table's cells instead of adding them twice
    assert cli.main(args) == 0
    assert len(Store.open(tmp_path / "p").table("cbs_cijfers")) == len(stored)


def test_cbs_figures_in_the_engine_table_format(statline_server, tmp_path):
    statline.store_cells(_cells(tmp_path), tmp_path / "p")
    store = Store.open(tmp_path / "p")
    table = engine.published_by_cbs(["jeugdhulp_pct", "jeugdhulp_verblijf_aandeel_0_18"],
                                    ["Groningen", "Stadskanaal", "Ameland"], [2022], store)
    assert list(table.columns[:len(engine.COLUMNS)]) == engine.COLUMNS
    values = {(i, r): v for i, r, v in zip(table["indicator"], table["region_code"], table["value"])}
    assert values[("jeugdhulp_pct", "GM0014")] == 15.4 and values[("jeugdhulp_pct", "GM0037")] == 14.7
    assert values[("jeugdhulp_verblijf_aandeel_0_18", "GM0037")] == 17.1
    assert pd.isna(values[("jeugdhulp_verblijf_aandeel_0_18", "GM0060")])
    assert set(table["source"]) == {"CBS StatLine 85098NED, gewijzigd 30-10-2024"}
    assert set(table["status"]) == {"definitief"} and table["numerator"].isna().all()
    latest = engine.published_by_cbs(["jeugdhulp_pct"], ["Assen"], [2024], store)  # the year, not its halves
    assert list(zip(latest["value"], latest["subperiod"], latest["status"])) == [(14.0, None, "voorlopig")]


def test_source_resolution_and_published_tables_from_cbs_figures(statline_server, tmp_path):
    """A store with only StatLine figures: indicators come from CBS as CBS published them (no second
    rounding or suppression; CBS's empty cells shown as 'geheim (CBS)', never zero); an indicator CBS
    does not publish with the same base is refused with the reason."""
    from datetime import date

    from regiekit.publish import published
    from tests.conftest import make_store

    statline.store_cells(_cells(tmp_path), tmp_path / "cbs")
    only_cbs = Store.open(tmp_path / "cbs")
    catalogue = load_catalogue()
    assert engine.resolve(catalogue.select(["jeugdhulp_pct", "jeugdbescherming_pct"]), only_cbs) == \
        {"jeugdhulp_pct": "cbs", "jeugdbescherming_pct": "cbs"}
    with pytest.raises(engine.EngineError, match="jeugdhulp_verblijf_pct: de eigen gegevens missen bevolking, "
                                                 "trajecten en CBS publiceert deze indicator niet"):
        engine.resolve(catalogue.select(["jeugdhulp_verblijf_pct"]), only_cbs)
    with pytest.raises(engine.EngineError, match="jeugdhulp_pct: de eigen gegevens missen"):
        engine.resolve(catalogue.select(["jeugdhulp_pct"]), only_cbs, "eigen")
    table = published.table(["jeugdhulp_pct", "jeugdbescherming_pct"], only_cbs, periods=[2022])
    rows = table.set_index(["indicator", "region_code"])
    assert rows.loc[("jeugdhulp_pct", "GM0014"), "published"] == 15.4            # not rounded or suppressed again
    assert rows.loc[("jeugdbescherming_pct", "GM0060"), "status"] == "geheim_cbs"
    assert pd.isna(rows.loc[("jeugdbescherming_pct", "GM0060"), "published"])
    assert set(table["bron"]) == {"cbs"} and set(table["cbs_status"]) == {"definitief"}
    assert set(table["source"]) == {"CBS StatLine 85098NED, gewijzigd 30-10-2024"}

    # own records beside the CBS figures: 'auto' counts them, 'cbs' takes CBS's figure
    trajecten = pd.DataFrame([{"traject_id": n, "jeugdige_id": n, "geslacht": "man", "geboortedatum": date(2010, 1, 1),
                               "gemeente_code": "GM0014", "aanbieder_id": "A", "zorgvorm": "zonder_verblijf",
                               "verwijzer": "huisarts", "startdatum": date(2022, 3, 1), "einddatum": None,
                               "reden_beeindiging": None} for n in range(40)])
    both = make_store(tmp_path / "both", trajecten, years=(2022,))
    statline.store_cells(_cells(tmp_path), both.path)
    both = Store.open(both.path)
    own = published.table(["jeugdhulp_pct"], both, periods=[2022]).set_index("region_code")
    assert own.loc["GM0014", "bron"] == "eigen" and own.loc["GM0014", "numerator"] == 40
    assert own.loc["GM0014", "source"] == "eigen registratie"
    cbs = published.table(["jeugdhulp_pct"], both, periods=[2022], bron="cbs").set_index("region_code")
    assert cbs.loc["GM0014", "bron"] == "cbs" and cbs.loc["GM0014", "published"] == 15.4


def test_the_demo_snapshot_follows_cbs_format_and_rules(demo_store, tmp_path):
    """The demo's StatLine snapshot: computed from the synthetic records, in CBS's OData shape, with
    CBS's empty cells for small counts, statuses by year, and labelled synthetic all the way."""
    from regiekit.run import statline_demo

    folders = {f.name: f for f in statline_demo.write(demo_store, tmp_path / "raw")}
    assert sorted(folders) == ["85097NED", "85098NED", "85099NED"]
    for folder in folders.values():
        assert "SYNTHETISCH" in json.loads((folder / "fetch.json").read_text())["titel"]
        statline.store_cells(statline.cells(folder), tmp_path / "p")
    found = statline.cells(folders["85098NED"])
    assert found["synthetisch"].all()
    store = Store.open(tmp_path / "p")
    assert store.source_of("cbs_cijfers") == "synthetisch"
    own = engine.compute(["jeugdhulp_pct"], ["GM0106", "NL01"], [2024], demo_store).set_index("region_code")
    cbs = engine.published_by_cbs(["jeugdhulp_pct"], ["GM0106", "NL01"], [2024], store).set_index("region_code")
    for code in ("GM0106", "NL01"):
        assert cbs.loc[code, "value"] == round(own.loc[code, "value"], 1)
    assert set(cbs["source"]) == {"synthetische demodata in de vorm van CBS StatLine 85098NED"}
    assert set(cbs["status"]) == {"voorlopig"}
    assert set(found[found["period"] == 2023]["status"]) == {"nader voorlopig"}
    assert set(found["level"]) == {"gemeente", "provincie", "land"}   # CBS publishes no jeugdregio in 85098NED
    reclassering = engine.compute(["jeugdreclassering_pct_12_23"], None, [2024], demo_store)
    small = reclassering[(reclassering["numerator"] > 0) & (reclassering["numerator"] < 10)
                         & (reclassering["level"] == "gemeente")]["region_code"]
    cells = found[(found["topic"] == "JongerenMetJeugdreclassering_5") & (found["period"] == 2024)]
    assert len(small) and cells.set_index("region_code").loc[list(small), "geheim"].all()
    # 85099NED: counts rounded to fives as CBS does, small counts empty, no jeugdregio rows
    counts = statline.cells(folders["85099NED"])
    assert (counts["value"].dropna() % 5 == 0).all() and counts["geheim"].any()
    assert set(counts["level"]) == {"gemeente", "provincie", "land"}
    own = engine.compute(["jeugdhulp_verblijf_aantal"], ["GM0106"], [2024], demo_store)["value"].iloc[0]
    cbs = engine.published_by_cbs(["jeugdhulp_verblijf_aantal"], ["GM0106"], [2024], store)["value"].iloc[0]
    assert cbs == 5 * round(own / 5)


@pytest.mark.slow
def test_reports_from_statline_figures_alone(statline_server, tmp_path):
    """The real path of a user with only StatLine: 'regiekit fetch cbs' from the (stand-in) service, then
    the factsheet and the progress report from a store without any trajectory records."""
    data, out = tmp_path / "p", tmp_path / "out"
    assert cli.main(["fetch", "cbs", "--raw", str(tmp_path / "raw"), "--data", str(data)]) == 0
    assert "trajecten" not in Store.open(data).tables
    run = ["run", "factsheet", "--data", str(data), "--out", str(out), "--no-pdf", "--quiet"]
    assert cli.main([*run, "--region", "Groningen", "Ameland", "--period", "2022"]) == 0
    assert cli.main([*run, "--region", "Assen", "--period", "2024"]) == 0
    table = pd.read_csv(out / "factsheet_GM0014_2022.csv").query("part == 'tabel'")
    table = table.set_index(["indicator", "region_code"])
    assert table.loc[("jeugdhulp_pct", "GM0014"), "value"] == 15.4                    # CBS's figure, as published
    assert table.loc[("jeugdhulp_verblijf_aandeel_0_18", "GM0014"), "value"] == 9.5   # share of youths with jeugdhulp
    assert "jeugdhulp_verblijf_pct" not in table.index.get_level_values(0)             # no CBS column with its base
    assert set(table["source"]) == {"CBS StatLine 85098NED, gewijzigd 30-10-2024",
                                    "CBS StatLine 85099NED, gewijzigd 31-10-2024",
                                    "afgeleid uit CBS StatLine 85099NED, gewijzigd 31-10-2024"}  # the jeugdregio
    html = (out / "factsheet_GM0014_2022.html").read_text(encoding="utf-8")
    assert "15,4%" in html and "Cijfers van CBS." in html and "geheim (CBS)" in html
    ameland = pd.read_csv(out / "factsheet_GM0060_2022.csv").query("part == 'tabel' and region_code == 'GM0060'")
    secret = ameland.set_index("indicator").loc["jeugdbescherming_pct"]
    assert secret["markering"] == "geheim (CBS)" and pd.isna(secret["value"])        # empty at CBS: not zero
    assen = pd.read_csv(out / "factsheet_GM0106_2024.csv").query("part == 'tabel' and region_code == 'GM0106'")
    assert set(assen["markering"]) == {"voorlopig (CBS)"}
    assert "14,0%*" in (out / "factsheet_GM0106_2024.html").read_text(encoding="utf-8")
    assert cli.main(["run", "voortgang", "--region", "Assen", "--period", "2024", "--data", str(data),
                     "--out", str(out / "voortgang"), "--no-pdf", "--quiet"]) == 0
    progress = pd.read_csv(out / "voortgang" / "voortgang_GM0106_2024.csv")
    assert set(progress["source"]) == {"CBS StatLine 85097NED, gewijzigd 31-10-2024",
                                       "CBS StatLine 85098NED, gewijzigd 30-10-2024",
                                       "CBS StatLine 85099NED, gewijzigd 31-10-2024"}
    # panels CBS does not publish show their CBS alternative, with CBS's base
    assert {"jeugdreclassering_pct_12_23", "jeugdbescherming_met_verblijf_pct"} <= set(progress["indicator"])
    assert "jeugdreclassering_pct" not in set(progress["indicator"])
    page = (out / "voortgang" / "voortgang_GM0106_2024.html").read_text(encoding="utf-8")
    assert "CBS publiceert geen uithuisplaatsingen" in page and "12 tot 23 jaar" in page
    # a jeugdregio, which CBS does not publish: summed from its gemeenten's counts, and it says so
    assert cli.main([*run, "--region", "JZ01", "--period", "2023"]) == 0
    jz = pd.read_csv(out / "factsheet_JZ01_2023.csv").query("part == 'tabel' and region_code == 'JZ01'")
    share = jz.set_index("indicator").loc["jeugdhulp_verblijf_aandeel"]
    assert share["source"] == "afgeleid uit CBS StatLine 85099NED, gewijzigd 31-10-2024"
    assert share["ci_low"] < share["value"] < share["ci_high"]
    assert "jeugdhulp_pct" not in set(jz["indicator"])  # a CBS percentage without counts: not derivable
    page = (out / "factsheet_JZ01_2023.html").read_text(encoding="utf-8")
    assert "Voor jeugdregio Groningen publiceert CBS deze cijfers niet" in page


def test_own_records_against_cbs(statline_server, tmp_path, capsys):
    """A team checks its registration against the official statistics: own figure with its interval,
    CBS's figure, the difference and whether CBS's figure lies within the own interval."""
    from datetime import date

    from regiekit.publish.reconcile import reconcile
    from tests.conftest import make_store

    trajecten = pd.DataFrame([{"traject_id": n, "jeugdige_id": n, "geslacht": "man", "geboortedatum": date(2010, 1, 1),
                               "gemeente_code": "GM0014", "aanbieder_id": "A", "zorgvorm": "zonder_verblijf",
                               "verwijzer": "huisarts", "startdatum": date(2022, 3, 1), "einddatum": None,
                               "reden_beeindiging": None} for n in range(62)])
    store = make_store(tmp_path / "both", trajecten, years=(2022,), aantal=100)  # 100 per sex and band
    statline.store_cells(_cells(tmp_path), store.path)
    store = Store.open(store.path)
    table = reconcile(["jeugdhulp_pct"], ["Groningen"], [2022], store)
    row = table.iloc[0]
    # own: 62 youths of 600 aged 0-18 (3 bands x 2 sexes x 100) = 10,3%; CBS published 15,4
    assert (row["region_code"], row["eigen"], row["cbs"], row["verschil"]) == ("GM0014", 10.3, 15.4, -5.1)
    assert row["ci_low"] < 10.3 < row["ci_high"] < 15.4 and not row["binnen_interval"]
    assert row["bron_cbs"] == "CBS StatLine 85098NED, gewijzigd 30-10-2024"
    assert cli.main(["vergelijk", "--indicator", "jeugdhulp_pct", "--region", "Groningen", "--period", "2022",
                     "--data", str(store.path), "--out", str(tmp_path / "vergelijking.csv")]) == 0
    out = capsys.readouterr().out
    assert "bij 1 ligt het CBS-cijfer buiten het 95%-interval" in out and "BUITEN interval" in out
    assert len(pd.read_csv(tmp_path / "vergelijking.csv")) == 1
    with pytest.raises(engine.EngineError, match="geen indicator die zowel"):
        reconcile(["jeugdhulp_verblijf_pct"], None, None, store)
    from regiekit.reports import verkennen  # the same table in the exploration notebook

    shown = verkennen.explore(["jeugdhulp_pct"], ["Groningen"], periods=[2022], data_dir=store.path).vergelijking()
    assert list(shown[["regio", "eigen", "cbs", "binnen_interval"]].iloc[0]) == ["Groningen", 10.3, 15.4, False]


def test_series_breaks_cbs_documents_apply_to_its_figures(statline_server, tmp_path):
    """CBS's break in the youth-care figures from 2021 (more providers report) is in the catalogue and
    stops comparisons across it in CBS's series; figures counted from own records have no such break."""
    from regiekit.reports import factsheet

    statline.store_cells(_cells(tmp_path), tmp_path / "p")
    jeugdhulp = load_catalogue()["jeugdhulp_pct"]
    assert [b.date.year for b in jeugdhulp.source.cbs_series_breaks] == [2021] and not jeugdhulp.series_breaks
    assert [b.date.year for b in jeugdhulp.for_source("cbs").series_breaks] == [2021]
    assert not load_catalogue()["jeugdbescherming_pct"].source.cbs_series_breaks   # a GI count: not affected
    verdict = factsheet.build("Groningen", 2022, tmp_path / "p").judgements["jeugdhulp_pct"]  # 2020, 2021, 2022
    assert verdict.note.startswith("Trendbreuk in 2021: CBS: vanaf de cijfers over 2021")
    assert "van 15,1% in 2021 naar 15,4% in 2022" in verdict.sentence and "2020" not in verdict.sentence


def _counts_store(tmp_path) -> Store:
    for table in ("85097NED", "85098NED", "85099NED"):
        statline.store_cells(statline.cells(statline.fetch(table, tmp_path / "raw")[0]), tmp_path / "p")
    return Store.open(tmp_path / "p")


def _recorded(table: str, column: str, dimension: str | None = None) -> pd.DataFrame:
    """The recorded cells of a table as a frame (region, period, dimension title, value)."""
    responses = json.loads((Path(__file__).parent / "data" / "statline" / f"{table}.json")
                           .read_text(encoding="utf-8"))["responses"]
    rows = [r for key, page in responses.items() if key.startswith(f"{table}/TypedDataSet") for r in page["value"]]
    frame = pd.DataFrame(rows).assign(region=lambda f: f["RegioS"].str.strip())
    if dimension:
        titles = {c["Key"]: c["Title"] for c in responses[f"{table}/{dimension}"]["value"]}
        frame["title"] = frame[dimension].map(titles)
    return frame.rename(columns={column: "value"})


def test_regions_cbs_does_not_publish_are_sums_of_gemeente_counts(statline_server, tmp_path):
    """A jeugdregio is the sum of its gemeenten's CBS counts (numerators and denominators, never averaged
    percentages), says so, and is withheld when one of its gemeenten is empty at CBS; a region CBS does
    publish keeps CBS's figure; a region with gemeenten missing from the table is not summed at all."""
    store = _counts_store(tmp_path)
    ids = ["jeugdhulp_aantal", "jeugdhulp_verblijf_aandeel", "jeugdreclassering_aantal", "jeugdhulp_aantal_halfjaar"]
    figures = engine.published_by_cbs(ids, ["JZ01", "PV20", "PV22", "GK01", "GM0014"], [2023], store)
    got = figures.set_index(["indicator", "region_code", "subperiod"])
    recorded = _recorded("85099NED", "JongerenMetJeugdzorg_1", "VormenVanJeugdzorg")
    members = load_regions().members("JZ01")

    def total(title, period="2023JJ00", regions=members):
        return recorded.query("title == @title and Perioden == @period and region in @regions")["value"].sum()

    jz01 = got.loc[("jeugdhulp_aantal", "JZ01", None)]
    assert jz01["value"] == total("JH 1 Totaal jeugdhulp") and jz01["numerator"] == jz01["value"]
    assert jz01["source"] == "afgeleid uit CBS StatLine 85099NED, gewijzigd 31-10-2024"
    assert "som van de CBS-cijfers van 10 gemeenten" in jz01["note"]
    assert got.loc[("jeugdhulp_aantal_halfjaar", "JZ01", "H1"), "value"] == total("JH 1 Totaal jeugdhulp", "2023HJ01")
    share = got.loc[("jeugdhulp_verblijf_aandeel", "JZ01", None)]
    num, den = total("JH 122 Totaal jeugdhulp met verblijf"), total("JH 1 Totaal jeugdhulp")
    assert (share["numerator"], share["denominator"]) == (num, den)
    assert share["value"] == pytest.approx(100 * num / den) and share["ci_low"] < share["value"] < share["ci_high"]
    pv20 = got.loc[("jeugdhulp_aantal", "PV20", None)]      # CBS publishes the provincie: its figure, not a sum
    assert pv20["value"] == total("JH 1 Totaal jeugdhulp", regions=["PV20"])
    assert pv20["source"] == "CBS StatLine 85099NED, gewijzigd 31-10-2024" and pd.isna(pv20["note"])
    drenthe = got.loc[("jeugdreclassering_aantal", "PV22", None)]
    assert drenthe["geheim"] and pd.isna(drenthe["value"]) and "De Wolden" in drenthe["note"]
    assert got.loc[("jeugdhulp_aantal", "PV22", None), "value"] == total("JH 1 Totaal jeugdhulp",
                                                                         regions=load_regions().members("PV22"))
    assert "GK01" not in figures.query("indicator == 'jeugdhulp_aantal'")["region_code"].values  # not all members
    # the safeguard: the same sum appears once De Wolden's cell is filled in
    path = store.path / "cbs_cijfers.parquet"
    cells = pd.read_parquet(path)
    secret = (cells["region_code"] == "GM1690") & cells["geheim"] & (cells["period"] == 2023)
    cells.loc[secret, ["value", "geheim"]] = [5.0, False]
    cells.to_parquet(path)
    filled = engine.published_by_cbs(["jeugdreclassering_aantal"], ["PV22"], [2023], store)
    assert filled["value"].iloc[0] == total("JR 1 Totaal jeugdreclassering", regions=load_regions().members("PV22")) + 5


def test_size_classes_cbs_publishes_are_read_by_their_title(statline_server, tmp_path):
    store = _counts_store(tmp_path)
    figures = engine.published_by_cbs(["jeugdhulp_pct"], ["GK01", "GM0060"], [2022], store).set_index("region_code")
    assert figures.loc["GK01", "value"] == 12.9 and figures.loc["GK01", "level"] == "grootteklasse"
    assert figures.loc["GK01", "source"] == "CBS StatLine 85098NED, gewijzigd 30-10-2024"


def test_trajectories_by_referrer_and_ending_from_85097ned(statline_server, tmp_path):
    """85097NED: columns found by their titles with their groups, CBS's real half-year figures kept as
    published, shares of two counts per referrer and for the reason of ending, summed for a jeugdregio."""
    store = _counts_store(tmp_path)
    cells = store.table("cbs_cijfers").query("table == '85097NED'")
    started = "Totaal jeugdhulptrajecten in natura / Begonnen trajecten / Totaal begonnen trajecten"
    half = cells[(cells["subperiod"] == "H1") & (cells["topic_title"] == started)]
    half = half.set_index(["region_code", "dimension_titles"])
    # CBS's table page, first half of 2023: started trajectories, all referrers and the huisarts
    assert half.loc[("NL01", "VerwijzerJeugdzorg=Totaal verwijzer"), "value"] == 159715
    assert half.loc[("GM0518", "VerwijzerJeugdzorg=Huisarts"), "value"] == 2670
    assert half.loc[("GM0518", "VerwijzerJeugdzorg=Verwijzer onbekend"), "geheim"]       # '.' at CBS
    ids = ["trajecten_gestart", "beeindigd_volgens_plan_pct", "verwijzer_aandeel"]
    got = engine.published_by_cbs(ids, ["NL01", "JZ01", "GM0014"], [2023], store)
    recorded = _recorded("85097NED", "TotaalBegonnenTrajecten_2", "VerwijzerJeugdzorg").query("Perioden == '2023JJ00'")
    inside = recorded[recorded["region"].isin(load_regions().members("JZ01"))]
    total = inside.query("title == 'Totaal verwijzer'")["value"].sum()
    rows = got.set_index(["indicator", "region_code", "category"])
    assert rows.loc[("trajecten_gestart", "JZ01", None), "value"] == total
    huisarts = rows.loc[("verwijzer_aandeel", "JZ01", "huisarts")]
    assert huisarts["denominator"] == total
    assert huisarts["numerator"] == inside.query("title == 'Huisarts'")["value"].sum()
    assert set(got.query("indicator == 'verwijzer_aandeel'")["category"]) == {
        "gemeentelijke_toegang", "huisarts", "jeugdarts", "gecertificeerde_instelling", "medisch_specialist",
        "rechter_om"}
    plan = rows.loc[("beeindigd_volgens_plan_pct", "GM0014", None)]
    assert plan["value"] == pytest.approx(100 * plan["numerator"] / plan["denominator"])
    assert plan["ci_low"] < plan["value"] < plan["ci_high"] and plan["source"].startswith("CBS StatLine 85097NED")
