"""The disclosure rules, and the error when protection cannot be established: the packaged defaults
(``disclosure.yaml``) or a user's file overriding some of them, and their Dutch description as every report
states it."""

from __future__ import annotations

from dataclasses import dataclass, fields
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
    show_small: bool = False  # a small count is shown as 'minder dan min_count' instead of x
    missing_exact: bool = False  # a count of missing answers ('onbekend') is published exactly, however small
    regime: str = "standaard"  # the name of the rules (a report's regime from the rules file)

    @classmethod
    def load(cls, path: str | Path | None = None, report: str | None = None) -> Rules:
        """The packaged rules, overridden by a user's YAML file, as they apply to ``report``: the top-level
        rules, or the regime the file's ``rapporten`` assigns to that kind of report (the case monitors
        have their own, see ``disclosure.yaml``)."""
        packaged = _read(resources.files("regiekit.publish").joinpath("disclosure.yaml").read_text(encoding="utf-8"),
                         "disclosure.yaml")
        own = _read(Path(path).read_text(encoding="utf-8"), path) if path is not None else {}
        regimes = {**packaged.pop("regimes", {}), **own.pop("regimes", {})}
        reports = {**packaged.pop("rapporten", {}), **own.pop("rapporten", {})}
        name = reports.get(report, "standaard")
        if name != "standaard" and name not in regimes:
            raise DisclosureError(f"rapport {report} vraagt regime {name!r}, maar dat staat niet onder 'regimes'")
        found = {**packaged, **own, **regimes.get(name, {}), "regime": name}
        known = {f.name for f in fields(cls)}
        for where, data in (("", own), *((f"regime {n}: ", r) for n, r in regimes.items())):
            unknown = sorted(set(data) - known)
            if unknown:
                raise DisclosureError(f"{where}onbekende onthullingsregels {', '.join(unknown)}; "
                                      f"bekend zijn {', '.join(sorted(known - {'regime'}))}, regimes en rapporten")
        bad = [k for k, v in found.items()
               if k not in ("regime", "show_small", "missing_exact") and (not isinstance(v, int) or v < 0)]
        if bad:
            raise DisclosureError(f"onthullingsregels {', '.join(bad)} moeten hele getallen van 0 of meer zijn")
        return cls(**found)

    def text(self) -> list[str]:
        """The rules in Dutch, as a report states them."""
        small = (f"Aantallen van 1 tot en met {self.min_count - 1} staan er als '<{self.min_count}' (minder dan "
                 f"{self.min_count}), zonder het precieze getal; een x is een ander weggelaten aantal, dat ook "
                 f"kleiner dan {self.min_count} kan zijn" if self.show_small else
                 f"Aantallen van 1 tot en met {self.min_count - 1} worden niet gepubliceerd (x)")
        lines = [f"{small}; percentages waarbij zo'n klein aantal jongeren of zaken mee- of juist niet meetelt, "
                 "worden niet gepubliceerd.",
                 f"Percentages op minder dan {self.min_denominator} jongeren of zaken worden niet gepubliceerd; "
                 f"een gemiddelde of mediaan alleen bij ten minste {self.min_cases} zaken.",
                 "Waar een weggelaten cijfer uit andere cijfers terug te rekenen zou zijn (gemeenten tegen hun "
                 "regio, categorieën tegen het totaal, het ene jaar tegen de verandering), is ook een ander "
                 "cijfer weggelaten (secundaire onderdrukking)."]
        if self.missing_exact:
            lines.append("Het aantal ontbrekende antwoorden (onbekend, 'missend voor') is exact: het zegt iets over "
                         "het formulier, niet over de jeugdige.")
        if self.round_to > 1:
            lines.append(f"Aantallen zijn afgerond op {self.round_to}-tallen; percentages zijn berekend op de "
                         "niet-afgeronde aantallen.")
        else:
            lines.append("Aantallen zijn exact, zoals het team ze zelf publiceert.")
        if self.regime != "standaard":
            lines.insert(0, f"Regels voor de eigen casussen van een team (regime '{self.regime}'); de "
                            "onderbouwing staat in de documentatie van regiekit, bij de onthullingscontrole.")
        return lines


def _read(text: str, where) -> dict:
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        raise DisclosureError(f"{where}: geen geldige YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise DisclosureError(f"{where}: verwacht regels als 'min_count: 10'")
    return data
