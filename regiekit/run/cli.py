"""The ``regiekit`` command line."""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path

from regiekit import formatting, project
from regiekit.data.schemas import SCHEMAS
from regiekit.data.store import Store
from regiekit.data.synth import DEFAULT_SEED
from regiekit.engine import SOURCES, backends
from regiekit.errors import RegiekitError
from regiekit.reference.regions import LEVELS
from regiekit.reports import registry

DEMO_REGIONS = ("JZ04", "GM0106", "PV22", "NL01")
DEMO_PERIOD = 2024


def _demo(args) -> int:
    from regiekit.data import statline, store, synth
    from regiekit.reports import maps
    from regiekit.run import statline_demo
    from regiekit.run.batch import run_batch

    raw = Path(args.raw or project.default_raw_dir() / "demo")
    print(f"Synthetische demodata maken in {raw} (seed {args.seed}) ...", flush=True)
    rows = synth.generate(raw, args.seed)
    print("  " + ", ".join(f"{k}: {formatting.number(v)} rijen" for k, v in rows.items()))
    processed = store.build(raw, args.data, source={"bron": "synthetisch", "seed": args.seed})
    print(f"Verwerkte gegevens in {processed}")
    for folder in statline_demo.write(store.Store.open(processed), raw):
        snapshot = statline.cells(folder)
        statline.store_cells(snapshot, processed)
        print(f"Synthetische StatLine-kopie ({folder.name}, in de vorm van CBS): "
              f"{formatting.number(len(snapshot))} cijfers")
    print(maps.ensure()[1])
    out = Path(args.out or project.default_output_dir() / "demo")
    results = [run_batch("factsheet", list(DEMO_REGIONS), periods=[str(DEMO_PERIOD)], out_dir=out,
                         data_dir=processed, jobs=2),
               run_batch("factsheet", ["GM0106", "JZ04"], periods=[str(DEMO_PERIOD)], out_dir=out / "cbs",
                         data_dir=processed, bron="cbs", jobs=2),
               run_batch("monitor", ["JZ04"], periods=[str(DEMO_PERIOD)], out_dir=out / "monitor", data_dir=processed)]
    for result in results:
        for record in result.records:
            made = [name for name in record["bestanden"] if name.endswith(".html")]
            print(result.out / made[0] if made else f"{record['regio']}: {record['fout']}")
        print(result.summary())
    _prepare(store.Store.open(processed))
    return 1 if any(r.failed for r in results) else 0


def _prepare(data: Store) -> None:
    """Compute the published tables of every report now, so the first report of each kind appears in
    seconds (the whole-store work of disclosure control, once per state of the data)."""
    print("Gepubliceerde cijfers van elk rapport alvast berekenen en beveiligen (eenmalig na nieuwe gegevens) ...",
          flush=True)
    outcome = registry.prepare_all(data, progress=True)
    ready = [name for name, why in outcome.items() if why is None]
    print(f"Klaar voor een eerste rapport binnen seconden: {', '.join(ready) or 'geen'}"
          + "".join(f"; {name}: {why}" for name, why in outcome.items() if why is not None))


def _voorbereiden(args) -> int:
    _prepare(Store.open(args.data))
    return 0


def _init(args) -> int:
    made = project.init(args.folder)
    root = Path(args.folder).expanduser().resolve()
    print(f"Projectmap {root}: " + (f"{len(made)} mappen en bestanden gemaakt" if made else "was al compleet"))
    for path in made:
        print(f"  {path.relative_to(root)}")
    print(f"Verder met: cd {root} && regiekit demo")
    return 0


def _run(args) -> int:
    from regiekit.run.batch import run_batch

    if args.engine:
        os.environ["REGIEKIT_ENGINE"] = args.engine  # the batch and the report kernels it starts
    result = run_batch(args.report, args.region, args.level, args.period, args.out, args.data, args.jobs,
                       args.force, not args.no_pdf, args.intern, args.regels, args.oordelen, args.teksten,
                       progress=not args.quiet, cluster=args.dask, bron=args.bron)
    print(result.summary())
    return 1 if result.failed else 0


def _import(args) -> int:
    from regiekit.data.importer import import_file

    report = import_file(args.kind, args.file, args.data, vocabulary=args.vocabulaire)
    print(report.summary())
    if report.imported and not args.niet_voorbereiden:  # the store changed: the cached tables no longer apply
        _prepare(Store.open(report.store_path))
    return 0


