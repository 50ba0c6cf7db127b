"""Charts for the PDF report and for notebooks: each function returns a matplotlib Figure.

Figures are built with matplotlib's object API (:class:`matplotlib.figure.Figure`), so
no GUI backend is needed and no global state (pyplot, rcParams) is touched. Every style
setting is passed to the artists themselves: figures are 6.7 inches wide (170 mm of A4
text width), text is 8-9 pt, colours are the colour-blind-safe Okabe-Ito palette, and each
paying agency has the same colour in every chart. Money is labelled as in the model's
tables: pounds with thousands separators and negatives in brackets.

Save a chart with ``fig.savefig(buffer, format="png", dpi=300)`` (or ``format="pdf"``).
"""

from __future__ import annotations

import datetime as dt
import math
import textwrap
from collections.abc import Mapping, Sequence
from typing import Any, cast

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.dates import DateFormatter, date2num
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MaxNLocator

from ..model.late_intervention import Baseline
from ..model.projection import Projection
from ..model.team import ReachResult
from ..model.vocabulary import AGENCY_NAMES
from .formatting import money, money_m, number, percent
from .labels import AGENCY_LABELS, ISSUE_LABELS, REACH_OUTCOMES, area_label, parameter_label
from .labels import scenario_label as _scenario_label
from .style import (
    AGENCY_COLOURS,
    BAND_ALPHA,
    COSTS,
    GRID,
    HIGH,
    INK,
    LABEL_WRAP,
    LOW,
    MONEY_DIVISORS,
    NEGATIVE,
    OKABE_ITO,
    POSITIVE,
    SAVINGS,
    money_in_unit,
    money_short,
)

__all__ = [
    "AGENCY_COLOURS",
    "MoneyFormatter",
    "baseline_chart",
    "cumulative_chart",
    "families_chart",
    "money_short",
    "npv_distribution_chart",
    "parameter_label",
    "savings_by_agency_chart",
    "scenarios_chart",
    "tornado_chart",
]

# ------------------------------------------------------------------------------- style
# (the palette, each agency's colour and the money labels: costmodel.present.style,
# shared with the app's plotly charts)

#: Figure width in inches: 170 mm, the text width of an A4 page with 20 mm margins.
WIDTH = 6.7
FONT_SIZE = 8
TITLE_SIZE = 9


def _figure(
    height: float = 3.4,
    ncols: int = 1,
    width: float = WIDTH,
    value_axis: str = "y",
    **subplots: Any,
) -> tuple[Figure, list[Axes]]:
    """A new figure with ``ncols`` axes side by side, each with the house style."""
    fig = Figure(figsize=(width, height), layout="constrained", facecolor="white")
    axes = list(fig.subplots(1, ncols, squeeze=False, **subplots)[0])
    for ax in axes:
        _style(ax, value_axis)
    return fig, axes


def _style(ax: Axes, value_axis: str = "y") -> None:
    """Print-friendly axes: no top/right spines, light grid on the value axis only."""
    ax.set_facecolor("white")
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_color(INK)
        ax.spines[side].set_linewidth(0.6)
    ax.tick_params(labelsize=FONT_SIZE, colors=INK, length=3, width=0.6)
    ax.grid(False)
    ax.grid(True, axis=cast(Any, value_axis), color=GRID, linewidth=0.5)
    ax.set_axisbelow(True)


def _title(fig: Figure, text: str) -> None:
    """The chart's title, on the left over the whole figure width (wrapped if long)."""
    fig.suptitle(
        _wrap(text, 80), x=0.01, ha="left", fontsize=TITLE_SIZE, color=INK, fontweight="bold"
    )


def _labels(
    ax: Axes, title: str | None = None, xlabel: str | None = None, ylabel: str | None = None
) -> None:
    """Axes title (a panel's heading, left-aligned) and axis labels."""
    if title:
        ax.set_title(title, fontsize=FONT_SIZE, loc="left", color=INK, fontweight="bold")
    if xlabel is not None:
        ax.set_xlabel(xlabel, fontsize=FONT_SIZE, color=INK)
    if ylabel is not None:
        ax.set_ylabel(ylabel, fontsize=FONT_SIZE, color=INK)


def _legend(fig: Figure, handles: Sequence, labels: Sequence[str], ncols: int) -> None:
    """One legend for the figure, below the axes (constrained layout makes room for it)."""
    fig.legend(
        handles,
        labels,
        loc="outside lower center",
        ncols=ncols,
        fontsize=FONT_SIZE,
        frameon=False,
        handlelength=1.6,
        columnspacing=1.4,
    )


