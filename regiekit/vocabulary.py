"""The fixed vocabulary of the processed store: care forms, kinds of care, age bands."""

VERBLIJF = ("pleegzorg", "gezinsgericht", "gesloten", "residentieel_overig")
JEUGDHULP = ("zonder_verblijf", *VERBLIJF)
JEUGDBESCHERMING = ("ots", "voorlopige_ots", "voogdij")
JEUGDRECLASSERING = ("jeugdreclassering",)
ZORGVORM = (*JEUGDHULP, *JEUGDBESCHERMING, *JEUGDRECLASSERING)
SOORT = {"jeugdhulp": JEUGDHULP, "jeugdbescherming": JEUGDBESCHERMING, "jeugdreclassering": JEUGDRECLASSERING}

VERWIJZER = ("gemeentelijke_toegang", "huisarts", "jeugdarts", "medisch_specialist",
             "gecertificeerde_instelling", "rechter_om", "overig")
REDEN_BEEINDIGING = ("volgens_plan", "eenzijdig_client", "overig")
GESLACHT = ("man", "vrouw")

# Age bands as CBS uses them: "0-4" is 0 up to (not including) 4 years.
AGE_BANDS = ("0-4", "4-12", "12-18", "18-23")
AGE_TOTALS = {"0-18": ("0-4", "4-12", "12-18"), "0-23": AGE_BANDS, "12-23": ("12-18", "18-23")}


def band_bounds(band: str) -> tuple[int, int]:
    """Lower (inclusive) and upper (exclusive) age of a band or total such as '0-18'."""
    low, high = band.split("-")
    return int(low), int(high)


def population_bands(band: str) -> tuple[str, ...]:
    """The population age bands that make up a band or total."""
    if band in AGE_BANDS:
        return (band,)
    if band in AGE_TOTALS:
        return AGE_TOTALS[band]
    raise ValueError(f"unknown age band {band!r}; choose from {', '.join(AGE_BANDS + tuple(AGE_TOTALS))}")
