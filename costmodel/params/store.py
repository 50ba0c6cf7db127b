"""The parameter store: read, validate and look up sourced parameters.

``load()`` reads the national defaults under ``parameters/`` and one area's folder, and
returns an immutable :class:`ParameterSet`. Parameters are found by dotted path; the
first parts of a path are the file's place in the folder (``prices/discounting.yaml``
→ ``prices.discounting...``).

**Areas.** An area is a folder ``parameters/areas/NAME/`` of its own: ``area.yaml``
(its population and late-intervention figures: paths ``areas.NAME...``), and its
programmes: ``team.yaml`` (``team...``), ``programmes/*.yaml`` (``programmes...``), with
its scenarios in ``scenarios/``. Everything outside the area folders is national and
shared by every area (unit costs, deflators, discounting, the evidence on effects, the
national reference figures in ``areas/england_and_wales.yaml``). A parameter records
the area it came from (:attr:`Parameter.area`); only one area is loaded at a time, so
one area's parameters never appear under another's name.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import evidence as ev
from .errors import ParameterError, Problem, UnknownParameterError, accepts
from .joint import JointDraws
from .ledger import Ledger, area_ledger
from .schema import (
    BORROWED,
    PARAMETER_KEYS,
    Checker,
    Parameter,
    check_name,
    check_parameter,
)
from .yamlio import read_text, read_yaml

if TYPE_CHECKING:  # pandas is imported on first use
    import pandas as pd

FILE_KEYS = {"description", "parameters", "borrowed_from", "evidence"}
GROUP_KEYS = {"description"}


def default_root() -> Path:
    """The parameter folder: ``$COSTMODEL_PARAMETERS``, the installed copy, or the checkout's."""
    env = os.environ.get("COSTMODEL_PARAMETERS")
    if env:
        return Path(env)
    package = Path(__file__).resolve().parents[1]
    installed = package / "_parameters"
    return installed if installed.is_dir() else package.parent / "parameters"


def _prefix(file: Path, root: Path | None) -> str:
    try:
        rel = file.resolve().relative_to(root.resolve()) if root else Path(file.name)
    except ValueError:
        rel = Path(file.name)
    parts = rel.with_suffix("").parts
    if len(parts) > 2 and parts[0] == "areas" and root and parts[1] in area_folders(root):
        # a file in an area folder: area.yaml holds areas.NAME, the rest keep their names
        inner = parts[2:]
        return f"areas.{parts[1]}" if inner == ("area",) else ".".join(inner)
    return ".".join(parts)


def _area_of(file: Path, root: Path) -> str | None:
    try:
        parts = file.resolve().relative_to(root.resolve()).parts
    except ValueError:
        return None
    if len(parts) > 2 and parts[0] == "areas" and parts[1] in area_folders(root):
        return parts[1]
    return None


