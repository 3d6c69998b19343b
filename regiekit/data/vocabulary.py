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
JA_NEE_NVT = ("ja", "nee", "nvt")

# JeugdzorgPlus placements (seed 002).
MACHTIGING = ("spoedmachtiging", "reguliere_machtiging", "voorwaardelijke_machtiging")
# Youths brought before the Servicepunt JeugdzorgPlus (seed 002), and what came of it.
SERVICEPUNT_UITKOMST = ("plaatsing", "geen_plaatsing")
SERVICEPUNT_REDEN = ("niet_passend", "andere_inzet_voorliggend")

# Regie op 3 case-review forms (seed 000, monitoroverzicht).
WOONSITUATIE = ("bij_ouders", "bij_een_ouder", "pleeggezin", "gezinshuis", "residentieel", "zelfstandig")
LEEFTIJD_EERSTE_HULP = ("voor_basisschool", "basisschool", "na_basisschool")
HUIDIGE_ZORG = ("ggz", "jeugd_en_opvoedhulp", "lvb_zorg", "pleegzorg", "residentieel", "dagbehandeling",
                "onderwijszorg", "geen")
CLASSIFICATIES = ("ass", "adhd", "hechtingsproblematiek", "angst", "trauma", "lvb", "stemming", "gedrag")

# Expert-team follow-up (seed 003).
REDEN_VERWIJZING = ("geen_passend_aanbod", "vastgelopen_hulp", "meervoudige_problematiek", "wachtlijst",
                    "financiering", "crisis")
TYPE_CASUS = ("psychiatrie", "gedrag", "lvb", "gezinsproblematiek", "schoolverzuim", "combinatie")
ROUTE = ("wijkteam", "gecertificeerde_instelling")
ADVIES_OPGEVOLGD = ("ja", "deels", "nee", "onbekend")

# Twente pilot 'Regie in 7 samenwerkingsstappen' (seed 001).
STAPPEN = ("stap1_signaleren", "stap2_verbinden", "stap3_analyseren", "stap4_plannen", "stap5_uitvoeren",
           "stap6_evalueren", "stap7_afsluiten")
ROL = ("professional", "ouder")

# A reader's words for the codes above (a code not listed reads as itself with spaces for '_').
LABELS = {
    "ret_tafel": "RET-tafel", "ass": "ASS", "adhd": "ADHD", "lvb": "LVB", "lvb_zorg": "LVB-zorg",
    "angst_depressie": "angst/depressie", "suicidaliteit": "suïcidaliteit", "scheiding_conflict": "scheiding/conflict",
    "eenzijdig_client": "eenzijdig door cliënt beëindigd", "volgens_plan": "volgens plan", "ots": "OTS",
    "voorlopige_ots": "voorlopige OTS", "residentieel_overig": "residentieel en overig",
    "gecertificeerde_instelling": "gecertificeerde instelling (GI)", "rechter_om": "rechter/OM",
    "bij_een_ouder": "bij één ouder", "jeugd_en_opvoedhulp": "jeugd- en opvoedhulp", "nvt": "n.v.t.",
    "geen_plaatsing": "geen plaatsing", "niet_passend": "niet passend geacht",
    "andere_inzet_voorliggend": "andere inzet voorliggend", "voor_basisschool": "voor de basisschool",
    "basisschool": "tijdens de basisschool",
    "na_basisschool": "na de basisschool", "vso": "vso", "vo": "vo", "mbo": "mbo",
    **{code: f"stap {code[4]}: {code.split('_', 1)[1]}" for code in STAPPEN},
}


def label(code) -> str:
    """A category as a reader sees it: 'ret_tafel' -> 'RET-tafel', 'stap1_signaleren' -> 'stap 1:
    signaleren', 'jeugdbescherming+jeugdhulp' -> 'jeugdbescherming en jeugdhulp'."""
    text = str(code)
    if "+" in text:
        return " en ".join(label(part) for part in text.split("+"))
    return LABELS.get(text, text.replace("_", " "))


