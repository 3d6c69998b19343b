"""What every report shares: the banner, the disclosure and source notes, the published numbers
(rounded, suppressed and marked as shown) and their CSV."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from regiekit import engine, formatting
from regiekit.atomic import write_text
from regiekit.indicators.definitions import PROPORTION_UNITS, Indicator, load_catalogue
from regiekit.periods import Period, Span
from regiekit.publish import disclosure, statistics
from regiekit.reference.regions import NEDERLAND, Region, load_regions
from regiekit.reports import usertext

KERN = "kernindicator"  # the catalogue tag of the kernindicatoren counted from own records
KERN_CBS = "kernindicator_cbs"  # the kernindicatoren as CBS StatLine publishes them (each with CBS's base)


def kernindicatoren(store, bron: str) -> list[Indicator]:
    """The kernindicatoren a report shows from the chosen source: those counted from own records, or,
    when the figures come from CBS StatLine (chosen, or the store holds no own records), CBS's own."""
    own = {"trajecten", "bevolking"} <= set(store.tables)
    tag = KERN if bron == "eigen" or (bron == "auto" and own) else KERN_CBS
    return engine.available(load_catalogue().select(tag=tag), store, bron)


INTERNAL_BANNER = ("**INTERN – niet voor publicatie.** Deze versie toont cijfers zonder onthullingscontrole: "
                   "kleine aantallen zijn zichtbaar. Niet verspreiden.")
SYNTHETIC_BANNER = "**Let op: synthetische demodata.** Deze cijfers zijn verzonnen en gaan niet over echte jongeren."
PARTLY_SYNTHETIC_BANNER = ("**Let op: deels synthetische demodata.** Een deel van deze cijfers is verzonnen; de "
                           "bronregel zegt welke gegevens uit een eigen registratie komen en welke demodata zijn.")


CBS_STATUS_TEXT = {"voorlopig": "voorlopig (CBS)", "nader voorlopig": "nader voorlopig (CBS)", "definitief": ""}


def cbs_mark(markering: str | None) -> str:
    """CBS's mark of a provisional figure ('*' voorlopig, '**' nader voorlopig), from a row's markering."""
    text = markering or ""
    return "**" if "nader voorlopig (CBS)" in text else "*" if "voorlopig (CBS)" in text else ""


def sentence(verdict) -> str:
    """A verdict's sentence for a report's Markdown: a manual one is the user's text, shown exactly as
    written and never as markup (:func:`usertext.plain`)."""
    return usertext.plain(verdict.sentence) if verdict.manual else verdict.sentence


def cell_text(value, mark: str | None, ind: Indicator) -> str:
    """A published number as a report shows it: Dutch notation with its unit; for a number not shown,
    '<3' for a small count of a case monitor ('minder dan 3'), x when suppressed, '–' when there is none."""
    if value is None or pd.isna(value):
        mark = str(mark or "")
        if mark.startswith("minder dan "):
            return "<" + mark.removeprefix("minder dan ").split(",")[0]
        return disclosure.SUPPRESSED if mark.startswith("geheim") else "–"
    unit = ind.unit if ind.unit in formatting.UNIT_SUFFIX else "count"
    suffix = {"days": " dagen", "months": " maanden"}.get(ind.unit, "")
    return formatting.value(round(float(value), ind.decimals), unit, ind.decimals) + suffix


def compare_with_nederland(results: pd.DataFrame, ind: Indicator, region_code: str,
                           period: int) -> statistics.Comparison | None:
    """A region against the rest of Nederland in ``period`` (rows of a published table), for a
    proportion the region publishes; None otherwise."""
    if ind.by is not None or ind.unit not in PROPORTION_UNITS or region_code == NEDERLAND:
        return None
    rows = results[(results["indicator"] == ind.id) & (results["period"] == period) & results["category"].isna()]
    mine, land = rows[rows["region_code"] == region_code], rows[rows["region_code"] == NEDERLAND]
    if mine.empty or land.empty or mine["published"].isna().any() or mine["denominator"].isna().any():
        return None
    return statistics.compare_with_rest(int(mine["numerator"].iloc[0]), int(mine["denominator"].iloc[0]),
                                        int(land["numerator"].iloc[0]), int(land["denominator"].iloc[0]), ind.scale)


