"""Dutch number formatting for everything a report reader sees (1.234,5 and 15,4%)."""

from __future__ import annotations

import math

UNIT_SUFFIX = {"percent": "%", "per_1000": " per 1.000", "count": ""}
UNIT_LABEL = {"percent": "%", "per_1000": "per 1.000", "count": "aantal"}


def number(value: float | None, decimals: int = 0) -> str:
    """1234.5 -> '1.234,5'; missing values -> '–'."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    text = f"{value:,.{decimals}f}"
    if text.strip("-0.") == "":
        text = text.lstrip("-")  # -0.2 at no decimals is '0', not '-0'
    return text.replace(",", "_").replace(".", ",").replace("_", ".")


def value(value: float | None, unit: str, decimals: int) -> str:
    """A value with its unit, e.g. '15,4%' or '1.593'."""
    text = number(value, decimals)
    return text if text == "–" else text + UNIT_SUFFIX[unit]


def signed(change: float, decimals: int = 0) -> str:
    """A change with its sign: '+15', '-0,1', and '0' when nothing changes at the precision shown."""
    text = number(change, decimals)
    if text.strip("-0,") == "":
        return text.lstrip("-")
    return f"{'+' if change > 0 else ''}{text}"


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(frame):
    """A table for a CSV or XLSX file: text that a spreadsheet program would run as a formula (starting
    with =, +, -, @, a tab or a carriage return) gets a leading apostrophe, so it is shown as text.
    Numbers, also negative ones written as text, stay as they are."""
    import pandas as pd

    def neutral(value):
        if not isinstance(value, str) or not value.startswith(_FORMULA_START):
            return value
        try:
            float(value.replace(",", "."))
            return value
        except ValueError:
            return "'" + value

    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(neutral)
    return out