def read_parameter_file(
    file: str | Path,
    root: str | Path | None = None,
    text: str | None = None,
    studies: list[ev.Study] | None = None,
) -> tuple[list[Parameter], list[Problem]]:
    """Read and check one parameter file; return its parameters and any problems.

    A programme file may hold its own evaluation under ``evidence:`` (a study, see
    :mod:`costmodel.params.evidence`, whose id is the file's name); it is appended to
    ``studies`` when given.
    """
    file = Path(file)
    name = str(file)
    prefix = _prefix(file, Path(root) if root else None)
    try:
        text = text if text is not None else read_text(file)
        data, lines = read_yaml(file, text)
    except ParameterError as exc:
        return [], [_rename(p, prefix) for p in exc.problems]
    chk = Checker(name, lines)
    todo = _todos(file, text, prefix)
    if todo:
        return [], todo
    if not isinstance(data, Mapping):
        chk.add((), "a parameter file must be a mapping with 'description' and 'parameters'", "")
        return [], chk.problems
    for key in data:
        if key not in FILE_KEYS:
            chk.add(
                (key,),
                f"unknown top-level key {key!r} (allowed: {', '.join(sorted(FILE_KEYS))})",
                "",
            )
    lender = data.get("borrowed_from")
    if lender is not None and not (isinstance(lender, str) and check_name(lender)):
        chk.add(("borrowed_from",), "'borrowed_from' names the area the file is taken from", "")
    if not isinstance(data.get("description"), str):
        chk.add((), "the file needs a 'description' saying what it holds", "")
    tree = data.get("parameters")
    out: list[Parameter] = []
    if not isinstance(tree, Mapping) or not tree:
        chk.add(("parameters",), "the file needs a non-empty 'parameters' mapping", "")
        return out, chk.problems
    _walk(tree, ("parameters",), prefix, chk, out)
    if "evidence" in data:
        study, probs = ev.read_study(data["evidence"], file.stem, name, lines, ("evidence",))
        chk.problems.extend(probs)
        if study is not None and studies is not None:
            studies.append(study)
    if isinstance(lender, str):
        out = _borrowed(out, lender, chk)
    else:
        for p in out:
            if p.borrowed is not None:
                chk.problems.append(
                    Problem(
                        name,
                        p.path,
                        "'borrowed' is only for a file declaring 'borrowed_from: AREA'",
                        p.line,
                    )
                )
    return out, chk.problems


#: Parameters that are an area's reported counts: never borrowed from another area.
OBSERVED = "team.observed."


def _borrowed(params: list[Parameter], lender: str, chk: Checker) -> list[Parameter]:
    """The parameters of a file borrowed from ``lender``: those still holding the value
    lent (``borrowed: {value: ...}`` beside it, rescaled where the value depends on the
    area's size) are the lender's; a value the analyst changed, or a parameter added, is
    the area's own. A file that records no lent values is the lender's throughout.
    Reported counts (``team.observed``) are never borrowed."""
    recorded = any(p.borrowed is not None for p in params)
    out = []
    for p in params:
        lent = p.borrowed.matches(p.value) if p.borrowed is not None else not recorded
        if lent and p.path.startswith(OBSERVED):
            chk.problems.append(
                Problem(
                    chk.file,
                    p.path,
                    f"a reported count of {lender} cannot be borrowed: remove it, or enter "
                    "the area's own count (and remove its 'borrowed' record)",
                    p.line,
                )
            )
        out.append(replace(p, area=lender) if lent else p)
    return out


#: The folder of published appraisals rebuilt from their own inputs (scenario files).
REPLICATIONS = "replications"
#: An area's folder of decisions in front of its board (:mod:`costmodel.params.decisions`).
DECISIONS = "decisions"

#: What a template (``costmodel new-area``) marks for the user to fill in.
TODO = "TODO"


def _todos(file: Path, raw: str, prefix: str) -> list[Problem]:
    """One problem for each line of a file still marked TODO (a template not filled in)."""
    return [
        Problem(str(file), prefix, f"still to fill in: {line.strip()[:70]}", i)
        for i, line in enumerate(raw.splitlines(), start=1)
        if TODO in line and not line.lstrip().startswith("#")
    ]


def _rename(p: Problem, prefix: str) -> Problem:
    """Name a raw YAML key path by its parameter path (``parameters.x`` → ``prefix.x``)."""
    if p.path == "parameters" or p.path.startswith("parameters."):
        return replace(p, path=prefix + p.path[len("parameters") :])
    return p


def read_tree(
    tree: object, file: str, lines: Mapping[tuple, int], keys: tuple = ("parameters",)
) -> tuple[list[Parameter], list[Problem]]:
    """Check a tree of parameters whose top keys start their paths (as in a scenario's
    ``parameters:`` section); return the parameters and any problems."""
    chk = Checker(file, lines)
    out: list[Parameter] = []
    if not isinstance(tree, Mapping) or not tree:
        chk.add(keys, "must be a non-empty mapping of parameters", keys[-1])
        return out, chk.problems
    for key, child in tree.items():
        if not check_name(key) or not isinstance(child, Mapping):
            chk.add((*keys, key), "expected a group of parameters", str(key))
            continue
        _walk(child, (*keys, key), str(key), chk, out)
    return out, chk.problems


