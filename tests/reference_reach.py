"""A reference implementation of the team reach model, event by event in SimPy.

``costmodel.model.team.simulate_reach`` runs every replication at once with numpy arrays. This
module runs the same model one replication at a time, with one object per family
and one SimPy process per staff post, so the two can be checked against each other.
It follows the per-step semantics in the ``costmodel.model.team`` module docstring:

* Each time step is ``STEP`` units of SimPy time. Within step ``t`` things happen at
  fixed offsets, in the documented order: staffing steps dated in this step create
  and release posts and add their funding (``ESTABLISH``); filled posts may leave
  (``LEAVE``); vacant posts whose recruitment lag has run become ready to fill
  (``READY``); the team appoints to ready posts within the budget, pays the filled
  posts and works out its casework places and light-touch contacts (``STAFF``);
  cases due to end finish (``CASE_END``); then referrals, redirection and lapsing,
  starts and contacts, and advice (``FAMILIES``).
* The establishment is worked out here from ``ReachInputs.staffing_steps``, not taken
  from the vectorised code: the team starts with ``management_posts`` managers and
  the rest practitioners; an establishment process applies each staffing step on its
  date, creating the posts a role gains (in the role order manager, practitioner,
  light touch) and releasing the ones it loses, most recently created first. When a
  post is created it is told when it will end: a post that is the ``k``-th live post
  of its role is released by the first later step that leaves its role fewer than
  ``k`` posts, or else lasts to the end of the programme (posts of a role form a
  stack). Releasing checks that the two agree.
* A post is a process. Created, it starts recruiting: it waits its recruitment lag
  (a gamma draw rounded to whole steps) with ``env.timeout``, then waits to be
  appointed; filled, it checks once a step, from the next step on, whether its
  holder leaves. A step that removes the post interrupts the process, whatever it is
  doing; a filled post is vacated and costs nothing after.
* Appointments go to ready posts in order, managers first, then in the order the
  posts were created; a post is filled if the budget received so far (the initial
  budget plus the funding of the steps dated so far) can pay for it until the post
  ends, on top of what the posts already filled (including any filled earlier in the
  same step) will cost until theirs end.
* A family referred for casework is a :class:`Family`; eligible families wait in a
  FIFO list, are redirected once they have waited more than the maximum wait, and
  otherwise start a case when a place is free. Each case is a process that ends the
  case at its end step; cases due to end at or after the end of the programme are
  ongoing at the end.
* While the team has a light-touch post (filled or vacant), families passed on for
  light-touch contact arrive, each a :class:`LightTouchFamily` in its own FIFO list.
  They lapse once they have waited more than the light-touch maximum wait. Each step
  the filled light-touch posts give ``ramp-up × contact hours × step`` hours; those
  hours, with the part of a family's worth left over from the step before, make
  whole contacts this step, longest-waiting first; whole contacts nobody is waiting
  for are lost, only the fraction carries on.
* Every family that starts a case, is contacted, or is reached indirectly through
  advice draws its own number of children, ``1 + Poisson(children_per_family - 1)``.

It draws from its own numpy Generator, so it does not reproduce the random stream of
the vectorised code, only the same distributions.
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections import deque
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import numpy as np
import simpy

from costmodel.model.team import ReachInputs
from costmodel.model.vocabulary import WEEKS_PER_YEAR

#: SimPy time units in one step, and the offset of each phase within a step.
STEP = 10
ESTABLISH, LEAVE, READY, STAFF, CASE_END, FAMILIES = 1, 2, 3, 4, 5, 6

#: The roles of posts, in the order a step creates them.
MANAGER, PRACTITIONER, LIGHT_TOUCH = "manager", "practitioner", "light_touch"
ROLES = (MANAGER, PRACTITIONER, LIGHT_TOUCH)

#: Per-replication totals returned by :func:`run_reference` (it also returns
#: ``families_supported_by_week_<w>`` and ``children_supported_by_week_<w>`` for every
#: reported observation within the run).
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
    "post_weeks",  # managers and practitioners
    "practitioner_post_weeks",
    "light_touch_post_weeks",
    "wait_total",
    "light_touch_referred",
    "light_touch_contacted",
    "light_touch_lapsed",
    "light_touch_waiting_at_end",
    "children_started",
    "children_contacted",
    "children_reached_indirectly",
)

# Where a family is: waiting, then one of the end states.
SCREENED_OUT, WAITING, REDIRECTED = "screened_out", "waiting", "redirected"
IN_CASE, COMPLETED, DROPPED_OUT = "in_case", "completed", "dropped_out"
CONTACTED, LAPSED = "contacted", "lapsed"


@dataclass
class Family:
    """One family referred for casework and what happened to it (times in steps)."""

    id: int
    arrived: int
    source: str
    eligible: bool
    state: str = WAITING
    started: int | None = None
    ends: int | None = None
    drops_out: bool = False
    children: int | None = None  # drawn when the case starts


@dataclass
class LightTouchFamily:
    """One family passed on for light-touch contact (times in steps)."""

    id: int
    arrived: int
    state: str = WAITING
    contacted: int | None = None
    children: int | None = None  # drawn when contacted


@dataclass(frozen=True)
class Change:
    """A staffing step in steps: from ``step`` the posts by role, and funding added."""

    name: str
    step: int
    posts: Mapping[str, int]
    funding: float


@dataclass(frozen=True)
class RunValues:
    """The inputs of one replication, with times converted to steps."""

    steps: int  # steps simulated
    programme_steps: int  # steps to the end of the programme (the budget looks to it)
    step_weeks: float
    budget: float
    initial_posts: Mapping[str, int]
    changes: tuple[Change, ...]  # in date order
    cost: Mapping[str, float]  # per filled post per step, by role
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
    light_touch_per_step: float  # families passed on, while there is a light-touch post
    light_touch_max_wait: int  # steps
    hours_per_light_touch_post_step: float  # contact hours of a fully ramped-up post
    hours_per_light_touch_family: float
    extra_children: float  # mean children per family beyond the first
    report_steps: Mapping[int, int]  # last step counted (0-based) -> reported weeks

    @classmethod
    def from_inputs(
        cls, inputs: ReachInputs, r: int, step_weeks: float = 1.0, weeks: int | None = None
    ) -> RunValues:
        """Replication ``r``'s values from ``inputs`` (per-run arrays indexed by ``r``)."""

        def at(name: str) -> float:
            return float(
                np.broadcast_to(np.asarray(getattr(inputs, name), dtype=float), (inputs.runs,))[r]
            )

        def weekly_cost(salary: str) -> float:
            return (at(salary) * (1 + at("on_cost_rate")) + at("non_staff_cost")) / WEEKS_PER_YEAR

        horizon = inputs.weeks if weeks is None else weeks
        steps = int(round(horizon / step_weeks))
        shares = np.broadcast_to(
            np.asarray(inputs.source_shares, dtype=float), (inputs.runs, len(inputs.sources))
        )[r]
        advice = at("advice_share")
        changes = tuple(
            Change(s.name, int(round(s.week / step_weeks)), dict(s.posts), float(s.funding))
            for s in sorted(inputs.staffing_steps, key=lambda s: s.week)
        )
        reports = {}
        for o in inputs.observed:
            last = int(round(o.weeks / step_weeks))
            if 1 <= last <= steps:
                reports[last - 1] = o.weeks
        return cls(
            steps=steps,
            programme_steps=int(round(inputs.weeks / step_weeks)),
            step_weeks=step_weeks,
            budget=float(inputs.budget),
            initial_posts={
                MANAGER: inputs.management_posts,
                PRACTITIONER: inputs.posts - inputs.management_posts,
                LIGHT_TOUCH: 0,
            },
            changes=changes,
            cost={
                MANAGER: weekly_cost("manager_salary") * step_weeks,
                PRACTITIONER: weekly_cost("practitioner_salary") * step_weeks,
                LIGHT_TOUCH: weekly_cost("light_touch_salary") * step_weeks,
            },
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
            light_touch_per_step=at("light_touch_rate") * step_weeks,
            light_touch_max_wait=int(round(inputs.light_touch_max_wait / step_weeks)),
            hours_per_light_touch_post_step=at("light_touch_hours_per_week") * step_weeks,
            hours_per_light_touch_family=at("light_touch_hours_per_family"),
            extra_children=max(at("children_per_family") - 1.0, 0.0),
            report_steps=reports,
        )


