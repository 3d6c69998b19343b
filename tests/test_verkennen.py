"""The exploration notebook's module: choosing, comparing and exporting numbers that agree with the reports."""

import pandas as pd
import pytest

from regiekit.errors import RegiekitError
from regiekit.reports import factsheet, verkennen
from regiekit.run import batch


@pytest.fixture(scope="module")
def drenthe(demo_store):
    return verkennen.explore(None, verkennen.around("Assen"), None, [2023, 2024], demo_store.path)


def test_catalogue_can_be_searched_and_filtered():
    found = verkennen.catalogue(search="verblijf")
    assert len(found) and found.apply(lambda r: "verblijf" in f"{r['id']} {r['label']} {r['description']}".lower(),
                                      axis=1).all()
    assert set(verkennen.catalogue("ret_monitor")["family"]) == {"ret_monitor"}


def test_regions_with_the_same_name_stay_apart(drenthe):
    assert drenthe.regions == ["GM0106", "JZ04", "PV22", "GK03", "NL01"]
    table = drenthe.wide("jeugdhulp_pct")
    assert list(table.index) == ["gemeente Assen", "jeugdregio Drenthe", "provincie Drenthe",
                                 "gemeenten met 50.000 tot 100.000 inwoners", "Nederland"]
    assert list(table.columns) == [2023, 2024]
    assert set(drenthe.compare()["regio"]) <= {"gemeente Assen", "jeugdregio Drenthe", "provincie Drenthe",
                                               "gemeenten met 50.000 tot 100.000 inwoners"}


def test_numbers_agree_with_the_factsheet(drenthe, demo_store):
    sheet = factsheet.build("Assen", 2024, demo_store.path)
    for ind in sheet.indicators:
        mine = drenthe.published
        mine = mine[(mine["indicator"] == ind.id) & (mine["region_code"] == "GM0106") & (mine["period"] == 2024)]
        theirs = sheet.value(ind.id, "GM0106")
        assert mine["value"].iloc[0] == theirs or (pd.isna(mine["value"].iloc[0]) and pd.isna(theirs)), ind.id


def test_suppressed_numbers_show_as_x_and_internal_shows_them(demo_store):
    small = verkennen.explore(None, ["GM0088"], None, [2023, 2024], demo_store.path)
    hidden = small.published[small.published["value"].isna()]
    assert len(hidden)  # Schiermonnikoog's small counts
    row = hidden.iloc[0]
    assert small.wide(row["indicator"], formatted=True).loc["gemeente Schiermonnikoog", row["period"]] == "x"
    internal = verkennen.explore([row["indicator"]], [row["region_code"]], None, [int(row["period"])],
                                 demo_store.path, internal=True)
    assert internal.published["value"].notna().all()
    assert set(internal.published["markering"]) == {"INTERN: niet voor publicatie"}


def test_export_writes_csv_or_excel_and_refuses_others(drenthe, tmp_path):
    assert pd.read_csv(drenthe.export(tmp_path / "v.csv")).shape == drenthe.published.shape
    assert pd.read_excel(drenthe.export(tmp_path / "v.xlsx")).shape == drenthe.published.shape
    with pytest.raises(RegiekitError, match=r"exporteer naar .csv of .xlsx"):
        drenthe.export(tmp_path / "v.txt")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["v.csv", "v.xlsx"]


def test_verkennen_runs_through_the_runner(demo_store, tmp_path):
    out = tmp_path / "out"
    result = batch.run_batch("verkennen", ["Assen"], periods=["2024"], out_dir=out, data_dir=demo_store.path,
                             pdf=False, progress=False)
    assert [r["status"] for r in result.records] == ["gemaakt"], result.summary()
    html = (out / "verkennen_GM0106_2024.html").read_text(encoding="utf-8")
    assert "Verkenning: 8 indicator(en), 5 regio" in html and "jeugdregio Drenthe" in html and "Traceback" not in html
    csv = pd.read_csv(out / "verkennen_GM0106_2024.csv")
    assert (set(csv["region_code"]) == {"GM0106", "JZ04", "PV22", "GK03", "NL01"}
            and set(csv["period"]) == {2020, 2021, 2022, 2023, 2024})
