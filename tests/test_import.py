"""Importing own data: nothing lost, nothing twice, clear errors, no identifying data."""

from pathlib import Path

import pandas as pd
import pytest

from regiekit import engine
from regiekit.data.identifying import is_bsn
from regiekit.data.importer import ImportRefused, import_file
from regiekit.data.schemas import template
from regiekit.data.store import Store
from regiekit.publish.changes import year_over_year
from regiekit.run import cli

GOLDEN = Path(__file__).parent / "data" / "ret_drenthe_2023_2024.csv"
HEADER = template("aanmeldingen").strip()
GOOD = ("RET-1;J001;05-03-2024;2024-04-02;Advies;Onderwijs;Jongen;12;Assen;Assen;nee;ASS;thuis;ja;vo;geen")


def _write(path: Path, rows: list[str], header: str = HEADER, encoding: str = "utf-8", sep: str = ";") -> Path:
    text = "\n".join([header, *rows]).replace(";", sep) + "\n"
    path.write_bytes(text.encode(encoding))
    return path


def _rejects(report) -> pd.DataFrame:
    return pd.read_csv(report.rejects_file, sep=";", dtype=str)


def test_golden_ret_drenthe_file_reproduces_the_published_figures(tmp_path):
    """Seed 002: 42 aanmeldingen in 2024 (25 in 2023), 31 boys and 11 girls, 3 with and 39 without
    verklarende analyse, 16 living at home (5 in 2023), +68% year over year."""
    report = import_file("aanmeldingen", GOLDEN, tmp_path / "processed")
    assert (report.rows_read, report.imported, report.rejected, report.unchanged) == (67, 67, 0, 0)
    store = Store.open(tmp_path / "processed")
    result = engine.compute(["aanmeldingen_aantal", "aanmeldingen_geslacht", "aanmeldingen_verklarende_analyse",
                             "aanmeldingen_verblijfsplek"], ["JZ04"], [2023, 2024], store)
    counts = result.set_index(["indicator", "period", "category"])["numerator"]
    plain = result[result["category"].isna()].set_index("period")
    assert (plain.loc[2023, "numerator"], plain.loc[2024, "numerator"]) == (25, 42)
    assert (counts["aanmeldingen_geslacht", 2024, "jongen"],
            counts["aanmeldingen_geslacht", 2024, "meisje"]) == (31, 11)
    assert counts["aanmeldingen_geslacht", 2023, "jongen"] == 13
    assert (counts["aanmeldingen_verklarende_analyse", 2024, "ja"],
            counts["aanmeldingen_verklarende_analyse", 2024, "nee"]) == (3, 39)
    assert (counts["aanmeldingen_verblijfsplek", 2024, "thuis"],
            counts["aanmeldingen_verblijfsplek", 2023, "thuis"]) == (16, 5)
    growth = year_over_year(result[result["indicator"] == "aanmeldingen_aantal"]).set_index("period")["growth_pct"]
    assert round(growth[2024]) == 68


def test_reimporting_adds_nothing_twice(tmp_path):
    import_file("aanmeldingen", GOLDEN, tmp_path / "processed")
    again = import_file("aanmeldingen", GOLDEN, tmp_path / "processed")
    assert (again.rows_read, again.imported, again.unchanged, again.rejected) == (67, 0, 67, 0)
    assert Store.open(tmp_path / "processed").manifest["tabellen"]["aanmeldingen"] == 67
    assert len(list((tmp_path / "raw" / "imports").glob("*ret_drenthe*"))) == 1  # the source is archived once


