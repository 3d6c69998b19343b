"""The pilot report in the manner of Kennispunt Twente (seed 001, pilot 'Regie in 7
samenwerkingsstappen'): per research question the cases in which the guide was used, the people
involved and the agreements made, and how professionals and parents rate rust, continuïteit and
duidelijkheid; the same notebook gives the interim factsheet (while the pilot runs) and the final
report. The team's findings from group interviews are read from a Markdown file. Shown by
``notebooks/pilot.ipynb``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from regiekit import periods
from regiekit.data.store import Store
from regiekit.periods import Span
from regiekit.publish import disclosure
from regiekit.reference.regions import load_regions
from regiekit.reports import overview, registry
from regiekit.reports.overview import Overview

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


def eens_ids(role: str) -> list[str]:
    return [f"enquete_{item}_{role}_eens_pct" for item in ITEMS]


def indicator_ids() -> list[str]:
    return UITVOERING + [i for role in ROLES for i in eens_ids(role)] + list(BREAKDOWNS.values())


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
    text_slots = TEXT_SLOTS
    writer = "de onderzoekers"

    def heading_markdown(self) -> str:
        kind = "Eindrapportage" if self.final else "Tussenrapportage"
        return self.banner_markdown(f"{kind} pilot {self.name}, {self.region.label}, {self.period}")

    def intro_markdown(self) -> str:
        span = f"{self.years[0]}-{self.years[-1]}" if self.years else "–"
        status = ("De pilot is afgerond; dit is de eindrapportage over de hele looptijd." if self.final else
                  f"De pilot loopt nog; dit is een tussentijdse factsheet over {self.period}.")
        return (f"Casussen van de pilot in deze regio startten in {span}. {status} De cijfers komen uit de "
                "geanonimiseerde handreikingen en de vragenlijsten van professionals en ouders (score 1 tot 5; "
                "'eens' is 4 of 5). Onderzoeksvragen:\n\n" + "\n".join(f"{n}. {q}" for n, q in QUESTIONS.items()))

    def question_markdown(self, number: int) -> str:
        return f"## {number}. {QUESTIONS[number]}"

    def experience_html(self, role: str) -> str:
        """Question 3 or 4: the share that agrees on rust, continuïteit and duidelijkheid, and the scores."""
        parts = [self.kerncijfers_html(eens_ids(role), f"Eens met de stellingen: {ROLES[role]}"),
                 "<p>Verdeling van de scores (1 = helemaal oneens, 5 = helemaal eens), % van de antwoorden:</p>"]
        for title, ident in BREAKDOWNS.items():
            if ident.endswith(f"_{role}_verdeling"):
                parts.append(self.breakdown_html(title) + self.breakdown_chart_html(title))
        return "".join(parts)

    @property
    def columns(self) -> list[tuple[str, int]]:
        """As an overview, without a year before the pilot began."""
        return [(h, p) for h, p in super().columns if not self.years or p >= self.years[0]]

    def source_markdown(self) -> str:
        source = self.source("handreikingen en vragenlijsten van de pilot")
        when = (f"één keer over {self.period}" if isinstance(self.period, Span) else
                "in het jaar waarin ze startten, antwoorden in het jaar waarin de vragenlijst is ingevuld")
        return "\n\n".join([f"Bron: {source}. Casussen tellen {when}.", self.disclosure_markdown()])


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
