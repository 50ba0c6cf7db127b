"""A calibration for people and for files: the prior-against-posterior table, the
predictive check in words, and the calibrated scenario with its draws file."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd

from ..model.calibration import Calibration
from .formatting import text_table
from .labels import SHARE_UNITS, parameter_label

#: Significant digits kept for each posterior value in a draws file.
DRAWS_DIGITS = 6


def draws_name(scenario_path: str | Path) -> str:
    """The draws file that goes with a scenario file: ``NAME.draws.csv`` beside it."""
    return f"{Path(scenario_path).stem}.draws.csv"


def scenario_files(
    cal: Calibration,
    scenario_path: str | Path,
    based_on: str | None = "central",
) -> dict[Path, bytes]:
    """The calibrated scenario (YAML) and its posterior draws (CSV), as bytes by path.

    The scenario sets every calibrated parameter to its posterior median (what a
    central run uses) and names the draws file, whose rows every Monte Carlo run
    samples whole.
    """
    path = Path(scenario_path)
    csv_path = path.with_name(draws_name(path))
    counts = "; ".join(
        f"{o.families:,.0f} families"
        + (f" and {o.children:,.0f} children" if o.children is not None else "")
        + f" in {o.weeks} weeks"
        for o in cal.observations
    )
    description = f"The team's uncertain parameters updated on what it reported: {counts}."
    method = (
        f"# Method: kernel-weighted importance sampling from the prior (Beaumont, Zhang and\n"
        f"# Balding 2002; Wilkinson 2013) on {', '.join(o.name for o in cal.observations)}, "
        f"with a\n# {cal.reporting_error:.0%} reporting error, {len(cal.weights):,} prior "
        f"runs, seed {cal.seed}, effective sample size {cal.effective_sample_size:,.0f}."
    )
    lines = [method, f"description: {_quoted(description)}"]
    if based_on is not None:
        lines.append(f"based_on: {based_on}")
    lines.append(f"draws: {csv_path.name}")
    lines.append("overrides:")
    for p, v in cal.central_values().items():
        lines.append(f"  {p}: {v:.{DRAWS_DIGITS}g}")
    yaml_text = "\n".join(lines) + "\n"
    buf = io.StringIO()
    cal.posterior[list(cal.paths)].to_csv(
        buf, index=False, float_format=f"%.{DRAWS_DIGITS}g", lineterminator="\n"
    )
    return {path: yaml_text.encode(), csv_path: buf.getvalue().encode()}


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def summary_table(cal: Calibration) -> str:
    """Prior against posterior for every calibrated parameter, as text."""
    s = cal.summary
    rows = []
    for path, r in s.iterrows():

        def v(x: float, unit: str = r["unit"]) -> str:
            if unit.startswith("GBP"):
                return f"£{x:,.0f}"
            if unit in SHARE_UNITS:
                return f"{x:.0%}"
            return f"{x:,.3g}" if abs(x) < 1000 else f"{x:,.0f}"

        rows.append(
            [
                parameter_label(str(path)),
                r["unit"],
                f"{v(r['prior_mean'])} ({v(r['prior_p5'])}–{v(r['prior_p95'])})",
                f"{v(r['posterior_mean'])} ({v(r['posterior_p5'])}–{v(r['posterior_p95'])})",
            ]
        )
    return text_table(
        rows, ["Parameter", "Unit", "Prior mean (90%)", "Posterior mean (90%)"], "llrr"
    )


def check_table(frame: pd.DataFrame) -> str:
    """Reported against modelled counts, as text."""
    rows = [
        [
            f"{r['measure']} in {r['weeks']} weeks",
            f"{r['reported']:,.0f}",
            f"{r['modelled_mean']:,.0f}",
            f"{r['modelled_p5']:,.0f}–{r['modelled_p95']:,.0f}",
            f"{r['reported_percentile']:.0f}",
        ]
        for _, r in frame.iterrows()
    ]
    return text_table(
        rows,
        ["Reported count", "Reported", "Modelled mean", "Modelled 90% band", "Percentile"],
        "lrrrr",
    )


def calibration_text(cal: Calibration) -> str:
    """What ``costmodel calibrate`` prints."""
    out = [
        "Calibrating the team to what it reported",
        "Method: kernel-weighted importance sampling from the prior (Beaumont, Zhang and "
        "Balding 2002),",
        f"with the kernel as a {cal.reporting_error:.0%} reporting error (Wilkinson 2013); "
        f"{len(cal.weights):,} prior runs, seed {cal.seed}.",
        f"Effective sample size: {cal.effective_sample_size:,.0f} of {len(cal.weights):,} runs.",
        "",
        "Parameters, prior against posterior",
        summary_table(cal),
        "",
        "Predictive check before calibration (runs from the prior)",
        check_table(cal.prior_check),
        "",
        "Predictive check after calibration (fresh runs from the posterior)",
        check_table(cal.check),
        "",
        "Families a practitioner-year, by tier (posterior runs, to the last report)",
    ]
    t = cal.throughput
    out.append(
        text_table(
            [
                [
                    tier.replace("_", " "),
                    f"{r['families_per_practitioner_year_mean']:,.0f}",
                    f"{r['p5']:,.0f}–{r['p95']:,.0f}",
                ]
                for tier, r in t.iterrows()
            ],
            ["Tier", "Mean", "90% band"],
            "lrr",
        )
    )
    return "\n".join(out) + "\n"
