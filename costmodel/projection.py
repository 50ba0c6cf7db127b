"""Projecting savings under a scenario: the reach simulation feeds the appraisal.

``project`` runs the team simulation, turns each run's families and spend into yearly
cohorts, draws the savings parameters, and appraises every draw at once. With
``draws=1`` it gives the deterministic (central) result: central parameter values and
the mean of the simulated families and spend.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .discounting import discount_factors, schedule_from_params
from .distributions import draw
from .errors import ParameterError, Problem
from .prices import as_financial_year, deflators_from_params
from .savings import (
    AGENCY_NAMES,
    Appraisal,
    SavingsInputs,
    appraise,
    effective_families,
    issue_cap_check,
    savings_inputs,
)
from .scenarios import apply_scenario, scenario_label
from .schema import format_financial_year
from .summary import summarise
from .team_reach import ReachInputs, ReachResult, reach

QUARTERS_PER_YEAR = 4
#: Runs of the team simulation behind the deterministic result (its mean is used).
CENTRAL_REACH_RUNS = 2000


def programme_financial_years(start: str | dt.date, years: int) -> list[str]:
    """Financial-year labels of ``years`` programme years from ``start`` (midpoint rule)."""
    start = dt.date.fromisoformat(start) if isinstance(start, str) else start
    out = []
    for i in range(years):
        mid = start + dt.timedelta(days=365.25 * (i + 0.5))
        out.append(format_financial_year(mid.year if mid.month >= 4 else mid.year - 1))
    return out


def yearly(quarterly: np.ndarray) -> np.ndarray:
    """Sums over each programme year of quarterly flows (runs, quarters)."""
    R, Q = quarterly.shape
    Y = -(-Q // QUARTERS_PER_YEAR)
    padded = np.zeros((R, Y * QUARTERS_PER_YEAR))
    padded[:, :Q] = quarterly
    return padded.reshape(R, Y, QUARTERS_PER_YEAR).sum(axis=2)


@dataclass(frozen=True)
class Projection:
    """A scenario's appraisal over ``draws`` draws (draws = 1: deterministic)."""

    scenario: str
    draws: int
    seed: int | None
    appraisal: Appraisal = field(repr=False)
    inputs: SavingsInputs = field(repr=False)
    team_inputs: ReachInputs = field(repr=False)
    team_runs: np.ndarray = field(repr=False)   # which simulation run each draw used
    families_started: np.ndarray = field(repr=False)
    families_completed: np.ndarray = field(repr=False)
    start_year: str = ""
    simulation: ReachResult | None = field(default=None, repr=False, compare=False)

    @property
    def price_year(self) -> str:
        return self.appraisal.price_year

    def financial_years(self) -> list[str]:
        """The financial year of each appraisal year (the year holding its midpoint).

        Appraisal year ``i`` runs for twelve months from the programme's start date plus
        ``i`` years; a programme starting in February 2019 has its first year labelled
        2019/20, the financial year in which ten of its twelve months fall.
        """
        return programme_financial_years(self.start_year, self.appraisal.horizon)

    @property
    def p_npv_positive(self) -> float:
        return float((self.appraisal.npv > 0).mean())

    @property
    def p_payback(self) -> float:
        """Share of draws that pay back within the horizon."""
        return float(np.isfinite(self.appraisal.payback_years).mean())

    def indicators(self) -> dict[str, np.ndarray]:
        a = self.appraisal
        return {"pv_costs": a.pv_costs, "pv_income": a.pv_income,
                "pv_savings_gross": a.pv_savings_gross,
                "pv_savings_net": a.pv_savings_net, "npv": a.npv, "bcr": a.bcr,
                "roi": a.roi, "payback_years": a.payback_years,
                "break_even_families": a.break_even_families,
                "break_even_effect_scale": a.break_even_effect_scale,
                "families_started": self.families_started,
                "families_completed": self.families_completed,
                "effective_families": a.families}

    def summary(self, percentiles=(5, 50, 95)) -> pd.DataFrame:
        """Mean and percentiles of each indicator; money in real terms at ``price_year``."""
        return summarise(self.indicators(), percentiles)

    def by_agency(self) -> pd.DataFrame:
        """Mean PV of net savings by agency, cashable and not, and each agency's share."""
        a = self.appraisal
        net, cash = a.pv_by_agency().mean(axis=0), a.pv_by_agency(True).mean(axis=0)
        total = net.sum()
        return pd.DataFrame({"pv_savings_net": net, "cashable": cash,
                             "non_cashable": net - cash,
                             "share": net / total if total else np.nan},
                            index=pd.Index(AGENCY_NAMES, name="agency"))

    def by_year(self) -> pd.DataFrame:
        """Mean yearly costs and savings (real, undiscounted and discounted)."""
        a = self.appraisal
        df = a.discount_factors
        out = pd.DataFrame({
            "costs": a.costs.mean(axis=0),
            "savings_gross": a.gross.sum(axis=2).mean(axis=0),
            "savings_net": a.net.sum(axis=2).mean(axis=0),
            "discount_factor": df,
        }, index=pd.Index(range(a.horizon), name="year"))
        out["costs_discounted"] = out["costs"] * df
        out["savings_net_discounted"] = out["savings_net"] * df
        out["cumulative_net_discounted"] = (out["savings_net_discounted"]
                                            - out["costs_discounted"]).cumsum()
        for j, agency in enumerate(AGENCY_NAMES):
            out[f"net_{agency}"] = a.net_by_agency[:, :, j].mean(axis=0)
        return out

    def to_dict(self) -> dict:
        """A JSON-ready summary (the CLI's ``--format json``)."""
        s = self.summary()

        def block(name):
            row = s.loc[name]
            return {k: (None if not np.isfinite(row[k]) else float(row[k]))
                    for k in ("mean", "p5", "p50", "p95")}

        ag = self.by_agency()
        return {
            "scenario": self.scenario, "draws": self.draws, "seed": self.seed,
            "price_year": self.price_year,
            "price_basis": f"real terms, {self.price_year} prices",
            "discounting": self.appraisal.discount, "horizon_years": self.appraisal.horizon,
            "start_year": self.start_year,
            "pv_income": block("pv_income"),
            **{k: block(k) for k in ("pv_costs", "pv_savings_gross", "pv_savings_net", "npv",
                                     "bcr", "roi", "families_started", "families_completed")},
            "p_npv_positive": self.p_npv_positive,
            "p_payback_within_horizon": self.p_payback,
            "payback_years": block("payback_years"),
            "break_even_families": block("break_even_families"),
            "break_even_effect_scale": block("break_even_effect_scale"),
            "savings_by_agency": {a: {"pv_savings_net": float(r.pv_savings_net),
                                      "cashable": float(r.cashable),
                                      "share": None if not np.isfinite(r.share)
                                      else float(r.share)}
                                  for a, r in ag.iterrows()},
            "checks": list(self.appraisal.checks),
        }