@pytest.mark.parametrize("row, reason", [
    ("RET-2;J002;05-03-2024;01-03-2024;Advies;Onderwijs;Jongen;12;Assen;Assen;nee;ASS;thuis;ja;vo;geen",
     "advies voor aanmelding"),
    ("RET-3;J003;05-03-2031;;Advies;Onderwijs;Jongen;12;Assen;Assen;nee;ASS;thuis;ja;vo;geen",
     "aanmelddatum: datum in de toekomst"),
    ("RET-4;J004;05-03-2024;;Advies;Onderwijs;Jongen;12;Atlantis;Assen;nee;ASS;thuis;ja;vo;geen",
     "gemeente_aanmelding: 'Atlantis' is geen geldige gemeente"),
    ("RET-5;J005;05-03-2024;;Advies;Onderwijs;Jongen;45;Assen;Assen;nee;ASS;thuis;ja;vo;geen",
     "leeftijd: onmogelijke waarde"),
    ("RET-6;J006;31-02-2024;;Advies;Onderwijs;Jongen;12;Assen;Assen;nee;ASS;thuis;ja;vo;geen",
     "aanmelddatum: '31-02-2024' is geen geldige datum"),
    ("RET-9;J009;;;Advies;Onderwijs;Jongen;12;Assen;Assen;nee;ASS;thuis;ja;vo;geen", "aanmelddatum: ontbreekt"),
])
def test_mistakes_are_rejected_with_their_reason_and_nothing_is_lost(tmp_path, row, reason):
    report = import_file("aanmeldingen", _write(tmp_path / "in.csv", [GOOD, row]), tmp_path / "processed")
    assert (report.rows_read, report.imported, report.rejected) == (2, 1, 1)
    rejects = _rejects(report)
    assert reason in rejects["reden_afwijzing"].iloc[0]
    assert rejects["casus_id"].iloc[0] == row.split(";")[0]   # the original row is kept as it was
    assert rejects["rij"].iloc[0] == "3"


def test_duplicate_case_ids(tmp_path):
    conflicting = GOOD.replace("Jongen", "Meisje")
    report = import_file("aanmeldingen", _write(tmp_path / "in.csv", [GOOD, GOOD, conflicting.replace("RET-1", "RET-2"),
                                                                      GOOD.replace("RET-1", "RET-2")]),
                         tmp_path / "processed")
    assert (report.rows_read, report.imported, report.rejected) == (4, 1, 3)
    reasons = _rejects(report).set_index("rij")["reden_afwijzing"]
    assert "gelijk aan rij 2" in reasons["3"]
    assert "RET-2 komt meer keren voor met verschillende inhoud" in reasons["4"]
    later = import_file("aanmeldingen", _write(tmp_path / "later.csv", [conflicting]), tmp_path / "processed")
    assert later.rejected == 1 and "al geïmporteerd met andere inhoud" in _rejects(later)["reden_afwijzing"].iloc[0]


def test_files_as_people_send_them(tmp_path):
    rows = [GOOD.replace("RET-1", f"RET-{i}") for i in range(1, 4)]
    windows = _write(tmp_path / "excel.csv", [r.replace("Onderwijs", "Gecertificeerde instelling")
                                              .replace("Assen;Assen", "Súdwest-Fryslân;Assen") for r in rows],
                     encoding="cp1252")
    assert import_file("aanmeldingen", windows, tmp_path / "a").imported == 3
    bom = _write(tmp_path / "bom.csv", rows, encoding="utf-8-sig", sep=",")
    assert import_file("aanmeldingen", bom, tmp_path / "b").imported == 3
    variants = HEADER.replace("casus_id", "Casus ID").replace("aanmelddatum", " Aanmelddatum ")
    trailing = _write(tmp_path / "trailing.csv", rows + [";" * 15, ";" * 15], header=variants)
    report = import_file("aanmeldingen", trailing, tmp_path / "c")
    assert (report.rows_read, report.imported, report.empty_rows) == (3, 3, 2)
    xlsx = tmp_path / "aanmeldingen.xlsx"
    frame = pd.read_csv(bom, dtype=str, keep_default_na=False)
    frame.assign(aanmelddatum=pd.to_datetime(frame["aanmelddatum"], dayfirst=True)).to_excel(xlsx, index=False)
    assert import_file("aanmeldingen", xlsx, tmp_path / "d").imported == 3
    stored = Store.open(tmp_path / "a").table("aanmeldingen")
    assert (set(stored["gemeente_aanmelding"]) == {"GM1900"}
            and set(stored["aanmelder"]) == {"gecertificeerde_instelling"})


