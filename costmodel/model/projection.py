"""Projecting savings under a scenario: programmes feed the appraisal.

``project`` applies the scenario, asks every programme it appraises (the team, and
any programme defined as data) for its yearly families, costs and income, draws the
savings parameters, places the programmes on one time line and appraises every draw
at once. With ``draws=1`` it gives the deterministic (central) result: central
parameter values and the mean of the simulated families and spend.

Random numbers come from one generator seeded with ``seed``, in a fixed order: first
the seed of the team simulation's own generator, then the savings parameters, then
each other programme's parameters. The same seed gives the same numbers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..greenbook.appraisal import payback, probability_positive, ratio
from ..greenbook.discounting import discount_factors, schedule_from_params
from ..greenbook.prices import as_financial_year, deflators_from_params
from ..params.errors import ParameterError, Problem
from ..params.limits import check_draws, check_horizon, check_runs, check_seed
from ..params.sampling import sample, summarise
from ..params.scenarios import Scenario, apply_scenario, scenario_name
from ..params.schema import format_financial_year
from .late_intervention import baseline, default_area
from .programme import (
    CENTRAL_REACH_RUNS,
    ProgrammeFlows,
    RunOptions,
    programmes,
)
from .savings import (
    Appraisal,
    SavingsInputs,
    appraise,
    effective_families,
    issue_cap_check,
    savings_correlations,
    savings_inputs,
    savings_paths,
)
from .team import ReachInputs, ReachResult
from .vocabulary import AGENCY_NAMES

__all__ = [
    "CENTRAL_REACH_RUNS",
    "Projection",
    "compare",
    "default_price_year",
    "programme_financial_years",
    "project",
]


def programme_financial_years(start: str | dt.date, years: int) -> list[str]:
    """Financial-year labels of ``years`` programme years from ``start`` (midpoint rule)."""
    start = dt.date.fromisoformat(start) if isinstance(start, str) else start
    out = []
    for i in range(years):
        mid = start + dt.timedelta(days=365.25 * (i + 0.5))
        out.append(format_financial_year(mid.year if mid.month >= 4 else mid.year - 1))
    return out


def default_price_year(params: Mapping) -> str:
    """The study's price base when none is asked for: the price year of the team's budget."""
    return params["team.budget.total"].price_year


@dataclass(frozen=True)
class Projection:
    """A scenario's appraisal over ``draws`` draws (draws = 1: deterministic).

    ``draws_table`` holds every parameter value each draw used (one row per draw, one
    column per parameter path); ``programmes`` each programme's yearly flows.
    """

    scenario: str
    draws: int
    seed: int | None
    appraisal: Appraisal = field(repr=False)
    inputs: SavingsInputs = field(repr=False)
    programmes: tuple[ProgrammeFlows, ...] = field(repr=False)
    draws_table: pd.DataFrame = field(repr=False)
    start_year: str = ""
    price_basis: str = ""
    area: str | None = None

    @property
    def price_year(self) -> str:
        return self.appraisal.price_year

    def programme(self, name: str) -> ProgrammeFlows | None:
        """The flows of the programme called ``name``, if it was appraised."""
        return next((p for p in self.programmes if p.name == name), None)

    @property
    def simulation(self) -> ReachResult | None:
        """The team simulation behind this projection (None if the team was not appraised)."""
        team = self.programme("team")
        return team.simulation if team is not None else None

    @property
    def team_runs(self) -> np.ndarray | None:
        """Which simulation run each draw used (None without the team)."""
        team = self.programme("team")
        return team.runs_used if team is not None else None

    @property
    def team_inputs(self) -> ReachInputs | None:
        sim = self.simulation
        return sim.inputs if sim is not None else None

    def _total(self, attr: str) -> np.ndarray:
        out = np.zeros(self.appraisal.costs.shape[0])
        for p in self.programmes:
            out = out + getattr(p, attr)
        return out

    @property
    def families_started(self) -> np.ndarray:
        """Families starting support in every programme, by draw."""
        return self._total("started")

    @property
    def families_completed(self) -> np.ndarray:
        return self._total("finished")

    @property
    def families_reached_indirectly(self) -> np.ndarray:
        return self._total("reached_indirectly")

    def financial_years(self) -> list[str]:
        """The financial year of each appraisal year (the year holding its midpoint).

        Appraisal year ``i`` runs for twelve months from the start date plus ``i`` years;
        a programme starting in February 2019 has its first year labelled 2019/20, the
        financial year in which ten of its twelve months fall.
        """
        return programme_financial_years(self.start_year, self.appraisal.horizon)

    @property
    def p_npv_positive(self) -> float:
        return probability_positive(self.appraisal.npv)

    @property
    def p_payback(self) -> float:
        """Share of draws that pay back within the horizon."""
        return float(np.isfinite(self.appraisal.payback_years).mean())

    def indicators(self) -> dict[str, np.ndarray]:
        """Per-draw values of every indicator (money real terms at ``price_year``)."""
        a = self.appraisal
        return {
            "pv_costs": a.pv_costs,
            "pv_income": a.pv_income,
            "pv_savings_gross": a.pv_savings_gross,
            "pv_savings_net": a.pv_savings_net,
            "npv": a.npv,
            "bcr": a.bcr,
            "roi": a.roi,
            "payback_years": a.payback_years,
            "break_even_families": a.break_even_families,
            "break_even_effect_scale": a.break_even_effect_scale,
            "families_started": self.families_started,
            "families_completed": self.families_completed,
            "families_reached_indirectly": self.families_reached_indirectly,
            "cost_per_family_started": ratio(a.costs.sum(axis=1), self.families_started),
            "effective_families": a.families,
        }

    def summary(self, percentiles=(5, 50, 95)) -> pd.DataFrame:
        """Mean and percentiles of each indicator; money in real terms at ``price_year``."""
        return summarise(self.indicators(), percentiles)

    def by_agency(self) -> pd.DataFrame:
        """Mean PV of net savings by agency, cashable and not, and each agency's share."""
        a = self.appraisal
        net, cash = a.pv_by_agency().mean(axis=0), a.pv_by_agency(True).mean(axis=0)
        total = net.sum()
        return pd.DataFrame(
            {
                "pv_savings_net": net,
                "cashable": cash,
                "non_cashable": net - cash,
                "share": net / total if total else np.nan,
            },
            index=pd.Index(AGENCY_NAMES, name="agency"),
        )

    def by_year(self) -> pd.DataFrame:
        """Mean yearly costs and savings (real, undiscounted and discounted)."""
        a = self.appraisal
        df = a.discount_factors
        out = pd.DataFrame(
            {
                "costs": a.costs.mean(axis=0),
                "savings_gross": a.gross.sum(axis=2).mean(axis=0),
                "savings_net": a.net.sum(axis=2).mean(axis=0),
                "discount_factor": df,
            },
            index=pd.Index(range(a.horizon), name="year"),
        )
        out["costs_discounted"] = out["costs"] * df
        out["savings_net_discounted"] = out["savings_net"] * df
        out["cumulative_net_discounted"] = (
            out["savings_net_discounted"] - out["costs_discounted"]
        ).cumsum()
        for j, agency in enumerate(AGENCY_NAMES):
            out[f"net_{agency}"] = a.net_by_agency[:, :, j].mean(axis=0)
        return out

    def cumulative(self, low: float = 5, high: float = 95) -> pd.DataFrame:
        """Cumulative discounted costs (net of income) and net savings, year by year.

        Means over draws, and the ``low``–``high`` percentile band of each draw's
        cumulative net savings; ``payback_of_means`` (in ``attrs``) is the payback time
        of the mean curves by the same rule as each draw's payback.
        """
        a = self.appraisal
        f = a.discount_factors
        costs = np.cumsum(a.net_costs * f, axis=1)
        savings = np.cumsum(a.net.sum(axis=2) * f, axis=1)
        lo, hi = np.percentile(savings, [low, high], axis=0)
        out = pd.DataFrame(
            {
                "costs": costs.mean(axis=0),
                "savings": savings.mean(axis=0),
                "savings_low": lo,
                "savings_high": hi,
            },
            index=pd.Index(self.financial_years(), name="year"),
        )
        out.attrs["payback_of_means"] = float(
            payback(
                np.diff(out["costs"].to_numpy(), prepend=0.0),
                np.diff(out["savings"].to_numpy(), prepend=0.0),
            )
        )
        out.attrs["band"] = (low, high)
        return out

    def to_dict(self) -> dict:
        """A JSON-ready summary (the CLI's ``--format json``)."""
        s = self.summary()

        def block(name):
            row = s.loc[name]
            return {
                k: (None if not np.isfinite(row[k]) else float(row[k]))
                for k in ("mean", "p5", "p50", "p95")
            }

        ag = self.by_agency()
        return {
            "scenario": self.scenario,
            "draws": self.draws,
            "seed": self.seed,
            "area": self.area,
            "price_year": self.price_year,
            "price_basis": self.price_basis,
            "discounting": self.appraisal.discount,
            "horizon_years": self.appraisal.horizon,
            "start_year": self.start_year,
            "programmes": [p.name for p in self.programmes],
            "pv_income": block("pv_income"),
            **{
                k: block(k)
                for k in (
                    "pv_costs",
                    "pv_savings_gross",
                    "pv_savings_net",
                    "npv",
                    "bcr",
                    "roi",
                    "families_started",
                    "families_completed",
                )
            },
            "p_npv_positive": self.p_npv_positive,
            "p_payback_within_horizon": self.p_payback,
            "payback_years": block("payback_years"),
            "break_even_families": block("break_even_families"),
            "break_even_effect_scale": block("break_even_effect_scale"),
            "savings_by_agency": {
                a: {
                    "pv_savings_net": float(r.pv_savings_net),
                    "cashable": float(r.cashable),
                    "share": None if not np.isfinite(r.share) else float(r.share),
                }
                for a, r in ag.iterrows()
            },
            "checks": list(self.appraisal.checks),
        }


