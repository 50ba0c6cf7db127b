"""A reference implementation of the team reach model, event by event in SimPy.

``costmodel.model.team.simulate`` runs every replication at once with numpy arrays. This
module runs the same model one replication at a time, with one object per family
and one SimPy process per staff post, so the two can be checked against each other.
It follows the per-step semantics in the ``costmodel.model.team`` module docstring:

* Each time step is ``STEP`` units of SimPy time. Within step ``t`` things happen at
  fixed offsets, in the documented order: filled posts may leave (``LEAVE``); vacant
  posts whose recruitment lag has run become ready to fill (``READY``); the team
  appoints to ready posts within the budget, pays the filled posts and works out its
  capacity (``STAFF``); cases due to end finish (``CASE_END``); then referrals,
  redirection, starts and advice (``FAMILIES``).
* A post is a process: vacant, it waits its recruitment lag (a gamma draw rounded to
  whole steps) with ``env.timeout``, then waits to be appointed; filled, it checks
  once a step, from the next step on, whether its holder leaves.
* Appointments go to ready posts in order, managers first; a post is filled if the
  budget can pay for it to the end of the programme on top of what the posts
  already filled (including any filled earlier in the same step) will cost.
* A family is a :class:`Family`; eligible families wait in a FIFO list, are
  redirected once they have waited more than the maximum wait, and otherwise start a
  case when a place is free. Each case is a process that ends the case at its end
  step; cases due to end at or after the end of the programme are ongoing at the end.

It draws from its own numpy Generator, so it does not reproduce the random stream of
the vectorised code, only the same distributions.
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import simpy

from costmodel.model.team import ReachInputs
from costmodel.model.vocabulary import WEEKS_PER_YEAR

#: SimPy time units in one step, and the offset of each phase within a step.
STEP = 10
LEAVE, READY, STAFF, CASE_END, FAMILIES = 1, 2, 3, 4, 5

#: Per-replication totals returned by :func:`run_reference`.
TOTALS = (
    "referred",
    "screened_out",
    "eligible",
    "started",
    "completed",
    "dropped_out",
    "redirected",
    "ongoing_at_end",
    "waiting_at_end",
    "spend",
    "consultations",
    "reached_indirectly",
    "post_weeks",
    "wait_total",
)

# Where a family is: waiting, then one of the end states.
SCREENED_OUT, WAITING, REDIRECTED = "screened_out", "waiting", "redirected"
IN_CASE, COMPLETED, DROPPED_OUT = "in_case", "completed", "dropped_out"


@dataclass
class Family:
    """One referred family and what happened to it (times in steps)."""

    id: int
    arrived: int
    source: str
    eligible: bool
    state: str = WAITING
    started: int | None = None
    ends: int | None = None
    drops_out: bool = False


@dataclass(frozen=True)
class RunValues:
    """The inputs of one replication, with times converted to steps."""

    steps: int
    step_weeks: float
    budget: float
    posts: int
    management_posts: int
    manager_cost: float  # per filled post per step
    practitioner_cost: float
    leave_probability: float  # per filled post per step
    lag_mean: float  # steps
    lag_cv: float
    ramp_steps: float
    places_per_practitioner: float  # caseload less advice time
    advice_share: float
    referrals_per_step: float
    sources: tuple[str, ...]
    source_shares: tuple[float, ...]
    eligible: float
    case_mean: float  # steps
    case_cv: float
    drop_out: float
    max_wait: int  # steps
    consultations_per_practitioner_step: float
    families_per_consultation: float

    @classmethod
    def from_inputs(
        cls, inputs: ReachInputs, r: int, step_weeks: float = 1.0, weeks: int | None = None
    ) -> RunValues:
        """Replication ``r``'s values from ``inputs`` (per-run arrays indexed by ``r``)."""

        def at(name: str) -> float:
            return float(
                np.broadcast_to(np.asarray(getattr(inputs, name), dtype=float), (inputs.runs,))[r]
            )

        def weekly_cost(salary: float) -> float:
            return (salary * (1 + at("on_cost_rate")) + at("non_staff_cost")) / WEEKS_PER_YEAR

        horizon = inputs.weeks if weeks is None else weeks
        shares = np.broadcast_to(
            np.asarray(inputs.source_shares, dtype=float), (inputs.runs, len(inputs.sources))
        )[r]
        advice = at("advice_share")
        return cls(
            steps=int(round(horizon / step_weeks)),
            step_weeks=step_weeks,
            budget=float(inputs.budget),
            posts=inputs.posts,
            management_posts=inputs.management_posts,
            manager_cost=weekly_cost(at("manager_salary")) * step_weeks,
            practitioner_cost=weekly_cost(at("practitioner_salary")) * step_weeks,
            leave_probability=1 - (1 - at("annual_turnover")) ** (step_weeks / WEEKS_PER_YEAR),
            lag_mean=at("recruitment_lag") / step_weeks,
            lag_cv=float(inputs.recruitment_lag_cv),
            ramp_steps=at("ramp_up") / step_weeks,
            places_per_practitioner=at("caseload") * (1 - advice),
            advice_share=advice,
            referrals_per_step=at("referral_rate") * step_weeks,
            sources=tuple(inputs.sources),
            source_shares=tuple(float(s) for s in shares),
            eligible=at("eligible"),
            case_mean=at("case_duration") / step_weeks,
            case_cv=float(inputs.case_duration_cv),
            drop_out=at("drop_out"),
            max_wait=int(round(inputs.max_wait / step_weeks)),
            consultations_per_practitioner_step=(
                at("consultations_per_advice_week") * advice * step_weeks
            ),
            families_per_consultation=at("families_per_consultation"),
        )


