"""Import own data (CSV or Excel) into the processed store: validated, nothing lost, nothing twice.

Every data row ends up in exactly one place: imported, already imported (the same key with the same
content, e.g. a file imported again), or the rejects file with its reasons. Rows read = imported +
already imported + rejected (+ empty rows, which are counted and skipped). A file with identifying
data (names, e-mail addresses, phone numbers, BSN-like numbers) is refused as a whole.
"""

from __future__ import annotations

import codecs
import hashlib
import re
import shutil
import tempfile
import warnings
import zipfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from regiekit import formatting
from regiekit.atomic import write_text
from regiekit.data import identifying, team_vocabulary
from regiekit.data import store as store_module
from regiekit.data.schemas import SCHEMAS, Column, ImportRefused, Schema, normalise_code
from regiekit.project import default_processed_dir
from regiekit.reference.regions import RegionError, load_regions

# pandera imports PySpark when it is installed (the Spark engine), which warns about pandas 3
warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas", category=FutureWarning)
import pandera.pandas as pa  # noqa: E402

CHUNK_ROWS = 50_000
MAX_FIELD = 1_000  # characters in one field: more is no registration, and would slow every check down
EARLIEST = date(1900, 1, 1)  # a date before this is a typing error, not a registration


@dataclass
class ImportReport:
    kind: str
    file: Path
    rows_read: int
    imported: int
    unchanged: int
    rejected: int
    empty_rows: int
    rejects_file: Path | None
    store_path: Path
    unknown: dict[tuple[str, str], int] = field(default_factory=dict)  # (field, value) -> rows, outside the basisset
    vocabulary: str | None = None  # the team's vocabulary file used

    def summary(self) -> str:
        text = (f"{self.file.name}: {self.rows_read} rijen gelezen: {self.imported} geïmporteerd, "
                f"{self.unchanged} al eerder geïmporteerd, {self.rejected} afgewezen")
        if self.empty_rows:
            text += f" ({self.empty_rows} lege rijen overgeslagen)"
        if self.rejects_file:
            text += f"; redenen in {self.rejects_file}"
        if self.vocabulary:
            text += f"; eigen waarden en synoniemen uit {self.vocabulary}"
        if self.unknown:
            per_field: dict[str, list[str]] = {}
            for (name, value), n in sorted(self.unknown.items(), key=lambda kv: (kv[0][0], -kv[1], kv[0][1])):
                per_field.setdefault(name, []).append(f"{value} ({n})")
            text += ("\nWaarden buiten de basisset, geïmporteerd als eigen categorie (voeg ze toe aan "
                     f"{team_vocabulary.FILE_NAME} als synoniem of eigen waarde):"
                     + "".join(f"\n  {name}: {', '.join(values)}" for name, values in per_field.items()))
        return text


# --- reading ---------------------------------------------------------------------------------

def _encoding(path: Path) -> str:
    with open(path, "rb") as handle:
        start = handle.read(4)
        if start.startswith(codecs.BOM_UTF8):
            return "utf-8-sig"
        if start.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return "utf-16"  # Excel's "Unicode-tekst"
        if b"\x00" in start:
            raise ImportRefused(f"{path.name} is geen tekstbestand in UTF-8 of Windows-1252 (UTF-16 zonder "
                                "kenmerk?); sla het in Excel op als 'CSV UTF-8'")
        handle.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            for block in iter(lambda: handle.read(1 << 20), b""):
                decoder.decode(block)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "cp1252"  # what Excel writes as "CSV" on Dutch Windows
    return "utf-8"


def _excel(path: Path) -> pd.DataFrame:
    """The rows of an Excel workbook: its only sheet with data, or every sheet with the same header (a
    workbook with data under other headers is refused with the list of its sheets)."""
    try:
        sheets = pd.read_excel(path, sheet_name=None, dtype=str, keep_default_na=False, engine="openpyxl")
    except (zipfile.BadZipFile, ValueError, KeyError, OSError) as exc:
        raise ImportRefused(f"{path.name} is geen leesbaar Excel-bestand (.xlsx): {type(exc).__name__}; "
                            "sla het opnieuw op in Excel of lever een CSV") from exc
    filled = {name: frame for name, frame in sheets.items() if len(frame.columns) and not frame.empty}
    if not filled:
        raise ImportRefused(f"{path.name} heeft geen rijen")
    first = next(iter(filled.values()))
    if any(list(frame.columns) != list(first.columns) for frame in filled.values()):
        raise ImportRefused(f"{path.name} heeft gegevens op meer tabbladen met verschillende kolommen "
                            f"({', '.join(filled)}); zet elke soort gegevens in een eigen bestand")
    frame = pd.concat(filled.values(), ignore_index=True)
    frame = frame.map(lambda x: x[:10] if re.match(r"^\d{4}-\d{2}-\d{2} 00:00:00$", x) else x)
    if len(filled) > 1:  # a rejected row is named by its sheet and its row there
        frame.attrs["sheets"] = [(name, len(part)) for name, part in filled.items()]
    return frame


