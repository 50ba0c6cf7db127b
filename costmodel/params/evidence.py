"""Evidence on effects as data: studies, their records, and the pooled effect of each outcome.

A **study** is what an evaluation (or an explicit expert assumption) measured: its
source, design, the programme and population it measured, the setting, and one
**record** per outcome with the effect (a relative reduction: 0.32 is 32% fewer
episodes), its standard error or 95% interval, the sample size and the window over which
it was measured (months after families joined). Studies live in
``parameters/evidence/*.yaml`` (national), in an area's ``evidence/`` folder, or in a
programme file under ``evidence:`` (that programme's own evaluation).

``savings.evidence.studies`` names the studies an appraisal draws on. For each outcome
(a group under ``savings.outcomes``), the records of those studies are pooled with a
random-effects meta-analysis (DerSimonian–Laird, statsmodels' ``combine_effects``) into
three derived parameters that the rest of the model reads like any other:

* ``savings.outcomes.<o>.effect`` – the pooled effect, its distribution normal with the
  random-effects *predictive* spread (standard error of the mean and between-study
  variance together: the effect in a new setting, not the average setting's);
* ``savings.outcomes.<o>.evidence`` – the studies pooled, each with its share of the
  pooled weight (how the design multipliers and the evidence class are applied);
* ``savings.outcomes.<o>.window`` – the years over which the pooled records measured
  the effect (their weighted mean), beyond which the model lets it decay.

Records with a counterfactual design (randomised trial, comparison group) are pooled
when an outcome has any; otherwise its before-and-after records and expert assumptions
are. An outcome no study measured gets an effect of zero, said so in its ``method``.
The pooled parameters are derived again whenever a scenario changes anything under
``savings.evidence`` (a parameter a scenario sets by hand is kept as set).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np

from .errors import ParameterError, Problem
from .schema import NAME, Checker, Distribution, Parameter, Source, _check_source
from .yamlio import read_text, read_yaml

#: Study designs, strongest first; ``local_update`` is a posterior from the area's own
#: monitoring data (:mod:`costmodel.analysis.monitoring`), the bias of its comparison
#: group already carried in it (so no design multiplier applies to it).
DESIGNS = (
    "randomised_trial",
    "comparison_group",
    "before_after",
    "expert_assumption",
    "local_update",
)
#: Designs that measure against a counterfactual.
COUNTERFACTUAL_DESIGNS = ("randomised_trial", "comparison_group", "local_update")
#: Need tiers of the populations studies measured and programmes serve.
NEEDS = ("universal", "early_help", "targeted", "troubled_families", "statutory")
#: When a record's window starts.
WINDOW_FROM = ("joining", "end_of_support")
#: The kinds of evidence an outcome's effect rests on, for the share of benefits by class.
CLASSES = ("own", "transferred", "assumed")

STUDY_KEYS = {
    "source",
    "design",
    "programme",
    "population",
    "setting",
    "window",
    "sample_size",
    "records",
    "notes",
}
REQUIRED_STUDY_KEYS = ("source", "design", "programme", "population", "setting", "records")
RECORD_KEYS = {"measure", "effect", "se", "interval", "n", "window", "notes"}
POPULATION_KEYS = {"need", "description"}
SETTING_KEYS = {"country", "service", "intensity"}
WINDOW_KEYS = {"from", "months"}
FILE_KEYS = {"description", "study"}

#: The folder of national studies under the parameter root.
EVIDENCE_FOLDER = "evidence"
#: Where the selection of studies lives.
STUDIES = "savings.evidence.studies"


@dataclass(frozen=True)
class Record:
    """One effect a study measured on one outcome."""

    study: str
    outcome: str
    measure: str
    effect: float  # relative reduction (negative: the outcome rose)
    se: float
    n: int | None
    window_months: float
    window_from: str
    file: str = ""
    line: int | None = None

    @property
    def window_years(self) -> float:
        return self.window_months / 12


@dataclass(frozen=True)
class Study:
    """An evaluation, trial or stated assumption and the records it gives."""

    id: str
    source: Source
    design: str
    programme: str
    need: str
    population: str
    setting: Mapping[str, str]
    records: tuple[Record, ...]
    sample_size: int | None = None
    file: str = ""
    line: int | None = None

    @property
    def counterfactual(self) -> bool:
        return self.design in COUNTERFACTUAL_DESIGNS

    def citation(self) -> str:
        return self.source.citation()


# --------------------------------------------------------------------------- reading


def read_study(
    raw: object, study_id: str, file: str, lines: Mapping[tuple, int], keys: tuple
) -> tuple[Study | None, list[Problem]]:
    """Check one study mapping (``keys``: where it sits in the file) and build it."""
    chk = Checker(file, lines)
    where = f"evidence.{study_id}"

    def bad(sub: tuple, message: str) -> None:
        chk.add((*keys, *sub), message, where)

    if not isinstance(raw, Mapping):
        bad((), "a study must be a mapping with " + ", ".join(REQUIRED_STUDY_KEYS))
        return None, chk.problems
    for k in raw:
        if k not in STUDY_KEYS:
            bad((k,), f"unknown key {k!r} (allowed: {', '.join(sorted(STUDY_KEYS))})")
    for k in REQUIRED_STUDY_KEYS:
        if k not in raw:
            bad((), f"missing {k!r}")
    if chk.problems:
        return None, chk.problems
    design = raw["design"]
    status = "assumed" if design == "expert_assumption" else "published"
    source = _check_source(raw["source"], status, (*keys, "source"), where, chk)
    if design not in DESIGNS:
        bad(("design",), f"design must be one of {', '.join(DESIGNS)}, got {design!r}")
    programme = raw["programme"]
    if not (isinstance(programme, str) and NAME.match(programme)):
        bad(("programme",), "programme names what was measured (lower_case_name)")
    pop = raw["population"]
    need = description = None
    if not isinstance(pop, Mapping) or set(pop) - POPULATION_KEYS or "need" not in pop:
        bad(("population",), "population is a mapping with 'need' and 'description'")
    else:
        need, description = pop.get("need"), pop.get("description")
        if need not in NEEDS:
            bad(("population", "need"), f"need must be one of {', '.join(NEEDS)}, got {need!r}")
        if not isinstance(description, str) or not description.strip():
            bad(("population", "description"), "describe the population measured")
    setting = raw["setting"]
    if (
        not isinstance(setting, Mapping)
        or set(setting) - SETTING_KEYS
        or not all(isinstance(v, str) and v.strip() for v in setting.values())
        or "country" not in setting
    ):
        bad(("setting",), "setting is a mapping of text: country, and service and intensity")
    default_window = _window(raw.get("window"), (*keys, "window"), chk, where, required=False)
    sample_size = _count(raw.get("sample_size"), (*keys, "sample_size"), chk, where)
    records = []
    recs = raw["records"]
    if not isinstance(recs, Mapping) or not recs:
        bad(("records",), "records maps each outcome measured to its effect")
        recs = {}
    for outcome, rec in recs.items():
        r = _record(rec, study_id, outcome, default_window, file, lines, (*keys, "records"), chk)
        if r is not None:
            records.append(r)
    if chk.problems or source is None:
        return None, chk.problems
    assert need is not None and description is not None
    return (
        Study(
            id=study_id,
            source=source,
            design=design,
            programme=programme,
            need=need,
            population=description.strip(),
            setting=MappingProxyType(dict(setting)),
            records=tuple(records),
            sample_size=sample_size,
            file=file,
            line=lines.get(keys),
        ),
        [],
    )


def _count(x: object, keys: tuple, chk: Checker, where: str) -> int | None:
    if x is None:
        return None
    if isinstance(x, bool) or not isinstance(x, int) or x <= 0:
        chk.add(keys, f"{keys[-1]} must be a whole number above zero, got {x!r}", where)
        return None
    return x


def _window(
    raw: object, keys: tuple, chk: Checker, where: str, required: bool
) -> tuple[float, str] | None:
    if raw is None:
        if required:
            chk.add(keys, "give the window the effect was measured over (from, months)", where)
        return None
    if not isinstance(raw, Mapping) or set(raw) != WINDOW_KEYS:
        chk.add(
            keys, "window is a mapping with 'from' (joining or end_of_support) and 'months'", where
        )
        return None
    months, start = raw["months"], raw["from"]
    if start not in WINDOW_FROM:
        chk.add((*keys, "from"), f"from must be one of {', '.join(WINDOW_FROM)}", where)
        return None
    if isinstance(months, bool) or not isinstance(months, (int, float)) or not 0 < months <= 600:
        chk.add((*keys, "months"), f"months must be a number in (0, 600], got {months!r}", where)
        return None
    return float(months), start


def _record(
    raw: object,
    study: str,
    outcome: object,
    default_window: tuple[float, str] | None,
    file: str,
    lines: Mapping[tuple, int],
    keys: tuple,
    chk: Checker,
) -> Record | None:
    where = f"evidence.{study}.{outcome}"
    k = (*keys, outcome)
    if not (isinstance(outcome, str) and NAME.match(outcome)):
        chk.add(k, "an outcome's name is lower_case_with_underscores", where)
        return None
    if not isinstance(raw, Mapping):
        chk.add(k, "a record is a mapping with measure, effect and se or interval", where)
        return None
    before = len(chk.problems)
    for key in raw:
        if key not in RECORD_KEYS:
            chk.add(
                (*k, key), f"unknown key {key!r} (allowed: {', '.join(sorted(RECORD_KEYS))})", where
            )
    measure = raw.get("measure")
    if not isinstance(measure, str) or not measure.strip():
        chk.add(k, "say what was measured ('measure')", where)
    effect = raw.get("effect")
    if isinstance(effect, bool) or not isinstance(effect, (int, float)) or not -1 < effect < 1:
        chk.add((*k, "effect"), f"effect is a relative reduction in (-1, 1), got {effect!r}", where)
    se = _spread(raw, effect, (*k,), chk, where)
    n = _count(raw.get("n"), (*k, "n"), chk, where)
    window = (
        _window(raw.get("window"), (*k, "window"), chk, where, required=False) or default_window
    )
    if window is None:
        chk.add(k, "no window: give one for the study or the record", where)
    if len(chk.problems) > before or se is None or window is None:
        return None
    return Record(
        study=study,
        outcome=outcome,
        measure=str(measure).strip(),
        effect=float(effect),  # type: ignore[arg-type]
        se=se,
        n=n,
        window_months=window[0],
        window_from=window[1],
        file=file,
        line=lines.get(k),
    )


def _spread(raw: Mapping, effect: object, k: tuple, chk: Checker, where: str) -> float | None:
    """The standard error: given, or from a 95% interval (its width over 2 × 1.96)."""
    has_se, has_ci = "se" in raw, "interval" in raw
    if has_se == has_ci:
        chk.add(k, "give exactly one of 'se' or 'interval' (a 95% interval [low, high])", where)
        return None
    if has_se:
        se = raw["se"]
        if isinstance(se, bool) or not isinstance(se, (int, float)) or not 0 < se < 2:
            chk.add((*k, "se"), f"se must be a number in (0, 2), got {se!r}", where)
            return None
        return float(se)
    ci = raw["interval"]
    ok = (
        isinstance(ci, list)
        and len(ci) == 2
        and all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in ci)
        and ci[0] < ci[1]
    )
    if not ok:
        chk.add((*k, "interval"), "interval is [low, high] with low < high", where)
        return None
    if isinstance(effect, (int, float)) and not ci[0] <= effect <= ci[1]:
        chk.add((*k, "interval"), f"the effect {effect:g} lies outside its interval", where)
        return None
    return (ci[1] - ci[0]) / (2 * 1.959963984540054)


def read_evidence_file(file: str | Path) -> tuple[Study | None, list[Problem]]:
    """Read one study file (``description`` and ``study``); its id is the file's name."""
    file = Path(file)
    name = str(file)
    try:
        data, lines = read_yaml(file, read_text(file))
    except ParameterError as exc:
        return None, list(exc.problems)
    chk = Checker(name, lines)
    study_id = file.stem
    if not NAME.match(study_id):
        chk.add(
            (), "a study file is named lower_case_with_underscores.yaml", f"evidence.{study_id}"
        )
        return None, chk.problems
    if not isinstance(data, Mapping):
        chk.add((), "a study file is a mapping with 'description' and 'study'", "")
        return None, chk.problems
    for key in data:
        if key not in FILE_KEYS:
            chk.add((key,), f"unknown top-level key {key!r} (allowed: description, study)", "")
    if not isinstance(data.get("description"), str):
        chk.add((), "the file needs a 'description' saying what it holds", "")
    if chk.problems:
        return None, chk.problems
    return read_study(data.get("study"), study_id, name, lines, ("study",))


