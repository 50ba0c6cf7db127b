"""A decision in front of a board, as data: which options, against what, and when.

A decision file (``parameters/areas/AREA/decisions/NAME.yaml``) names:

* ``description``: the question the board is asked, in one line;
* ``decision_date``: the date the board decides (``today``, or a date): the appraisal
  is priced in that financial year and discounted to that date, and whatever falls
  before it is sunk;
* ``counterfactual``: the scenario every option is set against (by default, stopping);
* ``options``: the scenarios appraised against it (successors from a start date after
  the decision);
* ``history`` (optional): the scenario of what has been done so far, whose costs and
  savings before the decision are shown apart as sunk.

Scenario names are checked against the area's scenarios when the decision is loaded.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from .errors import ParameterError, Problem
from .scenarios import scenario_folder
from .store import DECISIONS, chosen_area, default_root
from .yamlio import read_yaml

KEYS = {"description", "decision_date", "counterfactual", "options", "history"}
#: The decision an area's board is shown unless another is named.
DEFAULT_DECISION = "successor"


@dataclass(frozen=True)
class DecisionSpec:
    """A decision read from its file (the date ``None`` means: today, when appraised)."""

    name: str
    description: str
    counterfactual: str
    options: tuple[str, ...]
    decision_date: dt.date | None = None
    history: str | None = None
    file: str = ""

    def date(self, today: dt.date | None = None) -> dt.date:
        """The decision date: as given, else ``today`` (default: the system's date)."""
        return self.decision_date or today or dt.date.today()


def decision_folder(root: str | Path | None = None, area: str | None = None) -> Path:
    """The area's folder of decision files."""
    root = Path(root or default_root())
    return root / "areas" / str(chosen_area(root, area)) / DECISIONS


def list_decisions(root: str | Path | None = None, area: str | None = None) -> list[str]:
    """The names of the area's decisions."""
    return sorted(p.stem for p in decision_folder(root, area).glob("*.yaml"))


def load_decision(
    name_or_path: str | Path, root: str | Path | None = None, area: str | None = None
) -> DecisionSpec:
    """Read and check a decision by name (in the area's ``decisions/`` folder) or path."""
    path = Path(name_or_path)
    if path.suffix not in (".yaml", ".yml"):
        path = decision_folder(root, area) / f"{name_or_path}.yaml"
    if not path.is_file():
        known = ", ".join(list_decisions(root, area)) or "none"
        raise ParameterError(
            Problem(str(path), "decision", f"no decision {path.stem!r} (known: {known})")
        )
    data, lines = read_yaml(path)
    file = str(path)

    def bad(key: str, message: str) -> ParameterError:
        return ParameterError(Problem(file, key, message, lines.get((key,)) or None))

    if not isinstance(data, Mapping):
        raise bad("", "a decision file must be a mapping (description, options, ...)")
    for key in data:
        if key not in KEYS:
            raise bad(str(key), f"unknown key {key!r} (allowed: {', '.join(sorted(KEYS))})")
    for key in ("description", "counterfactual", "options"):
        if key not in data:
            raise bad(key, f"a decision needs {key!r}")
    description = data["description"]
    if not isinstance(description, str) or not description.strip():
        raise bad("description", "must be the question in one line")
    scenarios = {p.stem for p in scenario_folder(root, area).glob("*.yaml")}

    def scenario(key: str, value: object) -> str:
        if not isinstance(value, str) or not value.strip():
            raise bad(key, f"must name a scenario, not {value!r}")
        if value not in scenarios:
            raise bad(key, f"no scenario {value!r} (known: {', '.join(sorted(scenarios))})")
        return value

    counterfactual = scenario("counterfactual", data["counterfactual"])
    options = data["options"]
    if not isinstance(options, list) or not options:
        raise bad("options", "must list the scenarios appraised")
    names = tuple(scenario("options", o) for o in options)
    if len(set(names)) != len(names):
        raise bad("options", "an option is listed twice")
    if counterfactual in names:
        raise bad("options", f"the counterfactual {counterfactual!r} is not an option")
    date = data.get("decision_date", "today")
    if date == "today" or date is None:
        when = None
    elif isinstance(date, dt.date) and not isinstance(date, dt.datetime):
        when = date
    else:
        raise bad("decision_date", f"must be a date (YYYY-MM-DD) or 'today', not {date!r}")
    history = data.get("history")
    return DecisionSpec(
        name=path.stem,
        description=" ".join(description.split()),
        counterfactual=counterfactual,
        options=names,
        decision_date=when,
        history=None if history is None else scenario("history", history),
        file=file,
    )
