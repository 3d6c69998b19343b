"""Disclosure control: small numbers are never published, nor recoverable from what is published.

The attacker in these tests is written independently of regiekit.publish.disclosure: it knows every published
cell and that every jeugdregio, provincie and Nederland is the sum of its gemeenten, and uses a linear
programme to pin down each suppressed cell as tightly as it can.
"""

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import linprog

from regiekit import engine
from regiekit.indicators.definitions import load_catalogue
from regiekit.publish import disclosure, verdicts
from regiekit.reference.regions import load_regions
from regiekit.reports import factsheet
from regiekit.reports.common import KERN

RULES = disclosure.Rules()
INDEX = load_regions()
GEMEENTEN = [r.code for r in INDEX.all("gemeente")]


def _table(indicator: str, numerators: dict[str, int], denominators: dict[str, int] | None = None,
           period: int = 2024) -> pd.DataFrame:
    """An engine table over all regions from gemeente numbers (regions are sums of their gemeenten)."""
    ind = load_catalogue()[indicator]
    rows = []
    for region in INDEX.all():
        members = INDEX.members(region.code)
        num = sum(numerators[g] for g in members)
        den = sum(denominators[g] for g in members) if denominators else None
        value = num / den * ind.scale if den else float(num)
        rows.append({"indicator": indicator, "region_code": region.code, "region_name": region.name,
                     "level": region.level, "period": period, "subperiod": None, "category": None,
                     "numerator": num, "denominator": den, "value": value, "unit": ind.unit})
    return pd.DataFrame(rows)


def _attack(protected: pd.DataFrame) -> dict[str, tuple[float, float]]:
    """The narrowest interval a reader can derive for every suppressed region of one indicator/period,
    knowing that a cell shown as '<3' (status 'klein') is 1 or 2."""
    cells = protected.set_index("region_code")
    hidden = [c for c in cells.index if cells.loc[c, "status"] in ("geheim", "klein")]
    column = {c: n for n, c in enumerate(hidden)}
    rows, rhs = [], []
    for region in INDEX.all():
        if region.level == "gemeente":
            continue
        terms = [(region.code, 1.0)] + [(g, -1.0) for g in INDEX.members(region.code)]
        row, constant = np.zeros(len(hidden)), 0.0
        for code, coef in terms:
            if code in column:
                row[column[code]] += coef
            else:
                constant -= coef * cells.loc[code, "numerator"]
        if row.any():
            rows.append(row)
            rhs.append(constant)
    bounds = [(1, 2) if cells.loc[c, "status"] == "klein" else (0, None) for c in hidden]
    found = {}
    for code in hidden:
        c = np.zeros(len(hidden))
        c[column[code]] = 1
        low = linprog(c, A_eq=np.array(rows), b_eq=np.array(rhs), bounds=bounds)
        high = linprog(-c, A_eq=np.array(rows), b_eq=np.array(rhs), bounds=bounds)
        found[code] = (low.fun, np.inf if high.status == 3 else -high.fun)
    return found


def _gemeente_numbers(seed: int, low: int, high: int) -> dict[str, int]:
    rng = np.random.default_rng(seed)
    return dict(zip(GEMEENTEN, rng.integers(low, high, len(GEMEENTEN)).tolist()))


def test_small_counts_are_suppressed_and_published_counts_rounded_to_fives():
    numbers = _gemeente_numbers(1, 20, 400) | {"GM0106": 3}
    protected = disclosure.protect(_table("jeugdhulp_aantal", numbers), RULES).set_index("region_code")
    assert protected.loc["GM0106", "status"] == "geheim" and pd.isna(protected.loc["GM0106", "published"])
    shown = protected[protected["status"] != "geheim"]
    assert (shown["status"] == "afgerond").all() and (shown["published"] % 5 == 0).all()
    assert (abs(shown["published"] - shown["numerator"]) <= 2.5).all()
    assert protected.loc["NL01", "status"] == "afgerond"  # the national total stays published


