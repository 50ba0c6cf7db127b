"""Headline figures that agree with one another.

BCR, return, cost per family and break-even are ratios of expected values, so they
agree with the sign of the mean NPV; payback is read from the mean cumulative curves
and shown only where at least half the draws pay back.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from costmodel.model.programme import ProgrammeFlows
from costmodel.model.projection import Projection, project
from costmodel.model.savings import Appraisal


def synthetic(rng: np.random.Generator, draws: int = 50, years: int = 6) -> Projection:
    """A projection built from random streams: costs early, savings later, any sign of NPV."""
    costs = np.zeros((draws, years))
    costs[:, :2] = rng.gamma(4, 50, size=(draws, 2))
    net = np.zeros((draws, years, 2))
    net[:, 1:, :] = rng.gamma(1.5, rng.uniform(5, 60), size=(draws, years - 1, 2))
    by_agency = net.sum(axis=2, keepdims=True)
    a = Appraisal(
        price_year="2018/19",
        discount="standard",
        horizon=years,
        outcomes=("x", "y"),
        costs=costs,
        gross=net * 1.5,
        net=net,
        net_by_agency=by_agency,
        cashable_by_agency=by_agency * 0.5,
        discount_factors=1.035 ** -np.arange(years),
        families=np.full(draws, 10.0),
        families_helped=np.full(draws, 10.0),
    )
    started = rng.integers(5, 30, size=draws).astype(float)
    zeros = np.zeros((draws, 1))
    flows = ProgrammeFlows(
        name="p",
        kind="cohorts",
        start_date=dt.date(2019, 4, 1),
        price_year="2018/19",
        completed=zeros,
        dropped=zeros,
        indirect=zeros,
        light_touch=zeros,
        costs=zeros,
        income=None,
        started=started,
        finished=started,
        reached_indirectly=np.zeros(draws),
        contacted=np.zeros(draws),
        values=pd.DataFrame(index=range(draws)),
    )
    return Projection(
        scenario="s",
        draws=draws,
        seed=None,
        appraisal=a,
        inputs=None,
        programmes=(flows,),
        draws_table=pd.DataFrame(index=range(draws)),
        start_year="2019-04-01",
    )


def test_ratios_are_ratios_of_expected_values():
    p = synthetic(np.random.default_rng(1))
    h = p.headlines()["estimate"]
    a = p.appraisal
    assert h["bcr"] == pytest.approx(a.pv_savings_net.mean() / a.pv_costs.mean())
    assert h["roi"] == pytest.approx(a.npv.mean() / a.pv_costs.mean())
    assert h["break_even_effect_scale"] == pytest.approx(
        a.pv_costs.mean() / a.pv_savings_net.mean()
    )
    started = p.programmes[0].started
    assert h["break_even_families"] == pytest.approx(
        started.mean() * a.pv_costs.mean() / a.pv_savings_net.mean()
    )
    assert h["cost_per_family_started"] == pytest.approx(
        a.costs.sum(axis=1).mean() / started.mean()
    )
    assert h["npv"] == pytest.approx(a.npv.mean())
    assert h["npv_median"] == pytest.approx(np.median(a.npv))


@pytest.mark.parametrize("seed", range(40))
def test_break_even_agrees_with_the_sign_of_npv(seed):
    p = synthetic(np.random.default_rng(seed))
    h = p.headlines()["estimate"]
    positive = h["npv"] > 0
    assert (h["bcr"] > 1) == positive
    assert (h["break_even_effect_scale"] < 1) == positive
    assert (h["break_even_families"] < h["families_started"]) == positive
    assert (h["roi"] > 0) == positive


def test_payback_is_read_from_the_mean_curves_when_most_draws_pay_back():
    p = synthetic(np.random.default_rng(3))
    a = p.appraisal
    f = a.discount_factors
    gap = np.cumsum((a.costs * f).mean(axis=0) - (a.net.sum(axis=2) * f).mean(axis=0))
    h = p.headlines()
    assert p.p_payback >= 0.5  # 70% of these draws pay back
    # the mean curves cross between the last year in deficit and the next
    t = h.loc["payback_years", "estimate"]
    last = int(np.nonzero(gap > 0)[0][-1])
    expected = last + 1 + gap[last] / (gap[last] - gap[last + 1])
    assert t == pytest.approx(expected)
    assert last + 1 <= t <= last + 2


def test_payback_is_blank_when_fewer_than_half_pay_back(params):
    p = project(params, "cautious", draws=2000, seed=1)  # effects near zero: few pay back
    h = p.headlines()
    assert p.p_payback < 0.5
    assert np.isnan(h.loc["payback_years", "estimate"])
    assert h.loc["payback_years", "basis"] == "mean_curves"


def test_central_values_npv_is_the_deterministic_projection(params):
    p = project(params, draws=300, seed=1, central=True)
    one = project(params, draws=1)
    assert p.headlines().loc["npv_central", "estimate"] == pytest.approx(one.appraisal.npv[0])
    assert "npv_central" not in project(params, draws=300, seed=1).headlines().index