def _wrap(text: str, width: int = LABEL_WRAP) -> str:
    return textwrap.fill(text, width) if len(text) > width else text


def _year_axis(ax: Axes, labels: Sequence[str]) -> np.ndarray:
    """Categorical x axis of financial years; labels rotated when there are many."""
    x = np.arange(len(labels))
    ax.set_xticks(x, list(labels))
    if len(labels) > 10:
        ax.tick_params(axis="x", labelrotation=45)
        for t in ax.get_xticklabels():
            t.set_horizontalalignment("right")
            t.set_rotation_mode("anchor")
    ax.set_xlim(-0.6, len(labels) - 0.4)
    return x


def _price_basis(projection: Projection, discounted: bool = True) -> str:
    """The projection's own price basis (forecast note included), and whether discounted."""
    return f"{projection.price_basis}, discounted" if discounted else projection.price_basis


# ------------------------------------------------------------------------------- money


class MoneyFormatter(FuncFormatter):
    """Tick labels in pounds: ``£250k``, ``£1.5m``, ``(£0.5m)``.

    The unit (pounds, thousands or millions) and the number of decimals are chosen from
    the ticks on show, so that neighbouring labels differ; ``unit`` fixes the unit
    (``""``, ``"k"`` or ``"m"``).
    """

    def __init__(self, unit: str | None = None) -> None:
        if unit is not None and unit not in MONEY_DIVISORS:
            raise ValueError(f"unit must be one of '', 'k', 'm', got {unit!r}")
        self.fixed_unit = unit
        self.unit = unit or ""
        self.decimals = 0
        super().__init__(self._format)

    def _format(self, x: float, pos: int | None = None) -> str:
        return money_in_unit(x, self.unit, self.decimals)

    def set_locs(self, locs: Sequence[float]) -> None:
        super().set_locs(list(locs))
        values = np.asarray([v for v in locs if np.isfinite(v)], dtype=float)
        if values.size == 0:
            return
        biggest = np.abs(values).max()
        if self.fixed_unit is not None:
            self.unit = self.fixed_unit
        else:
            self.unit = "m" if biggest >= 1e6 else "k" if biggest >= 1e4 else ""
        scaled = values / MONEY_DIVISORS[self.unit]
        for decimals in range(4):
            if np.allclose(np.round(scaled, decimals), scaled, rtol=0, atol=1e-6):
                break
        self.decimals = decimals


# ---------------------------------------------------------------------------- baseline


def baseline_chart(baseline: Baseline, by: str = "issue") -> Figure:
    """The annual cost of late intervention by issue or by paying agency.

    Horizontal bars, largest at the top, each labelled with its cost in £m; the x axis is
    in £m a year at the baseline's prices. ``by`` is ``"issue"`` or ``"agency"``.
    """
    if by not in ("issue", "agency"):
        raise ValueError(f"by must be 'issue' or 'agency', got {by!r}")
    costs = (baseline.by_issue if by == "issue" else baseline.by_agency).astype(float)
    costs = costs.sort_values(ascending=False, kind="stable")
    names = ISSUE_LABELS if by == "issue" else AGENCY_LABELS
    colours = (
        [SAVINGS] * len(costs)
        if by == "issue"
        else [AGENCY_COLOURS.get(k, INK) for k in costs.index]
    )
    fig, (ax,) = _figure(height=3.0, value_axis="x")
    y = np.arange(len(costs))
    bars = ax.barh(y, costs.to_numpy(), height=0.65, color=colours, gid="cost")
    ax.bar_label(bars, labels=[money_m(v) for v in costs], padding=3, fontsize=FONT_SIZE, color=INK)
    ax.set_yticks(y, [_wrap(names[k].long if k in names else k) for k in costs.index])
    ax.tick_params(axis="y", length=0)
    ax.invert_yaxis()
    ax.set_xlim(0, max(float(costs.max()), 1.0) * 1.14)
    ax.xaxis.set_major_formatter(MoneyFormatter("m"))
    who = "issue" if by == "issue" else "paying agency"
    _title(
        fig,
        f"Annual cost of late intervention by {who}: "
        f"{area_label(baseline.area)}, total {money_m(baseline.total)} a year",
    )
    _labels(ax, xlabel=f"£m a year, {baseline.price_basis}")
    return fig


# ------------------------------------------------------------------------------- reach


