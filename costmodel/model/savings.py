"""What the team's work may save: a Green Book appraisal, vectorised over draws.

For each outcome (a child entering care, a youth conviction, ...) a family like those
helped has a yearly rate and a cost per occurrence; support reduces the rate by the
outcome's effect, in full for ``persistence.full_years`` after the family's support
ends and then falling by the drop-off each year. Families who dropped out, or were
reached only through advice, get a stated share of the effect.

Gross savings are the avoided costs. Net savings apply, outcome by outcome, deadweight
(only where the effect was not measured against a counterfactual: a comparison group or
a trial already nets out what would have happened anyway), attribution, displacement and
optimism bias at the rate for the evidence grade of the outcome's effect:
``net = gross × (1−dw·[no counterfactual])(1−att)(1−disp)(1−ob[grade])``. Costs are the
programmes' spend raised by the optimism bias for costs. Both are real terms at the
chosen price year and discounted with the Green Book schedule from the base year.
Every array has Monte Carlo draws on its first axis.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from ..greenbook.appraisal import (
    additionality,
    benefit_cost_ratio,
    net_present_value,
    optimism_bias_benefits,
    optimism_bias_costs,
    payback,
    ratio,
)
from ..greenbook.prices import deflators
from ..params.errors import ParameterError, Problem
from ..params.evidence import DESIGNS, NEEDS
from ..params.sampling import Correlated, sample
from .vocabulary import AGENCY_NAMES, ISSUE_NAMES, OUTSIDE_ESTIMATE

S = "savings"


def outcome_names(params: Mapping) -> list[str]:
    """Outcomes defined under ``savings.outcomes`` (each has an effect)."""
    head, tail = f"{S}.outcomes.", ".effect"
    return [
        k[len(head) : -len(tail)]
        for k in params
        if k.startswith(head) and k.endswith(tail) and k.count(".") == 3
    ]


def frequency_paths(params: Mapping, name: str) -> list[str]:
    """How often an outcome happens: its ``rate`` (new episodes a year), or its
    ``prevalence`` (the share of families in the state at a point in time), and its
    ``duration`` (years an episode lasts) if it has one."""
    head = f"{S}.outcomes.{name}"
    out = [f"{head}.{k}" for k in ("rate", "prevalence") if f"{head}.{k}" in params]
    if len(out) != 1:
        p = params[f"{head}.effect"]
        raise ParameterError(
            Problem(
                p.file,
                head,
                "an outcome needs a rate (episodes a year) or a prevalence and a duration, "
                "not both",
                p.line,
            )
        )
    if f"{head}.duration" in params:
        out.append(f"{head}.duration")
    elif out[0].endswith(".prevalence"):
        raise ParameterError(
            Problem(
                params[out[0]].file,
                f"{head}.duration",
                "a prevalence needs the episode's duration to give a yearly rate",
                params[out[0]].line,
            )
        )
    return out


def incidence_from_prevalence(prevalence: Any, duration: Any) -> Any:
    """New episodes a year from the share in the state at a point in time and the mean
    length of an episode (steady state: prevalence = incidence × duration)."""
    return np.asarray(prevalence, dtype=float) / np.asarray(duration, dtype=float)


#: SavingsInputs fields shared by every draw (the rest have draws on their first axis).
SHARED_INPUTS = (
    "outcomes",
    "price_year",
    "agency_share",
    "issue",
    "cashable",
    "counterfactual",
    "grade",
    "evidence_class",
)
#: Values of an avoided episode beyond its fiscal cost, by perspective they add to.
VALUES = ("economic_value", "social_value")
#: Evidence grades (a parameter's confidence), each with its optimism bias for benefits.
GRADES = ("high", "medium", "low")


@dataclass(frozen=True)
class SavingsInputs:
    """Savings parameters resolved to arrays: draws × outcomes (money in ``price_year``)."""

    outcomes: tuple[str, ...]
    price_year: str
    rate: np.ndarray  # (D, O) new episodes per family per year
    cost: np.ndarray  # (D, O) £ per episode, or per year of an episode with a duration
    effect: np.ndarray  # (D, O) relative reduction
    agency_share: np.ndarray  # (O, A)
    issue: tuple[str, ...]  # issue of each outcome
    #: (D, O) years the effect holds in full (the window its evidence measured), or (D,)
    full_years: np.ndarray
    drop_off: np.ndarray
    dropout_effect: np.ndarray
    indirect_effect: np.ndarray
    light_touch_effect: np.ndarray
    deadweight: np.ndarray
    attribution: np.ndarray
    displacement: np.ndarray
    ob_costs: np.ndarray  # (D,) upward share on costs
    ob_high: np.ndarray  # (D,) share off benefits, by evidence grade
    ob_medium: np.ndarray
    ob_low: np.ndarray
    cashable: np.ndarray  # (A,)
    #: (D, O) years an episode lasts, its cost spread over them; 0 books it in its year.
    duration: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    #: (D, O) value of an episode avoided beyond its fiscal cost: economic (e.g. output
    #: lost) and social (wellbeing), real terms; zero where not valued.
    economic_value: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    social_value: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    #: (O,) True where the effect was measured for the programme appraised against its
    #: own counterfactual (deadweight and attribution are not taken off it).
    counterfactual: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    #: (O,) index into GRADES of each outcome's effect.
    grade: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))
    #: (O,) the kind of evidence each effect rests on (one of
    #: :data:`costmodel.params.evidence.CLASSES`: own, transferred, assumed).
    evidence_class: tuple[str, ...] = ()

    @property
    def draws(self) -> int:
        return self.rate.shape[0]

    def rows(self, start: int, stop: int) -> SavingsInputs:
        """The inputs of draws ``start`` to ``stop`` (per-draw arrays sliced)."""
        return replace(
            self,
            **{k: v[start:stop] for k, v in vars(self).items() if k not in SHARED_INPUTS},
        )

    @staticmethod
    def join(parts: Sequence[SavingsInputs]) -> SavingsInputs:
        """Inputs of consecutive groups of draws, joined."""
        first = parts[0]
        if len(parts) == 1:
            return first
        joined: dict[str, Any] = {
            k: np.concatenate([getattr(p, k) for p in parts])
            for k in vars(first)
            if k not in SHARED_INPUTS
        }
        return replace(first, **joined)

    def episode_cost(self) -> np.ndarray:
        """The whole cost of one episode (D, O): a yearly cost times its duration."""
        if not self.duration.size:
            return self.cost
        return self.cost * np.where(self.duration > 0, self.duration, 1.0)

    def benefit_optimism_bias(self) -> np.ndarray:
        """Optimism bias off each outcome's savings, by draw: (D, O), from its grade."""
        by_grade = np.column_stack([self.ob_high, self.ob_medium, self.ob_low])
        return by_grade[:, self.grade]

    def additionality(self) -> np.ndarray:
        """The factor from gross to net savings, by draw and outcome: (D, O).

        Deadweight and attribution off every effect except one measured for the
        programme appraised against its own counterfactual (its comparison group or
        control arm had what would have happened anyway, and the other services working
        with the families, so the measured effect is net of both); displacement
        everywhere; optimism bias by the grade of the outcome's effect.
        """
        no_cf = ~np.asarray(self.counterfactual, dtype=bool)
        deadweight = self.deadweight[:, None] * no_cf[None, :]
        attribution = self.attribution[:, None] * no_cf[None, :]
        factor = additionality(deadweight, attribution, self.displacement[:, None])
        return optimism_bias_benefits(factor, self.benefit_optimism_bias())


