"""Local monitoring data that updates the model's effects, and what more of it is worth.

A team records, for the families it supported and a comparison group (families
referred but redirected, or waiting), how many had each outcome at least once over a
stated follow-up (:mod:`costmodel.params.monitoring`). For each outcome recorded:

* the **prior** is the programme's causal relative reduction as the model applies it
  (:func:`prior_effects`): the pooled effect from the evidence, with its design
  multiplier and transfer factor, and net of deadweight and attribution where the
  effect was not measured against the programme's own counterfactual;
* the **local estimate** is the log risk ratio of the supported against the comparison
  proportion, ``L = log(p̂₁ / p̂₀)``, with the delta-method variance
  ``V = 1/a − 1/n₁ + 1/c − 1/n₀`` (0.5 added to every cell when one is zero);
* the comparison group's **bias** ``b`` is an uncertain parameter
  (``savings.evidence.comparison_bias``, normal with mean ``b̄`` and sd ``s_b``), so
  ``L ~ N(θ + b̄, V + s_b²)`` with ``θ = log(1 − r)`` the effect on the log scale;
* the **posterior** is the normal–normal update of a normal prior on ``θ`` (fitted to
  the prior draws): precisions add, and the posterior mean weighs the prior mean and
  ``L − b̄`` by them. It is reported on the relative-reduction scale ``r = 1 − e^θ``
  with the lognormal formulas (exact for a normal ``θ``).

However large the sample, the bias's spread bounds the weight local data can carry:
the local precision never exceeds ``1 / s_b²``.

:func:`sample_size_value` says what a local comparison of a given size would be worth
(the expected value of sample information, by the Gaussian approximation of Jalal and
Alarid-Escudero 2018); :func:`synthetic_monitoring` makes counts from known effects,
to check the update recovers them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ..model.savings import (
    SavingsInputs,
    Served,
    outcome_names,
    savings_correlations,
    savings_inputs,
    savings_paths,
)
from ..params.errors import ParameterError, Problem
from ..params.evidence import Record, Study
from ..params.limits import DEFAULT_SEED, check_draws, check_seed, check_whole
from ..params.monitoring import COLUMNS, Monitoring
from ..params.sampling import sample
from ..params.schema import Source
from ..params.store import ParameterSet
from .value_of_information import quadratic_fit

#: The comparison group's bias on the log risk ratio (a parameter).
BIAS = "savings.evidence.comparison_bias"
#: Prior draws of the reduction are capped here before taking log(1 − r).
MAX_REDUCTION = 0.99
#: Added to every cell of a 2×2 table with an empty cell (Haldane–Anscombe).
CONTINUITY = 0.5
#: The interval reported: 5th and 95th percentiles.
LOW, HIGH = 5, 95
#: Prior draws by default.
PRIOR_DRAWS = 20_000
#: Local sample sizes (families per arm) valued by default.
SIZES = (25, 50, 100, 200, 400, 800, 1600)


# --------------------------------------------------------------------------- prior


def net_factor(inputs: SavingsInputs) -> np.ndarray:
    """(D, O) the share of each effect that is the programme's own causal effect:
    ``(1 − deadweight)(1 − attribution)`` where the effect was not measured against the
    programme's own counterfactual, 1 where it was."""
    no_cf = ~np.asarray(inputs.counterfactual, dtype=bool)
    if not no_cf.size:
        no_cf = np.ones(len(inputs.outcomes), dtype=bool)
    keep = (1 - inputs.deadweight) * (1 - inputs.attribution)
    return np.where(no_cf[None, :], keep[:, None], 1.0)


def net_effects(inputs: SavingsInputs) -> np.ndarray:
    """(D, O) each effect as the model applies it, net of deadweight and attribution
    where it has no counterfactual of its own (:func:`net_factor`)."""
    return inputs.effect * net_factor(inputs)


