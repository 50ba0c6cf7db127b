"""What the app's views run: the use cases behind each control.

The views of :mod:`costmodel.present.views` format results; these functions are the
computations their controls start, so that presentation takes from the model only
result types. Each returns a result type (:class:`~costmodel.model.late_intervention.
Baseline`, :class:`~costmodel.model.team_result.ReachResult`,
:class:`~costmodel.model.result.Projection`) or names of areas.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from ..model.late_intervention import Baseline, areas, baseline, default_area
from ..model.projection import project
from ..model.result import Projection
from ..model.team import reach
from ..model.team_result import ReachResult
from ..params.store import ParameterSet

__all__ = ["appraisal", "area_baseline", "area_names", "main_area", "team_reach"]


def area_names(params: ParameterSet) -> list[str]:
    """The areas the parameters hold (England and Wales among them)."""
    return list(areas(params))


def main_area(params: ParameterSet) -> str | None:
    """The area the parameters are for, if they are for one."""
    return default_area(params)


def area_baseline(params: ParameterSet, area: str, price_year: str) -> Baseline:
    """An area's annual cost of late intervention at a price year (the baseline view)."""
    return baseline(params, area, price_year)


def team_reach(
    params: ParameterSet,
    *,
    runs: int,
    seed: int,
    parameter_uncertainty: bool,
    progress: Callable[[Iterable], Iterable] | None = None,
) -> ReachResult:
    """The team's reach over ``runs`` simulated runs: chance only (the quick estimate) or
    with every run drawing its parameter values (the Monte Carlo button)."""
    return reach(
        params,
        runs=runs,
        seed=seed,
        parameter_uncertainty=parameter_uncertainty,
        progress=progress,
    )


def appraisal(params: ParameterSet, scenario: str | None = None, **settings: Any) -> Projection:
    """A scenario's appraisal (the savings view's figures, its Monte Carlo and its
    comparison of scenarios); ``settings`` as :func:`costmodel.model.projection.project`."""
    return project(params, scenario, **settings)
