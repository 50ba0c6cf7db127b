"""Calibration as an update of belief: weights, quantiles, recovery, coverage, and the
shipped calibrated scenario."""

from __future__ import annotations

import dataclasses
import json
import math

import numpy as np
import pandas as pd
import pytest

import costmodel.model.team as team
from costmodel.cli import main
from costmodel.model.calibration import (
    calibrate,
    calibrated_paths,
    effective_sample_size,
    log_weights,
    systematic_resample,
)
from costmodel.params.errors import ParameterError
from costmodel.params.joint import read_joint
from costmodel.params.sampling import sample, weighted_quantile
from costmodel.params.scenarios import apply_scenario, load_scenario
from costmodel.present.calibration import scenario_files

pytestmark = pytest.mark.end_to_end(seconds=17)

CHILDREN = "team.families.children_per_family"


# ------------------------------------------------------------------ the arithmetic


def test_weighted_quantiles_by_hand():
    # equal weights: midpoints at 1/8, 3/8, 5/8, 7/8
    assert weighted_quantile([4, 1, 3, 2], [1, 1, 1, 1], [0.5]) == [2.5]
    assert weighted_quantile([1, 2, 3, 4], [1, 1, 1, 1], [0.125, 0.875]) == [1.0, 4.0]
    # weight 3 on 10 and 1 on 20: midpoints 0.375 and 0.875; the median is a quarter
    # of the way from 10 to 20
    assert weighted_quantile([10, 20], [3, 1], [0.5]) == [12.5]
    assert weighted_quantile([10, 20], [3, 1], [0.1, 0.99]) == [10.0, 20.0]
    # zero weights drop out
    assert weighted_quantile([1, 2, 3, 4], [0, 0, 1, 1], [0.5]) == [3.5]
    with pytest.raises(ValueError):
        weighted_quantile([1, 2], [0, 0], [0.5])


def test_effective_sample_size_by_hand():
    assert effective_sample_size(np.ones(40)) == pytest.approx(40)
    assert effective_sample_size([1, 0, 0, 0]) == pytest.approx(1)
    assert effective_sample_size([0.5, 0.25, 0.25]) == pytest.approx(1 / 0.375)


def test_log_weights_are_the_reporting_error_density():
    obs = [team.Observation("a", 10, families=110.0, children=200.0)]
    got = log_weights(
        {"a.families": np.array([100.0, 110.0]), "a.children": np.array([200.0, 180.0])},
        obs,
        reporting_error=0.1,
    )
    # run 1: families z = 1 with sd 10, children exact with sd 20
    first = -0.5 - math.log(10) - math.log(20)
    # run 2: families exact with sd 11, children z = 20/18 with sd 18
    second = -math.log(11) - 0.5 * (20 / 18) ** 2 - math.log(18)
    np.testing.assert_allclose(got, [first, second])
    # a run with no families cannot have produced a positive report
    zero = log_weights({"a.families": np.array([0.0]), "a.children": np.array([1.0])}, obs, 0.1)
    assert zero[0] == -np.inf


def test_systematic_resampling_keeps_the_weights():
    rows = systematic_resample(np.array([0.5, 0.25, 0.25]), 4, np.random.default_rng(0))
    assert np.bincount(rows, minlength=3).tolist() == [2, 1, 1]
    rows = systematic_resample(np.array([0.0, 1.0, 0.0]), 5, np.random.default_rng(1))
    assert set(rows) == {1}


# ------------------------------------------------------------------ recovering the truth


def test_calibration_recovers_a_known_number_of_children(params):
    """Reports made by the model itself with 2.3 children a family, far from the prior's
    1.7: the posterior moves to it and its 90% interval holds it."""
    truth = team.with_runs(team.reach_inputs(params, runs=400), {"children_per_family": 2.3})
    sim = team.simulate_reach(truth, seed=21, weeks=113)
    families = float(sim.total("started").mean() + sim.total("light_touch_contacted").mean())
    children = float(sim.total("children_started").mean() + sim.total("children_contacted").mean())
    obs = [team.Observation("synthetic", 113, families, children)]
    cal = calibrate(params, observations=obs, runs=6000, seed=2, check_runs=500)
    row = cal.summary.loc[CHILDREN]
    assert abs(row["posterior_mean"] - 2.3) < abs(row["prior_mean"] - 2.3) / 2
    assert row["posterior_p5"] <= 2.3 <= row["posterior_p95"]
    assert cal.effective_sample_size > 100


