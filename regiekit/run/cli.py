"""The ``regiekit`` command line."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from regiekit import formatting, project
from regiekit.data.schemas import SCHEMAS
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
        print(f"Synthetische StatLine-kopie ({folder.name}, in de vorm van CBS): {len(snapshot)} cijfers")
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
    return 1 if any(r.failed for r in results) else 0


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
        print(f"{table}: {len(found)} cijfers in {data}"
              + (f"; niet om te zetten naar de indeling van 2024: {', '.join(unmapped)}" if unmapped else ""))
    return 0


def _vergelijk(args) -> int:
    from regiekit.atomic import write_text
    from regiekit.data.store import Store
    from regiekit.publish.reconcile import reconcile

    table = reconcile(args.indicator, args.region, [int(p) for p in args.period] if args.period else None,
                      Store.open(args.data))
    outside = int((~table["binnen_interval"]).sum())
    print(f"{len(table)} vergelijkingen van eigen cijfers met CBS; bij {outside} ligt het CBS-cijfer buiten het "
          "95%-interval van het eigen cijfer")
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
    print(f"{len(catalogue)} indicatordefinities zijn geldig")
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


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="regiekit", description="Jeugdhulp indicators and factsheets per region.")
    top.add_argument("--project", metavar="DIR", help="project folder (default: REGIEKIT_HOME, or the current folder "
                                                      "or the nearest folder above it that holds data/)")
    sub = top.add_subparsers(dest="command", required=True)

    init = sub.add_parser("init", help="create a project folder: notebooks/, data/raw/, data/processed/, output/, "
                                       "a README and an environment.yml")
    init.add_argument("folder", nargs="?", default=".", help="the folder to create or complete (default: here)")
    init.set_defaults(func=_init)

    demo = sub.add_parser("demo", help="generate synthetic demo data, build the store and run demo factsheets")
    demo.add_argument("--seed", type=int, default=DEFAULT_SEED)
    demo.add_argument("--raw", help="folder for the generated raw data (default data/raw/demo)")
    demo.add_argument("--data", help="processed store folder (default data/processed)")
    demo.add_argument("--out", help="output folder (default output/demo)")
    demo.set_defaults(func=_demo)

    run = sub.add_parser("run", help="run a report for one region and period")
    run.add_argument("report", choices=registry.names())
    run.add_argument("--region", nargs="+", help="CBS codes or names, e.g. GM0106 Assen 'jeugdregio Drenthe'")
    run.add_argument("--level", choices=["gemeente", "jeugdregio", "provincie", "land"],
                     help="every region of a level instead of --region")
    run.add_argument("--period", nargs="+", default=["latest"],
                     help="years, e.g. 2023 2024, or latest (default); a case monitor also takes a project period, "
                     "e.g. 2021-2023 (one report over those years)")
    run.add_argument("--out", help="output folder (default output/, with --intern output-intern/)")
    run.add_argument("--data", help="processed store folder (default data/processed)")
    run.add_argument("--jobs", type=int, default=1, help="reports made in parallel (default 1)")
    run.add_argument("--dask", nargs="?", const="local", metavar="SCHEDULER",
                     help="fan the reports out to a Dask cluster: a local one with --jobs workers, or the "
                          "scheduler address of a running cluster (e.g. tcp://10.0.0.5:8786)")
    run.add_argument("--bron", choices=SOURCES, default="auto",
                     help="where the figures come from: own records (eigen), CBS StatLine (cbs, after 'regiekit fetch "
                          "cbs'), or own records where the store holds them and CBS otherwise (auto, the default)")
    run.add_argument("--engine", choices=backends.NAMES,
                     help="where indicators are computed: embedded DuckDB (default) or Apache Spark (pip install "
                          "'regiekit[spark]'; a local session unless Spark is configured for a cluster)")
    run.add_argument("--force", action="store_true", help="remake reports whose inputs did not change")
    run.add_argument("--no-pdf", action="store_true", help="skip the PDF (made with headless Chromium)")
    run.add_argument("--quiet", action="store_true", help="no progress bar")
    run.add_argument("--intern", action="store_true",
                     help="no disclosure control: for analysts only, every output marked not for publication")
    run.add_argument("--regels",
                     help="YAML file overriding the disclosure rules (see regiekit/publish/disclosure.yaml)")
    run.add_argument("--oordelen", help="CSV with manual verdicts: indicator, region_code, period, oordeel, tekst")
    run.add_argument("--teksten", help="monitor: Markdown file with the team's own text "
                                       "(## Wat zeggen de cijfers niet?, ## Rode draden)")
    run.set_defaults(func=_run)

    fetch = sub.add_parser("fetch", help="download CBS StatLine tables of the catalogue and convert them, "
                                         "or the boundary files for maps (grenzen)")
    fetch.add_argument("source", choices=["cbs", "grenzen"])
    fetch.add_argument("tables", nargs="*", help="table ids, e.g. 85098NED (default: all in the catalogue); "
                                                 "for grenzen the levels (default gemeente)")
    fetch.add_argument("--raw", help="raw data folder for the cache (default data/raw)")
    fetch.add_argument("--data", help="processed store folder (default data/processed)")
    fetch.set_defaults(func=_fetch)

    kinds = ", ".join(SCHEMAS)
    imp = sub.add_parser("import", help="import own data (CSV or Excel) into the processed store")
    imp.add_argument("kind", help=kinds)
    imp.add_argument("file", help="the CSV or .xlsx file")
    imp.add_argument("--data", help="processed store folder (default data/processed)")
    imp.add_argument("--vocabulaire", help="the team's own values and synonyms (default: vocabulaire.yaml beside "
                                           "the file)")
    imp.set_defaults(func=_import)
    tmpl = sub.add_parser("template", help="an empty import file with the right columns")
    tmpl.add_argument("kind", help=kinds)
    tmpl.add_argument("--vocabulaire", action="store_true", help="a starting vocabulaire.yaml instead of the CSV")
    tmpl.add_argument("--out", help="file to write (default: print)")
    tmpl.set_defaults(func=_import_template)

    compare = sub.add_parser("vergelijk", help="own records against CBS StatLine: own figure with its interval, "
                                              "CBS's figure, the difference")
    compare.add_argument("--indicator", nargs="+", help="indicator ids (default: all that both sources have)")
    compare.add_argument("--region", nargs="+", help="CBS codes or names (default: all)")
    compare.add_argument("--period", nargs="+", help="years (default: all)")
    compare.add_argument("--data", help="processed store folder (default data/processed)")
    compare.add_argument("--out", help="CSV file for the whole table")
    compare.add_argument("--rijen", type=int, default=40, help="rows to print (default 40)")
    compare.set_defaults(func=_vergelijk)

    regions = sub.add_parser("regions", help="the region reference").add_subparsers(dest="action", required=True)
    rlist = regions.add_parser("list", help="list regions")
    rlist.add_argument("--level", choices=LEVELS)
    rlist.set_defaults(func=_regions_list)

    indicators = (sub.add_parser("indicators", help="the indicator catalogue")
                  .add_subparsers(dest="action", required=True))
    ilist = indicators.add_parser("list", help="list indicator definitions")
    ilist.add_argument("--family", help="cbs_jeugd, stapeling, ret_monitor, ...")
    ilist.add_argument("--source", help="dataset (trajecten, aanmeldingen, ...) or CBS table (e.g. 85098NED)")
    ilist.set_defaults(func=_indicators_list)
    show = indicators.add_parser("show", help="print one definition")
    show.add_argument("id")
    show.set_defaults(func=_indicators_show)
    check = indicators.add_parser("check", help="validate the catalogue, plus extra definition files")
    check.add_argument("files", nargs="*")
    check.set_defaults(func=_indicators_check)
    docs = sub.add_parser("docs", help="regenerate docs/indicatoren.md, docs/importformaten.md and templates/")
    docs.add_argument("--root", help="project folder to write into (default: the current project)")
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


if __name__ == "__main__":
    sys.exit(main())
