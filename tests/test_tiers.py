"""Service tiers, children and staffing steps in the team simulation, checked by hand."""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import pytest

import costmodel.model.team as team
from costmodel.model.vocabulary import WEEKS_PER_QUARTER
from costmodel.params.errors import ParameterError


def exact(inputs: team.ReachInputs, **values) -> team.ReachInputs:
    """No chance in staffing: posts filled at once, at full caseload, nobody leaves,
    and a budget that never binds."""
    fixed = team.with_runs(
        inputs, {"recruitment_lag": 0.0, "ramp_up": 0.0, "annual_turnover": 0.0, **values}
    )
    return dataclasses.replace(fixed, budget=1e9)


def step(week: float, manager=1, practitioner=6, light_touch=0, funding=0.0):
    return team.StaffingStep(
        name=f"step_{week:g}",
        week=week,
        posts={"manager": manager, "practitioner": practitioner, "light_touch": light_touch},
        funding=funding,
    )


def test_a_staffing_step_changes_capacity_from_its_week(params):
    base = exact(team.reach_inputs(params, runs=20), referral_rate=40.0)
    places = float(base.caseload[0] * (1 - base.advice_share[0]))
    # three more practitioners from the start of quarter 3; down to two from week 45,
    # six weeks into quarter 4
    steps = (step(2 * WEEKS_PER_QUARTER, practitioner=9), step(45, practitioner=2))
    res = team.simulate_reach(dataclasses.replace(base, staffing_steps=steps), seed=3)
    cap = res.quarterly["capacity"][0]
    assert cap[0] == cap[1] == np.floor(6 * places + 1e-9)
    assert cap[2] == np.floor(9 * places + 1e-9)
    q4 = (6 * np.floor(9 * places + 1e-9) + 7 * np.floor(2 * places + 1e-9)) / WEEKS_PER_QUARTER
    assert cap[3] == pytest.approx(q4)
    assert cap[4] == np.floor(2 * places + 1e-9)
    prac = res.quarterly["practitioner_posts_filled"][0]
    assert list(prac[:3]) == [6, 6, 9] and prac[4] == 2


def test_establishment_orders_managers_first_and_removes_the_newest_posts(params):
    base = team.reach_inputs(params, runs=2)
    base = dataclasses.replace(
        base,
        staffing_steps=(
            step(10, practitioner=8, light_touch=1),
            step(20, manager=2, practitioner=7, light_touch=1),
        ),
    )
    role, opens, closes = base.establishment()
    assert list(role[:2]) == [0, 0]  # both managers first, the new one second
    assert opens[1] == 20
    practitioners = np.flatnonzero(role == 1)
    # of the two practitioners added in week 10, the newest goes in week 20
    assert sorted(closes[practitioners])[:1] == [20]
    assert (opens[practitioners] == 10).sum() == 2
    assert (role == 2).sum() == 1 and opens[role == 2][0] == 10


