"""The pilot report (seed 001): interim factsheet and final report from one notebook, made only for the
regions with pilot cases, with the researchers' own text and every survey number under disclosure control:
each survey share beside its respondents (n) and its 95% interval, the Twente figures the research design
quotes in a box of their own, and no research question's heading left alone at the foot of a page."""

import dataclasses
import re
from datetime import date

import pandas as pd
import pytest
from bs4 import BeautifulSoup

from regiekit import engine, formatting
from regiekit.data import schemas
from regiekit.engine import intervals
from regiekit.periods import Span
from regiekit.publish import disclosure
from regiekit.reference.regions import load_regions
from regiekit.reports import pilot
from regiekit.reports.registry import ReportError
from regiekit.run import batch

from .conftest import SHARED, make_store, raw_codes

SHARE = re.compile(r"^(\d+)% \((\d+)-(\d+)%\)$")  # '57% (50-64%)': a share with its 95% interval


@pytest.fixture(scope="module")
def final_run(demo_store, tmp_path_factory):
    """The final report for Twente, made by the runner as a scheduled run makes it (no PDF)."""
    out = tmp_path_factory.mktemp("pilot")
    result = batch.run_batch("pilot", level="jeugdregio", periods=["2021"], out_dir=out, data_dir=demo_store.path,
                             pdf=False, progress=False)
    assert [(r["regio"], r["status"]) for r in result.records] == [("JZ14", "gemaakt")], result.summary()
    return out


@pytest.fixture(scope="module")
def small_survey(tmp_path_factory):
    """A pilot of 30 cases in Twente in 2021 with 20 professionals and 2 parents answering: the parents'
    numbers are too small to publish, and the professionals' scores on continuïteit have a 1 and a 5
    that are too small (1 and 2 answers) while the share 'eens' (10 of 20) is not."""
    folder = tmp_path_factory.mktemp("klein")
    twente = load_regions().members("JZ14")
    trajecten = pd.DataFrame([{"traject_id": 1, "jeugdige_id": 1, "geslacht": "man", "geboortedatum": date(2010, 1, 1),
                               "gemeente_code": twente[0], "aanbieder_id": "A1", "zorgvorm": "zonder_verblijf",
                               "verwijzer": "huisarts", "startdatum": date(2021, 1, 1), "einddatum": None,
                               "reden_beeindiging": None}])
    cases = pd.DataFrame([{"casus_id": f"C{n}", "gemeente_code": twente[n % len(twente)],
                           "startdatum": date(2021, 2, 1), "handreiking_gebruikt": "ja" if n % 3 else "nee",
                           "betrokkenen": 4 + n % 3, "afspraken": "stap1_signaleren;stap2_verbinden"}
                          for n in range(30)])
    scores = {"rust": [1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 4, 4, 5, 5, 5, 5],
              "continuiteit": [1, 2, 2, 2, 2, 3, 3, 3, 3, 3, 4, 4, 4, 4, 4, 4, 4, 4, 5, 5],
              "duidelijkheid": [1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 4, 4, 4, 5, 5, 5, 5, 5]}
    answers = [{"respondent_id": f"P{n}", "casus_id": f"C{n}", "gemeente_code": twente[n % len(twente)],
                "datum": date(2021, 5, 1), "rol": "professional", **{k: v[n] for k, v in scores.items()}}
               for n in range(20)]
    answers += [{"respondent_id": f"O{n}", "casus_id": f"C{n}", "gemeente_code": twente[0], "datum": date(2021, 5, 1),
                 "rol": "ouder", "rust": 4 + n, "continuiteit": 4, "duidelijkheid": 5} for n in range(2)]
    return make_store(folder, trajecten, years=(2021,), pilot_casussen=cases, enquetes=pd.DataFrame(answers))


def _exact(store) -> pd.DataFrame:
    """The engine's exact figures of the final report, by indicator and category ('' for a total)."""
    raw = engine.compute(pilot.indicator_ids(), ["JZ14"], [Span(2020, 2021)], store)
    return raw.assign(category=raw["category"].fillna("")).set_index(["indicator", "category"], drop=False)


def _cells(table) -> dict[str, list[str]]:
    """A table's rows by their heading, as the texts of their cells."""
    return {row.th.get_text(strip=True): [td.get_text(" ", strip=True) for td in row.find_all("td")]
            for row in table.find_all("tr") if row.th is not None and row.find("td") is not None}


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


def test_pilot_runs_through_the_runner_and_publishes_no_small_numbers(demo_store, final_run):
    out = final_run
    html = (out / "pilot_JZ14_2021.html").read_text(encoding="utf-8")
    assert raw_codes(html) == set()  # 'stap 1: signaleren', never 'stap1_signaleren'
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