def project(params, scenario: str | None = None, draws: int = 10_000, seed: int = 0,
            horizon: int = 10, price_year: str | None = None, discount: str = "standard",
            reach_runs: int = 5000, area: str = "northamptonshire",
            simulation=None, progress=None) -> Projection:
    """Appraise a scenario over ``draws`` Monte Carlo draws (1 = deterministic).

    The team simulation runs ``min(draws, reach_runs)`` times (each run with its own
    parameter draw); savings draw ``i`` uses simulation run ``i mod runs``. A
    ``simulation`` already run on the same parameters may be passed to reuse it;
    ``progress`` wraps the simulation's time loop (e.g. ``tqdm.tqdm``).
    """
    if draws < 1:
        raise ParameterError(Problem("", "draws", f"draws must be at least 1, got {draws}"))
    if horizon < 1:
        raise ParameterError(Problem("", "horizon", f"horizon must be at least 1 year, got "
                                     f"{horizon}"))
    params = apply_scenario(params, scenario)
    rng = np.random.default_rng(seed)
    budget_year = params["team.budget.total"].price_year
    price_year = as_financial_year(price_year) if price_year else budget_year
    factor = deflators_from_params(params).factor(budget_year, price_year)
    deterministic = draws == 1
    runs = CENTRAL_REACH_RUNS if deterministic else min(draws, reach_runs)
    reach_seed = int(rng.integers(2**31))
    sim = simulation if simulation is not None else reach(
        params, runs=runs, seed=reach_seed, parameter_uncertainty=not deterministic,
        progress=progress)
    runs = sim.runs
    q = sim.quarterly
    completed, dropped = yearly(q["completed"]), yearly(q["dropped_out"])
    dropped[:, -1] += sim.final["ongoing_at_end"]  # support stops when the funding does
    indirect, spend = yearly(q["reached_indirectly"]), yearly(q["spend"]) * factor
    started = sim.total("started")
    done = sim.total("completed")
    if deterministic:
        completed, dropped, indirect, spend = (x.mean(axis=0, keepdims=True) for x in
                                               (completed, dropped, indirect, spend))
        started, done = started.mean(keepdims=True), done.mean(keepdims=True)
        take = np.zeros(1, dtype=int)
    else:
        take = np.arange(draws) % runs
    inputs = savings_inputs(params, price_year, draws, None if deterministic else rng)
    families = effective_families(completed[take], dropped[take], indirect[take], inputs)
    costs, helped, income = spend[take], started[take], None
    tf = _troubled_families(params, price_year, len(take), None if deterministic else rng)
    if tf is not None:
        offset = _years_between(params["team.programme.start_date"].value, tf["start"])
        families, costs, income = _merge(offset, (families, tf["families"]),
                                         (costs, tf["costs"]), (np.zeros_like(costs),
                                                                tf["income"]))
        helped = helped + tf["families"].sum(axis=1)
    schedule = schedule_from_params(params, discount)
    factors = discount_factors(np.arange(horizon), schedule)
    checks = ()
    if area:
        from .cost_baseline import baseline

        county = baseline(params, area, price_year).by_issue
        central = inputs if deterministic else savings_inputs(params, price_year)
        checks = issue_cap_check(central, float(completed.mean(axis=0).max(initial=0)),
                                 county)
    appraisal = appraise(inputs, costs, families, factors, discount, checks,
                         families_helped=helped, income=income)
    start = params["team.programme.start_date"].value
    if tf is not None:
        start = min(start, tf["start"])
    return Projection(scenario=scenario_label(scenario), draws=draws, seed=seed,
                      appraisal=appraisal, inputs=inputs, team_inputs=sim.inputs,
                      team_runs=take, families_started=started[take],
                      families_completed=done[take],
                      start_year=start.isoformat(), simulation=sim)


