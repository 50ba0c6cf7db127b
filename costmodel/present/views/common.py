"""What every view shares: settings, the shared team simulation, the chart cache, and
the small building blocks (a table, a slider, an error line, a progress bar).

Views only format: every number they show comes from the library (model and
analysis), and nothing here computes a figure of its own.
"""

from __future__ import annotations

import html
import io
import os
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Sequence
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any

try:
    import ipywidgets as w
except ModuleNotFoundError as exc:  # pragma: no cover - depends on the installation
    raise ModuleNotFoundError(
        "the notebook views need ipywidgets: pip install 'costmodel[notebooks]'"
    ) from exc

from ...params.errors import CostModelError
from ...params.store import ParameterSet, default_root, load

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from ...model.team_result import ReachResult


#: Monte Carlo sizes offered by default (capped by $COSTMODEL_NOTEBOOK_DRAWS).
DEFAULT_DRAWS = 2000
FIGURE_DPI = 110
ERROR_STYLE = "color:#b00020;font-weight:bold"


# ------------------------------------------------------------------ settings


def monte_carlo_draws(default: int = DEFAULT_DRAWS) -> int:
    """``default``, or less if ``$COSTMODEL_NOTEBOOK_DRAWS`` says so (for quick test runs)."""
    cap = os.environ.get("COSTMODEL_NOTEBOOK_DRAWS")
    return min(default, int(cap)) if cap else default


def output_folder() -> Path:
    """Where notebooks write files: ``$COSTMODEL_OUTPUT_DIR``, the project's ``reports/``
    folder, or the current folder."""
    env = os.environ.get("COSTMODEL_OUTPUT_DIR")
    if env:
        return Path(env)
    reports = default_root().parent / "reports"
    return reports if reports.is_dir() else Path.cwd()


# ------------------------------------------------------------------ caches


class _Recent(OrderedDict):
    """A small cache keeping the ``size`` entries used last (most recent last)."""

    def __init__(self, size: int):
        super().__init__()
        self.size = size

    def get_or_make(self, key: Hashable, make: Callable[[], Any]) -> Any:
        if key in self:
            self.move_to_end(key)
            return self[key]
        value = make()
        self[key] = value
        while len(self) > self.size:
            self.popitem(last=False)
        return value


#: How many simulations :data:`_REACH_CACHE` keeps (each is a few hundred kilobytes).
REACH_CACHE_SIZE = 16
#: Deterministic team simulations kept for reuse (most recent last), shared by every
#: view in the process: the reach view's and the savings view's for the same
#: parameters are one simulation, and a control moved back to a value it had before
#: is answered without simulating again.
_REACH_CACHE = _Recent(REACH_CACHE_SIZE)
#: How many drawn charts :data:`_CHART_CACHE` keeps (each a PNG of some 50 kB).
CHART_CACHE_SIZE = 64
#: Charts already drawn, by what they show: a control moved back, or another view of
#: the same figures, is answered without drawing again.
_CHART_CACHE = _Recent(CHART_CACHE_SIZE)


def shared_reach(params: ParameterSet, runs: int, seed: int = 0) -> ReachResult:
    """The team simulation at central parameter values (chance only), computed once
    for each set of parameter values, runs and seed, and shared between the views."""
    from ...analysis.explore import team_reach

    return _REACH_CACHE.get_or_make(
        (params.fingerprint(), runs, seed),
        lambda: team_reach(params, runs=runs, seed=seed, parameter_uncertainty=False),
    )


#: One Agg canvas for each figure size, drawn on again for every chart of that size: its
#: renderer, and the text measurements matplotlib keeps for it, outlive each figure.
_CANVASES: dict[tuple[float, float], Any] = {}


