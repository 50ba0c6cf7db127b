"""The project and compare commands, and every shipped scenario through the CLI."""

from __future__ import annotations

import json

import pytest

from costmodel.cli import main
from costmodel.params.scenarios import list_scenarios

pytestmark = pytest.mark.end_to_end(seconds=23)


def test_project_json_has_the_documented_keys(capsys):
    assert main(["project", "--draws", "400", "--seed", "2", "--format", "json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["scenario"] == "calibrated" and d["draws"] == 400 and d["price_year"] == "2018/19"
    reported = {r["measure"]: r for r in d["reach_reported_against_modelled"]}
    assert reported["families supported"]["reported"] == 830
    r = reported["children supported"]
    assert r["modelled_p5"] <= r["modelled_mean"] <= r["modelled_p95"]
    for k in ("pv_costs", "pv_savings_gross", "pv_savings_net", "npv", "bcr"):
        assert set(d[k]) == {"mean", "p5", "p50", "p95"}
    assert 0 <= d["p_npv_positive"] <= 1
    for k in ("payback_years", "break_even_families", "savings_by_agency"):
        assert k in d
    total = sum(v["pv_savings_net"] for v in d["savings_by_agency"].values())
    assert total == pytest.approx(d["pv_savings_net"]["mean"], rel=1e-9)
    # headlines say how each is formed, and agree with the per-draw means where they should
    h = d["headlines"]
    assert h["npv"] == {"estimate": pytest.approx(d["npv"]["mean"]), "basis": "mean"}
    assert h["bcr"]["basis"] == "ratio_of_means"
    assert h["bcr"]["estimate"] == pytest.approx(
        d["pv_savings_net"]["mean"] / d["pv_costs"]["mean"]
    )
    assert "npv_central" in h  # the command line states the NPV at central values too
    recon = d["family_cost_reconciliation"]
    assert recon["not_modelled"] == pytest.approx(recon["published"] - recon["modelled"])
    assert d["npv"]["mean"] == pytest.approx(d["pv_savings_net"]["mean"] - d["pv_costs"]["mean"])
    # gross is never less than net
    assert d["pv_savings_gross"]["mean"] >= d["pv_savings_net"]["mean"]


@pytest.mark.parametrize("name", sorted(list_scenarios()))
def test_every_shipped_scenario_runs(capsys, name):
    assert main(["project", "--scenario", name, "--draws", "200", "--format", "json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["scenario"] == name
    if name == "no_team":
        assert d["pv_costs"]["mean"] == 0 and d["pv_savings_net"]["mean"] == 0
        assert d["p_npv_positive"] == 0


def test_project_table_price_year_and_errors(capsys):
    assert main(["project", "--draws", "1", "--price-year", "2024/25"]) == 0
    out = capsys.readouterr().out
    assert "2024/25 prices" in out and "Net present value" in out and "Who saves" in out
    assert main(["project", "--draws", "0"]) == 1
    assert "--draws" in capsys.readouterr().err
    assert main(["project", "--scenario", "rosy"]) == 1
    assert "no scenario 'rosy'" in capsys.readouterr().err


def test_compare_orders_the_scenarios(capsys):
    assert (
        main(
            [
                "compare",
                "cautious",
                "calibrated",
                "optimistic",
                "--draws",
                "300",
                "--format",
                "json",
            ]
        )
        == 0
    )
    d = json.loads(capsys.readouterr().out)
    assert d["cautious"]["npv"] < d["calibrated"]["npv"] < d["optimistic"]["npv"]
    assert d["cautious"]["pv_costs"] == pytest.approx(d["calibrated"]["pv_costs"])