def families_chart(result: ReachResult) -> Figure:
    """Cumulative families starting and completing direct work, and given light-touch
    support, quarter by quarter.

    Each line is the mean over simulation runs of the families to the end of the quarter;
    the band is the 5th to 95th percentile of the runs' cumulative totals.
    """
    dates: Any = [dt.date.fromisoformat(d) for d in result.quarter_labels()]
    fig, (ax,) = _figure(height=3.2)
    handles, texts = [], []
    lines = [("started", OKABE_ITO["blue"]), ("completed", OKABE_ITO["orange"])]
    if result.total("light_touch_contacted").any():
        lines.append(("light_touch_contacted", OKABE_ITO["green"]))
    for name, colour in lines:
        cum = result.cumulative(name, 5, 95)
        mean, lo, hi = (cum[c].to_numpy() for c in ("mean", "low", "high"))
        band = ax.fill_between(
            dates, lo, hi, color=colour, alpha=BAND_ALPHA, linewidth=0, gid=f"{name}-band"
        )
        (line,) = ax.plot(
            dates, mean, color=colour, linewidth=1.6, marker="o", markersize=2.5, gid=f"{name}-mean"
        )
        handles += [line, band]
        texts += [f"{REACH_OUTCOMES[name].long}: mean", "5th–95th percentile of runs"]
    step = max(1, math.ceil(len(dates) / 8))
    ax.set_xticks(date2num(dates[::step]))
    ax.xaxis.set_major_formatter(DateFormatter("%b %Y"))
    ax.set_xlim(date2num(dates[0]) - 20, date2num(dates[-1]) + 20)
    ax.set_ylim(bottom=0)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: number(v)))
    _title(fig, f"Families helped by the team: {result.runs:,} simulation runs")
    _labels(
        ax,
        xlabel="quarter starting (totals to the end of each quarter)",
        ylabel="families (cumulative)",
    )
    _legend(fig, handles, texts, ncols=2)
    return fig


# -------------------------------------------------------------------------- projection


def cumulative_chart(projection: Projection) -> Figure:
    """Cumulative discounted costs against cumulative discounted net savings, by year.

    Fiscal perspective: payment-by-results income cancels within government. Lines are means
    over draws; the band is the 5th to 95th percentile of each draw's cumulative net
    savings. Where the mean savings line overtakes the costs line (payback) is marked.
    """
    cum = projection.cumulative(5, 95)
    mean_costs, mean_savings = cum["costs"].to_numpy(), cum["savings"].to_numpy()
    lo, hi = cum["savings_low"].to_numpy(), cum["savings_high"].to_numpy()
    years = projection.financial_years()
    fig, (ax,) = _figure(height=3.4)
    x = _year_axis(ax, years)
    single = projection.draws == 1
    (sav,) = ax.plot(
        x, mean_savings, color=SAVINGS, linewidth=1.6, marker="o", markersize=3, gid="savings-mean"
    )
    (cost,) = ax.plot(
        x, mean_costs, color=COSTS, linewidth=1.6, marker="s", markersize=3, gid="costs-mean"
    )
    cost_text = "costs"
    suffix = "" if single else ": mean"
    handles: list[Any] = [cost, sav]
    texts = [f"Cumulative {cost_text}{suffix}", f"Cumulative net savings{suffix}"]
    if not single:
        band = ax.fill_between(
            x, lo, hi, color=SAVINGS, alpha=BAND_ALPHA, linewidth=0, gid="savings-band"
        )
        handles.append(band)
        texts.append("Net savings: 5th–95th percentile of draws")
    paid_back = cum.attrs["payback_of_means"]
    if np.isfinite(paid_back):
        # payback time t is measured from the start; year i's point is plotted at x = i,
        # the end of year i (time i + 1), so time t sits at x = t - 1
        xp = max(paid_back - 1.0, 0.0)
        i = min(int(np.ceil(paid_back)) - 1, len(years) - 1)
        yp = float(np.interp(xp, x, mean_costs))
        (mark,) = ax.plot(
            [xp],
            [yp],
            linestyle="none",
            marker="D",
            markersize=6,
            markerfacecolor="white",
            markeredgecolor=INK,
            markeredgewidth=1,
            zorder=5,
            gid="payback",
        )
        ax.axvline(xp, color=INK, linewidth=0.6, linestyle=":", zorder=1)
        handles.append(mark)
        texts.append(f"Payback{'' if single else ' (means)'}: in {years[i]}")
    ax.axhline(0, color=INK, linewidth=0.6)
    ax.yaxis.set_major_formatter(MoneyFormatter())
    _title(
        fig,
        f"Cumulative costs and net savings, discounted: "
        f"{_scenario_label(projection.scenario)} scenario, "
        f"{_draws_text(projection.draws, mean=False)}",
    )
    _labels(ax, ylabel=f"£ cumulative\n{_price_basis(projection)}")
    _legend(fig, handles, texts, ncols=2)
    return fig


