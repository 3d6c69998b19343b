"""The Regie op 3 report (seed 000): the cohort of youths in long, stacked care (more than ``jaren``
years of help from more than ``aanbieders`` providers, both parameters) and the overview of the
case-review forms, every field with its missing answers ('onbekend'). Shown by
``notebooks/regie_op_3.ipynb``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from regiekit.data.store import Store
from regiekit.indicators.definitions import load_catalogue
from regiekit.periods import Span
from regiekit.publish import disclosure
from regiekit.reports import overview, registry
from regiekit.reports.common import cell_text
from regiekit.reports.overview import Overview

TABLES = {  # caption -> kerncijfers: the cohort, all youths with jeugdhulp beside it, the case reviews
    "Het cohort langdurige gestapelde zorg": ["regie_op_3_jongeren", "regie_op_3_pct"],
    "Ter vergelijking: alle jongeren met jeugdhulp": ["aanbieders_per_jongere"],
    "De casusreviews": ["casusonderzoeken_aantal", "casusonderzoeken_schoolwisselingen_gemiddeld",
                        "casusonderzoeken_hulptrajecten_gemiddeld"]}
KERNCIJFERS = [i for ids in TABLES.values() for i in ids]
BREAKDOWNS = {
    "Leeftijd bij het eerste traject (gestapelde zorg)": "regie_op_3_leeftijd_eerste_traject",
    "Combinaties van zorgvormen (alle jongeren in zorg, %)": "zorgcombinatie_aandeel",
    "Geslacht": "casusonderzoeken_geslacht", "Leeftijd": "casusonderzoeken_leeftijdsklasse",
    "Woongemeente": "casusonderzoeken_gemeente",
    "Woonsituatie": "casusonderzoeken_woonsituatie",
    "Deelname ouder(s) aan de casusreview": "casusonderzoeken_ouders_deelname",
    "Leeftijd bij eerste hulptraject": "casusonderzoeken_leeftijd_eerste_hulp",
    "Volgt de jeugdige onderwijs?": "casusonderzoeken_volgt_onderwijs",
    "Verklarende analyse in het dossier?": "casusonderzoeken_verklarende_analyse",
    "Huidige zorg": "casusonderzoeken_huidige_zorg", "Classificaties": "casusonderzoeken_classificaties",
    "Aantal schoolwisselingen": "casusonderzoeken_schoolwisselingen",
    "Aantal hulptrajecten tot nu toe": "casusonderzoeken_hulptrajecten"}
LEVELS = ("jeugdregio", "land")
TEXT_SLOTS = ("Rode draden",)  # seed 000: what the procesbegeleiders learnt from the life stories


def indicator_ids() -> list[str]:
    return KERNCIJFERS + list(BREAKDOWNS.values()) + overview.share_ids(BREAKDOWNS)


def parameters(jaren: int, aanbieders: int) -> dict[str, dict[str, int]]:
    """Engine parameters for every indicator of the cohort (those counting long stacked care)."""
    catalogue = load_catalogue()
    return {i: {"jaren": int(jaren), "aanbieders": int(aanbieders)} for i in indicator_ids()
            if catalogue[i].numerator.event == "stapeling"}


@dataclass
class RegieOp3(Overview):
    jaren: int = 3
    aanbieders: int = 3
    text_slots = TEXT_SLOTS
    writer = "de procesbegeleiders"

    def heading_markdown(self) -> str:
        return self.banner_markdown(f"Regie op 3: langdurige gestapelde zorg, {self.region.label}, {self.period}")

    def cohort_markdown(self) -> str:
        if "regie_op_3_jongeren" not in self.defs:  # case reviews only, no trajectories to find the cohort in
            return ("**De casusreviews.** 'Missend' betekent dat een vraag op het formulier niet is ingevuld. Het "
                    "cohort langdurige gestapelde zorg ontbreekt: daarvoor zijn de jeugdhulptrajecten nodig.")
        return (f"**Het cohort.** Jongeren die meer dan {self.jaren} jaar hulp kregen (jeugdhulp, jeugdbescherming "
                f"en/of jeugdreclassering) van meer dan {self.aanbieders} aanbieders. De casusreviews gaan over een "
                "deel van deze jongeren; 'onbekend' betekent dat een vraag op het formulier niet is ingevuld.")

    def tables_html(self) -> str:
        """The kerncijfers in three tables, so that a figure over all youths with jeugdhulp (providers per
        youth) is not read as one of the cohort's."""
        return "".join(self.kerncijfers_html(ids, caption) for caption, ids in TABLES.items())

    def summary_markdown(self) -> str:
        """The sentence the project opens its results with: how many youths took part in the period."""
        row = self._value("casusonderzoeken_aantal", self.latest) if "casusonderzoeken_aantal" in self.defs \
            else None
        if row is None:
            return ""
        count = cell_text(row["value"], row["markering"], self.defs["casusonderzoeken_aantal"])
        when = f"Tussen {self.period.first} en {self.period.last}" if isinstance(self.period, Span) else \
            f"In {self.period}"
        return (f"{when} deden {count} jeugdigen en hun gezinnen mee aan een casusonderzoek. Onder elke tabel staat "
                "voor hoeveel jeugdigen een antwoord ontbreekt." if isinstance(self.period, Span) else
                f"{when} startte voor {count} jeugdigen een casusonderzoek.")

    def source_markdown(self) -> str:
        source = self.source("jeugdhulptrajecten en casusreviewformulieren")
        once = f"één keer in {self.period}" if isinstance(self.period, Span) else "één keer per jaar"
        return "\n\n".join([f"Bron: {source}. Een jongere telt {once}.", self.disclosure_markdown()])


def prepare(store: Store, rules: disclosure.Rules, internal: bool, periods: list[int], bron: str = "auto",
            jaren: int = 3, aanbieders: int = 3) -> None:
    overview.prepare(indicator_ids(), store, rules, internal, LEVELS, periods, parameters(jaren, aanbieders), bron)


def build(region: str, period: int | str, data_dir: str | Path | None = None, jaren: int = 3, aanbieders: int = 3,
          internal: bool = False, rules_file: str | Path | None = None,
          texts_file: str | Path | None = None) -> RegieOp3:
    """Everything the Regie op 3 report for ``region`` (a jeugdregio or Nederland) and ``period`` (a year,
    or the project period such as '2021-2023') shows; the procesbegeleiders' own text ('## Rode draden')
    from ``texts_file``."""
    base = overview.request(REPORT, region, period, data_dir, indicator_ids(), internal, rules_file,
                            parameters(jaren, aanbieders))
    return RegieOp3(**base, kerncijfers=KERNCIJFERS, breakdowns=BREAKDOWNS, units="jeugdigen", jaren=int(jaren),
                    aanbieders=int(aanbieders), texts=overview.load_texts(texts_file))


REPORT = registry.register(registry.ReportKind("regie_op_3", "Het Regie op 3-overzicht", LEVELS, prepare, spans=True))
