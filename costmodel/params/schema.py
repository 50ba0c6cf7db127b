"""What a parameter file may contain, and the checks applied when it is read.

A parameter file is a YAML mapping with a ``description`` and a ``parameters``
tree. Inside the tree a mapping that has a ``value`` key is a parameter; any other
mapping is a group of parameters (it may carry its own ``description``). Paths are
the file's place under ``parameters/`` followed by the keys, joined by dots:
``prices/discounting.yaml`` → ``prices.discounting.standard``; an area folder's
``area.yaml`` holds ``areas.NAME...`` (see :mod:`costmodel.params.store`).
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from .errors import Problem

NAME = re.compile(r"^[a-z][a-z0-9_]*$")
FINANCIAL_YEAR = re.compile(r"^(\d{4})/(\d{2})$")

STATUSES = ("published", "derived", "assumed")
#: What a value taken from another area is labelled in every output, beside its status.
BORROWED = "borrowed"
#: What a size-dependent value scales with when another area borrows it
#: (``scales_with``): the area's population, or its share of England's children.
SCALES = ("population", "children")
#: The keys of a ``borrowed:`` record: the lending area's value, and any rescaling.
BORROWED_KEYS = {"value", "scale", "by"}
CONFIDENCES = ("high", "medium", "low")

#: What a money value is counted per (``GBP/<per>``).
MONEY_PER = (
    "year",
    "quarter",
    "month",
    "week",
    "day",
    "hour",
    "person",
    "family",
    "child",
    "case",
    "incident",
    "episode",
    "assessment",
    "application",
    "session",
    "post",
)
#: Non-money units, with the range of values each admits.
UNITS: dict[str, tuple[float, float]] = {
    "proportion": (0.0, 1.0),
    # a relative reduction: 0.3 is 30% fewer; below zero the outcome rose
    "relative_reduction": (-1.0, 1.0),
    "rate/year": (0.0, 1.0),
    "ratio": (0.0, math.inf),
    "index": (0.0, math.inf),
    "count": (0.0, math.inf),
    "count/year": (0.0, math.inf),
    "count/quarter": (0.0, math.inf),
    "count/month": (0.0, math.inf),
    "count/week": (0.0, math.inf),
    "person": (0.0, math.inf),
    "family": (0.0, math.inf),
    "post": (0.0, math.inf),
    "year": (0.0, math.inf),
    "quarter": (0.0, math.inf),
    "month": (0.0, math.inf),
    "week": (0.0, math.inf),
    "day": (0.0, math.inf),
    "hour": (0.0, math.inf),
    "date": (-math.inf, math.inf),
}

PARAMETER_KEYS = {
    "description",
    "value",
    "unit",
    "price_year",
    "status",
    "confidence",
    "source",
    "method",
    "rationale",
    "distribution",
    "notes",
    "scales_with",
    "borrowed",
}
SOURCE_KEYS = {"title", "url", "page", "publisher", "year", "vintage", "read_in", "note"}

#: Distribution families and the keys each accepts (``mean`` defaults to the value).
DISTRIBUTIONS: dict[str, set[str]] = {
    "gamma": {"mean", "sd", "cv"},
    "lognormal": {"mean", "sd", "cv"},
    "beta": {"mean", "sd"},
    "triangular": {"low", "mode", "high"},
    "uniform": {"low", "high"},
    "dirichlet": {"concentration"},
    # a normal, its draws kept within the unit's range (for effects that may go either way)
    "normal": {"mean", "sd"},
}
POSITIVE_FAMILIES = ("gamma", "lognormal")


def is_money(unit: str) -> bool:
    """True for ``GBP`` and ``GBP/<per>`` units."""
    return unit == "GBP" or (unit.startswith("GBP/") and unit[4:] in MONEY_PER)


def unit_range(unit: str) -> tuple[float, float]:
    """The closed range of values a unit admits (money is never negative)."""
    return (0.0, math.inf) if is_money(unit) else UNITS[unit]


def parse_financial_year(text: object) -> int:
    """Return the first calendar year of a financial year written ``2014/15``.

    Raises ``ValueError`` with a readable message for anything else.
    """
    if not isinstance(text, str):
        raise ValueError(f"financial year must be text like '2014/15', got {text!r}")
    m = FINANCIAL_YEAR.match(text.strip().replace("-", "/"))
    if not m:
        raise ValueError(f"financial year must look like '2014/15', got {text!r}")
    first, second = int(m.group(1)), int(m.group(2))
    if (first + 1) % 100 != second:
        raise ValueError(f"financial year {text!r} does not run from one year to the next")
    return first


def format_financial_year(first: int) -> str:
    """``2014`` → ``'2014/15'``."""
    return f"{first}/{(first + 1) % 100:02d}"


@dataclass(frozen=True)
class Source:
    """Where a value was published or how it was reached."""

    title: str
    url: str | None = None
    page: str | None = None
    publisher: str | None = None
    year: int | str | None = None
    vintage: str | None = None
    read_in: str | None = None
    note: str | None = None

    def citation(self) -> str:
        """A one-line reference: title, page, URL."""
        parts = [self.title]
        if self.publisher:
            parts.insert(0, str(self.publisher))
        if self.page:
            parts.append(str(self.page))
        if self.url:
            parts.append(self.url)
        return ", ".join(parts)


@dataclass(frozen=True)
class Distribution:
    """An uncertainty distribution, in the parameter's own unit.

    ``params`` holds the keys written in the file with ``mean`` filled in from the
    parameter's value where the family takes one.
    """

    family: str
    params: Mapping[str, float]


@dataclass(frozen=True)
class Borrowed:
    """What a parameter in a borrowed file keeps of the lending area's value: the value
    as lent and, for a size-dependent value, the factor it was rescaled by and why."""

    value: Any
    scale: float | None = None
    by: str | None = None

    def expected(self) -> Any:
        """The value the file holds while it is still the lender's (rescaled if it was)."""
        if self.scale is None or isinstance(self.value, Mapping):
            return self.value
        return float(self.value) * self.scale

    def matches(self, value: Any) -> bool:
        """Whether ``value`` is still the borrowed one (rescaled values to 1 part in 10^4,
        the precision they are written with)."""
        want = self.expected()
        if isinstance(want, float) and _is_number(value):
            return abs(float(value) - want) <= 1e-4 * max(abs(want), 1e-12)
        if isinstance(want, Mapping) and isinstance(value, Mapping):
            return dict(want) == dict(value)
        return bool(want == value)


