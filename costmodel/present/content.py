"""What a report shows, computed once: the pure half of the PDF report and workbook.

:func:`report_content` runs the area's baseline, each scenario's Monte Carlo
projection, the one-way sensitivity analysis, the switching values and the value
of information, and returns a :class:`ReportContent` whose methods give every table
as a pandas DataFrame. The PDF (:mod:`costmodel.pdf_report`), the workbook
(:mod:`costmodel.workbook`) and the notebooks lay these tables out; nothing here
reads or writes files.

Money is in real terms at the report's price year unless a table says otherwise:
``cash_flows(basis="discounted")`` multiplies by the Green Book discount factors and
``cash_flows(basis="nominal")`` re-inflates each year with the GDP deflator (cash
prices of the financial year holding the appraisal year's midpoint).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..analysis.board_case import BoardCase, board_case
from ..analysis.monitoring import sample_size_value
from ..analysis.sensitivity import one_way, switching_values
from ..analysis.value_of_information import MIN_DRAWS, evppi
from ..greenbook.prices import Deflators, as_financial_year, deflators_from_params
from ..greenbook.prices import add_years as _add_years
from ..model.decision import OptionsAppraisal, appraise_options
from ..model.late_intervention import Baseline, baseline, default_area
from ..model.projection import Projection, common_basis, default_price_year, project
from ..model.vocabulary import AGENCY_NAMES, WEEKS_PER_QUARTER
from ..params.decisions import DEFAULT_DECISION, DecisionSpec, list_decisions, load_decision
from ..params.errors import ParameterError, Problem, accepts
from ..params.scenarios import apply_scenario, list_scenarios, load_scenario, scenario_name
from ..params.store import ParameterSet
from .formatting import money_round
from .labels import AGENCY_LABELS, BASIS_LABELS, INDICATORS, ISSUE_LABELS, area_label

#: Money bases of the year-by-year cash-flow table.
BASES = ("real", "discounted", "nominal")

#: Team-simulation runs behind each deterministic NPV of the tornado and the switching
#: values (common random numbers keep one parameter's low and high comparable).
SENSITIVITY_RUNS = 200

#: Fewest Monte Carlo draws for which the value of information is estimated.
MIN_VOI_DRAWS = MIN_DRAWS
#: Draws of the decision's options (each option, the counterfactual and the history).
DECISION_DRAWS = 2000
#: Savings parameters (those swinging the reported NPV most) whose switching values for
#: the decision's best option make its risk register.
RISK_CANDIDATES = 6
#: Effects whose local sample is valued in the report (those with the largest EVPPI).
SAMPLED_EFFECTS = 4

#: Headline indicators, in the order reports show them (labels in :mod:`.labels`).
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
    #: :func:`costmodel.present.board.stance`).
    stance: str | None = None

    # ------------------------------------------------------------------ basics
    @property
    def area_name(self) -> str:
        return area_label(self.area)

    @property
    def main(self) -> Projection:
        """The projection of the first scenario (reported in full)."""
        return self.projections[self.scenarios[0]]

    @property
    def fingerprint(self) -> str:
        """Fingerprint of the first scenario's parameter values."""
        return self.fingerprints[self.scenarios[0]]

    @property
    def borrowed(self) -> list[str]:
        """Lines saying which parameters come from another area (empty when none):
        ``team: 45 parameters borrowed from Northamptonshire``."""
        return borrowed_lines(self.parameters)

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
        :meth:`costmodel.model.projection.Projection.headlines`: means, ratios of mean
        present values, payback from the mean curves), ``basis`` says which, in words;
        ``p5``/``p95`` give the 5th and 95th percentile of the per-draw values (blank
        for rows stated without one). ``kind`` says how to read a row; ``label`` is for
        people.
        """
        h = self._proj(scenario).headlines()
        h = h.reindex([k for k in HEADLINES if k in h.index])
        h.loc[h.index.isin(NO_RANGE), ["p5", "p50", "p95"]] = np.nan
        h["basis"] = [BASIS_LABELS[b] for b in h["basis"]]
        h.insert(0, "kind", [INDICATORS[k].kind for k in h.index])
        h.insert(0, "label", [INDICATORS[k].long for k in h.index])
        return h

    def probabilities(self, scenario: str | None = None) -> dict[str, float]:
        """P(NPV > 0) and P(payback within the horizon) over the draws."""
        p = self._proj(scenario)
        return {"p_npv_positive": p.p_npv_positive, "p_payback": p.p_payback}

    def by_agency(self, scenario: str | None = None) -> pd.DataFrame:
        """PV of net savings by paying agency (mean over draws), cashable and not, share."""
        out = self._proj(scenario).by_agency()
        out.insert(0, "label", [AGENCY_LABELS[a].long for a in out.index])
        return out

    # ------------------------------------------------------------------ baseline
    def baseline_table(self, by: str = "issue") -> pd.DataFrame:
        """The area's annual late-intervention cost by issue or agency, with shares."""
        out = self.baseline.frame(by)
        labels = ISSUE_LABELS if by == "issue" else AGENCY_LABELS
        out.insert(0, "label", [labels[k].long for k in out.index])
        return out

    def baseline_matrix(self) -> pd.DataFrame:
        """Issue × agency, whole pounds, with display labels and totals."""
        t = self.baseline.table.copy()
        t.index = [ISSUE_LABELS[i].long for i in t.index]
        t.columns = [AGENCY_LABELS[a].long for a in t.columns]
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
    def cash_flows(self, scenario: str | None = None, basis: str = "real") -> pd.DataFrame:
        """Year-by-year mean cash flows: costs, income, gross and net savings by agency.

        ``basis``: ``real`` (real terms at the price year, undiscounted), ``discounted``
        (real terms × the Green Book discount factor, so the total row is the present
        value) or ``nominal`` (cash prices of each year, by the GDP deflator). The last
        row is the total over the horizon; net benefit = net savings − costs + income.
        """
        if basis not in BASES:
            raise ParameterError(
                Problem("", "basis", f"basis must be one of {BASES}, got {basis!r}")
            )
        p = self._proj(scenario)
        a = p.appraisal
        years = p.financial_years()
        labels = appraisal_year_labels(dt.date.fromisoformat(p.start_year), a.horizon)
        if basis == "real":
            f = np.ones(a.horizon)
        elif basis == "discounted":
            f = a.discount_factors
        else:
            f = np.array([self.deflators.factor(self.price_year, y) for y in years])
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
        out.attrs["basis"] = self.basis_label(basis)
        return out

    def cost_above_budget(self) -> str:
        """Why the costs shown exceed the team's budget, when they do (a sentence; empty
        when they do not): costs still to be spent carry the optimism bias for costs."""
        p = self.parameters
        if "team.budget.total" not in p or "savings.optimism_bias.costs" not in p:
            return ""
        budget = float(p.value("team.budget.total")) + sum(
            float(q.value)
            for k, q in p.under("team.staffing_steps").items()
            if k.endswith(".funding")
        )
        costs = float(np.mean(self.main.appraisal.pv_costs))
        if not budget or costs <= budget:
            return ""
        ob = float(p.value("savings.optimism_bias.costs"))
        return (
            f" The present value of costs ({money_round(costs)}) is above the team's "
            f"budget ({money_round(budget)}, cash): costs still to be spent are raised by "
            f"the Green Book's optimism bias for operating costs ({ob:.1%}); money "
            f"already spent carries none."
        )

    def budget_by_financial_year(self, scenario: str | None = None) -> pd.DataFrame:
        """The team's mean spend by financial year (April to March), real and cash.

        The simulation counts spend by 13-week quarter from the start date; each
        quarter's spend is shared between financial years by its days in each (spend
        is taken as even within a quarter). Real terms are at the budget's price year;
        cash re-inflates them with the GDP deflator. Empty without the team.
        """
        sim = self._proj(scenario).simulation
        if sim is None:
            return pd.DataFrame()
        spend = sim.quarterly["spend"].mean(axis=0)
        start = sim.inputs.start_date
        shares: dict[str, float] = {}
        for q, amount in enumerate(spend):
            a = start + dt.timedelta(weeks=WEEKS_PER_QUARTER * q)
            b = a + dt.timedelta(weeks=WEEKS_PER_QUARTER)
            day = a
            while day < b:
                fy_start = dt.date(day.year if day.month >= 4 else day.year - 1, 4, 1)
                fy_end = dt.date(fy_start.year + 1, 4, 1)
                stop = min(b, fy_end)
                label = f"{fy_start.year}/{str(fy_start.year + 1)[2:]}"
                shares[label] = shares.get(label, 0.0) + amount * (stop - day).days / (b - a).days
                day = stop
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

    def basis_label(self, basis: str) -> str:
        if basis == "real":
            return f"{self.price_basis}, undiscounted"
        if basis == "discounted":
            return f"{self.price_basis}, discounted ({self.discount} Green Book rate)"
        return "nominal (cash) prices of each year, by the GDP deflator"

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

    # ------------------------------------------------------------------ all tables
    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table of the report by name (the workbook's sheets)."""
        out = {
            "Summary": self.headline(),
            "Savings by agency": self.by_agency(),
            "Perspectives": self.main.perspectives(),
            "Baseline by issue": self.baseline_table("issue"),
            "Baseline by agency": self.baseline_table("agency"),
            "Baseline issue x agency": self.baseline_matrix(),
            "Families by quarter": self.families_by_quarter(),
            "Reach by tier": _flat(self.reach_by_tier(), "tier and measure"),
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

    def about(self) -> pd.DataFrame:
        """What the run was: area, scenarios, price base, draws, seed, version, fingerprints."""
        rows = [
            ("area", self.area_name),
            ("scenarios", ", ".join(self.scenarios)),
            ("scenarios compared", ", ".join(self.compared)),
            ("price basis", self.price_basis),
            ("price year", self.price_year),
            ("discount rate", f"{self.discount} (HM Treasury Green Book)"),
            ("horizon (years)", str(self.horizon)),
            ("Monte Carlo draws", str(self.draws)),
            ("seed", str(self.seed)),
            ("created", self.created.isoformat()),
            ("costmodel version", self.version),
        ]
        rows += [(f"parameter fingerprint: {k}", v) for k, v in self.fingerprints.items()]
        return pd.DataFrame(rows, columns=["item", "value"]).set_index("item")


def borrowed_lines(params: ParameterSet) -> list[str]:
    """What a parameter set takes from other areas, a line per lending area and group
    (with how many lent values the area has since made its own), then a line per value
    rescaled to the area's size on borrowing."""

    def group(path: str) -> str:
        parts = path.split(".")
        return ".".join(parts[:2]) if parts[0] == "programmes" else parts[0]

    out = []
    rescaled = []
    for lender, paths in sorted(params.borrowed().items()):
        groups: dict[str, int] = {}
        for path in paths:
            groups[group(path)] = groups.get(group(path), 0) + 1
            entry = params.provenance(path) if params[path].borrowed is not None else {}
            if entry.get("rescaled"):
                rescaled.append(
                    f"{path} rescaled to the area's size: {entry['rescaled']} = "
                    f"{params[path].value:,.4g}"
                )
        own: dict[str, int] = {}
        for path, p in params.items():
            if p.borrowed is not None and params.lender(path) is None:
                own[group(path)] = own.get(group(path), 0) + 1
        for key, n in groups.items():
            mine = f"; {own[key]} changed, now the area's own" if own.get(key) else ""
            out.append(f"{key}: {n} parameters borrowed from {area_label(lender)}{mine}")
    return out + rescaled


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
    are the same share one team simulation."""
    projections: dict[str, Projection] = {}
    fingerprints: dict[str, str] = {}
    simulations: dict[tuple, Any] = {}
    for name in chosen.compared:
        say(f"scenario {name}")
        applied = apply_scenario(params, chosen.sources[name])
        team = _team_key(applied)
        projections[name] = project(
            params,
            chosen.sources[name],
            central=True,
            simulation=simulations.get(team) if share_simulations else None,
            **settings,
        )
        if projections[name].simulation is not None:
            simulations.setdefault(team, projections[name].simulation)
        fingerprints[name] = applied.fingerprint()
    return projections, fingerprints


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
    projections, fingerprints = _projections(
        params, chosen, {**settings, "draws": draws, "seed": seed}, say, share_simulations
    )
    if nominal:  # fail early, with the years the deflator lacks
        for y in projections[main].financial_years():
            defl.level(y)
    say("sensitivity")
    tornado = one_way(params, chosen.sources[main], runs=sensitivity_runs, **settings)
    switching = switching_values(params, chosen.sources[main], runs=sensitivity_runs, **settings)
    voi = None
    if draws >= MIN_VOI_DRAWS:
        say("value of information")
        voi = evppi(projections[main])
    decided: OptionsAppraisal | None = None
    board: BoardCase | None = None
    sampled: dict[str, pd.DataFrame] = {}
    if chosen.decision is not None:
        say("the decision's options")
        decided, board, sampled = _decision(
            params, chosen.decision, draws, seed, decision_date, tornado, sensitivity_runs
        )
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
        parameters=apply_scenario(params, chosen.sources[main]),
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
    )


__all__ = [
    "BASES",
    "HEADLINES",
    "ReportContent",
    "appraisal_year_labels",
    "borrowed_lines",
    "report_content",
]


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


def _flat(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    """A table with a two-level index given one index of "first: second" labels."""
    if not isinstance(frame.index, pd.MultiIndex):
        return frame
    out = frame.copy()
    out.index = pd.Index([f"{a}: {b}" for a, b in frame.index], name=name)
    return out
