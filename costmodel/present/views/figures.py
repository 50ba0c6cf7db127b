"""The views' charts, drawn in the browser: a plotly ``FigureWidget`` made once per chart,
whose traces' data are replaced when a control moves (the browser redraws them; the
kernel draws nothing).

Each ``*_figure`` function turns a result of the library into a :class:`FigureData`:
the traces' data and the titles, from the same numbers as the matplotlib charts of
:mod:`costmodel.present.charts` (which the PDF report keeps). :class:`LiveFigure` shows
a :class:`FigureData` and, shown another, sends only what differs. Nothing here
computes a figure of its own: the numbers are the results' as they are, scaled to the
axis' unit.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import sys
import textwrap
from collections.abc import Mapping
from copy import deepcopy
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

import numpy as np

try:
    import plotly.graph_objects as go
except ModuleNotFoundError as exc:  # pragma: no cover - depends on the installation
    raise ModuleNotFoundError(
        "the app's charts need plotly: pip install 'costmodel[notebooks]'"
    ) from exc

from ..formatting import money_m
from ..labels import AGENCY_LABELS, ISSUE_LABELS, REACH_OUTCOMES, area_label, scenario_label
from ..plotly_bundle import BUNDLE_VARIABLE, SYNC, SYNCED, loader_esm
from ..style import (
    AGENCY_COLOURS,
    BAND_ALPHA,
    COSTS,
    GRID,
    INK,
    LABEL_WRAP,
    OKABE_ITO,
    SAVINGS,
    money_short,
)

if TYPE_CHECKING:
    from ...model.late_intervention import Baseline
    from ...model.projection import Projection
    from ...model.team_result import ReachResult

#: The charts' size on screen, in pixels.
WIDTH, HEIGHT = 780, 380
FONT = {"family": "DejaVu Sans, Arial, sans-serif", "size": 12, "color": INK}


@dataclass(frozen=True)
class FigureData:
    """What a chart shows: each trace's properties (data, names, colours, whether it is
    shown) and the layout's (titles, axis ranges and ticks). The number and kind of
    traces are fixed for each chart, so that a new :class:`FigureData` of the same chart
    replaces data only."""

    kind: str
    traces: tuple[dict[str, Any], ...]
    layout: dict[str, Any] = field(default_factory=dict)


# ------------------------------------------------------------------ helpers


def _wrap(text: str, width: int = LABEL_WRAP) -> str:
    return "<br>".join(textwrap.wrap(text, width)) if len(text) > width else text


def _rgba(colour: str, alpha: float) -> str:
    """``#rrggbb`` at opacity ``alpha`` (a band's fill)."""
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def _money_unit(values: np.ndarray) -> tuple[float, str]:
    """The divisor and suffix for a money axis: millions, thousands or pounds."""
    finite = np.abs(values[np.isfinite(values)])
    biggest = float(finite.max()) if finite.size else 0.0
    if biggest >= 1e6:
        return 1e6, "m"
    if biggest >= 1e4:
        return 1e3, "k"
    return 1.0, ""


def _title(text: str) -> dict[str, Any]:
    return {"text": f"<b>{_wrap(text, 90)}</b>", "x": 0.01, "xanchor": "left", "font_size": 13}


# ------------------------------------------------------------------ the charts


def baseline_figure(baseline: Baseline, by: str = "issue") -> FigureData:
    """The annual cost of late intervention by issue or paying agency (as
    :func:`costmodel.present.charts.baseline_chart`): bars in £m a year, largest on top,
    each labelled with its cost."""
    if by not in ("issue", "agency"):
        raise ValueError(f"by must be 'issue' or 'agency', got {by!r}")
    costs = (baseline.by_issue if by == "issue" else baseline.by_agency).astype(float)
    costs = costs.sort_values(ascending=False, kind="stable")
    names = ISSUE_LABELS if by == "issue" else AGENCY_LABELS
    colours = [SAVINGS if by == "issue" else AGENCY_COLOURS.get(k, INK) for k in costs.index]
    values = costs.to_numpy()
    who = "issue" if by == "issue" else "paying agency"
    bars = {
        "x": values / 1e6,
        "y": [_wrap(names[k].long if k in names else k) for k in costs.index],
        "text": [money_m(v) for v in values],
        "marker": {"color": colours},
    }
    layout = {
        "title": _title(
            f"Annual cost of late intervention by {who}: "
            f"{area_label(baseline.area)}, total {money_m(baseline.total)} a year"
        ),
        "xaxis": {
            "range": [0.0, max(float(values.max()) if len(values) else 0.0, 1.0) * 1.14 / 1e6],
            "title": {"text": f"£m a year, {baseline.price_basis}"},
        },
    }
    return FigureData("baseline", (bars,), layout)


