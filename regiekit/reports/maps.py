"""Boundaries of gemeenten for maps. They are not in the repository: regiekit reads TopoJSON files
``{level}_{year}.topojson`` (properties ``statcode``, ``statnaam``; the simplified CBS/PDOK boundaries of
the public cartomap/nl repository) from ``$REGIEKIT_GRENZEN`` or ``data/raw/grenzen/``, where
``regiekit fetch grenzen`` downloads and caches them."""

from __future__ import annotations

import os
import urllib.error
import urllib.request
from pathlib import Path

import geopandas as gpd

from regiekit import project as paths
from regiekit.atomic import write_bytes
from regiekit.errors import RegiekitError

ENV = "REGIEKIT_GRENZEN"
SOURCE = "https://cartomap.github.io/nl/wgs84/{level}_{year}.topojson"
RD_NEW = "EPSG:28992"  # the Dutch national grid: true shapes and areas


class BoundaryError(RegiekitError):
    """A boundary file could not be downloaded or read."""


def boundaries_dir() -> Path:
    return Path(os.environ.get(ENV) or paths.default_raw_dir() / "grenzen")


def boundary_file(level: str = "gemeente", year: int = 2024, folder: str | Path | None = None) -> Path:
    return Path(folder or boundaries_dir()) / f"{level}_{year}.topojson"


def load(level: str = "gemeente", year: int = 2024, folder: str | Path | None = None) -> gpd.GeoDataFrame | None:
    """The boundaries (``statcode``, ``statnaam``, geometry in RD New), or None when no file is there."""
    path = boundary_file(level, year, folder)
    return read(path) if path.is_file() else None


def read(path: Path) -> gpd.GeoDataFrame:
    """One boundary file, checked and projected."""
    shapes = gpd.read_file(path)
    missing = {"statcode", "statnaam"} - set(shapes.columns)
    if missing:
        raise BoundaryError(f"{path}: het grenzenbestand mist {', '.join(sorted(missing))}")
    shapes = shapes[["statcode", "statnaam", "geometry"]].set_crs("EPSG:4326", allow_override=True)
    shapes["geometry"] = shapes.geometry.make_valid()  # a few simplified polygons self-intersect
    return shapes.to_crs(RD_NEW)


def fetch(level: str = "gemeente", year: int = 2024, folder: str | Path | None = None,
          source: str = SOURCE) -> Path:
    """Download one boundary file into the cache folder (atomically) and return its path."""
    path = boundary_file(level, year, folder)
    url = source.format(level=level, year=year)
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            data = response.read()
    except (urllib.error.URLError, OSError) as exc:
        raise BoundaryError(f"kan {url} niet downloaden ({getattr(exc, 'reason', exc)}); zet het bestand zelf in "
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
    """The boundary file, downloaded when it is not there yet; None and the reason when that fails
    (reports are then made without a map)."""
    path = boundary_file(level, year)
    if path.is_file():
        return path, f"kaart: grenzen uit {path}"
    try:
        return fetch(level, year, source=source), f"kaart: grenzen gedownload naar {path}"
    except BoundaryError as exc:
        return None, f"geen kaart ({exc})"
