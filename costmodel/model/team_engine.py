"""The team simulation's engine: the loop over time steps, vectorised over runs.

What happens within a step is described in :mod:`costmodel.model.team`; each of its
stages is a method of :class:`_Team`, which holds the state of every run (posts,
waiting lists, open cases). A step returns its outputs keyed by the names in
:data:`OUTPUTS` (:data:`FLOWS` then :data:`LEVELS`), and :func:`simulate_reach` adds them
up by quarter, so an output cannot land under another's name.
"""

from __future__ import annotations

import hashlib
import pickle
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from ..params.errors import ParameterError, Problem
from .team_inputs import ROLES, ReachInputs
from .team_result import FLOWS, LEVELS, ReachResult
from .vocabulary import WEEKS_PER_QUARTER, WEEKS_PER_YEAR

#: Every output a step records, by name: the flows, then the levels.
OUTPUTS = (*FLOWS, *LEVELS)


def _gamma(
    rng: np.random.Generator,
    mean: float | np.ndarray,
    cv: float,
    size: int | tuple[int, ...] | None = None,
) -> np.ndarray:
    """Gamma draws with the given mean and CV (``mean`` may be an array)."""
    shape = 1.0 / cv**2
    return rng.gamma(shape, np.asarray(mean) / shape, size=size)


@dataclass(frozen=True)
class _Clock:
    """The time steps of one simulation, and what falls on each."""

    step_weeks: float
    steps: int
    quarters: int
    #: The quarter each step falls in, and the number of steps in each quarter.
    quarter_of: np.ndarray
    steps_in_quarter: np.ndarray
    #: Funding a staffing step adds to the budget, by step (one more for the end).
    funding_at: np.ndarray
    #: Step → the observation's week, for the steps that end a reported period.
    checkpoints: Mapping[int, int]
    #: The longest waits, in steps: casework, then light-touch contact.
    max_wait: int
    light_touch_max_wait: int


def _clock(inputs: ReachInputs, step_weeks: float, weeks: int | None) -> _Clock:
    """The steps to ``weeks`` (the whole programme when None), checked."""
    horizon = inputs.weeks if weeks is None else int(weeks)
    steps = int(round(horizon / step_weeks))
    if steps < 1:
        raise ParameterError(Problem("", "weeks", "the simulation needs at least one step"))
    steps_per_quarter = WEEKS_PER_QUARTER / step_weeks
    quarters = int(np.ceil(steps / steps_per_quarter - 1e-9))
    quarter_of = np.minimum((np.arange(steps) / steps_per_quarter).astype(int), quarters - 1)
    funding_at = np.zeros(steps + 1)
    for st in inputs.staffing_steps:
        at = int(round(st.week / step_weeks))
        if 0 <= at < steps:
            funding_at[at] += st.funding
    return _Clock(
        step_weeks=step_weeks,
        steps=steps,
        quarters=quarters,
        quarter_of=quarter_of,
        steps_in_quarter=np.bincount(quarter_of, minlength=quarters).astype(float),
        funding_at=funding_at,
        checkpoints={
            int(round(o.weeks / step_weeks)) - 1: o.weeks
            for o in inputs.observed
            if 1 <= int(round(o.weeks / step_weeks)) <= steps
        },
        max_wait=int(round(inputs.max_wait / step_weeks)),
        light_touch_max_wait=int(round(inputs.light_touch_max_wait / step_weeks)),
    )


@dataclass(frozen=True)
class _Rates:
    """Per-run rates and costs, one value per run, in steps rather than weeks."""

    #: Cost of each post per step when filled, (posts, runs).
    post_cost: np.ndarray
    leave_p: np.ndarray
    ramp_steps: np.ndarray
    places: np.ndarray
    lag_mean: np.ndarray
    dur_mean: np.ndarray
    drop_p: np.ndarray
    elig_p: np.ndarray
    ref_rate: np.ndarray
    lt_rate: np.ndarray
    contacts_per_fte: np.ndarray
    extra_children: np.ndarray
    consult_rate: np.ndarray
    fpc: np.ndarray


