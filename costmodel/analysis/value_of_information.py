"""The value of information, from draws and outcomes alone.

For a decision between acting (worth the outcome, e.g. NPV) and not acting (worth 0):

* EVPI, the expected value of perfect information: ``E[max(Y, 0)] − max(E[Y], 0)``.
* EVPPI for a group of parameters: the same with ``Y`` replaced by its expectation
  given the group's values, estimated by regressing ``Y`` on the group's drawn values
  (with squares and, for up to twelve parameters, pairwise products), as in the
  regression-based estimators of Strong, Oakley and Brennan (2014, *Medical Decision
  Making* 34(3): 311–326), here with a quadratic rather than a GAM fit.

Nothing here knows the model: :func:`evppi` takes a table of drawn parameter values
(one row per draw, one column per parameter path) and the outcome of each draw;
groups of parameters are data (glob patterns over column names).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fnmatch import fnmatchcase
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from ..params.errors import ParameterError, Problem

#: Fewest draws for which the value of information is estimated.
MIN_DRAWS = 100

#: Default groups of parameters: name → glob patterns over parameter paths.
GROUPS: dict[str, tuple[str, ...]] = {
    "effects": ("savings.outcomes.*.effect",),
    "outcome rates": (
        "savings.outcomes.*.rate",
        "savings.outcomes.*.prevalence",
        "savings.outcomes.*.duration",
    ),
    "unit costs": ("savings.outcomes.*.cost",),
    "persistence": ("savings.persistence.*",),
    "evidence adjustments": ("savings.evidence.*",),
    "population need": ("savings.population.*",),
    "additionality": ("savings.additionality.*", "savings.reach_effect.*"),
    "team throughput": (
        "team.staff.*",
        "team.referrals.rate",
        "team.referrals.eligible_and_consenting",
        "team.direct_work.*",
        "team.indirect.*",
    ),
    "programme costs and income": ("programmes.*",),
}

EVPI_ROW = "all parameters (EVPI)"


def evpi(outcome: ArrayLike) -> float:
    """Expected value of perfect information for acting (worth ``outcome``) or not (0)."""
    y = np.asarray(outcome, float)
    return float(np.maximum(y, 0).mean() - max(y.mean(), 0.0))


def members(columns: Sequence[str], patterns: Sequence[str]) -> list[str]:
    """The columns that match any of ``patterns`` (exact paths or glob patterns)."""
    return [c for c in columns if any(fnmatchcase(c, pat) for pat in patterns)]


def evppi(
    draws: Any,
    outcome: ArrayLike | None = None,
    groups: Mapping[str, Sequence[str]] | None = None,
) -> pd.DataFrame:
    """EVPI and EVPPI for each group of parameters.

    ``draws`` is a table of drawn values (one row per draw), or an object with a
    ``draws_table`` and an ``appraisal.npv`` (a :class:`~costmodel.model.projection.Projection`),
    whose NPV is then the outcome. ``groups`` maps a group's name to glob patterns over
    the table's columns (default :data:`GROUPS`); columns that never vary are ignored,
    and a group with no varying column is left out.
    """
    if outcome is None:
        table, y = draws.draws_table, draws.appraisal.npv
    else:
        table, y = draws, outcome
    y = np.asarray(y, dtype=float)
    if not isinstance(table, pd.DataFrame) or len(table) != len(y):
        raise ParameterError(
            Problem("", "draws", "give a table of draws with one row per value of the outcome")
        )
    if len(y) < MIN_DRAWS:
        raise ParameterError(
            Problem(
                "", "draws", f"value of information needs at least {MIN_DRAWS} Monte Carlo draws"
            )
        )
    x = table.loc[:, table.std() > 0]
    total = evpi(y)
    rows = {EVPI_ROW: total}
    for name, patterns in (groups if groups is not None else GROUPS).items():
        cols = members(list(x.columns), list(patterns))
        if not cols:
            continue
        fit = quadratic_fit(x[cols].to_numpy(dtype=float), y)
        rows[name] = float(np.maximum(fit, 0).mean() - max(fit.mean(), 0.0))
    out = pd.Series(rows, name="value_of_information").to_frame()
    out["share_of_evpi"] = out["value_of_information"] / total if total > 0 else np.nan
    return out


def quadratic_fit(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Least-squares fit of y on x, x² and pairwise products (standardised)."""
    z = (x - x.mean(axis=0)) / np.where(x.std(axis=0) > 0, x.std(axis=0), 1.0)
    k = z.shape[1]
    feats = [np.ones(len(y)), *z.T, *(z.T**2)]
    if k <= 12:
        feats += [z[:, i] * z[:, j] for i in range(k) for j in range(i + 1, k)]
    a = np.column_stack(feats)
    coef, *_ = np.linalg.lstsq(a, y, rcond=None)
    return a @ coef
