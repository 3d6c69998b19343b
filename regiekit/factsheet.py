"""The regional factsheet: the numbers, chart and Dutch text that ``notebooks/factsheet.ipynb`` shows.

Everything the notebook displays comes from one :class:`Factsheet`; ``published`` holds exactly the
numbers shown (rounded as shown) and is what the runner writes as CSV next to the HTML.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pandas as pd

from regiekit import charts, engine, formatting
from regiekit.atomic import write_text
from regiekit.definitions import Indicator, load_catalogue
from regiekit.regions import NEDERLAND, Region, load_regions
from regiekit.store import Store

KERN = "kernindicator"  # the catalogue tag of the indicators a factsheet shows
PUBLISHED_COLUMNS = ["indicator", "label", "region_code", "region_name", "period", "value", "unit", "part", "source"]


def comparators(region: Region) -> list[Region]:
    """Regions shown beside ``region``: its jeugdregio and provincie (for a gemeente) and Nederland."""
    index = load_regions()
    if region.level == "land":
        return []
    found = []
    if region.level == "gemeente":
        found = [index.parent(region.code, "jeugdregio"), index.parent(region.code, "provincie")]
    elif region.level == "jeugdregio":
        provincies = {index.parent(g, "provincie").code for g in index.members(region.code)}
        found = [index.get(p) for p in sorted(provincies)] if len(provincies) == 1 else []
    return found + [index.get(NEDERLAND)]


@dataclass
class Factsheet:
    region: Region
    period: int
    comparators: list[Region]
    indicators: list[Indicator]
    results: pd.DataFrame  # engine output for region and comparators, all years
    synthetic: bool

    @cached_property
    def published(self) -> pd.DataFrame:
        """Every number the factsheet shows, rounded as shown: the table (period) and the chart (trend)."""
        decimals = {i.id: i.decimals for i in self.indicators}
        labels = {i.id: i.label for i in self.indicators}
        shown = self.results[(self.results["period"] == self.period)
                             | self.results["region_code"].isin(self._trend_regions())].copy()
        shown["part"] = (shown["period"] == self.period).map({True: "tabel", False: "grafiek"})
        shown["value"] = [None if pd.isna(v) else round(float(v), decimals[i])
                          for v, i in zip(shown["value"], shown["indicator"])]
        shown["label"] = shown["indicator"].map(labels)
        shown["source"] = "synthetische demodata" if self.synthetic else "regiekit"
        return shown[PUBLISHED_COLUMNS].reset_index(drop=True)

    def _trend_regions(self) -> list[str]:
        return [self.region.code] + ([NEDERLAND] if self.region.code != NEDERLAND else [])

    def value(self, indicator: str, region: str, period: int | None = None):
        row = self.published
        row = row[(row["indicator"] == indicator) & (row["region_code"] == region)
                  & (row["period"] == (period or self.period))]
        return None if row.empty else row["value"].iloc[0]

    def heading_markdown(self) -> str:
        lines = [f"# Factsheet jeugdhulp {self.region.label}, {self.period}"]
        if self.synthetic:
            lines.append("**Let op: synthetische demodata.** Deze cijfers zijn verzonnen en gaan niet over echte jongeren.")
        return "\n\n".join(lines)

    def table_html(self) -> str:
        """The kernindicatoren for the period: the region beside its comparators."""
        regions = [self.region, *self.comparators]
        head = "".join(f"<th>{html.escape(r.label)}</th>" for r in regions)
        body = []
        for ind in self.indicators:
            cells = "".join(f'<td class="num">{_fmt(self.value(ind.id, r.code), ind)}</td>' for r in regions)
            body.append(f'<tr data-indicator="{ind.id}"><th scope="row" style="text-align:left">{html.escape(ind.label)}'
                        f'<br><small>{html.escape(_population_text(ind))}</small></th>{cells}</tr>')
        return (f'<table class="regiekit-kern"><caption>Kernindicatoren {self.period}</caption>'
                f"<thead><tr><th>Indicator</th>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>")

    def trend_figure(self):
        shown = self.published
        return charts.trend(shown[shown["region_code"].isin(self._trend_regions())], self.indicators,
                            {r.code: r.label for r in [self.region, *self.comparators]})

    def text_markdown(self) -> str:
        """A few Dutch sentences on the period, the change since last year and the comparison."""
        sentences = []
        for ind in self.indicators:
            now = self.value(ind.id, self.region.code)
            if now is None:
                continue
            sentence = f"**{ind.label}** ({_population_text(ind)}): {_fmt(now, ind)} in {self.period}"
            before = self.value(ind.id, self.region.code, self.period - 1)
            if before is not None:
                sentence += f", tegen {_fmt(before, ind)} in {self.period - 1}"
            if self.region.code != NEDERLAND:
                sentence += f". Nederland: {_fmt(self.value(ind.id, NEDERLAND), ind)}"
            sentences.append(f"- {sentence}.")
        notes = [f"- *Trendbreuk {b.date.year}*: {b.note}" for ind in self.indicators for b in ind.series_breaks
                 if b.date.year <= self.period]
        return "\n".join(["## Wat zeggen de cijfers?", *sentences, *notes])

    def source_markdown(self) -> str:
        source = "synthetische demodata van regiekit" if self.synthetic else "CBS Beleidsinformatie Jeugd, bewerking regiekit"
        return (f"Bron: {source}. Regio-indeling {load_regions().year}. Percentages zijn berekend uit "
                "aantallen jongeren per gemeente; een jongere telt één keer per jaar.")

    def write_csv(self, path: str | Path) -> None:
        write_text(Path(path), self.published.to_csv(index=False))


def _fmt(value, ind: Indicator) -> str:
    return formatting.value(value, ind.unit, ind.decimals)


def _population_text(ind: Indicator) -> str:
    low, high = ind.population.age_band.split("-")
    return f"{low} tot {high} jaar" + (", op 31 december" if ind.period == "peildatum" else "")


def build(region: str, period: int, data_dir: str | Path | None = None, indicators=None) -> Factsheet:
    """Compute everything a factsheet for ``region`` (code or name) and ``period`` shows: the given
    indicator ids, or the catalogue's kernindicatoren."""
    store = Store.open(data_dir)
    target = load_regions().get(str(region))
    period = int(period)
    if period not in store.years:
        raise engine.EngineError(f"no data for period {period}; the store holds {store.years[0]}-{store.years[-1]}")
    others = comparators(target)
    chosen = load_catalogue().select(list(indicators) if indicators else None, tag=None if indicators else KERN)
    results = engine.compute([i.id for i in chosen], [target.code, *(r.code for r in others)], store.years, store)
    return Factsheet(target, period, others, chosen, results, store.synthetic)
