"""Outturn in place of simulated spend: a ledger's years replace the simulation's.

A programme's simulated spend comes by quarter (13-week quarters from its start). A
ledger (:mod:`costmodel.params.ledger`) gives the cash actually spent by financial year.
For every financial year the ledger covers, the part of each quarter that falls in it
loses its simulated spend, and the ledger's amount (rebased to real terms) is spread
over those parts in proportion to their days: spending is taken as even within a
financial year. Years the ledger does not cover keep the simulation.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..params.ledger import Entry
from ..params.schema import parse_financial_year
from .vocabulary import WEEKS_PER_QUARTER


@dataclass(frozen=True)
class Outturn:
    """Spend with the ledger's years in place: ``spend`` (runs, quarters), ``actual``
    (quarters,) the share of each quarter's spend that is outturn, and ``table`` one row
    per ledger year: ``simulated`` (mean), ``outturn`` (real), ``cash`` (as recorded)
    and ``difference`` (outturn less simulated), money real terms."""

    spend: np.ndarray
    actual: np.ndarray
    table: pd.DataFrame


def _fy_span(fy: str) -> tuple[dt.date, dt.date]:
    first = parse_financial_year(fy)
    return dt.date(first, 4, 1), dt.date(first + 1, 4, 1)


def apply_outturn(
    spend: np.ndarray,
    start: dt.date,
    weeks: float,
    entries: Mapping[str, Entry],
    to_real: Callable[[str], float],
) -> Outturn:
    """Replace the quarters' simulated ``spend`` (runs, quarters; real terms) in the
    financial years ``entries`` cover. ``weeks`` is the programme's length (the last
    quarter may be short); ``to_real(fy)`` turns a pound of year ``fy`` into real terms.
    Entries for years outside the programme's period are not used (a ledger of the team
    so far says nothing of a successor's years); the table lists the years used."""
    spend = np.asarray(spend, dtype=float)
    quarters = spend.shape[1]
    bounds = [
        start + dt.timedelta(weeks=min(k * WEEKS_PER_QUARTER, weeks)) for k in range(quarters + 1)
    ]
    days = np.array([(bounds[k + 1] - bounds[k]).days for k in range(quarters)], dtype=float)
    years = []
    overlap_by_year = []
    for fy in sorted(entries):
        lo, hi = _fy_span(fy)
        days_in = [
            max(0, (min(hi, bounds[k + 1]) - max(lo, bounds[k])).days) for k in range(quarters)
        ]
        if sum(days_in):  # a year outside this programme's period is not its outturn
            years.append(fy)
            overlap_by_year.append(days_in)
    overlap = np.array(overlap_by_year, dtype=float).T.reshape(quarters, len(years))
    share = np.divide(overlap, days[:, None], out=np.zeros_like(overlap), where=days[:, None] > 0)
    covered = share.sum(axis=1)  # (quarters,)
    real = np.array([entries[fy].spend * to_real(fy) for fy in years])
    spread = overlap / np.maximum(
        overlap.sum(axis=0), 1.0
    )  # each year's outturn over its quarters' days
    out = spend * (1.0 - covered)[None, :] + (spread @ real)[None, :]
    simulated = spend.mean(axis=0) @ share
    table = pd.DataFrame(
        {
            "simulated": simulated,
            "outturn": real,
            "cash": [entries[fy].spend for fy in years],
            "difference": real - simulated,
            "source": [entries[fy].source for fy in years],
        },
        index=pd.Index(years, name="financial_year"),
    )
    return Outturn(out, covered, table)
