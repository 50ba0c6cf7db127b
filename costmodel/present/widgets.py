"""Interactive views for the commissioners' notebooks (ipywidgets).

Each view is an ``ipywidgets.VBox``: controls on top, figures and tables below. It
displays when it is the last expression of a notebook cell. Moving a control
recomputes at once with central values (a deterministic run); the Monte Carlo
buttons add uncertainty, with a progress bar. Every figure a view shows comes from
the library's own functions, and the last result is kept on the view (``.result``)
so that it can be checked or reused from code. Bad input shows as a one-line message
in the view, never as a traceback.

* :class:`BaselineView` – the cost of late intervention, by issue and agency, per head.
* :class:`ReachView` – how many families the team reaches, and at what cost.
* :class:`SavingsView` – NPV, benefit-cost ratio, payback, P(NPV > 0), tornado, EVPI.
* :class:`ScenarioBuilder` – a scenario of one's own, saved as YAML, and its PDF report.

``$COSTMODEL_NOTEBOOK_DRAWS`` caps Monte Carlo sizes (the test suite sets it small);
``$COSTMODEL_OUTPUT_DIR`` says where files are written (default: the project's
``reports/`` folder).
"""

from __future__ import annotations

import datetime as dt
import html
import io
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

try:
    import ipywidgets as w
except ModuleNotFoundError as exc:  # pragma: no cover - depends on the installation
    raise ModuleNotFoundError(
        "the notebook views need ipywidgets: pip install 'costmodel[notebooks]'"
    ) from exc

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from ..model.result import Projection
    from ..model.team_result import ReachResult

from ..greenbook.prices import deflators_from_params
from ..model.late_intervention import areas, baseline, default_area
from ..model.programme import CENTRAL_REACH_RUNS
from ..model.projection import project
from ..model.vocabulary import NATIONAL_AREA
from ..params.errors import CostModelError
from ..params.scenarios import (
    DEFAULT_SCENARIO,
    apply_scenario,
    default_scenario,
    list_scenarios,
    load_scenario,
)
from ..params.schema import check_name
from ..params.store import ParameterSet, area_folders, default_root, load
from .formatting import band_rows, by_kind, money, number, percent, span
from .labels import AGENCY_LABELS, INDICATORS, ISSUE_LABELS, REACH_OUTCOMES, area_label

#: Runs behind a deterministic reach view (chance only, central parameter values).
QUICK_REACH_RUNS = 200
#: Monte Carlo sizes offered by default (capped by $COSTMODEL_NOTEBOOK_DRAWS).
DEFAULT_DRAWS = 2000
#: Team-simulation runs per deterministic evaluation in the tornado.
TORNADO_RUNS = 200
FIGURE_DPI = 110
ERROR_STYLE = "color:#b00020;font-weight:bold"

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
#: Team controls of the reach view: control → parameter.
REACH_CONTROLS = {
    "posts": "team.staff.posts",
    "caseload": "team.direct_work.caseload",
    "case_duration": "team.direct_work.case_duration",
    "referral_rate": "team.referrals.rate",
    "advice_share": "team.staff.advice_share",
    "start_date": "team.programme.start_date",
}
DISCOUNT = "prices.discounting.standard"


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


# ------------------------------------------------------------------ helpers

#: Deterministic team simulations kept for reuse (most recent last), shared by every
#: view in the process: the reach view's and the savings view's for the same
#: parameters are one simulation, and a control moved back to a value it had before
#: is answered without simulating again.
_REACH_CACHE: dict[tuple, Any] = {}
#: How many simulations :data:`_REACH_CACHE` keeps (each is a few hundred kilobytes).
REACH_CACHE_SIZE = 16


