"""A reference implementation of the savings appraisal, one Monte Carlo draw at a time.

``costmodel.model.savings.appraise`` evaluates every draw at once with numpy arrays. This
module works through the same model for a single draw with plain Python floats and
explicit loops, written from the model's description (the ``costmodel.model.savings`` module
docstring) rather than from the vectorised code, so the two can be checked against each
other:

* A family like those helped has, for each outcome, a yearly ``rate`` of occurrences,
  a ``cost`` per occurrence and an ``effect`` (relative reduction of the rate). A family
  at full effect saves ``rate × cost × effect`` a year on that outcome.
* Persistence: ``k`` years after the year its support ended (``k = 0`` is that year)
  the effect left is 1 while ``k + 1 <= full_years`` and ``(1 − drop_off) ** (k + 1 −
  full_years)`` after that.
* Cohorts: ``families[y]`` full-effect-equivalent families ended their support in
  programme year ``y``; in year ``t`` they save at ``persistence(t − y)``. Only the
  years ``0 .. horizon − 1`` count, for both savings and costs.
* Effective families: completed + dropped out × ``dropout_effect`` + reached
  indirectly × ``indirect_effect``.
* Net savings are gross × (1 − deadweight)(1 − attribution)(1 − displacement)
  (1 − optimism bias), deadweight and attribution only where the effect has no
  counterfactual; each outcome's net savings are split between the agencies by
  its agency shares, and each agency's by its cashable share.
* Present values use the given discount factors, year ``t`` weighted by ``df[t]``.
  Any payment-by-results income offsets the costs: NPV = PV net savings − (PV costs −
  PV income), BCR = PV net savings ÷ (PV costs − PV income).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from costmodel.model.savings import SavingsInputs

#: Per-draw values returned by :func:`appraise_loop`, one array each.
SCALARS = ("pv_costs", "pv_income", "pv_savings_gross", "pv_savings_net", "npv", "bcr")


@dataclass(frozen=True)
class DrawResult:
    """One draw's appraisal."""

    pv_costs: float
    pv_income: float
    pv_savings_gross: float
    pv_savings_net: float
    npv: float
    bcr: float
    pv_by_agency: list[float]  # net savings by agency
    pv_cashable_by_agency: list[float]
    gross_by_year: list[float]  # undiscounted, summed over outcomes
    net_by_year: list[float]


def effective_families_one(
    completed: Sequence[float],
    dropped: Sequence[float],
    indirect: Sequence[float],
    dropout_effect: float,
    indirect_effect: float,
) -> list[float]:
    """One draw's full-effect-equivalent families by programme year."""
    return [
        float(c) + float(d) * dropout_effect + float(i) * indirect_effect
        for c, d, i in zip(completed, dropped, indirect, strict=True)
    ]


def effect_left(k: int, full_years: float, drop_off: float) -> float:
    """Share of the effect left ``k`` whole years after the year support ended."""
    years_past_full = k + 1 - full_years
    if years_past_full <= 0:
        return 1.0
    return (1.0 - drop_off) ** years_past_full


