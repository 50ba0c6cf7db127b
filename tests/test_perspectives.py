"""Perspectives: transfers cancel where they should and count where they belong."""

from __future__ import annotations

import numpy as np
import pytest

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
    assert views.loc["economic", "pv_benefits"] == pytest.approx(by_agency @ (1 - transfer))
    assert views.loc["local", "pv_benefits"] == pytest.approx(by_agency @ local)
    police = AGENCY_NAMES.index("police")
    assert views.loc["funder", "pv_benefits"] == pytest.approx(cashable[police])
    np.testing.assert_allclose(views["pv_costs"], costs)  # the team has no income
    for view, r in views.iterrows():
        assert r.npv == pytest.approx(r.pv_benefits - r.pv_costs), view
        assert r.bcr == pytest.approx(r.pv_benefits / r.pv_costs), view
    # the welfare saving is all transfer: the economic view is the fiscal one without it
    welfare = AGENCY_NAMES.index("welfare")
    assert views.loc["fiscal", "pv_benefits"] - views.loc["economic", "pv_benefits"] == (
        pytest.approx(by_agency[welfare])
    )


def test_payment_by_results_cancels_in_the_fiscal_view_and_not_in_the_funders(troubled):
    views = troubled.perspectives()
    costs, income = pv(troubled, "costs"), pv(troubled, "income")
    assert income > 0
    assert views.loc["fiscal", "pv_costs"] == pytest.approx(costs)
    assert views.loc["economic", "pv_costs"] == pytest.approx(costs)
    assert views.loc["local", "pv_costs"] == pytest.approx(costs - income)
    assert views.loc["funder", "pv_costs"] == pytest.approx(costs - income)
    assert "local_authority" in views.loc["funder", "basis"]
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
    assert "funder" not in views.index and {"fiscal", "economic", "local"} <= set(views.index)


def test_project_json_says_which_perspective_every_figure_takes(capsys):
    import json

    from costmodel.cli import main

    assert main(["project", "--draws", "50", "--format", "json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["perspective_of_headlines"] == "fiscal"
    assert set(d["perspectives"]) == {"fiscal", "economic", "local", "funder"}
    assert d["perspectives"]["fiscal"]["npv"] == pytest.approx(d["npv"]["mean"])
