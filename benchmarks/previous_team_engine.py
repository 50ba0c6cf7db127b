"""The team simulation's step as it was before the report was made quicker: the state
of every run kept by (runs, posts) and (runs, steps), sums over posts by numpy.

``benchmarks/bench_report.py`` runs the report's previous pipeline with it
(:func:`previous_engine`), to time the report against it and to check that the engine
in :mod:`costmodel.model.team_engine` gives the same numbers, to the last bit. Not part
of the library: a copy kept for the comparison.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np

from costmodel.model import team_engine
from costmodel.model.team_engine import _Clock, _gamma
from costmodel.model.team_inputs import ROLES, ReachInputs
from costmodel.model.vocabulary import WEEKS_PER_YEAR


@contextmanager
def previous_engine() -> Iterator[None]:
    """Within the block, every team simulation steps as it did before."""
    current = team_engine._Team
    team_engine._Team = _Team  # type: ignore[misc, assignment]
    try:
        yield
    finally:
        team_engine._Team = current  # type: ignore[misc]


@dataclass(frozen=True)
class _Rates:
    """Per-run rates and costs, one value per run, in steps rather than weeks."""

    #: Cost of each post per step when filled, (runs, posts).
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
    post_cost = np.column_stack([col(costs[ROLES[r_i]]) * step_weeks for r_i in role])
    return _Rates(
        post_cost=post_cost.reshape(R, len(role)),
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


def _serve(waiting: np.ndarray, lo: int, t: int, free: np.ndarray) -> np.ndarray:
    """Take up to ``free`` families from ``waiting[:, lo:t+1]``, longest-waiting first."""
    window = waiting[:, lo : t + 1]
    before = np.cumsum(window, axis=1) - window
    take = np.clip(free[:, None] - before, 0, window)
    waiting[:, lo : t + 1] = window - take
    return take


class _Team:
    """The state of every run, and the stages of a step that change it."""

    def __init__(
        self, inputs: ReachInputs, rng: np.random.Generator, clock: _Clock, step_weeks: float
    ):
        self.inputs, self.rng, self.clock = inputs, rng, clock
        self.role, self.opens, self.closes = inputs.establishment(step_weeks)
        self.is_prac = self.role == ROLES.index("practitioner")
        self.is_light = self.role == ROLES.index("light_touch")
        self.rates = _rates(inputs, self.role, step_weeks)
        R, P, T = inputs.runs, len(self.role), clock.steps
        self.runs, self.posts = R, P
        self.filled = np.zeros((R, P), dtype=bool)
        self.lag_left = self._lags(np.ones((R, P), dtype=bool))
        self.tenure = np.zeros((R, P))
        self._keep_staff_in_post()
        self.spent = np.zeros(R)
        self.budget = inputs.budget
        self.queue = np.zeros((R, T), dtype=np.int64)  # waiting families by arrival step
        self.lt_queue = np.zeros((R, T), dtype=np.int64)  # waiting for light-touch contact
        self.lt_fraction = np.zeros(R)
        self.ends_done = np.zeros((R, T + 1), dtype=np.int64)  # cases completing, by end step
        self.ends_drop = np.zeros((R, T + 1), dtype=np.int64)  # cases dropping out, by end step
        self.active = np.zeros(R, dtype=np.int64)
        self.wait_total = np.zeros(R)
        self.max_active = np.zeros(R, dtype=np.int64)
        self.max_over = np.full(R, -np.inf)
        self.supported = np.zeros(R)
        self.children_supported = np.zeros(R)
        self.zeros = np.zeros(R, dtype=np.int64)

    def _lags(self, mask: np.ndarray) -> np.ndarray:
        """Recruitment lags (in steps) for the posts in ``mask``; zero elsewhere."""
        out = np.zeros((self.runs, self.posts))
        who, _ = np.nonzero(mask)
        mean = self.rates.lag_mean[who]
        cv = self.inputs.recruitment_lag_cv
        out[mask] = np.rint(_gamma(self.rng, mean, cv) if cv > 0 else mean)
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
        self.lag_left[:, in_post] = 0.0
        self.tenure[:, in_post] = self.rates.ramp_steps[:, None]

    def step(self, t: int) -> dict[str, np.ndarray]:
        """Stages 1 to 8 of step ``t``; its outputs by name (:data:`OUTPUTS`)."""
        open_now = (self.opens <= t) & (t < self.closes)
        spend = self.staff(t, open_now)
        capacity, lt_fte = self.capacity()
        done, drop = self.endings(t)
        referred, eligible, lt_referred = self.referrals(t, open_now)
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
            "posts_filled": (filled & ~self.is_light[None, :]).sum(axis=1),
            "capacity": capacity,
            "active": self.active,
            "waiting": self.queue[:, lo : t + 1].sum(axis=1),
            "light_touch_posts_filled": (filled & self.is_light[None, :]).sum(axis=1),
            "practitioner_posts_filled": (filled & self.is_prac[None, :]).sum(axis=1),
        }

    # 1. staff
    def staff(self, t: int, open_now: np.ndarray) -> np.ndarray:
        """Posts released by a step, leavers, then fills within the budget; the spend."""
        self.budget += self.clock.funding_at[t]
        self._release_and_leave(open_now)
        ready = ~self.filled & (self.lag_left <= 0) & open_now[None, :]
        if ready.any():
            self._fill(ready, t)
        self.lag_left = np.where(~self.filled & open_now[None, :], self.lag_left - 1, self.lag_left)
        if t == 0:  # a post kept at the start but not affordable recruits afresh
            self.tenure = np.where(self.filled, self.tenure, 0.0)
        spend = (self.filled * self.rates.post_cost).sum(axis=1)
        self.spent += spend
        return spend

    def _release_and_leave(self, open_now: np.ndarray) -> None:
        """Empty the posts a step has closed; filled posts may leave and recruit anew."""
        released = self.filled & ~open_now[None, :]
        if released.any():
            self.filled &= ~released
            self.tenure[released] = 0.0
        leave = self.filled & (
            self.rng.random((self.runs, self.posts)) < self.rates.leave_p[:, None]
        )
        if leave.any():
            self.filled &= ~leave
            self.tenure[leave] = 0.0
            self.lag_left = np.where(leave, self._lags(leave), self.lag_left)

    def _fill(self, ready: np.ndarray, t: int) -> None:
        """Fill the ready posts the budget can pay for until they end, on top of what
        the filled posts will cost until theirs end: managers first, then in order."""
        post_cost = self.rates.post_cost
        steps_to_close = np.maximum(self.closes - t, 0)[None, :]
        committed = (self.filled * post_cost * steps_to_close).sum(axis=1)
        headroom = self.budget - self.spent - committed
        for j in range(self.posts):
            cost = post_cost[:, j] * steps_to_close[0, j]
            fill = ready[:, j] & (cost <= headroom + 1e-6)
            self.filled[:, j] |= fill
            headroom -= np.where(fill, cost, 0.0)

    # 2. capacity
    def capacity(self) -> tuple[np.ndarray, np.ndarray]:
        """Casework places and light-touch full-time equivalents this step."""
        ramp_steps = self.rates.ramp_steps[:, None]
        ramp = np.where(
            ramp_steps > 0,
            np.minimum(1.0, (self.tenure + 1) / np.maximum(ramp_steps, 1e-12)),
            1.0,
        )
        fte = self.filled * ramp
        places = (fte * self.is_prac).sum(axis=1) * self.rates.places
        capacity = np.floor(places + 1e-9).astype(np.int64)
        lt_fte = (fte * self.is_light).sum(axis=1)
        self.tenure += self.filled
        return capacity, lt_fte

    # 3. endings
    def endings(self, t: int) -> tuple[np.ndarray, np.ndarray]:
        """Cases completing and dropping out this step, freeing places."""
        done, drop = self.ends_done[:, t], self.ends_drop[:, t]
        self.active -= done + drop
        return done, drop

    # 4. referrals
    def referrals(self, t: int, open_now: np.ndarray) -> tuple[np.ndarray, ...]:
        """Referrals, those eligible (who join the list) and light-touch referrals."""
        rates = self.rates
        referred = self.rng.poisson(rates.ref_rate)
        eligible = self.rng.binomial(referred, rates.elig_p)
        self.queue[:, t] = eligible
        lt_open = open_now[self.is_light].any()
        lt_referred = self.rng.poisson(rates.lt_rate) if lt_open else self.zeros
        self.lt_queue[:, t] = lt_referred
        return referred, eligible, lt_referred

    # 5. redirection
    def _expire(self, waiting: np.ndarray, t: int, max_wait: int) -> np.ndarray:
        """Families who have waited longer than ``max_wait`` steps leave the list."""
        if t - max_wait - 1 < 0:
            return self.zeros
        gone = waiting[:, t - max_wait - 1].copy()
        waiting[:, t - max_wait - 1] = 0
        return gone

    # 6. starts
    def start_cases(self, t: int, capacity: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
        """Fill free places from the list, longest-waiting first: (started, weeks
        waited, first step still on the list)."""
        lo = max(0, t - self.clock.max_wait)
        take = _serve(self.queue, lo, t, np.maximum(capacity - self.active, 0))
        started = take.sum(axis=1)
        waits = (t - np.arange(lo, t + 1))[None, :]
        waited = (take * waits).sum(axis=1) * self.clock.step_weeks
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
        rng, rates, T = self.rng, self.rates, self.clock.steps
        who = np.repeat(np.arange(self.runs), started)
        length = _gamma(rng, rates.dur_mean[who], self.inputs.case_duration_cv)
        drops = rng.random(n) < rates.drop_p[who]
        length = np.where(drops, rng.random(n) * length, length)
        end = t + np.maximum(1, np.rint(length)).astype(np.int64)
        flat = who * (T + 1) + end
        np.add.at(self.ends_drop.reshape(-1), flat[drops & (end <= T)], 1)
        np.add.at(self.ends_done.reshape(-1), flat[~drops & (end <= T)], 1)

    def contact(self, t: int, lt_fte: np.ndarray) -> np.ndarray:
        """Light-touch contacts: the whole part of this step's hours, in families."""
        lt_lo = max(0, t - self.clock.light_touch_max_wait)
        lt_avail = self.lt_fraction + lt_fte * self.rates.contacts_per_fte
        lt_capacity = np.floor(lt_avail + 1e-9)
        self.lt_fraction = lt_avail - lt_capacity
        return _serve(self.lt_queue, lt_lo, t, lt_capacity.astype(np.int64)).sum(axis=1)

    # 7. advice
    def advice(self) -> tuple[np.ndarray, np.ndarray]:
        """Consultations with other professionals, and the families they reach."""
        advice_fte = (self.filled & self.is_prac[None, :]).sum(axis=1)
        consultations = self.rng.poisson(advice_fte * self.rates.consult_rate)
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
            "waiting_at_end": self.queue[:, max(0, T - W - 1) :].sum(axis=1).astype(float),
            "light_touch_waiting_at_end": (
                self.lt_queue[:, max(0, T - W_lt - 1) :].sum(axis=1).astype(float)
            ),
            "max_active": self.max_active.astype(float),
            "max_overfill": self.max_over,
            "wait_total": self.wait_total,
        }
