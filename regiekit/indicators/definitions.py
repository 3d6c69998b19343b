"""Indicator definitions: YAML data files in ``regiekit/indicators/``, validated with pydantic.

A definition says what to count, never how in code: nothing in a definition file is executed. A
numerator or denominator is a :class:`Count` of *units* of one kind (``jongeren``, ``trajecten``,
``aanmeldingen``) or the population (``bevolking``), restricted by ``where`` filters on the fields
of that kind (see :mod:`regiekit.data.vocabulary`). An indicator may be broken down ``by`` a field, or be a
``statistic`` (mean, median) of a numeric field.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from importlib import resources
from typing import Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from regiekit.data import vocabulary
from regiekit.errors import RegiekitError

Unit = Literal["count", "percent", "per_1000", "days", "months", "years", "mean"]
Direction = Literal["up", "down", "neutral", "ambiguous"]
PeriodType = Literal["calendar_year", "peildatum", "half_year", "school_year"]
Kind = Literal["jongeren", "trajecten", "bevolking", "aanmeldingen", "plaatsingen", "servicepunt",
               "casusonderzoeken", "followups", "pilot_casussen", "enquetes"]
Event = Literal["in_zorg", "gestart", "beeindigd", "stapeling", "herhaald_beroep"]
SCALES = {"percent": 100, "per_1000": 1000}
PROPORTION_UNITS = tuple(SCALES)  # units that are a numerator per denominator


class DefinitionError(RegiekitError):
    """An indicator definition file is invalid."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Range(_Strict):
    """A numeric condition: ``{gt: 4}`` is 'more than 4'."""

    gt: float | None = None
    ge: float | None = None
    lt: float | None = None
    le: float | None = None


Filter = dict[str, list | Range]


def _check_filter(kind: str, where: Filter) -> None:
    fields = vocabulary.FIELDS[kind]
    for field, condition in where.items():
        if field not in fields:
            raise ValueError(f"onbekend veld {field!r} voor {kind}; toegestaan: {', '.join(fields)}")
        allowed = fields[field]
        if isinstance(condition, Range):
            if allowed is not float:
                raise ValueError(f"veld {field!r} is niet numeriek")
        elif allowed is float or not condition or any(v not in allowed for v in condition):
            raise ValueError(f"filter {field}: waarden {condition} "
                             f"niet in {list(allowed) if allowed is not float else 'getallen'}")


class Count(_Strict):
    """What is counted. ``event`` selects the units: youths in care in the period (``in_zorg``),
    starting or ending care (``gestart``, ``beeindigd``), youths in long stacked care (``stapeling``,
    more than ``jaren`` years with more than ``aanbieders`` providers) or starting again within
    ``maanden`` months after earlier care ended (``herhaald_beroep``). ``also`` lists filters the same
    youth must meet as well, each by some trajectory (e.g. jeugdbescherming *and* verblijf)."""

    count: Kind
    event: Event = "in_zorg"
    where: Filter = Field(default_factory=dict)
    also: list[Filter] = Field(default_factory=list)
    parameters: dict[str, int] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _check(self):
        if self.count == "bevolking" and (self.where or self.also or self.event != "in_zorg"):
            raise ValueError("de bevolking krijgt geen filter of gebeurtenis")
        if self.count != "jongeren" and (self.also or self.event in ("stapeling", "herhaald_beroep")):
            raise ValueError(f"'also', stapeling en herhaald_beroep gelden voor jongeren, niet voor {self.count}")
        if self.count in vocabulary.RECORDS and self.event not in ("in_zorg", "gestart"):
            raise ValueError(f"{self.count} tellen op hun datum; gebeurtenissen: in_zorg, gestart")
        needed = {"stapeling": {"jaren", "aanbieders"}, "herhaald_beroep": {"maanden"}}.get(self.event, set())
        if set(self.parameters) != needed:
            raise ValueError(f"gebeurtenis {self.event} heeft als parameters {sorted(needed) or 'geen'}")
        for where in (self.where, *self.also):
            _check_filter(self.count, where)
        return self


class Statistic(_Strict):
    function: Literal["mean", "median"]
    field: str


class Population(_Strict):
    age_band: str = "0-23"
    geslacht: Literal["man", "vrouw"] | None = None

    @field_validator("age_band")
    @classmethod
    def _known_band(cls, band: str) -> str:
        vocabulary.population_bands(band)
        return band


class DatedNote(_Strict):
    date: date
    note: str


class CbsDenominator(_Strict):
    """The cell a share of two CBS counts divides by: a column (default: the numerator's) with these
    dimensions (key or title per dimension)."""
    column: str | None = None
    dimensions: dict[str, str] = Field(default_factory=dict)