def prior_effects(
    params: Mapping,
    served: Served | None = None,
    draws: int = PRIOR_DRAWS,
    seed: int = DEFAULT_SEED,
) -> pd.DataFrame:
    """Draws of the programme's causal relative reduction in each outcome, as the model
    applies it (one column per outcome, one row per draw).

    The savings parameters are drawn as a projection draws them, from
    ``numpy.random.default_rng(seed)``; each outcome's effect (pooled, times its design
    multiplier and, where transferred, the transfer factor) is taken net of deadweight
    and attribution where it was not measured against the programme's own
    counterfactual. ``served`` is as for :func:`costmodel.model.savings.savings_inputs`
    (default: nothing appraised is served, so every measured effect is transferred).
    """
    draws, seed = check_draws(draws), check_seed(seed)
    rng = np.random.default_rng(seed)
    values = sample(params, draws, rng, savings_paths(params), savings_correlations(params))
    names = outcome_names(params)
    if not names:
        raise ParameterError(Problem("", "savings.outcomes", "no outcomes defined"))
    # effects do not depend on the price year: any will do, e.g. the first cost's
    price_year = params[f"savings.outcomes.{names[0]}.cost"].price_year
    inputs = savings_inputs(params, price_year, values=values, served=served)
    return pd.DataFrame(net_effects(inputs), columns=list(inputs.outcomes))


# --------------------------------------------------------------------------- update


def log_risk_ratio(
    supported_with: int, supported: int, comparison_with: int, comparison: int
) -> tuple[float, float]:
    """The log of the ratio of two proportions and its delta-method variance.

    ``log((a/n₁) / (c/n₀))`` and ``1/a − 1/n₁ + 1/c − 1/n₀``; when any cell of the
    2×2 table (``a``, ``n₁ − a``, ``c``, ``n₀ − c``) is zero, 0.5 is added to each
    cell first (so 1 to each group's size).
    """
    a, n1, c, n0 = (float(x) for x in (supported_with, supported, comparison_with, comparison))
    if min(a, n1 - a, c, n0 - c) == 0:
        a, c = a + CONTINUITY, c + CONTINUITY
        n1, n0 = n1 + 2 * CONTINUITY, n0 + 2 * CONTINUITY
    return math.log((a / n1) / (c / n0)), 1 / a - 1 / n1 + 1 / c - 1 / n0


def normal_update(
    prior_mean: float,
    prior_sd: float,
    estimate: float,
    variance: float,
    bias_mean: float = 0.0,
    bias_sd: float = 0.0,
) -> tuple[float, float, float]:
    """Posterior mean, sd and the local data's share of its precision, for a normal
    prior ``θ ~ N(prior_mean, prior_sd²)`` and an estimate ``L ~ N(θ + bias_mean,
    variance + bias_sd²)``.

    Precisions add: ``1/s² = 1/prior_sd² + 1/(variance + bias_sd²)``, and the mean is
    ``s² (prior_mean/prior_sd² + (L − bias_mean)/(variance + bias_sd²))``. A prior
    without spread is not moved (share 0); an estimate without spread fixes θ (share 1).
    """
    local_var = float(variance) + float(bias_sd) ** 2
    if prior_sd <= 0:
        return float(prior_mean), 0.0, 0.0
    if local_var <= 0:
        return float(estimate - bias_mean), 0.0, 1.0
    w0, w1 = 1 / prior_sd**2, 1 / local_var
    mean = (w0 * prior_mean + w1 * (estimate - bias_mean)) / (w0 + w1)
    return float(mean), float(math.sqrt(1 / (w0 + w1))), float(w1 / (w0 + w1))


def reduction_summary(log_mean: float, log_sd: float) -> dict[str, float]:
    """Mean, sd, 5th and 95th percentiles of ``r = 1 − e^θ`` for ``θ ~ N(log_mean,
    log_sd²)`` (lognormal formulas; a larger θ is a smaller reduction)."""
    m, s = float(log_mean), float(log_sd)
    z = float(stats.norm.ppf(HIGH / 100))
    scale = math.exp(m + s**2 / 2)
    return {
        "mean": 1 - scale,
        "sd": scale * math.sqrt(math.expm1(s**2)),
        f"p{LOW}": 1 - math.exp(m + z * s),
        f"p{HIGH}": 1 - math.exp(m - z * s),
    }


