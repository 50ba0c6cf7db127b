"""Programmes as data: whatever is appraised becomes yearly families, costs and income.

A programme is described in parameters and turned into :class:`ProgrammeFlows` by one
interface, :meth:`Programme.flows`. Two kinds exist:

* :class:`TeamProgramme` – the early-intervention team, simulated week by week
  (:mod:`costmodel.model.team`) from the ``team.*`` parameters. It is appraised when
  ``team.budget.total`` is above zero.
* :class:`CohortProgramme` – any programme that helps a number of families for a cost
  per family, optionally with payment-by-results income: ``programmes.<name>.*`` with
  ``start_date``, ``duration`` (years), ``families`` (over the whole duration, spread
  evenly), ``cost_per_family``, and optionally ``attachment_fee``, ``results_payment``
  and ``success_share``. It is appraised when ``share_appraised`` is above zero (the
  share of its families and costs that is counted). A scenario file can define a
  new one under ``programmes:`` without any code.

:func:`programmes` lists the programmes a parameter set appraises.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

import numpy as np
import pandas as pd

from ..greenbook.prices import deflators
from ..params.errors import ParameterError, Problem, accepts
from ..params.sampling import sample
from .outturn import apply_outturn
from .team import MAX_YEARS as TEAM_MAX_YEARS
from .team import ReachResult, reach, team_paths
from .vocabulary import AGENCY_NAMES, QUARTERS_PER_YEAR, WEEKS_PER_QUARTER, WEEKS_PER_YEAR

PROGRAMMES = "programmes"
#: What a cohort programme must give, and what it may.
COHORT_REQUIRED = ("share_appraised", "start_date", "duration", "families", "cost_per_family")
COHORT_OPTIONAL = ("attachment_fee", "results_payment", "success_share", "funder")
#: Longest programme the model appraises, in years (the team's and any other's).
MAX_YEARS = TEAM_MAX_YEARS
#: Runs of the team simulation behind a deterministic result (its mean is used).
CENTRAL_REACH_RUNS = 2000


#: The flows of a programme that have one value (or row) per draw.
FLOWS_PER_DRAW = (
    "completed",
    "dropped",
    "indirect",
    "light_touch",
    "costs",
    "started",
    "finished",
    "reached_indirectly",
    "contacted",
)
#: The family flows again by quarter of the programme (draws, quarters), for cohorts
#: that start their follow-up in the quarter their support ends.
QUARTERLY_FLOWS = ("completed_q", "dropped_q", "indirect_q", "light_touch_q")


@dataclass(frozen=True)
class ProgrammeFlows:
    """A programme's yearly flows over Monte Carlo draws: arrays (draws, programme years).

    ``completed`` families get the full effect from the year their support ends;
    ``dropped`` (left early, or still in support when the funding stopped),
    ``indirect`` (reached only through advice to other services) and ``light_touch``
    (contacted for light-touch support) get partial shares of it. ``costs`` and
    ``income`` are real terms at ``price_year``. ``values`` holds the parameter values
    each draw used (one row per draw, one column per path). ``completed_q``,
    ``dropped_q``, ``indirect_q`` and ``light_touch_q`` are the same families by
    programme quarter (draws, quarters; four to a programme year), so that each
    quarter's families form a cohort of their own.
    """

    name: str
    kind: str
    start_date: dt.date
    price_year: str
    completed: np.ndarray
    dropped: np.ndarray
    indirect: np.ndarray
    light_touch: np.ndarray
    costs: np.ndarray
    income: np.ndarray | None
    started: np.ndarray  # (draws,) families starting support
    finished: np.ndarray  # (draws,) families completing support
    reached_indirectly: np.ndarray  # (draws,)
    contacted: np.ndarray  # (draws,) families given light-touch support
    values: pd.DataFrame = field(repr=False)
    simulation: ReachResult | None = field(default=None, repr=False)
    runs_used: np.ndarray | None = field(default=None, repr=False)
    completed_q: np.ndarray | None = field(default=None, repr=False)
    dropped_q: np.ndarray | None = field(default=None, repr=False)
    indirect_q: np.ndarray | None = field(default=None, repr=False)
    light_touch_q: np.ndarray | None = field(default=None, repr=False)
    #: (programme years,) share of each year's costs that is outturn from the area's
    #: ledger, not simulated (None: no ledger); and the ledger set against the
    #: simulation by financial year (see :class:`costmodel.model.outturn.Outturn`).
    actual: np.ndarray | None = field(default=None, repr=False)
    outturn: pd.DataFrame | None = field(default=None, repr=False)

    @property
    def quarterly(self) -> bool:
        """Whether the family flows are given by quarter too."""
        return all(getattr(self, k) is not None for k in QUARTERLY_FLOWS)

    def family_flows(
        self, by_quarter: bool
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Completed, dropped, indirect and light-touch families, by quarter or by year."""
        if not by_quarter:
            return self.completed, self.dropped, self.indirect, self.light_touch
        if not self.quarterly:
            raise ValueError(f"the {self.name} programme's flows are not given by quarter")
        c, d, i, lt = (getattr(self, k) for k in QUARTERLY_FLOWS)
        return c, d, i, lt

    @property
    def years(self) -> int:
        return self.costs.shape[1]

    def rows(self, start: int, stop: int) -> ProgrammeFlows:
        """The same flows for draws ``start`` to ``stop`` only."""
        return replace(
            self,
            **{k: getattr(self, k)[start:stop] for k in FLOWS_PER_DRAW},
            income=None if self.income is None else self.income[start:stop],
            values=self.values.iloc[start:stop].reset_index(drop=True),
            runs_used=None if self.runs_used is None else self.runs_used[start:stop],
            **self._quarterly_rows(start, stop),
        )

    def _quarterly_rows(self, start: int, stop: int) -> dict[str, Any]:
        return {
            k: None if getattr(self, k) is None else getattr(self, k)[start:stop]
            for k in QUARTERLY_FLOWS
        }

    @staticmethod
    def join(parts: Sequence[ProgrammeFlows]) -> ProgrammeFlows:
        """One programme's flows from consecutive groups of draws, joined."""
        first = parts[0]
        if len(parts) == 1:
            return first
        joined: dict[str, Any] = {
            k: np.concatenate([getattr(p, k) for p in parts]) for k in FLOWS_PER_DRAW
        }
        for k in QUARTERLY_FLOWS:
            joined[k] = (
                None
                if getattr(first, k) is None
                else np.concatenate([getattr(p, k) for p in parts])
            )
        return replace(
            first,
            **joined,
            income=None if first.income is None else np.concatenate([p.income for p in parts]),
            values=pd.concat([p.values for p in parts], ignore_index=True),
            runs_used=None
            if first.runs_used is None
            else np.concatenate([p.runs_used for p in parts]),
        )


