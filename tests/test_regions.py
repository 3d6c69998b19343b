import csv

import pytest

from regiekit.reference.regions import RegionError, load_regions


@pytest.fixture(scope="module")
def regions():
    return load_regions()


def test_counts_of_the_2024_classification(regions):
    assert len(regions.all("gemeente")) == 342
    assert len(regions.all("jeugdregio")) == 42
    assert len(regions.all("provincie")) == 12
    assert [r.code for r in regions.all("land")] == ["NL01"]
    assert "JZ40" not in {r.code for r in regions.all("jeugdregio")}


@pytest.mark.parametrize("query, code", [
    ("assen", "GM0106"), ("GM0106", "GM0106"), ("gm0106", "GM0106"), ("  Assen ", "GM0106"),
    ("Fryslan", "PV21"), ("fryslân", "PV21"), ("Friesland (Fryslân)", "JZ02"),
    ("Hengelo (O.)", "GM0164"), ("hengelo", "GM0164"), ("Súdwest-Fryslân", "GM1900"), ("sudwest fryslan", "GM1900"),
    ("'s-Gravenhage", "GM0518"), ("Den Haag", "GM0518"), ("Nederland", "NL01"),
    ("Groningen", "GM0014"), ("provincie Groningen", "PV20"), ("jeugdregio Drenthe", "JZ04"), ("Drenthe", "JZ04"),
])
def test_lookup_by_code_or_name_ignores_case_and_accents(regions, query, code):
    assert regions.get(query).code == code


def test_level_argument_picks_the_level(regions):
    assert regions.get("Drenthe", level="provincie").code == "PV22"
    with pytest.raises(RegionError, match="is een gemeente, geen provincie"):
        regions.get("GM0106", level="provincie")


def test_unknown_name_suggests_close_matches(regions):
    with pytest.raises(RegionError, match=r"onbekende regio 'Asen'.*Assen \(GM0106\)"):
        regions.get("Asen")
    with pytest.raises(RegionError, match="onbekende regio"):
        regions.get("Atlantis")


def test_ambiguous_name_lists_the_candidates(regions):
    with pytest.raises(RegionError, match=r"past bij meer regio's.*GM0373.*GM0893"):
        regions.get("Bergen")


def test_membership_is_not_a_strict_tree(regions):
    drenthe = regions.members("JZ04")
    assert len(drenthe) == 12 and "GM0106" in drenthe
    crossing = {jz: {regions.parent(g, "provincie").code for g in regions.members(jz)}
                for jz in ("JZ12", "JZ21", "JZ32")}
    assert all(len(provs) == 2 for provs in crossing.values())
    assert len(regions.members("NL01")) == 342
    assert sum(len(regions.members(r.code)) for r in regions.all("jeugdregio")) == 342
    assert sum(len(regions.members(r.code)) for r in regions.all("provincie")) == 342


def test_packaged_reference_matches_the_shared_facts(regions, shared_regions_csv):
    with open(shared_regions_csv, encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        assert regions.get(row["gemeente_code"]).name == row["gemeente_naam"]
        assert regions.parent(row["gemeente_code"], "jeugdregio").code == row["jeugdregio_code"]
        assert regions.parent(row["gemeente_code"], "provincie").code == row["provincie_code"]


def test_size_classes_partition_the_gemeenten_by_inhabitants():
    """CBS's classes of gemeenten by inhabitants on 1 January 2024, from the real population."""
    index = load_regions()
    classes = index.all("grootteklasse")
    assert [r.code for r in classes] == ["GK01", "GK02", "GK03", "GK04", "GK05"]
    members = [set(index.members(r.code)) for r in classes]
    assert sum(len(m) for m in members) == 342 and set().union(*members) == set(index.members("NL01"))
    assert sum(index.inhabitants.values()) == 17_942_942  # CBS: Nederland on 1 January 2024
    assert index.parent("Assen", "grootteklasse").label == "gemeenten met 50.000 tot 100.000 inwoners"  # 69.701
    assert index.parent("Amsterdam", "grootteklasse").code == "GK05"
    assert index.parent("Vlieland", "grootteklasse").code == "GK01"   # 1.255 inhabitants
    assert index.parent("GM0014", "grootteklasse").code == "GK05"     # Groningen 243.768
    assert index.get("gemeenten met minder dan 20.000 inwoners").code == "GK01"
