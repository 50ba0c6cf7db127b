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
from collections.abc import Callable, Mapping
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
    # the log of a ratio (e.g. of two risks): any real number, 0 for a ratio of one
    "log_ratio": (-math.inf, math.inf),
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

    _check_keys(raw, bad)
    unit: Any = raw.get("unit")
    unit_ok = _check_unit(raw, bad)
    _check_status(raw, bad)
    source: Any = None
    if "source" in raw:
        source = _check_source(raw["source"], raw.get("status"), keys, dotted, chk)
    price_year: Any = raw.get("price_year")
    if unit_ok:
        _check_price_year(raw, unit, bad)
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
        description=raw["description"].strip(),
        value=value,
        unit=unit,
        status=raw["status"],
        confidence=raw["confidence"],
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


def _check_keys(raw: Mapping, bad: Callable[..., None]) -> None:
    """Only the keys a parameter takes, the ones it needs, and a description."""
    for k in raw:
        if k not in PARAMETER_KEYS:
            bad(f"unknown key {k!r} (allowed: {', '.join(sorted(PARAMETER_KEYS))})", k)
    for k in ("description", "unit", "status", "confidence", "source"):
        if k not in raw:
            bad(f"missing {k!r}")
    description: Any = raw.get("description")
    if "description" in raw and (not isinstance(description, str) or not description.strip()):
        bad("'description' must be a sentence of text", "description")


def _check_unit(raw: Mapping, bad: Callable[..., None]) -> bool:
    """Whether the unit is known (recording a problem when it is given and is not)."""
    unit: Any = raw.get("unit")
    unit_ok = isinstance(unit, str) and (unit in UNITS or is_money(unit))
    if "unit" in raw and not unit_ok:
        bad(f"unknown unit {unit!r} (use GBP, GBP/<per> or one of: {', '.join(UNITS)})", "unit")
    return unit_ok


def _check_status(raw: Mapping, bad: Callable[..., None]) -> None:
    """Status and confidence from their lists; a derived value's method, an assumed
    value's rationale, and the text fields as text."""
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


def _check_price_year(raw: Mapping, unit: str, bad: Callable[..., None]) -> None:
    """A price year: required for money (a financial year), refused otherwise."""
    price_year: Any = raw.get("price_year")
    if is_money(unit):
        if price_year is None:
            bad("a money value needs 'price_year' (a financial year such as 2014/15)")
        else:
            try:
                parse_financial_year(price_year)
            except ValueError as exc:
                bad(str(exc), "price_year")
    elif "price_year" in raw:
        bad(f"'price_year' is only for money values, but the unit is {unit!r}", "price_year")


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


def _check_source(
    raw: object, status: object, keys: tuple, dotted: str, chk: Checker
) -> Source | None:
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


def _check_value(value: object, unit: str, keys: tuple, dotted: str, chk: Checker) -> Any:
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


class _Refused(Exception):
    """Why a distribution is refused: the message that follows ``distribution:``."""


def _check_distribution(
    raw: object, value: Any, unit: str, keys: tuple, dotted: str, chk: Checker
) -> Distribution | None:
    """The parameter's distribution, checked by its family's validator against the
    value and the unit; ``None`` after recording the first problem."""
    try:
        family, params = _family_and_params(raw)
        FAMILY_CHECKS[family](family, params, value, unit)
    except _Refused as exc:
        chk.add((*keys, "distribution"), f"distribution: {exc}", dotted)
        return None
    return Distribution(family, MappingProxyType(params))


def _family_and_params(raw: object) -> tuple[str, dict[str, float]]:
    """The family and its numbers as written, each key one the family takes."""
    if not isinstance(raw, Mapping) or "type" not in raw:
        raise _Refused("must be a mapping with a 'type' (" + ", ".join(DISTRIBUTIONS) + ")")
    family = raw["type"]
    if family not in DISTRIBUTIONS:
        raise _Refused(f"unknown type {family!r} (use one of {', '.join(DISTRIBUTIONS)})")
    allowed = DISTRIBUTIONS[family]
    params: dict[str, float] = {}
    for key, x in raw.items():
        if key == "type":
            continue
        if key not in allowed:
            raise _Refused(
                f"{family} does not take {key!r} (it takes {', '.join(sorted(allowed))})"
            )
        if not _is_number(x):
            raise _Refused(f"{key!r} must be a number, got {shown(x)}")
        params[key] = float(x)
    return family, params