@dataclass(frozen=True)
class RunOptions:
    """How a projection asks programmes to run (the team uses them; others ignore them)."""

    deterministic: bool = False
    team_seed: int = 0
    runs: int = 5000
    simulation: ReachResult | None = None
    progress: Callable[[Iterable[int]], Iterable[int]] | None = None
    #: Index of the first draw asked for (draws come in blocks; draw i uses run i mod runs).
    first_draw: int = 0


class Programme(Protocol):
    """Anything that turns parameters into yearly families, costs and income."""

    @property
    def name(self) -> str: ...

    @property
    def kind(self) -> str: ...

    def start_date(self, params: Mapping) -> dt.date: ...

    def years(self, params: Mapping) -> int:
        """Programme years its flows cover (before any cohort's years after support)."""
        ...

    def funder(self, params: Mapping) -> str | None:
        """The agency that pays for the programme, if the parameters say."""
        ...

    def flows(
        self,
        params: Mapping,
        price_year: str,
        draws: int,
        rng: np.random.Generator | None,
        options: RunOptions,
    ) -> ProgrammeFlows: ...


def yearly(quarterly: np.ndarray) -> np.ndarray:
    """Sums over each programme year of quarterly flows (runs, quarters)."""
    R, Q = quarterly.shape
    Y = -(-Q // QUARTERS_PER_YEAR)
    padded = np.zeros((R, Y * QUARTERS_PER_YEAR))
    padded[:, :Q] = quarterly
    return padded.reshape(R, Y, QUARTERS_PER_YEAR).sum(axis=2)


def funder_of(params: Mapping, path: str) -> str | None:
    """The one agency a ``funder`` table names (``None`` if the parameter is absent)."""
    if path not in params:
        return None
    p = params[path]
    named = [k for k, v in p.value.items() if v] if p.is_table else []
    if len(named) != 1 or named[0] not in AGENCY_NAMES:
        raise ParameterError(
            Problem(p.file, p.path, f"name exactly one agency ({', '.join(AGENCY_NAMES)})", p.line)
        )
    return named[0]


def check_duration(param: Any, shortest: float, what: str) -> None:
    """Refuse a programme duration outside [shortest, MAX_YEARS] years, naming the parameter."""
    if not shortest <= float(param.value) <= MAX_YEARS:
        raise ParameterError(
            Problem(
                param.file,
                param.path,
                f"{what} must last from {'a week' if shortest < 1 else '1 year'} to "
                f"{MAX_YEARS} years, not {param.value:g} years",
                param.line,
            )
        )


@dataclass(frozen=True)
class TeamProgramme:
    """The early-intervention team: the reach simulation's families, spend and advice."""

    name: str = "team"
    kind: str = "team simulation"

    def start_date(self, params: Mapping) -> dt.date:
        return params["team.programme.start_date"].value

    def funder(self, params: Mapping) -> str | None:
        return funder_of(params, "team.budget.funder")

    def years(self, params: Mapping) -> int:
        check_duration(
            params["team.programme.duration"], 1 / WEEKS_PER_YEAR, "the team's programme"
        )
        weeks = int(round(float(params["team.programme.duration"].value) * WEEKS_PER_YEAR))
        quarters = -(-weeks // WEEKS_PER_QUARTER)
        return max(1, -(-quarters // QUARTERS_PER_YEAR))

    def flows(
        self,
        params: Mapping,
        price_year: str,
        draws: int,
        rng: np.random.Generator | None,
        options: RunOptions,
    ) -> ProgrammeFlows:
        """Simulate the team (``min(draws, runs)`` runs, each with its own parameter
        draw; draw ``i`` uses run ``i mod runs``), or reuse ``options.simulation``.

        Deterministic: the mean of :data:`CENTRAL_REACH_RUNS` runs at central values.
        The team's own generator is seeded with ``options.team_seed``; ``rng`` is unused.
        """
        budget = params["team.budget.total"]
        factor = deflators(params).factor(budget.price_year, price_year)
        det = options.deterministic
        runs = CENTRAL_REACH_RUNS if det else min(draws, options.runs)
        sim = (
            options.simulation
            if options.simulation is not None
            else reach(
                params,
                runs=runs,
                seed=options.team_seed,
                parameter_uncertainty=not det,
                progress=options.progress,
            )
        )
        q = sim.quarterly
        by_quarter = {
            "completed_q": q["completed"],
            "dropped_q": q["dropped_out"].copy(),
            "indirect_q": q["reached_indirectly"],
            "light_touch_q": q["light_touch_contacted"],
        }
        # support stops when the funding does: those still in support leave in the
        # last quarter
        by_quarter["dropped_q"][:, -1] += sim.final["ongoing_at_end"]
        completed, dropped = yearly(by_quarter["completed_q"]), yearly(by_quarter["dropped_q"])
        spent, actual, outturn = q["spend"], None, None
        ledger = getattr(params, "ledger", None)
        if ledger is not None and ledger.for_programme(self.name):
            defl = deflators(params)
            done = apply_outturn(
                spent,
                self.start_date(params),
                float(params["team.programme.duration"].value) * WEEKS_PER_YEAR,
                ledger.for_programme(self.name),
                lambda fy: defl.factor(fy, budget.price_year),
            )
            spent = done.spend
            actual = yearly(done.actual[None, :])[0] / QUARTERS_PER_YEAR
            outturn = done.table.assign(
                **{c: done.table[c] * factor for c in ("simulated", "outturn", "difference")}
            )
        indirect, spend = yearly(q["reached_indirectly"]), yearly(spent) * factor
        light = yearly(q["light_touch_contacted"])
        names = ("started", "completed", "reached_indirectly", "light_touch_contacted")
        totals = [sim.total(n) for n in names]
        if det:
            completed, dropped, indirect, light, spend = (
                x.mean(axis=0, keepdims=True) for x in (completed, dropped, indirect, light, spend)
            )
            by_quarter = {k: v.mean(axis=0, keepdims=True) for k, v in by_quarter.items()}
            totals = [t.mean(keepdims=True) for t in totals]
            take = np.zeros(1, dtype=int)
        else:
            take = (np.arange(draws) + options.first_draw) % sim.runs
        values = (
            sim.inputs.values
            if sim.inputs.values is not None
            else sample(params, sim.runs, None, team_paths())
        )
        started, finished, reached, contacted = (t[take] if not det else t for t in totals)
        return ProgrammeFlows(
            name=self.name,
            kind=self.kind,
            start_date=self.start_date(params),
            price_year=price_year,
            completed=completed[take] if not det else completed,
            dropped=dropped[take] if not det else dropped,
            indirect=indirect[take] if not det else indirect,
            light_touch=light[take] if not det else light,
            costs=spend[take] if not det else spend,
            income=None,
            started=started,
            finished=finished,
            reached_indirectly=reached,
            contacted=contacted,
            values=values.iloc[take].reset_index(drop=True),
            simulation=sim,
            runs_used=take,
            actual=actual,
            outturn=outturn,
            **{k: v if det else v[take] for k, v in by_quarter.items()},
        )


@dataclass(frozen=True)
class CohortProgramme:
    """A programme of ``families`` over ``duration`` years at a cost per family."""

    name: str
    kind: str = "cohorts"

    @property
    def prefix(self) -> str:
        return f"{PROGRAMMES}.{self.name}"

    def paths(self, params: Mapping) -> list[str]:
        """The programme's numeric parameters, in drawing order."""
        order = (
            "share_appraised",
            "families",
            "success_share",
            "attachment_fee",
            "results_payment",
            "cost_per_family",
        )
        return [f"{self.prefix}.{k}" for k in order if f"{self.prefix}.{k}" in params]

    def start_date(self, params: Mapping) -> dt.date:
        return params[f"{self.prefix}.start_date"].value

    def funder(self, params: Mapping) -> str | None:
        return funder_of(params, f"{self.prefix}.funder")

    def years(self, params: Mapping) -> int:
        duration = params[f"{self.prefix}.duration"]
        check_duration(duration, 1, "a programme")
        return max(1, int(round(float(duration.value))))

    def check(self, params: Mapping) -> None:
        """Refuse a programme that lacks a required parameter (one line per gap)."""
        given = [params[k] for k in params if k.startswith(f"{self.prefix}.")]
        file = given[0].file if given else ""
        missing = [
            Problem(
                file,
                f"{self.prefix}.{k}",
                "missing: a programme needs " + ", ".join(COHORT_REQUIRED),
            )
            for k in COHORT_REQUIRED
            if f"{self.prefix}.{k}" not in params
        ]
        if missing:
            raise ParameterError(missing)

    def flows(
        self,
        params: Mapping,
        price_year: str,
        draws: int,
        rng: np.random.Generator | None,
        options: RunOptions,
    ) -> ProgrammeFlows:
        """Families spread evenly over the programme's years; costs and income per family.

        Income = families × (attachment fee + success share × results payment).
        Central values when ``rng`` is None or the run is deterministic.
        """
        self.check(params)
        values = sample(params, draws, None if options.deterministic else rng, self.paths(params))
        defl = deflators(params)

        def column(leaf: str) -> np.ndarray:
            path = f"{self.prefix}.{leaf}"
            return values[path].to_numpy(dtype=float) if path in values else np.zeros(draws)

        def money(leaf: str) -> np.ndarray:
            path = f"{self.prefix}.{leaf}"
            if path not in params:
                return np.zeros(draws)
            return column(leaf) * defl.factor(params[path].price_year, price_year)

        years = self.years(params)  # checks the duration
        per_year = column("share_appraised") * column("families") / years
        fam = np.ones((draws, years)) * per_year[:, None]
        has_income = any(
            f"{self.prefix}.{k}" in params for k in ("attachment_fee", "results_payment")
        )
        success = (
            column("success_share") if f"{self.prefix}.success_share" in params else np.ones(draws)
        )
        income = (
            fam * (money("attachment_fee") + success * money("results_payment"))[:, None]
            if has_income
            else None
        )
        zeros = np.zeros_like(fam)
        total = fam.sum(axis=1)
        # the same families spread evenly over the programme's quarters
        fam_q = np.repeat(fam / QUARTERS_PER_YEAR, QUARTERS_PER_YEAR, axis=1)
        zeros_q = np.zeros_like(fam_q)
        return ProgrammeFlows(
            name=self.name,
            kind=self.kind,
            start_date=self.start_date(params),
            price_year=price_year,
            completed=fam,
            dropped=zeros,
            indirect=zeros,
            light_touch=zeros,
            costs=fam * money("cost_per_family")[:, None],
            income=income,
            started=total,
            finished=total,
            reached_indirectly=np.zeros(draws),
            contacted=np.zeros(draws),
            values=values,
            completed_q=fam_q,
            dropped_q=zeros_q,
            indirect_q=zeros_q,
            light_touch_q=zeros_q,
        )


def cohort_names(params: Mapping) -> list[str]:
    """Names of the cohort programmes defined under ``programmes.``."""
    head = f"{PROGRAMMES}."
    return sorted({k.split(".")[1] for k in params if k.startswith(head) and k.count(".") >= 2})


@accepts(params="mapping")
def programmes(params: Mapping) -> tuple[Programme, ...]:
    """The programmes a parameter set appraises: the team if it has a budget, then every
    cohort programme with a share appraised above zero (by name)."""
    out: list[Programme] = []
    if "team.budget.total" in params and float(params["team.budget.total"].value) > 0:
        out.append(TeamProgramme())
    for name in cohort_names(params):
        prog = CohortProgramme(name)
        prog.check(params)
        if float(params[f"{prog.prefix}.share_appraised"].value) > 0:
            out.append(prog)
    return tuple(out)
