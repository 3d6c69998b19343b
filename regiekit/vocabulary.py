"""The fixed vocabulary of the processed store: fields, their allowed values, age bands."""

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

# Expert-team registrations (RET monitor, seed 002).
SOORT_VRAAG = ("advies", "procesregie", "ret_tafel")
AANMELDER = ("gemeente", "gecertificeerde_instelling", "jeugdhulpaanbieder", "onderwijs", "huisarts",
             "ouders", "overig")
PROBLEMATIEK_JEUGDIGE = ("gedrag", "ass", "adhd", "trauma", "lvb", "angst_depressie", "suicidaliteit",
                         "middelengebruik", "schoolverzuim")
VERBLIJFSPLEK = ("thuis", "pleeggezin", "gezinshuis", "residentieel", "gesloten", "crisisopvang", "anders")
TYPE_ONDERWIJS = ("basisonderwijs", "speciaal_basisonderwijs", "vso", "vo", "mbo", "geen")
PROBLEMATIEK_OUDERS = ("psychiatrie", "lvb", "verslaving", "scheiding_conflict", "financieel",
                       "huiselijk_geweld", "geen")
JA_NEE = ("ja", "nee")
JA_NEE_ONBEKEND = ("ja", "nee", "onbekend")
MULTI_VALUED = ("problematiek_jeugdige", "problematiek_ouders")  # ';'-separated

_TRAJECTORY_FIELDS = {"soort": tuple(SOORT), "zorgvorm": ZORGVORM, "verblijf": (True, False),
                      "verwijzer": VERWIJZER, "reden_beeindiging": REDEN_BEEINDIGING}
# Fields a 'where' filter may use per kind of unit: allowed values, or float for numeric fields.
FIELDS = {
    "jongeren": {**_TRAJECTORY_FIELDS, "aanbieders_in_periode": float},
    "trajecten": {**_TRAJECTORY_FIELDS, "duur_jaren": float},
    "aanmeldingen": {
        "soort_vraag": SOORT_VRAAG, "aanmelder": AANMELDER, "geslacht": ("jongen", "meisje"),
        "verklarende_analyse": JA_NEE, "problematiek_jeugdige": PROBLEMATIEK_JEUGDIGE,
        "verblijfsplek": VERBLIJFSPLEK, "problemen_school": JA_NEE_ONBEKEND, "type_onderwijs": TYPE_ONDERWIJS,
        "problematiek_ouders": PROBLEMATIEK_OUDERS, "doorlooptijd_dagen": float,
        "financieel_elders": (True, False), "advies_gegeven": (True, False),
    },
    "bevolking": {},
}
# Columns of each dataset in the processed store (what a definition's source.fields may name).
DATASET_COLUMNS = {
    "trajecten": ("traject_id", "jeugdige_id", "geslacht", "geboortedatum", "gemeente_code", "aanbieder_id",
                  "zorgvorm", "verwijzer", "startdatum", "einddatum", "reden_beeindiging", "soort", "verblijf"),
    "bevolking": ("gemeente_code", "jaar", "geslacht", "leeftijdsklasse", "aantal"),
    "aanmeldingen": ("casus_id", "jeugdige_id", "aanmelddatum", "adviesdatum", "soort_vraag", "aanmelder",
                     "geslacht", "leeftijd", "gemeente_aanmelding", "gemeente_financieel", "verklarende_analyse",
                     "problematiek_jeugdige", "verblijfsplek", "problemen_school", "type_onderwijs",
                     "problematiek_ouders"),
}
# Fields an indicator can be broken down by, per kind of unit.
BREAKDOWNS = {
    "jongeren": ("zorgvorm", "soort", "verwijzer", "combinatie", "leeftijdsklasse", "geslacht",
                 "leeftijd_eerste_traject"),
    "trajecten": ("zorgvorm", "soort", "verwijzer", "reden_beeindiging", "leeftijdsklasse"),
    "aanmeldingen": ("soort_vraag", "aanmelder", "geslacht", "leeftijdsklasse", "verklarende_analyse",
                     "problematiek_jeugdige", "verblijfsplek", "problemen_school", "type_onderwijs",
                     "problematiek_ouders", "gemeente_financieel"),
    "bevolking": (),
}

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