class Post:
    """One staff post: vacant (waiting out a recruitment lag, then for money) or filled."""

    def __init__(self, team: Team, index: int, manager: bool):
        self.team = team
        self.index = index
        self.manager = manager
        self.cost = team.values.manager_cost if manager else team.values.practitioner_cost
        self.filled = False
        self.ready = False  # lag run, waiting to be appointed
        self.filled_since: int | None = None  # step of the current appointment
        self.stints: list[tuple[int, int]] = []  # (first step, step left) of past holders
        self._appointed: simpy.Event | None = None
        team.env.process(self.run())

    def run(self) -> Iterator[simpy.Event]:
        env, team = self.team.env, self.team
        yield env.timeout(READY)  # every post is vacant at the start
        while True:
            lag = team.recruitment_lag()
            if lag > 0:
                yield env.timeout(lag * STEP)  # to the READY phase ``lag`` steps on
            self.ready = True
            self._appointed = env.event()
            yield self._appointed  # the team appoints in a STAFF phase
            # In post; the holder may leave from the next step on.
            yield env.timeout(STEP - (STAFF - LEAVE))
            while team.rng.random() >= team.values.leave_probability:
                yield env.timeout(STEP)
            self.vacate(team.step)
            yield env.timeout(READY - LEAVE)  # a new lag starts this step

    def appoint(self, step: int) -> None:
        self.filled, self.ready, self.filled_since = True, False, step
        self._appointed.succeed()

    def vacate(self, step: int) -> None:
        self.stints.append((self.filled_since, step))
        self.filled, self.filled_since = False, None

    def ramp(self, step: int) -> float:
        """Share of a full caseload this practitioner carries in ``step``."""
        ramp_steps = self.team.values.ramp_steps
        if ramp_steps <= 0:
            return 1.0
        return min(1.0, (step - self.filled_since + 1) / ramp_steps)

    def steps_filled(self, end: int) -> int:
        total = sum(left - first for first, left in self.stints)
        return total + (end - self.filled_since if self.filled else 0)


