"""The shipped options hold their changes through every dated staffing step."""

from __future__ import annotations

import pytest

from costmodel.model.team import reach
from costmodel.params.scenarios import apply_scenario

STEP = "team.staffing_steps.domestic_abuse_practitioners"


@pytest.fixture(scope="module")
def runs(params):
    return {
        s: reach(apply_scenario(params, s), runs=300, seed=2, parameter_uncertainty=False)
        for s in ("calibrated", "do_minimum", "scale_up")
    }


@pytest.mark.parametrize(
    "scenario, casework_posts", [("calibrated", 7), ("do_minimum", 3), ("scale_up", 10)]
)
def test_each_option_keeps_its_posts_through_the_2020_step(params, runs, scenario, casework_posts):
    """Managers and practitioners by quarter: the option's own posts before and after the
    step that adds two domestic abuse posts (light touch, counted apart)."""
    p = apply_scenario(params, scenario)
    assert p["team.staff.posts"].value == casework_posts
    step = p[f"{STEP}.posts"].value
    assert step["manager"] + step["practitioner"] == casework_posts
    assert step["light_touch"] == 2
    filled = runs[scenario].quarterly["posts_filled"].mean(axis=0)
    # once recruited, never above the option's posts and, in steady state, near them
    assert filled.max() <= casework_posts + 1e-9
    assert filled[-4:].min() > 0.85 * casework_posts
    light = runs[scenario].quarterly["light_touch_posts_filled"].mean(axis=0)
    assert light[:4].max() == 0 and light[-4:].min() > 1.5  # from April 2020


def test_scaling_up_raises_spend_with_the_budget(params, runs):
    """Half as large again on a budget 43% larger: spend rises by most of that, not 12%."""
    base, up = runs["calibrated"], runs["scale_up"]
    budget_growth = up.inputs.budget / base.inputs.budget - 1
    spend_growth = up.total("spend").mean() / base.total("spend").mean() - 1
    assert budget_growth == pytest.approx(1_428_571 / 1_000_000 - 1, rel=1e-6)
    assert 0.8 * budget_growth < spend_growth < 1.2 * budget_growth
    assert up.total("started").mean() > 1.3 * base.total("started").mean()


SUCCESSORS = ("successor_do_minimum", "successor_continue", "successor_scale_up")


@pytest.fixture(scope="module")
def successors(params):
    return {
        s: reach(apply_scenario(params, s), runs=300, seed=2, parameter_uncertainty=False)
        for s in SUCCESSORS
    }


@pytest.mark.parametrize(
    "scenario, casework, light, kept",
    [
        ("successor_do_minimum", 7, 0, 7),  # the 2023 team, less its light-touch posts
        ("successor_continue", 7, 8, 15),  # the team as the 2023 step left it
        ("successor_scale_up", 10, 12, 15),  # seven new posts recruit from the start
    ],
)
def test_each_successor_starts_from_the_team_as_it_stands(
    params, successors, scenario, casework, light, kept
):
    """A successor from April 2027 starts with the posts of the team's latest step
    (2023: a manager, six caseworkers, eight domestic abuse practitioners), its staff in
    post; a step on its first day changes the posts, and new posts recruit."""
    res = successors[scenario]
    inp = res.inputs
    assert inp.start_date.isoformat() == "2027-04-01"
    assert inp.in_post_at_start == 1
    assert sum(inp.inherited_posts().values()) == 15
    role, _opens, closes = inp.establishment()
    live = closes > 0
    assert int((live & (role != 2)).sum()) == casework  # managers and caseworkers
    assert int((live & (role == 2)).sum()) == light
    filled = res.quarterly["posts_filled"].mean(axis=0)
    light_filled = res.quarterly["light_touch_posts_filled"].mean(axis=0)
    # in post from the first quarter (less early leavers): no recruitment gap
    in_post_first = min(kept, casework) + min(light, max(0, kept - casework))
    assert filled[0] + light_filled[0] > 0.9 * in_post_first
    assert filled.max() <= casework + 1e-9 and light_filled.max() <= light + 1e-9
    assert filled[-4:].min() > 0.85 * casework
    if light:
        assert light_filled[-4:].min() > 0.85 * light


def test_successor_spend_follows_its_budget(successors):
    """Each successor's budget pays for its posts: spend moves with the budget."""
    base = successors["successor_continue"]
    for name in ("successor_do_minimum", "successor_scale_up"):
        other = successors[name]
        budget = other.inputs.budget / base.inputs.budget
        spend = other.total("spend").mean() / base.total("spend").mean()
        assert spend == pytest.approx(budget, rel=0.1)
