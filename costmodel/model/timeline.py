"""A projection's time line: when its programmes run, how far each year is
discounted, what counts after a decision and which costs are still estimates."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from ..greenbook.discounting import discount_factors, discount_schedule
from ..greenbook.prices import add_years as _add_years
from ..params.errors import ParameterError, Problem
from ..params.limits import check_horizon

__all__ = ["FOLLOW_UP", "Timeline", "cohort_years", "forward_shares", "timeline"]


@dataclass(frozen=True)
class Timeline:
    """Where a projection's programmes sit in time and how each year counts.

    Appraisal year ``t`` runs twelve months from ``start`` plus ``t`` years;
    programme ``i`` starts ``shifts[i]`` years in. ``full`` and ``health_full`` are the
    Green Book discount factors (standard or as asked, and health) for the distance of
    each year from ``base``; ``ahead`` the share of each year on or after the decision
    (1 without one); ``future`` 1 where a year's costs are still estimates (it starts
    after ``as_of``).
    """

    start: dt.date
    shifts: tuple[int, ...]
    horizon: int
    years_after_support: int | None
    base: dt.date
    full: np.ndarray
    health_full: np.ndarray
    ahead: np.ndarray
    future: np.ndarray
    as_of: dt.date

    @property
    def factors(self) -> np.ndarray:
        """Discount factors of what counts (each year's share after the decision)."""
        return self.full * self.ahead

    @property
    def health(self) -> np.ndarray:
        return self.health_full * self.ahead


def timeline(
    params: Mapping,
    included: Sequence,
    *,
    horizon: int | None = None,
    years_after_support: int | None = None,
    discount: str = "standard",
    base_date: dt.date | None = None,
    decision_date: dt.date | None = None,
    as_of: dt.date | None = None,
) -> Timeline:
    """The time line of the programmes ``included`` (see :func:`project` for the
    rules of the horizon, the discount base and the decision date)."""
    starts = [p.start_date(params) for p in included]
    if not starts and "team.programme.start_date" not in params:
        raise ParameterError(
            Problem(
                "",
                "programmes",
                "nothing to appraise: the area has no team.yaml and no programme with "
                "share_appraised above zero (add one under programmes/, or name a "
                "scenario that appraises one)",
            )
        )
    start = min(starts or [params["team.programme.start_date"].value])
    shifts = tuple(_years_between(s, start) for s in starts)
    yas = cohort_years(params, years_after_support)
    if horizon is None:
        if yas is None:
            raise ParameterError(
                Problem(
                    "",
                    FOLLOW_UP,
                    "missing: give the years each cohort is followed, or a horizon",
                )
            )
        last = max([s + p.years(params) for p, s in zip(included, shifts, strict=True)] or [1])
        # the last cohort ends support in the last quarter of year last − 1 and is
        # followed for yas years from that quarter, into year last − 1 + yas
        horizon = last + yas
    horizon = check_horizon(horizon)
    base = base_date if base_date is not None else decision_date or start
    offset = _years_between(start, base) if start >= base else -_years_between(base, start)
    years = np.arange(horizon) + offset
    today = as_of or decision_date or dt.date.today()
    return Timeline(
        start=start,
        shifts=shifts,
        horizon=horizon,
        years_after_support=yas,
        base=base,
        full=discount_factors(years, discount_schedule(params, discount)),
        # wellbeing (valued in QALYs) is discounted at the Green Book's health rate
        health_full=discount_factors(years, discount_schedule(params, "health")),
        ahead=forward_shares(start, horizon, decision_date),
        future=np.array([_add_years(start, t) > today for t in range(horizon)], dtype=float),
        as_of=today,
    )


def forward_shares(start: dt.date, horizon: int, decision: dt.date | None) -> np.ndarray:
    """The share of each appraisal year (twelve months from ``start`` plus ``t`` years)
    that falls on or after the decision date: 1 throughout without one."""
    if decision is None:
        return np.ones(horizon)
    out = np.empty(horizon)
    for t in range(horizon):
        first, last = _add_years(start, t), _add_years(start, t + 1)
        out[t] = min(max((last - decision).days / (last - first).days, 0.0), 1.0)
    return out


FOLLOW_UP = "savings.appraisal.years_after_support"


def cohort_years(params: Mapping, given: int | None = None) -> int | None:
    """Years each cohort is followed after its support: ``given``, else the parameter
    ``savings.appraisal.years_after_support`` (``None`` if neither: follow to the end)."""
    if given is not None:
        return check_horizon(given, "years after support")
    if FOLLOW_UP in params:
        return check_horizon(int(round(float(params[FOLLOW_UP].value))), FOLLOW_UP)
    return None


def _years_between(later: dt.date, earlier: dt.date) -> int:
    """Whole years from date ``earlier`` to date ``later``."""
    return int(round((later - earlier).days / 365.25))
