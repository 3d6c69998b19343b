"""Maps of gemeenten: the 2024 boundaries come with the package (valid geometries), a project's own
download or ``REGIEKIT_GRENZEN`` replaces them; the factsheet's map shows published values only."""

import json
import shutil

import geopandas as gpd
import pytest

from regiekit.data.store import Store
from regiekit.reference.regions import load_regions
from regiekit.reports import factsheet, maps
from regiekit.run import cli
from regiekit.run.runner import Job


@pytest.fixture
def offline(tmp_path, monkeypatch):
    """A new project folder, no boundary files configured or downloaded: as a new user, offline."""
    monkeypatch.delenv(maps.ENV, raising=False)
    monkeypatch.setenv("REGIEKIT_HOME", str(tmp_path / "project"))
    return tmp_path / "project"


def _template(folder) -> str:
    """A file URL with the {level} and {year} placeholders of maps.SOURCE."""
    return (folder / "{level}_{year}.topojson").as_uri().replace("%7B", "{").replace("%7D", "}")


def _own_file(folder, codes) -> None:
    """A gemeente boundary file in ``folder`` holding only ``codes`` (a user's own, or newer, file)."""
    topo = json.loads((maps.PACKAGED / "gemeente_2024.topojson").read_text(encoding="utf-8"))
    layer = topo["objects"]["gemeente_2024"]
    layer["geometries"] = [g for g in layer["geometries"] if g["properties"]["statcode"] in codes]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "gemeente_2024.topojson").write_text(json.dumps(topo), encoding="utf-8")


@pytest.mark.parametrize("level", ["gemeente", "jeugdregio", "provincie"])
def test_the_packaged_boundaries_are_valid_and_match_the_region_reference(level):
    shapes = gpd.read_file(maps.PACKAGED / f"{level}_2024.topojson")  # as stored: no repair on reading
    assert shapes.is_valid.all() and shapes.set_crs("EPSG:4326").to_crs(maps.RD_NEW).is_valid.all()
    assert sorted(shapes["statcode"]) == sorted(r.code for r in load_regions().all(level))


def test_offline_the_packaged_boundaries_are_read_checked_and_projected(offline):
    assert maps.find() == maps.PACKAGED / "gemeente_2024.topojson"
    shapes = maps.load()
    assert len(shapes) == 342 and shapes.crs.to_epsg() == 28992 and shapes.geometry.is_valid.all()
    assert {"GM0106", "GM0153"} <= set(shapes["statcode"])
    assert len(maps.load("jeugdregio")) == 42 and len(maps.load("provincie")) == 12
    assert maps.find(year=2023) is None and maps.load(year=2023) is None  # other years: regiekit fetch grenzen


def test_a_project_download_replaces_the_packaged_file(offline):
    _own_file(offline / "data" / "raw" / "grenzen", {"GM0106", "GM1680"})
    assert maps.find() == offline / "data" / "raw" / "grenzen" / "gemeente_2024.topojson"
    assert sorted(maps.load()["statcode"]) == ["GM0106", "GM1680"]
    assert len(maps.load("jeugdregio")) == 42  # a level the project has no file for: the packaged one


def test_regiekit_grenzen_overrides_and_without_the_file_there_is_no_map(tmp_path, monkeypatch, demo_store):
    _own_file(tmp_path / "eigen", {"GM0106"})
    monkeypatch.setenv(maps.ENV, str(tmp_path / "eigen"))
    assert list(maps.load()["statcode"]) == ["GM0106"]
    monkeypatch.setenv(maps.ENV, str(tmp_path / "leeg"))
    assert maps.find() is None and maps.load() is None
    sheet = factsheet.build("Assen", 2024, demo_store.path)
    assert sheet.map_html() == "" and "kaart" not in set(sheet.published["part"])


def test_a_downloaded_file_with_invalid_polygons_is_repaired_on_reading(tmp_path):
    square, bowtie = "[[0,0],[0,1],[1,1],[1,0],[0,0]]", "[[0,0],[1,1],[1,0],[0,1],[0,0]]"
    features = [f'{{"type":"Feature","properties":{{"statcode":"GM{i}","statnaam":"x"}},'
                f'"geometry":{{"type":"Polygon","coordinates":[{ring}]}}}}' for i, ring in enumerate((square, bowtie))]
    path = tmp_path / "gemeente_2019.topojson"
    path.write_text(f'{{"type":"FeatureCollection","features":[{",".join(features)}]}}', encoding="utf-8")
    assert maps.read(path).geometry.is_valid.all()


