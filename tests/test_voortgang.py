"""The progress report (seed 004 layout): actielijnen with Beweging, numbered panels with their own
latest period, Bron line, verdict headings and the kernindicatoren summary, through the runner."""

import re

import pandas as pd
import pytest

from regiekit.errors import RegiekitError
from regiekit.publish import verdicts
from regiekit.publish.statistics import Comparison
from regiekit.reports import voortgang
from regiekit.run import batch


@pytest.fixture(scope="module")
def nederland(demo_store):
    return voortgang.build("NL01", 2024, demo_store.path)


def _verdict(kind: str) -> verdicts.Verdict:
    return verdicts.Verdict("x", "NL01", 2024, kind, "")


def test_verdict_headings_in_the_words_of_seed_004():
    assert voortgang.heading(_verdict("verbetert"), 10.4, 10.1, None) == "iets gedaald (verbetering)"
    assert voortgang.heading(_verdict("verslechtert"), 100, 150, None) == "gestegen (verslechtering)"
    assert voortgang.heading(_verdict("geen_trend"), 49, 52, None) == "geen structurele trend"
    assert voortgang.heading(_verdict("stabiel"), 30, 30, Comparison(5.0, 0.001, "hoger")) == "blijft hoog"
    assert voortgang.heading(_verdict("stabiel"), 30, 30, Comparison(0.1, 0.6, "gelijk")) == "blijft stabiel"
    assert voortgang.heading(_verdict("onbekend"), None, None, None) == "geen oordeel mogelijk"


def test_a_heading_and_its_sentence_come_from_one_judgement():
    """Seed 004's reader saw 'iets gestegen' over 'daalt van 2.220 naar 2.210': the last year fell while the
    trend rose. The heading now takes its word from the trend the verdict rests on, as the sentence does."""
    rising = verdicts.Verdict("x", "JZ04", 2024, "verbetert", "... Over 2021-2024 is er een stijgende trend: een "
                              "verbetering.", direction="up")
    assert voortgang.heading(rising, 2220, 2210, None) == "iets gestegen (verbetering)"
    falling = verdicts.Verdict("x", "JZ04", 2024, "ambigu", "", direction="down")
    assert voortgang.heading(falling, 100, 120, None) == "gedaald" and verdicts.phrase(falling) == "daalt"
    assert verdicts.phrase(verdicts.Verdict("x", "JZ04", 2024, "onbekend", "Voor deze periode is geen "
                                            "(publiceerbaar) cijfer.")) == "geen cijfer"
    assert "ambigu" not in verdicts.VERDICTS.values() and "onvoldoende gegevens" not in verdicts.VERDICTS.values()


def test_changes_only_between_the_published_first_and_last_year(nederland):
    years = nederland.years
    rows = lambda values: pd.DataFrame({"period": years, "published": values})  # noqa: E731
    count, share = nederland.defs["verlengde_jeugdhulp_aantal"], nederland.defs["jeugdhulp_verblijf_aandeel"]
    assert nederland._change(count, rows([100, 120, 130, 115])) == "+15%"
    assert nederland._change(count, rows([445, 455, None, None])) == "–"  # last year suppressed: no change
    assert nederland._change(count, rows([None, 455, 460, 470])) == "–"
    assert nederland._change(share, rows([8.5, 9.0, 8.8, 8.4])) == "-0,1 pp"
    assert nederland._change(share, rows([8.4, 9.0, 8.8, 8.4])) == "0,0 pp"


def test_layout_is_validated_data(tmp_path):
    layout = voortgang.load_layout()
    assert [a.nummer for a in layout.actielijnen] == [1, 2, 4, 5]
    bad = tmp_path / "indeling.yaml"
    bad.write_text("jaren: 4\nactielijnen:\n  - {nummer: 1, titel: t, beweging: b, bron: c, panelen: "
                   "[{titel: p, indicator: bestaat_niet, vorm: tabel}]}\n", encoding="utf-8")
    with pytest.raises(RegiekitError, match="onbekende indicator 'bestaat_niet'"):
        voortgang.load_layout(bad)
    bad.write_text("jaren: 4\nactielijnen:\n  - {nummer: 1, titel: t, beweging: b, bron: c, panelen: "
                   "[{titel: p, indicator: verblijfsvorm_aantal, vorm: grafiek}]}\n", encoding="utf-8")
    with pytest.raises(RegiekitError, match="toon het als 'tabel'"):
        voortgang.load_layout(bad)
    bad.write_text("jaren: 4\nactielijnen: !!python/object/apply:os.system ['echo x']\n", encoding="utf-8")
    with pytest.raises(RegiekitError, match="ongeldige indeling van de voortgangsrapportage"):
        voortgang.load_layout(bad)