def _import_template(args) -> int:
    from regiekit.data import team_vocabulary
    from regiekit.data.schemas import template

    text = team_vocabulary.template(args.kind) if args.vocabulaire else template(args.kind)
    if args.out:
        encoding = "utf-8" if args.vocabulaire else "utf-8-sig"  # Excel opens a BOM'd UTF-8 CSV correctly
        Path(args.out).write_text(text, encoding=encoding)
        print(args.out)
    else:
        print(text, end="")
    return 0


def _fetch(args) -> int:
    from regiekit.data import statline
    from regiekit.reports import maps

    if args.source == "grenzen":
        for level in args.tables or ["gemeente"]:
            print(f"{level}: {maps.fetch(level, folder=args.raw and Path(args.raw) / 'grenzen')}")
        return 0
    from regiekit.indicators.definitions import load_catalogue

    raw = Path(args.raw or project.default_raw_dir())
    data = Path(args.data or project.default_processed_dir())
    for table in args.tables or load_catalogue().cbs_tables():
        folder, message = statline.fetch(table, raw)
        print(message)
        found = statline.cells(folder)
        statline.store_cells(found, data)
        unmapped = found.attrs["unmapped"]
        print(f"{table}: {formatting.number(len(found))} cijfers in {data}"
              + (f"; niet om te zetten naar de indeling van 2024: {', '.join(unmapped)}" if unmapped else ""))
    return 0


def _vergelijk(args) -> int:
    from regiekit.atomic import write_text
    from regiekit.data.store import Store
    from regiekit.publish.reconcile import reconcile

    table = reconcile(args.indicator, args.region, [int(p) for p in args.period] if args.period else None,
                      Store.open(args.data))
    outside = int((~table["binnen_interval"]).sum())
    print(f"{formatting.number(len(table))} vergelijkingen van eigen cijfers met CBS; bij "
          f"{formatting.number(outside)} ligt het CBS-cijfer buiten het 95%-interval van het eigen cijfer")
    for row in table.head(args.rijen).itertuples():
        print(f"{row.indicator}\t{row.region_name}\t{row.period}\teigen {formatting.number(row.eigen, 1)} "
              f"({formatting.number(row.ci_low, 1)}-{formatting.number(row.ci_high, 1)})\tCBS "
              f"{formatting.number(row.cbs, 1)}\tverschil {formatting.signed(row.verschil, 1)}\t"
              + ("binnen interval" if row.binnen_interval else "BUITEN interval"))
    if args.out:
        write_text(Path(args.out), formatting.spreadsheet_safe(table).to_csv(index=False))
        print(args.out)
    return 0


def _regions_list(args) -> int:
    from regiekit.reference.regions import load_regions

    for region in load_regions().all(args.level):
        print(f"{region.code}\t{region.level}\t{region.name}")
    return 0


def _indicators_list(args) -> int:
    from regiekit.indicators.definitions import load_catalogue

    for ind in load_catalogue().select(family=args.family):
        if args.source in (None, ind.source.dataset, ind.source.cbs_table):
            print(f"{ind.id}\t{ind.family}\t{ind.unit}\t{ind.population.age_band}\t{ind.label}")
    return 0


def _indicators_show(args) -> int:
    import yaml

    from regiekit.indicators.definitions import load_catalogue

    ind = load_catalogue().select([args.id])[0]
    print(yaml.safe_dump(ind.model_dump(mode="json", exclude_defaults=True), allow_unicode=True, sort_keys=False),
          end="")
    return 0


def _indicators_check(args) -> int:
    from regiekit.indicators.definitions import packaged_documents, parse

    documents = packaged_documents()
    documents.update({str(p): Path(p).read_text(encoding="utf-8") for p in args.files})
    catalogue = parse(documents)
    print(f"{formatting.number(len(catalogue))} indicatordefinities zijn geldig")
    return 0


def _docs(args) -> int:
    from regiekit.atomic import write_text
    from regiekit.data import schemas
    from regiekit.indicators import catalogue_doc
    from regiekit.indicators.definitions import load_catalogue

    root = Path(args.root) if args.root else project.project_dir()
    pages = {root / "docs" / "indicatoren.md": catalogue_doc.render(load_catalogue()) + "\n",
             root / "docs" / "importformaten.md": schemas.schema_markdown() + "\n"}
    pages.update({root / "templates" / f"{kind}.csv": schemas.template(kind) for kind in SCHEMAS})
    for path, text in pages.items():
        write_text(path, text)
        print(path)
    return 0