MULTI_VALUED = ("problematiek_jeugdige", "problematiek_ouders", "huidige_zorg", "classificaties",
                "reden_verwijzing", "afspraken")  # ';'-separated

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
    "plaatsingen": {"machtiging": MACHTIGING, "servicepunt": JA_NEE, "verblijfsduur_maanden": float},
    "servicepunt": {"uitkomst": SERVICEPUNT_UITKOMST, "reden": SERVICEPUNT_REDEN},
    "casusonderzoeken": {
        "geslacht": ("jongen", "meisje"), "woonsituatie": WOONSITUATIE, "ouders_deelname": JA_NEE,
        "leeftijd_eerste_hulp": LEEFTIJD_EERSTE_HULP, "volgt_onderwijs": JA_NEE,
        "verklarende_analyse": JA_NEE, "huidige_zorg": HUIDIGE_ZORG, "schoolwisselingen": float,
        "classificaties": CLASSIFICATIES, "hulptrajecten": float,
    },
    "followups": {
        "reden_verwijzing": REDEN_VERWIJZING, "type_casus": TYPE_CASUS, "route": ROUTE,
        "followup_gedaan": JA_NEE, "advies_opgevolgd": ADVIES_OPGEVOLGD, "advies_bruikbaar": JA_NEE_ONBEKEND,
        "uithuisplaatsing_voorkomen": JA_NEE_NVT, "afschaling_bereikt": JA_NEE_NVT,
        "heraanmelding_12mnd": JA_NEE, "crisisplaatsing": JA_NEE,
    },
    "pilot_casussen": {"handreiking_gebruikt": JA_NEE, "betrokkenen": float, "afspraken": STAPPEN},
    "enquetes": {"rol": ROL, "rust": float, "continuiteit": float, "duidelijkheid": float},
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
    "plaatsingen": ("plaatsing_id", "jeugdige_id", "gemeente_code", "leeftijd", "startdatum", "einddatum",
                    "machtiging", "servicepunt"),
    "servicepunt": ("bespreking_id", "jeugdige_id", "gemeente_code", "leeftijd", "datum", "uitkomst", "reden"),
    "casusonderzoeken": ("casus_id", "jeugdige_id", "gemeente_code", "startdatum", "geslacht", "leeftijd",
                         "woonsituatie", "ouders_deelname", "leeftijd_eerste_hulp", "volgt_onderwijs",
                         "verklarende_analyse", "huidige_zorg", "schoolwisselingen", "classificaties",
                         "hulptrajecten"),
    "followups": ("casus_id", "jeugdige_id", "gemeente_code", "aanmelddatum", "leeftijd", "reden_verwijzing",
                  "type_casus", "route", "followup_gedaan", "advies_opgevolgd", "advies_bruikbaar",
                  "uithuisplaatsing_voorkomen", "afschaling_bereikt", "heraanmelding_12mnd", "crisisplaatsing"),
    "pilot_casussen": ("casus_id", "gemeente_code", "startdatum", "handreiking_gebruikt", "betrokkenen",
                       "afspraken"),
    "enquetes": ("respondent_id", "casus_id", "gemeente_code", "datum", "rol", "rust", "continuiteit",
                 "duidelijkheid"),
}
# Record datasets: what one unit is (distinct key), its date (or start and end) and its gemeente.
RECORDS = {
    "aanmeldingen": {"key": "casus_id", "start": "aanmelddatum", "end": None, "gemeente": "gemeente_aanmelding"},
    "plaatsingen": {"key": "jeugdige_id", "start": "startdatum", "end": "einddatum", "gemeente": "gemeente_code"},
    "servicepunt": {"key": "jeugdige_id", "start": "datum", "end": None, "gemeente": "gemeente_code"},
    "casusonderzoeken": {"key": "casus_id", "start": "startdatum", "end": None, "gemeente": "gemeente_code"},
    "followups": {"key": "casus_id", "start": "aanmelddatum", "end": None, "gemeente": "gemeente_code"},
    "pilot_casussen": {"key": "casus_id", "start": "startdatum", "end": None, "gemeente": "gemeente_code"},
    "enquetes": {"key": "respondent_id", "start": "datum", "end": None, "gemeente": "gemeente_code"},
}
# Fields an indicator can be broken down by, per kind of unit.
BREAKDOWNS = {
    "jongeren": ("zorgvorm", "soort", "verwijzer", "combinatie", "leeftijdsklasse", "geslacht",
                 "leeftijd_eerste_traject"),
    "trajecten": ("zorgvorm", "soort", "verwijzer", "reden_beeindiging", "leeftijdsklasse"),
    "aanmeldingen": ("soort_vraag", "aanmelder", "geslacht", "leeftijdsklasse", "verklarende_analyse",
                     "problematiek_jeugdige", "verblijfsplek", "problemen_school", "type_onderwijs",
                     "problematiek_ouders", "gemeente_aanmelding", "gemeente_financieel"),
    "plaatsingen": ("machtiging", "servicepunt", "leeftijdsklasse"),
    "servicepunt": ("uitkomst", "reden", "leeftijdsklasse"),
    "casusonderzoeken": ("geslacht", "woonsituatie", "leeftijdsklasse", "ouders_deelname", "leeftijd_eerste_hulp",
                         "volgt_onderwijs", "verklarende_analyse", "huidige_zorg", "schoolwisselingen",
                         "classificaties", "hulptrajecten", "gemeente_code"),
    "followups": ("reden_verwijzing", "type_casus", "route", "followup_gedaan", "advies_opgevolgd",
                  "advies_bruikbaar", "uithuisplaatsing_voorkomen", "afschaling_bereikt", "heraanmelding_12mnd",
                  "crisisplaatsing", "leeftijdsklasse"),
    "pilot_casussen": ("handreiking_gebruikt", "afspraken", "betrokkenen"),
    "enquetes": ("rol", "rust", "continuiteit", "duidelijkheid"),
    "bevolking": (),
}
# Record datasets without an age column (their units pass any age band).
WITHOUT_AGE = ("pilot_casussen", "enquetes")

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
    raise ValueError(f"onbekende leeftijdsklasse {band!r}; kies uit {', '.join(AGE_BANDS + tuple(AGE_TOTALS))}")
