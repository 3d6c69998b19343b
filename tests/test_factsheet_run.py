"""End to end: the real factsheet notebook through papermill and nbconvert, and the CLI errors."""

import re
from html.parser import HTMLParser

import pandas as pd
import pytest

from regiekit import engine, formatting
from regiekit.indicators.definitions import load_catalogue
from regiekit.run import cli


class _TableCells(HTMLParser):
    """Collects the shown values (``<span class="waarde">``) of each <tr data-indicator=...> row."""

    def __init__(self):
        super().__init__()
        self.rows, self._row, self._in_value = {}, None, False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "tr" and "data-indicator" in attrs:
            self._row = self.rows.setdefault(attrs["data-indicator"], [])
        elif tag == "span" and attrs.get("class") == "waarde" and self._row is not None:
            self._in_value = True
            self._row.append("")

    def handle_endtag(self, tag):
        if tag == "span":
            self._in_value = False
        elif tag == "tr":
            self._row = None

    def handle_data(self, data):
        if self._in_value:
            self._row[-1] += data


def test_run_writes_html_csv_and_executed_notebook(assen):
    assert sorted(p.name for p in assen.iterdir() if not p.name.startswith(".")) == [
        f"factsheet_GM0106_2024.{ext}" for ext in ("csv", "html", "ipynb", "json", "pdf", "xlsx")
    ] + ["index.html", "manifest.json"]
    assert (assen / "factsheet_GM0106_2024.pdf").read_bytes().startswith(b"%PDF")
    excel = pd.read_excel(assen / "factsheet_GM0106_2024.xlsx")
    assert excel.shape == pd.read_csv(assen / "factsheet_GM0106_2024.csv").shape
    html = (assen / "factsheet_GM0106_2024.html").read_text(encoding="utf-8")
    assert "Factsheet jeugdhulp gemeente Assen, 2024" in html
    assert "synthetische demodata" in html
    charts = len(re.findall(r'<img[^>]*src="data:image/png;base64', html))  # trend, funnel and map
    assert charts == 3  # offline, nothing downloaded: the map from the packaged boundaries
    assert 'alt="Kaart: jongeren met jeugdhulp per gemeente in jeugdregio Drenthe, 2024' in html
    assert "Kaartgrenzen: CBS-gebiedsindelingen (CBS, Kadaster; CC BY 4.0)" in html
    assert "factsheet.build(" not in html            # no code cells
    assert "Traceback" not in html
    assert "Wat zegt deze factsheet ons?" in html and "t.o.v. rest van Nederland" in html
    assert "Onthullingscontrole." in html and "Aantallen van 1 tot en met 9 worden niet gepubliceerd" in html


def test_numbers_in_html_equal_csv_and_the_api(assen, demo_store):
    html = (assen / "factsheet_GM0106_2024.html").read_text(encoding="utf-8")
    csv = pd.read_csv(assen / "factsheet_GM0106_2024.csv")
    catalogue = load_catalogue()
    kern = [i.id for i in catalogue.select(tag="kernindicator")]
    table = csv[csv["part"] == "tabel"]
    assert set(csv["source"]) == {"synthetische demodata"}
    parser = _TableCells()
    parser.feed(html)
    assert set(parser.rows) == set(kern)
    columns = ["GM0106", "JZ04", "PV22", "GK03", "NL01"]  # Assen beside its regions and gemeenten of its size
    api = engine.compute(kern, columns, [2024], demo_store).set_index(["indicator", "region_code"])
    shown_rounded = 0
    for ident, cells in parser.rows.items():
        ind = catalogue[ident]
        for code, cell in zip(columns, cells, strict=True):
            row = table[(table["indicator"] == ident) & (table["region_code"] == code)].iloc[0]
            exact = float(api.loc[(ident, code), "value"])
            if row["markering"] == "geheim (onthullingscontrole)":
                assert cell == "x" and pd.isna(row["value"])
                continue
            assert cell == formatting.value(row["value"], ind.unit, ind.decimals)
            if ind.unit == "count":  # CBS-style: counts rounded to fives
                assert row["markering"] == "afgerond op 5" and row["value"] == 5 * round(exact / 5)
                shown_rounded += 1
            else:
                assert row["value"] == round(exact, ind.decimals)
                assert row["ci_low"] <= row["value"] <= row["ci_high"]
    assert shown_rounded == len(columns)
    # the funnel plot: every gemeente, suppressed ones without a value
    spread = csv[csv["part"] == "spreiding"]
    assert len(spread) == 342 and set(spread["indicator"]) == {"jeugdhulp_pct"}
    assert spread.loc[spread["markering"].fillna("").str.startswith("geheim"), "value"].isna().all()
    # the trend chart's numbers in the CSV are the API's, rounded
    trend = csv[(csv["part"] == "grafiek") & (csv["indicator"] == "jeugdhulp_pct") & (csv["region_code"] == "GM0106")]
    api_trend = engine.compute(["jeugdhulp_pct"], ["GM0106"], range(2015, 2024), demo_store)
    assert list(trend["value"]) == [round(v, 1) for v in api_trend["value"]]
    # and the Dutch sentences quote the same figure
    jh = table[(table["indicator"] == "jeugdhulp_pct") & (table["region_code"] == "GM0106")]["value"].iloc[0]
    assert re.search(rf"Jongeren met jeugdhulp</strong> \(0 tot 18 jaar\): Het percentage jongeren met jeugdhulp "
                     r"(stijgt|daalt) van [0-9,]+% in 2023 naar "
                     rf"{re.escape(formatting.value(jh, 'percent', 1))} in 2024",
                     html)