# argparse's own messages (the wording of Python 3.11) in Dutch; a message not listed stays as it is
_ERRORS = (
    (r"the following arguments are required: (.*)", r"deze argumenten ontbreken: \1"),
    (r"invalid choice: (.*) \(choose from (.*)\)", r"ongeldige keuze: \1 (kies uit \2)"),
    (r"unrecognized arguments: (.*)", r"onbekende argumenten: \1"),
    (r"expected one argument", "verwacht één waarde"),
    (r"expected at most one argument", "verwacht hoogstens één waarde"),
    (r"expected at least one argument", "verwacht minstens één waarde"),
    (r"invalid int value: (.*)", r"geen geheel getal: \1"),
    (r"invalid \w+ value: (.*)", r"ongeldige waarde: \1"),
    (r"ambiguous option: (\S+) could match (.*)", r"dubbelzinnige optie: \1 kan staan voor \2"),
    (r"ignored explicit argument (.*)", r"deze optie neemt geen waarde: \1"),
)


# why a file named on the command line cannot be read or written; the system's own words follow in brackets
_OS_ERRORS = {FileNotFoundError: "bestaat niet", PermissionError: "geen toegang",
              IsADirectoryError: "is een map, geen bestand", NotADirectoryError: "een deel van het pad is geen map"}


class _Formatter(argparse.HelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):
        super().add_usage(usage, actions, groups, "gebruik: " if prefix is None else prefix)


class DutchArgumentParser(argparse.ArgumentParser):
    """argparse with its own words in Dutch: usage, group titles, -h/--help and error messages."""

    def __init__(self, *, add_help: bool = True, formatter_class=_Formatter, **kwargs):
        super().__init__(add_help=False, formatter_class=formatter_class, **kwargs)
        self._positionals.title, self._optionals.title = "argumenten", "opties"
        if add_help:
            self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS,
                              help="toon deze hulp en stop")

    def error(self, message: str):
        prefix = re.match(r"argument [^:]+: ", message)
        head, rest = (prefix.group(), message[prefix.end():]) if prefix else ("", message)
        for english, dutch in _ERRORS:
            if found := re.fullmatch(english, rest):
                rest = found.expand(dutch)
                break
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: fout: {head}{rest}\n")


