"""Price bases: moving money between financial years with the GDP deflator.

The Green Book appraises in real terms at one base year's prices, removing general
inflation with HM Treasury's GDP deflator (HM Treasury, *The Green Book*, 2022,
chapter 5, "Adjustments for inflation", paragraphs 5.11–5.12). Unit costs are quoted
in financial years (April–March), so the store holds HM Treasury's financial-year
series. Years beyond the outturn use the OBR forecast in the same file and are flagged
as forecast, so a result in such a price year says that it rests on a forecast.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..params.errors import ParameterError, Problem, accepts
from ..params.schema import format_financial_year, parse_financial_year


def as_financial_year(text: object, path: str = "price_year") -> str:
    """``'2014/15'`` (or ``'2014-15'``) in canonical form; a :class:`ParameterError` otherwise."""
    try:
        return format_financial_year(parse_financial_year(text))
    except ValueError as exc:
        raise ParameterError(Problem("", path, str(exc))) from None


@dataclass(frozen=True)
class Deflators:
    """A financial-year GDP deflator index with its vintage and forecast years."""

    index: pd.Series  # indexed by financial year text, e.g. "2014/15"
    forecast: frozenset[str]  # financial years that rest on a forecast
    vintage: str

    def _levels(self) -> dict[str, float]:
        """The levels by year as plain numbers, kept (the model asks for them thousands
        of times)."""
        levels = self.__dict__.get("_by_year")
        if levels is None:
            levels = {str(k): float(v) for k, v in self.index.items()}
            object.__setattr__(self, "_by_year", levels)
        return levels

    def factor(self, from_year: str, to_year: str) -> float:
        """Multiply a ``from_year`` amount by this to express it in ``to_year`` prices."""
        return float(self.level(to_year) / self.level(from_year))

    def level(self, year: str) -> float:
        levels = self._levels()
        if year in levels:  # already in canonical form
            return levels[year]
        fy = as_financial_year(year)
        try:
            return levels[fy]
        except KeyError:
            first, last = self.index.index[0], self.index.index[-1]
            raise ParameterError(
                Problem(
                    "",
                    "prices.gdp_deflator",
                    f"no deflator for {fy}: the series runs from {first} to {last}",
                )
            ) from None

    def is_forecast(self, year: str) -> bool:
        return as_financial_year(year) in self.forecast

    def basis(self, year: str) -> str:
        """A label such as 'real terms, 2024/25 prices (GDP deflator, ... vintage)'."""
        fy = as_financial_year(year)
        label = f"real terms, {fy} prices"
        if self.is_forecast(fy):
            label += f" (deflator includes forecast: {self.vintage})"
        return label


def add_years(day: dt.date, years: int) -> dt.date:
    """The same day ``years`` later (28 February for a 29 February in a common year)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def financial_year_of(date: dt.date) -> str:
    """The financial year (April to March) that holds ``date``: 1 Feb 2019 → 2018/19."""
    return format_financial_year(date.year if date.month >= 4 else date.year - 1)


def cash_to_real(
    total: float, start: dt.date, years: int, price_year: str, deflators: Deflators
) -> tuple[float, list[tuple[str, float]]]:
    """A cash budget spent evenly over ``years`` programme years from ``start``, in real
    terms at ``price_year``: each year's cash deflated from the financial year in which
    that programme year starts. Returns the real total and (financial year, real
    amount) by programme year."""
    import datetime as _dt

    parts = []
    for k in range(years):
        day = _dt.date(start.year + k, start.month, min(start.day, 28))
        fy = financial_year_of(day)
        parts.append((fy, total / years * deflators.factor(fy, price_year)))
    return sum(v for _, v in parts), parts


#: Deflators built from the same two parameters (kept with them, so that an identity
#: is never that of another object): the model asks for them in every projection.
_BUILT: dict[tuple[int, int], tuple[Any, Any, Deflators]] = {}
_BUILT_MOST = 16


@accepts(params="mapping")
def deflators(params: Mapping) -> Deflators:
    """The financial-year deflator: outturn years, then the OBR forecast years."""
    outturn = params["prices.gdp_deflator.financial_year"]
    forecast = params["prices.gdp_deflator.forecast"]
    key = (id(outturn), id(forecast))
    built = _BUILT.get(key)
    if built is not None and built[0] is outturn and built[1] is forecast:
        return built[2]
    out = _deflators(outturn, forecast)
    if len(_BUILT) >= _BUILT_MOST:
        _BUILT.clear()
    _BUILT[key] = (outturn, forecast, out)
    return out


def _deflators(outturn: Any, forecast: Any) -> Deflators:
    clash = set(outturn.value) & set(forecast.value)
    if clash:
        raise ParameterError(
            Problem(
                forecast.file, forecast.path, f"years in both outturn and forecast: {sorted(clash)}"
            )
        )
    levels = {**outturn.value, **forecast.value}
    order = sorted(levels, key=parse_financial_year)
    firsts = [parse_financial_year(y) for y in order]
    if firsts != list(range(firsts[0], firsts[0] + len(firsts))):
        raise ParameterError(
            Problem(outturn.file, outturn.path, "the deflator series must cover consecutive years")
        )
    index = pd.Series(
        {format_financial_year(parse_financial_year(y)): float(levels[y]) for y in order},
        name="gdp_deflator",
    )
    fc = frozenset(format_financial_year(parse_financial_year(y)) for y in forecast.value)
    vintage = f"{outturn.source.vintage or outturn.source.title}; {forecast.source.vintage or ''}"
    return Deflators(index, fc, vintage.strip("; "))


def rebase(amount: Any, from_year: str, to_year: str, deflators: Deflators) -> Any:
    """Express ``amount`` (number, array, Series or DataFrame) in ``to_year`` prices."""
    f = deflators.factor(from_year, to_year)
    if isinstance(amount, (pd.Series, pd.DataFrame)):
        return amount * f
    return np.asarray(amount, dtype=float) * f if np.ndim(amount) else float(amount) * f


#: The former name of :func:`deflators`, kept while callers move to it.
deflators_from_params = deflators
