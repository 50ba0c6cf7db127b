"""The commissioners' views (ipywidgets), one module each.

* :class:`BaselineView` (:mod:`.baseline_view`) – the cost of late intervention, by issue
  and agency, per head.
* :class:`ReachView` (:mod:`.reach_view`) – how many families the team reaches, and at
  what cost.
* :class:`SavingsView` (:mod:`.savings_view`) – NPV, benefit-cost ratio, payback,
  P(NPV > 0), tornado, EVPI.
* :class:`ScenarioBuilder` (:mod:`.builder_view`) – a scenario of one's own, saved as
  YAML, and its PDF report.

What they share (settings, the shared team simulation, the chart cache) is in
:mod:`.common`. The notebooks import them as ``costmodel.present.widgets``.
"""

from __future__ import annotations

from .baseline_view import BaselineView
from .builder_view import ScenarioBuilder
from .common import monte_carlo_draws, output_folder
from .reach_view import ReachView
from .savings_view import SavingsView

__all__ = [
    "BaselineView",
    "ReachView",
    "SavingsView",
    "ScenarioBuilder",
    "monte_carlo_draws",
    "output_folder",
]
