"""The progress report (seed 004 layout): actielijnen with Beweging, numbered panels with their own
latest period, Bron line, verdict headings and the kernindicatoren summary, through the runner."""

import dataclasses
import re
from datetime import date

import pandas as pd
import pytest

from regiekit.errors import RegiekitError
from regiekit.indicators.definitions import DatedNote
from regiekit.publish import verdicts
from regiekit.publish.statistics import Comparison, Trend
from regiekit.reports import voortgang
from regiekit.run import batch

from .conftest import raw_codes


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
    # a verdict that starts at a series break says so: it is no trend over the years before it
    assert voortgang.heading(_verdict("geen_trend"), 49, 52, None, since=2023) == "geen structurele trend sinds 2023"
    assert voortgang.heading(_verdict("onbekend"), None, None, None, since=2024) == \
        "geen oordeel mogelijk (trendbreuk in 2024)"


def test_a_heading_and_its_sentence_come_from_one_judgement():
    """Seed 004's reader saw 'iets gestegen' over 'daalt van 2.220 naar 2.210': the last year fell while the
    trend rose. The heading now takes its word from the trend the verdict rests on, as the sentence does."""
    rising = verdicts.Verdict("x", "JZ04", 2024, "verbetert", "... Over 2021-2024 is er een stijgende trend: een "
                              "verbetering.", direction="up")
    assert voortgang.heading(rising, 2220, 2210, None) == "iets gestegen (verbetering)"
    falling = verdicts.Verdict("x", "JZ04", 2024, "ambigu", "", direction="down")
    assert voortgang.heading(falling, 100, 120, None) == "gedaald" and verdicts.phrase(falling) == "daalt"
    # a factsheet's 'Ontwikkeling' beside 'daalt van 14,2% naar 14,1%' names the trend, not the last year
    trend = Trend((2015, 2024), 1.02, 1.01, 1.03, 0.001)
    rising_trend = verdicts.Verdict("x", "JZ04", 2024, "ambigu", "", trend, direction="up")
    assert verdicts.phrase(rising_trend) == "stijgende trend"
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
    assert nederland._change(share, rows([8.5, 9.0, 8.8, 8.4])) == "-0,1 procentpunt"
    assert nederland._change(share, rows([8.4, 9.0, 8.8, 8.4])) == "0,0 procentpunt"


def test_layout_is_validated_data(tmp_path):
    layout = voortgang.load_layout()
    assert [a.nummer for a in layout.actielijnen] == [1, 2, 3, 4, 5, 6]
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


PANEL = "{titel: p, indicator: verlengde_jeugdhulp_aantal, vorm: tabel}"


def test_an_actielijn_without_panels_needs_the_reason(tmp_path):
    """An empty panel list is allowed only with the reason there are no figures, which the report prints."""
    layout = tmp_path / "indeling.yaml"
    layout.write_text("jaren: 4\nactielijnen:\n"
                      f"  - {{nummer: 1, titel: t, beweging: b, bron: c, panelen: [{PANEL}]}}\n"
                      "  - {nummer: 3, titel: Onderwijs, panelen: [], zonder_cijfers: Niet in deze bronnen.}\n",
                      encoding="utf-8")
    assert voortgang.load_layout(layout).actielijnen[1].zonder_cijfers == "Niet in deze bronnen."
    for line, refused in (
            ("{nummer: 3, titel: Onderwijs, panelen: []}", "zonder panelen hoort er een reden bij"),
            ("{nummer: 3, titel: Onderwijs, panelen: [], zonder_cijfers: '  '}", "zonder panelen hoort er een reden"),
            ("{nummer: 3, titel: Onderwijs}", "panelen"),
            (f"{{nummer: 3, titel: O, beweging: b, bron: c, panelen: [{PANEL}], zonder_cijfers: r}}",
             "'zonder_cijfers' hoort bij een actielijn zonder panelen"),
            (f"{{nummer: 3, titel: O, panelen: [{PANEL}]}}", "heeft een 'beweging' en een 'bron'"),
            ("{nummer: 1, titel: O, panelen: [], zonder_cijfers: r}", "niet op volgorde")):
        layout.write_text("jaren: 4\nactielijnen:\n"
                          f"  - {{nummer: 1, titel: t, beweging: b, bron: c, panelen: [{PANEL}]}}\n  - {line}\n",
                          encoding="utf-8")
        with pytest.raises(RegiekitError, match=refused):
            voortgang.load_layout(layout)


