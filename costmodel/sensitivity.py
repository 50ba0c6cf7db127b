"""Sensitivity and value of information for a scenario's net present value.

* :func:`one_way` (the tornado): NPV with one parameter at its 5th and 95th
  percentile (or a given range) and every other at its central value.
* :func:`switching_values`: the value of a parameter at which NPV = 0.
* :func:`two_way`: NPV over a grid of two parameters.
* :func:`evpi` / :func:`evppi`: the expected value of perfect information about
  everything, or about a group of parameters, for the decision to fund the team
  (NPV > 0) or not. EVPPI uses a regression estimator: NPV regressed on the group's
  drawn values (with squares and products), then ``E[max(fit, 0)] − max(E[NPV], 0)``.

Deterministic evaluations reuse one team simulation for parameters that do not
change the team (common random numbers throughout), so they are fast.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import optimize

from .distributions import quantile
from .errors import ParameterError, Problem
from .projection import Projection, project
from .scenarios import apply_scenario
from .schema import unit_range
from .store import ParameterSet
from .team_reach import VARYING, reach

TEAM_PATHS = {f"team.{p}" for p in VARYING.values()}


class _Evaluator:
    """Deterministic NPV of a scenario with some parameters changed."""

    def __init__(self, params: ParameterSet, scenario: str | None, runs: int, **kwargs):
        self.params = apply_scenario(params, scenario)
        self.kwargs = kwargs
        self.runs = runs
        self.sim = reach(self.params, runs=runs, seed=0, parameter_uncertainty=False)

    def projection(self, values: Mapping[str, float] | None = None) -> Projection:
        # deterministic: the central value is replaced and its distribution set aside
        p = self.params.with_values({k: {"value": v, "distribution": None}
                                     for k, v in values.items()}) if values else self.params
        touches_team = any(k.startswith("team.") for k in (values or {}))
        sim = reach(p, runs=self.runs, seed=0, parameter_uncertainty=False) \
            if touches_team else self.sim
        return project(p, draws=1, simulation=sim, area="", **self.kwargs)

    def npv(self, values: Mapping[str, float] | None = None) -> float:
        return float(self.projection(values).appraisal.npv[0])


def uncertain_parameters(params: ParameterSet, prefixes=("savings.", "team.")) -> list[str]:
    """Scalar parameters with a distribution, under the given prefixes."""
    return sorted(k for k, p in params.items()
                  if p.distribution is not None and not p.is_table and k.startswith(prefixes)
                  and (not k.startswith("team.") or k in TEAM_PATHS))


def one_way(params: ParameterSet, scenario: str | None = None,
            parameters: Sequence[str] | None = None, low_q: float = 0.05,
            high_q: float = 0.95, runs: int = 500, **kwargs) -> pd.DataFrame:
    """The tornado: NPV at each parameter's low and high value, others central.

    Rows are sorted by the swing (|NPV high − NPV low|), largest first.
    """
    ev = _Evaluator(params, scenario, runs, **kwargs)
    names = list(parameters) if parameters is not None else uncertain_parameters(ev.params)
    base = ev.npv()
    rows = []
    for path in names:
        p = ev.params[path]
        lo, hi = float(quantile(p, low_q)), float(quantile(p, high_q))
        n_lo, n_hi = ev.npv({path: lo}), ev.npv({path: hi})
        rows.append({"parameter": path, "description": p.description, "central": p.value,
                     "low": lo, "high": hi, "npv_low": n_lo, "npv_high": n_hi,
                     "swing": abs(n_hi - n_lo)})
    out = pd.DataFrame(rows).sort_values("swing", ascending=False).set_index("parameter")
    out.attrs["npv_central"] = base
    return out


def switching_values(params: ParameterSet, scenario: str | None = None,
                     parameters: Sequence[str] | None = None, runs: int = 500,
                     **kwargs) -> pd.DataFrame:
    """For each parameter, the value within its unit's range at which NPV = 0.

    ``switching`` is NaN where NPV keeps one sign across the range searched (the
    parameter alone cannot change the decision).
    """
    ev = _Evaluator(params, scenario, runs, **kwargs)
    names = list(parameters) if parameters is not None else \
        uncertain_parameters(ev.params, ("savings.",))
    base = ev.npv()
    rows = []
    for path in names:
        p = ev.params[path]
        v = float(p.value)
        lo, hi = _search_range(p)
        f_lo, f_hi = ev.npv({path: lo}), ev.npv({path: hi})
        value = np.nan
        if np.sign(f_lo) != np.sign(f_hi):
            value = optimize.brentq(lambda x, path=path: ev.npv({path: x}), lo, hi,
                                    xtol=1e-9 * max(1.0, abs(v)), rtol=1e-10)
        rows.append({"parameter": path, "central": v, "switching": value,
                     "searched_low": lo, "searched_high": hi,
                     "change": (value - v) / v if v and np.isfinite(value) else np.nan})
    out = pd.DataFrame(rows).set_index("parameter")
    out.attrs["npv_central"] = base
    return out


def _search_range(p) -> tuple[float, float]:
    """Where to look for a switching value: the unit's range, or up to ten times the value."""
    lo, hi = unit_range(p.unit)
    return lo, min(hi, max(10.0 * float(p.value), 1.0))