def test_age_bands_are_judged_with_their_own_desired_direction(nederland):
    bands = {band: head for band, _, head, _ in nederland.findings["jeugdhulp_verblijf_aantal_leeftijd"]}
    assert set(bands) == {"0-4", "4-12", "12-18", "18-23"}
    ind = nederland.defs["jeugdhulp_verblijf_aantal_leeftijd"]
    assert ind.direction_for("18-23") == "up" and ind.direction_for("0-4") == "down"
    for band, head in bands.items():  # a rise is an improvement for 18-23 only
        if "gestegen" in head:
            assert head.endswith("(verbetering)") == (band == "18-23")


def test_each_panel_shows_its_own_latest_period(nederland):
    line = nederland.layout.actielijnen[0]
    assert "Laatste cijfer: 2024" in nederland.panel_html(line, 1)
    ident = line.panelen[0].indicator
    later = nederland.results["indicator"].eq(ident) & nederland.results["period"].eq(2024)
    nederland.results.loc[later, "published"] = None  # as when the newest CBS year is not yet available
    assert nederland.latest(ident) == 2023
    assert "Laatste cijfer: 2023" in nederland.panel_html(line, 1)


def test_series_breaks_are_shown_not_hidden(demo_store, tmp_path):
    layout = tmp_path / "indeling.yaml"
    layout.write_text("jaren: 4\nactielijnen:\n"
                      "  - {nummer: 2, titel: Thuis opgroeien, beweging: b, bron: CBS., panelen: "
                      "[{titel: Verblijfsvorm, indicator: verblijfsvorm_aantal, vorm: tabel}]}\n", encoding="utf-8")
    report = voortgang.build("NL01", 2020, demo_store.path, layout_file=layout)
    html = report.panel_html(report.layout.actielijnen[0], 1)
    assert "<th>2019*</th>" in html and "Trendbreuk in 2019" in html and "pleegzorg" in html


def test_voortgang_runs_through_the_runner(demo_store, tmp_path):
    out = tmp_path / "out"
    result = batch.run_batch("voortgang", ["Nederland", "Assen"], periods=["2024"], out_dir=out,
                             data_dir=demo_store.path, pdf=False, progress=False)
    assert [r["status"] for r in result.records] == ["gemaakt", "gemaakt"], result.summary()
    html = (out / "voortgang_NL01_2024.html").read_text(encoding="utf-8")
    assert "Voortgangsrapportage jeugdhulp Nederland, 2024" in html and "Traceback" not in html
    assert html.count("Beweging:") == 4 and html.count("Wat zegt deze factsheet ons?") == 4
    assert "Kernindicatoren per actielijn" in html and html.count("Bron: synthetische demodata") == 4
    assert "1. Is de jeugdhulp passend?" in html and "3. Jeugdhulp met verblijf uitgesplitst naar leeftijd" in html
    csv = pd.read_csv(out / "voortgang_NL01_2024.csv")
    share = csv[(csv["indicator"] == "jeugdhulp_verblijf_aandeel") & (csv["period"] == 2024)]["value"].iloc[0]
    assert re.search(rf"{str(share).replace('.', ',')}%", html)  # the number shown is the number published
    assert csv.loc[csv["period"] == 2024, "oordeel"].notna().any()
    # a gemeente: its own numbers, Nederland only in the charts
    gemeente = pd.read_csv(out / "voortgang_GM0106_2024.csv")
    assert set(gemeente.loc[gemeente["part"] == "paneel", "region_code"]) == {"GM0106"}
    assert set(gemeente.loc[gemeente["part"] == "vergelijking", "indicator"]) <= {
        p.indicator for a in voortgang.load_layout().actielijnen for p in a.panelen if p.vorm == "grafiek"}
