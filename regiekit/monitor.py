"""The expert-team annual overview in the manner of seed 002 (RET monitor): this year against last
year for the registration fields, lead time against the 4-6 week norm, JeugdzorgPlus, and the text
the team writes itself, read from a Markdown file. Shown by ``notebooks/monitor.ipynb``."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pandas as pd

from regiekit import changes, charts, disclosure, engine, formatting, published, vocabulary
from regiekit.definitions import Indicator, load_catalogue
from regiekit.regions import load_regions
from regiekit.report import Report
from regiekit.store import Store

# 'financieel verantwoordelijke gemeente' is shown as the share that differs from the registering
# gemeente (a breakdown by all 342 gemeenten would be mostly suppressed cells)
KERNCIJFERS = ["aanmeldingen_aantal", "doorlooptijd_mediaan", "doorlooptijd_binnen_norm_pct",
               "aanmeldingen_financieel_elders_pct", "jeugdzorgplus_jongeren", "jeugdzorgplus_peildatum",
               "jeugdzorgplus_verblijfsduur", "jeugdzorgplus_via_servicepunt"]
BREAKDOWNS = {  # section title -> count indicator (its share is the same id + '_pct' where the catalogue has one)
    "Soort vraag": "aanmeldingen_soort_vraag", "Wie meldt aan": "aanmeldingen_aanmelder",
    "Geslacht": "aanmeldingen_geslacht", "Leeftijd": "aanmeldingen_leeftijdsklasse",
    "Verklarende analyse vooraf": "aanmeldingen_verklarende_analyse",
    "Problematiek van de jeugdige": "aanmeldingen_problematiek_jeugdige",
    "Problematiek van de ouders": "aanmeldingen_problematiek_ouders", "Verblijfsplek": "aanmeldingen_verblijfsplek",
    "Problemen op school": "aanmeldingen_problemen_school", "Type onderwijs": "aanmeldingen_type_onderwijs",
    "JeugdzorgPlus: soort machtiging": "jeugdzorgplus_machtiging"}
LEVELS = ("jeugdregio", "land")  # expert teams work per jeugdregio; gemeenten are too small to publish
TEXT_SLOTS = ("Wat zeggen de cijfers niet?", "Rode draden")
PUBLISHED_COLUMNS = ["indicator", "label", "region_code", "region_name", "period", "category", "value", "unit",
                     "part", "markering", "source"]


def indicator_ids() -> list[str]:
    """Every indicator the monitor shows (for disclosure control over all regions at once)."""
    catalogue = load_catalogue()
    shares = [f"{i}_pct" for i in BREAKDOWNS.values() if f"{i}_pct" in catalogue]
    return KERNCIJFERS + list(BREAKDOWNS.values()) + shares


def load_texts(path: str | Path | None) -> dict[str, str]:
    """The team's own text: a Markdown file with a '## ' heading per part ('Wat zeggen de cijfers
    niet?', 'Rode draden', and any others, shown in file order)."""
    if path is None:
        return {}
    text = Path(path).read_text(encoding="utf-8-sig")
    parts = re.split(r"^##\s+(.+?)\s*$", text, flags=re.MULTILINE)
    return {title.strip(): body.strip() for title, body in zip(parts[1::2], parts[2::2])}