def _troubled_families(params, price_year: str, draws: int, rng) -> dict | None:
    """Yearly families, costs and results income of the Troubled Families programme."""
    share = float(params["troubled_families.share_appraised"].value)
    if share <= 0:
        return None
    defl = deflators_from_params(params)

    def money(name):
        p = params[f"troubled_families.{name}"]
        v = draw(p, draws, rng) if rng is not None and p.distribution else np.full(draws,
                                                                                  p.value)
        return v * defl.factor(p.price_year, price_year)

    years = int(params["troubled_families.duration"].value)
    per_year = share * float(params["troubled_families.families"].value) / years
    fam = np.full((draws, years), per_year)
    success = params["troubled_families.success_share"]
    s = draw(success, draws, rng) if rng is not None and success.distribution else \
        np.full(draws, success.value)
    income = fam * (money("attachment_fee") + s * money("results_payment"))[:, None]
    return {"start": params["troubled_families.start_date"].value, "families": fam,
            "costs": fam * money("cost_per_family")[:, None], "income": income}


def _years_between(a, b) -> int:
    """Whole years from date ``b`` to date ``a`` (positive if ``a`` is later)."""
    return int(round((a - b).days / 365.25))


def _merge(offset: int, *pairs):
    """Place the team's streams ``offset`` years after the other programme's start."""
    out = []
    shift_team, shift_other = max(offset, 0), max(-offset, 0)
    for team, other in pairs:
        n = max(team.shape[1] + shift_team, other.shape[1] + shift_other)
        merged = np.zeros((team.shape[0], n))
        merged[:, shift_team:shift_team + team.shape[1]] += team
        merged[:, shift_other:shift_other + other.shape[1]] += other
        out.append(merged)
    return out


def compare(params, scenarios: list[str], **kwargs) -> pd.DataFrame:
    """Scenarios side by side: mean of each indicator and P(NPV > 0)."""
    cols = {}
    for name in scenarios:
        p = project(params, name, **kwargs)
        s = p.summary()["mean"]
        s["p_npv_positive"] = p.p_npv_positive
        s["p_payback"] = p.p_payback
        cols[name] = s
    return pd.DataFrame(cols)