#: The reach chart's lines, in order: outcome and colour.
FAMILIES_LINES = (
    ("started", OKABE_ITO["blue"]),
    ("completed", OKABE_ITO["orange"]),
    ("light_touch_contacted", OKABE_ITO["green"]),
)


def families_figure(result: ReachResult) -> FigureData:
    """Cumulative families starting and completing direct work, and given light-touch
    support, quarter by quarter (as :func:`costmodel.present.charts.families_chart`): the
    mean over runs, and the 5th–95th percentile band of the runs' running totals. Three
    traces per outcome: the band's lower edge, its upper edge (filled down to the lower)
    and the mean; light-touch support is hidden where the team gives none."""
    dates = result.quarter_labels()
    light_touch = bool(result.total("light_touch_contacted").any())
    traces: list[dict[str, Any]] = []
    for name, _colour in FAMILIES_LINES:
        shown = name != "light_touch_contacted" or light_touch
        cum = result.cumulative(name, 5, 95) if shown else None
        for col in ("low", "high", "mean"):
            y = cum[col].to_numpy() if cum is not None else np.zeros(len(dates))
            traces.append({"x": dates, "y": y, "visible": shown})
    layout = {"title": _title(f"Families helped by the team: {result.runs:,} simulation runs")}
    return FigureData("families", tuple(traces), layout)


def cumulative_figure(projection: Projection) -> FigureData:
    """Cumulative discounted costs against cumulative discounted net savings, by year
    (as :func:`costmodel.present.charts.cumulative_chart`), with the payback of the mean
    curves marked; the band (5th–95th percentile of draws) where there are draws."""
    cum = projection.cumulative(5, 95)
    costs, savings = cum["costs"].to_numpy(), cum["savings"].to_numpy()
    lo, hi = cum["savings_low"].to_numpy(), cum["savings_high"].to_numpy()
    years = projection.financial_years()
    single = projection.draws == 1
    div, unit = _money_unit(np.concatenate([costs, savings, lo, hi]))
    x = np.arange(len(years), dtype=float)
    suffix = "" if single else ": mean"
    traces: list[dict[str, Any]] = [
        {"x": x, "y": lo / div, "visible": not single},
        {"x": x, "y": hi / div, "visible": not single},
        {
            "x": x,
            "y": costs / div,
            "name": f"Cumulative costs{suffix}",
            "text": [money_short(v) for v in costs],
        },
        {
            "x": x,
            "y": savings / div,
            "name": f"Cumulative net savings{suffix}",
            "text": [money_short(v) for v in savings],
        },
    ]
    paid_back = cum.attrs["payback_of_means"]
    if np.isfinite(paid_back):
        # year i's point is at x = i (the end of year i, time i + 1): time t is at t - 1
        xp = max(paid_back - 1.0, 0.0)
        i = min(int(np.ceil(paid_back)) - 1, len(years) - 1)
        yp = float(np.interp(xp, x, costs)) / div
        low = min(0.0, float(np.nanmin(np.concatenate([costs, savings]))) / div)
        high = float(np.nanmax(np.concatenate([costs, savings]))) / div
        traces.append(
            {
                "x": [xp],
                "y": [yp],
                "visible": True,
                "name": f"Payback{'' if single else ' (means)'}: in {years[i]}",
            }
        )
        traces.append({"x": [xp, xp], "y": [low, high], "visible": True})
    else:
        traces.append({"x": [], "y": [], "visible": False, "name": "Payback"})
        traces.append({"x": [], "y": [], "visible": False})
    draws = "deterministic" if single else f"{projection.draws:,} draws"
    price = f"{projection.price_basis}, discounted"
    layout = {
        "title": _title(
            "Cumulative costs and net savings, discounted: "
            f"{scenario_label(projection.scenario)} scenario, {draws}"
        ),
        "xaxis": {"tickvals": x, "ticktext": years, "range": [-0.6, len(years) - 0.4]},
        "yaxis": {"ticksuffix": unit, "title": {"text": f"£ cumulative<br>{price}"}},
    }
    return FigureData("cumulative", tuple(traces), layout)


