"""Indicator definitions are validated data; nothing in them is executed."""

import pytest

from regiekit.indicators.definitions import DefinitionError, load_catalogue, parse

VALID = """
family: test
indicators:
  - id: jh
    label: Jongeren met jeugdhulp
    description: test
    unit: percent
    decimals: 1
    numerator: {count: jongeren, where: {soort: [jeugdhulp]}}
    denominator: {count: bevolking}
    population: {age_band: "0-18"}
    source: {dataset: trajecten}
    reference: test
"""


def test_packaged_catalogue_loads_with_the_first_indicators():
    catalogue = load_catalogue()
    for ident in ("jeugdhulp_pct", "jeugdhulp_aantal", "jeugdhulp_verblijf_pct", "jeugdhulp_verblijf_aandeel",
                  "jeugdbescherming_pct", "jeugdreclassering_pct"):
        assert ident in catalogue
    assert catalogue["jeugdhulp_pct"].population.age_band == "0-18"
    assert catalogue["jeugdhulp_verblijf_aandeel"].denominator.count == "jongeren"


def test_a_valid_definition_parses():
    indicator = parse({"t.yaml": VALID})["jh"]
    assert indicator.scale == 100 and indicator.family == "test"


@pytest.mark.parametrize("change, message", [
    (("soort: [jeugdhulp]", "soort: [jeugdzorg]"), "niet in"),
    (("soort: [jeugdhulp]", "leeftijd: [12]"), "numerator: onbekend veld 'leeftijd' voor jongeren"),
    (("unit: percent", "unit: procent"), "unit"),
    (("    denominator: {count: bevolking}\n", ""), "heeft er een nodig"),
    (('age_band: "0-18"', 'age_band: "0-17"'), "onbekende leeftijdsklasse"),
    (("    reference: test\n", "    reference: test\n    formula: 1 + 1\n"), "formula: onbekende sleutel"),
    (("id: jh", "id: Jeugdhulp%"), "id"),
])
def test_invalid_definitions_are_rejected_with_a_clear_message(change, message):
    with pytest.raises(DefinitionError, match=message):
        parse({"t.yaml": VALID.replace(*change)})


def test_duplicate_ids_are_rejected():
    with pytest.raises(DefinitionError, match="indicator-id jh komt twee keer voor"):
        parse({"a.yaml": VALID, "b.yaml": VALID})


def test_python_tags_are_not_executed():
    evil = VALID.replace("label: Jongeren met jeugdhulp", "label: !!python/object/apply:os.system ['touch /tmp/x']")
    with pytest.raises(DefinitionError, match="geen geldige YAML"):
        parse({"t.yaml": evil})


@pytest.mark.parametrize("change, message", [
    (("source: {dataset: trajecten}", "source: {dataset: trajecten, fields: [bsn]}"), "heeft geen veld"),
    (("source: {dataset: trajecten}", "source: {dataset: trajecten, cbs_table: 85098}"), "cbs_table"),
    (("source: {dataset: trajecten}", "source: {dataset: aanmeldingen}"), "bevat geen jongeren"),
    (("unit: percent", "unit: days"), "vraagt een statistiek"),
    (("numerator: {count: jongeren, where: {soort: [jeugdhulp]}}",
      "numerator: {count: jongeren, event: stapeling, where: {soort: [jeugdhulp]}}"), "heeft als parameters"),
    (("    reference: test\n", "    reference: test\n    by: soort_vraag\n"), "jongeren zijn niet uit te splitsen"),
    (("    reference: test\n", "    reference: test\n    direction: {'0-17': down}\n"), "onbekende leeftijdsklasse"),
])
def test_the_validator_catches_unresolvable_references(change, message):
    with pytest.raises(DefinitionError, match=message):
        parse({"t.yaml": VALID.replace(*change)})


def test_every_family_of_the_seeds_is_in_the_catalogue():
    catalogue = load_catalogue()
    assert {"cbs_jeugd", "stapeling", "ret_monitor"} <= {i.family for i in catalogue.values()}
    for ident in ("jeugdzorg_pct", "uithuisplaatsing_ots_pct", "herhaald_beroep_pct", "verwijzer_aandeel",
                  "trajecten_langer_dan_4_jaar_pct", "verlengde_jeugdhulp_aantal", "regie_op_3_jongeren",
                  "aanmeldingen_verklarende_analyse", "doorlooptijd_binnen_norm_pct"):
        assert ident in catalogue


def test_generated_pages_and_templates_are_current(tmp_path):
    from pathlib import Path

    from regiekit.run import cli

    assert cli.main(["docs", "--root", str(tmp_path)]) == 0
    root = Path(__file__).resolve().parents[1]
    generated = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    for relative in generated:
        assert (root / relative).read_bytes() == (tmp_path / relative).read_bytes(), f"run 'regiekit docs' ({relative})"
    committed = (root / "docs" / "indicatoren.md").read_text(encoding="utf-8")
    assert "### Uithuisplaatsing bij ondertoezichtstelling `uithuisplaatsing_ots_pct`" in committed
    assert "## aanmeldingen" in (root / "docs" / "importformaten.md").read_text(encoding="utf-8")
