"""The decision in front of the board: a forward appraisal from the decision date,
options against a counterfactual, who should pay, and outturn in place of simulation."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import costmodel
from costmodel.cli import main
from costmodel.model.decision import appraise_options, share_cost
from costmodel.model.outturn import apply_outturn
from costmodel.params.decisions import DecisionSpec, load_decision
from costmodel.params.errors import ParameterError
from costmodel.params.ledger import Entry, read_ledger

DECIDED = dt.date(2026, 12, 1)


# --- a decision date: what falls before it is sunk -----------------------------------


@pytest.mark.parametrize("decided", [dt.date(2020, 2, 1), dt.date(2019, 8, 1)])
def test_flows_before_the_decision_are_out_of_the_npv(params, decided):
    """By hand: each appraisal year counts for its share after the decision, discounted
    to the decision date (years before it compounded); the rest is sunk."""
    # the same flows, with optimism bias on the costs of the years after the decision
    retrospective = costmodel.project(params, "calibrated", draws=1, as_of=decided)
    fwd = costmodel.project(
        params, "calibrated", draws=1, decision_date=decided, price_year=retrospective.price_year
    )
    m = retrospective.mean_flows()
    costs, net = m["costs"], m["net"].sum(axis=1)
    start = dt.date(2019, 2, 1)
    years = np.arange(len(costs))
    ends = [dt.date(2020 + t, 2, 1) for t in years]
    after = np.array(
        [min(max((e - decided).days / (e - e.replace(year=e.year - 1)).days, 0), 1) for e in ends]
    )
    offset = round((start - decided).days / 365.25)
    factor = 1.035 ** -(years + offset)
    assert fwd.decision_date == decided.isoformat() and fwd.base_date == decided.isoformat()
    assert float(fwd.appraisal.npv[0]) == pytest.approx(float(factor * after @ (net - costs)))
    assert fwd.sunk["pv_costs"] == pytest.approx(float(factor * (1 - after) @ costs))
    assert fwd.sunk["pv_savings_net"] == pytest.approx(float(factor * (1 - after) @ net))
    # the same flows, split: nothing is lost or counted twice
    whole = factor @ (net - costs)
    assert float(fwd.appraisal.npv[0]) + fwd.sunk["npv"] == pytest.approx(float(whole))


def test_a_decision_is_priced_in_its_financial_year(params):
    fwd = costmodel.project(params, "successor_continue", draws=1, decision_date=DECIDED)
    assert fwd.price_year == "2026/27"
    assert fwd.start_year == "2027-04-01" and fwd.sunk["pv_costs"] == 0
    # every year of a successor starting after the decision counts in full
    assert fwd.appraisal.discount_factors[0] == pytest.approx(1.0)
    assert fwd.to_dict()["decision_date"] == "2026-12-01"


# --- options against a counterfactual ------------------------------------------------


@pytest.fixture(scope="module")
def decision(params):
    spec = load_decision("successor")
    return appraise_options(params, spec, draws=400, seed=3, decision_date=DECIDED)


def test_the_shipped_decision(decision):
    assert decision.counterfactual == "successor_stop"
    assert decision.options == ("successor_do_minimum", "successor_continue", "successor_scale_up")
    assert decision.price_year == "2026/27" and decision.base_date == "2026-12-01"
    stop = decision.projections["successor_stop"]
    assert stop.headlines()["estimate"]["pv_costs"] == 0


def test_options_are_shown_less_the_counterfactual(params):
    """Against a counterfactual that is not zero (do minimum), by hand from the two
    projections: the differences of their means, the ratio of the differences, and the
    per-draw chance of doing better."""
    spec = DecisionSpec(
        name="t",
        description="continue or do the minimum",
        counterfactual="successor_do_minimum",
        options=("successor_continue",),
    )
    res = appraise_options(params, spec, draws=300, seed=4, decision_date=DECIDED)
    a = res.projections["successor_continue"]
    b = res.projections["successor_do_minimum"]
    ha, hb = a.headlines()["estimate"], b.headlines()["estimate"]
    row = res.incremental().loc["successor_continue"]
    assert row["pv_costs"] == pytest.approx(ha["pv_costs"] - hb["pv_costs"])
    assert row["npv"] == pytest.approx(ha["npv"] - hb["npv"])
    assert row["bcr"] == pytest.approx(
        (ha["pv_savings_net"] - hb["pv_savings_net"]) / (ha["pv_costs"] - hb["pv_costs"])
    )
    diff = a.appraisal.npv - b.appraisal.npv
    assert row["p_better"] == pytest.approx((diff > 0).mean())
    assert row["npv_p5"] <= row["npv"] <= row["npv_p95"]
    views = res.perspectives().loc["successor_continue"]
    pa, pb = a.perspectives(), b.perspectives()
    for view in ("fiscal", "economic", "social", "local"):
        assert views.loc[view, "npv"] == pytest.approx(pa.loc[view, "npv"] - pb.loc[view, "npv"])


def test_the_cost_shared_by_benefits_adds_up(decision):
    """By hand: each agency pays the cost times its share of the (positive) benefits;
    the payments add up to the option's cost; its NPV is its benefits less its payment."""
    for option in decision.options:
        share = decision.cost_sharing(option)
        outlay = share.attrs["outlay"]
        a = decision.projections[option].headlines()["estimate"]["pv_costs"]
        assert outlay == pytest.approx(a)  # no income, a zero counterfactual
        for basis in ("cashable", "total"):
            benefits = share[f"benefits_{basis}"].clip(lower=0)
            hand = outlay * benefits / benefits.sum()
            assert share[f"pays_{basis}"].to_numpy() == pytest.approx(hand.to_numpy())
            assert share[f"pays_{basis}"].sum() == pytest.approx(outlay)
            assert share[f"share_{basis}"].sum() == pytest.approx(1.0)
            npv = share[f"benefits_{basis}"] - share[f"pays_{basis}"]
            assert share[f"npv_{basis}"].to_numpy() == pytest.approx(npv.to_numpy())