def test_decimal_commas_in_numbers(tmp_path):
    header = template("casusonderzoeken").strip()
    row = "C1;J1;Assen;2023-05-01;jongen;12;bij_ouders;ja;basisschool;ja;nee;ggz;2,0;ass;4"
    report = import_file("casusonderzoeken",
                         _write(tmp_path / "c.csv", [row, row.replace("C1", "C2").replace("2,0", "2,5")],
                                header=header), tmp_path / "p")
    assert (report.imported, report.rejected) == (1, 1)
    assert "schoolwisselingen: '2,5' is geen geldige geheel getal" in _rejects(report)["reden_afwijzing"].iloc[0]


@pytest.mark.parametrize("change, message", [
    (lambda r: r.replace("J001", "jan.devries@example.nl"), "bevat een e-mailadres"),
    (lambda r: r.replace("J001", "06-12345678"), "bevat een telefoonnummer"),
    (lambda r: r.replace("J001", "111222333"), "bevat een nummer dat op een BSN lijkt"),
    (lambda r: r.replace("J001", "Jan de Vries"), "bevat een naam"),
    (lambda r: r.replace("J001", "(06) 12345678"), "bevat een telefoonnummer"),
    (lambda r: r.replace("J001", "+31 6 1234 5678"), "bevat een telefoonnummer"),
    (lambda r: r.replace("J001", "1112.22.333"), "bevat een nummer dat op een BSN lijkt"),
    (lambda r: r.replace("J001", "111 222 333"), "bevat een nummer dat op een BSN lijkt"),
    (lambda r: r.replace("J001", "Jan"), "bevat een naam"),
    (lambda r: r.replace(";Onderwijs;", ";Jan de Vries;"), "kolom aanmelder, rij 3 bevat een naam"),
    (lambda r: r.replace(";Onderwijs;", ";J. de Vries;"), "kolom aanmelder, rij 3 bevat een naam"),
    (lambda r: r.replace(";Onderwijs;", ";mevr. Bakker;"), "kolom aanmelder, rij 3 bevat een naam"),
    (lambda r: r.replace(";Onderwijs;", ";Fatima;"), "kolom aanmelder, rij 3 bevat een naam"),
])
def test_identifying_data_stops_the_import(tmp_path, change, message):
    assert is_bsn("111222333")
    path = _write(tmp_path / "in.csv", [GOOD.replace("RET-1", "RET-0"), change(GOOD)])
    with pytest.raises(ImportRefused, match=message):
        import_file("aanmeldingen", path, tmp_path / "processed")
    assert not (tmp_path / "processed" / "aanmeldingen.parquet").exists()


def test_a_teams_own_words_in_a_code_column_are_not_taken_for_names(tmp_path):
    rows = [GOOD.replace(";Onderwijs;", f";{words};").replace("RET-1", f"RET-{n}")
            for n, words in enumerate(["Wijkteam Assen", "Veilig Thuis", "MW Emmen", "De Jeugdzorgwerker"])]
    report = import_file("aanmeldingen", _write(tmp_path / "in.csv", rows), tmp_path / "p")
    assert (report.rows_read, report.imported) == (4, 4)  # imported in the team's words, not refused as names
    assert {value for (_, value) in report.unknown} == {"wijkteam_assen", "veilig_thuis", "mw_emmen",
                                                         "de_jeugdzorgwerker"}


