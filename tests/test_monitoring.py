"""Local monitoring data: reading the template, the Bayesian update of the effects, the
synthetic example, and the value of a local sample of a given size.

The update is checked against a normal–normal update written out here by hand, and on
counts drawn from known effects: the posterior moves from the prior towards the effect
the counts came from, and narrows as more families are counted.
"""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path
from statistics import NormalDist
from types import SimpleNamespace

import numpy as np
import pytest
import yaml

import costmodel
from costmodel.analysis import monitoring as mon
from costmodel.params.errors import ParameterError
from costmodel.params.monitoring import COLUMNS, read_monitoring

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "docs" / "monitoring-template.csv"
EXAMPLE = ROOT / "docs" / "examples" / "synthetic_monitoring.csv"
SPEC = EXAMPLE.with_suffix(".yaml")
MAKER = ROOT / "docs" / "examples" / "make_synthetic_monitoring.py"
HEADER = ",".join(COLUMNS)
GOOD = "antisocial_behaviour,12,100,20,100,30,waiting list,2023-24,case system"
Z95 = NormalDist().inv_cdf(0.95)


def maker():
    spec = importlib.util.spec_from_file_location("make_synthetic_monitoring", MAKER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def write(tmp_path: Path, text: str, name: str = "monitoring.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def as_monitoring(frame, tmp_path: Path, name: str):
    path = tmp_path / name
    frame.to_csv(path, index=False)
    return read_monitoring(path)


def with_bias(params, sd: float, mean: float = 0.0):
    return params.with_values(
        {mon.BIAS: {"value": mean, "distribution": {"type": "normal", "sd": sd}}}
    )


# --------------------------------------------------------------------------- reading


def test_the_template_is_the_header_alone():
    m = read_monitoring(TEMPLATE)
    assert len(m) == 0 and m.to_frame().columns.tolist() == list(COLUMNS[1:])


def test_a_good_file_reads():
    m = read_monitoring(EXAMPLE)
    assert m.outcomes == (
        "antisocial_behaviour",
        "domestic_abuse",
        "school_exclusion",
        "child_enters_care",
    )
    r = m.row("antisocial_behaviour")
    assert (r.supported_families, r.comparison_families, r.follow_up_months) == (400, 400, 12.0)
    assert r.row == 2
    assert r.supported_proportion == r.supported_with_outcome / 400


@pytest.mark.parametrize(
    "text, where, words",
    [
        ("", "row 1", "empty"),
        (HEADER.replace(",source", "") + "\n", "row 1", "missing column 'source'"),
        (HEADER + ",notes\n", "row 1", "unknown column 'notes'"),
        (HEADER + ",period\n", "row 1", "appears twice"),
        (f"{HEADER}\n{GOOD}\nschool_exclusion,12,100,2.5,100,3,w,p,s\n", "row 3", "whole"),
        (f"{HEADER}\nschool_exclusion,12,100,two,100,3,w,p,s\n", "row 2", "whole"),
        (f"{HEADER}\nschool_exclusion,12,100,2,-100,3,w,p,s\n", "row 2", "not negative"),
        (f"{HEADER}\nschool_exclusion,12,100,101,100,3,w,p,s\n", "row 2", "more than"),
        (f"{HEADER}\nschool_exclusion,12,100,1,100,300,w,p,s\n", "row 2", "more than"),
        (f"{HEADER}\nschool_exclusion,0,100,1,100,3,w,p,s\n", "row 2", "above zero"),
        (f"{HEADER}\nschool_exclusion,-6,100,1,100,3,w,p,s\n", "row 2", "above zero"),
        (f"{HEADER}\nschool_exclusion,a year,100,1,100,3,w,p,s\n", "row 2", "above zero"),
        (f"{HEADER}\nschool_exclusion,12,0,0,100,3,w,p,s\n", "row 2", "at least 1"),
        (f"{HEADER}\n{GOOD}\n\n{GOOD}\n", "row 4", "already recorded in row 2"),
        (f"{HEADER}\nschool_exclusion,12,100,1,100,3,w,p,\n", "row 2", "empty"),
        (f"{HEADER}\nschool_exclusion,12,100,1,100,3,,p,s\n", "row 2", "empty"),
        (f"{HEADER}\nSchool Exclusion,12,100,1,100,3,w,p,s\n", "row 2", "not an outcome name"),
        (f"{HEADER}\nschool_exclusion,12,100,1,100,3,w,p\n", "row 2", "8 cells"),
        (f'{HEADER}\nschool_exclusion,12,100,1,100,3,"w"x,p,s\n', "row 2", "not a CSV"),
    ],
)
def test_bad_files_are_refused_in_one_line(tmp_path, text, where, words):
    path = write(tmp_path, text)
    with pytest.raises(ParameterError) as err:
        read_monitoring(path)
    message = str(err.value)
    assert "\n" not in message
    assert str(path) in message and where in message and words in message


def test_the_column_is_named(tmp_path):
    path = write(tmp_path, f"{HEADER}\nschool_exclusion,12,100,101,100,3,w,p,s\n")
    with pytest.raises(ParameterError, match=r"row 2: supported_with_outcome: 101 families"):
        read_monitoring(path)


def test_missing_and_binary_files_are_refused(tmp_path):
    for path, words in [
        (tmp_path / "nowhere.csv", "no such file"),
        (tmp_path, "not a file"),
    ]:
        with pytest.raises(ParameterError, match=words) as err:
            read_monitoring(path)
        assert "\n" not in str(err.value)
    binary = tmp_path / "book.xlsx"
    binary.write_bytes(b"PK\x03\x04\x14\x00\x00\x00\x08\x00\xff\xfe\x00")
    with pytest.raises(ParameterError, match="not a CSV file") as err:
        read_monitoring(binary)
    assert str(binary) in str(err.value) and "\n" not in str(err.value)


def test_an_outcome_the_model_does_not_know_is_refused(params, tmp_path):
    path = write(tmp_path, f"{HEADER}\n{GOOD}\nschool_suspension,12,100,1,100,3,w,p,s\n")
    with pytest.raises(ParameterError) as err:
        mon.update(params, read_monitoring(path), draws=200)
    message = str(err.value)
    assert "\n" not in message and str(path) in message
    assert "row 3: outcome" in message and "'school_suspension'" in message
    empty = read_monitoring(TEMPLATE)
    with pytest.raises(ParameterError, match="no rows"):
        mon.update(params, empty, draws=200)


# --------------------------------------------------------------------------- the update


def test_a_normal_normal_update_by_hand():
    # prior θ ~ N(-0.2, 0.1²); estimate L = -0.5 with variance 0.04; bias N(0.1, 0.2²)
    mean, sd, share = mon.normal_update(-0.2, 0.1, -0.5, 0.04, 0.1, 0.2)
    prior_precision = 1 / 0.01
    local_precision = 1 / (0.04 + 0.04)
    precision = prior_precision + local_precision  # 100 + 12.5
    assert sd == pytest.approx(math.sqrt(1 / precision), rel=1e-12)
    assert mean == pytest.approx((100 * -0.2 + 12.5 * (-0.5 - 0.1)) / 112.5, rel=1e-12)
    assert share == pytest.approx(12.5 / 112.5, rel=1e-12)
    # the log risk ratio and its variance from a 2×2 table, and with an empty cell
    assert mon.log_risk_ratio(20, 100, 40, 100) == pytest.approx(
        (math.log(0.2 / 0.4), 1 / 20 - 1 / 100 + 1 / 40 - 1 / 100)
    )
    assert mon.log_risk_ratio(0, 50, 4, 60) == pytest.approx(
        (math.log((0.5 / 51) / (4.5 / 61)), 1 / 0.5 - 1 / 51 + 1 / 4.5 - 1 / 61)
    )
    # r = 1 − e^θ for θ ~ N(m, s²)
    s = mon.reduction_summary(-0.2, 0.1)
    assert s["mean"] == pytest.approx(1 - math.exp(-0.2 + 0.005))
    assert s["sd"] == pytest.approx(math.exp(-0.195) * math.sqrt(math.exp(0.01) - 1))
    assert s["p5"] == pytest.approx(1 - math.exp(-0.2 + Z95 * 0.1))
    assert s["p95"] == pytest.approx(1 - math.exp(-0.2 - Z95 * 0.1))


def test_the_update_table_is_the_hand_computation(params, tmp_path):
    path = write(tmp_path, f"{HEADER}\n{GOOD}\n")
    u = mon.update(params, read_monitoring(path), seed=5, draws=4000)
    row = u.table.loc["antisocial_behaviour"]
    # the prior is the normal fitted to log(1 − r) of the model's draws of the effect
    draws = mon.prior_effects(params, draws=4000, seed=5)["antisocial_behaviour"].to_numpy()
    theta = np.log(1 - np.minimum(draws, 0.99))
    m0, s0 = theta.mean(), theta.std(ddof=1)
    assert (row.prior_log_mean, row.prior_log_sd) == pytest.approx((m0, s0), rel=1e-12)
    bias = params[mon.BIAS]
    b_mean, b_sd = float(bias.value), float(bias.distribution.params["sd"])
    est = math.log(0.20 / 0.30)
    var = 1 / 20 - 1 / 100 + 1 / 30 - 1 / 100
    w0, w1 = 1 / s0**2, 1 / (var + b_sd**2)
    mean = (w0 * m0 + w1 * (est - b_mean)) / (w0 + w1)
    sd = math.sqrt(1 / (w0 + w1))
    assert row.local_log_ratio == pytest.approx(est)
    assert row.local_effect == pytest.approx(1 - 0.2 / 0.3)
    assert row.local_se == pytest.approx((0.2 / 0.3) * math.sqrt(var))
    assert row.posterior_log_mean == pytest.approx(mean, rel=1e-12)
    assert row.posterior_log_sd == pytest.approx(sd, rel=1e-12)
    assert row.local_share == pytest.approx(w1 / (w0 + w1), rel=1e-12)
    assert row.posterior_mean == pytest.approx(1 - math.exp(mean + sd**2 / 2), rel=1e-12)
    assert row.posterior_p5 == pytest.approx(1 - math.exp(mean + Z95 * sd), rel=1e-9)
    assert row.prior_mean == pytest.approx(1 - math.exp(m0 + s0**2 / 2), rel=1e-12)
    # the fitted prior's mean is close to the mean of the draws themselves
    assert row.prior_mean == pytest.approx(draws.mean(), abs=0.005)


def test_the_prior_is_the_effect_the_model_applies(params):
    from costmodel.model.savings import savings_correlations, savings_inputs, savings_paths
    from costmodel.params.sampling import sample

    prior = mon.prior_effects(params, draws=500, seed=3)
    values = sample(
        params, 500, np.random.default_rng(3), savings_paths(params), savings_correlations(params)
    )
    inputs = savings_inputs(params, "2024/25", values=values)
    keep = (1 - inputs.deadweight) * (1 - inputs.attribution)
    for j, o in enumerate(inputs.outcomes):
        factor = 1.0 if inputs.counterfactual[j] else keep
        assert np.allclose(prior[o], inputs.effect[:, j] * factor)


def test_the_example_moves_each_effect_towards_the_truth(params):
    spec = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
    u = mon.update(params, read_monitoring(EXAMPLE))
    t = u.table
    for o, truth in spec["effects"].items():
        prior, post = t.loc[o, "prior_mean"], t.loc[o, "posterior_mean"]
        assert np.sign(post - prior) == np.sign(truth - prior), o
        assert abs(post - truth) < abs(prior - truth), o
        assert t.loc[o, "posterior_sd"] < t.loc[o, "prior_sd"], o
        assert 0 < t.loc[o, "local_share"] < 1


def test_more_families_narrow_the_posterior_towards_the_truth(params, tmp_path):
    effects = {"antisocial_behaviour": 0.3, "school_exclusion": 0.35}
    base = {"antisocial_behaviour": 0.35, "school_exclusion": 0.08}
    tight = with_bias(params, 0.02)  # a comparison group all but free of bias
    for p, name in [(params, "stated bias"), (tight, "little bias")]:
        tables = []
        for n in (100, 1_000, 10_000):
            frame = mon.synthetic_monitoring(effects, base, n, n, 12, np.random.default_rng(11))
            tables.append(mon.update(p, as_monitoring(frame, tmp_path, f"n{n}.csv")).table)
        for o, truth in effects.items():
            width = [t.loc[o, "posterior_p95"] - t.loc[o, "posterior_p5"] for t in tables]
            share = [t.loc[o, "local_share"] for t in tables]
            miss = [abs(t.loc[o, "posterior_mean"] - truth) for t in tables]
            assert width[0] > width[1] > width[2], (name, o, width)
            assert share[0] < share[1] < share[2], (name, o, share)
            assert miss[2] < miss[0], (name, o, miss)
            if p is tight:
                assert miss[0] > miss[1] > miss[2], (name, o, miss)
        if p is tight:  # with little bias, many families come to outweigh the prior
            for o, truth in effects.items():
                last = tables[-1].loc[o]
                # three quarters of the way from the prior to the truth, at least
                assert abs(last.posterior_mean - truth) < 0.25 * abs(last.prior_mean - truth)
                assert last.local_share > 0.5  # the local data carry most of it


def test_an_uncertain_bias_weighs_the_local_data_less(params):
    m = read_monitoring(EXAMPLE)
    low = mon.update(with_bias(params, 0.1), m, draws=4000).table
    high = mon.update(with_bias(params, 0.4), m, draws=4000).table
    assert (high["local_share"] < low["local_share"]).all()
    assert (high["posterior_sd"] > low["posterior_sd"]).all()
    # a comparison group believed to fare better than the supported families would have
    # without support (bias > 0) makes the same counts a larger effect
    shifted = mon.update(with_bias(params, 0.1, mean=0.2), m, draws=4000).table
    assert (shifted["posterior_mean"] > low["posterior_mean"]).all()


def test_the_bias_shifts_the_synthetic_log_ratio():
    frame = mon.synthetic_monitoring(
        {"child_enters_care": 0.2},
        {"child_enters_care": 0.3},
        200_000,
        200_000,
        12,
        np.random.default_rng(2),
        bias=0.25,
    )
    r = frame.iloc[0]
    est, _ = mon.log_risk_ratio(
        r.supported_with_outcome,
        r.supported_families,
        r.comparison_with_outcome,
        r.comparison_families,
    )
    assert est == pytest.approx(math.log(0.8) + 0.25, abs=0.01)
    assert list(frame.columns) == list(COLUMNS)


def test_the_example_file_is_what_its_generator_makes():
    m = maker()
    assert m.as_csv(m.generate()) == EXAMPLE.read_text(encoding="utf-8")


def test_the_overrides_set_the_posterior(params):
    u = mon.update(params, read_monitoring(EXAMPLE), draws=4000)
    overrides = u.overrides()
    assert set(overrides) == {f"savings.outcomes.{o}.effect" for o in u.table.index}
    updated = params.with_values(overrides)
    for o, row in u.table.iterrows():
        p = updated[f"savings.outcomes.{o}.effect"]
        assert p.value == pytest.approx(row.posterior_mean)
        assert p.distribution.family == "normal"
        assert p.distribution.params["sd"] == pytest.approx(row.posterior_sd)
        assert p.status == "derived" and str(EXAMPLE) in p.method


# --------------------------------------------------------------------------- sample size


@pytest.fixture(scope="module")
def projection():
    return costmodel.project(costmodel.load(), "calibrated", draws=2000, seed=1)


def test_sample_size_value_rises_with_n_and_stays_below_the_evppi(params, projection):
    # the calibrated case is clearly negative, so centre its NPV to make the decision close
    npv = projection.appraisal.npv
    close = SimpleNamespace(
        inputs=projection.inputs, appraisal=SimpleNamespace(npv=npv - np.median(npv))
    )
    biased = mon.sample_size_value(close, "antisocial_behaviour", params=params)
    free = mon.sample_size_value(close, "antisocial_behaviour", bias_sd=0.0)
    for v in (biased, free):
        assert list(v.columns) == ["n", "evsi", "evppi", "share_of_evppi"]
        assert v["n"].tolist() == list(mon.SIZES)
        assert (np.diff(v["evsi"]) > 0).all()
        assert (v["evsi"] >= 0).all() and (v["evsi"] < v["evppi"]).all()
    # without bias the value approaches the EVPPI; with it, it levels off well below
    assert free["share_of_evppi"].iloc[-1] > 0.7
    assert biased["evsi"].iloc[-1] < 0.5 * free["evsi"].iloc[-1]
    assert biased["evsi"].iloc[-1] - biased["evsi"].iloc[-2] < 0.1 * biased["evsi"].iloc[-1]
    # the projection as it is: never worth more than the EVPPI
    real = mon.sample_size_value(projection, "domestic_abuse", params=params)
    assert (real["evsi"] >= 0).all() and (real["evsi"] <= real["evppi"] + 1e-9).all()


def test_sample_size_value_asks_for_what_it_needs(projection):
    with pytest.raises(ParameterError, match="bias_sd"):
        mon.sample_size_value(projection, "domestic_abuse")
    with pytest.raises(ParameterError, match="not one of the model's outcomes"):
        mon.sample_size_value(projection, "school_suspension", bias_sd=0.2)
    with pytest.raises(ParameterError, match="comparison_rate"):
        mon.sample_size_value(projection, "domestic_abuse", comparison_rate=1.5, bias_sd=0.2)