def _draws_text(draws: int, mean: bool = True) -> str:
    if draws == 1:
        return "deterministic"
    return f"mean of {draws:,} draws" if mean else f"{draws:,} draws"


def savings_by_agency_chart(projection: Projection, discounted: bool = False) -> Figure:
    """Mean net savings each appraisal year, stacked by the agency that gains.

    Real terms at the projection's prices; with ``discounted`` each year is multiplied by
    its discount factor. Negative amounts (if any) stack below zero.
    """
    by_agency = projection.net_by_agency_by_year(discounted)
    fig, (ax,) = _figure(height=3.4)
    x = _year_axis(ax, projection.financial_years())
    above, below = np.zeros(len(x)), np.zeros(len(x))
    handles, texts = [], []
    for agency in AGENCY_NAMES:
        v = by_agency[agency].to_numpy()
        bottom = np.where(v >= 0, above, below)
        bars = ax.bar(
            x,
            v,
            bottom=bottom,
            width=0.7,
            color=AGENCY_COLOURS[agency],
            edgecolor="white",
            linewidth=0.4,
            label=AGENCY_LABELS[agency].long,
            gid=agency,
        )
        above, below = above + np.maximum(v, 0), below + np.minimum(v, 0)
        handles.append(bars)
        texts.append(AGENCY_LABELS[agency].long)
    ax.axhline(0, color=INK, linewidth=0.6)
    ax.yaxis.set_major_formatter(MoneyFormatter())
    what = "discounted net savings" if discounted else "net savings"
    _title(
        fig,
        f"Mean {what} by paying agency: {_scenario_label(projection.scenario)} "
        f"scenario, {_draws_text(projection.draws, mean=False)}",
    )
    _labels(ax, ylabel=f"£ a year\n{_price_basis(projection, discounted)}")
    _legend(fig, handles, texts, ncols=3)
    return fig


# ------------------------------------------------------------------------- sensitivity


def tornado_chart(
    one_way: pd.DataFrame, top: int = 12, labels: Mapping[str, str] | None = None
) -> Figure:
    """The tornado: NPV with each parameter at its low and at its high value, others central.

    ``one_way`` is the table from :func:`costmodel.sensitivity.one_way`. The ``top``
    parameters with the largest swing are shown, largest at the top; bars run from the
    central NPV to the NPV at the parameter's 5th percentile (one colour) and at its 95th
    percentile (the other). ``labels`` maps parameter paths to display labels.
    """
    central = float(one_way.attrs["npv_central"])
    rows = one_way.sort_values("swing", ascending=False, kind="stable").head(top)
    n = len(rows)
    names = [_wrap((labels or {}).get(p) or parameter_label(p), 40) for p in rows.index]
    lines = max((t.count("\n") + 1 for t in names), default=1)
    row = 0.22 if lines == 1 else 0.13 * lines + 0.06  # inches per parameter
    fig, (ax,) = _figure(height=max(3.0, 1.1 + row * n), value_axis="x")
    y = np.arange(n)
    low, high = rows["npv_low"].to_numpy(float), rows["npv_high"].to_numpy(float)
    low_bars = ax.barh(y, low - central, left=central, height=0.7, color=LOW, gid="low")
    high_bars = ax.barh(y, high - central, left=central, height=0.7, color=HIGH, gid="high")
    # where both ends fall on the same side, draw the shorter bar on top so both show
    for lb, hb, lo, hi in zip(low_bars, high_bars, low, high, strict=True):
        if abs(lo - central) < abs(hi - central):
            lb.set_zorder(hb.get_zorder() + 0.1)
    line = ax.axvline(central, color=INK, linewidth=0.9, gid="central")
    ax.set_yticks(y, names)
    ax.tick_params(axis="y", length=0)
    ax.invert_yaxis()
    ax.margins(x=0.05)
    ax.xaxis.set_major_formatter(MoneyFormatter())
    _title(fig, "One-way sensitivity: NPV with each parameter at its 5th and 95th percentile")
    _labels(ax, xlabel="net present value (£)")
    _legend(
        fig,
        [low_bars, high_bars, line],
        ["parameter at 5th percentile", "at 95th percentile", f"central NPV: {money(central)}"],
        ncols=3,
    )
    return fig