#: Scalar savings parameters, in the order they are drawn (after costs, effects, rates).
SCALARS = {
    "drop_off": "persistence.drop_off",
    "dropout_effect": "reach_effect.dropped_out",
    "indirect_effect": "reach_effect.indirect",
    "light_touch_effect": "reach_effect.light_touch",
    "deadweight": "additionality.deadweight",
    "attribution": "additionality.attribution",
    "displacement": "additionality.displacement",
    "ob_costs": "optimism_bias.costs",
    "ob_high": "optimism_bias.benefits_high",
    "ob_medium": "optimism_bias.benefits_medium",
    "ob_low": "optimism_bias.benefits_low",
}


#: Where the evidence adjustments live: a multiplier per design, the transfer factor,
#: and the need index of each population tier.
DESIGN = f"{S}.evidence.design"
TRANSFER = f"{S}.evidence.transfer"
NEED = f"{S}.population"


def evidence_paths(params: Mapping) -> list[str]:
    """The evidence adjustments the model draws (those the parameters define)."""
    out = [f"{DESIGN}.{d}" for d in DESIGNS] + [TRANSFER] + [f"{NEED}.{t}" for t in NEEDS]
    return [p for p in out if p in params]


def savings_paths(params: Mapping) -> list[str]:
    """The savings parameters the model draws, in drawing order."""
    names = outcome_names(params)
    # the cost side first, so scenarios that change only benefits keep the same costs
    costs = [f"{S}.{SCALARS['ob_costs']}"]
    return [
        *costs,
        *(f"{S}.outcomes.{o}.cost" for o in names),
        *(f"{S}.outcomes.{o}.effect" for o in names),
        *(p for o in names for p in frequency_paths(params, o)),
        *(f"{S}.{path}" for path in SCALARS.values() if f"{S}.{path}" not in costs),
        *(
            f"{S}.outcomes.{o}.{k}"
            for o in names
            for k in VALUES
            if f"{S}.outcomes.{o}.{k}" in params
        ),
        *evidence_paths(params),
    ]


def savings_correlations(params: Mapping) -> tuple[Correlated, ...]:
    """Effects drawn together (``savings.effect_correlation``), if the correlation is set."""
    rho_path = f"{S}.effect_correlation"
    if rho_path not in params or float(params[rho_path].value) <= 0:
        return ()
    names = outcome_names(params)
    return (
        Correlated(tuple(f"{S}.outcomes.{o}.effect" for o in names), float(params[rho_path].value)),
    )


