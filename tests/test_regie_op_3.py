"""Regie op 3 (seed 000): the cohort of long stacked care with thresholds as parameters, and the
case-review overview with missing answers, through the runner."""

import pandas as pd
import pytest

from regiekit import engine
from regiekit.reports import regie_op_3
from regiekit.run import batch


def test_thresholds_are_parameters_of_every_cohort_indicator(demo_store):
    chosen = regie_op_3.parameters(5, 4)
    assert chosen and all(p == {"jaren": 5, "aanbieders": 4} for p in chosen.values())
    assert "regie_op_3_jongeren" in chosen and "casusonderzoeken_aantal" not in chosen
    default = engine.compute(["regie_op_3_jongeren"], ["JZ14"], [2024], demo_store)["numerator"].iloc[0]
    stricter = engine.compute(["regie_op_3_jongeren"], ["JZ14"], [2024], demo_store,
                              regie_op_3.parameters(5, 4))["numerator"].iloc[0]
    assert 0 < stricter < default


@pytest.mark.slow
def test_regie_op_3_notebook_runs_through_the_runner(demo_store, tmp_path):
    out = tmp_path / "out"
    result = batch.run_batch("regie_op_3", ["Twente"], periods=["2024"], out_dir=out, data_dir=demo_store.path,
                             pdf=False, progress=False)
    assert [r["status"] for r in result.records] == ["gemaakt"], result.summary()
    html = (out / "regie_op_3_JZ14_2024.html").read_text(encoding="utf-8")
    assert "Regie op 3: langdurige gestapelde zorg, jeugdregio Twente, 2024" in html
    assert "meer dan 3 jaar hulp" in html and "niet is ingevuld" in html and "Traceback" not in html
    csv = pd.read_csv(out / "regie_op_3_JZ14_2024.csv")
    cohort = csv[(csv["indicator"] == "regie_op_3_jongeren") & (csv["period"] == 2024)]
    exact = engine.compute(["regie_op_3_jongeren"], ["JZ14"], [2024], demo_store)["numerator"].iloc[0]
    assert cohort["value"].iloc[0] == exact   # the case-monitor regime: exact counts
    # a case-review field keeps its missing answers as a category of its own
    assert "casusonderzoeken_woonsituatie" in set(csv["indicator"])
