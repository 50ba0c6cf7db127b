"""Validation of a parameter folder as the model reads it.

The store checks each file on its own (syntax, schema, units, duplicates); this
module adds the checks that need the model: every area's baseline is built, so
files that are valid one by one but disagree with each other are caught too.
"""

from __future__ import annotations

from pathlib import Path

from ..params.errors import ParameterError, Problem
from ..params.store import check_files, load
from .late_intervention import areas, baseline


def validate(path: str | Path | None = None) -> list[Problem]:
    """Check a parameter folder or file; return every problem found (empty if valid)."""
    problems = check_files(path)
    if problems or (path is not None and Path(path).is_file()):
        return problems
    params = load(root=path)
    for area in areas(params):
        try:
            baseline(params, area)
        except ParameterError as exc:
            problems.extend(exc.problems)
    return problems
