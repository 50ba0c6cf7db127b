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
  savings before the decision are shown apart as sunk;
* ``case`` (optional): the board's case (:class:`DecisionCase`): the perspective that
  ranks the options, the basis the cost is shared on, the decision gate and its break
  clause, monitoring (owner, budget, indicators), the management case, each risk topic's
  owner and mitigation, the impacts not valued and who gains and loses.

Scenario names are checked against the area's scenarios when the decision is loaded.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from .errors import ParameterError, Problem
from .monitoring import COLUMNS as MONITORING_FIELDS
from .scenarios import scenario_folder
from .schema import Checker, Parameter, check_parameter
from .store import DECISIONS, chosen_area, default_root
from .yamlio import read_yaml

KEYS = {"description", "decision_date", "counterfactual", "options", "history", "case"}
CASE_KEYS = {
    "ranked_by",
    "ranked_by_rationale",
    "cost_sharing",
    "gate",
    "monitoring",
    "management",
    "risks",
    "not_valued",
    "distribution",
}
GATE_KEYS = {"after_years", "rule", "indicators"}
MONITORING_KEYS = {"owner", "budget"}
RISK_KEYS = {"topic", "owner", "mitigation"}
#: Bases the cost of an option may be shared on: each agency's cashable savings, its
#: total savings, or the cashable savings of the local partnership's agencies alone.
SHARING = ("cashable", "total", "local_cashable")
#: The decision an area's board is shown unless another is named.
DEFAULT_DECISION = "successor"


@dataclass(frozen=True)
class Risk:
    """Who owns the risks of parameters under a topic (a dotted path prefix; ``""``
    for every other parameter) and how they are mitigated."""

    topic: str
    owner: str
    mitigation: str


@dataclass(frozen=True)
class DecisionCase:
    """The board's case for a decision, as data (see the module)."""

    ranked_by: str
    ranked_by_rationale: str
    cost_sharing: str
    gate_after_years: int
    gate_rule: str
    indicators: tuple[str, ...]
    monitoring_owner: str
    monitoring_budget: Parameter
    management: tuple[tuple[str, str], ...]
    risks: tuple[Risk, ...]
    not_valued: tuple[str, ...]
    distribution: tuple[str, ...]

    def risk_for(self, path: str) -> Risk | None:
        """The risk topic of a parameter: the longest topic that is the path or a
        prefix of it (whole dotted parts), else the catch-all topic ``""``."""
        best: Risk | None = None
        for r in self.risks:
            fits = r.topic == "" or path == r.topic or path.startswith(r.topic + ".")
            if fits and (best is None or len(r.topic) > len(best.topic)):
                best = r
        return best


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
    case: DecisionCase | None = None

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
    case = _case(data["case"], file, lines) if "case" in data else None
    return DecisionSpec(
        name=path.stem,
        description=" ".join(description.split()),
        counterfactual=counterfactual,
        options=names,
        decision_date=when,
        history=None if history is None else scenario("history", history),
        file=file,
        case=case,
    )


