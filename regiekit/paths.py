"""Where regiekit finds its notebooks and data; ``REGIEKIT_HOME`` overrides the project folder."""

import os
from pathlib import Path


def project_dir() -> Path:
    """The folder holding notebooks/ and data/ (the repository for an editable install)."""
    return Path(os.environ.get("REGIEKIT_HOME", Path(__file__).resolve().parents[1]))


def notebooks_dir() -> Path:
    return project_dir() / "notebooks"


def default_raw_dir() -> Path:
    return project_dir() / "data" / "raw"


def default_processed_dir() -> Path:
    return project_dir() / "data" / "processed"


def default_output_dir() -> Path:
    return project_dir() / "output"