def test_posterior_intervals_cover_the_truth_nine_times_in_ten(params):
    """Simulation-based calibration: truths drawn from the prior, reports made from
    them with the stated reporting error; the 90% posterior intervals must hold the
    truth about 90% of the time. One table of prior runs serves every synthetic set."""
    prior_runs, sets, error = 6000, 60, 0.05
    rng = np.random.default_rng(31)
    inputs = team.reach_inputs(params, runs=prior_runs + sets, rng=rng)
    obs_week = 113
    inputs = dataclasses.replace(inputs, observed=(team.Observation("x", obs_week, 1.0, 1.0),))
    sim = team.simulate_reach(inputs, seed=32, weeks=obs_week)
    counts = sim.at_week[obs_week]
    fam, kids = counts["families_supported"], counts["children_supported"]
    table = inputs.values
    checked = [CHILDREN, "team.light_touch.hours_per_family", "team.direct_work.caseload"]
    hits, trials = 0, 0
    for j in range(prior_runs, prior_runs + sets):
        report = team.Observation(
            "x",
            obs_week,
            families=fam[j] * (1 + error * rng.standard_normal()),
            children=kids[j] * (1 + error * rng.standard_normal()),
        )
        logw = log_weights(
            {"x.families": fam[:prior_runs], "x.children": kids[:prior_runs]}, [report], error
        )
        w = np.exp(logw - logw.max())
        for path in checked:
            x = table[path].to_numpy()[:prior_runs]
            lo, hi = weighted_quantile(x, w, [0.05, 0.95])
            hits += lo <= table[path].iloc[j] <= hi
            trials += 1
    coverage = hits / trials
    # 180 trials (correlated within a set): 90% expected; allow sampling error
    assert 0.80 <= coverage <= 0.97, coverage


# ------------------------------------------------------------------ the shipped scenario


@pytest.fixture(scope="module")
def shipped_calibration(params):
    return calibrate(params, runs=20_000, seed=1)


def test_the_shipped_calibrated_scenario_is_what_calibration_gives(
    params, shipped_calibration, tmp_path
):
    """`costmodel calibrate --seed 1 --save
    parameters/areas/northamptonshire/scenarios/calibrated.yaml`
    reproduces the shipped files exactly."""
    files = scenario_files(shipped_calibration, tmp_path / "calibrated.yaml")
    shipped = params.root / "areas" / "northamptonshire" / "scenarios"
    for path, blob in files.items():
        assert (shipped / path.name).read_bytes() == blob, path.name


def test_the_calibrated_case_holds_the_reported_counts_in_its_band(params):
    calibrated = apply_scenario(params, "calibrated")
    res = team.reach(calibrated, runs=4000, seed=5)
    rep = res.reported().set_index("measure")
    assert list(rep["reported"]) == [830, 1541]
    for measure in ("families supported", "children supported"):
        r = rep.loc[measure]
        assert r["modelled_p5"] <= r["reported"] <= r["modelled_p95"]
        assert 10 < r["reported_percentile"] < 90
    # before calibration the reports sit further out
    prior = team.reach(params, runs=4000, seed=5).reported().set_index("measure")
    for measure in ("families supported", "children supported"):
        assert abs(prior.loc[measure, "reported_percentile"] - 50) > abs(
            rep.loc[measure, "reported_percentile"] - 50
        )


def test_the_calibrated_scenario_draws_whole_posterior_rows(params):
    calibrated = apply_scenario(params, "calibrated")
    joint = calibrated.joint
    assert joint is not None and set(joint.paths) == set(calibrated_paths(params))
    table = sample(calibrated, 500, np.random.default_rng(3), joint.paths)
    rows = set(map(tuple, joint.table[list(joint.paths)].to_numpy()))
    assert all(tuple(r) in rows for r in table[list(joint.paths)].to_numpy())
    # central runs use the posterior medians the scenario sets
    central = sample(calibrated, 2, None, [CHILDREN])
    assert central[CHILDREN].iloc[0] == pytest.approx(
        float(np.median(joint.table[CHILDREN])), rel=0.02
    )
    # a value set by hand leaves the joint draws: the parameter follows its own
    # distribution about the new value, or is fixed without one
    moved = calibrated.with_values({CHILDREN: 2.5})
    assert CHILDREN not in moved.joint.paths
    drawn = sample(moved, 4000, np.random.default_rng(4), [CHILDREN])[CHILDREN]
    assert drawn.mean() == pytest.approx(2.5, rel=0.02)
    fixed = calibrated.with_values({CHILDREN: {"value": 2.0, "distribution": None}})
    assert (sample(fixed, 50, np.random.default_rng(4), [CHILDREN])[CHILDREN] == 2.0).all()
    # a scenario based on the calibrated one keeps its draws
    assert apply_scenario(params, "cautious").joint is not None