def test_actielijnen_3_and_6_appear_with_the_reason_they_have_no_figures(nederland):
    lines = {line.nummer: line for line in nederland.layout.actielijnen}
    assert list(lines) == [1, 2, 3, 4, 5, 6]
    for number, title, reason in ((3, "Alle kinderen de kans bieden zich optimaal te ontwikkelen", "DUO en Ingrado"),
                                  (6, "Investeren in vakmanschap van jeugdprofessionals", "niet gemeten")):
        html = nederland.actielijn_html(lines[number])
        assert f"page-break-before:always\">Actielijn {number}: {title}</h2>" in html  # on a page of its own
        assert reason in html and "Geen cijfers." in html
        assert "Beweging" not in html and not lines[number].panelen
        assert nederland.bron_markdown(lines[number]) == nederland.findings_markdown(lines[number]) == ""
        row = re.search(rf'<tr data-actielijn="{number}">.*?</tr>', nederland.summary_html()).group(0)
        assert title in row and "geen cijfers" in row
    # in their place: the summary lists the actielijnen in order 1-6
    order = [int(n) for n in re.findall(r"<tr data-(?:indicator|actielijn)=\"[^\"]+\"><td>(\d)</td>",
                                        nederland.summary_html())]
    assert order == sorted(order) and set(order) == {1, 2, 3, 4, 5, 6}


def test_the_summary_shows_every_year_of_the_series(nederland):
    years, html = nederland.years, nederland.summary_html()
    assert len(years) == nederland.layout.jaren == 4
    head = re.search(r"<thead>(.*?)</thead>", html).group(1)
    assert re.findall(r"<th[^>]*>(\d{4})</th>", head) == [str(y) for y in years]
    for row in re.findall(r'<tr data-indicator="[^"]+">.*?</tr>', html):
        assert row.count('<td class="num">') == len(years) + 1  # every year and the change
    # a year in the middle shows its published number; a suppressed one the disclosure mark
    ident = "verlengde_jeugdhulp_aantal"
    rows = nederland.results[(nederland.results["indicator"] == ident) & (nederland.results["region_code"] == "NL01")]
    middle = rows.set_index("period").loc[years[1], "published"]
    row = re.search(rf'<tr data-indicator="{ident}">.*?</tr>', html).group(0)
    assert f'<td class="num">{int(middle):,}</td>'.replace(",", ".") in row
    secret = nederland._fmt(pd.DataFrame({"published": [None], "status": ["geheim"]}), nederland.defs[ident])
    assert secret == "x" and "x: niet gepubliceerd" in html


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


def test_a_change_across_a_series_break_carries_its_mark_and_footnote(demo_store, tmp_path):
    layout = tmp_path / "indeling.yaml"
    layout.write_text("jaren: 4\nactielijnen:\n"
                      "  - {nummer: 2, titel: Thuis opgroeien, beweging: b, bron: CBS., panelen: "
                      "[{titel: Verblijfsvorm, indicator: verblijfsvorm_aantal, vorm: tabel}]}\n", encoding="utf-8")
    report = voortgang.build("NL01", 2020, demo_store.path, layout_file=layout)
    assert report.years == [2017, 2018, 2019, 2020]
    html = report.panel_html(report.layout.actielijnen[0], 1)
    assert "<th>2019¹</th>" in html  # the first year of the new series
    changes = re.findall(r'<td class="num">([^<]*)</td></tr>', html)
    assert len(changes) == 4 and all(c.endswith("¹") for c in changes if c != "–")  # 2017-2020 crosses 2019
    footnote = re.search(r"¹ Trendbreuk in 2019: (.*?)</small>", html).group(1)
    assert "pleegzorg" in footnote and "'groei 2017-2020' gaat over deze breuk heen" in footnote
    # a window that starts at the break compares nothing across it: no mark, no footnote
    later = dataclasses.replace(report, results=report.results[report.results["period"] >= 2019])
    html = later.panel_html(later.layout.actielijnen[0], 1)
    assert "¹" not in html and "Trendbreuk" not in html