def test_refused_files(tmp_path):
    empty = tmp_path / "e.csv"
    empty.write_text("")
    with pytest.raises(ImportRefused, match="is leeg"):
        import_file("aanmeldingen", empty, tmp_path / "p")
    with pytest.raises(ImportRefused, match="heeft geen rijen"):
        import_file("aanmeldingen", _write(tmp_path / "h.csv", []), tmp_path / "p")
    with pytest.raises(ImportRefused, match="kolom 'Naam' lijkt identificerende gegevens"):
        import_file("aanmeldingen", _write(tmp_path / "n.csv", [GOOD + ";Jan"], header=HEADER + ";Naam"),
                    tmp_path / "p")
    with pytest.raises(ImportRefused, match="onbekende kolom"):
        import_file("aanmeldingen", _write(tmp_path / "u.csv", [GOOD + ";x"], header=HEADER + ";opmerking"),
                    tmp_path / "p")
    with pytest.raises(ImportRefused, match="ontbreken"):
        import_file("aanmeldingen", _write(tmp_path / "m.csv", ["RET-1"], header="casus_id"), tmp_path / "p")


def test_cli_import_and_template(tmp_path, capsys):
    assert cli.main(["template", "aanmeldingen"]) == 0
    assert capsys.readouterr().out.strip() == HEADER
    assert cli.main(["import", "aanmeldingen", str(GOLDEN), "--data", str(tmp_path / "p")]) == 0
    assert "67 rijen gelezen: 67 geïmporteerd, 0 al eerder geïmporteerd, 0 afgewezen" in capsys.readouterr().out
    assert cli.main(["import", "aanmeldingen", str(tmp_path / "missing.csv"), "--data", str(tmp_path / "p")]) == 1
    assert "bestand bestaat niet" in capsys.readouterr().err