def shared_reach(params: ParameterSet, runs: int, seed: int = 0) -> ReachResult:
    """The team simulation at central parameter values (chance only), computed once
    for each set of parameter values, runs and seed, and shared between the views."""
    from ..model.team import reach

    key = (params.fingerprint(), runs, seed)
    if key in _REACH_CACHE:
        _REACH_CACHE[key] = _REACH_CACHE.pop(key)  # most recent last
        return _REACH_CACHE[key]
    result = reach(params, runs=runs, seed=seed, parameter_uncertainty=False)
    _REACH_CACHE[key] = result
    while len(_REACH_CACHE) > REACH_CACHE_SIZE:
        _REACH_CACHE.pop(next(iter(_REACH_CACHE)))
    return result


def _png(fig: Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=FIGURE_DPI, facecolor="white")
    return buf.getvalue()


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
    def run(self: _View, *args: Any, **kwargs: Any) -> Any:
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


# ------------------------------------------------------------------ 1. baseline


class BaselineView(_View):
    """The area's annual cost of late intervention by issue or agency, and per head."""

    def __init__(self, params: ParameterSet | None = None, area: str | None = None):
        params = params if params is not None else load(area)
        folders = area_folders(params.root) if params.root is not None else []
        local = folders or [a for a in areas(params) if a != NATIONAL_AREA] or [NATIONAL_AREA]
        area = area or default_area(params) or local[0]
        defl = deflators_from_params(params)
        years = list(defl.index.index)
        outturn = [y for y in years if not defl.is_forecast(y)]
        self.area = w.Dropdown(
            options=[(area_label(a), a) for a in local], value=area, description="Area"
        )
        self.price_year = w.Dropdown(options=years, value=outturn[-1], description="Price year")
        self.by = w.ToggleButtons(
            options=[("By issue", "issue"), ("By agency", "agency")], value="issue"
        )
        self.table = w.HTML()
        self.chart = _image()
        self.result: Any = None
        self.per_head: dict[str, float] = {}
        controls = w.HBox([self.area, self.price_year, self.by])
        super().__init__(params, [controls, self.table, self.chart])
        for c in (self.area, self.price_year, self.by):
            c.observe(lambda _change: self.update(), names="value")
        self.update()

    @_guarded
    def update(self) -> None:
        from . import charts

        chosen = self.area.value
        if chosen not in areas(self.params):  # another area's folder: load its parameters
            self.params = load(chosen, root=self.params.root)
        b = baseline(self.params, chosen, self.price_year.value)
        national = baseline(self.params, NATIONAL_AREA, self.price_year.value)
        self.result = b
        self.per_head = {
            self.area.value: b.per_person,
            NATIONAL_AREA: national.per_person,
            "ratio": b.per_person / national.per_person,
        }
        frame = b.frame(self.by.value)
        labels = ISSUE_LABELS if self.by.value == "issue" else AGENCY_LABELS
        rows = [
            [labels[k].long, money(r["cost"]), percent(r["share"], 1), r["status"]]
            for k, r in frame.iterrows()
        ]
        rows.append(["Total", money(b.total), "100.0%", b.total_status])
        head = (
            f"<p><b>{area_label(b.area)}: {money(b.total)} a year</b> "
            f"({html.escape(b.price_basis)}) – {money(b.per_person, 2)} per resident, "
            f"against {money(national.per_person, 2)} across England and Wales "
            f"({self.per_head['ratio']:.2f} times).</p>"
        )
        self.table.value = head + _table(
            ["By " + self.by.value, "Annual cost", "Share", "Basis"], rows
        )
        self.chart.value = _png(charts.baseline_chart(b, self.by.value))
        self._say("")


