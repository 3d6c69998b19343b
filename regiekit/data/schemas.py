"""Import schemas of the own-data kinds: Dutch column names, types, allowed values, header variants.

The allowed values come from :mod:`regiekit.data.vocabulary`; the same schemas drive validation, the
templates (``regiekit template KIND``) and the documentation.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from regiekit.data import vocabulary as v
from regiekit.errors import RegiekitError


class ImportRefused(RegiekitError):
    """The file cannot be imported at all (unreadable, wrong columns, identifying data)."""


def normalise_code(text: str) -> str:
    """A header or a value in code form: 'RET-tafel' -> 'ret_tafel', 'Angst/depressie' -> 'angst_depressie'."""
    plain = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", plain.strip().lower()).strip("_")

# Column types: id (pseudonymous key), date, integer, number, code (one allowed value),
# multi (';'-separated allowed values), gemeente (CBS code or name).
TYPES = ("id", "date", "integer", "number", "code", "multi", "gemeente")


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    description: str
    required: bool = True
    allowed: tuple = ()
    bounds: tuple[float, float] | None = None
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Schema:
    kind: str
    table: str
    key: str
    description: str
    columns: tuple[Column, ...]
    # (later, earlier, message): a row is rejected when the later date precedes the earlier one
    date_order: tuple[tuple[str, str, str], ...] = field(default=())
    # a team's registration: a value outside the basisset is kept as the team's own category, not
    # rejected (CBS-style records, whose codes the engine interprets, accept the basisset only)
    open_codes: bool = True

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


_GESLACHT = Column("geslacht", "code", "jongen of meisje", allowed=("jongen", "meisje"))
_LEEFTIJD = Column("leeftijd", "integer", "leeftijd in jaren", bounds=(0, 27))
_JEUGDIGE = Column("jeugdige_id", "id", "pseudoniem van de jeugdige (nooit een BSN of naam)",
                   aliases=("pseudoniem", "jeugdige"))

SCHEMAS = {s.kind: s for s in (
    Schema("aanmeldingen", "aanmeldingen", "casus_id", "Aanmeldingen bij het (regionaal) expertteam (RET-monitor).", (
        Column("casus_id", "id", "uniek nummer van de casus", aliases=("casusnummer", "casus")),
        _JEUGDIGE,
        Column("aanmelddatum", "date", "datum van aanmelding", aliases=("datum_aanmelding",)),
        Column("adviesdatum", "date", "datum van het advies; leeg zolang er geen advies is", required=False,
               aliases=("datum_advies",)),
        Column("soort_vraag", "code", "advies, procesregie of RET-tafel", allowed=v.SOORT_VRAAG),
        Column("aanmelder", "code", "wie stelt de vraag", allowed=v.AANMELDER, aliases=("wie_stelt_de_vraag",)),
        _GESLACHT, _LEEFTIJD,
        Column("gemeente_aanmelding", "gemeente", "aanmeldende gemeente (CBS-code of naam)",
               aliases=("aanmeldende_gemeente",)),
        Column("gemeente_financieel", "gemeente", "financieel verantwoordelijke gemeente (CBS-code of naam)",
               aliases=("financieel_verantwoordelijke_gemeente",)),
        Column("verklarende_analyse", "code", "is er vooraf een verklarende analyse gemaakt (ja/nee)",
               allowed=v.JA_NEE),
        Column("problematiek_jeugdige", "multi", "problematiek van de jeugdige, meer waarden met ;",
               allowed=v.PROBLEMATIEK_JEUGDIGE),
        Column("verblijfsplek", "code", "waar de jeugdige nu woont", allowed=v.VERBLIJFSPLEK),
        Column("problemen_school", "code", "zijn er nu problemen op school", allowed=v.JA_NEE_ONBEKEND),
        Column("type_onderwijs", "code", "type onderwijs", allowed=v.TYPE_ONDERWIJS),
        Column("problematiek_ouders", "multi", "problematiek van de ouders, meer waarden met ;",
               allowed=v.PROBLEMATIEK_OUDERS),
    ), date_order=(("adviesdatum", "aanmelddatum", "advies voor aanmelding"),)),
    Schema("casusonderzoeken", "casusonderzoeken", "casus_id", "Invulformulieren casusonderzoek (Regie op 3).", (
        Column("casus_id", "id", "uniek nummer van de casus", aliases=("casusnummer",)),
        _JEUGDIGE,
        Column("gemeente_code", "gemeente", "woongemeente (CBS-code of naam)", aliases=("gemeente", "woongemeente")),
        Column("startdatum", "date", "start van het casusonderzoek"),
        _GESLACHT, _LEEFTIJD,
        Column("woonsituatie", "code", "woonsituatie", allowed=v.WOONSITUATIE, required=False),
        Column("ouders_deelname", "code", "namen de ouders deel (ja/nee)", allowed=v.JA_NEE, required=False),
        Column("leeftijd_eerste_hulp", "code", "voor, tijdens of na de basisschool", allowed=v.LEEFTIJD_EERSTE_HULP,
               required=False),
        Column("volgt_onderwijs", "code", "volgt de jeugdige onderwijs (ja/nee)", allowed=v.JA_NEE, required=False),
        Column("verklarende_analyse", "code", "verklarende analyse in het dossier (ja/nee)", allowed=v.JA_NEE,
               required=False),
        Column("huidige_zorg", "multi", "huidige zorg, meer waarden met ;", allowed=v.HUIDIGE_ZORG, required=False),
        Column("schoolwisselingen", "integer", "aantal schoolwisselingen", bounds=(0, 30), required=False),
        Column("classificaties", "multi", "classificaties, meer waarden met ;", allowed=v.CLASSIFICATIES,
               required=False),
        Column("hulptrajecten", "integer", "aantal hulptrajecten tot nu toe", bounds=(0, 100), required=False),
    )),
    Schema("followups", "followups", "casus_id", "Follow-up van casussen van het expertteam.", (
        Column("casus_id", "id", "uniek nummer van de casus", aliases=("casusnummer",)),
        _JEUGDIGE,
        Column("gemeente_code", "gemeente", "gemeente (CBS-code of naam)", aliases=("gemeente",)),
        Column("aanmelddatum", "date", "datum van aanmelding"),
        _LEEFTIJD,
        Column("reden_verwijzing", "multi", "reden van verwijzing, meer waarden met ;", allowed=v.REDEN_VERWIJZING),
        Column("type_casus", "code", "type casus", allowed=v.TYPE_CASUS),
        Column("route", "code", "wijkteam of gecertificeerde instelling", allowed=v.ROUTE),
        Column("followup_gedaan", "code", "follow-up na 2 maanden gedaan (ja/nee)", allowed=v.JA_NEE),
        Column("advies_opgevolgd", "code", "advies opgevolgd", allowed=v.ADVIES_OPGEVOLGD, required=False),
        Column("advies_bruikbaar", "code", "advies bruikbaar", allowed=v.JA_NEE_ONBEKEND, required=False),
        Column("uithuisplaatsing_voorkomen", "code", "uithuisplaatsing voorkomen", allowed=v.JA_NEE_NVT,
               required=False),
        Column("afschaling_bereikt", "code", "afschaling bereikt", allowed=v.JA_NEE_NVT, required=False),
        Column("heraanmelding_12mnd", "code", "opnieuw aangemeld binnen 12 maanden", allowed=v.JA_NEE, required=False),
        Column("crisisplaatsing", "code", "crisisplaatsing", allowed=v.JA_NEE, required=False),
    )),
    Schema("enquetes", "enquetes", "respondent_id", "Antwoorden op de enquête voor professionals en ouders.", (
        Column("respondent_id", "id", "uniek nummer van het ingevulde formulier", aliases=("respondent",)),
        Column("casus_id", "id", "casus waarover de enquête gaat", aliases=("casusnummer",)),
        Column("gemeente_code", "gemeente", "gemeente (CBS-code of naam)", aliases=("gemeente",)),
        Column("datum", "date", "datum van invullen"),
        Column("rol", "code", "professional of ouder", allowed=v.ROL),
        Column("rust", "integer", "ervaren rust, 1 (helemaal oneens) tot 5 (helemaal eens)", bounds=(1, 5),
               required=False),
        Column("continuiteit", "integer", "ervaren continuïteit, 1 tot 5", bounds=(1, 5), required=False),
        Column("duidelijkheid", "integer", "ervaren duidelijkheid, 1 tot 5", bounds=(1, 5), required=False),
    )),
    Schema("plaatsingen", "plaatsingen", "plaatsing_id", "Plaatsingen in de JeugdzorgPlus (gesloten jeugdhulp).", (
        Column("plaatsing_id", "id", "uniek nummer van de plaatsing", aliases=("plaatsing",)),
        _JEUGDIGE,
        Column("gemeente_code", "gemeente", "gemeente van herkomst (CBS-code of naam)", aliases=("gemeente",)),
        _LEEFTIJD,
        Column("startdatum", "date", "begin van de plaatsing"),
        Column("einddatum", "date", "einde van de plaatsing; leeg zolang de jongere er verblijft", required=False),
        Column("machtiging", "code", "soort machtiging", allowed=v.MACHTIGING),
        Column("servicepunt", "code", "voor de plaatsing ingebracht bij het Servicepunt (ja/nee)", allowed=v.JA_NEE),
    ), date_order=(("einddatum", "startdatum", "einde voor start"),)),
    Schema("servicepunt", "servicepunt", "bespreking_id", "Jongeren ingebracht bij het Servicepunt JeugdzorgPlus.", (
        Column("bespreking_id", "id", "uniek nummer van de bespreking", aliases=("bespreking", "casusnummer")),
        _JEUGDIGE,
        Column("gemeente_code", "gemeente", "gemeente van herkomst (CBS-code of naam)", aliases=("gemeente",)),
        _LEEFTIJD,
        Column("datum", "date", "datum van de bespreking", aliases=("besproken", "datum_bespreking")),
        Column("uitkomst", "code", "plaatsing in de JeugdzorgPlus of geen plaatsing", allowed=v.SERVICEPUNT_UITKOMST),
        Column("reden", "code", "reden als het niet tot een plaatsing kwam", allowed=v.SERVICEPUNT_REDEN,
               required=False),
    )),
    Schema("pilot_casussen", "pilot_casussen", "casus_id", "Casussen in een pilot met de handreiking (Twente).", (
        Column("casus_id", "id", "uniek nummer van de casus", aliases=("casusnummer",)),
        Column("gemeente_code", "gemeente", "gemeente (CBS-code of naam)", aliases=("gemeente",)),
        Column("startdatum", "date", "start van de casus in de pilot"),
        Column("handreiking_gebruikt", "code", "is de handreiking gebruikt (ja/nee)", allowed=v.JA_NEE),
        Column("betrokkenen", "integer", "aantal betrokkenen bij de casus", bounds=(1, 50)),
        Column("afspraken", "multi", "stappen van de handreiking waarover afspraken zijn gemaakt, meer met ;",
               allowed=v.STAPPEN, required=False),
    )),
    Schema("trajecten", "trajecten", "traject_id", "Jeugdhulp-, jeugdbeschermings- en jeugdreclasseringstrajecten.", (
        Column("traject_id", "id", "uniek nummer van het traject", aliases=("trajectnummer",)),
        _JEUGDIGE,
        Column("geslacht", "code", "man of vrouw", allowed=v.GESLACHT),
        Column("geboortedatum", "date", "geboortedatum (blijft in de verwerkte gegevens, nooit in een rapport)"),
        Column("gemeente_code", "gemeente", "woongemeente (CBS-code of naam)", aliases=("gemeente", "woongemeente")),
        Column("aanbieder_id", "id", "code van de aanbieder", aliases=("aanbieder",)),
        Column("zorgvorm", "code", "zorgvorm", allowed=v.ZORGVORM),
        Column("verwijzer", "code", "verwijzer", allowed=v.VERWIJZER, required=False),
        Column("startdatum", "date", "start van het traject"),
        Column("einddatum", "date", "einde van het traject; leeg zolang het loopt", required=False),
        Column("reden_beeindiging", "code", "reden van beëindiging", allowed=v.REDEN_BEEINDIGING, required=False),
    ), date_order=(("einddatum", "startdatum", "einde voor start"),
                   ("startdatum", "geboortedatum", "start voor geboorte")), open_codes=False),
)}


def template(kind: str) -> str:
    """An empty CSV with the header of ``kind``, ';'-separated as Dutch Excel expects."""
    if kind not in SCHEMAS:
        raise ImportRefused(f"onbekende soort {kind!r}; kies uit {', '.join(SCHEMAS)}")
    return ";".join(c.name for c in SCHEMAS[kind].columns) + "\n"


def schema_markdown() -> str:
    """The documented import schemas (docs/importformaten.md)."""
    lines = ["# Importformaten", "",
             "Gegenereerd uit `regiekit/data/schemas.py` met `regiekit docs`. Lege sjablonen: `templates/` of "
             "`regiekit template SOORT`.", "",
             "Bestanden: CSV (scheidingsteken `;` of `,`, UTF-8 of Windows-1252) of Excel (.xlsx). Datums als "
             "`jjjj-mm-dd` of `dd-mm-jjjj`; gemeenten als CBS-code (`GM0106`) of naam (`Assen`); meer "
             "waarden in één cel gescheiden door `;`. Alleen pseudoniemen: een bestand met namen, "
             "e-mailadressen, telefoonnummers of BSN-achtige nummers wordt geweigerd.", "",
             "Registraties van teams (alle soorten behalve `trajecten`) mogen eigen waarden gebruiken: een waarde "
             "buiten de toegestane waarden wordt geïmporteerd zoals het team haar schreef en telt als eigen "
             "categorie; de samenvatting noemt zulke waarden. Synoniemen en eigen waarden staan in "
             "`vocabulaire.yaml` naast het bestand (`regiekit template SOORT --vocabulaire`).", ""]
    for schema in SCHEMAS.values():
        lines += [f"## {schema.kind}", "", schema.description, f"Sleutel: `{schema.key}`.", "",
                  "| kolom | type | verplicht | toegestane waarden | omschrijving |", "|---|---|---|---|---|"]
        for col in schema.columns:
            allowed = ", ".join(f"`{a}`" for a in col.allowed) or (f"{col.bounds[0]:g} tot en met {col.bounds[1]:g}"
                                                                  if col.bounds else "")
            lines.append(f"| `{col.name}` | {col.type} | {'ja' if col.required else 'nee'} | {allowed} | "
                         f"{col.description} |")
        lines.append("")
    return "\n".join(lines)