def test_fetch_caches_a_boundary_file_and_refuses_a_broken_one(tmp_path):
    path = maps.fetch("jeugdregio", 2024, tmp_path / "cache", _template(maps.PACKAGED))
    assert (path == tmp_path / "cache" / "jeugdregio_2024.topojson"
            and len(maps.load("jeugdregio", 2024, path.parent)) == 42)
    broken = tmp_path / "broken_2024.topojson"
    broken.write_text('{"type": "Topology", "objects": {}, "arcs": []}', encoding="utf-8")
    with pytest.raises(maps.BoundaryError, match="geen bruikbaar grenzenbestand"):
        maps.fetch("broken", 2024, tmp_path / "cache", _template(tmp_path))
    assert sorted(p.name for p in (tmp_path / "cache").iterdir()) == ["jeugdregio_2024.topojson"]


def test_offline_fetch_says_where_to_put_the_file(tmp_path, capsys):
    assert cli.main(["fetch", "grenzen", "--raw", str(tmp_path)]) == 1 or (tmp_path / "grenzen").exists()
    err = capsys.readouterr().err
    assert not err or "REGIEKIT_GRENZEN" in err


def test_offline_the_factsheet_map_shows_the_jeugdregio_with_published_values(offline, demo_store):
    sheet = factsheet.build("Assen", 2024, demo_store.path)
    html = sheet.map_html()
    assert html.startswith('<img alt="Kaart: jongeren met jeugdhulp per gemeente in jeugdregio Drenthe, 2024; '
                           'donkerder is hoger, gearceerde gemeenten zijn weggelaten, Assen omlijnd." '
                           'src="data:image/png;base64,')
    on_map = sheet.published[sheet.published["part"] == "kaart"]
    assert sorted(on_map["region_code"]) == sorted(factsheet.map_gemeenten(sheet.region)) and len(on_map) == 12
    assert (on_map["indicator"] == "jeugdhulp_pct").all()
    assert "Kaartgrenzen: CBS-gebiedsindelingen (CBS, Kadaster; CC BY 4.0)" in sheet.source_markdown()
    land = factsheet.build("Nederland", 2024, demo_store.path)
    assert (land.published["part"] == "kaart").sum() == 342 and land.map_html().startswith('<img alt="Kaart: ')


def test_the_map_hatches_what_is_not_published_and_its_legend_says_what_colours_mean(offline, demo_store):
    sheet = factsheet.build("Assen", 2024, demo_store.path)
    shown = sheet.published.copy()  # as if two gemeenten's shares were suppressed (a stricter rule would do it)
    shown.loc[(shown["part"] == "kaart") & shown["region_code"].isin(["GM1680", "GM1731"]), "value"] = float("nan")
    sheet.__dict__["published"] = shown
    on_map = shown[shown["part"] == "kaart"]
    hidden = sheet.shapes[sheet.shapes["statcode"].isin(on_map.loc[on_map["value"].isna(), "region_code"])]
    assert 0 < len(hidden) < len(on_map)
    figure = sheet.map_figure()
    ax, bar = figure.axes  # the map and its colour bar
    assert bar.get_xlabel() == "Jongeren met jeugdhulp (%)"
    hatched = [c for c in ax.collections if c.get_hatch() == "///"]
    assert len(hatched) == 1 and len(hatched[0].get_paths()) == hidden.geometry.count_geometries().sum()
    assert [t.get_text() for t in figure.legends[0].get_texts()] == ["niet gepubliceerd", "Assen"]


def test_ensure_names_the_packaged_file_and_downloads_only_what_is_missing(offline, tmp_path, monkeypatch):
    nowhere = _template(tmp_path / "nergens")
    path, reason = maps.ensure(source=nowhere)
    assert path == maps.PACKAGED / "gemeente_2024.topojson"
    assert reason == ("kaart: grenzen 2024 uit het pakket: CBS-gebiedsindelingen (CBS, Kadaster; CC BY 4.0), "
                      "vereenvoudigd door cartomap/nl")
    missing, reason = maps.ensure(year=2023, source=nowhere)
    assert missing is None and reason.startswith("geen kaart (kan ")
    monkeypatch.setenv(maps.ENV, str(tmp_path / "grenzen"))
    path, reason = maps.ensure(source=_template(maps.PACKAGED))
    assert path == tmp_path / "grenzen" / "gemeente_2024.topojson" and "gedownload" in reason
    again, reason = maps.ensure(source=nowhere)
    assert again == path and reason.startswith("kaart: grenzen uit")  # cached: no second download


def test_a_report_is_remade_when_the_boundary_file_it_uses_changes(offline, demo_store):
    job, store = Job("factsheet", "GM0106", 2024), Store.open(demo_store.path)
    packaged = job.fingerprint(store)
    assert job.fingerprint(store) == packaged
    (offline / "data" / "raw" / "grenzen").mkdir(parents=True)
    shutil.copy(maps.PACKAGED / "gemeente_2024.topojson", offline / "data" / "raw" / "grenzen")
    assert job.fingerprint(store) != packaged
