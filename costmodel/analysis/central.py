"""The central case taken apart: every component of the deterministic appraisal.

The headline's "NPV at central values" is a projection with one draw
(:func:`costmodel.model.projection.project` with ``draws=1``): every parameter at its
central value and the team simulation's mean families and spend. :func:`central_case`
runs it and returns what a reader needs to redo it by hand (the calculating workbook
does, in formulas): the model outputs that go in as typed figures (effective families
by cohort period, spend and income by year, the share of each year's costs still
estimated, each year's distance from the discount base and its share after the
decision), the per-outcome factors derived from the evidence, and the library's own
flows by year, outcome and agency, discount factors and perspectives to check against.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..greenbook.discounting import DiscountSchedule, discount_schedule
from ..greenbook.prices import deflators_from_params
from ..model.programme import programmes
from ..model.projection import Projection, project, served_by
from ..model.savings import (
    GRADES,
    S,
    cohort_weights,
    evidence_class,
    frequency_paths,
)
from ..model.timeline import timeline
from ..model.vocabulary import AGENCY_NAMES, QUARTERS_PER_YEAR
from ..params.scenarios import apply_scenario

__all__ = ["CentralCase", "central_case"]


@dataclass(frozen=True)
class CentralCase:
    """The deterministic appraisal of one scenario, component by component.

    ``families``: effective-family inputs by cohort period (quarters when
    ``per == 4``): completed, dropped, indirect, light touch. ``years``: by appraisal
    year, ``years_from_base``, ``after_decision`` (share of the year counted),
    ``estimated`` (share of its costs still an estimate), ``spend`` (costs before
    optimism bias) and ``income``. ``outcomes``: by outcome, the frequency parameter
    (``frequency_path``), ``duration``, ``design_multiplier``, ``transferred``,
    ``counterfactual``, ``grade``, ``population_factor`` and ``excludes`` (the outcome it
    is counted net of, or ""). The rest are the library's results: ``family_years``,
    ``avoided``, ``gross`` and ``net`` (year × outcome), ``net_by_agency`` and
    ``cashable_by_agency`` (year × agency), ``streams`` (year: costs, income,
    economic and social values, discount factors) and ``perspectives``.
    """

    projection: Projection = field(repr=False)
    params: Any = field(repr=False)
    discount: str
    per: int
    years_after_support: int | None
    schedules: Mapping[str, DiscountSchedule]
    deflator_years: Mapping[str, float]
    families: pd.DataFrame
    years: pd.DataFrame
    outcomes: pd.DataFrame
    family_years: pd.DataFrame
    avoided: pd.DataFrame
    gross: pd.DataFrame
    net: pd.DataFrame
    net_by_agency: pd.DataFrame
    cashable_by_agency: pd.DataFrame
    streams: pd.DataFrame
    perspectives: pd.DataFrame

    @property
    def programme_count(self) -> int:
        return len(self.projection.programmes)

    @property
    def npv(self) -> float:
        return float(self.projection.appraisal.npv[0])


def _years_between(later: dt.date, earlier: dt.date) -> int:
    return int(round((later - earlier).days / 365.25))


def central_case(
    params: Any,
    scenario: Any = None,
    *,
    horizon: int | None = None,
    price_year: str | None = None,
    discount: str = "standard",
    years_after_support: int | None = None,
    base_date: dt.date | None = None,
    decision_date: dt.date | None = None,
    as_of: dt.date | None = None,
) -> CentralCase:
    """The central case of ``scenario`` on the settings given (those of the projection
    whose central NPV it reproduces: see :func:`costmodel.model.projection.project`)."""
    params = apply_scenario(params, scenario)
    settings: dict[str, Any] = dict(
        horizon=horizon,
        price_year=price_year,
        discount=discount,
        years_after_support=years_after_support,
        base_date=base_date,
        decision_date=decision_date,
        as_of=as_of,
    )
    proj = project(params, draws=1, check_area=False, **settings)
    a = proj.appraisal
    H, py = a.horizon, a.price_year
    included = programmes(params)
    line = timeline(
        params,
        included,
        horizon=H,
        years_after_support=proj.years_after_support,
        discount=discount,
        base_date=base_date if base_date is not None else dt.date.fromisoformat(proj.base_date),
        decision_date=decision_date,
        as_of=as_of,
    )
    flows = proj.programmes
    per = QUARTERS_PER_YEAR if flows and all(f.quarterly for f in flows) else 1
    kinds = ("completed", "dropped", "indirect", "light_touch")
    fam = np.zeros((len(kinds), H * per))
    spend, income, estimated = np.zeros(H), np.zeros(H), line.future[:H].copy()
    for f, shift in zip(flows, line.shifts, strict=True):
        for k, arr in enumerate(f.family_flows(per > 1)):
            row = np.asarray(arr, float)[0]
            s = shift * per
            n = max(0, min(len(row), H * per - s))
            fam[k, s : s + n] += row[:n]
        n = max(0, min(f.costs.shape[1], H - shift))
        spend[shift : shift + n] += f.costs[0, :n]
        if f.income is not None:
            income[shift : shift + n] += f.income[0, :n]
        if f.actual is not None:
            known = np.zeros(max(H, shift + len(f.actual)))
            known[shift : shift + len(f.actual)] = f.actual
            estimated = estimated * (1.0 - known[:H])
    start, base = line.start, line.base
    offset = _years_between(start, base) if start >= base else -_years_between(base, start)
    year_index = pd.RangeIndex(1, H + 1, name="year")
    years = pd.DataFrame(
        {
            "years_from_base": np.arange(H) + offset,
            "after_decision": line.ahead[:H],
            "estimated": estimated,
            "spend": spend,
            "income": income,
        },
        index=year_index,
    )
    families = pd.DataFrame(fam.T, columns=list(kinds), index=pd.RangeIndex(1, H * per + 1))
    families.index.name = "period"

    served = served_by(params, included[:1]) if included else None
    inputs = proj.inputs
    names = list(inputs.outcomes)
    defl = deflators_from_params(params)
    rows = []
    for j, o in enumerate(names):
        head = f"{S}.outcomes.{o}"
        ev = proj.evidence.get(o, {})
        cls = evidence_class(params, o, served.programmes if served else ())
        paths = frequency_paths(params, o)
        excl = params[f"{head}.excludes"].value if f"{head}.excludes" in params else {}
        rows.append(
            {
                "frequency_path": paths[0],
                "duration": float(inputs.duration[0, j]) if inputs.duration.size else 0.0,
                "design_multiplier": float(ev.get("design_multiplier", 1.0)),
                "transferred": cls == "transferred",
                "counterfactual": bool(inputs.counterfactual[j]),
                "grade": GRADES[int(inputs.grade[j])],
                "population_factor": _scale(params, served, j),
                "excludes": next((k for k, v in excl.items() if v), ""),
            }
        )
    outcomes = pd.DataFrame(rows, index=pd.Index(names, name="outcome"))
    used = {py} | {
        str(params[f"{S}.outcomes.{o}.{leaf}"].price_year)
        for o in names
        for leaf in ("cost", "economic_value", "social_value")
        if f"{S}.outcomes.{o}.{leaf}" in params
    }
    deflator_years = {y: defl.level(y) for y in sorted(used)}

    weights = cohort_weights(
        inputs.full_years,
        inputs.drop_off,
        (fam[0] + fam[1] * inputs.dropout_effect[0] + fam[2] * inputs.indirect_effect[0])[None]
        + (fam[3] * inputs.light_touch_effect[0])[None],
        H,
        proj.years_after_support,
        per,
    )
    if weights.ndim == 2:
        weights = np.repeat(weights[:, :, None], len(names), axis=2)

    def by_outcome(x: np.ndarray) -> pd.DataFrame:
        return pd.DataFrame(x, index=year_index, columns=pd.Index(names, name="outcome"))

    def by_agency(x: np.ndarray) -> pd.DataFrame:
        return pd.DataFrame(x, index=year_index, columns=pd.Index(AGENCY_NAMES, name="agency"))

    zeros = np.zeros(H)
    streams = pd.DataFrame(
        {
            "costs": a.costs[0],
            "income": zeros if a.income is None else a.income[0],
            "economic_net": zeros if a.economic_net is None else a.economic_net[0],
            "social_net": zeros if a.social_net is None else a.social_net[0],
            "discount_factor": a.discount_factors,
            "health_discount_factor": a.discount_factors
            if a.health_discount_factors is None
            else a.health_discount_factors,
        },
        index=year_index,
    )
    return CentralCase(
        projection=proj,
        params=params,
        discount=discount,
        per=per,
        years_after_support=proj.years_after_support,
        schedules={
            "standard": discount_schedule(params, discount),
            "health": discount_schedule(params, "health"),
        },
        deflator_years=deflator_years,
        families=families,
        years=years,
        outcomes=outcomes,
        family_years=by_outcome(weights[0]),
        avoided=by_outcome(weights[0] * (inputs.rate * inputs.effect)[0][None, :]),
        gross=by_outcome(a.gross[0]),
        net=by_outcome(a.net[0]),
        net_by_agency=by_agency(a.net_by_agency[0]),
        cashable_by_agency=by_agency(a.cashable_by_agency[0]),
        streams=streams,
        perspectives=proj.perspectives(),
    )


def _scale(params: Any, served: Any, j: int) -> float:
    """The need-tier factor on outcome ``j``'s rate (before any exclusion)."""
    from ..model.savings import _population_factor, outcome_names

    if served is None or not served.population:
        return 1.0
    names = outcome_names(params)

    def column(path: str) -> np.ndarray:
        return np.array([float(params[path].value)])

    return float(_population_factor(params, names, column, 1, served.population)[0, j])
