"""The savings view: NPV, benefit-cost ratio, payback and P(NPV > 0) under a scenario,
with what-ifs (the overrides come from :mod:`costmodel.analysis.what_if`), Monte Carlo,
the tornado, the value of information and scenarios side by side."""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import ipywidgets as w
import numpy as np

from ...analysis.explore import appraisal
from ...analysis.what_if import (
    first_discount_rate,
    pv_costs_less_income,
    what_if_overrides,
)
from ...model.programme import CENTRAL_REACH_RUNS
from ...model.result import Projection
from ...model.vocabulary import NATIONAL_AREA
from ...params.errors import CostModelError
from ...params.scenarios import DEFAULT_SCENARIO, apply_scenario, list_scenarios
from ...params.store import ParameterSet, area_folders, load
from ..formatting import by_kind, money_round, number, percent, span
from ..labels import INDICATORS, area_label
from .common import (
    DEFAULT_DRAWS,
    ERROR_STYLE,
    _guarded,
    _image,
    _Progress,
    _Recent,
    _slider,
    _table,
    _View,
    chart_png,
    monte_carlo_draws,
    shared_reach,
)
from .figures import LiveFigure, cumulative_figure

if TYPE_CHECKING:
    from ...model.team_result import ReachResult


#: Team-simulation runs per deterministic evaluation in the tornado.
TORNADO_RUNS = 200
#: Additionality and persistence controls of the savings view: control → parameter.
SAVINGS_CONTROLS = {
    "deadweight": "savings.additionality.deadweight",
    "attribution": "savings.additionality.attribution",
    "displacement": "savings.additionality.displacement",
    "optimism_bias": "savings.optimism_bias.benefits_medium",
    "transfer": "savings.evidence.transfer",
    "drop_off": "savings.persistence.drop_off",
    "years_after_support": "savings.appraisal.years_after_support",
}


