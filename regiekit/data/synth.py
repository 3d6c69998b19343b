"""Seeded synthetic demo data: population, youth-care trajectories and expert-team registrations.

Everything here is invented. The generator is calibrated to the national levels of the CBS
Beleidsinformatie Jeugd quoted in the domain brief (about 1 in 10 youths 0-18 with jeugdhulp,
verblijf about a tenth of jeugdhulp, jeugdbescherming 1-2 %, jeugdreclassering a few per mille of
12-23, the 2016-2019 age-band pattern of verblijf) with spread between gemeenten. The same seed
gives byte-identical files.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from regiekit.data import synth_monitors
from regiekit.data.vocabulary import AGE_BANDS, REDEN_BEEINDIGING, VERBLIJF, VERWIJZER
from regiekit.reference.regions import load_regions

FIRST_YEAR, LAST_YEAR = 2015, 2024
BURN_IN_YEAR = 2008  # care that started before 2015 but still runs in 2015 is part of the data
DEFAULT_SEED = 20241231
AGES = np.arange(23)  # single years 0..22
YEAR_DAYS = 365.25

# Youths 0-23 in the Netherlands around 2016 (CBS: ~4,9 mln).
NATIONAL_YOUTHS = 4_900_000
# New youths entering care per year, by age at entry (fraction of the age cohort).
_INCIDENCE = np.interp(AGES, [0, 3, 6, 10, 14, 17, 18, 22], [0.022, 0.032, 0.052, 0.056, 0.060, 0.048, 0.008, 0.003])
# Care classes: light (one short ambulant trajectory, sometimes a later one), medium, heavy (long,
# stacked care with many providers), jr (jeugdreclassering, ages 12+).
_CLASSES = ("light", "medium", "heavy", "jr")
_CLASS_P_UNDER_12 = np.array([0.74, 0.235, 0.025, 0.0])
_CLASS_P_12_PLUS = np.array([0.70, 0.215, 0.025, 0.06])
_EXTRA_TRAJECTORIES = {"light": 0.25, "medium": 1.4, "heavy": 4.5, "jr": 0.35}  # Poisson mean
_MEDIAN_MONTHS = {"light": 7.0, "medium": 11.0, "heavy": 14.0, "jr": 8.0}
_NEW_PROVIDER_P = {"light": 0.5, "medium": 0.6, "heavy": 0.75, "jr": 0.5}
_VERBLIJF_P = {"light": 0.0, "medium": 0.20, "heavy": 0.35, "jr": 0.02}
_JB_P = {"light": 0.015, "medium": 0.25, "heavy": 0.60, "jr": 0.05}

BANDS = AGE_BANDS
# Jeugdhulp met verblijf by age band, Nederland 2016-2019 (seed 004), used as a relative trend.
_VERBLIJF_PATTERN = {
    "0-4": [4110, 3915, 3805, 3360],
    "4-12": [15135, 16010, 14665, 14515],
    "12-18": [22880, 24175, 22115, 22145],
    "18-23": [1665, 2085, 2185, 2955],
}
# Level of verblijf by age band at the start of a trajectory, relative to the class probability.
_VERBLIJF_BAND_FACTOR = {"0-4": 1.81, "4-12": 0.435, "12-18": 0.88, "18-23": 0.15}  # with _OTS_PLACED_P
_VERBLIJF_FORM_P = {"0-4": [0.70, 0.15, 0.0, 0.15], "4-12": [0.50, 0.20, 0.01, 0.29],
                    "12-18": [0.30, 0.12, 0.08, 0.50], "18-23": [0.30, 0.10, 0.02, 0.58]}
_REFERRER_P = [0.42, 0.30, 0.04, 0.10, 0.06, 0.02, 0.06]
_END_REASON_P = [0.68, 0.10, 0.22]


def _birthday(birth: np.ndarray, years: int) -> np.ndarray:
    """Day number of the birthday at ``years`` for birth day numbers (29 February -> 28 February)."""
    day = birth.astype("datetime64[D]")
    month = day.astype("datetime64[M]")
    target = month + 12 * years
    candidate = target.astype("datetime64[D]") + (day - month)
    overflow = candidate.astype("datetime64[M]") != target
    candidate[overflow] = (target[overflow] + 1).astype("datetime64[D]") - 1
    return candidate.astype(np.int64).astype(float)


def _jan1(year: np.ndarray) -> np.ndarray:
    return (np.asarray(year) - 1970).astype("datetime64[Y]").astype("datetime64[D]").astype(np.int64).astype(float)


def band_of(age: np.ndarray) -> np.ndarray:
    """Index into BANDS for ages in whole years (ages >= 23 get index 4)."""
    return np.searchsorted([4, 12, 18, 23], age, side="right")


def _verblijf_multiplier(band: str, year: np.ndarray) -> np.ndarray:
    # Squared for 0-18: the overall growth of youth care in the generator offsets part of the decline.
    series = ((np.array(_VERBLIJF_PATTERN[band], dtype=float) / _VERBLIJF_PATTERN[band][0])
              ** (1 if band == "18-23" else 2))
    years = np.array([2016, 2017, 2018, 2019])
    if band == "18-23":  # verlengde jeugdhulp keeps growing after 2019
        series, years = np.append(series, series[-1] * 1.25), np.append(years, 2024)
    return np.interp(year, years, series)


def _gemeente_frame(rng: np.random.Generator):
    regions = load_regions()
    gemeenten = [r.code for r in regions.all("gemeente")]
    # every gemeente its real size (CBS, inhabitants on 1 January 2024), with a spread in the share of
    # youths (young families in Urk or Almere, older populations in the Achterhoek or along the coast)
    inhabitants = np.array([regions.inhabitants[g] for g in gemeenten], dtype=float)
    size = inhabitants * rng.lognormal(0.0, 0.08, len(gemeenten))
    size *= NATIONAL_YOUTHS / size.sum()
    growth = rng.normal(0.0, 0.006, len(gemeenten))
    care_effect = rng.lognormal(0.0, 0.22, len(gemeenten))  # spread in use of youth care
    jeugdregio = [regions.parent(g, "jeugdregio").code for g in gemeenten]
    return gemeenten, size, growth, care_effect, jeugdregio


def _population(gemeenten, size, growth, rng):
    """Youths per gemeente, year (BURN_IN_YEAR..LAST_YEAR) and age 0..22, on 31 December."""
    years = np.arange(BURN_IN_YEAR, LAST_YEAR + 1)
    age_shape = 1.0 + 0.08 * np.cos(AGES / 7.0)
    age_shape /= age_shape.sum()
    trend = np.exp(growth[:, None] * (years[None, :] - 2016))
    expected = size[:, None, None] * trend[:, :, None] * age_shape[None, None, :]
    return years, rng.poisson(expected).astype(np.int64)


def _population_table(gemeenten, years, pop, rng) -> pa.Table:
    keep = years >= FIRST_YEAR
    pop = pop[:, keep, :]
    boys = rng.binomial(pop, 0.512)
    band_idx = band_of(AGES)
    rows = {"gemeente_code": [], "jaar": [], "geslacht": [], "leeftijdsklasse": [], "aantal": []}
    for sex, counts in (("man", boys), ("vrouw", pop - boys)):
        for b, band in enumerate(BANDS):
            per_band = counts[:, :, band_idx == b].sum(axis=2)
            g_idx, y_idx = np.indices(per_band.shape)
            rows["gemeente_code"] += [gemeenten[i] for i in g_idx.ravel()]
            rows["jaar"] += list(years[keep][y_idx.ravel()])
            rows["geslacht"] += [sex] * per_band.size
            rows["leeftijdsklasse"] += [band] * per_band.size
            rows["aantal"] += list(per_band.ravel())
    table = pa.table({k: pa.array(v, type=pa.int32() if k == "jaar" else None) for k, v in rows.items()})
    return table.sort_by([("gemeente_code", "ascending"), ("jaar", "ascending"),
                          ("geslacht", "ascending"), ("leeftijdsklasse", "ascending")])


def _pseudonyms(n: int, rng: np.random.Generator, start: int = 0) -> np.ndarray:
    """Distinct, unordered-looking 10-digit pseudonyms (a bijection of the row index)."""
    prime = 9_999_999_967
    mult = int(rng.integers(10**8, 10**9))
    return ((np.arange(start, start + n, dtype=np.int64) * mult + 1_000_003) % prime).astype(np.int64)


def _youths(gemeenten, years, pop, care_effect, rng):
    """Youths entering care: gemeente index, entry day, birth day, sex, class."""
    calendar = np.clip(years - 2016, -3, 8)
    year_trend = 1.0 + 0.015 * calendar  # slow growth in youth care use
    lam = pop * _INCIDENCE[None, None, :] * care_effect[:, None, None] * year_trend[None, :, None]
    counts = rng.poisson(lam)
    g_idx, y_idx, a_idx = np.nonzero(counts)
    reps = counts[g_idx, y_idx, a_idx]
    g = np.repeat(g_idx, reps)
    year = np.repeat(years[y_idx], reps)
    age = np.repeat(AGES[a_idx], reps)
    n = len(g)
    entry = _jan1(year) + np.floor(rng.uniform(0, 365, n))
    birth = np.floor(entry - (age + rng.uniform(0, 1, n)) * YEAR_DAYS)
    male = rng.random(n) < 0.56
    cls = np.where(age < 12,
                   rng.choice(4, n, p=_CLASS_P_UNDER_12),
                   rng.choice(4, n, p=_CLASS_P_12_PLUS))
    return {"g": g, "entry": entry, "birth": birth, "male": male, "cls": cls, "id": _pseudonyms(n, rng)}


def _per_class(values: dict, cls: np.ndarray) -> np.ndarray:
    return np.array([values[c] for c in _CLASSES])[cls]


def _trajectories(youth, jeugdregio_idx, rng):
    """Chains of jeugdhulp / jeugdreclassering trajectories plus jeugdbescherming measures."""
    cls = youth["cls"]
    k = 1 + rng.poisson(_per_class(_EXTRA_TRAJECTORIES, cls))
    owner = np.repeat(np.arange(len(cls)), k)
    first = np.repeat(np.cumsum(k) - k, k)
    order = np.arange(len(owner)) - first
    t_cls = cls[owner]
    duration = rng.lognormal(np.log(_per_class(_MEDIAN_MONTHS, t_cls) * 30.4), 0.7)
    # next trajectory starts after a share of the previous one: < 1 overlaps, > 1 leaves a gap
    step = duration * np.where(t_cls == 2, rng.uniform(0.3, 1.1, len(owner)), rng.uniform(0.5, 3.0, len(owner)))
    offset = np.cumsum(step) - step
    offset -= offset[first]
    start = np.floor(youth["entry"][owner] + offset)
    age_start = (start - youth["birth"][owner]) / YEAR_DAYS
    year_start = 1970 + start / YEAR_DAYS

    is_jr = (t_cls == 3) & ((order == 0) | (rng.random(len(owner)) < 0.3)) & (age_start >= 12)
    band = band_of(np.floor(age_start).astype(int))
    p_verblijf = _per_class(_VERBLIJF_P, t_cls) * np.where(order == 0, 0.6, 1.0)
    for b, name in enumerate(BANDS):
        sel = band == b
        p_verblijf[sel] *= _VERBLIJF_BAND_FACTOR[name] * _verblijf_multiplier(name, year_start[sel])
    verblijf = ~is_jr & (rng.random(len(owner)) < p_verblijf)
    zorgvorm = np.full(len(owner), "zonder_verblijf", dtype=object)
    zorgvorm[is_jr] = "jeugdreclassering"
    for b, name in enumerate(BANDS):
        sel = verblijf & (band == b)
        zorgvorm[sel] = np.array(VERBLIJF)[rng.choice(4, sel.sum(), p=_VERBLIJF_FORM_P[name])]
    duration = np.where(verblijf, duration * 1.6, duration)
    end = start + np.floor(duration)

    # Jeugdhulp ends at 18 unless it is continued as verlengde jeugdhulp; nothing runs past 23.
    age_end = (end - youth["birth"][owner]) / YEAR_DAYS
    eighteen = _birthday(youth["birth"][owner], 18)
    p_extend = np.where(verblijf, 0.045 * _verblijf_multiplier("18-23", 1970 + eighteen / YEAR_DAYS), 0.15)
    cut18 = ~is_jr & (age_start < 18) & (age_end >= 18) & (rng.random(len(owner)) >= p_extend)
    end = np.where(cut18, eighteen - 1, end)
    twentythree = _birthday(youth["birth"][owner], 23)
    end = np.minimum(end, twentythree - 1)
    keep = start < twentythree - 1
    care = {
        "owner": owner[keep], "start": start[keep], "end": end[keep], "zorgvorm": zorgvorm[keep],
        "is_jr": is_jr[keep], "order": order[keep], "cls": t_cls[keep],
    }
    jb = _jeugdbescherming(youth, rng)
    placed = _placements_under_ots(jb, rng)
    care = {k: np.concatenate([v, placed[k]]) for k, v in care.items()}
    return _with_providers(care, jb, youth, jeugdregio_idx, rng)


def _jeugdbescherming(youth, rng):
    """Voorlopige OTS followed by OTS, or voogdij, for a share of medium and heavy youths under 18."""
    entry_age = (youth["entry"] - youth["birth"]) / YEAR_DAYS
    has = (rng.random(len(youth["cls"])) < _per_class(_JB_P, youth["cls"])) & (entry_age < 17)
    idx = np.nonzero(has)[0]
    n = len(idx)
    start = youth["entry"][idx] + np.floor(rng.uniform(0, 400, n))
    voogdij = rng.random(n) < 0.12
    voorlopig = ~voogdij & (rng.random(n) < 0.35)
    ots_start = np.where(voorlopig, start + np.floor(rng.uniform(60, 100, n)), start)
    ots_months = rng.choice([12, 24, 36], n, p=[0.45, 0.35, 0.20])
    last_day = _birthday(youth["birth"][idx], 18) - 1  # measures end at 18
    end = np.minimum(np.where(voogdij, last_day, np.floor(ots_start + ots_months * 30.4 - 1)), last_day)
    zorgvorm = np.where(voogdij, "voogdij", "ots").astype(object)
    owner = np.concatenate([idx, idx[voorlopig]])
    return {
        "owner": owner,
        "start": np.concatenate([ots_start, start[voorlopig]]),
        "end": np.concatenate([end, np.minimum(ots_start[voorlopig] - 1, last_day[voorlopig])]),
        "zorgvorm": np.concatenate([zorgvorm, np.full(voorlopig.sum(), "voorlopige_ots", dtype=object)]),
    }


# Youths with an OTS placed out of home (verblijf) during the measure, beside those whose own care
# already had verblijf: together about 34 / 32 / 29 / 27 % on 31 December 2016-2019 (seed 004).
_OTS_PLACED_P = ([2015, 2016, 2019, 2024], [0.28, 0.27, 0.21, 0.19])


def _placements_under_ots(jb, rng):
    """Jeugdhulp with verblijf (mostly pleegzorg) that starts shortly after an OTS and runs through
    most of it, as trajectories of the youth's own care (a new provider each)."""
    ots = np.nonzero(jb["zorgvorm"] == "ots")[0]
    year = 1970 + jb["start"][ots] / YEAR_DAYS
    placed = ots[rng.random(len(ots)) < np.interp(year, *_OTS_PLACED_P)]
    n = len(placed)
    start = jb["start"][placed] + np.floor(rng.uniform(0, 60, n))
    end = np.maximum(start, np.floor(start + (jb["end"][placed] - start) * rng.uniform(0.7, 1.2, n)))
    return {"owner": jb["owner"][placed], "start": start, "end": end,
            "zorgvorm": np.array(VERBLIJF, dtype=object)[rng.choice(4, n, p=[0.55, 0.2, 0.05, 0.2])],
            "is_jr": np.zeros(n, dtype=bool), "order": np.zeros(n, dtype=np.int64), "cls": np.full(n, 2)}