@pytest.mark.parametrize("region, period, message", [
    ("Asen", "2024", "onbekende regio 'Asen'; bedoelt u: gemeente Assen (GM0106)"),
    ("Assen", "2031", "geen gegevens voor 2031; de gegevens lopen van 2015 tot en met 2024"),
    ("Assen", "2014", "geen gegevens voor 2014"),
    ("Assen", "vorig jaar",
     "een periode is een jaar zoals 2024, een reeks jaren zoals 2021-2023 of 'latest', niet 'vorig jaar'"),
])
def test_bad_input_gives_one_line_and_no_output(demo_store, tmp_path, capsys, region, period, message):
    out = tmp_path / "out"
    code = cli.main(["run", "factsheet", "--region", region, "--period", period, "--out", str(out),
                     "--data", str(demo_store.path)])
    err = capsys.readouterr().err
    assert code == 1
    assert message in err and err.count("\n") == 1
    assert not out.exists() or not any(out.iterdir())


def test_unwritable_output_folder(demo_store, tmp_path, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    code = cli.main(["run", "factsheet", "--region", "GM0106", "--period", "2024", "--out", str(blocker / "out"),
                     "--data", str(demo_store.path)])
    assert code == 1
    assert "kan niet schrijven in de uitvoermap" in capsys.readouterr().err
    assert blocker.read_text() == "not a folder"


def test_missing_store_is_explained(tmp_path, capsys):
    assert cli.main(["run", "factsheet", "--region", "GM0106", "--period", "2024", "--data", str(tmp_path)]) == 1
    assert "geen verwerkte gegevens in" in capsys.readouterr().err


def test_list_commands(capsys):
    assert cli.main(["regions", "list", "--level", "jeugdregio"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 42 and lines[3] == "JZ04\tjeugdregio\tDrenthe"
    assert cli.main(["indicators", "list"]) == 0
    assert "jeugdhulp_pct\tcbs_jeugd\tpercent\t0-18\tJongeren met jeugdhulp" in capsys.readouterr().out


def test_a_broken_store_is_reported_and_leaves_no_output(demo_store, tmp_path, capsys):
    broken = tmp_path / "broken"
    broken.mkdir()
    for item in demo_store.path.iterdir():
        if item.name not in ("trajecten.parquet", "gepubliceerd"):
            (broken / item.name).symlink_to(item)
    out = tmp_path / "out"
    code = cli.main(["run", "factsheet", "--region", "GM0106", "--period", "2024", "--out", str(out),
                     "--data", str(broken)])
    assert code == 1
    err = capsys.readouterr().err
    assert "missen trajecten.parquet" in err and err.count("\n") == 1
    assert not [p for p in out.iterdir() if p.name.startswith("factsheet_")]


def test_indicator_commands(capsys, tmp_path):
    assert cli.main(["indicators", "list", "--family", "ret_monitor", "--source", "aanmeldingen"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines and all("\tret_monitor\t" in line for line in lines)
    assert cli.main(["indicators", "show", "herhaald_beroep_pct"]) == 0
    assert "maanden: 12" in capsys.readouterr().out
    assert cli.main(["indicators", "show", "bestaat_niet"]) == 1
    assert "onbekende indicator(en): bestaat_niet" in capsys.readouterr().err
    own = tmp_path / "eigen.yaml"
    own.write_text("family: eigen\nindicators:\n  - id: x\n    label: X\n", encoding="utf-8")
    assert cli.main(["indicators", "check", str(own)]) == 1
    assert "eigen.yaml: indicator x" in capsys.readouterr().err


def _pdf_words(pdf) -> tuple[float, list[tuple[str, float]]]:
    """Page width and (word, right edge) of the first page, from the PDF's own text positions."""
    import re
    import subprocess

    text = subprocess.run(["pdftotext", "-f", "1", "-l", "1", "-bbox", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    width = float(re.search(r'<page width="([\d.]+)"', text)[1])
    return width, [(w, float(x)) for x, w in re.findall(r'xMax="([\d.]+)"[^>]*>([^<]*)</word>', text)]


def test_the_printed_table_fits_the_page(assen, tmp_path):
    """The kerncijfers table of the PDF has every column on the page (the last is 'Ontwikkeling') and
    no word beyond the right margin; printed without the report's print stylesheet, it does not."""
    from regiekit.run import runner

    width, words = _pdf_words(assen / "factsheet_GM0106_2024.pdf")
    assert "Ontwikkeling" in {w for w, _ in words}
    assert max(x for _, x in words) <= width - 20
    plain = tmp_path / "zonder_printstijl.html"
    plain.write_text((assen / "factsheet_GM0106_2024.html").read_text(encoding="utf-8").replace(runner.PRINT_CSS, ""),
                     encoding="utf-8")
    runner.print_pdf(plain, tmp_path / "zonder.pdf", runner.chromium())
    width, words = _pdf_words(tmp_path / "zonder.pdf")
    assert "Ontwikkeling" not in {w for w, _ in words} or max(x for _, x in words) > width - 20
