"""Tornado, switching values, two-way tables and value of information."""

from __future__ import annotations

import numpy as np
import pytest

from costmodel.analysis import sensitivity as s
from costmodel.analysis import value_of_information as voi
from costmodel.model.projection import DeterministicOutcome, project
from costmodel.params.distributions import quantile
from costmodel.params.scenarios import apply_scenario

EFFECT = "savings.outcomes.child_enters_care.effect"
RATE = "savings.outcomes.child_enters_care.prevalence"


@pytest.fixture(scope="module")
def tornado(params):
    return s.one_way(
        params,
        parameters=[EFFECT, RATE, "savings.additionality.deadweight", "team.direct_work.caseload"],
        runs=300,
    )


def test_tornado_is_linear_where_the_model_is(tornado):
    """NPV is linear in an outcome's effect: the swing equals slope × range."""
    base = tornado.attrs["npv_central"]
    row = tornado.loc[EFFECT]
    slope_lo = (row.npv_low - base) / (row.low - row.central)
    slope_hi = (row.npv_high - base) / (row.high - row.central)
    assert slope_lo == pytest.approx(slope_hi, rel=1e-9)
    assert (tornado["swing"].diff().dropna() <= 0).all()  # sorted, largest first


def test_tornado_uses_the_distribution_percentiles(params, tornado):
    p = params[EFFECT]
    assert tornado.loc[EFFECT, "low"] == pytest.approx(quantile(p, 0.05))
    assert tornado.loc[EFFECT, "high"] == pytest.approx(quantile(p, 0.95))
    # more caseload per practitioner helps more families: NPV rises
    row = tornado.loc["team.direct_work.caseload"]
    assert row.npv_high > row.npv_low


def test_switching_value_sets_npv_to_zero(params):
    # the optimistic reading of the evidence pays its way, so one effect can switch it
    params = apply_scenario(params, "optimistic")
    sv = s.switching_values(params, parameters=[EFFECT, RATE], runs=300)
    # the product rate × effect enters linearly: both switch at the same relative change
    assert sv.loc[EFFECT, "change"] == pytest.approx(sv.loc[RATE, "change"], rel=1e-6)
    assert sv.loc[EFFECT, "switching"] < params[EFFECT].value
    npv = DeterministicOutcome(params, None, runs=300)
    assert s.evaluate(npv, npv.params, {EFFECT: sv.loc[EFFECT, "switching"]}) == pytest.approx(
        0, abs=1.0
    )


def test_two_way_matches_one_way_on_its_edges(params):
    tw = s.two_way(params, EFFECT, RATE, x_values=[0.1, 0.3], y_values=[0.01, 0.02], runs=300)
    assert tw.shape == (2, 2)
    # linear in each, bilinear in the pair: the cross difference is the product term
    d = tw.to_numpy()
    assert d[1, 1] - d[1, 0] > d[0, 1] - d[0, 0] > 0


def test_evpi_by_hand():
    assert voi.evpi(np.array([-1.0, 3.0])) == pytest.approx(1.5 - 1.0)
    assert voi.evpi(np.array([2.0, 5.0])) == 0.0  # always fund: nothing to learn
    assert voi.evpi(np.array([-2.0, -5.0])) == 0.0  # never fund


def test_evppi_is_bounded_by_evpi(params):
    p = project(params, draws=4000, seed=3)
    v = voi.evppi(p)
    total = v.loc["all parameters (EVPI)", "value_of_information"]
    assert total >= 0
    assert (v["value_of_information"] <= total * 1.05 + 1.0).all()
    assert (v["value_of_information"] >= -1e-6).all()
    x = p.draws_table
    assert len(x) == 4000 and "team.direct_work.caseload" in x.columns
    # every value a draw used is recorded: the team's values follow the run it used
    runs = p.team_runs
    team = p.simulation.inputs
    assert np.array_equal(x["team.direct_work.caseload"].to_numpy(), team.caseload[runs])
