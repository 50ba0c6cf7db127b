"""Scenarios: named sets of parameter overrides, kept as data.

A scenario file (``parameters/areas/AREA/scenarios/NAME.yaml``) has a ``description``, an
optional ``based_on`` (another scenario whose overrides it starts from),
``overrides``: a mapping from parameter path to a new value, or to a mapping of
parameter fields (``value``, ``distribution``, ``source`` ...) that replace the
stored ones, and optionally ``parameters``: new parameters, written as in a
parameter file, under ``programmes.<name>`` (a programme the scenario defines, see
:mod:`costmodel.model.programme`) or ``team.staffing_steps.<name>`` (a dated change to
the team's posts and funding, see :mod:`costmodel.model.team`) only; and optionally
``draws``: a CSV file next to it of parameter sets drawn together, such as a
calibrated posterior (:mod:`costmodel.params.joint`). A scenario based on one with
draws keeps them, except for the parameters it sets itself. Every override, new
parameter and draws file is validated as strictly as the parameter files, and a path
that names no parameter is an error that names it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, NoReturn

from .errors import ArgumentTypeError, ParameterError, Problem, accepts
from .joint import read_joint
from .schema import Parameter, check_name
from .store import ParameterSet, chosen_area, default_root, read_tree
from .yamlio import Lines, read_yaml

SCENARIO_KEYS = {"description", "based_on", "overrides", "parameters", "draws"}
#: Where a scenario may add parameters of its own (and how deep the name must go).
ADDABLE = {"programmes": 2, "team.staffing_steps": 3}


@dataclass(frozen=True)
class Scenario:
    """A named set of overrides (already merged with what it is based on)."""

    name: str
    description: str
    overrides: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    based_on: str | None = None
    file: str = ""
    parameters: tuple[Parameter, ...] = ()
    #: A CSV of parameter sets drawn together (a calibrated posterior), if any.
    draws: str | None = None
    #: Paths whose override is the joint draws' central value (set by calibration).
    central_from_draws: tuple[str, ...] = ()

    def apply(self, params: ParameterSet) -> ParameterSet:
        """The parameters with this scenario's new parameters, joint draws and
        overrides, re-validated. Overrides of jointly drawn paths that only restate a
        posterior's central values keep the joint draws."""
        if self.parameters:
            params = params.with_parameters(self.parameters)
        if self.draws is None:
            return params.with_values(self.overrides, file=self.file or self.name)
        joint = read_joint(self.draws, params)
        out = params.with_values(self.overrides, file=self.file or self.name)
        return out.with_joint(joint.without(self.fixed))

    @property
    def fixed(self) -> tuple[str, ...]:
        """Overridden paths that are not restated by the draws file's own scenario."""
        return tuple(k for k in self.overrides if k not in self.central_from_draws)


#: The scenario the command line, report and notebooks use unless told otherwise.
DEFAULT_SCENARIO = "calibrated"


def default_scenario(root: str | Path | None = None, area: str | None = None) -> str | None:
    """:data:`DEFAULT_SCENARIO` if the area's scenario folder has it, else ``None`` (the
    parameters as stored)."""
    folder = scenario_folder(root, area)
    return DEFAULT_SCENARIO if (folder / f"{DEFAULT_SCENARIO}.yaml").is_file() else None


def scenario_name(scenario: str | Path | Scenario | None) -> str:
    """A scenario's display name: its name, or the stem of its file (``my/five_posts.yaml``)."""
    if scenario is None:
        return "central"
    if isinstance(scenario, Scenario):
        return scenario.name
    text = str(scenario)
    return Path(text).stem if text.endswith((".yaml", ".yml")) else text


def scenario_folder(root: str | Path | None = None, area: str | None = None) -> Path:
    """The area's scenarios (``areas/AREA/scenarios``; the default area when none is
    named), or ``scenarios`` at the top of a folder without area folders."""
    root = Path(root or default_root())
    area = chosen_area(root, area)
    own = root / "areas" / area / "scenarios" if area else None
    return own if own is not None and own.is_dir() else root / "scenarios"