def _rates(inputs: ReachInputs, role: np.ndarray, step_weeks: float) -> _Rates:
    """The inputs' per-run values as arrays of one value per run, per step."""
    R = inputs.runs

    def col(x: float | np.ndarray) -> np.ndarray:
        return np.broadcast_to(np.asarray(x, dtype=float), (R,))

    costs = inputs.role_cost_per_week()
    post_cost = np.array([col(costs[ROLES[r_i]]) * step_weeks for r_i in role]).reshape(
        len(role), R
    )
    return _Rates(
        post_cost=post_cost,
        leave_p=1.0 - (1.0 - col(inputs.annual_turnover)) ** (step_weeks / WEEKS_PER_YEAR),
        ramp_steps=col(inputs.ramp_up) / step_weeks,
        places=col(inputs.caseload) * (1.0 - col(inputs.advice_share)),
        lag_mean=col(inputs.recruitment_lag) / step_weeks,
        dur_mean=col(inputs.case_duration) / step_weeks,
        drop_p=col(inputs.drop_out),
        elig_p=col(inputs.eligible),
        ref_rate=col(inputs.referral_rate) * step_weeks,
        lt_rate=col(inputs.light_touch_rate) * step_weeks,
        contacts_per_fte=(
            col(inputs.light_touch_hours_per_week)
            * step_weeks
            / np.maximum(col(inputs.light_touch_hours_per_family), 1e-12)
        ),
        extra_children=np.maximum(col(inputs.children_per_family) - 1.0, 0.0),
        consult_rate=(
            col(inputs.consultations_per_advice_week) * col(inputs.advice_share) * step_weeks
        ),
        fpc=col(inputs.families_per_consultation),
    )


def _one_or_each(v: np.ndarray) -> float | np.ndarray:
    """The one value every run has, or ``v`` where runs differ. A distribution drawn at
    one value ``size`` times gives the numbers it gives drawn at an array of that value,
    in the same order, without numpy checking an array of parameters every step."""
    return float(v[0]) if len(v) and bool((v == v[0]).all()) else v


def _for(v: float | np.ndarray, who: np.ndarray) -> float | np.ndarray:
    """A rate from :func:`_one_or_each` for the runs ``who`` (one number stays one)."""
    return v if isinstance(v, float) else v[who]


#: Rows numpy adds in one pass of its pairwise summation (numpy's ``PW_BLOCKSIZE``).
_PAIRWISE_BLOCK = 128


def _post_sum(a: np.ndarray) -> np.ndarray:
    """Each run's sum over posts of ``a`` (posts, runs), added in the order numpy adds a
    row of ``a.T`` (its pairwise summation), so that the sum is the one ``a.T.sum(axis=1)``
    gives, to the last bit, with a vector operation per post."""
    n = len(a)
    if n < 8:
        if n == 0:
            return np.zeros(a.shape[1:])
        out = a[0].copy()
        for row in a[1:]:
            out += row
        return out
    if n <= _PAIRWISE_BLOCK:
        r = a[:8].copy()
        whole = n - n % 8
        for i in range(8, whole, 8):
            r += a[i : i + 8]
        out = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
        for row in a[whole:]:
            out += row
        return out
    half = n // 2
    half -= half % 8
    return _post_sum(a[:half]) + _post_sum(a[half:])


def _sum_rows(rows: Mapping[int, np.ndarray], n: int, runs: int) -> np.ndarray:
    """:func:`_post_sum` of an array of ``n`` rows that are zero but for ``rows`` (row →
    values): the same additions, less those of a zero (which change nothing)."""

    def add(x: np.ndarray | None, y: np.ndarray | None) -> np.ndarray | None:
        return y if x is None else x if y is None else x + y

    def one_by_one(which: Iterable[int], out: np.ndarray | None = None) -> np.ndarray | None:
        for i in which:
            out = add(out, rows.get(i))
        return out

    if n < 8:
        out = one_by_one(range(n))
    elif n <= _PAIRWISE_BLOCK:
        whole = n - n % 8
        r = [one_by_one(range(j, whole, 8)) for j in range(8)]
        out = add(add(add(r[0], r[1]), add(r[2], r[3])), add(add(r[4], r[5]), add(r[6], r[7])))
        out = one_by_one(range(whole, n), out)
    else:
        half = n // 2
        half -= half % 8
        low = _sum_rows({i: v for i, v in rows.items() if i < half}, half, runs)
        high = _sum_rows({i - half: v for i, v in rows.items() if i >= half}, n - half, runs)
        out = low + high
    return np.zeros(runs) if out is None else out