def comparison_bias(params: Mapping) -> tuple[float, float]:
    """Mean and sd of the comparison group's bias on the log risk ratio
    (``savings.evidence.comparison_bias``: a value with a normal distribution, or none)."""
    if BIAS not in params:
        raise ParameterError(
            Problem("", BIAS, "missing: the comparison group's bias on the log risk ratio")
        )
    p = params[BIAS]
    d = p.distribution
    if d is not None and d.family != "normal":
        raise ParameterError(
            Problem(p.file, BIAS, f"needs a normal distribution, not {d.family}", p.line)
        )
    sd = 0.0 if d is None else float(d.params["sd"])
    return float(d.params.get("mean", p.value) if d is not None else p.value), sd


@dataclass(frozen=True)
class MonitoringUpdate:
    """Prior against posterior for each outcome a monitoring file records.

    ``table`` is indexed by outcome. On the relative-reduction scale (0.2 is 20% fewer
    families with the outcome): ``prior_*`` and ``posterior_*`` (mean, sd, p5, p95,
    from the normal fitted on the log scale and its update), ``local_effect`` (one
    less the local risk ratio) and ``local_se`` (its delta-method standard error).
    The counts and proportions of each group, ``follow_up_months``, the bias's
    ``bias_mean`` and ``bias_sd``, and ``local_share``: the share of the posterior
    precision that the local data give. On the log risk-ratio scale: ``prior_log_mean``,
    ``prior_log_sd``, ``local_log_ratio``, ``local_log_variance``,
    ``posterior_log_mean``, ``posterior_log_sd``.
    """

    table: pd.DataFrame
    monitoring: Monitoring = field(repr=False)
    #: The confidence grade of each outcome's effect before the update.
    prior_confidence: Mapping[str, str] = field(default_factory=dict)

    @property
    def file(self) -> str:
        """The monitoring file the counts came from."""
        return self.monitoring.file

    def overrides(self) -> dict[str, dict[str, Any]]:
        """Parameter overrides setting each recorded outcome's effect to its posterior
        (``savings.outcomes.<o>.effect``: value, normal spread, status, confidence,
        method and source), for :meth:`costmodel.params.store.ParameterSet.with_values`.

        The posterior is the effect *as the model applies it*, already net of the
        design multiplier, transfer factor, deadweight and attribution; the model must
        not apply those again to it (treat it as the programme's own evidence). Its
        confidence is ``medium`` where the local data give at least half the posterior
        precision, else the prior effect's grade.
        """
        out: dict[str, dict[str, Any]] = {}
        for o, row in self.table.iterrows():
            r = self.monitoring.row(str(o))
            confidence = (
                "medium" if row["local_share"] >= 0.5 else self.prior_confidence.get(str(o), "low")
            )
            sd = float(row["posterior_sd"])
            out[f"savings.outcomes.{o}.effect"] = {
                "value": float(row["posterior_mean"]),
                "distribution": {"type": "normal", "sd": sd} if sd > 0 else None,
                "status": "derived",
                "confidence": confidence,
                "method": (
                    f"The effect as applied ({row['prior_mean']:.3f}, sd {row['prior_sd']:.3f}) "
                    f"updated on {self.file} row {r.row}: {r.supported_with_outcome} of "
                    f"{r.supported_families} supported and {r.comparison_with_outcome} of "
                    f"{r.comparison_families} comparison families ({r.comparison_group}) with "
                    f"the outcome over {r.follow_up_months:g} months, the comparison's bias "
                    f"on the log risk ratio {row['bias_mean']:g} ± {row['bias_sd']:g} "
                    f"(normal-normal update on the log risk ratio; local share of precision "
                    f"{row['local_share']:.2f})."
                ),
                "source": {"title": f"Local monitoring: {self.file} ({r.source})"},
            }
        return out