def test_a_jeugdregio_minus_its_other_gemeenten_does_not_reveal_a_suppressed_gemeente():
    numbers = _gemeente_numbers(2, 20, 400) | {"GM0106": 3}
    protected = disclosure.protect(_table("jeugdhulp_aantal", numbers), RULES)
    cells = protected.set_index("region_code")
    drenthe = [g for g in INDEX.members("JZ04") if g != "GM0106"]
    assert cells.loc["JZ04", "status"] != "geheim"
    # the naive attack: Drenthe minus its other gemeenten fails, because another gemeente is hidden too
    assert any(cells.loc[g, "status"] == "geheim" for g in drenthe)
    low, high = _attack(protected)["GM0106"]
    assert high - low >= RULES.protection and low <= 3 <= high
    assert disclosure.audit(protected, RULES)["safe"].all()


def test_many_small_gemeenten_stay_protected_against_every_combination():
    """Jeugdreclassering-like numbers: most gemeenten small, regions crossing provincie borders."""
    numbers = _gemeente_numbers(3, 0, 30)
    protected = disclosure.protect(_table("jeugdhulp_aantal", numbers), RULES)
    intervals = _attack(protected)
    small = [g for g, n in numbers.items() if 0 < n < RULES.min_count]
    assert small and all(intervals[g][1] - intervals[g][0] >= RULES.protection for g in small)
    assert protected.set_index("region_code").loc["NL01", "status"] != "geheim"


def test_the_audit_catches_a_recoverable_cell():
    numbers = _gemeente_numbers(4, 20, 400) | {"GM0106": 3}
    protected = disclosure.protect(_table("jeugdhulp_aantal", numbers), RULES)
    secondary = protected[(protected["status"] == "geheim") & (protected["numerator"] >= RULES.min_count)]
    assert not secondary.empty
    leaked = protected.copy()
    leaked.loc[secondary.index, "status"] = "afgerond"  # publish the secondary suppressions after all
    unsafe = disclosure.audit(leaked, RULES).query("not safe")
    assert "GM0106" in set(unsafe["region_code"])
    assert _attack(leaked)["GM0106"] == pytest.approx((3, 3))


def test_count_and_percentage_of_the_same_youths_are_suppressed_together():
    numbers = _gemeente_numbers(5, 20, 400) | {"GM0106": 4}
    population = _gemeente_numbers(6, 2000, 9000)
    both = pd.concat([_table("jeugdbescherming_aantal", numbers), _table("jeugdbescherming_pct", numbers, population)])
    protected = disclosure.protect(both, RULES)
    hidden = protected[protected["status"] == "geheim"]
    by_indicator = {i: set(g["region_code"]) for i, g in hidden.groupby("indicator")}
    assert "GM0106" in by_indicator["jeugdbescherming_pct"]
    assert by_indicator["jeugdbescherming_aantal"] == by_indicator["jeugdbescherming_pct"]


def _categories(counts: dict[str, int]) -> pd.DataFrame:
    total = sum(counts.values())
    return pd.DataFrame([{"indicator": "followups_route_pct", "region_code": "JZ14", "region_name": "Twente",
                          "level": "jeugdregio", "period": 2024, "subperiod": None, "category": c, "numerator": n,
                          "denominator": total, "value": n / total * 100, "unit": "percent"}
                         for c, n in counts.items()])


def test_a_total_minus_the_other_categories_does_not_reveal_a_small_category():
    protected = disclosure.protect(_categories({"wijkteam": 40, "gi": 3, "onbekend": 25}), RULES).set_index("category")
    assert protected.loc["gi", "status"] == "geheim"
    assert protected.loc["onbekend", "status"] == "geheim"  # otherwise 100% minus the rest gives gi
    assert protected.loc["wijkteam", "status"] == ""
    assert disclosure.audit(protected.reset_index(), RULES)["safe"].all()