# --------------------------------------------------------------------------------- NPV


def npv_distribution_chart(projection: Projection) -> Figure:
    """Histogram of the NPV over Monte Carlo draws, with lines at zero and at the mean.

    The annotation gives P(NPV > 0) and the mean. A deterministic projection (one draw,
    or draws that all agree) is shown as a single line at its NPV.
    """
    npv = np.asarray(projection.appraisal.npv, dtype=float)
    npv = npv[np.isfinite(npv)]
    mean = float(projection.summary().loc["npv", "mean"]) if npv.size else 0.0
    fig, (ax,) = _figure(height=3.2)
    _title(
        fig,
        f"Net present value: {_scenario_label(projection.scenario)} scenario, "
        f"{_draws_text(projection.draws, mean=False)}",
    )
    _labels(ax, xlabel=f"net present value (£), {_price_basis(projection)}")
    ax.xaxis.set_major_formatter(MoneyFormatter())
    if npv.size < 2 or np.ptp(npv) == 0:
        return _single_npv(fig, ax, mean, projection.draws)
    edges = _bins_through_zero(npv)
    counts, edges, patches = ax.hist(
        npv, bins=cast(Any, edges), color=POSITIVE, edgecolor="white", linewidth=0.3, gid="npv-hist"
    )
    for patch, left in zip(cast(Any, patches), edges[:-1], strict=True):
        if left < 0:
            patch.set_facecolor(NEGATIVE)
    zero = ax.axvline(0, color=INK, linewidth=0.8, gid="zero")
    mean_line = ax.axvline(mean, color=INK, linewidth=1.2, linestyle="--", gid="mean")
    ax.set_ylim(0, float(np.max(counts)) * 1.15)
    ax.xaxis.set_major_locator(MaxNLocator(nbins=10, steps=[1, 2, 2.5, 5, 10]))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: number(v)))
    _labels(ax, ylabel="draws")
    p = projection.p_npv_positive
    ax.legend(
        [Patch(color=NEGATIVE), Patch(color=POSITIVE), mean_line, zero],
        ["NPV below zero", "NPV above zero", f"mean NPV: {money(mean)}", "zero"],
        title=f"P(NPV > 0) = {percent(p)}",
        title_fontsize=FONT_SIZE,
        fontsize=FONT_SIZE,
        frameon=True,
        facecolor="white",
        edgecolor=GRID,
        framealpha=0.9,
        loc="best",
        alignment="left",
    )
    return fig


def _single_npv(fig: Figure, ax: Axes, value: float, draws: int) -> Figure:
    """A deterministic NPV: one line at its value, beside the zero line."""
    colour = POSITIVE if value > 0 else NEGATIVE if value < 0 else INK
    ax.axvline(0, color=INK, linewidth=0.8, gid="zero")
    ax.axvline(value, color=colour, linewidth=2.5, gid="npv-single")
    pad = max(abs(value) * 0.8, 1000.0)
    ax.set_xlim(min(0.0, value) - pad, max(0.0, value) + pad)
    ax.set_ylim(0, 1)
    ax.set_yticks([])
    ax.spines["left"].set_visible(False)
    ax.grid(False)
    right = value >= 0
    how = "deterministic" if draws == 1 else f"the same in all {draws:,} draws"
    ax.annotate(
        f"NPV {money(value)}\n({how})",
        xy=(value, 0.9),
        xytext=(6 if right else -6, 0),
        textcoords="offset points",
        ha="left" if right else "right",
        va="top",
        fontsize=FONT_SIZE,
        color=INK,
    )
    return fig


def _bins_through_zero(values: np.ndarray, target: int | None = None) -> np.ndarray:
    """Equal-width histogram edges covering ``values`` with zero on an edge."""
    n = values.size
    target = target or int(np.clip(round(math.sqrt(n)), 10, 50))
    lo, hi = float(values.min()), float(values.max())
    width = (max(hi, 0.0) - min(lo, 0.0)) / target
    k_lo, k_hi = math.floor(lo / width), math.ceil(hi / width)
    if k_hi <= k_lo:
        k_hi = k_lo + 1
    edges = width * np.arange(k_lo, k_hi + 1, dtype=float)
    edges[0], edges[-1] = min(edges[0], lo), max(edges[-1], hi)
    return edges


