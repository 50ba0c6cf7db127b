"""The sampler: every uncertain parameter drawn into one table, and summaries of draws.

:func:`sample` is the one place where "draw it if it is uncertain, else repeat its
value" happens. It returns a :class:`pandas.DataFrame` with one row per draw and one
column per parameter path (a table-valued parameter gets one column per entry,
``path.key``). Model input builders read their values from such a table, so any
analysis can see every value each draw used, and a table made some other way (a
posterior, a design of experiments) can be fed to the model in its place.

Parameters are drawn in the order given, each from the one generator passed in, so
the same generator state and the same order give the same numbers. Parameters named
together in a :class:`Correlated` block are drawn at once through a Gaussian copula,
when the block's first member comes up. Parameters in the parameter set's joint draws
(:mod:`costmodel.params.joint`, e.g. a calibrated posterior) are drawn as whole rows
of that table when the first of them comes up.

:func:`summarise` gives the mean and percentiles of Monte Carlo outputs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from .distributions import draw, quantile
from .errors import ParameterError, Problem, accepts
from .limits import check_draws
from .schema import Parameter


@dataclass(frozen=True)
class Correlated:
    """Scalar parameters drawn together: the same correlation ``rho`` between every pair.

    A Gaussian copula keeps each parameter's own distribution (its marginal) and
    makes them move together: correlated standard normals are mapped to uniforms and
    through each distribution's quantile function.
    """

    paths: tuple[str, ...]
    rho: float

    def __post_init__(self) -> None:
        k = len(self.paths)
        if k > 1 and not -1 / (k - 1) < self.rho < 1:
            raise ParameterError(
                Problem(
                    "",
                    self.paths[0],
                    f"correlation {self.rho:g} does not give a valid correlation matrix",
                )
            )


def columns(param: Parameter) -> list[str]:
    """The column names a parameter takes in a draws table."""
    if param.is_table:
        return [f"{param.path}.{k}" for k in param.value]
    return [param.path]


def uncertain(params: Mapping[str, Parameter], prefixes: Sequence[str] = ()) -> list[str]:
    """Paths of the parameters that carry a distribution (optionally under ``prefixes``)."""
    return sorted(
        k
        for k, p in params.items()
        if p.distribution is not None and (not prefixes or k.startswith(tuple(prefixes)))
    )


@accepts(params="mapping")
def sample(
    params: Mapping[str, Parameter],
    draws: int,
    rng: np.random.Generator | None = None,
    paths: Iterable[str] | None = None,
    correlated: Sequence[Correlated] = (),
) -> pd.DataFrame:
    """Draw parameters into a table: one row per draw, one column per path.

    ``paths`` lists the parameters wanted, in the order they are drawn (default: every
    parameter with a distribution, sorted). A parameter without a distribution, or any
    parameter when ``rng`` is None, repeats its value in every row (central values).
    With ``rng``, paths in ``params.joint`` take whole rows of it. Dates and other
    non-numbers are refused.
    """
    draws = check_draws(draws)
    names = list(paths) if paths is not None else uncertain(params)
    block_of = {p: b for b in correlated for p in b.paths}
    joint = getattr(params, "joint", None)
    out: dict[str, np.ndarray] = {}
    done: set[str] = set()
    for path in names:
        if path in done:
            continue
        if joint is not None and rng is not None and path in joint.table.columns:
            # whole rows of the joint table, for every joint path asked for
            rows = rng.integers(0, len(joint.table), draws)
            for q in joint.table.columns:
                if q in names and q not in done:
                    out[q] = joint.table[q].to_numpy(dtype=float)[rows]
                    done.add(q)
            continue
        p = params[path]
        if not (p.is_table or isinstance(p.value, (int, float))) or isinstance(p.value, bool):
            raise ParameterError(
                Problem(
                    p.file,
                    path,
                    "only numbers and tables of numbers "
                    f"can be sampled, not {type(p.value).__name__}",
                )
            )
        block = block_of.get(path)
        if block is not None and rng is not None:
            members = [params[q] for q in block.paths]
            values = copula(members, block.rho, draws, rng)
            for j, q in enumerate(block.paths):
                out[q] = values[:, j]
            done.update(block.paths)
            continue
        if rng is None or p.distribution is None:
            values = np.broadcast_to(_central(p), (draws, len(columns(p)))).copy()
        else:
            values = np.asarray(draw(p, draws, rng), dtype=float).reshape(draws, -1)
        for j, name in enumerate(columns(p)):
            out[name] = values[:, j]
        done.add(path)
    if not out:
        return pd.DataFrame(out)
    # one block of numbers, a column to a row, built at once (as pandas would join them)
    return pd.DataFrame(np.array(list(out.values()), dtype=float).T, columns=list(out))


def _central(p: Parameter) -> np.ndarray:
    if p.is_table:
        return np.array(list(p.value.values()), dtype=float)
    return np.array([float(p.value)])


def copula(
    parameters: Sequence[Parameter], rho: float, draws: int, rng: np.random.Generator
) -> np.ndarray:
    """Draws (draws × parameters), each from its own distribution, correlated ``rho``."""
    from scipy import stats

    k = len(parameters)
    corr = np.full((k, k), rho) + np.eye(k) * (1 - rho)
    z = rng.standard_normal((draws, k)) @ np.linalg.cholesky(corr).T
    u = stats.norm.cdf(z)
    return np.column_stack(
        [np.asarray(quantile(p, u[:, j]), float) for j, p in enumerate(parameters)]
    )


def table_values(draws: pd.DataFrame, param: Parameter) -> np.ndarray:
    """A table-valued parameter's columns as an array (draws × entries), in its key order."""
    return draws[columns(param)].to_numpy(dtype=float)