@accepts(root="path", area="name")
def list_scenarios(root: str | Path | None = None, area: str | None = None) -> dict[str, str]:
    """The area's scenario names and their one-line descriptions."""
    out = {}
    for f in sorted(scenario_folder(root, area).glob("*.yaml")):
        s = load_scenario(str(f), root)
        out[s.name] = s.description
    return out


@accepts(name_or_path="scenario", root="path", params="mapping_or_none")
def load_scenario(
    name_or_path: str | Path,
    root: str | Path | None = None,
    params: ParameterSet | None = None,
) -> Scenario:
    """Read and check a scenario by name (from the scenario folder) or by file path.

    With ``params`` every override is also checked against the parameters (unknown
    paths, values out of range) so that errors surface on loading.
    """
    return _load_scenario(name_or_path, root, params, ())


def _load_scenario(
    name_or_path: str | Path,
    root: str | Path | None,
    params: ParameterSet | None,
    seen: tuple[str, ...],
) -> Scenario:
    """:func:`load_scenario`, knowing the scenarios already on the way here (``seen``),
    so that a loop of ``based_on`` is refused rather than followed."""
    area = getattr(params, "area", None)
    path = _scenario_file(name_or_path, root, area, seen)
    name = path.stem
    data, lines = read_yaml(path)
    file = str(path)

    def bad(key: str, message: str) -> NoReturn:
        raise ParameterError(Problem(file, key, message, lines.get((key,)) or None))

    description, overrides = _check_fields(data, bad)
    added = _added_parameters(data, file, lines)
    draws, central = _draws(data, path, overrides, bad)
    merged: dict[str, Any] = {}
    inherited: tuple[Parameter, ...] = ()
    based_on = data.get("based_on")
    if based_on is not None:
        parent_file = _parent_file(based_on, path, root, area, bad)
        parent = _load_scenario(str(parent_file), root, None, (*seen, name))
        merged.update(parent.overrides)
        inherited = parent.parameters
        if draws is None and parent.draws is not None:
            draws = parent.draws
            central = tuple(k for k in parent.central_from_draws if k not in overrides)
    merged.update(overrides)
    scenario = Scenario(
        name=name,
        description=" ".join(description.split()),
        overrides=MappingProxyType(merged),
        based_on=based_on,
        file=file,
        parameters=(*inherited, *added),
        draws=draws,
        central_from_draws=central,
    )
    if params is not None:
        _check_against(scenario, params, lines)
    return scenario


def _scenario_file(
    name_or_path: str | Path, root: str | Path | None, area: str | None, seen: tuple
) -> Path:
    """The scenario's file: a path, or a name in the scenario folder; it must exist and
    not be one the scenarios being read already build on."""
    path = Path(name_or_path)
    if path.suffix not in (".yaml", ".yml"):
        path = scenario_folder(root, area) / f"{name_or_path}.yaml"
    name = path.stem
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in scenario_folder(root, area).glob("*.yaml")))
        raise ParameterError(
            Problem(str(path), "scenario", f"no scenario {name!r} (known: {known})")
        )
    if name in seen:
        raise ParameterError(
            Problem(
                str(path),
                "based_on",
                f"scenarios build on each other in a loop: {' -> '.join((*seen, name))}",
            )
        )
    return path


def _check_fields(data: Any, bad: Callable[[str, str], NoReturn]) -> tuple[str, Mapping[str, Any]]:
    """The scenario's keys, its description and its overrides (by parameter path)."""
    if not isinstance(data, Mapping):
        bad("", "a scenario file must be a mapping with 'description' and 'overrides'")
    for key in data:
        if key not in SCENARIO_KEYS:
            bad(key, f"unknown key {key!r} (allowed: {', '.join(sorted(SCENARIO_KEYS))})")
    description = data.get("description")
    if not isinstance(description, str) or not description.strip():
        bad("description", "a scenario needs a one-line 'description'")
    overrides = data.get("overrides") or {}
    if not isinstance(overrides, Mapping):
        bad("overrides", "'overrides' must map parameter paths to values")
    for key in overrides:
        if not isinstance(key, str) or not all(check_name(p) for p in key.split(".")):
            bad("overrides", f"{key!r} is not a parameter path (dotted snake_case names)")
    return description, overrides