@pytest.mark.slow
def test_a_million_rows_stream_within_modest_memory(tmp_path):
    """A national file: read in chunks, staged on disk; the importing process stays well under 1 GB."""
    import subprocess
    import sys

    source = pd.read_csv(GOLDEN, sep=";", dtype=str, encoding="utf-8-sig")
    big = source.sample(1_000_000, replace=True, random_state=7).reset_index(drop=True)
    big["casus_id"] = [f"C{i:07d}" for i in range(len(big))]
    path = tmp_path / "landelijk.csv"
    big.to_csv(path, sep=";", index=False)
    del big
    # VmHWM is the peak of this process's own memory; ru_maxrss would inherit the (large) test runner's peak
    program = ("import re, sys; from regiekit.run.cli import main; code = main(sys.argv[1:]); "
               "status = open('/proc/self/status').read(); "
               "print('PEAK_KB', re.search(r'VmHWM:\\s+(\\d+)', status).group(1)); sys.exit(code)")
    done = subprocess.run([sys.executable, "-c", program, "import", "aanmeldingen", str(path),
                           "--data", str(tmp_path / "p"), "--niet-voorbereiden"],  # the import alone
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert "1000000 rijen gelezen: 1000000 geïmporteerd, 0 al eerder geïmporteerd, 0 afgewezen" in done.stdout
    peak_mb = int(done.stdout.split("PEAK_KB")[1].split()[0]) / 1024
    print(f"peak memory of the import: {peak_mb:.0f} MB")
    assert peak_mb < 1000


def test_a_file_where_every_row_is_invalid_is_reported_not_crashed(tmp_path, capsys):
    """No valid row at all: no crash, a summary line, every row in the rejects file with a clean reason,
    and the counts reconcile (read = imported + already imported + rejected)."""
    bad = [GOOD.replace("RET-1", f"RET-{i}").replace("2024-", "2024-13-", 1) for i in range(1, 4)]  # month 13
    path = _write(tmp_path / "alles_fout.csv", bad)
    report = import_file("aanmeldingen", path, tmp_path / "p")
    assert (report.rows_read, report.imported, report.unchanged, report.rejected) == (3, 0, 0, 3)
    reasons = _rejects(report)["reden_afwijzing"]
    assert len(reasons) == 3 and not reasons.str.startswith("nan").any() and reasons.str.contains("datum").all()
    assert cli.main(["import", "aanmeldingen", str(path), "--data", str(tmp_path / "q")]) == 0
    assert "3 rijen gelezen: 0 geïmporteerd, 0 al eerder geïmporteerd, 3 afgewezen" in capsys.readouterr().out


TEAM_ROWS = [  # a team's export in its own words: 'po', 'hechting', 'schulden', 'LVB ouder', 'angst/depressie'
    "RET-1;J001;05-03-2024;2024-04-02;Advies;Onderwijs;Jongen;9;Assen;Assen;nee;hechting;thuis;ja;po;LVB ouder",
    "RET-2;J002;06-03-2024;;RET-tafel;Gemeente;Meisje;14;Assen;Assen;ja;angst/depressie;thuis;ja;vo;schulden",
    "RET-3;J003;07-03-2024;;Advies;Ouders;Jongen;8;Aa en Hunze;Assen;nee;hechting;pleeggezin;nee;po;geen",
]


def test_a_teams_own_words_are_imported_not_thrown_away(tmp_path, capsys):
    """Seed 003's 'couleur locale': values outside the basisset are imported as the team wrote them and
    listed with their counts; a vocabulaire.yaml beside the file maps synonyms and declares own values."""
    path = _write(tmp_path / "ret.csv", TEAM_ROWS, encoding="cp1252")  # as Excel saves it on Dutch Windows
    report = import_file("aanmeldingen", path, tmp_path / "p")
    assert (report.rows_read, report.imported, report.rejected) == (3, 3, 0)
    # 'angst/depressie' is the basisset's angst_depressie in code form: not unknown
    assert report.unknown == {("problematiek_jeugdige", "hechting"): 2, ("type_onderwijs", "po"): 2,
                              ("problematiek_ouders", "lvb_ouder"): 1, ("problematiek_ouders", "schulden"): 1}
    assert "type_onderwijs: po (2)" in report.summary() and "vocabulaire.yaml" in report.summary()
    stored = Store.open(tmp_path / "p").table("aanmeldingen").set_index("casus_id")
    assert stored.loc["RET-1", "type_onderwijs"] == "po"          # kept as the team wrote it
    counted = engine.compute(["aanmeldingen_type_onderwijs"], ["JZ04"], [2024], Store.open(tmp_path / "p"))
    assert counted.set_index("category").loc["po", "numerator"] == 2   # counted under its own category
    (tmp_path / "team").mkdir()
    (tmp_path / "team" / "vocabulaire.yaml").write_text(
        "type_onderwijs:\n  synoniemen: {po: basisonderwijs}\n"
        "problematiek_jeugdige:\n  synoniemen: {angst/depressie: angst_depressie}\n  eigen: [hechting]\n"
        "problematiek_ouders:\n  synoniemen: {LVB ouder: lvb}\n", encoding="utf-8")
    path = _write(tmp_path / "team" / "ret.csv", TEAM_ROWS, encoding="cp1252")
    assert cli.main(["import", "aanmeldingen", str(path), "--data", str(tmp_path / "q")]) == 0
    out = capsys.readouterr().out
    assert "3 geïmporteerd" in out and "eigen waarden en synoniemen uit vocabulaire.yaml" in out
    assert "problematiek_ouders: schulden (1)" in out and "hechting" not in out and " po " not in out
    stored = Store.open(tmp_path / "q").table("aanmeldingen").set_index("casus_id")
    assert stored.loc["RET-1", "type_onderwijs"] == "basisonderwijs"
    assert stored.loc["RET-1", "problematiek_ouders"] == "lvb"
    assert stored.loc["RET-2", "problematiek_jeugdige"] == "angst_depressie"


@pytest.mark.parametrize("text, message", [
    ("type_onderwijs:\n  synoniemen: {po: lagere_school}\n",
     "synoniem verwijst naar onbekende waarde(n) lagere_school"),
    ("schoenmaat:\n  eigen: [43]\n", "schoenmaat is geen veld met vaste waarden"),
    ("type_onderwijs:\n  anders: [x]\n", "per veld alleen 'synoniemen'"),
])
def test_a_wrong_vocabulary_is_refused_with_its_reason(tmp_path, text, message):
    (tmp_path / "vocabulaire.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(ImportRefused, match=message.replace("(", r"\(").replace(")", r"\)")):
        import_file("aanmeldingen", _write(tmp_path / "ret.csv", TEAM_ROWS), tmp_path / "p")
    assert not (tmp_path / "p" / "aanmeldingen.parquet").exists()     # nothing half-written


def test_records_the_engine_interprets_accept_the_basisset_only(tmp_path):
    header = template("trajecten").strip()
    row = "T1;J1;man;2010-01-01;GM0106;A1;{zorgvorm};huisarts;2024-01-01;;"  # zorgvorm drives the engine
    rows = [row.format(zorgvorm="zonder_verblijf"), row.format(zorgvorm="knuffelzorg").replace("T1", "T2")]
    report = import_file("trajecten", _write(tmp_path / "t.csv", rows, header=header), tmp_path / "p")
    assert (report.imported, report.rejected) == (1, 1)
    assert "zorgvorm: onbekende waarde" in _rejects(report)["reden_afwijzing"].iloc[0]


def test_template_writes_a_starting_vocabulary(tmp_path):
    out = tmp_path / "vocabulaire.yaml"
    assert cli.main(["template", "aanmeldingen", "--vocabulaire", "--out", str(out)]) == 0
    import yaml
    data = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert set(data) >= {"type_onderwijs", "problematiek_jeugdige", "verblijfsplek"}
    assert data["type_onderwijs"] == {"synoniemen": {}, "eigen": []}
    assert "basisonderwijs" in out.read_text(encoding="utf-8")     # the basisset, as a comment
    import_file("aanmeldingen", _write(tmp_path / "ret.csv", TEAM_ROWS), tmp_path / "p")  # the empty start is valid


def test_reports_name_the_imported_file_and_call_only_synthetic_data_synthetic(demo_store, tmp_path):
    """A store holding both: the demo's synthetic trajecten and a team's imported registrations. Every
    number says which of the two it came from, and the monitor of the registrations is not 'demodata'."""
    import shutil

    from regiekit.publish import published
    from regiekit.reports import monitor

    shutil.copytree(demo_store.path, tmp_path / "p")
    import_file("aanmeldingen", GOLDEN, tmp_path / "p")
    store = Store.open(tmp_path / "p")
    assert store.describe("aanmeldingen").startswith("eigen registratie (ret_drenthe_2023_2024.csv, geïmporteerd ")
    assert store.describe("trajecten") == "synthetische demodata"
    table = published.table(["aanmeldingen_aantal", "jeugdhulp_pct"], store, periods=[2024])
    sources = table.groupby("indicator")["source"].first()
    assert sources["jeugdhulp_pct"] == "synthetische demodata"
    assert sources["aanmeldingen_aantal"] == store.describe("aanmeldingen")
    report = monitor.build("JZ04", 2024, tmp_path / "p")   # its JeugdzorgPlus figures are still the demo's
    assert "deels synthetische demodata" in report.heading_markdown()
    source = report.source_markdown()
    assert "aanmeldingen: eigen registratie (ret_drenthe_2023_2024.csv, geïmporteerd " in source
    assert "plaatsingen: synthetische demodata" in source
    shutil.copytree(demo_store.path, tmp_path / "q")          # nothing imported: the demo says so, as before
    assert monitor.build("JZ04", 2024, tmp_path / "q").source_markdown().startswith(
        "Bron: synthetische demodata van regiekit.")


@pytest.mark.parametrize("value, reason", [
    ("01-01-1850", "aanmelddatum: datum vóór 1900"),
    ("1e1", "leeftijd: '1e1' is geen geldige geheel getal"),
    ("inf", "leeftijd: 'inf' is geen geldige geheel getal"),
    ("J\x00001", "jeugdige_id: 'J\x00001' is geen geldige code"),
])
def test_values_no_registration_holds_are_rejected_with_their_reason(tmp_path, value, reason):
    row = (GOOD.replace("05-03-2024", value) if "18" in value else GOOD.replace(";12;", f";{value};")
           if value in ("1e1", "inf") else GOOD.replace("J001", value))
    report = import_file("aanmeldingen", _write(tmp_path / "in.csv", [GOOD.replace("RET-1", "RET-0"), row]),
                         tmp_path / "processed")
    assert (report.rows_read, report.imported, report.rejected) == (2, 1, 1)
    assert reason in _rejects(report)["reden_afwijzing"].iloc[0]


def test_broken_files_get_one_line_and_nothing_is_imported(tmp_path):
    zero = tmp_path / "leeg.xlsx"
    zero.write_bytes(b"")
    garbage = tmp_path / "kapot.xlsx"
    garbage.write_bytes(b"PK\x03\x04 dit is geen werkmap" * 10)
    renamed = _write(tmp_path / "eigenlijk_csv.xlsx", [GOOD])
    folder = tmp_path / "map.csv"
    folder.mkdir()
    long = _write(tmp_path / "lang.csv", [GOOD.replace("Advies", "a" * 5_000_000)])
    utf16_plain = tmp_path / "utf16.csv"
    utf16_plain.write_bytes("\n".join([HEADER, GOOD]).encode("utf-16-le"))
    for path, message in ((zero, "is leeg"), (garbage, "geen leesbaar Excel-bestand"),
                          (renamed, "geen leesbaar Excel-bestand"), (folder, "is een map"),
                          (long, "langer dan 1000 tekens"), (utf16_plain, "UTF-16")):
        with pytest.raises(ImportRefused, match=message) as refused:
            import_file("aanmeldingen", path, tmp_path / "processed")
        assert "\n" not in str(refused.value)
    assert not (tmp_path / "processed" / "aanmeldingen.parquet").exists()
    assert not (tmp_path / "raw").exists()  # a refused file is not archived


def test_utf16_with_its_mark_is_read(tmp_path):
    path = tmp_path / "unicode.csv"
    path.write_bytes("\n".join([HEADER, GOOD]).encode("utf-16"))
    assert import_file("aanmeldingen", path, tmp_path / "processed").imported == 1


def test_every_sheet_with_the_header_is_imported_or_the_sheets_are_named(tmp_path):
    frame = pd.read_csv(_write(tmp_path / "a.csv", [GOOD, GOOD.replace("RET-1", "RET-2")]), sep=";", dtype=str)
    two = tmp_path / "twee.xlsx"
    with pd.ExcelWriter(two) as writer:
        frame.iloc[:1].to_excel(writer, sheet_name="2023", index=False)
        frame.iloc[1:].to_excel(writer, sheet_name="2024", index=False)
    assert import_file("aanmeldingen", two, tmp_path / "p").imported == 2
    bad = frame.assign(leeftijd=["12", "45"])  # the second row, the first on sheet 2024, is rejected
    with pd.ExcelWriter(tmp_path / "fout.xlsx") as writer:
        bad.iloc[:1].to_excel(writer, sheet_name="2023", index=False)
        bad.iloc[1:].to_excel(writer, sheet_name="2024", index=False)
    report = import_file("aanmeldingen", tmp_path / "fout.xlsx", tmp_path / "r")
    rejects = _rejects(report)
    assert (report.imported, report.rejected) == (1, 1)
    assert rejects[["tabblad", "rij"]].values.tolist() == [["2024", "2"]]  # where the user finds it
    mixed = tmp_path / "gemengd.xlsx"
    with pd.ExcelWriter(mixed) as writer:
        frame.to_excel(writer, sheet_name="aanmeldingen", index=False)
        pd.DataFrame({"notitie": ["iets"]}).to_excel(writer, sheet_name="notities", index=False)
    with pytest.raises(ImportRefused, match="aanmeldingen, notities"):
        import_file("aanmeldingen", mixed, tmp_path / "q")