def test_the_summary_marks_a_change_across_a_series_break(nederland):
    """A break inside the window: the change across it gets a mark and the break's note; the verdict
    judges the years from the break on and its heading says so, in the summary and the findings alike."""
    ident = "jeugdhulp_verblijf_aandeel"
    note = "Vanaf 2023 telt de registratie ook de gezinshuizen."
    report = dataclasses.replace(nederland)
    defs = dict(nederland.defs)
    defs[ident] = defs[ident].model_copy(update={"series_breaks": [DatedNote(date=date(2023, 1, 1), note=note)]})
    report.__dict__["defs"] = defs  # the figures as a source with this break would give them
    html = report.summary_html()
    row = re.search(rf'<tr data-indicator="{ident}">.*?</tr>', html).group(0)
    cells = re.findall(r'<td class="num">([^<]*)</td>', row)
    assert cells[-1].endswith("¹") and cells[2].endswith("¹") and not cells[1].endswith("¹")
    assert f"¹ Trendbreuk in 2023: {note} Cijfers van voor 2023 zijn niet goed te vergelijken" in html
    head = re.search(r"<td[^>]*>([^<]*)</td></tr>", row).group(1)
    assert "2023" in head  # 'sinds 2023' or 'trendbreuk in 2023': never a bare trend over the break
    (_, _, finding, verdict), = report.findings[ident]
    assert finding == head and verdict.note and "Trendbreuk in 2023" in verdict.note
    line = next(a for a in report.layout.actielijnen if any(p.indicator == ident for p in a.panelen))
    assert f"**{report.defs[ident].label}: {head}**" in report.findings_markdown(line)
    chart = report.panel_html(line, 1)  # the chart draws the break; its caption says so
    assert "Stippellijn: trendbreuk in 2023." in chart and "stippellijn bij de trendbreuk in 2023" in chart
    # other rows cross no break
    assert "¹" not in re.search(r'<tr data-indicator="verlengde_jeugdhulp_aantal">.*?</tr>', html).group(0)


def test_voortgang_runs_through_the_runner(demo_store, tmp_path):
    out = tmp_path / "out"
    result = batch.run_batch("voortgang", ["Nederland", "Assen"], periods=["2024"], out_dir=out,
                             data_dir=demo_store.path, pdf=False, progress=False)
    assert [r["status"] for r in result.records] == ["gemaakt", "gemaakt"], result.summary()
    html = (out / "voortgang_NL01_2024.html").read_text(encoding="utf-8")
    assert "Voortgangsrapportage jeugdhulp Nederland, 2024" in html and "Traceback" not in html
    assert raw_codes(html) == set()  # 'eenzijdig door cliënt beëindigd', not 'eenzijdig client'
    assert html.count("Beweging:") == 4 and html.count("Wat zegt deze factsheet ons?") == 4
    # all six actielijnen in their order; 3 and 6 with the reason they have no figures
    places = [html.index(f"Actielijn {n}: ") for n in range(1, 7)]
    assert places == sorted(places) and html.count("Geen cijfers.") == 2
    assert "Actielijn 3: Alle kinderen de kans bieden zich optimaal te ontwikkelen" in html
    assert "Actielijn 6: Investeren in vakmanschap van jeugdprofessionals" in html
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
