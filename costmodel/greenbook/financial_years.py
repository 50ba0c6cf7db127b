"""Amounts counted by period, shared between financial years (April to March).

A team's spend is counted by 13-week quarter from its start date, which rarely falls
on 1 April; budgets and returns are read by financial year. Each period's amount is
shared between the financial years it spans in proportion to its days in each (the
amount is taken as spent evenly within the period).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from .prices import financial_year_of


def apportion_to_financial_years(
    amounts: Sequence[float], start: dt.date, period: dt.timedelta
) -> dict[str, float]:
    """Each of ``amounts`` (one a period of length ``period``, the first starting on
    ``start``) shared between financial years by its days in each.

    Returns the amount of each financial year touched, in order (``'2018/19'`` first);
    the amounts add to the total of ``amounts``.
    """
    days = period.days
    out: dict[str, float] = {}
    for q, amount in enumerate(amounts):
        a = start + period * q
        b = a + period
        day = a
        while day < b:
            fy = financial_year_of(day)
            year = day.year if day.month >= 4 else day.year - 1
            stop = min(b, dt.date(year + 1, 4, 1))
            out[fy] = out.get(fy, 0.0) + float(amount) * (stop - day).days / days
            day = stop
    return out


__all__ = ["apportion_to_financial_years"]
