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