class SavingsView(_View):
    """NPV, benefit-cost ratio, payback and P(NPV > 0) under a scenario, with what-ifs."""

    def __init__(self, params: ParameterSet | None = None, scenario: str = DEFAULT_SCENARIO):
        params = params if params is not None else load()
        self._sims: dict[str, Any] = {}
        self._scenarios = _Recent(8)
        self._syncing = False
        self._switching = False
        folders = area_folders(params.root) if params.root is not None else []
        self.area = w.Dropdown(
            options=[(area_label(a), a) for a in folders or [params.area or NATIONAL_AREA]],
            value=params.area if params.area in folders else (folders or [NATIONAL_AREA])[0],
            description="Area",
        )
        self.scenario = w.Dropdown(
            options=list(list_scenarios(params.root, params.area)),
            value=scenario,
            description="Scenario",
        )
        self.effect_scale = _slider(1.0, 0.0, 3.0, 0.05, "Effects × (1 = as assumed)")
        self.deadweight = _slider(0, 0, 0.9, 0.01, "Deadweight")
        self.attribution = _slider(0, 0, 0.9, 0.01, "Attribution to others")
        self.displacement = _slider(0, 0, 0.9, 0.01, "Displacement")
        self.optimism_bias = _slider(0, 0, 0.9, 0.01, "Optimism bias (medium evidence)")
        self.transfer = _slider(0, 0, 1, 0.05, "Transfer factor (effects measured elsewhere)")
        self.drop_off = _slider(0, 0, 1, 0.05, "Fade beyond the measured window (a year)")
        self.years_after_support = _slider(
            8, 1, 30, 1, "Years followed after support", integer=True
        )
        self.discount_rate = _slider(0, 0, 0.1, 0.005, "Discount rate (a year)", ".3f")
        self.draws = _slider(
            monte_carlo_draws(DEFAULT_DRAWS),
            100 if monte_carlo_draws(DEFAULT_DRAWS) >= 100 else 10,
            max(monte_carlo_draws(20_000), 100),
            100,
            "Monte Carlo draws",
            integer=True,
        )
        self.mc_button = w.Button(description="Run Monte Carlo", button_style="primary")
        self.tornado_button = w.Button(description="Tornado")
        self.reset_button = w.Button(description="Reset to scenario")
        self.headline = w.HTML()
        self.figure = LiveFigure("cumulative")
        self.chart = self.figure.widget
        # each analysis keeps its own place, so running one does not hide another
        self.mc_text, self.mc_chart = w.HTML(), _image()
        self.tornado_text, self.tornado_chart = w.HTML(), _image()
        self.compare_text, self.compare_chart = w.HTML(), _image()
        self.result: Any = None
        self.monte_carlo: Any = None
        self.tornado: Any = None
        self.value_of_information: Any = None
        self.comparison: Any = None
        self._controls = [
            self.effect_scale,
            *(getattr(self, k) for k in SAVINGS_CONTROLS),
            self.discount_rate,
        ]
        left = w.VBox([self.area, self.scenario, *self._controls])
        buttons = w.HBox([self.draws, self.mc_button, self.tornado_button, self.reset_button])
        super().__init__(
            params,
            [
                left,
                buttons,
                self.headline,
                self.chart,
                self.mc_text,
                self.mc_chart,
                self.tornado_text,
                self.tornado_chart,
                self.compare_text,
                self.compare_chart,
            ],
        )
        self.scenario.observe(lambda _c: None if self._switching else self.reset(), names="value")
        self.area.observe(lambda _c: self.switch_area(), names="value")
        for c in self._controls:
            c.observe(lambda _c: None if self._syncing else self.update(), names="value")
        self.mc_button.on_click(lambda _b: self.run_monte_carlo())
        self.tornado_button.on_click(lambda _b: self.run_tornado())
        self.reset_button.on_click(lambda _b: self.reset())
        self.reset()

    def switch_area(self) -> None:
        """Load the chosen area's parameters and offer its scenarios (its default one)."""
        if self.area.value == self.params.area:
            return
        self.params = load(self.area.value, root=self.params.root)
        self._sims = {}
        self._scenarios.clear()
        names = list(list_scenarios(self.params.root, self.params.area))
        self._switching = True
        try:
            self.scenario.options = names
            self.scenario.value = next(
                (n for n in (DEFAULT_SCENARIO, "central") if n in names), names[0]
            )
        finally:
            self._switching = False
        self.reset()

    # the scenario's own values on the controls
    def reset(self) -> None:
        """Put the controls at the chosen scenario's values and recompute."""
        try:
            p = self.scenario_params()
        except CostModelError as exc:
            self.message.value = f"<span style='{ERROR_STYLE}'>{html.escape(str(exc))}</span>"
            return
        self._syncing = True
        try:
            self.effect_scale.value = 1.0
            for k, path in SAVINGS_CONTROLS.items():
                getattr(self, k).value = float(p[path].value)
            self.discount_rate.value = first_discount_rate(p)
        finally:
            self._syncing = False
        self.update()

    def scenario_params(self) -> ParameterSet:
        """The chosen scenario applied to the area's parameters (once for each scenario:
        the controls do not change it)."""
        key = (id(self.params), self.scenario.value)
        return self._scenarios.get_or_make(
            key, lambda: apply_scenario(self.params, self.scenario.value)
        )

    def overrides(self) -> dict[str, Any]:
        """Parameter overrides for the controls (effects scaled, their spread with them;
        see :func:`costmodel.analysis.what_if.what_if_overrides`)."""
        return what_if_overrides(
            self.scenario_params(),
            {path: getattr(self, k).value for k, path in SAVINGS_CONTROLS.items()},
            effect_scale=self.effect_scale.value,
            discount_rate=self.discount_rate.value,
        )

    def current_params(self) -> ParameterSet:
        """The scenario with the controls' values."""
        return self.scenario_params().with_values(self.overrides(), file="notebook")

    def _simulation(self, p: ParameterSet) -> ReachResult | None:
        """The deterministic team simulation for this scenario (the controls leave it be)."""

        name = self.scenario.value
        if "team.budget.total" not in p:  # an area with programmes but no team
            return None
        if name not in self._sims:
            self._sims[name] = shared_reach(p, CENTRAL_REACH_RUNS)
        return self._sims[name]

    @_guarded
    def update(self) -> None:
        """The deterministic appraisal at the controls' values (central values throughout)."""
        p = self.current_params()
        proj = appraisal(
            p,
            None,
            draws=1,
            simulation=self._simulation(p),
            check_area=False,
        )
        proj = _renamed(proj, self.scenario.value)
        self.result, self.monte_carlo = proj, None
        a = proj.appraisal
        payback = a.payback_years[0]
        lab = INDICATORS
        costs = money_round(pv_costs_less_income(a)[0])
        rows = [
            [lab["pv_costs"].long + (" less income" if a.income is not None else ""), costs],
            [lab["pv_savings_gross"].long, money_round(a.pv_savings_gross[0])],
            [lab["pv_savings_net"].long, money_round(a.pv_savings_net[0])],
            [lab["npv"].long, money_round(a.npv[0])],
            [lab["bcr"].long, by_kind(a.bcr[0], "ratio")],
            [
                lab["payback_years"].short,
                f"{payback:.1f}" if np.isfinite(payback) else f"not within {a.horizon} years",
            ],
            [lab["break_even_families"].long, number(a.break_even_families[0])],
            [lab["p_npv_positive"].long, "run Monte Carlo"],
        ]
        self.headline.value = _table(
            ["Central values", "Estimate"],
            rows,
            f"{proj.price_year} prices, real terms; discounted at "
            f"{percent(self.discount_rate.value, 1)} a year over {a.horizon} years.",
        )
        self.figure.show(cumulative_figure(proj))
        self._say("")

    @_guarded
    def run_monte_carlo(self, draws: int | None = None, seed: int = 1) -> None:
        """Every parameter drawn from its distribution; P(NPV > 0) and the value of
        information by group of parameters."""
        from ...analysis.value_of_information import evppi
        from .. import charts

        draws = draws or self.draws.value
        self._say(f"Running {draws:,} Monte Carlo draws…")
        proj = appraisal(
            self.current_params(),
            None,
            draws=draws,
            seed=seed,
            check_area=False,
            progress=_Progress(self.progress),
        )
        proj = _renamed(proj, self.scenario.value)
        self.monte_carlo = proj
        s = proj.summary()
        lab = INDICATORS
        rows = [
            [f"{lab['npv'].long}, mean", money_round(s.loc["npv", "mean"])],
            ["NPV, 5th – 95th percentile", span(s.loc["npv", "p5"], s.loc["npv", "p95"], "money")],
            [lab["bcr"].long, by_kind(proj.headlines().loc["bcr", "estimate"], "ratio")],
            [lab["p_npv_positive"].long, percent(proj.p_npv_positive, 1)],
            [lab["p_payback"].long, percent(proj.p_payback, 1)],
        ]
        text = _table(["Monte Carlo", "Estimate"], rows, f"{draws:,} draws, seed {seed}.")
        self.value_of_information = None
        if draws >= 100:
            voi = evppi(proj)
            self.value_of_information = voi
            text += (
                "<p><b>Which evidence gap is worth most</b> (expected value of perfect "
                "information, £)</p>"
                + _table(
                    ["Parameters known", "Value", "Share of EVPI"],
                    [
                        [
                            k,
                            money_round(r["value_of_information"]),
                            percent(r["share_of_evpi"], 0)
                            if np.isfinite(r["share_of_evpi"])
                            else "–",
                        ]
                        for k, r in voi.iterrows()
                    ],
                )
            )
        self.mc_text.value = text
        self.mc_chart.value = chart_png(None, lambda: charts.npv_distribution_chart(proj))
        self._say("")

    @_guarded
    def run_tornado(self, runs: int = TORNADO_RUNS) -> None:
        """NPV with each uncertain parameter at its 5th and 95th percentile, others central."""
        from ...analysis.sensitivity import one_way
        from .. import charts

        self._say("Working out the tornado…")
        t = one_way(self.current_params(), None, runs=runs)
        self.tornado = t
        self.tornado_text.value = (
            "<p><b>Which assumptions matter most</b>: NPV with one "
            "parameter at its 5th and 95th percentile, the others central</p>"
        )
        self.tornado_chart.value = chart_png(None, lambda: charts.tornado_chart(t))
        self._say("")

    @_guarded
    def compare(self, names: Sequence[str], draws: int | None = None, seed: int = 1) -> None:
        """Shipped scenarios side by side (Monte Carlo, the same draws and seed for each)."""
        from .. import charts

        draws = draws or monte_carlo_draws(DEFAULT_DRAWS)
        projections = {}
        for name in names:
            self._say(f"Scenario {name}…")
            projections[name] = appraisal(
                self.params,
                name,
                draws=draws,
                seed=seed,
                check_area=False,
            )
        self.comparison = projections
        means = {n: p.headlines()["estimate"] for n, p in projections.items()}
        rows = [
            [
                n,
                money_round(means[n]["npv"]),
                by_kind(means[n]["bcr"], "ratio"),
                percent(p.p_npv_positive, 0),
            ]
            for n, p in projections.items()
        ]
        self.compare_text.value = _table(
            [
                "Scenario",
                f"{INDICATORS['npv'].short} (mean)",
                INDICATORS["bcr"].long,
                INDICATORS["p_npv_positive"].short,
            ],
            rows,
            f"{draws:,} draws each.",
        )
        self.compare_chart.value = chart_png(None, lambda: charts.scenarios_chart(projections))
        self._say("")


def _renamed(proj: Projection, name: str) -> Projection:
    return replace(proj, scenario=name)


__all__ = ["SAVINGS_CONTROLS", "TORNADO_RUNS", "SavingsView"]
