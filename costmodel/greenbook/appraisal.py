"""The appraisal arithmetic, one function per Green Book idea, on arrays of draws.

Every function works elementwise on numbers or numpy arrays (Monte Carlo draws on
the first axis, years on the last where there are years), so the same code gives a
deterministic result and a whole distribution. References are to HM Treasury, *The
Green Book: central government guidance on appraisal and evaluation* (2022), and to
HM Treasury / New Economy, *Supporting public service transformation: cost benefit
analysis guidance for local partnerships* (2014), here "the local CBA guidance".
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike


def ratio(numerator: ArrayLike, denominator: ArrayLike) -> np.ndarray:
    """``numerator / denominator`` elementwise, NaN where the denominator is zero."""
    a, b = np.asarray(numerator, dtype=float), np.asarray(denominator, dtype=float)
    return np.divide(a, b, out=np.full(np.broadcast(a, b).shape, np.nan), where=b != 0)


def net_present_value(pv_benefits: ArrayLike, pv_costs: ArrayLike) -> np.ndarray:
    """Net present (social) value: PV of benefits less PV of costs.

    Green Book (2022), chapter 5, "Preferred option selection": the NPSV of an option
    is the present value of its benefits less that of its costs.
    """
    return np.asarray(pv_benefits, dtype=float) - np.asarray(pv_costs, dtype=float)


def benefit_cost_ratio(pv_benefits: ArrayLike, pv_costs: ArrayLike) -> np.ndarray:
    """Benefit-cost ratio: PV of benefits ÷ PV of costs (NaN where there are no costs).

    Green Book (2022), chapter 5, "Preferred option selection"; the local CBA
    guidance's "financial return on investment" is the same ratio on fiscal values.
    """
    return ratio(pv_benefits, pv_costs)


def additionality(
    deadweight: ArrayLike, attribution: ArrayLike, displacement: ArrayLike
) -> np.ndarray:
    """The share of a gross outcome that is additional: ``(1−dw)(1−att)(1−disp)``.

    Deadweight (what would have happened anyway), attribution (the share due to other
    services) and displacement (harm moved elsewhere) as the local CBA guidance sets
    them out (section on "adjusting for deadweight, displacement and attribution").
    """
    return (
        (1 - np.asarray(deadweight, dtype=float))
        * (1 - np.asarray(attribution, dtype=float))
        * (1 - np.asarray(displacement, dtype=float))
    )


def optimism_bias_costs(costs: ArrayLike, optimism_bias: ArrayLike) -> np.ndarray:
    """Costs raised by the Green Book optimism bias share: ``costs × (1 + ob)``."""
    return np.asarray(costs, dtype=float) * (1 + np.asarray(optimism_bias, dtype=float))


def optimism_bias_benefits(benefits: ArrayLike, optimism_bias: ArrayLike) -> np.ndarray:
    """Benefits reduced by an optimism-bias share: ``benefits × (1 − ob)``.

    Green Book (2022), chapter 5, "Uncertainty, risk, optimism bias", and annex A5:
    appraisers are optimistic about benefits, and where the evidence gives no generic
    uplift the adjustment rests on the confidence in the evidence.
    """
    return np.asarray(benefits, dtype=float) * (1 - np.asarray(optimism_bias, dtype=float))


def payback(costs: ArrayLike, savings: ArrayLike) -> np.ndarray:
    """Payback time in years from yearly costs and savings (last axis = years).

    Amounts for year ``t`` are taken as accrued by its end (time ``t + 1``); payback is
    where cumulative savings last overtake cumulative costs, interpolated linearly
    within the year. NaN where that does not happen within the years given, or where
    there is never a deficit to pay back. The local CBA guidance reports payback
    alongside the return on investment.
    """
    gap = np.cumsum(np.asarray(costs, float) - np.asarray(savings, float), axis=-1)
    gap = np.concatenate([np.zeros((*gap.shape[:-1], 1)), gap], axis=-1)  # time 0 .. Y
    end = gap.shape[-1] - 1
    deficit = gap > 0
    # the last time still in deficit; payback follows it if it comes before the end
    last = end - np.argmax(deficit[..., ::-1], axis=-1)
    pays = deficit[..., 1:].any(axis=-1) & (last < end)
    before = np.take_along_axis(gap, last[..., None], axis=-1)[..., 0]
    after = np.take_along_axis(gap, np.minimum(last + 1, end)[..., None], axis=-1)[..., 0]
    with np.errstate(divide="ignore", invalid="ignore"):
        crossing = last + before / (before - after)
    return np.where(pays, crossing, np.nan)


def probability_positive(values: ArrayLike) -> float:
    """Share of draws above zero, e.g. P(NPV > 0) from a Monte Carlo analysis.

    Green Book (2022), annex A5: Monte Carlo analysis gives the distribution of an
    option's value, and with it the probability that it is positive.
    """
    v = np.asarray(values, dtype=float)
    return float((v > 0).mean()) if v.size else float("nan")
