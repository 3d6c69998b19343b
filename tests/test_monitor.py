"""The expert-team monitor (seed 002): this year against last year, the team's own text, disclosure
control, and the real notebook through the runner."""

import pandas as pd
import pytest

from regiekit import engine
from regiekit.indicators.definitions import load_catalogue
from regiekit.publish import disclosure
from regiekit.reports import monitor
from regiekit.reports.registry import ReportError
from regiekit.run import batch, cli

from .conftest import raw_codes


@pytest.fixture(scope="module")
def drenthe(demo_store):
    return monitor.build("JZ04", 2024, demo_store.path)


def test_kerncijfers_show_this_year_against_last_year(drenthe, demo_store):
    exact = engine.compute(["aanmeldingen_aantal"], ["JZ04"], [2023, 2024], demo_store).set_index("period")["value"]
    shown = drenthe.published
    counts = shown[(shown["indicator"] == "aanmeldingen_aantal")].set_index("period")
    for year in (2023, 2024):  # the case-monitor regime: exact counts, as the teams publish them
        assert counts.loc[year, "value"] == exact[year] and counts.loc[year, "markering"] == ""
    assert drenthe.rules.regime == "casusmonitor"
    table = drenthe.kerncijfers_html()
    assert "<th>2023</th><th>2024</th><th>verandering</th>" in table
    growth = round((counts.loc[2024, "value"] / counts.loc[2023, "value"] - 1) * 100)
    assert f"{'+' if growth > 0 else ''}{growth}%" in table  # the change between the published numbers
    assert "binnen de norm van zes weken" in drenthe.norm_markdown()


def test_each_chart_axis_names_what_its_breakdown_counts(drenthe):
    axis = {title: drenthe.breakdown_figure(title).axes[0].get_xlabel() for title in
            ("Soort vraag", "JeugdzorgPlus: soort machtiging", "Servicepunt: waarom geen plaatsing")}
    assert axis == {"Soort vraag": "aantal aanmeldingen", "JeugdzorgPlus: soort machtiging": "aantal plaatsingen",
                    "Servicepunt: waarom geen plaatsing": "aantal besprekingen"}


def test_every_change_is_the_difference_of_the_two_numbers_shown(drenthe):
    import re

    def number(text):
        return float(re.sub(r"[^\d,+-]", "", text).replace(",", "."))

    checked = 0
    for row in re.findall(r"<tr data-indicator=[^>]*>(.*?)</tr>", drenthe.kerncijfers_html()):
        old, new, change = re.findall(r'<td class="num">([^<]*)</td>', row)[-3:]
        if "procentpunt" in change:  # 56% and 65% make +9 procentpunt, not the +10 of unrounded shares
            assert number(change) == pytest.approx(number(new) - number(old)), row
            checked += 1
        elif change.endswith("%"):
            assert number(change) == round((number(new) / number(old) - 1) * 100), row
            checked += 1
    assert checked >= 5


def test_breakdowns_cover_every_registration_field(drenthe):
    fields = {load_catalogue()[i].by for i in monitor.BREAKDOWNS.values()}
    assert {"soort_vraag", "aanmelder", "geslacht", "leeftijdsklasse", "verklarende_analyse", "problematiek_jeugdige",
            "problematiek_ouders", "verblijfsplek", "problemen_school", "type_onderwijs", "machtiging"} <= fields
    html = drenthe.breakdown_html("Problematiek van de jeugdige")
    assert "meerdere antwoorden mogelijk" in html
    ages = drenthe.breakdown_html("Leeftijd")
    assert ages.index(">4-12<") < ages.index(">12-18<") < ages.index(">18-23<")


def test_every_category_reads_in_words_not_codes(drenthe):
    """Row labels come from the vocabulary's labels: 'RET-tafel', 'ADHD', 'angst/depressie', never the
    codes ('ret tafel', 'adhd', 'angst_depressie')."""
    import re

    from regiekit.data import vocabulary

    page = "".join(drenthe.breakdown_html(title) for title in monitor.BREAKDOWNS)
    labels = re.findall(r'<th scope="row" style="text-align:left">([^<]*)</th>', page)
    assert {"RET-tafel", "ADHD", "ASS", "angst/depressie", "LVB"} <= set(labels)
    assert not {"ret tafel", "adhd", "ass", "angst depressie", "lvb"} & set(labels)
    assert not any("_" in text for text in labels)
    assert vocabulary.label("stap1_signaleren") == "stap 1: signaleren"
    assert vocabulary.label("jeugdbescherming+jeugdhulp") == "jeugdbescherming en jeugdhulp"