def update(
    params: Mapping,
    monitoring: Monitoring,
    served: Served | None = None,
    seed: int = DEFAULT_SEED,
    draws: int = PRIOR_DRAWS,
) -> MonitoringUpdate:
    """Update each recorded outcome's effect on the local counts (see the module's
    docstring): prior from :func:`prior_effects` (``draws`` draws from ``seed``, with
    ``served``), the comparison's bias from ``savings.evidence.comparison_bias``.

    An outcome the model does not know is refused with one line naming the file and
    row. Nothing here changes the parameters: :meth:`MonitoringUpdate.overrides` gives
    the values to set.
    """
    names = outcome_names(params)
    if not len(monitoring):
        raise ParameterError(
            Problem(monitoring.file, "outcome", "no rows: record at least one outcome")
        )
    for r in monitoring:
        if r.outcome not in names:
            raise ParameterError(
                Problem(
                    monitoring.file,
                    f"row {r.row}: outcome",
                    f"{r.outcome!r} is not one of the model's outcomes ({', '.join(names)})",
                )
            )
    bias_mean, bias_sd = comparison_bias(params)
    prior = prior_effects(params, served, draws, seed)
    rows = {}
    for r in monitoring:
        theta = np.log1p(-np.minimum(prior[r.outcome].to_numpy(dtype=float), MAX_REDUCTION))
        mu0 = float(theta.mean())
        tau0 = float(theta.std(ddof=1)) if len(theta) > 1 else 0.0
        est, var = log_risk_ratio(
            r.supported_with_outcome,
            r.supported_families,
            r.comparison_with_outcome,
            r.comparison_families,
        )
        mean, sd, share = normal_update(mu0, tau0, est, var, bias_mean, bias_sd)
        before, after = reduction_summary(mu0, tau0), reduction_summary(mean, sd)
        rows[r.outcome] = {
            **{f"prior_{k}": v for k, v in before.items()},
            "supported_families": r.supported_families,
            "supported_with_outcome": r.supported_with_outcome,
            "supported_proportion": r.supported_proportion,
            "comparison_families": r.comparison_families,
            "comparison_with_outcome": r.comparison_with_outcome,
            "comparison_proportion": r.comparison_proportion,
            "follow_up_months": r.follow_up_months,
            "local_effect": -math.expm1(est),
            "local_se": math.exp(est) * math.sqrt(var),
            "bias_mean": bias_mean,
            "bias_sd": bias_sd,
            **{f"posterior_{k}": v for k, v in after.items()},
            "local_share": share,
            "prior_log_mean": mu0,
            "prior_log_sd": tau0,
            "local_log_ratio": est,
            "local_log_variance": var,
            "posterior_log_mean": mean,
            "posterior_log_sd": sd,
        }
    table = pd.DataFrame.from_dict(rows, orient="index").rename_axis("outcome")
    grades = {
        o: str(params[f"savings.outcomes.{o}.effect"].confidence) for o in monitoring.outcomes
    }
    return MonitoringUpdate(table=table, monitoring=monitoring, prior_confidence=grades)


# --------------------------------------------------------------------------- synthetic data


def synthetic_monitoring(
    effects: Mapping[str, float],
    base_rates: Mapping[str, float],
    supported: int,
    comparison: int,
    follow_up_months: float,
    rng: np.random.Generator,
    bias: float = 0.0,
) -> pd.DataFrame:
    """Monitoring counts drawn from known effects, in the template's columns.

    For each outcome of ``effects`` (a relative reduction, below 1), ``base_rates``
    gives the share of families who, without support, have it at least once over the
    follow-up. Supported families have it with probability ``base × (1 − effect)``,
    comparison families with ``base × e^(−bias)`` (capped at 1), so that the expected
    log risk ratio is ``log(1 − effect) + bias``; the counts are binomial draws from
    ``rng``, supported then comparison, outcome by outcome.
    """
    supported = check_whole(supported, "supported", 1, 10**9)
    comparison = check_whole(comparison, "comparison", 1, 10**9)
    if not (isinstance(follow_up_months, (int, float)) and follow_up_months > 0):
        raise ParameterError(
            Problem("", "follow_up_months", f"must be above zero, got {follow_up_months!r}")
        )
    rows = []
    for o, r in effects.items():
        if o not in base_rates:
            raise ParameterError(Problem("", f"base_rates.{o}", "missing"))
        base = float(base_rates[o])
        if not 0 < base < 1:
            raise ParameterError(
                Problem("", f"base_rates.{o}", f"must be between 0 and 1, got {base!r}")
            )
        if not -1 <= float(r) < 1:
            raise ParameterError(Problem("", f"effects.{o}", f"must be in [-1, 1), got {r!r}"))
        p1 = min(base * (1 - float(r)), 1.0)
        p0 = min(base * math.exp(-bias), 1.0)
        rows.append(
            {
                "outcome": o,
                "follow_up_months": float(follow_up_months),
                "supported_families": supported,
                "supported_with_outcome": int(rng.binomial(supported, p1)),
                "comparison_families": comparison,
                "comparison_with_outcome": int(rng.binomial(comparison, p0)),
                "comparison_group": "synthetic comparison group"
                + (f" (log risk-ratio bias {bias:g})" if bias else ""),
                "period": "synthetic",
                "source": "synthetic: binomial counts from known effects "
                "(costmodel.analysis.monitoring.synthetic_monitoring)",
            }
        )
    return pd.DataFrame(rows, columns=list(COLUMNS))


