"""Outcomes as flows: prevalence turned into incidence, episodes costed over their
duration and discounted year by year, and no event counted twice."""

from __future__ import annotations

import numpy as np
import pytest
from test_savings import simple_inputs

from costmodel.greenbook.discounting import discount_factors, flat_rate
from costmodel.model.savings import (
    appraise,
    family_cost_reconciliation,
    incidence_from_prevalence,
    savings_inputs,
)
from costmodel.params.errors import ParameterError

NO_ADJUSTMENTS = {
    "deadweight": np.array([0.0]),
    "attribution": np.array([0.0]),
    "displacement": np.array([0.0]),
    "ob_medium": np.array([0.0]),
    "full_years": np.array([50.0]),
}


def test_prevalence_becomes_incidence():
    # 2.5% in care at a point in time, episodes of two years: 1.25% enter a year
    assert incidence_from_prevalence(0.025, 2.0) == pytest.approx(0.0125)
    np.testing.assert_allclose(
        incidence_from_prevalence(np.array([0.1, 0.1]), np.array([0.5, 4.0])), [0.2, 0.025]
    )


def test_the_care_outcome_is_a_prevalence_over_a_duration(params):
    inp = savings_inputs(params, "2018/19")
    care = inp.outcomes.index("child_enters_care")
    prevalence = params["savings.outcomes.child_enters_care.prevalence"].value
    duration = params["savings.outcomes.child_enters_care.duration"].value
    assert inp.rate[0, care] == pytest.approx(prevalence / duration)
    assert inp.duration[0, care] == duration
    # a year in care costs the same whatever the duration: the stock costs prevalence × cost
    recon = family_cost_reconciliation(params, "2018/19")
    assert recon.loc["child_enters_care", "yearly_cost_per_family"] == pytest.approx(
        prevalence * inp.cost[0, care]
    )


def test_a_multi_year_episode_is_costed_and_discounted_over_its_years(params):
    """Ten families avoid 0.05 episodes each a year (rate 0.1 × effect 0.5), every year;
    an episode lasts 2.5 years at 1,000 a year: year shares 1, 1, 0.5."""
    inp = simple_inputs(params, **NO_ADJUSTMENTS, duration=np.array([[2.5]]))
    families = np.array([[10.0]])
    df = discount_factors(np.arange(4), flat_rate(0.10))
    a = appraise(inp, np.zeros((1, 1)), families, df)
    # avoided episodes: 0.5 a year from year 0; cost in year t sums the episodes still running
    np.testing.assert_allclose(a.gross.sum(axis=2)[0], [500, 1000, 1250, 1250])
    want = 500 + 1000 / 1.1 + 1250 / 1.1**2 + 1250 / 1.1**3
    assert a.pv_savings_gross[0] == pytest.approx(want)
    # booked at once in the year of the episode, it would be 1,250 in year 0: more PV
    once = appraise(
        simple_inputs(params, **NO_ADJUSTMENTS, cost=np.array([[2500.0]])),
        np.zeros((1, 1)),
        families,
        df,
    )
    assert once.pv_savings_gross[0] > a.pv_savings_gross[0]


def test_no_conviction_is_counted_twice(params):
    """Custody follows a conviction: the conviction outcome is counted net of custody,
    so together they avoid exactly the episodes the evaluation's convictions measure."""
    inp = savings_inputs(params, "2018/19")
    conv, cust = inp.outcomes.index("youth_conviction"), inp.outcomes.index("youth_custody")
    all_rate = params["savings.outcomes.youth_conviction.rate"].value
    # the conviction effect applied: pooled × design multiplier × transfer factor
    all_effect = (
        params["savings.outcomes.youth_conviction.effect"].value
        * params["savings.evidence.design.comparison_group"].value
        * params["savings.evidence.transfer"].value
    )
    assert inp.rate[0, conv] + inp.rate[0, cust] == pytest.approx(all_rate)
    avoided = inp.rate[0] * inp.effect[0]
    assert avoided[conv] + avoided[cust] == pytest.approx(all_rate * all_effect)
    # without the exclusion the custodial convictions would be counted twice
    twice = params.with_values({"savings.outcomes.youth_conviction.excludes": {"youth_custody": 0}})
    both = savings_inputs(twice, "2018/19")
    assert both.rate[0, conv] + both.rate[0, cust] > all_rate


def test_an_outcome_cannot_contain_a_more_frequent_one(params):
    bad = params.with_values({"savings.outcomes.youth_custody.rate": 0.05})
    with pytest.raises(ParameterError, match="must exceed the rate of youth_custody"):
        savings_inputs(bad, "2018/19")


def test_switching_values_search_only_where_the_model_accepts_a_value(params):
    """A parameter bounded below by another (as a conviction rate must stay above the
    custody rate it contains): the search starts at the lowest value the model accepts."""
    from costmodel.analysis.sensitivity import switching_values

    path = "savings.outcomes.young_adult_neet.rate"

    def model(p):
        x = p.value(path)
        if x < 0.05:  # the central value is 0.1
            raise ParameterError(f"{path}: below the rate it contains")
        return x - 0.08

    t = switching_values(params, model=model, parameters=[path])
    row = t.loc[path] if path in t.index else t.set_index("parameter").loc[path]
    assert row["switching"] == pytest.approx(0.08)
    assert 0.05 <= row["searched_low"] < 0.05 + 1e-6


def test_a_draw_where_the_rates_cross_leaves_no_episodes_of_its_own(params):
    from costmodel.model.savings import _exclusions

    names = ["youth_conviction", "youth_custody"]
    rate = np.array([[0.03, 0.01], [0.004, 0.005], [0.02, 0.01]])
    effect = np.array([[0.2, 0.4], [0.2, 0.4], [0.1, 0.5]])
    net_rate, net_effect = _exclusions(params, names, rate, effect)
    np.testing.assert_allclose(net_rate[:, 0], [0.02, 0.0, 0.01])
    # (0.03·0.2 − 0.01·0.4) / 0.02 = 0.1; none left in the crossed draw; clipped at 0
    np.testing.assert_allclose(net_effect[:, 0], [0.1, 0.0, 0.0])
    np.testing.assert_allclose(net_rate[:, 1], rate[:, 1])  # custody itself unchanged
