"""Indicator definitions: YAML data files in ``regiekit/indicators/``, validated with pydantic.

A definition says what to count, never how in code: nothing in a definition file is executed.
Numerator and denominator are *counts* over a dataset (distinct youths in ``trajecten``, or the
population in ``bevolking``), restricted by ``where`` filters on fields of the fixed vocabulary.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from importlib import resources
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from regiekit import vocabulary

Unit = Literal["count", "percent", "per_1000"]
Direction = Literal["up", "down", "neutral", "ambiguous"]
PeriodType = Literal["calendar_year"]

# Fields a ``where`` filter may use, with their allowed values.
FILTER_FIELDS: dict[str, tuple] = {
    "soort": tuple(vocabulary.SOORT),
    "zorgvorm": vocabulary.ZORGVORM,
    "verblijf": (True, False),
    "verwijzer": vocabulary.VERWIJZER,
    "reden_beeindiging": vocabulary.REDEN_BEEINDIGING,
}


class DefinitionError(ValueError):
    """An indicator definition file is invalid."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Count(_Strict):
    """What is counted: ``jongeren`` (distinct youths with a matching trajectory) or ``bevolking``."""

    count: Literal["jongeren", "bevolking"]
    where: dict[str, list] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _check_where(self):
        if self.count == "bevolking" and self.where:
            raise ValueError("the population (bevolking) cannot be filtered with 'where'")
        for field, values in self.where.items():
            if field not in FILTER_FIELDS:
                raise ValueError(f"unknown filter field {field!r}; allowed: {', '.join(FILTER_FIELDS)}")
            bad = [v for v in values if v not in FILTER_FIELDS[field]]
            if bad or not values:
                raise ValueError(f"filter {field}: values {bad or values} not in {list(FILTER_FIELDS[field])}")
        return self

    def key(self) -> tuple:
        return self.count, tuple(sorted((f, tuple(v)) for f, v in self.where.items()))


class Population(_Strict):
    age_band: str = "0-23"

    @field_validator("age_band")
    @classmethod
    def _known_band(cls, band: str) -> str:
        vocabulary.population_bands(band)
        return band


class Source(_Strict):
    dataset: Literal["trajecten", "bevolking", "aanmeldingen"]
    cbs_table: str | None = None
    cbs_column: str | None = None


class SeriesBreak(_Strict):
    date: date
    note: str


class Indicator(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: str
    description: str
    family: str
    unit: Unit
    decimals: int = Field(ge=0, le=3)
    numerator: Count
    denominator: Count | None = None
    population: Population = Population()
    period: PeriodType = "calendar_year"
    direction: Direction = "neutral"
    source: Source
    reference: str
    caveats: list[str] = Field(default_factory=list)
    series_breaks: list[SeriesBreak] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unit_needs_denominator(self):
        if (self.unit == "count") != (self.denominator is None):
            raise ValueError("a count has no denominator; a percent or per_1000 needs one")
        return self

    @property
    def scale(self) -> int:
        return {"count": 1, "percent": 100, "per_1000": 1000}[self.unit]


class Catalogue(dict):
    """Indicators by id, in file order."""

    def select(self, ids=None, family: str | None = None) -> list[Indicator]:
        if ids is None:
            return [i for i in self.values() if family in (None, i.family)]
        unknown = [i for i in ids if i not in self]
        if unknown:
            raise DefinitionError(f"unknown indicator(s): {', '.join(unknown)}")
        return [self[i] for i in ids]


def parse(documents: dict[str, str]) -> Catalogue:
    """Validate YAML documents (name -> text) into a catalogue; errors name the file and indicator."""
    catalogue = Catalogue()
    for name, text in documents.items():
        try:
            data = yaml.safe_load(text) or {}
        except yaml.YAMLError as exc:  # also refuses !!python tags: nothing is executed
            raise DefinitionError(f"{name}: not valid YAML: {exc}") from exc
        if set(data) - {"family", "indicators"}:
            raise DefinitionError(f"{name}: unknown top-level keys {sorted(set(data) - {'family', 'indicators'})}")
        for raw in data.get("indicators", []):
            ident = raw.get("id", "?")
            try:
                indicator = Indicator(family=data.get("family", ""), **raw)
            except (TypeError, ValueError) as exc:
                raise DefinitionError(f"{name}: indicator {ident}: {exc}") from exc
            if indicator.id in catalogue:
                raise DefinitionError(f"{name}: duplicate indicator id {indicator.id}")
            catalogue[indicator.id] = indicator
    return catalogue


@lru_cache(maxsize=1)
def load_catalogue() -> Catalogue:
    """All packaged indicator definitions."""
    folder = resources.files("regiekit.indicators")
    files = sorted((f for f in folder.iterdir() if f.name.endswith(".yaml")), key=lambda f: f.name)
    return parse({f.name: f.read_text(encoding="utf-8") for f in files})
