"""An independent attacker (tests/attacker.py) against a whole published run of the trajectory reports: the
factsheet and the voortgang of every gemeente of jeugdregio Drenthe, the jeugdregio, the provincie and
Nederland (the attack itself: tests/attack_suite.py)."""

import pytest

from regiekit.reference.regions import load_regions
from tests.attack_suite import AttackSuite
from tests.attacker import Rules

pytestmark = pytest.mark.slow

JEUGDREGIO = "JZ04"


class TestFactsheetRun(AttackSuite):
    reports = ("factsheet", "voortgang")
    rules = Rules()
    leak_level = "gemeente"

    @staticmethod
    def regions() -> list[str]:
        index = load_regions()
        members = index.members(JEUGDREGIO)
        return [*members, JEUGDREGIO, index.parent(members[0], "provincie").code, "NL01"]