@dataclass(frozen=True)
class Parameter:
    """One sourced value. Immutable; tables are read-only mappings."""

    path: str
    description: str
    value: Any
    unit: str
    status: str
    confidence: str
    source: Source
    price_year: str | None = None
    method: str | None = None
    rationale: str | None = None
    distribution: Distribution | None = None
    notes: str | None = None
    file: str = ""
    line: int | None = field(default=None, compare=False)
    #: The area whose folder the parameter comes from (None: the national defaults).
    area: str | None = None
    #: What the value scales with if another area borrows it (``population``,
    #: ``children``), or None: it does not depend on the area's size.
    scales_with: str | None = None
    #: In a borrowed file, the lending area's value as lent (None: not recorded).
    borrowed: Borrowed | None = None

    @property
    def is_table(self) -> bool:
        return isinstance(self.value, Mapping)

    @property
    def is_money(self) -> bool:
        return is_money(self.unit)


# --------------------------------------------------------------------------- checks


class Checker:
    """Collects problems while one file is checked."""

    def __init__(self, file: str, lines: Mapping[tuple, int]):
        self.file = file
        self.lines = lines
        self.problems: list[Problem] = []

    def add(self, keys: tuple, message: str, dotted: str) -> None:
        line = None
        for n in range(len(keys), -1, -1):
            line = self.lines.get(keys[:n])
            if line:
                break
        self.problems.append(Problem(self.file, dotted, message, line))


def _is_number(x: object) -> bool:
    if not isinstance(x, (int, float)) or isinstance(x, bool):
        return False
    try:
        return math.isfinite(x)
    except OverflowError:  # a whole number too large for a float
        return False


def shown(x: object, width: int = 40) -> str:
    """``repr(x)``, cut to ``width`` characters (a value quoted in a one-line message)."""
    text = repr(x)
    return text if len(text) <= width else f"{text[: width - 3]}..."


