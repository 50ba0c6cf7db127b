"""The decision in front of a board: options appraised from the decision date.

:func:`appraise_options` projects each option (a scenario: a successor from a start date
after the decision) and the counterfactual the board names (by default, stopping), all
with one decision date, one price year (the decision's financial year) and one
discount base (the decision date), from one seed: the draws are common to every
option, so per-draw differences are the uncertainty of the choice itself. Flows dated
before the decision are sunk (see :func:`costmodel.model.projection.project`); the
history scenario, the team so far, shows them apart.

Every option is shown **incrementally**: its costs, benefits and NPV less the
counterfactual's, by perspective, and year by year (:meth:`OptionsAppraisal.cash_flows`).
**Who should pay** (:meth:`OptionsAppraisal.funder_views`,
:meth:`OptionsAppraisal.cost_sharing`): every agency's view of an option (cash only;
cash plus capacity freed; its whole remit, ``savings.perspectives.remit.<agency>``), the
savings the local partnership can cash, and a split of the cost in proportion to each
agency's cashable (or total) benefits, with the NPV each party sees under it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..greenbook.appraisal import payback, ratio
from ..greenbook.prices import add_years
from ..params.decisions import DecisionSpec
from ..params.errors import ParameterError, Problem
from ..params.limits import DEFAULT_SEED
from .projection import Projection, project
from .vocabulary import AGENCY_NAMES

__all__ = ["OptionsAppraisal", "appraise_options", "share_cost"]

REMIT = "savings.perspectives.remit"
#: The bases a cost may be shared on: each agency's cashable or total net savings.
SHARING_BASES = ("cashable", "total")
#: The columns of :meth:`OptionsAppraisal.cash_flows`: real terms undiscounted, the
#: discount factor applied, then the same discounted.
FLOW_COLUMNS = (
    "costs",
    "income",
    "savings_net",
    "net_benefit",
    "discount_factor",
    "costs_discounted",
    "income_discounted",
    "savings_net_discounted",
    "net_benefit_discounted",
)


def share_cost(cost: float, benefits: pd.Series) -> pd.Series:
    """``cost`` split in proportion to each party's ``benefits`` (a party whose benefits
    are not positive pays nothing); NaN for everyone if no party benefits."""
    positive = benefits.clip(lower=0.0)
    total = float(positive.sum())
    if total <= 0:
        return pd.Series(np.nan, index=benefits.index)
    return cost * positive / total


@dataclass(frozen=True)
class OptionsAppraisal:
    """Options against a counterfactual, from one decision date (see the module)."""

    decision: str
    description: str
    decision_date: str
    counterfactual: str
    options: tuple[str, ...]
    projections: Mapping[str, Projection] = field(repr=False)
    history: Projection | None = field(default=None, repr=False)
    #: Agencies in each agency's remit (its own alone unless a remit is given).
    remits: Mapping[str, tuple[str, ...]] = field(default_factory=dict, repr=False)
    #: 1 for the agencies of the local partnership, 0 for central government.
    local: Mapping[str, float] = field(default_factory=dict, repr=False)

    @property
    def price_year(self) -> str:
        return self.projections[self.counterfactual].price_year

    @property
    def price_basis(self) -> str:
        return self.projections[self.counterfactual].price_basis

    @property
    def base_date(self) -> str:
        return self.projections[self.counterfactual].base_date

    def _pair(self, option: str) -> tuple[Projection, Projection]:
        if option not in self.projections or option == self.counterfactual:
            raise ParameterError(
                Problem("", "option", f"{option!r} is not an option of {self.decision!r}")
            )
        return self.projections[option], self.projections[self.counterfactual]

    def incremental(self) -> pd.DataFrame:
        """Each option less the counterfactual (fiscal perspective, as the headlines):
        PV of costs, of income and of net savings, NPV (mean, and the 5th and 95th
        percentiles of the per-draw difference), BCR (ratio of the expected
        differences), the chance the option does better than the counterfactual,
        payback of the mean incremental curves (years from the options' start; NaN if it
        does not pay back or the options' years differ), families started and the
        incremental cost per family started."""
        rows = {}
        for name in self.options:
            a, b = self._pair(name)
            ha, hb = a.headlines()["estimate"], b.headlines()["estimate"]
            n = min(a.stored, b.stored)
            diff = a.appraisal.npv[:n] - b.appraisal.npv[:n]
            costs = float(ha["pv_costs"] - hb["pv_costs"])
            benefits = float(ha["pv_savings_net"] - hb["pv_savings_net"])
            families = float(ha["families_started"] - hb["families_started"])
            spend = float(a.mean_flows()["costs"].sum() - b.mean_flows()["costs"].sum())
            rows[name] = {
                "pv_costs": costs,
                "pv_income": float(ha.get("pv_income", 0.0) - hb.get("pv_income", 0.0)),
                "pv_savings_net": benefits,
                "npv": benefits - costs,
                "npv_p5": float(np.percentile(diff, 5)),
                "npv_p95": float(np.percentile(diff, 95)),
                "bcr": float(ratio(benefits, costs)),
                "p_better": float((diff > 0).mean()),
                "payback_years": _payback(a, b),
                "families_started": families,
                "cost_per_family_started": float(ratio(spend, families)),
            }
        return pd.DataFrame.from_dict(rows, orient="index").rename_axis("option")

    def cash_flows(self, option: str, against_counterfactual: bool = False) -> pd.DataFrame:
        """Mean yearly cash flows of ``option`` (or of the counterfactual), one row per
        appraisal year, indexed by the year's first day: costs, income, net savings (every
        agency), net benefit, the discount factor applied and the same discounted
        (:data:`FLOW_COLUMNS`). Real terms at :attr:`price_year`.

        Net benefit is the **fiscal** one the options are ranked on (:meth:`incremental`):
        net savings less costs; payment-by-results income from central government is a
        transfer within the public sector and cancels, so it is shown but not counted.
        The discount factor is the one the appraisal applies: the Green Book factor from
        :attr:`base_date`, times each year's share on or after the decision (what falls
        before it is sunk). Discounted = real × factor.

        ``against_counterfactual``: the option less the counterfactual, year by year, on
        the years of either (a year only one of them appraises counts zero for the other;
        no discount factor column, each side being discounted on its own). Its
        discounted net benefit summed over the years is the option's incremental NPV
        (``incremental()['npv']``), and its discounted costs, income and net savings
        summed are the extra present values there.
        """
        if against_counterfactual:
            a, b = self._pair(option)
            mine, theirs = _flows(a), _flows(b)
            days = sorted(set(mine.index) | set(theirs.index))
            out = mine.reindex(days, fill_value=0.0) - theirs.reindex(days, fill_value=0.0)
            out.index.name = mine.index.name
            return out.drop(columns="discount_factor")
        if option not in self.projections:
            self._pair(option)  # the reader's error
        return _flows(self.projections[option])

    def perspectives(self) -> pd.DataFrame:
        """Each option less the counterfactual by perspective (see
        :meth:`Projection.perspectives`): PV of benefits and costs, NPV and BCR."""
        frames = []
        for name in self.options:
            a, b = self._pair(name)
            pa, pb = a.perspectives(), b.perspectives()
            views = [v for v in pa.index if v in pb.index]
            d = (
                pa.loc[views, ["pv_benefits", "pv_costs"]]
                - pb.loc[views, ["pv_benefits", "pv_costs"]]
            )
            d["npv"] = d["pv_benefits"] - d["pv_costs"]
            d["bcr"] = ratio(d["pv_benefits"].to_numpy(), d["pv_costs"].to_numpy())
            d.insert(0, "option", name)
            frames.append(d.reset_index())
        return pd.concat(frames, ignore_index=True).set_index(["option", "perspective"])

    def _agencies(self, option: str) -> tuple[pd.DataFrame, float]:
        a, b = self._pair(option)
        d = (
            a.by_agency()[["pv_savings_net", "cashable"]]
            - b.by_agency()[["pv_savings_net", "cashable"]]
        )
        outlay = float(
            a.headlines()["estimate"]["pv_costs"]
            - b.headlines()["estimate"]["pv_costs"]
            - (a.summary().loc["pv_income", "mean"] - b.summary().loc["pv_income", "mean"])
        )
        return d, outlay

    def funder_views(self, option: str) -> pd.DataFrame:
        """Every agency's view of an option against the counterfactual: PV of its
        cashable savings (cash only), of its net savings (cash plus capacity freed),
        and of the net savings of its whole remit; what it pays now (the funder, the
        outlay: costs less income) and its NPV in each view. ``attrs['local_cashable']``
        is the local partnership's cashable savings, ``attrs['outlay']`` the cost."""
        d, outlay = self._agencies(option)
        funder = self.projections[option].perspective_weights.get("funder")
        out = pd.DataFrame(index=d.index)
        out["cash"] = d["cashable"]
        out["cash_and_capacity"] = d["pv_savings_net"]
        out["remit"] = [
            float(d.loc[list(self.remits.get(ag, (ag,))), "pv_savings_net"].sum()) for ag in d.index
        ]
        out["pays"] = [outlay if ag == funder else 0.0 for ag in d.index]
        for view in ("cash", "cash_and_capacity", "remit"):
            out[f"npv_{view}"] = out[view] - out["pays"]
        out.attrs["outlay"] = outlay
        out.attrs["funder"] = funder
        out.attrs["local_cashable"] = float(
            sum(d.loc[ag, "cashable"] * self.local.get(ag, 1.0) for ag in d.index)
        )
        return out

    def cost_sharing(self, option: str) -> pd.DataFrame:
        """A split of an option's cost (its incremental outlay) among the agencies in
        proportion to their incremental benefits, on each basis of
        :data:`SHARING_BASES`: ``share_<basis>`` (the share), ``pays_<basis>`` (PV of
        the cost it takes on) and ``npv_<basis>`` (its benefits on that basis less what
        it pays). The payments of each basis add up to the option's cost."""
        d, outlay = self._agencies(option)
        out = pd.DataFrame(index=d.index)
        for basis, column in (("cashable", "cashable"), ("total", "pv_savings_net")):
            pays = share_cost(outlay, d[column])
            out[f"benefits_{basis}"] = d[column]
            out[f"share_{basis}"] = pays / outlay if outlay else np.nan
            out[f"pays_{basis}"] = pays
            out[f"npv_{basis}"] = d[column] - pays
        out.attrs["outlay"] = outlay
        return out

    def sunk(self) -> pd.Series:
        """What the history scenario spent and saved before the decision (mean PVs at
        the decision's prices and base, sunk: in no option's NPV), and what its families
        helped already will still save after it (common to every option)."""
        if self.history is None:
            return pd.Series(dtype=float, name="sunk")
        h = self.history
        still = float(h.headlines()["estimate"]["pv_savings_net"])
        return pd.Series({**dict(h.sunk), "pv_savings_net_after_decision": still}, name="sunk")

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready summary (the CLI's ``options --format json``)."""

        def clean(x: Any) -> Any:
            if isinstance(x, (float, np.floating)):
                return float(x) if np.isfinite(x) else None
            return x

        def records(df: pd.DataFrame) -> dict:
            return {str(k): {c: clean(v) for c, v in row.items()} for k, row in df.iterrows()}

        persp = self.perspectives()
        views = {o: self.funder_views(o) for o in self.options}
        return {
            "decision": self.decision,
            "question": self.description,
            "decision_date": self.decision_date,
            "price_year": self.price_year,
            "price_basis": self.price_basis,
            "discount_base": self.base_date,
            "counterfactual": self.counterfactual,
            "options": list(self.options),
            "incremental": records(self.incremental()),
            "perspectives": {o: records(persp.loc[o]) for o in self.options},
            "funder_views": {o: records(v) for o, v in views.items()},
            "local_cashable": {o: clean(v.attrs["local_cashable"]) for o, v in views.items()},
            "cost_sharing": {o: records(self.cost_sharing(o)) for o in self.options},
            "sunk": {k: clean(v) for k, v in self.sunk().items()},
        }


def _flows(p: Projection) -> pd.DataFrame:
    """A projection's mean yearly flows on :data:`FLOW_COLUMNS` (see
    :meth:`OptionsAppraisal.cash_flows`), by the first day of each appraisal year."""
    m, f = p.mean_flows(), np.asarray(p.appraisal.discount_factors, dtype=float)
    start = dt.date.fromisoformat(p.start_year)
    costs = np.asarray(m["costs"], dtype=float)
    income = np.asarray(m["income"], dtype=float)
    savings = np.asarray(m["net"], dtype=float).sum(axis=1)
    out = pd.DataFrame(
        {
            "costs": costs,
            "income": income,
            "savings_net": savings,
            "net_benefit": savings - costs,
            "discount_factor": f,
            "costs_discounted": costs * f,
            "income_discounted": income * f,
            "savings_net_discounted": savings * f,
            "net_benefit_discounted": (savings - costs) * f,
        },
        index=pd.Index([add_years(start, i) for i in range(len(f))], name="year_start"),
    )
    return out[list(FLOW_COLUMNS)]


def _payback(a: Projection, b: Projection) -> float:
    """Payback of the mean incremental curves, where the two time lines agree."""
    if a.start_year != b.start_year or a.appraisal.horizon != b.appraisal.horizon:
        return float("nan")
    f = a.appraisal.discount_factors
    ma, mb = a.mean_flows(), b.mean_flows()
    costs = (ma["costs"] - mb["costs"]) * f
    savings = (ma["net"].sum(axis=1) - mb["net"].sum(axis=1)) * f
    return float(payback(costs, savings))


def appraise_options(
    params: Any,
    decision: DecisionSpec,
    draws: int = 2000,
    seed: int = DEFAULT_SEED,
    decision_date: dt.date | None = None,
    **settings: Any,
) -> OptionsAppraisal:
    """Appraise a decision's options against its counterfactual from its decision date
    (``decision_date`` overrides the file's; the file's ``today`` is the system date).

    Every projection uses the same ``draws``, ``seed``, decision date, price year and
    discount base; ``settings`` go to :func:`costmodel.model.projection.project` (for
    example ``runs`` or ``price_year``).
    """
    when = decision_date or decision.date()
    names = (decision.counterfactual, *decision.options)
    runs = {
        name: project(params, name, draws=draws, seed=seed, decision_date=when, **settings)
        for name in names
    }
    history = (
        project(params, decision.history, draws=draws, seed=seed, decision_date=when, **settings)
        if decision.history
        else None
    )
    remits: dict[str, tuple[str, ...]] = {}
    for agency in AGENCY_NAMES:
        path = f"{REMIT}.{agency}"
        if path in params:
            p = params[path]
            unknown = set(p.value) - set(AGENCY_NAMES)
            if unknown:
                raise ParameterError(
                    Problem(p.file, p.path, f"unknown agency {sorted(unknown)[0]!r}", p.line)
                )
            remits[agency] = tuple(k for k, v in p.value.items() if float(v) > 0)
    local = runs[decision.counterfactual].perspective_weights["local"]
    return OptionsAppraisal(
        decision=decision.name,
        description=decision.description,
        decision_date=when.isoformat(),
        counterfactual=decision.counterfactual,
        options=decision.options,
        projections=runs,
        history=history,
        remits=remits,
        local={a: float(w) for a, w in zip(AGENCY_NAMES, local, strict=True)},
    )