@dataclass
class Report:
    region: Region
    period: Period  # a year, or a project period (a case monitor)
    synthetic: bool
    rules: disclosure.Rules
    internal: bool

    def banner_markdown(self, title: str) -> str:
        lines = [f"# {title}"]
        if self.internal:
            lines.append(INTERNAL_BANNER)
        if self.synthetic:
            lines.append(SYNTHETIC_BANNER)
        return "\n\n".join(lines)

    def disclosure_markdown(self) -> str:
        if self.internal:
            return "**Onthullingscontrole: uitgeschakeld (intern gebruik).**"
        return ("**Onthullingscontrole.** " + " ".join(self.rules.text())
                + f" Een {disclosure.SUPPRESSED} betekent: niet gepubliceerd.")

    def source(self, real: str) -> str:
        """What a 'Bron:' line names: ``real`` (the registration behind the numbers), or the demo data."""
        return "synthetische demodata van regiekit" if self.synthetic else f"{real}, bewerking regiekit"

    @property
    def source_label(self) -> str:
        return "synthetische demodata" if self.synthetic else "regiekit"

    def shown(self, rows: pd.DataFrame, defs: dict[str, Indicator]) -> pd.DataFrame:
        """Rows of a published table as a report shows them: ``value`` and the interval rounded to the
        indicator's decimals and empty when suppressed, ``label``, ``markering`` and ``source``."""
        out = rows.copy()
        hidden = out["published"].isna()
        for column, source in (("value", "published"), ("ci_low", "ci_low"), ("ci_high", "ci_high")):
            out[column] = [None if pd.isna(v) or h else round(float(v), defs[i].decimals)
                           for v, h, i in zip(out[source], hidden, out["indicator"])]
        out["label"] = out["indicator"].map(lambda i: defs[i].label)
        texts = {**disclosure.STATUS_TEXT,
                 "afgerond": disclosure.STATUS_TEXT["afgerond"].format(round_to=self.rules.round_to),
                 "klein": disclosure.STATUS_TEXT["klein"].format(min_count=self.rules.min_count)}
        out["markering"] = out["status"].map(texts)
        if "source" not in out:  # the published table names each number's source; older tables do not
            out["source"] = self.source_label
        if "cbs_status" in out:  # CBS's provisional figures keep CBS's marks
            marks = out["cbs_status"].map(CBS_STATUS_TEXT).fillna("")
            out["markering"] = [", ".join(m for m in (a, b) if m) for a, b in zip(out["markering"].fillna(""), marks)]
        return out

    def cbs_markdown(self, rows: pd.DataFrame) -> str:
        """What a report says about figures taken from CBS StatLine (empty when it shows none): the tables,
        CBS's own disclosure control and statuses, the regions summed from gemeente counts and the
        percentages that come without counts."""
        if "bron" not in rows or not rows["bron"].eq("cbs").any():
            return ""
        cbs = rows[rows["bron"].eq("cbs")]
        derived = cbs["source"].str.startswith("afgeleid uit")
        text = ("**Cijfers van CBS.** Overgenomen uit: " + "; ".join(sorted(set(cbs.loc[~derived, "source"]))) +
                ". Ze staan zoals CBS ze publiceert: CBS past zelf onthullingscontrole toe, regiekit rondt ze niet "
                "opnieuw af en laat niets extra weg. Een lege cel van CBS staat als 'geheim (CBS)' en telt niet als "
                "nul. * voorlopig, ** nader voorlopig (CBS kan deze cijfers nog bijstellen).")
        if derived.any():
            index = load_regions()
            labels = sorted({index.get(code).label for code in cbs.loc[derived, "region_code"]})
            text += (f" Voor {', '.join(labels)} publiceert CBS deze cijfers niet: regiekit telt de aantallen van de "
                     "gemeenten bij CBS op, tellers en noemers apart, nooit een gemiddelde van percentages. CBS rondt "
                     "aantallen af op vijftallen en telt een jongere die in het jaar verhuisde in beide gemeenten, "
                     "dus zo'n som kan iets afwijken van een cijfer dat CBS zelf zou maken. Is het cijfer van een "
                     "van de gemeenten bij CBS geheim, dan blijft de som leeg: anders zou ze dat cijfer verraden.")
        without_counts = cbs["unit"].isin(PROPORTION_UNITS) & cbs["value"].notna() & cbs["ci_low"].isna()
        if without_counts.any():
            text += (" Een deel van de cijfers publiceert CBS als percentage zonder aantallen: daarbij staat geen "
                     "betrouwbaarheidsinterval en geen toets, en voor regio's die CBS niet publiceert (zoals "
                     "jeugdregio's) zijn ze niet af te leiden (–).")
        return text

    def write_csv(self, path: str | Path) -> None:
        """The published numbers; over a project period the ``period`` column reads '2021-2023'."""
        rows = self.published
        if isinstance(self.period, Span):
            rows = rows.assign(period=str(self.period))
        write_text(Path(path), formatting.spreadsheet_safe(rows).to_csv(index=False))