# --------------------------------------------------------------------------- sample size


def sample_size_value(
    projection: Any,
    outcome: str,
    sizes: Sequence[int] = SIZES,
    comparison_rate: float | None = None,
    bias_sd: float | None = None,
    *,
    params: Mapping | None = None,
    follow_up_months: float = 12.0,
) -> pd.DataFrame:
    """The expected value of sample information (EVSI) of a local comparison of ``n``
    supported and ``n`` comparison families, for each ``n`` in ``sizes``.

    By the Gaussian approximation of Jalal and Alarid-Escudero (2018, *Medical Decision
    Making* 38(2): 174–188): the projection's NPV by draw (``projection.appraisal.npv``)
    is regressed on the draw's net effect on ``outcome`` (as the model applies it,
    :func:`net_effects`) with :func:`~costmodel.analysis.value_of_information.quadratic_fit`,
    giving its conditional expectation ``g``. A local comparison measures the effect
    with variance, on the reduction scale, ``V(n) ≈ (1 − r̄)² [(1 − p₁)/(n p₁) +
    (1 − p₀)/(n p₀) + s_b²]`` (``r̄`` the mean effect, ``p₀`` the comparison group's
    share with the outcome over the follow-up, ``p₁ = p₀(1 − r̄)``, ``s_b`` the sd of
    the comparison's bias); the preposterior mean of ``g`` is ``g`` shrunk towards its
    mean by ``√(σ₀² / (σ₀² + V(n)))`` (``σ₀²`` the effect's prior variance), and
    ``EVSI(n) = E[max(shrunk, 0)] − max(E[g], 0)``.

    ``comparison_rate`` is ``p₀`` (default: ``1 − exp(−rate × follow_up_months / 12)``
    from the outcome's mean yearly rate in the projection). ``bias_sd`` defaults to the
    sd of ``savings.evidence.comparison_bias`` in ``params``. The result has columns
    ``n``, ``evsi``, ``evppi`` (the effect's EVPPI, the limit as ``n`` grows with no
    bias) and ``share_of_evppi``. With ``bias_sd > 0`` the EVSI levels off below the
    EVPPI however many families are counted: the comparison's bias is never learnt.
    """
    inputs = projection.inputs
    if outcome not in inputs.outcomes:
        raise ParameterError(
            Problem(
                "",
                "outcome",
                f"{outcome!r} is not one of the model's outcomes ({', '.join(inputs.outcomes)})",
            )
        )
    j = inputs.outcomes.index(outcome)
    x = net_effects(inputs)[:, j]
    y = np.asarray(projection.appraisal.npv, dtype=float)
    if len(x) != len(y):
        raise ParameterError(
            Problem("", "projection", "its stored inputs and NPVs have different numbers of draws")
        )
    if bias_sd is None:
        if params is None:
            raise ParameterError(
                Problem("", "bias_sd", f"give bias_sd, or the parameters holding {BIAS}")
            )
        bias_sd = comparison_bias(params)[1]
    if bias_sd < 0:
        raise ParameterError(Problem("", "bias_sd", f"must not be negative, got {bias_sd!r}"))
    if comparison_rate is None:
        rate = float(np.mean(inputs.rate[:, j]))
        comparison_rate = -math.expm1(-rate * follow_up_months / 12)
    p0 = float(comparison_rate)
    if not 0 < p0 < 1:
        raise ParameterError(
            Problem("", "comparison_rate", f"must be between 0 and 1, got {comparison_rate!r}")
        )
    ns = [check_whole(n, "sizes", 1, 10**9) for n in sizes]
    r_bar, var0 = float(x.mean()), float(x.var())
    g = np.full(len(y), y.mean()) if var0 <= 0 else quadratic_fit(x[:, None], y)
    g_bar = float(g.mean())
    evppi = float(np.maximum(g, 0).mean() - max(g_bar, 0.0))
    p1 = p0 * (1 - r_bar)
    if not 0 < p1 <= 1:
        raise ParameterError(
            Problem(
                "", outcome, f"a mean effect of {r_bar:.3g} leaves no supported family to count"
            )
        )
    rows = []
    for n in ns:
        v = (1 - r_bar) ** 2 * ((1 - p1) / (n * p1) + (1 - p0) / (n * p0) + bias_sd**2)
        shrink = math.sqrt(var0 / (var0 + v)) if var0 > 0 else 0.0
        shrunk = g_bar + (g - g_bar) * shrink
        evsi = float(np.maximum(shrunk, 0).mean() - max(g_bar, 0.0))
        rows.append({"n": n, "evsi": evsi, "evppi": evppi})
    out = pd.DataFrame(rows)
    out["share_of_evppi"] = out["evsi"] / evppi if evppi > 0 else np.nan
    out.attrs["evppi"] = evppi
    return out


