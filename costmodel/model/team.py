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

from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace

import numpy as np

from ..params.errors import accepts
from ..params.limits import DEFAULT_SEED, check_runs, check_seed
from ..params.scenarios import Scenario, with_scenario
from .team_engine import simulate_reach
from .team_inputs import (
    MAX_YEARS,
    ROLES,
    STEPS,
    TEAM,
    VARYING,
    Observation,
    ReachInputs,
    StaffingStep,
    observations,
    reach_inputs,
    staffing_steps,
    team_paths,
    with_runs,
)
from .team_result import FLOWS, LEVELS, TIERS, ReachResult

__all__ = [
    "FLOWS",
    "LEVELS",
    "MAX_YEARS",
    "ROLES",
    "STEPS",
    "TEAM",
    "TIERS",
    "VARYING",
    "Observation",
    "ReachInputs",
    "ReachResult",
    "StaffingStep",
    "observations",
    "reach",
    "reach_inputs",
    "simulate_reach",
    "staffing_steps",
    "team_paths",
    "with_runs",
]


@accepts(params="mapping", scenario="scenario")
def reach(
    params: Mapping,
    scenario: str | Scenario | None = None,
    *,
    runs: int = 1000,
    seed: int = DEFAULT_SEED,
    parameter_uncertainty: bool = True,
    step_weeks: float = 1.0,
    progress: Callable[[Iterable[int]], Iterable[int]] | None = None,
) -> ReachResult:
    """Simulate the team ``runs`` times from one seeded generator.

    ``scenario`` (a name, path or :class:`~costmodel.params.scenarios.Scenario`) is
    applied to ``params`` first, as :func:`~costmodel.model.projection.project` does.
    With ``parameter_uncertainty`` each run also draws its own parameter values from
    their distributions, so the bands show both chance and what we do not know. A run is
    one simulated history of the team; the appraisal's Monte Carlo draws are ``draws``.
    """
    params = with_scenario(params, scenario)
    rng = np.random.default_rng(check_seed(seed))
    inputs = reach_inputs(params, runs=check_runs(runs), rng=rng if parameter_uncertainty else None)
    res = simulate_reach(inputs, rng, step_weeks, progress=progress)
    return replace(res, seed=seed)