def test_share_cost_leaves_out_losers_and_nobody_benefiting():
    s = share_cost(100.0, pd.Series({"a": 30.0, "b": 10.0, "c": -5.0}))
    assert s.to_dict() == pytest.approx({"a": 75.0, "b": 25.0, "c": 0.0})
    assert share_cost(100.0, pd.Series({"a": -1.0, "b": 0.0})).isna().all()


def test_each_funders_view(decision):
    """Cash only, cash and capacity, whole remit (police and criminal justice for the
    Commissioner); the funder pays the outlay; the local partnership's cashable total."""
    views = decision.funder_views("successor_continue")
    by = decision.projections["successor_continue"].by_agency()
    assert views["cash"].to_numpy() == pytest.approx(by["cashable"].to_numpy())
    assert views["cash_and_capacity"].to_numpy() == pytest.approx(by["pv_savings_net"].to_numpy())
    assert views.loc["police", "remit"] == pytest.approx(
        by.loc["police", "pv_savings_net"] + by.loc["criminal_justice", "pv_savings_net"]
    )
    assert views.loc["nhs", "remit"] == pytest.approx(by.loc["nhs", "pv_savings_net"])
    assert views.attrs["funder"] == "police"
    assert views.loc["police", "pays"] == pytest.approx(views.attrs["outlay"])
    assert views.drop(index="police")["pays"].eq(0).all()
    local = ["local_authority", "police", "nhs", "schools"]
    assert views.attrs["local_cashable"] == pytest.approx(by.loc[local, "cashable"].sum())


def test_what_is_sunk_is_the_history_before_the_decision(decision, params):
    sunk = decision.sunk()
    hist = costmodel.project(params, "calibrated", draws=400, seed=3, decision_date=DECIDED)
    assert sunk["pv_costs"] == pytest.approx(hist.sunk["pv_costs"])
    assert sunk["pv_costs"] > 1_000_000  # the 2019-22 programme, at 2026/27 prices
    json.dumps(decision.to_dict())  # JSON-ready


