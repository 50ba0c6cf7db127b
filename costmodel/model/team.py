"""How many families the early-intervention team reaches: a stochastic simulation.

The team is simulated week by week (or in finer steps), vectorised over
replications: every array has replications on its first axis and the only Python
loop is over time steps.

**Establishment.** The team has posts in three roles: ``manager`` (no caseload),
``practitioner`` (casework with families, and advice to other professionals) and
``light_touch`` (short follow-up contact, e.g. a call and a follow-up after a
lower-risk police call-out). At the start it has ``staff.posts`` posts, of which
``staff.management_posts`` are managers and the rest practitioners. Each
``staffing_steps.<name>`` sets, from its ``date``, the number of posts in every role
(``posts``, a table by role) and may add ``funding`` to the budget on that date. A
post created by a step starts recruiting on that date; a post a step removes (the
most recently created of its role first) is released on that date and costs nothing
after it. A step dated before the start is the team's history: the latest such step
sets the posts the team starts with (a successor inherits the team as it stands),
and its funding, spent before the start, is not added. A share
``staff.in_post_at_start`` of the posts open at the start are already filled by staff
at full caseload (a successor keeping the team's staff); the rest recruit.

Within a step, in order:

1. **Staff.** Filled posts may leave (weekly hazard from annual turnover); a vacant
   post is filled once its recruitment lag (gamma, drawn per vacancy) has run, if the
   budget received so far can pay for it until the post ends (the end of the
   programme, or the step that removes it) on top of what the posts already filled
   will cost until theirs end (commitment accounting, so spend never exceeds the
   budget). Managers are filled first, then posts in the order they were created
   (within one step: managers, practitioners, light-touch posts). Spend accrues for
   filled posts.
2. **Capacity.** Casework places are
   ``floor(Σ practitioners × ramp-up × caseload × (1 − advice share))``; a new
   practitioner's share of a caseload rises linearly over the ramp-up. Light-touch
   contacts this step are the whole part of
   ``carried fraction + Σ light-touch practitioners × ramp-up × contact hours a week
   × step ÷ hours per family`` (only the fraction carries over: unused time is not
   banked).
3. **Endings.** Cases due to end this step complete or drop out, freeing places.
4. **Referrals** arrive (Poisson) and are screened (binomial); eligible, consenting
   families join the casework waiting list. The split of a run's referrals by
   referring agency (multinomial) is drawn once at the end: the agency does not
   change what happens to a family. While the team has at least one light-touch
   post (filled or not), families for light-touch contact arrive (Poisson) and join
   their own list.
5. **Redirection.** Families who have waited longer than the maximum wait leave the
   casework list, redirected to other services; families not contacted within the
   light-touch maximum wait lapse.
6. **Starts.** Free places are filled from the casework list, longest-waiting first.
   Each new case draws its length (gamma with the mean and CV given; CV 1 gives
   exponential) and whether it drops out (then it ends at a uniform fraction of
   its length). Light-touch contacts are made, longest-waiting first.
7. **Advice.** Practitioners' advice time yields consultations (Poisson) and
   families reached indirectly (Poisson per consultation).
8. **Children.** A family has one child plus a Poisson number more, with mean
   ``children_per_family − 1`` (a mean below one is taken as one: every family
   counted has a child); the children of the families who start casework,
   are contacted, or are reached indirectly in a step are drawn at once (a sum of
   Poisson counts is Poisson).

A family counted as **supported** is one who started casework or was contacted for
light-touch support, as the team's annual report counts "families supported" and
"children and young people [who] benefited from family and individual support";
families reached only through advice to other professionals are counted apart.

Every family referred for casework ends in exactly one state: screened out,
redirected, completed, dropped out, still in a case at the end, or still waiting at
the end; every family passed on for light-touch contact is contacted, lapses, or is
still waiting at the end. All money is in real terms at the budget's price year.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from ..greenbook.appraisal import ratio
from ..greenbook.prices import cash_to_real, deflators_from_params
from ..params.errors import ParameterError, Problem, accepts
from ..params.limits import DEFAULT_SEED, check_runs, check_seed
from ..params.sampling import sample, summarise, table_values
from .vocabulary import WEEKS_PER_QUARTER, WEEKS_PER_YEAR

TEAM = "team"
#: Longest programme simulated, in years.
MAX_YEARS = 50

#: ReachInputs fields that may vary by replication, and the parameter behind each.
VARYING = {
    "practitioner_salary": "staff.practitioner_salary",
    "manager_salary": "staff.manager_salary",
    "on_cost_rate": "staff.on_cost_rate",
    "non_staff_cost": "staff.non_staff_cost_per_post",
    "recruitment_lag": "staff.recruitment_lag",
    "ramp_up": "staff.ramp_up",
    "annual_turnover": "staff.annual_turnover",
    "advice_share": "staff.advice_share",
    "light_touch_salary": "staff.light_touch_salary",
    "referral_rate": "referrals.rate",
    "eligible": "referrals.eligible_and_consenting",
    "caseload": "direct_work.caseload",
    "case_duration": "direct_work.case_duration",
    "drop_out": "direct_work.drop_out",
    "consultations_per_advice_week": "indirect.consultations_per_advice_week",
    "families_per_consultation": "indirect.families_per_consultation",
    "light_touch_rate": "light_touch.referral_rate",
    "light_touch_hours_per_family": "light_touch.hours_per_family",
    "light_touch_hours_per_week": "light_touch.contact_hours_per_week",
    "children_per_family": "families.children_per_family",
}
#: The roles a post can have, in the order posts are offered the budget.
ROLES = ("manager", "practitioner", "light_touch")
STEPS = "staffing_steps"

#: Per-quarter outputs, summed over the steps of each quarter.
FLOWS = (
    "referred",
    "screened_out",
    "eligible",
    "started",
    "completed",
    "dropped_out",
    "redirected",
    "consultations",
    "reached_indirectly",
    "spend",
    "wait_weeks",
    "light_touch_referred",
    "light_touch_contacted",
    "light_touch_lapsed",
    "children_started",
    "children_contacted",
    "children_reached_indirectly",
)
#: Per-quarter levels, averaged over the steps of each quarter.
LEVELS = (
    "posts_filled",
    "capacity",
    "active",
    "waiting",
    "light_touch_posts_filled",
    "practitioner_posts_filled",
)

#: Families and children per service tier: (tier, families total, children total).
TIERS = (
    ("casework", "started", "children_started"),
    ("light_touch", "light_touch_contacted", "children_contacted"),
    ("advice", "reached_indirectly", "children_reached_indirectly"),
)


@dataclass(frozen=True)
class StaffingStep:
    """From ``week`` (after the start) the team has ``posts[role]`` posts in each role,
    and ``funding`` (real terms, the budget's price year) is added to the budget."""

    name: str
    week: float
    posts: Mapping[str, int]
    funding: float = 0.0


@dataclass(frozen=True)
class Observation:
    """What the team reported: families (and children) supported in the first ``weeks``."""

    name: str
    weeks: int
    families: float
    children: float | None = None


@dataclass(frozen=True)
class ReachInputs:
    """Resolved inputs of one simulation: scalars, or arrays with one value per run.

    Times are in weeks, money in real terms at ``price_year`` prices. Build with
    :func:`reach_inputs`; change fields with ``dataclasses.replace``.
    """

    runs: int
    weeks: int
    start_date: dt.date
    price_year: str
    budget: float
    posts: int
    management_posts: int
    practitioner_salary: np.ndarray
    manager_salary: np.ndarray
    on_cost_rate: np.ndarray
    non_staff_cost: np.ndarray
    recruitment_lag: np.ndarray
    recruitment_lag_cv: float
    ramp_up: np.ndarray
    annual_turnover: np.ndarray
    advice_share: np.ndarray
    referral_rate: np.ndarray
    sources: tuple[str, ...]
    source_shares: np.ndarray  # (runs, sources)
    eligible: np.ndarray
    caseload: np.ndarray
    case_duration: np.ndarray
    case_duration_cv: float
    drop_out: np.ndarray
    max_wait: float
    consultations_per_advice_week: np.ndarray
    families_per_consultation: np.ndarray
    light_touch_salary: np.ndarray
    light_touch_rate: np.ndarray
    light_touch_hours_per_family: np.ndarray
    light_touch_hours_per_week: np.ndarray
    light_touch_max_wait: float
    children_per_family: np.ndarray
    #: The budget in cash (``budget`` is its real value at ``price_year``).
    budget_cash: float = 0.0
    #: Dated changes to the posts and the budget, in date order.
    staffing_steps: tuple[StaffingStep, ...] = ()
    #: Reported counts to set the simulation against (cumulative at their week).
    observed: tuple[Observation, ...] = ()
    #: The draws table the per-run values were read from (one row per run).
    values: pd.DataFrame | None = field(default=None, repr=False, compare=False)
    #: The money basis, from the deflator (says so when it rests on a forecast).
    price_basis: str = ""
    #: Share of the posts open at the start already filled, at full caseload.
    in_post_at_start: float = 0.0

    def post_cost_per_week(self) -> tuple[np.ndarray, np.ndarray]:
        """(manager, practitioner) full cost per filled post per week, by run."""
        costs = self.role_cost_per_week()
        return costs["manager"], costs["practitioner"]

    def role_cost_per_week(self) -> dict[str, np.ndarray]:
        """Full cost per filled post per week, by role and run."""

        def full(salary):
            return (salary * (1 + self.on_cost_rate) + self.non_staff_cost) / WEEKS_PER_YEAR

        return {
            "manager": full(self.manager_salary),
            "practitioner": full(self.practitioner_salary),
            "light_touch": full(self.light_touch_salary),
        }

    def funding_total(self) -> float:
        """The budget plus the funding the staffing steps within the programme add."""
        return self.budget + sum(s.funding for s in self.staffing_steps if 0 <= s.week < self.weeks)

    def base_posts(self) -> dict[str, int]:
        """Posts by role at the start."""
        return {
            "manager": self.management_posts,
            "practitioner": self.posts - self.management_posts,
            "light_touch": 0,
        }

    def inherited_posts(self) -> dict[str, int]:
        """Posts by role the team has on its start date before any step dated then: as
        first funded, or as its latest earlier step (its history) left it."""
        history = [s for s in self.staffing_steps if s.week < 0]
        return dict(history[-1].posts) if history else self.base_posts()

    def max_practitioner_places(self) -> np.ndarray:
        """Most practitioner posts at any time × caseload: a ceiling on cases open at once."""
        most = max(
            [self.posts - self.management_posts]
            + [int(s.posts["practitioner"]) for s in self.staffing_steps]
        )
        return most * self.caseload

    def establishment(self, step_weeks: float = 1.0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every post there will ever be: (role index, first step, step after the last),
        ordered managers first, then by when the post was created."""
        steps = int(round(self.weeks / step_weeks))
        role: list[int] = []
        opens: list[int] = []
        closes: list[int] = []
        live: dict[str, list[int]] = {r: [] for r in ROLES}

        def change(target: Mapping[str, int], at: int) -> None:
            for r_i, r in enumerate(ROLES):
                n = int(target[r])
                while len(live[r]) < n:
                    live[r].append(len(role))
                    role.append(r_i)
                    opens.append(at)
                    closes.append(steps)
                while len(live[r]) > n:
                    closes[live[r].pop()] = at

        change(self.inherited_posts(), 0)  # as first funded, or as its history left it
        for s in self.staffing_steps:
            at = int(round(s.week / step_weeks))
            if s.week >= 0 and at < steps:
                change(s.posts, at)
        order = np.argsort(np.array(role) != 0, kind="stable")
        return (
            np.array(role, dtype=int)[order],
            np.array(opens, dtype=int)[order],
            np.array(closes, dtype=int)[order],
        )


def team_paths() -> list[str]:
    """The team parameters that may vary by run, in drawing order."""
    return [*(f"{TEAM}.{path}" for path in VARYING.values()), f"{TEAM}.referrals.by_source"]


@accepts(params="mapping")
def reach_inputs(
    params: Mapping,
    runs: int = 1000,
    rng: np.random.Generator | None = None,
    values: pd.DataFrame | None = None,
) -> ReachInputs:
    """Inputs for ``runs`` replications from the ``team.*`` parameters.

    With ``rng`` every parameter that has a distribution is drawn once per run
    (parameter uncertainty); without it every run uses the central values. ``values``
    is a draws table (see :func:`costmodel.params.sampling.sample`) to read from instead;
    its number of rows sets the number of runs.
    """
    if values is None:
        values = sample(params, check_runs(runs), rng, team_paths())
    runs = len(values)

    def p(name):
        return params[f"{TEAM}.{name}"]

    defl = deflators_from_params(params)
    price_year = p("budget.total").price_year

    def real(name, values):
        return values * defl.factor(p(name).price_year, price_year)

    varying = {f: values[f"{TEAM}.{path}"].to_numpy(dtype=float) for f, path in VARYING.items()}
    for money in ("practitioner_salary", "manager_salary", "non_staff_cost", "light_touch_salary"):
        varying[money] = real(VARYING[money], varying[money])
    src = p("referrals.by_source")
    shares = table_values(values, src)
    posts, managers = int(p("staff.posts").value), int(p("staff.management_posts").value)
    duration = p("programme.duration")
    if not 1 / WEEKS_PER_YEAR <= float(duration.value) <= MAX_YEARS:
        raise ParameterError(
            Problem(
                duration.file,
                duration.path,
                "the team's programme must "
                f"last from a week to {MAX_YEARS} years, not "
                f"{duration.value:g} years",
                duration.line,
            )
        )
    if managers > posts:
        raise ParameterError(
            Problem(
                p("staff.management_posts").file,
                p("staff.management_posts").path,
                f"{managers} management posts in a team of {posts}",
                p("staff.management_posts").line,
            )
        )
    start = p("programme.start_date").value
    cash_years = max(1, int(np.ceil(float(duration.value) - 1e-9)))
    real_budget, _ = cash_to_real(
        float(p("budget.total").value), start, cash_years, price_year, defl
    )
    return ReachInputs(
        runs=runs,
        weeks=int(round(float(duration.value) * WEEKS_PER_YEAR)),
        start_date=start,
        price_year=price_year,
        budget=real_budget,
        budget_cash=float(p("budget.total").value),
        posts=posts,
        management_posts=managers,
        recruitment_lag_cv=float(p("staff.recruitment_lag_cv").value),
        sources=tuple(src.value),
        source_shares=np.array(shares, dtype=float),
        case_duration_cv=float(p("direct_work.case_duration_cv").value),
        max_wait=float(p("direct_work.max_wait").value),
        light_touch_max_wait=float(p("light_touch.max_wait").value),
        staffing_steps=staffing_steps(params, start, price_year),
        in_post_at_start=_share(params, f"{TEAM}.staff.in_post_at_start"),
        observed=observations(params),
        values=values,
        price_basis=defl.basis(price_year),
        **varying,
    )


def _share(params: Mapping, path: str) -> float:
    """A proportion parameter's value, 0 when the parameter is absent."""
    return float(params[path].value) if path in params else 0.0


def staffing_steps(params: Mapping, start: dt.date, price_year: str) -> tuple[StaffingStep, ...]:
    """The ``team.staffing_steps.<name>`` groups, checked, in date order.

    Each has ``date``, ``posts`` (a table with one whole number for every role) and
    optionally ``funding`` (money added to the budget on that date).
    """
    head = f"{TEAM}.{STEPS}."
    names = sorted({k[len(head) :].split(".")[0] for k in params if k.startswith(head)})
    defl = deflators_from_params(params)
    out = []
    for name in names:
        prefix = f"{head}{name}"
        found = {k[len(prefix) + 1 :] for k in params if k.startswith(prefix + ".")}

        def bad(key: str, message: str, prefix: str = prefix) -> ParameterError:
            par = params.get(f"{prefix}.{key}")
            return ParameterError(
                Problem(
                    par.file if par is not None else "",
                    f"{prefix}.{key}",
                    message,
                    par.line if par is not None else None,
                )
            )

        for key in ("date", "posts"):
            if key not in found:
                raise bad(key, "a staffing step needs a 'date' and 'posts' (by role)")
        extra = found - {"date", "posts", "funding"}
        if extra:
            raise bad(sorted(extra)[0], "not a field of a staffing step (date, posts, funding)")
        date = params[f"{prefix}.date"].value
        if not isinstance(date, dt.date):
            raise bad("date", "must be a date")
        table = params[f"{prefix}.posts"].value
        if not isinstance(table, Mapping) or set(table) != set(ROLES):
            raise bad("posts", f"must give posts for every role: {', '.join(ROLES)}")
        for role, n in table.items():
            if float(n) != int(n):
                raise bad("posts", f"posts must be whole numbers, not {n:g} for {role}")
        funding = 0.0
        if "funding" in found and date >= start:  # history's funding was spent before
            money = params[f"{prefix}.funding"]
            funding = float(money.value) * defl.factor(money.price_year, price_year)
        out.append(
            StaffingStep(
                name=name,
                week=(date - start).days / 7,
                posts={r: int(table[r]) for r in ROLES},
                funding=funding,
            )
        )
    return tuple(sorted(out, key=lambda x: x.week))


def observations(params: Mapping) -> tuple[Observation, ...]:
    """Reported counts under ``team.observed.<name>``: ``families_supported``, ``period``
    (weeks from the start) and optionally ``children_supported``."""
    head = f"{TEAM}.observed."
    names = sorted(
        {k[len(head) :].split(".")[0] for k in params if k.startswith(head) and k.count(".") == 3}
    )
    out = []
    for name in names:
        prefix = f"{head}{name}"
        for key in ("families_supported", "period"):
            if f"{prefix}.{key}" not in params:
                raise ParameterError(
                    Problem(
                        "", f"{prefix}.{key}", "an observation needs families_supported and period"
                    )
                )
        children = params.get(f"{prefix}.children_supported")
        out.append(
            Observation(
                name=name,
                weeks=int(round(float(params[f"{prefix}.period"].value))),
                families=float(params[f"{prefix}.families_supported"].value),
                children=None if children is None else float(children.value),
            )
        )
    return tuple(out)


def with_runs(inputs: ReachInputs, values: Mapping[str, Any]) -> ReachInputs:
    """Replace per-run fields (e.g. a grid of caseloads, one value per run)."""
    out = {}
    for k, v in values.items():
        if k not in VARYING:
            raise ParameterError(
                Problem("", k, f"not a per-run input (use one of {', '.join(VARYING)})")
            )
        out[k] = np.broadcast_to(np.asarray(v, dtype=float), (inputs.runs,)).copy()
    table = None
    if inputs.values is not None:
        table = inputs.values.copy()
        for k, v in out.items():
            table[f"{TEAM}.{VARYING[k]}"] = v
    return replace(inputs, values=table, **out)


# ------------------------------------------------------------------ simulation


@dataclass(frozen=True)
class ReachResult:
    """Outcomes of ``runs`` replications.

    ``quarterly[name]`` is an array (runs, quarters): flows are totals over the
    quarter, levels are averages over its steps (``posts_filled`` counts managers and
    practitioners; light-touch posts are ``light_touch_posts_filled``, practitioners
    alone ``practitioner_posts_filled``). ``final[name]`` holds end-of-run
    counts by run (``ongoing_at_end``, ``waiting_at_end``, ``max_active``,
    ``max_overfill``, ``wait_total``), and ``referred_by_source`` (runs, sources).
    ``at_week[w]`` holds the running totals ``families_supported`` and
    ``children_supported`` by run at the end of week ``w``, for every reported
    observation that falls within the run.
    """

    inputs: ReachInputs = field(repr=False)
    seed: int | None
    step_weeks: float
    quarterly: Mapping[str, np.ndarray] = field(repr=False)
    final: Mapping[str, np.ndarray] = field(repr=False)
    referred_by_source: np.ndarray = field(repr=False)
    at_week: Mapping[int, Mapping[str, np.ndarray]] = field(default_factory=dict, repr=False)

    @property
    def runs(self) -> int:
        return self.inputs.runs

    @property
    def quarters(self) -> int:
        return next(iter(self.quarterly.values())).shape[1]

    def total(self, name: str) -> np.ndarray:
        """One number per run: a flow summed over the programme, or a derived total."""
        q = self.quarterly
        if name in FLOWS:
            return q[name].sum(axis=1)
        if name in self.final:
            return self.final[name]
        if name == "families_supported":
            return self.total("started") + self.total("light_touch_contacted")
        if name == "children_supported":
            return self.total("children_started") + self.total("children_contacted")
        if name == "families_reached":
            return self.total("families_supported") + self.total("reached_indirectly")
        if name == "children_reached":
            return self.total("children_supported") + self.total("children_reached_indirectly")
        if name == "cost_per_family_supported":
            return ratio(self.total("spend"), self.total("families_supported"))
        if name == "cost_per_family_started":
            return ratio(self.total("spend"), self.total("started"))
        if name == "cost_per_family_completed":
            return ratio(self.total("spend"), self.total("completed"))
        if name == "mean_wait_weeks":
            return ratio(self.final["wait_total"], self.total("started"))
        if name == "utilisation":
            return ratio(q["active"].sum(axis=1), q["capacity"].sum(axis=1))
        raise KeyError(f"unknown outcome {name!r}")

    def tiers(self, percentiles=(5, 50, 95)) -> pd.DataFrame:
        """Families and children by service tier over the run: mean and percentiles,
        rows (tier, measure); ``supported`` is casework and light touch together."""
        frames = []
        rows = [*TIERS, ("supported", "families_supported", "children_supported")]
        for tier, families, children in rows:
            s = summarise(
                {"families": self.total(families), "children": self.total(children)}, percentiles
            )
            s.index = pd.MultiIndex.from_product([[tier], s.index], names=["tier", "measure"])
            frames.append(s)
        return pd.concat(frames)

    def reported(self, percentiles=(5, 95)) -> pd.DataFrame:
        """Modelled against reported: for every observation within the run, the reported
        count, the modelled mean and band, and where the report sits among the runs
        (percentile, ties counted half)."""
        rows = []
        for o in self.inputs.observed:
            got = self.at_week.get(o.weeks)
            if got is None:
                continue
            for measure, value in (("families", o.families), ("children", o.children)):
                if value is None:
                    continue
                x = got[f"{measure}_supported"]
                lo, hi = np.percentile(x, percentiles)
                rows.append(
                    {
                        "observation": o.name,
                        "weeks": o.weeks,
                        "measure": f"{measure} supported",
                        "reported": value,
                        "modelled_mean": float(x.mean()),
                        f"modelled_p{percentiles[0]}": float(lo),
                        f"modelled_p{percentiles[1]}": float(hi),
                        "reported_percentile": float(
                            ((x < value).mean() + 0.5 * (x == value).mean()) * 100
                        ),
                    }
                )
        return pd.DataFrame(rows)

    def cumulative(self, name: str, low: float = 5, high: float = 95) -> pd.DataFrame:
        """A flow's running total to the end of each quarter: mean over runs, and the
        ``low``–``high`` percentiles of the runs' own running totals."""
        cum = np.cumsum(np.asarray(self.quarterly[name], dtype=float), axis=1)
        lo, hi = np.percentile(cum, [low, high], axis=0)
        return pd.DataFrame(
            {"mean": cum.mean(axis=0), "low": lo, "high": hi},
            index=pd.Index(self.quarter_labels(), name="quarter_start"),
        )

    def quarter_labels(self) -> list[str]:
        start = self.inputs.start_date
        return [
            (start + dt.timedelta(weeks=WEEKS_PER_QUARTER * i)).isoformat()
            for i in range(self.quarters)
        ]

    def totals(self, percentiles=(5, 50, 95)) -> pd.DataFrame:
        """Mean and percentiles over runs of each total outcome."""
        names = [
            *(f for f in FLOWS if f != "wait_weeks"),
            "ongoing_at_end",
            "waiting_at_end",
            "families_supported",
            "children_supported",
            "families_reached",
            "children_reached",
            "mean_wait_weeks",
            "utilisation",
            "cost_per_family_supported",
            "cost_per_family_started",
            "cost_per_family_completed",
        ]
        return summarise({n: self.total(n) for n in names}, percentiles)

    def by_quarter(self, percentiles=(5, 50, 95)) -> pd.DataFrame:
        """Mean and percentiles of each quarterly outcome; rows (quarter, outcome)."""
        frames = []
        labels = self.quarter_labels()
        util = ratio(self.quarterly["active"], self.quarterly["capacity"])
        data = {**self.quarterly, "utilisation": util}
        for i, label in enumerate(labels):
            s = summarise({k: v[:, i] for k, v in data.items()}, percentiles)
            s.insert(0, "quarter_start", label)
            s.insert(0, "quarter", i + 1)
            frames.append(s)
        out = pd.concat(frames)
        out.index.name = "outcome"
        return out.reset_index().set_index(["quarter", "outcome"])

    def to_dict(self) -> dict:
        """A JSON-ready summary (the CLI's ``--format json``)."""

        def stats(x):
            row = summarise({"x": x}).loc["x"]
            return {k: _num(row[k]) for k in ("mean", "p5", "p50", "p95")}

        names = [
            "referred",
            "families_started",
            "families_completed",
            "dropped_out",
            "redirected",
            "screened_out",
            "families_reached_indirectly",
            "ongoing_at_end",
            "waiting_at_end",
            "families_supported",
            "children_supported",
            "light_touch_referred",
            "light_touch_lapsed",
            "mean_wait_weeks",
            "utilisation",
            "spend",
            "cost_per_family_supported",
            "cost_per_family_started",
            "cost_per_family_completed",
        ]
        alias = {
            "families_started": "started",
            "families_completed": "completed",
            "families_reached_indirectly": "reached_indirectly",
        }
        out: dict[str, Any] = {
            "runs": self.runs,
            "seed": self.seed,
            "weeks": self.inputs.weeks,
            "start_date": self.inputs.start_date.isoformat(),
            "price_year": self.inputs.price_year,
            "price_basis": self.inputs.price_basis,
            "budget": self.inputs.budget,
            "budget_cash": self.inputs.budget_cash,
        }
        for n in names:
            out[n] = stats(self.total(alias.get(n, n)))
        out["tiers"] = {
            tier: {
                "families": stats(self.total(families)),
                "children": stats(self.total(children)),
            }
            for tier, families, children in TIERS
        }
        out["reported_against_modelled"] = [
            {k: (_num(v) if isinstance(v, float) else v) for k, v in row.items()}
            for row in self.reported().to_dict(orient="records")
        ]
        out["staffing_steps"] = [
            {
                "name": st.name,
                "date": (self.inputs.start_date + dt.timedelta(weeks=st.week)).isoformat(),
                "posts": dict(st.posts),
                "funding": st.funding,
            }
            for st in self.inputs.staffing_steps
        ]
        src = self.referred_by_source
        out["referred_by_source"] = {s: stats(src[:, i]) for i, s in enumerate(self.inputs.sources)}
        bq = self.by_quarter()
        out["by_quarter"] = [
            {
                "quarter": int(q),
                "quarter_start": bq.loc[(q, "started"), "quarter_start"],
                **{
                    alias_rev: {
                        k: _num(bq.loc[(q, src_name), k]) for k in ("mean", "p5", "p50", "p95")
                    }
                    for alias_rev, src_name in (
                        ("families_referred", "referred"),
                        ("families_started", "started"),
                        ("families_completed", "completed"),
                        ("dropped_out", "dropped_out"),
                        ("redirected", "redirected"),
                        ("families_reached_indirectly", "reached_indirectly"),
                        ("families_contacted_light_touch", "light_touch_contacted"),
                        ("children_started", "children_started"),
                        ("children_contacted_light_touch", "children_contacted"),
                        ("spend", "spend"),
                        ("utilisation", "utilisation"),
                        ("posts_filled", "posts_filled"),
                    )
                },
            }
            for q in range(1, self.quarters + 1)
        ]
        return out


def _num(x) -> float | None:
    x = float(x)
    return x if np.isfinite(x) else None


def _gamma(rng, mean, cv, size=None):
    """Gamma draws with the given mean and CV (``mean`` may be an array)."""
    shape = 1.0 / cv**2
    return rng.gamma(shape, np.asarray(mean) / shape, size=size)


def simulate(
    inputs: ReachInputs,
    seed: int | np.random.Generator | None = 0,
    step_weeks: float = 1.0,
    weeks: int | None = None,
    progress: Callable[[Iterable[int]], Iterable[int]] | None = None,
) -> ReachResult:
    """Run the team simulation for every replication in ``inputs``.

    ``step_weeks`` is the time step (1 = weekly; smaller steps approach continuous
    time). ``weeks`` stops the run early (e.g. for calibration); the budget rule still
    looks to the end of the programme. ``progress`` wraps the loop over time steps
    (e.g. ``tqdm.tqdm``) to show progress.
    """
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    seed_label = None if isinstance(seed, np.random.Generator) else seed
    R = inputs.runs
    horizon = inputs.weeks if weeks is None else int(weeks)
    T = int(round(horizon / step_weeks))
    if T < 1:
        raise ParameterError(Problem("", "weeks", "the simulation needs at least one step"))
    steps_per_quarter = WEEKS_PER_QUARTER / step_weeks
    Q = int(np.ceil(T / steps_per_quarter - 1e-9))
    quarter_of = np.minimum((np.arange(T) / steps_per_quarter).astype(int), Q - 1)
    steps_in_q = np.bincount(quarter_of, minlength=Q).astype(float)
    role, opens, closes = inputs.establishment(step_weeks)
    P = len(role)
    is_prac, is_light = role == ROLES.index("practitioner"), role == ROLES.index("light_touch")
    funding_at = np.zeros(T + 1)
    for st in inputs.staffing_steps:
        at = int(round(st.week / step_weeks))
        if 0 <= at < T:
            funding_at[at] += st.funding
    checkpoints = {
        int(round(o.weeks / step_weeks)) - 1: o.weeks
        for o in inputs.observed
        if 1 <= int(round(o.weeks / step_weeks)) <= T
    }

    def col(x):
        return np.broadcast_to(np.asarray(x, dtype=float), (R,))

    costs = inputs.role_cost_per_week()
    post_cost = np.column_stack([col(costs[ROLES[r_i]]) * step_weeks for r_i in role]).reshape(R, P)
    leave_p = 1.0 - (1.0 - col(inputs.annual_turnover)) ** (step_weeks / WEEKS_PER_YEAR)
    ramp_steps = col(inputs.ramp_up) / step_weeks
    places = col(inputs.caseload) * (1.0 - col(inputs.advice_share))
    lag_mean = col(inputs.recruitment_lag) / step_weeks
    W = int(round(inputs.max_wait / step_weeks))
    W_lt = int(round(inputs.light_touch_max_wait / step_weeks))
    dur_mean = col(inputs.case_duration) / step_weeks
    drop_p, elig_p = col(inputs.drop_out), col(inputs.eligible)
    ref_rate = col(inputs.referral_rate) * step_weeks
    lt_rate = col(inputs.light_touch_rate) * step_weeks
    contacts_per_fte = (
        col(inputs.light_touch_hours_per_week)
        * step_weeks
        / np.maximum(col(inputs.light_touch_hours_per_family), 1e-12)
    )
    extra_children = np.maximum(col(inputs.children_per_family) - 1.0, 0.0)
    consult_rate = col(inputs.consultations_per_advice_week) * col(inputs.advice_share) * step_weeks
    fpc = col(inputs.families_per_consultation)

    def lags(mask):
        """Recruitment lags (in steps) for the posts in ``mask``; zero elsewhere."""
        out = np.zeros((R, P))
        who, _ = np.nonzero(mask)
        mean = lag_mean[who]
        out[mask] = np.rint(
            _gamma(rng, mean, inputs.recruitment_lag_cv) if inputs.recruitment_lag_cv > 0 else mean
        )
        return out

    def serve(waiting, lo, t, free):
        """Take up to ``free`` families from ``waiting[:, lo:t+1]``, longest-waiting first."""
        window = waiting[:, lo : t + 1]
        before = np.cumsum(window, axis=1) - window
        take = np.clip(free[:, None] - before, 0, window)
        waiting[:, lo : t + 1] = window - take
        return take

    filled = np.zeros((R, P), dtype=bool)
    lag_left = lags(np.ones((R, P), dtype=bool))
    tenure = np.zeros((R, P))
    # staff already in post at the start (the posts the team had before it, not those
    # a step creates on the start date): no recruitment lag, a full caseload
    kept = inputs.inherited_posts()
    in_post = np.array(
        [
            j
            for r_i, r in enumerate(ROLES)
            for j in np.flatnonzero((role == r_i) & (opens <= 0))[
                : int(round(inputs.in_post_at_start * kept[r]))
            ]
        ],
        dtype=int,
    )
    lag_left[:, in_post] = 0.0
    tenure[:, in_post] = ramp_steps[:, None]
    spent = np.zeros(R)
    budget = inputs.budget
    queue = np.zeros((R, T), dtype=np.int64)  # waiting families by arrival step
    lt_queue = np.zeros((R, T), dtype=np.int64)  # families waiting for light-touch contact
    lt_fraction = np.zeros(R)
    ends_done = np.zeros((R, T + 1), dtype=np.int64)  # cases completing, by end step
    ends_drop = np.zeros((R, T + 1), dtype=np.int64)  # cases dropping out, by end step
    active = np.zeros(R, dtype=np.int64)
    out = np.zeros((len(FLOWS) + len(LEVELS), Q, R))
    wait_total = np.zeros(R)
    max_active = np.zeros(R, dtype=np.int64)
    max_over = np.full(R, -np.inf)
    rows = np.arange(R)
    supported = np.zeros(R)
    children_supported = np.zeros(R)
    at_week: dict[int, dict[str, np.ndarray]] = {}
    zeros = np.zeros(R, dtype=np.int64)

    for t in progress(range(T)) if progress else range(T):
        q = quarter_of[t]
        budget += funding_at[t]
        open_now = (opens <= t) & (t < closes)
        # 1. staff: posts released by a step, leavers, then fills within the budget, spend
        released = filled & ~open_now[None, :]
        if released.any():
            filled &= ~released
            tenure[released] = 0.0
        leave = filled & (rng.random((R, P)) < leave_p[:, None])
        if leave.any():
            filled &= ~leave
            tenure[leave] = 0.0
            lag_left = np.where(leave, lags(leave), lag_left)
        ready = ~filled & (lag_left <= 0) & open_now[None, :]
        if ready.any():
            steps_to_close = np.maximum(closes - t, 0)[None, :]
            committed = (filled * post_cost * steps_to_close).sum(axis=1)
            headroom = budget - spent - committed
            for j in range(P):  # managers first; a post is filled if it can be paid for
                cost = post_cost[:, j] * steps_to_close[0, j]
                fill = ready[:, j] & (cost <= headroom + 1e-6)
                filled[:, j] |= fill
                headroom -= np.where(fill, cost, 0.0)
        lag_left = np.where(~filled & open_now[None, :], lag_left - 1, lag_left)
        if t == 0:  # a post kept at the start but not affordable recruits afresh
            tenure = np.where(filled, tenure, 0.0)
        spend = (filled * post_cost).sum(axis=1)
        spent += spend
        # 2. capacity
        ramp = np.where(
            ramp_steps[:, None] > 0,
            np.minimum(1.0, (tenure + 1) / np.maximum(ramp_steps[:, None], 1e-12)),
            1.0,
        )
        fte = filled * ramp
        capacity = np.floor((fte * is_prac).sum(axis=1) * places + 1e-9).astype(np.int64)
        lt_fte = (fte * is_light).sum(axis=1)
        tenure += filled
        # 3. endings
        done, drop = ends_done[:, t], ends_drop[:, t]
        active -= done + drop
        # 4. referrals and screening
        referred = rng.poisson(ref_rate)
        eligible = rng.binomial(referred, elig_p)
        queue[:, t] = eligible
        lt_referred = rng.poisson(lt_rate) if open_now[is_light].any() else zeros
        lt_queue[:, t] = lt_referred
        # 5. redirection after the maximum wait; light-touch contacts lapse after theirs
        redirected = zeros
        if t - W - 1 >= 0:
            redirected = queue[:, t - W - 1].copy()
            queue[:, t - W - 1] = 0
        lapsed = zeros
        if t - W_lt - 1 >= 0:
            lapsed = lt_queue[:, t - W_lt - 1].copy()
            lt_queue[:, t - W_lt - 1] = 0
        # 6. starts, longest-waiting first
        lo = max(0, t - W)
        take = serve(queue, lo, t, np.maximum(capacity - active, 0))
        started = take.sum(axis=1)
        waited = (take * (t - np.arange(lo, t + 1))[None, :]).sum(axis=1) * step_weeks
        wait_total += waited
        n = int(started.sum())
        if n:
            who = np.repeat(rows, started)
            length = _gamma(rng, dur_mean[who], inputs.case_duration_cv)
            drops = rng.random(n) < drop_p[who]
            length = np.where(drops, rng.random(n) * length, length)
            end = t + np.maximum(1, np.rint(length)).astype(np.int64)
            flat = who * (T + 1) + end
            np.add.at(ends_drop.reshape(-1), flat[drops & (end <= T)], 1)
            np.add.at(ends_done.reshape(-1), flat[~drops & (end <= T)], 1)
        # starts only fill free places (cases carry on if a worker leaves)
        max_over = np.maximum(max_over, active + started - np.maximum(capacity, active))
        active += started
        max_active = np.maximum(max_active, active)
        #    light-touch contacts: the whole part of this step's hours, in families
        lt_lo = max(0, t - W_lt)
        lt_avail = lt_fraction + lt_fte * contacts_per_fte
        lt_capacity = np.floor(lt_avail + 1e-9)
        lt_fraction = lt_avail - lt_capacity
        contacted = serve(lt_queue, lt_lo, t, lt_capacity.astype(np.int64)).sum(axis=1)
        # 7. advice to other professionals
        advice_fte = (filled & is_prac[None, :]).sum(axis=1)
        consultations = rng.poisson(advice_fte * consult_rate)
        indirect = rng.poisson(consultations * fpc)
        # 8. children: one each, plus a Poisson number more
        kids_started = started + rng.poisson(started * extra_children)
        kids_contacted = contacted + rng.poisson(contacted * extra_children)
        kids_indirect = indirect + rng.poisson(indirect * extra_children)
        supported += started + contacted
        children_supported += kids_started + kids_contacted
        if t in checkpoints:
            at_week[checkpoints[t]] = {
                "families_supported": supported.copy(),
                "children_supported": children_supported.copy(),
            }

        acc = out[:, q]  # (outcomes, runs), contiguous per outcome
        for i, value in enumerate(
            (
                referred,
                referred - eligible,
                eligible,
                started,
                done,
                drop,
                redirected,
                consultations,
                indirect,
                spend,
                waited,
                lt_referred,
                contacted,
                lapsed,
                kids_started,
                kids_contacted,
                kids_indirect,
                (filled & ~is_light[None, :]).sum(axis=1),
                capacity,
                active,
                queue[:, lo : t + 1].sum(axis=1),
                (filled & is_light[None, :]).sum(axis=1),
                (filled & is_prac[None, :]).sum(axis=1),
            )
        ):
            acc[i] += value
    out[len(FLOWS) :] /= steps_in_q[None, :, None]
    quarterly = {name: out[i].T.copy() for i, name in enumerate((*FLOWS, *LEVELS))}
    # referring agency does not change what happens to a family, so the split of each
    # run's Poisson referrals by agency is drawn once: a multinomial of the run's total
    by_source = rng.multinomial(
        quarterly["referred"].sum(axis=1).astype(np.int64), inputs.source_shares
    )
    final = {
        "ongoing_at_end": active.astype(float),
        "waiting_at_end": queue[:, max(0, T - W - 1) :].sum(axis=1).astype(float),
        "light_touch_waiting_at_end": lt_queue[:, max(0, T - W_lt - 1) :].sum(axis=1).astype(float),
        "max_active": max_active.astype(float),
        "max_overfill": max_over,
        "wait_total": wait_total,
    }
    return ReachResult(
        inputs=inputs,
        seed=seed_label,
        step_weeks=step_weeks,
        quarterly=quarterly,
        final=final,
        referred_by_source=by_source,
        at_week=at_week,
    )


@accepts(params="mapping")
def reach(
    params: Mapping,
    runs: int = 1000,
    seed: int = DEFAULT_SEED,
    parameter_uncertainty: bool = True,
    step_weeks: float = 1.0,
    progress: Callable[[Iterable[int]], Iterable[int]] | None = None,
) -> ReachResult:
    """Simulate the team ``runs`` times from one seeded generator.

    With ``parameter_uncertainty`` each run also draws its own parameter values from
    their distributions, so the bands show both chance and what we do not know.
    """
    rng = np.random.default_rng(check_seed(seed))
    inputs = reach_inputs(params, check_runs(runs), rng if parameter_uncertainty else None)
    res = simulate(inputs, rng, step_weeks, progress=progress)
    return replace(res, seed=seed)
