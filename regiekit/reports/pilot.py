"""The pilot report in the manner of Kennispunt Twente (seed 001, pilot 'Regie in 7
samenwerkingsstappen'): per research question the cases in which the guide was used, the people
involved and the agreements made, and how professionals and parents rate rust, continuïteit and
duidelijkheid; the same notebook gives the interim factsheet (while the pilot runs) and the final
report. The team's findings from group interviews are read from a Markdown file. Every survey share
stands beside its number of respondents (a count under the same disclosure control as the rest) and its
95% interval; the Twente figures the research design quotes (``pilot_context.yaml``) stand apart in a
box of their own. Each research question's heading is printed together with its first block, so that no
heading is left alone at the foot of a page. Shown by ``notebooks/pilot.ipynb``."""

from __future__ import annotations

import html
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pandas as pd
import yaml

from regiekit import formatting, periods
from regiekit.data.store import Store
from regiekit.periods import Span
from regiekit.publish import disclosure
from regiekit.reference.regions import load_regions
from regiekit.reports import overview, registry
from regiekit.reports.overview import PUBLISHED_COLUMNS, Overview

UITVOERING = ["pilot_casussen_aantal", "pilot_handreiking_gebruikt_pct", "pilot_betrokkenen_gemiddeld"]
ITEMS = {"rust": "rust", "continuiteit": "continuïteit", "duidelijkheid": "duidelijkheid"}
ROLES = {"professional": "professionals", "ouder": "ouders"}
BREAKDOWNS = {"Afspraken per stap van de handreiking": "pilot_afspraken",
              **{f"Ervaren {word}: {ROLES[role]}":
                 f"enquete_{item}_{role}_verdeling" for role in ROLES for item, word in ITEMS.items()}}
LEVELS = ("jeugdregio",)
TEXT_SLOTS = ("Werkzame elementen en belemmerende factoren", "Uit de groepsgesprekken")
QUESTIONS = {1: "Is de pilot uitgevoerd zoals beoogd?", 2: "Wat zijn de werkzame elementen en belemmerende factoren?",
             3: "Hoe ervaren de professionals het gebruik van de handreiking?",
             4: "Hoe ervaren de ouders het gebruik van de handreiking?"}
CONTEXT = Path(__file__).with_name("pilot_context.yaml")  # the Twente figures quoted from seed 001
SCORES = {"1": "1 helemaal oneens", "5": "5 helemaal eens"}  # the ends of the scale, as the questionnaire names them
# what the registration of a case holds (regiekit/data/schemas.py, pilot_casussen): no type of case
NOT_REGISTERED = ("<p class=\"regiekit-niet-geregistreerd\"><strong>Voor welke casussen?</strong> Voor welke soort "
                  "casussen de handreiking is ingezet, kan deze rapportage niet laten zien: de registratie van de "
                  "pilot legt per casus alleen de gemeente, de startdatum, het gebruik van de handreiking, het "
                  "aantal betrokkenen en de stappen met afspraken vast. De indicatie volgens het Twents Model (OB3 "
                  "of OB4, de doelgroep van de pilot), de problematiek en de manier waarop de casus binnenkwam, "
                  "staan er niet in.</p>")
# a research question's heading travels with its first block: one element the printer does not split
QUESTION_STYLE = "break-inside: avoid; page-break-inside: avoid"
HEADING_STYLE = "break-after: avoid; page-break-after: avoid"


def eens_ids(role: str) -> list[str]:
    return [f"enquete_{item}_{role}_eens_pct" for item in ITEMS]


def respondent_id(item: str, role: str) -> str:
    """The count of respondents who answered a statement: the base (n) of its share and its distribution."""
    return f"enquete_{item}_{role}_respondenten"


def respondent_ids(role: str) -> list[str]:
    return [respondent_id(item, role) for item in ITEMS]


def indicator_ids() -> list[str]:
    return (UITVOERING + [i for role in ROLES for i in eens_ids(role) + respondent_ids(role)]
            + list(BREAKDOWNS.values()))