def _walk(node: Mapping, keys: tuple, dotted: str, chk: Checker, out: list[Parameter]) -> None:
    for key, child in node.items():
        if key in GROUP_KEYS:
            if not isinstance(child, str):
                chk.add((*keys, key), "a group's 'description' must be text", dotted)
            continue
        path = f"{dotted}.{key}"
        if not check_name(key):
            chk.add((*keys, key), f"name {key!r} must be snake_case (a-z, 0-9, _)", path)
            continue
        if not isinstance(child, Mapping):
            chk.add(
                (*keys, key),
                f"expected a parameter (a mapping with 'value') or a group, "
                f"got {type(child).__name__} {child!r}",
                path,
            )
            continue
        if "value" not in child and set(child) & (PARAMETER_KEYS - GROUP_KEYS):
            stray = sorted(str(k) for k in child if k not in PARAMETER_KEYS)
            hint = f"; unknown keys: {', '.join(stray)}" if stray else ""
            chk.add((*keys, key), "has parameter fields but no 'value'" + hint, path)
        elif "value" in child:
            p = check_parameter(child, (*keys, key), path, chk)
            if p is not None:
                out.append(p)
        else:
            _walk(child, (*keys, key), path, chk, out)


#: The file in an area folder that holds the area's own figures (``areas.NAME...``).
AREA_FILE = "area.yaml"
#: A file naming the area a folder with several loads when none is named.
DEFAULT_AREA_FILE = "DEFAULT"
AREA_ENV = "COSTMODEL_AREA"


def area_folders(root: str | Path) -> list[str]:
    """The names of the area folders under ``root/areas`` (each with an ``area.yaml``)."""
    base = Path(root) / "areas"
    if not base.is_dir():
        return []
    return sorted(p.name for p in base.iterdir() if p.is_dir() and (p / AREA_FILE).is_file())


def reference_areas(root: str | Path) -> list[str]:
    """The national reference areas: files ``root/areas/NAME.yaml`` shared by every area
    (England and Wales). One may be chosen as the area of a command (``--area
    england_and_wales``): its baseline is the national one, and it has no programmes."""
    base = Path(root) / "areas"
    if not base.is_dir():
        return []
    return sorted(p.stem for p in base.glob("*.yaml") if p.is_file())


def parameter_files(root: str | Path, area: str | None = None) -> list[Path]:
    """The national ``*.yaml`` files under ``root`` and, with ``area``, that area's
    folder's (sorted; scenario files excluded)."""
    root = Path(root)
    folders = set(area_folders(root))

    def national(p: Path) -> bool:
        parts = p.relative_to(root).parts
        in_area = len(parts) > 2 and parts[0] == "areas" and parts[1] in folders
        skip = {"scenarios", ev.EVIDENCE_FOLDER, REPLICATIONS, DECISIONS}
        return not skip & set(parts) and not in_area

    out = [p for p in root.rglob("*.yaml") if national(p)]
    if area is not None and area in folders:
        folder = root / "areas" / area
        out += [
            p
            for p in folder.rglob("*.yaml")
            if not {"scenarios", ev.EVIDENCE_FOLDER, DECISIONS} & set(p.relative_to(folder).parts)
        ]
    return sorted(out)


