"""The project folder: found from --project, REGIEKIT_HOME or the current folder; made by ``regiekit init``;
a project's own report notebook replaces the packaged one. And the package as a user installs it: a
wheel in a fresh virtualenv outside the repository runs ``regiekit init`` and ``regiekit demo``."""

import json
import os
import re
import shutil
import site
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from regiekit import project
from regiekit.run import cli

ROOT = Path(__file__).resolve().parents[1]


def test_the_project_is_found_from_here_or_above(tmp_path, monkeypatch):
    monkeypatch.delenv(project.ENV, raising=False)
    (tmp_path / "proj" / "data" / "processed").mkdir(parents=True)
    (tmp_path / "proj" / "notebooks" / "sub").mkdir(parents=True)
    monkeypatch.chdir(tmp_path / "proj" / "notebooks" / "sub")  # a notebook's kernel starts in its folder
    assert project.project_dir() == tmp_path / "proj"
    assert project.default_processed_dir() == tmp_path / "proj" / "data" / "processed"
    monkeypatch.chdir(tmp_path)  # no data/ here or above: the current folder
    assert project.project_dir() == tmp_path
    monkeypatch.setenv(project.ENV, str(tmp_path / "elders"))
    assert project.project_dir() == tmp_path / "elders"


def test_init_makes_the_design_card_layout_and_keeps_what_is_there(tmp_path, capsys):
    target = tmp_path / "mijn project"
    assert cli.main(["init", str(target)]) == 0
    for folder in ("notebooks", "data/raw", "data/processed", "output"):
        assert (target / folder).is_dir()
    notebook = json.loads((target / "notebooks" / "verkennen.ipynb").read_text(encoding="utf-8"))
    assert any("verkennen" in "".join(cell["source"]) for cell in notebook["cells"])
    environment = yaml.safe_load((target / "environment.yml").read_text(encoding="utf-8"))
    assert "python-duckdb>=1.0" in environment["dependencies"] and {"pip": ["regiekit"]} in environment["dependencies"]
    assert "regiekit demo" in (target / "README.md").read_text(encoding="utf-8")
    assert "Projectmap" in capsys.readouterr().out
    (target / "notebooks" / "verkennen.ipynb").write_text("{}", encoding="utf-8")  # the user's own edits
    assert cli.main(["init", str(target)]) == 0
    assert (target / "notebooks" / "verkennen.ipynb").read_text(encoding="utf-8") == "{}"
    assert "was al compleet" in capsys.readouterr().out
    (tmp_path / "bestand").write_text("x", encoding="utf-8")
    assert cli.main(["init", str(tmp_path / "bestand")]) == 1
    assert "regiekit: fout:" in capsys.readouterr().err


def test_a_projects_own_report_notebook_replaces_the_packaged_one(tmp_path, monkeypatch):
    monkeypatch.setenv(project.ENV, str(tmp_path))
    packaged = project.notebook("factsheet")
    assert packaged.is_file() and packaged.parent.parts[-2:] == ("reports", "notebooks")
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "notebooks" / "factsheet.ipynb").write_text("{}", encoding="utf-8")
    assert project.notebook("factsheet") == tmp_path / "notebooks" / "factsheet.ipynb"
    assert project.working_dir() == tmp_path / "notebooks"
    with pytest.raises(project.ProjectError, match="geen notebook voor rapport 'bestaat_niet'"):
        project.notebook("bestaat_niet")


def test_messages_name_commands_that_exist():
    """Every 'regiekit COMMAND' a message or docstring of the package suggests is a real command."""
    commands = set(cli.parser()._subparsers._group_actions[0].choices)
    named = set()
    for path in (ROOT / "regiekit").rglob("*.py"):
        named |= set(re.findall(r"[`'\"]regiekit ([a-z_]+)", path.read_text(encoding="utf-8")))
    assert named and named <= commands, named - commands
    assert "build" not in commands  # the command an old message suggested


def _commands(parser, words=()):
    """The top level and every subcommand (nested ones too), each with its parser."""
    yield list(words), parser
    for action in parser._actions:
        if isinstance(action.choices, dict):  # the subcommands
            for name, sub in action.choices.items():
                yield from _commands(sub, [*words, name])


ENGLISH = ("usage:", "show this help", "positional arguments", "options:", "optional arguments", " the ", " with ",
           "default", " and ", " or ", " for ", " to ", " from ", " into ", "folder", " file", " each ", " every ")