def _check_dirichlet(family: str, params: Mapping[str, float], value: Any, unit: str) -> None:
    """Shares of a table of proportions that sum to 1, with a positive concentration."""
    if not isinstance(value, Mapping) or unit != "proportion":
        raise _Refused("dirichlet is for a table of proportions that sum to 1")
    if abs(sum(value.values()) - 1.0) > 1e-9:
        raise _Refused(f"dirichlet shares must sum to 1, they sum to {sum(value.values()):.6g}")
    if params.get("concentration", 0) <= 0:
        raise _Refused("dirichlet needs a positive 'concentration'")
    if sum(1 for v in value.values() if v > 0) < 2:
        raise _Refused("dirichlet needs at least two shares above 0 (zero shares stay zero)")


#: The keys a family given by its range needs.
RANGE_KEYS = {"triangular": ("low", "mode", "high"), "uniform": ("low", "high")}


def _check_range(family: str, params: Mapping[str, float], value: Any, unit: str) -> None:
    """Triangular and uniform: a single value inside a range inside the unit's range."""
    if isinstance(value, Mapping):
        raise _Refused(f"{family} takes a single value, not a table")
    missing = [n for n in RANGE_KEYS[family] if n not in params]
    if missing:
        raise _Refused(f"{family} needs {', '.join(missing)}")
    low, high = params["low"], params["high"]
    mode = params.get("mode", low)
    if not low <= mode <= high or low >= high:
        raise _Refused(f"{family} needs low <= mode <= high and low < high")
    lo, hi = unit_range(unit)
    if low < lo or high > hi:
        raise _Refused(f"range [{low:g}, {high:g}] leaves the unit's range [{lo:g}, {hi:g}]")
    if not low <= value <= high:
        raise _Refused(f"the value {value:g} lies outside [{low:g}, {high:g}]")


def _spreads(family: str, params: Mapping[str, float], value: Any) -> list[tuple[float, float]]:
    """A family given by its mean and spread (the mean is the parameter's value): each
    entry's (mean, sd), once the mean and a single spread are checked."""
    is_table = isinstance(value, Mapping)
    if "mean" in params:
        if is_table:
            raise _Refused("give 'cv' for a table; each entry's mean is its value")
        if not math.isclose(params["mean"], value, rel_tol=1e-9, abs_tol=1e-12):
            raise _Refused(f"mean {params['mean']:g} differs from the value {value:g}")
    if sum(1 for n in ("sd", "cv") if n in params) != 1:
        takes_cv = "cv" in DISTRIBUTIONS[family]
        raise _Refused(
            f"{family} needs exactly one of 'sd' or 'cv'" if takes_cv else f"{family} needs 'sd'"
        )
    if is_table and "sd" in params:
        raise _Refused("give 'cv' for a table; one 'sd' cannot fit every entry")
    values = list(value.values()) if is_table else [value]
    return [(v, params["sd"] if "sd" in params else params["cv"] * v) for v in values]


def _positive_spread(sd: float) -> None:
    if sd <= 0:
        raise _Refused("the spread must be above 0")


def _check_positive(family: str, params: Mapping[str, float], value: Any, unit: str) -> None:
    """Gamma and lognormal: a mean and a spread, for values above 0 with no upper bound."""
    for v, sd in _spreads(family, params, value):
        _positive_spread(sd)
        if v <= 0:
            raise _Refused(f"{family} needs a value above 0, got {v:g}")
    if unit in ("proportion", "rate/year"):
        raise _Refused(
            f"{family} is unbounded above; use beta, triangular or uniform for a proportion"
        )


def _check_beta(family: str, params: Mapping[str, float], value: Any, unit: str) -> None:
    """Beta: a mean strictly between 0 and 1 and an sd it can take, for a proportion."""
    for v, sd in _spreads(family, params, value):
        _positive_spread(sd)
        if unit not in ("proportion", "rate/year", "relative_reduction"):
            raise _Refused(f"beta is for proportions, but the unit is {unit!r}")
        if not 0 < v < 1:
            raise _Refused(f"beta needs a value strictly between 0 and 1, got {v:g}")
        if sd**2 >= v * (1 - v):
            raise _Refused(
                f"beta sd {sd:g} is too large for mean {v:g} (needs sd² < mean·(1−mean))"
            )


def _check_normal(family: str, params: Mapping[str, float], value: Any, unit: str) -> None:
    """Normal: a mean and an sd above 0 (its draws are kept within the unit's range)."""
    for _, sd in _spreads(family, params, value):
        _positive_spread(sd)


#: One validator per distribution family: it raises :class:`_Refused` with the reason.
FAMILY_CHECKS: dict[str, Callable[[str, Mapping[str, float], Any, str], None]] = {
    "gamma": _check_positive,
    "lognormal": _check_positive,
    "beta": _check_beta,
    "triangular": _check_range,
    "uniform": _check_range,
    "dirichlet": _check_dirichlet,
    "normal": _check_normal,
}


def check_name(key: object) -> bool:
    return isinstance(key, str) and bool(NAME.match(key))
