"""Calibrating the reach simulation to what a team reported.

Given an observed count over a period (e.g. 830 families supported in the first
113 weeks), find the value of one throughput parameter (case length, caseload,
referral rate ...) at which the simulation's mean reproduces it. All grid values
are simulated in one vectorised run; the crossing is found by linear interpolation
on the (monotone) curve of means, then checked with a fresh run at that value.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..params.errors import ParameterError, Problem
from ..params.limits import check_runs, check_seed, check_whole
from .team import TEAM, VARYING, reach_inputs, simulate, with_runs
from .vocabulary import WEEKS_PER_YEAR

BY_PATH = {path: name for name, path in VARYING.items()}
TARGETS = ("started", "completed", "referred", "reached_indirectly", "families_reached")


@dataclass(frozen=True)
class Calibration:
    """The fitted value of one parameter and how well it reproduces the observation."""

    parameter: str
    value: float
    central_value: float
    target: str
    observed: float
    weeks: int
    model_mean: float
    model_p5: float
    model_p95: float
    observed_percentile: float
    implied: Mapping[str, float]
    grid: pd.DataFrame = field(repr=False)

    def summary(self) -> pd.DataFrame:
        rows = {
            "parameter": self.parameter,
            "fitted value": self.value,
            "stored central value": self.central_value,
            "target": self.target,
            "observed": self.observed,
            "over weeks": self.weeks,
            "model mean at fitted value": self.model_mean,
            "model p5": self.model_p5,
            "model p95": self.model_p95,
            "observed percentile in model": self.observed_percentile,
            **self.implied,
        }
        return pd.DataFrame({"value": pd.Series(rows, dtype=object)})


def calibrate(
    params: Mapping,
    parameter: str = "direct_work.case_duration",
    observed: float | None = None,
    weeks: int | None = None,
    target: str = "started",
    bounds: tuple[float, float] | None = None,
    grid: int = 21,
    runs: int = 400,
    seed: int = 0,
) -> Calibration:
    """Fit ``team.<parameter>`` so the mean of ``target`` over ``weeks`` equals ``observed``.

    ``observed`` and ``weeks`` default to ``team.observed.families_supported`` and
    ``team.observed.period``. ``bounds`` default to a fifth to twice the stored value.
    Raises :class:`ParameterError` when no value within the bounds reproduces it.
    """
    seed = check_seed(seed)
    check_runs(runs)
    check_runs(runs * check_whole(grid, "grid", 2, 1000), "runs × grid")
    path = parameter[len(TEAM) + 1 :] if parameter.startswith(TEAM + ".") else parameter
    if path not in BY_PATH:
        raise ParameterError(
            Problem(
                "",
                f"{TEAM}.{path}",
                f"cannot calibrate this parameter (choose from: {', '.join(sorted(BY_PATH))})",
            )
        )
    if target not in TARGETS:
        raise ParameterError(
            Problem("", "target", f"unknown target {target!r} (choose from: {', '.join(TARGETS)})")
        )
    par = params[f"{TEAM}.{path}"]
    if observed is None:
        observed = float(params[f"{TEAM}.observed.families_supported"].value)
    if weeks is None:
        weeks = int(round(params[f"{TEAM}.observed.period"].value))
    if bounds is None:
        bounds = (0.2 * par.value, 2.0 * par.value)
    lo, hi = map(float, bounds)
    if not (0 <= lo < hi):
        raise ParameterError(
            Problem("", "bounds", f"bounds must satisfy 0 <= low < high, got {bounds}")
        )
    field_name = BY_PATH[path]
    values = np.linspace(lo, hi, grid)
    base = reach_inputs(params, runs * grid)
    inputs = with_runs(base, {field_name: np.repeat(values, runs)})
    res = simulate(inputs, seed, weeks=weeks)
    totals = res.total(target).reshape(grid, runs)
    means = totals.mean(axis=1)
    table = pd.DataFrame(
        {
            "value": values,
            "mean": means,
            "p5": np.percentile(totals, 5, axis=1),
            "p95": np.percentile(totals, 95, axis=1),
        }
    )
    increasing = means[-1] >= means[0]
    mono = np.maximum.accumulate(means) if increasing else np.minimum.accumulate(means)
    if not (mono.min() <= observed <= mono.max()):
        raise ParameterError(
            Problem(
                "",
                f"{TEAM}.{path}",
                f"observed {target} of {observed:g} lies outside what the model gives "
                f"({mono.min():.0f} to {mono.max():.0f}) for values from {lo:g} to {hi:g}; "
                "widen the bounds or calibrate another parameter",
            )
        )
    xs, ys = (values, mono) if increasing else (values[::-1], mono[::-1])
    fitted = float(np.interp(observed, ys, xs))
    check = simulate(
        with_runs(reach_inputs(params, runs), {field_name: fitted}), seed + 1, weeks=weeks
    )
    x = check.total(target)
    # practitioner-years worked, taking the manager post as filled throughout
    filled_posts = check.quarterly["posts_filled"].mean(axis=1) - check.inputs.management_posts
    practitioner_years = np.maximum(filled_posts, 0) * weeks / WEEKS_PER_YEAR
    implied: dict[str, float] = {
        "families started a practitioner-year": float(
            np.mean(check.total("started") / np.maximum(practitioner_years, 1e-9))
        ),
        "cost per family started (£)": float(np.nanmean(check.total("cost_per_family_started"))),
        "mean wait (weeks)": float(np.nanmean(check.total("mean_wait_weeks"))),
        "utilisation": float(np.nanmean(check.total("utilisation"))),
    }
    return Calibration(
        parameter=f"{TEAM}.{path}",
        value=fitted,
        central_value=float(par.value),
        target=target,
        observed=float(observed),
        weeks=weeks,
        model_mean=float(x.mean()),
        model_p5=float(np.percentile(x, 5)),
        model_p95=float(np.percentile(x, 95)),
        observed_percentile=float((x < observed).mean() * 100 + (x == observed).mean() * 50),
        implied=implied,
        grid=table,
    )