# --------------------------------------------------------------------------- into the model

#: The id of the study a local update's posterior is recorded as.
LOCAL_STUDY = "local_monitoring"


def updated_parameters(
    params: ParameterSet, result: MonitoringUpdate, programme: str = "team"
) -> ParameterSet:
    """``params`` with each updated outcome's effect set to its posterior, as the
    programme's own evidence: the posterior is the effect as the model applies it (the
    prior already carried the design multiplier, transfer factor, deadweight and
    attribution, and the likelihood the comparison's bias), so it is recorded as a
    study of design ``local_update`` for ``programme`` (no multiplier, no transfer, no
    deadweight or attribution on it). It holds in full over the longer of the window of
    the evidence before and the local follow-up, and decays beyond it as any effect."""

    values: dict[str, Any] = dict(result.overrides())
    records = []
    for o, row in result.table.iterrows():
        r = result.monitoring.row(str(o))
        head = f"savings.outcomes.{o}"
        before = float(params[f"{head}.window"].value) if f"{head}.window" in params else 0.0
        values[f"{head}.evidence"] = {LOCAL_STUDY: 1}
        values[f"{head}.window"] = max(before, r.follow_up_months / 12)
        records.append(
            Record(
                study=LOCAL_STUDY,
                outcome=str(o),
                measure=(
                    f"posterior of the effect as applied, on {r.supported_families} supported "
                    f"and {r.comparison_families} comparison families"
                ),
                effect=float(row["posterior_mean"]),
                se=float(row["posterior_sd"]),
                n=r.supported_families + r.comparison_families,
                window_months=max(before * 12, r.follow_up_months),
                window_from="joining",
                file=result.file,
                line=r.row,
            )
        )
    first = result.monitoring.row(str(result.table.index[0]))
    study = Study(
        id=LOCAL_STUDY,
        source=Source(title=f"Local monitoring: {result.file} ({first.source})"),
        design="local_update",
        programme=programme,
        need="early_help",
        population=f"families supported by the {programme}, against {first.comparison_group}",
        setting={"country": "England", "service": programme},
        records=tuple(records),
        file=result.file,
    )
    return params.with_study(study).with_values(values, file=result.file)
