"""Calibration: updating what we believe about the team from what it reported.

The team's uncertain parameters have prior distributions (the area's ``team.yaml``).
The team reported counts ("830 families and 1,541 children supported in its first 113
weeks"). :func:`calibrate` turns the prior into a posterior by **kernel-weighted
importance sampling from the prior**, the approximate Bayesian computation of
Beaumont, Zhang & Balding (2002):

1. draw ``runs`` parameter sets from the prior and simulate the team once with each,
   recording the running totals of families and children supported at every
   observation's week;
2. weight each run by the density of the reported counts given its simulated counts
   under a model of reporting error: a report is the modelled count times
   ``1 + ε·z``, with ``z`` standard normal and ``ε = team.observed.reporting_error``.
   Wilkinson (2013) shows that with the kernel read as such an error model the
   weighted sample is an exact draw from the posterior of that model, not only an
   approximation; several observations multiply their densities;
3. summarise: weighted means and quantiles of every parameter against the prior, the
   effective sample size ``(Σw)² / Σw²`` (Kish 1965), and a **posterior predictive
   check**: a fresh set of runs from the posterior (resampled by weight) and where
   each report sits in its band.

The posterior travels as a table of equally weighted parameter sets (resampled
systematically by weight) that a scenario names under ``draws:``; every run that
samples the team then draws whole rows from it, keeping the parameters' joint
dependence (see :mod:`costmodel.params.sampling`).

References: M. A. Beaumont, W. Zhang, D. J. Balding (2002), Approximate Bayesian
computation in population genetics, *Genetics* 162(4): 2025-2035,
https://doi.org/10.1093/genetics/162.4.2025; R. D. Wilkinson (2013), Approximate
Bayesian computation (ABC) gives exact results under the assumption of model error,
*Statistical Applications in Genetics and Molecular Biology* 12(2): 129-141,
https://doi.org/10.1515/sagmb-2013-0010; L. Kish (1965), *Survey Sampling*, Wiley.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from ..params import limits
from ..params.errors import ParameterError, Problem, accepts
from ..params.limits import DEFAULT_SEED, check_seed
from ..params.sampling import weighted_quantile
from ..params.scenarios import Scenario, with_scenario
from .team import TEAM, Observation, reach_inputs, simulate_reach, team_paths
from .vocabulary import WEEKS_PER_QUARTER, WEEKS_PER_YEAR

#: Runs from the prior behind a calibration, and in its predictive check.
PRIOR_RUNS = 20_000
CHECK_RUNS = 4_000
#: Rows of the equally weighted posterior table a calibration hands on.
POSTERIOR_ROWS = 4_000
#: Below this effective sample size a calibration is refused as unreliable.
MIN_EFFECTIVE_SAMPLE = 100


@dataclass(frozen=True)
class Calibration:
    """A posterior for the team's uncertain parameters, and how it was reached.

    ``prior`` is the draws table of the prior runs (one row per run), ``weights``
    their normalised importance weights, ``simulated`` the runs' counts at each
    observation (columns ``<observation>.families`` / ``.children``), ``posterior``
    an equally weighted resample of ``prior`` (``POSTERIOR_ROWS`` rows), ``summary``
    prior against posterior for every calibrated parameter, and ``check`` the
    posterior predictive check (one row per reported count).
    """

    observations: tuple[Observation, ...]
    reporting_error: float
    seed: int
    paths: tuple[str, ...]
    prior: pd.DataFrame = field(repr=False)
    weights: np.ndarray = field(repr=False)
    simulated: pd.DataFrame = field(repr=False)
    posterior: pd.DataFrame = field(repr=False)
    summary: pd.DataFrame = field(repr=False)
    check: pd.DataFrame = field(repr=False)
    prior_check: pd.DataFrame = field(repr=False)
    throughput: pd.DataFrame = field(repr=False)

    @property
    def effective_sample_size(self) -> float:
        """Kish's effective sample size of the importance weights."""
        return effective_sample_size(self.weights)

    def central_values(self) -> dict[str, float]:
        """Posterior medians: the values a deterministic run of the calibrated case uses."""
        return {p: float(self.summary.loc[p, "posterior_p50"]) for p in self.paths}

    def to_dict(self) -> dict:
        """A JSON-ready account (the CLI's ``--format json``)."""

        def plain(v: Any) -> Any:
            return float(v) if isinstance(v, (int, float, np.number)) else v

        def records(frame: pd.DataFrame) -> list[dict]:
            rows = frame.reset_index().to_dict(orient="records")
            return [{k: plain(v) for k, v in row.items()} for row in rows]

        return {
            "method": "kernel-weighted importance sampling from the prior "
            "(Beaumont, Zhang & Balding 2002; Wilkinson 2013)",
            "observations": [
                {"name": o.name, "weeks": o.weeks, "families": o.families, "children": o.children}
                for o in self.observations
            ],
            "reporting_error": self.reporting_error,
            "prior_runs": len(self.weights),
            "effective_sample_size": self.effective_sample_size,
            "seed": self.seed,
            "parameters": records(self.summary),
            "predictive_check": records(self.check),
            "prior_predictive_check": records(self.prior_check),
            "throughput_per_practitioner_year": records(self.throughput),
        }