def _table_key_ok(key: object) -> bool:
    if isinstance(key, bool):
        return False
    if isinstance(key, int):
        return True
    if isinstance(key, str):
        if NAME.match(key):
            return True
        try:
            parse_financial_year(key)
            return True
        except ValueError:
            return False
    return False


def check_parameter(raw: Mapping, keys: tuple, dotted: str, chk: Checker) -> Parameter | None:
    """Validate one parameter mapping; return it, or ``None`` after recording problems."""
    before = len(chk.problems)

    def bad(message: str, *sub: str) -> None:
        chk.add((*keys, *sub), message, dotted)

    for k in raw:
        if k not in PARAMETER_KEYS:
            bad(f"unknown key {k!r} (allowed: {', '.join(sorted(PARAMETER_KEYS))})", k)
    for k in ("description", "unit", "status", "confidence", "source"):
        if k not in raw:
            bad(f"missing {k!r}")
    description: Any = raw.get("description")
    if "description" in raw and (not isinstance(description, str) or not description.strip()):
        bad("'description' must be a sentence of text", "description")

    unit: Any = raw.get("unit")
    unit_ok = isinstance(unit, str) and (unit in UNITS or is_money(unit))
    if "unit" in raw and not unit_ok:
        bad(f"unknown unit {unit!r} (use GBP, GBP/<per> or one of: {', '.join(UNITS)})", "unit")

    status: Any = raw.get("status")
    if "status" in raw and status not in STATUSES:
        bad(f"status must be one of {', '.join(STATUSES)}, got {status!r}", "status")
    confidence: Any = raw.get("confidence")
    if "confidence" in raw and confidence not in CONFIDENCES:
        bad(f"confidence must be one of {', '.join(CONFIDENCES)}, got {confidence!r}", "confidence")
    if status == "derived" and not _text(raw.get("method")):
        bad("a derived value needs 'method': how it was computed from published figures")
    if status == "assumed" and not _text(raw.get("rationale")):
        bad("an assumed value needs 'rationale': why this value was chosen")
    for k in ("method", "rationale", "notes"):
        if k in raw and not _text(raw[k]):
            bad(f"{k!r} must be text", k)

    source: Any = None
    if "source" in raw:
        source = _check_source(raw["source"], status, keys, dotted, chk)

    # price year: required for money, refused otherwise
    price_year: Any = raw.get("price_year")
    if unit_ok and is_money(unit):
        if price_year is None:
            bad("a money value needs 'price_year' (a financial year such as 2014/15)")
        else:
            try:
                parse_financial_year(price_year)
            except ValueError as exc:
                bad(str(exc), "price_year")
    elif "price_year" in raw and unit_ok:
        bad(f"'price_year' is only for money values, but the unit is {unit!r}", "price_year")

    value = raw.get("value")
    if unit_ok:
        value = _check_value(value, unit, keys, dotted, chk)

    distribution = None
    if "distribution" in raw and unit == "date" and raw["distribution"] is not None:
        bad("a date cannot have a distribution", "distribution")
    elif "distribution" in raw and unit_ok and len(chk.problems) == before:
        distribution = _check_distribution(raw["distribution"], value, unit, keys, dotted, chk)

    scales_with = raw.get("scales_with")
    if scales_with is not None and scales_with not in SCALES:
        bad(f"'scales_with' must be one of {', '.join(SCALES)}, got {scales_with!r}", "scales_with")
    elif scales_with is not None and not _is_number(value):
        bad("'scales_with' is for a single number that depends on the area's size", "scales_with")
    borrowed = _check_borrowed(raw["borrowed"], keys, dotted, chk) if "borrowed" in raw else None

    if len(chk.problems) > before:
        return None
    return Parameter(
        path=dotted,
        description=description.strip(),
        value=value,
        unit=unit,
        status=status,
        confidence=confidence,
        source=source,
        price_year=parse_and_format(price_year) if price_year is not None else None,
        method=_clean(raw.get("method")),
        rationale=_clean(raw.get("rationale")),
        distribution=distribution,
        notes=_clean(raw.get("notes")),
        file=chk.file,
        line=chk.lines.get(keys),
        scales_with=scales_with,
        borrowed=borrowed,
    )