def savings_inputs(
    params: Mapping,
    price_year: str,
    draws: int = 1,
    rng: np.random.Generator | None = None,
    values: pd.DataFrame | None = None,
    served: Served | None = None,
) -> SavingsInputs:
    """Resolve ``savings.*`` for ``draws`` draws (central values without ``rng``).

    ``values`` is a draws table (see :func:`costmodel.params.sampling.sample`) to read
    from instead of drawing; its number of rows sets the number of draws. ``served``
    says which programmes are appraised and the need tiers of the families they serve
    (:class:`Served`): an effect measured for one of them against its own
    counterfactual is its own; one measured elsewhere is transferred (times
    ``savings.evidence.transfer``); rates are scaled to the tiers served. Without it,
    every measured effect is transferred and rates stay as given.

    Each outcome's effect is its pooled effect (``savings.outcomes.<o>.effect``, derived
    from the evidence records) times the design multiplier of the studies pooled
    (weighted as pooled) and, where transferred, the transfer factor; it holds in full
    over the window the evidence measured (``.window``) and decays beyond.
    """
    served = served or Served()
    if values is None:
        values = sample(params, draws, rng, savings_paths(params), savings_correlations(params))
    defl = deflators(params)
    names = outcome_names(params)
    if not names:
        raise ParameterError(Problem("", f"{S}.outcomes", "no outcomes defined"))

    # the table's columns as arrays, read once (a column at a time costs more than the
    # rest of a deterministic appraisal)
    arrays: dict[str, np.ndarray] = {}
    if values.columns.is_unique and all(values.dtypes.map(lambda d: d.kind == "f")):
        arrays = dict(zip(values.columns, values.to_numpy(dtype=float).T, strict=True))

    def column(path: str) -> np.ndarray:
        if path in arrays:
            return np.ascontiguousarray(arrays[path])
        return values[path].to_numpy(dtype=float)

    def per_outcome(leaf: str) -> np.ndarray:
        return np.column_stack([column(f"{S}.outcomes.{o}.{leaf}") for o in names])

    cost = per_outcome("cost")
    for j, o in enumerate(names):
        p = params[f"{S}.outcomes.{o}.cost"]
        cost[:, j] = cost[:, j] * defl.factor(p.price_year, price_year)
    shares = np.zeros((len(names), len(AGENCY_NAMES)))
    issues = []
    for j, o in enumerate(names):
        p = params[f"{S}.outcomes.{o}.agencies"]
        for a, v in p.value.items():
            if a not in AGENCY_NAMES:
                raise ParameterError(Problem(p.file, p.path, f"unknown agency {a!r}"))
            shares[j, AGENCY_NAMES.index(a)] = v
        if abs(shares[j].sum() - 1) > 1e-6:
            raise ParameterError(
                Problem(
                    p.file,
                    p.path,
                    f"agency shares must add up to 1, they add up to {shares[j].sum():.4g}",
                )
            )
        i = params[f"{S}.outcomes.{o}.issue"]
        if len(i.value) != 1 or next(iter(i.value)) not in (*ISSUE_NAMES, OUTSIDE_ESTIMATE):
            raise ParameterError(
                Problem(
                    i.file,
                    i.path,
                    f"name exactly one EIF issue ({', '.join(ISSUE_NAMES)}) or {OUTSIDE_ESTIMATE}",
                )
            )
        issues.append(next(iter(i.value)))
    grade = [GRADES.index(params[f"{S}.outcomes.{o}.effect"].confidence) for o in names]
    classes = tuple(evidence_class(params, o, served.programmes) for o in names)
    cash = params[f"{S}.cashable.share"].value
    rate, duration = _frequencies(params, names, column, len(values))
    rate = rate * _population_factor(params, names, column, len(values), served.population)
    effect = per_outcome("effect") * _evidence_factor(params, names, column, len(values), classes)
    rate, effect = _exclusions(params, names, rate, effect)
    full_years = np.column_stack([np.full(len(values), _window(params, o)) for o in names])
    extra = {}
    for k in VALUES:
        arr = np.zeros((len(values), len(names)))
        for j, o in enumerate(names):
            path = f"{S}.outcomes.{o}.{k}"
            if path in params:
                arr[:, j] = column(path) * defl.factor(params[path].price_year, price_year)
        extra[k] = arr
    return SavingsInputs(
        outcomes=tuple(names),
        price_year=price_year,
        rate=rate,
        cost=cost,
        effect=effect,
        duration=duration,
        **extra,
        agency_share=shares,
        issue=tuple(issues),
        full_years=full_years,
        **{field: column(f"{S}.{path}") for field, path in SCALARS.items()},
        cashable=np.array([cash.get(a, 0.0) for a in AGENCY_NAMES]),
        counterfactual=np.array([c == "own" for c in classes], dtype=bool),
        grade=np.array(grade, dtype=int),
        evidence_class=classes,
    )


@dataclass(frozen=True)
class Served:
    """What an appraisal serves: the programmes appraised (their names: ``team`` or a
    cohort programme's) and the need tiers of their families (tier → share, from
    ``team.population`` or ``programmes.<name>.population``; empty: rates as given)."""

    programmes: tuple[str, ...] = ()
    population: Mapping[str, float] = field(default_factory=dict)