# --------------------------------------------------------------------------- scenarios


def scenarios_chart(projections: Mapping[str, Projection]) -> Figure:
    """Scenarios side by side: NPV per family helped with its 5th-95th percentile, and
    the BCR.

    The left panel has a bar for each scenario's mean NPV over its mean families
    starting support (so programmes of very different sizes read on one scale) and a
    whisker from the 5th to the 95th percentile of each draw's NPV per family; the right
    panel has the benefit-cost ratio as the headlines state it, mean PV of net savings ÷
    mean PV of costs (``n/a`` where it is
    not defined, e.g. a scenario with no costs). Scenarios appear in the mapping's order,
    top to bottom.
    """
    names = list(projections)
    n = len(names)
    fig, (ax, ax_bcr) = _figure(
        height=max(3.0, 1.3 + 0.34 * n), ncols=2, value_axis="x", sharey=True, width_ratios=[3, 2]
    )
    y = np.arange(n)
    means, p5, p95, bcrs = [], [], [], []
    for name in names:
        p = projections[name]
        mean, low, high = p.npv_per_family(5, 95)
        means.append(mean)
        p5.append(low)
        p95.append(high)
        bcrs.append(float(p.headlines().loc["bcr", "estimate"]))

    colours = [POSITIVE if m >= 0 else NEGATIVE for m in means]
    ax.barh(y, means, height=0.6, color=colours, gid="npv")
    ax.hlines(y, p5, p95, color=INK, linewidth=0.9, gid="npv-range")
    ax.plot(p5 + p95, [*y, *y], linestyle="none", marker="|", markersize=7, color=INK)
    ax.axvline(0, color=INK, linewidth=0.6)
    for yi, m, lo, hi in zip(y, means, p5, p95, strict=True):
        on_right = m >= 0
        ax.annotate(
            money_short(m),
            xy=(max(hi, m) if on_right else min(lo, m), yi),
            xytext=(4 if on_right else -4, 0),
            textcoords="offset points",
            ha="left" if on_right else "right",
            va="center",
            fontsize=FONT_SIZE,
            color=INK,
        )
    # room for the value labels beyond the whiskers, on whichever side they fall
    left, right = min(0.0, *p5, *means), max(0.0, *p95, *means)
    span = (right - left) or 1.0
    ax.set_xlim(
        left - (0.35 * span if min(means) < 0 else 0.05 * span),
        right + (0.35 * span if max(means) >= 0 else 0.05 * span),
    )
    ax.xaxis.set_major_locator(MaxNLocator(nbins=5))
    ax.xaxis.set_major_formatter(MoneyFormatter())
    ax.set_yticks(y, [_wrap(_scenario_label(s), 20) for s in names])
    ax.tick_params(axis="y", length=0)
    ax.invert_yaxis()
    bases = {p.price_basis for p in projections.values()}
    basis = f"{next(iter(bases))}, discounted" if len(bases) == 1 else "real terms, discounted"
    _labels(ax, title="NPV per family helped: mean, 5th–95th pct", xlabel=f"£ a family, {basis}")

    ax_bcr.barh(
        y,
        [b if np.isfinite(b) else 0.0 for b in bcrs],
        height=0.6,
        color=OKABE_ITO["green"],
        gid="bcr",
    )
    ax_bcr.axvline(1, color=INK, linewidth=0.8, linestyle="--")
    for yi, b in zip(y, bcrs, strict=True):
        ok = bool(np.isfinite(b))
        ax_bcr.annotate(
            f"{b:.2f}" if ok else "n/a",
            xy=(max(b, 0.0) if ok else 0.0, yi),
            xytext=(4, 0),
            textcoords="offset points",
            ha="left",
            va="center",
            fontsize=FONT_SIZE,
            color=INK,
        )
    ax_bcr.set_xlim(0, max([1.0, *[b for b in bcrs if np.isfinite(b)]]) * 1.25)
    ax_bcr.xaxis.set_major_locator(MaxNLocator(nbins=5))
    ax_bcr.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:g}"))
    ax_bcr.tick_params(axis="y", labelleft=False, length=0)
    _labels(ax_bcr, title="Benefit-cost ratio", xlabel="£ saved per £1 (dashed: 1)")
    draws = {p.draws for p in projections.values()}
    _title(
        fig,
        "Scenarios compared"
        + (f": {_draws_text(draws.pop(), mean=False)} each" if len(draws) == 1 else ""),
    )
    return fig