def _check_borrowed(raw: object, keys: tuple, dotted: str, chk: Checker) -> Borrowed | None:
    k = (*keys, "borrowed")
    if not isinstance(raw, Mapping) or "value" not in raw:
        chk.add(k, "'borrowed' must be a mapping with the lending area's 'value'", dotted)
        return None
    stray = sorted(str(x) for x in raw if x not in BORROWED_KEYS)
    if stray:
        allowed = ", ".join(sorted(BORROWED_KEYS))
        chk.add(k, f"unknown key(s) in 'borrowed': {', '.join(stray)} (allowed: {allowed})", dotted)
        return None
    scale = raw.get("scale")
    if scale is not None and not (_is_number(scale) and scale > 0):
        chk.add(k, f"'borrowed.scale' must be a positive number, got {shown(scale)}", dotted)
        return None
    by = raw.get("by")
    if by is not None and not _text(by):
        chk.add(k, "'borrowed.by' must be text saying what the value was rescaled by", dotted)
        return None
    value = raw["value"]
    return Borrowed(dict(value) if isinstance(value, Mapping) else value, scale, _clean(by))


def parse_and_format(fy: str) -> str:
    return format_financial_year(parse_financial_year(fy))


def _text(x: object) -> bool:
    return isinstance(x, str) and bool(x.strip())


def _clean(x: object) -> str | None:
    return " ".join(x.split()) if isinstance(x, str) else None


def _check_source(raw: object, status: object, keys: tuple, dotted: str, chk: Checker):
    k = (*keys, "source")
    if not isinstance(raw, Mapping):
        chk.add(k, "'source' must be a mapping with at least a 'title'", dotted)
        return None
    ok = True
    for key in raw:
        if key not in SOURCE_KEYS:
            allowed = ", ".join(sorted(SOURCE_KEYS))
            chk.add((*k, key), f"unknown source key {key!r} (allowed: {allowed})", dotted)
            ok = False
    if not _text(raw.get("title")):
        chk.add(k, "source needs a 'title'", dotted)
        ok = False
    if status == "published" and not (_text(raw.get("url")) or raw.get("page") is not None):
        chk.add(k, "a published value's source needs a 'url' or a 'page'", dotted)
        ok = False
    if not ok:
        return None
    return Source(**{key: (str(v) if key in ("page",) else v) for key, v in raw.items()})


def _check_value(value: object, unit: str, keys: tuple, dotted: str, chk: Checker):
    k = (*keys, "value")
    if value is None:
        chk.add(keys, "missing 'value'", dotted)
        return None
    if unit == "date":
        if isinstance(value, _dt.date):
            return value
        chk.add(k, f"a date must be written YYYY-MM-DD, got {shown(value)}", dotted)
        return None
    lo, hi = unit_range(unit)
    what = "money" if is_money(unit) else unit

    def check_number(x: Any, where: str) -> bool:
        if not _is_number(x):
            chk.add(k, f"{where}must be a number, got {type(x).__name__} {shown(x)}", dotted)
            return False
        if x < lo:
            chk.add(
                k, f"{where}{shown(x)} is negative; a {what} value cannot be below {lo:g}", dotted
            )
            return False
        if x > hi:
            chk.add(
                k,
                f"{where}{shown(x)} is above {hi:g}; a {what} value must lie in [{lo:g}, {hi:g}]",
                dotted,
            )
            return False
        return True

    if isinstance(value, Mapping):
        if not value:
            chk.add(k, "a table value needs at least one entry", dotted)
            return None
        ok = True
        for key, x in value.items():
            if not _table_key_ok(key):
                chk.add(
                    (*k, key),
                    f"table key {key!r} must be snake_case, a year or a financial year",
                    dotted,
                )
                ok = False
            elif not check_number(x, f"entry {key!r}: "):
                ok = False
        return MappingProxyType({key: float(x) for key, x in value.items()}) if ok else None
    if check_number(value, ""):
        return float(value) if isinstance(value, float) else value
    return None