def chosen_area(root: str | Path, area: str | None = None) -> str | None:
    """The area to load: ``area``, else ``$COSTMODEL_AREA``, else the one the folder's
    ``areas/DEFAULT`` names, else the only area folder (None: no area folders)."""
    root = Path(root)
    folders = area_folders(root)
    if area is None:
        area = os.environ.get(AREA_ENV) or None
    if area is None:
        default = root / "areas" / DEFAULT_AREA_FILE
        if default.is_file():
            area = default.read_text(encoding="utf-8").strip() or None
    if area is None:
        if len(folders) > 1:
            raise ParameterError(
                Problem(
                    str(root / "areas"),
                    "area",
                    f"several areas ({', '.join(folders)}): name one with --area",
                )
            )
        return folders[0] if folders else None
    known = [*folders, *reference_areas(root)]
    if folders and area not in known:
        raise ParameterError(
            Problem(
                str(root / "areas"),
                f"areas.{area}",
                f"unknown area {area!r} (known: {', '.join(known)})",
            )
        )
    return area


@accepts(path="path")
def check_files(path: str | Path | None = None) -> list[Problem]:
    """Check a parameter folder or file file by file; return every problem found.

    This is the store's half of validation (syntax, schema, duplicates).
    :func:`costmodel.validate` adds the checks that need the model.
    """
    path = Path(path) if path is not None else default_root()
    if not path.exists():
        return [Problem(str(path), "", "no such file or folder")]
    if path.is_file():
        root = next((p for p in path.parents if p.name == "parameters"), None)
        return read_parameter_file(path, root)[1]
    problems: list[Problem] = []
    names: list[str | None] = [*area_folders(path)] or [None]
    for area in names:
        try:
            load(area=area, root=path)
        except ParameterError as exc:
            problems += [p for p in exc.problems if p not in problems]
    return problems


@accepts(area="name", root="path")
def load(area: str | None = None, root: str | Path | None = None) -> ParameterSet:
    """Load and validate every parameter file; raise :class:`ParameterError` on any problem.

    ``area`` (e.g. ``"northamptonshire"``) sets the default area for models that
    need one. ``root`` defaults to the project's ``parameters/`` folder.
    """
    root = Path(root) if root is not None else default_root()
    if root.is_file():
        raise ParameterError(Problem(str(root), "", "is a file; give the parameter folder"))
    if not root.is_dir():
        raise ParameterError(Problem(str(root), "", "parameter folder not found"))
    found: dict[str, Parameter] = {}
    problems: list[Problem] = []
    try:
        folder_area = chosen_area(root, area)
        files = parameter_files(root, folder_area)
    except OSError as exc:
        raise ParameterError(
            Problem(str(root), "", f"cannot read the folder: {exc.strerror or exc}")
        ) from None
    if folder_area is not None and area is None:
        area = folder_area
    found_studies: list[ev.Study] = []
    for file in files:
        params, probs = read_parameter_file(file, root, studies=found_studies)
        problems.extend(probs)
        owner = _area_of(file, root)
        if owner is not None:
            params = [p if p.area else replace(p, area=owner) for p in params]
        for p in params:
            if p.path in found:
                first = found[p.path].file
                problems.append(Problem(p.file, p.path, f"defined twice (also in {first})", p.line))
            found[p.path] = p
    studies: dict[str, ev.Study] = {}
    for file in ev.evidence_files(root, folder_area):
        study, probs = ev.read_evidence_file(file)
        problems.extend(probs)
        if study is not None:
            found_studies.append(study)
    for study in found_studies:
        ev.add_study(studies, study, problems)
    problems += ev.unknown_outcomes(studies, ev.outcomes_of(found))
    if problems:
        raise ParameterError(problems)
    derived = ev.derived_effects(found, studies)
    for path in derived:
        if path in found:
            problems.append(
                Problem(
                    found[path].file,
                    path,
                    f"given in a file but also derived from {ev.STUDIES}: remove one",
                    found[path].line,
                )
            )
    if problems:
        raise ParameterError(problems)
    ps = ParameterSet({**found, **derived}, root=root, studies=studies)
    if area is not None:
        ps = ps.for_area(area)
    return ps