def load_context(path: str | Path = CONTEXT) -> dict:
    """The figures the research design quotes for Twente, with their sources (a data file, not code)."""
    return yaml.safe_load(Path(path).read_text(encoding="utf-8"))


def _case_starts(store: Store) -> pd.DataFrame:
    """Gemeente and start year of every pilot case (empty when the store holds none)."""
    if "pilot_casussen" not in store.tables:
        return pd.DataFrame({"gemeente_code": [], "jaar": []})
    cases = pd.read_parquet(Path(store.path) / "pilot_casussen.parquet", columns=["gemeente_code", "startdatum"])
    return cases.assign(jaar=pd.to_datetime(cases["startdatum"]).dt.year)[["gemeente_code", "jaar"]]


def pilot_years(store: Store, region_code: str, cases: pd.DataFrame | None = None) -> list[int]:
    """The years in which cases of the pilot started in the region's gemeenten."""
    cases = _case_starts(store) if cases is None else cases
    mine = cases[cases["gemeente_code"].isin(load_regions().members(region_code))]
    return sorted(int(y) for y in mine["jaar"].unique())


def regions(store: Store) -> list[str]:
    """The jeugdregio's with pilot cases: the regions the report is made for."""
    cases = _case_starts(store)
    return [r.code for r in load_regions().all("jeugdregio") if pilot_years(store, r.code, cases)]