# ------------------------------------------------------------------ the widget


def _frame(kind: str) -> tuple[list[Any], dict[str, Any]]:
    """The traces (styles only) and layout each chart starts with: what no control
    changes, sent to the browser once."""
    base: dict[str, Any] = {
        "width": WIDTH,
        "height": HEIGHT,
        "template": "simple_white",
        "font": FONT,
        "margin": {"l": 70, "r": 20, "t": 60, "b": 40},
        "legend": {"orientation": "h", "x": 0, "y": -0.18, "yanchor": "top"},
        "modebar": {"orientation": "v"},
        "xaxis": {"showgrid": False},
        "yaxis": {"showgrid": True, "gridcolor": GRID},
    }
    if kind == "baseline":
        traces = [
            go.Bar(
                orientation="h",
                textposition="outside",
                cliponaxis=False,
                hovertemplate="%{y}: %{text}<extra></extra>",
            )
        ]
        base.update(
            height=340,
            margin={"l": 230, "r": 20, "t": 60, "b": 50},
            xaxis={"tickprefix": "£", "ticksuffix": "m", "showgrid": True, "gridcolor": GRID},
            yaxis={"autorange": "reversed", "showgrid": False, "ticks": ""},
            showlegend=False,
        )
        return traces, base
    if kind == "families":
        traces = []
        for name, colour in FAMILIES_LINES:
            label = REACH_OUTCOMES[name].long
            band = {"mode": "lines", "line": {"width": 0}, "hoverinfo": "skip"}
            traces.append(go.Scatter(showlegend=False, **band))
            traces.append(
                go.Scatter(
                    fill="tonexty",
                    fillcolor=_rgba(colour, BAND_ALPHA),
                    name=f"{label}: 5th–95th percentile of runs",
                    **band,
                )
            )
            traces.append(
                go.Scatter(
                    mode="lines+markers",
                    line={"color": colour, "width": 2},
                    marker={"size": 4},
                    name=f"{label}: mean",
                    hovertemplate="%{x|%b %Y}: %{y:,.0f}<extra></extra>",
                )
            )
        base["xaxis"] = {"tickformat": "%b %Y", "showgrid": False}
        base["yaxis"] = {
            "rangemode": "tozero",
            "tickformat": ",.0f",
            "showgrid": True,
            "gridcolor": GRID,
            "title": {"text": "families (cumulative)"},
        }
        base["height"] = 420
        base["margin"] = {"l": 70, "r": 20, "t": 60, "b": 40}
        base["legend"] = {
            "orientation": "h",
            "x": 0,
            "y": -0.12,
            "yanchor": "top",
            "traceorder": "normal",
        }
        return traces, base
    if kind == "cumulative":
        band = {"mode": "lines", "line": {"width": 0}, "hoverinfo": "skip"}
        hover = "%{text}<extra>%{fullData.name}</extra>"
        traces = [
            go.Scatter(showlegend=False, **band),
            go.Scatter(
                fill="tonexty",
                fillcolor=_rgba(SAVINGS, BAND_ALPHA),
                name="Net savings: 5th–95th percentile of draws",
                **band,
            ),
            go.Scatter(
                mode="lines+markers",
                line={"color": COSTS, "width": 2},
                marker={"symbol": "square", "size": 5},
                hovertemplate=hover,
            ),
            go.Scatter(
                mode="lines+markers",
                line={"color": SAVINGS, "width": 2},
                marker={"size": 5},
                hovertemplate=hover,
            ),
            go.Scatter(
                mode="markers",
                marker={
                    "symbol": "diamond",
                    "size": 10,
                    "color": "white",
                    "line": {"color": INK, "width": 1.2},
                },
                hoverinfo="name",
            ),
            go.Scatter(
                mode="lines",
                line={"color": INK, "width": 1, "dash": "dot"},
                showlegend=False,
                hoverinfo="skip",
            ),
        ]
        base["yaxis"] = {
            "tickprefix": "£",
            "showgrid": True,
            "gridcolor": GRID,
            "zeroline": True,
            "zerolinecolor": INK,
        }
        base["xaxis"] = {"showgrid": False, "tickangle": -45}
        base["height"] = 440
        base["legend"] = {"orientation": "h", "x": 0, "y": -0.25, "yanchor": "top"}
        base["margin"] = {"l": 90, "r": 20, "t": 60, "b": 40}
        return traces, base
    raise ValueError(f"no chart called {kind!r}")