class Post:
    """One staff post: vacant (waiting out a recruitment lag, then for money) or filled,
    from the step it is created to the step it ends."""

    def __init__(self, team: Team, order: int, role: str, created: int, ends: int):
        self.team = team
        self.order = order  # creation order over the whole run
        self.role = role
        self.created = created
        self.ends = ends  # the step that releases it, or the end of the programme
        self.cost = team.values.cost[role]
        self.live = True
        self.filled = False
        self.ready = False  # lag run, waiting to be appointed
        self.filled_since: int | None = None  # step of the current appointment
        self.stints: list[tuple[int, int]] = []  # (first step, step left) of past holders
        self._appointed: simpy.Event | None = None
        self.process = team.env.process(self.run())

    def run(self) -> Iterator[simpy.Event]:
        env, team = self.team.env, self.team
        try:
            yield env.timeout(READY - ESTABLISH)  # recruiting starts in the step it is created
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
        except simpy.Interrupt:  # released by a staffing step
            self.ready = False
            if self.filled:
                self.vacate(team.step)

    def appoint(self, step: int) -> None:
        self.filled, self.ready, self.filled_since = True, False, step
        self._appointed.succeed()

    def vacate(self, step: int) -> None:
        self.stints.append((self.filled_since, step))
        self.filled, self.filled_since = False, None

    def release(self, step: int) -> None:
        assert step == self.ends, f"{self.role} post {self.order} released in step {step}"
        self.live = False
        self.process.interrupt()

    def ramp(self, step: int) -> float:
        """Share of a full workload this post's holder carries in ``step``."""
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
        self.posts: list[Post] = []  # every post ever created, in creation order
        self.budget = values.budget  # received so far
        self.families: list[Family] = []
        self.waiting: deque[Family] = deque()
        self.in_case: set[int] = set()  # ids of families in a case
        self.light_touch: list[LightTouchFamily] = []
        self.light_touch_waiting: deque[LightTouchFamily] = deque()
        self.capacity = 0
        self.contacts = 0  # light-touch contacts this step
        self.contact_hours_left = 0.0  # part of a family's worth carried to the next step
        self.spent = 0.0
        self.consultations = 0
        self.reached_indirectly = 0
        self.children_reached_indirectly = 0
        self._cumulative_shares = list(itertools.accumulate(values.source_shares))
        self.env.process(self.establish())
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

    def children(self) -> int:
        """One family's children: one, plus a Poisson number more."""
        return 1 + int(self.rng.poisson(self.values.extra_children))

    # ---------------------------------------------------------- establishment

    def live_posts(self, role: str) -> list[Post]:
        return [p for p in self.posts if p.live and p.role == role]

    def create_post(self, role: str, after: int) -> None:
        """A new post of ``role``, created by change ``after`` (-1: at the start)."""
        v = self.values
        rank = len(self.live_posts(role)) + 1
        ends = v.programme_steps
        for change in v.changes[after + 1 :]:
            if change.step >= v.programme_steps:
                break
            if change.posts[role] < rank:
                ends = change.step
                break
        self.posts.append(Post(self, len(self.posts), role, self.step, ends))

    def establish(self) -> Iterator[simpy.Event]:
        """The posts at the start, then each staffing step on its date."""
        v = self.values
        yield self.env.timeout(ESTABLISH)
        for role in ROLES:
            for _ in range(v.initial_posts[role]):
                self.create_post(role, -1)
        for i, change in enumerate(v.changes):
            if change.step >= v.programme_steps:
                break
            wait = change.step * STEP + ESTABLISH - self.env.now
            if wait > 0:
                yield self.env.timeout(wait)
            self.budget += change.funding
            for role in ROLES:
                live = self.live_posts(role)
                for post in reversed(live[change.posts[role] :]):  # most recent first
                    post.release(change.step)
                for _ in range(change.posts[role] - len(live)):
                    self.create_post(role, i)

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
        committed = sum(p.cost * (p.ends - t) for p in self.posts if p.filled)
        headroom = self.budget - self.spent - committed
        ready = sorted(
            (p for p in self.posts if p.ready), key=lambda p: (p.role != MANAGER, p.order)
        )
        for post in ready:
            need = post.cost * (post.ends - t)
            if need <= headroom + 1e-6:
                post.appoint(t)
                headroom -= need
        self.spent += sum(p.cost for p in self.posts if p.filled)
        fte = sum(p.ramp(t) for p in self.posts if p.filled and p.role == PRACTITIONER)
        self.capacity = math.floor(fte * v.places_per_practitioner + 1e-9)
        hours = sum(p.ramp(t) for p in self.posts if p.filled and p.role == LIGHT_TOUCH) * (
            v.hours_per_light_touch_post_step
        )
        families_worth = self.contact_hours_left + hours / v.hours_per_light_touch_family
        self.contacts = math.floor(families_worth + 1e-9)
        self.contact_hours_left = families_worth - self.contacts

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
        # Families for light-touch contact, while there is a light-touch post.
        if self.live_posts(LIGHT_TOUCH):
            for _ in range(int(rng.poisson(v.light_touch_per_step))):
                lt = LightTouchFamily(id=len(self.light_touch), arrived=t)
                self.light_touch.append(lt)
                self.light_touch_waiting.append(lt)
        # Redirection of families who have waited longer than the maximum wait.
        while self.waiting and t - self.waiting[0].arrived > v.max_wait:
            self.waiting.popleft().state = REDIRECTED
        # Light-touch contacts not made within their maximum wait lapse.
        lt_queue = self.light_touch_waiting
        while lt_queue and t - lt_queue[0].arrived > v.light_touch_max_wait:
            lt_queue.popleft().state = LAPSED
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
            family.children = self.children()
            self.in_case.add(family.id)
            self.env.process(self.case(family.id))
        # Light-touch contacts, longest-waiting first; whole contacts unused are lost.
        for _ in range(self.contacts):
            if not lt_queue:
                break
            lt = lt_queue.popleft()
            lt.state, lt.contacted, lt.children = CONTACTED, t, self.children()
        # Advice to other professionals: every filled practitioner post advises.
        practitioners = sum(1 for p in self.posts if p.filled and p.role == PRACTITIONER)
        n = int(rng.poisson(practitioners * v.consultations_per_practitioner_step))
        self.consultations += n
        reached = int(rng.poisson(v.families_per_consultation, size=n).sum())
        self.reached_indirectly += reached
        self.children_reached_indirectly += sum(self.children() for _ in range(reached))

    # -------------------------------------------------------------- results

    def simulate(self) -> dict[str, float]:
        v = self.values
        self.env.run(until=v.steps * STEP)
        states = [f.state for f in self.families]
        lt_states = [f.state for f in self.light_touch]
        started = [f for f in self.families if f.started is not None]
        contacted = [f for f in self.light_touch if f.contacted is not None]

        def post_weeks(*roles: str) -> float:
            return sum(p.steps_filled(v.steps) for p in self.posts if p.role in roles) * (
                v.step_weeks
            )

        out = {
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
            "post_weeks": post_weeks(MANAGER, PRACTITIONER),
            "practitioner_post_weeks": post_weeks(PRACTITIONER),
            "light_touch_post_weeks": post_weeks(LIGHT_TOUCH),
            "wait_total": sum(f.started - f.arrived for f in started) * v.step_weeks,
            "light_touch_referred": len(self.light_touch),
            "light_touch_contacted": lt_states.count(CONTACTED),
            "light_touch_lapsed": lt_states.count(LAPSED),
            "light_touch_waiting_at_end": lt_states.count(WAITING),
            "children_started": sum(f.children for f in started),
            "children_contacted": sum(f.children for f in contacted),
            "children_reached_indirectly": self.children_reached_indirectly,
        }
        for last, weeks in v.report_steps.items():
            by_then = [f for f in (*started, *contacted) if _supported_in(f) <= last]
            out[f"families_supported_by_week_{weeks}"] = len(by_then)
            out[f"children_supported_by_week_{weeks}"] = sum(f.children for f in by_then)
        return out


def _supported_in(family: Family | LightTouchFamily) -> int:
    """The step a family started casework or was contacted."""
    return family.started if isinstance(family, Family) else family.contacted


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
    return {k: np.array([row[k] for row in rows], dtype=float) for k in rows[0]}