def effective_sample_size(weights: np.ndarray) -> float:
    """Kish's effective sample size ``(Σw)² / Σw²``."""
    w = np.asarray(weights, dtype=float)
    return float(w.sum() ** 2 / np.square(w).sum())


def log_weights(
    simulated: Mapping[str, np.ndarray],
    observations: Sequence[Observation],
    reporting_error: float,
) -> np.ndarray:
    """Log density of the reports given each run's counts: report = count × (1 + ε·z).

    ``simulated[f"{name}.families"]`` (and ``.children``) hold each run's counts at
    the observation's week. A run with a count of zero cannot have produced a
    positive report (weight zero).
    """
    total: np.ndarray | None = None
    for o in observations:
        for measure, reported in (("families", o.families), ("children", o.children)):
            if reported is None:
                continue
            s = np.asarray(simulated[f"{o.name}.{measure}"], dtype=float)
            sd = reporting_error * s
            with np.errstate(divide="ignore", invalid="ignore"):
                term = np.where(
                    sd > 0,
                    -0.5 * ((reported - s) / np.where(sd > 0, sd, 1.0)) ** 2
                    - np.log(np.where(sd > 0, sd, 1.0)),
                    np.where(s == reported, 0.0, -np.inf),
                )
            total = term if total is None else total + term
    if total is None:
        raise ParameterError(Problem("", f"{TEAM}.observed", "no reported counts to calibrate to"))
    return total


def systematic_resample(weights: np.ndarray, rows: int, rng: np.random.Generator) -> np.ndarray:
    """Indices of ``rows`` equally weighted draws from weighted ones (systematic
    resampling: one uniform offset, evenly spaced points through the cumulative weights)."""
    w = np.asarray(weights, dtype=float)
    cum = np.cumsum(w / w.sum())
    cum[-1] = 1.0
    points = (rng.random() + np.arange(rows)) / rows
    return np.searchsorted(cum, points, side="right")


def calibrated_paths(params: Mapping) -> list[str]:
    """The team's uncertain single-valued parameters: those a calibration updates."""
    return [
        path
        for path in team_paths()
        if params[path].distribution is not None and not params[path].is_table
    ]


@accepts(params="mapping", scenario="scenario")
def calibrate(
    params: Mapping,
    scenario: str | Scenario | None = None,
    *,
    observations: Sequence[Observation] | None = None,
    reporting_error: float | None = None,
    runs: int = PRIOR_RUNS,
    seed: int = DEFAULT_SEED,
    check_runs: int = CHECK_RUNS,
) -> Calibration:
    """Update the team's uncertain parameters on reported counts.

    ``scenario`` is applied to ``params`` first (see :func:`costmodel.project`); the
    prior is simulated over ``runs`` runs of the team and the fit checked on
    ``check_runs`` runs resampled by weight. ``observations`` default to
    ``team.observed.<name>`` and ``reporting_error`` to ``team.observed.reporting_error``.
    Raises :class:`ParameterError` when the reports lie so far outside what the prior
    allows that fewer than :data:`MIN_EFFECTIVE_SAMPLE` runs carry the weight.
    """
    seed = check_seed(seed)
    params = with_scenario(params, scenario)
    runs = limits.check_runs(runs)
    check_runs = limits.check_runs(check_runs, "check_runs")
    inputs = reach_inputs(params, runs=runs, rng=np.random.default_rng(seed))
    obs = tuple(observations) if observations is not None else inputs.observed
    if not obs:
        raise ParameterError(Problem("", f"{TEAM}.observed", "no reported counts to calibrate to"))
    for o in obs:
        if not 1 <= o.weeks <= inputs.weeks:
            raise ParameterError(
                Problem(
                    "",
                    f"{TEAM}.observed.{o.name}",
                    f"a count over {o.weeks} weeks lies outside the programme's "
                    f"{inputs.weeks} weeks",
                )
            )
        if o.families < 0 or (o.children is not None and o.children < 0):
            raise ParameterError(
                Problem("", f"{TEAM}.observed.{o.name}", "a reported count cannot be negative")
            )
    if reporting_error is None:
        reporting_error = float(params[f"{TEAM}.observed.reporting_error"].value)
    if not 0 < reporting_error <= 1:
        raise ParameterError(
            Problem(
                "",
                f"{TEAM}.observed.reporting_error",
                f"must lie in (0, 1], not {reporting_error:g}",
            )
        )
    inputs = _with_observations(inputs, obs)
    weeks = max(o.weeks for o in obs)
    prior_sim = simulate_reach(inputs, np.random.default_rng([seed, 1]), weeks=weeks)
    simulated = _counts(prior_sim, obs)
    logw = log_weights(simulated, obs, reporting_error)
    if not np.isfinite(logw).any():
        raise ParameterError(
            Problem("", f"{TEAM}.observed", "no run of the prior comes near the reported counts")
        )
    w = np.exp(logw - logw[np.isfinite(logw)].max())
    w = np.where(np.isfinite(w), w, 0.0)
    w /= w.sum()
    ess = effective_sample_size(w)
    if ess < MIN_EFFECTIVE_SAMPLE:
        raise ParameterError(
            Problem(
                "",
                f"{TEAM}.observed",
                f"the reports lie far outside what the prior allows (effective sample size "
                f"{ess:.0f} of {runs} runs); check the counts and their weeks, or widen "
                "the prior",
            )
        )
    prior = inputs.values
    assert prior is not None
    paths = tuple(calibrated_paths(params))
    rng = np.random.default_rng([seed, 2])
    posterior = prior.iloc[systematic_resample(w, POSTERIOR_ROWS, rng)].reset_index(drop=True)
    summary = _summary(prior, w, paths, params)
    # the posterior predictive check: fresh runs from resampled parameter sets
    rows = systematic_resample(w, check_runs, rng)
    fresh = reach_inputs(params, values=prior.iloc[rows].reset_index(drop=True))
    check_sim = simulate_reach(_with_observations(fresh, obs), rng, weeks=weeks)
    return Calibration(
        observations=obs,
        reporting_error=reporting_error,
        seed=seed,
        paths=paths,
        prior=prior,
        weights=w,
        simulated=pd.DataFrame(simulated),
        posterior=posterior,
        summary=summary,
        check=check_sim.reported(),
        prior_check=prior_sim.reported(),
        throughput=_throughput(check_sim, weeks),
    )


