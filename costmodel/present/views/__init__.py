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
:mod:`.common`. The notebooks, the app and the documentation import the views from
:mod:`costmodel.present.widgets`.
"""