def evidence_files(root: Path, area: str | None) -> list[Path]:
    """The national study files and, with ``area``, that area's ``evidence/`` folder's."""
    out = sorted((root / EVIDENCE_FOLDER).glob("*.yaml"))
    if area is not None:
        out += sorted((root / "areas" / area / EVIDENCE_FOLDER).glob("*.yaml"))
    return out


# --------------------------------------------------------------------------- pooling


@dataclass(frozen=True)
class Pooled:
    """An outcome's records pooled with a random-effects meta-analysis."""

    outcome: str
    records: tuple[Record, ...]
    mean: float
    se: float  # standard error of the pooled mean
    tau2: float  # between-study variance (DerSimonian–Laird)
    weights: tuple[float, ...]  # relative random-effects weight of each record (sum 1)
    window_years: float

    @property
    def predictive_sd(self) -> float:
        """Spread of the effect in a new setting: √(se² + τ²)."""
        return math.sqrt(self.se**2 + self.tau2)

    def study_weights(self) -> dict[str, float]:
        out: dict[str, float] = {}
        for r, w in zip(self.records, self.weights, strict=True):
            out[r.study] = out.get(r.study, 0.0) + w
        return out


def pool(records: Iterable[Record]) -> Pooled:
    """Random-effects pool (DerSimonian–Laird) of one outcome's records.

    Uses statsmodels' ``combine_effects``; one record is its own pool (τ² = 0).
    """
    recs = tuple(records)
    if not recs:
        raise ValueError("nothing to pool")
    y = np.array([r.effect for r in recs])
    v = np.array([r.se for r in recs]) ** 2
    if len(recs) == 1:
        mean, se, tau2, w = float(y[0]), float(math.sqrt(v[0])), 0.0, np.ones(1)
    else:
        from statsmodels.stats.meta_analysis import combine_effects

        res = combine_effects(y, v, method_re="chi2")  # chi2: DerSimonian–Laird's τ²
        mean, se, tau2 = float(res.mean_effect_re), float(res.sd_eff_w_re), float(res.tau2)
        w = np.asarray(res.weights_re, float)
        w = w / w.sum()
    window = float(sum(wi * r.window_years for wi, r in zip(w, recs, strict=True)))
    return Pooled(recs[0].outcome, recs, mean, se, tau2, tuple(float(x) for x in w), window)


