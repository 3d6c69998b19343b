"""A team's own words for the categorical fields of its registration file ("couleur locale", seed 003).

A team keeps ``vocabulaire.yaml`` next to its data (or names it with ``regiekit import --vocabulaire``):
per field, synonyms that map its own labels onto the basisset (``po: basisonderwijs``) and its own
values (``eigen: [hechting]``). It is read as data (YAML, nothing executed) and checked against the
import schema. ``regiekit template SOORT --vocabulaire`` writes a starting file.

Without an entry, a value the basisset does not know is still imported as the team wrote it (in code
form, 'LVB ouder' -> 'lvb_ouder'); the import summary lists such values with their counts, so the
coordinator can add them here.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from regiekit.data.schemas import SCHEMAS, ImportRefused, Schema, normalise_code

FILE_NAME = "vocabulaire.yaml"


class FieldWords(BaseModel):
    model_config = ConfigDict(extra="forbid")
    synoniemen: dict[str, str] = Field(default_factory=dict)  # the team's label -> a basisset value or its own
    eigen: list[str] = Field(default_factory=list)  # values of the team's own, kept as categories


class Vocabulary:
    """Per categorical field: the team's synonyms (normalised label -> code) and the known codes."""

    def __init__(self, schema: Schema, fields: dict[str, FieldWords] | None = None, source: Path | None = None):
        self.source = source
        self.synonyms: dict[str, dict[str, str]] = {}
        self.known: dict[str, set[str]] = {}
        for col in schema.columns:
            if col.type in ("code", "multi"):
                words = (fields or {}).get(col.name, FieldWords())
                own = {normalise_code(e) for e in words.eigen}
                self.known[col.name] = set(col.allowed) | own
                self.synonyms[col.name] = {normalise_code(k): normalise_code(t) for k, t in words.synoniemen.items()}
                wrong = sorted(t for t in self.synonyms[col.name].values() if t not in self.known[col.name])
                if wrong:
                    raise ImportRefused(f"{source}: {col.name}: synoniem verwijst naar onbekende waarde(n) "
                                        f"{', '.join(wrong)}; kies uit {', '.join(sorted(self.known[col.name]))} "
                                        "of zet ze onder 'eigen'")

    def code(self, column: str, value: str) -> str:
        """The code of one value as the team wrote it: its synonym's target, or its own code form."""
        key = normalise_code(value)
        return self.synonyms.get(column, {}).get(key, key)


def load(schema: Schema, path: Path | None) -> Vocabulary:
    """The team's vocabulary from ``path`` (none: the basisset alone)."""
    if path is None:
        return Vocabulary(schema)
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ImportRefused(f"{path} is geen leesbaar vocabulaire: {exc}") from exc
    if not isinstance(data, dict):
        raise ImportRefused(f"{path}: verwacht per veld 'synoniemen' en/of 'eigen'")
    fields = {c.name for c in schema.columns if c.type in ("code", "multi")}
    unknown = sorted(set(data) - fields)
    if unknown:
        raise ImportRefused(f"{path}: {', '.join(unknown)} is geen veld met vaste waarden van {schema.kind}; "
                            f"kies uit {', '.join(sorted(fields))}")
    try:
        parsed = {name: FieldWords(**(words or {})) for name, words in data.items()}
    except (ValidationError, TypeError) as exc:
        raise ImportRefused(f"{path}: per veld alleen 'synoniemen' (label: waarde) en 'eigen' (lijst): {exc}") from exc
    return Vocabulary(schema, parsed, Path(path))


def find(data_file: Path, explicit: Path | None = None) -> Path | None:
    """The vocabulary for a data file: the one named, or ``vocabulaire.yaml`` beside the file."""
    if explicit is not None:
        if not Path(explicit).exists():
            raise ImportRefused(f"vocabulaire bestaat niet: {explicit}")
        return Path(explicit)
    beside = Path(data_file).parent / FILE_NAME
    return beside if beside.exists() else None


def template(kind: str) -> str:
    """A starting ``vocabulaire.yaml`` for ``kind``: every categorical field with its basisset values."""
    if kind not in SCHEMAS:
        raise ImportRefused(f"onbekende soort {kind!r}; kies uit {', '.join(SCHEMAS)}")
    lines = [f"# Eigen waarden van het team voor '{kind}' (regiekit). Zet dit bestand naast het databestand.",
             "# synoniemen: jullie woord -> een waarde uit de basisset (of uit 'eigen').",
             "# eigen: waarden die alleen jullie gebruiken; ze tellen als eigen categorie.", ""]
    for col in SCHEMAS[kind].columns:
        if col.type in ("code", "multi"):
            lines += [f"{col.name}:  # basisset: {', '.join(col.allowed)}", "  synoniemen: {}", "  eigen: []", ""]
    return "\n".join(lines)
