"""The model meets published figures: Troubled Families phase 2 against its national
evaluation's returns, adult outcomes outside EIF's estimate, and the phase 2 cost."""

from __future__ import annotations

import numpy as np
import pytest

import costmodel
from costmodel.model.projection import project, published_returns
from costmodel.model.savings import issue_cap_check, savings_inputs
from costmodel.model.vocabulary import OUTSIDE_ESTIMATE
from costmodel.params.errors import ParameterError

TF2 = "troubled_families_phase2"


def test_phase_2_is_set_beside_its_evaluation(params):
    p = costmodel.apply_scenario(params, TF2)
    res = project(p, None, draws=400, seed=3)
    table = published_returns(p, res)
    assert list(table.index) == ["fiscal", "economic"]
    views = res.perspectives()
    for view, published in (("fiscal", 1.51), ("economic", 2.28)):
        assert table.loc[view, "published"] == pytest.approx(published)
        assert table.loc[view, "modelled"] == pytest.approx(views.loc[view, "bcr"])
        assert table.loc[view, "gap"] == pytest.approx(published - views.loc[view, "bcr"])
    assert "National evaluation" in table.loc["fiscal", "source"]


def test_the_team_has_no_published_return_to_meet(params):
    res = project(params, "calibrated", draws=1)
    assert published_returns(costmodel.apply_scenario(params, "calibrated"), res).empty


def test_project_json_carries_the_reconciliation(capsys):
    import json

    from costmodel.cli import main

    assert main(["project", "--scenario", TF2, "--draws", "200", "--format", "json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["published_returns"]["fiscal"]["published"] == pytest.approx(1.51)
    assert set(d["published_returns"]) == {"fiscal", "economic"}


def test_the_planning_cost_is_an_alternative_not_the_central_case(params):
    measured = costmodel.apply_scenario(params, TF2)[
        "programmes.troubled_families_phase2.cost_per_family"
    ]
    planning = costmodel.apply_scenario(params, "troubled_families_phase2_planning_cost")[
        "programmes.troubled_families_phase2.cost_per_family"
    ]
    assert (measured.value, measured.price_year) == (5493, "2014/15")
    assert (planning.value, planning.price_year) == (10000, "2012/13")
    a = project(params, TF2, draws=1)
    b = project(params, "troubled_families_phase2_planning_cost", draws=1)
    # the same families and savings; only the costs differ
    assert a.appraisal.pv_savings_net[0] == pytest.approx(b.appraisal.pv_savings_net[0])
    assert b.appraisal.pv_costs[0] > a.appraisal.pv_costs[0]


def test_outcomes_outside_the_estimate_have_no_issue_cap(params):
    inp = savings_inputs(params, "2018/19")
    outside = [o for o, i in zip(inp.outcomes, inp.issue, strict=True) if i == OUTSIDE_ESTIMATE]
    assert outside == ["adult_out_of_work", "adult_custody", "adult_mental_health"]
    # a county spending nothing on any EIF issue caps every outcome but those outside
    zero = {i: 0.0 for i in set(inp.issue) - {OUTSIDE_ESTIMATE}}
    messages = issue_cap_check(inp, 100.0, zero)
    assert len(messages) == len(zero)
    assert not any("outside" in m for m in messages)


def test_an_unknown_issue_is_a_clear_error(params):
    bad = params.with_values({"savings.outcomes.adult_custody.issue": {"adults": 1}})
    with pytest.raises(ParameterError, match=r"adult_custody\.issue.*name exactly one EIF issue"):
        savings_inputs(bad, "2018/19")


def test_earnings_count_in_the_economic_view_only(params):
    """A parent's year in work: the benefit saved is a transfer (fiscal only), the
    earnings are output (economic only)."""
    p = costmodel.apply_scenario(params, "calibrated")
    inp = savings_inputs(p, "2018/19")
    j = inp.outcomes.index("adult_out_of_work")
    assert inp.economic_value[0, j] > 0
    res = project(p, None, draws=1)
    without = project(
        p.with_values(
            {
                "savings.outcomes.adult_out_of_work.economic_value": {
                    "value": 0,
                    "distribution": None,
                }
            }
        ),
        None,
        draws=1,
    )
    views, base = res.perspectives(), without.perspectives()
    assert views.loc["fiscal", "pv_benefits"] == pytest.approx(base.loc["fiscal", "pv_benefits"])
    assert views.loc["economic", "pv_benefits"] > base.loc["economic", "pv_benefits"]
    assert np.isfinite(views.loc["economic", "bcr"])
