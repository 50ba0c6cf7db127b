"""Published appraisals rebuilt with the library's machinery from their own inputs.

A replication is a scenario file under ``parameters/replications/``: it adds the
evaluated programme (its families, cost, population, and the evaluation's published
benefit-cost ratios under ``programmes.<name>.evaluation``) and sets the appraisal's
choices to the evaluation's own (its evidence, follow-up, and what it did not adjust
for). :func:`replicate` appraises that programme alone and sets the model's ratio
(a ratio of expected values) and its 90% interval beside the published figure. A
replication that misses is reported as a gap, never tuned.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..model.projection import Projection, project, published_returns
from ..params.errors import ParameterError, Problem
from ..params.limits import DEFAULT_SEED
from ..params.scenarios import load_scenario
from ..params.store import REPLICATIONS, ParameterSet, default_root


@dataclass(frozen=True)
class Replication:
    """One published appraisal and the model's rebuild of it.

    ``table`` has a row per perspective the evaluation published: ``modelled`` (ratio of
    expected values), ``p5`` and ``p95`` (the 90% interval over the draws),
    ``published``, ``gap`` (published less modelled), ``within`` (whether the interval
    holds the published figure) and ``source``.
    """

    name: str
    description: str
    table: pd.DataFrame
    by_evidence_class: pd.DataFrame
    projection: Projection = field(repr=False)

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "description": self.description,
            "price_basis": self.projection.price_basis,
            "draws": self.projection.draws,
            "seed": self.projection.seed,
            "perspectives": {
                k: {
                    c: (
                        r[c]
                        if c == "source"
                        else bool(r[c])
                        if c == "within"
                        else (float(r[c]) if np.isfinite(r[c]) else None)
                    )
                    for c in self.table.columns
                }
                for k, r in self.table.iterrows()
            },
            "benefits_by_evidence_class": {
                k: float(v) for k, v in self.by_evidence_class["share"].items()
            },
        }


def replication_files(root: str | Path | None = None) -> list[Path]:
    """The shipped replications (``parameters/replications/*.yaml``)."""
    folder = Path(root or default_root()) / REPLICATIONS
    return sorted(folder.glob("*.yaml"))


def alone(params: ParameterSet) -> ParameterSet:
    """The parameters with none of the area's own programmes appraised (the team's
    budget and every cohort programme's share set to zero), so that a replication
    appraises its programme alone."""
    off: dict[str, object] = {}
    if "team.budget.total" in params:
        off["team.budget.total"] = 0
    for path in params:
        if path.startswith("programmes.") and path.endswith(".share_appraised"):
            off[path] = 0
    return params.with_values(off, file="<replication>") if off else params


def replicate(
    params: ParameterSet,
    file: str | Path,
    draws: int = 2000,
    seed: int = DEFAULT_SEED,
) -> Replication:
    """Rebuild the published appraisal of a replication file (see the module doc)."""
    base = alone(params)
    scenario = load_scenario(str(file), params.root, base)
    applied = scenario.apply(base)
    res = project(applied, draws=draws, seed=seed, check_area=False)
    table = published_returns(applied, res)
    if table.empty:
        raise ParameterError(
            Problem(
                str(file),
                "programmes",
                "a replication adds one programme with evaluation.<perspective>_bcr figures",
            )
        )
    table.insert(
        table.columns.get_loc("gap") + 1,
        "within",
        [bool(r.p5 <= r.published <= r.p95) for r in table.itertuples()],
    )
    return Replication(
        name=Path(file).stem,
        description=scenario.description,
        table=table,
        by_evidence_class=res.by_evidence_class(),
        projection=res,
    )


def replicate_all(
    params: ParameterSet, draws: int = 2000, seed: int = DEFAULT_SEED
) -> Mapping[str, Replication]:
    """Every shipped replication, by name."""
    return {
        f.stem: replicate(params, f, draws=draws, seed=seed) for f in replication_files(params.root)
    }
