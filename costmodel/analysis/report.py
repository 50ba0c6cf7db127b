"""What a report shows, computed once: the report's results.

:func:`report_content` runs the area's baseline, each scenario's Monte Carlo
projection, the one-way sensitivity analysis, the switching values, the value of
information and the decision's options, and returns a :class:`ReportContent` that
holds every number the PDF report, the workbook and the notebooks show: its methods
give each table as a pandas DataFrame keyed by the model's names (the words are
added by :mod:`costmodel.present`, which only formats what these hold).

Money is in real terms at the report's price year unless a table says otherwise:
``cash_flows(basis="discounted")`` multiplies by the Green Book discount factors and
``cash_flows(basis="nominal")`` re-inflates each year with the GDP deflator (cash
prices of the financial year holding the appraisal year's midpoint).
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..greenbook.financial_years import apportion_to_financial_years
from ..greenbook.prices import Deflators, as_financial_year, deflators_from_params
from ..greenbook.prices import add_years as _add_years
from ..model.decision import OptionsAppraisal, appraise_options
from ..model.late_intervention import Baseline, baseline, default_area
from ..model.programme import programmes
from ..model.projection import Projection, common_basis, default_price_year, project
from ..model.savings import GRADES, evidence_class
from ..model.team_engine import simulation_cache
from ..model.vocabulary import AGENCY_NAMES, WEEKS_PER_QUARTER, WEEKS_PER_YEAR
from ..params.decisions import DEFAULT_DECISION, DecisionSpec, list_decisions, load_decision
from ..params.errors import ParameterError, Problem, accepts
from ..params.limits import SENSITIVITY_RUNS
from ..params.scenarios import apply_scenario, list_scenarios, load_scenario, scenario_name
from ..params.store import ParameterSet
from .board_case import BoardCase, board_case
from .central import CentralCase, central_case
from .monitoring import sample_size_value
from .parallel import in_background, parallel_map
from .sensitivity import one_way, switching_values
from .value_of_information import MIN_DRAWS, evppi

#: Money bases of the year-by-year cash-flow table.
BASES = ("real", "discounted", "nominal")


#: Fewest Monte Carlo draws for which the value of information is estimated.
MIN_VOI_DRAWS = MIN_DRAWS
#: Draws of the decision's options (each option, the counterfactual and the history).
DECISION_DRAWS = 2000
#: Savings parameters (those swinging the reported NPV most) whose switching values for
#: the decision's best option make its risk register.
RISK_CANDIDATES = 6
#: Effects whose local sample is valued in the report (those with the largest EVPPI).
SAMPLED_EFFECTS = 4

#: Headline indicators, in the order reports show them (labels in
#: :mod:`costmodel.present.labels`).
HEADLINES: tuple[str, ...] = (
    "families_started",
    "families_completed",
    "families_reached_indirectly",
    "families_contacted_light_touch",
    "cost_per_family_started",
    "pv_costs",
    "pv_income",
    "pv_savings_gross",
    "pv_savings_net",
    "npv",
    "npv_median",
    "npv_central",
    "bcr",
    "p_npv_positive",
    "payback_years",
    "p_payback",
    "break_even_families",
    "break_even_effect_scale",
)
#: Headline rows stated without a per-draw range.
NO_RANGE = ("npv_median", "npv_central", "p_npv_positive", "p_payback", "payback_years")

#: Appraisal periods of the who-pays table: (first year, last year), 1-based, inclusive.
PERIODS: tuple[tuple[int, int | None], ...] = ((1, 3), (4, 6), (7, None))
#: Shares of savings above which one evidence grade sets the overall grade.
MAJORITY = 0.5
#: The stances a report may take: after the funded period, during it, before it.
STANCES = ("ex_post", "in_flight", "ex_ante")


@dataclass(frozen=True)
class ReportContent:
    """The computed results behind a report (first scenario = the one reported in full)."""

    area: str
    scenarios: tuple[str, ...]
    compared: tuple[str, ...]
    descriptions: Mapping[str, str]
    price_year: str
    price_basis: str
    draws: int
    seed: int
    horizon: int
    discount: str
    created: dt.date
    version: str
    fingerprints: Mapping[str, str]
    baseline: Baseline = field(repr=False)
    projections: Mapping[str, Projection] = field(repr=False)
    parameters: ParameterSet = field(repr=False)
    deflators: Deflators = field(repr=False)
    tornado: pd.DataFrame = field(repr=False)
    switching: pd.DataFrame = field(repr=False)
    value_of_information: pd.DataFrame | None = field(repr=False, default=None)
    #: The decision in front of the board, its options from the decision date (None if
    #: the area has no decision file), and what a local sample of each of the most
    #: valuable effects would be worth for its best option (outcome → table by size).
    decision: OptionsAppraisal | None = field(repr=False, default=None)
    #: The board's case for the decision: recommendation, ask, risk register.
    board: BoardCase | None = field(repr=False, default=None)
    sample_size: Mapping[str, pd.DataFrame] = field(repr=False, default_factory=dict)
    decision_descriptions: Mapping[str, str] = field(default_factory=dict)
    nominal: bool = False
    #: "ex_post", "in_flight" or "ex_ante"; None: from the dates (see
    #: :meth:`stance_kind`).
    stance: str | None = None
    #: The reported scenario's central case, component by component (see
    #: :meth:`central_case`; None: worked out when asked for).
    central: CentralCase | None = field(repr=False, default=None)

    # ------------------------------------------------------------------ basics
    @property
    def main(self) -> Projection:
        """The projection of the first scenario (reported in full)."""
        return self.projections[self.scenarios[0]]

    @property
    def fingerprint(self) -> str:
        """Fingerprint of the first scenario's parameter values."""
        return self.fingerprints[self.scenarios[0]]

    def years(self, scenario: str | None = None) -> list[str]:
        """Financial-year label of each appraisal year."""
        return self._proj(scenario).financial_years()

    def _proj(self, scenario: str | None) -> Projection:
        name = scenario or self.scenarios[0]
        try:
            return self.projections[name]
        except KeyError:
            raise ParameterError(
                Problem(
                    "",
                    "scenario",
                    f"{name!r} is not in this report; it has {', '.join(self.projections)}",
                )
            ) from None

    # ------------------------------------------------------------------ headline
    def indicators(self, scenario: str | None = None) -> dict[str, np.ndarray]:
        """Per-draw values of every headline indicator (money real, at the price year)."""
        p = self._proj(scenario)
        a = p.appraisal
        every = p.indicators()
        values = {k: every[k] for k in HEADLINES if k in every}
        if a.income is None:
            values.pop("pv_income")
        return values

    def headline(self, scenario: str | None = None) -> pd.DataFrame:
        """Each headline figure, how it is formed, and its per-draw range.

        ``estimate`` is the figure to state (see
        :meth:`costmodel.model.result.Projection.headlines`: means, ratios of mean
        present values, payback from the mean curves), ``basis`` the key of how it is
        formed; ``p5``/``p50``/``p95`` give percentiles of the per-draw values (blank
        for rows stated without one), in the order of :data:`HEADLINES`.
        """
        h = self._proj(scenario).headlines()
        h = h.reindex([k for k in HEADLINES if k in h.index])
        h.loc[h.index.isin(NO_RANGE), ["p5", "p50", "p95"]] = np.nan
        return h

    def probabilities(self, scenario: str | None = None) -> dict[str, float]:
        """P(NPV > 0) and P(payback within the horizon) over the draws."""
        p = self._proj(scenario)
        return {"p_npv_positive": p.p_npv_positive, "p_payback": p.p_payback}

    def by_agency(self, scenario: str | None = None) -> pd.DataFrame:
        """PV of net savings by paying agency (mean over draws), cashable and not, share."""
        return self._proj(scenario).by_agency()

    def savings_by_outcome(self, scenario: str | None = None) -> pd.DataFrame:
        """PV of net savings by outcome (mean), with its effect's grade and evidence class
        (:meth:`costmodel.model.result.Projection.by_outcome`); the PVs add to the
        headline PV of net savings."""
        return self._proj(scenario).by_outcome()

    def confidence(self, scenario: str | None = None) -> tuple[str, pd.Series]:
        """The overall evidence grade and the share of PV net savings resting on each grade.

        The grade is the one carrying a majority (:data:`MAJORITY`) of the savings; with
        no majority, the lower of the two largest (a case resting on mixed evidence is as
        strong as its weaker half).
        """
        by = self.savings_by_outcome(scenario)
        shares = by.groupby("grade")["share"].sum().reindex(list(GRADES), fill_value=0.0)
        top = shares.idxmax()
        if shares[top] > MAJORITY:
            return str(top), shares
        two = shares.sort_values(ascending=False).index[:2]
        return str(max(two, key=GRADES.index)), shares

    def npv_per_family(self) -> pd.DataFrame:
        """Each compared scenario's NPV per family starting support: ``mean`` (mean NPV
        over mean families), ``p5`` and ``p95`` of each draw's own ratio
        (:meth:`costmodel.model.result.Projection.npv_per_family`), and the ``bcr``."""
        rows = {}
        for name in self.compared:
            p = self.projections[name]
            mean, low, high = p.npv_per_family(5, 95)
            bcr = float(p.headlines().loc["bcr", "estimate"])
            rows[name] = {"mean": mean, "p5": low, "p95": high, "bcr": bcr}
        return pd.DataFrame.from_dict(rows, orient="index").rename_axis("scenario")

    def evidence_class(self, outcome: str) -> str:
        """The kind of evidence an outcome's effect rests on for the reported scenario's
        programmes: ``own``, ``transferred`` or ``assumed``
        (:func:`costmodel.model.savings.evidence_class`)."""
        appraised = tuple(f.name for f in self.main.programmes)
        return evidence_class(self.parameters, outcome, appraised)

    def central_case(self) -> CentralCase:
        """The central case of the scenario reported in full, on the settings of its
        projection (:func:`costmodel.analysis.central.central_case`): its NPV is the
        projection's NPV at central values."""
        if self.central is not None:
            return self.central
        return _central_case(self.parameters, self.main, self.discount)

    # ------------------------------------------------------------------ baseline
    def baseline_table(self, by: str = "issue") -> pd.DataFrame:
        """The area's annual late-intervention cost by issue or agency, with shares."""
        return self.baseline.frame(by)

    def baseline_matrix(self) -> pd.DataFrame:
        """Issue × agency (keys), whole pounds, with a total row and column."""
        t = self.baseline.table.copy()
        t["Total"] = t.sum(axis=1)
        t.loc["Total"] = t.sum(axis=0)
        t.index.name = "issue"
        return t.astype("int64")

    # ------------------------------------------------------------------ reach
    def families_by_quarter(self, scenario: str | None = None) -> pd.DataFrame:
        """Cumulative families started and completed by quarter (mean, 5th, 95th)."""
        sim = self._proj(scenario).simulation
        if sim is None:
            return pd.DataFrame()
        rows = {}
        for name in ("started", "completed", "reached_indirectly", "light_touch_contacted"):
            cum = sim.cumulative(name, 5, 95)
            rows[f"{name}_mean"] = cum["mean"].to_numpy()
            rows[f"{name}_p5"] = cum["low"].to_numpy()
            rows[f"{name}_p95"] = cum["high"].to_numpy()
        out = pd.DataFrame(rows, index=pd.Index(sim.quarter_labels(), name="quarter_start"))
        out.insert(0, "quarter", range(1, len(out) + 1))
        return out

    def reach_by_tier(self, scenario: str | None = None) -> pd.DataFrame:
        """Families and children by service tier (mean, 5th, 95th percentile)."""
        sim = self._proj(scenario).simulation
        if sim is None:
            return pd.DataFrame()
        return sim.tiers((5, 95))

    def reported_against_modelled(self, scenario: str | None = None) -> pd.DataFrame:
        """What the team reported against what the simulation gives for the same weeks."""
        sim = self._proj(scenario).simulation
        if sim is None:
            return pd.DataFrame()
        out = sim.reported()
        return out.set_index("measure") if len(out) else out

    # ------------------------------------------------------------------ cash flows
    def money_factors(self, basis: str, scenario: str | None = None) -> np.ndarray:
        """What each appraisal year's real amount is multiplied by for a money ``basis``:
        1 (``real``), the Green Book discount factor (``discounted``), or the GDP
        deflator's rise from the price year to the year's financial year (``nominal``)."""
        if basis not in BASES:
            raise ParameterError(
                Problem("", "basis", f"basis must be one of {BASES}, got {basis!r}")
            )
        p = self._proj(scenario)
        a = p.appraisal
        if basis == "real":
            return np.ones(a.horizon)
        if basis == "discounted":
            return np.asarray(a.discount_factors, dtype=float)
        return np.array([self.deflators.factor(self.price_year, y) for y in p.financial_years()])

    def cash_flows(self, scenario: str | None = None, basis: str = "real") -> pd.DataFrame:
        """Year-by-year mean cash flows: costs, income, gross and net savings by agency.

        ``basis``: ``real`` (real terms at the price year, undiscounted), ``discounted``
        (real terms × the Green Book discount factor, so the total row is the present
        value) or ``nominal`` (cash prices of each year, by the GDP deflator); see
        :meth:`money_factors`. The last row is the total over the horizon; net benefit =
        net savings − costs + income. ``attrs["basis"]`` is the basis.
        """
        f = self.money_factors(basis, scenario)
        p = self._proj(scenario)
        a = p.appraisal
        labels = appraisal_year_labels(dt.date.fromisoformat(p.start_year), a.horizon)
        m = p.mean_flows()
        cols: dict[str, np.ndarray] = {"costs": m["costs"]}
        if a.income is not None:
            cols["income"] = m["income"]
        cols["savings_gross"] = m["gross"].sum(axis=1)
        for j, agency in enumerate(AGENCY_NAMES):
            cols[f"net_{agency}"] = m["net_by_agency"][:, j]
        cols["savings_net"] = m["net"].sum(axis=1)
        cols["net_benefit"] = cols["savings_net"] - cols["costs"] + cols.get("income", 0.0)
        out = pd.DataFrame({k: v * f for k, v in cols.items()}, index=pd.Index(labels, name="year"))
        out.loc["Total"] = out.sum(axis=0)
        out.attrs["basis"] = basis
        return out

    def option_cash_flows(self, option: str, against_counterfactual: bool = False) -> pd.DataFrame:
        """The decision's ``option`` (or its counterfactual) year by year: mean costs,
        income, net savings and fiscal net benefit, real terms at the decision's price
        year, undiscounted, then the discount factor applied (the Green Book's from the
        decision's base date, 0 for what falls before the decision) and the same
        discounted; with ``against_counterfactual`` the option less the counterfactual
        (no discount factor). See :meth:`costmodel.model.decision.OptionsAppraisal.
        cash_flows`.

        Rows are labelled like :meth:`cash_flows` (``2027/28``; ``Feb 2019 – Jan 2020``
        for a year not starting on 1 April); the last row, ``Total``, is the sum over the
        years (blank discount factor): the discounted columns' totals are the present
        values, the incremental net benefit's the option's incremental NPV. Income
        columns are left out where no projection of the decision has income.
        ``attrs["income"]`` says whether they are there.
        """
        d = self.decision
        if d is None:
            raise ParameterError(Problem("", "decision", f"{self.area} names no decision"))
        t = d.cash_flows(option, against_counterfactual=against_counterfactual)
        income = any(p.appraisal.income is not None for p in d.projections.values())
        if not income:
            t = t.drop(columns=["income", "income_discounted"])
        out = t.set_axis(
            pd.Index([appraisal_year_labels(day, 1)[0] for day in t.index], name="year")
        )
        total = out.sum(axis=0)
        if "discount_factor" in out:
            total["discount_factor"] = np.nan
        out.loc["Total"] = total
        out.attrs["income"] = income
        return out

    def budget(self) -> float | None:
        """The team's cash budget, its staffing steps' funding included (None without a
        team budget)."""
        p = self.parameters
        if "team.budget.total" not in p:
            return None
        return float(p.value("team.budget.total")) + sum(
            float(q.value)
            for k, q in p.under("team.staffing_steps").items()
            if k.endswith(".funding")
        )

    def cost_above_budget(self) -> tuple[float, float, float] | None:
        """When the PV of costs exceeds the team's cash budget, ``(PV of costs, budget,
        optimism bias for costs)``: costs still to be spent carry the Green Book's
        optimism bias. None when they do not (or without a budget or optimism bias)."""
        budget = self.budget()
        if budget is None or "savings.optimism_bias.costs" not in self.parameters:
            return None
        costs = float(np.mean(self.main.appraisal.pv_costs))
        if not budget or costs <= budget:
            return None
        return costs, budget, float(self.parameters.value("savings.optimism_bias.costs"))

    def budget_by_financial_year(self, scenario: str | None = None) -> pd.DataFrame:
        """The team's mean spend by financial year (April to March), real and cash.

        The simulation counts spend by 13-week quarter from the start date; each
        quarter's spend is shared between financial years by its days in each
        (:func:`costmodel.greenbook.financial_years.apportion_to_financial_years`).
        Real terms are at the budget's price year; cash re-inflates them with the GDP
        deflator. Empty without the team.
        """
        sim = self._proj(scenario).simulation
        if sim is None:
            return pd.DataFrame()
        shares = apportion_to_financial_years(
            sim.quarterly["spend"].mean(axis=0),
            sim.inputs.start_date,
            dt.timedelta(weeks=WEEKS_PER_QUARTER),
        )
        year = sim.inputs.price_year
        out = pd.DataFrame(
            {
                "spend_real": list(shares.values()),
                "spend_cash": [v * self.deflators.factor(year, y) for y, v in shares.items()],
            },
            index=pd.Index(list(shares), name="financial_year"),
        )
        out.loc["Total"] = out.sum(axis=0)
        out.attrs["price_year"] = year
        return out

    def who_pays_and_saves(self, scenario: str | None = None) -> pd.DataFrame:
        """Mean real-terms costs less income of the programmes (row ``costs``) and each
        agency's cashable saving (rows ``cashable_<agency>``), by period of appraisal
        years (:data:`PERIODS`, columns named by their months) and in total
        (undiscounted), and the present value."""
        p = self._proj(scenario)
        m = p.mean_flows()
        years = len(m["costs"])
        start = dt.date.fromisoformat(p.start_year)
        rows: dict[str, np.ndarray] = {"costs": m["costs"] - m["income"]}
        for j, a in enumerate(AGENCY_NAMES):
            rows[f"cashable_{a}"] = m["cashable_by_agency"][:, j]
        cols: dict[str, list[float]] = {}
        for first, last in PERIODS:
            stop = years if last is None else min(last, years)
            if first > stop:
                continue
            cols[period_label(start, first, stop)] = [
                float(v[first - 1 : stop].sum()) for v in rows.values()
            ]
        cols["Total"] = [float(v.sum()) for v in rows.values()]
        f = p.appraisal.discount_factors
        cols["Present value"] = [float(f @ v) for v in rows.values()]
        return pd.DataFrame(cols, index=pd.Index(list(rows), name="flow"))

    # ------------------------------------------------------------------ the decision
    def programme_period(self) -> tuple[dt.date, dt.date]:
        """First and last day of the reported scenario's programmes (the team's funded
        weeks, or a programme's years)."""
        p = self.parameters
        if "team.programme.start_date" in p and float(p["team.budget.total"].value) > 0:
            start = p["team.programme.start_date"].value
            weeks = float(p["team.programme.duration"].value) * WEEKS_PER_YEAR
            return start, start + dt.timedelta(weeks=weeks) - dt.timedelta(days=1)
        included = programmes(p)
        if not included:
            start = dt.date.fromisoformat(self.main.start_year)
            return start, start
        start = min(q.start_date(p) for q in included)
        end = max(_add_years(q.start_date(p), q.years(p)) for q in included)
        return start, end - dt.timedelta(days=1)

    def stance_kind(self, kind: str | None = None) -> str:
        """``ex_post`` when the report is dated after the funded period ends,
        ``in_flight`` during it, ``ex_ante`` before it starts; ``kind`` (else the one
        the report was asked for) overrides the dates."""
        start, end = self.programme_period()
        kind = kind or self.stance
        if kind is None:
            kind = (
                "ex_post"
                if self.created > end
                else "in_flight"
                if self.created >= start
                else "ex_ante"
            )
        if kind not in STANCES:
            raise ValueError(f"stance must be ex_post, in_flight or ex_ante, not {kind!r}")
        return kind

    def key_risks(self, n: int = 3) -> list[tuple[str, float, float, float]]:
        """The ``n`` switching values nearest the central case, one per subject (an
        outcome, or a parameter), as ``(path, change, central, switching)``: the change
        is relative (−0.3: 30% lower than assumed)."""
        s = self.switching
        s = s[np.isfinite(s["change"].to_numpy(dtype=float))]
        s = s.reindex(s["change"].abs().sort_values().index)
        seen: set[str] = set()
        out = []
        for path, r in s.iterrows():
            parts = str(path).split(".")
            subject = ".".join(parts[:3]) if parts[:2] == ["savings", "outcomes"] else str(path)
            if subject in seen:
                continue
            seen.add(subject)
            out.append((str(path), float(r["change"]), float(r["central"]), float(r["switching"])))
            if len(out) == n:
                break
        return out

    def options(self, chosen: Sequence[tuple[str, str | None]]) -> pd.DataFrame:
        """The options the report has projections for, ``chosen`` as (option, scenario;
        None for the report's own): scenario, mean NPV, BCR (ratio of means),
        P(NPV > 0), PV costs and families starting support."""
        rows = {}
        for name, scenario in chosen:
            scenario = scenario or self.scenarios[0]
            if scenario not in self.projections:
                continue
            p = self.projections[scenario]
            h = p.headlines()["estimate"]
            rows[name] = {
                "scenario": scenario,
                "npv": float(h["npv"]),
                "bcr": float(h["bcr"]),
                "p_npv_positive": p.p_npv_positive,
                "pv_costs": float(h["pv_costs"]),
                "families_started": float(h["families_started"]),
            }
        return pd.DataFrame.from_dict(rows, orient="index").rename_axis("option")

    # ------------------------------------------------------------------ comparison
    def scenario_table(self) -> pd.DataFrame:
        """Each compared scenario's mean indicators and probabilities (columns = scenarios)."""
        cols = {}
        for name in self.compared:
            p = self.projections[name]
            s = p.headlines()["estimate"]
            npv = p.summary().loc["npv"]
            s["npv_p5"], s["npv_p95"] = npv["p5"], npv["p95"]
            cols[name] = s
        out = pd.DataFrame(cols)
        order = list(dict.fromkeys([*HEADLINES, "npv_p5", "npv_p95"]))
        out = out.reindex([k for k in order if k in out.index])
        out.index.name = "indicator"
        return out

    # ------------------------------------------------------------------ assumptions
    def assumptions(self) -> pd.DataFrame:
        """Every parameter of the run (first scenario's values), one row each.

        ``scenario_override`` marks the values the scenario changed; ``status`` is
        published, derived or assumed. Values are as stored (numbers, tables as dicts,
        dates); ``distribution`` is a dict of the distribution's fields, or None.
        """
        t = self.parameters.table()
        overridden = set(self.parameters.overrides)
        t["scenario_override"] = [k in overridden for k in t.index]
        return t

    def rebased(self) -> pd.Series:
        """Each parameter's value in the report's price year, for the numbers that have
        a price year (the rest are NaN): the value × the GDP deflator's rise."""
        t = self.assumptions()
        out = {}
        for path, r in t.iterrows():
            year = r["price_year"] if isinstance(r["price_year"], str) else None
            value = r["value"]
            number = isinstance(value, (int, float)) and not isinstance(value, bool)
            out[path] = (
                float(value) * self.deflators.factor(year, self.price_year)
                if year and number
                else np.nan
            )
        return pd.Series(out, dtype=float, name="rebased")

    def in_report_prices(self, path: str, value: float) -> float:
        """A value of the parameter at ``path`` in the report's price year: money with a
        price year is rebased by the GDP deflator; any other value is returned as it is."""
        p = self.parameters.get(path)
        if p is not None and p.price_year and p.unit.startswith("GBP"):
            return value * self.deflators.factor(p.price_year, self.price_year)
        return value

    # ------------------------------------------------------------------ all tables
    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table of the report by name (the workbook's sheets), keyed by the
        model's names (:func:`costmodel.present.content.tables` words them)."""
        out = {
            "Summary": self.headline(),
            "Savings by agency": self.by_agency(),
            "Perspectives": self.main.perspectives(),
            "Baseline by issue": self.baseline_table("issue"),
            "Baseline by agency": self.baseline_table("agency"),
            "Baseline issue x agency": self.baseline_matrix(),
            "Families by quarter": self.families_by_quarter(),
            "Reach by tier": self.reach_by_tier(),
            "Modelled v reported": self.reported_against_modelled(),
            "Cash flows real": self.cash_flows(basis="real"),
            "Cash flows discounted": self.cash_flows(basis="discounted"),
        }
        if self.nominal:
            out["Cash flows nominal"] = self.cash_flows(basis="nominal")
        out["Scenarios"] = self.scenario_table()
        out["Sensitivity"] = self.tornado.drop(columns="description", errors="ignore")
        out["Switching values"] = self.switching
        if self.value_of_information is not None:
            out["Value of information"] = self.value_of_information
        out["Assumptions"] = self.assumptions()
        return out


def appraisal_year_labels(start: dt.date, years: int) -> list[str]:
    """Each appraisal year as the months it covers: ``Feb 2019 – Jan 2020``; a year
    starting on 1 April is a financial year and is labelled as one (``2019/20``)."""
    out = []
    for i in range(years):
        a = _add_years(start, i)
        b = _add_years(start, i + 1) - dt.timedelta(days=1)
        out.append(
            f"{a.year}/{str(a.year + 1)[2:]}"
            if (a.month, a.day) == (4, 1)
            else f"{a:%b %Y} – {b:%b %Y}"
        )
    return out


def period_label(start: dt.date, first: int, last: int) -> str:
    """Appraisal years ``first``..``last`` (1-based) as months: ``Feb 2019 – Jan 2022``."""
    a = _add_years(start, first - 1)
    b = _add_years(start, last) - dt.timedelta(days=1)
    return f"{a:%b %Y} – {b:%b %Y}"


@dataclass(frozen=True)
class _Chosen:
    """What a report covers: its scenarios (by name, with the file or name each was
    given as), those compared, their descriptions, and the area's decision."""

    sources: Mapping[str, str]
    scenarios: tuple[str, ...]
    compared: tuple[str, ...]
    descriptions: Mapping[str, str]
    decision: DecisionSpec | None
    successors: frozenset[str]


def _choose(
    params: ParameterSet, scenarios: Sequence[str], compare: Sequence[str] | None, area: str | None
) -> _Chosen:
    if not scenarios:
        raise ParameterError(Problem("", "scenario", "name at least one scenario"))
    # a scenario may be a shipped name or a YAML file; it is shown by its name (file stem)
    sources: dict[str, str] = {}
    for given in [*scenarios, *(compare or [])]:
        sources.setdefault(scenario_name(given), str(given))
    names = tuple(dict.fromkeys(scenario_name(s) for s in scenarios))
    where = area or params.area
    spec = (
        load_decision(DEFAULT_DECISION, params.root, where)
        if DEFAULT_DECISION in list_decisions(params.root, where)
        else None
    )
    successors = frozenset() if spec is None else frozenset({spec.counterfactual, *spec.options})
    if compare is None:  # the others shipped, but the decision's successors
        others = [
            s
            for s in list_scenarios(params.root, params.area)
            if s not in names + tuple(successors)
        ]
        compare = list(names) if len(names) > 1 else [*names, *others]
    compared = tuple(dict.fromkeys([*names, *(scenario_name(s) for s in compare)]))
    for name in compared:
        sources.setdefault(name, name)
    descriptions = {
        name: load_scenario(sources[name], params.root, params).description for name in compared
    }
    return _Chosen(sources, names, compared, descriptions, spec, successors)


def _projections(
    params: ParameterSet,
    chosen: _Chosen,
    settings: Mapping[str, Any],
    say: Callable[[str], None],
    share_simulations: bool,
) -> tuple[dict[str, Projection], dict[str, str]]:
    """Each compared scenario projected on one basis; scenarios whose team parameters
    are the same share one team simulation. The first scenario of each team is
    projected, then the others with its simulation, each round on every core
    (:func:`~costmodel.analysis.parallel.parallel_map`)."""
    names = list(chosen.compared)
    applied = {name: apply_scenario(params, chosen.sources[name]) for name in names}
    team = {name: _team_key(applied[name]) for name in names}
    first: dict[tuple, str] = {}
    for name in names:
        first.setdefault(team[name], name)
    leaders = [n for n in names if not share_simulations or first[team[n]] == n]
    others = [n for n in names if n not in leaders]
    for name in [*leaders, *others]:
        say(f"scenario {name}")
    done = dict(
        zip(
            leaders,
            parallel_map(_project_one, (params, chosen, settings, leaders, {}), len(leaders)),
            strict=True,
        )
    )
    shared = {n: done[first[team[n]]].simulation for n in others}
    done.update(
        zip(
            others,
            parallel_map(_project_one, (params, chosen, settings, others, shared), len(others)),
            strict=True,
        )
    )
    projections = {name: done[name] for name in names}
    return projections, {name: applied[name].fingerprint() for name in names}


def _project_one(
    params: ParameterSet,
    chosen: _Chosen,
    settings: Mapping[str, Any],
    names: Sequence[str],
    simulations: Mapping[str, Any],
    i: int,
) -> Projection:
    """The ``i``-th of ``names`` projected, with its team's simulation if given."""
    return project(
        params,
        chosen.sources[names[i]],
        central=True,
        simulation=simulations.get(names[i]),
        **settings,
    )


def _decision(
    params: ParameterSet,
    spec: DecisionSpec,
    draws: int,
    seed: int,
    decision_date: dt.date | None,
    tornado: pd.DataFrame,
    runs: int,
) -> tuple[OptionsAppraisal, BoardCase | None, dict[str, pd.DataFrame]]:
    """The decision's options, the board's case for them (if the decision file has
    one; its risk register from the switching values of the :data:`RISK_CANDIDATES`
    savings parameters that swing the reported case's NPV most), and what a local
    sample of each of the most valuable effects would be worth to its best option."""
    decided = appraise_options(
        params, spec, draws=min(draws, DECISION_DRAWS), seed=seed, decision_date=decision_date
    )
    board = None
    best = decided.incremental()["npv"].idxmax()
    if spec.case is not None:
        candidates = [k for k in tornado.index if not str(k).startswith("team.")]
        board = board_case(
            decided, spec, params, candidates=candidates[:RISK_CANDIDATES], runs=runs
        )
        best = board.risk_option
    proj = decided.projections[best]
    if proj.stored < MIN_VOI_DRAWS:
        return decided, board, {}
    varies = np.asarray(proj.inputs.effect, dtype=float).std(axis=0) > 0
    valued = {
        o: sample_size_value(proj, o, params=apply_scenario(params, best))
        for o, v in zip(proj.inputs.outcomes, varies, strict=True)
        if v
    }
    top = sorted(valued, key=lambda o: -float(valued[o]["evppi"].iloc[0]))
    return decided, board, {o: valued[o] for o in top[:SAMPLED_EFFECTS]}


def _central_case(params: ParameterSet, main: Projection, discount: str) -> CentralCase:
    """The central case of ``main``'s scenario (applied to ``params``), on its settings."""
    return central_case(
        params,
        horizon=main.appraisal.horizon,
        price_year=main.appraisal.price_year,
        discount=discount,
        years_after_support=main.years_after_support,
        base_date=dt.date.fromisoformat(main.base_date) if main.base_date else None,
        decision_date=dt.date.fromisoformat(main.decision_date) if main.decision_date else None,
    )


def _sensitivity_and_decision(
    params: ParameterSet,
    chosen: _Chosen,
    settings: Mapping[str, Any],
    more: tuple[int, int, dt.date | None, int],
) -> tuple[
    pd.DataFrame,
    pd.DataFrame,
    OptionsAppraisal | None,
    BoardCase | None,
    dict[str, pd.DataFrame],
]:
    """The reported scenario's tornado and switching values, and the decision's options
    with the board's case (if the area has a decision): what a report works out apart
    from its projections."""
    draws, seed, decision_date, runs = more
    source = chosen.sources[chosen.scenarios[0]]
    tornado = one_way(params, source, runs=runs, **settings)
    switching = switching_values(params, source, runs=runs, **settings)
    if chosen.decision is None:
        return tornado, switching, None, None, {}
    decided, board, sampled = _decision(
        params, chosen.decision, draws, seed, decision_date, tornado, runs
    )
    return tornado, switching, decided, board, sampled


@accepts(params="mapping", scenarios="names", area="name", compare="names")
def report_content(
    params: ParameterSet,
    scenarios: Sequence[str] = ("central",),
    *,
    area: str | None = None,
    draws: int = 10_000,
    seed: int = 1,
    price_year: str | None = None,
    horizon: int | None = None,
    discount: str = "standard",
    compare: Sequence[str] | None = None,
    nominal: bool = False,
    sensitivity_runs: int = SENSITIVITY_RUNS,
    created: dt.date | None = None,
    progress: Callable[[str], None] | None = None,
    years_after_support: int | None = None,
    base_date: dt.date | None = None,
    stance: str | None = None,
    share_simulations: bool = True,
    decision_date: dt.date | None = None,
) -> ReportContent:
    """Compute everything a report shows.

    ``scenarios`` are reported (the first in full); ``compare`` lists the scenarios
    set side by side (default: those named, or every shipped scenario when only one
    is named). Every projection uses the same ``draws`` and ``seed``, one base date
    (default: the start of the first scenario's earliest programme; an earlier
    programme's years are compounded to it) and one price year, so the figures equal
    ``project(params, name, draws=draws, seed=seed, ...)`` with them. ``progress`` is
    called with a short description before each step (for a progress bar). Scenarios
    whose team parameters are the same share one team simulation (with one seed it is
    the same simulation); ``share_simulations=False`` runs each anew.

    Where the area has a decision file (:mod:`costmodel.params.decisions`, default
    ``successor``), its options are appraised from ``decision_date`` (default: the
    file's, else today) over :data:`DECISION_DRAWS` draws with the same seed, and
    its scenarios are left out of the default comparison (they are successors, read
    from the decision date, not from the programme's start).
    """
    from .. import __version__

    say = progress or (lambda _msg: None)
    chosen = _choose(params, scenarios, compare, area)
    main = chosen.scenarios[0]
    defl = deflators_from_params(params)
    price_year = as_financial_year(price_year) if price_year else default_price_year(params)
    if base_date is None:  # discount to the reported programme's start
        base_date = common_basis(params, [chosen.sources[main]], None, price_year)["base_date"]
    base_date = common_basis(
        params, [chosen.sources[n] for n in chosen.compared], base_date, price_year
    )["base_date"]
    area = area or default_area(params)
    if area is None:
        raise ParameterError(Problem("", "area", "the parameters hold several areas; name one"))
    params = params.for_area(area) if hasattr(params, "for_area") else params
    say("baseline")
    base = baseline(params, area, price_year)
    settings: dict[str, Any] = {
        "horizon": horizon,
        "price_year": price_year,
        "discount": discount,
        "years_after_support": years_after_support,
        "base_date": base_date,
    }
    # what does not change between the steps (a team simulation with the same inputs
    # and seed) is worked out once; the sensitivity analysis and the decision's options
    # are worked out beside the projections, on another core (each with its own cache)
    with (
        simulation_cache() if share_simulations else contextlib.nullcontext(),
        in_background(
            _sensitivity_and_decision,
            params,
            chosen,
            settings,
            (draws, seed, decision_date, sensitivity_runs),
        ) as beside,
    ):
        say("sensitivity")
        if chosen.decision is not None:
            say("the decision's options")
        projections, fingerprints = _projections(
            params, chosen, {**settings, "draws": draws, "seed": seed}, say, share_simulations
        )
        if nominal:  # fail early, with the years the deflator lacks
            for y in projections[main].financial_years():
                defl.level(y)
        voi = None
        if draws >= MIN_VOI_DRAWS:
            say("value of information")
            voi = evppi(projections[main])
        # what every output states of each projection, and the central case behind the
        # workbook's calculating sheets (its team simulation is the one kept)
        reported = apply_scenario(params, chosen.sources[main])
        central = _central_case(reported, projections[main], discount)
        for p in projections.values():
            p.headlines()
        tornado, switching, decided, board, sampled = beside()
    return ReportContent(
        area=area,
        scenarios=chosen.scenarios,
        compared=chosen.compared,
        descriptions=chosen.descriptions,
        price_year=price_year,
        price_basis=defl.basis(price_year),
        draws=draws,
        seed=seed,
        horizon=projections[main].appraisal.horizon,
        discount=discount,
        created=created or dt.date.today(),
        version=__version__,
        fingerprints=fingerprints,
        baseline=base,
        projections=projections,
        parameters=reported,
        deflators=defl,
        tornado=tornado,
        switching=switching,
        value_of_information=voi,
        decision=decided,
        board=board,
        sample_size=sampled,
        decision_descriptions={
            n: load_scenario(n, params.root, params).description for n in sorted(chosen.successors)
        },
        nominal=nominal,
        stance=stance,
        central=central,
    )


def _team_key(params: ParameterSet) -> tuple:
    """What a team simulation depends on: the team's parameters and any joint draws."""
    items = tuple(
        (k, repr(p.value), repr(p.distribution), p.price_year)
        for k, p in sorted(params.items())
        if k.startswith(("team.", "prices."))
    )
    draws = getattr(params, "joint", None)
    joint = draws.fingerprint() if draws is not None else None
    return (*items, joint)


__all__ = [
    "BASES",
    "HEADLINES",
    "ReportContent",
    "appraisal_year_labels",
    "period_label",
    "report_content",
]
