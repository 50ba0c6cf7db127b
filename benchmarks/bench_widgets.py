"""How quickly the notebook views answer a control, against recomputing from scratch.

Run from the project folder::

    python benchmarks/bench_widgets.py [--repeat N]

A view answers a moved control with a deterministic run. The savings view keeps the
team simulation of its scenario (the savings controls do not change the team) and
skips the county check; the reference is what a view would do without that: a full
``costmodel.project(..., draws=1)``, which simulates the team again each time. Both
give the same NPV up to the chance events of the simulation. The script prints the
shortest of N timings of each, their ratio, and the time each view takes to answer one
control (the chart included).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT)]

import costmodel  # noqa: E402
import costmodel.present.widgets as cw  # noqa: E402
from costmodel.model.projection import project  # noqa: E402


def best_of(repeat: int, f) -> float:
    best = np.inf
    for _ in range(repeat):
        start = time.perf_counter()
        f()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    params = costmodel.load()

    savings = cw.SavingsView(params)
    values = iter(np.linspace(0.05, 0.5, 10_000))

    def move_deadweight() -> None:
        savings.deadweight.value = float(next(values))

    view_time = best_of(args.repeat, move_deadweight)
    p = savings.current_params()
    reference_time = best_of(args.repeat, lambda: project(p, None, draws=1, horizon=10))
    ref_npv = project(p, None, draws=1, horizon=10).appraisal.npv[0]
    view_npv = savings.result.appraisal.npv[0]
    print(f"savings view, one control (chart included): {view_time * 1000:7.1f} ms")
    print(f"reference, full project(draws=1):           {reference_time * 1000:7.1f} ms")
    print(f"speed ratio (reference / view):             {reference_time / view_time:7.1f}x")
    print(
        f"NPV: view {view_npv:,.0f}, reference {ref_npv:,.0f} (the team simulations differ "
        f"only in their chance events: {abs(view_npv - ref_npv) / abs(ref_npv):.2%})"
    )

    base = cw.BaselineView(params)
    years = iter(["2014/15", "2024/25"] * 1000)
    t = best_of(args.repeat, lambda: setattr(base.price_year, "value", next(years)))
    print(f"baseline view, price year:                  {t * 1000:7.1f} ms")
    reach_view = cw.ReachView(params)
    caseloads = iter([10.0, 12.0] * 1000)
    t = best_of(args.repeat, lambda: setattr(reach_view.caseload, "value", next(caseloads)))
    print(f"reach view, caseload:                       {t * 1000:7.1f} ms")


if __name__ == "__main__":
    main()
