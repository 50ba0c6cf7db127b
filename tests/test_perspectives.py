"""Perspectives: transfers cancel where they should and count where they belong."""

from __future__ import annotations

import numpy as np
import pytest

import costmodel
from costmodel.model.projection import project
from costmodel.model.vocabulary import AGENCY_NAMES


@pytest.fixture(scope="module")
def team(params):
    return project(params, "calibrated", draws=300, seed=3)


@pytest.fixture(scope="module")
def troubled(params):
    return project(params, "troubled_families_phase2", draws=200, seed=3)


def pv(p, stream):
    return float(p.appraisal.discount_factors @ p.mean_flows()[stream])


def test_every_perspective_by_hand(team, params):
    views = team.perspectives()
    by_agency = team.appraisal.discount_factors @ team.mean_flows()["net_by_agency"]
    cashable = team.appraisal.discount_factors @ team.mean_flows()["cashable_by_agency"]
    local = np.array([params["savings.perspectives.local_agencies"].value[a] for a in AGENCY_NAMES])
    transfer = np.array(
        [params["savings.perspectives.transfer_share"].value[a] for a in AGENCY_NAMES]
    )
    costs = pv(team, "costs")
    assert views.loc["fiscal", "pv_benefits"] == pytest.approx(by_agency.sum())
    assert views.loc["fiscal", "npv"] == pytest.approx(team.appraisal.npv.mean())
    economic_extra = pv(team, "economic_net")
    # wellbeing is valued in QALYs: discounted at the Green Book health rate (1.5%)
    health = costmodel.discount_factors(
        np.arange(team.appraisal.horizon), costmodel.discount_schedule(params, "health")
    )
    np.testing.assert_allclose(team.appraisal.health_discount_factors, health)
    assert health[1] == pytest.approx(1 / 1.015)
    social_extra = float(health @ team.mean_flows()["social_net"])
    assert economic_extra > 0 and social_extra > pv(team, "social_net") > 0
    assert views.loc["economic", "pv_benefits"] == pytest.approx(
        by_agency @ (1 - transfer) + economic_extra
    )
    assert views.loc["social", "pv_benefits"] == pytest.approx(
        views.loc["economic", "pv_benefits"] + social_extra
    )
    assert views.loc["local", "pv_benefits"] == pytest.approx(by_agency @ local)
    police = AGENCY_NAMES.index("police")
    assert views.loc["funder", "pv_benefits"] == pytest.approx(cashable[police])
    np.testing.assert_allclose(views["pv_costs"], costs)  # the team has no income
    for view, r in views.iterrows():
        assert r.npv == pytest.approx(r.pv_benefits - r.pv_costs), view
        assert r.bcr == pytest.approx(r.pv_benefits / r.pv_costs), view
    # the welfare saving is all transfer: the economic view is the fiscal one without it
    welfare = AGENCY_NAMES.index("welfare")
    assert views.loc["fiscal", "pv_benefits"] - (
        views.loc["economic", "pv_benefits"] - economic_extra
    ) == pytest.approx(by_agency[welfare])


def test_payment_by_results_cancels_in_the_fiscal_view_and_not_in_the_funders(troubled):
    views = troubled.perspectives()
    costs, income = pv(troubled, "costs"), pv(troubled, "income")
    assert income > 0
    assert views.loc["fiscal", "pv_costs"] == pytest.approx(costs)
    assert views.loc["economic", "pv_costs"] == pytest.approx(costs)
    assert views.loc["local", "pv_costs"] == pytest.approx(costs - income)
    assert views.loc["funder", "pv_costs"] == pytest.approx(costs - income)
    assert views.loc["funder", "basis"] == "funder"  # a key; the words are the labels
    assert troubled.perspective_weights["funder"] == "local_authority"
    from costmodel.present.labels import perspective_basis

    assert "Local authority" in perspective_basis("funder", "local_authority")
    # the income raises the council's NPV by exactly its PV
    assert views.loc["local", "npv"] - (views.loc["local", "pv_benefits"] - costs) == pytest.approx(
        income
    )


def test_no_funder_view_when_programmes_have_different_funders(params, tmp_path):
    scenario = tmp_path / "both.yaml"
    scenario.write_text(
        "description: the team and phase 2 together.\n"
        "overrides:\n  programmes.troubled_families_phase2.share_appraised: 1\n"
    )
    views = project(params, str(scenario), draws=1).perspectives()
    assert "funder" not in views.index
    assert {"fiscal", "economic", "social", "local"} <= set(views.index)


def test_project_json_says_which_perspective_every_figure_takes(capsys):
    import json

    from costmodel.cli import main

    assert main(["project", "--draws", "50", "--format", "json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["perspective_of_headlines"] == "fiscal"
    assert set(d["perspectives"]) == {"fiscal", "economic", "social", "local", "funder"}
    assert d["perspectives"]["fiscal"]["npv"] == pytest.approx(d["npv"]["mean"])


def test_economic_and_social_values_of_an_avoided_episode_by_hand(params):
    """Ten families avoid 0.5 episodes a year between them (rate 0.1 × effect 0.5); each
    avoided episode is worth 200 of output and 1,000 of wellbeing, after the same
    adjustments as its fiscal saving."""
    from test_savings import simple_inputs

    from costmodel.model.savings import appraise

    inp = simple_inputs(
        params,
        economic_value=np.array([[200.0]]),
        social_value=np.array([[1000.0]]),
        full_years=np.array([50.0]),
    )
    a = appraise(inp, np.zeros((1, 1)), np.array([[10.0]]), np.ones(2))
    factor = inp.additionality()[0, 0]
    np.testing.assert_allclose(a.economic_net[0], [0.5 * 200 * factor] * 2)
    np.testing.assert_allclose(a.social_net[0], [0.5 * 1000 * factor] * 2)
    # fiscal savings are untouched by them
    np.testing.assert_allclose(a.net.sum(axis=2)[0], [0.5 * 1000 * factor] * 2)
