"""Charts in one house style (seaborn); every chart shows only published (rounded) numbers."""

from __future__ import annotations

import base64
import html
import io
import textwrap

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from regiekit import formatting

PALETTE = ["#154273", "#E17000", "#39870C", "#A90061"]  # Rijkshuisstijl-like, readable in print
EDGE, HIDDEN = "#8A8A8A", "#E6E6E6"  # map: borders, gemeenten without a published value


def house_style() -> None:
    sns.set_theme(style="whitegrid", context="notebook", palette=PALETTE,
                  rc={"axes.titleweight": "bold", "axes.titlesize": 11, "figure.dpi": 100})


def _margins(fig, left: float, right: float, top: float, bottom: float, wspace: float = 0, hspace: float = 0) -> None:
    """Fixed margins and gaps in inches: a layout without the measuring passes of tight_layout (which
    cost more than drawing the chart itself)."""
    width, height = fig.get_size_inches()
    rows, cols = fig.axes[0].get_gridspec().get_geometry() if fig.axes else (1, 1)
    axis_w = (width - left - right - wspace * (cols - 1)) / cols
    axis_h = (height - top - bottom - hspace * (rows - 1)) / rows
    fig.subplots_adjust(left=left / width, right=1 - right / width, top=1 - top / height, bottom=bottom / height,
                        wspace=wspace / axis_w, hspace=hspace / axis_h)


