"""What-ifs on a scenario: the overrides behind the savings view's controls.

The commissioners' savings view moves a handful of parameters (additionality,
optimism bias, persistence, the follow-up, the discount rate) and scales every
outcome's effect at once. The overrides those controls stand for are worked out
here, so that the view only shows them and the same what-if can be run from code:

>>> import costmodel
>>> from costmodel.analysis.what_if import what_if_overrides
>>> p = costmodel.apply_scenario(costmodel.load(), "central")
>>> o = what_if_overrides(p, {"savings.additionality.deadweight": 0.3}, effect_scale=0.5)
>>> o["savings.additionality.deadweight"]
0.3

Imports params and model.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from ..model.savings import Appraisal
from ..params.store import ParameterSet

#: The discount rate schedule a what-if's single rate replaces.
DISCOUNT = "prices.discounting.standard"
#: Parameters of an effect's distribution that scale with it (a spread, a bound, a
#: mode); the rest (a shape, a mean the value stands for) do not.
SCALED = ("sd", "low", "high", "mode")


def effect_paths(params: ParameterSet) -> list[str]:
    """Every outcome's effect parameter (``savings.outcomes.*.effect``), in order."""
    return [q for q in params if q.startswith("savings.outcomes.") and q.endswith(".effect")]


def scaled_effects(params: ParameterSet, scale: float) -> dict[str, Any]:
    """Overrides multiplying every outcome's effect by ``scale`` (a share, so at most 1),
    with its spread scaled alike: ``{}`` for a scale of 1."""
    k = float(scale)
    if not np.isfinite(k) or k < 0:
        raise ValueError(f"effect scale {scale!r}: give 0 or more (1 = as assumed)")
    if k == 1.0:
        return {}
    out: dict[str, Any] = {}
    for path in effect_paths(params):
        e = params[path]
        new: dict[str, Any] = {"value": min(float(e.value) * k, 1.0)}
        if e.distribution is not None:
            new["distribution"] = {
                "type": e.distribution.family,
                **{
                    n: (v * k if n in SCALED else v)
                    for n, v in e.distribution.params.items()
                    if v is not None and n != "mean"
                },
            }
        out[path] = new
    return out


def first_discount_rate(params: ParameterSet) -> float:
    """The scenario's discount rate for the first years (its schedule's first band)."""
    rates = params[DISCOUNT].value
    return float(rates[min(rates)])


def what_if_overrides(
    params: ParameterSet,
    values: Mapping[str, float],
    effect_scale: float = 1.0,
    discount_rate: float | None = None,
) -> dict[str, Any]:
    """The overrides for a what-if on ``params`` (a scenario applied): ``values`` as
    given, every effect scaled by ``effect_scale`` and, when it differs from the
    scenario's, one ``discount_rate`` for every year."""
    out: dict[str, Any] = {path: float(v) for path, v in values.items()}
    out.update(scaled_effects(params, effect_scale))
    if discount_rate is not None and float(discount_rate) != first_discount_rate(params):
        out[DISCOUNT] = {"value": {0: float(discount_rate)}}
    return out


def pv_costs_less_income(appraisal: Appraisal) -> np.ndarray:
    """Present value of costs less any income (payment by results), per draw: the cost
    a commissioner bears (the costs alone where the appraisal has no income)."""
    return np.asarray(appraisal.pv_costs - appraisal.pv_income, dtype=float)


__all__ = [
    "DISCOUNT",
    "effect_paths",
    "first_discount_rate",
    "pv_costs_less_income",
    "scaled_effects",
    "what_if_overrides",
]