# ------------------------------------------------------------------ 2. reach


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
        self.chart = _image()
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
        self._show(shared_reach(self.current_params(), QUICK_REACH_RUNS), monte_carlo=False)

    @_guarded
    def run_monte_carlo(self, runs: int | None = None, seed: int = 1) -> None:
        """Every run draws its own parameter values as well as chance events."""
        from ..model.team import reach

        runs = runs or self.runs.value
        self._say(f"Simulating {runs:,} runs…")
        res = reach(
            self.current_params(),
            runs=runs,
            seed=seed,
            parameter_uncertainty=True,
            progress=_Progress(self.progress),
        )
        self._show(res, monte_carlo=True)

    def _show(self, res: ReachResult, monte_carlo: bool) -> None:
        from . import charts

        self.result, self.monte_carlo = res, monte_carlo
        t = res.totals()
        spec = (
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
        rows = band_rows(t, spec, REACH_OUTCOMES)
        what = (
            f"Monte Carlo: {res.runs:,} runs, each with its own parameter values"
            if monte_carlo
            else f"Quick view: {res.runs:,} runs of chance events, parameters at the values chosen"
        )
        html = _table(
            ["Over the funded period", "Mean", "5th – 95th percentile"],
            rows,
            f"{what}; money in {res.inputs.price_year} prices.",
        )
        rep = res.reported()
        if len(rep):
            html += _table(
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
        self.table.value = html
        self.chart.value = _png(charts.families_chart(res))
        self._say("")


# ------------------------------------------------------------------ 3. savings


class SavingsView(_View):
    """NPV, benefit-cost ratio, payback and P(NPV > 0) under a scenario, with what-ifs."""

    def __init__(self, params: ParameterSet | None = None, scenario: str = DEFAULT_SCENARIO):
        params = params if params is not None else load()
        self._sims: dict[str, Any] = {}
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
        self.chart = _image()
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
            p = apply_scenario(self.params, self.scenario.value)
        except CostModelError as exc:
            self.message.value = f"<span style='{ERROR_STYLE}'>{html.escape(str(exc))}</span>"
            return
        self._syncing = True
        try:
            self.effect_scale.value = 1.0
            for k, path in SAVINGS_CONTROLS.items():
                getattr(self, k).value = float(p[path].value)
            rates = p[DISCOUNT].value
            self.discount_rate.value = float(rates[min(rates)])
        finally:
            self._syncing = False
        self.update()

    def overrides(self) -> dict[str, Any]:
        """Parameter overrides for the controls (effects scaled, their spread with them)."""
        p = apply_scenario(self.params, self.scenario.value)
        out: dict[str, Any] = {
            path: float(getattr(self, k).value) for k, path in SAVINGS_CONTROLS.items()
        }
        k = float(self.effect_scale.value)
        if k != 1.0:
            for path in [
                q for q in p if q.startswith("savings.outcomes.") and q.endswith(".effect")
            ]:
                e = p[path]
                new: dict[str, Any] = {"value": min(float(e.value) * k, 1.0)}
                if e.distribution is not None:
                    d = {
                        "type": e.distribution.family,
                        **{
                            n: (v * k if n in ("sd", "low", "high", "mode") else v)
                            for n, v in e.distribution.params.items()
                            if v is not None and n != "mean"
                        },
                    }
                    new["distribution"] = d
                out[path] = new
        rates = p[DISCOUNT].value
        if float(self.discount_rate.value) != float(rates[min(rates)]):
            out[DISCOUNT] = {"value": {0: float(self.discount_rate.value)}}
        return out

    def current_params(self) -> ParameterSet:
        p = apply_scenario(self.params, self.scenario.value)
        return p.with_values(self.overrides(), file="notebook")

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
        from . import charts

        p = self.current_params()
        proj = project(
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
        costs = money(a.pv_costs[0] - a.pv_income[0])
        rows = [
            [lab["pv_costs"].long + (" less income" if a.income is not None else ""), costs],
            [lab["pv_savings_gross"].long, money(a.pv_savings_gross[0])],
            [lab["pv_savings_net"].long, money(a.pv_savings_net[0])],
            [lab["npv"].long, money(a.npv[0])],
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
        self.chart.value = _png(charts.cumulative_chart(proj))
        self._say("")

    @_guarded
    def run_monte_carlo(self, draws: int | None = None, seed: int = 1) -> None:
        """Every parameter drawn from its distribution; P(NPV > 0) and the value of
        information by group of parameters."""
        from ..analysis.value_of_information import evppi
        from . import charts

        draws = draws or self.draws.value
        self._say(f"Running {draws:,} Monte Carlo draws…")
        proj = project(
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
            [f"{lab['npv'].long}, mean", money(s.loc["npv", "mean"])],
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
                            money(r["value_of_information"]),
                            percent(r["share_of_evpi"], 0)
                            if np.isfinite(r["share_of_evpi"])
                            else "–",
                        ]
                        for k, r in voi.iterrows()
                    ],
                )
            )
        self.mc_text.value = text
        self.mc_chart.value = _png(charts.npv_distribution_chart(proj))
        self._say("")

    @_guarded
    def run_tornado(self, runs: int = TORNADO_RUNS) -> None:
        """NPV with each uncertain parameter at its 5th and 95th percentile, others central."""
        from ..analysis.sensitivity import one_way
        from . import charts

        self._say("Working out the tornado…")
        t = one_way(self.current_params(), None, runs=runs)
        self.tornado = t
        self.tornado_text.value = (
            "<p><b>Which assumptions matter most</b>: NPV with one "
            "parameter at its 5th and 95th percentile, the others central</p>"
        )
        self.tornado_chart.value = _png(charts.tornado_chart(t))
        self._say("")

    @_guarded
    def compare(self, names: Sequence[str], draws: int | None = None, seed: int = 1) -> None:
        """Shipped scenarios side by side (Monte Carlo, the same draws and seed for each)."""
        from . import charts

        draws = draws or monte_carlo_draws(DEFAULT_DRAWS)
        projections = {}
        for name in names:
            self._say(f"Scenario {name}…")
            projections[name] = project(
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
                money(means[n]["npv"]),
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
        self.compare_chart.value = _png(charts.scenarios_chart(projections))
        self._say("")


def _renamed(proj: Projection, name: str) -> Projection:
    from dataclasses import replace

    return replace(proj, scenario=name)


# ------------------------------------------------------------------ 4. your own scenario


class ScenarioBuilder(_View):
    """Build a scenario from overrides, save it as YAML, and produce its PDF report."""

    def __init__(self, params: ParameterSet | None = None, based_on: str = DEFAULT_SCENARIO):
        params = params if params is not None else load()
        scalar = sorted(
            k
            for k, p in params.items()
            if not p.is_table
            and isinstance(p.value, (int, float))
            and not isinstance(p.value, bool)
            and not k.startswith("areas.")
        )
        self.based_on = w.Dropdown(
            options=list(list_scenarios(params.root, params.area)),
            value=based_on,
            description="Based on",
        )
        self.name = w.Text(value="my_scenario", description="Name")
        self.description = w.Text(
            value="",
            description="Description",
            layout=w.Layout(width="40em"),
            placeholder="one line: what this scenario assumes",
        )
        self.parameter = w.Combobox(
            options=scalar,
            placeholder="parameter path",
            description="Parameter",
            ensure_option=True,
            layout=w.Layout(width="40em"),
        )
        self.value = w.FloatText(description="New value")
        self.current = w.HTML()
        self.add_button = w.Button(description="Add change", icon="plus")
        self.remove_button = w.Button(description="Remove last")
        self.save_button = w.Button(description="Save scenario", button_style="primary")
        self.report_button = w.Button(description="Make PDF report", button_style="success")
        self.listing = w.HTML()
        self.changes: dict[str, Any] = {}
        self.saved: Path | None = None
        self.report: Path | None = None
        super().__init__(
            params,
            [
                w.HBox([self.based_on, self.name]),
                self.description,
                w.HBox([self.parameter, self.current]),
                w.HBox([self.value, self.add_button, self.remove_button]),
                self.listing,
                w.HBox([self.save_button, self.report_button]),
            ],
        )
        self.parameter.observe(lambda _c: self._show_current(), names="value")
        self.add_button.on_click(
            lambda _b: self.add_override(self.parameter.value, self.value.value)
        )
        self.remove_button.on_click(lambda _b: self.remove_last())
        self.save_button.on_click(lambda _b: self.save())
        self.report_button.on_click(lambda _b: self.make_report())
        self._list()

    def _base(self) -> ParameterSet:
        return apply_scenario(self.params, self.based_on.value)

    def _show_current(self) -> None:
        path = self.parameter.value
        if path in self.params:
            p = self._base()[path]
            self.current.value = html.escape(f"now {p.value} {p.unit} ({p.status})")
            self.value.value = float(p.value)
        else:
            self.current.value = ""

    @_guarded
    def add_override(self, path: str, value: Any) -> None:
        """Change one parameter (checked at once against the parameter's rules)."""
        if not path:
            raise ValueError("choose a parameter first")
        self._base().with_values({**self.changes, path: value}, file="notebook")
        self.changes[path] = value
        self._list()

    def remove_last(self) -> None:
        if self.changes:
            self.changes.pop(next(reversed(self.changes)))
        self._list()

    def _list(self) -> None:
        rows = [[k, str(v)] for k, v in self.changes.items()]
        self.listing.value = (
            _table(["Changed parameter", "Value"], rows)
            if rows
            else "<i>No changes yet: the scenario is its base as it stands.</i>"
        )
        self._say("")

    def scenario_text(self) -> str:
        """The scenario as YAML (what :meth:`save` writes)."""
        import yaml

        doc = {
            "description": self.description.value.strip()
            or f"{self.based_on.value} with {len(self.changes)} change(s)",
            "based_on": self.based_on.value,
            "overrides": {k: _plain(v) for k, v in self.changes.items()},
        }
        return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)

    @_guarded
    def save(self, folder: str | Path | None = None, force: bool = False) -> Path:
        """Write ``NAME.yaml``; it is read back and checked as the CLI would read it."""
        from .files import write_files

        name = self.name.value.strip()
        if not check_name(name):
            raise ValueError(f"scenario name {name!r}: use lower-case letters, digits and _")
        if name in list_scenarios(self.params.root, self.params.area):
            raise ValueError(f"scenario name {name!r} is a shipped scenario; choose another")
        path = Path(folder or output_folder()) / f"{name}.yaml"
        self._base().with_values(self.changes, file=str(path))
        write_files({path: self.scenario_text().encode()}, force=force)
        try:
            load_scenario(path, self.params.root, self.params)
        except CostModelError:
            path.unlink(missing_ok=True)
            raise
        self.saved = path
        self._say(f"Saved {path}. From a terminal: costmodel report --scenario {path}")
        return path

    @_guarded
    def make_report(
        self,
        folder: str | Path | None = None,
        draws: int | None = None,
        force: bool = False,
        seed: int = 1,
    ) -> Path:
        """Save the scenario, then write its PDF report (compared with its base)."""
        from .content import report_content
        from .pdf import write_report

        path = self.save(folder, force=True)  # the scenario as it stands now
        if path is None:  # save reported an error
            raise ValueError(self.error or "the scenario could not be saved")
        out = path.with_suffix(".pdf")
        draws = draws or monte_carlo_draws(DEFAULT_DRAWS)
        self._say(f"Computing the report ({draws:,} draws)…")
        content = report_content(
            self.params, [str(path)], draws=draws, seed=seed, compare=[self.based_on.value]
        )
        write_report(content, out, force=force)
        self.report = out
        self._say(f"Wrote {out}")
        return out


def _plain(v: Any) -> Any:
    """Numbers as plain Python (YAML-safe), whole numbers as int."""
    if isinstance(v, Mapping):
        return {k: _plain(x) for k, x in v.items()}
    if isinstance(v, (np.floating, float)) and float(v).is_integer():
        return int(v)
    if isinstance(v, np.generic):
        return v.item()
    return v


__all__ = [
    "BaselineView",
    "ReachView",
    "SavingsView",
    "ScenarioBuilder",
    "monte_carlo_draws",
    "output_folder",
]