def test_bad_draws_files_are_one_line_errors(params, tmp_path):
    good = "team.direct_work.caseload,team.staff.advice_share\n12,0.2\n13,0.3\n"
    cases = {
        "unknown parameter": "team.direct_work.caseloads\n12\n",
        "is not a number": "team.direct_work.caseload\ntwelve\n",
        r"outside \[0, 1\]": "team.staff.advice_share\n0.2\n1.4\n",
        "values for 2 columns": "team.direct_work.caseload,team.staff.advice_share\n12\n",
        "no rows of values": "team.direct_work.caseload\n",
        "only single-valued": "team.referrals.by_source\n1\n",
        "column given twice": "team.direct_work.caseload,team.direct_work.caseload\n1,2\n",
    }
    path = tmp_path / "d.draws.csv"
    path.write_text(good)
    assert len(read_joint(path, params).table) == 2
    for message, text in cases.items():
        path.write_text(text)
        with pytest.raises(ParameterError, match=message) as err:
            read_joint(path, params)
        assert len(str(err.value).splitlines()) == 1 and str(path) in str(err.value)
    scenario = tmp_path / "scenarios" / "mine.yaml"
    scenario.parent.mkdir()
    scenario.write_text("description: d\ndraws: missing.csv\noverrides: {}\n")
    with pytest.raises(ParameterError, match="not found next to the scenario"):
        load_scenario(scenario)


def test_a_scenario_can_add_a_staffing_step(params, tmp_path):
    path = tmp_path / "more_da.yaml"
    path.write_text(
        """description: Four more domestic abuse practitioners from April 2021.
based_on: central
parameters:
  team:
    staffing_steps:
      more_practitioners:
        date: {value: 2021-04-01, unit: date, status: assumed, confidence: low,
               rationale: a test step, source: {title: test}, description: From when.}
        posts: {value: {manager: 1, practitioner: 6, light_touch: 6}, unit: post,
                status: assumed, confidence: low, rationale: a test step,
                source: {title: test}, description: Posts by role.}
overrides: {}
"""
    )
    p = apply_scenario(params, str(path))
    steps = team.reach_inputs(p, runs=2).staffing_steps
    assert [s.name for s in steps] == [
        "domestic_abuse_practitioners",
        "more_practitioners",
        "domestic_abuse_expansion",  # 2023: after the programme, history for a successor
    ]
    assert steps[1].posts["light_touch"] == 6 and steps[1].funding == 0


# ------------------------------------------------------------------ the command line


def test_cli_calibrate_prints_prior_posterior_and_check(capsys, tmp_path):
    out = tmp_path / "mine.yaml"
    argv = ["calibrate", "--runs", "3000", "--seed", "4", "--save", str(out)]
    assert main([*argv, "--format", "json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["prior_runs"] == 3000 and d["effective_sample_size"] > 100
    assert {r["parameter"] for r in d["parameters"]} == set(calibrated_paths(load_params()))
    assert {r["measure"] for r in d["predictive_check"]} == {
        "families supported",
        "children supported",
    }
    assert out.exists() and (tmp_path / "mine.draws.csv").exists()
    assert main(["reach", "--runs", "200", "--scenario", str(out)]) == 0
    assert "Modelled against reported" in capsys.readouterr().out
    # saving again without --force is refused before any work, and leaves the files be
    before = out.read_bytes()
    assert main(argv) == 1
    assert "exists" in capsys.readouterr().err and out.read_bytes() == before
    assert main(["calibrate", "--runs", "3000", "--observed", "families=650,weeks=100"]) == 0
    text = capsys.readouterr().out
    assert "families supported in 100 weeks" in text and "Effective sample size" in text


@pytest.mark.parametrize(
    "observed, message",
    [
        ("families=830", "give at least families=N and weeks=W"),
        ("families=lots,weeks=10", "families must be a number"),
        ("people=3,weeks=10", "write families=N"),
        ("families=10,weeks=2.5", "weeks must be a whole number"),
        ("families=10,weeks=400", "outside the programme's 156 weeks"),
        ("families=100000,weeks=10", "far outside what the prior allows"),
    ],
)
def test_cli_calibrate_rejects_bad_reports(capsys, observed, message):
    assert main(["calibrate", "--runs", "500", "--observed", observed]) != 0
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1


def load_params():
    from costmodel.params.store import load

    return load()


def test_posterior_table_has_one_row_per_parameter(shipped_calibration):
    s = shipped_calibration.summary
    assert isinstance(s, pd.DataFrame) and list(s.index) == list(shipped_calibration.paths)
    assert (s["posterior_p5"] <= s["posterior_p50"]).all()
    assert (s["posterior_p50"] <= s["posterior_p95"]).all()


def test_the_tornado_of_a_calibrated_parameter_spans_its_posterior(params):
    from costmodel.analysis.sensitivity import one_way

    calibrated = apply_scenario(params, "calibrated")
    t = one_way(calibrated, model=lambda p: p.value(CHILDREN), parameters=[CHILDREN])
    posterior = calibrated.joint.table[CHILDREN].to_numpy()
    assert t.loc[CHILDREN, "low"] == pytest.approx(np.quantile(posterior, 0.05))
    assert t.loc[CHILDREN, "high"] == pytest.approx(np.quantile(posterior, 0.95))
    # the prior's range is wider
    prior = one_way(params, model=lambda p: p.value(CHILDREN), parameters=[CHILDREN])
    assert prior.loc[CHILDREN, "high"] - prior.loc[CHILDREN, "low"] > (
        t.loc[CHILDREN, "high"] - t.loc[CHILDREN, "low"]
    )
