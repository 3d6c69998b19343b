"""The disclosure rules, and the error when protection cannot be established: the packaged defaults
(``disclosure.yaml``) or a user's file overriding some of them, and their Dutch description as every report
states it."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from importlib import resources
from pathlib import Path

import yaml

from regiekit.errors import RegiekitError


class DisclosureError(RegiekitError):
    """Protection could not be established (the audit still finds a recoverable cell)."""


@dataclass(frozen=True)
class Rules:
    min_count: int = 10
    min_denominator: int = 20
    min_cases: int = 10
    round_to: int = 5
    protection: int = 10

    @classmethod
    def load(cls, path: str | Path | None = None) -> Rules:
        """The packaged defaults, or a YAML file overriding some of them."""
        text = (Path(path).read_text(encoding="utf-8") if path is not None
                else resources.files("regiekit.publish").joinpath("disclosure.yaml").read_text(encoding="utf-8"))
        try:
            data = yaml.safe_load(text) or {}
        except yaml.YAMLError as exc:
            raise DisclosureError(f"{path}: geen geldige YAML: {exc}") from exc
        if not isinstance(data, dict):
            raise DisclosureError(f"{path}: verwacht regels als 'min_count: 10'")
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise DisclosureError(f"onbekende onthullingsregels {', '.join(unknown)}; "
                                  f"bekend zijn {', '.join(sorted(known))}")
        bad = [k for k, v in data.items() if not isinstance(v, int) or v < 0]
        if bad:
            raise DisclosureError(f"onthullingsregels {', '.join(bad)} moeten hele getallen van 0 of meer zijn")
        return cls(**{**asdict(cls()), **data})

    def text(self) -> list[str]:
        """The rules in Dutch, as a report states them."""
        lines = [f"Aantallen van 1 tot en met {self.min_count - 1} worden niet gepubliceerd (x), evenmin als "
                 f"percentages waarbij zo'n klein aantal jongeren of zaken mee- of juist niet meetelt.",
                 f"Percentages op minder dan {self.min_denominator} jongeren of zaken worden niet gepubliceerd; "
                 f"een gemiddelde of mediaan alleen bij ten minste {self.min_cases} zaken.",
                 "Waar een weggelaten cijfer uit andere cijfers terug te rekenen zou zijn (gemeenten tegen hun "
                 "regio, categorieën tegen het totaal, het ene jaar tegen de verandering), is ook een ander "
                 "cijfer weggelaten (secundaire onderdrukking)."]
        if self.round_to > 1:
            lines.append(f"Aantallen zijn afgerond op {self.round_to}-tallen; percentages zijn berekend op de "
                         "niet-afgeronde aantallen.")
        return lines