def _with_providers(care, jb, youth, jeugdregio_idx, rng):
    n_care, n_jb = len(care["owner"]), len(jb["owner"])
    region = jeugdregio_idx[youth["g"]]
    # Providers: a regional pool with a few large ones; a youth often stays with the same provider.
    pool = rng.zipf(1.6, n_care) % 60
    provider = region[care["owner"]] * 1000 + pool
    stay = (care["order"] > 0) & (rng.random(n_care) >= _per_class(_NEW_PROVIDER_P, care["cls"]))
    for _ in range(8):  # propagate "same as previous" along the chains
        prev = np.roll(provider, 1)
        provider = np.where(stay, prev, provider)
    provider = np.where(care["is_jr"], region[care["owner"]] * 1000 + 900 + rng.integers(0, 2, n_care), provider)
    gi = region[jb["owner"]] * 1000 + 900 + rng.integers(0, 3, n_jb)  # gecertificeerde instellingen
    referrer = np.array(VERWIJZER, dtype=object)[rng.choice(len(VERWIJZER), n_care, p=_REFERRER_P)]
    referrer[care["is_jr"]] = "rechter_om"
    return {
        "owner": np.concatenate([care["owner"], jb["owner"]]),
        "start": np.concatenate([care["start"], jb["start"]]),
        "end": np.concatenate([care["end"], jb["end"]]),
        "zorgvorm": np.concatenate([care["zorgvorm"], jb["zorgvorm"]]),
        "provider": np.concatenate([provider, gi]),
        "referrer": np.concatenate([referrer, np.full(n_jb, None, dtype=object)]),
    }


