"""Draws from parameters' uncertainty distributions, vectorised over draws.

Every function takes an explicit ``numpy.random.Generator``; the same generator
state gives the same draws. A parameter without a distribution is drawn as its
value in every draw.
"""

from __future__ import annotations

import numpy as np

from .schema import Distribution, Parameter, unit_range


def moments_to_gamma(mean: np.ndarray, sd: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Shape and scale of a gamma distribution with this mean and standard deviation."""
    shape = (mean / sd) ** 2
    return shape, sd**2 / mean


def moments_to_lognormal(mean: np.ndarray, sd: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(mu, sigma)`` of the normal whose exponential has this mean and sd."""
    sigma2 = np.log1p((sd / mean) ** 2)
    return np.log(mean) - sigma2 / 2, np.sqrt(sigma2)


def moments_to_beta(mean: np.ndarray, sd: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(alpha, beta)`` of a beta distribution with this mean and sd."""
    common = mean * (1 - mean) / sd**2 - 1
    return mean * common, (1 - mean) * common


def _spread(dist: Distribution, mean: np.ndarray) -> np.ndarray:
    p = dist.params
    return np.full_like(mean, p["sd"]) if "sd" in p else p["cv"] * mean


def draw(param: Parameter, size: int, rng: np.random.Generator) -> np.ndarray:
    """``size`` draws of a parameter.

    Scalars give shape ``(size,)``; tables give ``(size, len(table))`` in the table's
    key order. Without a distribution every draw is the value.
    """
    if param.is_table:
        mean = np.array(list(param.value.values()), dtype=float)
    else:
        mean = np.array([float(param.value)])
    dist = param.distribution
    if dist is None:
        out = np.broadcast_to(mean, (size, mean.size)).copy()
    else:
        out = _draw(dist, mean, size, rng)
        if dist.family == "normal":  # kept within the unit's range
            out = np.clip(out, *unit_range(param.unit))
    return out if param.is_table else out[:, 0]


def _draw(dist: Distribution, mean: np.ndarray, size: int, rng: np.random.Generator) -> np.ndarray:
    p = dist.params
    shape = (size, mean.size)
    if dist.family == "gamma":
        k, theta = moments_to_gamma(mean, _spread(dist, mean))
        return rng.gamma(k, theta, size=shape)
    if dist.family == "lognormal":
        mu, sigma = moments_to_lognormal(mean, _spread(dist, mean))
        return rng.lognormal(mu, sigma, size=shape)
    if dist.family == "beta":
        a, b = moments_to_beta(mean, _spread(dist, mean))
        return rng.beta(a, b, size=shape)
    if dist.family == "triangular":
        return rng.triangular(p["low"], p["mode"], p["high"], size=shape)
    if dist.family == "uniform":
        return rng.uniform(p["low"], p["high"], size=shape)
    if dist.family == "normal":
        return rng.normal(mean, p["sd"], size=shape)
    if dist.family == "dirichlet":
        out = np.zeros(shape)
        live = mean > 0
        out[:, live] = rng.dirichlet(p["concentration"] * mean[live], size=size)
        return out
    raise ValueError(f"unknown distribution {dist.family!r}")  # schema rules this out


def distribution_mean(param: Parameter) -> float | np.ndarray:
    """The mean of a parameter's distribution (its value, except for triangular/uniform)."""
    d = param.distribution
    if d is not None and d.family == "triangular":
        return (d.params["low"] + d.params["mode"] + d.params["high"]) / 3
    if d is not None and d.family == "uniform":
        return (d.params["low"] + d.params["high"]) / 2
    if param.is_table:
        return np.array(list(param.value.values()), dtype=float)
    return float(param.value)


def quantile(param: Parameter, q: float | np.ndarray) -> float | np.ndarray:
    """The ``q`` quantile of a scalar parameter's distribution (its value if it has none)."""
    from scipy import stats

    if param.is_table:
        raise ValueError(f"{param.path}: quantiles are for single values, not tables")
    d, v = param.distribution, float(param.value)
    if d is None:
        return np.full(np.shape(q), v) if np.ndim(q) else v
    p = d.params
    if d.family in ("gamma", "lognormal", "beta"):
        sd = p["sd"] if "sd" in p else p["cv"] * v
        if d.family == "gamma":
            k, theta = moments_to_gamma(np.float64(v), np.float64(sd))
            return stats.gamma.ppf(q, k, scale=theta)
        if d.family == "lognormal":
            mu, sigma = moments_to_lognormal(np.float64(v), np.float64(sd))
            return stats.lognorm.ppf(q, sigma, scale=np.exp(mu))
        a, b = moments_to_beta(np.float64(v), np.float64(sd))
        return stats.beta.ppf(q, a, b)
    if d.family == "triangular":
        lo, mode, hi = p["low"], p["mode"], p["high"]
        return stats.triang.ppf(q, (mode - lo) / (hi - lo), loc=lo, scale=hi - lo)
    if d.family == "uniform":
        return stats.uniform.ppf(q, loc=p["low"], scale=p["high"] - p["low"])
    if d.family == "normal":
        return np.clip(stats.norm.ppf(q, loc=v, scale=p["sd"]), *unit_range(param.unit))
    raise ValueError(f"{param.path}: no quantiles for {d.family}")