def _case(raw: object, file: str, lines: Mapping[tuple, int]) -> DecisionCase:
    """The ``case`` section, checked key by key (one line per problem, the first raised)."""

    def bad(keys: tuple, message: str) -> ParameterError:
        line = next((lines[keys[:n]] for n in range(len(keys), 0, -1) if keys[:n] in lines), None)
        return ParameterError(Problem(file, ".".join(map(str, keys)), message, line))

    def mapping(x: object, keys: tuple, allowed: set[str], needed: set[str]) -> Mapping:
        if not isinstance(x, Mapping):
            raise bad(keys, f"must be a mapping ({', '.join(sorted(allowed))})")
        for k in x:
            if k not in allowed:
                raise bad((*keys, k), f"unknown key {k!r} (allowed: {', '.join(sorted(allowed))})")
        for k in sorted(needed - set(x)):
            raise bad(keys, f"needs {k!r}")
        return x

    def text(x: object, keys: tuple) -> str:
        if not isinstance(x, str) or not x.strip():
            raise bad(keys, f"must be text, not {x!r}")
        return " ".join(x.split())

    def texts(x: object, keys: tuple) -> tuple[str, ...]:
        if not isinstance(x, list) or not x:
            raise bad(keys, "must list one or more lines of text")
        return tuple(text(v, (*keys, i)) for i, v in enumerate(x))

    k0 = ("case",)
    c = mapping(raw, k0, CASE_KEYS, CASE_KEYS - {"ranked_by_rationale"})
    sharing = text(c["cost_sharing"], (*k0, "cost_sharing"))
    if sharing not in SHARING:
        raise bad((*k0, "cost_sharing"), f"must be one of {', '.join(SHARING)}, not {sharing!r}")
    gate = mapping(c["gate"], (*k0, "gate"), GATE_KEYS, GATE_KEYS)
    years = gate["after_years"]
    if not isinstance(years, int) or isinstance(years, bool) or years < 1:
        raise bad(
            (*k0, "gate", "after_years"), f"must be a whole number of years ≥ 1, not {years!r}"
        )
    indicators = texts(gate["indicators"], (*k0, "gate", "indicators"))
    for i, f in enumerate(indicators):
        if f not in MONITORING_FIELDS:
            raise bad(
                (*k0, "gate", "indicators", i),
                f"{f!r} is not a field of the monitoring template ({', '.join(MONITORING_FIELDS)})",
            )
    mon = mapping(c["monitoring"], (*k0, "monitoring"), MONITORING_KEYS, MONITORING_KEYS)
    chk = Checker(file, lines)
    budget = (
        check_parameter(mon["budget"], (*k0, "monitoring", "budget"), "case.monitoring.budget", chk)
        if isinstance(mon["budget"], Mapping)
        else None
    )
    if chk.problems:
        raise ParameterError(chk.problems[0])
    if budget is None or budget.unit != "GBP":
        raise bad((*k0, "monitoring", "budget"), "must be a parameter in GBP with a price year")
    management = mapping(c["management"], (*k0, "management"), set(c["management"] or {}), set())
    if not management:
        raise bad((*k0, "management"), "must name the owner, governance and delivery")
    risks = c["risks"]
    if not isinstance(risks, list) or not risks:
        raise bad((*k0, "risks"), "must list topics with an owner and a mitigation")
    out: list[Risk] = []
    for i, r in enumerate(risks):
        r = mapping(r, (*k0, "risks", i), RISK_KEYS, RISK_KEYS)
        topic = r["topic"]
        if not isinstance(topic, str):
            raise bad(
                (*k0, "risks", i, "topic"), f"must be a dotted parameter prefix, not {topic!r}"
            )
        out.append(
            Risk(
                topic=topic.strip(),
                owner=text(r["owner"], (*k0, "risks", i, "owner")),
                mitigation=text(r["mitigation"], (*k0, "risks", i, "mitigation")),
            )
        )
    if len({r.topic for r in out}) != len(out):
        raise bad((*k0, "risks"), "a topic is listed twice")
    return DecisionCase(
        ranked_by=text(c["ranked_by"], (*k0, "ranked_by")),
        ranked_by_rationale=(
            text(c["ranked_by_rationale"], (*k0, "ranked_by_rationale"))
            if "ranked_by_rationale" in c
            else ""
        ),
        cost_sharing=sharing,
        gate_after_years=years,
        gate_rule=text(gate["rule"], (*k0, "gate", "rule")),
        indicators=indicators,
        monitoring_owner=text(mon["owner"], (*k0, "monitoring", "owner")),
        monitoring_budget=budget,
        management=tuple((str(k), text(v, (*k0, "management", k))) for k, v in management.items()),
        risks=tuple(out),
        not_valued=texts(c["not_valued"], (*k0, "not_valued")),
        distribution=texts(c["distribution"], (*k0, "distribution")),
    )
