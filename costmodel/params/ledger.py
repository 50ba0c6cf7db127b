"""An area's outturn: what a programme actually spent, by financial year.

A ledger is a CSV file ``ledger.csv`` in the area's folder, one row per programme and
financial year, with the columns:

* ``programme``: ``team`` or the name of a programme under ``programmes/``;
* ``financial_year``: ``YYYY/YY`` (April to March);
* ``spend``: cash spent in that year, in pounds of that year (not rebased);
* ``source``: where the figure is published (the accounts, a budget monitoring paper);
* ``notes`` (optional).

Where a ledger covers a year, its spend replaces the simulated spend for that year in
every output (rebased to the appraisal's price year with the GDP deflator), and
optimism bias, an ex-ante adjustment, is not added to it. Bad rows are one line each.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from .errors import ParameterError, Problem
from .schema import parse_and_format

LEDGER_FILE = "ledger.csv"
COLUMNS = ("programme", "financial_year", "spend", "source")
OPTIONAL = ("notes",)
#: Largest ledger read, in bytes.
MAX_BYTES = 1_000_000


@dataclass(frozen=True)
class Entry:
    """One year's outturn of one programme: cash spent in ``financial_year``."""

    programme: str
    financial_year: str
    spend: float
    source: str
    notes: str = ""
    file: str = ""
    line: int | None = None


@dataclass(frozen=True)
class Ledger:
    """Outturn entries by programme, then by financial year."""

    file: str
    entries: Mapping[str, Mapping[str, Entry]]

    def for_programme(self, name: str) -> Mapping[str, Entry]:
        """The entries of one programme by financial year (empty if none)."""
        return self.entries.get(name, {})


def read_ledger(path: str | Path) -> Ledger:
    """Read and check a ledger CSV (see the module); every problem is one line."""
    path = Path(path)
    file = str(path)

    def bad(where: str, message: str, line: int | None = None) -> ParameterError:
        return ParameterError(Problem(file, where, message, line))

    try:
        if path.stat().st_size > MAX_BYTES:
            raise bad("<file>", f"larger than {MAX_BYTES:,} bytes: not a ledger")
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise bad("<file>", "not UTF-8 text: save the ledger as CSV (UTF-8)") from None
    except OSError as exc:
        raise bad("<file>", f"cannot read: {exc.strerror or exc}") from None
    rows = list(csv.reader(text.splitlines()))
    if not rows:
        raise bad("<file>", f"empty: give a header line ({', '.join(COLUMNS)})")
    head = [h.strip() for h in rows[0]]
    missing = [c for c in COLUMNS if c not in head]
    if missing:
        raise bad("header", f"missing column {missing[0]!r} (columns: {', '.join(COLUMNS)})", 1)
    unknown = [c for c in head if c not in (*COLUMNS, *OPTIONAL)]
    if unknown:
        raise bad("header", f"unknown column {unknown[0]!r}", 1)
    entries: dict[str, dict[str, Entry]] = {}
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(head):
            raise bad(f"row {number}", f"{len(row)} cells for {len(head)} columns", number)
        cells = {h: c.strip() for h, c in zip(head, row, strict=True)}
        name = cells["programme"]
        if not name:
            raise bad(f"row {number}: programme", "missing", number)
        try:
            year = parse_and_format(cells["financial_year"])
        except (ParameterError, ValueError):
            raise bad(
                f"row {number}: financial_year",
                f"{cells['financial_year']!r} is not a financial year (YYYY/YY)",
                number,
            ) from None
        try:
            spend = float(cells["spend"].replace(",", "").lstrip("£"))
        except ValueError:
            raise bad(
                f"row {number}: spend", f"{cells['spend']!r} is not an amount", number
            ) from None
        if not spend >= 0 or spend == float("inf"):
            raise bad(f"row {number}: spend", "must be a finite amount of at least zero", number)
        if not cells["source"]:
            raise bad(f"row {number}: source", "every figure needs its source", number)
        if year in entries.get(name, {}):
            raise bad(f"row {number}", f"{name} {year} is given twice", number)
        entries.setdefault(name, {})[year] = Entry(
            name, year, spend, cells["source"], cells.get("notes", ""), file, number
        )
    return Ledger(file, entries)


def area_ledger(root: Path | None, area: str | None) -> Ledger | None:
    """The area's ledger (``areas/AREA/ledger.csv``), or None if it has none."""
    if root is None or area is None:
        return None
    path = Path(root) / "areas" / area / LEDGER_FILE
    return read_ledger(path) if path.is_file() else None