def test_a_small_team_publishes_almost_nothing():
    """15 cases (Regie op 3 size): every share is on too few cases or has a small part or complement."""
    protected = disclosure.protect(_categories({"wijkteam": 11, "gi": 4}), RULES)
    assert (protected["status"] == "geheim").all()


def test_a_change_is_never_computed_from_a_suppressed_year():
    ind = load_catalogue()["jeugdreclassering_pct"]
    series = pd.DataFrame({"period": [2021, 2022, 2023, 2024], "numerator": [40, 45, 6, 50],
                           "denominator": [20_000] * 4, "value": [0.2, 0.225, None, 0.25]})  # 2023 suppressed
    verdict = verdicts.judge(ind, series, 2024)
    assert "2023" not in verdict.sentence and "van 0,23% in 2022 naar 0,25% in 2024" in verdict.sentence


def test_internal_output_is_unprotected_and_marked(demo_store):
    table = _table("jeugdhulp_aantal", _gemeente_numbers(7, 0, 30))
    internal = disclosure.protect(table, RULES, internal=True)
    assert (internal["status"] == "intern").all() and internal["published"].equals(internal["value"].astype(float))
    sheet = factsheet.build("GM0106", 2024, demo_store.path, internal=True)
    assert "INTERN – niet voor publicatie" in sheet.heading_markdown()
    assert set(sheet.published["markering"]) == {"INTERN: niet voor publicatie"}
    assert "Onthullingscontrole: uitgeschakeld" in sheet.source_markdown()


def test_every_number_the_demo_factsheets_publish_passes_the_audit(demo_store):
    from regiekit.publish import published

    kern = [i.id for i in load_catalogue().select(tag=KERN)]
    table = published.table(kern, demo_store)
    assert disclosure.audit(table).query("not safe").empty
    assert (table.loc[table["status"] == "geheim", "published"].isna()).all()
    small = table[(table["numerator"] > 0) & (table["numerator"] < RULES.min_count) & (table["unit"] == "count")]
    assert (small["status"] == "geheim").all()


def test_rules_are_configurable_and_checked(tmp_path):
    assert disclosure.Rules.load() == disclosure.Rules()  # the packaged file holds the documented defaults
    own = tmp_path / "regels.yaml"
    own.write_text("min_count: 5\nround_to: 1\n")
    rules = disclosure.Rules.load(own)
    assert (rules.min_count, rules.round_to, rules.min_denominator) == (5, 1, 20)
    assert "Aantallen van 1 tot en met 4" in rules.text()[0] and not any("afgerond" in t for t in rules.text())
    own.write_text("drempel: 5\n")
    with pytest.raises(disclosure.DisclosureError, match="onbekende onthullingsregels"):
        disclosure.Rules.load(own)
    protected = disclosure.protect(_table("jeugdhulp_aantal", _gemeente_numbers(8, 20, 400) | {"GM0106": 6}), rules)
    assert protected.set_index("region_code").loc["GM0106", "status"] == ""  # 6 is publishable under min_count 5


def test_exclusive_breakdowns_are_recognised():
    catalogue = load_catalogue()
    assert engine.exclusive_breakdown(catalogue["followups_route_pct"])
    assert not engine.exclusive_breakdown(catalogue["jeugdhulp_pct"])


CASES = disclosure.Rules.load(None, "monitor")


def test_rules_differ_per_report_and_a_rules_file_can_change_a_regime(tmp_path):
    assert disclosure.Rules.load(None, "factsheet") == disclosure.Rules()
    assert (CASES.regime, CASES.min_count, CASES.round_to, CASES.show_small) == ("casusmonitor", 3, 1, True)
    assert disclosure.Rules.load(None, "regie_op_3") == disclosure.Rules.load(None, "pilot") == CASES
    own = tmp_path / "regels.yaml"
    own.write_text("regimes:\n  casusmonitor: {min_count: 5}\nrapporten:\n  pilot: standaard\n")
    assert disclosure.Rules.load(own, "monitor").min_count == 5
    assert disclosure.Rules.load(own, "pilot").regime == "standaard"
    own.write_text("rapporten:\n  monitor: soepel\n")
    with pytest.raises(disclosure.DisclosureError, match="regime 'soepel'"):
        disclosure.Rules.load(own, "monitor")
    own.write_text("regimes:\n  casusmonitor: {drempel: 1}\n")
    with pytest.raises(disclosure.DisclosureError, match="regime casusmonitor: onbekende onthullingsregels drempel"):
        disclosure.Rules.load(own, "monitor")