def _trajectory_table(traj, youth, gemeenten, rng) -> pa.Table:
    cutoff = float(np.datetime64(f"{LAST_YEAR}-12-31", "D").astype(np.int64))
    first_day = float(np.datetime64(f"{FIRST_YEAR}-01-01", "D").astype(np.int64))
    keep = (traj["start"] <= cutoff) & (traj["end"] >= first_day) & (traj["end"] >= traj["start"])
    t = {k: v[keep] for k, v in traj.items()}
    order = np.lexsort((t["zorgvorm"].astype(str), t["start"], youth["id"][t["owner"]]))
    t = {k: v[order] for k, v in t.items()}
    n = len(t["owner"])
    running = t["end"] > cutoff
    reason = np.array(REDEN_BEEINDIGING, dtype=object)[rng.choice(3, n, p=_END_REASON_P)]
    reason[running] = None
    day = pa.date32()
    return pa.table({
        "traject_id": pa.array(np.arange(1, n + 1, dtype=np.int64)),
        "jeugdige_id": pa.array(youth["id"][t["owner"]]),
        "geslacht": pa.array(np.where(youth["male"][t["owner"]], "man", "vrouw")),
        "geboortedatum": pa.array(youth["birth"][t["owner"]].astype(np.int32), type=pa.int32()).cast(day),
        "gemeente_code": pa.array(np.array(gemeenten, dtype=object)[youth["g"][t["owner"]]]),
        "aanbieder_id": pa.array([f"A{p:05d}" for p in t["provider"]]),
        "zorgvorm": pa.array(t["zorgvorm"], type=pa.string()),
        "verwijzer": pa.array(t["referrer"], type=pa.string()),
        "startdatum": pa.array(t["start"].astype(np.int32), type=pa.int32()).cast(day),
        "einddatum": pa.array(np.where(running, 0, t["end"]).astype(np.int32), type=pa.int32(),
                              mask=running).cast(day),
        "reden_beeindiging": pa.array(reason, type=pa.string()),
    })