def trend(published: pd.DataFrame, indicators, region_labels: dict[str, str]):
    """Small multiples: one panel per indicator, a line per region with its 95%-interval as a band;
    suppressed years leave a gap; series breaks dashed."""
    house_style()
    panels = [i for i in indicators if i.unit != "count"]
    regions = list(dict.fromkeys(published["region_code"]))
    cols = max(1, min(3, len(panels)))
    rows = max(1, -(-len(panels) // cols))
    fig = plt.figure(figsize=(4.2 * cols, 3.2 * rows + 0.2))
    grid = fig.add_gridspec(rows, cols)
    axes = [fig.add_subplot(grid[n // cols, n % cols]) for n in range(len(panels))]
    series = dict(list(published.sort_values("period").groupby(["indicator", "region_code"], sort=False)))
    for ax, ind in zip(axes, panels):
        hidden = []
        for colour, code in zip(PALETTE, regions):
            part = series.get((ind.id, code), published.iloc[:0])
            label = region_labels.get(code, part["region_name"].iloc[0] if not part.empty else code)
            ax.plot(part["period"], part["value"].astype(float), marker="o", color=colour, label=label)
            missing = part.loc[part["value"].isna(), "period"].astype(int).tolist()
            if missing:  # said under the panel: a gap or a lone point is not a change
                hidden.append(f"{label}: {_years(missing)} niet gepubliceerd")
            ax.fill_between(part["period"], part["ci_low"].astype(float), part["ci_high"].astype(float),
                            color=colour, alpha=0.15, linewidth=0)
        for brk in ind.series_breaks:
            ax.axvline(brk.date.year - 0.5, color="grey", linestyle="--", linewidth=1)
        ax.set_title(textwrap.fill(ind.label, 40), y=1.02)  # a fixed place: no measuring of tick labels
        ax.set_xlabel("")
        ax.set_ylabel(formatting.UNIT_LABEL[ind.unit])
        ax.yaxis.set_major_formatter(lambda v, _pos: f"{v:g}".replace(".", ","))
        ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=5))
        years = sorted({int(p) for p in published.loc[published["indicator"] == ind.id, "period"]})
        if years:  # the years of the data, also when there is only one
            ax.set_xlim(years[0] - 0.5, years[-1] + 0.5)
            if len(years) <= 6:
                ax.set_xticks(years, [str(y) for y in years])
        notes = hidden + ([] if _fit_axis(ax) else ["as begint niet bij 0"])
        if notes:
            ax.text(0, -0.13, textwrap.fill("; ".join(notes), 62), transform=ax.transAxes, va="top", ha="left",
                    fontsize=7, color="#444444")
    if panels:
        handles, labels = axes[0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="lower center", ncol=len(labels), frameon=False)
    _margins(fig, left=0.8, right=0.25, top=0.5, bottom=0.75, wspace=0.85, hspace=1.05)
    return fig


def _years(years: list[int]) -> str:
    """'2016-2018 en 2021' for [2016, 2017, 2018, 2021]."""
    runs, start = [], years[0]
    for before, year in zip(years, [*years[1:], None]):
        if year != before + 1:
            runs.append(str(start) if start == before else f"{start}-{before}")
            start = year
    return " en ".join([", ".join(runs[:-1]), runs[-1]] if len(runs) > 1 else runs)


def _fit_axis(ax) -> bool:
    """Set the y axis for reading the change; True when it starts at 0. From 0 unless the values lie in
    a narrow band far from it (a line at 68% that would run flat along the top); the markers stay
    inside the frame either way."""
    low, high = ax.dataLim.ymin, ax.dataLim.ymax
    if not (np.isfinite(low) and np.isfinite(high)) or high <= 0:
        ax.set_ylim(0, 1)
        return True
    if low < 0.5 * high:
        ax.set_ylim(0, high * 1.1)
        return True
    pad = max((high - low) * 0.2, high * 0.1)  # a flat series stays flat, not a zoom into rounding steps
    ax.set_ylim(low - pad, high + pad)
    return False


def funnel(points: pd.DataFrame, limits: pd.DataFrame, highlight: str, ind, level_label: str):
    """Funnel plot: every region of one level (published values only) against its size, the target
    and the 95% / 99,8% control limits; the report's region highlighted."""
    house_style()
    fig, ax = plt.subplots(figsize=(10, 4.5))  # the width of the report page
    others = points[points["region_code"] != highlight]
    mine = points[points["region_code"] == highlight]
    ax.scatter(others["denominator"], others["value"], s=14, color="#9AA5B1", label=level_label)
    ax.scatter(mine["denominator"], mine["value"], s=60, color=PALETTE[1], zorder=3,
               label=mine["region_name"].iloc[0] if not mine.empty else highlight)
    ax.plot(limits["denominator"], limits["target"], color=PALETTE[0], linewidth=1.2, label="Nederland")
    for name, style in (("95", ":"), ("998", "--")):
        for side in ("lower", "upper"):
            ax.plot(limits["denominator"], limits[f"{side}_{name}"], color=PALETTE[0], linestyle=style, linewidth=1,
                    label=("95%-grens" if name == "95" else "99,8%-grens") if side == "lower" else None)
    ax.set_xscale("log")
    ax.set_xlabel(f"noemer: aantal ({ind.population.age_band.replace('-', ' tot ')} jaar; logaritmische schaal)")
    ax.set_ylabel(formatting.UNIT_LABEL[ind.unit])
    ax.set_title(textwrap.fill(f"{ind.label}: alle {level_label} vergeleken", 70), y=1.02)
    ax.yaxis.set_major_formatter(lambda v, _pos: f"{v:g}".replace(".", ","))
    ax.xaxis.set_major_formatter(lambda v, _pos: formatting.number(v))
    ax.xaxis.set_minor_formatter(lambda v, _pos: "")  # no '3,5 x 10^4' between the round numbers
    ax.legend(frameon=False, fontsize=8, loc="upper right")
    _margins(fig, left=0.8, right=0.2, top=0.4, bottom=0.65)
    return fig


def categories(rows: pd.DataFrame, title: str, xlabel: str, whole: bool = False):
    """Horizontal bars per category (in the order of ``rows``), one per series (column ``series``: a year
    or a project period), of published values. A suppressed value keeps its place and shows its mark
    (column ``mark``: 'x', '<3') instead of a bar, so no category silently disappears. ``whole``: counts,
    whole-number ticks. None when nothing in it is published."""
    if rows["value"].dropna().empty:
        return None
    house_style()
    cats, series = list(dict.fromkeys(rows["category"])), list(dict.fromkeys(rows["series"]))
    colours = dict(zip(series, PALETTE[: len(series)][::-1]))  # the latest series in the house colour
    thickness = 0.8 / len(series)
    fig, ax = plt.subplots(figsize=(7, 0.3 * len(cats) * max(1.5, len(series)) + 1.3))
    top = float(rows["value"].max())
    for row in rows.itertuples():
        y = cats.index(row.category) + (series.index(row.series) - (len(series) - 1) / 2) * thickness
        if pd.isna(row.value):
            ax.text(top * 0.01, y, row.mark, va="center", ha="left", fontsize=8, color="#444444")
        else:
            ax.barh(y, float(row.value), height=thickness * 0.95, color=colours[row.series])
    ax.set_yticks(range(len(cats)), [textwrap.fill(str(c), 26) for c in cats])
    ax.set_ylim(len(cats) - 0.5, -0.5)  # the first category at the top
    ax.set_xlim(0, top * 1.08 if top > 0 else 1)
    ax.xaxis.set_major_formatter(lambda v, _pos: formatting.number(v, 0 if whole or v == int(v) else 1))
    if whole:
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.grid(axis="y", visible=False)
    handles = [Patch(color=colours[s], label=str(s)) for s in series]
    for mark in sorted(set(rows.loc[rows["value"].isna(), "mark"])):
        meaning = f"minder dan {mark[1:]}" if mark.startswith("<") else "niet gepubliceerd"
        handles.append(Patch(color="none", label=f"{mark}: {meaning}"))
    ax.legend(handles=handles, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
    height = fig.get_size_inches()[1]
    fig.suptitle(textwrap.fill(title, 68), x=0.15 / 7, y=1 - 0.1 / height, ha="left", va="top", fontweight="bold",
                 fontsize=11)  # from the figure's left edge: a long title is not cut off
    ax.set_xlabel(xlabel)
    longest = max(len(line) for c in cats for line in textwrap.wrap(str(c), 26) or [""])
    _margins(fig, left=max(1.0, 0.085 * longest + 0.3), right=1.8, top=0.45 + 0.2 * (len(title) > 68), bottom=0.55)
    return fig


def gemeente_map(shapes, ind, title: str, highlight: str | None = None):
    """Gemeenten coloured by their published value (column ``value``) with a colour bar saying what the
    colours mean; those without a published value hatched grey; ``highlight`` (a gemeente code) outlined;
    a legend for the hatching and the outline."""
    house_style()
    fig, ax = plt.subplots(figsize=(7, 6.5))
    fig.canvas.draw_idle = lambda *args, **kwargs: None  # geopandas would draw it all after each layer
    known = shapes[shapes["value"].notna()]
    hidden = shapes[shapes["value"].isna()]
    if not known.empty:
        known.plot(column="value", cmap="Blues", ax=ax, edgecolor=EDGE, linewidth=0.3, legend=True,
                   legend_kwds={"label": f"{ind.label} ({formatting.UNIT_LABEL.get(ind.unit, ind.unit)})",
                                "orientation": "horizontal", "shrink": 0.6, "pad": 0.02,
                                "format": lambda v, _pos: f"{v:g}".replace(".", ",")})
    keys = []
    if not hidden.empty:
        hidden.plot(ax=ax, color=HIDDEN, edgecolor=EDGE, hatch="///", linewidth=0.3)
        keys.append(Patch(facecolor=HIDDEN, edgecolor=EDGE, hatch="///", label="niet gepubliceerd"))
    outlined = shapes[shapes["statcode"] == highlight]
    if not outlined.empty:
        outlined.boundary.plot(ax=ax, color=PALETTE[1], linewidth=2)
        keys.append(Line2D([], [], color=PALETTE[1], linewidth=2, label=outlined["statnaam"].iloc[0]))
    if keys:
        fig.legend(handles=keys, loc="lower center", ncol=len(keys), frameon=False, fontsize=9)
    ax.set_title(title)
    ax.set_axis_off()
    fig.tight_layout(rect=(0, 0.05 if keys else 0, 1, 1))  # the legend below the colour bar
    return fig


def html_image(fig, alt: str) -> str:
    """A figure as an embedded PNG with alternative text (read aloud by screen readers), then closed."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100)
    plt.close(fig)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{data}" style="max-width:100%">'