class Team:
    """One replication of the team, its posts and the families referred to it."""

    def __init__(self, values: RunValues, rng: np.random.Generator):
        self.values = values
        self.rng = rng
        self.env = simpy.Environment()
        self.posts = [
            Post(self, i, manager=i < values.management_posts) for i in range(values.posts)
        ]
        self.families: list[Family] = []
        self.waiting: deque[Family] = deque()
        self.in_case: set[int] = set()  # ids of families in a case
        self.capacity = 0
        self.spent = 0.0
        self.consultations = 0
        self.reached_indirectly = 0
        self._cumulative_shares = list(itertools.accumulate(values.source_shares))
        self.env.process(self.run())

    @property
    def step(self) -> int:
        return int(self.env.now) // STEP

    # ----------------------------------------------------------------- draws

    def _gamma(self, mean: float, cv: float) -> float:
        shape = 1.0 / cv**2
        return float(self.rng.gamma(shape, mean / shape))

    def recruitment_lag(self) -> int:
        v = self.values
        lag = self._gamma(v.lag_mean, v.lag_cv) if v.lag_cv > 0 else v.lag_mean
        return int(np.rint(lag))

    def _source(self) -> str:
        u = self.rng.random() * self._cumulative_shares[-1]
        i = bisect.bisect_right(self._cumulative_shares, u)
        return self.values.sources[min(i, len(self.values.sources) - 1)]

    # --------------------------------------------------------------- phases

    def run(self) -> Iterator[simpy.Event]:
        yield self.env.timeout(STAFF)
        for t in range(self.values.steps):
            self.staff(t)
            yield self.env.timeout(FAMILIES - STAFF)
            self.work_with_families(t)
            yield self.env.timeout(STEP - (FAMILIES - STAFF))

    def staff(self, t: int) -> None:
        """Appoint to ready posts within the budget, pay filled posts, set capacity."""
        v = self.values
        steps_left = v.steps - t
        committed = sum(p.cost for p in self.posts if p.filled) * steps_left
        headroom = v.budget - self.spent - committed
        ready = sorted((p for p in self.posts if p.ready), key=lambda p: (not p.manager, p.index))
        for post in ready:
            need = post.cost * steps_left
            if need <= headroom + 1e-6:
                post.appoint(t)
                headroom -= need
        self.spent += sum(p.cost for p in self.posts if p.filled)
        fte = sum(p.ramp(t) for p in self.posts if p.filled and not p.manager)
        self.capacity = math.floor(fte * v.places_per_practitioner + 1e-9)

    def case(self, family_id: int) -> Iterator[simpy.Event]:
        """A family's case, from its start (FAMILIES phase) to its end (CASE_END phase)."""
        family = self.families[family_id]
        yield self.env.timeout((family.ends - family.started) * STEP - (FAMILIES - CASE_END))
        self.in_case.remove(family_id)
        family.state = DROPPED_OUT if family.drops_out else COMPLETED

    def work_with_families(self, t: int) -> None:
        v, rng = self.values, self.rng
        # Referrals, one family at a time.
        for _ in range(int(rng.poisson(v.referrals_per_step))):
            family = Family(
                id=len(self.families),
                arrived=t,
                source=self._source(),
                eligible=bool(rng.random() < v.eligible),
            )
            self.families.append(family)
            if family.eligible:
                self.waiting.append(family)
            else:
                family.state = SCREENED_OUT
        # Redirection of families who have waited longer than the maximum wait.
        while self.waiting and t - self.waiting[0].arrived > v.max_wait:
            self.waiting.popleft().state = REDIRECTED
        # Starts, longest-waiting first.
        while self.waiting and len(self.in_case) < self.capacity:
            family = self.waiting.popleft()
            length = self._gamma(v.case_mean, v.case_cv)
            family.drops_out = bool(rng.random() < v.drop_out)
            if family.drops_out:
                length *= rng.random()
            family.started = t
            family.ends = t + max(1, int(np.rint(length)))
            family.state = IN_CASE
            self.in_case.add(family.id)
            self.env.process(self.case(family.id))
        # Advice to other professionals: every filled practitioner post advises.
        practitioners = sum(1 for p in self.posts if p.filled and not p.manager)
        n = int(rng.poisson(practitioners * v.consultations_per_practitioner_step))
        self.consultations += n
        self.reached_indirectly += int(rng.poisson(v.families_per_consultation, size=n).sum())

    # -------------------------------------------------------------- results

    def simulate(self) -> dict[str, float]:
        v = self.values
        self.env.run(until=v.steps * STEP)
        states = [f.state for f in self.families]
        started = [f for f in self.families if f.started is not None]
        post_steps = sum(p.steps_filled(v.steps) for p in self.posts)
        return {
            "referred": len(self.families),
            "screened_out": states.count(SCREENED_OUT),
            "eligible": sum(f.eligible for f in self.families),
            "started": len(started),
            "completed": states.count(COMPLETED),
            "dropped_out": states.count(DROPPED_OUT),
            "redirected": states.count(REDIRECTED),
            "ongoing_at_end": states.count(IN_CASE),
            "waiting_at_end": states.count(WAITING),
            "spend": self.spent,
            "consultations": self.consultations,
            "reached_indirectly": self.reached_indirectly,
            "post_weeks": post_steps * v.step_weeks,
            "wait_total": sum(f.started - f.arrived for f in started) * v.step_weeks,
        }


def run_reference(
    inputs: ReachInputs,
    r: int = 0,
    seed: int | np.random.Generator = 0,
    step_weeks: float = 1.0,
    weeks: int | None = None,
) -> dict[str, float]:
    """Simulate replication ``r`` of ``inputs`` once; totals over the programme."""
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    return Team(RunValues.from_inputs(inputs, r, step_weeks, weeks), rng).simulate()


def simulate_reference(
    inputs: ReachInputs,
    runs: int | None = None,
    seed: int = 0,
    step_weeks: float = 1.0,
    weeks: int | None = None,
) -> dict[str, np.ndarray]:
    """Replications 0 .. ``runs``-1 of ``inputs``; each total as an array by run."""
    runs = inputs.runs if runs is None else runs
    if not 1 <= runs <= inputs.runs:
        raise ValueError(f"runs must be between 1 and {inputs.runs}, got {runs}")
    streams = np.random.SeedSequence(seed).spawn(runs)
    rows = [
        run_reference(inputs, r, np.random.default_rng(streams[r]), step_weeks, weeks)
        for r in range(runs)
    ]
    return {k: np.array([row[k] for row in rows], dtype=float) for k in TOTALS}
