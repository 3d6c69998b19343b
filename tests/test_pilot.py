"""The pilot report (seed 001): interim factsheet and final report from one notebook, made only for the
regions with pilot cases, with the researchers' own text and every survey number under disclosure control."""

import pandas as pd
import pytest

from regiekit import engine
from regiekit.periods import Span
from regiekit.publish import disclosure
from regiekit.reports import pilot
from regiekit.reports.registry import ReportError
from regiekit.run import batch


def test_made_for_the_regions_with_pilot_cases(demo_store):
    assert pilot.regions(demo_store) == ["JZ14"]
    assert pilot.pilot_years(demo_store, "JZ14") == [2020, 2021]
    assert batch.targets(None, "jeugdregio", pilot.REPORT, demo_store) == ["JZ14"]
    with pytest.raises(ReportError, match="geen pilotcasussen in jeugdregio Drenthe"):
        pilot.build("JZ04", 2021, demo_store.path)
    with pytest.raises(ReportError, match="de pilot begon in 2020"):
        pilot.build("Twente", 2019, demo_store.path)
    with pytest.raises(ReportError, match="de eindrapportage is voor periode 2021"):
        pilot.build("Twente", 2024, demo_store.path)
    with pytest.raises(ReportError, match="wordt gemaakt per jeugdregio, niet voor gemeente Enschede"):
        pilot.build("Enschede", 2021, demo_store.path)


def test_interim_while_running_final_at_the_end(demo_store, tmp_path):
    interim = pilot.build("Twente", 2020, demo_store.path)
    assert not interim.final and interim.heading_markdown().startswith("# Tussenrapportage pilot")
    assert "De pilot loopt nog" in interim.intro_markdown()
    assert interim.columns == [("2020", 2020)]   # nothing from before the pilot began
    texts = tmp_path / "bevindingen.md"
    texts.write_text("## Uit de groepsgesprekken\n\nDe handreiking geeft rust aan tafel.\n", encoding="utf-8")
    final = pilot.build("Twente", 2021, demo_store.path, texts)
    assert final.final and final.heading_markdown().startswith("# Eindrapportage pilot")
    written = final.texts_html()
    assert "De handreiking geeft rust aan tafel." in written
    assert ("<h2>Werkzame elementen en belemmerende factoren</h2>\n<p><em>Nog in te vullen door de onderzoekers."
            "</em></p>") in written
    assert pilot.build("Twente", 2020, demo_store.path, final=True).final


def test_pilot_runs_through_the_runner_and_publishes_no_small_numbers(demo_store, tmp_path):
    out = tmp_path / "out"
    result = batch.run_batch("pilot", level="jeugdregio", periods=["2021"], out_dir=out, data_dir=demo_store.path,
                             pdf=False, progress=False)
    assert [(r["regio"], r["status"]) for r in result.records] == [("JZ14", "gemaakt")], result.summary()
    html = (out / "pilot_JZ14_2021.html").read_text(encoding="utf-8")
    for question in pilot.QUESTIONS.values():
        assert question in html
    # the final report covers the whole pilot: every case once, not per start year
    assert "Eindrapportage pilot Regie in 7 samenwerkingsstappen, jeugdregio Twente, 2020-2021" in html
    assert "over de hele looptijd" in html and "<th>2020-2021</th>" in html and "<th>2020</th>" not in html
    csv = pd.read_csv(out / "pilot_JZ14_2021.csv")
    assert set(csv["period"]) == {"2020-2021"}
    cases = csv[csv["indicator"] == "pilot_casussen_aantal"]["value"].iloc[0]
    per_year = engine.compute(["pilot_casussen_aantal"], ["JZ14"], [2020, 2021], demo_store)["numerator"]
    whole = engine.compute(["pilot_casussen_aantal"], ["JZ14"], [Span(2020, 2021)], demo_store)["numerator"].iloc[0]
    assert cases == whole == per_year.sum() and f">{int(cases)}<" in html   # exact counts, each case once
    # every survey share shown rests on at least 10 answers, and the complement is not small
    raw = engine.compute(pilot.indicator_ids(), ["JZ14"], [Span(2020, 2021)], demo_store)
    shown = csv.dropna(subset=["value"]).drop(columns="period").merge(raw, on=["indicator", "region_code", "category"],
                                               how="left", suffixes=("", "_exact"))
    shares = shown[shown["unit"] == "percent"]
    rules = disclosure.Rules.load(None, "pilot")
    assert rules.regime == "casusmonitor"
    assert len(shares) and (shares["denominator"] >= rules.min_denominator).all()
