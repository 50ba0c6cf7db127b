"""The team reach simulation: invariants, reproducibility and queueing theory."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

import costmodel.model.team as r


@pytest.fixture(scope="module")
def result(params):
    return r.reach(params, runs=2000, seed=11)


@pytest.fixture(scope="module")
def central(params):
    return r.reach_inputs(params, runs=500)


def test_active_cases_never_exceed_posts_times_caseload(result):
    ceiling = result.inputs.max_practitioner_places()
    assert (result.final["max_active"] <= ceiling).all()
    assert (result.final["max_overfill"] <= 0).all()  # starts never overfill capacity


def test_every_referral_ends_in_exactly_one_state(result):
    t = result.total
    np.testing.assert_array_equal(
        t("referred"), t("screened_out") + t("redirected") + t("started") + t("waiting_at_end")
    )
    np.testing.assert_array_equal(
        t("started"), t("completed") + t("dropped_out") + t("ongoing_at_end")
    )
    np.testing.assert_array_equal(result.referred_by_source.sum(axis=1), t("referred"))
    np.testing.assert_array_equal(t("eligible"), t("referred") - t("screened_out"))


def test_spend_never_exceeds_the_budget(result, central, params):
    assert (result.total("spend") <= result.inputs.funding_total() + 1e-6).all()
    assert result.inputs.funding_total() == pytest.approx(
        result.inputs.budget + sum(s.funding for s in result.inputs.staffing_steps)
    )
    # a budget that cannot pay for the whole team binds, and still is not exceeded
    tight = replace(central, budget=400_000.0, staffing_steps=())
    res = r.simulate_reach(tight, seed=3)
    spend = res.total("spend")
    assert (spend <= 400_000.0 + 1e-6).all()
    assert spend.mean() > 0.9 * 400_000.0
    assert res.quarterly["posts_filled"].max() < tight.posts


def test_a_step_records_every_output_by_name():
    from costmodel.model import team_engine

    assert (*r.FLOWS, *r.LEVELS) == team_engine.OUTPUTS
    assert len(set(team_engine.OUTPUTS)) == len(team_engine.OUTPUTS)
    sums = {"a": np.zeros((2, 3)), "b": np.zeros((2, 3))}
    team_engine._add(sums, 1, {"b": np.ones(3), "a": np.full(3, 2.0)})
    assert sums["a"].tolist() == [[0, 0, 0], [2, 2, 2]]
    assert sums["b"].tolist() == [[0, 0, 0], [1, 1, 1]]
    for wrong in ({"a": np.ones(3)}, {"a": np.ones(3), "b": np.ones(3), "c": np.ones(3)}):
        with pytest.raises(RuntimeError, match="not the outputs"):
            team_engine._add(sums, 0, wrong)


def test_every_output_is_recorded_under_its_own_name(result):
    q = result.quarterly
    assert set(q) == {*r.FLOWS, *r.LEVELS}
    np.testing.assert_array_equal(q["screened_out"], q["referred"] - q["eligible"])
    assert (q["practitioner_posts_filled"] <= q["posts_filled"]).all()
    assert (q["active"] <= result.inputs.max_practitioner_places()[:, None]).all()
    assert (q["children_started"] >= q["started"]).all()


def test_same_seed_same_result_and_different_seed_differs(params):
    a = r.reach(params, runs=300, seed=5)
    b = r.reach(params, runs=300, seed=5)
    c = r.reach(params, runs=300, seed=6)
    for k in a.quarterly:
        np.testing.assert_array_equal(a.quarterly[k], b.quarterly[k])
    assert not np.array_equal(a.total("started"), c.total("started"))


def test_no_referrals_means_no_families_and_no_staff_means_no_spend(central):
    none = r.with_runs(central, {"referral_rate": 0.0})
    res = r.simulate_reach(none, seed=1)
    assert res.total("started").sum() == 0 and res.total("referred").sum() == 0
    unfunded = replace(central, budget=0.0, staffing_steps=())
    res = r.simulate_reach(unfunded, seed=1)
    assert res.total("spend").sum() == 0 and res.total("started").sum() == 0


def test_full_team_spend_by_hand(central):
    """No lag, no turnover: every post is paid every week of the programme."""
    inp = replace(
        r.with_runs(central, {"recruitment_lag": 0.0, "annual_turnover": 0.0}),
        recruitment_lag_cv=0.0,
        staffing_steps=(),
    )
    res = r.simulate_reach(inp, seed=2)
    mgr, prac = (c[0] for c in inp.post_cost_per_week())
    expected = (inp.management_posts * mgr + (inp.posts - inp.management_posts) * prac) * inp.weeks
    np.testing.assert_allclose(res.total("spend"), expected, rtol=1e-9)


def test_quarters_add_up_to_totals(result):
    assert result.quarters == 12
    bq = result.by_quarter()
    assert bq.xs("started", level="outcome")["mean"].sum() == pytest.approx(
        result.total("started").mean()
    )


def erlang_c(c: int, a: float) -> float:
    """Probability of waiting in an M/M/c queue with offered load ``a`` (Erlang C)."""
    top = a**c / math.factorial(c) / (1 - a / c)
    return top / (sum(a**k / math.factorial(k) for k in range(c)) + top)


@pytest.mark.parametrize("c, lam, mean_service", [(5, 1.0, 4.0), (2, 0.35, 4.0)])
def test_agrees_with_mm_c_queue(central, c, lam, mean_service):
    """Poisson referrals, exponential case lengths, no staff dynamics: the long-run
    utilisation and mean wait match the M/M/c (Erlang C) formulas."""
    runs = 200
    inp = replace(
        central,
        runs=runs,
        posts=c,
        management_posts=0,
        budget=1e12,
        weeks=520,
        max_wait=40.0,
        case_duration_cv=1.0,
        recruitment_lag_cv=0.0,
        staffing_steps=(),
        source_shares=central.source_shares[:1].repeat(runs, axis=0),
        **{
            k: np.full(runs, v)
            for k, v in {
                "recruitment_lag": 0.0,
                "ramp_up": 0.0,
                "annual_turnover": 0.0,
                "advice_share": 0.0,
                "referral_rate": lam,
                "eligible": 1.0,
                "caseload": 1.0,
                "case_duration": mean_service,
                "drop_out": 0.0,
                "practitioner_salary": 0.0,
                "manager_salary": 0.0,
                "non_staff_cost": 0.0,
                "on_cost_rate": 0.0,
                "consultations_per_advice_week": 0.0,
                "families_per_consultation": 0.0,
                "light_touch_salary": 0.0,
                "light_touch_rate": 0.0,
                "light_touch_hours_per_family": 1.0,
                "light_touch_hours_per_week": 0.0,
                "children_per_family": 1.0,
            }.items()
        },
    )
    res = r.simulate_reach(inp, seed=4, step_weeks=1 / 7)
    burn = 8  # quarters
    q = res.quarterly
    util = q["active"][:, burn:].mean(axis=1) / c
    wait = q["wait_weeks"][:, burn:].sum(axis=1) / q["started"][:, burn:].sum(axis=1)
    a = lam * mean_service
    expected_util = a / c
    expected_wait = erlang_c(c, a) / (c / mean_service - lam)
    se_util = util.std(ddof=1) / math.sqrt(runs)
    se_wait = wait.std(ddof=1) / math.sqrt(runs)
    # discrete steps of a day add a small bias of their own; allow it plus sampling error
    assert abs(util.mean() - expected_util) < 4 * se_util + 0.01 * expected_util
    assert abs(wait.mean() - expected_wait) < 4 * se_wait + 0.05 * expected_wait
    assert res.total("redirected").sum() / res.total("started").sum() < 1e-3
