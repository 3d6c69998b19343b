"""What every report shares: the banner, the disclosure and source notes, the published numbers
(rounded, suppressed and marked as shown) and their CSV."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from regiekit import formatting
from regiekit.atomic import write_text
from regiekit.indicators.definitions import PROPORTION_UNITS, Indicator
from regiekit.publish import disclosure, statistics
from regiekit.reference.regions import NEDERLAND, Region

INTERNAL_BANNER = ("**INTERN – niet voor publicatie.** Deze versie toont cijfers zonder onthullingscontrole: "
                   "kleine aantallen zijn zichtbaar. Niet verspreiden.")
SYNTHETIC_BANNER = "**Let op: synthetische demodata.** Deze cijfers zijn verzonnen en gaan niet over echte jongeren."


def cell_text(value, suppressed: bool, ind: Indicator) -> str:
    """A published number as a report shows it: Dutch notation with its unit, x when suppressed and
    '–' when there is none."""
    if value is None or pd.isna(value):
        return disclosure.SUPPRESSED if suppressed else "–"
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
    period: int
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
                 "afgerond": disclosure.STATUS_TEXT["afgerond"].format(round_to=self.rules.round_to)}
        out["markering"] = out["status"].map(texts)
        out["source"] = self.source_label
        return out

    def write_csv(self, path: str | Path) -> None:
        write_text(Path(path), self.published.to_csv(index=False))
