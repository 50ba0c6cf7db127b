"""The team simulation's inputs: the ``team.*`` parameters resolved for every run.

:class:`ReachInputs` holds what one simulation needs (scalars, or arrays with one
value per run), built by :func:`reach_inputs`; the dated changes to the posts and the
budget are :class:`StaffingStep` (:func:`staffing_steps`), the team's reported counts
:class:`Observation` (:func:`observations`). The simulation itself is described in
:mod:`costmodel.model.team`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from ..greenbook.prices import cash_to_real, deflators
from ..params.errors import ParameterError, Problem, accepts
from ..params.limits import check_runs
from ..params.sampling import sample, table_values
from ..params.scenarios import Scenario, with_scenario
from ..params.schema import Parameter
from .vocabulary import WEEKS_PER_YEAR

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

        def full(salary: np.ndarray) -> np.ndarray:
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


@accepts(params="mapping", scenario="scenario")
def reach_inputs(
    params: Mapping,
    scenario: str | Scenario | None = None,
    *,
    runs: int = 1000,
    rng: np.random.Generator | None = None,
    values: pd.DataFrame | None = None,
) -> ReachInputs:
    """Inputs for ``runs`` replications from the ``team.*`` parameters.

    With ``rng`` every parameter that has a distribution is drawn once per run
    (parameter uncertainty); without it every run uses the central values. ``values``
    is a draws table (see :func:`costmodel.params.sampling.sample`) to read from instead;
    its number of rows sets the number of runs. ``scenario`` is applied to ``params``
    first (see :func:`costmodel.project`).
    """
    params = with_scenario(params, scenario)
    if values is None:
        values = sample(params, check_runs(runs), rng, team_paths())
    runs = len(values)

    def p(name: str) -> Parameter:
        return params[f"{TEAM}.{name}"]

    defl = deflators(params)
    price_year = _price_year(p("budget.total"))

    def real(name: str, values: np.ndarray) -> np.ndarray:
        return values * defl.factor(_price_year(p(name)), price_year)

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


def _price_year(p: Parameter) -> str:
    """A money parameter's price year (the schema requires one of every money value)."""
    if p.price_year is None:
        raise ParameterError(Problem(p.file, p.path, "a money value needs 'price_year'", p.line))
    return p.price_year


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
    defl = deflators(params)
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