class CbsCategories(_Strict):
    """A breakdown taken from CBS: the dimension that holds it and, per regiekit category, CBS's category."""
    dimension: str
    values: dict[str, str]


class Source(_Strict):
    dataset: Literal["trajecten", "bevolking", "aanmeldingen", "plaatsingen", "servicepunt", "casusonderzoeken",
                     "followups", "pilot_casussen", "enquetes"]
    fields: list[str] = Field(default_factory=list)
    cbs_table: str | None = Field(default=None, pattern=r"^\d{5}[A-Z]{3}$")  # the StatLine table CBS publishes it in
    cbs_column: str | None = None  # the topic (key, or title with its groups) whose cells are this indicator
    cbs_dimensions: dict[str, str] = Field(default_factory=dict)  # other dimensions: name -> category key or title
    cbs_denominator: CbsDenominator | None = None  # a share of two CBS counts: the cell it divides by
    cbs_categories: CbsCategories | None = None  # a breakdown: where CBS has each category
    cbs_base: str | None = None  # CBS's base of the column in words, as its table explains it
    cbs_series_breaks: list[DatedNote] = Field(default_factory=list)  # breaks in CBS's series of the column

    @model_validator(mode="after")
    def _known_fields(self):
        unknown = [f for f in self.fields if f not in vocabulary.DATASET_COLUMNS[self.dataset]]
        if unknown:
            raise ValueError(f"dataset {self.dataset} heeft geen veld(en) {', '.join(unknown)}")
        if self.cbs_column and not (self.cbs_table and self.cbs_base):
            raise ValueError("een cbs_column hoort bij een cbs_table en een cbs_base (de basis van CBS in woorden)")
        if (self.cbs_dimensions or self.cbs_denominator or self.cbs_categories) and not self.cbs_column:
            raise ValueError("cbs_dimensions, cbs_denominator en cbs_categories horen bij een cbs_column")
        return self


class Indicator(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: str
    description: str
    family: str
    actielijn: str | None = None
    subdoel: str | None = None
    unit: Unit
    decimals: int = Field(ge=0, le=3)
    numerator: Count
    denominator: Count | None = None
    statistic: Statistic | None = None
    by: str | None = None
    population: Population = Population()
    period: PeriodType = "calendar_year"
    direction: Direction | dict[str, Direction] = "neutral"
    min_cell: int = Field(default=5, ge=0)
    source: Source
    reference: str
    new: bool = False
    tags: list[Literal["kernindicator", "kernindicator_cbs"]] = Field(default_factory=list)
    caveats: list[str] = Field(default_factory=list)
    series_breaks: list[DatedNote] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self):
        if self.statistic is not None:
            if self.denominator is not None or self.unit in ("count", "percent", "per_1000"):
                raise ValueError("een statistiek heeft geen noemer en een eenheid als days, months of mean")
            if vocabulary.FIELDS[self.numerator.count].get(self.statistic.field) is not float:
                raise ValueError(f"statistiekveld {self.statistic.field!r} "
                                 f"is geen numeriek veld van {self.numerator.count}")
        elif (self.unit == "count") != (self.denominator is None):
            raise ValueError("een aantal (count) heeft geen noemer; een percent of per_1000 heeft er een nodig")
        elif self.unit not in ("count", "percent", "per_1000"):
            raise ValueError(f"eenheid {self.unit} vraagt een statistiek")
        if self.by is not None:
            if self.by not in vocabulary.BREAKDOWNS[self.numerator.count]:
                raise ValueError(f"{self.numerator.count} zijn niet uit te splitsen naar {self.by!r}; "
                                 f"kies uit {', '.join(vocabulary.BREAKDOWNS[self.numerator.count])}")
            per_band = (self.by == "leeftijdsklasse" and self.denominator is not None
                        and self.denominator.count == "bevolking")
            if self.denominator is not None and self.denominator.count != self.numerator.count and not per_band:
                raise ValueError("een uitsplitsing telt in teller en noemer dezelfde eenheden "
                                 "(of deelt door de bevolking van elke leeftijdsklasse)")
        if self.source.cbs_denominator and self.unit != "percent":
            raise ValueError("cbs_denominator hoort bij een percentage (aandeel van twee CBS-aantallen)")
        if self.source.cbs_categories:
            allowed = vocabulary.FIELDS[self.numerator.count].get(self.by or "")
            unknown = set(self.source.cbs_categories.values) - set(allowed if isinstance(allowed, tuple) else ())
            if self.by is None or unknown:
                raise ValueError("cbs_categories horen bij een uitsplitsing (by) met bekende categorieën"
                                 + (f"; onbekend: {', '.join(sorted(unknown))}" if unknown else ""))
        if isinstance(self.direction, dict):
            for band in self.direction:
                vocabulary.population_bands(band)
        if self.source.dataset != ("bevolking" if self.numerator.count == "bevolking" else
                                   "trajecten" if self.numerator.count == "jongeren" else self.numerator.count):
            raise ValueError(f"brondataset {self.source.dataset} bevat geen {self.numerator.count}")
        return self

    @property
    def by_gemeente(self) -> bool:
        """A breakdown by gemeente (a list of gemeenten, not a field of fixed values)."""
        return str(self.by).startswith("gemeente")

    @property
    def scale(self) -> int:
        return SCALES.get(self.unit, 1)

    def for_source(self, bron: str) -> Indicator:
        """The definition as it applies to figures from ``bron``: from CBS StatLine ('cbs') it carries the
        series breaks CBS documents for its column as well."""
        if bron != "cbs" or not self.source.cbs_series_breaks:
            return self
        return self.model_copy(update={"series_breaks": [*self.series_breaks, *self.source.cbs_series_breaks]})

    def direction_for(self, band: str | None = None) -> Direction:
        if isinstance(self.direction, str):
            return self.direction
        return self.direction.get(band or self.population.age_band, "ambiguous")