def _serve(waiting: np.ndarray, lo: int, t: int, free: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Take up to ``free`` families from ``waiting[lo:t+1]`` (steps, runs), longest-waiting
    first: (families taken, and the steps they had waited in all), by run. Whole
    numbers, so the order of the additions does not matter; rows after every run's
    places are taken are left alone."""
    free = free.copy()
    taken = np.zeros_like(free)
    waited = np.zeros_like(free)
    for k in range(lo, t + 1):
        if not free.any():
            break
        row = waiting[k]
        take = np.minimum(row, free)
        row -= take
        free -= take
        taken += take
        if t > k:
            waited += take * (t - k)
    return taken, waited


class _Team:
    """The state of every run, and the stages of a step that change it.

    Arrays by post are (posts, runs) and arrays by step (steps, runs), so that what a
    step adds up over posts or reads from a waiting list is a few whole rows; random
    numbers are drawn in the same order and shapes as one (runs, posts) array."""

    def __init__(
        self, inputs: ReachInputs, rng: np.random.Generator, clock: _Clock, step_weeks: float
    ):
        self.inputs, self.rng, self.clock = inputs, rng, clock
        self.role, self.opens, self.closes = inputs.establishment(step_weeks)
        self.is_prac = self.role == ROLES.index("practitioner")
        self.is_light = self.role == ROLES.index("light_touch")
        self.rates = _rates(inputs, self.role, step_weeks)
        #: The rates the draws use: one number where every run has the same.
        rates = self.rates
        self.lag_mean, self.dur_mean, self.drop_p = (
            _one_or_each(rates.lag_mean),
            _one_or_each(rates.dur_mean),
            _one_or_each(rates.drop_p),
        )
        self.ref_rate, self.elig_p, self.lt_rate = (
            _one_or_each(rates.ref_rate),
            _one_or_each(rates.elig_p),
            _one_or_each(rates.lt_rate),
        )
        R, P, T = inputs.runs, len(self.role), clock.steps
        self.runs, self.posts = R, P
        self.filled = np.zeros((P, R), dtype=bool)
        self.lag_left = self._lags(np.ones((P, R), dtype=bool))
        self.tenure = np.zeros((P, R))
        self._keep_staff_in_post()
        self.spent = np.zeros(R)
        self.budget = inputs.budget
        self.queue = np.zeros((T, R), dtype=np.int64)  # waiting families by arrival step
        self.lt_queue = np.zeros((T, R), dtype=np.int64)  # waiting for light-touch contact
        self.lt_fraction = np.zeros(R)
        # cases completing (0) and dropping out (1), by end step
        self.ends = np.zeros((2, T + 1, R), dtype=np.int64)
        self.active = np.zeros(R, dtype=np.int64)
        self.wait_total = np.zeros(R)
        self.max_active = np.zeros(R, dtype=np.int64)
        self.max_over = np.full(R, -np.inf)
        self.supported = np.zeros(R)
        self.children_supported = np.zeros(R)
        self.zeros = np.zeros(R, dtype=np.int64)
        self.run_index = np.arange(R)
        self.prac_rows = np.flatnonzero(self.is_prac)
        self.light_rows = np.flatnonzero(self.is_light)
        self.other_rows = np.flatnonzero(~self.is_light)
        #: The posts whose staff give capacity: practitioners and light touch.
        self.working_rows = np.flatnonzero(self.is_prac | self.is_light)
        self.ramp_steps = self.rates.ramp_steps[None, :]
        self.ramped = self.ramp_steps > 0
        self.ramp_divisor = np.maximum(self.ramp_steps, 1e-12)
        # which posts are open at each step, whether all are, and whether a light-touch
        # post is: (steps, posts) and by step
        at = np.arange(T)[:, None]
        self.open_at: np.ndarray = (self.opens[None, :] <= at) & (at < self.closes[None, :])
        self.all_open: list[bool] = np.asarray(self.open_at.all(axis=1)).tolist()
        self.light_open: list[bool] = np.asarray(
            self.open_at[:, self.is_light].any(axis=1)
        ).tolist()
        #: Practitioners in post this step (set by :meth:`staff`).
        self.prac_filled = self.zeros

    def _lags(self, mask: np.ndarray) -> np.ndarray:
        """Recruitment lags (in steps) for the posts in ``mask``; zero elsewhere."""
        out = np.zeros((self.posts, self.runs))
        who, post = np.nonzero(mask.T)  # by run, then post: the draws' order
        mean = _for(self.lag_mean, who)
        cv = self.inputs.recruitment_lag_cv
        out[post, who] = np.rint(_gamma(self.rng, mean, cv, len(who)) if cv > 0 else mean)
        return out

    def _keep_staff_in_post(self) -> None:
        """Staff already in post at the start (the posts the team had before it, not
        those a step creates on the start date): no recruitment lag, a full caseload."""
        kept = self.inputs.inherited_posts()
        share = self.inputs.in_post_at_start
        in_post = np.array(
            [
                j
                for r_i, r in enumerate(ROLES)
                for j in np.flatnonzero((self.role == r_i) & (self.opens <= 0))[
                    : int(round(share * kept[r]))
                ]
            ],
            dtype=int,
        )
        self.lag_left[in_post, :] = 0.0
        self.tenure[in_post, :] = self.rates.ramp_steps[None, :]

    def step(self, t: int) -> dict[str, np.ndarray]:
        """Stages 1 to 8 of step ``t``; its outputs by name (:data:`OUTPUTS`)."""
        spend = self.staff(t)
        capacity, lt_fte = self.capacity()
        done, drop = self.endings(t)
        referred, eligible, lt_referred = self.referrals(t)
        redirected = self._expire(self.queue, t, self.clock.max_wait)
        lapsed = self._expire(self.lt_queue, t, self.clock.light_touch_max_wait)
        started, waited, lo = self.start_cases(t, capacity)
        contacted = self.contact(t, lt_fte)
        consultations, indirect = self.advice()
        kids_started, kids_contacted, kids_indirect = self.children(started, contacted, indirect)
        self.supported += started + contacted
        self.children_supported += kids_started + kids_contacted
        return {
            "referred": referred,
            "screened_out": referred - eligible,
            "eligible": eligible,
            "started": started,
            "completed": done,
            "dropped_out": drop,
            "redirected": redirected,
            "consultations": consultations,
            "reached_indirectly": indirect,
            "spend": spend,
            "wait_weeks": waited,
            "light_touch_referred": lt_referred,
            "light_touch_contacted": contacted,
            "light_touch_lapsed": lapsed,
            "children_started": kids_started,
            "children_contacted": kids_contacted,
            "children_reached_indirectly": kids_indirect,
            **self.levels(capacity, lo, t),
        }

    def levels(self, capacity: np.ndarray, lo: int, t: int) -> dict[str, np.ndarray]:
        """The levels (:data:`LEVELS`) at the end of step ``t``."""
        filled = self.filled
        return {
            "posts_filled": filled[self.other_rows].sum(axis=0),
            "capacity": capacity,
            "active": self.active,
            "waiting": self.queue[lo : t + 1].sum(axis=0),
            "light_touch_posts_filled": filled[self.light_rows].sum(axis=0),
            "practitioner_posts_filled": self.prac_filled,
        }

    # 1. staff
    def staff(self, t: int) -> np.ndarray:
        """Posts released by a step, leavers, then fills within the budget; the spend."""
        self.budget += self.clock.funding_at[t]
        open_now = self.open_at[t]
        self._release_and_leave(open_now, self.all_open[t])
        waiting = ~self.filled & open_now[:, None]
        ready = waiting & (self.lag_left <= 0)
        if ready.any():
            self._fill(ready, t)
            waiting = ~self.filled & open_now[:, None]
        self.lag_left -= waiting
        if t == 0:  # a post kept at the start but not affordable recruits afresh
            self.tenure = np.where(self.filled, self.tenure, 0.0)
        self.prac_filled = self.filled[self.prac_rows].sum(axis=0)
        spend = _post_sum(self.filled * self.rates.post_cost)
        self.spent += spend
        return spend

    def _release_and_leave(self, open_now: np.ndarray, all_open: bool) -> None:
        """Empty the posts a step has closed; filled posts may leave and recruit anew."""
        if not all_open:
            released = self.filled & ~open_now[:, None]
            if released.any():
                self.filled &= ~released
                self.tenure[released] = 0.0
        draw = self.rng.random((self.runs, self.posts))
        leave = self.filled & (draw < self.rates.leave_p[:, None]).T
        if leave.any():
            self.filled &= ~leave
            self.tenure[leave] = 0.0
            self.lag_left = np.where(leave, self._lags(leave), self.lag_left)

    def _fill(self, ready: np.ndarray, t: int) -> None:
        """Fill the ready posts the budget can pay for until they end, on top of what
        the filled posts will cost until theirs end: managers first, then in order."""
        post_cost = self.rates.post_cost
        steps_to_close = np.maximum(self.closes - t, 0)
        committed = _post_sum(self.filled * post_cost * steps_to_close[:, None])
        headroom = self.budget - self.spent - committed
        for j in np.flatnonzero(ready.any(axis=1)).tolist():
            cost = post_cost[j] * steps_to_close[j]
            fill = ready[j] & (cost <= headroom + 1e-6)
            self.filled[j] |= fill
            headroom -= np.where(fill, cost, 0.0)

    # 2. capacity
    def capacity(self) -> tuple[np.ndarray, np.ndarray]:
        """Casework places and light-touch full-time equivalents this step."""
        rows = self.working_rows
        ramp = np.where(
            self.ramped, np.minimum(1.0, (self.tenure[rows] + 1) / self.ramp_divisor), 1.0
        )
        fte = self.filled[rows] * ramp
        places = self._sum_of(fte, self.is_prac[rows]) * self.rates.places
        capacity = np.floor(places + 1e-9).astype(np.int64)
        lt_fte = self._sum_of(fte, self.is_light[rows])
        self.tenure += self.filled
        return capacity, lt_fte

    def _sum_of(self, fte: np.ndarray, chosen: np.ndarray) -> np.ndarray:
        """The sum over posts of ``fte`` (rows :attr:`working_rows`) where ``chosen``,
        zero elsewhere, added as :func:`_post_sum` adds every post's row."""
        rows = self.working_rows[chosen].tolist()
        return _sum_rows(dict(zip(rows, fte[chosen], strict=True)), self.posts, self.runs)

    # 3. endings
    def endings(self, t: int) -> tuple[np.ndarray, np.ndarray]:
        """Cases completing and dropping out this step, freeing places."""
        done, drop = self.ends[0, t], self.ends[1, t]
        self.active -= done + drop
        return done, drop

    # 4. referrals
    def referrals(self, t: int) -> tuple[np.ndarray, ...]:
        """Referrals, those eligible (who join the list) and light-touch referrals."""
        referred = self.rng.poisson(self.ref_rate, self.runs)
        eligible = self.rng.binomial(referred, self.elig_p)
        self.queue[t] = eligible
        lt_referred = (
            self.rng.poisson(self.lt_rate, self.runs) if self.light_open[t] else self.zeros
        )
        self.lt_queue[t] = lt_referred
        return referred, eligible, lt_referred

    # 5. redirection
    def _expire(self, waiting: np.ndarray, t: int, max_wait: int) -> np.ndarray:
        """Families who have waited longer than ``max_wait`` steps leave the list."""
        if t - max_wait - 1 < 0:
            return self.zeros
        gone = waiting[t - max_wait - 1].copy()
        waiting[t - max_wait - 1] = 0
        return gone

    # 6. starts
    def start_cases(self, t: int, capacity: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
        """Fill free places from the list, longest-waiting first: (started, weeks
        waited, first step still on the list)."""
        lo = max(0, t - self.clock.max_wait)
        started, steps_waited = _serve(self.queue, lo, t, np.maximum(capacity - self.active, 0))
        waited = steps_waited * self.clock.step_weeks
        self.wait_total += waited
        n = int(started.sum())
        if n:
            self._schedule_endings(t, started, n)
        # starts only fill free places (cases carry on if a worker leaves)
        overfill = self.active + started - np.maximum(capacity, self.active)
        self.max_over = np.maximum(self.max_over, overfill)
        self.active += started
        self.max_active = np.maximum(self.max_active, self.active)
        return started, waited, lo

    def _schedule_endings(self, t: int, started: np.ndarray, n: int) -> None:
        """Draw each new case's length and whether it drops out; book its end."""
        rng, T = self.rng, self.clock.steps
        who = np.repeat(self.run_index, started)
        length = _gamma(rng, _for(self.dur_mean, who), self.inputs.case_duration_cv, n)
        drops = rng.random(n) < _for(self.drop_p, who)
        length = np.where(drops, rng.random(n) * length, length)
        end = t + np.maximum(1, np.rint(length)).astype(np.int64)
        flat = (drops * (T + 1) + end) * self.runs + who
        np.add.at(self.ends.reshape(-1), flat[end <= T], 1)

    def contact(self, t: int, lt_fte: np.ndarray) -> np.ndarray:
        """Light-touch contacts: the whole part of this step's hours, in families."""
        lt_lo = max(0, t - self.clock.light_touch_max_wait)
        lt_avail = self.lt_fraction + lt_fte * self.rates.contacts_per_fte
        lt_capacity = np.floor(lt_avail + 1e-9)
        self.lt_fraction = lt_avail - lt_capacity
        return _serve(self.lt_queue, lt_lo, t, lt_capacity.astype(np.int64))[0]

    # 7. advice
    def advice(self) -> tuple[np.ndarray, np.ndarray]:
        """Consultations with other professionals, and the families they reach."""
        consultations = self.rng.poisson(self.prac_filled * self.rates.consult_rate)
        return consultations, self.rng.poisson(consultations * self.rates.fpc)

    # 8. children
    def children(self, *families: np.ndarray) -> tuple[np.ndarray, ...]:
        """The children of each count of families: one each, plus a Poisson number more."""
        extra = self.rates.extra_children
        return tuple(n + self.rng.poisson(n * extra) for n in families)

    def final(self) -> dict[str, np.ndarray]:
        """End-of-run counts by run."""
        T, W, W_lt = self.clock.steps, self.clock.max_wait, self.clock.light_touch_max_wait
        return {
            "ongoing_at_end": self.active.astype(float),
            "waiting_at_end": self.queue[max(0, T - W - 1) :].sum(axis=0).astype(float),
            "light_touch_waiting_at_end": (
                self.lt_queue[max(0, T - W_lt - 1) :].sum(axis=0).astype(float)
            ),
            "max_active": self.max_active.astype(float),
            "max_overfill": self.max_over,
            "wait_total": self.wait_total,
        }


def _add(sums: Mapping[str, np.ndarray], q: int, outputs: Mapping[str, np.ndarray]) -> None:
    """Add a step's outputs to quarter ``q`` of the sums, name by name."""
    if outputs.keys() != sums.keys():  # a programming error: an output added in one place
        raise RuntimeError(f"a step recorded {sorted(outputs)}, not the outputs {sorted(sums)}")
    for name, total in sums.items():
        total[q] += outputs[name]


#: Simulations kept by :func:`simulation_cache` while it is open (None: closed).
_CACHE: OrderedDict[str, tuple[ReachResult, Mapping[str, Any]]] | None = None
#: The most it keeps, in bytes of results (the least recently used go first): a
#: report's simulations all fit, so none is run twice.
CACHE_BYTES = 512 * 2**20


@contextmanager
def simulation_cache() -> Iterator[None]:
    """Within the block, a simulation asked for again with the same inputs, generator
    state, step and horizon is not run again: the first result is returned (its arrays
    read-only) and the generator is left where the first run left it, so what follows
    draws the same numbers. Nested blocks share the outer block's cache; it is emptied
    when the outermost block ends."""
    global _CACHE
    outer = _CACHE is not None
    if not outer:
        _CACHE = OrderedDict()
    try:
        yield
    finally:
        if not outer:
            _CACHE = None


def _cache_key(
    inputs: ReachInputs, rng: np.random.Generator, step_weeks: float, weeks: int | None
) -> str:
    """What a simulation's result depends on, as a digest."""
    given = (inputs, rng.bit_generator.state, float(step_weeks), weeks)
    return hashlib.sha256(pickle.dumps(given, protocol=pickle.HIGHEST_PROTOCOL)).hexdigest()


def _read_only(result: ReachResult) -> None:
    """Freeze a kept result's arrays: a caller changing one in place would change
    every later caller's copy."""
    arrays = [*result.quarterly.values(), *result.final.values(), result.referred_by_source]
    arrays += [a for week in result.at_week.values() for a in week.values()]
    for a in arrays:
        a.setflags(write=False)


def simulate_reach(
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
    cache = _CACHE  # the block may end meanwhile (another thread's)
    if cache is None or progress is not None:
        return _simulate(inputs, rng, seed_label, step_weeks, weeks, progress)
    key = _cache_key(inputs, rng, step_weeks, weeks)
    if key in cache:
        cache.move_to_end(key)
        result, state = cache[key]
        rng.bit_generator.state = state
        return result if result.seed == seed_label else replace(result, seed=seed_label)
    result = _simulate(inputs, rng, seed_label, step_weeks, weeks, None)
    _read_only(result)
    cache[key] = (result, rng.bit_generator.state)
    while len(cache) > 1 and sum(_size(r) for r, _ in cache.values()) > CACHE_BYTES:
        cache.popitem(last=False)
    return result


def _size(result: ReachResult) -> int:
    """Bytes a kept result holds (its arrays by quarter and by run)."""
    return sum(a.nbytes for a in (*result.quarterly.values(), *result.final.values()))


def _simulate(
    inputs: ReachInputs,
    rng: np.random.Generator,
    seed_label: int | None,
    step_weeks: float,
    weeks: int | None,
    progress: Callable[[Iterable[int]], Iterable[int]] | None,
) -> ReachResult:
    """:func:`simulate_reach`, run."""
    clock = _clock(inputs, step_weeks, weeks)
    team = _Team(inputs, rng, clock, step_weeks)
    # by output, (quarters, runs): contiguous per quarter
    sums = {name: np.zeros((clock.quarters, inputs.runs)) for name in OUTPUTS}
    at_week: dict[int, dict[str, np.ndarray]] = {}
    steps = range(clock.steps)
    for t in progress(steps) if progress else steps:
        _add(sums, clock.quarter_of[t], team.step(t))
        if t in clock.checkpoints:
            at_week[clock.checkpoints[t]] = {
                "families_supported": team.supported.copy(),
                "children_supported": team.children_supported.copy(),
            }
    for name in LEVELS:
        sums[name] /= clock.steps_in_quarter[:, None]
    quarterly = {name: sums[name].T.copy() for name in OUTPUTS}
    # referring agency does not change what happens to a family, so the split of each
    # run's Poisson referrals by agency is drawn once: a multinomial of the run's total
    by_source = rng.multinomial(
        quarterly["referred"].sum(axis=1).astype(np.int64), inputs.source_shares
    )
    return ReachResult(
        inputs=inputs,
        seed=seed_label,
        step_weeks=step_weeks,
        quarterly=quarterly,
        final=team.final(),
        referred_by_source=by_source,
        at_week=at_week,
    )
