"""The indicator engine: a request (indicators, regions, periods) -> SQL -> one tidy table.

``compute`` counts from the store's own records, ``published_by_cbs`` returns CBS StatLine's values
in the same table; see :mod:`regiekit.engine.compute` for the counting rules.
"""

from regiekit.engine.complete import COLUMNS
from regiekit.engine.compute import SOURCES, EngineError, available, compute, own_tables, published_by_cbs, resolve
from regiekit.engine.sql import UNKNOWN, exclusive_breakdown, windows

__all__ = ["COLUMNS", "SOURCES", "UNKNOWN", "EngineError", "available", "compute", "exclusive_breakdown",
           "own_tables", "published_by_cbs", "resolve", "windows"]