def test_nothing_small_is_published_and_the_audit_passes(drenthe, demo_store):
    """The case-monitor regime: a count of 1 or 2 is shown as '<3' (never its value; a count of missing
    answers is the form's and shown exactly), and no such cell can be pinned to one value from the rest of
    the report (the audit, with the '<3' bounds)."""
    shown = drenthe.published
    assert shown.loc[shown["markering"] == "geheim (onthullingscontrole)", "value"].isna().all()
    counts = drenthe.results[drenthe.results["unit"] == "count"]
    small = counts[(counts["numerator"] > 0) & (counts["numerator"] < 3) & (counts["category"] != "onbekend")]
    assert not small.empty and small["status"].isin(["klein", "geheim"]).all() and small["published"].isna().all()
    from regiekit.publish import published

    rules = disclosure.Rules.load(None, "monitor")
    table = published.table(monitor.indicator_ids(), demo_store, rules, False, monitor.LEVELS, [2023, 2024])
    assert disclosure.audit(table, rules).query("not safe").empty
    shown_small = table[(table["status"] == "klein") & (table["period"] == 2024) & table["category"].notna()]
    assert set(shown_small["value"]) <= {1, 2} and shown_small["published"].isna().all()
    region = monitor.build(shown_small["region_code"].iloc[0], 2024, demo_store.path)
    assert "&lt;3" in "".join(region.breakdown_html(title) for title in monitor.BREAKDOWNS)
    assert "staan er als '<3' (minder dan 3)" in region.disclosure_markdown()
    # the safeguard: publish one '<3' cell's neighbours in full and the audit catches the recoverable cell
    klein = table[(table["status"] == "klein") & (table["category"].notna())].iloc[0]
    same = (table["indicator"] == klein["indicator"]) & (table["region_code"] == klein["region_code"]) & (
        table["period"] == klein["period"])
    leaky = table.copy()
    others = same & (leaky.index != klein.name)
    leaky.loc[others, "published"] = leaky.loc[others, "value"]
    leaky.loc[others, "status"] = ""
    assert not disclosure.audit(leaky, rules).query("not safe").empty


def test_team_text_is_read_from_a_file_and_empty_slots_say_so(tmp_path, demo_store):
    texts = tmp_path / "teksten.md"
    texts.write_text("## Rode draden\n\n- De verklarende analyse werkt, maar kost tijd.\n\n## Wat te doen in 2025\n\n"
                     "- Aanpalende domeinen aansluiten.\n", encoding="utf-8")
    built = monitor.build("JZ04", 2024, demo_store.path, texts)
    text = built.texts_html()
    assert "<h2>Wat zeggen de cijfers niet?</h2>\n<p><em>Nog in te vullen door het expertteam.</em></p>" in text
    assert "<h2>Rode draden</h2>\n<ul>\n<li>De verklarende analyse werkt, maar kost tijd.</li>" in text
    assert text.index("Rode draden") < text.index("Wat te doen in 2025")


def test_the_monitor_is_made_per_jeugdregio(demo_store, capsys, tmp_path):
    with pytest.raises(ReportError,
                       match="De monitor van het expertteam wordt gemaakt per jeugdregio of voor Nederland"):
        monitor.build("Assen", 2024, demo_store.path)
    assert cli.main(["run", "monitor", "--region", "Assen", "--data", str(demo_store.path),
                     "--out", str(tmp_path / "out")]) == 1
    assert ("regiekit: fout: De monitor van het expertteam wordt gemaakt per jeugdregio of voor Nederland, "
            "niet voor gemeente Assen") in capsys.readouterr().err


PAYLOADS = ["<script>alert('s')</script>", "<img src=x onerror=alert('i')>", "[klik](javascript:alert('j'))",
            "<iframe src='https://evil.example/'></iframe>", "<style>body{display:none}</style>",
            "<a href='#' onclick=\"alert('c')\">a</a>", "![teller](https://tracker.example/pixel.gif)",
            "<img src='https://tracker.example/p2.gif'>"]


def _tags(page: str) -> list[tuple[str, list]]:
    """Every element of an HTML fragment with its attributes, as a browser's parser sees them."""
    from html.parser import HTMLParser

    found = []

    class Collect(HTMLParser):
        def handle_starttag(self, tag, attrs):
            found.append((tag, attrs))

    Collect().feed(page)
    return found