def project(
    params,
    scenario: str | Scenario | None = None,
    draws: int = 10_000,
    seed: int = 0,
    horizon: int = 10,
    price_year: str | None = None,
    discount: str = "standard",
    reach_runs: int = 5000,
    simulation=None,
    progress: Callable[[Iterable[int]], Iterable[int]] | None = None,
    check_area: bool = True,
) -> Projection:
    """Appraise a scenario over ``draws`` Monte Carlo draws (1 = deterministic).

    Every programme the parameters appraise (:func:`costmodel.model.programme.programmes`)
    contributes its families, costs and income; the time line starts at the earliest
    programme's start date. The team simulation runs ``min(draws, reach_runs)`` times;
    a ``simulation`` already run on the same parameters may be passed to reuse it, and
    ``progress`` wraps its time loop (e.g. ``tqdm.tqdm``). With ``check_area`` the
    helped families' outcome costs are checked against the area's baseline (the area
    of the parameter set: see :func:`costmodel.model.late_intervention.default_area`).
    """
    draws = check_draws(draws)
    horizon = check_horizon(horizon)
    seed = check_seed(seed)
    reach_runs = check_runs(reach_runs, "reach_runs")
    params = apply_scenario(params, scenario)
    rng = np.random.default_rng(seed)
    price_year = as_financial_year(price_year) if price_year else default_price_year(params)
    defl = deflators_from_params(params)
    deterministic = draws == 1
    options = RunOptions(
        deterministic=deterministic,
        team_seed=int(rng.integers(2**31)),
        reach_runs=reach_runs,
        simulation=simulation,
        progress=progress,
    )
    savings_values = sample(
        params,
        draws,
        None if deterministic else rng,
        savings_paths(params),
        savings_correlations(params),
    )
    inputs = savings_inputs(params, price_year, values=savings_values)
    included = programmes(params)
    flows = tuple(p.flows(params, price_year, draws, rng, options) for p in included)
    starts = [f.start_date for f in flows] or [params["team.programme.start_date"].value]
    start = min(starts)
    shifts = [_years_between(f.start_date, start) for f in flows]
    length = max([f.years + s for f, s in zip(flows, shifts, strict=True)] or [1])

    def line(arrays: list[np.ndarray | None]) -> np.ndarray:
        out = np.zeros((draws, length))
        for a, s in zip(arrays, shifts, strict=True):
            if a is not None:
                out[:, s : s + a.shape[1]] += a
        return out

    families = line([effective_families(f.completed, f.dropped, f.indirect, inputs) for f in flows])
    costs = line([f.costs for f in flows])
    has_income = any(f.income is not None for f in flows)
    income = line([f.income for f in flows]) if has_income else None
    helped = sum((f.started for f in flows), np.zeros(draws))
    factors = discount_factors(np.arange(horizon), schedule_from_params(params, discount))
    area = default_area(params) if check_area else None
    checks: tuple[str, ...] = ()
    if area is not None and flows:
        county = baseline(params, area, price_year).by_issue
        central = inputs if deterministic else savings_inputs(params, price_year)
        completed = line([f.completed for f in flows])
        checks = issue_cap_check(central, float(completed.mean(axis=0).max(initial=0)), county)
    appraisal = appraise(
        inputs, costs, families, factors, discount, checks, families_helped=helped, income=income
    )
    table = pd.concat([savings_values, *(f.values for f in flows)], axis=1)
    table = table.loc[:, ~table.columns.duplicated()]
    return Projection(
        scenario=scenario_name(scenario),
        draws=draws,
        seed=seed,
        appraisal=appraisal,
        inputs=inputs,
        programmes=flows,
        draws_table=table,
        start_year=start.isoformat(),
        price_basis=defl.basis(price_year),
        area=area,
    )


