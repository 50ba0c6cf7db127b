"""Uncertainty distributions: moments match, draws are reproducible."""

from __future__ import annotations

import numpy as np
import pytest

from costmodel.params.distributions import draw
from costmodel.params.schema import DISTRIBUTIONS, FAMILY_CHECKS, Checker, check_parameter


def param(value, unit, dist, **extra):
    raw = {
        "description": "d",
        "value": value,
        "unit": unit,
        "status": "assumed",
        "confidence": "low",
        "rationale": "r",
        "source": {"title": "t"},
        "distribution": dist,
        **extra,
    }
    chk = Checker("x.yaml", {})
    p = check_parameter(raw, (), "x", chk)
    assert p is not None, [str(q) for q in chk.problems]
    return p


@pytest.mark.parametrize(
    "value, unit, dist, sd",
    [
        (1000.0, "GBP/year", {"type": "gamma", "sd": 200}, 200),
        (1000.0, "GBP/year", {"type": "lognormal", "cv": 0.3}, 300),
        (0.3, "proportion", {"type": "beta", "sd": 0.05}, 0.05),
    ],
)
def test_mean_and_sd(value, unit, dist, sd):
    extra = {"price_year": "2014/15"} if unit.startswith("GBP") else {}
    p = param(value, unit, dist, **extra)
    x = draw(p, 200_000, np.random.default_rng(1))
    assert x.mean() == pytest.approx(value, rel=0.01)
    assert x.std() == pytest.approx(sd, rel=0.02)


def test_triangular_uniform_and_dirichlet():
    rng = np.random.default_rng(2)
    t = draw(
        param(0.3, "proportion", {"type": "triangular", "low": 0.1, "mode": 0.3, "high": 0.8}),
        100_000,
        rng,
    )
    assert t.min() >= 0.1 and t.max() <= 0.8
    assert t.mean() == pytest.approx((0.1 + 0.3 + 0.8) / 3, rel=0.01)
    d = draw(
        param(
            {"a": 0.2, "b": 0.8, "c": 0.0}, "proportion", {"type": "dirichlet", "concentration": 40}
        ),
        50_000,
        rng,
    )
    assert d.shape == (50_000, 3)
    np.testing.assert_allclose(d.sum(axis=1), 1.0)
    assert (d[:, 2] == 0).all()
    assert d[:, 0].mean() == pytest.approx(0.2, abs=0.003)


def test_same_seed_same_draws_and_fixed_without_distribution():
    p = param(1000.0, "GBP/year", {"type": "gamma", "cv": 0.2}, price_year="2014/15")
    a = draw(p, 1000, np.random.default_rng(5))
    b = draw(p, 1000, np.random.default_rng(5))
    np.testing.assert_array_equal(a, b)
    raw = {
        "description": "d",
        "value": 4,
        "unit": "count",
        "status": "published",
        "confidence": "high",
        "source": {"title": "t", "page": "1"},
    }
    fixed = check_parameter(raw, (), "y", Checker("y.yaml", {}))
    assert (draw(fixed, 10, np.random.default_rng(0)) == 4).all()


def test_every_distribution_family_has_its_validator():
    assert set(FAMILY_CHECKS) == set(DISTRIBUTIONS)
