"""The progress report (seed 004): per actielijn a factsheet with the 'Beweging' banner, numbered panels
each with its own latest period, a 'Bron:' line and generated verdict headings under 'Wat zegt deze
factsheet ons?', after a summary table of the kernindicatoren. The layout is data
(``regiekit/reports/voortgang.yaml``); ``notebooks/voortgang.ipynb`` shows it."""

from __future__ import annotations

import html
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Literal

import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from regiekit import engine, formatting
from regiekit.data import vocabulary
from regiekit.data.store import Store
from regiekit.indicators.definitions import Indicator, load_catalogue
from regiekit.publish import changes, disclosure, published, verdicts
from regiekit.reference.regions import NEDERLAND, load_regions
from regiekit.reports import charts, registry
from regiekit.reports.common import Report, cell_text, compare_with_nederland, sentence
from regiekit.reports.overview import _category_order

LAYOUT = Path(__file__).with_name("voortgang.yaml")
PUBLISHED_COLUMNS = ["indicator", "label", "region_code", "region_name", "period", "category", "value", "ci_low",
                     "ci_high", "unit", "part", "markering", "oordeel", "source"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Panel(_Strict):
    titel: str
    indicator: str
    vorm: Literal["grafiek", "tabel"]
    cbs_indicator: str | None = None  # shown instead when the figures come from CBS, which lacks ``indicator``
    cbs_titel: str | None = None  # the panel's title for that indicator (default: ``titel``)


class Actielijn(_Strict):
    nummer: int
    titel: str
    beweging: str
    bron: str
    panelen: list[Panel] = Field(min_length=1, max_length=5)


class Layout(_Strict):
    jaren: int = Field(ge=2, le=10)
    actielijnen: list[Actielijn] = Field(min_length=1)

    @model_validator(mode="after")
    def _known_indicators(self):
        catalogue = load_catalogue()
        for line in self.actielijnen:
            for panel in line.panelen:
                for ident in filter(None, (panel.indicator, panel.cbs_indicator)):
                    if ident not in catalogue:
                        raise ValueError(f"actielijn {line.nummer}: onbekende indicator {ident!r}")
                    ind = catalogue[ident]
                    if panel.vorm == "grafiek" and (ind.by is not None or ind.unit == "count"):
                        raise ValueError(f"actielijn {line.nummer}: {ident} is een aantal of uitsplitsing; "
                                         "toon het als 'tabel'")
        return self

    @property
    def indicator_ids(self) -> list[str]:
        """Every indicator a panel may show: its own and its CBS alternative."""
        return list(dict.fromkeys(i for line in self.actielijnen for p in line.panelen
                                  for i in (p.indicator, p.cbs_indicator) if i))

    def resolved(self, found: set[str]) -> Layout:
        """The layout with each panel whose indicator is not in ``found`` showing its CBS alternative
        (when that one is)."""
        def choose(panel: Panel) -> Panel:
            if panel.indicator in found or panel.cbs_indicator not in found:
                return panel
            return panel.model_copy(update={"indicator": panel.cbs_indicator, "titel": panel.cbs_titel or panel.titel})
        return self.model_copy(update={"actielijnen": [
            line.model_copy(update={"panelen": [choose(p) for p in line.panelen]}) for line in self.actielijnen]})


def load_layout(path: str | Path | None = None) -> Layout:
    """The report layout, validated (nothing in it is executed)."""
    path = Path(path) if path else LAYOUT
    try:
        return Layout.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except (ValidationError, yaml.YAMLError) as exc:
        raise registry.ReportError(f"{path}: ongeldige indeling van de voortgangsrapportage: {exc}") from exc


def heading(verdict: verdicts.Verdict, first: float | None, last: float | None, comparison) -> str:
    """A short Dutch verdict heading in the manner of seed 004 ('iets gedaald', 'blijft hoog')."""
    if verdict.verdict == "onbekend":
        return "geen oordeel mogelijk"
    if verdict.verdict == "geen_trend":
        return "geen structurele trend"
    if verdict.verdict == "stabiel":
        side = comparison.direction if comparison is not None else "gelijk"
        return {"hoger": "blijft hoog", "lager": "blijft laag"}.get(side, "blijft stabiel")
    # the word comes from the judgement itself (its trend), so heading and sentence agree
    rising = verdict.direction == "up" if verdict.direction else last > first
    word = "gestegen" if rising else "gedaald"
    slight = first and abs(last - first) / abs(first) < 0.10
    return f"{'iets ' if slight else ''}{word}" + {"verbetert": " (verbetering)", "verslechtert": " (verslechtering)",
                                                    "ambigu": ""}[verdict.verdict]


@dataclass
class Voortgang(Report):
    layout: Layout
    results: pd.DataFrame  # published table for the region and Nederland, the years shown
    overrides: dict | None = None

    @cached_property
    def defs(self) -> dict[str, Indicator]:
        """The panels' definitions as they apply to the figures shown (from CBS: with CBS's series breaks)."""
        chosen = published.as_published(self.results, load_catalogue().select(self.layout.indicator_ids))
        return {i.id: i for i in chosen}

    def _rows(self, indicator: str, region: str, category=None) -> pd.DataFrame:
        r = self.results
        r = r[(r["indicator"] == indicator) & (r["region_code"] == region)]
        r = r[r["category"] == category] if category is not None else r[r["category"].isna()]
        return r.sort_values("period")

    def latest(self, indicator: str) -> int | None:
        """The panel's own latest period: the last year with a published number for the region."""
        rows = self.results[(self.results["indicator"] == indicator) & (self.results["region_code"] == self.region.code)
                            & self.results["published"].notna()]
        return int(rows["period"].max()) if not rows.empty else None

    def _series(self, ind: Indicator):
        """(band or None, label, series rows) of what is judged: the indicator, or each age band of a
        breakdown whose desired direction differs per band."""
        if ind.by is None:
            return [(None, ind.label, self._rows(ind.id, self.region.code))]
        if ind.by != "leeftijdsklasse" or not isinstance(ind.direction, dict):
            return []
        cats = self.results.loc[(self.results["indicator"] == ind.id) & self.results["category"].notna(), "category"]
        return [(band, f"{ind.label}, {band} jaar", self._rows(ind.id, self.region.code, band))
                for band in sorted(cats.unique(), key=_category_order) if band in ind.direction]

    @cached_property
    def findings(self) -> dict[str, list[tuple[str | None, str, str, verdicts.Verdict]]]:
        """Per indicator: (band, label, heading, verdict) for the indicator or each of its age bands."""
        found = {}
        for ident, ind in self.defs.items():
            found[ident] = []
            comparison = compare_with_nederland(self.results, ind, self.region.code, self.period)
            for band, label, series in self._series(ind):
                verdict = verdicts.apply_override(verdicts.judge(ind, series.assign(value=series["published"]),
                                                                 self.period, self.region.code, band),
                                                  self.overrides or {})
                values = series.dropna(subset=["published"])["published"].astype(float)
                first, last = (values.iloc[0], values.iloc[-1]) if len(values) else (None, None)
                found[ident].append((band, label, heading(verdict, first, last, comparison), verdict))
        return found

    @cached_property
    def published(self) -> pd.DataFrame:
        """Every number the report shows: the region in tables and charts, Nederland in the charts."""
        charted = {p.indicator for line in self.layout.actielijnen for p in line.panelen if p.vorm == "grafiek"}
        rows = self.results[(self.results["region_code"] == self.region.code)
                            | self.results["indicator"].isin(charted)].copy()
        rows["part"] = (rows["region_code"] == self.region.code).map({True: "paneel", False: "vergelijking"})
        shown = self.shown(rows, self.defs)
        verdict_of = {(i, band): verdicts.phrase(v) for i, items in self.findings.items()
                      for band, _, _, v in items}
        focus = (shown["region_code"] == self.region.code) & (shown["period"] == self.period)
        shown["oordeel"] = [verdict_of.get((i, c if isinstance(c, str) else None)) if f else None
                            for i, c, f in zip(shown["indicator"], shown["category"], focus)]
        return shown[PUBLISHED_COLUMNS].reset_index(drop=True)

    def heading_markdown(self) -> str:
        return self.banner_markdown(f"Voortgangsrapportage jeugdhulp {self.region.label}, {self.period}")

    def _fmt(self, row, ind: Indicator) -> str:
        if row is None or row.empty:
            return "–"
        return html.escape(cell_text(row["published"].iloc[0], "geheim" if row["status"].iloc[0] == "geheim" else "",
                                     ind))

    def _change(self, ind: Indicator, rows: pd.DataFrame) -> str:
        """Growth (counts) or difference in percentage points between the first and last year shown;
        '–' when either is not published."""
        values = rows.set_index("period")["published"]
        first, last = (values.get(y) for y in (self.years[0], self.years[-1]))
        if first is None or last is None or pd.isna(first) or pd.isna(last):
            return "–"
        first, last = float(first), float(last)
        if ind.unit == "count":
            change, decimals, suffix = changes.growth_pct(first, last), 0, "%"
        else:
            change, decimals, suffix = changes.difference_pp(first, last), ind.decimals, " pp"
        if change is None:
            return "–"
        return formatting.signed(change, decimals) + suffix

    def summary_html(self) -> str:
        """The kernindicatoren of every actielijn: first and last year shown, change and verdict."""
        years = self.years
        body = []
        for line in self.layout.actielijnen:
            for panel in line.panelen:
                ind = self.defs[panel.indicator]
                for band, label, head, _ in self.findings[ind.id]:
                    rows = self._rows(ind.id, self.region.code, band)
                    cells = [self._fmt(rows[rows["period"] == y], ind) for y in (years[0], years[-1])]
                    body.append(f'<tr data-indicator="{ind.id}"><td>{line.nummer}</td>'
                                '<th scope="row" style="text-align:left">'
                                f"{html.escape(label)}</th>" + "".join(f'<td class="num">{c}</td>' for c in cells)
                                + f'<td class="num">{self._change(ind, rows)}</td><td>{html.escape(head)}</td></tr>')
        return ('<table class="regiekit-kern"><caption>Kernindicatoren per actielijn</caption><thead><tr>'
                f"<th>actielijn</th><th>indicator</th><th>{years[0]}</th><th>{years[-1]}</th><th>verandering</th>"
                f"<th>oordeel</th></tr></thead><tbody>{''.join(body)}</tbody></table>")

    @property
    def years(self) -> list[int]:
        return sorted(int(p) for p in self.results["period"].unique())

    def actielijn_html(self, line: Actielijn) -> str:
        return (f'<h2>Actielijn {line.nummer}: {html.escape(line.titel)}</h2><div class="regiekit-beweging" '
                'style="background:#154273;color:#fff;padding:0.6em 0.9em;border-radius:4px">'
                f"<strong>Beweging:</strong> {html.escape(line.beweging)}</div>")

    def panel_html(self, line: Actielijn, number: int) -> str:
        panel = line.panelen[number - 1]
        ind = self.defs[panel.indicator]
        if not (self.results["indicator"] == ind.id).any():  # the chosen source (CBS) does not have it
            return (f"<h3>{number}. {html.escape(panel.titel)}</h3><p><em>Niet beschikbaar uit de gekozen bron: "
                    f"CBS publiceert deze indicator niet met dezelfde basis ({_population_text(ind)}).</em></p>")
        latest = self.latest(ind.id)
        head = (f"<h3>{number}. {html.escape(panel.titel)}</h3><p><em>" + (f"Laatste cijfer: {latest}" if latest
                else "Geen publiceerbare cijfers voor deze regio") + f" ({_population_text(ind)})</em></p>")
        body = self._chart_html(ind) if panel.vorm == "grafiek" else self._table_html(ind)
        notes = [f"<p><small>* Trendbreuk in {b.date.year}: {html.escape(b.note)}</small></p>"
                 for b in ind.series_breaks if b.date.year in self.years[1:]]
        return head + body + "".join(notes)

    def _table_html(self, ind: Indicator) -> str:
        years, breaks = self.years, {b.date.year for b in ind.series_breaks}
        if ind.by is None:
            categories = [None]
        else:
            found = self.results.loc[(self.results["indicator"] == ind.id) & self.results["category"].notna(),
                                     "category"]
            categories = sorted(found.unique(), key=_category_order)
        body = []
        for category in categories:
            rows = self._rows(ind.id, self.region.code, category)
            name = ind.label if category is None else vocabulary.label(category)
            cells = [self._fmt(rows[rows["period"] == y], ind) for y in years] + [self._change(ind, rows)]
            body.append(f'<tr><th scope="row" style="text-align:left">{html.escape(name)}</th>'
                        + "".join(f'<td class="num">{c}</td>' for c in cells) + "</tr>")
        head = "".join(f"<th>{y}{'*' if y in breaks else ''}</th>" for y in years)
        change = "groei" if ind.unit == "count" else "verschil"
        return (f'<table class="regiekit-paneel" data-indicator="{ind.id}"><thead><tr><th></th>{head}'
                f"<th>{change} {years[0]}-{years[-1]}</th></tr></thead><tbody>{''.join(body)}</tbody></table>")

    def _chart_html(self, ind: Indicator) -> str:
        shown = self.published[(self.published["indicator"] == ind.id) & self.published["category"].isna()]
        if shown["value"].isna().all():
            return "<p>Alle cijfers zijn weggelaten (onthullingscontrole).</p>"
        labels = {self.region.code: self.region.name, NEDERLAND: "Nederland"}
        figure = charts.trend(shown, [ind], labels)
        return charts.html_image(figure, f"Lijngrafiek {ind.label.lower()} per jaar, {self.years[0]}-{self.years[-1]}, "
                                         f"{self.region.name}"
                                         + (" en Nederland" if self.region.code != NEDERLAND else "")
                                 + ", met 95%-betrouwbaarheidsinterval.")

    @property
    def _from_cbs(self) -> bool:
        """Whether every number comes from CBS StatLine."""
        return bool(self.results["bron"].eq("cbs").all()) if "bron" in self.results else False

    def bron_markdown(self, line: Actielijn) -> str:
        if self._from_cbs:
            return f"*Bron: {'; '.join(sorted(set(self.results['source'])))}.*"
        return f"*Bron: {self.source(line.bron.rstrip('.'))}. Een jongere telt één keer per jaar.*"

    def findings_markdown(self, line: Actielijn) -> str:
        """'Wat zegt deze factsheet ons?': a verdict heading and the generated sentence per indicator."""
        parts = [f"### Wat zegt deze factsheet ons? (actielijn {line.nummer})"]
        for panel in line.panelen:
            for _, label, head, verdict in self.findings[panel.indicator]:
                text = f"**{label}: {head}**\n\n{sentence(verdict)}"
                if verdict.manual:
                    text += " *(oordeel van de redactie)*"
                if verdict.note:
                    text += f"\n\n*{verdict.note}*"
                parts.append(text)
        if len(parts) == 1:
            parts.append("De panelen van deze actielijn tonen verdelingen zonder gewenste richting; "
                         "er is geen oordeel.")
        return "\n\n".join(parts)

    def source_markdown(self) -> str:
        parts = [f"Regio-indeling {load_regions().year}. Een ontwikkeling heet een trend als die statistisch "
                 "betekenisvol is (95%). 'Blijft hoog' of 'blijft laag' vergelijkt met de rest van Nederland.",
                 self.cbs_markdown(self.results), "" if self._from_cbs else self.disclosure_markdown()]
        return "\n\n".join(part for part in parts if part)


def _population_text(ind: Indicator) -> str:
    low, high = ind.population.age_band.split("-")
    return f"{low} tot {high} jaar"


def _periods(store: Store, period: int, layout: Layout) -> list[int]:
    return [p for p in store.years if period - layout.jaren < p <= period]


def prepare(store: Store, rules: disclosure.Rules, internal: bool, periods: list[int], bron: str = "auto") -> None:
    """Compute the published tables of the runner's periods into the cache."""
    layout = load_layout()
    for period in periods:
        _table(layout, store, rules, internal, _periods(store, period, layout), bron)


def _table(layout: Layout, store: Store, rules: disclosure.Rules, internal: bool, periods: list[int],
           bron: str) -> pd.DataFrame:
    """The published table of the layout's indicators that the chosen source has: a panel's own, else its
    CBS alternative (a panel with neither says so)."""
    catalogue = load_catalogue()
    found = {i.id for i in engine.available(catalogue.select(layout.indicator_ids), store, bron)}
    ids = {p.indicator if p.indicator in found else p.cbs_indicator
           for line in layout.actielijnen for p in line.panelen} & found
    return published.table(sorted(ids), store, rules, internal, None, periods, bron=bron)


def build(region: str, period: int, data_dir: str | Path | None = None, internal: bool = False,
          rules_file: str | Path | None = None, overrides_file: str | Path | None = None,
          layout_file: str | Path | None = None, bron: str = "auto") -> Voortgang:
    """Everything the progress report for ``region`` (any level) and ``period`` shows; ``layout_file``
    replaces the standard layout (``regiekit/reports/voortgang.yaml``)."""
    store = Store.open(data_dir)
    target, period = REPORT.request(region, period, store)
    layout, rules = load_layout(layout_file), disclosure.Rules.load(rules_file)
    table = _table(layout, store, rules, internal, _periods(store, period, layout), bron)
    layout = layout.resolved(set(table["indicator"]))
    rows = table[table["region_code"].isin([target.code, NEDERLAND])].reset_index(drop=True)
    return Voortgang(target, period, store.synthetic, rules, internal, layout, rows,
                     verdicts.load_overrides(overrides_file) if overrides_file else None)


REPORT = registry.register(registry.ReportKind("voortgang", "De voortgangsrapportage",
                                               ("gemeente", "jeugdregio", "provincie", "land"), prepare))
