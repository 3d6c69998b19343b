"""Identifying data in an import file: names, e-mail addresses, phone numbers and BSN-like numbers.

regiekit holds pseudonymous data only; a file with any of these is refused as a whole (nothing is
imported, archived or written to a rejects file).
"""

from __future__ import annotations

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
        if column in {c.name for c in schema.columns if c.type == "id"}:
            checks += (("een naam", values.str.match(_NAME) | values.str.match(_FIRST_NAME)),)
        for what, hit in checks:
            if hit.any():
                row = int(hit[hit].index[0]) + 2  # the file's line: data rows start below the header
                raise ImportRefused(f"kolom {column}, rij {row} bevat {what}; alleen gepseudonimiseerde gegevens "
                                    "mogen worden geïmporteerd: er is niets geïmporteerd")