def _png(fig: Figure) -> bytes:
    """The figure as PNG bytes (the same bytes as on a canvas of its own)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    size = (float(fig.get_figwidth()), float(fig.get_figheight()))
    canvas = _CANVASES.get(size)
    if canvas is None:
        _CANVASES[size] = FigureCanvasAgg(fig)
    else:
        canvas.figure = fig
        fig.set_canvas(canvas)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=FIGURE_DPI, facecolor="white")
    return buf.getvalue()


def chart_png(key: Hashable | None, draw: Callable[[], Any]) -> bytes:
    """The chart ``draw()`` makes, as PNG bytes; drawn once for each ``key`` (what the
    chart shows), or every time when ``key`` is None."""
    if key is None:
        return _png(draw())
    return _CHART_CACHE.get_or_make(key, lambda: _png(draw()))


# ------------------------------------------------------------------ building blocks


def _image() -> w.Image:
    return w.Image(format="png", layout=w.Layout(width="100%", max_width="820px"))


def _table(header: Sequence[str], rows: Iterable[Sequence[str]], caption: str = "") -> str:
    """A small HTML table (first column left, the rest right-aligned)."""

    def cells(tag: str, row: Sequence[object]) -> str:
        return "".join(
            f"<{tag} style='text-align:{'left' if i == 0 else 'right'};"
            f"padding:2px 10px'>{html.escape(str(c))}</{tag}>"
            for i, c in enumerate(row)
        )

    body = "".join(f"<tr>{cells('td', r)}</tr>" for r in rows)
    cap = (
        f"<caption style='caption-side:bottom;color:#555'>{html.escape(caption)}</caption>"
        if caption
        else ""
    )
    return (
        f"<table style='border-collapse:collapse'>{cap}<thead><tr>{cells('th', header)}"
        f"</tr></thead><tbody>{body}</tbody></table>"
    )


def _slider(
    value: float,
    low: float,
    high: float,
    step: float,
    description: str,
    fmt: str = ".2f",
    integer: bool = False,
) -> w.ValueWidget:
    style = {"description_width": "14em"}
    layout = w.Layout(width="34em")
    if integer:
        return w.IntSlider(
            value=int(value),
            min=int(low),
            max=int(high),
            step=int(step),
            description=description,
            style=style,
            layout=layout,
            continuous_update=False,
        )
    return w.FloatSlider(
        value=float(value),
        min=low,
        max=high,
        step=step,
        description=description,
        readout_format=fmt,
        style=style,
        layout=layout,
        continuous_update=False,
    )


def _guarded(method: Callable) -> Callable:
    """Run a view's update; show a bad-input error as one line instead of raising."""

    @wraps(method)
    def run(self: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            out = method(self, *args, **kwargs)
        except (CostModelError, ValueError, KeyError) as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            self.message.value = f"<span style='{ERROR_STYLE}'>{html.escape(first)}</span>"
            self.error = first
            return None
        self.error = None
        return out

    return run


class _Progress:
    """Wraps the simulation's time loop so an IntProgress bar follows it."""

    def __init__(self, bar: w.IntProgress):
        self.bar = bar

    def __call__(self, steps: Iterable) -> Iterable:
        steps = list(steps)
        self.bar.max, self.bar.value = max(len(steps), 1), 0
        self.bar.layout.visibility = "visible"
        for i, s in enumerate(steps):
            yield s
            if i % 4 == 0:
                self.bar.value = i + 1
        self.bar.value = self.bar.max


class _View(w.VBox):
    """Common parts: parameters, a message line, and a progress bar."""

    def __init__(self, params: ParameterSet | None, children: Sequence[w.Widget]):
        self.params = params if params is not None else load()
        self.message = w.HTML()
        self.error: str | None = None
        self.progress = w.IntProgress(
            value=0,
            min=0,
            max=1,
            description="Monte Carlo",
            layout=w.Layout(visibility="hidden", width="34em"),
        )
        super().__init__([*children, self.message, self.progress])

    def _say(self, text: str) -> None:
        self.message.value = html.escape(text)


__all__ = [
    "CHART_CACHE_SIZE",
    "DEFAULT_DRAWS",
    "ERROR_STYLE",
    "FIGURE_DPI",
    "REACH_CACHE_SIZE",
    "chart_png",
    "monte_carlo_draws",
    "output_folder",
    "shared_reach",
]
