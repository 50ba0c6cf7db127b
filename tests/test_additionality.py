"""Additionality taken once: deadweight and attribution only off effects without a
counterfactual, and
optimism bias by evidence grade on benefits and upwards on costs."""

from __future__ import annotations

import numpy as np
import pytest
from test_savings import simple_inputs

from costmodel.model.savings import appraise, savings_inputs


def two_outcomes(params, **over):
    """Two identical outcomes: the first measured against a comparison group (high
    grade), the second assumed (low grade)."""
    base = dict(
        outcomes=("measured", "assumed"),
        rate=np.array([[0.1, 0.1]]),
        cost=np.array([[1000.0, 1000.0]]),
        effect=np.array([[0.5, 0.5]]),
        agency_share=np.array([[0, 1.0, 0, 0, 0, 0], [0, 1.0, 0, 0, 0, 0]]),
        issue=("crime_and_antisocial_behaviour",) * 2,
        full_years=np.array([1.0]),
        drop_off=np.array([1.0]),
        deadweight=np.array([0.2]),
        attribution=np.array([0.1]),
        displacement=np.array([0.0]),
        duration=np.zeros((1, 2)),
        ob_costs=np.array([0.1]),
        ob_high=np.array([0.05]),
        ob_medium=np.array([0.25]),
        ob_low=np.array([0.4]),
        counterfactual=np.array([True, False]),
        grade=np.array([0, 2]),
    )
    base.update(over)
    return simple_inputs(params, **base)


def test_deadweight_and_attribution_are_skipped_for_a_comparison_group_effect(params):
    inp = two_outcomes(params)
    factor = inp.additionality()[0]
    assert factor[0] == pytest.approx(0.95)  # neither; high-grade bias only
    assert factor[1] == pytest.approx(0.8 * 0.9 * 0.6)  # deadweight; low-grade bias


def test_optimism_bias_by_grade_on_benefits_and_costs(params):
    inp = two_outcomes(params)
    a = appraise(inp, np.array([[1000.0]]), np.array([[10.0]]), np.ones(1))
    # 10 families × 50 a year for each outcome, in the one year appraised
    np.testing.assert_allclose(a.gross[0, 0], [500, 500])
    np.testing.assert_allclose(a.net[0, 0], [500 * 0.95, 500 * 0.8 * 0.9 * 0.6])
    assert a.pv_costs[0] == pytest.approx(1100)  # raised by 10%
    assert a.npv[0] == pytest.approx(a.net[0, 0].sum() - 1100)
    assert a.bcr[0] == pytest.approx(a.net[0, 0].sum() / 1100)


def test_the_shipped_effects_carry_their_counterfactual_and_grade(params):
    inp = savings_inputs(params, "2018/19")
    by_name = dict(zip(inp.outcomes, inp.counterfactual, strict=True))
    assert by_name["child_enters_care"] and by_name["youth_custody"]
    assert not by_name["domestic_abuse"] and not by_name["camhs_case"]
    grade = dict(zip(inp.outcomes, inp.grade, strict=True))
    assert grade["child_enters_care"] == 1  # medium confidence
    assert grade["school_exclusion"] == 2  # low confidence
    factor = inp.additionality()[0]
    care, dv = inp.outcomes.index("child_enters_care"), inp.outcomes.index("domestic_abuse")
    dw, att, disp = inp.deadweight[0], inp.attribution[0], inp.displacement[0]
    assert factor[care] == pytest.approx((1 - disp) * (1 - inp.ob_medium[0]))
    assert factor[dv] == pytest.approx((1 - dw) * (1 - att) * (1 - disp) * (1 - inp.ob_low[0]))


def test_an_unknown_counterfactual_is_a_clear_error(params):
    from costmodel.params.errors import ParameterError

    bad = params.with_values({"savings.outcomes.camhs_case.counterfactual": {"hunch": 1}})
    with pytest.raises(ParameterError, match="counterfactual: name exactly one of"):
        savings_inputs(bad, "2018/19")