def evidence_class(params: Mapping, outcome: str, appraised: Sequence[str] = ()) -> str:
    """The kind of evidence an outcome's effect rests on: ``own`` (measured for a
    programme appraised, against its own counterfactual), ``transferred`` (measured
    against a counterfactual for another programme or population) or ``assumed``
    (expert assumption or before-and-after, or no evidence at all)."""
    path = f"{S}.outcomes.{outcome}.evidence"
    studies = getattr(params, "studies", {})
    used = [studies[s] for s in (params[path].value if path in params else {}) if s in studies]
    if not used or not all(s.counterfactual for s in used):
        return "assumed"
    return "own" if all(s.programme in appraised for s in used) else "transferred"


def _window(params: Mapping, outcome: str) -> float:
    path = f"{S}.outcomes.{outcome}.window"
    if path not in params:  # an effect given by hand, without evidence records
        raise ParameterError(
            Problem(
                params[f"{S}.outcomes.{outcome}.effect"].file,
                path,
                "missing: an effect needs the years its evidence measured it over "
                f"(derive it from evidence records with {S}.evidence.studies)",
            )
        )
    return float(params[path].value)


def _evidence_factor(
    params: Mapping,
    names: Sequence[str],
    column: Callable[[str], Any],
    draws: int,
    classes: Sequence[str],
) -> np.ndarray:
    """(D, O) multiplier on each pooled effect: the design multipliers of its studies,
    weighted as pooled, times the transfer factor where the effect is transferred."""
    out = np.ones((draws, len(names)))
    for j, o in enumerate(names):
        path = f"{S}.outcomes.{o}.evidence"
        out[:, j] = _design_multiplier(params, o, column)
        if classes[j] == "transferred":
            if TRANSFER not in params:
                raise ParameterError(
                    Problem(
                        params[path].file,
                        TRANSFER,
                        f"missing: the effect on {o} was measured for another programme "
                        "and needs a transfer factor",
                    )
                )
            out[:, j] *= column(TRANSFER)
    return out


def _design_multiplier(
    params: Mapping, outcome: str, column: Callable[[str], Any]
) -> np.ndarray | float:
    """The design multipliers of the studies an outcome's effect is pooled from,
    weighted as pooled (1 without evidence); ``column(path)`` gives a parameter's
    draws (or its central value)."""
    path = f"{S}.outcomes.{outcome}.evidence"
    weights = params[path].value if path in params else {}
    if not weights:
        return 1.0
    studies = getattr(params, "studies", {})
    design: np.ndarray | float = 0.0
    for study, w in weights.items():
        if study not in studies:
            p = params[path]
            raise ParameterError(Problem(p.file, p.path, f"unknown study {study!r}", p.line))
        d = f"{DESIGN}.{studies[study].design}"
        design = design + w * (column(d) if d in params else 1.0)
    return design / sum(weights.values())


def _population_factor(
    params: Mapping,
    names: Sequence[str],
    column: Callable[[str], Any],
    draws: int,
    served: Mapping[str, float],
) -> np.ndarray:
    """(D, O) multiplier on each outcome's rate: the need index of the tiers served
    over that of the tier the rate was given for (1 where either is not stated)."""
    out = np.ones((draws, len(names)))
    if not served:
        return out

    def index(mix: Mapping[str, float], where: Any) -> np.ndarray:
        total = np.zeros(draws)
        for tier, share in mix.items():
            path = f"{NEED}.{tier}"
            if path not in params:
                raise ParameterError(
                    Problem(
                        getattr(where, "file", ""),
                        getattr(where, "path", "population"),
                        f"unknown need tier {tier!r} (known: {', '.join(NEEDS)})",
                    )
                )
            value = column(path)
            if share and np.any(value <= 0):
                raise ParameterError(
                    Problem(params[path].file, path, "a need index must be above zero")
                )
            total += float(share) * value
        return total / max(sum(float(v) for v in mix.values()), 1e-12)

    to = index(served, served)
    for j, o in enumerate(names):
        path = f"{S}.outcomes.{o}.population"
        if path in params:
            out[:, j] = to / index(params[path].value, params[path])
    return out


def _frequencies(
    params: Mapping, names: Sequence[str], column: Callable[[str], Any], draws: int
) -> tuple[np.ndarray, np.ndarray]:
    """Yearly rates (D, O), from a rate or from a prevalence and duration, and durations."""
    rate = np.zeros((draws, len(names)))
    duration = np.zeros((draws, len(names)))
    for j, o in enumerate(names):
        paths = frequency_paths(params, o)
        if paths[-1].endswith(".duration"):
            duration[:, j] = column(paths[-1])
            if paths[0].endswith(".prevalence") and np.any(duration[:, j] <= 0):
                d = params[paths[-1]]
                raise ParameterError(
                    Problem(d.file, d.path, "an episode's duration must be above zero", d.line)
                )
        if paths[0].endswith(".prevalence"):
            rate[:, j] = incidence_from_prevalence(column(paths[0]), duration[:, j])
        else:
            rate[:, j] = column(paths[0])
    return rate, duration


