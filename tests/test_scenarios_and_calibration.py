"""Scenario files are validated strictly; the reach command line."""

from __future__ import annotations

import json

import numpy as np
import pytest

import costmodel
import costmodel.model.team as r
from costmodel.cli import main
from costmodel.params.errors import ParameterError
from costmodel.params.scenarios import apply_scenario, list_scenarios, load_scenario


def write(tmp_path, name, text):
    folder = tmp_path / "scenarios"
    folder.mkdir(exist_ok=True)
    f = folder / f"{name}.yaml"
    f.write_text(text)
    return f


def test_shipped_scenarios_load_and_apply(params):
    names = list_scenarios()
    assert {"central", "full_strength"} <= set(names)
    for name in names:
        p = apply_scenario(params, name)
        assert isinstance(p, costmodel.ParameterSet)
    full = apply_scenario(params, "full_strength")
    assert full.value("team.staff.recruitment_lag") == 0
    assert full["team.staff.recruitment_lag"].distribution is None
    assert apply_scenario(params, "central").fingerprint() == params.fingerprint()


def test_unknown_path_is_named(params, tmp_path):
    f = write(tmp_path, "typo", "description: x\noverrides:\n  team.staff.postz: 5\n")
    with pytest.raises(ParameterError) as exc:
        load_scenario(f, params=params)
    msg = str(exc.value)
    assert "team.staff.postz" in msg and "did you mean 'team.staff.posts'" in msg
    assert str(f) in msg and "\n" not in msg


def test_bad_value_and_bad_keys(params, tmp_path):
    f = write(tmp_path, "bad", "description: x\noverrides:\n  team.staff.advice_share: 1.4\n")
    with pytest.raises(ParameterError, match=r"team\.staff\.advice_share: 1\.4 is above 1"):
        load_scenario(f, params=params)
    g = write(tmp_path, "keys", "description: x\noverride: {}\n")
    with pytest.raises(ParameterError, match="unknown key 'override'"):
        load_scenario(g)


def test_based_on_merges_and_loops_are_caught(params, tmp_path):
    write(
        tmp_path,
        "a",
        "description: a\noverrides:\n  team.staff.posts: 5\n  team.direct_work.caseload: 10\n",
    )
    b = write(
        tmp_path, "b", "description: b\nbased_on: a\noverrides:\n  team.direct_work.caseload: 8\n"
    )
    s = load_scenario(b, root=tmp_path, params=params)
    assert dict(s.overrides) == {"team.staff.posts": 5, "team.direct_work.caseload": 8}
    write(tmp_path, "c", "description: c\nbased_on: d\n")
    d = write(tmp_path, "d", "description: d\nbased_on: c\n")
    with pytest.raises(ParameterError, match="loop"):
        load_scenario(d, root=tmp_path)


def test_cli_reach_json_and_scenarios(capsys):
    assert main(["reach", "--runs", "200", "--seed", "3", "--format", "json"]) == 0
    d = json.loads(capsys.readouterr().out)
    for key in (
        "families_started",
        "families_completed",
        "families_reached_indirectly",
        "spend",
        "cost_per_family_started",
    ):
        assert set(d[key]) == {"mean", "p5", "p50", "p95"}
        assert d[key]["p5"] <= d[key]["p50"] <= d[key]["p95"]
    assert d["runs"] == 200 and d["seed"] == 3
    assert len(d["by_quarter"]) == 12
    assert sum(q["families_started"]["mean"] for q in d["by_quarter"]) == pytest.approx(
        d["families_started"]["mean"]
    )
    # the budget and the funding that came with the domestic abuse practitioners
    assert d["spend"]["p95"] <= 1_130_000
    assert {t for t in d["tiers"]} == {"casework", "light_touch", "advice"}
    (families, children) = d["reported_against_modelled"]
    assert families["reported"] == 830 and children["reported"] == 1541
    assert main(["reach", "--runs", "50", "--scenario", "full_strength", "--format", "csv"]) == 0
    assert "started,total" in capsys.readouterr().out
    assert main(["reach", "--runs", "50"]) == 0
    assert "Families starting direct work" in capsys.readouterr().out
    assert main(["scenarios"]) == 0
    assert "full_strength" in capsys.readouterr().out


def test_cli_reach_is_reproducible_and_rejects_bad_input(capsys):
    main(["reach", "--runs", "100", "--seed", "9", "--format", "json"])
    a = capsys.readouterr().out
    main(["reach", "--runs", "100", "--seed", "9", "--format", "json"])
    assert capsys.readouterr().out == a
    assert main(["reach", "--runs", "0"]) == 1
    assert "--runs" in capsys.readouterr().err
    assert main(["reach", "--scenario", "no_such"]) == 1
    assert "no scenario 'no_such'" in capsys.readouterr().err


def test_full_strength_reaches_more_than_central(params):
    central = r.reach(params, runs=1000, seed=2, parameter_uncertainty=False)
    full = r.reach(
        apply_scenario(params, "full_strength"), runs=1000, seed=2, parameter_uncertainty=False
    )
    assert full.total("started").mean() > central.total("started").mean()
    assert np.all(full.total("spend") <= full.inputs.funding_total())


def test_reach_and_baseline_take_a_scenario_as_project_does(params):
    """``scenario=`` is the scenario applied first: the same result as applying it by
    hand, and not the result without it (scale_up adds posts; the area's total is kept)."""
    scaled = apply_scenario(params, "scale_up")
    by_name = costmodel.reach(params, "scale_up", runs=20, seed=3).totals()
    by_hand = costmodel.reach(scaled, runs=20, seed=3).totals()
    plain = costmodel.reach(params, runs=20, seed=3).totals()
    assert by_name.equals(by_hand)
    assert by_name.loc["started", "mean"] > plain.loc["started", "mean"]
    assert costmodel.baseline(params, scenario="scale_up").total == (
        costmodel.baseline(scaled).total
    )


def test_a_scenario_needs_the_loaded_parameters():
    with pytest.raises(costmodel.CostModelError, match=r"parameters from costmodel\.load"):
        costmodel.reach({"team.budget.total": 1}, "central", runs=2)
