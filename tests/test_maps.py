"""Maps of gemeenten: boundaries from a configured folder or downloaded into a cache, shown in the
factsheet with published values only."""

import pytest

from regiekit.reports import factsheet, maps
from regiekit.run import cli


def _template(folder) -> str:
    """A file URL with the {level} and {year} placeholders of maps.SOURCE."""
    return (folder / "{level}_{year}.topojson").as_uri().replace("%7B", "{").replace("%7D", "}")


def test_boundaries_are_read_checked_and_projected(boundaries):
    shapes = maps.load()
    assert len(shapes) == 342 and shapes.crs.to_epsg() == 28992
    assert shapes.geometry.is_valid.all()  # the few invalid simplified polygons are repaired
    assert {"GM0106", "GM0153"} <= set(shapes["statcode"])


def test_no_boundary_file_means_no_map(tmp_path, monkeypatch, demo_store):
    monkeypatch.setenv("REGIEKIT_GRENZEN", str(tmp_path))
    assert maps.load() is None
    sheet = factsheet.build("Assen", 2024, demo_store.path)
    assert sheet.map_html() == "" and "kaart" not in set(sheet.published["part"])


def test_fetch_caches_a_boundary_file_and_refuses_a_broken_one(boundaries, tmp_path):
    source = _template(boundaries)
    path = maps.fetch("jeugdregio", 2024, tmp_path / "cache", source)
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


def test_factsheet_map_shows_the_jeugdregio_with_published_values(boundaries, demo_store):
    sheet = factsheet.build("Assen", 2024, demo_store.path)
    html = sheet.map_html()
    assert html.startswith('<img alt="Kaart: jongeren met jeugdhulp per gemeente in jeugdregio Drenthe, 2024')
    on_map = sheet.published[sheet.published["part"] == "kaart"]
    assert sorted(on_map["region_code"]) == sorted(factsheet.map_gemeenten(sheet.region)) and len(on_map) == 12
    assert (on_map["indicator"] == "jeugdhulp_pct").all()
    land = factsheet.build("Nederland", 2024, demo_store.path)
    assert (land.published["part"] == "kaart").sum() == 342


def test_ensure_uses_the_cache_downloads_once_or_explains(boundaries, tmp_path, monkeypatch):
    source = _template(boundaries)
    monkeypatch.setenv("REGIEKIT_GRENZEN", str(tmp_path / "grenzen"))
    missing, reason = maps.ensure(source=_template(tmp_path / "nergens"))
    assert missing is None and reason.startswith("geen kaart (kan ")
    path, reason = maps.ensure(source=source)
    assert path == tmp_path / "grenzen" / "gemeente_2024.topojson" and "gedownload" in reason
    again, reason = maps.ensure(source="file:///bestaat/niet/{level}_{year}.topojson")
    assert again == path and reason.startswith("kaart: grenzen uit")  # cached: no second download
