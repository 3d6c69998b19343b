"""The project folder: where a user's data, notebooks and output live, apart from the installed package.

A project folder holds ``data/raw`` (sources: downloads, imports, the demo data), ``data/processed``
(the store), ``output`` (reports) and ``notebooks`` (the user's own notebooks, and own copies of
report notebooks, which then replace the packaged ones). Which folder is the project:

1. ``--project DIR`` on the command line (the CLI sets ``REGIEKIT_HOME`` for itself and its kernels);
2. the environment variable ``REGIEKIT_HOME``;
3. the current folder or the nearest folder above it that holds ``data/raw`` or ``data/processed``
   (so a notebook in ``notebooks/`` finds its project), else the current folder.

The repository's own checkout is a project folder of this kind.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

from regiekit.errors import RegiekitError

ENV = "REGIEKIT_HOME"
PACKAGED_NOTEBOOKS = Path(__file__).resolve().parent / "reports" / "notebooks"  # package data of the wheel
EXPLORATION = "verkennen.ipynb"  # the notebook ``init`` copies for the user to edit


class ProjectError(RegiekitError):
    """A project folder that cannot be made or used."""


def project_dir() -> Path:
    """The current project folder (see the module docstring)."""
    if os.environ.get(ENV):
        return Path(os.environ[ENV]).expanduser().resolve()
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        if (folder / "data" / "raw").is_dir() or (folder / "data" / "processed").is_dir():
            return folder
    return here


def default_raw_dir() -> Path:
    return project_dir() / "data" / "raw"


def default_processed_dir() -> Path:
    return project_dir() / "data" / "processed"


def default_output_dir(internal: bool = False) -> Path:
    """Where reports go without ``--out``; internal ones in a folder of their own."""
    return project_dir() / ("output-intern" if internal else "output")


def notebook(report: str) -> Path:
    """The notebook of a report: the project's own copy in ``notebooks/`` when it has one, else the
    packaged notebook."""
    own = project_dir() / "notebooks" / f"{report}.ipynb"
    if own.is_file():
        return own
    packaged = PACKAGED_NOTEBOOKS / f"{report}.ipynb"
    if not packaged.is_file():
        raise ProjectError(f"geen notebook voor rapport {report!r} in het pakket")
    return packaged


def working_dir() -> Path:
    """The folder report kernels start in: the project's ``notebooks/`` when it exists."""
    notebooks = project_dir() / "notebooks"
    return notebooks if notebooks.is_dir() else project_dir()


_README = """# regiekit-project

Een projectmap van regiekit:

| map | inhoud |
|---|---|
| `data/raw/` | bronnen: geïmporteerde registraties, CBS-tabellen (`regiekit fetch cbs`), de demodata |
| `data/processed/` | de verwerkte gegevens waar alle rapporten uit lezen |
| `notebooks/` | eigen notebooks; `verkennen.ipynb` om indicatoren te verkennen in JupyterLab |
| `output/` | de rapporten |

Aan de slag, in deze map:

```bash
regiekit demo                                     # synthetische demodata en demorapporten
regiekit run factsheet --region Assen --period 2024
jupyter lab notebooks/verkennen.ipynb
```

Een rapportnotebook met dezelfde naam in `notebooks/` (bijvoorbeeld `factsheet.ipynb`) vervangt het
notebook uit het pakket. Buiten deze map: `regiekit --project PAD ...` of `REGIEKIT_HOME=PAD`.
"""

_CONDA_NAMES = {"duckdb": "python-duckdb"}


def _environment() -> str:
    """A conda environment with regiekit's own dependencies (from the installed package's metadata)."""
    from importlib.metadata import requires

    lines = []
    for requirement in requires("regiekit") or []:
        if "extra ==" in requirement:
            continue
        name = re.split(r"[<>=!~ \[]", requirement, maxsplit=1)[0]
        lines.append(f"  - {_CONDA_NAMES.get(name, name)}{requirement[len(name):].replace(' ', '')}")
    return ("# Conda-omgeving voor dit regiekit-project: conda env create -f environment.yml\n"
            "# Staat regiekit niet in een pakketindex, zet dan onderaan het pad van het wheel.\n"
            "name: regiekit-project\nchannels:\n  - conda-forge\ndependencies:\n  - python=3.11\n"
            + "\n".join(lines) + "\n  - pip\n  - pip:\n      - regiekit\n")


def init(folder: Path | str) -> list[Path]:
    """Create a project folder in the design card's layout; existing files are left as they are.
    Returns the paths created."""
    root = Path(folder).expanduser().resolve()
    if root.exists() and not root.is_dir():
        raise ProjectError(f"{root} bestaat al en is geen map")
    made = []
    for sub in ("notebooks", "data/raw", "data/processed", "output"):
        path = root / sub
        if not path.is_dir():
            path.mkdir(parents=True)
            made.append(path)
    files = {root / "README.md": _README, root / "environment.yml": _environment()}
    for path, text in files.items():
        if not path.exists():
            path.write_text(text, encoding="utf-8")
            made.append(path)
    exploration = root / "notebooks" / EXPLORATION
    if not exploration.exists():
        shutil.copyfile(PACKAGED_NOTEBOOKS / EXPLORATION, exploration)
        made.append(exploration)
    return made
