"""Interactive views for the commissioners' notebooks and app (ipywidgets).

The views live one to a module in :mod:`costmodel.present.views`; this module is the
name the notebooks, the app and the documentation import them by.

Each view is an ``ipywidgets.VBox``: controls on top, figures and tables below. It
displays when it is the last expression of a notebook cell. Moving a control
recomputes at once with central values (a deterministic run); the Monte Carlo
buttons add uncertainty, with a progress bar. Every figure a view shows comes from
the library's own functions, and the last result is kept on the view (``.result``)
so that it can be checked or reused from code. Bad input shows as a one-line message
in the view, never as a traceback. What a control does not change is kept: the
team simulation (shared between views, :func:`shared_reach`), a scenario's
parameters, baselines, and every Monte Carlo chart already drawn. The charts that follow
the controls are drawn in the browser (plotly ``FigureWidget`` objects, made once, whose data
are replaced in place: :mod:`costmodel.present.views.figures`).

* :class:`BaselineView` – the cost of late intervention, by issue and agency, per head.
* :class:`ReachView` – how many families the team reaches, and at what cost.
* :class:`SavingsView` – NPV, benefit-cost ratio, payback, P(NPV > 0), tornado, EVPI.
* :class:`ScenarioBuilder` – a scenario of one's own, saved as YAML, and its PDF report.

``$COSTMODEL_NOTEBOOK_DRAWS`` caps Monte Carlo sizes (the test suite sets it small);
``$COSTMODEL_OUTPUT_DIR`` says where files are written (default: the project's
``reports/`` folder).
"""

from __future__ import annotations

from .views.baseline_view import BaselineView
from .views.builder_view import ScenarioBuilder
from .views.common import _CHART_CACHE as _CHART_CACHE  # for tests and benchmarks
from .views.common import _REACH_CACHE as _REACH_CACHE
from .views.common import (
    CHART_CACHE_SIZE,
    DEFAULT_DRAWS,
    ERROR_STYLE,
    FIGURE_DPI,
    REACH_CACHE_SIZE,
    chart_png,
    monte_carlo_draws,
    output_folder,
    shared_reach,
)
from .views.reach_view import QUICK_REACH_RUNS, REACH_CONTROLS, ReachView
from .views.savings_view import SAVINGS_CONTROLS, TORNADO_RUNS, SavingsView

__all__ = [
    "CHART_CACHE_SIZE",
    "DEFAULT_DRAWS",
    "ERROR_STYLE",
    "FIGURE_DPI",
    "QUICK_REACH_RUNS",
    "REACH_CACHE_SIZE",
    "REACH_CONTROLS",
    "SAVINGS_CONTROLS",
    "TORNADO_RUNS",
    "BaselineView",
    "ReachView",
    "SavingsView",
    "ScenarioBuilder",
    "chart_png",
    "monte_carlo_draws",
    "output_folder",
    "shared_reach",
]