@dataclass
class Pilot(Overview):
    final: bool = True
    years: tuple[int, ...] = ()
    name: str = "Regie in 7 samenwerkingsstappen"
    context_file: str | Path = CONTEXT
    text_slots = TEXT_SLOTS
    writer = "de onderzoekers"
    # the CSV holds the 95% interval of every share beside the share itself
    published_columns = (*PUBLISHED_COLUMNS[:PUBLISHED_COLUMNS.index("value") + 1], "ci_low", "ci_high",
                         *PUBLISHED_COLUMNS[PUBLISHED_COLUMNS.index("value") + 1:])

    def heading_markdown(self) -> str:
        kind = "Eindrapportage" if self.final else "Tussenrapportage"
        return self.banner_markdown(f"{kind} pilot {self.name}, {self.region.label}, {self.period}")

    def intro_markdown(self) -> str:
        span = f"{self.years[0]}-{self.years[-1]}" if self.years else "–"
        status = ("De pilot is afgerond; dit is de eindrapportage over de hele looptijd." if self.final else
                  f"De pilot loopt nog; dit is een tussentijdse factsheet over {self.period}.")
        return (f"Casussen van de pilot in deze regio startten in {span}. {status} De cijfers komen uit de "
                "geanonimiseerde handreikingen en de vragenlijsten van professionals en ouders (score 1 tot 5; "
                "'eens' is 4 of 5). Bij elk percentage uit de vragenlijsten staan het aantal respondenten (n) en "
                "het 95%-betrouwbaarheidsinterval. Onderzoeksvragen:\n\n"
                + "\n".join(f"{n}. {q}" for n, q in QUESTIONS.items()))

    def shown(self, rows: pd.DataFrame, defs: dict) -> pd.DataFrame:
        """As every report shows its rows, with one link more under disclosure control: a share 'eens' is the
        sum of the distribution's scores 4 and 5 over the same respondents, a link the published table does
        not know. Where one of those scores is not published, the share and the respondents (n) would give
        it away, and with it the scores 1 to 3; so the share is not published either."""
        out = super().shown(rows, defs)
        key = list(zip(out["region_code"], out["period"], out["subperiod"].fillna("") if "subperiod" in out
                       else [""] * len(out)))
        for role in ROLES:
            for item in ITEMS:
                share, scores = f"enquete_{item}_{role}_eens_pct", f"enquete_{item}_{role}_verdeling"
                if share not in defs or scores not in defs:
                    continue
                agree = defs[share].numerator.where[item]
                counted = out["category"].map(lambda c, r=agree: _within(c, r))
                hidden = {k for k, hit in zip(key, out["indicator"].eq(scores) & counted & out["value"].isna())
                          if hit}
                gone = out["indicator"].eq(share) & out["value"].notna() & pd.Series([k in hidden for k in key],
                                                                                       index=out.index)
                out.loc[gone, ["value", "ci_low", "ci_high"]] = None
                out.loc[gone, "markering"] = disclosure.STATUS_TEXT["geheim"]
        return out

    @cached_property
    def context(self) -> dict:
        return load_context(self.context_file)

    def context_html(self) -> str:
        """The figures for the region that the research design quotes (seed 001), each with its source, in a
        box of their own: quoted, not computed, and about all youths of the region, not the pilot's cases.
        Empty for a region the file holds no figures for."""
        context = self.context
        if context.get("regio") != self.region.code:
            return ""
        parts = []
        for group in context["groepen"]:
            rows = "".join(f'<tr><th scope="row" style="text-align:left;font-weight:normal;padding:1px 6px">'
                           f'{html.escape(figure["label"])}</th><td class="num" style="padding:1px 6px">'
                           f"{_quoted(figure)}</td></tr>" for figure in group["cijfers"])
            note = f"<br>{html.escape(group['noot'])}" if group.get("noot") else ""
            parts.append(f'<table class="regiekit-ter-vergelijking" style="margin:6px 0 0 0"><caption '
                         f'style="text-align:left"><strong>{html.escape(group["titel"])}</strong></caption>'
                         f"<tbody>{rows}</tbody></table><p style=\"margin:2px 0 6px 0\"><small>Bron: "
                         f"{html.escape(group['bron'])}.{note}</small></p>")
        return ('<aside class="regiekit-ter-vergelijking" style="border:2px solid #7a7a7a;background:#f2f2f2;'
                'padding:4px 12px;margin:12px 0;font-size:90%;break-inside:avoid;page-break-inside:avoid">'
                f'<h3 style="margin:6px 0">{html.escape(context["titel"])}</h3>'
                f'<p style="margin:0">{html.escape(context["toelichting"])}</p>{"".join(parts)}</aside>')

    def question_html(self, number: int, first: str = "") -> str:
        """A research question's heading together with its first block, in one element that the printer
        keeps on one page: the heading never stands alone at the foot of a page."""
        return (f'<section class="regiekit-vraag" style="{QUESTION_STYLE}"><h2 style="{HEADING_STYLE}">'
                f"{number}. {html.escape(QUESTIONS[number])}</h2>{first}</section>")

    def question_blocks(self, number: int) -> list[str]:
        """What a research question shows, as blocks to display one after another (each a notebook output,
        which the printer moves to the next page whole when it fits on one); the first holds the heading."""
        if number == 1:
            title = "Afspraken per stap van de handreiking"
            blocks = [self.kerncijfers_html(UITVOERING, "Inzet van de handreiking") + NOT_REGISTERED]
            if title in self.shown_breakdowns():
                blocks += [self.breakdown_html(title), self.breakdown_chart_html(title)]
        elif number == 2:
            blocks = [self.texts_html(level=3)]
        else:
            role = "professional" if number == 3 else "ouder"
            blocks = [self.agreement_html(role), self.distribution_html(role),
                      *(self.breakdown_chart_html(title) for title in self.distribution_titles(role))]
        blocks = [b for b in blocks if b] or ["<p><em>Geen gegevens in deze periode.</em></p>"]
        return [self.question_html(number, blocks[0]), *blocks[1:]]

    def share_text(self, row, ind) -> str:
        """A published share with its 95% interval, '57% (50-64%)'; only the mark when it is not published."""
        text = self._fmt(row, ind)
        if row is None or pd.isna(row["value"]) or pd.isna(row["ci_low"]) or pd.isna(row["ci_high"]):
            return text
        low, high = (formatting.number(row[c], ind.decimals) for c in ("ci_low", "ci_high"))
        return f'{text} <span class="interval">({low}-{high}{formatting.UNIT_SUFFIX[ind.unit]})</span>'

    def respondents_text(self, item: str, role: str, period: int) -> str:
        """The number of respondents to a statement as published: a number, '<3' or x (disclosure control)."""
        ident = respondent_id(item, role)
        return self._fmt(self._value(ident, period), self.defs[ident]) if ident in self.defs else "–"

    @staticmethod
    def _head(groups: list[str], sub: list[str], corner: str) -> str:
        """Column headings: ``groups`` with ``sub`` under each, or one row of ``groups`` when ``sub`` has
        one heading only (the report's one period, named in the caption)."""
        left = f'<th scope="col" style="text-align:left">{corner}</th>'
        if len(sub) == 1:
            return f"<thead><tr>{left}{''.join(f'<th>{html.escape(g)}</th>' for g in groups)}</tr></thead>"
        top = "".join(f'<th colspan="{len(sub)}">{html.escape(g)}</th>' for g in groups)
        below = "".join(f"<th>{html.escape(s)}</th>" for _ in groups for s in sub)
        return f"<thead><tr><th></th>{top}</tr><tr>{left}{below}</tr></thead>"

    def agreement_html(self, role: str) -> str:
        """Question 3 or 4: the share of professionals or parents that agrees on rust, continuïteit and
        duidelijkheid, each with its 95% interval and its number of respondents (n)."""
        rows = []
        for item, word in ITEMS.items():
            ident = f"enquete_{item}_{role}_eens_pct"
            if ident not in self.defs:
                continue
            cells = [c for _, p in self.columns for c in (self.share_text(self._value(ident, p), self.defs[ident]),
                                                          self.respondents_text(item, role, p))]
            rows.append(f'<tr data-indicator="{ident}"><th scope="row" style="text-align:left">Ervaren {word}</th>'
                        + "".join(f'<td class="num">{c}</td>' for c in cells) + "</tr>")
        if not rows:
            return ""
        who, sub = ROLES[role], ["% eens (95%-interval)", "n"]
        periods = [h for h, _ in self.columns]  # one period: one row of headings, the period in the caption
        heads = (sub, periods) if len(periods) == 1 else (periods, sub)
        return (f"<p>De tabel geeft het percentage {who} dat het (helemaal) eens is met de stelling (score 4 of 5), "
                f"met tussen haakjes het 95%-betrouwbaarheidsinterval, en het aantal {who} dat de stelling "
                "beantwoordde (n). Hoe minder antwoorden, hoe breder het interval. Overlappen de intervallen van "
                "twee percentages, dan is het verschil tussen die percentages niet duidelijk.</p>"
                f'<table class="regiekit-kern regiekit-enquete" data-rol="{role}"><caption>Eens met de stellingen: '
                f"{who}, {self._shown_periods}</caption>{self._head(*heads, 'stelling')}"
                f"<tbody>{''.join(rows)}</tbody></table>")

    @property
    def _shown_periods(self) -> str:
        return " en ".join(h for h, _ in self.columns)

    def distribution_titles(self, role: str) -> list[str]:
        """The titles of the score distributions of professionals or parents that the data has."""
        return [t for t in self.shown_breakdowns() if BREAKDOWNS[t].endswith(f"_{role}_verdeling")]

    def distribution_html(self, role: str) -> str:
        """The scores 1 to 5 on each statement as % of the answers, with 95% intervals, and the number of
        respondents (n) under each statement."""
        idents = [BREAKDOWNS[t] for t in self.distribution_titles(role)]
        if not idents:
            return ""
        items = [i.removeprefix("enquete_").removesuffix(f"_{role}_verdeling") for i in idents]
        words = [ITEMS[i].capitalize() for i in items]
        scores = sorted({c for i in idents for c in self._categories(i)}, key=overview._category_order)
        rows = []
        for score in scores:
            cells = [self.share_text(self._value(i, p, score), self.defs[i]) for i in idents for _, p in self.columns]
            rows.append(f'<tr><th scope="row" style="text-align:left">{html.escape(SCORES.get(score, score))}</th>'
                        + "".join(f'<td class="num">{c}</td>' for c in cells) + "</tr>")
        n = [self.respondents_text(item, role, p) for item in items for _, p in self.columns]
        foot = ('<tfoot><tr><th scope="row" style="text-align:left">n (respondenten)</th>'
                + "".join(f'<td class="num">{c}</td>' for c in n) + "</tr></tfoot>")
        head = self._head(words, [h for h, _ in self.columns], "score")
        return (f'<table class="regiekit-kern regiekit-verdeling" data-rol="{role}"><caption>Verdeling van de '
                f"scores: {ROLES[role]}, {self._shown_periods}, % van de antwoorden (95%-interval)</caption>{head}"
                f"<tbody>{''.join(rows)}</tbody>{foot}</table>")

    @property
    def columns(self) -> list[tuple[str, int]]:
        """As an overview, without a year before the pilot began."""
        return [(h, p) for h, p in super().columns if not self.years or p >= self.years[0]]

    def source_markdown(self) -> str:
        source = self.source("handreikingen en vragenlijsten van de pilot")
        when = (f"één keer over {self.period}" if isinstance(self.period, Span) else
                "in het jaar waarin ze startten, antwoorden in het jaar waarin de vragenlijst is ingevuld")
        quoted = (" De cijfers in het kader 'Ter vergelijking' zijn overgenomen uit de onderzoeksopzet van "
                  "Kennispunt Twente, met hun eigen bron; regiekit heeft ze niet berekend."
                  if self.context_html() else "")
        return "\n\n".join([f"Bron: {source}. Casussen tellen {when}. Betrouwbaarheidsintervallen: 95%, volgens "
                              f"Wilson, berekend uit de exacte aantallen.{quoted}", self.disclosure_markdown()])