@functools.cache
def _widget_class(bundle: str | None) -> type[go.FigureWidget]:
    """Plotly's ``FigureWidget``; in the app (``bundle``: where its server serves plotly's
    code), one that carries a loader of that code instead of the code itself
    (:mod:`costmodel.present.plotly_bundle`)."""
    if not bundle:
        return go.FigureWidget
    if "jsonschema" not in sys.modules:
        # plotly's widget module imports nbformat, hence jsonschema, whose optional check
        # of IRIs (rfc3987_syntax) compiles a grammar when imported: over a second of CPU
        # and some 20 MB in every kernel of the app, for nothing the app does. Left out
        # there (None in sys.modules makes its import fail, which jsonschema allows for).
        cast(dict[str, Any], sys.modules).setdefault("rfc3987_syntax", None)
    import traitlets

    esm = traitlets.Unicode(loader_esm(bundle)).tag(sync=True)
    return type("FigureWidget", (go.FigureWidget,), {"_esm": esm, "__module__": __name__})


class LiveFigure:
    """One chart on screen: a ``plotly.graph_objects.FigureWidget`` (``.widget``) made
    once, whose traces' data and titles :meth:`show` replaces in place. Plotly sends the
    browser only the properties whose values changed. In ``costmodel app`` the figure
    carries a loader of plotly's code, served once per page, instead of the code, and
    sends the browser the chart as it stands when the code has loaded (:meth:`_sync`)."""

    def __init__(self, kind: str):
        traces, layout = _frame(kind)
        self.kind = kind
        self.widget = _widget_class(os.environ.get(BUNDLE_VARIABLE))(data=traces, layout=layout)
        self.widget.on_msg(self._sync)
        self.shown: FigureData | None = None

    def show(self, data: FigureData) -> None:
        """Show ``data`` (a chart of this figure's kind)."""
        if data.kind != self.kind or len(data.traces) != len(self.widget.data):
            raise ValueError(f"a {data.kind} chart cannot be shown on a {self.kind} figure")
        with self.widget.batch_update():
            for trace, props in zip(self.widget.data, data.traces, strict=True):
                trace.update(_plain(props))
            self.widget.layout.update(_plain(data.layout))
        if self.shown is None:
            # The first chart is shown before the widget is on a page: the changes above
            # go out as messages no page receives yet, so the state a page starts from
            # (which plotly refreshes only when a figure is itself a cell's output, not
            # a child of a box) is brought up to date, once.
            self._refresh_state()
        self.shown = data

    def _refresh_state(self) -> None:
        """Make the widget's synced state (what a page draws first) the figure as it is."""
        self.widget._widget_data = deepcopy(self.widget._data)
        self.widget._widget_layout = deepcopy(self.widget._layout_obj._props)

    def _sync(self, _widget: Any, content: Any, _buffers: Any) -> None:
        """The page has loaded plotly's code: send it the chart as it stands (the
        changes made before the code arrived reached no page), then say so."""
        if isinstance(content, dict) and content.get("costmodel") == SYNC:
            self._refresh_state()
            # sent even where unchanged (then a second time: a few kilobytes, once)
            self.widget.send_state(["_widget_data", "_widget_layout"])
            self.widget.send({"costmodel": SYNCED})

    def state(self) -> dict[str, Any]:
        """What the figure holds now, as plain JSON-able values: its traces (without
        the identifiers plotly gives them) and its layout."""
        out = self.widget.to_plotly_json()
        out["data"] = [{k: v for k, v in t.items() if k != "uid"} for t in out["data"]]
        return out


def _plain(props: Mapping[str, Any]) -> dict[str, Any]:
    """Arrays as lists of floats, dates as text: what plotly sends as it is."""
    out: dict[str, Any] = {}
    for k, v in props.items():
        if isinstance(v, Mapping):
            out[k] = _plain(v)
        elif isinstance(v, np.ndarray):
            out[k] = v.tolist()
        elif isinstance(v, dt.date):
            out[k] = v.isoformat()
        else:
            out[k] = v
    return out


__all__ = [
    "FAMILIES_LINES",
    "HEIGHT",
    "WIDTH",
    "FigureData",
    "LiveFigure",
    "baseline_figure",
    "cumulative_figure",
    "families_figure",
]
