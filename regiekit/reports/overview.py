"""Two-year overviews (the expert-team monitor, the Regie op 3 report): kerncijfers of one region this
year against last year, and breakdowns with last year's and this year's numbers and this year's share."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pandas as pd

from regiekit import engine, formatting
from regiekit.data import vocabulary
from regiekit.data.store import Store
from regiekit.indicators.definitions import Indicator, load_catalogue
from regiekit.periods import Period, Span
from regiekit.publish import changes, disclosure, published
from regiekit.reference.regions import load_regions
from regiekit.reports import charts, registry, usertext
from regiekit.reports.common import PARTLY_SYNTHETIC_BANNER, Report, cell_text

PUBLISHED_COLUMNS = ["indicator", "label", "region_code", "region_name", "period", "category", "value", "unit",
                     "part", "markering", "source"]

# What a count of each kind of unit is called on a chart axis ('aantal plaatsingen', not 'aantal aanmeldingen'
# under JeugdzorgPlus in the monitor).
COUNTED = {"aanmeldingen": "aanmeldingen", "casusonderzoeken": "casusonderzoeken", "enquetes": "antwoorden",
           "followups": "follow-ups", "jongeren": "jongeren", "pilot_casussen": "casussen",
           "plaatsingen": "plaatsingen", "servicepunt": "besprekingen", "trajecten": "trajecten"}


def share_ids(breakdowns: dict[str, str]) -> list[str]:
    """The share indicators of breakdowns, where the catalogue has them."""
    catalogue = load_catalogue()
    return [f"{i}_pct" for i in breakdowns.values() if f"{i}_pct" in catalogue]


def periods(store: Store, period: Period) -> list[Period]:
    """The periods an overview of ``period`` shows: a year and the year before, or one span."""
    if isinstance(period, Span):
        return [period]
    return [p for p in (period - 1, period) if p in store.years]


def table(ids: list[str], store: Store, rules: disclosure.Rules, internal: bool, levels: tuple[str, ...],
          period: Period, parameters: dict | None = None, bron: str = "auto") -> pd.DataFrame:
    """The published table of an overview (the levels it is made for, the periods it shows), of the
    indicators that the store's data (or CBS) has: Regie op 3's case reviews without trajectories."""
    ids = [i.id for i in engine.available(load_catalogue().select(ids), store, bron)]
    return published.table(ids, store, rules, internal, levels, periods(store, period), parameters, bron)


def prepare(ids: list[str], store: Store, rules: disclosure.Rules, internal: bool, levels: tuple[str, ...],
            periods: list[Period], parameters: dict | None = None, bron: str = "auto") -> None:
    """Compute the published tables of an overview for each period into the cache (before a batch)."""
    for period in periods:
        table(ids, store, rules, internal, levels, period, parameters, bron)


def request(kind: registry.ReportKind, region: str, period, data_dir, ids: list[str], internal: bool,
            rules_file, parameters: dict | None = None, bron: str = "auto") -> dict:
    """Check a request for an overview and gather what it is built from: the base fields of an
    :class:`Overview` (region, period, synthetic, rules, internal, results)."""
    store = Store.open(data_dir)
    target, period = kind.request(region, period, store)
    rules = disclosure.Rules.load(rules_file, kind.name)
    catalogue = load_catalogue()
    rows = table(ids, store, rules, internal, kind.levels, period, parameters, bron)
    if isinstance(period, Span):  # the span's own figures, not those of a year that ends with it
        rows = rows[rows["subperiod"] == str(period)]
    tables = sorted({t for i in rows["indicator"].unique() for t in engine.own_tables(catalogue[i])
                     if t in store.tables} - {"bevolking"})
    imported = any(store.source_of(t) == "import" for t in tables)
    return {"region": target, "period": period, "synthetic": store.synthetic_for(tables), "rules": rules,
            "internal": internal, "results": rows[rows["region_code"] == target.code].reset_index(drop=True),
            "origin": "; ".join(f"{t}: {store.describe(t)}" for t in tables) if imported else ""}


def load_texts(path: str | Path | None) -> dict[str, str]:
    """Text a team writes itself: a Markdown file with a '## ' heading per part (the report's slots and
    any others, shown in file order)."""
    if path is None:
        return {}
    text = Path(path).read_text(encoding="utf-8-sig")
    parts = re.split(r"^##\s+(.+?)\s*$", text, flags=re.MULTILINE)
    return {title.strip(): body.strip() for title, body in zip(parts[1::2], parts[2::2])}


def _category_order(category: str):
    """Age bands in age order, numbers (school changes) as numbers, other categories alphabetically,
    'onbekend' last."""
    bands = list(vocabulary.AGE_BANDS)
    number = int(category) if category.isdigit() else -1
    return (category == engine.UNKNOWN, bands.index(category) if category in bands else len(bands), number, category)


def _category_name(ind: Indicator, category: str) -> str:
    """A category as a reader sees it: a gemeente by its name, a code by its label."""
    return load_regions().get(category).name if ind.by_gemeente else vocabulary.label(category)


@dataclass
class Overview(Report):
    """This year against last year for one region: kerncijfers and breakdowns."""

    results: pd.DataFrame  # published table for the region, this year and last year
    kerncijfers: list[str]
    breakdowns: dict[str, str]  # section title -> count indicator (its share: the same id + '_pct')
    units: str  # what the breakdowns count, in Dutch ('aanmeldingen', 'casussen')
    texts: dict[str, str] = field(default_factory=dict)  # the team's own text, by heading
    origin: str = ""  # where the records came from per table when imported: the files and their dates
    text_slots = ()  # headings of the text the team writes itself, always shown
    writer = "het team"
    published_columns = tuple(PUBLISHED_COLUMNS)  # the columns of :attr:`published` and of the CSV

    def banner_markdown(self, title: str) -> str:
        if not (self.synthetic and self.origin):
            return super().banner_markdown(title)
        return Report(self.region, self.period, False, self.rules, self.internal).banner_markdown(title) + \
            "\n\n" + PARTLY_SYNTHETIC_BANNER

    def source(self, real: str) -> str:
        """The 'Bron:' line: the registration, with the files it was imported from (and which tables are
        the demo's when the store holds both)."""
        return f"{real} ({self.origin}), bewerking regiekit" if self.origin else super().source(real)

    @cached_property
    def defs(self) -> dict[str, Indicator]:
        catalogue = load_catalogue()
        return {i: catalogue[i] for i in self.results["indicator"].unique()}

    @cached_property
    def published(self) -> pd.DataFrame:
        """Every number the overview shows, rounded, suppressed and marked as shown."""
        shown = self.shown(self.results, self.defs)
        shown["part"] = shown["indicator"].map(lambda i: "kerncijfers" if i in self.kerncijfers else "uitsplitsing")
        return shown[list(self.published_columns)].reset_index(drop=True)

    def _value(self, indicator: str, period: int, category=None):
        rows = self.published
        rows = rows[(rows["indicator"] == indicator) & (rows["period"] == period)]
        rows = rows[rows["category"] == category] if category is not None else rows[rows["category"].isna()]
        return None if rows.empty else rows.iloc[0]

    def _fmt(self, row, ind: Indicator) -> str:
        if row is None:
            return "–"
        return html.escape(cell_text(row["value"], row["markering"], ind))

    @property
    def columns(self) -> list[tuple[str, int]]:
        """The periods the overview shows, as (heading, ``period`` of its rows): last year and this
        year, or one project period."""
        if isinstance(self.period, Span):
            return [(str(self.period), self.period.last)]
        return [(str(p), p) for p in (self.period - 1, self.period)]

    @property
    def latest(self) -> int:
        """The ``period`` of the rows of this year (or of the project period)."""
        return self.columns[-1][1]

    def kerncijfers_html(self, ids: list[str] | None = None, caption: str | None = None) -> str:
        """This year against last year, with the change between published values (the kerncijfers, or
        ``ids`` under ``caption``); a project period in one column."""
        heads = [h for h, _ in self.columns]
        now = self.latest
        frame = self.results.assign(published=self.results["published"].astype(float))
        change = changes.year_over_year(frame[frame["category"].isna()], "published").set_index(["indicator", "period"])
        rows = []
        for ident in [i for i in ids or self.kerncijfers if i in self.defs]:  # those the data has
            ind = self.defs[ident]
            cells = [self._fmt(self._value(ident, p), ind) for _, p in self.columns]
            if len(self.columns) > 1:
                cells.append(self._change(change, ident, now, ind))
            rows.append(f'<tr data-indicator="{ident}"><th scope="row" style="text-align:left">'
                        f'{html.escape(ind.label)}</th>' + "".join(f'<td class="num">{c}</td>' for c in cells)
                        + "</tr>")
        if not rows:  # none of these figures in the data
            return ""
        head = "".join(f"<th>{h}</th>" for h in heads) + ("<th>verandering</th>" if len(heads) > 1 else "")
        return (f'<table class="regiekit-kern"><caption>{html.escape(caption or "Kerncijfers")} '
                f"{' en '.join(heads)}</caption><thead><tr><th></th>{head}</tr></thead>"
                f"<tbody>{''.join(rows)}</tbody></table>")

    @staticmethod
    def _change(change: pd.DataFrame, ident: str, period: int, ind: Indicator) -> str:
        if (ident, period) not in change.index:
            return "–"
        c = change.loc[(ident, period)]
        return changes.shown(c["previous"], c["published"], ind.unit, ind.decimals)

    def shown_breakdowns(self) -> list[str]:
        """The titles of the breakdowns the data has."""
        return [title for title, ident in self.breakdowns.items() if ident in self.defs]

    def _categories(self, ident: str) -> list[str]:
        """The categories of a breakdown in reading order; over a project period without 'onbekend',
        which the table's note counts as missing answers."""
        found = sorted(self._breakdown_rows(ident)["category"].unique(), key=_category_order)
        if self.defs[ident].by_gemeente:  # a list of gemeenten, by name
            found.sort(key=lambda c: _category_name(self.defs[ident], c))
        return [c for c in found if not (isinstance(self.period, Span) and c == engine.UNKNOWN)]

    def missing_text(self, ident: str) -> str:
        """'Missend voor 5 jeugdigen' under a breakdown over a project period (empty when every answer is
        there or outside a project period)."""
        row = self._value(ident, self.latest, engine.UNKNOWN)
        if not isinstance(self.period, Span) or row is None or row["value"] == 0:
            return ""
        shown = cell_text(row["value"], row["markering"], self.defs[ident])
        amount = {disclosure.SUPPRESSED: "een niet gepubliceerd aantal"}.get(shown, shown.replace("<", "minder dan "))
        one = {"jeugdigen": "jeugdige", "casussen": "casus", "aanmeldingen": "aanmelding"}
        units = one.get(self.units, self.units) if amount == "1" else self.units
        return f"Missend voor {amount} {units}."

    def breakdown_html(self, title: str) -> str:
        """Categories of one field: numbers last year and this year (or over the project period), and the
        latest share."""
        ident = self.breakdowns[title]
        ind, share = self.defs[ident], self.defs.get(f"{ident}_pct")
        now = self.columns[-1]
        rows = []
        for category in self._categories(ident):
            cells = [self._fmt(self._value(ident, p, category), ind) for _, p in self.columns]
            if share is not None:
                cells.append(self._fmt(self._value(share.id, now[1], category), share))
            rows.append("<tr><th scope=\"row\" style=\"text-align:left\">"
                        f"{html.escape(_category_name(ind, category))}</th>"
                        + "".join(f'<td class="num">{c}</td>' for c in cells) + "</tr>")
        head = "".join(f"<th>{h}</th>" for h, _ in self.columns) + (f"<th>% {now[0]}</th>" if share else "")
        base = f"; % van de {self.units}" if share is not None else ""  # only where a share column is shown
        note = f" (meerdere antwoorden mogelijk{base})" if ind.by in vocabulary.MULTI_VALUED else ""
        missing = self.missing_text(ident)
        foot = f'<tfoot><tr><td colspan="{len(self.columns) + 1 + bool(share)}">{missing}</td></tr></tfoot>' \
            if missing else ""
        return (f'<table class="regiekit-uitsplitsing" data-indicator="{ident}"><caption>{html.escape(title)}'
                f"{note}</caption><thead><tr><th></th>{head}</tr></thead><tbody>{''.join(rows)}</tbody>{foot}</table>")

    def texts_html(self, level: int = 2) -> str:
        """The team's own words under the report's headings (``<h2>``, or ``level``), rendered safely
        (:mod:`usertext`); empty slots say so."""
        parts = []
        for title in [*self.text_slots, *(t for t in self.texts if t not in self.text_slots)]:
            body = usertext.html(self.texts[title]) if self.texts.get(title) else \
                f"<p><em>Nog in te vullen door {self.writer}.</em></p>"
            parts.append(f"<h{level}>{html.escape(title)}</h{level}>\n{body}")
        return "\n".join(parts)

    def _breakdown_rows(self, ident: str) -> pd.DataFrame:
        """The published rows of a breakdown; by gemeente only the gemeenten with a registration in the
        years shown (a list, not all 342)."""
        rows = self.published[(self.published["indicator"] == ident) & self.published["category"].notna()]
        if self.defs[ident].by_gemeente:
            rows = rows[rows.groupby("category")["value"].transform(lambda v: v.isna().any() or (v != 0).any())]
        return rows

    def breakdown_figure(self, title: str):
        ident = self.breakdowns[title]
        ind = self.defs[ident]
        rows = self._breakdown_rows(ident)
        order = {c: n for n, c in enumerate(self._categories(ident))}
        labels = {p: h for h, p in self.columns}
        rows = rows[rows["period"].isin(labels) & rows["category"].isin(order)]
        rows = rows.assign(series=rows["period"].map(labels), order=rows["category"].map(order),
                           mark=[cell_text(v, m, ind) for v, m in zip(rows["value"], rows["markering"])])
        rows = rows.sort_values(["order", "period"]).assign(category=lambda f: f["category"].map(
            lambda c: _category_name(ind, c)))
        label = formatting.UNIT_LABEL.get(ind.unit, ind.unit)
        counted = COUNTED.get(ind.numerator.count, self.units)  # what the breakdown counts, not the report's unit
        # None: all suppressed
        return charts.categories(rows, title, f"aantal {counted}" if label == "aantal" else label,
                                 whole=ind.unit == "count")

    def breakdown_chart_html(self, title: str) -> str:
        figure = self.breakdown_figure(title)
        if figure is None:
            return ""
        shown = " en ".join(h for h, _ in self.columns)
        return charts.html_image(figure, f"Staafdiagram {title.lower()} per categorie in {shown}; een cijfer dat "
                                 "niet gepubliceerd wordt staat er als x of <3.")