def _check_distribution(
    raw: object, value: Any, unit: str, keys: tuple, dotted: str, chk: Checker
) -> Distribution | None:
    k = (*keys, "distribution")

    def bad(message: str) -> None:
        chk.add(k, f"distribution: {message}", dotted)

    if not isinstance(raw, Mapping) or "type" not in raw:
        bad("must be a mapping with a 'type' (" + ", ".join(DISTRIBUTIONS) + ")")
        return None
    family = raw["type"]
    if family not in DISTRIBUTIONS:
        bad(f"unknown type {family!r} (use one of {', '.join(DISTRIBUTIONS)})")
        return None
    allowed = DISTRIBUTIONS[family]
    params: dict[str, float] = {}
    for key, x in raw.items():
        if key == "type":
            continue
        if key not in allowed:
            bad(f"{family} does not take {key!r} (it takes {', '.join(sorted(allowed))})")
            return None
        if not _is_number(x):
            bad(f"{key!r} must be a number, got {shown(x)}")
            return None
        params[key] = float(x)
    lo, hi = unit_range(unit)
    is_table = isinstance(value, Mapping)

    if family == "dirichlet":
        if not is_table or unit != "proportion":
            bad("dirichlet is for a table of proportions that sum to 1")
            return None
        if abs(sum(value.values()) - 1.0) > 1e-9:
            bad(f"dirichlet shares must sum to 1, they sum to {sum(value.values()):.6g}")
            return None
        if params.get("concentration", 0) <= 0:
            bad("dirichlet needs a positive 'concentration'")
            return None
        if sum(1 for v in value.values() if v > 0) < 2:
            bad("dirichlet needs at least two shares above 0 (zero shares stay zero)")
            return None
        return Distribution(family, MappingProxyType(params))

    values = list(value.values()) if is_table else [value]
    if family in ("triangular", "uniform"):
        if is_table:
            bad(f"{family} takes a single value, not a table")
            return None
        need = ("low", "mode", "high") if family == "triangular" else ("low", "high")
        missing = [n for n in need if n not in params]
        if missing:
            bad(f"{family} needs {', '.join(missing)}")
            return None
        low, high = params["low"], params["high"]
        mode = params.get("mode", low)
        if not low <= mode <= high or low >= high:
            bad(f"{family} needs low <= mode <= high and low < high")
            return None
        if low < lo or high > hi:
            bad(f"range [{low:g}, {high:g}] leaves the unit's range [{lo:g}, {hi:g}]")
            return None
        if not low <= value <= high:
            bad(f"the value {value:g} lies outside [{low:g}, {high:g}]")
            return None
        return Distribution(family, MappingProxyType(params))

    # mean-and-spread families: the mean is the parameter's value
    if "mean" in params:
        if is_table:
            bad("give 'cv' for a table; each entry's mean is its value")
            return None
        if not math.isclose(params["mean"], value, rel_tol=1e-9, abs_tol=1e-12):
            bad(f"mean {params['mean']:g} differs from the value {value:g}")
            return None
    spreads = [n for n in ("sd", "cv") if n in params]
    if len(spreads) != 1:
        bad(
            f"{family} needs exactly one of 'sd' or 'cv'"
            if family not in ("beta", "normal")
            else f"{family} needs 'sd'"
        )
        return None
    if is_table and "sd" in params:
        bad("give 'cv' for a table; one 'sd' cannot fit every entry")
        return None
    for v in values:
        sd = params["sd"] if "sd" in params else params["cv"] * v
        if sd <= 0:
            bad("the spread must be above 0")
            return None
        if family in POSITIVE_FAMILIES and v <= 0:
            bad(f"{family} needs a value above 0, got {v:g}")
            return None
        if family == "beta":
            if unit not in ("proportion", "rate/year", "relative_reduction"):
                bad(f"beta is for proportions, but the unit is {unit!r}")
                return None
            if not 0 < v < 1:
                bad(f"beta needs a value strictly between 0 and 1, got {v:g}")
                return None
            if sd**2 >= v * (1 - v):
                bad(f"beta sd {sd:g} is too large for mean {v:g} (needs sd² < mean·(1−mean))")
                return None
    if family in POSITIVE_FAMILIES and unit in ("proportion", "rate/year"):
        bad(f"{family} is unbounded above; use beta, triangular or uniform for a proportion")
        return None
    return Distribution(family, MappingProxyType(params))


def check_name(key: object) -> bool:
    return isinstance(key, str) and bool(NAME.match(key))
