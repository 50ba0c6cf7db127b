"""The team simulation's engine: the loop over time steps, vectorised over runs.

What happens within a step is described in :mod:`costmodel.model.team`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np

from ..params.errors import ParameterError, Problem
from .team_inputs import ROLES, ReachInputs
from .team_result import FLOWS, LEVELS, ReachResult
from .vocabulary import WEEKS_PER_QUARTER, WEEKS_PER_YEAR


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
