"""Exploration for analysts (``notebooks/verkennen.ipynb``): choose indicators, regions and periods,
compare regions with the rest of Nederland, chart trends and export. Numbers come from the same
published tables as the reports (disclosure control over all regions), so what an analyst exports
agrees with every factsheet; ``internal=True`` shows unprotected numbers, marked as such."""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pandas as pd

from regiekit import engine, formatting
from regiekit.atomic import write_bytes, write_text
from regiekit.data.store import Store
from regiekit.indicators.definitions import Indicator, load_catalogue
from regiekit.publish import disclosure, published, reconcile
from regiekit.reference.regions import NEDERLAND, load_regions
from regiekit.reports import charts, registry
from regiekit.reports.common import KERN, Report, cell_text, compare_with_nederland, kernindicatoren
from regiekit.reports.factsheet import comparators

PUBLISHED_COLUMNS = ["indicator", "label", "region_code", "region_name", "level", "period", "category", "value",
                     "ci_low", "ci_high", "unit", "markering", "source"]


def catalogue(family: str | None = None, search: str | None = None) -> pd.DataFrame:
    """The indicators to choose from (id, label, family, unit, breakdown, kernindicator), optionally of
    one family or with ``search`` in the id, label or description."""
    rows = pd.DataFrame([{"id": i.id, "label": i.label, "family": i.family, "unit": i.unit, "by": i.by,
                          "kernindicator": KERN in i.tags, "description": i.description}
                         for i in load_catalogue().values()])
    if family:
        rows = rows[rows["family"] == family]
    if search:
        text = rows["id"] + " " + rows["label"] + " " + rows["description"]
        rows = rows[text.str.contains(search, case=False, regex=False)]
    return rows.reset_index(drop=True)


@dataclass
class Exploration(Report):
    indicators: list[Indicator]
    regions: list[str]  # codes, in the order chosen
    periods: list[int]
    results: pd.DataFrame  # published rows of the chosen indicators, regions and periods
    store: Store | None = None

    def vergelijking(self) -> pd.DataFrame | None:
        """Own figures against CBS StatLine for the chosen indicators, regions and years (regiekit vergelijk);
        None when the store does not hold both for any of them."""
        mapped = [i.id for i in self.indicators if i.source.cbs_column]
        if self.store is None or self.internal or not mapped:
            return None
        try:
            table = reconcile.reconcile(mapped, self.regions, self.periods, self.store, self.rules)
        except engine.EngineError:
            return None
        return table.rename(columns={"label": "indicator_naam", "region_name": "regio", "period": "jaar"})[
            ["indicator_naam", "regio", "jaar", "eigen", "ci_low", "ci_high", "cbs", "verschil", "binnen_interval"]]

    @cached_property
    def defs(self) -> dict[str, Indicator]:
        return {i.id: i for i in self.indicators}

    @cached_property
    def published(self) -> pd.DataFrame:
        """The chosen numbers as published (rounded, suppressed, marked)."""
        order = {code: n for n, code in enumerate(self.regions)}
        chosen = self.results[self.results["region_code"].isin(self.regions)]
        shown = self.shown(chosen, self.defs).assign(_order=lambda f: f["region_code"].map(order))
        shown = shown.sort_values(["indicator", "_order", "period", "category"], na_position="first")
        return shown[PUBLISHED_COLUMNS].reset_index(drop=True)

    def heading_markdown(self) -> str:
        return self.banner_markdown(f"Verkenning: {len(self.indicators)} indicator(en), {len(self.regions)} regio('s), "
                                    f"{self.periods[0]}-{self.periods[-1]}")

    def wide(self, indicator: str, formatted: bool = False) -> pd.DataFrame:
        """One indicator as a table: a row per region (and category), a column per period; ``formatted``
        gives the Dutch notation of the reports with x for suppressed numbers."""
        rows = self.published[self.published["indicator"] == indicator].fillna({"category": ""})
        rows = rows.assign(regio=rows["region_code"].map(lambda c: load_regions().get(c).label))
        if formatted:
            ind = self.defs[indicator]
            rows = rows.assign(value=[cell_text(v, m, ind)
                                      for v, m in zip(rows["value"], rows["markering"])])
        table = rows.pivot_table(index=["regio", "category"], columns="period", values="value",
                                 aggfunc="first", dropna=False, sort=False)
        table.columns.name = None
        return table.droplevel("category") if (rows["category"] == "").all() else table

    def compare(self, period: int | None = None) -> pd.DataFrame:
        """Every chosen region against the rest of Nederland for the proportions it publishes."""
        period = period or self.periods[-1]
        found = []
        for ind in self.indicators:
            for code in self.regions:
                result = compare_with_nederland(self.results, ind, code, period)
                if result is not None:
                    found.append({"indicator": ind.id, "label": ind.label, "regio": load_regions().get(code).label,
                                  "period": period, "verschil": round(result.difference, ind.decimals),
                                  "vergelijking_nederland": result.direction})
        return pd.DataFrame(found, columns=["indicator", "label", "regio", "period", "verschil",
                                            "vergelijking_nederland"])

    def trend_html(self) -> str:
        """Trends of the chosen proportions (at most four regions in one chart)."""
        lines = [i for i in self.indicators if i.by is None and i.unit != "count"]
        shown = self.published[self.published["region_code"].isin(self.regions[:4]) & self.published["category"].isna()]
        if not lines or shown["value"].isna().all():
            return "<p>Geen percentages om als trend te tonen.</p>"
        names = {r: load_regions().get(r).label for r in self.regions}
        return charts.html_image(charts.trend(shown, lines, names),
                                 "Lijngrafieken per indicator: " + ", ".join(names[r] for r in self.regions[:4])
                                 + f", {self.periods[0]}-{self.periods[-1]}, met 95%-betrouwbaarheidsinterval.")

    def export(self, path: str | Path) -> Path:
        """Write the published numbers to ``path`` (.csv or .xlsx), atomically."""
        path = Path(path)
        if path.suffix.lower() == ".xlsx":
            buffer = io.BytesIO()
            formatting.spreadsheet_safe(self.published).to_excel(buffer, index=False, sheet_name="cijfers")
            write_bytes(path, buffer.getvalue())
        elif path.suffix.lower() == ".csv":
            write_text(path, formatting.spreadsheet_safe(self.published).to_csv(index=False))
        else:
            raise registry.ReportError(f"exporteer naar .csv of .xlsx, niet naar "
                                       f"{path.suffix or 'een bestand zonder extensie'}")
        return path