@dataclass
class Monitor(Report):
    results: pd.DataFrame  # published table for the region, this year and last year
    texts: dict[str, str]

    @cached_property
    def defs(self) -> dict[str, Indicator]:
        catalogue = load_catalogue()
        return {i: catalogue[i] for i in self.results["indicator"].unique()}

    @cached_property
    def published(self) -> pd.DataFrame:
        """Every number the overview shows, rounded, suppressed and marked as shown."""
        shown = self.shown(self.results, self.defs)
        shown["part"] = shown["indicator"].map(lambda i: "kerncijfers" if i in KERNCIJFERS else "uitsplitsing")
        return shown[PUBLISHED_COLUMNS].reset_index(drop=True)

    def heading_markdown(self) -> str:
        return self.banner_markdown(f"Monitor expertteam {self.region.label}, {self.period}")

    def _value(self, indicator: str, period: int, category=None):
        rows = self.published
        rows = rows[(rows["indicator"] == indicator) & (rows["period"] == period)]
        rows = rows[rows["category"] == category] if category is not None else rows[rows["category"].isna()]
        return None if rows.empty else rows.iloc[0]

    def _fmt(self, row, ind: Indicator) -> str:
        if row is None:
            return "–"
        if row["value"] is None or pd.isna(row["value"]):
            return disclosure.SUPPRESSED if str(row["markering"]).startswith("geheim") else "–"
        unit = ind.unit if ind.unit in formatting.UNIT_SUFFIX else "count"
        suffix = {"days": " dagen", "months": " maanden"}.get(ind.unit, "")
        return formatting.value(row["value"], unit, ind.decimals) + suffix

    def kerncijfers_html(self) -> str:
        """This year against last year, with the change between published values."""
        before = self.period - 1
        rows = []
        frame = self.results.assign(published=self.results["published"].astype(float))
        change = changes.year_over_year(frame[frame["category"].isna()], "published").set_index(["indicator", "period"])
        for ident in KERNCIJFERS:
            ind = self.defs[ident]
            now, then = self._value(ident, self.period), self._value(ident, before)
            delta = "–"
            if (ident, self.period) in change.index:
                c = change.loc[(ident, self.period)]
                if ind.unit in ("percent", "per_1000") and not pd.isna(c["difference_pp"]):
                    delta = f"{formatting.number(c['difference_pp'], ind.decimals)} procentpunt"
                elif not pd.isna(c["growth_pct"]):
                    delta = f"{'+' if c['growth_pct'] > 0 else ''}{formatting.number(c['growth_pct'])}%"
            rows.append(f'<tr data-indicator="{ident}"><th scope="row" style="text-align:left">{html.escape(ind.label)}</th>'
                        f'<td class="num">{self._fmt(then, ind)}</td><td class="num">{self._fmt(now, ind)}</td>'
                        f'<td class="num">{delta}</td></tr>')
        return (f'<table class="regiekit-kern"><caption>Kerncijfers {before} en {self.period}</caption>'
                f"<thead><tr><th></th><th>{before}</th><th>{self.period}</th><th>verandering</th></tr></thead>"
                f"<tbody>{''.join(rows)}</tbody></table>")

    def norm_markdown(self) -> str:
        """Lead time against the norm of 4 to 6 weeks."""
        median = self._value("doorlooptijd_mediaan", self.period)
        share = self._value("doorlooptijd_binnen_norm_pct", self.period)
        if median is None or share is None:
            return ""
        return (f"**Doorlooptijd.** De helft van de adviezen is binnen {self._fmt(median, self.defs['doorlooptijd_mediaan'])} "
                f"gegeven; {self._fmt(share, self.defs['doorlooptijd_binnen_norm_pct'])} binnen de norm van zes weken "
                "(de norm is 4 tot 6 weken).")

    def breakdown_html(self, title: str) -> str:
        """Categories of one field: numbers last year and this year, and this year's share."""
        ident = BREAKDOWNS[title]
        ind, share = self.defs[ident], self.defs.get(f"{ident}_pct")
        cats = self.published[(self.published["indicator"] == ident) & self.published["category"].notna()]
        rows = []
        for category in sorted(cats["category"].unique(), key=_category_order):
            cells = [self._fmt(self._value(ident, p, category), ind) for p in (self.period - 1, self.period)]
            if share is not None:
                cells.append(self._fmt(self._value(share.id, self.period, category), share))
            rows.append(f"<tr><th scope=\"row\" style=\"text-align:left\">{html.escape(category.replace('_', ' '))}</th>"
                        + "".join(f'<td class="num">{c}</td>' for c in cells) + "</tr>")
        head = f"<th>{self.period - 1}</th><th>{self.period}</th>" + (f"<th>% {self.period}</th>" if share else "")
        field = ind.by
        note = " (meerdere antwoorden mogelijk; % van de aanmeldingen)" if field in vocabulary.MULTI_VALUED else ""
        return (f'<table class="regiekit-uitsplitsing" data-indicator="{ident}"><caption>{html.escape(title)}'
                f"{note}</caption><thead><tr><th></th>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>")

    def breakdown_figure(self, title: str):
        ident = BREAKDOWNS[title]
        rows = self.published[(self.published["indicator"] == ident) & self.published["category"].notna()
                              & self.published["period"].isin([self.period - 1, self.period])]
        return charts.categories(rows, title)  # None when every cell is suppressed

    def breakdown_chart_html(self, title: str) -> str:
        figure = self.breakdown_figure(title)
        if figure is None:
            return ""
        return charts.html_image(figure, f"Staafdiagram {title.lower()}: aantal aanmeldingen per categorie in "
                                 f"{self.period - 1} en {self.period}; weggelaten cijfers ontbreken.")

    def texts_markdown(self) -> str:
        """The team's own words; empty slots say so."""
        parts = []
        for title in [*TEXT_SLOTS, *(t for t in self.texts if t not in TEXT_SLOTS)]:
            body = self.texts.get(title) or "*Nog in te vullen door het expertteam.*"
            parts.append(f"## {title}\n\n{body}")
        return "\n\n".join(parts)

    def source_markdown(self) -> str:
        source = "synthetische demodata van regiekit" if self.synthetic else "registratie van het expertteam, bewerking regiekit"
        return "\n\n".join([f"Bron: {source}. Aanmeldingen tellen in het jaar van aanmelding; jongeren in de "
                            "JeugdzorgPlus op 31 december.", self.disclosure_markdown()])


def _periods(store: Store, period: int) -> list[int]:
    return [p for p in (period - 1, period) if p in store.years]


def prepare(store: Store, rules: disclosure.Rules, internal: bool, periods: list[int]) -> None:
    """Compute the published tables of the periods to report into the cache."""
    for period in periods:
        published.table(indicator_ids(), store, rules, internal, LEVELS, _periods(store, period))


def _category_order(category: str):
    """Age bands in age order, other categories alphabetically, 'onbekend' last."""
    bands = list(vocabulary.AGE_BANDS)
    return (category == engine.UNKNOWN, bands.index(category) if category in bands else len(bands), category)


def build(region: str, period: int, data_dir: str | Path | None = None, texts_file: str | Path | None = None,
          internal: bool = False, rules_file: str | Path | None = None) -> Monitor:
    """Everything the monitor for ``region`` (usually a jeugdregio) and ``period`` shows."""
    store = Store.open(data_dir)
    target = load_regions().get(str(region))
    if target.level not in LEVELS:
        raise engine.EngineError(f"the monitor is made per jeugdregio or for Nederland, not for a {target.level}")
    period = int(period)
    if period not in store.years:
        raise engine.EngineError(f"no data for period {period}; the store holds {store.years[0]}-{store.years[-1]}")
    rules = disclosure.Rules.load(rules_file)
    table = published.table(indicator_ids(), store, rules, internal, LEVELS, _periods(store, period))
    rows = table[(table["region_code"] == target.code) & table["period"].isin([period - 1, period])]
    return Monitor(target, period, store.synthetic, rules, internal, rows.reset_index(drop=True), load_texts(texts_file))