def chosen_records(studies: Iterable[Study], outcome: str) -> list[Record]:
    """The records an outcome's effect is pooled from: those with a counterfactual
    design if there are any, else the before-and-after ones and expert assumptions."""
    records = [(s, r) for s in studies for r in s.records if r.outcome == outcome]
    strong = [r for s, r in records if s.counterfactual]
    return strong or [r for _, r in records]


# --------------------------------------------------------------------------- parameters

UNIT = "relative_reduction"


def selected_studies(params: Mapping[str, Parameter], studies: Mapping[str, Study]) -> list[Study]:
    """The studies ``savings.evidence.studies`` names (an unknown name is refused)."""
    if STUDIES not in params:
        return []
    p = params[STUDIES]
    out = []
    for name, used in p.value.items():
        if not used:
            continue
        if name not in studies:
            known = ", ".join(sorted(studies)) or "none"
            raise ParameterError(
                Problem(p.file, p.path, f"unknown study {name!r} (known: {known})", p.line)
            )
        out.append(studies[name])
    return out


def outcomes_of(params: Mapping[str, Parameter]) -> list[str]:
    """Outcomes defined under ``savings.outcomes`` (each has an ``agencies`` table)."""
    head, tail = "savings.outcomes.", ".agencies"
    return [
        k[len(head) : -len(tail)]
        for k in params
        if k.startswith(head) and k.endswith(tail) and k.count(".") == 3
    ]