def test_the_help_of_every_command_is_dutch(capsys):
    commands = list(_commands(cli.parser()))
    assert len(commands) > 10 and ["run"] in [words for words, _ in commands]
    for words, parser in commands:
        undocumented = [a.dest for a in parser._actions if not a.help and not isinstance(a.choices, dict)]
        assert not undocumented, (words, undocumented)  # every option and argument says what it is for
        with pytest.raises(SystemExit) as stop:
            cli.main([*words, "--help"])
        assert stop.value.code == 0
        text = " ".join(capsys.readouterr().out.split())  # words the help wraps over two lines
        assert text.startswith(f"gebruik: regiekit {' '.join(words)}".rstrip()) and "opties:" in text, words
        assert "-h, --help toon deze hulp en stop" in text
        found = [word for word in ENGLISH if word in text.lower()]
        assert not found, (words, found, text)


@pytest.mark.parametrize("argv, dutch", [
    (["run"], "regiekit run: fout: deze argumenten ontbreken: rapport"),
    ([], "regiekit: fout: deze argumenten ontbreken: opdracht"),
    (["run", "bestaat_niet"], "fout: argument rapport: ongeldige keuze: 'bestaat_niet' (kies uit 'factsheet',"),
    (["run", "factsheet", "--jobs", "twee"], "fout: argument --jobs: geen geheel getal: 'twee'"),
    (["run", "factsheet", "--region"], "fout: argument --region: verwacht minstens één waarde"),
    (["run", "factsheet", "--data"], "fout: argument --data: verwacht één waarde"),
    (["regions", "list", "--bestaat", "niet"], "regiekit: fout: onbekende argumenten: --bestaat niet"),
])
def test_a_wrong_command_line_gets_a_dutch_error(capsys, argv, dutch):
    with pytest.raises(SystemExit) as stop:
        cli.main(argv)
    err = capsys.readouterr().err
    assert stop.value.code == 2 and err.startswith("gebruik: regiekit") and dutch in err, err
    assert "error:" not in err and "usage:" not in err


def test_a_file_that_is_not_there_gets_a_dutch_error(tmp_path, capsys):
    assert cli.main(["indicators", "check", str(tmp_path / "mijn.yaml")]) == 1
    assert capsys.readouterr().err.startswith(f"regiekit: fout: {tmp_path / 'mijn.yaml'}: bestaat niet (")


@pytest.mark.slow
def test_a_wheel_installed_outside_the_repository_makes_the_demo(tmp_path):
    """Build the wheel, install it into a new virtualenv (its dependencies taken from this environment),
    and run it from a folder outside the repository as a new user would."""
    source, dist = tmp_path / "source", tmp_path / "dist"  # setuptools builds in the tree: use a copy
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    shutil.copytree(ROOT / "regiekit", source / "regiekit", ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(dist), str(source)],
                   check=True, capture_output=True, timeout=600)
    wheel, = dist.glob("regiekit-*.whl")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--no-deps",
                    str(wheel)], check=True, capture_output=True, timeout=300)
    target_site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                      capture_output=True, text=True, check=True).stdout.strip())
    (target_site / "dependencies.pth").write_text("\n".join(site.getsitepackages()) + "\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in (project.ENV, "PYTHONPATH", "REGIEKIT_GRENZEN")}
    env["JUPYTER_PATH"] = str(Path(sys.prefix) / "share" / "jupyter")  # the dependencies' data files (nbconvert)
    home = tmp_path / "elders"
    home.mkdir()
    where = subprocess.run([str(python), "-c", "import regiekit; print(regiekit.__file__)"], cwd=home, env=env,
                           capture_output=True, text=True, check=True).stdout
    assert where.startswith(str(venv)), where  # the installed wheel, not the repository
    regiekit = str(venv / "bin" / "regiekit")
    done = subprocess.run([regiekit, "init", "jeugdmonitor"], cwd=home, env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    proj = home / "jeugdmonitor"
    done = subprocess.run([regiekit, "demo"], cwd=proj, env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    assert "kaart: grenzen 2024 uit het pakket" in done.stdout  # nothing downloaded: the packaged boundaries
    out = proj / "output" / "demo"
    for code in ("JZ04", "GM0106", "PV22", "NL01"):
        html = (out / f"factsheet_{code}_2024.html").read_text(encoding="utf-8")
        assert len(html) > 10_000 and 'alt="Kaart: jongeren met jeugdhulp per gemeente in ' in html  # with its map
        assert (out / f"factsheet_{code}_2024.csv").exists()
    assert not (proj / "data" / "raw" / "grenzen").exists()
    assert (out / "monitor" / "monitor_JZ04_2024.html").exists()
    assert (proj / "data" / "processed" / "store.json").exists() and (proj / "data" / "raw" / "demo").is_dir()