def _read(path: Path) -> Iterator[pd.DataFrame]:
    """The file as chunks of text columns (header as in the file)."""
    if path.is_dir():
        raise ImportRefused(f"{path.name} is een map, geen bestand")
    if path.stat().st_size == 0:
        raise ImportRefused(f"{path.name} is leeg")
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        yield _excel(path)
        return
    encoding = _encoding(path)
    with open(path, encoding=encoding, newline="") as handle:
        header = handle.readline()
    if not header.strip():
        raise ImportRefused(f"{path.name} heeft geen kopregel")
    sep = max((";", ",", "\t"), key=header.count)
    yield from pd.read_csv(path, sep=sep, dtype=str, keep_default_na=False, encoding=encoding,
                           chunksize=CHUNK_ROWS, skip_blank_lines=True)


def _check_fields(chunk: pd.DataFrame, path: Path) -> None:
    """Refuse a file with a field too long to be a registration (before any pattern runs over it)."""
    for column in chunk.columns:
        long = chunk[column].astype(str).str.len() > MAX_FIELD
        if long.any():
            row = int(long[long].index[0]) + 2
            raise ImportRefused(f"{path.name}: kolom {column}, rij {row} is langer dan {MAX_FIELD} tekens; "
                                "is het bestand goed opgeslagen?")


def _map_columns(schema: Schema, headers: list[str]) -> dict[str, str]:
    """File header -> schema column; refuses identifying, unknown, duplicate or missing columns."""
    names = {c.name: c.name for c in schema.columns} | {a: c.name for c in schema.columns for a in c.aliases}
    mapping, unknown = {}, []
    for header in headers:
        key = normalise_code(header)
        if key in identifying.HEADERS:
            raise ImportRefused(f"kolom '{header}' lijkt identificerende gegevens te bevatten; alleen pseudoniemen "
                                "mogen worden geïmporteerd: verwijder de kolom")
        if key not in names:
            unknown.append(header)
        elif names[key] in mapping.values():
            raise ImportRefused(f"kolom {names[key]} komt twee keer voor")
        else:
            mapping[header] = names[key]
    if unknown:
        raise ImportRefused(f"onbekende kolom(men) {', '.join(map(repr, unknown))}; "
                            f"verwacht: {', '.join(c.name for c in schema.columns)}")
    missing = [c.name for c in schema.columns if c.required and c.name not in mapping.values()]
    if missing:
        raise ImportRefused(f"kolom(men) ontbreken: {', '.join(missing)}")
    return mapping


# --- parsing and validation ------------------------------------------------------------------

def _parse_dates(values: pd.Series) -> pd.Series:
    text = values.str.strip()
    iso = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
    dutch = pd.to_datetime(text.str.replace("/", "-"), format="%d-%m-%Y", errors="coerce")
    return iso.fillna(dutch).dt.date


def _parse_number(values: pd.Series) -> pd.Series:
    """Numbers as people type them (12, 2,5, 1.234,5); not '1e1', 'inf' or hex, which pandas would read."""
    text = values.str.strip().str.replace(" ", "")
    text = text.where(text.str.fullmatch(r"[+-]?\d[\d.,]*"))
    text = text.where(~text.str.contains(","), text.str.replace(".", "", regex=False).str.replace(",", "."))
    return pd.to_numeric(text, errors="coerce")


