"""Verdicts per indicator, region and period, with the Dutch sentence a factsheet prints.

A verdict weighs the series of a region up to the period (from the latest series break on) against the
indicator's desired direction, which may differ per age band:

- three years or more: a trend with a year term (:func:`regiekit.publish.statistics.trend`). Significant
  (p < 0,05) gives a rising or falling trend. Not significant, but the change since the first year and
  the last year-over-year change are both significant and in the direction of the estimate, also counts
  as a trend (a short series that moved consistently, as verblijf 11,6 / 11,6 / 10,4 / 10,1%). Otherwise
  the series is 'stabiel' when the yearly factor's interval lies within ±2% a year, else
  'geen structurele trend';
- two years: the change between them (significant or not);
- a rising or falling trend is 'verbetert' or 'verslechtert' by the desired direction; with a neutral
  or ambiguous direction it is 'ambigu': a real change that is not plainly good or bad.

Manual overrides (a CSV with indicator, region_code, period, oordeel, tekst) replace the generated
verdict and sentence and are marked as such.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from regiekit import formatting
from regiekit.errors import RegiekitError
from regiekit.indicators.definitions import Indicator
from regiekit.publish import statistics

# What a reader sees for each verdict (seed 004's words); a change that is not plainly good or bad is
# named by its direction (see phrase()).
VERDICTS = {"verbetert": "verbetert", "verslechtert": "verslechtert", "stabiel": "stabiel",
            "geen_trend": "geen structurele trend", "ambigu": "verandert", "onbekend": "geen oordeel mogelijk"}
NO_FIGURE = "Voor deze periode is geen (publiceerbaar) cijfer."
STABLE_WITHIN = 0.02  # a yearly factor whose interval lies within 1 ± this is 'stabiel'
NUMBER_WORDS = {2: "twee", 3: "drie", 4: "vier", 5: "vijf", 6: "zes", 7: "zeven", 8: "acht", 9: "negen", 10: "tien"}


class VerdictError(RegiekitError):
    """A file of manual verdicts that cannot be used."""


@dataclass(frozen=True)
class Verdict:
    indicator: str
    region_code: str
    period: int
    verdict: str  # a key of VERDICTS
    sentence: str
    trend: statistics.Trend | None = None
    change_p: float | None = None
    note: str | None = None  # a series break that stops a comparison
    manual: bool = False
    direction: str | None = None  # 'up' or 'down': the trend (or change) the verdict rests on


def phrase(verdict: Verdict) -> str:
    """The verdict in a reader's words: 'verbetert', 'geen structurele trend', 'stijgt' for a rise that is
    not plainly good or bad ('stijgende trend' when it rests on a trend over the years, which the last year
    can go against), 'geen cijfer' when the period has no publishable number."""
    if verdict.verdict == "ambigu" and verdict.direction in ("up", "down"):
        if verdict.trend is not None:
            return "stijgende trend" if verdict.direction == "up" else "dalende trend"
        return "stijgt" if verdict.direction == "up" else "daalt"
    if verdict.verdict == "onbekend" and verdict.sentence == NO_FIGURE:
        return "geen cijfer"
    return VERDICTS[verdict.verdict]


def _subject(ind: Indicator) -> str:
    label = ind.label[0].lower() + ind.label[1:]
    if ind.unit in ("percent", "per_1000"):
        return f"Het percentage {label}" if ind.unit == "percent" else f"Het aantal {label} per 1.000"
    if ind.unit == "count":
        return f"Het {label}" if label.startswith("aantal") else f"Het aantal {label}"
    return f"{ind.label}"


def _movement(ind: Indicator, old: float, new: float, y_old: int, y_new: int) -> str:
    a, b = (formatting.value(v, _unit(ind), ind.decimals) for v in (old, new))
    if a == b:
        return f"blijft gelijk op {b} ({y_old} en {y_new})"
    verb = "stijgt" if new > old else "daalt"
    return f"{verb} van {a} in {y_old} naar {b} in {y_new}"


def _break_year(ind: Indicator, period: int) -> int | None:
    years = [b.date.year for b in ind.series_breaks if b.date.year <= period]
    return max(years) if years else None


def judge(ind: Indicator, series: pd.DataFrame, period: int, region_code: str = "",
          band: str | None = None) -> Verdict:
    """The verdict for one indicator and region at ``period`` from its ``series`` (rows with period,
    numerator, denominator and value; published values only)."""
    series = series[(series["period"] <= period) & series["value"].notna()].sort_values("period")
    rows = series.set_index("period")
    broken = _break_year(ind, period)
    note = None
    if broken is not None and not series.empty and broken > series["period"].min():
        text = next(b.note for b in ind.series_breaks if b.date.year == broken)
        note = f"Trendbreuk in {broken}: {text} Vergelijkingen met jaren voor {broken} zijn weggelaten."
        rows = rows[rows.index >= broken]
    if period not in rows.index:
        return Verdict(ind.id, region_code, period, "onbekend", NO_FIGURE, note=note)
    if len(rows) < 2:
        return Verdict(ind.id, region_code, period, "onbekend",
                       f"{_subject(ind)} is {formatting.value(rows.loc[period, 'value'], _unit(ind), ind.decimals)} "
                       f"in {period}; een vergelijking met eerdere jaren is niet mogelijk.", note=note)
    previous = rows.index[-2]
    if ind.statistic is None and pd.to_numeric(rows["numerator"], errors="coerce").isna().any():
        movement = _movement(ind, rows["value"].iloc[-2], rows["value"].iloc[-1], previous, period)
        return Verdict(ind.id, region_code, period, "onbekend",
                       f"{_subject(ind)} {movement}. CBS publiceert hier percentages zonder aantallen; of dat meer "
                       "is dan toeval, is daarom niet te toetsen.", note=note)
    den = rows["denominator"] if ind.denominator is not None else None
    has_den = den is not None and den.notna().all()
    num = rows["numerator"].astype(float)
    change_p = statistics.change_test(num.iloc[-2], den.iloc[-2] if has_den else None, num.iloc[-1],
                                      den.iloc[-1] if has_den else None) if ind.statistic is None else None
    movement = _movement(ind, rows["value"].iloc[-2], rows["value"].iloc[-1], previous, period)
    direction, detail, found = _direction(ind, rows, num, den if has_den else None, change_p)
    desired = ind.direction_for(band)
    if direction in ("stabiel", "geen_trend", "onbekend"):
        verdict = direction
    elif desired in ("up", "down"):
        verdict = "verbetert" if (direction == "up") == (desired == "up") else "verslechtert"
    else:
        verdict = "ambigu"
    sentence = f"{_subject(ind)} {movement}. " + _trend_sentence(verdict, direction, detail, found, desired)
    return Verdict(ind.id, region_code, period, verdict, sentence.strip(), found, change_p, note,
                   direction=direction if direction in ("up", "down") else None)


def _unit(ind: Indicator) -> str:
    return ind.unit if ind.unit in formatting.UNIT_SUFFIX else "count"


def _direction(ind, rows, num, den, change_p):
    """'up', 'down', 'stabiel', 'geen_trend' or 'onbekend', with the years and the fitted trend."""
    years = list(rows.index)
    if ind.statistic is not None:  # means and medians: no count model; describe without a verdict
        return "onbekend", years, None
    if len(years) == 2:
        if change_p is None:
            return "onbekend", years, None
        if change_p < statistics.ALPHA:
            return ("up" if rows["value"].iloc[-1] > rows["value"].iloc[0] else "down"), years, None
        return "geen_trend", years, None
    found = statistics.trend(years, num, den)
    if found is None:
        return "onbekend", years, None
    up = found.factor > 1
    if found.significant:
        return ("up" if up else "down"), years, found
    since_base = statistics.change_test(num.iloc[0], den.iloc[0] if den is not None else None,
                                        num.iloc[-1], den.iloc[-1] if den is not None else None)
    values = rows["value"]
    consistent = ((values.iloc[-1] > values.iloc[0]) == up and (values.iloc[-1] > values.iloc[-2]) == up
                  and since_base is not None and since_base < statistics.ALPHA
                  and change_p is not None and change_p < statistics.ALPHA)
    if consistent:
        return ("up" if up else "down"), years, found
    if found.low >= 1 - STABLE_WITHIN and found.high <= 1 + STABLE_WITHIN:
        return "stabiel", years, found
    return "geen_trend", years, found


def _trend_sentence(verdict: str, direction: str, years: list[int], found, desired: str) -> str:
    span = f"{years[0]}-{years[-1]}"
    if verdict == "onbekend":
        return ""
    if direction == "geen_trend":
        if len(years) == 2:
            return "Dat is geen verandering van betekenis."
        return (f"Er is geen structurele trend af te leiden uit deze {NUMBER_WORDS.get(len(years), len(years))} "
                "meetjaren.")
    if direction == "stabiel":
        return f"Over {span} is het beeld stabiel."
    kind = "stijgende" if direction == "up" else "dalende"
    what = "verandering" if len(years) == 2 else f"{kind} trend"
    if len(years) == 2:
        what = "stijging" if direction == "up" else "daling"
    if verdict == "ambigu":
        return f"Over {span} is er een {what}; of dat gunstig is, is niet eenduidig te zeggen."
    judgement = "een verbetering" if verdict == "verbetert" else "een verslechtering"
    return f"Over {span} is er een {what}: {judgement}."


def load_overrides(path: str | Path) -> dict[tuple[str, str, int], tuple[str, str]]:
    """Manual verdicts from a CSV (indicator, region_code, period, oordeel, tekst)."""
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = {"indicator", "region_code", "period", "oordeel", "tekst"} - set(table.columns)
    if missing:
        raise VerdictError(f"{path}: kolommen ontbreken: {', '.join(sorted(missing))}")
    unknown = sorted(set(table["oordeel"]) - set(VERDICTS))
    if unknown:
        raise VerdictError(f"{path}: onbekende oordelen {', '.join(unknown)}; kies uit {', '.join(VERDICTS)}")
    return {(r.indicator, r.region_code, int(r.period)): (r.oordeel, r.tekst) for r in table.itertuples()}


def apply_override(verdict: Verdict, overrides: dict) -> Verdict:
    key = (verdict.indicator, verdict.region_code, verdict.period)
    if key not in overrides:
        return verdict
    chosen, text = overrides[key]
    return Verdict(verdict.indicator, verdict.region_code, verdict.period, chosen, text, verdict.trend,
                   verdict.change_p, verdict.note, manual=True, direction=verdict.direction)