def test_light_touch_contacts_follow_the_hours_exactly(params):
    base = exact(
        team.reach_inputs(params, runs=5),
        light_touch_rate=500.0,  # far more families than the hours can reach
        light_touch_hours_per_week=22.0,
        light_touch_hours_per_family=4.0,
    )
    res = team.simulate_reach(
        dataclasses.replace(base, staffing_steps=(step(100, light_touch=2),)), 1
    )
    weeks_with_posts = base.weeks - 100
    # 2 × 22 / 4 = 11 families a week, the whole part each week
    assert np.all(res.total("light_touch_contacted") == 11 * weeks_with_posts)
    assert np.all(res.quarterly["light_touch_referred"][:, : 100 // WEEKS_PER_QUARTER] == 0)
    # a fractional rate: 1 post × 10 hours / 4 hours = 2.5 a week → 5 every 2 weeks
    half = team.with_runs(base, {"light_touch_hours_per_week": 10.0})
    res = team.simulate_reach(
        dataclasses.replace(half, staffing_steps=(step(100, light_touch=1),)), 1
    )
    assert np.all(res.total("light_touch_contacted") == np.floor(2.5 * weeks_with_posts))


def test_every_light_touch_family_ends_in_one_state(params):
    inputs = team.reach_inputs(params, runs=300, rng=np.random.default_rng(4))
    res = team.simulate_reach(inputs, seed=5)
    assert res.total("light_touch_referred").sum() > 0
    np.testing.assert_array_equal(
        res.total("light_touch_referred"),
        res.total("light_touch_contacted")
        + res.total("light_touch_lapsed")
        + res.total("light_touch_waiting_at_end"),
    )


def test_children_are_families_times_children_per_family_on_average(params):
    inputs = team.with_runs(team.reach_inputs(params, runs=2000), {"children_per_family": 2.3})
    res = team.simulate_reach(inputs, seed=6)
    for _tier, families, children in team.TIERS:
        f, c = res.total(families), res.total(children)
        extra = c - f  # Poisson with mean 1.3 × families, given the families
        z = (extra.sum() - 1.3 * f.sum()) / np.sqrt(1.3 * f.sum())
        assert abs(z) < 4
        assert np.all(c >= f)  # every family has at least one child


def test_spend_never_exceeds_the_budget_and_the_funding_steps_add(params):
    inputs = team.reach_inputs(params, runs=500, rng=np.random.default_rng(7))
    tight = dataclasses.replace(
        inputs, budget=600_000.0, staffing_steps=(step(60, light_touch=2, funding=50_000.0),)
    )
    res = team.simulate_reach(tight, seed=8)
    assert np.all(res.total("spend") <= 650_000.0 + 1e-6)
    # with the funding, some runs spend beyond the first budget
    assert (res.total("spend") > 600_000.0).any()


def test_supported_and_reached_are_sums_of_tiers(params):
    res = team.simulate_reach(team.reach_inputs(params, runs=50), seed=9)
    np.testing.assert_array_equal(
        res.total("families_supported"),
        res.total("started") + res.total("light_touch_contacted"),
    )
    np.testing.assert_array_equal(
        res.total("children_reached"),
        res.total("children_started")
        + res.total("children_contacted")
        + res.total("children_reached_indirectly"),
    )
    tiers = res.tiers()
    assert tiers.loc[("supported", "families"), "mean"] == pytest.approx(
        tiers.loc[("casework", "families"), "mean"] + tiers.loc[("light_touch", "families"), "mean"]
    )


def test_the_running_totals_at_a_reported_week_match_the_quarterly_flows(params):
    inputs = team.reach_inputs(params, runs=40)
    obs = team.Observation("at_26_weeks", 2 * WEEKS_PER_QUARTER, 100.0, 180.0)
    res = team.simulate_reach(dataclasses.replace(inputs, observed=(obs,)), seed=10)
    got = res.at_week[26]
    q = res.quarterly
    np.testing.assert_array_equal(
        got["families_supported"],
        (q["started"] + q["light_touch_contacted"])[:, :2].sum(axis=1),
    )
    row = res.reported().iloc[0]
    assert row["reported"] == 100 and row["weeks"] == 26


def test_staffing_steps_are_read_from_parameters(params):
    steps = team.staffing_steps(params, params["team.programme.start_date"].value, "2018/19")
    da, grown = steps
    start = params["team.programme.start_date"].value
    assert da.week == pytest.approx((dt.date(2020, 4, 1) - start).days / 7)
    assert da.posts == {"manager": 1, "practitioner": 6, "light_touch": 2}
    assert da.funding == pytest.approx(130_000)
    # the 2023 growth to eight domestic abuse practitioners falls after the programme
    assert grown.posts["light_touch"] == 8
    assert grown.week > team.reach_inputs(params, runs=1).weeks


def test_a_staffing_step_before_the_start_is_the_teams_history(params):
    """The latest step before the start sets the posts the team starts with; its
    funding was spent before the start and is not added."""
    later = params.with_values({"team.programme.start_date": dt.date(2021, 1, 1)})
    inp = team.reach_inputs(later, runs=2)
    assert inp.inherited_posts() == {"manager": 1, "practitioner": 6, "light_touch": 2}
    assert inp.funding_total() == pytest.approx(inp.budget)
    role, opens, _closes = inp.establishment()
    assert (opens == 0).sum() == 9 and int(((role == 2) & (opens == 0)).sum()) == 2
    # before the start, so every post recruits unless the staff are kept
    assert inp.in_post_at_start == 0


def test_a_staffing_step_must_name_every_role(params):
    bad = params.with_values(
        {
            "team.staffing_steps.domestic_abuse_practitioners.posts": {
                "manager": 1,
                "practitioner": 6,
            }
        }
    )
    with pytest.raises(ParameterError, match="every role: manager, practitioner, light_touch"):
        team.reach_inputs(bad, runs=2)