def _added_parameters(data: Mapping, file: str, lines: Mapping) -> list[Parameter]:
    """The parameters a scenario adds, only under the groups in :data:`ADDABLE`."""
    if "parameters" not in data:
        return []
    added, problems = read_tree(data["parameters"], file, lines)
    problems += [
        Problem(
            file,
            p.path,
            "a scenario may add parameters only under " + ", ".join(f"{a}.<name>" for a in ADDABLE),
            p.line,
        )
        for p in added
        if not any(
            p.path.startswith(prefix + ".") and p.path.count(".") >= depth
            for prefix, depth in ADDABLE.items()
        )
    ]
    if problems:
        raise ParameterError(problems)
    return added


def _draws(
    data: Mapping, path: Path, overrides: Mapping, bad: Callable[[str, str], NoReturn]
) -> tuple[str | None, tuple[str, ...]]:
    """The draws file next to the scenario (or None), and the paths whose values are
    the draws' central values (those the scenario sets: they keep the draws)."""
    if "draws" not in data:
        return None, ()
    given = data["draws"]
    if not isinstance(given, str) or not given.strip():
        bad("draws", "'draws' must name a CSV file of parameter sets (next to the scenario)")
    draws = str(path.parent / given)
    if not Path(draws).is_file():
        bad("draws", f"draws file {given!r} not found next to the scenario")
    return draws, tuple(str(k) for k in overrides)


def _parent_file(
    based_on: object,
    path: Path,
    root: str | Path | None,
    area: str | None,
    bad: Callable[[str, str], NoReturn],
) -> Path:
    """The file of the scenario this one builds on: one beside it, or one of the area's."""
    if not isinstance(based_on, str):
        bad("based_on", "'based_on' must name another scenario")
    folder = (
        path.parent if (path.parent / f"{based_on}.yaml").is_file() else scenario_folder(root, area)
    )
    parent_file = (
        Path(based_on) if based_on.endswith((".yaml", ".yml")) else folder / f"{based_on}.yaml"
    )
    if not parent_file.is_file():
        known = ", ".join(sorted(p.stem for p in folder.glob("*.yaml")))
        bad("based_on", f"no scenario {based_on!r} to build on (known: {known})")
    return parent_file


def _check_against(scenario: Scenario, params: ParameterSet, lines: Lines) -> None:
    problems = []
    if scenario.parameters:
        params = params.with_parameters(scenario.parameters)
    if scenario.draws is not None:
        read_joint(scenario.draws, params)
    for path, value in scenario.overrides.items():
        try:
            params.with_values({path: value}, file=scenario.file)
        except ParameterError as exc:
            for p in exc.problems:
                line = lines.get(("overrides", path))
                problems.append(Problem(scenario.file, p.path, p.message, line))
    if problems:
        raise ParameterError(problems)


@accepts(params="mapping", scenario="scenario")
def apply_scenario(params: ParameterSet, scenario: str | Scenario | None) -> ParameterSet:
    """``params`` with a scenario's overrides (by name, path or object); ``None`` → unchanged."""
    if scenario is None:
        return params
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario, params.root, params)
    return scenario.apply(params)


def with_scenario(params: Mapping, scenario: str | Scenario | None) -> Mapping:
    """``params`` with ``scenario`` applied, for the functions that take both
    (:func:`apply_scenario`); ``None`` leaves any mapping unchanged, a scenario needs
    the parameters of :func:`costmodel.load`."""
    if scenario is None:
        return params
    if not isinstance(params, ParameterSet):
        raise ArgumentTypeError(
            f"a scenario applies to the parameters from costmodel.load(), "
            f"not to a {type(params).__name__}"
        )
    return apply_scenario(params, scenario)