def _years_between(later: dt.date, earlier: dt.date) -> int:
    """Whole years from date ``earlier`` to date ``later``."""
    return int(round((later - earlier).days / 365.25))


def compare(params, scenarios: list[str], **kwargs) -> pd.DataFrame:
    """Scenarios side by side: mean of each indicator and P(NPV > 0)."""
    cols = {}
    for name in scenarios:
        p = project(params, name, **kwargs)
        s = p.summary()["mean"]
        s["p_npv_positive"] = p.p_npv_positive
        s["p_payback"] = p.p_payback
        cols[scenario_name(name)] = s
    return pd.DataFrame(cols)


def drawn_paths(params: Mapping) -> list[str]:
    """Scalar parameters with a distribution that a projection of ``params`` draws."""
    from .programme import CohortProgramme
    from .team import team_paths

    paths = list(savings_paths(params))
    for prog in programmes(params):
        paths += (
            team_paths()
            if prog.kind == "team simulation"
            else CohortProgramme(prog.name).paths(params)
        )
    return sorted(
        p
        for p in dict.fromkeys(paths)
        if params[p].distribution is not None and not params[p].is_table
    )


class DeterministicOutcome:
    """A scenario's deterministic outcome (NPV by default) as a function of parameters.

    Call it with a :class:`~costmodel.params.store.ParameterSet` (the scenario's, with
    some values changed) to get one number: the indicator ``outcome`` of
    ``project(..., draws=1)``. One team simulation is reused while no ``team.``
    parameter changes (common random numbers), so repeated calls are fast. ``params``
    holds the scenario's parameters and ``paths`` the uncertain ones it draws.
    """

    def __init__(
        self,
        params,
        scenario: str | Scenario | None = None,
        outcome: str = "npv",
        runs: int = 500,
        **project_kwargs,
    ):
        from .team import reach

        self.params = apply_scenario(params, scenario)
        self.outcome = outcome
        self.runs = runs
        self.kwargs = project_kwargs
        self._reach = reach
        self._team = {k: v for k, v in self.params.items() if k.startswith("team.")}
        self._sim = reach(self.params, runs=runs, seed=0, parameter_uncertainty=False)

    @property
    def paths(self) -> list[str]:
        return drawn_paths(self.params)

    def projection(self, params) -> Projection:
        same_team = all(params[k] is v for k, v in self._team.items())
        sim = (
            self._sim
            if same_team
            else self._reach(params, runs=self.runs, seed=0, parameter_uncertainty=False)
        )
        return project(params, draws=1, simulation=sim, check_area=False, **self.kwargs)

    def __call__(self, params) -> float:
        values = self.projection(params).indicators()
        if self.outcome not in values:
            raise ParameterError(
                Problem(
                    "",
                    "outcome",
                    f"unknown outcome {self.outcome!r} (choose from: {', '.join(values)})",
                )
            )
        return float(values[self.outcome][0])