def generate(raw_dir: Path, seed: int = DEFAULT_SEED) -> dict[str, int]:
    """Write the synthetic demo tables as Parquet into ``raw_dir``; returns rows per table."""
    rng = np.random.default_rng(seed)
    gemeenten, size, growth, care_effect, jeugdregio = _gemeente_frame(rng)
    jz_codes = sorted(set(jeugdregio))
    jeugdregio_idx = np.array([jz_codes.index(j) + 1 for j in jeugdregio])
    years, pop = _population(gemeenten, size, growth, rng)
    tables = {"bevolking": _population_table(gemeenten, years, pop, rng)}
    youth = _youths(gemeenten, years, pop, care_effect, rng)
    tables["trajecten"] = _trajectory_table(_trajectories(youth, jeugdregio_idx, rng), youth, gemeenten, rng)
    members = {jz: [i for i, j in enumerate(jeugdregio) if j == jz] for jz in jz_codes}
    by_year = {int(y): pop[:, k, :].sum(axis=1) for k, y in enumerate(years)}
    tables.update(synth_monitors.generate(rng, synth_monitors.RegionYears(gemeenten, by_year, members)))
    raw_dir.mkdir(parents=True, exist_ok=True)
    for name, table in tables.items():
        pq.write_table(table, raw_dir / f"{name}.parquet", compression="zstd", write_statistics=False)
    meta = {"bron": "synthetisch", "omschrijving": "Synthetische demodata van regiekit, geen echte personen",
            "seed": seed, "jaren": [FIRST_YEAR, LAST_YEAR], "regio_indeling": 2024,
            "rijen": {k: t.num_rows for k, t in tables.items()}}
    (raw_dir / "bron.json").write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return meta["rijen"]
