"""Deterministic sensitivity analysis of any model: tornado, switching values, two-way.

Each function takes a *model*: any callable from a
:class:`~costmodel.params.store.ParameterSet` to a number. It changes one or two
parameters (value replaced, distribution set aside), calls the model, and tabulates:

* :func:`one_way` (the tornado): the outcome with one parameter at its 5th and 95th
  percentile (or a given range), every other at its central value;
* :func:`switching_values`: the value of a parameter at which the outcome is zero;
* :func:`two_way`: the outcome over a grid of two parameters.

Without a ``model`` they analyse a scenario's deterministic NPV
(:class:`costmodel.model.projection.DeterministicOutcome`), as the Green Book asks of
the preferred option (chapter 5, "Sensitivity analysis"; switching values).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize

from ..model.projection import DeterministicOutcome
from ..params.distributions import quantile
from ..params.errors import CostModelError, accepts
from ..params.sampling import uncertain
from ..params.scenarios import apply_scenario
from ..params.schema import unit_range
from ..params.store import ParameterSet
from .parallel import parallel_map

Model = Callable[[ParameterSet], float]


def _setup(
    params: ParameterSet, scenario: Any, model: Model | None, runs: int, kwargs: Mapping
) -> tuple[Model, ParameterSet, list[str]]:
    """The model, the base parameters it is varied from, and its uncertain parameters."""
    if model is None:
        npv = DeterministicOutcome(params, scenario, runs=runs, **kwargs)
        return npv, npv.params, npv.paths
    base = apply_scenario(params, scenario)
    return model, base, [k for k in uncertain(base) if not base[k].is_table]


def evaluate(model: Model, params: ParameterSet, values: Mapping[str, float]) -> float:
    """The model with some parameters set to values (their distributions set aside)."""
    if not values:
        return float(model(params))
    return float(
        model(
            params.with_values({k: {"value": v, "distribution": None} for k, v in values.items()})
        )
    )


@accepts(params="mapping", scenario="scenario")
def one_way(
    params: ParameterSet,
    scenario: str | None = None,
    *,
    parameters: Sequence[str] | None = None,
    low_q: float = 0.05,
    high_q: float = 0.95,
    runs: int = 500,
    model: Model | None = None,
    ranges: Mapping[str, tuple[float, float]] | None = None,
    **kwargs: Any,
) -> pd.DataFrame:
    """The tornado: the outcome at each parameter's low and high value, others central.

    Low and high are the ``low_q`` and ``high_q`` quantiles of the parameter's
    distribution (of its joint draws, for a calibrated parameter), or ``ranges[path]``.
    Rows are sorted by the swing (|outcome high − outcome low|), largest first;
    ``attrs["npv_central"]`` holds the outcome at central values. Columns keep the name
    ``npv_low``/``npv_high`` whatever the outcome.
    """
    f, base, default = _setup(params, scenario, model, runs, kwargs)
    names = list(parameters) if parameters is not None else default
    centre = evaluate(f, base, {})
    bounds = [
        tuple(map(float, ranges[path]))
        if ranges and path in ranges
        else (_quantile(base, path, low_q), _quantile(base, path, high_q))
        for path in names
    ]
    points = [{path: x} for path, b in zip(names, bounds, strict=True) for x in b]
    outcomes = parallel_map(_evaluate_point, (f, base, points), len(points))
    rows = []
    for i, path in enumerate(names):
        p = base[path]
        lo, hi = bounds[i]
        n_lo, n_hi = outcomes[2 * i], outcomes[2 * i + 1]
        rows.append(
            {
                "parameter": path,
                "description": p.description,
                "central": p.value,
                "low": lo,
                "high": hi,
                "npv_low": n_lo,
                "npv_high": n_hi,
                "swing": abs(n_hi - n_lo),
            }
        )
    out = pd.DataFrame(
        rows,
        columns=[
            "parameter",
            "description",
            "central",
            "low",
            "high",
            "npv_low",
            "npv_high",
            "swing",
        ],
    )
    out = out.sort_values("swing", ascending=False).set_index("parameter")
    out.attrs["npv_central"] = centre
    return out


@accepts(params="mapping", scenario="scenario")
def switching_values(
    params: ParameterSet,
    scenario: str | None = None,
    *,
    parameters: Sequence[str] | None = None,
    runs: int = 500,
    model: Model | None = None,
    **kwargs: Any,
) -> pd.DataFrame:
    """For each parameter, the value within its search range at which the outcome is zero.

    The range is the unit's range, capped at ten times the value (or 1). ``switching``
    is NaN where the outcome keeps one sign across the range (the parameter alone
    cannot change the decision). By default, for a scenario's NPV, the savings and
    programme parameters; for a given model, its uncertain parameters.
    """
    f, base, default = _setup(params, scenario, model, runs, kwargs)
    if parameters is not None:
        names = list(parameters)
    elif model is None:
        names = [k for k in default if not k.startswith("team.")]
    else:
        names = default
    centre = evaluate(f, base, {})
    rows = parallel_map(_switching_row, (f, base, names), len(names))
    out = pd.DataFrame(
        rows,
        columns=["parameter", "central", "switching", "searched_low", "searched_high", "change"],
    ).set_index("parameter")
    out.attrs["npv_central"] = centre
    return out


def _evaluate_point(f: Model, base: ParameterSet, points: Sequence[Mapping], i: int) -> float:
    """The model at the ``i``-th of ``points``."""
    return evaluate(f, base, points[i])


def _switching_row(f: Model, base: ParameterSet, names: Sequence[str], i: int) -> dict:
    """The switching value of the ``i``-th of ``names``: a row of the table."""
    path = names[i]
    v = float(base[path].value)
    lo, hi = search_range(base[path])
    lo, f_lo = _feasible(f, base, path, lo, v)
    hi, f_hi = _feasible(f, base, path, hi, v)
    value = np.nan
    if np.sign(f_lo) != np.sign(f_hi):
        value = optimize.brentq(
            lambda x: evaluate(f, base, {path: x}),
            lo,
            hi,
            xtol=1e-9 * max(1.0, abs(v)),
            rtol=1e-10,
        )
    return {
        "parameter": path,
        "central": v,
        "switching": value,
        "searched_low": lo,
        "searched_high": hi,
        "change": (value - v) / v if v and np.isfinite(value) else np.nan,
    }


def _feasible(
    f: Model, base: ParameterSet, path: str, edge: float, inside: float
) -> tuple[float, float]:
    """The edge of the search range, moved towards ``inside`` until the model accepts it
    (a parameter may be bounded by another: a rate that must stay above one it
    contains), and the outcome there."""
    try:
        return edge, evaluate(f, base, {path: edge})
    except CostModelError:
        pass
    good, bad = inside, edge
    for _ in range(20):  # bisection between the last accepted and the first refused value
        mid = (good + bad) / 2
        try:
            evaluate(f, base, {path: mid})
            good = mid
        except CostModelError:
            bad = mid
    return good, evaluate(f, base, {path: good})


def search_range(p: Any) -> tuple[float, float]:
    """Where to look for a switching value: the unit's range, or up to ten times the value."""
    lo, hi = unit_range(p.unit)
    return lo, min(hi, max(10.0 * float(p.value), 1.0))