def appraise_draw(
    inputs: SavingsInputs,
    i: int,
    costs: Sequence[float],
    families: Sequence[float],
    discount_factors: Sequence[float],
    income: Sequence[float] | None = None,
) -> DrawResult:
    """Draw ``i`` of ``inputs``, with that draw's yearly costs, effective families and
    (optionally) payment-by-results income."""
    df = [float(x) for x in discount_factors]
    horizon = len(df)
    outcomes = len(inputs.outcomes)
    agencies = inputs.agency_share.shape[1]

    # this draw's scalars
    rate = [float(inputs.rate[i, o]) for o in range(outcomes)]
    cost = [float(inputs.cost[i, o]) for o in range(outcomes)]
    effect = [float(inputs.effect[i, o]) for o in range(outcomes)]
    # the years an effect holds in full: one for every outcome, or each outcome's own
    full = np.asarray(inputs.full_years)
    full_years = [float(full[i, o] if full.ndim == 2 else full[i]) for o in range(outcomes)]
    drop_off = float(inputs.drop_off[i])
    # the gross-to-net factor of each outcome: deadweight and attribution only where the
    # effect has no counterfactual, optimism bias at the rate for the grade of the outcome's effect
    ob_by_grade = {
        0: float(inputs.ob_high[i]),
        1: float(inputs.ob_medium[i]),
        2: float(inputs.ob_low[i]),
    }
    additionality = []
    for o in range(outcomes):
        factor = 1.0
        if not bool(inputs.counterfactual[o]):
            factor *= 1.0 - float(inputs.deadweight[i])
            factor *= 1.0 - float(inputs.attribution[i])
        factor *= 1.0 - float(inputs.displacement[i])
        factor *= 1.0 - ob_by_grade[int(inputs.grade[o])]
        additionality.append(factor)
    cost_uplift = 1.0 + float(inputs.ob_costs[i])
    share = [[float(inputs.agency_share[o, a]) for a in range(agencies)] for o in range(outcomes)]
    cashable = [float(inputs.cashable[a]) for a in range(agencies)]

    saving_per_family = [rate[o] * cost[o] * effect[o] for o in range(outcomes)]

    gross_by_year, net_by_year = [], []
    pv_gross = pv_net = 0.0
    pv_agency = [0.0] * agencies
    pv_cash = [0.0] * agencies
    duration = [
        float(inputs.duration[i, o]) if inputs.duration.size else 0.0 for o in range(outcomes)
    ]

    def weight_in(t: int, o: int) -> float:
        """Families at full-effect equivalent in year t for outcome o, over the cohorts so far."""
        w = 0.0
        for y in range(min(t + 1, len(families))):
            w += float(families[y]) * effect_left(t - y, full_years[o], drop_off)
        return w

    def cost_share(o: int, k: int) -> float:
        """Share of a year's cost an episode avoided k years ago still saves."""
        if duration[o] <= 0:
            return 1.0 if k == 0 else 0.0
        return min(1.0, max(0.0, duration[o] - k))

    for t in range(horizon):
        gross_t = net_t = 0.0
        for o in range(outcomes):
            gross = 0.0
            for s in range(t + 1):  # episodes avoided in year s still costing in year t
                running = cost_share(o, t - s)
                if running:
                    gross += weight_in(s, o) * saving_per_family[o] * running
            net = gross * additionality[o]
            gross_t += gross
            net_t += net
            for a in range(agencies):
                to_agency = net * share[o][a]
                pv_agency[a] += to_agency * df[t]
                pv_cash[a] += to_agency * cashable[a] * df[t]
        gross_by_year.append(gross_t)
        net_by_year.append(net_t)
        pv_gross += gross_t * df[t]
        pv_net += net_t * df[t]

    pv_costs = 0.0
    for t in range(min(horizon, len(costs))):
        pv_costs += float(costs[t]) * cost_uplift * df[t]
    pv_income = 0.0
    for t in range(min(horizon, len(income or ()))):
        pv_income += float(income[t]) * df[t]

    return DrawResult(
        pv_costs=pv_costs,
        pv_income=pv_income,
        pv_savings_gross=pv_gross,
        pv_savings_net=pv_net,
        # fiscal: payment-by-results income is a transfer within government
        npv=pv_net - pv_costs,
        bcr=pv_net / pv_costs if pv_costs != 0 else math.nan,
        pv_by_agency=pv_agency,
        pv_cashable_by_agency=pv_cash,
        gross_by_year=gross_by_year,
        net_by_year=net_by_year,
    )


def appraise_loop(
    inputs: SavingsInputs,
    costs: np.ndarray,
    families: np.ndarray,
    discount_factors: Sequence[float],
    draws: int | None = None,
    income: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """The first ``draws`` draws (default all), one at a time, gathered into arrays."""
    n = inputs.draws if draws is None else draws
    results = [
        appraise_draw(
            inputs,
            i,
            costs[i],
            families[i],
            discount_factors,
            None if income is None else list(income[i]),
        )
        for i in range(n)
    ]
    out = {name: np.array([getattr(r, name) for r in results]) for name in SCALARS}
    for name in ("pv_by_agency", "pv_cashable_by_agency", "gross_by_year", "net_by_year"):
        out[name] = np.array([getattr(r, name) for r in results])
    return out


def relative_difference(
    a: np.ndarray, b: np.ndarray, scale: np.ndarray | float = 0.0
) -> np.ndarray:
    """``|a − b|`` over the larger of ``|a|``, ``|b|`` and ``scale`` (0 where all are 0).

    ``scale`` guards a difference of large terms (NPV = PV savings − PV costs) that
    happens to be near zero: pass the size of the terms.
    """
    a, b = np.asarray(a, float), np.asarray(b, float)
    both_nan = np.isnan(a) & np.isnan(b)
    size = np.maximum(np.maximum(np.abs(a), np.abs(b)), scale)
    diff = np.abs(a - b)
    out = np.divide(diff, size, out=np.where(diff == 0, 0.0, np.inf), where=size > 0)
    return np.where(both_nan, 0.0, np.where(np.isnan(out), np.inf, out))
