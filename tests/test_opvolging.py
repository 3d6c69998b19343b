"""The expert team's follow-up report (seed 003): cases and their route, the follow-up two months after
the advice and re-registration, this year against last year or over a project period, with the team's
own text, under the case-monitor regime, through the runner."""

import pandas as pd

from regiekit import engine
from regiekit.periods import Span
from regiekit.reports import opvolging
from regiekit.run import batch

from .conftest import raw_codes


def test_opvolging_for_a_year_and_for_a_project_period(demo_store, tmp_path):
    texts = tmp_path / "teksten.md"
    texts.write_text("## Wat leren we van de follow-up?\n\nHet advies landt beter als de wijkcoach aan tafel zit.\n",
                     encoding="utf-8")
    out = tmp_path / "out"
    result = batch.run_batch("opvolging", ["Drenthe"], periods=["2024", "2023-2024"], out_dir=out,
                             data_dir=demo_store.path, pdf=False, texts_file=texts, progress=False)
    assert [r["status"] for r in result.records] == ["gemaakt", "gemaakt"], result.summary()
    year = (out / "opvolging_JZ04_2024.html").read_text(encoding="utf-8")
    assert raw_codes(year) == set()
    assert "Opvolging van de adviezen van het expertteam, jeugdregio Drenthe, 2024" in year
    assert "<th>2023</th><th>2024</th><th>verandering</th>" in year
    assert "Het advies landt beter als de wijkcoach aan tafel zit." in year and "Vervolgstappen" in year
    for label in ("Aangemelde casussen", "Follow-up na 2 maanden gedaan", "Advies (deels) opgevolgd",
                  "Advies bruikbaar", "Uithuisplaatsing voorkomen", "Afschaling bereikt",
                  "Heraanmelding binnen 12 maanden", "Crisisplaatsingen", "via het wijkteam of de gecertificeerde"):
        assert label in year, label
    csv = pd.read_csv(out / "opvolging_JZ04_2024.csv")
    cases = csv[(csv["indicator"] == "followups_casussen_aantal") & (csv["period"] == 2024)]["value"].iloc[0]
    exact = engine.compute(["followups_casussen_aantal"], ["JZ04"], [2024], demo_store)["numerator"].iloc[0]
    assert cases == exact   # the case-monitor regime: exact counts
    assert opvolging.build("JZ04", 2024, demo_store.path).rules.regime == "casusmonitor"
    span = (out / "opvolging_JZ04_2023-2024.html").read_text(encoding="utf-8")
    assert "jeugdregio Drenthe, 2023-2024" in span and "<th>2023-2024</th>" in span
    assert "<th>verandering</th>" not in span
    both = pd.read_csv(out / "opvolging_JZ04_2023-2024.csv")
    whole = engine.compute(["followups_casussen_aantal"], ["JZ04"], [Span(2023, 2024)], demo_store)["numerator"]
    assert both.loc[both["indicator"] == "followups_casussen_aantal", "value"].iloc[0] == whole.iloc[0]
