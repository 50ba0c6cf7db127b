"""Validation of parameters and scenarios as the model reads them.

The store checks each file on its own (syntax, schema, units, duplicates). This
module adds what needs the model, so that whatever :func:`project` would refuse,
``validate`` refuses first:

* completeness: every parameter the model reads exists, with the right shape (a
  missing one is named with the folder that lacks it);
* rules across parameters: management posts within the posts, discount schedules
  that start at year 0 with rates in [0, 1), deflator years that run on, programme
  lengths within :data:`costmodel.model.programme.MAX_YEARS`, every area's baseline
  adding up;
* every scenario in the folder's ``scenarios/``, and a scenario file given alone, is
  read, applied and run (deterministically) like the shipped parameters; while the
  folder itself has problems its scenarios are only read (their own syntax and keys).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from functools import partial
from pathlib import Path

from ..greenbook.discounting import SCHEDULES, discount_schedule
from ..greenbook.prices import deflators
from ..params.errors import ParameterError, Problem, UnknownParameterError, accepts
from ..params.scenarios import apply_scenario, load_scenario, scenario_folder
from ..params.store import (
    ParameterSet,
    area_folders,
    check_files,
    default_root,
    load,
    parameter_files,
)
from ..params.yamlio import read_yaml
from .late_intervention import areas, baseline
from .projection import project

#: Draws (and team simulation runs) of the projection that checks a parameter set: two
#: reach every parameter the model reads, draw every distribution and run every stage
#: of the team simulation, in a fraction of a second rather than the seconds of the
#: central case's averaged simulation. Figures are not the point of the check.
CHECK_DRAWS = 2


def check_model(params: ParameterSet, where: str = "") -> list[Problem]:
    """Every problem the model meets when it reads ``params`` (empty if none).

    Builds the deflator, each discount schedule and every area's baseline, then
    projects the parameters over :data:`CHECK_DRAWS` Monte Carlo draws (the team's
    simulation, every programme and the savings appraisal, each uncertain parameter
    drawn from its distribution). ``where`` names the folder or file a missing
    parameter should have been in.
    """
    problems: list[Problem] = []
    place = where or (str(params.root) if params.root is not None else "")

    def attempt(step: Callable[[], object]) -> None:
        try:
            step()
        except UnknownParameterError as exc:
            for p in exc.problems:
                problems.append(Problem(place, p.path, "missing: the model reads this parameter"))
        except ParameterError as exc:
            named = [p if p.file else replace(p, file=place) for p in exc.problems]
            problems.extend(p for p in named if p not in problems)

    attempt(lambda: deflators(params))
    for name in SCHEDULES:
        attempt(partial(discount_schedule, params, name))
    found = areas(params)
    if not found:
        problems.append(Problem(place, "areas", "no area has a late-intervention total"))
    for area in found:
        attempt(partial(baseline, params, area))
    if not problems:  # the projection needs the pieces above
        attempt(lambda: project(params, draws=CHECK_DRAWS, runs=CHECK_DRAWS))
    return problems


@accepts(path="path")
def validate(path: str | Path | None = None) -> list[Problem]:
    """Check a parameter folder, a parameter file or a scenario file; return every problem.

    A folder is checked file by file, then as the model reads it, then with each of
    its scenarios applied. A scenario file (one with ``overrides``, or in a
    ``scenarios`` folder) is checked against the parameter folder it belongs to, or
    the shipped parameters.
    """
    target = Path(path) if path is not None else default_root()
    if not target.exists():
        return [Problem(str(target), "", "no such file or folder")]
    if target.is_file():
        if _is_scenario(target):
            return _validate_scenario(target)
        return check_files(target)
    if not parameter_files(target):
        return [Problem(str(target), "", "no parameter files (*.yaml) in this folder")]
    problems: list[Problem] = []
    said: set[tuple] = set()
    names: list[str | None] = [*area_folders(target)] or [None]
    for area in names:
        found = _validate_area(target, area)
        for q in found:
            # a line of a file is said once (national files are read with every area);
            # the same TODO on several lines is a problem a line
            key = (q.file, q.line, q.path, q.message) if q.line else (q.path, q.message)
            if key not in said:
                said.add(key)
                problems.append(q)
    return problems


def _validate_area(target: Path, area: str | None) -> list[Problem]:
    """One area's parameters (the national defaults and its folder) and its scenarios."""
    try:
        params = load(area=area, root=target)
    except ParameterError as exc:
        return list(exc.problems)
    where = str(target / "areas" / area) if area else str(target)
    problems = check_model(params, where)
    # a problem the scenarios inherit from the folder is listed once, under the folder
    said = {(q.path, q.message) for q in problems}
    broken = bool(problems)  # scenarios are then only read, not applied to a broken folder
    for file in sorted(scenario_folder(target, area).glob("*.yaml")):
        for q in _read_scenario(file, params) if broken else _validate_scenario(file, params):
            if (q.path, q.message) not in said:
                said.add((q.path, q.message))
                problems.append(q)
    return problems


def _is_scenario(file: Path) -> bool:
    if file.parent.name == "scenarios":
        return True
    try:
        data, _ = read_yaml(file)
    except ParameterError:
        return False
    return isinstance(data, dict) and ("overrides" in data or "based_on" in data)


def _read_scenario(file: Path, params: ParameterSet) -> list[Problem]:
    """A scenario file's own problems (syntax, keys, new parameters), without applying it."""
    try:
        load_scenario(file, params.root)
    except ParameterError as exc:
        return list(exc.problems)
    return []


def _validate_scenario(file: Path, params: ParameterSet | None = None) -> list[Problem]:
    if params is None:
        root, area = None, None
        if file.parent.name == "scenarios":
            folder = file.parent.parent
            if folder.parent.name == "areas":  # an area's own scenario
                root, area = folder.parent.parent, folder.name
            else:
                root = folder
        if root is None or not parameter_files(root):
            root = default_root()
        try:
            params = load(area=area, root=root)
        except ParameterError as exc:
            return list(exc.problems)
    try:
        scenario = load_scenario(file, params.root, params)
        applied = apply_scenario(params, scenario)
    except ParameterError as exc:
        return list(exc.problems)
    return check_model(applied, str(file))
