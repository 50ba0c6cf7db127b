"""Number formatting for people: pounds with thousands separators, negatives in brackets."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from typing import Any

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


#: Significant figures of every rounded money figure (paper, workbook summary, app):
#: the one rounding rule.
SIGNIFICANT = 3


def significant(x: float, figures: int = SIGNIFICANT) -> float:
    """``x`` rounded to ``figures`` significant figures (0 stays 0)."""
    if x == 0 or not math.isfinite(x):
        return x
    return round(x, figures - 1 - math.floor(math.log10(abs(x))))


def money_round(x: float) -> str:
    """Money to :data:`SIGNIFICANT` significant figures, in the unit that fits it:
    ``£1.44m`` and ``£12.3m`` from a million, ``£946k`` and ``£34.1k`` from ten
    thousand, whole pounds below (``£9,970``, ``£381``); negatives in brackets."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    a = significant(abs(float(x)))
    if a >= 1e6:
        whole = len(str(int(a // 1e6)))
        text = f"£{a / 1e6:,.{max(SIGNIFICANT - whole, 0)}f}m"
    elif a >= 1e4:
        whole = len(str(int(a // 1e3)))
        text = f"£{a / 1e3:,.{max(SIGNIFICANT - whole, 0)}f}k"
    else:
        text = f"£{a:,.0f}"
    return f"({text})" if x < 0 and text.strip("£0.,km") else text


def ratio_text(x: float) -> str:
    """A ratio (a BCR) to two decimals; a dash where it is not defined (NaN, infinite)."""
    if x is None or not math.isfinite(float(x)):
        return "–"
    return f"{float(x):.2f}"


def number(x: float, decimals: int = 0) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    text = f"{abs(x):,.{decimals}f}"
    return f"({text})" if round(x, decimals) < 0 else text


def percent(x: float, decimals: int = 1) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    return f"{x * 100:.{decimals}f}%"


def by_kind(value: float, kind: str) -> str:
    """A figure as reports print it, by kind: ``money`` (whole pounds, brackets if negative),
    ``number`` (thousands separators), ``ratio`` (two decimals), ``years`` or ``weeks``
    (one decimal) or ``share`` (whole per cent)."""
    if value is None or not math.isfinite(value):
        return "–"
    if kind == "money":
        return money(value)
    if kind == "number":
        return number(value)
    if kind == "ratio":
        return ratio_text(value)
    if kind in ("years", "weeks"):
        return f"{value:.1f}"
    if kind == "share":
        return percent(value, 0)
    raise ValueError(f"unknown kind {kind!r}")


def span(low: float, high: float, kind: str) -> str:
    """A range with a spaced en dash (its ends may carry brackets): ``£1 – £2``."""
    return f"{by_kind(low, kind)} – {by_kind(high, kind)}"


def parameter_value(v: object) -> str:
    """A parameter's value as text: ``1,300,000``, ``0.0139``, ``nhs: 0.474; police: 0.168``."""
    if isinstance(v, dict):
        return "; ".join(f"{k}: {parameter_value(x)}" for k, x in v.items())
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return str(v)
    if isinstance(v, int) or float(v).is_integer():
        return f"{int(v):,}"
    return f"{v:,.6g}" if abs(v) < 1000 else f"{v:,.2f}"


def distribution_text(d: dict | None) -> str:
    """``{"type": "beta", "sd": 0.1}`` → ``beta (sd 0.1)``; nothing for no distribution."""
    if not d:
        return ""
    d = dict(d)
    family = d.pop("type")
    params = ", ".join(
        f"{k} {parameter_value(v)}" for k, v in d.items() if v is not None and k != "mean"
    )
    return f"{family} ({params})" if params else family


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


def band_rows(
    summary: Any,
    names: Iterable[str],
    labels: Mapping[str, Any],
    money_format: Callable[[float], str] | None = None,
) -> list[list[str]]:
    """Table rows ``[label, mean, "p5 – p95"]`` for the named rows of a summary.

    ``summary`` has ``mean``, ``p5`` and ``p95`` columns (as from
    :func:`costmodel.params.sampling.summarise`); ``labels`` maps each name to a
    :class:`~costmodel.present.labels.Label`, whose kind says how the numbers print;
    ``money_format`` prints money instead (e.g. :func:`money_round`). Names the summary
    lacks are left out.
    """
    rows = []
    for k in names:
        if k not in summary.index:
            continue
        lab = labels[k]
        mean, low, high = (summary.loc[k, c] for c in ("mean", "p5", "p95"))
        if money_format is not None and lab.kind == "money":
            rows.append(
                [lab.long, money_format(mean), f"{money_format(low)} – {money_format(high)}"]
            )
        else:
            rows.append([lab.long, by_kind(mean, lab.kind), span(low, high, lab.kind)])
    return rows