class Catalogue(dict):
    """Indicators by id, in file order."""

    def cbs_tables(self) -> list[str]:
        """The StatLine tables whose columns the catalogue maps to indicators."""
        return sorted({i.source.cbs_table for i in self.values() if i.source.cbs_column})

    def select(self, ids=None, family: str | None = None, dataset: str | None = None,
               tag: str | None = None) -> list[Indicator]:
        if ids is not None:
            unknown = [i for i in ids if i not in self]
            if unknown:
                raise DefinitionError(f"onbekende indicator(en): {', '.join(unknown)}")
            return [self[i] for i in ids]
        return [i for i in self.values() if family in (None, i.family) and dataset in (None, i.source.dataset)
                and (tag is None or tag in i.tags)]


_PROBLEMS = {"missing": "ontbreekt", "extra_forbidden": "onbekende sleutel (niet toegestaan)",
             "literal_error": "moet een van {expected} zijn", "string_pattern_mismatch": "heeft niet de vorm {pattern}",
             "int_parsing": "moet een geheel getal zijn", "int_type": "moet een geheel getal zijn",
             "list_type": "moet een lijst zijn", "dict_type": "moet een lijst van sleutels en waarden zijn",
             "string_type": "moet tekst zijn", "bool_type": "moet ja of nee (true/false) zijn"}


def _problem(error: dict) -> str:
    """A pydantic validation error in Dutch: our own checks' messages as they are, pydantic's common
    ones translated, any other in pydantic's words."""
    if error["type"] == "value_error":
        return str(error["ctx"]["error"])
    template = _PROBLEMS.get(error["type"])
    context = {k: str(v).replace("' or '", "' of '") for k, v in error.get("ctx", {}).items()}
    return template.format(**context) if template else error["msg"]


def parse(documents: dict[str, str]) -> Catalogue:
    """Validate YAML documents (name -> text) into a catalogue; errors name the file and indicator."""
    catalogue = Catalogue()
    for name, text in documents.items():
        try:
            data = yaml.safe_load(text) or {}
        except yaml.YAMLError as exc:  # also refuses !!python tags: nothing is executed
            raise DefinitionError(f"{name}: geen geldige YAML: {exc}") from exc
        if set(data) - {"family", "indicators"}:
            raise DefinitionError(f"{name}: onbekende sleutels bovenaan {sorted(set(data) - {'family', 'indicators'})}")
        for raw in data.get("indicators", []):
            ident = raw.get("id", "?")
            try:
                indicator = Indicator(**{"family": data.get("family", ""), **raw})
            except ValidationError as exc:
                problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'definitie'}: {_problem(e)}"
                                     for e in exc.errors())
                raise DefinitionError(f"{name}: indicator {ident}: {problems}") from exc
            if indicator.id in catalogue:
                raise DefinitionError(f"{name}: indicator-id {indicator.id} komt twee keer voor")
            catalogue[indicator.id] = indicator
    return catalogue


def packaged_documents() -> dict[str, str]:
    folder = resources.files("regiekit.indicators") / "catalogue"
    files = sorted((f for f in folder.iterdir() if f.name.endswith(".yaml")), key=lambda f: f.name)
    return {f.name: f.read_text(encoding="utf-8") for f in files}


@lru_cache(maxsize=1)
def load_catalogue() -> Catalogue:
    """All packaged indicator definitions."""
    return parse(packaged_documents())