def test_a_small_team_publishes_what_it_publishes_itself_under_the_case_regime():
    """15 cases: exact counts and shares on 15 (the standard rules leave nothing, see above)."""
    protected = disclosure.protect(_categories({"wijkteam": 11, "gi": 4}), CASES).set_index("category")
    assert (protected["status"] == "").all() and protected.loc["gi", "published"] == pytest.approx(400 / 15)


def test_a_count_shown_as_less_than_three_is_never_pinned_down():
    """Registrations per gemeente, many of them 1 or 2: those are shown as '<3', every other count
    exactly, and an attacker who knows that '<3' means 1 or 2 still cannot tell which."""
    numbers = _gemeente_numbers(3, 0, 6)
    protected = disclosure.protect(_table("jeugdhulp_aantal", numbers), CASES)
    cells = protected.set_index("region_code")
    small = [g for g in GEMEENTEN if 0 < numbers[g] < 3]
    assert small and cells.loc[small, "status"].isin(["klein", "geheim"]).all()
    assert (cells.loc[small, "status"] == "klein").mean() > 0.5          # most keep their '<3'
    assert cells.loc[small, "published"].isna().all()
    shown = cells[cells["status"] == ""]
    assert (shown["published"] == shown["numerator"]).all()               # exact, not rounded
    for code, (low, high) in _attack(protected.reset_index()).items():
        if 0 < cells.loc[code, "numerator"] < 3:
            assert high - low >= 1 - 1e-6, code
    assert disclosure.audit(protected, CASES)["safe"].all()
    # the safeguard catches a deliberate fault: publish the neighbours of one '<3' gemeente
    target = next(g for g in small if cells.loc[g, "status"] == "klein")
    region = INDEX.parent(target, "jeugdregio").code
    leaky = protected.copy()
    neighbours = leaky["region_code"].isin([g for g in INDEX.members(region) if g != target])
    leaky.loc[neighbours, "published"] = leaky.loc[neighbours, "numerator"]
    leaky.loc[neighbours, "status"] = ""
    assert not disclosure.audit(leaky, CASES)["safe"].all()


def _rows(indicator: str, counts: dict, region: str = "JZ04") -> list[dict]:
    """Rows of one region's engine table: ``counts`` per category (None: the indicator's total)."""
    unit = load_catalogue()[indicator].unit
    return [{"indicator": indicator, "region_code": region, "region_name": region, "level": "jeugdregio",
             "period": 2024, "subperiod": None, "category": c, "numerator": n, "denominator": None,
             "value": float(n), "unit": unit} for c, n in counts.items()]


def test_an_age_band_that_never_occurs_still_makes_the_bands_add_up():
    """36 registrations, 19 of 4-12, 15 of 12-18 and 2 of 18-23, none of 0-4 anywhere (so the engine has no
    row for it): a reader takes the missing band for 0, so the '<3' would be exactly 2 without a second
    number hidden."""
    frame = pd.DataFrame(_rows("aanmeldingen_aantal", {None: 36})
                         + _rows("aanmeldingen_leeftijdsklasse", {"4-12": 19, "12-18": 15, "18-23": 2}))
    protected = disclosure.protect(frame, CASES)
    bands = protected.set_index("category")["status"]
    assert bands["18-23"] == "klein" and (bands[["4-12", "12-18"]] == "geheim").any()
    assert disclosure.audit(protected, CASES)["safe"].all()
    leaky = protected.assign(published=protected["value"].where(protected["category"] != "18-23"),
                             status=protected["status"].where(protected["category"] == "18-23", ""))
    assert not disclosure.audit(leaky, CASES)["safe"].all()  # the safeguard sees 36 - 19 - 15


