"""The periods a report covers: a calendar year (an ``int``) or a project period of whole years
(a :class:`Span`, written ``2021-2023``), such as the life of a project or a pilot.

A span is one window for the engine (1 January of its first year to 31 December of its last; a
peildatum indicator takes 31 December of the last year): every unit counts once over the whole span.
Its figures carry the last year as ``period`` and the span as ``subperiod`` (``'2021-2023'``), so the
rest of the data path treats them like any other subperiod.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from regiekit.errors import RegiekitError


class PeriodError(RegiekitError):
    """A period that is neither a year nor a span of years."""


@dataclass(frozen=True)
class Span:
    """A project period from 1 January of ``first`` to 31 December of ``last``."""

    first: int
    last: int

    def __str__(self) -> str:
        return f"{self.first}-{self.last}"

    @property
    def id(self) -> int:
        """The engine's window id: distinct from every year and half year."""
        return self.first * 10000 + self.last

    @property
    def years(self) -> list[int]:
        return list(range(self.first, self.last + 1))


Period = int | Span


def parse(text: int | str | Span) -> Period:
    """``2024`` -> 2024; ``'2021-2023'`` -> Span(2021, 2023)."""
    if isinstance(text, (int, Span)):
        return text
    found = re.fullmatch(r"\s*(\d{4})\s*(?:[-–/]\s*(\d{4}))?\s*", str(text))
    if not found:
        raise PeriodError(f"een periode is een jaar zoals 2024, een reeks jaren zoals 2021-2023 of 'latest', "
                          f"niet {text!r}")
    first, last = int(found[1]), int(found[2] or found[1])
    if last < first:
        raise PeriodError(f"de periode {text!r} eindigt voor ze begint")
    return first if first == last else Span(first, last)


def calendar_years(period: Period) -> list[int]:
    """The calendar years a period covers."""
    return period.years if isinstance(period, Span) else [period]


def last_year(period: Period) -> int:
    return period.last if isinstance(period, Span) else period


def order(period: Period) -> tuple[int, int]:
    """A sort key for years and spans together: by last year, the longer span first."""
    return (last_year(period), calendar_years(period)[0])
