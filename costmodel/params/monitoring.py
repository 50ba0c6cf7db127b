"""Local monitoring data: what a team recorded about the families it supported and a
comparison group, read from a CSV file and checked.

One row per outcome, with these columns (``docs/monitoring.md`` describes each):

``outcome``
    the model's name of the outcome (``child_enters_care``, ``school_exclusion``, ...);
``follow_up_months``
    how long each family was followed, in months (above zero);
``supported_families``, ``supported_with_outcome``
    families supported, and how many of them had the outcome at least once during
    the follow-up;
``comparison_families``, ``comparison_with_outcome``
    the same for the comparison group (families referred but redirected, or waiting);
``comparison_group``
    what the comparison group is (text, required);
``period``
    when the families were referred (text, may be empty);
``source``
    where the counts come from (text, required).

Every problem is one line naming the file, the row (as a spreadsheet numbers it: the
header is row 1) and the column. Whether an outcome is one of the model's is checked
where the parameters are known (:func:`costmodel.analysis.monitoring.update`).
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

import pandas as pd

from .errors import ParameterError, Problem
from .schema import NAME

#: The template's columns, in order.
COLUMNS = (
    "outcome",
    "follow_up_months",
    "supported_families",
    "supported_with_outcome",
    "comparison_families",
    "comparison_with_outcome",
    "comparison_group",
    "period",
    "source",
)
#: Count columns: whole numbers, not negative.
COUNTS = (
    "supported_families",
    "supported_with_outcome",
    "comparison_families",
    "comparison_with_outcome",
)
#: Text columns that must not be empty.
REQUIRED_TEXT = ("comparison_group", "source")


@dataclass(frozen=True)
class MonitoringRow:
    """One outcome's counts: families in each group and those with the outcome at least
    once during ``follow_up_months``."""

    outcome: str
    follow_up_months: float
    supported_families: int
    supported_with_outcome: int
    comparison_families: int
    comparison_with_outcome: int
    comparison_group: str
    period: str
    source: str
    #: The row in the file (the header is row 1).
    row: int = 0

    @property
    def supported_proportion(self) -> float:
        """Share of supported families with the outcome during the follow-up."""
        return self.supported_with_outcome / self.supported_families

    @property
    def comparison_proportion(self) -> float:
        """Share of comparison families with the outcome during the follow-up."""
        return self.comparison_with_outcome / self.comparison_families


@dataclass(frozen=True)
class Monitoring:
    """A monitoring file's rows, one per outcome, in the file's order."""

    file: str
    rows: tuple[MonitoringRow, ...]

    def __iter__(self) -> Iterator[MonitoringRow]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    @property
    def outcomes(self) -> tuple[str, ...]:
        """The outcomes recorded."""
        return tuple(r.outcome for r in self.rows)

    def row(self, outcome: str) -> MonitoringRow:
        """The row of ``outcome`` (a one-line error naming the file if there is none)."""
        for r in self.rows:
            if r.outcome == outcome:
                return r
        raise ParameterError(Problem(self.file, "outcome", f"no row for {outcome!r}"))

    def to_frame(self) -> pd.DataFrame:
        """The rows as a table in the template's columns, indexed by outcome."""
        data = [{k: v for k, v in asdict(r).items() if k != "row"} for r in self.rows]
        return pd.DataFrame(data, columns=list(COLUMNS)).set_index("outcome")