def test_the_difference_of_a_count_and_a_count_of_some_of_its_units_is_protected():
    """Servicepunt: 8 discussed, 7 of them not placed: publishing both says that 1 was placed."""
    frame = pd.DataFrame(_rows("servicepunt_besproken", {None: 8}) + _rows("servicepunt_geen_plaatsing", {None: 7}))
    protected = disclosure.protect(frame, CASES)
    assert protected["published"].isna().any()
    assert disclosure.audit(protected, CASES)["safe"].all()
    assert not disclosure.audit(protected.assign(published=protected["value"], status=""), CASES)["safe"].all()


def test_a_filtered_count_is_at_most_the_categories_of_its_values():
    """Seed 003's follow-ups: 26 cases, advice followed fully by 12, in part by 2 ('<3'), not by 4, unknown
    for 8; 19 had a follow-up, 14 of them with the advice followed fully or in part. Since those 14 are at
    most 12 + 'in part', publishing them (or their share of the 19) beside the breakdown says 'in part' is 2."""
    share = {**_rows("advies_opgevolgd_pct", {None: 14})[0], "denominator": 19, "value": 1400 / 19, "unit": "percent"}
    frame = pd.DataFrame(_rows("followups_casussen_aantal", {None: 26}) + _rows("followups_aantal", {None: 19})
                         + _rows("followups_advies_opgevolgd", {"ja": 12, "deels": 2, "nee": 4, "onbekend": 8})
                         + [share])
    protected = disclosure.protect(frame, CASES)
    assert disclosure.audit(protected, CASES)["safe"].all()
    kept = protected.set_index(["indicator", "category"])["status"]
    assert kept[("followups_advies_opgevolgd", "deels")] in disclosure.HIDDEN
    # the safeguard catches a deliberate fault: 'in part' shown as '<3' and 'not' hidden, everything else
    # published; the breakdown leaves 'in part' + 'not' = 6, and 14 <= 12 + 'in part' pins it to 2
    hide = protected["category"].isin(["deels", "nee"])
    leaky = protected.assign(published=protected["value"].where(~hide),
                             status=np.where(hide, np.where(protected["category"] == "deels", "klein", "geheim"), ""))
    assert not disclosure.audit(leaky, CASES)["safe"].all()


def test_a_mean_is_hidden_where_the_breakdown_of_its_field_hides_a_category():
    """Mean times cases is the sum of value times count: beside a breakdown with a '<3' it would pin it."""
    frame = pd.DataFrame(_rows("casusonderzoeken_aantal", {None: 13})
                         + _rows("casusonderzoeken_schoolwisselingen", {"0": 1, "2": 6, "4": 6})
                         + [{**_rows("casusonderzoeken_schoolwisselingen_gemiddeld", {None: 13})[0],
                             "denominator": 13, "value": 36 / 13, "unit": "mean"}])
    protected = disclosure.protect(frame, disclosure.Rules.load(None, "regie_op_3")).set_index("indicator")
    assert pd.isna(protected.loc["casusonderzoeken_schoolwisselingen_gemiddeld", "published"])
    assert protected.loc["casusonderzoeken_aantal", "published"] == 13


def _release(problem, hidden, primary, targets):
    """Large cells published again, with every target's reach as the audit finds it."""
    from regiekit.publish import suppression

    suppression._release(problem, hidden, primary, targets, np.array(suppression.intervals(problem, hidden, targets)))


