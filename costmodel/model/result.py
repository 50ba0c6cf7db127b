"""A projection's result: what an appraisal of a scenario holds, and its views.

:class:`Projection` holds the per-draw appraisal (kept for the stored draws), the exact
means over every draw (:class:`Totals`), the programmes' flows, the draws table and
what each effect rests on; its methods are the views every output reads (headlines,
perspectives, by agency, by outcome, by evidence class, by year, cumulative curves,
outturn, JSON). Built by :func:`costmodel.model.projection.project`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..greenbook.appraisal import payback, probability_positive, ratio
from ..greenbook.prices import financial_year_of
from ..params.errors import ParameterError, Problem
from ..params.evidence import CLASSES
from ..params.sampling import summarise
from .programme import ProgrammeFlows
from .savings import GRADES, Appraisal, SavingsInputs
from .team import ReachInputs, ReachResult
from .vocabulary import AGENCY_NAMES

__all__ = ["Projection", "Totals", "bcr_interval", "programme_financial_years"]


def programme_financial_years(start: str | dt.date, years: int) -> list[str]:
    """Financial-year labels of ``years`` programme years from ``start`` (midpoint rule)."""
    start = dt.date.fromisoformat(start) if isinstance(start, str) else start
    out = []
    for i in range(years):
        out.append(financial_year_of(start + dt.timedelta(days=365.25 * (i + 0.5))))
    return out


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
    #: The date of the decision appraised (None: a retrospective appraisal), and the
    #: mean present values of what fell before it (see :func:`sunk_values`): shown
    #: apart, never in the NPV.
    decision_date: str | None = None
    sunk: Mapping[str, float] = field(default_factory=dict)
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
    #: What the methods below work out from the draws, kept on first use (a projection
    #: does not change): each table is copied on the way out.
    _kept: dict[str, Any] = field(
        default_factory=dict, init=False, repr=False, compare=False, hash=False
    )

    def _once(self, key: str, work: Callable[[], Any]) -> Any:
        """``work()``, worked out on the first call for ``key`` and kept."""
        kept = self.__dict__.setdefault("_kept", {})  # (a projection pickled before it had one)
        if key not in kept:
            kept[key] = work()
        return kept[key]

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

    def outturn(self) -> pd.DataFrame:
        """Where the area's ledger replaced simulated spend: one row per programme and
        financial year, the simulated mean, the outturn (both real terms at
        ``price_year``), the cash recorded, the difference (outturn less simulated)
        and the source. Empty without a ledger."""
        frames = [
            p.outturn.assign(programme=p.name).reset_index()
            for p in self.programmes
            if p.outturn is not None
        ]
        columns = [
            "programme",
            "financial_year",
            "simulated",
            "outturn",
            "cash",
            "difference",
            "source",
        ]
        if not frames:
            return pd.DataFrame(columns=columns)
        return pd.concat(frames, ignore_index=True)[columns]

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
        kept = self._once("indicators", lambda: indicator_values(self.appraisal, self.programmes))
        return dict(kept)

    def summary(self, percentiles: Sequence[float] = (5, 50, 95)) -> pd.DataFrame:
        """Mean and percentiles of each indicator; money in real terms at ``price_year``.

        Means are exact over every draw; percentiles come from the stored draws.
        """
        return self._once(
            f"summary {tuple(percentiles)}", lambda: self._summary(percentiles)
        ).copy()

    def _summary(self, percentiles: Sequence[float]) -> pd.DataFrame:
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
            "fiscal": (by_agency.sum(), costs, "fiscal"),
            "economic": (economic, costs, "economic"),
            "social": (social, costs, "social"),
            "local": (float(by_agency @ w["local"]), costs - income, "local"),
        }
        if w.get("funder") is not None:
            j = AGENCY_NAMES.index(w["funder"])
            rows["funder"] = (float(cashable[j]), costs - income, "funder")
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

    def npv_per_family(self, low: float = 5, high: float = 95) -> tuple[float, float, float]:
        """NPV per family starting support: the mean NPV over the mean families (0 with
        no families), and the ``low`` and ``high`` percentiles of each stored draw's own
        NPV over its own families (draws with no families left out; 0 when none is left),
        so programmes of very different sizes read on one scale."""
        h = self.headlines()["estimate"]
        families = float(h["families_started"])
        mean = float(h["npv"]) / families if families > 0 else 0.0
        each = self.families_started[: self.stored]
        per_draw = self.appraisal.npv / np.where(each > 0, each, np.nan)
        finite = per_draw[np.isfinite(per_draw)]
        if not len(finite):
            return mean, 0.0, 0.0
        return mean, float(np.percentile(finite, low)), float(np.percentile(finite, high))

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

    def net_by_agency_by_year(self, discounted: bool = False) -> pd.DataFrame:
        """Mean net savings each appraisal year (rows) by the agency that gains
        (columns), real terms; with ``discounted`` each year × its discount factor."""
        values = np.asarray(self.mean_flows()["net_by_agency"], dtype=float)
        if discounted:
            values = values * np.asarray(self.appraisal.discount_factors, dtype=float)[:, None]
        return pd.DataFrame(
            values,
            index=pd.Index(range(self.appraisal.horizon), name="year"),
            columns=pd.Index(AGENCY_NAMES, name="agency"),
        )

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
        return self._once("headlines", self._headlines).copy()

    def _headlines(self) -> pd.DataFrame:
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

        def block(name: str) -> dict[str, float | None]:
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
            "decision_date": self.decision_date,
            "sunk_before_decision": dict(self.sunk) if self.decision_date else None,
            "outturn": self.outturn().to_dict(orient="records"),
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


def _finite(x: Any) -> float | None:
    return float(x) if x is not None and np.isfinite(x) else None


def bcr_interval(
    result: Projection, view: str, low: float = 5, high: float = 95
) -> tuple[float, float]:
    """The 5th and 95th percentiles of a perspective's benefit-cost ratio over the
    stored draws (draws without costs left out)."""
    benefits, costs = result.perspective_draws(view)
    ok = costs > 0
    if not ok.any():
        return np.nan, np.nan
    r = benefits[ok] / costs[ok]
    return float(np.percentile(r, low)), float(np.percentile(r, high))