class ParameterSet(Mapping[str, Parameter]):
    """An immutable, validated set of parameters keyed by dotted path."""

    def __init__(
        self,
        parameters: Mapping[str, Parameter],
        root: Path | None = None,
        area: str | None = None,
        overrides: Mapping[str, Any] | None = None,
        studies: Mapping[str, ev.Study] | None = None,
    ):
        self._p = dict(parameters)
        self.root = root
        self.area = area
        self.overrides: Mapping[str, Any] = dict(overrides or {})
        #: The evidence on effects: studies by id (:mod:`costmodel.params.evidence`).
        self.studies: Mapping[str, ev.Study] = dict(studies or {})
        #: Paths of parameters added on top of the parameter files (by a scenario).
        self.added: tuple[str, ...] = ()
        #: Parameter sets drawn together (a calibrated posterior), if a scenario named one.
        self.joint: JointDraws | None = None
        #: The area's outturn, what its programmes spent (:mod:`costmodel.params.ledger`).
        self.ledger: Ledger | None = None

    # Mapping protocol
    def __getitem__(self, path: str) -> Parameter:
        try:
            return self._p[path]
        except KeyError:
            raise UnknownParameterError(Problem("", path, self._unknown(path))) from None

    def __contains__(self, path: object) -> bool:
        # direct, so a membership test never builds the "did you mean" hint
        return path in self._p

    def get(self, path: str, default: Any = None) -> Any:
        return self._p.get(path, default)

    def __iter__(self) -> Iterator[str]:
        return iter(self._p)

    def __len__(self) -> int:
        return len(self._p)

    def __repr__(self) -> str:
        return f"ParameterSet({len(self)} parameters, area={self.area!r})"

    def _unknown(self, path: str) -> str:
        close = difflib.get_close_matches(path, self._p, n=1, cutoff=0.8)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        return f"unknown parameter{hint}"

    def value(self, path: str) -> Any:
        """The value of the parameter at ``path``."""
        return self[path].value

    def under(self, prefix: str) -> dict[str, Parameter]:
        """Parameters whose path starts with ``prefix.``, keyed by the rest of the path."""
        head = prefix.rstrip(".") + "."
        return {k[len(head) :]: v for k, v in self._p.items() if k.startswith(head)}

    def borrowed(self) -> dict[str, list[str]]:
        """Parameters taken from another area than the one loaded (a file declaring
        ``borrowed_from: AREA``): the lending area → the paths, so that every output can
        say so."""
        out: dict[str, list[str]] = {}
        for path, p in self._p.items():
            if p.area and self.area and p.area != self.area:
                out.setdefault(p.area, []).append(path)
        return out

    def lender(self, path: str) -> str | None:
        """The area the parameter at ``path`` is borrowed from (None: the area's own or
        national)."""
        p = self[path]
        return p.area if p.area and self.area and p.area != self.area else None

    def provenance(self, path: str) -> dict[str, Any]:
        """Where the value at ``path`` came from, for every output to carry beside it:
        ``status`` (published, derived, assumed, or ``borrowed`` for a value taken from
        another area), ``basis`` (its own status where borrowed), ``confidence``,
        ``source`` (a citation), ``method`` or ``rationale``, ``borrowed_from`` and
        ``rescaled`` (how a size-dependent value was rescaled on borrowing), and ``range``
        (5th and 95th percentiles, for an uncertain single number)."""
        from .distributions import quantile

        p = self[path]
        lender = self.lender(path)
        out: dict[str, Any] = {
            "status": BORROWED if lender else p.status,
            "basis": p.status,
            "confidence": p.confidence,
            "source": p.source.citation(),
        }
        if p.method:
            out["method"] = p.method
        if p.rationale:
            out["rationale"] = p.rationale
        if lender:
            out["borrowed_from"] = lender
            if p.borrowed is not None and p.borrowed.scale is not None:
                out["rescaled"] = rescaling_text(p)
        if p.distribution is not None and not p.is_table and p.unit != "date":
            lo, hi = (float(quantile(p, q)) for q in (0.05, 0.95))
            out["range"] = [lo, hi]
        return out

    @accepts(area="name")
    def for_area(self, area: str) -> ParameterSet:
        """The same parameters with ``area`` as the default area."""
        if not self.under(f"areas.{area}"):
            known = sorted({k.split(".")[1] for k in self._p if k.startswith("areas.")})
            raise ParameterError(
                Problem("", f"areas.{area}", f"unknown area {area!r} (known: {', '.join(known)})")
            )
        out = ParameterSet(self._p, self.root, area, self.overrides, self.studies)
        out.added = self.added
        out.joint = self.joint
        out.ledger = self.ledger if area == self.area else area_ledger(self.root, area)
        return out

    def with_joint(self, joint: JointDraws | None) -> ParameterSet:
        """A new set whose sampler draws ``joint``'s columns together, row by row."""
        out = ParameterSet(self._p, self.root, self.area, self.overrides, self.studies)
        out.added = self.added
        out.joint = joint
        out.ledger = self.ledger
        return out

    def with_parameters(self, parameters: Iterable[Parameter]) -> ParameterSet:
        """A new set with parameters added (e.g. a programme a scenario defines).

        A path that already exists is an error: change existing values with
        :meth:`with_values`.
        """
        new = dict(self._p)
        problems = []
        added = []
        for p in parameters:
            if p.path in new:
                problems.append(
                    Problem(
                        p.file,
                        p.path,
                        "already defined in "
                        f"{new[p.path].file}; a scenario may only add new "
                        "parameters (use 'overrides' to change one)",
                        p.line,
                    )
                )
            new[p.path] = p
            added.append(p.path)
        if problems:
            raise ParameterError(problems)
        out = ParameterSet(new, self.root, self.area, self.overrides, self.studies)
        out.added = (*self.added, *added)
        out.joint = self.joint
        out.ledger = self.ledger
        return out

    def with_study(self, study: ev.Study) -> ParameterSet:
        """The same parameters with one more study on record (replacing one of the same
        id), for a parameter set whose effects name it (a local update's posterior)."""
        out = ParameterSet(
            self._p, self.root, self.area, self.overrides, {**self.studies, study.id: study}
        )
        out.added, out.joint, out.ledger = self.added, self.joint, self.ledger
        return out

    @accepts(values="mapping", file="name")
    def with_values(self, values: Mapping[str, Any], file: str = "<overrides>") -> ParameterSet:
        """A new set with some parameters' values replaced, each re-validated.

        A value may be a number/table/date, or a mapping of parameter fields
        (``value``, ``distribution``, ``source`` ...) to replace together.
        """
        new = dict(self._p)
        problems: list[Problem] = []
        for path, v in values.items():
            if path not in self._p:
                problems.append(Problem(file, path, self._unknown(path)))
                continue
            old = self._p[path]
            given = v["value"] if isinstance(v, Mapping) and "value" in v else v
            if isinstance(given, Mapping) != old.is_table:
                want = (
                    "a table (" + ", ".join(map(str, old.value)) + ")"
                    if old.is_table
                    else "a single value"
                )
                got = "a table" if isinstance(given, Mapping) else "a single value"
                problems.append(Problem(file, path, f"expects {want}, got {got}"))
                continue
            raw = _raw(old)
            if isinstance(v, Mapping) and "value" in v:
                raw.update(v)
                if raw.get("distribution") is None:
                    raw.pop("distribution", None)  # ``distribution: null`` removes it
            else:
                raw["value"] = dict(v) if isinstance(v, Mapping) else v
                if "distribution" in raw and not _dist_fits(raw):
                    raw.pop("distribution")
            chk = Checker(file, {})
            p = check_parameter(raw, (), path, chk)
            if p is None:
                problems.extend(chk.problems)
            elif p.unit != old.unit:
                problems.append(
                    Problem(
                        file, path, f"the unit is {old.unit!r} and cannot be changed to {p.unit!r}"
                    )
                )
            else:
                # a value set for the area is the area's own, even where the file's was
                # borrowed; a national value stays national
                new[path] = replace(
                    p,
                    file=file if file != "<overrides>" else old.file,
                    area=(self.area or old.area) if old.area else None,
                )
        if not problems and any(str(k).startswith("savings.evidence.") for k in values):
            # the pooled effects follow the studies chosen, except those set by hand
            try:
                new.update(ev.derived_effects(new, self.studies, keep={*self.overrides, *values}))
            except ParameterError as exc:
                problems.extend(exc.problems)
        if problems:
            raise ParameterError(problems)
        out = ParameterSet(new, self.root, self.area, {**self.overrides, **values}, self.studies)
        out.added = self.added
        # a value set by hand is fixed: it no longer comes from the joint draws
        out.joint = None if self.joint is None else self.joint.without(values)
        out.ledger = self.ledger
        return out

    def fingerprint(self) -> str:
        """A short hash of every value, unit and price year, to tell two runs apart."""
        h = hashlib.sha256()
        for k in sorted(self._p):
            p = self._p[k]
            v = dict(p.value) if p.is_table else p.value
            h.update(json.dumps([k, v, p.unit, p.price_year], default=str, sort_keys=True).encode())
        if self.joint is not None:
            h.update(self.joint.fingerprint().encode())
        return h.hexdigest()[:12]

    def table(self) -> pd.DataFrame:
        """Every parameter as a pandas DataFrame (one row each), for appendices and review."""
        import pandas as pd

        rows = []
        for k in sorted(self._p):
            p = self._p[k]
            lender = self.lender(k)
            rows.append(
                {
                    "path": k,
                    "description": p.description,
                    "value": dict(p.value) if p.is_table else p.value,
                    "unit": p.unit,
                    "price_year": p.price_year,
                    "status": p.status,
                    "borrowed_from": lender,
                    "rescaled": (
                        rescaling_text(p)
                        if lender and p.borrowed is not None and p.borrowed.scale is not None
                        else None
                    ),
                    "confidence": p.confidence,
                    "source": p.source.citation(),
                    "distribution": (
                        None
                        if p.distribution is None
                        else {"type": p.distribution.family, **p.distribution.params}
                    ),
                }
            )
        return pd.DataFrame(rows).set_index("path")


