"""Own records against CBS StatLine: for every indicator, region and period that both have, the own
figure with its 95% interval, CBS's figure, the difference and whether CBS's figure lies within the
interval, so a team can check its registration against the official statistics.

Both sides are published figures: the own ones under regiekit's disclosure control (a suppressed own
figure is not compared), CBS's as CBS published them.
"""

from __future__ import annotations

import pandas as pd

from regiekit import engine
from regiekit.data.store import Store
from regiekit.indicators.definitions import load_catalogue
from regiekit.publish import disclosure, published
from regiekit.reference.regions import load_regions

COLUMNS = ["indicator", "label", "region_code", "region_name", "period", "eigen", "ci_low", "ci_high", "cbs",
           "verschil", "binnen_interval", "cbs_status", "bron_cbs"]


def reconcile(indicators: list[str] | None = None, regions: list[str] | None = None,
              periods: list[int] | None = None, store: Store | None = None,
              rules: disclosure.Rules | None = None) -> pd.DataFrame:
    """The reconciliation table (see the module docstring); ``indicators`` default to every indicator
    the store can count from own records and CBS publishes with the same base."""
    store = store or Store.open()
    catalogue = load_catalogue()
    chosen = catalogue.select(indicators) if indicators else [i for i in catalogue.values() if i.source.cbs_column]
    both = [i.id for i in engine.available(chosen, store, "eigen") if i in engine.available(chosen, store, "cbs")]
    if not both:
        raise engine.EngineError("geen indicator die zowel uit de eigen gegevens als uit CBS StatLine komt; "
                                 "haal de CBS-cijfers op met 'regiekit fetch cbs'")
    keys = ["indicator", "region_code", "period", "subperiod"]
    own = published.table(both, store, rules, periods=periods, bron="eigen")
    cbs = published.table(both, store, rules, periods=periods, bron="cbs")
    own, cbs = own[own["category"].isna()], cbs[cbs["published"].notna()]
    if regions:
        codes = {load_regions().get(r).code for r in regions}
        own = own[own["region_code"].isin(codes)]
    table = own[[*keys, "region_name", "published", "ci_low", "ci_high"]].merge(
        cbs[[*keys, "published", "cbs_status", "source"]], on=keys, suffixes=("", "_cbs"))
    table = table[table["published"].notna()]
    decimals = table["indicator"].map(lambda i: catalogue[i].decimals)
    rounded = {c: [round(float(v), d) for v, d in zip(table[c], decimals)] for c in ("published", "ci_low", "ci_high")}
    table = table.assign(
        label=table["indicator"].map(lambda i: catalogue[i].label), eigen=rounded["published"],
        ci_low=rounded["ci_low"], ci_high=rounded["ci_high"], cbs=table["published_cbs"],
        verschil=[round(a - b, d) for a, b, d in zip(rounded["published"], table["published_cbs"], decimals)],
        binnen_interval=(table["published_cbs"] >= table["ci_low"]) & (table["published_cbs"] <= table["ci_high"]),
        bron_cbs=table["source"])
    return table.sort_values(["indicator", "region_code", "period"])[COLUMNS].reset_index(drop=True)