def test_options_command(capsys):
    code = main(["options", "--decision-date", "2026-12-01", "--draws", "200", "--format", "json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    assert out["price_year"] == "2026/27" and out["counterfactual"] == "successor_stop"
    assert set(out["cost_sharing"]) == set(out["options"])
    code = main(
        [
            "compare",
            "successor_stop",
            "successor_continue",
            "--counterfactual",
            "successor_stop",
            "--decision-date",
            "2026-12-01",
            "--draws",
            "200",
        ]
    )
    text = capsys.readouterr().out
    assert code == 0 and "each option less successor_stop" in text


def test_a_bad_decision_file_is_one_line(tmp_path):
    root = Path(costmodel.load().root)
    bad = tmp_path / "d.yaml"
    bad.write_text("description: x\ncounterfactual: successor_stop\noptions: [successor_stop]\n")
    with pytest.raises(
        ParameterError, match="the counterfactual 'successor_stop' is not an option"
    ):
        load_decision(bad, root, "northamptonshire")
    bad.write_text("description: x\ncounterfactual: nothing\noptions: [successor_continue]\n")
    with pytest.raises(ParameterError, match="no scenario 'nothing'") as err:
        load_decision(bad, root, "northamptonshire")
    assert len(str(err.value).splitlines()) == 1


# --- outturn ---------------------------------------------------------------------------


def _entries(**years: float) -> dict[str, Entry]:
    return {
        fy.replace("_", "/"): Entry("team", fy.replace("_", "/"), v, "test")
        for fy, v in years.items()
    }


def test_outturn_replaces_the_years_it_covers_by_hand():
    """Quarters of 13 weeks from 1 April 2019, £100 each: 2019/20 (£520 recorded) holds
    quarters 0-3 (91 days each) and the first 2 days of quarter 4."""
    spend = np.full((1, 8), 100.0)
    out = apply_outturn(
        spend, dt.date(2019, 4, 1), 104, _entries(**{"2019_20": 520.0}), lambda fy: 1.0
    )
    days = 4 * 91 + 2
    hand = [520 * 91 / days] * 4 + [100 * 89 / 91 + 520 * 2 / days] + [100.0] * 3
    assert out.spend[0] == pytest.approx(hand)
    assert out.actual == pytest.approx([1, 1, 1, 1, 2 / 91, 0, 0, 0])
    row = out.table.loc["2019/20"]
    assert row["simulated"] == pytest.approx(400 + 100 * 2 / 91)
    assert row["difference"] == pytest.approx(520 - row["simulated"])
    assert out.spend.sum() == pytest.approx(800 - row["simulated"] + 520)


@pytest.fixture()
def ledger_root(tmp_path):
    root = tmp_path / "parameters"
    shutil.copytree(Path(costmodel.load().root), root)
    (root / "areas/northamptonshire/ledger.csv").write_text(
        "programme,financial_year,spend,source\n"
        "team,2019/20,300000,Commissioner's accounts (test)\n"
        'team,2020/21,"£350,000",Commissioner\'s accounts (test)\n'
    )
    return root


def test_a_ledger_replaces_simulated_spend(ledger_root, params):
    """The ledger's years replace the simulation's in the costs: the yearly costs move by
    exactly the difference shown, rebased from each year's cash with the deflator; and
    optimism bias is not added to recorded spend."""
    with_ledger = costmodel.load(root=ledger_root)
    early = dt.date(2018, 1, 1)  # every year still an estimate, but for the ledger
    a = costmodel.project(with_ledger, "calibrated", draws=1, as_of=early)
    b = costmodel.project(params, "calibrated", draws=1, as_of=early)
    table = a.outturn()
    defl = costmodel.deflators(params)
    assert table["outturn"].to_numpy() == pytest.approx(
        [
            300_000 * defl.factor("2019/20", a.price_year),
            350_000 * defl.factor("2020/21", a.price_year),
        ]
    )
    team_a, team_b = a.programme("team"), b.programme("team")
    assert team_a.costs.sum() - team_b.costs.sum() == pytest.approx(table["difference"].sum())
    # 2019/20 covers ten of year 0's twelve months, 2020/21 all of... year 1 (Feb 2020 -
    # Jan 2021) is fully recorded: no optimism bias on it; year 2 partly
    assert team_a.actual[1] == pytest.approx(1.0)
    assert a.appraisal.costs[0, 1] == pytest.approx(team_a.costs[0, 1])
    ob = float(a.inputs.ob_costs[0])
    assert a.appraisal.costs[0, 2] == pytest.approx(
        team_a.costs[0, 2] * (1 + ob * (1 - team_a.actual[2]))
    )
    assert a.to_dict()["outturn"][0]["financial_year"] == "2019/20"


@pytest.mark.parametrize(
    "text, message",
    [
        ("programme,financial_year,spend\nteam,2019/20,1\n", "missing column 'source'"),
        ("programme,financial_year,spend,source\nteam,2019,1,x\n", "not a financial year"),
        ("programme,financial_year,spend,source\nteam,2019/20,-5,x\n", "at least zero"),
        ("programme,financial_year,spend,source\nteam,2019/20,abc,x\n", "not an amount"),
        ("programme,financial_year,spend,source\nteam,2019/20,5,\n", "needs its source"),
        (
            "programme,financial_year,spend,source\nteam,2019/20,5,x\nteam,2019/20,6,x\n",
            "given twice",
        ),
    ],
)
def test_a_bad_ledger_is_one_line(tmp_path, text, message):
    f = tmp_path / "ledger.csv"
    f.write_text(text)
    with pytest.raises(ParameterError, match=message) as err:
        read_ledger(f)
    assert len(str(err.value).splitlines()) == 1 and str(f) in str(err.value)


def test_ledger_years_outside_the_programme_are_not_its_outturn(ledger_root, params):
    """A successor from 2027 uses none of the 2019-21 ledger: its costs are simulated."""
    with_ledger = costmodel.load(root=ledger_root)
    a = costmodel.project(with_ledger, "successor_continue", draws=1)
    b = costmodel.project(params, "successor_continue", draws=1)
    assert a.outturn().empty
    assert a.appraisal.costs == pytest.approx(b.appraisal.costs)
