"""Joint draws: a table of parameter sets drawn together (e.g. a calibrated posterior).

A scenario may name a CSV file under ``draws:``. Its header names parameter paths;
each row is one equally weighted set of values for those parameters. When the
sampler draws with a generator it takes whole rows (uniformly, with replacement) for
these paths instead of drawing each from its own distribution, so the dependence
between them that calibration found is kept. Central runs (no generator) use the
parameters' stored values, which a calibrated scenario sets to the posterior medians.

A value set by hand later (an override, a slider) removes that column: the
parameter then follows its own value and distribution (fixed, if the override removes
the distribution), and the others keep their joint draws.

The file is checked as strictly as a parameter file: every column must name a known
single-valued parameter, every cell must be a number within the parameter's unit
range, and the file must have at least one row and at most :data:`MAX_ROWS`.
"""

from __future__ import annotations

import csv
import functools
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import ParameterError, Problem
from .schema import Parameter, unit_range

#: Largest draws file read, in bytes, and most rows.
MAX_FILE_BYTES = 50_000_000
MAX_ROWS = 1_000_000


@dataclass(frozen=True)
class JointDraws:
    """Equally weighted parameter sets: ``table`` has one column per parameter path."""

    table: pd.DataFrame = field(repr=False)
    file: str = ""

    @property
    def paths(self) -> tuple[str, ...]:
        return tuple(self.table.columns)

    def without(self, paths: Iterable[str]) -> JointDraws | None:
        """The same draws without ``paths`` (``None`` when no column is left)."""
        drop = [p for p in paths if p in self.table.columns]
        if not drop:
            return self
        rest = self.table.drop(columns=drop)
        return JointDraws(rest, self.file) if len(rest.columns) else None

    def fingerprint(self) -> str:
        """A short hash of the table, to tell two runs apart."""
        import hashlib

        h = hashlib.sha256(",".join(self.table.columns).encode())
        h.update(np.ascontiguousarray(self.table.to_numpy(dtype=float)).tobytes())
        return h.hexdigest()[:12]


def read_joint(path: str | Path, params: Mapping[str, Parameter]) -> JointDraws:
    """Read and check a joint draws file against ``params``.

    The file's numbers are parsed once per version of the file (its size and
    modification time) and kept; the checks against ``params`` run on every call.
    """
    path = Path(path)
    file = str(path)

    def bad(column: str, message: str) -> ParameterError:
        return ParameterError(Problem(file, column, message))

    if not path.is_file():
        raise bad("draws", "draws file not found")
    stat = path.stat()
    if stat.st_size > MAX_FILE_BYTES:
        raise bad("draws", f"larger than {MAX_FILE_BYTES:,} bytes")
    header, values, lines = _parse(file, stat.st_size, stat.st_mtime_ns)
    seen: set[str] = set()
    for name in header:
        if name in seen:
            raise bad(name, "column given twice")
        seen.add(name)
        if name not in params:
            raise bad(name, "unknown parameter")
        p = params[name]
        if p.is_table or isinstance(p.value, bool) or not isinstance(p.value, (int, float)):
            raise bad(name, "only single-valued numeric parameters can be drawn jointly")
    for c, name in enumerate(header):
        lo, hi = unit_range(params[name].unit)
        col = values[:, c]
        if col.min() < lo or col.max() > hi:
            worst = col.min() if col.min() < lo else col.max()
            line = lines[int(np.argmin(col) if col.min() < lo else np.argmax(col))]
            raise bad(
                name,
                f"line {line}: {worst:g} is outside [{lo:g}, {hi:g}] for a "
                f"{params[name].unit} value",
            )
    return JointDraws(pd.DataFrame(values.copy(), columns=list(header)), file)


@functools.lru_cache(maxsize=8)
def _parse(
    file: str, size: int, mtime_ns: int
) -> tuple[tuple[str, ...], np.ndarray, tuple[int, ...]]:
    """The header, the values (read-only) and each row's line number of a draws file
    (``size`` and ``mtime_ns`` tell versions of the file apart)."""

    def bad(column: str, message: str) -> ParameterError:
        return ParameterError(Problem(file, column, message))

    try:
        with open(file, newline="", encoding="utf-8") as f:
            reader = csv.reader(f)
            header = next(reader, None)
            if not header:
                raise bad("draws", "empty file: the first line must name parameter paths")
            rows = []
            for i, row in enumerate(reader, start=2):
                if not row:
                    continue
                if len(row) != len(header):
                    raise bad("draws", f"line {i}: {len(row)} values for {len(header)} columns")
                rows.append((i, row))
                if len(rows) > MAX_ROWS:
                    raise bad("draws", f"more than {MAX_ROWS:,} rows")
    except UnicodeDecodeError:
        raise bad("draws", "not a UTF-8 text file") from None
    except csv.Error as exc:
        raise bad("draws", f"not a CSV file: {exc}") from None
    if not rows:
        raise bad("draws", "no rows of values")
    values = np.empty((len(rows), len(header)))
    for r, (line, row) in enumerate(rows):
        for c, cell in enumerate(row):
            try:
                x = float(cell)
            except ValueError:
                raise bad(header[c], f"line {line}: {cell!r} is not a number") from None
            if not math.isfinite(x):
                raise bad(header[c], f"line {line}: {cell!r} is not a finite number")
            values[r, c] = x
    values.flags.writeable = False
    return tuple(header), values, tuple(line for line, _ in rows)
