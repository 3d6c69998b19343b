"""The progress report (seed 004): per actielijn a factsheet with the 'Beweging' banner, numbered panels
each with its own latest period, a 'Bron:' line and generated verdict headings under 'Wat zegt deze
factsheet ons?', after a summary table of the kernindicatoren over every year shown. An actielijn
without figures in regiekit's sources keeps its place with the reason. A comparison across a series
break carries a footnote mark and the break's note. The layout is data
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

from regiekit import engine
from regiekit.data import vocabulary
from regiekit.data.store import Store
from regiekit.indicators.definitions import DatedNote, Indicator, load_catalogue
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
    nummer: int = Field(ge=1)
    titel: str
    beweging: str | None = None  # required with panels
    bron: str | None = None  # required with panels
    panelen: list[Panel] = Field(max_length=5)  # empty only with a reason in zonder_cijfers
    zonder_cijfers: str | None = None  # why the actielijn has no figures; the report prints it in its place

    @model_validator(mode="after")
    def _figures_or_reason(self):
        if not self.panelen:
            if not (self.zonder_cijfers or "").strip():
                raise ValueError(f"actielijn {self.nummer}: zonder panelen hoort er een reden bij in "
                                 "'zonder_cijfers' (waarom er geen cijfers zijn)")
        elif self.zonder_cijfers is not None:
            raise ValueError(f"actielijn {self.nummer}: 'zonder_cijfers' hoort bij een actielijn zonder panelen")
        elif not (self.beweging and self.bron):
            raise ValueError(f"actielijn {self.nummer}: een actielijn met panelen heeft een 'beweging' en een 'bron'")
        return self


class Layout(_Strict):
    jaren: int = Field(ge=2, le=10)
    actielijnen: list[Actielijn] = Field(min_length=1)

    @model_validator(mode="after")
    def _known_indicators(self):
        numbers = [line.nummer for line in self.actielijnen]
        if numbers != sorted(set(numbers)):
            raise ValueError(f"de actielijnen staan niet op volgorde of een nummer komt twee keer voor: {numbers}")
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


def heading(verdict: verdicts.Verdict, first: float | None, last: float | None, comparison,
            since: int | None = None) -> str:
    """A short Dutch verdict heading in the manner of seed 004 ('iets gedaald', 'blijft hoog'). ``since``:
    the series break the verdict starts from (it judges the years from then on), said in the heading;
    ``first`` is then the first value from that year."""
    after = f" sinds {since}" if since else ""
    if verdict.verdict == "onbekend":
        return "geen oordeel mogelijk" + (f" (trendbreuk in {since})" if since else "")
    if verdict.verdict == "geen_trend":
        return "geen structurele trend" + after
    if verdict.verdict == "stabiel":
        side = comparison.direction if comparison is not None else "gelijk"
        return {"hoger": "blijft hoog", "lager": "blijft laag"}.get(side, "blijft stabiel") + after
    # the word comes from the judgement itself (its trend), so heading and sentence agree
    rising = verdict.direction == "up" if verdict.direction else last > first
    word = "gestegen" if rising else "gedaald"
    slight = first and abs(last - first) / abs(first) < 0.10
    return f"{'iets ' if slight else ''}{word}{after}" + {"verbetert": " (verbetering)",
                                                          "verslechtert": " (verslechtering)",
                                                          "ambigu": ""}[verdict.verdict]


MARKS = "¹²³⁴⁵⁶⁷⁸⁹"
LEFT = 'style="text-align:left"'  # JupyterLab aligns table cells right


class _Footnotes:
    """The series-break footnotes of one table: one mark per break, numbered in the order met."""

    def __init__(self):
        self.marks: dict[tuple[int, str], str] = {}

    def mark(self, brk: DatedNote) -> str:
        key = (brk.date.year, brk.note)
        if key not in self.marks:
            n = len(self.marks)
            self.marks[key] = MARKS[n] if n < len(MARKS) else f"<sup>{n + 1}</sup>"
        return self.marks[key]

    def html(self, explain) -> str:
        """A paragraph per break: its mark, year and note, then ``explain(year)``."""
        return "".join(f'<p class="regiekit-voetnoot"><small>{mark} Trendbreuk in {year}: '
                       f"{html.escape(_sentence(note))} {explain(year)}</small></p>"
                       for (year, note), mark in self.marks.items())


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else text + "."


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
            covered = self.breaks(ind)
            for band, label, series in self._series(ind):
                verdict = verdicts.apply_override(verdicts.judge(ind, series.assign(value=series["published"]),
                                                                 self.period, self.region.code, band),
                                                  self.overrides or {})
                # a verdict cut at a break judges the years from it on: the heading says so and reads them too
                since = covered[-1].date.year if covered and verdict.note else None
                values = series[series["period"] >= (since or 0)].dropna(subset=["published"])["published"]
                values = values.astype(float)
                first, last = (values.iloc[0], values.iloc[-1]) if len(values) else (None, None)
                found[ident].append((band, label, heading(verdict, first, last, comparison, since), verdict))
        return found

    def breaks(self, ind: Indicator) -> list[DatedNote]:
        """The series breaks the years shown cover, oldest first: a break in year B lies between B-1 and
        B, so a comparison across it is shown when B is later than the first year."""
        return sorted((b for b in ind.series_breaks if self.years[0] < b.date.year <= self.years[-1]),
                      key=lambda b: b.date)

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
        status = str(row["status"].iloc[0] or "")
        return html.escape(cell_text(row["published"].iloc[0], "geheim" if status.startswith("geheim") else "", ind))

    def _change(self, ind: Indicator, rows: pd.DataFrame) -> str:
        """Growth (counts) or difference in percentage points between the first and last year shown;
        '–' when either is not published."""
        values = rows.set_index("period")["published"]
        first, last = (values.get(y) for y in (self.years[0], self.years[-1]))
        return changes.shown(first, last, ind.unit, ind.decimals)

    def _change_cell(self, ind: Indicator, rows: pd.DataFrame, notes: _Footnotes) -> str:
        """The change between the first and last year shown, with the mark of each series break it
        crosses."""
        change = self._change(ind, rows)
        if change == "–":
            return change
        return change + "".join(notes.mark(b) for b in self.breaks(ind))

    def summary_html(self) -> str:
        """The kernindicatoren of every actielijn: a column per year shown, the change between the first
        and last year and the verdict; an actielijn without figures has one row saying so. A change across
        a series break carries a mark, explained under the table."""
        years, notes = self.years, _Footnotes()
        body = []
        for line in self.layout.actielijnen:
            if not line.panelen:
                body.append(f'<tr data-actielijn="{line.nummer}"><td>{line.nummer}</td><th scope="row" {LEFT}>'
                            f'{html.escape(line.titel)}</th><td colspan="{len(years) + 2}" {LEFT}><em>geen cijfers'
                            f"</em> (zie actielijn {line.nummer})</td></tr>")
                continue
            for panel in line.panelen:
                ind = self.defs[panel.indicator]
                starts = {b.date.year: b for b in self.breaks(ind)}
                for band, label, head, _ in self.findings[ind.id]:
                    rows = self._rows(ind.id, self.region.code, band)
                    published = set(rows.loc[rows["published"].notna(), "period"])
                    # the first year after a break is marked where it has a number to compare
                    cells = [self._fmt(rows[rows["period"] == y], ind)
                             + (notes.mark(starts[y]) if y in starts and y in published else "") for y in years]
                    cells.append(self._change_cell(ind, rows, notes))
                    body.append(f'<tr data-indicator="{ind.id}"><td>{line.nummer}</td>'
                                f'<th scope="row" {LEFT}>{html.escape(label)}</th>'
                                + "".join(f'<td class="num">{c}</td>' for c in cells)
                                + f"<td {LEFT}>{html.escape(head)}</td></tr>")
        head = "".join(f'<th class="num">{y}</th>' for y in years)
        # auto layout on screen as in print (JupyterLab fixes table columns to equal widths)
        table = ('<table class="regiekit-kern" style="table-layout:auto"><caption>Kernindicatoren per actielijn'
                 f'</caption><thead><tr><th>actie&shy;lijn</th><th {LEFT}>indicator</th>{head}'
                 f'<th class="num">verandering</th><th {LEFT}>oordeel</th></tr></thead><tbody>{"".join(body)}</tbody>'
                 "</table>")
        legend = (f'<p class="regiekit-voetnoot"><small>Verandering: van {years[0]} tot {years[-1]}, in procenten '
                  "voor aantallen en in procentpunten voor percentages. Het oordeel weegt de hele reeks. "
                  f"{disclosure.SUPPRESSED}: niet gepubliceerd (onthullingscontrole); –: geen cijfer.</small></p>")
        return table + legend + notes.html(
            lambda year: f"Cijfers van voor {year} zijn niet goed te vergelijken met die vanaf {year}: de verandering "
                         "gaat over deze breuk heen, het oordeel weegt alleen de jaren vanaf de laatste trendbreuk.")

    @property
    def years(self) -> list[int]:
        return sorted(int(p) for p in self.results["period"].unique())

    def actielijn_html(self, line: Actielijn) -> str:
        """The actielijn's heading and 'Beweging' banner; without figures: the heading and why."""
        heading = (f'<h2 style="break-before:page;page-break-before:always">Actielijn {line.nummer}: '
                   f"{html.escape(line.titel)}</h2>")  # every actielijn starts a new page, as in seed 004
        if not line.panelen:
            return (heading +
                    f'<p class="regiekit-zonder-cijfers"><strong>Geen cijfers.</strong> '
                    f"{html.escape(' '.join(line.zonder_cijfers.split()))}</p>")
        return (heading + '<div class="regiekit-beweging" '
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
        return head + body

    def _table_html(self, ind: Indicator) -> str:
        """A small table: a column per year shown and the change; the first year after a series break
        and each change across it carry the break's mark, explained under the table."""
        years, notes = self.years, _Footnotes()
        starts = {b.date.year: notes.mark(b) for b in self.breaks(ind)}
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
            cells = [self._fmt(rows[rows["period"] == y], ind) for y in years] + [self._change_cell(ind, rows, notes)]
            body.append(f'<tr><th scope="row" style="text-align:left">{html.escape(name)}</th>'
                        + "".join(f'<td class="num">{c}</td>' for c in cells) + "</tr>")
        head = "".join(f"<th>{y}{starts.get(y, '')}</th>" for y in years)
        change = f"{'groei' if ind.unit == 'count' else 'verschil'} {years[0]}-{years[-1]}"
        return (f'<table class="regiekit-paneel" data-indicator="{ind.id}"><thead><tr><th></th>{head}'
                f"<th>{change}</th></tr></thead><tbody>{''.join(body)}</tbody></table>"
                + notes.html(lambda year: f"Cijfers van voor {year} zijn niet goed te vergelijken met die vanaf "
                                          f"{year}; de kolom '{change}' gaat over deze breuk heen."))

    def _chart_html(self, ind: Indicator) -> str:
        shown = self.published[(self.published["indicator"] == ind.id) & self.published["category"].isna()]
        if shown["value"].isna().all():
            return "<p>Alle cijfers zijn weggelaten (onthullingscontrole).</p>"
        labels = {self.region.code: self.region.name, NEDERLAND: "Nederland"}
        figure = charts.trend(shown, [ind], labels)
        covered = self.breaks(ind)
        dashed = f", met een stippellijn bij de trendbreuk in {_and(b.date.year for b in covered)}" if covered else ""
        regions = self.region.name + (" en Nederland" if self.region.code != NEDERLAND else "")
        image = charts.html_image(figure, f"Lijngrafiek {ind.label.lower()} per jaar, {self.years[0]}-"
                                          f"{self.years[-1]}, {regions}, met 95%-betrouwbaarheidsinterval{dashed}.")
        # the chart draws each break as a dashed line; its caption says what it is
        return image + "".join(f'<p class="regiekit-voetnoot"><small>Stippellijn: trendbreuk in {b.date.year}. '
                               f"{html.escape(_sentence(b.note))}</small></p>" for b in covered)

    @property
    def _from_cbs(self) -> bool:
        """Whether every number comes from CBS StatLine."""
        return bool(self.results["bron"].eq("cbs").all()) if "bron" in self.results else False

    def bron_markdown(self, line: Actielijn) -> str:
        if not line.panelen:  # an actielijn without figures has no source line
            return ""
        if self._from_cbs:
            return f"*Bron: {'; '.join(sorted(set(self.results['source'])))}.*"
        return f"*Bron: {self.source(line.bron.rstrip('.'))}. Een jongere telt één keer per jaar.*"

    def findings_markdown(self, line: Actielijn) -> str:
        """'Wat zegt deze factsheet ons?': a verdict heading and the generated sentence per indicator
        (nothing for an actielijn without figures: its reason stands under its heading)."""
        if not line.panelen:
            return ""
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
        parts = ["## Over deze rapportage",
                 f"Regio-indeling {load_regions().year}. Een ontwikkeling heet een trend als die statistisch "
                 "betekenisvol is (95%). 'Blijft hoog' of 'blijft laag' vergelijkt met de rest van Nederland.",
                 self.cbs_markdown(self.results), "" if self._from_cbs else self.disclosure_markdown()]
        return "\n\n".join(part for part in parts if part)


def _and(items) -> str:
    """'2019', '2019 en 2021', '2017, 2019 en 2021'."""
    items = [str(i) for i in items]
    return " en ".join([", ".join(items[:-1]), items[-1]] if len(items) > 1 else items)


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
