"""Projecting savings under a scenario: programmes feed the appraisal.

``project`` applies the scenario, asks every programme it appraises (the team, and
any programme defined as data) for its yearly families, costs and income, draws the
savings parameters, places the programmes on one time line and appraises every draw
at once. With ``draws=1`` it gives the deterministic (central) result: central
parameter values and the mean of the simulated families and spend.

Random numbers come from one generator seeded with ``seed``, in a fixed order: first
the seed of the team simulation's own generator, then the savings parameters, then
each other programme's parameters. The same seed gives the same numbers.

Memory stays bounded however many draws are asked for. Draws are sampled in blocks of
:data:`SAMPLE_BLOCK` (the first block from the generator above, block ``b`` from a
generator seeded with ``[seed, b]``), and each block is appraised in chunks whose size
follows :data:`CHUNK_BYTES`. Results for a given seed therefore do not depend on the
chunk size. Means, the chance of a positive NPV and of paying back, and every yearly
mean are exact over all draws (running sums); every per-draw value (for percentiles,
charts, the draws table and the value of information) is kept for the first
:data:`STORED_DRAWS` draws: an exact record up to that number, and above it a simple
random sample of the draws (they are independent and identically distributed).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from ..greenbook.appraisal import payback, probability_positive, ratio
from ..greenbook.discounting import discount_factors, schedule_from_params
from ..greenbook.prices import as_financial_year, deflators_from_params
from ..params.errors import ParameterError, Problem, accepts
from ..params.evidence import CLASSES
from ..params.limits import DEFAULT_SEED, check_draws, check_horizon, check_runs, check_seed
from ..params.sampling import sample, summarise
from ..params.scenarios import Scenario, apply_scenario, scenario_name
from ..params.schema import format_financial_year
from .late_intervention import baseline, default_area
from .programme import (
    CENTRAL_REACH_RUNS,
    PROGRAMMES,
    ProgrammeFlows,
    RunOptions,
    cohort_names,
    programmes,
)
from .savings import (
    GRADES,
    PER_DRAW,
    Appraisal,
    SavingsInputs,
    Served,
    appraise,
    combine_appraisals,
    effective_families,
    evidence_summary,
    issue_cap_check,
    outcome_names,
    savings_correlations,
    savings_inputs,
    savings_paths,
)
from .team import ReachInputs, ReachResult
from .vocabulary import AGENCY_NAMES, QUARTERS_PER_YEAR

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


#: Draws sampled together from one generator.
SAMPLE_BLOCK = 100_000
#: Draws whose every per-draw value is kept (percentiles, charts, value of information).
STORED_DRAWS = 100_000
#: Memory budget of one chunk of the appraisal's working arrays, in bytes.
CHUNK_BYTES = 96 * 2**20


@dataclass(frozen=True)
class Totals:
    """Exact means over every draw of a projection (kept while draws are appraised).

    ``flows`` holds the mean yearly streams (``costs``, ``income``, ``gross`` and ``net``
    by outcome, ``net_by_agency`` and ``cashable_by_agency``); ``indicators`` the mean
    of each per-draw indicator over the draws where it is defined (finite).
    """

    draws: int
    flows: Mapping[str, np.ndarray]
    indicators: Mapping[str, float]
    p_npv_positive: float
    p_payback: float


def _flow_sums(a: Appraisal, divide: int = 1) -> dict[str, np.ndarray]:
    """Each yearly stream summed over draws (divided by ``divide``: 1 gives sums)."""
    income = a.income if a.income is not None else np.zeros_like(a.costs)
    streams = {
        "costs": a.costs,
        "income": income,
        "economic_net": a.economic_net if a.economic_net is not None else np.zeros_like(a.costs),
        "social_net": a.social_net if a.social_net is not None else np.zeros_like(a.costs),
        "gross": a.gross,
        "net": a.net,
        "net_by_agency": a.net_by_agency,
        "cashable_by_agency": a.cashable_by_agency,
    }
    return {k: x.sum(axis=0) / divide if divide != 1 else x.sum(axis=0) for k, x in streams.items()}


class _Accumulator:
    """Running sums of a projection's flows and indicators, chunk by chunk."""

    def __init__(self) -> None:
        self.draws = 0
        self.flows: dict[str, np.ndarray] = {}
        self.sums: dict[str, float] = {}
        self.counts: dict[str, int] = {}
        self.positive = 0
        self.paid_back = 0

    def add(self, a: Appraisal, values: Mapping[str, np.ndarray]) -> None:
        self.draws += len(a.costs)
        for k, s in _flow_sums(a).items():
            self.flows[k] = self.flows[k] + s if k in self.flows else s
        for k, v in values.items():
            ok = np.asarray(v, dtype=float)
            ok = ok[np.isfinite(ok)]
            self.sums[k] = self.sums.get(k, 0.0) + float(ok.sum())
            self.counts[k] = self.counts.get(k, 0) + int(ok.size)
        self.positive += int((np.asarray(values["npv"]) > 0).sum())
        self.paid_back += int(np.isfinite(values["payback_years"]).sum())

    def totals(self) -> Totals:
        return Totals(
            draws=self.draws,
            flows={k: v / self.draws for k, v in self.flows.items()},
            indicators={
                k: (self.sums[k] / self.counts[k] if self.counts[k] else np.nan) for k in self.sums
            },
            p_npv_positive=self.positive / self.draws,
            p_payback=self.paid_back / self.draws,
        )


