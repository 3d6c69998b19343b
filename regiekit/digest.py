"""What cached results depend on, as digests: the package's own files, and a store's state.

A published table or a report made by one version of the code must not be served by another: a
changed counting rule, definition file, layout or report text changes :func:`code`, and every cache
keyed on it is rebuilt.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
SUFFIXES = {".py", ".yaml", ".csv", ".ipynb", ".topojson"}


@lru_cache(maxsize=1)
def code() -> str:
    """A digest of every source and data file of the installed package (paths and contents)."""
    digest = hashlib.sha256()
    for path in sorted(p for p in PACKAGE.rglob("*") if p.suffix in SUFFIXES and "__pycache__" not in p.parts):
        digest.update(path.relative_to(PACKAGE).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def of(content) -> str:
    """A digest of JSON-serialisable content (sorted keys)."""
    return hashlib.sha256(json.dumps(content, sort_keys=True, default=str).encode()).hexdigest()


def prune(path: Path) -> None:
    """Remove the cached files beside ``path`` (named code-state-key) that can never be used again: those
    of another version of the code, and those of the same key made from data in another state."""
    code, _, key = path.stem.split("-", 2)
    for old in [*path.parent.glob("*.parquet"), *path.parent.glob("*.lock")]:
        if old != path and (not old.name.startswith(f"{code}-") or old.stem.endswith(f"-{key}")):
            old.unlink(missing_ok=True)
