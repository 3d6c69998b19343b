"""The regional factsheet: the numbers, chart and Dutch text that ``notebooks/factsheet.ipynb`` shows.

Everything the notebook displays comes from one :class:`Factsheet`, built on the published table
(:mod:`regiekit.publish.published`: intervals and disclosure control over all regions). ``published`` holds
exactly the numbers shown, rounded and suppressed as shown, with their marks; the runner writes it as
CSV next to the HTML.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from regiekit import formatting
from regiekit.data.store import Store
from regiekit.indicators.definitions import PROPORTION_UNITS, Indicator, load_catalogue
from regiekit.publish import disclosure, published, statistics, verdicts
from regiekit.reference.regions import NEDERLAND, Region, load_regions
from regiekit.reports import charts, maps, registry
from regiekit.reports.common import Report, cbs_mark, compare_with_nederland, kernindicatoren, sentence

PUBLISHED_COLUMNS = ["indicator", "label", "region_code", "region_name", "period", "value", "ci_low", "ci_high",
                     "unit", "part", "markering", "vergelijking_nederland", "oordeel", "source"]
LEVEL_PLURAL = {"gemeente": "gemeenten", "jeugdregio": "jeugdregio's", "provincie": "provincies"}
COMPARISON_TEXT = {"hoger": "hoger dan", "lager": "lager dan", "gelijk": "niet duidelijk anders dan"}


def comparators(region: Region) -> list[Region]:
    """Regions shown beside ``region``: its jeugdregio, provincie and the gemeenten of its size (for a
    gemeente) and Nederland."""
    index = load_regions()
    if region.level == "land":
        return []
    found = []
    if region.level == "gemeente":
        found = [index.parent(region.code, level) for level in ("jeugdregio", "provincie", "grootteklasse")]
    elif region.level == "jeugdregio":
        provincies = {index.parent(g, "provincie").code for g in index.members(region.code)}
        found = [index.get(p) for p in sorted(provincies)] if len(provincies) == 1 else []
    return found + [index.get(NEDERLAND)]


MIN_FUNNEL_REGIONS = 5


@dataclass
class Factsheet(Report):
    comparators: list[Region]
    indicators: list[Indicator]
    results: pd.DataFrame  # published table (intervals, status) for region and comparators, all years
    overrides: dict | None = None
    peers: pd.DataFrame | None = None  # published rows of every region of the region's level, this period
    map_rows: pd.DataFrame | None = None  # published rows of the gemeenten on the map, this period

    @cached_property
    def judgements(self) -> dict[str, verdicts.Verdict]:
        """The verdict per indicator for the region, from its published series."""
        found = {}
        for ind in self.indicators:
            series = self._rows(ind.id, self.region.code).assign(value=lambda f: f["published"])
            verdict = verdicts.judge(ind, series, self.period, self.region.code)
            found[ind.id] = verdicts.apply_override(verdict, self.overrides or {})
        return found

    @cached_property
    def comparisons(self) -> dict[str, statistics.Comparison | None]:
        """The region against the rest of Nederland, for proportions it publishes."""
        return {ind.id: compare_with_nederland(self.results, ind, self.region.code, self.period)
                for ind in self.indicators}

    def _rows(self, indicator: str, region: str) -> pd.DataFrame:
        r = self.results
        return r[(r["indicator"] == indicator) & (r["region_code"] == region)].sort_values("period")

    @cached_property
    def published(self) -> pd.DataFrame:
        """Every number the factsheet shows, rounded and suppressed as shown: the table (period) and the
        charts (trend of the region and Nederland; every region of its level in the funnel plot), with
        marks, comparison and verdict."""
        defs = {i.id: i for i in self.indicators}
        r = self.results
        shown = r[(r["period"] == self.period)  # the trend up to the factsheet's year, not beyond it
                  | (r["region_code"].isin(self._trend_regions()) & (r["period"] <= self.period))].copy()
        shown["part"] = (shown["period"] == self.period).map({True: "tabel", False: "grafiek"})
        if self.funnel_indicator is not None:
            spread = self.peers[self.peers["indicator"] == self.funnel_indicator].assign(part="spreiding")
            shown = pd.concat([shown, spread], ignore_index=True)
        if self.shapes is not None:
            shown = pd.concat([shown, self.map_rows.assign(part="kaart")], ignore_index=True)
        shown = self.shown(shown, defs)
        focus = (shown["region_code"] == self.region.code) & (shown["part"] == "tabel")
        shown["oordeel"] = None
        shown["vergelijking_nederland"] = None
        shown.loc[focus, "oordeel"] = shown.loc[focus, "indicator"].map(
            lambda i: verdicts.phrase(self.judgements[i]))
        shown.loc[focus, "vergelijking_nederland"] = shown.loc[focus, "indicator"].map(
            lambda i: self.comparisons[i].direction if self.comparisons[i] else None)
        return shown[PUBLISHED_COLUMNS].reset_index(drop=True)

    def _trend_regions(self) -> list[str]:
        return [self.region.code] + ([NEDERLAND] if self.region.code != NEDERLAND else [])

    def _shown(self, indicator: str, region: str, period: int | None = None) -> pd.Series | None:
        row = self.published
        row = row[(row["indicator"] == indicator) & (row["region_code"] == region)
                  & (row["period"] == (period or self.period)) & (row["part"] != "spreiding")]
        return None if row.empty else row.iloc[0]

    def value(self, indicator: str, region: str, period: int | None = None):
        row = self._shown(indicator, region, period)
        return None if row is None else row["value"]

    def heading_markdown(self) -> str:
        return self.banner_markdown(f"Factsheet jeugdhulp {self.region.label}, {self.period}")

    def _cell(self, ind: Indicator, region: str) -> str:
        row = self._shown(ind.id, region)
        if row is None or row["value"] is None or pd.isna(row["value"]):
            mark = disclosure.SUPPRESSED if row is not None and row["markering"].startswith("geheim") else "–"
            return f'<td class="num"><span class="waarde">{mark}</span></td>'
        interval = ""
        mark = cbs_mark(row["markering"])
        if row["ci_low"] is not None and not pd.isna(row["ci_low"]):
            interval = (f'<br><small class="interval">{formatting.number(row["ci_low"], ind.decimals)}–'
                        f'{formatting.number(row["ci_high"], ind.decimals)}</small>')
        return f'<td class="num"><span class="waarde">{_fmt(row["value"], ind)}{mark}</span>{interval}</td>'

    def table_html(self) -> str:
        """The kernindicatoren for the period: the region beside its comparators, with 95%-intervals, the
        comparison with the rest of Nederland and the verdict."""
        regions = [self.region, *self.comparators]
        head = "".join(f"<th>{html.escape(r.label)}</th>" for r in regions)
        extra = "<th>t.o.v. rest van Nederland</th>" if self.region.code != NEDERLAND else ""
        body = []
        for ind in self.indicators:
            cells = "".join(self._cell(ind, r.code) for r in regions)
            if self.region.code != NEDERLAND:
                comparison = self.comparisons[ind.id]
                cells += f'<td class="vergelijking">{comparison.direction if comparison else "–"}</td>'
            verdict = self.judgements[ind.id]
            cells += (f'<td class="oordeel">{html.escape(verdicts.phrase(verdict))}'
                      f'{"*" if verdict.manual else ""}</td>')
            body.append(f'<tr data-indicator="{ind.id}"><th scope="row" style="text-align:left">'
                        f'{html.escape(ind.label)}'
                        f'<br><small>{html.escape(_population_text(ind))}</small></th>{cells}</tr>')
        caption = ("zoals CBS ze publiceert; * voorlopig, ** nader voorlopig" if self._from_cbs
                   else "klein: 95%-betrouwbaarheidsinterval")
        return (f'<table class="regiekit-kern"><caption>Kernindicatoren {self.period} ({caption})</caption>'
                f"<thead><tr><th>Indicator</th>{head}{extra}<th>Ontwikkeling</th></tr></thead>"
                f"<tbody>{''.join(body)}</tbody></table>")

    def trend_html(self) -> str:
        first, last = int(self.results["period"].min()), self.period
        names = " en ".join(r.label for r in [self.region, *self.comparators] if r.code in self._trend_regions())
        return charts.html_image(self.trend_figure(), f"Lijngrafieken van de kernindicatoren {first}-{last} voor "
                                 f"{names}, met 95%-betrouwbaarheidsband; weggelaten jaren ontbreken.")

    def funnel_html(self) -> str:
        figure = self.funnel_figure()
        if figure is None:
            return ""
        label = load_catalogue()[self.funnel_indicator].label.lower()
        plural = LEVEL_PLURAL[self.region.level]
        image = charts.html_image(figure, f"Trechterdiagram: {label} in alle {plural} in {self.period} tegen hun "
                                          f"grootte, met {self.region.label} gemarkeerd.")
        return (image + f"<p><small>De grenzen liggen rond de waarde van Nederland en houden rekening met het "
                f"toeval (kleine {plural} wijken meer af) en met de gewone verschillen tussen {plural}. Alleen wie "
                f"buiten de 99,8%-grenzen valt, wijkt meer af dan {plural} gewoonlijk doen.</small></p>")

    def trend_figure(self):
        shown = self.published
        return charts.trend(shown[shown["region_code"].isin(self._trend_regions())], self.indicators,
                            {r.code: r.label for r in [self.region, *self.comparators]})

    @cached_property
    def funnel_indicator(self) -> str | None:
        """The share shown in the funnel plot: the first kernindicator that is a share with the sizes of at
        least MIN_FUNNEL_REGIONS regions (CBS's percentages have none; its shares of two counts do); none
        for Nederland."""
        if self.peers is None or self.region.level == "land":
            return None
        sizes = self.peers[self.peers["denominator"].astype(float) > 0].groupby("indicator").size()
        sized = set(sizes[sizes >= MIN_FUNNEL_REGIONS].index)  # a funnel of two or three regions says nothing
        return next((i.id for i in self.indicators if i.unit in PROPORTION_UNITS and i.id in sized), None)

    def funnel_figure(self):
        """Every region of the region's level against its size, with control limits around Nederland."""
        if self.funnel_indicator is None:
            return None
        ind = load_catalogue()[self.funnel_indicator]
        shown = self.published
        points = shown[(shown["part"] == "spreiding")].dropna(subset=["value"])
        points = points.merge(self.peers[self.peers["indicator"] == ind.id][["region_code", "denominator"]],
                              on="region_code")
        target = self.value(ind.id, NEDERLAND)
        if target is None or pd.isna(target):
            return None  # no Nederland to put the limits around
        target = float(target)
        peers = self.peers[(self.peers["indicator"] == ind.id) & (self.peers["denominator"].astype(float) > 0)]
        sizes = peers["denominator"].astype(float)
        tau2 = statistics.between_variance(peers["numerator"], sizes, target, ind.scale)
        grid = pd.Series(np.unique(np.geomspace(max(sizes.min(), 1), sizes.max(), 60).round()))
        limits = statistics.funnel_limits(target, grid, ind.scale, tau2).assign(denominator=grid, target=target)
        return charts.funnel(points, limits, self.region.code, ind, LEVEL_PLURAL[self.region.level])

    @cached_property
    def shapes(self):
        """Boundaries of the gemeenten on the map (the packaged 2024 ones unless others are configured, see
        regiekit.reports.maps)."""
        if self.map_rows is None or self.map_rows.empty:
            return None
        found = maps.load("gemeente", load_regions().year)
        return None if found is None else found[found["statcode"].isin(self.map_rows["region_code"])]

    def map_figure(self):
        """The gemeenten of the region (of its jeugdregio, for a gemeente) coloured by the first share."""
        if self.shapes is None:
            return None
        ind = load_catalogue()[self.map_rows["indicator"].iloc[0]]
        shown = self.published
        values = shown[(shown["part"] == "kaart")].set_index("region_code")["value"]
        where = map_area(self.region)
        title = f"{ind.label}, {self.period}: gemeenten in {where.label}" if where.level != "land" else \
            f"{ind.label}, {self.period}: alle gemeenten"
        return charts.gemeente_map(self.shapes.assign(value=self.shapes["statcode"].map(values).astype(float)), ind,
                                   title, self.region.code if self.region.level == "gemeente" else None)

    def map_html(self) -> str:
        figure = self.map_figure()
        if figure is None:
            return ""
        ind = load_catalogue()[self.map_rows["indicator"].iloc[0]]
        where = map_area(self.region)
        return charts.html_image(figure, f"Kaart: {ind.label.lower()} per gemeente in "
                                 f"{where.label if where.level != 'land' else 'Nederland'}"
                                 f", {self.period}; donkerder is hoger, gearceerde gemeenten zijn weggelaten"
                                 + (f", {self.region.name} omlijnd." if self.region.level == "gemeente" else "."))

    def text_markdown(self) -> str:
        """'Wat zegt deze factsheet ons?': the generated (or manual) verdict sentence per indicator, the
        comparison with the rest of Nederland and notes on series breaks."""
        lines = ["## Wat zegt deze factsheet ons?"]
        for ind in self.indicators:
            verdict = self.judgements[ind.id]
            text = f"- **{ind.label}** ({_population_text(ind)}): {sentence(verdict)}"
            comparison = self.comparisons[ind.id]
            if comparison is not None:
                text += (f" Dat is {COMPARISON_TEXT[comparison.direction]} in de rest van Nederland "
                         f"(Nederland: {_fmt(self.value(ind.id, NEDERLAND), ind)}).")
            if verdict.manual:
                text += " *(oordeel van de redactie)*"
            if verdict.note:
                text += f"\n  *{verdict.note}*"
            lines.append(text)
        caveats = [f"- *{ind.label}*: {c}" for ind in self.indicators for c in ind.caveats]
        if caveats:
            lines += ["", "**Kanttekeningen**", *caveats]
        return "\n".join(lines)

    @property
    def _from_cbs(self) -> bool:
        """Whether every number comes from CBS StatLine."""
        return bool(self.results["bron"].eq("cbs").all()) if "bron" in self.results else False

    def source_markdown(self) -> str:
        from_cbs = self._from_cbs
        if from_cbs:
            lines = [f"Bron: {'; '.join(sorted(set(self.results['source'])))}. Regio-indeling "
                     f"{load_regions().year}.", self.cbs_markdown(self.results)]
        else:
            lines = [f"Bron: {self.source('CBS Beleidsinformatie Jeugd')}. Regio-indeling {load_regions().year}. "
                     "Percentages zijn berekend uit aantallen jongeren per gemeente; een jongere telt één keer per "
                     "jaar. Een ontwikkeling heet een trend als die statistisch betekenisvol is (95%); 'gelijk' t.o.v. "
                     "de rest van Nederland betekent geen betekenisvol verschil.", self.cbs_markdown(self.results)]
        if self.shapes is not None:
            lines[0] += f" Kaartgrenzen: {maps.ATTRIBUTION}."
        if not from_cbs:
            lines.append(self.disclosure_markdown())
        return "\n\n".join(line for line in lines if line)


def _fmt(value, ind: Indicator) -> str:
    return formatting.value(value, ind.unit, ind.decimals)


def _population_text(ind: Indicator) -> str:
    low, high = ind.population.age_band.split("-")
    return f"{low} tot {high} jaar" + (", op 31 december" if ind.period == "peildatum" else "")


def prepare(store: Store, rules: disclosure.Rules, internal: bool, periods: list[int], bron: str = "auto") -> None:
    """Compute the published table of the kernindicatoren (all regions, all years) into the cache."""
    published.table([i.id for i in kernindicatoren(store, bron)], store, rules, internal, bron=bron)


def build(region: str, period: int, data_dir: str | Path | None = None, indicators=None, internal: bool = False,
          rules_file: str | Path | None = None, overrides_file: str | Path | None = None,
          bron: str = "auto") -> Factsheet:
    """Compute everything a factsheet for ``region`` (code or name) and ``period`` shows: the given
    indicator ids, or the catalogue's kernindicatoren. ``internal`` switches disclosure control off and
    marks everything as not for publication; ``rules_file`` overrides the disclosure rules and
    ``overrides_file`` holds manual verdicts; ``bron`` chooses own records, CBS StatLine or each where
    available (:func:`regiekit.engine.resolve`)."""
    store = Store.open(data_dir)
    target, period = REPORT.request(region, period, store)
    others = comparators(target)
    chosen = load_catalogue().select(list(indicators)) if indicators else kernindicatoren(store, bron)
    rules = disclosure.Rules.load(rules_file)
    table = published.table([i.id for i in chosen], store, rules, internal, bron=bron)
    chosen = published.as_published(table, chosen)
    codes = [target.code, *(r.code for r in others)]
    results = table[table["region_code"].isin(codes)].reset_index(drop=True)
    peers = table[(table["level"] == target.level) & (table["period"] == period)].reset_index(drop=True)
    share = next((i.id for i in chosen if i.unit in PROPORTION_UNITS), None)
    on_map = table[(table["indicator"] == share) & (table["period"] == period)
                   & table["region_code"].isin(map_gemeenten(target)) & table["category"].isna()].reset_index(drop=True)
    return Factsheet(target, period, store.synthetic, rules, internal, others, chosen, results,
                     verdicts.load_overrides(overrides_file) if overrides_file else None, peers, on_map)


def map_area(region: Region) -> Region:
    """The region whose gemeenten a factsheet's map shows: the region, or its jeugdregio for a gemeente."""
    return load_regions().parent(region.code, "jeugdregio") if region.level == "gemeente" else region


def map_gemeenten(region: Region) -> list[str]:
    """The gemeenten a factsheet's map shows (all of them for Nederland)."""
    index, area = load_regions(), map_area(region)
    return [r.code for r in index.all("gemeente")] if area.level == "land" else index.members(area.code)


REPORT = registry.register(registry.ReportKind("factsheet", "De factsheet",
                                               ("gemeente", "jeugdregio", "provincie", "land"), prepare))