def read_monitoring(path: str | Path) -> Monitoring:
    """Read and check a monitoring CSV (see the module's docstring for its columns).

    A file with the header alone (the blank template) gives no rows. Blank lines are
    skipped; cells are stripped of surrounding spaces; a byte-order mark (as some
    spreadsheets write) is allowed. Any problem raises :class:`ParameterError` with
    one line naming the file, the row and the column.
    """
    file = str(path)

    def fail(where: str, message: str) -> ParameterError:
        return ParameterError(Problem(file, where, message))

    p = Path(path)
    if not p.is_file():
        raise fail("", "no such file" if not p.exists() else "not a file")
    try:
        text = p.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise fail("", "not a CSV file: it is not UTF-8 text") from None
    except OSError as exc:
        raise fail("", f"cannot be read ({exc.strerror or exc})") from None
    if "\x00" in text:
        raise fail("", "not a CSV file: it holds binary data")
    lines: list[tuple[int, list[str]]] = []
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        for cells in reader:
            if any(c.strip() for c in cells):
                lines.append((reader.line_num, [c.strip() for c in cells]))
    except csv.Error as exc:
        raise fail(f"row {reader.line_num}", f"not a CSV file ({exc})") from None
    if not lines:
        raise fail(
            "row 1", "empty: the first row must name the columns (" + ", ".join(COLUMNS) + ")"
        )
    header_line, header = lines[0]
    head = f"row {header_line}"
    seen = [h for i, h in enumerate(header) if h in header[:i]]
    if seen:
        raise fail(head, f"column {seen[0]!r} appears twice")
    unknown = [h for h in header if h not in COLUMNS]
    if unknown:
        names = ", ".join(repr(u) for u in unknown)
        raise fail(head, f"unknown column {names} (the columns are: {', '.join(COLUMNS)})")
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise fail(head, "missing column " + ", ".join(repr(m) for m in missing))
    rows: list[MonitoringRow] = []
    where_first: dict[str, int] = {}
    for n, cells in lines[1:]:
        if len(cells) != len(header):
            raise fail(f"row {n}", f"has {len(cells)} cells, the header has {len(header)}")
        raw = dict(zip(header, cells, strict=True))
        r = _row(raw, n, fail)
        if r.outcome in where_first:
            raise fail(
                f"row {n}: outcome",
                f"{r.outcome!r} is already recorded in row {where_first[r.outcome]} "
                "(one row per outcome)",
            )
        where_first[r.outcome] = n
        rows.append(r)
    return Monitoring(file=file, rows=tuple(rows))


def _row(raw: dict[str, str], n: int, fail: Callable[[str, str], Exception]) -> MonitoringRow:
    """One data row, checked."""
    outcome = raw["outcome"]
    if not NAME.match(outcome):
        raise fail(
            f"row {n}: outcome",
            f"{outcome!r} is not an outcome name (lower_case_with_underscores)"
            if outcome
            else "empty: name the outcome",
        )
    follow = _number(raw["follow_up_months"])
    if follow is None or not math.isfinite(follow) or follow <= 0:
        raise fail(
            f"row {n}: follow_up_months",
            f"must be a number of months above zero, got {raw['follow_up_months']!r}",
        )
    counts: dict[str, int] = {}
    for c in COUNTS:
        v = _whole(raw[c])
        if v is None or v < 0:
            raise fail(f"row {n}: {c}", f"must be a whole number, not negative, got {raw[c]!r}")
        counts[c] = v
    for group in ("supported", "comparison"):
        families, with_outcome = counts[f"{group}_families"], counts[f"{group}_with_outcome"]
        if families == 0:
            raise fail(f"row {n}: {group}_families", "must be at least 1")
        if with_outcome > families:
            raise fail(
                f"row {n}: {group}_with_outcome",
                f"{with_outcome} families with the outcome is more than the "
                f"{families} in {group}_families",
            )
    for c in REQUIRED_TEXT:
        if not raw[c]:
            raise fail(f"row {n}: {c}", "empty: say " + _SAY[c])
    return MonitoringRow(
        outcome=outcome,
        follow_up_months=follow,
        comparison_group=raw["comparison_group"],
        period=raw["period"],
        source=raw["source"],
        row=n,
        **counts,
    )


_SAY = {
    "comparison_group": "who the comparison families are (e.g. referred but redirected)",
    "source": "where the counts come from (system, report, date extracted)",
}


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _whole(text: str) -> int | None:
    """A whole number written as ``12`` (or ``12.0``); None otherwise."""
    try:
        return int(text)
    except ValueError:
        x = _number(text)
        return int(x) if x is not None and math.isfinite(x) and x.is_integer() else None