def test_a_large_cell_no_small_number_needs_is_published_again():
    """Total 528 = 3 + 5 + 20 + 500 with the 3 small: hiding 5 and 20 protects it; the 500 that an early
    choice also hid is published again. With only 3 + 5 + 500 the 500 is needed and stays hidden. With
    3 + 9 + 500 the 500 widens the 3's interval (1 to 13) but is not needed for it (1 to 11): published."""
    from regiekit.publish import suppression
    from regiekit.publish.cells import Relation

    def problem(values):
        values = np.array(values, dtype=float)
        relation = Relation(np.arange(len(values)), np.r_[1.0, -np.ones(len(values) - 1)])
        return suppression.Problem(values, [relation], np.zeros(len(values), bool), np.zeros(len(values), bool),
                                   9.0, 10.0, np.ones(len(values)))

    targets = [suppression.Target(np.array([1]), np.array([1.0]))]
    primary = np.array([False, True, False, False, False])
    redundant = problem([528, 3, 5, 20, 500])
    hidden = np.array([False, True, True, True, True])
    _release(redundant, hidden, primary, targets)
    assert hidden.tolist() == [False, True, True, True, False] and not suppression.unsafe(redundant, hidden, targets)
    needed = problem([508, 3, 5, 500])
    hidden = np.array([False, True, True, True])
    _release(needed, hidden, primary[:4], targets)
    assert hidden.tolist() == [False, True, True, True]
    hidden[3] = False
    assert suppression.unsafe(needed, hidden, targets)  # without the 500 the 3 is pinned near its value
    wider = problem([512, 3, 9, 500])
    hidden = np.array([False, True, True, True])
    assert suppression.intervals(wider, hidden, targets) == [(1.0, 13.0)]
    _release(wider, hidden, primary[:4], targets)
    assert hidden.tolist() == [False, True, True, False] and suppression.intervals(wider, hidden, targets) == [(1, 11)]


def test_of_two_large_cells_that_could_protect_a_small_one_only_one_stays_hidden(monkeypatch):
    """1108 = 3 + 5 + 500 + 600: the 3 needs one of the large cells to move, not both. When the solver finds no
    table, or the reasoning says wrongly that no target needs them (deliberate faults), both stay hidden."""
    import highspy

    from regiekit.publish import suppression
    from regiekit.publish.cells import Relation

    values = np.array([1108, 3, 5, 500, 600], dtype=float)
    problem = suppression.Problem(values, [Relation(np.arange(5), np.r_[1.0, -np.ones(4)])], np.zeros(5, bool),
                                  np.zeros(5, bool), 9.0, 10.0, np.ones(5))
    targets, primary = [suppression.Target(np.array([1]), np.array([1.0]))], np.array([0, 1, 0, 0, 0], bool)
    hidden = np.array([False, True, True, True, True])
    _release(problem, hidden, primary, targets)
    assert hidden[:3].tolist() == [False, True, True] and hidden[3:].sum() == 1
    assert not suppression.unsafe(problem, hidden, targets)

    class NoTable:  # the programme of least movement (4 cells, 2 movements per large cell) finds no table
        def __init__(self, solver):
            self.solver = solver

        def __getattr__(self, name):
            return getattr(self.solver, name)

        def getModelStatus(self):
            return highspy.HighsModelStatus.kInfeasible

    model = suppression._model
    monkeypatch.setattr(suppression, "_model", lambda lower, *rest: (NoTable if len(lower) == 8 else lambda s: s)(
        model(lower, *rest)))
    hidden = np.array([False, True, True, True, True])
    _release(problem, hidden, primary, targets)
    assert hidden.tolist() == [False, True, True, True, True]
    monkeypatch.setattr(suppression, "_model", model)
    monkeypatch.setattr(suppression, "_narrow", lambda *args: [])  # a fault in the argument: 'nothing needs them'
    _release(problem, hidden, primary, targets)
    assert hidden.tolist() == [False, True, True, True, True]  # the audit after it keeps them hidden


