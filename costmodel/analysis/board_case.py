"""The board's case: the recommendation the numbers support, the ask, and its register.

From a decision's options appraised against their counterfactual
(:class:`costmodel.model.decision.OptionsAppraisal`) and the board's case as data
(:class:`costmodel.params.decisions.DecisionCase`), :func:`board_case` gives:

* **the options, ranked** on the perspective the case names (the Green Book's social
  value by default), each with its incremental NPV (mean and 90% range), the chance it
  does better than the counterfactual, and the fiscal and local (cashable) views that
  test affordability;
* **the recommendation**: the option with the largest positive expected incremental NPV
  on that perspective, or none (the counterfactual) when no option's is positive;
* **the ask** for the recommended option: its cash budget, years and start, each
  agency's share of the cost (from :meth:`OptionsAppraisal.cost_sharing` on the case's
  basis: cashable or total savings, or cashable savings of the local partnership's
  agencies alone, so that central government is asked for nothing) and the break clause
  at the decision gate, with the funding the clause can release (the budget spread
  evenly over the programme's days: an approximation, said so in
  :attr:`BoardCase.ask_basis`);
* **the risk register**: the parameters whose switching values lie nearest their
  central values, with the chance of crossing (from each parameter's distribution), the
  swing in NPV across its 90% range, and the topic's owner and mitigation.

Everything is computed here; the paper and the workbook only format it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize

from ..greenbook.prices import add_years
from ..model.decision import OptionsAppraisal, share_cost
from ..model.projection import DeterministicOutcome
from ..params.decisions import DecisionCase, DecisionSpec
from ..params.distributions import quantile
from ..params.errors import ParameterError, Problem
from ..params.schema import Parameter
from ..params.store import ParameterSet

__all__ = ["BoardCase", "IncrementalOutcome", "board_case", "chance_beyond"]


@dataclass(frozen=True)
class BoardCase:
    """The recommendation, the ask and the register for a decision (see the module).

    Money is in the appraisal's price basis and discounted to its base (PVs), except
    the ask, which is cash as budgeted (``ask_basis`` says so)."""

    decision: str
    question: str
    ranked_by: str
    ranked_by_rationale: str
    #: Options (rows, best first on ``ranked_by``): ``npv``, ``npv_p5``, ``npv_p95``,
    #: ``p_better`` on the ranking perspective; ``npv_fiscal``, ``bcr_fiscal``,
    #: ``local_cashable``, ``pv_costs``, ``payback_years``.
    options: pd.DataFrame = field(repr=False)
    #: The recommended option, or ``None``: no option beats the counterfactual.
    recommended: str | None
    counterfactual: str
    #: The ask: ``amount`` (cash), ``years``, ``start``, ``gate`` (date of the break),
    #: ``released`` (cash the break clause can release), per agency ``share`` and
    #: ``pays`` (cash) in :attr:`shares`; empty when nothing is recommended.
    ask: Mapping[str, Any] = field(repr=False)
    shares: pd.DataFrame = field(repr=False)
    ask_basis: str
    #: Risks: ``parameter``, ``central``, ``switching``, ``change``, ``likelihood``,
    #: ``swing``, ``topic``, ``owner``, ``mitigation``.
    risks: pd.DataFrame = field(repr=False)
    case: DecisionCase = field(repr=False)
    #: The option the register's switching values are for (the best-ranked).
    risk_option: str
    price_basis: str
    discount_base: str


class IncrementalOutcome:
    """An option's deterministic NPV less its counterfactual's on one perspective, as a
    function of the option's parameters (a model for :mod:`costmodel.analysis.
    sensitivity`). A value changed in the option's parameters is changed in the
    counterfactual's too (the same world with or without the option), unless the
    counterfactual's scenario sets that parameter itself."""

    def __init__(
        self,
        params: ParameterSet,
        option: str,
        counterfactual: str,
        view: str,
        runs: int = 200,
        **project_kwargs: Any,
    ) -> None:
        self.option = DeterministicOutcome(params, option, runs=runs, **project_kwargs)
        self.counterfactual = DeterministicOutcome(
            params, counterfactual, runs=runs, **project_kwargs
        )
        self.view = view
        self.params = self.option.params
        self.paths = self.option.paths

    def _npv(self, outcome: DeterministicOutcome, params: ParameterSet) -> float:
        benefits, costs = outcome.projection(params).perspective_draws(self.view)
        return float(benefits[0] - costs[0])

    def __call__(self, params: ParameterSet) -> float:
        base, other = self.params, self.counterfactual.params
        changed = {
            k: {"value": v.value, "distribution": None}
            for k, v in params.items()
            if base.get(k) is not v and k in other and other[k] is base.get(k, other[k])
        }
        twin = other.with_values(changed) if changed else other
        return self._npv(self.option, params) - self._npv(self.counterfactual, twin)


def chance_beyond(param: Parameter, value: float, lower: bool) -> float:
    """The chance, under a parameter's distribution, that it is below ``value``
    (``lower``) or above it: the probability its switching value is crossed. NaN for a
    parameter without a distribution (a fixed value cannot move)."""
    if param.distribution is None or param.is_table:
        return float("nan")
    lo, hi = 1e-12, 1 - 1e-12
    q_lo, q_hi = float(quantile(param, lo)), float(quantile(param, hi))
    if value <= q_lo:
        below = 0.0
    elif value >= q_hi:
        below = 1.0
    else:
        below = float(optimize.brentq(lambda q: float(quantile(param, q)) - value, lo, hi))
    return below if lower else 1.0 - below


def _ranked(appraisal: OptionsAppraisal, view: str) -> pd.DataFrame:
    inc = appraisal.incremental()
    persp = appraisal.perspectives()
    b = appraisal.projections[appraisal.counterfactual]
    rows = {}
    for name in appraisal.options:
        a = appraisal.projections[name]
        n = min(a.stored, b.stored)
        (ba, ca), (bb, cb) = a.perspective_draws(view), b.perspective_draws(view)
        diff = (ba[:n] - ca[:n]) - (bb[:n] - cb[:n])
        rows[name] = {
            "npv": float(persp.loc[(name, view), "npv"]),
            "npv_p5": float(np.percentile(diff, 5)),
            "npv_p95": float(np.percentile(diff, 95)),
            "p_better": float((diff > 0).mean()),
            "bcr": float(persp.loc[(name, view), "bcr"]),
            "npv_fiscal": float(inc.loc[name, "npv"]),
            "bcr_fiscal": float(inc.loc[name, "bcr"]),
            "p_better_fiscal": float(inc.loc[name, "p_better"]),
            "local_cashable": float(appraisal.funder_views(name).attrs["local_cashable"]),
            "pv_costs": float(inc.loc[name, "pv_costs"]),
            "payback_years": float(inc.loc[name, "payback_years"]),
        }
    out = pd.DataFrame.from_dict(rows, orient="index").rename_axis("option")
    return out.sort_values("npv", ascending=False, kind="stable")


def _ask(
    appraisal: OptionsAppraisal, option: str, params: ParameterSet, case: DecisionCase
) -> tuple[dict[str, object], pd.DataFrame]:
    from ..params.scenarios import apply_scenario

    p = apply_scenario(params, option)
    budget, start, years = (
        p["team.budget.total"],
        p["team.programme.start_date"],
        int(p["team.programme.duration"].value),
    )
    amount = float(budget.value)
    begin = start.value
    end = add_years(begin, years)
    gate = add_years(begin, case.gate_after_years)
    released = amount * max((end - gate).days, 0) / (end - begin).days
    sharing = appraisal.cost_sharing(option)
    if case.cost_sharing == "local_cashable":  # central government asked for nothing
        local = pd.Series(appraisal.local, dtype=float).reindex(sharing.index).fillna(1.0)
        benefits = sharing["benefits_cashable"] * local
        share = share_cost(1.0, benefits).fillna(0.0)
    else:
        benefits = sharing[f"benefits_{case.cost_sharing}"]
        share = sharing[f"share_{case.cost_sharing}"].fillna(0.0)
    shares = pd.DataFrame({"share": share, "pays": share * amount, "benefits": benefits})
    ask: dict[str, object] = {
        "option": option,
        "amount": amount,
        "amount_price_year": budget.price_year,
        "years": years,
        "start": begin,
        "end": end - dt.timedelta(days=1),
        "gate": gate,
        "released": released,
        "monitoring_budget": float(case.monitoring_budget.value),
        "monitoring_price_year": case.monitoring_budget.price_year,
    }
    return ask, shares


def _risks(
    switching: pd.DataFrame,
    tornado: pd.DataFrame | None,
    params: ParameterSet,
    case: DecisionCase,
    n: int,
) -> pd.DataFrame:
    s = switching[np.isfinite(switching["change"].to_numpy(dtype=float))]
    s = s.reindex(s["change"].abs().sort_values().index)
    rows = []
    for path, r in s.head(n).iterrows():
        path = str(path)
        change = float(r["change"])
        likelihood = (
            chance_beyond(params[path], float(r["switching"]), lower=change < 0)
            if path in params
            else float("nan")
        )
        swing = float("nan")
        if tornado is not None and path in tornado.index:
            swing = abs(float(tornado.loc[path, "npv_high"] - tornado.loc[path, "npv_low"]))
        risk = case.risk_for(path)
        rows.append(
            {
                "parameter": path,
                "central": float(r["central"]),
                "switching": float(r["switching"]),
                "change": change,
                "likelihood": likelihood,
                "swing": swing,
                "topic": risk.topic if risk else "",
                "owner": risk.owner if risk else "",
                "mitigation": risk.mitigation if risk else "",
            }
        )
    columns = [
        "parameter",
        "central",
        "switching",
        "change",
        "likelihood",
        "swing",
        "topic",
        "owner",
        "mitigation",
    ]
    return pd.DataFrame(rows, columns=columns).set_index("parameter")


def _sensitivity(
    appraisal: OptionsAppraisal,
    params: ParameterSet,
    option: str,
    view: str,
    candidates: list[str],
    runs: int,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Switching values and the tornado of an option's incremental NPV on ``view``."""
    from .sensitivity import one_way, switching_values

    when = dt.date.fromisoformat(appraisal.decision_date)
    model = IncrementalOutcome(
        params, option, appraisal.counterfactual, view, runs=runs, decision_date=when
    )
    names = [k for k in candidates if k in model.params and not model.params[k].is_table]
    sw = switching_values(params, option, parameters=names, model=model)
    tornado = one_way(params, option, parameters=names, model=model)
    return sw, tornado


def board_case(
    appraisal: OptionsAppraisal,
    spec: DecisionSpec,
    params: ParameterSet,
    *,
    switching: pd.DataFrame | None = None,
    tornado: pd.DataFrame | None = None,
    candidates: Sequence[str] = (),
    runs: int = 200,
    risks: int = 5,
) -> BoardCase:
    """The board's case for ``spec`` from its appraised options (see the module).

    ``switching`` (and optionally ``tornado``) are the switching values and one-way
    sensitivity (:mod:`costmodel.analysis.sensitivity`) behind the register. Without
    them, both are computed here for the ``candidates`` parameters on the best-ranked
    option's incremental NPV on the ranking perspective (:class:`IncrementalOutcome`,
    ``runs`` team simulations at central values). ``risks`` is how many parameters the
    register lists, nearest their switching values first.
    """
    case = spec.case
    if case is None:
        raise ParameterError(
            Problem(spec.file, "case", "the decision has no 'case' section for a board paper")
        )
    views = appraisal.perspectives().index.get_level_values("perspective").unique()
    if case.ranked_by not in views:
        raise ParameterError(
            Problem(
                spec.file,
                "case.ranked_by",
                f"no {case.ranked_by!r} perspective (known: {', '.join(views)})",
            )
        )
    ranked = _ranked(appraisal, case.ranked_by)
    best = ranked.index[0] if len(ranked) and ranked["npv"].iloc[0] > 0 else None
    if switching is None:
        switching, tornado = _sensitivity(
            appraisal, params, str(ranked.index[0]), case.ranked_by, list(candidates), runs
        )
    if best is None:
        ask: Mapping[str, Any] = {}
        shares = pd.DataFrame(columns=["share", "pays", "benefits"])
    else:
        ask, shares = _ask(appraisal, str(best), params, case)
    return BoardCase(
        decision=spec.name,
        question=spec.description,
        ranked_by=case.ranked_by,
        ranked_by_rationale=case.ranked_by_rationale,
        options=ranked,
        recommended=None if best is None else str(best),
        counterfactual=appraisal.counterfactual,
        ask=ask,
        shares=shares,
        ask_basis="even_by_days",
        risks=_risks(switching, tornado, params, case, risks),
        risk_option=str(ranked.index[0]),
        case=case,
        price_basis=appraisal.price_basis,
        discount_base=appraisal.base_date,
    )
