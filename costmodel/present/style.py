"""The charts' house style, shared by the report's matplotlib charts
(:mod:`costmodel.present.charts`) and the app's plotly charts
(:mod:`costmodel.present.views.figures`): the colour-blind-safe palette, each paying
agency's colour, and compact money labels. It imports no plotting library, so that the
app's kernels load matplotlib only when a view first draws a picture with it.
"""

from __future__ import annotations

import numpy as np

from .formatting import money, money_m, number

#: The Okabe-Ito colour-blind-safe palette (yellow left out: it does not print well).
OKABE_ITO = {
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "green": "#009E73",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
    "black": "#000000",
}

#: Each paying agency's colour, the same in every chart.
AGENCY_COLOURS: dict[str, str] = {
    "local_authority": OKABE_ITO["blue"],
    "police": OKABE_ITO["orange"],
    "criminal_justice": OKABE_ITO["vermillion"],
    "nhs": OKABE_ITO["green"],
    "welfare": OKABE_ITO["purple"],
    "schools": OKABE_ITO["sky_blue"],
}

COSTS = OKABE_ITO["vermillion"]
SAVINGS = OKABE_ITO["blue"]
POSITIVE = OKABE_ITO["blue"]
NEGATIVE = OKABE_ITO["vermillion"]
LOW = OKABE_ITO["blue"]
HIGH = OKABE_ITO["orange"]
INK = "#222222"
GRID = "#dddddd"
BAND_ALPHA = 0.2
LABEL_WRAP = 30


# ------------------------------------------------------------------------------- money

#: The units money labels are given in: pounds, thousands and millions.
MONEY_DIVISORS = {"": 1.0, "k": 1e3, "m": 1e6}


def money_in_unit(x: float, unit: str, decimals: int) -> str:
    """``x`` pounds in ``unit`` ("", "k" or "m"): ``£1.2m``, ``(£250k)``, ``£0``."""
    div = MONEY_DIVISORS[unit]
    if round(x / div, decimals) == 0:
        return "£0"
    if unit == "m":
        return money_m(x, decimals)
    if unit == "k":
        text = f"£{number(abs(x) / div, decimals)}k"
        return f"({text})" if x < 0 else text
    return money(x, decimals)


def money_short(x: float) -> str:
    """A compact money label for annotations: ``£1.5m``, ``(£250k)``, ``£9,500``."""
    if x is None or not np.isfinite(x):
        return "–"
    size = abs(x)
    if size >= 995_000:
        return money_in_unit(x, "m", 1)
    if size >= 10_000:
        return money_in_unit(x, "k", 0)
    return money_in_unit(x, "", 0)


__all__ = [
    "AGENCY_COLOURS",
    "BAND_ALPHA",
    "COSTS",
    "GRID",
    "HIGH",
    "INK",
    "LABEL_WRAP",
    "LOW",
    "MONEY_DIVISORS",
    "NEGATIVE",
    "OKABE_ITO",
    "POSITIVE",
    "SAVINGS",
    "money_in_unit",
    "money_short",
]