def two_way(params: ParameterSet, x: str, y: str, scenario: str | None = None,
            x_values: Sequence[float] | None = None, y_values: Sequence[float] | None = None,
            points: int = 7, runs: int = 500, **kwargs) -> pd.DataFrame:
    """NPV over a grid of two parameters (rows ``y``, columns ``x``)."""
    ev = _Evaluator(params, scenario, runs, **kwargs)

    def grid(path, given):
        if given is not None:
            return [float(g) for g in given]
        p = ev.params[path]
        return list(np.linspace(float(quantile(p, 0.05)), float(quantile(p, 0.95)), points))

    xs, ys = grid(x, x_values), grid(y, y_values)
    table = [[ev.npv({x: xv, y: yv}) for xv in xs] for yv in ys]
    return pd.DataFrame(table, index=pd.Index(ys, name=y), columns=pd.Index(xs, name=x))


def evpi(npv: np.ndarray) -> float:
    """Expected value of perfect information for fund (NPV) against do nothing (0)."""
    npv = np.asarray(npv, float)
    return float(np.maximum(npv, 0).mean() - max(npv.mean(), 0.0))


GROUPS = {
    "effects": lambda k: k.startswith("savings.outcomes.") and k.endswith(".effect"),
    "outcome rates": lambda k: k.startswith("savings.outcomes.") and k.endswith(".rate"),
    "unit costs": lambda k: k.startswith("savings.outcomes.") and k.endswith(".cost"),
    "persistence": lambda k: k.startswith("savings.persistence."),
    "additionality": lambda k: k.startswith(("savings.additionality.",
                                             "savings.reach_effect.")),
    "team throughput": lambda k: k in TEAM_PATHS,
}


def drawn_values(proj: Projection) -> pd.DataFrame:
    """The parameter values each Monte Carlo draw used, by parameter path."""
    inp, team, take = proj.inputs, proj.team_inputs, proj.team_runs
    cols: dict[str, np.ndarray] = {}
    for j, o in enumerate(inp.outcomes):
        for leaf in ("rate", "cost", "effect"):
            cols[f"savings.outcomes.{o}.{leaf}"] = getattr(inp, leaf)[:, j]
    for leaf, path in (("full_years", "persistence.full_years"),
                       ("drop_off", "persistence.drop_off"),
                       ("dropout_effect", "reach_effect.dropped_out"),
                       ("indirect_effect", "reach_effect.indirect"),
                       ("deadweight", "additionality.deadweight"),
                       ("attribution", "additionality.attribution"),
                       ("displacement", "additionality.displacement"),
                       ("optimism_bias", "additionality.optimism_bias")):
        cols[f"savings.{path}"] = getattr(inp, leaf)
    for name, path in VARYING.items():
        cols[f"team.{path}"] = np.broadcast_to(getattr(team, name), (team.runs,))[take]
    df = pd.DataFrame(cols)
    return df.loc[:, df.std() > 0]


def evppi(proj: Projection, groups: Mapping[str, object] | None = None) -> pd.DataFrame:
    """EVPI overall and EVPPI for each group of parameters, from a Monte Carlo projection."""
    if proj.draws < 100:
        raise ParameterError(Problem("", "draws", "value of information needs at least 100 "
                                     "Monte Carlo draws"))
    npv = proj.appraisal.npv
    x = drawn_values(proj)
    rows = {"all parameters (EVPI)": evpi(npv)}
    for name, member in (groups or GROUPS).items():
        cols = [c for c in x.columns if member(c)]
        if not cols:
            continue
        fit = _quadratic_fit(x[cols].to_numpy(), npv)
        rows[name] = float(np.maximum(fit, 0).mean() - max(fit.mean(), 0.0))
    out = pd.Series(rows, name="value_of_information").to_frame()
    out["share_of_evpi"] = out["value_of_information"] / rows["all parameters (EVPI)"] \
        if rows["all parameters (EVPI)"] > 0 else np.nan
    return out


def _quadratic_fit(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Least-squares fit of y on x, x² and pairwise products (standardised)."""
    z = (x - x.mean(axis=0)) / np.where(x.std(axis=0) > 0, x.std(axis=0), 1.0)
    k = z.shape[1]
    feats = [np.ones(len(y)), *z.T, *(z.T ** 2)]
    if k <= 12:
        feats += [z[:, i] * z[:, j] for i in range(k) for j in range(i + 1, k)]
    a = np.column_stack(feats)
    coef, *_ = np.linalg.lstsq(a, y, rcond=None)
    return a @ coef


__all__ = ["evpi", "evppi", "one_way", "switching_values", "two_way"]
