"""Additionality taken once: deadweight and attribution only off effects without a
counterfactual, and
optimism bias by evidence grade on benefits and upwards on costs."""

from __future__ import annotations

import numpy as np
import pytest
from test_savings import simple_inputs

from costmodel.model.savings import Served, appraise, savings_inputs


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


def test_transferred_and_assumed_effects_take_deadweight_own_effects_do_not(params):
    """The team is appraised on Troubled Families evidence (transferred) and on stated
    assumptions: both take deadweight and attribution. The county's phase 2 programme
    on its own evaluation does not, for the outcomes that evaluation measured."""
    from costmodel.model.programme import programmes
    from costmodel.model.projection import served_by
    from costmodel.params.scenarios import apply_scenario

    inp = savings_inputs(params, "2018/19", served=served_by(params, programmes(params)))
    cls = dict(zip(inp.outcomes, inp.evidence_class, strict=True))
    assert cls["child_enters_care"] == cls["youth_custody"] == "transferred"
    assert cls["domestic_abuse"] == cls["camhs_case"] == "assumed"
    assert not inp.counterfactual.any()
    grade = dict(zip(inp.outcomes, inp.grade, strict=True))
    assert grade["child_enters_care"] == 1  # medium: a matched comparison group
    assert grade["school_exclusion"] == 2  # low: an expert assumption
    factor = inp.additionality()[0]
    care, dv = inp.outcomes.index("child_enters_care"), inp.outcomes.index("domestic_abuse")
    dw, att, disp = inp.deadweight[0], inp.attribution[0], inp.displacement[0]
    assert factor[care] == pytest.approx((1 - dw) * (1 - att) * (1 - disp) * (1 - inp.ob_medium[0]))
    assert factor[dv] == pytest.approx((1 - dw) * (1 - att) * (1 - disp) * (1 - inp.ob_low[0]))

    tf2 = apply_scenario(params, "troubled_families_phase2")
    own = savings_inputs(tf2, "2018/19", served=served_by(tf2, programmes(tf2)))
    cls = dict(zip(own.outcomes, own.evidence_class, strict=True))
    assert cls["child_enters_care"] == "own" and cls["domestic_abuse"] == "assumed"
    factor = own.additionality()[0]
    assert factor[care] == pytest.approx((1 - disp) * (1 - own.ob_medium[0]))


def test_a_transferred_effect_is_scaled_by_the_design_and_transfer_factors(params):
    """The effect applied is the pooled effect × design multiplier × transfer factor."""
    inp = savings_inputs(params, "2018/19", served=Served(("team",)))
    j = inp.outcomes.index("adult_custody")
    pooled = params["savings.outcomes.adult_custody.effect"].value
    design = params["savings.evidence.design.comparison_group"].value
    transfer = params["savings.evidence.transfer"].value
    assert inp.effect[0, j] == pytest.approx(pooled * design * transfer)


def test_an_unknown_study_is_a_clear_error(params):
    from costmodel.params.errors import ParameterError

    with pytest.raises(ParameterError, match="unknown study 'hunch'"):
        params.with_values({"savings.evidence.studies": {"hunch": 1}})