def _within(category, bounds) -> bool:
    """Whether a score (a category of a distribution) is one a count selects: within a range ({ge: 4}) or
    among listed values ([4, 5])."""
    try:
        score = float(category)
    except (TypeError, ValueError):
        return False
    if isinstance(bounds, list | tuple):
        return score in {float(b) for b in bounds}
    return ((bounds.ge is None or score >= bounds.ge) and (bounds.gt is None or score > bounds.gt)
            and (bounds.le is None or score <= bounds.le) and (bounds.lt is None or score < bounds.lt))


def _quoted(figure: dict) -> str:
    """A quoted figure in Dutch notation: 125.550, 43%, 110.735 (88%)."""
    text = formatting.number(figure["waarde"], 0) + ("%" if figure["eenheid"] == "percent" else "")
    return f"{text} ({formatting.number(figure['aandeel'], 0)}%)" if "aandeel" in figure else text


def prepare(store: Store, rules: disclosure.Rules, internal: bool, periods: list[int], bron: str = "auto") -> None:
    overview.prepare(indicator_ids(), store, rules, internal, LEVELS, periods, bron=bron)


def build(region: str, period: int | str, data_dir: str | Path | None = None, texts_file: str | Path | None = None,
          final: bool | None = None, internal: bool = False, rules_file: str | Path | None = None) -> Pilot:
    """The pilot report for ``region`` (a jeugdregio with pilot cases) up to ``period``: the final report
    over the whole pilot (one span of its years) when ``period`` is the pilot's last year or the span
    itself (or ``final`` says so), else the interim factsheet of that year."""
    store = Store.open(data_dir)
    target, asked = REPORT.request(region, period, store)
    years = pilot_years(store, target.code)
    last = periods.last_year(asked)
    if not years or last < years[0]:
        raise registry.ReportError(f"geen pilotcasussen in {target.label} tot en met {last}"
                                   + (f"; de pilot begon in {years[0]}" if years else ""))
    if last > years[-1]:
        raise registry.ReportError(f"de pilot in {target.label} liep van {years[0]} tot en met {years[-1]}; "
                                   f"de eindrapportage is voor periode {years[-1]}")
    final = (last >= years[-1] or isinstance(asked, Span)) if final is None else bool(final)
    if final and isinstance(asked, int) and len(years) > 1:
        asked = Span(years[0], years[-1])  # the final report covers the whole pilot
    base = overview.request(REPORT, region, asked, data_dir, indicator_ids(), internal, rules_file)
    return Pilot(**base, kerncijfers=UITVOERING, breakdowns=BREAKDOWNS, units="casussen",
                 texts=overview.load_texts(texts_file), final=final, years=tuple(years))


REPORT = registry.register(registry.ReportKind("pilot", "Het pilotrapport", LEVELS, prepare, available=regions,
                                               spans=True))