def derived_effects(
    params: Mapping[str, Parameter], studies: Mapping[str, Study], keep: Iterable[str] = ()
) -> dict[str, Parameter]:
    """The pooled ``effect``, ``evidence`` and ``window`` parameters of every outcome,
    from the studies ``savings.evidence.studies`` selects (paths in ``keep`` skipped)."""
    if STUDIES not in params:
        return {}
    chosen = selected_studies(params, studies)
    sel = params[STUDIES]
    keep = set(keep)
    out: dict[str, Parameter] = {}
    by_id = {s.id: s for s in chosen}
    for o in outcomes_of(params):
        head = f"savings.outcomes.{o}"
        records = chosen_records(chosen, o)
        if not records:
            params_ = _no_evidence(head, sel)
        else:
            params_ = _pooled_parameters(head, pool(records), by_id, sel)
        out.update({p.path: p for p in params_ if p.path not in keep})
    return out


def _no_evidence(head: str, sel: Parameter) -> list[Parameter]:
    common: dict[str, Any] = dict(status="derived", confidence="low", file=sel.file, line=sel.line)
    note = (
        "None of the studies in savings.evidence.studies measured this outcome, so the "
        "programme is given no effect on it."
    )
    src = Source(title="costmodel: no evidence record among the studies used")
    return [
        Parameter(
            path=f"{head}.effect",
            description="Relative reduction in the outcome for families supported (none).",
            value=0.0,
            unit=UNIT,
            source=src,
            method=note,
            **common,
        ),
        Parameter(
            path=f"{head}.evidence",
            description="Studies the effect is pooled from, with their share of the weight.",
            value=MappingProxyType({}),
            unit="proportion",
            source=src,
            method=note,
            **common,
        ),
        Parameter(
            path=f"{head}.window",
            description="Years over which the evidence measured the effect.",
            value=0.0,
            unit="year",
            source=src,
            method=note,
            **common,
        ),
    ]


