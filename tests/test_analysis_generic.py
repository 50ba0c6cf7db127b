"""The analysis layer on a small linear model whose answers are known by hand.

The model knows nothing of late intervention or the team:
``f(p) = 3·a − 4·b − c`` with ``a ~ U(0, 4)`` (central 2), ``b ~ U(0, 1)`` (central
0.5) and ``c = 1.5`` (money, no distribution). The value-of-information functions are
checked on draws of ``Y = X1 + X2 − k`` with independent uniform ``X1``, ``X2``, whose
EVPI and EVPPI have closed forms.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from types import MappingProxyType

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import costmodel
from costmodel.analysis import sensitivity as s
from costmodel.analysis import value_of_information as voi
from costmodel.params.sampling import Correlated, sample
from costmodel.params.schema import Distribution, Parameter, Source
from costmodel.params.store import ParameterSet

SOURCE = Source(title="a toy model with known answers")


def toy(
    path: str, value, unit: str, distribution: dict | None = None, price_year: str | None = None
) -> Parameter:
    dist = None
    if distribution is not None:
        family = distribution.pop("type")
        dist = Distribution(
            family, MappingProxyType({k: float(v) for k, v in distribution.items()})
        )
    return Parameter(
        path=path,
        description=f"Toy parameter {path}.",
        value=value,
        unit=unit,
        status="assumed",
        confidence="medium",
        source=SOURCE,
        rationale="Chosen so that every answer can be worked out by hand.",
        price_year=price_year,
        distribution=dist,
        file="<toy>",
    )


def toy_set(*extra: Parameter) -> ParameterSet:
    ps = [
        toy("toy.a", 2.0, "ratio", {"type": "uniform", "low": 0, "high": 4}),
        toy("toy.b", 0.5, "proportion", {"type": "uniform", "low": 0, "high": 1}),
        toy("toy.c", 1.5, "GBP", price_year="2018/19"),
        *extra,
    ]
    return ParameterSet({p.path: p for p in ps})


def f(p: ParameterSet) -> float:
    return 3 * p.value("toy.a") - 4 * p.value("toy.b") - p.value("toy.c")


def by_hand(a: float = 2.0, b: float = 0.5, c: float = 1.5) -> float:
    return 3 * a - 4 * b - c


@pytest.fixture(scope="module")
def params() -> ParameterSet:
    return toy_set()


# --------------------------------------------------------------------------- one-way


def test_one_way_takes_the_5th_and_95th_percentiles(params):
    t = s.one_way(params, model=f)
    # only the parameters with a distribution are varied by default
    assert set(t.index) == {"toy.a", "toy.b"}
    # U(0, 4): 5th and 95th percentiles 0.2 and 3.8; U(0, 1): 0.05 and 0.95
    assert t.loc["toy.a", "low"] == pytest.approx(0.2)
    assert t.loc["toy.a", "high"] == pytest.approx(3.8)
    assert t.loc["toy.b", "low"] == pytest.approx(0.05)
    assert t.loc["toy.b", "high"] == pytest.approx(0.95)
    assert t.loc["toy.a", "npv_low"] == pytest.approx(by_hand(a=0.2))  # −2.9
    assert t.loc["toy.a", "npv_high"] == pytest.approx(by_hand(a=3.8))  # 7.9
    assert t.loc["toy.b", "npv_low"] == pytest.approx(by_hand(b=0.05))  # 4.3
    assert t.loc["toy.b", "npv_high"] == pytest.approx(by_hand(b=0.95))  # 0.7
    assert t.loc["toy.a", "swing"] == pytest.approx(3 * 3.6)
    assert t.loc["toy.b", "swing"] == pytest.approx(4 * 0.9)
    assert t.attrs["npv_central"] == pytest.approx(2.5)
    assert t.loc["toy.a", "central"] == 2.0


def test_one_way_sorts_by_swing_largest_first(params):
    t = s.one_way(params, model=f)
    assert list(t.index) == ["toy.a", "toy.b"]
    # c over [0, 20] swings 20, more than a (10.8) and b over [0, 1] (4)
    wide = s.one_way(
        params,
        model=f,
        parameters=["toy.a", "toy.b", "toy.c"],
        ranges={"toy.b": (0.0, 1.0), "toy.c": (0.0, 20.0)},
    )
    assert list(wide.index) == ["toy.c", "toy.a", "toy.b"]
    assert wide.loc["toy.c", "npv_low"] == pytest.approx(by_hand(c=0.0))
    assert wide.loc["toy.c", "npv_high"] == pytest.approx(by_hand(c=20.0))
    assert wide.loc["toy.c", "swing"] == pytest.approx(20.0)


def test_one_way_ranges_override_the_percentiles(params):
    t = s.one_way(params, model=f, ranges={"toy.a": (1.0, 3.0)})
    assert (t.loc["toy.a", "low"], t.loc["toy.a", "high"]) == (1.0, 3.0)
    assert t.loc["toy.a", "npv_low"] == pytest.approx(by_hand(a=1.0))
    assert t.loc["toy.a", "npv_high"] == pytest.approx(by_hand(a=3.0))
    # the parameter not overridden keeps its percentiles
    assert t.loc["toy.b", "low"] == pytest.approx(0.05)
    # a's swing is now 3 × 2 = 6, still above b's 3.6; narrower still, it falls below
    assert list(t.index) == ["toy.a", "toy.b"]
    narrow = s.one_way(params, model=f, ranges={"toy.a": (1.5, 2.5)})
    assert narrow.loc["toy.a", "swing"] == pytest.approx(3.0)
    assert list(narrow.index) == ["toy.b", "toy.a"]


def test_one_way_does_not_change_the_parameters(params):
    before = {k: params.value(k) for k in params}
    s.one_way(params, model=f)
    assert {k: params.value(k) for k in params} == before
    assert params["toy.a"].distribution is not None


def test_one_way_follows_the_quantiles_asked_for(params):
    t = s.one_way(params, model=f, low_q=0.25, high_q=0.75)
    assert t.loc["toy.a", "low"] == pytest.approx(1.0)
    assert t.loc["toy.a", "high"] == pytest.approx(3.0)
    assert t.loc["toy.b", "npv_high"] == pytest.approx(by_hand(b=0.75))


# --------------------------------------------------------------------------- switching


def test_search_range_is_the_units_range_capped_at_ten_times_the_value(params):
    assert s.search_range(params["toy.a"]) == (0.0, 20.0)
    assert s.search_range(params["toy.b"]) == (0.0, 1.0)  # a proportion stops at 1
    assert s.search_range(params["toy.c"]) == (0.0, 15.0)
    small = toy("toy.small", 0.01, "ratio")
    assert s.search_range(small) == (0.0, 1.0)  # at least up to 1


def test_switching_values_by_hand(params):
    sv = s.switching_values(params, model=f, parameters=["toy.a", "toy.b", "toy.c"])
    # 3a − 4·0.5 − 1.5 = 0  →  a* = 3.5 / 3
    assert sv.loc["toy.a", "switching"] == pytest.approx((4 * 0.5 + 1.5) / 3, rel=1e-8)
    assert sv.loc["toy.a", "change"] == pytest.approx((3.5 / 3 - 2) / 2, rel=1e-8)
    # 6 − 4b − 1.5 = 0  →  b* = 1.125, outside [0, 1]: b alone cannot change the sign
    assert math.isnan(sv.loc["toy.b", "switching"])
    assert math.isnan(sv.loc["toy.b", "change"])
    assert (sv.loc["toy.b", "searched_low"], sv.loc["toy.b", "searched_high"]) == (0.0, 1.0)
    # 6 − 2 − c = 0  →  c* = 4, inside [0, 15]
    assert sv.loc["toy.c", "switching"] == pytest.approx(4.0, rel=1e-8)
    assert sv.attrs["npv_central"] == pytest.approx(2.5)
    # the outcome at each switching value is zero
    for path in ("toy.a", "toy.c"):
        x = sv.loc[path, "switching"]
        assert s.evaluate(f, params, {path: x}) == pytest.approx(0.0, abs=1e-7)


def test_switching_values_default_to_the_uncertain_parameters(params):
    sv = s.switching_values(params, model=f)
    assert set(sv.index) == {"toy.a", "toy.b"}


def test_switching_value_found_when_the_central_outcome_is_negative():
    # c = 5 makes the central outcome 6 − 2 − 5 = −1; a* = (2 + 5) / 3
    ps = toy_set().with_values({"toy.c": 5.0})
    sv = s.switching_values(ps, model=f, parameters=["toy.a"])
    assert sv.attrs["npv_central"] == pytest.approx(-1.0)
    assert sv.loc["toy.a", "switching"] == pytest.approx(7 / 3, rel=1e-8)


# --------------------------------------------------------------------------- two-way


def test_two_way_is_the_formula_on_the_grid(params):
    xs, ys = [0.0, 1.0, 2.5, 4.0], [0.0, 0.3, 1.0]
    tw = s.two_way(params, "toy.a", "toy.b", model=f, x_values=xs, y_values=ys)
    assert tw.index.name == "toy.b" and tw.columns.name == "toy.a"
    assert list(tw.index) == ys and list(tw.columns) == xs
    expected = np.array([[by_hand(a=x, b=y) for x in xs] for y in ys])
    np.testing.assert_allclose(tw.to_numpy(), expected, rtol=0, atol=1e-12)


def test_two_way_default_grid_runs_between_the_percentiles(params):
    tw = s.two_way(params, "toy.a", "toy.b", model=f, points=5)
    np.testing.assert_allclose(tw.columns.to_numpy(dtype=float), np.linspace(0.2, 3.8, 5))
    np.testing.assert_allclose(tw.index.to_numpy(dtype=float), np.linspace(0.05, 0.95, 5))
    # a linear model: every cross difference is zero
    d = tw.to_numpy()
    np.testing.assert_allclose(d[1:, 1:] - d[1:, :-1] - d[:-1, 1:] + d[:-1, :-1], 0, atol=1e-12)


# --------------------------------------------------------------------------- EVPI


def test_evpi_by_hand():
    # E[max(y, 0)] = (0 + 1 + 3 + 0) / 4 = 1; max(E[y], 0) = max(1/4, 0) = 1/4
    assert voi.evpi([-2.0, 1.0, 3.0, -1.0]) == pytest.approx(0.75)
    # mean below zero: max(E[y], 0) = 0, so EVPI = E[max(y, 0)] = 4 / 4
    assert voi.evpi([-5.0, 1.0, 3.0, -3.0]) == pytest.approx(1.0)
    assert voi.evpi([1.0, 2.0, 7.0]) == 0.0  # always act: nothing to learn
    assert voi.evpi([-1.0, -2.0]) == 0.0  # never act
    assert costmodel.evpi is voi.evpi


# --------------------------------------------------------------------------- EVPPI

N = 200_000
K = 0.8  # Y = X1 + X2 − K with X1, X2 ~ U(0, 1): E[Y] = 0.2


def _expected_positive_part(density, shift: float, low: float, high: float) -> float:
    """E[max(S − shift, 0)] for a variable S with the given density, by quadrature."""
    from scipy import integrate

    value, _ = integrate.quad(
        lambda t: max(t - shift, 0.0) * density(t), low, high, points=[shift], limit=200
    )
    return value


# EVPPI of X1: E[Y | X1] = X1 + 0.5 − K; E[max(X1 − 0.3, 0)] = 0.7² / 2 = 0.245
EVPPI_X1 = 0.7**2 / 2 - (1 - K)
# EVPI: X1 + X2 has the triangular density on [0, 2]; E[max(S − 0.8, 0)] = 0.28533...
EVPI_TRUE = _expected_positive_part(lambda t: t if t < 1 else 2 - t, K, 0.0, 2.0) - (1 - K)


@pytest.fixture(scope="module")
def linear_draws():
    rng = np.random.default_rng(20240601)
    x1, x2 = rng.uniform(0, 1, N), rng.uniform(0, 1, N)
    table = pd.DataFrame(
        {"toy.x1": x1, "toy.x2": x2, "fixed.z": np.full(N, 3.0), "other.w": rng.uniform(0, 1, N)}
    )
    return table, x1 + x2 - K


def test_closed_forms_agree_with_quadrature():
    # the one-dimensional closed form for X1, checked by quadrature on U(0, 1)
    assert _expected_positive_part(lambda t: 1.0, 0.3, 0.0, 1.0) == pytest.approx(0.245)
    # by hand: ∫_0.8^1 (s − 0.8)s ds + ∫_1^2 (s − 0.8)(2 − s) ds = 7/375 + 100/375
    assert math.isclose(EVPI_TRUE, 107 / 375 - 0.2, abs_tol=1e-9)


def test_evppi_of_one_parameter_matches_the_closed_form(linear_draws):
    table, y = linear_draws
    out = voi.evppi(table, y, {"x1": ["toy.x1"]})
    # Sampling error: the estimate is a mean over 200,000 draws of max(0.3 − X1, 0)
    # (sd ≈ 0.084) plus the fitted line's error (residual sd 0.29, slope ≈ 0.3), a
    # standard error near 0.0004; 0.003 is more than seven of them.
    assert out.loc["x1", "value_of_information"] == pytest.approx(EVPPI_X1, abs=0.003)
    assert out.loc[voi.EVPI_ROW, "value_of_information"] == pytest.approx(EVPI_TRUE, abs=0.003)
    assert out.loc["x1", "share_of_evpi"] == pytest.approx(EVPPI_X1 / EVPI_TRUE, abs=0.05)


def test_evppi_of_every_parameter_is_the_evpi(linear_draws):
    table, y = linear_draws
    out = voi.evppi(table, y, {"both": ["toy.x1", "toy.x2"]})
    # Y is exactly linear in (X1, X2): the fit reproduces Y and EVPPI equals EVPI
    assert out.loc["both", "value_of_information"] == pytest.approx(voi.evpi(y), rel=1e-6)
    assert out.loc[voi.EVPI_ROW, "value_of_information"] == pytest.approx(voi.evpi(y))
    assert out.loc["both", "share_of_evpi"] == pytest.approx(1.0, rel=1e-6)


def test_evppi_of_an_irrelevant_parameter_is_near_zero(linear_draws):
    table, y = linear_draws
    out = voi.evppi(table, y, {"unrelated": ["other.w"]})
    # E[Y | W] = E[Y] = 0.2 > 0 whatever W: knowing W never changes the decision
    assert out.loc["unrelated", "value_of_information"] == pytest.approx(0.0, abs=1e-3)


def test_evppi_groups_are_glob_patterns(linear_draws):
    table, y = linear_draws
    groups = {
        "toys": ["toy.*"],
        "first by glob": ["*.x1"],
        "first exact": ["toy.x1"],
        "nothing": ["no.such.*"],
        "constant": ["fixed.*"],
    }
    out = voi.evppi(table, y, groups)
    # a group that matches no column, or only a column that never varies, is left out
    assert list(out.index) == [voi.EVPI_ROW, "toys", "first by glob", "first exact"]
    assert (
        out.loc["first by glob", "value_of_information"]
        == out.loc["first exact", "value_of_information"]
    )
    assert out.loc["toys", "value_of_information"] == pytest.approx(voi.evpi(y), rel=1e-6)
    assert voi.members(list(table.columns), ["toy.*"]) == ["toy.x1", "toy.x2"]
    assert voi.members(list(table.columns), ["*.x2", "fixed.z"]) == ["toy.x2", "fixed.z"]


def test_evppi_needs_enough_draws():
    rng = np.random.default_rng(1)
    table = pd.DataFrame({"toy.x1": rng.uniform(size=99)})
    with pytest.raises(costmodel.ParameterError, match="at least 100"):
        voi.evppi(table, table["toy.x1"] - 0.5, {"x1": ["toy.x1"]})
    table = pd.DataFrame({"toy.x1": rng.uniform(size=100)})
    out = voi.evppi(table, table["toy.x1"] - 0.5, {"x1": ["toy.x1"]})
    assert "x1" in out.index


def test_evppi_refuses_a_table_of_the_wrong_length():
    table = pd.DataFrame({"toy.x1": np.arange(200.0)})
    with pytest.raises(costmodel.ParameterError):
        voi.evppi(table, np.arange(150.0), {"x1": ["toy.x1"]})


# --------------------------------------------------------------------------- sampling


def test_sample_same_seed_same_table(params):
    one = sample(params, 500, np.random.default_rng(7))
    two = sample(params, 500, np.random.default_rng(7))
    pd.testing.assert_frame_equal(one, two)
    other = sample(params, 500, np.random.default_rng(8))
    assert not np.allclose(one.to_numpy(), other.to_numpy())
    assert list(one.columns) == ["toy.a", "toy.b"]  # the uncertain ones, sorted
    assert len(one) == 500


def test_sample_draws_within_each_distribution(params):
    t = sample(params, 20_000, np.random.default_rng(3))
    assert t["toy.a"].between(0, 4).all() and t["toy.b"].between(0, 1).all()
    # U(0, 4): mean 2, sd 4/√12 = 1.155; the mean's standard error is 0.008
    assert t["toy.a"].mean() == pytest.approx(2.0, abs=0.04)
    assert t["toy.a"].std() == pytest.approx(4 / math.sqrt(12), rel=0.03)


def test_sample_repeats_a_value_without_a_distribution(params):
    t = sample(params, 50, np.random.default_rng(1), paths=["toy.c", "toy.a"])
    assert list(t.columns) == ["toy.c", "toy.a"]
    assert (t["toy.c"] == 1.5).all()
    assert t["toy.a"].nunique() == 50


def test_sample_without_a_generator_gives_central_values(params):
    t = sample(params, 10, None, paths=["toy.a", "toy.b", "toy.c"])
    assert (t["toy.a"] == 2.0).all() and (t["toy.b"] == 0.5).all()
    assert (t["toy.c"] == 1.5).all()


def test_sample_gives_a_table_one_column_per_entry():
    table = toy(
        "toy.shares", {"x": 0.2, "y": 0.8}, "proportion", {"type": "dirichlet", "concentration": 50}
    )
    ps = toy_set(table)
    t = sample(ps, 1000, np.random.default_rng(2), paths=["toy.shares"])
    assert list(t.columns) == ["toy.shares.x", "toy.shares.y"]
    np.testing.assert_allclose(t.sum(axis=1), 1.0)
    central = sample(ps, 3, None, paths=["toy.shares"])
    assert central.iloc[0].tolist() == [0.2, 0.8]


def _correlated_set() -> ParameterSet:
    return toy_set(
        toy("toy.g", 10.0, "ratio", {"type": "gamma", "cv": 0.2}),
        toy("toy.p", 0.3, "proportion", {"type": "beta", "sd": 0.05}),
    )


def test_correlated_block_keeps_marginals_and_rank_correlation():
    ps = _correlated_set()
    rho = 0.6
    n = 20_000
    t = sample(
        ps,
        n,
        np.random.default_rng(11),
        paths=["toy.g", "toy.p", "toy.a"],
        correlated=[Correlated(("toy.g", "toy.p"), rho)],
    )
    # Spearman correlation of a Gaussian copula with correlation rho: (6/π) asin(rho/2)
    spearman = stats.spearmanr(t["toy.g"], t["toy.p"]).statistic
    assert spearman == pytest.approx(6 / math.pi * math.asin(rho / 2), abs=0.02)
    assert spearman == pytest.approx(rho, abs=0.05)
    # each keeps its own distribution: gamma mean 10 sd 2; beta mean 0.3 sd 0.05
    assert t["toy.g"].mean() == pytest.approx(10.0, rel=0.01)
    assert t["toy.g"].std() == pytest.approx(2.0, rel=0.03)
    assert t["toy.p"].mean() == pytest.approx(0.3, rel=0.01)
    assert t["toy.p"].std() == pytest.approx(0.05, rel=0.03)
    assert (t["toy.g"] > 0).all() and t["toy.p"].between(0, 1).all()
    # a parameter outside the block is independent of it
    assert abs(stats.spearmanr(t["toy.g"], t["toy.a"]).statistic) < 0.03


def test_correlated_block_with_the_same_seed_is_reproducible():
    ps = _correlated_set()
    block = [Correlated(("toy.g", "toy.p"), -0.4)]
    one = sample(ps, 300, np.random.default_rng(5), ["toy.g", "toy.p"], block)
    two = sample(ps, 300, np.random.default_rng(5), ["toy.g", "toy.p"], block)
    pd.testing.assert_frame_equal(one, two)
    assert stats.spearmanr(one["toy.g"], one["toy.p"]).statistic < 0


def test_correlated_block_without_a_generator_is_central():
    ps = _correlated_set()
    t = sample(ps, 4, None, ["toy.g", "toy.p"], [Correlated(("toy.g", "toy.p"), 0.5)])
    assert (t["toy.g"] == 10.0).all() and (t["toy.p"] == 0.3).all()


def test_an_impossible_correlation_is_refused():
    with pytest.raises(costmodel.ParameterError):
        Correlated(("toy.a", "toy.b", "toy.c"), -0.6)  # needs rho > −1/2 for three


def test_sample_refuses_a_date():
    ps = toy_set(toy("toy.start", dt.date(2019, 4, 1), "date"))
    with pytest.raises(costmodel.ParameterError, match=re.escape("toy.start")):
        sample(ps, 10, np.random.default_rng(0), paths=["toy.start"])
    with pytest.raises(costmodel.ParameterError):
        sample(ps, 10, None, paths=["toy.a", "toy.start"])


def test_sample_refuses_no_draws(params):
    with pytest.raises(costmodel.ParameterError):
        sample(params, 0, np.random.default_rng(0))
