"""Boundaries for maps: TopoJSON files ``{level}_{year}.topojson`` (properties ``statcode``, ``statnaam``;
the CBS/PDOK boundaries as simplified by the public cartomap/nl repository).

Which file a map uses: the one in ``$REGIEKIT_GRENZEN`` when that is set; else the project's
``data/raw/grenzen/`` when it holds the file (``regiekit fetch grenzen`` downloads newer files there,
:func:`fetch` other years); else the 2024 files that come with the package (``regiekit/reference/grenzen/``,
with their source, licence and repairs in the README there)."""

from __future__ import annotations

import functools
import os
import socket
import urllib.error
import urllib.request
from pathlib import Path

import geopandas as gpd

from regiekit import project as paths
from regiekit.atomic import write_bytes
from regiekit.errors import RegiekitError

ENV = "REGIEKIT_GRENZEN"
SOURCE = "https://cartomap.github.io/nl/wgs84/{level}_{year}.topojson"
PACKAGED = Path(__file__).resolve().parents[1] / "reference" / "grenzen"  # package data: 2024, valid geometries
ATTRIBUTION = "CBS-gebiedsindelingen (CBS, Kadaster; CC BY 4.0), vereenvoudigd door cartomap/nl"
RD_NEW = "EPSG:28992"  # the Dutch national grid: true shapes and areas


class BoundaryError(RegiekitError):
    """A boundary file could not be downloaded or read."""


def boundaries_dir() -> Path:
    """Where boundary files are looked for first and downloaded to: ``$REGIEKIT_GRENZEN`` or the project's
    ``data/raw/grenzen/``."""
    return Path(os.environ.get(ENV) or paths.default_raw_dir() / "grenzen")


def boundary_file(level: str = "gemeente", year: int = 2024, folder: str | Path | None = None) -> Path:
    return Path(folder or boundaries_dir()) / f"{level}_{year}.topojson"


def find(level: str = "gemeente", year: int = 2024) -> Path | None:
    """The boundary file a map uses (see the module docstring), or None when there is none."""
    places = [boundary_file(level, year)] + ([] if os.environ.get(ENV) else [boundary_file(level, year, PACKAGED)])
    return next((path for path in places if path.is_file()), None)


def load(level: str = "gemeente", year: int = 2024, folder: str | Path | None = None) -> gpd.GeoDataFrame | None:
    """The boundaries (``statcode``, ``statnaam``, geometry in RD New) from ``folder`` or as :func:`find`
    finds them, or None when there is no file."""
    path = boundary_file(level, year, folder) if folder else find(level, year)
    return read(path) if path is not None and path.is_file() else None


def read(path: Path) -> gpd.GeoDataFrame:
    """One boundary file, checked and projected; read once per process while the file stays the same (every
    factsheet of a batch draws from it)."""
    stat = Path(path).stat()
    return _read(str(path), stat.st_mtime_ns, stat.st_size).copy()


@functools.lru_cache(maxsize=4)
def _read(path: str, _modified: int, _size: int) -> gpd.GeoDataFrame:
    shapes = gpd.read_file(path)
    missing = {"statcode", "statnaam"} - set(shapes.columns)
    if missing:
        raise BoundaryError(f"{path}: het grenzenbestand mist {', '.join(sorted(missing))}")
    shapes = shapes[["statcode", "statnaam", "geometry"]].set_crs("EPSG:4326", allow_override=True)
    broken = ~shapes.is_valid
    if broken.any():  # a downloaded file: a few simplified polygons self-intersect (the packaged ones are repaired)
        shapes.loc[broken, "geometry"] = shapes.geometry[broken].make_valid()
    return shapes.to_crs(RD_NEW)


def _reason(exc: OSError) -> str:
    """Why a download failed, in Dutch, with the library's own words in brackets."""
    if isinstance(exc, urllib.error.HTTPError):
        return f"de server antwoordde met HTTP-status {exc.code} ({exc.reason})"
    reason = getattr(exc, "reason", exc)
    if isinstance(reason, socket.gaierror):
        return f"geen netwerkverbinding of onbekende server ({reason})"
    if isinstance(reason, TimeoutError):
        return f"geen antwoord binnen 60 seconden ({reason})"
    return f"de verbinding mislukte ({reason})"


def fetch(level: str = "gemeente", year: int = 2024, folder: str | Path | None = None,
          source: str = SOURCE) -> Path:
    """Download one boundary file into the download folder (atomically) and return its path."""
    path = boundary_file(level, year, folder)
    url = source.format(level=level, year=year)
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            data = response.read()
    except (urllib.error.URLError, OSError) as exc:
        raise BoundaryError(f"kan {url} niet downloaden: {_reason(exc)}; zet het bestand zelf in "
                           f"{path.parent} of wijs met {ENV} een map aan die het bevat") from exc
    trial = path.with_name(f".{path.name}.download")
    write_bytes(trial, data)
    try:
        read(trial)  # refuse (and report) a file that is not a usable boundary file
    except Exception as exc:
        trial.unlink(missing_ok=True)
        raise BoundaryError(f"{url} is geen bruikbaar grenzenbestand: {exc}") from exc
    os.replace(trial, path)
    return path


def ensure(level: str = "gemeente", year: int = 2024, source: str = SOURCE) -> tuple[Path | None, str]:
    """The boundary file a map uses, downloaded when there is none (another year, or a ``$REGIEKIT_GRENZEN``
    without it); None and the reason when that fails (reports are then made without a map)."""
    path = find(level, year)
    if path is not None and path.parent == PACKAGED:
        return path, f"kaart: grenzen {year} uit het pakket: {ATTRIBUTION}"
    if path is not None:
        return path, f"kaart: grenzen uit {path}"
    path = boundary_file(level, year)
    try:
        return fetch(level, year, source=source), f"kaart: grenzen gedownload naar {path}"
    except BoundaryError as exc:
        return None, f"geen kaart ({exc})"