def weighted_quantile(values: ArrayLike, weights: ArrayLike, q: ArrayLike) -> list[float]:
    """Quantiles ``q`` (fractions) of ``values`` carrying ``weights``.

    The weighted empirical distribution function is interpolated between the
    midpoints of each value's weight (the Hazen rule, which for equal weights gives
    ``(i - 0.5) / n`` for the ``i``-th smallest value), and held at the extremes.
    """
    x = np.asarray(values, dtype=float)
    w = np.asarray(weights, dtype=float)
    if x.shape != w.shape or x.ndim != 1 or x.size == 0:
        raise ValueError("values and weights must be one-dimensional and of the same length")
    if (w < 0).any() or not np.isfinite(w).all() or w.sum() <= 0:
        raise ValueError("weights must be finite, non-negative and not all zero")
    order = np.argsort(x, kind="stable")
    x, w = x[order], w[order] / w.sum()
    keep = w > 0
    x, w = x[keep], w[keep]
    mid = np.cumsum(w) - w / 2
    return [float(v) for v in np.interp(np.atleast_1d(q), mid, x)]


def summarise(
    values: Mapping[str, np.ndarray], percentiles: Sequence[float] = (5, 50, 95)
) -> pd.DataFrame:
    """Mean and percentiles of each array, one row per name (NaNs and infinities
    ignored). Arrays of one length with nothing to ignore are summarised together, one
    row each: the same figures, to the last bit, in a few calls instead of many."""
    arrays = {k: np.asarray(v, dtype=float) for k, v in values.items()}
    finite = {k: np.isfinite(v) for k, v in arrays.items()}
    whole: dict[int, list[str]] = {}
    for k, v in arrays.items():
        if v.ndim == 1 and v.size and finite[k].all():
            whole.setdefault(v.size, []).append(k)
    rows: dict[str, dict[str, float]] = {}
    for names in whole.values():
        table = np.stack([arrays[k] for k in names])
        means = table.mean(axis=1)
        cuts = np.percentile(table, list(percentiles), axis=1)
        for i, k in enumerate(names):
            rows[k] = {"mean": means[i], **{f"p{q}": cuts[j, i] for j, q in enumerate(percentiles)}}
    for k, v in arrays.items():
        if k in rows:
            continue
        ok = v[finite[k]]
        rows[k] = {"mean": ok.mean() if ok.size else np.nan}
        for q in percentiles:
            rows[k][f"p{q}"] = np.percentile(ok, q) if ok.size else np.nan
    return pd.DataFrame.from_dict({k: rows[k] for k in arrays}, orient="index")