def test_monitor_notebook_runs_through_the_runner(demo_store, tmp_path):
    """Also: a team's text with script, event handlers, frames, styles, javascript: links and tracking
    images appears as harmless text; the report runs nothing and loads nothing from elsewhere."""
    texts = tmp_path / "teksten.md"
    texts.write_text("## Wat zeggen de cijfers niet?\n\nOuders voelen zich niet altijd gehoord.\n\n"
                     + "\n\n".join(PAYLOADS) + "\n\n[Envedder](https://www.envedder.nl)\n", encoding="utf-8")
    out = tmp_path / "out"
    result = batch.run_batch("monitor", ["JZ04", "Twente"], periods=["2024"], out_dir=out, data_dir=demo_store.path,
                             jobs=2, pdf=False, texts_file=texts, progress=False)
    assert [r["status"] for r in result.records] == ["gemaakt", "gemaakt"]
    html = (out / "monitor_JZ04_2024.html").read_text(encoding="utf-8")
    assert "Monitor expertteam jeugdregio Drenthe, 2024" in html and "Ouders voelen zich niet altijd gehoord." in html
    assert "Traceback" not in html and "monitor.build(" not in html
    assert raw_codes(html) == set()  # every category in its Dutch label, in tables, captions and text
    assert raw_codes(html.replace("RET-tafel", "ret_tafel", 1)) == {"ret_tafel"}  # and the check sees a code
    body = html.split("<h2>Wat zeggen de cijfers niet?</h2>")[1].split("<h2>Rode draden</h2>")[0]
    tags = _tags(body)
    assert not {t for t, _ in tags} & {"script", "img", "iframe", "style", "object", "embed"}
    assert not [a for _, attrs in tags for a, v in attrs if a.startswith("on") or "javascript:" in (v or "")]
    assert "&lt;script&gt;alert" in body and '<a href="https://www.envedder.nl" rel="noopener noreferrer">' in body
    assert not any(f'src="{s}' in html for s in ("http:", "https:", "//"))  # nothing loaded from elsewhere
    csv = pd.read_csv(out / "monitor_JZ14_2024.csv")
    assert set(csv["part"]) == {"kerncijfers", "uitsplitsing"} and set(csv["region_code"]) == {"JZ14"}


@pytest.mark.slow
def test_the_published_ret_drenthe_figures_from_the_teams_own_files(tmp_path):
    """Seed 002 from the registrations behind it: a store holding only the team's three files (RET
    aanmeldingen, JeugdzorgPlus placements, youths discussed at the Servicepunt) makes the monitor for
    Drenthe 2024 with the figures the team published, in the HTML and the CSV, named as the team's own
    registration."""
    from pathlib import Path

    from regiekit.data.importer import import_file

    data = Path(__file__).parent / "data"
    import_file("aanmeldingen", data / "ret_drenthe_2023_2024.csv", tmp_path / "p")
    import_file("plaatsingen", data / "jeugdzorgplus_drenthe_2023_2024.csv", tmp_path / "p")
    import_file("servicepunt", data / "servicepunt_drenthe_2023_2024.csv", tmp_path / "p")
    out = tmp_path / "out"
    assert cli.main(["run", "monitor", "--region", "Drenthe", "--period", "2024", "--data", str(tmp_path / "p"),
                     "--out", str(out), "--no-pdf", "--quiet"]) == 0
    csv = pd.read_csv(out / "monitor_JZ04_2024.csv")
    jz = csv[csv["region_code"] == "JZ04"]
    value = jz.set_index(["indicator", "period", jz["category"].fillna("")])["value"]
    assert (value["aanmeldingen_aantal", 2024, ""], value["aanmeldingen_aantal", 2023, ""]) == (42, 25)
    assert (value["aanmeldingen_geslacht", 2024, "jongen"], value["aanmeldingen_geslacht", 2024, "meisje"]) == (31, 11)
    assert value["aanmeldingen_geslacht", 2023, "jongen"] == 13
    assert (value["aanmeldingen_verklarende_analyse", 2024, "ja"],
            value["aanmeldingen_verklarende_analyse", 2024, "nee"]) == (3, 39)
    assert (value["aanmeldingen_verblijfsplek", 2024, "thuis"], value["aanmeldingen_verblijfsplek", 2023, "thuis"]) == \
        (16, 5)
    assert (value["jeugdzorgplus_jongeren", 2024, ""], value["jeugdzorgplus_peildatum", 2024, ""]) == (13, 5)
    assert round(value["jeugdzorgplus_verblijfsduur", 2024, ""], 1) == 3.9
    servicepunt = jz[(jz["indicator"] == "jeugdzorgplus_via_servicepunt") & (jz["period"] == 2024)].iloc[0]
    assert pd.isna(servicepunt["value"]) and servicepunt["markering"] == "minder dan 3"   # 2 of 13, never as 2
    # the Servicepunt: 8 Drentse youths discussed in 2024, none of them placed
    assert (value["servicepunt_besproken", 2024, ""], value["servicepunt_geen_plaatsing", 2024, ""]) == (8, 8)
    assert jz["source"].str.startswith("eigen registratie (").all()
    html = (out / "monitor_JZ04_2024.html").read_text(encoding="utf-8")
    for text in (">42<", ">25<", "+68%", ">31<", ">11<", ">39<", ">16<", ">13<", "3,9 maanden", "&lt;3"):
        assert text in html, text
    assert "Besproken bij het Servicepunt" in html and "niet geplaatst" in html
    assert "synthetische demodata" not in html and "ret_drenthe_2023_2024.csv" in html
    assert "Aanmeldende gemeente" in html and "Financieel verantwoordelijke gemeente" in html and ">Assen<" in html