def test_every_survey_share_stands_beside_its_respondents(demo_store, final_run):
    """Every share 'eens' and every score distribution shows its n: the base of the share, published from
    the protected table as a count of its own."""
    raw = _exact(demo_store)
    soup = BeautifulSoup((final_run / "pilot_JZ14_2021.html").read_text(encoding="utf-8"), "html.parser")
    csv = pd.read_csv(final_run / "pilot_JZ14_2021.csv")
    for role in pilot.ROLES:
        agreement = _cells(soup.find("table", {"class": "regiekit-enquete", "data-rol": role}))
        distribution = soup.find("table", {"class": "regiekit-verdeling", "data-rol": role})
        n_row = _cells(distribution)["n (respondenten)"]
        for position, (item, word) in enumerate(pilot.ITEMS.items()):
            base = raw.loc[(f"enquete_{item}_{role}_eens_pct", ""), "denominator"]
            assert base == raw.loc[(pilot.respondent_id(item, role), ""), "numerator"] > 0
            for scores in raw.loc[f"enquete_{item}_{role}_verdeling", "denominator"]:
                assert scores == base   # one base for the share and its distribution
            assert agreement[f"Ervaren {word}"][1] == formatting.number(base) == n_row[position]
            published = csv[csv["indicator"] == pilot.respondent_id(item, role)]
            assert published["value"].tolist() == [base] and published["unit"].tolist() == ["count"]


def test_a_small_number_of_respondents_is_shown_as_the_mark(small_survey):
    """n is a count under disclosure control like every other: 2 parents show as '<3' (or x where '<3'
    would pin it down), never as 2; their shares are not published at all."""
    report = pilot.build("Twente", 2021, small_survey.path)
    soup = BeautifulSoup(report.agreement_html("ouder") + report.distribution_html("ouder"), "html.parser")
    agreement = _cells(soup.find("table", {"class": "regiekit-enquete"}))
    shown_n = [agreement[f"Ervaren {word}"][1] for word in pilot.ITEMS.values()]
    assert set(shown_n) <= {"<3", disclosure.SUPPRESSED} and "<3" in shown_n
    assert [agreement[f"Ervaren {word}"][0] for word in pilot.ITEMS.values()] == [disclosure.SUPPRESSED] * 3
    assert _cells(soup.find("table", {"class": "regiekit-verdeling"}))["n (respondenten)"] == shown_n
    published = report.published.set_index("indicator")
    for item in pilot.ITEMS:
        row = published.loc[pilot.respondent_id(item, "ouder")]
        assert pd.isna(row["value"]) and row["markering"] in ("minder dan 3", "geheim (onthullingscontrole)")
    professionals = _cells(BeautifulSoup(report.agreement_html("professional"), "html.parser").table)
    assert [professionals[f"Ervaren {w}"][1] for w in pilot.ITEMS.values()] == ["20"] * 3


def test_a_share_that_would_give_away_a_hidden_score_is_not_published(small_survey):
    """The share 'eens' is the sum of the scores 4 and 5: beside n it would give away a score that disclosure
    control left out (continuïteit: 10 of 20 agree, 8 scored 4, so 2 scored 5 and then 1 scored 1)."""
    report = pilot.build("Twente", 2021, small_survey.path)
    rows = report.published.set_index(["indicator", "category"], drop=False)
    scores = rows.loc["enquete_continuiteit_professional_verdeling"].set_index("category")["value"]
    assert pd.isna(scores["5"]) and pd.isna(scores["1"]) and scores["4"] == 40
    raw = report.results.set_index("indicator").loc["enquete_continuiteit_professional_eens_pct"]
    assert raw["published"] == 50   # what the protected table alone would publish
    agreement = _cells(BeautifulSoup(report.agreement_html("professional"), "html.parser").table)
    assert agreement["Ervaren continuïteit"] == [disclosure.SUPPRESSED, "20"]
    assert pd.isna(rows.loc[("enquete_continuiteit_professional_eens_pct", None), "value"])
    assert SHARE.match(agreement["Ervaren rust"][0]) and SHARE.match(agreement["Ervaren duidelijkheid"][0])
    # wherever a score counted as 'eens' is not published, neither is the share
    for role in pilot.ROLES:
        for item in pilot.ITEMS:
            verdeling = rows[rows["indicator"] == f"enquete_{item}_{role}_verdeling"]
            if verdeling[verdeling["category"].isin(["4", "5"])]["value"].isna().any():
                assert pd.isna(rows.loc[(f"enquete_{item}_{role}_eens_pct", None), "value"])


def test_every_survey_share_has_its_95_percent_interval(demo_store, final_run):
    """'57% (50-64%)': the Wilson interval of the exact counts, beside the share 'eens' and beside every
    published score; also in the CSV."""
    raw = _exact(demo_store)
    soup = BeautifulSoup((final_run / "pilot_JZ14_2021.html").read_text(encoding="utf-8"), "html.parser")
    csv = pd.read_csv(final_run / "pilot_JZ14_2021.csv")
    shares = csv[csv["indicator"].str.startswith("enquete_") & (csv["unit"] == "percent")]
    assert len(shares) == 2 * 3 * 6 and shares["value"].notna().all()
    for role in pilot.ROLES:
        agreement = _cells(soup.find("table", {"class": "regiekit-enquete", "data-rol": role}))
        for item, word in pilot.ITEMS.items():
            ident = f"enquete_{item}_{role}_eens_pct"
            exact = raw.loc[(ident, "")]
            low, high = intervals.proportion_interval(exact["numerator"], exact["denominator"])
            found = SHARE.match(agreement[f"Ervaren {word}"][0])
            assert found, agreement[f"Ervaren {word}"]
            value, shown_low, shown_high = map(int, found.groups())
            assert abs(value - exact["value"]) <= 0.5
            assert abs(shown_low - low) <= 0.5 and abs(shown_high - high) <= 0.5 and shown_low < value < shown_high
            row = shares[shares["indicator"] == ident].iloc[0]
            assert (row["ci_low"], row["ci_high"]) == (shown_low, shown_high)
        distribution = _cells(soup.find("table", {"class": "regiekit-verdeling", "data-rol": role}))
        score_rows = [cells for label, cells in distribution.items() if label != "n (respondenten)"]
        assert len(score_rows) == 5 and all(SHARE.match(c) for cells in score_rows for c in cells)