def _table_with_margins(rows: int, columns: int, seed: int):
    """A two-way table with row, column and grand totals as a protection problem, a random part suppressed."""
    from regiekit.publish import suppression
    from regiekit.publish.cells import Relation

    rng = np.random.default_rng(seed)
    inner = rng.integers(1, 30, size=(rows, columns)).astype(float)
    values = np.r_[inner.ravel(), inner.sum(axis=1), inner.sum(axis=0), inner.sum()]
    cell = np.arange(rows * columns).reshape(rows, columns)
    row_total, column_total, grand = rows * columns + np.arange(rows), rows * columns + rows + np.arange(columns), \
        len(values) - 1
    relations = [Relation(np.r_[row_total[i], cell[i]], np.r_[1.0, -np.ones(columns)]) for i in range(rows)]
    relations += [Relation(np.r_[column_total[j], cell[:, j]], np.r_[1.0, -np.ones(rows)]) for j in range(columns)]
    relations.append(Relation(np.r_[grand, row_total], np.r_[1.0, -np.ones(rows)]))
    problem = suppression.Problem(values, relations, np.zeros(len(values), bool), np.zeros(len(values), bool),
                                  9.0, 10.0, np.ones(len(values)))
    suppressed = rng.random(len(values)) < 0.4
    targets = [suppression.Target(np.array([c]), np.array([1.0])) for c in np.flatnonzero(suppressed)]
    return problem, suppressed, targets


def test_the_shared_solves_of_the_protection_only_see_tables_a_reader_cannot_rule_out(monkeypatch):
    """In the protection's rounds most targets are proven protected by a few solves that push all of a
    group's targets at once (``_Reader.seen``) instead of by their own two. Those values must lie within
    the exact interval and give the same verdict; a screening that saw an impossible table is caught."""
    from regiekit.publish import suppression

    screened = 0
    for seed in range(6):
        problem, suppressed, targets = _table_with_margins(4, 5, seed)
        exact = suppression.intervals(problem, suppressed, targets)
        seen = suppression.intervals(problem, suppressed, targets, screen=True)
        for (low, high), (seen_low, seen_high) in zip(exact, seen):
            assert low - 1e-6 <= seen_low <= seen_high <= high + 1e-6
            assert (high - low >= problem.protection - 1e-6) == (seen_high - seen_low >= problem.protection - 1e-6)
        screened += sum(s != e for s, e in zip(seen, exact))
    assert screened  # the screening proved some targets without their own programmes

    widened = suppression._Reader.seen
    monkeypatch.setattr(suppression._Reader, "seen", lambda self, t: tuple(
        v + d for v, d in zip(widened(self, t), (-problem.protection, problem.protection))))
    problem, suppressed, targets = _table_with_margins(4, 5, 0)
    exact = suppression.intervals(problem, suppressed, targets)
    seen = suppression.intervals(problem, suppressed, targets, screen=True)
    assert any(s[0] < e[0] - 1e-6 for s, e in zip(seen, exact))


def test_published_cells_that_contradict_their_relations_stop_the_audit():
    """A total of 100 with parts 3 (published) and 5 (suppressed, so at most 5 + protection): no table fits, and
    the audit says the cells contradict each other instead of publishing anything."""
    from regiekit.publish import suppression
    from regiekit.publish.cells import Relation

    values = np.array([100, 3, 5], dtype=float)
    problem = suppression.Problem(values, [Relation(np.arange(3), np.array([1.0, -1.0, -1.0]))], np.zeros(3, bool),
                                  np.zeros(3, bool), 2.0, 10.0, np.ones(3))
    targets = [suppression.Target(np.array([2]), np.array([1.0]))]
    with pytest.raises(disclosure.DisclosureError, match="tegenstrijdig: geen tabel past"):
        suppression.unsafe(problem, np.array([False, False, True]), targets)
    values[0] = 10  # consistent again (the problem holds these values): the audit answers
    assert suppression.unsafe(problem, np.array([False, False, True]), targets) == [0]
