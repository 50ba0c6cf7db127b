"""Number formatting for people: pounds with thousands separators, negatives in brackets."""

from __future__ import annotations

import math

MINUS = "\u2212"


def money(x: float, decimals: int = 0, symbol: str = "£") -> str:
    """``1234567.8`` → ``£1,234,568``; negatives in brackets: ``(£1,234)``."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    text = f"{symbol}{abs(x):,.{decimals}f}"
    return f"({text})" if round(x, decimals) < 0 else text


def money_m(x: float, decimals: int = 1) -> str:
    """Millions of pounds: ``59_500_000`` → ``£59.5m``."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    text = f"£{abs(x) / 1e6:,.{decimals}f}m"
    return f"({text})" if round(x / 1e6, decimals) < 0 else text


def number(x: float, decimals: int = 0) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    text = f"{abs(x):,.{decimals}f}"
    return f"({text})" if round(x, decimals) < 0 else text


def percent(x: float, decimals: int = 1) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    return f"{x * 100:.{decimals}f}%"


def text_table(rows: list[list[str]], header: list[str], align: str) -> str:
    """A plain-text table; ``align`` has one ``l`` or ``r`` per column."""
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        out = []
        for c, w, a in zip(cells, widths, align, strict=True):
            out.append(str(c).ljust(w) if a == "l" else str(c).rjust(w))
        return "  ".join(out).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(header), rule, *(line(r) for r in rows)])