def rescaling_text(p: Parameter) -> str:
    """How a borrowed size-dependent value was rescaled: ``12 × 0.0566 (population:
    40,500 ÷ 715,474)``."""
    b = p.borrowed
    if b is None or b.scale is None:
        return ""
    why = f" ({b.by})" if b.by else ""
    return f"{b.value:,.4g} × {b.scale:.4g}{why}"


def _raw(p: Parameter) -> dict[str, Any]:
    """The fields of a parameter as they would be written in a file."""
    raw: dict[str, Any] = {
        "description": p.description,
        "value": dict(p.value) if p.is_table else p.value,
        "unit": p.unit,
        "status": p.status,
        "confidence": p.confidence,
        "source": {k: v for k, v in vars(p.source).items() if v is not None},
    }
    for k in ("price_year", "method", "rationale", "notes", "scales_with"):
        if getattr(p, k) is not None:
            raw[k] = getattr(p, k)
    if p.distribution is not None:
        d = dict(p.distribution.params)
        if d.get("mean") is not None:
            d.pop("mean")
        raw["distribution"] = {"type": p.distribution.family, **d}
    return raw


def _dist_fits(raw: dict[str, Any]) -> bool:
    """Whether a kept distribution still fits a replaced value (a range must still hold it)."""
    d = raw["distribution"]
    if d["type"] in ("triangular", "uniform"):
        v = raw["value"]
        return isinstance(v, (int, float)) and d["low"] <= v <= d["high"]
    return True
