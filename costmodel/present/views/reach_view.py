"""The team's reach view: families the team reaches over time, reported against
modelled, and the cost per family."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ipywidgets as w

from ...model.vocabulary import NATIONAL_AREA
from ...params.scenarios import DEFAULT_SCENARIO, apply_scenario, default_scenario
from ...params.store import ParameterSet, area_folders, load
from ..formatting import band_rows, number
from ..labels import REACH_OUTCOMES, area_label
from .common import (
    DEFAULT_DRAWS,
    _guarded,
    _Progress,
    _slider,
    _table,
    _View,
    monte_carlo_draws,
    shared_reach,
)
from .figures import LiveFigure, families_figure

if TYPE_CHECKING:
    from ...model.team_result import ReachResult


#: Runs behind the reach view's quick estimate (chance only, parameters at the values
#: chosen): 100, so that a team control is answered within 0.2 s (the simulation takes
#: about 0.1 s of it; 200 runs took about 0.15 s). The Monte Carlo button runs more.
QUICK_REACH_RUNS = 100
#: Team controls of the reach view: control → parameter.
REACH_CONTROLS = {
    "posts": "team.staff.posts",
    "caseload": "team.direct_work.caseload",
    "case_duration": "team.direct_work.case_duration",
    "referral_rate": "team.referrals.rate",
    "advice_share": "team.staff.advice_share",
    "start_date": "team.programme.start_date",
}
#: What the reach view's table shows, in order.
SHOWN = (
    "started",
    "completed",
    "light_touch_contacted",
    "families_supported",
    "children_supported",
    "reached_indirectly",
    "waiting_at_end",
    "spend",
    "cost_per_family_supported",
    "cost_per_family_started",
)


class ReachView(_View):
    """Families the team reaches over time, and the cost per family."""

    def __init__(self, params: ParameterSet | None = None, scenario: str | None = DEFAULT_SCENARIO):
        params = apply_scenario(params if params is not None else load(), scenario)
        self._scenario = scenario
        self._syncing = False
        root = params.root
        folders = area_folders(root) if root is not None else []
        teams = [a for a in folders if (Path(str(root)) / "areas" / a / "team.yaml").is_file()]
        teams = teams or [params.area or NATIONAL_AREA]
        self.area = w.Dropdown(
            options=[(area_label(a), a) for a in teams],
            value=params.area if params.area in teams else teams[0],
            description="Area (with a team)",
            style={"description_width": "14em"},
        )
        v = {k: params[p].value for k, p in REACH_CONTROLS.items()}
        self.posts = _slider(v["posts"], 1, 20, 1, "Posts (incl. manager)", integer=True)
        self.caseload = _slider(v["caseload"], 2, 30, 1, "Caseload (families)", ".0f")
        self.case_duration = _slider(v["case_duration"], 2, 52, 1, "Case length (weeks)", ".0f")
        self.referral_rate = _slider(v["referral_rate"], 1, 40, 0.5, "Referrals per week", ".1f")
        self.advice_share = _slider(
            v["advice_share"], 0, 0.9, 0.05, "Time on advice (share)", ".2f"
        )
        self.start_date = w.DatePicker(
            value=v["start_date"], description="Start date", style={"description_width": "14em"}
        )
        self.runs = _slider(
            monte_carlo_draws(DEFAULT_DRAWS),
            10,
            max(monte_carlo_draws(10_000), 10),
            10,
            "Monte Carlo runs",
            integer=True,
        )
        self.run_button = w.Button(
            description="Run Monte Carlo", button_style="primary", icon="random"
        )
        self.table = w.HTML()
        self.figure = LiveFigure("families")
        self.chart = self.figure.widget
        self.result: Any = None
        self.monte_carlo = False
        controls = [
            self.posts,
            self.caseload,
            self.case_duration,
            self.referral_rate,
            self.advice_share,
            self.start_date,
        ]
        super().__init__(
            params,
            [self.area, *controls, w.HBox([self.runs, self.run_button]), self.table, self.chart],
        )
        for c in controls:
            c.observe(lambda _change: None if self._syncing else self.update(), names="value")
        self.area.observe(lambda _change: self.switch_area(), names="value")
        self.run_button.on_click(lambda _b: self.run_monte_carlo())
        self.update()

    def switch_area(self) -> None:
        """Load the chosen area's team (its default scenario) onto the controls."""
        if self.area.value == self.params.area:
            return
        root = self.params.root
        scenario = default_scenario(root, self.area.value)
        self.params = apply_scenario(load(self.area.value, root=root), scenario)
        self._syncing = True
        try:
            for k, path in REACH_CONTROLS.items():
                getattr(self, k).value = self.params[path].value
        finally:
            self._syncing = False
        self.update()

    def values(self) -> dict[str, Any]:
        """Parameter path → value, as the controls stand."""
        out = {p: getattr(self, k).value for k, p in REACH_CONTROLS.items()}
        if not isinstance(out[REACH_CONTROLS["start_date"]], dt.date):
            raise ValueError("choose a start date")
        return out

    def current_params(self) -> ParameterSet:
        """The scenario with the controls that differ from it (a control left at the
        scenario's value leaves that parameter's joint draws, if any, in place)."""
        changed = {k: v for k, v in self.values().items() if v != self.params[k].value}
        return self.params.with_values(changed, file="notebook") if changed else self.params

    @_guarded
    def update(self) -> None:
        """Chance only, parameters at the controls' values (quick; shared with the
        savings view and kept for a control moved back, see :func:`shared_reach`)."""
        p = self.current_params()
        res = shared_reach(p, QUICK_REACH_RUNS)
        self._show(res, monte_carlo=False)

    @_guarded
    def run_monte_carlo(self, runs: int | None = None, seed: int = 1) -> None:
        """Every run draws its own parameter values as well as chance events."""
        from ...analysis.explore import team_reach

        runs = runs or self.runs.value
        self._say(f"Simulating {runs:,} runs…")
        res = team_reach(
            self.current_params(),
            runs=runs,
            seed=seed,
            parameter_uncertainty=True,
            progress=_Progress(self.progress),
        )
        self._show(res, monte_carlo=True)

    def _show(self, res: ReachResult, monte_carlo: bool) -> None:
        self.result, self.monte_carlo = res, monte_carlo
        rows = band_rows(res.totals(), SHOWN, REACH_OUTCOMES)
        what = (
            f"Monte Carlo: {res.runs:,} runs, each with its own parameter values"
            if monte_carlo
            else f"Quick estimate from {res.runs:,} runs of chance events, parameters at the "
            "values chosen; the Monte Carlo button for the full run"
        )
        text = _table(
            ["Over the funded period", "Mean", "5th – 95th percentile"],
            rows,
            f"{what}; money in {res.inputs.price_year} prices.",
        )
        rep = res.reported()
        if len(rep):
            text += _table(
                ["Modelled against reported", "Reported", "Modelled mean", "5th – 95th"],
                [
                    [
                        f"{r['measure'].capitalize()} in the first {int(r['weeks'])} weeks",
                        number(r["reported"]),
                        number(r["modelled_mean"]),
                        f"{number(r['modelled_p5'])} – {number(r['modelled_p95'])}",
                    ]
                    for _, r in rep.iterrows()
                ],
                "Reported: the team's own count (team.observed in the parameters).",
            )
        # the chart first: the browser takes longer to draw it than to show a table
        self.figure.show(families_figure(res))
        self.table.value = text
        self._say("")


__all__ = ["QUICK_REACH_RUNS", "REACH_CONTROLS", "ReachView"]