def explore(indicators: list[str] | None = None, regions: list[str] | None = None, level: str | None = None,
            periods: list[int] | None = None, data_dir: str | Path | None = None, internal: bool = False,
            rules_file: str | Path | None = None, bron: str = "auto") -> Exploration:
    """Choose ``indicators`` (default the kernindicatoren), ``regions`` (codes or names) and/or every
    region of ``level`` (default Nederland), and ``periods`` (default all years of the store)."""
    store = Store.open(data_dir)
    chosen = (load_catalogue().select(list(indicators)) if indicators
              else kernindicatoren(store, bron))
    index = load_regions()
    codes = [index.get(str(r)).code for r in regions or []] + ([r.code for r in index.all(level)] if level else [])
    codes = list(dict.fromkeys(codes)) or [NEDERLAND]
    years = sorted({int(p) for p in periods}) if periods else store.years
    missing = [y for y in years if y not in store.years]
    if missing:
        raise engine.EngineError(f"geen gegevens voor {', '.join(map(str, missing))}; "
                                 f"de gegevens lopen van {store.years[0]} tot en met {store.years[-1]}")
    rules = disclosure.Rules.load(rules_file)
    table = published.table([i.id for i in chosen], store, rules, internal, bron=bron)
    chosen = published.as_published(table, chosen)
    rows = table[table["region_code"].isin(codes + [NEDERLAND]) & table["period"].isin(years)].reset_index(drop=True)
    return Exploration(index.get(codes[0]), years[-1], store.synthetic, rules, internal, chosen, codes, years, rows,
                       store)


def around(region: str) -> list[str]:
    """A region and the regions a factsheet shows beside it: the usual first comparison."""
    target = load_regions().get(str(region))
    return [target.code, *(r.code for r in comparators(target))]


def prepare(store: Store, rules: disclosure.Rules, internal: bool, periods: list[int], bron: str = "auto") -> None:
    """Compute the published table of the kernindicatoren (what the runner's explorations show)."""
    chosen = kernindicatoren(store, bron)
    published.table([i.id for i in chosen], store, rules, internal, bron=bron)


REPORT = registry.register(registry.ReportKind("verkennen", "De verkenning",
                                               ("gemeente", "jeugdregio", "provincie", "land"), prepare))