@accepts(params="mapping", scenario="scenario", x="name", y="name")
def two_way(
    params: ParameterSet,
    x: str,
    y: str,
    scenario: str | None = None,
    *,
    x_values: Sequence[float] | None = None,
    y_values: Sequence[float] | None = None,
    points: int = 7,
    runs: int = 500,
    model: Model | None = None,
    **kwargs: Any,
) -> pd.DataFrame:
    """The outcome over a grid of two parameters (rows ``y``, columns ``x``).

    Without values given, each runs from its 5th to its 95th percentile in ``points``
    steps.
    """
    f, base, _ = _setup(params, scenario, model, runs, kwargs)

    def grid(path: str, given: Sequence[float] | None) -> list[float]:
        if given is not None:
            return [float(g) for g in given]
        return list(np.linspace(_quantile(base, path, 0.05), _quantile(base, path, 0.95), points))

    xs, ys = grid(x, x_values), grid(y, y_values)
    table = [[evaluate(f, base, {x: xv, y: yv}) for xv in xs] for yv in ys]
    return pd.DataFrame(table, index=pd.Index(ys, name=y), columns=pd.Index(xs, name=x))


def _quantile(params: ParameterSet, path: str, q: float) -> float:
    """A parameter's ``q`` quantile: of its joint draws (a calibrated posterior) if it
    has them, else of its own distribution."""
    joint = getattr(params, "joint", None)
    if joint is not None and path in joint.table.columns:
        return float(np.quantile(joint.table[path].to_numpy(dtype=float), q))
    return float(quantile(params[path], q))


__all__ = ["Model", "evaluate", "one_way", "search_range", "switching_values", "two_way"]