def programme_total(flows: Sequence[ProgrammeFlows], attr: str, draws: int) -> np.ndarray:
    """A per-draw count (``started``, ``finished``, ...) added over every programme."""
    out = np.zeros(draws)
    for f in flows:
        out = out + getattr(f, attr)
    return out


def indicator_values(a: Appraisal, flows: Sequence[ProgrammeFlows]) -> dict[str, np.ndarray]:
    """Per-draw values of every indicator (money real terms at the appraisal's price year)."""
    started = programme_total(flows, "started", len(a.costs))
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
        "families_started": started,
        "families_completed": programme_total(flows, "finished", len(a.costs)),
        "families_reached_indirectly": programme_total(flows, "reached_indirectly", len(a.costs)),
        "families_contacted_light_touch": programme_total(flows, "contacted", len(a.costs)),
        "cost_per_family_started": ratio(a.costs.sum(axis=1), started),
        "effective_families": a.families,
    }


def default_price_year(params: Mapping) -> str:
    """The study's price base when none is asked for: the price year of the team's
    budget, or, for an area without a team, of its first programme's cost per family."""
    if "team.budget.total" in params:
        return params["team.budget.total"].price_year
    for name in cohort_names(params):
        path = f"programmes.{name}.cost_per_family"
        if path in params and params[path].price_year:
            return params[path].price_year
    raise ParameterError(
        Problem("", "team", "nothing to appraise: the area has no team.yaml and no programme")
    )


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
    totals: Totals | None = field(default=None, repr=False)
    #: NPV with every parameter at its central value (None unless asked for).
    central_npv: float | None = None
    #: The date discounting counts from (year 0), and the years each cohort is followed.
    base_date: str = ""
    years_after_support: int | None = None
    #: What each outcome's effect rests on (see :func:`costmodel.model.savings.evidence_summary`).
    evidence: Mapping[str, Mapping[str, Any]] = field(default_factory=dict, repr=False)
    #: Agency weights of the perspectives (see :meth:`perspectives`).
    perspective_weights: Mapping[str, Any] = field(
        default_factory=lambda: {
            "local": np.ones(len(AGENCY_NAMES)),
            "transfer": np.zeros(len(AGENCY_NAMES)),
            "funder": None,
        },
        repr=False,
    )

    @property
    def stored(self) -> int:
        """How many draws' per-draw values are kept (all of them up to STORED_DRAWS)."""
        return len(self.appraisal.costs)

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

    @property
    def families_started(self) -> np.ndarray:
        """Families starting support in every programme, by (stored) draw."""
        return programme_total(self.programmes, "started", self.stored)

    @property
    def families_completed(self) -> np.ndarray:
        return programme_total(self.programmes, "finished", self.stored)

    @property
    def families_reached_indirectly(self) -> np.ndarray:
        return programme_total(self.programmes, "reached_indirectly", self.stored)

    def mean_flows(self) -> Mapping[str, np.ndarray]:
        """Mean yearly streams over every draw (see :class:`Totals`)."""
        if self.totals is not None:
            return self.totals.flows
        return _flow_sums(self.appraisal, len(self.appraisal.costs))

    def financial_years(self) -> list[str]:
        """The financial year of each appraisal year (the year holding its midpoint).

        Appraisal year ``i`` runs for twelve months from the start date plus ``i`` years;
        a programme starting in February 2019 has its first year labelled 2019/20, the
        financial year in which ten of its twelve months fall.
        """
        return programme_financial_years(self.start_year, self.appraisal.horizon)

    @property
    def p_npv_positive(self) -> float:
        if self.totals is not None:
            return self.totals.p_npv_positive
        return probability_positive(self.appraisal.npv)

    @property
    def p_payback(self) -> float:
        """Share of draws that pay back within the horizon."""
        if self.totals is not None:
            return self.totals.p_payback
        return float(np.isfinite(self.appraisal.payback_years).mean())

    def indicators(self) -> dict[str, np.ndarray]:
        """Per-draw values of every indicator (money real terms at ``price_year``), for
        the stored draws (all of them up to :data:`STORED_DRAWS`)."""
        return indicator_values(self.appraisal, self.programmes)

    def summary(self, percentiles=(5, 50, 95)) -> pd.DataFrame:
        """Mean and percentiles of each indicator; money in real terms at ``price_year``.

        Means are exact over every draw; percentiles come from the stored draws.
        """
        out = summarise(self.indicators(), percentiles)
        if self.totals is not None:
            out["mean"] = [self.totals.indicators.get(k, np.nan) for k in out.index]
        return out

    def by_agency(self) -> pd.DataFrame:
        """Mean PV of net savings by agency, cashable and not, and each agency's share."""
        m, df = self.mean_flows(), self.appraisal.discount_factors
        net, cash = df @ m["net_by_agency"], df @ m["cashable_by_agency"]
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

    def perspectives(self) -> pd.DataFrame:
        """PV of benefits and costs, NPV and BCR (ratio of expected values) by perspective.

        * ``fiscal`` – the public sector as a whole: every agency's net saving against
          the programmes' costs; payment-by-results income from central government is a
          transfer within it and cancels (the headline figures take this view).
        * ``economic`` – fiscal less transfer payments (``savings.perspectives.
          transfer_share``: benefits paid and tax forgone), plus the economic value of
          episodes avoided where an outcome gives one (``economic_value``: output not
          lost, earnings gained in work).
        * ``social`` – economic plus wellbeing (``social_value``: the physical and
          emotional harm avoided), where an outcome gives one, discounted at the Green
          Book's health rate (it is valued in quality-adjusted life years).
        * ``local`` – the local partnership (``savings.perspectives.local_agencies``):
          its agencies' savings against the costs less the income it receives.
        * ``funder`` – the agency that pays (``team.budget.funder`` or a programme's
          ``funder``): its cashable savings against its outlay; only when every programme
          appraised has the same funder.

        Means are exact over every draw.
        """
        m, f = self.mean_flows(), self.appraisal.discount_factors
        by_agency, cashable = f @ m["net_by_agency"], f @ m["cashable_by_agency"]
        costs, income = float(f @ m["costs"]), float(f @ m["income"])
        w = self.perspective_weights
        economic = float(by_agency @ (1 - w["transfer"])) + float(f @ m["economic_net"])
        h = self.appraisal.health_discount_factors
        social = economic + float((f if h is None else h) @ m["social_net"])
        rows = {
            "fiscal": (by_agency.sum(), costs, "every public agency; income cancels"),
            "economic": (
                economic,
                costs,
                "fiscal less transfer payments, plus output not lost where valued",
            ),
            "social": (
                social,
                costs,
                "economic plus wellbeing where valued (see each outcome's social_value)",
            ),
            "local": (
                float(by_agency @ w["local"]),
                costs - income,
                "local partners' savings; costs less income from central government",
            ),
        }
        if w.get("funder") is not None:
            j = AGENCY_NAMES.index(w["funder"])
            rows["funder"] = (
                float(cashable[j]),
                costs - income,
                f"cashable savings of the funder ({w['funder']}) against its outlay",
            )
        out = pd.DataFrame(
            {
                "pv_benefits": [r[0] for r in rows.values()],
                "pv_costs": [r[1] for r in rows.values()],
                "basis": [r[2] for r in rows.values()],
            },
            index=pd.Index(list(rows), name="perspective"),
        )
        out.insert(2, "npv", out["pv_benefits"] - out["pv_costs"])
        out.insert(3, "bcr", [float(ratio(r[0], r[1])) for r in rows.values()])
        return out

    def perspective_draws(self, view: str) -> tuple[np.ndarray, np.ndarray]:
        """PV of benefits and of costs by stored draw for a perspective of
        :meth:`perspectives` (``fiscal``, ``economic``, ``social``, ``local``,
        ``funder``): the per-draw values behind its ratio of expected values."""
        a, w = self.appraisal, self.perspective_weights
        by_agency = a.pv(a.net_by_agency)  # (D, agencies)
        zeros = np.zeros(len(a.costs))
        economic = by_agency @ (1 - w["transfer"]) + (
            zeros if a.economic_net is None else a.pv(a.economic_net)
        )
        outlay = a.pv_costs - a.pv_income
        if view == "fiscal":
            return by_agency.sum(axis=1), a.pv_costs
        if view == "economic":
            return economic, a.pv_costs
        if view == "social":
            return economic + a.pv_social, a.pv_costs
        if view == "local":
            return by_agency @ w["local"], outlay
        if view == "funder" and w.get("funder") is not None:
            j = AGENCY_NAMES.index(w["funder"])
            return a.pv(a.cashable_by_agency)[:, j], outlay
        raise ParameterError(
            Problem("", "perspective", f"no {view!r} perspective in this projection")
        )

    def by_outcome(self) -> pd.DataFrame:
        """PV of net savings by outcome (mean over every draw) and its share, with what
        the outcome's effect rests on: evidence class, grade, pooled effect, the
        multipliers applied at central values, and the window measured."""
        f = self.appraisal.discount_factors
        pv = f @ self.mean_flows()["net"]
        total = float(pv.sum())
        rows = []
        for j, o in enumerate(self.inputs.outcomes):
            e = self.evidence.get(o, {})
            rows.append(
                {
                    "outcome": o,
                    "pv_savings_net": float(pv[j]),
                    "share": float(pv[j]) / total if total else np.nan,
                    "evidence_class": self.inputs.evidence_class[j]
                    if self.inputs.evidence_class
                    else e.get("evidence_class", "assumed"),
                    "grade": GRADES[int(self.inputs.grade[j])],
                    "pooled_effect": e.get("pooled_effect", np.nan),
                    "design_multiplier": e.get("design_multiplier", np.nan),
                    "transfer_factor": e.get("transfer_factor", np.nan),
                    "effect_applied": e.get("effect_applied", np.nan),
                    "window_years": e.get("window_years", np.nan),
                    "studies": ", ".join(dict.fromkeys(r["study"] for r in e.get("records", []))),
                }
            )
        return pd.DataFrame(rows).set_index("outcome")

    def by_evidence_class(self) -> pd.DataFrame:
        """Share of PV net savings by the kind of evidence its effects rest on: the
        programme's own counterfactual, transferred from another programme, or assumed."""
        by = self.by_outcome().groupby("evidence_class")["pv_savings_net"].sum()
        by = by.reindex(list(CLASSES), fill_value=0.0)
        total = float(by.sum())
        return pd.DataFrame(
            {"pv_savings_net": by, "share": by / total if total else np.nan}
        ).rename_axis("evidence_class")

    def by_year(self) -> pd.DataFrame:
        """Mean yearly costs and savings (real, undiscounted and discounted)."""
        a = self.appraisal
        df = a.discount_factors
        m = self.mean_flows()
        out = pd.DataFrame(
            {
                "costs": m["costs"],
                "savings_gross": m["gross"].sum(axis=1),
                "savings_net": m["net"].sum(axis=1),
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
            out[f"net_{agency}"] = m["net_by_agency"][:, j]
        return out

    def cumulative(self, low: float = 5, high: float = 95) -> pd.DataFrame:
        """Cumulative discounted costs and net savings, year by year (fiscal perspective:
        payment-by-results income is a transfer within government and cancels).

        Means over draws, and the ``low``–``high`` percentile band of each draw's
        cumulative net savings; ``payback_of_means`` (in ``attrs``) is the payback time
        of the mean curves by the same rule as each draw's payback.
        """
        a = self.appraisal
        f = a.discount_factors
        m = self.mean_flows()
        savings = np.cumsum(a.net.sum(axis=2) * f, axis=1)  # each stored draw's curve
        lo, hi = np.percentile(savings, [low, high], axis=0)
        out = pd.DataFrame(
            {
                "costs": np.cumsum(m["costs"] * f),
                "savings": np.cumsum(m["net"].sum(axis=1) * f),
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

    def headlines(self) -> pd.DataFrame:
        """The headline figures, each consistent with the others, with how it is formed.

        ``estimate`` is what a headline states: means for amounts and counts; ratios of
        expected values for the benefit-cost ratio, return, cost per family and
        break-even (so BCR > 1, break-even effect < 100% and break-even families below
        the families helped all hold exactly when mean NPV > 0); the NPV's median and its
        value at central parameter values beside its mean; payback read from the mean
        cumulative curves, and given only where at least half the draws pay back within
        the horizon. ``basis`` says which. ``p5``/``p50``/``p95`` describe the per-draw
        distribution (of per-draw ratios, for the ratio rows), for the uncertainty
        section. Basis keys: ``mean``, ``median``, ``central_values``,
        ``ratio_of_means``, ``share_of_draws``, ``mean_curves``.
        """
        s = self.summary()
        m = s["mean"]
        costs = m["pv_costs"]  # fiscal: income from central government cancels
        benefits = m["pv_savings_net"]
        spend = float(self.mean_flows()["costs"].sum())
        rows: dict[str, tuple[float, str]] = {
            "families_started": (m["families_started"], "mean"),
            "families_completed": (m["families_completed"], "mean"),
            "families_reached_indirectly": (m["families_reached_indirectly"], "mean"),
            "families_contacted_light_touch": (m["families_contacted_light_touch"], "mean"),
            "cost_per_family_started": (
                float(ratio(spend, m["families_started"])),
                "ratio_of_means",
            ),
            "pv_costs": (m["pv_costs"], "mean"),
            "pv_income": (m["pv_income"], "mean"),
            "pv_savings_gross": (m["pv_savings_gross"], "mean"),
            "pv_savings_net": (benefits, "mean"),
            "npv": (m["npv"], "mean"),
            "npv_median": (s.loc["npv", "p50"], "median"),
            "npv_central": (
                np.nan if self.central_npv is None else self.central_npv,
                "central_values",
            ),
            "bcr": (float(ratio(benefits, costs)), "ratio_of_means"),
            "roi": (float(ratio(m["npv"], costs)), "ratio_of_means"),
            "p_npv_positive": (self.p_npv_positive, "share_of_draws"),
            "p_payback": (self.p_payback, "share_of_draws"),
            "payback_years": (
                self.cumulative().attrs["payback_of_means"] if self.p_payback >= 0.5 else np.nan,
                "mean_curves",
            ),
            "break_even_effect_scale": (float(ratio(costs, benefits)), "ratio_of_means"),
            "break_even_families": (
                float(ratio(costs, benefits)) * m["families_started"],
                "ratio_of_means",
            ),
        }
        if self.appraisal.income is None:
            rows.pop("pv_income")
        if self.central_npv is None:
            rows.pop("npv_central")
        out = pd.DataFrame(
            {"estimate": [v[0] for v in rows.values()], "basis": [v[1] for v in rows.values()]},
            index=pd.Index(list(rows), name="indicator"),
        )
        for q in ("p5", "p50", "p95"):  # the per-draw distribution, where a row has one
            out[q] = [s.loc[k, q] if k in s.index else np.nan for k in out.index]
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
            "base_date": self.base_date,
            "years_after_support": self.years_after_support,
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
            "benefits_by_evidence_class": {
                k: {"pv_savings_net": float(r.pv_savings_net), "share": _finite(r.share)}
                for k, r in self.by_evidence_class().iterrows()
            },
            "outcomes": {
                o: {
                    **{k: v for k, v in self.evidence.get(o, {}).items()},
                    "pv_savings_net": float(r.pv_savings_net),
                    "share_of_benefits": _finite(r.share),
                }
                for o, r in self.by_outcome().iterrows()
            },
            "perspective_of_headlines": "fiscal",
            "perspectives": {
                k: {
                    "pv_benefits": float(r.pv_benefits),
                    "pv_costs": float(r.pv_costs),
                    "npv": float(r.npv),
                    "bcr": None if not np.isfinite(r.bcr) else float(r.bcr),
                    "basis": r.basis,
                }
                for k, r in self.perspectives().iterrows()
            },
            "headlines": {
                k: {
                    "estimate": None if not np.isfinite(r.estimate) else float(r.estimate),
                    "basis": r.basis,
                }
                for k, r in self.headlines().iterrows()
            },
            "reach_reported_against_modelled": (
                []
                if self.simulation is None
                else [
                    {
                        k: (float(v) if isinstance(v, (float, np.floating)) else v)
                        for k, v in r.items()
                    }
                    for r in self.simulation.reported().to_dict(orient="records")
                ]
            ),
        }


@accepts(params="mapping", scenario="scenario", price_year="name")
def project(
    params,
    scenario: str | Scenario | None = None,
    draws: int = 10_000,
    seed: int = DEFAULT_SEED,
    horizon: int | None = None,
    price_year: str | None = None,
    discount: str = "standard",
    reach_runs: int = 5000,
    simulation=None,
    progress: Callable[[Iterable[int]], Iterable[int]] | None = None,
    check_area: bool = True,
    central: bool = False,
    chunk_bytes: int | None = None,
    on_chunk: Callable[[int], object] | None = None,
    years_after_support: int | None = None,
    base_date: dt.date | None = None,
    as_of: dt.date | None = None,
) -> Projection:
    """Appraise a scenario over ``draws`` Monte Carlo draws (1 = deterministic).

    **Cohorts.** Families whose support ends in the same quarter of a programme form a
    cohort; each cohort's savings are followed for ``years_after_support`` years from
    the quarter its support ends (default ``savings.appraisal.years_after_support``), so
    a family helped in the last quarter counts as many years of benefit as one helped in
    the first. The appraisal period (``horizon``, years from the earliest programme's
    start) defaults to the end of the last cohort's follow-up (the programme's years
    plus the years after support); a shorter ``horizon`` cuts every stream there.
    **Discounting** counts from ``base_date`` (default: the earliest programme's
    start): year ``t`` of the appraisal is discounted by the Green Book factor for its
    distance from the base year (a year before it is compounded). **Optimism bias on
    costs** is ex ante: it raises only the costs of appraisal years that start after
    ``as_of`` (default: today), never spending already incurred.

    **Effects** come from the evidence (:mod:`costmodel.params.evidence`): an effect
    measured for a programme appraised here against its own counterfactual is its own;
    one measured elsewhere is transferred; the need tiers the programmes serve scale
    the outcome rates (:func:`served_by`).

    Every programme the parameters appraise (:func:`costmodel.model.programme.programmes`)
    contributes its families, costs and income; the time line starts at the earliest
    programme's start date. The team simulation runs ``min(draws, reach_runs)`` times;
    a ``simulation`` already run on the same parameters may be passed to reuse it, and
    ``progress`` wraps its time loop (e.g. ``tqdm.tqdm``). With ``check_area`` the
    helped families' outcome costs are checked against the area's baseline (the area
    of the parameter set: see :func:`costmodel.model.late_intervention.default_area`).
    With ``central`` the NPV at central parameter values is worked out too (a
    deterministic projection; ``central_npv``). Draws are appraised in chunks of at most
    ``chunk_bytes`` of working memory
    (default :data:`CHUNK_BYTES`); the results do not depend on it. ``on_chunk`` is
    called with the number of draws each chunk appraised (e.g. a progress bar's update).
    """
    draws = check_draws(draws)
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
    included = programmes(params)
    served = [served_by(params, [p]) for p in included]
    starts = [p.start_date(params) for p in included]
    if not starts and "team.programme.start_date" not in params:
        raise ParameterError(
            Problem(
                "",
                "programmes",
                "nothing to appraise: the area has no team.yaml and no programme with "
                "share_appraised above zero (add one under programmes/, or name a "
                "scenario that appraises one)",
            )
        )
    start = min(starts or [params["team.programme.start_date"].value])
    shifts = [_years_between(s, start) for s in starts]
    yas = cohort_years(params, years_after_support)
    if horizon is None:
        if yas is None:
            raise ParameterError(
                Problem(
                    "",
                    FOLLOW_UP,
                    "missing: give the years each cohort is followed, or a horizon",
                )
            )
        last = max([s + p.years(params) for p, s in zip(included, shifts, strict=True)] or [1])
        # the last cohort ends support in the last quarter of year last − 1 and is
        # followed for yas years from that quarter, into year last − 1 + yas
        horizon = last + yas
    horizon = check_horizon(horizon)
    base = start if base_date is None else base_date
    offset = _years_between(start, base) if start >= base else -_years_between(base, start)
    factors = discount_factors(np.arange(horizon) + offset, schedule_from_params(params, discount))
    # wellbeing (valued in QALYs) is discounted at the Green Book's health rate
    health = discount_factors(np.arange(horizon) + offset, schedule_from_params(params, "health"))
    today = dt.date.today() if as_of is None else as_of
    future = np.array(
        [_add_years(start, t) > today for t in range(horizon)], dtype=float
    )  # years whose costs are still estimates
    area = default_area(params) if check_area else None
    n_outcomes = len(outcome_names(params))
    chunk = _chunk_draws(chunk_bytes or CHUNK_BYTES, horizon, n_outcomes)
    total = _Accumulator()
    stored = _Stored(min(draws, STORED_DRAWS))
    kept: list[tuple[SavingsInputs, tuple[ProgrammeFlows, ...], pd.DataFrame]] = []
    checks: tuple[str, ...] = ()
    for block, first in enumerate(range(0, draws, SAMPLE_BLOCK)):
        n = min(SAMPLE_BLOCK, draws - first)
        block_rng = rng if block == 0 else np.random.default_rng([seed, block])
        values = sample(
            params,
            n,
            None if deterministic else block_rng,
            savings_paths(params),
            savings_correlations(params),
        )
        # each programme's effects and rates follow its own evidence and population
        inputs_each = [
            savings_inputs(params, price_year, values=values, served=sv)
            for sv in served or [Served()]
        ]
        inputs = inputs_each[0]
        run = replace(options, first_draw=first)
        flows = tuple(p.flows(params, price_year, n, block_rng, run) for p in included)
        team = next((f for f in flows if f.simulation is not None), None)
        if team is not None:  # one team simulation serves every block
            options = replace(options, simulation=team.simulation)
        length = max([f.years + s for f, s in zip(flows, shifts, strict=True)] or [1])

        def line(arrays: list[np.ndarray | None], n=n, length=length) -> np.ndarray:
            out = np.zeros((n, length))
            for a, s in zip(arrays, shifts, strict=True):
                if a is not None:
                    out[:, s : s + a.shape[1]] += a
            return out

        per = QUARTERS_PER_YEAR if all(f.quarterly for f in flows) else 1

        def by_period(arrays: list[np.ndarray | None], n=n, length=length, per=per):
            out = np.zeros((n, length * per))
            for a, s in zip(arrays, shifts, strict=True):
                if a is not None:
                    out[:, s * per : s * per + a.shape[1]] += a
            return out

        def only(i: int, a: np.ndarray | None, k: int = len(flows)) -> list[np.ndarray | None]:
            return [a if j == i else None for j in range(k)]

        # one appraisal for each programme (none: an empty one), added up by chunk
        each = [
            (
                inputs_each[i],
                by_period(only(i, _effective(f.family_flows(per > 1), inputs_each[i]))),
                line(only(i, f.costs)),
                None if f.income is None else line(only(i, f.income)),
                f.started,
            )
            for i, f in enumerate(flows)
        ] or [(inputs, by_period([]), line([]), None, np.zeros(n))]
        if block == 0 and area is not None and flows:
            county = baseline(params, area, price_year).by_issue
            central_inputs = (
                inputs
                if deterministic
                else savings_inputs(params, price_year, served=(served or [Served()])[0])
            )
            completed = line([f.completed for f in flows])
            checks = issue_cap_check(
                central_inputs, float(completed.mean(axis=0).max(initial=0)), county
            )
        for lo in range(0, n, chunk):
            hi = min(n, lo + chunk)
            a = combine_appraisals(
                [
                    appraise(
                        inp.rows(lo, hi),
                        costs[lo:hi],
                        families[lo:hi],
                        factors,
                        discount,
                        checks,
                        families_helped=helped[lo:hi],
                        income=None if income is None else income[lo:hi],
                        years_after_support=yas,
                        cohorts_per_year=per,
                        estimated_years=future,
                        health_discount_factors=health,
                    )
                    for inp, families, costs, income, helped in each
                ]
            )
            part = tuple(f.rows(lo, hi) for f in flows)
            total.add(a, indicator_values(a, part))
            if on_chunk is not None:
                on_chunk(hi - lo)
            keep = stored.add(a)
            if keep:
                table = pd.concat(
                    [values.iloc[lo:hi].reset_index(drop=True), *(f.values for f in part)], axis=1
                )
                kept.append(
                    (
                        inputs.rows(lo, lo + keep),
                        tuple(f.rows(0, keep) for f in part),
                        table.iloc[:keep],
                    )
                )
    appraisal = stored.appraisal()
    stored_flows = tuple(ProgrammeFlows.join([k[1][i] for k in kept]) for i in range(len(included)))
    table = pd.concat([k[2].reset_index(drop=True) for k in kept], ignore_index=True)
    table = table.loc[:, ~table.columns.duplicated()]
    return Projection(
        scenario=scenario_name(scenario),
        draws=draws,
        seed=seed,
        appraisal=appraisal,
        inputs=SavingsInputs.join([k[0] for k in kept]),
        programmes=stored_flows,
        draws_table=table,
        start_year=start.isoformat(),
        price_basis=defl.basis(price_year),
        area=area,
        totals=total.totals(),
        central_npv=_central_npv(
            params,
            deterministic,
            appraisal,
            central,
            dict(
                horizon=horizon,
                price_year=price_year,
                discount=discount,
                years_after_support=yas,
                base_date=base,
                as_of=today,
            ),
        ),
        base_date=base.isoformat(),
        years_after_support=yas,
        evidence=evidence_summary(params, (served or [Served()])[0]),
        perspective_weights=perspective_weights(params, included),
    )


def _finite(x: Any) -> float | None:
    return float(x) if x is not None and np.isfinite(x) else None


def served_by(params: Mapping, included: Sequence) -> Served:
    """What a programme serves: its name and the need tiers of its families
    (``team.population`` or ``programmes.<name>.population``; several programmes: the
    first's tiers, so appraise each with its own, as :func:`project` does). A cohort
    programme's ``evaluated_as`` names the programme whose evaluation measured it (a
    county's delivery of a national programme), whose effects then count as its own."""
    mix: dict[str, float] = {}
    for prog in included:
        path = (
            "team.population"
            if prog.kind == "team simulation"
            else f"{PROGRAMMES}.{prog.name}.population"
        )
        if path in params and not mix:
            mix = dict(params[path].value)
    names = [p.name for p in included]
    for prog in included:  # a local programme counts its national evaluation as its own
        path = f"{PROGRAMMES}.{prog.name}.evaluated_as"
        if path in params:
            names += [k for k, v in params[path].value.items() if v]
    return Served(tuple(names), mix)


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _effective(flows: tuple[np.ndarray, ...], inputs: SavingsInputs) -> np.ndarray:
    """Full-effect-equivalent families from (completed, dropped, indirect, light touch)."""
    completed, dropped, indirect, light_touch = flows
    return effective_families(completed, dropped, indirect, inputs, light_touch)


def _central_npv(
    params,
    deterministic: bool,
    appraisal: Appraisal,
    wanted: bool,
    settings: dict[str, Any],
) -> float | None:
    """The NPV at central parameter values: the projection itself when deterministic."""
    if deterministic:
        return float(appraisal.npv[0])
    if not wanted:
        return None
    one = project(params, draws=1, check_area=False, **settings)
    return float(one.appraisal.npv[0])


def perspective_weights(params: Mapping, included: Sequence) -> dict[str, Any]:
    """The agency weights of the local and economic perspectives, and the common funder."""

    def table(path: str, default: float) -> np.ndarray:
        if path not in params:
            return np.full(len(AGENCY_NAMES), default)
        p = params[path]
        unknown = set(p.value) - set(AGENCY_NAMES)
        if unknown:
            raise ParameterError(
                Problem(p.file, p.path, f"unknown agency {sorted(unknown)[0]!r}", p.line)
            )
        return np.array([float(p.value.get(a, default)) for a in AGENCY_NAMES])

    funders = {prog.funder(params) for prog in included}
    return {
        "local": table("savings.perspectives.local_agencies", 1.0),
        "transfer": table("savings.perspectives.transfer_share", 0.0),
        "funder": funders.pop() if len(funders) == 1 else None,
    }


FOLLOW_UP = "savings.appraisal.years_after_support"


def cohort_years(params: Mapping, given: int | None = None) -> int | None:
    """Years each cohort is followed after its support: ``given``, else the parameter
    ``savings.appraisal.years_after_support`` (``None`` if neither: follow to the end)."""
    if given is not None:
        return check_horizon(given, "years after support")
    if FOLLOW_UP in params:
        return check_horizon(int(round(float(params[FOLLOW_UP].value))), FOLLOW_UP)
    return None


def _chunk_draws(budget: int, horizon: int, outcomes: int) -> int:
    """Draws per chunk so the appraisal's working arrays stay within ``budget`` bytes.

    Per draw and year the appraisal holds gross and net savings by outcome and by
    agency, costs, income and a few temporaries: about ``3 × (outcomes + 8)`` numbers of
    8 bytes (an estimate on the safe side, measured by ``benchmarks/bench_memory.py``).
    """
    per_draw = 8 * horizon * 3 * (outcomes + 8)
    return max(1_000, budget // per_draw)


class _Stored:
    """The per-draw arrays of a projection's first draws, filled in place chunk by chunk."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.filled = 0
        self.first: Appraisal | None = None
        self.arrays: dict[str, np.ndarray] = {}

    def add(self, a: Appraisal) -> int:
        """Keep as many of ``a``'s draws as there is room for; return how many."""
        keep = min(self.size - self.filled, len(a.costs))
        if keep <= 0:
            return 0
        if self.first is None:  # one chunk alone is kept as it is, without a copy
            self.first = a
        else:
            if not self.arrays:
                self._allocate(self.first)
            self._write(a, keep)
        self.filled += keep
        return keep

    def _allocate(self, a: Appraisal) -> None:
        names = [k for k in PER_DRAW if getattr(a, k) is not None]
        self.arrays = {k: np.empty((self.size, *getattr(a, k).shape[1:])) for k in names}
        done, self.filled = self.filled, 0
        self._write(a, done)
        self.filled = done
        # keep the first chunk's other fields, not its per-draw arrays
        empty: dict[str, Any] = {k: getattr(a, k)[:0].copy() for k in self.arrays}
        self.first = replace(a, **empty)

    def _write(self, a: Appraisal, keep: int) -> None:
        for k, arr in self.arrays.items():
            arr[self.filled : self.filled + keep] = getattr(a, k)[:keep]

    def appraisal(self) -> Appraisal:
        assert self.first is not None  # every projection has at least one draw
        if not self.arrays:
            return _head(self.first, self.filled)
        fields: dict[str, Any] = {k: v[: self.filled] for k, v in self.arrays.items()}
        return replace(self.first, **fields)


def _head(a: Appraisal, n: int) -> Appraisal:
    """The appraisal of its first ``n`` draws."""
    if n >= len(a.costs):
        return a
    return replace(a, **{k: getattr(a, k)[:n] for k in PER_DRAW if getattr(a, k) is not None})


def _years_between(later: dt.date, earlier: dt.date) -> int:
    """Whole years from date ``earlier`` to date ``later``."""
    return int(round((later - earlier).days / 365.25))


@accepts(params="mapping", scenarios="names")
def compare(params, scenarios: list[str], **kwargs) -> pd.DataFrame:
    """Scenarios side by side: each one's headline figures (see :meth:`Projection.headlines`).

    Every scenario is discounted to one base date (the earliest start of any programme
    they appraise, unless ``base_date`` is given) and priced in one price year (the
    first scenario's, unless ``price_year`` is given), so their present values compare.
    """
    settings = common_basis(params, scenarios, kwargs.get("base_date"), kwargs.get("price_year"))
    cols = {}
    for name in scenarios:
        p = project(params, name, **{"central": True, **kwargs, **settings})
        cols[scenario_name(name)] = p.headlines()["estimate"]
    return pd.DataFrame(cols)


def published_returns(params: Mapping, result: Projection) -> pd.DataFrame:
    """The appraisal's benefit-cost ratios beside those an evaluation published.

    Where the projection appraises one cohort programme alone and it has
    ``programmes.<name>.evaluation.<perspective>_bcr`` parameters (as Troubled Families
    phase 2 has the national evaluation's fiscal and economic returns), one row per
    such perspective: ``modelled`` (the ratio of expected values,
    :meth:`Projection.perspectives`), ``p5`` and ``p95`` (its 90% interval over the
    draws, :func:`bcr_interval`), ``published``, ``gap`` (published less modelled) and
    the ``source`` title. Empty otherwise: a mix of programmes has no published
    return to meet. ``params`` are those the projection ran on (scenario applied).
    """
    columns = ["modelled", "p5", "p95", "published", "gap", "source"]
    empty = pd.DataFrame(columns=columns, index=pd.Index([], name="perspective"))
    if len(result.programmes) != 1 or result.programmes[0].simulation is not None:
        return empty
    head = f"programmes.{result.programmes[0].name}.evaluation."
    views = result.perspectives()
    rows = {}
    for path in params:
        if path.startswith(head) and path.endswith("_bcr"):
            view = path[len(head) : -len("_bcr")]
            if view in views.index:
                p = params[path]
                modelled = float(views.loc[view, "bcr"])
                low, high = bcr_interval(result, view)
                published = float(p.value)
                rows[view] = (modelled, low, high, published, published - modelled, p.source.title)
    if not rows:
        return empty
    return pd.DataFrame.from_dict(rows, orient="index", columns=columns).rename_axis("perspective")


def bcr_interval(result: Projection, view: str, low: float = 5, high: float = 95):
    """The 5th and 95th percentiles of a perspective's benefit-cost ratio over the
    stored draws (draws without costs left out)."""
    benefits, costs = result.perspective_draws(view)
    ok = costs > 0
    if not ok.any():
        return np.nan, np.nan
    r = benefits[ok] / costs[ok]
    return float(np.percentile(r, low)), float(np.percentile(r, high))


def common_basis(
    params, scenarios: Sequence, base_date: dt.date | None = None, price_year: str | None = None
) -> dict[str, Any]:
    """One base date and one price year for a set of scenarios (see :func:`compare`)."""
    if base_date is None:
        starts = []
        for name in scenarios:
            p = apply_scenario(params, name)
            starts += [prog.start_date(p) for prog in programmes(p)]
        base_date = min(starts) if starts else None
    if price_year is None and scenarios:
        price_year = default_price_year(apply_scenario(params, scenarios[0]))
    return {"base_date": base_date, "price_year": price_year}


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
        # an area without a team (only cohort programmes) has no simulation to reuse
        self._sim = (
            reach(self.params, runs=runs, seed=0, parameter_uncertainty=False)
            if self._team
            else None
        )

    @property
    def paths(self) -> list[str]:
        return drawn_paths(self.params)

    def projection(self, params) -> Projection:
        same_team = all(params[k] is v for k, v in self._team.items())
        sim = (
            self._sim
            if same_team or self._sim is None
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
