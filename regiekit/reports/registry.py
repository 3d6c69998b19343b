"""The reports regiekit makes, and the one check of a request for a report.

A report is a :class:`ReportKind` that its module registers when it is imported (``regiekit.reports``
imports every report module, so importing anything from it fills the registry): its name (also the
name of its notebook, ``notebooks/<name>.ipynb``), the region levels it is made for, how to fill the
cache of published tables before a batch (``prepare``), and, for a report made only where its data
exists, the regions that have it (``available``); a case monitor is also made over a project
period of several years (``spans``, :mod:`regiekit.periods`). ``bron`` chooses where the figures come from
(:data:`regiekit.engine.SOURCES`: own records, CBS StatLine, or each where available). The module also
has a ``build(region, period, ...)`` that the notebook calls; it starts with
:meth:`ReportKind.request`, the shared check of region, level and period.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from regiekit import periods
from regiekit.data.store import Store
from regiekit.errors import RegiekitError
from regiekit.periods import Period, Span
from regiekit.publish.disclosure import Rules
from regiekit.reference.regions import Region, load_regions

LEVEL_TEXT = {"gemeente": "per gemeente", "jeugdregio": "per jeugdregio", "provincie": "per provincie",
              "land": "voor Nederland"}


class ReportError(RegiekitError):
    """A request for a report that cannot be made (unknown report, wrong level, period without data)."""


@dataclass(frozen=True)
class ReportKind:
    """One kind of report; see the module docstring."""

    name: str
    title: str  # Dutch, as in the report's heading and the overview page of a run
    levels: tuple[str, ...]
    prepare: Callable[[Store, Rules, bool, list[Period], str], None]  # store, rules, internal, periods, bron
    available: Callable[[Store], list[str]] | None = None  # region codes with data, where that limits the report
    spans: bool = False  # also made over a project period of several years ('2021-2023')

    def request(self, region: str, period: int | str | Span, store: Store) -> tuple[Region, Period]:
        """Check a request for this report: the region (code or name) exists and is of a level the
        report is made for, and the period (a year, a span of years or ``latest``) is in the store."""
        target = load_regions().get(str(region))
        if target.level not in self.levels:
            allowed = " of ".join(LEVEL_TEXT[level] for level in self.levels)
            raise ReportError(f"{self.title} wordt gemaakt {allowed}, niet voor {target.label}")
        found = check_period(period, store)
        if isinstance(found, Span) and not self.spans:
            names = sorted(k.name for k in _KINDS.values() if k.spans)
            made = ", ".join(names[:-1]) + " en " + names[-1] if len(names) > 1 else "".join(names)
            raise ReportError(f"{self.title} wordt per jaar gemaakt, niet over {found}; een projectperiode kan bij "
                              f"{made}")
        return target, found

    def regions(self, level: str, store: Store) -> list[str]:
        """The codes of the regions of ``level`` this report is made for."""
        codes = [r.code for r in load_regions().all(level)]
        if self.available is None:
            return codes
        have = set(self.available(store))
        return [c for c in codes if c in have]


def check_period(period: int | str | Span, store: Store) -> Period:
    """A year in the store (``latest`` is the last one), or a span of years in the store ('2021-2023')."""
    if str(period) == "latest":
        return store.years[-1]
    try:
        found = periods.parse(period)
    except periods.PeriodError as exc:
        raise ReportError(str(exc)) from None
    missing = [y for y in periods.calendar_years(found) if y not in store.years]
    if missing:
        raise ReportError(f"geen gegevens voor {', '.join(map(str, missing))}; de gegevens lopen van "
                          f"{store.years[0]} tot en met {store.years[-1]}")
    return found


_KINDS: dict[str, ReportKind] = {}


def register(kind: ReportKind) -> ReportKind:
    """Add a report kind (called by the report's module when it is imported)."""
    if kind.name in _KINDS and _KINDS[kind.name] != kind:
        raise ReportError(f"rapport {kind.name!r} is al geregistreerd")
    _KINDS[kind.name] = kind
    return kind


def names() -> list[str]:
    return list(_KINDS)


def prepare_all(store: Store, progress: bool = False) -> dict[str, str | None]:
    """Compute and protect the published tables of every report for the store's latest year (the
    packaged rules, public, figures from own records where available) into the store's cache, so that
    the first report after a new store or an import appears in seconds: the whole-store work of
    disclosure control is done here, once per state of the store. Per report: None when prepared, else
    why not (a report whose data the store lacks)."""
    from regiekit.publish import published

    outcome: dict[str, str | None] = {}
    with published.progress(progress):
        for kind in _KINDS.values():
            try:
                kind.prepare(store, Rules.load(None, kind.name), False, [store.years[-1]], "auto")
                outcome[kind.name] = None
            except RegiekitError as exc:
                outcome[kind.name] = str(exc)
    return outcome


def get(name: str) -> ReportKind:
    """The registered report called ``name``."""
    if name not in _KINDS:
        raise ReportError(f"onbekend rapport {name!r}; beschikbaar: {', '.join(_KINDS)}")
    return _KINDS[name]
