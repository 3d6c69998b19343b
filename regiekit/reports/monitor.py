"""The expert-team annual overview in the manner of seed 002 (RET monitor): this year against last
year for the registration fields, lead time against the 4-6 week norm, JeugdzorgPlus, and the text
the team writes itself, read from a Markdown file. Shown by ``notebooks/monitor.ipynb``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from regiekit.data.store import Store
from regiekit.publish import disclosure
from regiekit.reports import overview, registry
from regiekit.reports.overview import Overview

# the registering and the financially responsible gemeenten are two lists (seed 002), and the share
# whose financially responsible gemeente differs from the registering one is a kerncijfer
KERNCIJFERS = ["aanmeldingen_aantal", "doorlooptijd_mediaan", "doorlooptijd_binnen_norm_pct",
               "aanmeldingen_financieel_elders_pct", "jeugdzorgplus_jongeren", "jeugdzorgplus_peildatum",
               "jeugdzorgplus_verblijfsduur", "jeugdzorgplus_via_servicepunt", "servicepunt_besproken",
               "servicepunt_geen_plaatsing"]
BREAKDOWNS = {  # section title -> count indicator (its share is the same id + '_pct' where the catalogue has one)
    "Soort vraag": "aanmeldingen_soort_vraag", "Wie meldt aan": "aanmeldingen_aanmelder",
    "Geslacht": "aanmeldingen_geslacht", "Leeftijd": "aanmeldingen_leeftijdsklasse",
    "Verklarende analyse vooraf": "aanmeldingen_verklarende_analyse",
    "Problematiek van de jeugdige": "aanmeldingen_problematiek_jeugdige",
    "Problematiek van de ouders": "aanmeldingen_problematiek_ouders", "Verblijfsplek": "aanmeldingen_verblijfsplek",
    "Problemen op school": "aanmeldingen_problemen_school", "Type onderwijs": "aanmeldingen_type_onderwijs",
    "Aanmeldende gemeente": "aanmeldingen_gemeente_aanmelding",
    "Financieel verantwoordelijke gemeente": "aanmeldingen_gemeente_financieel",
    "JeugdzorgPlus: soort machtiging": "jeugdzorgplus_machtiging",
    "Servicepunt: waarom geen plaatsing": "servicepunt_reden"}
LEVELS = ("jeugdregio", "land")  # expert teams work per jeugdregio; gemeenten are too small to publish
TEXT_SLOTS = ("Wat zeggen de cijfers niet?", "Rode draden")


def indicator_ids() -> list[str]:
    """Every indicator the monitor shows (for disclosure control over all its regions at once)."""
    return KERNCIJFERS + list(BREAKDOWNS.values()) + overview.share_ids(BREAKDOWNS)


@dataclass
class Monitor(Overview):
    text_slots = TEXT_SLOTS
    writer = "het expertteam"

    def heading_markdown(self) -> str:
        return self.banner_markdown(f"Monitor expertteam {self.region.label}, {self.period}")

    def norm_markdown(self) -> str:
        """Lead time against the norm of 4 to 6 weeks."""
        median = self._value("doorlooptijd_mediaan", self.latest)
        share = self._value("doorlooptijd_binnen_norm_pct", self.latest)
        if median is None or share is None:
            return ""
        return ("**Doorlooptijd.** De helft van de adviezen is binnen "
                f"{self._fmt(median, self.defs['doorlooptijd_mediaan'])} "
                f"gegeven; {self._fmt(share, self.defs['doorlooptijd_binnen_norm_pct'])} binnen de norm van zes weken "
                "(de norm is 4 tot 6 weken).")

    def source_markdown(self) -> str:
        source = self.source("registratie van het expertteam")
        return "\n\n".join([f"Bron: {source}. Aanmeldingen tellen in het jaar van aanmelding; jongeren in de "
                            "JeugdzorgPlus op 31 december.", self.disclosure_markdown()])


def prepare(store: Store, rules: disclosure.Rules, internal: bool, periods: list[int], bron: str = "auto") -> None:
    """Compute the published tables of the periods to report into the cache."""
    overview.prepare(indicator_ids(), store, rules, internal, LEVELS, periods, bron=bron)


def build(region: str, period: int, data_dir: str | Path | None = None, texts_file: str | Path | None = None,
          internal: bool = False, rules_file: str | Path | None = None) -> Monitor:
    """Everything the monitor for ``region`` (usually a jeugdregio) and ``period`` shows."""
    base = overview.request(REPORT, region, period, data_dir, indicator_ids(), internal, rules_file)
    return Monitor(**base, kerncijfers=KERNCIJFERS, breakdowns=BREAKDOWNS, units="aanmeldingen",
                   texts=overview.load_texts(texts_file))


REPORT = registry.register(registry.ReportKind("monitor", "De monitor van het expertteam", LEVELS, prepare,
                                               spans=True))