def _pooled_parameters(
    head: str, pooled: Pooled, studies: Mapping[str, Study], sel: Parameter
) -> list[Parameter]:
    used = [studies[s] for s in pooled.study_weights()]
    best = min(DESIGNS.index(s.design) for s in used)
    confidence = ("high", "medium", "low", "low", "medium")[best]
    first = used[0]
    k = len(pooled.records)
    listing = "; ".join(
        f"{r.study} ({studies[r.study].design.replace('_', ' ')}, {r.measure}: "
        f"{r.effect:+.3f} ± {r.se:.3f}, {r.window_months:g} months from "
        f"{r.window_from.replace('_', ' ')}, weight {w:.2f})"
        for r, w in zip(pooled.records, pooled.weights, strict=True)
    )
    method = (
        f"Random-effects pool (DerSimonian–Laird) of {k} record{'s' if k > 1 else ''}: "
        f"{listing}. Pooled {pooled.mean:.3f} (se {pooled.se:.3f}, τ² {pooled.tau2:.4f}); "
        "drawn from a normal with the predictive spread √(se² + τ²)."
    )
    source = (
        first.source
        if len(used) == 1
        else Source(
            title="Pooled from: " + "; ".join(s.source.title for s in used),
            note="costmodel random-effects pool; each study's own source is in its evidence file",
        )
    )
    common: dict[str, Any] = dict(
        status="derived",
        confidence=confidence,
        file=first.file or sel.file,
        line=first.line,
        source=source,
        method=method,
    )
    spread = max(pooled.predictive_sd, 1e-6)
    return [
        Parameter(
            path=f"{head}.effect",
            description="Relative reduction in the outcome for families supported (pooled).",
            value=round(pooled.mean, 6),
            unit=UNIT,
            distribution=Distribution("normal", MappingProxyType({"sd": spread})),
            **common,
        ),
        Parameter(
            path=f"{head}.evidence",
            description="Studies the effect is pooled from, with their share of the weight.",
            value=MappingProxyType({s: round(w, 6) for s, w in pooled.study_weights().items()}),
            unit="proportion",
            **common,
        ),
        Parameter(
            path=f"{head}.window",
            description="Years after joining over which the evidence measured the effect.",
            value=round(pooled.window_years, 6),
            unit="year",
            **common,
        ),
    ]


def add_study(out: dict[str, Study], study: Study, problems: list[Problem]) -> None:
    """Add a study, refusing a second study of the same id."""
    if study.id in out:
        problems.append(
            Problem(
                study.file,
                f"evidence.{study.id}",
                f"study defined twice (also in {out[study.id].file})",
                study.line,
            )
        )
        return
    out[study.id] = study


def unknown_outcomes(studies: Mapping[str, Study], outcomes: Iterable[str]) -> list[Problem]:
    """Records naming an outcome the model does not define."""
    known = set(outcomes)
    return [
        Problem(
            r.file,
            f"evidence.{s.id}.{r.outcome}",
            f"unknown outcome (known: {', '.join(sorted(known))})",
            r.line,
        )
        for s in studies.values()
        for r in s.records
        if r.outcome not in known
    ]
