"""Indicator definitions are validated data; nothing in them is executed."""

import pytest

from regiekit.definitions import DefinitionError, load_catalogue, parse

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
    (("soort: [jeugdhulp]", "soort: [jeugdzorg]"), "not in"),
    (("soort: [jeugdhulp]", "leeftijd: [12]"), "numerator: Value error, unknown field 'leeftijd' for jongeren"),
    (("unit: percent", "unit: procent"), "unit"),
    (("    denominator: {count: bevolking}\n", ""), "needs one"),
    (('age_band: "0-18"', 'age_band: "0-17"'), "unknown age band"),
    (("    reference: test\n", "    reference: test\n    formula: 1 + 1\n"), "formula: Extra inputs are not permitted"),
    (("id: jh", "id: Jeugdhulp%"), "id"),
])
def test_invalid_definitions_are_rejected_with_a_clear_message(change, message):
    with pytest.raises(DefinitionError, match=message):
        parse({"t.yaml": VALID.replace(*change)})


def test_duplicate_ids_are_rejected():
    with pytest.raises(DefinitionError, match="duplicate indicator id jh"):
        parse({"a.yaml": VALID, "b.yaml": VALID})


def test_python_tags_are_not_executed():
    evil = VALID.replace("label: Jongeren met jeugdhulp", "label: !!python/object/apply:os.system ['touch /tmp/x']")
    with pytest.raises(DefinitionError, match="not valid YAML"):
        parse({"t.yaml": evil})