def parser() -> argparse.ArgumentParser:
    top = DutchArgumentParser(prog="regiekit", description="Jeugdhulpindicatoren en factsheets per regio.",
                              epilog="Meer over een opdracht: regiekit <opdracht> --help")
    top.add_argument("--project", metavar="MAP", help="projectmap (standaard: REGIEKIT_HOME, anders de huidige map "
                                                      "of de dichtstbijzijnde map erboven met data/)")
    sub = top.add_subparsers(dest="command", required=True, metavar="opdracht")

    init = sub.add_parser("init", help="maak een projectmap: notebooks/, data/raw/, data/processed/, output/, "
                                       "een README en een environment.yml")
    init.add_argument("folder", nargs="?", default=".", metavar="map",
                      help="de map om te maken of aan te vullen (standaard: hier)")
    init.set_defaults(func=_init)

    demo = sub.add_parser("demo", help="maak synthetische demodata, bouw de verwerkte gegevens en maak "
                                       "demo-factsheets")
    demo.add_argument("--seed", type=int, default=DEFAULT_SEED, metavar="GETAL",
                      help=f"startwaarde van de toevalsgenerator (standaard {DEFAULT_SEED})")
    demo.add_argument("--raw", metavar="MAP", help="map voor de gemaakte ruwe gegevens (standaard data/raw/demo)")
    demo.add_argument("--data", metavar="MAP", help="map van de verwerkte gegevens (standaard data/processed)")
    demo.add_argument("--out", metavar="MAP", help="uitvoermap (standaard output/demo)")
    demo.set_defaults(func=_demo)

    run = sub.add_parser("run", help="maak een rapport voor een of meer regio's en perioden")
    run.add_argument("report", choices=registry.names(), metavar="rapport",
                     help=f"het soort rapport: {', '.join(registry.names())}")
    run.add_argument("--region", nargs="+", metavar="REGIO",
                     help="CBS-codes of namen, zoals GM0106 Assen 'jeugdregio Drenthe'")
    run.add_argument("--level", choices=["gemeente", "jeugdregio", "provincie", "land"],
                     help="alle regio's van een niveau, in plaats van --region")
    run.add_argument("--period", nargs="+", default=["latest"], metavar="PERIODE",
                     help="jaren, zoals 2023 2024, of latest (standaard); een casusmonitor neemt ook een "
                          "projectperiode, zoals 2021-2023 (één rapport over die jaren)")
    run.add_argument("--out", metavar="MAP", help="uitvoermap (standaard output/, met --intern output-intern/)")
    run.add_argument("--data", metavar="MAP", help="map van de verwerkte gegevens (standaard data/processed)")
    run.add_argument("--jobs", type=int, default=1, metavar="AANTAL",
                     help="aantal rapporten dat tegelijk wordt gemaakt (standaard 1)")
    run.add_argument("--dask", nargs="?", const="local", metavar="ADRES",
                     help="verdeel de rapporten over een Dask-cluster: een lokaal cluster met --jobs workers, of "
                          "het adres van de scheduler van een draaiend cluster (zoals tcp://10.0.0.5:8786)")
    run.add_argument("--bron", choices=SOURCES, default="auto",
                     help="waar de cijfers vandaan komen: de eigen registratie (eigen), CBS StatLine (cbs, na "
                          "'regiekit fetch cbs'), of de eigen registratie waar de gegevens die hebben en anders CBS "
                          "(auto, standaard)")
    run.add_argument("--engine", choices=backends.NAMES,
                     help="waar de indicatoren worden berekend: in de ingebouwde DuckDB (standaard) of in Apache "
                          "Spark (pip install 'regiekit[spark]'; een lokale sessie, tenzij Spark voor een cluster "
                          "is ingesteld)")
    run.add_argument("--force", action="store_true", help="maak ook rapporten opnieuw waarvan de invoer niet "
                                                          "veranderde")
    run.add_argument("--no-pdf", action="store_true", help="sla de PDF over (gemaakt met Chromium)")
    run.add_argument("--quiet", action="store_true", help="geen voortgangsbalk")
    run.add_argument("--intern", action="store_true",
                     help="zonder onthullingscontrole: alleen voor analisten, elke uitvoer gemarkeerd als niet voor "
                          "publicatie")
    run.add_argument("--regels", metavar="BESTAND",
                     help="YAML-bestand dat de onthullingsregels vervangt (zie regiekit/publish/disclosure.yaml)")
    run.add_argument("--oordelen", metavar="BESTAND",
                     help="CSV met eigen oordelen: indicator, region_code, period, oordeel, tekst")
    run.add_argument("--teksten", metavar="BESTAND", help="monitor: Markdown-bestand met de eigen tekst van het team "
                                                          "(## Wat zeggen de cijfers niet?, ## Rode draden)")
    run.set_defaults(func=_run)

    fetch = sub.add_parser("fetch", help="haal de tabellen van de catalogus op bij CBS StatLine en zet ze om, "
                                         "of de grenzenbestanden voor kaarten (grenzen)")
    fetch.add_argument("source", choices=["cbs", "grenzen"], metavar="bron",
                       help="cbs (tabellen van CBS StatLine) of grenzen (grenzenbestanden voor kaarten)")
    fetch.add_argument("tables", nargs="*", default=[], metavar="tabel",
                       help="tabel-id's, zoals 85098NED (standaard: alle uit de catalogus); bij grenzen de niveaus "
                            "(standaard gemeente)")
    fetch.add_argument("--raw", metavar="MAP", help="map voor de ruwe gegevens en de opgehaalde kopieën "
                                                    "(standaard data/raw)")
    fetch.add_argument("--data", metavar="MAP", help="map van de verwerkte gegevens (standaard data/processed)")
    fetch.set_defaults(func=_fetch)

    kinds = f"soort gegevens: {', '.join(SCHEMAS)}"
    imp = sub.add_parser("import", help="importeer eigen gegevens (CSV of Excel) in de verwerkte gegevens")
    imp.add_argument("kind", metavar="soort", help=kinds)
    imp.add_argument("file", metavar="bestand", help="het CSV- of .xlsx-bestand")
    imp.add_argument("--data", metavar="MAP", help="map van de verwerkte gegevens (standaard data/processed)")
    imp.add_argument("--vocabulaire", metavar="BESTAND", help="de eigen waarden en synoniemen van het team "
                                                              "(standaard: vocabulaire.yaml naast het bestand)")
    imp.add_argument("--niet-voorbereiden", action="store_true",
                     help="bereken de gepubliceerde cijfers niet meteen (dat gebeurt dan bij het eerste rapport, "
                          "of met regiekit voorbereiden)")
    imp.set_defaults(func=_import)
    prep = sub.add_parser("voorbereiden", help="bereken de gepubliceerde cijfers van elk rapport alvast (na een "
                                               "nieuwe of gewijzigde gegevensmap; regiekit demo en import doen dit "
                                               "zelf), zodat het eerste rapport binnen seconden verschijnt")
    prep.add_argument("--data", metavar="MAP", help="map van de verwerkte gegevens (standaard data/processed)")
    prep.set_defaults(func=_voorbereiden)
    tmpl = sub.add_parser("template", help="een leeg importbestand met de juiste kolommen")
    tmpl.add_argument("kind", metavar="soort", help=kinds)
    tmpl.add_argument("--vocabulaire", action="store_true",
                      help="een vocabulaire.yaml om mee te beginnen, in plaats van het CSV-bestand")
    tmpl.add_argument("--out", metavar="BESTAND", help="het bestand om te schrijven (standaard: op het scherm)")
    tmpl.set_defaults(func=_import_template)

    compare = sub.add_parser("vergelijk", help="de eigen registratie naast CBS StatLine: het eigen cijfer met zijn "
                                              "interval, het cijfer van CBS en het verschil")
    compare.add_argument("--indicator", nargs="+", metavar="ID",
                         help="indicator-id's (standaard: alle die in beide bronnen voorkomen)")
    compare.add_argument("--region", nargs="+", metavar="REGIO", help="CBS-codes of namen (standaard: alle)")
    compare.add_argument("--period", nargs="+", metavar="JAAR", help="jaren (standaard: alle)")
    compare.add_argument("--data", metavar="MAP", help="map van de verwerkte gegevens (standaard data/processed)")
    compare.add_argument("--out", metavar="BESTAND", help="CSV-bestand voor de hele tabel")
    compare.add_argument("--rijen", type=int, default=40, metavar="AANTAL",
                         help="aantal rijen op het scherm (standaard 40)")
    compare.set_defaults(func=_vergelijk)

    regions = (sub.add_parser("regions", help="de regio-indeling")
               .add_subparsers(dest="action", required=True, metavar="actie"))
    rlist = regions.add_parser("list", help="toon de regio's")
    rlist.add_argument("--level", choices=LEVELS, help="alleen de regio's van dit niveau")
    rlist.set_defaults(func=_regions_list)

    indicators = (sub.add_parser("indicators", help="de indicatorcatalogus")
                  .add_subparsers(dest="action", required=True, metavar="actie"))
    ilist = indicators.add_parser("list", help="toon de indicatordefinities")
    ilist.add_argument("--family", metavar="FAMILIE", help="alleen deze familie: cbs_jeugd, stapeling, "
                                                           "ret_monitor, ...")
    ilist.add_argument("--source", metavar="BRON",
                       help="alleen deze dataset (trajecten, aanmeldingen, ...) of CBS-tabel (zoals 85098NED)")
    ilist.set_defaults(func=_indicators_list)
    show = indicators.add_parser("show", help="toon één definitie")
    show.add_argument("id", help="indicator-id, zoals jeugdhulp_pct")
    show.set_defaults(func=_indicators_show)
    check = indicators.add_parser("check", help="controleer de catalogus, met eigen definitiebestanden erbij")
    check.add_argument("files", nargs="*", default=[], metavar="bestand",
                       help="eigen YAML-bestanden met indicatordefinities")
    check.set_defaults(func=_indicators_check)
    docs = sub.add_parser("docs", help="maak docs/indicatoren.md, docs/importformaten.md en templates/ opnieuw")
    docs.add_argument("--root", metavar="MAP", help="de projectmap om in te schrijven (standaard: het huidige "
                                                    "project)")
    docs.set_defaults(func=_docs)
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.project:
        os.environ[project.ENV] = str(Path(args.project).expanduser().resolve())  # also for the report kernels
    try:
        return args.func(args)
    except RegiekitError as exc:
        print(f"regiekit: fout: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:  # a file named on the command line that cannot be read or written
        reason = next((text for kind, text in _OS_ERRORS.items() if isinstance(exc, kind)), None)
        reason = f"{reason} ({exc.strerror})" if reason else str(exc.strerror or exc)
        print(f"regiekit: fout: {exc.filename}: {reason}" if exc.filename else f"regiekit: fout: {reason}",
              file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
