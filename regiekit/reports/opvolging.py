"""The follow-up report of an expert team (seed 003, 'wat expertteams willen weten'): its cases and
their route (via the wijkteam or the gecertificeerde instelling), whether the follow-up two months
after the advice was done, whether the advice was followed and found useful, out-of-home placement
prevented, step-down achieved, re-registration within 12 months and crisis placements, this year
against last year (or over a project period), with the team's own text. Shown by
``notebooks/opvolging.ipynb``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from regiekit.data.store import Store
from regiekit.periods import Span
from regiekit.publish import disclosure
from regiekit.reports import overview, registry
from regiekit.reports.overview import Overview

KERNCIJFERS = ["followups_casussen_aantal", "followups_aantal", "followup_gedaan_pct", "advies_opgevolgd_pct",
               "advies_bruikbaar_pct", "uithuisplaatsing_voorkomen_pct", "afschaling_bereikt_pct",
               "heraanmelding_12mnd_pct", "crisisplaatsing_aantal"]
BREAKDOWNS = {"Route: via het wijkteam of de gecertificeerde instelling": "followups_route",
              "Type casus": "followups_type_casus", "Reden van verwijzing": "followups_reden_verwijzing",
              "Opvolging van het advies": "followups_advies_opgevolgd"}
LEVELS = ("jeugdregio", "land")
TEXT_SLOTS = ("Wat leren we van de follow-up?", "Vervolgstappen")


def indicator_ids() -> list[str]:
    return KERNCIJFERS + list(BREAKDOWNS.values()) + overview.share_ids(BREAKDOWNS)


@dataclass
class Opvolging(Overview):
    text_slots = TEXT_SLOTS
    writer = "het expertteam"

    def heading_markdown(self) -> str:
        return self.banner_markdown(f"Opvolging van de adviezen van het expertteam, {self.region.label}, "
                                    f"{self.period}")

    def intro_markdown(self) -> str:
        return ("Twee maanden na het advies vraagt het expertteam na hoe het gaat: is het advies opgevolgd en was "
                "het bruikbaar, is een uithuisplaatsing voorkomen, is afgeschaald naar lichtere hulp? En wordt de "
                "jeugdige binnen een jaar opnieuw aangemeld? Percentages over de uitkomsten gaan over de casussen "
                "met een follow-up (bij uithuisplaatsing en afschaling: waar die vraag speelde); heraanmelding over "
                "alle casussen.")

    def source_markdown(self) -> str:
        source = self.source("follow-upregistratie van het expertteam")
        when = f"één keer in {self.period}" if isinstance(self.period, Span) else "in het jaar van aanmelding"
        return "\n\n".join([f"Bron: {source}. Casussen tellen {when}.", self.disclosure_markdown()])


def prepare(store: Store, rules: disclosure.Rules, internal: bool, periods: list, bron: str = "auto") -> None:
    overview.prepare(indicator_ids(), store, rules, internal, LEVELS, periods, bron=bron)


def build(region: str, period: int | str, data_dir: str | Path | None = None, texts_file: str | Path | None = None,
          internal: bool = False, rules_file: str | Path | None = None) -> Opvolging:
    """Everything the follow-up report for ``region`` (a jeugdregio or Nederland) and ``period`` (a year or
    a project period) shows."""
    base = overview.request(REPORT, region, period, data_dir, indicator_ids(), internal, rules_file)
    return Opvolging(**base, kerncijfers=KERNCIJFERS, breakdowns=BREAKDOWNS, units="casussen",
                     texts=overview.load_texts(texts_file))


REPORT = registry.register(registry.ReportKind("opvolging", "De opvolgingsrapportage", LEVELS, prepare, spans=True))
