"""The indicator reference page (Markdown, Dutch) generated from the catalogue: docs/indicatoren.md."""

from __future__ import annotations

from regiekit.indicators.definitions import Catalogue, Count, Indicator

FAMILY_TITLES = {
    "cbs_jeugd": "CBS Beleidsinformatie Jeugd",
    "stapeling": "Stapeling en Regie op 3",
    "ret_monitor": "Monitor Regionaal Expertteam (RET)",
}
PERIODS = {"calendar_year": "kalenderjaar", "peildatum": "peildatum 31 december", "half_year": "halfjaar",
           "school_year": "schooljaar (1 augustus - 31 juli)"}
DIRECTIONS = {"up": "stijgen", "down": "dalen", "neutral": "neutraal", "ambiguous": "niet eenduidig"}
UNIT_TITLES = {"count": "aantal", "percent": "percentage", "per_1000": "per 1.000", "days": "dagen",
               "months": "maanden", "years": "jaren", "mean": "gemiddelde"}


def _count_text(count: Count | None) -> str:
    if count is None:
        return "–"
    parts = [count.count]
    if count.event != "in_zorg":
        parts.append(f"gebeurtenis {count.event}")
    where = "; ".join(f"{k} = {v if isinstance(v, list) else v.model_dump(exclude_none=True)}"
                      for k, v in count.where.items())
    if where:
        parts.append(f"waar {where}")
    parts += [f"en ook {also}" for also in count.also]
    if count.parameters:
        parts.append("parameters " + ", ".join(f"{k} = {v}" for k, v in count.parameters.items()))
    return ", ".join(parts)


def _entry(ind: Indicator) -> list[str]:
    src = ind.source
    below = src.cbs_denominator
    cell = "".join([f", {src.cbs_column!r}" if src.cbs_column else "",
                    "".join(f" {v!r}" for v in src.cbs_dimensions.values()),
                    f" per {src.cbs_categories.dimension}" if src.cbs_categories else "",
                    (f" gedeeld door {below.column or 'dezelfde kolom'!r}"
                     + "".join(f" {v!r}" for v in below.dimensions.values())) if below else ""])
    source = src.dataset + (f" (CBS {src.cbs_table}{cell})" if src.cbs_table else "")
    rows = [
        ("Omschrijving", ind.description),
        ("Eenheid", UNIT_TITLES[ind.unit] + (f", {ind.decimals} decima{'al' if ind.decimals == 1 else 'len'}"
                                            if ind.decimals else "")),
        ("Teller", _count_text(ind.numerator)),
        ("Noemer", _count_text(ind.denominator)),
        ("Statistiek", f"{ind.statistic.function} van {ind.statistic.field}" if ind.statistic else "–"),
        ("Uitsplitsing", ind.by or "–"),
        ("Populatie", f"{ind.population.age_band} jaar"
         + (f", {ind.population.geslacht}" if ind.population.geslacht else "")),
        ("Periode", PERIODS[ind.period]),
        ("Gewenste richting", DIRECTIONS[ind.direction] if isinstance(ind.direction, str)
         else ", ".join(f"{k}: {DIRECTIONS[v]}" for k, v in ind.direction.items())),
        ("Minimale celgrootte", str(ind.min_cell)),
        ("Bron", source),
        ("Definitie", ind.reference),
    ]
    if ind.actielijn:
        rows.insert(1, ("Actielijn", ind.actielijn + (f" / {ind.subdoel}" if ind.subdoel else "")))
    rows += [("Kanttekening", c) for c in ind.caveats]
    rows += [("Trendbreuk", f"{b.date.isoformat()}: {b.note}") for b in ind.series_breaks]
    title = f"### {ind.label} `{ind.id}`" + (" (nieuw)" if ind.new else "")
    return [title, "", "| | |", "|---|---|", *(f"| {k} | {v} |" for k, v in rows), ""]


def render(catalogue: Catalogue) -> str:
    lines = ["# Indicatoren van regiekit", "",
             "Gegenereerd uit `regiekit/indicators/catalogue/*.yaml` met `regiekit docs`; niet met de hand bewerken.",
             ""]
    families = list(dict.fromkeys(i.family for i in catalogue.values()))
    for family in families:
        members = catalogue.select(family=family)
        lines += [f"## {FAMILY_TITLES.get(family, family)} ({len(members)})", ""]
        for ind in members:
            lines += _entry(ind)
    return "\n".join(lines)
