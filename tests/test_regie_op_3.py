"""Regie op 3 (seed 000): the cohort of long stacked care with thresholds as parameters, and the
case-review overview with missing answers, through the runner."""

import pandas as pd
import pytest

from regiekit import engine
from regiekit.reports import regie_op_3
from regiekit.run import batch, cli

from .conftest import raw_codes


def test_thresholds_are_parameters_of_every_cohort_indicator(demo_store):
    chosen = regie_op_3.parameters(5, 4)
    assert chosen and all(p == {"jaren": 5, "aanbieders": 4} for p in chosen.values())
    assert "regie_op_3_jongeren" in chosen and "casusonderzoeken_aantal" not in chosen
    default = engine.compute(["regie_op_3_jongeren"], ["JZ14"], [2024], demo_store)["numerator"].iloc[0]
    stricter = engine.compute(["regie_op_3_jongeren"], ["JZ14"], [2024], demo_store,
                              regie_op_3.parameters(5, 4))["numerator"].iloc[0]
    assert 0 < stricter < default


@pytest.mark.slow
def test_regie_op_3_notebook_runs_through_the_runner(demo_store, tmp_path):
    out = tmp_path / "out"
    texts = tmp_path / "teksten.md"
    texts.write_text("## Rode draden\n\nHulp *stapelt* zich op waar niemand regie houdt.\n<script>x()</script>\n",
                     encoding="utf-8")
    result = batch.run_batch("regie_op_3", ["Twente"], periods=["2024"], out_dir=out, data_dir=demo_store.path,
                             pdf=False, progress=False, texts_file=texts)
    assert [r["status"] for r in result.records] == ["gemaakt"], result.summary()
    html = (out / "regie_op_3_JZ14_2024.html").read_text(encoding="utf-8")
    assert "<h2>Rode draden</h2>" in html and "Hulp <em>stapelt</em> zich op" in html  # the team's own words
    assert "<script>x()" not in html
    assert raw_codes(html) == set()  # 'jeugdbescherming en jeugdhulp', not 'jeugdbescherming+jeugdhulp'
    assert "Regie op 3: langdurige gestapelde zorg, jeugdregio Twente, 2024" in html
    assert "meer dan 3 jaar hulp" in html and "niet is ingevuld" in html and "Traceback" not in html
    # providers per youth is over all youths with jeugdhulp, in a table of its own, not the cohort's
    cohort_table = html.split("Het cohort langdurige gestapelde zorg")[1].split("</table>")[0]
    assert "Aanbieders per jongere" not in cohort_table
    beside = html.split("Ter vergelijking: alle jongeren met jeugdhulp")[1].split("</table>")[0]
    assert "Aanbieders per jongere" in beside
    csv = pd.read_csv(out / "regie_op_3_JZ14_2024.csv")
    cohort = csv[(csv["indicator"] == "regie_op_3_jongeren") & (csv["period"] == 2024)]
    exact = engine.compute(["regie_op_3_jongeren"], ["JZ14"], [2024], demo_store)["numerator"].iloc[0]
    assert cohort["value"].iloc[0] == exact   # the case-monitor regime: exact counts
    # a case-review field keeps its missing answers as a category of its own
    assert "casusonderzoeken_woonsituatie" in set(csv["indicator"])


