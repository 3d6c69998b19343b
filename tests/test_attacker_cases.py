"""An independent attacker (tests/attacker.py) against a whole published run of the case monitors: the
monitors of the expert teams and their follow-ups and Regie op 3 reviews, for every jeugdregio and
Nederland (Nederland is the sum of the jeugdregio's), under the case regime: exact counts, '<3' for 1 or 2,
x for another suppressed count, missing answers exact (the attack itself: tests/attack_suite.py)."""

import pytest

from regiekit.reference.regions import load_regions
from tests.attack_suite import AttackSuite
from tests.attacker import CASES

pytestmark = pytest.mark.slow


class TestCaseMonitorRun(AttackSuite):
    reports = ("monitor", "opvolging", "regie_op_3")
    rules = CASES
    leak_level = "jeugdregio"
    in_process = True  # 129 reports; the factsheet run goes through the CLI and its notebooks

    @staticmethod
    def regions() -> list[str]:
        return [r.code for r in load_regions().all() if r.level == "jeugdregio"] + ["NL01"]