def _with_observations(inputs: Any, obs: Any) -> Any:
    return replace(inputs, observed=tuple(obs))


def _counts(sim: Any, obs: Sequence[Observation]) -> dict[str, np.ndarray]:
    out = {}
    for o in obs:
        got = sim.at_week[o.weeks]
        out[f"{o.name}.families"] = got["families_supported"]
        out[f"{o.name}.children"] = got["children_supported"]
    return out


def _summary(
    prior: pd.DataFrame, w: np.ndarray, paths: Sequence[str], params: Mapping
) -> pd.DataFrame:
    rows = {}
    flat = np.full(len(w), 1.0 / len(w))
    for path in paths:
        x = prior[path].to_numpy(dtype=float)
        p5, p95 = weighted_quantile(x, flat, [0.05, 0.95])
        q5, q50, q95 = weighted_quantile(x, w, [0.05, 0.5, 0.95])
        rows[path] = {
            "unit": params[path].unit,
            "stored_value": float(params[path].value),
            "prior_mean": float(x.mean()),
            "prior_p5": p5,
            "prior_p95": p95,
            "posterior_mean": float(np.sum(w * x)),
            "posterior_p5": q5,
            "posterior_p50": q50,
            "posterior_p95": q95,
        }
    frame = pd.DataFrame.from_dict(rows, orient="index")
    frame.index.name = "parameter"
    return frame


def _throughput(sim: Any, weeks: int) -> pd.DataFrame:
    """Families a practitioner-year of each tier, over the calibrated runs to ``weeks``:
    families started (casework) or contacted (light touch) ÷ post-years filled."""
    q = sim.quarterly
    # posts_filled and light_touch_posts_filled are quarterly averages over steps
    steps = int(round(weeks / sim.step_weeks))
    quarter = (np.arange(steps) * sim.step_weeks / WEEKS_PER_QUARTER).astype(int)
    per_q = np.bincount(np.minimum(quarter, sim.quarters - 1), minlength=sim.quarters)
    per_q = per_q * sim.step_weeks
    light_years = q["light_touch_posts_filled"] @ per_q / WEEKS_PER_YEAR
    practitioner_years = np.maximum(q["practitioner_posts_filled"] @ per_q / WEEKS_PER_YEAR, 1e-9)
    rows = {
        "casework": sim.total("started") / practitioner_years,
        "light_touch": np.where(
            light_years > 0,
            sim.total("light_touch_contacted") / np.maximum(light_years, 1e-9),
            np.nan,
        ),
    }
    out = {}
    for tier, x in rows.items():
        ok = x[np.isfinite(x)]
        out[tier] = {
            "families_per_practitioner_year_mean": float(ok.mean()) if ok.size else np.nan,
            "p5": float(np.percentile(ok, 5)) if ok.size else np.nan,
            "p95": float(np.percentile(ok, 95)) if ok.size else np.nan,
        }
    frame = pd.DataFrame.from_dict(out, orient="index")
    frame.index.name = "tier"
    return frame
