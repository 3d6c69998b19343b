"""Charts in one house style (seaborn); every chart shows only published (rounded) numbers."""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.ticker import MaxNLocator
import pandas as pd
import seaborn as sns

from regiekit import formatting

PALETTE = ["#154273", "#E17000", "#39870C", "#A90061"]  # Rijkshuisstijl-like, readable in print


def house_style() -> None:
    sns.set_theme(style="whitegrid", context="notebook", palette=PALETTE,
                  rc={"axes.titleweight": "bold", "axes.titlesize": 11, "figure.dpi": 100})


def trend(published: pd.DataFrame, indicators, region_labels: dict[str, str]):
    """Small multiples: one panel per indicator, a line per region, series breaks dashed."""
    house_style()
    data = published.assign(regio=published["region_code"].map(region_labels).fillna(published["region_name"]))
    data = data.dropna(subset=["value"])
    panels = [i for i in indicators if i.unit != "count"]
    cols = min(3, len(panels))
    rows = -(-len(panels) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 3.2 * rows), squeeze=False)
    for ax, ind in zip(axes.flat, panels):
        part = data[data["indicator"] == ind.id]
        sns.lineplot(part, x="period", y="value", hue="regio", marker="o", ax=ax, legend=ax is axes.flat[0])
        for brk in ind.series_breaks:
            ax.axvline(brk.date.year - 0.5, color="grey", linestyle="--", linewidth=1)
        ax.set_title(ind.label)
        ax.set_xlabel("")
        ax.set_ylabel(formatting.UNIT_LABEL[ind.unit])
        ax.yaxis.set_major_formatter(lambda v, _pos: f"{v:g}".replace(".", ","))
        ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=5))
        ax.set_ylim(bottom=0)
    for ax in list(axes.flat)[len(panels):]:
        ax.set_visible(False)
    if panels:
        handles, labels = axes.flat[0].get_legend_handles_labels()
        axes.flat[0].get_legend().remove()
        fig.legend(handles, labels, loc="lower center", ncol=len(labels), frameon=False)
    fig.tight_layout(rect=(0, 0.06, 1, 1))
    return fig
