"""Identifying data in an import file: names, e-mail addresses, phone numbers and BSN-like numbers.

regiekit holds pseudonymous data only; a file with any of these is refused as a whole (nothing is
imported, archived or written to a rejects file). Names are looked for in key columns (any words of
letters) and in code columns, where a team writes its own words ('Wijkteam Assen' is a value, 'Jan de
Vries', 'J. de Vries' and 'mevr. Bakker' are people): a known first name (``voornamen.txt``), initials
or a form of address, followed by a surname.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files

import pandas as pd

from regiekit.data.schemas import ImportRefused, Schema

HEADERS = {"naam", "voornaam", "achternaam", "roepnaam", "voorletters", "email", "e_mail", "mail", "emailadres",
           "telefoon", "telefoonnummer", "tel", "mobiel", "bsn", "burgerservicenummer", "adres", "straat",
           "huisnummer", "postcode", "geboorteplaats"}  # column names (normalised) that refuse a file
# Patterns as strings: pandas runs them vectorised (RE2 via pyarrow); compiled ones fall back to Python.
_EMAIL = r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}"
_PHONE = r"^(\+31|0031|0)[1-9]\d{8}$"  # after removing spaces, dots, dashes and brackets: (06) 12345678
_NUMBER_SIGNS = r"[\s().-]"
_NAME = r"^[A-Za-zÀ-ÿ'.-]+( [A-Za-zÀ-ÿ'.-]+)+$"
_FIRST_NAME = r"^[A-ZÀ-Ý][a-zà-ÿ]+$"  # 'Jan' as a pseudonym: a word with a capital, no digits
_SURNAME = r"(?:(?:van|de|der|den|ter|ten|te|in|op|'t|el|al)\s+)*[A-ZÀ-Ý][a-zà-ÿ'-]+"
# 'mevr. Bakker', 'dhr Jansen', 'Dr. Smit' (not 'MW Emmen': maatschappelijk werk)
_ADDRESSED = rf"^(?:(?i:dhr|mevr|de heer|mevrouw|meneer)\.?|(?i:mw|mr|dr|drs|ir)\.)\s*{_SURNAME}$"
_INITIALS = rf"^(?:[A-Z]\.\s?)+{_SURNAME}$"  # 'J. de Vries', 'J.P. Balkenende'


@cache
def first_names() -> str:
    """The first-name list as one alternation for a pattern."""
    text = files("regiekit.data").joinpath("voornamen.txt").read_text(encoding="utf-8")
    return "|".join(sorted(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")))


def _person(values: pd.Series) -> pd.Series:
    """Cells of a code column that name a person (in any of their ';'-separated values); each distinct
    value is checked once, as a code column holds few."""
    distinct = values.drop_duplicates()
    parts = distinct.str.split(";").explode().str.strip()
    named = _names_person(parts).groupby(level=0).any()
    return values.isin(distinct[named.reindex(distinct.index, fill_value=False)])


def _names_person(values: pd.Series) -> pd.Series:
    known = rf"^(?:{first_names()})(?:\s+{_SURNAME})*$"  # 'Jan', 'Jan de Vries', 'Fatima El Amrani'
    return values.str.match(known) | values.str.match(_INITIALS) | values.str.match(_ADDRESSED)


def is_bsn(value: str) -> bool:
    """Nine digits passing the elfproef: 9*d1 + 8*d2 + ... + 2*d8 - d9 is a multiple of 11."""
    if not (len(value) == 9 and value.isdigit()) or value == "000000000":
        return False
    digits = [int(c) for c in value]
    return (sum(w * d for w, d in zip(range(9, 1, -1), digits[:8])) - digits[8]) % 11 == 0


def refuse(frame: pd.DataFrame, schema: Schema) -> None:
    """Refuse the file if any value of ``frame`` (a chunk as read) looks identifying."""
    for column in frame.columns:
        values = frame[column].astype("string[pyarrow]").str.strip().fillna("")  # RE2 regexes, vectorised
        digits = values.where(values.str.fullmatch(r"[\d\s().+-]+"), "").str.replace(_NUMBER_SIGNS, "", regex=True)
        nine = digits.str.fullmatch(r"\d{9}")  # also 1234.56.782 and 123 456 782
        bsn = pd.Series(False, index=values.index)
        bsn[nine] = digits[nine].map(is_bsn).astype(bool)
        checks = (("een e-mailadres", values.str.contains(_EMAIL)),
                  ("een telefoonnummer", digits.str.match(_PHONE)),
                  ("een nummer dat op een BSN lijkt", bsn))
        kind = {c.name: c.type for c in schema.columns}.get(column)
        if kind == "id":
            checks += (("een naam", values.str.match(_NAME) | values.str.match(_FIRST_NAME)),)
        elif kind in ("code", "multi"):
            checks += (("een naam", _person(values)),)
        for what, hit in checks:
            if hit.any():
                row = int(hit[hit].index[0]) + 2  # the file's line: data rows start below the header
                raise ImportRefused(f"kolom {column}, rij {row} bevat {what}; alleen gepseudonimiseerde gegevens "
                                    "mogen worden geïmporteerd: er is niets geïmporteerd")