def test_the_twente_figures_of_the_research_design_stand_apart_with_their_source(demo_store, final_run):
    """The figures seed 001 quotes for Twente, in a box of their own with their sources: quoted from a data
    file, not computed, never in a research question's section nor in the published numbers."""
    context = pilot.load_context()
    seeds = sorted((SHARED / "seeds").glob("001_*.txt"))
    if seeds:  # every quoted figure and source is the research design's own
        seed = seeds[0].read_text(encoding="utf-8")
        for group in context["groepen"]:
            assert group["bron"].split(", cijfers")[0] in seed
            for figure in group["cijfers"]:
                assert formatting.number(figure["waarde"]) in seed or str(figure["waarde"]) in seed
                assert "aandeel" not in figure or f"({figure['aandeel']}%)" in seed
    soup = BeautifulSoup((final_run / "pilot_JZ14_2021.html").read_text(encoding="utf-8"), "html.parser")
    box = soup.find("aside", {"class": "regiekit-ter-vergelijking"})
    assert box is not None and box.find_parent("section") is None
    text = box.get_text(" ", strip=True)
    assert text.startswith("Ter vergelijking: cijfers uit de onderzoeksopzet van Kennispunt Twente")
    for quoted in ("125.550", "110.735 (88%)", "12%", "13.114", "2.080", "43%", "45%", "42%",
                   "Bron: Twentse Monitor Sociaal Domein, Kennispunt Twente, cijfers kalenderjaar 2019",
                   "Bron: Twentse Monitor Sociaal Domein, versie 2019Q3, Kennispunt Twente, cijfers 2018",
                   "niet berekend uit de registratie van de pilot"):
        assert quoted in text
    first_question = soup.find("h2", string=re.compile(r"^1\. "))
    assert box in first_question.find_all_previous("aside")   # before the pilot's own numbers
    csv = pd.read_csv(final_run / "pilot_JZ14_2021.csv")
    assert not csv["value"].isin([125550, 110735, 13114, 2080]).any()
    assert "Ter vergelijking" not in csv.to_csv()
    report = pilot.build("Twente", 2021, demo_store.path)
    elsewhere = dataclasses.replace(report, region=load_regions().get("JZ04"))
    assert report.context_html() and elsewhere.context_html() == ""   # Twente's figures, for Twente only


def test_each_research_question_heading_is_kept_with_what_follows(final_run):
    """A question's heading and its first block are one element the printer does not split, in the same
    notebook output: no heading alone at the foot of a printed page."""
    soup = BeautifulSoup((final_run / "pilot_JZ14_2021.html").read_text(encoding="utf-8"), "html.parser")
    for number, question in pilot.QUESTIONS.items():
        heading = soup.find("h2", string=f"{number}. {question}")
        assert heading is not None, question
        assert "break-after: avoid" in heading.get("style", "")
        section = heading.parent
        assert section.name == "section" and "break-inside: avoid" in section.get("style", "")
        following = [e for e in heading.find_next_siblings() if e.get_text(strip=True) or e.name == "table"]
        assert following, f"vraag {number} heeft geen inhoud na de kop"
        output = heading.find_parent("div", class_="jp-OutputArea-child")
        assert output is not None and output.find_all(["table", "p", "h3"]), question


def test_the_registration_holds_no_type_of_case_and_the_report_says_so(demo_store):
    """Seed 001 asks in which cases the guide was used (by indication OB3/OB4, problems, how the case came
    in); the pilot's registration holds none of these, so the report says what it cannot show instead of
    inventing a breakdown. A new field in the registration makes this test fail: then add the breakdown."""
    assert [c.name for c in schemas.SCHEMAS["pilot_casussen"].columns] == [
        "casus_id", "gemeente_code", "startdatum", "handreiking_gebruikt", "betrokkenen", "afspraken"]
    first = pilot.build("Twente", 2021, demo_store.path).question_blocks(1)[0]
    text = BeautifulSoup(first, "html.parser").get_text(" ", strip=True)
    assert text.startswith("1. Is de pilot uitgevoerd zoals beoogd?")
    assert "Voor welke casussen?" in text and "kan deze rapportage niet laten zien" in text
    assert "Twents Model (OB3 of OB4" in text
