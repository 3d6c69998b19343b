"""Synthetic monitor data of expert teams and projects: RET registrations and JeugdzorgPlus placements
(seed 002), Regie op 3 case reviews (seed 000), expert-team follow-ups (seed 003) and the Twente
pilot with its surveys (seed 001). Small numbers per jeugdregio, as in the seeds. Invented data.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from regiekit.data import vocabulary as v

LAST_DAY = np.datetime64("2024-12-31", "D")


class RegionYears:
    """Youth population per jeugdregio and gemeente, to draw records in proportion to it."""

    def __init__(self, gemeenten: list[str], pop_by_year: dict[int, np.ndarray], jeugdregio: dict[str, list[int]]):
        self.gemeenten, self.pop_by_year, self.jeugdregio = gemeenten, pop_by_year, jeugdregio

    def draw(self, rng, rate_per_100k: dict[int, float], prefix: str, regions=None) -> pd.DataFrame:
        """Base records: id, gemeente, date within the year, for every jeugdregio and year."""
        rows = []
        for jz in regions or sorted(self.jeugdregio):
            members = self.jeugdregio[jz]
            for year, rate in rate_per_100k.items():
                weights = self.pop_by_year[year][members]
                n = int(rng.poisson(rate * weights.sum() / 100_000))
                if n == 0:
                    continue
                gm = rng.choice(members, n, p=weights / weights.sum())
                day = np.datetime64(f"{year}-01-01", "D") + rng.integers(0, 365, n).astype("timedelta64[D]")
                rows.append(pd.DataFrame({
                    "casus_id": [f"{prefix}-{jz}-{year}-{i + 1:03d}" for i in range(n)],
                    "gemeente_code": [self.gemeenten[i] for i in gm], "datum": day, "jeugdregio": jz}))
        return pd.concat(rows, ignore_index=True)


def _multi(rng, options, n, mean_count, missing: float = 0.0):
    """';'-separated multi-valued answers, 1..3 distinct options each, some missing."""
    k = np.clip(rng.poisson(mean_count, n), 1, 3)
    values = [";".join(sorted(rng.choice(options, size=c, replace=False))) for c in k]
    return [None if m else x for x, m in zip(values, rng.random(n) < missing)]


def _pick(rng, options, n, p=None, missing: float = 0.0):
    values = rng.choice(options, n, p=p).astype(object)
    values[rng.random(n) < missing] = None
    return values


def _ids(rng, n: int) -> np.ndarray:
    return rng.integers(10**9, 10**10, n, dtype=np.int64)


def _arrow(frame: pd.DataFrame) -> pa.Table:
    return pa.Table.from_pandas(frame.reset_index(drop=True), preserve_index=False)


def _dates(values) -> pd.Series:
    return pd.Series(pd.to_datetime(values)).dt.date


# Registrations per 100.000 youths 0-23 per year: expert teams grew after 2018.
_RET_RATE = dict(zip(range(2015, 2025), (3, 4, 5, 7, 10, 13, 16, 19, 23, 36)))


def registrations(rng, regions: RegionYears) -> pd.DataFrame:
    base = regions.draw(rng, _RET_RATE, "RET")
    n = len(base)
    members = {jz: [regions.gemeenten[i] for i in idx] for jz, idx in regions.jeugdregio.items()}
    other = [rng.choice(members[jz]) for jz in base["jeugdregio"]]
    advice = base["datum"].to_numpy() + np.round(rng.lognormal(np.log(38), 0.45, n)).astype("timedelta64[D]")
    ages = rng.integers(4, 19, n)
    return pd.DataFrame({
        "casus_id": base["casus_id"], "jeugdige_id": _ids(rng, n), "aanmelddatum": _dates(base["datum"]),
        "adviesdatum": [None if a > LAST_DAY else d for a, d in zip(advice, _dates(advice))],
        "soort_vraag": _pick(rng, v.SOORT_VRAAG, n, [0.45, 0.25, 0.30]),
        "aanmelder": _pick(rng, v.AANMELDER, n, [0.35, 0.2, 0.15, 0.15, 0.05, 0.05, 0.05]),
        "geslacht": np.where(rng.random(n) < 0.70, "jongen", "meisje"), "leeftijd": ages.astype(np.int32),
        "gemeente_aanmelding": base["gemeente_code"],
        "gemeente_financieel": np.where(rng.random(n) < 0.85, base["gemeente_code"], other),
        "verklarende_analyse": np.where(rng.random(n) < 0.12, "ja", "nee"),
        "problematiek_jeugdige": _multi(rng, v.PROBLEMATIEK_JEUGDIGE, n, 2.0),
        "verblijfsplek": _pick(rng, v.VERBLIJFSPLEK, n, [0.40, 0.15, 0.10, 0.18, 0.07, 0.05, 0.05]),
        "problemen_school": _pick(rng, v.JA_NEE_ONBEKEND, n, [0.70, 0.22, 0.08]),
        "type_onderwijs": [rng.choice(v.TYPE_ONDERWIJS[:3] if a < 12 else v.TYPE_ONDERWIJS[2:]) for a in ages],
        "problematiek_ouders": _multi(rng, v.PROBLEMATIEK_OUDERS, n, 1.5),
    })


def placements(rng, regions: RegionYears) -> pd.DataFrame:
    """JeugdzorgPlus: about 12 youths per 100.000 a year, stays of a few months."""
    base = regions.draw(rng, dict.fromkeys(range(2015, 2025), 7.0), "JZP")
    n = len(base)
    end = base["datum"].to_numpy() + np.round(rng.lognormal(np.log(95), 0.6, n)).astype("timedelta64[D]")
    return pd.DataFrame({
        "plaatsing_id": base["casus_id"], "jeugdige_id": _ids(rng, n), "gemeente_code": base["gemeente_code"],
        "leeftijd": rng.integers(12, 18, n).astype(np.int32), "startdatum": _dates(base["datum"]),
        "einddatum": [None if e > LAST_DAY else d for e, d in zip(end, _dates(end))],
        "machtiging": _pick(rng, v.MACHTIGING, n, [0.55, 0.35, 0.10]),
        "servicepunt": np.where(rng.random(n) < 0.15, "ja", "nee"),
    })


def servicepunt(rng, regions: RegionYears) -> pd.DataFrame:
    """Youths brought before the Servicepunt JeugdzorgPlus (since 2019): most are not placed."""
    base = regions.draw(rng, {y: 4.0 for y in range(2019, 2025)}, "SP")
    n = len(base)
    outcome = np.where(rng.random(n) < 0.2, "plaatsing", "geen_plaatsing")
    reason = _pick(rng, v.SERVICEPUNT_REDEN, n, [0.5, 0.5], missing=0.1)
    return pd.DataFrame({
        "bespreking_id": base["casus_id"], "jeugdige_id": _ids(rng, n), "gemeente_code": base["gemeente_code"],
        "leeftijd": rng.integers(12, 18, n).astype(np.int32), "datum": _dates(base["datum"]), "uitkomst": outcome,
        "reden": np.where(outcome == "plaatsing", None, reason),
    })


def case_reviews(rng, regions: RegionYears) -> pd.DataFrame:
    """Regie op 3: a handful of case reviews a year per jeugdregio since 2021, with missing answers."""
    base = regions.draw(rng, {2021: 2.5, 2022: 3.0, 2023: 3.5, 2024: 3.5}, "RO3")
    n = len(base)
    first_help = _pick(rng, v.LEEFTIJD_EERSTE_HULP, n, [0.47, 0.40, 0.13], missing=0.25)
    trajectories = rng.integers(3, 12, n).astype(float)
    trajectories[rng.random(n) < 0.6] = np.nan
    return pd.DataFrame({
        "casus_id": base["casus_id"], "jeugdige_id": _ids(rng, n), "gemeente_code": base["gemeente_code"],
        "startdatum": _dates(base["datum"]), "geslacht": np.where(rng.random(n) < 0.6, "jongen", "meisje"),
        "leeftijd": rng.integers(7, 18, n).astype(np.int32),
        "woonsituatie": _pick(rng, v.WOONSITUATIE, n, [0.45, 0.30, 0.08, 0.05, 0.10, 0.02]),
        "ouders_deelname": _pick(rng, v.JA_NEE, n, [0.8, 0.2], missing=0.05),
        "leeftijd_eerste_hulp": first_help,
        "volgt_onderwijs": _pick(rng, v.JA_NEE, n, [0.9, 0.1], missing=0.05),
        "verklarende_analyse": _pick(rng, v.JA_NEE, n, [0.2, 0.8]),
        "huidige_zorg": _multi(rng, v.HUIDIGE_ZORG, n, 1.8, missing=0.33),
        "schoolwisselingen": pd.array(np.clip(rng.poisson(2.7, n), 0, 9), dtype="Int32"),
        "classificaties": _multi(rng, v.CLASSIFICATIES, n, 1.8, missing=0.1),
        "hulptrajecten": pd.array(trajectories, dtype="Int32"),
    })


def followups(rng, registrations_frame: pd.DataFrame) -> pd.DataFrame:
    """Follow-up of about 80% of the registrations, two months after the advice (seed 003)."""
    reg = registrations_frame[rng.random(len(registrations_frame)) < 0.8].reset_index(drop=True)
    n = len(reg)
    done = np.where(reg["adviesdatum"].isna(), "nee", np.where(rng.random(n) < 0.85, "ja", "nee"))
    answered = done == "ja"

    def after(options, p):
        values = _pick(rng, options, n, p)
        values[~answered] = None
        return values

    return pd.DataFrame({
        "casus_id": reg["casus_id"], "jeugdige_id": reg["jeugdige_id"], "gemeente_code": reg["gemeente_aanmelding"],
        "aanmelddatum": reg["aanmelddatum"], "leeftijd": reg["leeftijd"],
        "reden_verwijzing": _multi(rng, v.REDEN_VERWIJZING, n, 1.4),
        "type_casus": _pick(rng, v.TYPE_CASUS, n), "route": _pick(rng, v.ROUTE, n, [0.65, 0.35]),
        "followup_gedaan": done,
        "advies_opgevolgd": after(v.ADVIES_OPGEVOLGD, [0.55, 0.30, 0.10, 0.05]),
        "advies_bruikbaar": after(v.JA_NEE_ONBEKEND, [0.80, 0.12, 0.08]),
        "uithuisplaatsing_voorkomen": after(v.JA_NEE_NVT, [0.35, 0.15, 0.50]),
        "afschaling_bereikt": after(v.JA_NEE_NVT, [0.30, 0.25, 0.45]),
        "heraanmelding_12mnd": _pick(rng, v.JA_NEE, n, [0.12, 0.88]),
        "crisisplaatsing": _pick(rng, v.JA_NEE, n, [0.08, 0.92]),
    })


def pilot(rng, regions: RegionYears) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The Twente pilot (JZ14, 2020-2021): cases with the guide and surveys of professionals and parents."""
    # professionals used the guide ~5 times each
    base = regions.draw(rng, {2020: 35.0, 2021: 45.0}, "PIL", regions=["JZ14"])
    n = len(base)
    cases = pd.DataFrame({
        "casus_id": base["casus_id"], "gemeente_code": base["gemeente_code"], "startdatum": _dates(base["datum"]),
        "handreiking_gebruikt": _pick(rng, v.JA_NEE, n, [0.8, 0.2]),
        "betrokkenen": rng.integers(3, 11, n).astype(np.int32), "afspraken": _multi(rng, v.STAPPEN, n, 2.5),
    })
    per_case = rng.integers(2, 6, n)
    idx = np.repeat(np.arange(n), per_case)
    m = len(idx)
    role = np.where(rng.random(m) < 0.65, "professional", "ouder")
    answered = base["datum"].to_numpy()[idx] + rng.integers(60, 200, m).astype("timedelta64[D]")
    scores = {item: rng.choice([1, 2, 3, 4, 5], m, p=p).astype(np.int32)
              for item, p in (("rust", [0.05, 0.10, 0.25, 0.40, 0.20]),
                              ("continuiteit", [0.08, 0.15, 0.27, 0.35, 0.15]),
                              ("duidelijkheid", [0.04, 0.08, 0.20, 0.43, 0.25]))}
    surveys = pd.DataFrame({"respondent_id": [f"R{i + 1:05d}" for i in range(m)],
                            "casus_id": cases["casus_id"].to_numpy()[idx],
                            "gemeente_code": cases["gemeente_code"].to_numpy()[idx],
                            "datum": _dates(np.minimum(answered, LAST_DAY)), "rol": role, **scores})
    return cases, surveys


def generate(rng, regions: RegionYears) -> dict[str, pa.Table]:
    reg = registrations(rng, regions)
    cases, surveys = pilot(rng, regions)
    frames = {"aanmeldingen": reg, "plaatsingen": placements(rng, regions),
              "casusonderzoeken": case_reviews(rng, regions), "followups": followups(rng, reg),
              "pilot_casussen": cases, "enquetes": surveys, "servicepunt": servicepunt(rng, regions)}
    return {name: _arrow(frame) for name, frame in frames.items()}