def test_the_published_regie_op_3_overview_from_15_case_reviews(tmp_path):
    """Seed 000 from the forms behind it: 15 case reviews of March 2021 to December 2023, in the
    coordinator's own words, make one overview over the project period with the figures the project
    published (15 youths, first help before primary school for 7 and during it for 4, current care missing
    for 5), in the HTML and the CSV; where the published figures together pin a `<3`, one is hidden."""
    from pathlib import Path

    from regiekit.data.importer import import_file

    forms = Path(__file__).parent / "data" / "regie_op_3_drenthe_2021_2023.csv"
    report = import_file("casusonderzoeken", forms, tmp_path / "p")
    assert (report.rows_read, report.imported, report.rejected, report.unknown) == (15, 15, 0, {})
    out = tmp_path / "out"
    assert cli.main(["run", "regie_op_3", "--region", "Drenthe", "--period", "2021-2023", "--data",
                     str(tmp_path / "p"), "--out", str(out), "--no-pdf", "--quiet"]) == 0
    csv = pd.read_csv(out / "regie_op_3_JZ04_2021-2023.csv")
    jz = csv[csv["region_code"] == "JZ04"]
    assert set(jz["period"]) == {"2021-2023"}  # one window over the whole project period
    value = jz.set_index(["indicator", jz["category"].fillna("")])["value"]
    mark = jz.set_index(["indicator", jz["category"].fillna("")])["markering"].fillna("")
    assert value["casusonderzoeken_aantal", ""] == 15
    assert (value["casusonderzoeken_leeftijd_eerste_hulp", "voor_basisschool"],
            value["casusonderzoeken_leeftijd_eerste_hulp", "basisschool"],
            value["casusonderzoeken_leeftijd_eerste_hulp", "onbekend"]) == (7, 4, 4)
    # the team publishes 2,7 school changes on average beside the answers per number of changes, some shown as
    # `<3`: mean times answers is their sum, which narrows or pins those `<3`. The mean is hidden instead.
    assert pd.isna(value["casusonderzoeken_schoolwisselingen_gemiddeld", ""])
    assert mark["casusonderzoeken_schoolwisselingen_gemiddeld", ""] == "geheim (onthullingscontrole)"
    assert value["casusonderzoeken_huidige_zorg", "onbekend"] == 5
    # the team publishes "missend voor 9", but its six other answers are one youth each (`<3`): with 9 and
    # 15 published they add up to 6, so every `<3` would be exactly 1. The missing count is hidden instead.
    assert pd.isna(value["casusonderzoeken_hulptrajecten", "onbekend"])
    assert mark["casusonderzoeken_hulptrajecten", "onbekend"] == "geheim (onthullingscontrole)"
    assert value["casusonderzoeken_volgt_onderwijs", "ja"] == 14   # 'minimaal 14 gingen naar school'
    assert value["casusonderzoeken_volgt_onderwijs", "onbekend"] == 1   # a missing answer is the form's
    assert (value["casusonderzoeken_leeftijdsklasse", "4-12"], value["casusonderzoeken_leeftijdsklasse", "12-18"]) \
        == (5, 10)   # ages 7 to 17
    assert (value["casusonderzoeken_gemeente", "GM0114"], value["casusonderzoeken_gemeente", "GM0109"]) == (8, 3)
    assert mark["casusonderzoeken_gemeente", "GM1681"] == "minder dan 3"   # Borger-Odoorn: 2, never shown as 2
    assert mark["casusonderzoeken_verklarende_analyse", "ja"] == "minder dan 3"
    html = (out / "regie_op_3_JZ04_2021-2023.html").read_text(encoding="utf-8")
    assert "Regie op 3: langdurige gestapelde zorg, jeugdregio Drenthe, 2021-2023" in html
    assert "De casusreviews 2021-2023" in html and "Het cohort langdurige gestapelde zorg 2021" not in html
    for text in ("deden 15 jeugdigen", "Missend voor 5 jeugdigen.",
                 "Missend voor 4 jeugdigen.", "Missend voor 1 jeugdige.", "<th>2021-2023</th>", ">Emmen<"):
        assert text in html, text
    assert "synthetische demodata" not in html and "regie_op_3_drenthe_2021_2023.csv" in html
    assert "onbekend" not in html.split("Bron:")[0].lower()  # over a project period: 'missend', not a category


def test_a_report_of_years_refuses_a_project_period(demo_store, capsys, tmp_path):
    assert cli.main(["run", "factsheet", "--region", "Assen", "--period", "2021-2023", "--data",
                     str(demo_store.path), "--out", str(tmp_path / "out")]) == 1
    assert ("De factsheet wordt per jaar gemaakt, niet over 2021-2023; een projectperiode kan bij monitor, "
            "opvolging, pilot en regie_op_3") in capsys.readouterr().err