def _exclusions(
    params: Mapping, names: Sequence[str], rate: np.ndarray, effect: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Outcomes counted net of another they contain (``excludes``: a table naming it).

    A youth conviction that ends in custody is counted as custody, not twice: the
    conviction outcome keeps the episodes and the avoided episodes left after the
    custody outcome's (``rate − rate_x`` and ``(rate·effect − rate_x·effect_x) /
    (rate − rate_x)``, the effect kept within [0, 1]). Rates that put the contained
    outcome above its container on average are refused; a draw where they cross has no
    episodes of its own.
    """
    rate, effect = rate.copy(), effect.copy()
    for j, o in enumerate(names):
        path = f"{S}.outcomes.{o}.excludes"
        if path not in params:
            continue
        p = params[path]
        for other in (k for k, v in p.value.items() if v):
            if other not in names or other == o:
                raise ParameterError(
                    Problem(p.file, p.path, f"{other!r} is not another outcome", p.line)
                )
            i = names.index(other)
            left = rate[:, j] - rate[:, i]
            avoided = rate[:, j] * effect[:, j] - rate[:, i] * effect[:, i]
            # parameters that contradict the containment are refused; a rare Monte Carlo
            # draw where they cross leaves no episodes of this outcome's own
            if left.mean() <= 0:
                raise ParameterError(
                    Problem(
                        p.file,
                        p.path,
                        f"the rate of {o} must exceed the rate of {other}, which it contains",
                        p.line,
                    )
                )
            rate[:, j] = np.maximum(left, 0.0)
            with np.errstate(divide="ignore", invalid="ignore"):
                effect[:, j] = np.where(left > 0, np.clip(avoided / left, 0.0, 1.0), 0.0)
    return rate, effect


def persistence(full_years: np.ndarray, drop_off: np.ndarray, years: int) -> np.ndarray:
    """Share of the effect left in each year after support (draws × years).

    1 for the first ``full_years`` years, then ``(1 − drop_off)`` per year after:
    ``(1 − d) ** max(0, k + 1 − full_years)`` for year ``k = 0, 1, ...``.
    """
    k = np.arange(years)[None, :]
    lost = np.maximum(0.0, k + 1 - np.asarray(full_years)[:, None])
    return (1 - np.asarray(drop_off)[:, None]) ** lost


def cohort_weights(
    full_years: np.ndarray,
    drop_off: np.ndarray,
    families: np.ndarray,
    horizon: int,
    years_after_support: int | None = None,
    cohorts_per_year: int = 1,
) -> np.ndarray:
    """Full-effect family-years by draw and appraisal year: (D, horizon).

    ``families`` (D, periods) are effective families by the period (a year, or a
    quarter with ``cohorts_per_year=4``) their support ended: each period's families
    are a cohort. A cohort's effect holds from the period its support ends, in full for
    ``full_years`` years and then losing ``drop_off`` a year (counting whole years from
    its end), for ``years_after_support`` years (``None``: to the end of the horizon).
    A period's families count ``1 / cohorts_per_year`` of a year of effect per period.

    With ``full_years`` by draw and outcome (D, O), each outcome's effect holds for its
    own years and the result is (D, horizon, O).
    """
    per = int(cohorts_per_year)
    full = np.asarray(full_years, float)
    by_outcome = full.ndim == 2
    if by_outcome and (full == full[:1]).all():
        # windows fixed across draws: one set of weights for each distinct window
        windows, which = np.unique(full[0], return_inverse=True)
        shared = np.stack(
            [
                cohort_weights(
                    np.full(len(full), w),
                    drop_off,
                    families,
                    horizon,
                    years_after_support,
                    cohorts_per_year,
                )
                for w in windows
            ],
            axis=2,
        )
        return shared[:, :, np.ravel(which)]
    full = full if by_outcome else full[:, None]  # (D, O or 1)
    D = families.shape[0]
    periods = horizon * per
    years_since = (np.arange(periods) // per)[None, :, None]
    lost = np.maximum(0.0, years_since + 1 - full[:, None, :])
    keep = (1 - np.asarray(drop_off, float)[:, None, None]) ** lost  # (D, periods, O)
    if years_after_support is not None:
        keep[:, max(int(years_after_support), 0) * per :, :] = 0.0
    n = min(periods, families.shape[1])
    weight = np.zeros((D, periods, full.shape[1]))
    for t in range(n):
        weight[:, t:, :] += families[:, t : t + 1, None] * keep[:, : periods - t, :]
    out = weight.reshape(D, horizon, per, -1).sum(axis=2) / per
    return out if by_outcome else out[:, :, 0]


def avoided_episodes(
    inputs: SavingsInputs,
    families: np.ndarray,
    horizon: int,
    years_after_support: int | None = None,
    cohorts_per_year: int = 1,
) -> np.ndarray:
    """Episodes avoided by draw, year and outcome (D, horizon, O): effective families
    (by the year, or quarter, their support ended, each cohort followed for
    ``years_after_support`` years; see :func:`cohort_weights`) × rate × effect ×
    persistence."""
    weight = cohort_weights(
        inputs.full_years,
        inputs.drop_off,
        families,
        horizon,
        years_after_support,
        cohorts_per_year,
    )
    if weight.ndim == 2:
        weight = weight[:, :, None]
    return weight * (inputs.rate * inputs.effect)[:, None, :]


def savings_streams(
    inputs: SavingsInputs,
    families: np.ndarray,
    horizon: int,
    years_after_support: int | None = None,
    cohorts_per_year: int = 1,
) -> np.ndarray:
    """Gross savings by draw, year and outcome: (D, horizon, O).

    ``families`` (D, Y) are effective families (full-effect equivalents) whose support
    ended in programme year ``y`` (a cohort); each saves
    ``rate × cost × effect × persistence(k)`` in year ``y + k`` for
    ``k < years_after_support`` (every cohort is followed for the same number of years,
    counting the year (or quarter) its support ends; ``None`` follows each to the end of the
    horizon). With ``cohorts_per_year=4``, ``families`` are by quarter and each
    quarter's families are a cohort (:func:`cohort_weights`).
    """
    avoided = avoided_episodes(inputs, families, horizon, years_after_support, cohorts_per_year)
    return _costed(avoided, inputs)


def _costed(avoided: np.ndarray, inputs: SavingsInputs) -> np.ndarray:
    """Avoided episodes (D, years, O) in money: once in their year, or over their
    duration for outcomes that last."""
    if not inputs.duration.size:
        return avoided * inputs.cost[:, None, :]
    return _over_durations(avoided, inputs.cost, inputs.duration)


def _over_durations(avoided: np.ndarray, cost: np.ndarray, duration: np.ndarray) -> np.ndarray:
    """The cost of episodes avoided in each year, spread over the years they would have
    lasted: an episode of ``d`` years starting in year ``t`` costs ``cost`` a year in
    years ``t, t+1, ...``, the last year in proportion (``min(1, d − k)``). Outcomes
    without a duration (0) cost ``cost`` once, in their year."""
    H = avoided.shape[1]
    one_off = duration <= 0  # (D, O)
    out = np.where(one_off[:, None, :], avoided * cost[:, None, :], 0.0)
    longest = int(np.ceil(duration.max(initial=0.0)))
    for k in range(min(longest, H)):
        share = np.where(one_off, 0.0, np.clip(duration - k, 0.0, 1.0))  # (D, O)
        out[:, k:, :] += avoided[:, : H - k, :] * (cost * share)[:, None, :]
    return out


@dataclass(frozen=True)
class Appraisal:
    """Present values and indicators by draw (arrays of length ``draws``)."""

    price_year: str
    discount: str
    horizon: int
    outcomes: tuple[str, ...]
    costs: np.ndarray  # (D, years) real terms, undiscounted
    gross: np.ndarray  # (D, years, outcomes)
    net: np.ndarray  # (D, years, outcomes)
    net_by_agency: np.ndarray  # (D, years, agencies)
    cashable_by_agency: np.ndarray
    discount_factors: np.ndarray  # (years,)
    families: np.ndarray  # (D,) full-effect-equivalent families
    families_helped: np.ndarray  # (D,) families who started direct work
    checks: tuple[str, ...] = field(default=())
    income: np.ndarray | None = None  # (D, years) payments by results offsetting costs
    #: (D, years) net value of avoided episodes beyond their fiscal cost, by the
    #: perspective it adds to (None where no outcome is valued so).
    economic_net: np.ndarray | None = None
    social_net: np.ndarray | None = None
    #: (years,) discount factors for wellbeing (``social_net``, valued in QALYs): the
    #: Green Book's health rate; None: the same as every other stream's.
    health_discount_factors: np.ndarray | None = None
    #: Present values and indicators once worked out (an appraisal does not change):
    #: kept read-only, so that no caller changes another's.
    _kept: dict[str, np.ndarray] = field(
        default_factory=dict, init=False, repr=False, compare=False, hash=False
    )

    def _once(self, key: str, work: Callable[[], np.ndarray]) -> np.ndarray:
        """``work()``, worked out on the first call for ``key`` and kept (read-only)."""
        kept = self.__dict__.setdefault("_kept", {})  # (one pickled before it had one)
        if key not in kept:
            out = np.asarray(work())
            out.setflags(write=False)
            kept[key] = out
        return kept[key]

    @property
    def pv_social(self) -> np.ndarray:
        """PV of the wellbeing stream by draw, at the health discount rate."""
        if self.social_net is None:
            return np.zeros(len(self.costs))
        f = (
            self.discount_factors
            if self.health_discount_factors is None
            else self.health_discount_factors
        )
        return self.social_net @ f

    def pv(self, stream: np.ndarray) -> np.ndarray:
        """Present value over the years axis (axis 1)."""
        return (
            np.tensordot(stream, self.discount_factors, axes=([1], [0]))
            if stream.ndim > 2
            else stream @ self.discount_factors
        )

    @property
    def pv_costs(self) -> np.ndarray:
        return self._once("pv_costs", lambda: self.pv(self.costs))

    @property
    def pv_savings_gross(self) -> np.ndarray:
        return self._once("pv_savings_gross", lambda: self.pv(self.gross.sum(axis=2)))

    @property
    def pv_savings_net(self) -> np.ndarray:
        return self._once("pv_savings_net", lambda: self.pv(self.net.sum(axis=2)))

    @property
    def pv_income(self) -> np.ndarray:
        return np.zeros(len(self.costs)) if self.income is None else self.pv(self.income)

    @property
    def net_costs(self) -> np.ndarray:
        """Yearly costs less income (the outlay of those who receive the income)."""
        return self.costs if self.income is None else self.costs - self.income

    @property
    def npv(self) -> np.ndarray:
        """Fiscal NPV (the public sector as a whole): PV of net savings less PV of costs.

        Payment-by-results income is a transfer from central to local government, so
        it cancels here; it counts in the local partnership's and the funder's views
        (:meth:`costmodel.model.projection.Projection.perspectives`).
        """
        return self._once("npv", lambda: net_present_value(self.pv_savings_net, self.pv_costs))

    @property
    def bcr(self) -> np.ndarray:
        return self._once("bcr", lambda: benefit_cost_ratio(self.pv_savings_net, self.pv_costs))

    @property
    def roi(self) -> np.ndarray:
        return self._once("roi", lambda: ratio(self.npv, self.pv_costs))

    @property
    def payback_years(self) -> np.ndarray:
        """Years from the start until discounted net savings cover discounted costs.

        Amounts for year ``t`` are taken as accrued by its end (time ``t + 1``); the
        crossing is interpolated linearly within the year. NaN if not within the horizon.
        """
        return self._once(
            "payback_years",
            lambda: payback(
                self.costs * self.discount_factors, self.net.sum(axis=2) * self.discount_factors
            ),
        )

    @property
    def break_even_families(self) -> np.ndarray:
        """Families helped at which NPV = 0: PV costs ÷ PV net saving per family helped."""
        per_family = ratio(self.pv_savings_net, self.families_helped)
        return ratio(self.pv_costs, per_family)

    @property
    def break_even_effect_scale(self) -> np.ndarray:
        """Multiple of every effect at which NPV = 0 (NPV is linear in the effects)."""
        return ratio(self.pv_costs, self.pv_savings_net)

    def pv_by_agency(self, cashable: bool = False) -> np.ndarray:
        return self.pv(self.cashable_by_agency if cashable else self.net_by_agency)


def appraise(
    inputs: SavingsInputs,
    costs: np.ndarray,
    families: np.ndarray,
    discount_factors: np.ndarray,
    discount: str = "standard",
    checks: tuple[str, ...] = (),
    families_helped: np.ndarray | None = None,
    income: np.ndarray | None = None,
    years_after_support: int | None = None,
    cohorts_per_year: int = 1,
    estimated_years: np.ndarray | None = None,
    health_discount_factors: np.ndarray | None = None,
) -> Appraisal:
    """The appraisal from resolved inputs, yearly costs (D, Y) and effective families
    (D, periods) by the year their support ended, or by quarter with
    ``cohorts_per_year=4``.

    ``families_helped`` (D,) counts families for break-even; by default the effective ones.
    ``years_after_support`` follows every cohort for that many years (see
    :func:`savings_streams`). ``estimated_years`` (horizon,) is 1 for the years whose
    costs are still estimates and 0 for those already spent: optimism bias on costs is
    an ex-ante adjustment and raises only the former (default: every year).
    """
    horizon = len(discount_factors)
    ob = inputs.ob_costs[:, None]
    if estimated_years is not None:
        ob = ob * np.asarray(estimated_years, float)[None, :horizon]
    c = optimism_bias_costs(_fit_years(costs, inputs.draws, horizon), ob)
    avoided = avoided_episodes(inputs, families, horizon, years_after_support, cohorts_per_year)
    gross = _costed(avoided, inputs)
    factor = inputs.additionality()[:, None, :]
    net = gross * factor
    extra = {}
    for k in VALUES:
        value = getattr(inputs, k)
        extra[k.replace("_value", "_net")] = (
            (avoided * factor * value[:, None, :]).sum(axis=2)
            if value.size and value.any()
            else None
        )
    by_agency = net @ inputs.agency_share
    return Appraisal(
        price_year=inputs.price_year,
        discount=discount,
        horizon=horizon,
        outcomes=inputs.outcomes,
        costs=c,
        gross=gross,
        net=net,
        net_by_agency=by_agency,
        cashable_by_agency=by_agency * inputs.cashable[None, None, :],
        discount_factors=np.asarray(discount_factors, float),
        families=families.sum(axis=1),
        health_discount_factors=health_discount_factors,
        checks=checks,
        income=None if income is None else _fit_years(income, inputs.draws, horizon),
        families_helped=families.sum(axis=1)
        if families_helped is None
        else np.asarray(families_helped, float),
        **extra,
    )


def _fit_years(x: np.ndarray, draws: int, horizon: int) -> np.ndarray:
    """A (draws, years) array cut or padded with zeros to the horizon."""
    out = np.zeros((draws, horizon))
    x = np.broadcast_to(np.asarray(x, float), (draws, np.shape(x)[-1]))
    n = min(horizon, x.shape[1])
    out[:, :n] = x[:, :n]
    return out


def effective_families(
    completed: np.ndarray,
    dropped: np.ndarray,
    indirect: np.ndarray,
    inputs: SavingsInputs,
    light_touch: np.ndarray | None = None,
) -> np.ndarray:
    """Full-effect-equivalent families by year: completed + shares of the others."""
    out = (
        completed
        + dropped * inputs.dropout_effect[:, None]
        + indirect * inputs.indirect_effect[:, None]
    )
    if light_touch is not None:
        out = out + light_touch * inputs.light_touch_effect[:, None]
    return out


def issue_cap_check(
    inputs: SavingsInputs, families_per_year: float, county_by_issue: Mapping[str, float]
) -> tuple[str, ...]:
    """Messages where the helped families would cost more than the county spends on an issue.

    The yearly cost of the outcomes of ``families_per_year`` families (central
    values), grouped by issue, must not exceed the area's baseline for that issue.
    Outcomes outside EIF's estimate (:data:`OUTSIDE_ESTIMATE`) have no baseline to meet.
    """
    yearly = (inputs.rate * inputs.episode_cost())[0] * families_per_year
    out = []
    for issue in sorted(set(inputs.issue) - {OUTSIDE_ESTIMATE}):
        mask = np.array([i == issue for i in inputs.issue])
        cohort = float(yearly[mask].sum())
        county = float(county_by_issue[issue])
        if cohort > county:
            out.append(
                f"the helped families' {issue.replace('_', ' ')} costs "
                f"(£{cohort:,.0f} a year) exceed the county's £{county:,.0f}: the "
                "outcome rates or costs are too high for this many families"
            )
    return tuple(out)


def family_cost_reconciliation(params: Mapping, price_year: str) -> pd.DataFrame:
    """What a family like those helped costs a year in the model, against published figures.

    One row per outcome: its yearly rate without support, its cost per occurrence and
    their product, the yearly cost per family (central values, real terms at
    ``price_year``). Then ``modelled`` (the sum), ``published`` (reactive public spending
    a year per family with multiple problems, ``savings.published_family_cost``, rebased
    with the GDP deflator) and ``not_modelled`` (published less modelled): the share of
    such a family's cost to services that no outcome of the model covers. The published
    figure is for the most troubled families, so the gap is an upper bound.
    """
    inputs = savings_inputs(params, price_year)
    rate, cost = inputs.rate[0], inputs.episode_cost()[0]
    yearly = rate * cost
    out = pd.DataFrame(
        {"rate": rate, "cost_per_occurrence": cost, "yearly_cost_per_family": yearly},
        index=pd.Index(inputs.outcomes, name="item"),
    )
    ref = params[f"{S}.published_family_cost.per_troubled_family"]
    share = float(params[f"{S}.published_family_cost.reactive_share"].value)
    published = float(ref.value) * share * deflators(params).factor(ref.price_year, price_year)
    modelled = float(yearly.sum())
    totals = pd.DataFrame(
        {"yearly_cost_per_family": [modelled, published, published - modelled]},
        index=pd.Index(["modelled", "published", "not_modelled"], name="item"),
    )
    return pd.concat([out, totals])


def evidence_summary(params: Mapping, served: Served | None = None) -> dict[str, dict[str, Any]]:
    """What each outcome's effect rests on, for every output: its evidence class, the
    pooled effect (central value and spread), the design multiplier and transfer factor
    applied at central values, the window measured, and the records pooled."""
    served = served or Served()
    studies = getattr(params, "studies", {})
    out: dict[str, dict[str, Any]] = {}
    for o in outcome_names(params):
        head = f"{S}.outcomes.{o}"
        effect = params[f"{head}.effect"]
        weights = dict(params[f"{head}.evidence"].value) if f"{head}.evidence" in params else {}
        cls = evidence_class(params, o, served.programmes)
        design = _design_multiplier(params, o, lambda path: float(params[path].value))
        transfer = (
            float(params[TRANSFER].value) if cls == "transferred" and TRANSFER in params else 1.0
        )
        sd = effect.distribution.params.get("sd") if effect.distribution else None
        out[o] = {
            "evidence_class": cls,
            "pooled_effect": float(effect.value),
            "pooled_sd": None if sd is None else float(sd),
            "design_multiplier": float(design),
            "transfer_factor": transfer,
            "effect_applied": float(effect.value) * float(design) * transfer,
            "window_years": (
                float(params[f"{head}.window"].value) if f"{head}.window" in params else None
            ),
            "grade": effect.confidence,
            "status": effect.status,
            "records": [
                {
                    "study": r.study,
                    "design": studies[r.study].design,
                    "programme": studies[r.study].programme,
                    "population": studies[r.study].need,
                    "measure": r.measure,
                    "effect": r.effect,
                    "se": r.se,
                    "n": r.n,
                    "window_months": r.window_months,
                    "window_from": r.window_from,
                    "weight": float(weights.get(r.study, 0.0)),
                    "source": studies[r.study].citation(),
                }
                for s in weights
                if s in studies
                for r in studies[s].records
                if r.outcome == o
            ],
        }
    return out


#: The per-draw streams of an appraisal; they add up across programmes appraised together.
PER_DRAW = (
    "costs",
    "gross",
    "net",
    "net_by_agency",
    "cashable_by_agency",
    "families",
    "families_helped",
    "income",
    "economic_net",
    "social_net",
)


def combine_appraisals(parts: Sequence[Appraisal]) -> Appraisal:
    """Programmes appraised together: each stream the sum of theirs (``None`` where no
    part has it); every indicator follows from the sums."""
    if len(parts) == 1:
        return parts[0]

    def total(name: str) -> np.ndarray | None:
        arrays = [getattr(p, name) for p in parts]
        given = [a for a in arrays if a is not None]
        return None if not given else sum(given[1:], given[0].copy())

    sums: dict[str, Any] = {k: total(k) for k in PER_DRAW}
    return replace(parts[0], **sums)