def _parse(column: Column, raw: pd.Series, gemeenten: dict,
           words: team_vocabulary.Vocabulary) -> tuple[pd.Series, pd.Series]:
    """Typed values and, per row, a reason when a filled-in value cannot be read."""
    text = raw.fillna("").astype(str).str.strip()
    filled = text != ""
    if column.type == "date":
        parsed = _parse_dates(text)
    elif column.type in ("integer", "number"):
        parsed = _parse_number(text)
        if column.type == "integer":
            parsed = parsed.where(parsed.isna() | (parsed % 1 == 0))
            parsed = parsed.astype("Int64")
    elif column.type == "code":
        parsed = _per_unique(text, lambda x: words.code(column.name, x))
    elif column.type == "multi":
        parsed = _per_unique(text, lambda x: ";".join(sorted({words.code(column.name, p)
                                                              for p in x.split(";") if p.strip()})))
    elif column.type == "gemeente":
        parsed = _per_unique(text, lambda x: gemeenten.setdefault(x, _gemeente_code(x)) if x else "")
    else:
        parsed = text
    parsed = parsed.where(filled, None)
    control = text.str.contains(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", regex=True)  # NUL and other invisible bytes
    parsed = parsed.where(~control, None)
    unreadable = filled & parsed.isna()
    reason = pd.Series(None, index=raw.index, dtype=object)
    reason[unreadable] = f"{column.name}: '" + text[unreadable] + f"' is geen geldige {_TYPE_NL[column.type]}"
    return parsed, reason


def _per_unique(values: pd.Series, function) -> pd.Series:
    """Apply a Python function once per distinct value (files repeat the same codes a million times)."""
    lookup = {value: function(value) for value in values.unique()}
    return values.map(lookup)


_TYPE_NL = {"date": "datum (jjjj-mm-dd of dd-mm-jjjj)", "integer": "geheel getal", "number": "getal",
            "gemeente": "gemeente", "code": "waarde", "multi": "waarde", "id": "code"}


def _gemeente_code(text: str) -> str | None:
    try:
        return load_regions().get(text, level="gemeente").code
    except RegionError:
        return None


def _pandera_schema(schema: Schema, today: date) -> pa.DataFrameSchema:
    columns = {}
    for col in schema.columns:
        checks = []
        if col.type == "code" and not schema.open_codes:
            checks.append(pa.Check.isin(list(col.allowed), error=f"{col.name}: onbekende waarde"))
        elif col.type == "multi" and not schema.open_codes:
            allowed = set(col.allowed)
            checks.append(pa.Check(lambda s, allowed=allowed: _per_unique(s, lambda x: set(x.split(";")) <= allowed),
                                   error=f"{col.name}: onbekende waarde"))
        elif col.type == "date":
            checks.append(pa.Check(lambda s: pd.to_datetime(s) <= pd.Timestamp(today),
                                   error=f"{col.name}: datum in de toekomst"))
            checks.append(pa.Check(lambda s: pd.to_datetime(s) >= pd.Timestamp(EARLIEST),
                                   error=f"{col.name}: datum vóór {EARLIEST.year}"))
        elif col.bounds:
            checks.append(pa.Check.in_range(*col.bounds, error=f"{col.name}: onmogelijke waarde"))
        columns[col.name] = pa.Column(nullable=not col.required, checks=checks, required=False, coerce=False)
    wide = [pa.Check(lambda df, a=later, b=earlier: ~(pd.to_datetime(df[a]) < pd.to_datetime(df[b])), error=message)
            for later, earlier, message in schema.date_order]
    return pa.DataFrameSchema(columns, checks=wide, strict=False)


def _join_reasons(parts: list[pd.Series]) -> pd.Series:
    """Per row, the reasons of all parts joined with '; ' (None where there are none)."""
    out = pd.Series(None, index=parts[0].index, dtype="string")
    for part in parts:
        reason = part.astype("string")
        out = out.mask(out.notna() & reason.notna(), out + "; " + reason).fillna(reason)
    return out.astype(object).where(out.notna(), None)


def _validate(schema: Schema, frame: pd.DataFrame, today: date) -> pd.Series:
    """Reasons per row from the schema checks (None where the row is valid)."""
    reasons: dict = {}
    try:
        _pandera_schema(schema, today).validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
        for _, case in cases.iterrows():
            if pd.isna(case["index"]):
                continue
            column = case["column"] if isinstance(case["column"], str) and case["column"] in frame else None
            check = str(case["check"])
            if check == "not_nullable":
                message = f"{column}: ontbreekt"
            elif column is None:
                message = check
            else:
                message = f"{check} ('{case['failure_case']}')" if ":" in check else f"{column}: {check}"
            reasons.setdefault(case["index"], []).append(message)
    joined = {i: "; ".join(dict.fromkeys(r)) for i, r in reasons.items()}
    return pd.Series([joined.get(i) for i in frame.index], index=frame.index, dtype=object)


# --- the import ------------------------------------------------------------------------------

def import_file(kind: str, path: Path | str, data_dir: Path | str | None = None,
                raw_dir: Path | str | None = None, today: date | None = None,
                vocabulary: Path | str | None = None) -> ImportReport:
    """Import one CSV or Excel file of ``kind`` (see :data:`regiekit.data.schemas.SCHEMAS`), with the
    team's own words from ``vocabulary`` or ``vocabulaire.yaml`` beside the file
    (:mod:`regiekit.data.team_vocabulary`)."""
    if kind not in SCHEMAS:
        raise ImportRefused(f"onbekende soort {kind!r}; kies uit {', '.join(SCHEMAS)}")
    schema, path = SCHEMAS[kind], Path(path)
    if not path.exists():
        raise ImportRefused(f"bestand bestaat niet: {path}")
    today = today or date.today()
    processed = Path(data_dir or default_processed_dir())
    archive = Path(raw_dir or processed.parent / "raw") / "imports"  # data/raw/imports beside data/processed
    words = team_vocabulary.load(schema, team_vocabulary.find(path, Path(vocabulary) if vocabulary else None))
    work = Path(tempfile.mkdtemp(prefix=".import-"))
    try:
        counts = _stage(schema, path, work, today, words)
        return _commit(schema, path, work, processed, archive, counts)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _stage(schema: Schema, path: Path, work: Path, today: date, words: team_vocabulary.Vocabulary) -> dict:
    """Parse and validate chunk by chunk into staging Parquet files of valid and rejected rows; count the
    values of valid rows that neither the basisset nor the team's vocabulary knows."""
    gemeenten: dict[str, str | None] = {}
    counts = {"read": 0, "empty": 0, "unknown": Counter(),
              "vocabulary": words.source.name if words.source else None}
    mapping = None
    for n, chunk in enumerate(_read(path)):
        counts.setdefault("sheets", chunk.attrs.get("sheets"))
        if mapping is None:
            mapping = _map_columns(schema, list(chunk.columns))
        chunk = chunk.rename(columns=mapping)
        empty = (chunk.astype(str).apply(lambda c: c.str.strip()) == "").all(axis=1)
        counts["empty"] += int(empty.sum())
        chunk = chunk[~empty]
        row_numbers = chunk.index + 2  # line in the file, below the header
        counts["read"] += len(chunk)
        if chunk.empty:
            continue
        _check_fields(chunk, path)
        identifying.refuse(chunk, schema)
        parsed, reasons = {}, []
        for col in schema.columns:
            raw = chunk[col.name] if col.name in chunk else pd.Series("", index=chunk.index)
            parsed[col.name], reason = _parse(col, raw, gemeenten, words)
            reasons.append(reason)
        typed = pd.DataFrame(parsed, index=chunk.index)
        reason = _join_reasons([*reasons, _validate(schema, typed, today)])
        typed["_rij"] = row_numbers.to_numpy()
        raw_rows = chunk.astype(str).assign(_rij=row_numbers.to_numpy())
        ok = reason.isna()
        for name, known in words.known.items():
            values = typed.loc[ok, name].dropna().astype(str).str.split(";").explode()
            counts["unknown"].update((name, value) for value in values[~values.isin(known) & (values != "")])
        typed[ok].to_parquet(work / f"valid_{n:05d}.parquet", index=False)
        raw_rows[ok].to_parquet(work / f"validraw_{n:05d}.parquet", index=False)
        raw_rows[~ok].assign(_afwijzing=reason[~ok]).to_parquet(work / f"rejected_{n:05d}.parquet", index=False)
    if mapping is None or counts["read"] == 0:
        raise ImportRefused(f"{path.name} heeft geen rijen" + (" (alleen lege)" if counts["empty"] else ""))
    return counts


def _commit(schema: Schema, path: Path, work: Path, processed: Path, archive: Path, counts: dict) -> ImportReport:
    """Resolve duplicates within the file and against the store, then write rows and rejects."""
    # bounded memory: DuckDB spills to the work folder instead of holding a million rows
    con = store_module.bounded_connection(work / "spill")
    columns = [c.name for c in schema.columns]
    key = schema.key
    content = "md5(concat_ws('|', " + ", ".join(f"coalesce(cast({c} as varchar), '')" for c in columns) + "))"
    valid = f"read_parquet('{work}/valid_*.parquet', union_by_name = true)"
    if not any(work.glob("valid_*.parquet")) or not con.execute(f"select count(*) from {valid}").fetchone()[0]:
        con.execute(f"create table v as select {', '.join(f'null::varchar as {c}' for c in columns)}, "
                    "0 as _rij, '' as _hash where false")
    else:
        con.execute(f"create table v as select *, {content} as _hash from {valid}")
    target = processed / f"{schema.table}.parquet"
    store_manifest = store_module.Store(processed).manifest if (processed / store_module.MANIFEST).exists() else {}
    existing_real = target.exists() and store_manifest.get("bronnen", {}).get(schema.table) != "synthetisch"
    if existing_real:
        con.execute(f"create table old as select {key}::varchar as k, {content} as _hash from read_parquet('{target}')")
    else:
        con.execute("create table old (k varchar, _hash varchar)")
    con.execute(f"""create table decided as
        with groups as (select {key}::varchar as k, count(distinct _hash) as versions, min(_rij) as first_row
                        from v group by 1)
        select v._rij, case
            when g.versions > 1 then '{key} ' || g.k || ' komt meer keren voor met verschillende inhoud'
            when v._rij > g.first_row then 'herhaalde rij: gelijk aan rij ' || g.first_row
            when o.k is not null and o._hash != v._hash then '{key} ' || g.k || ' is al geïmporteerd met andere inhoud'
          end as _afwijzing,
          o.k is not null and o._hash = v._hash as unchanged
        from v join groups g on v.{key}::varchar = g.k left join old o on o.k = g.k""")
    unchanged, duplicates = con.execute(
        "select coalesce(count_if(_afwijzing is null and unchanged), 0), coalesce(count_if(_afwijzing is not null), 0) "
        "from decided").fetchone()  # 0, not NULL, when no row is valid
    rejects = _write_rejects(con, work, path, archive, counts)
    rejected = duplicates + (con.execute(f"select count(*) from read_parquet('{work}/rejected_*.parquet')")
                             .fetchone()[0] if any(work.glob("rejected_*.parquet")) else 0)
    new = work / "new.parquet"
    con.execute(f"""copy (select {', '.join(columns)} from v join decided d using (_rij)
                    where d._afwijzing is null and not d.unchanged order by _rij) to '{new}' (format parquet)""")
    imported = con.execute(f"select count(*) from read_parquet('{new}')").fetchone()[0]
    if counts["read"] != imported + unchanged + rejected:
        raise ImportRefused(f"{path.name}: de tellingen kloppen niet ({counts['read']} gelezen, {imported} "
                            f"geïmporteerd, {unchanged} al aanwezig, {rejected} afgewezen); er is niets vastgelegd")
    with open(path, "rb") as handle:
        digest = hashlib.file_digest(handle, "sha256").hexdigest()
    if imported:
        store_module.add_rows(processed, schema.table, new, {"bron": "import", "bestand": path.name, "sha256": digest,
                                                             "rijen": imported, "vocabulaire": counts["vocabulary"],
                                                             "geimporteerd": date.today().isoformat()}, work / "spill")
    archive.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(path, archive / f"{digest[:12]}_{path.name}")
    return ImportReport(schema.kind, path, counts["read"], imported, unchanged, rejected, counts["empty"],
                        rejects, processed, dict(counts["unknown"]), counts["vocabulary"])


def _by_sheet(frame: pd.DataFrame, sheets: list[tuple[str, int]]) -> pd.DataFrame:
    """Row numbers of a workbook read sheet after sheet as each sheet's own: ``tabblad`` and ``rij``."""
    ends = np.cumsum([rows for _, rows in sheets])
    index = frame["rij"].to_numpy() - 2  # the position in the sheets read one after the other
    sheet = np.searchsorted(ends, index, side="right")
    starts = np.concatenate([[0], ends[:-1]])
    return frame.assign(tabblad=np.array([name for name, _ in sheets], dtype=object)[sheet],
                        rij=index - starts[sheet] + 2)


def _write_rejects(con, work: Path, path: Path, archive: Path, counts: dict) -> Path | None:
    parts = [f"select * from read_parquet('{work}/rejected_*.parquet', union_by_name = true)"] \
        if any(work.glob("rejected_*.parquet")) else []
    con.execute(f"create table dup as select r.*, d._afwijzing from read_parquet('{work}/validraw_*.parquet', "
                "union_by_name = true) r join decided d using (_rij) where d._afwijzing is not null"
                if any(work.glob("validraw_*.parquet")) else "create table dup as select 1 as _rij where false")
    if con.execute("select count(*) from dup").fetchone()[0]:
        parts.append("select * from dup")
    if not parts or not con.execute(f"select count(*) from ({' union all by name '.join(parts)})").fetchone()[0]:
        return None
    rejects = archive / f"{path.stem}_afgewezen_{datetime.now():%Y%m%d-%H%M%S}.csv"
    frame = con.execute(f"select * from ({' union all by name '.join(parts)}) order by _rij").df()
    frame = frame.rename(columns={"_rij": "rij", "_afwijzing": "reden_afwijzing"})  # beside a field called 'reden'
    if counts.get("sheets"):
        frame = _by_sheet(frame, counts["sheets"])
    first = [c for c in ("tabblad", "rij", "reden_afwijzing") if c in frame]
    frame = frame[[*first, *[c for c in frame.columns if c not in first]]]
    write_text(rejects, formatting.spreadsheet_safe(frame).to_csv(index=False, sep=";"))
    return rejects
