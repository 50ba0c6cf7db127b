"""Discounting as the HM Treasury Green Book sets it out.

The social time preference rate and its declining schedule: *The Green Book* (2022),
chapter 5, "Discounting and social time preference", and annex A6, "Discounting"
(with the lower schedule for health effects and the one excluding catastrophic risk).

Year 0 is the base year and is not discounted. The factor for year ``t`` is
``∏_{s=1..t} 1 / (1 + r(s))`` where ``r(s)`` is the rate of the band that holds
year ``s``: with the standard schedule 3.5% for years 0–30, then 3.0% from year
31, so ``DF(31) = DF(30) / 1.03``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from ..params.errors import ParameterError, Problem, accepts

SCHEDULES = ("standard", "health", "excluding_catastrophic_risk")


@dataclass(frozen=True)
class DiscountSchedule:
    """Discount rates by band: ``rates[i]`` applies from year ``starts[i]`` on."""

    name: str
    starts: tuple[int, ...]
    rates: tuple[float, ...]

    def __post_init__(self) -> None:
        if not self.starts or self.starts[0] != 0:
            raise ValueError("a discount schedule must start at year 0")
        if list(self.starts) != sorted(set(self.starts)) or len(self.starts) != len(self.rates):
            raise ValueError("discount bands must be increasing, one rate each")
        if any(not 0 <= r < 1 for r in self.rates):
            raise ValueError("discount rates must lie in [0, 1)")

    def rate(self, year: int | np.ndarray) -> np.ndarray:
        """The rate that applies to ``year`` (the year's own band)."""
        idx = np.searchsorted(np.asarray(self.starts), np.asarray(year), side="right") - 1
        return np.asarray(self.rates)[np.maximum(idx, 0)]


def flat_rate(rate: float) -> DiscountSchedule:
    """A schedule with one rate for every year (for sensitivity tests)."""
    return DiscountSchedule(name=f"flat {rate:.2%}", starts=(0,), rates=(float(rate),))


@accepts(params="mapping", name="name")
def discount_schedule(params: Mapping, name: str = "standard") -> DiscountSchedule:
    """The Green Book schedule ``name`` (standard, health, excluding_catastrophic_risk).

    A table that does not start at year 0, or a rate outside [0, 1), is a
    :class:`~costmodel.params.errors.ParameterError` naming the file and parameter.
    """
    if name not in SCHEDULES:
        raise ParameterError(
            Problem(
                "",
                "discount",
                f"unknown discount schedule {name!r} (use one of {', '.join(SCHEDULES)})",
            )
        )
    p = params[f"prices.discounting.{name}"]
    table = p.value
    try:
        starts = sorted(int(k) for k in table)
        return DiscountSchedule(name, tuple(starts), tuple(float(table[s]) for s in starts))
    except (TypeError, ValueError) as exc:
        raise ParameterError(Problem(p.file, p.path, str(exc), p.line)) from None


def discount_factors(years: int | np.ndarray, schedule: DiscountSchedule) -> np.ndarray:
    """Discount factors for whole ``years`` after the base year (year 0 → 1.0).

    A year before the base (negative) is compounded forward at the first band's rate,
    ``(1 + r(0)) ** −t``, as an appraisal that looks back from a later base year does.
    """
    years = np.asarray(years)
    if np.any(years != np.floor(years)):
        raise ValueError("years must be whole numbers")
    top = int(years.max(initial=0))
    s = np.arange(1, max(top, 0) + 1)
    log_df = np.concatenate([[0.0], -np.cumsum(np.log1p(schedule.rate(s)))])
    ahead = np.maximum(years, 0).astype(int)
    out = np.exp(log_df[ahead])
    before = years < 0
    if np.any(before):
        out = np.where(before, (1 + schedule.rates[0]) ** (-np.minimum(years, 0)), out)
    return out


def present_value(stream: ArrayLike, schedule: DiscountSchedule, start: int = 0) -> Any:
    """Present value of a stream of yearly amounts.

    ``stream`` is a sequence or array whose last axis is years ``start, start+1, ...``
    (so arrays shaped ``(draws, years)`` give one PV per draw), or a pandas Series
    indexed by year offset.
    """
    if isinstance(stream, pd.Series):
        factors = discount_factors(stream.index.to_numpy(), schedule)
        return float((stream.to_numpy() * factors).sum())
    arr = np.asarray(stream, dtype=float)
    df = discount_factors(np.arange(start, start + arr.shape[-1]), schedule)
    return arr @ df


#: The former name of :func:`discount_schedule`, kept while callers move to it.
discount_schedule = discount_schedule
