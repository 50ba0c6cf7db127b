"""How much faster the vectorised team simulation is than the event-by-event reference.

Run from the project folder::

    python benchmarks/bench_reach.py [--runs N] [--ref-runs M]

Both implementations get the same inputs (central parameter values, N replications):
the SimPy reference (tests/reference_reach.py) runs the first M of them one at a time,
the vectorised ``costmodel.model.team.simulate_reach`` runs all N at once. The script prints the
time per replication of each and their ratio, then times 10,000 vectorised
replications of the three-year programme with parameter uncertainty drawn from the
calibrated scenario's posterior (as ``costmodel.reach`` runs them).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from reference_reach import simulate_reference  # noqa: E402

import costmodel  # noqa: E402
import costmodel.model.team as r  # noqa: E402
from costmodel.model.vocabulary import WEEKS_PER_YEAR  # noqa: E402

LARGE_RUNS = 10_000
YEARS = 3


def timed(f, *args, **kwargs) -> tuple[float, object]:
    start = time.perf_counter()
    out = f(*args, **kwargs)
    return time.perf_counter() - start, out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--runs",
        type=int,
        default=10_000,
        help="replications for the vectorised simulation (default 1000)",
    )
    ap.add_argument(
        "--ref-runs", type=int, default=100, help="replications for the reference (default 50)"
    )
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    if args.runs < 1 or args.ref_runs < 1:
        ap.error("--runs and --ref-runs must be at least 1")

    params = costmodel.load()
    inputs = r.reach_inputs(params, runs=max(args.runs, args.ref_runs))
    r.simulate_reach(r.reach_inputs(params, runs=10), seed=args.seed)  # warm up numpy

    t_ref, _ = timed(simulate_reference, inputs, runs=args.ref_runs, seed=args.seed)
    t_vec, _ = timed(r.simulate_reach, inputs, seed=args.seed)
    per_ref, per_vec = t_ref / args.ref_runs, t_vec / inputs.runs
    print(f"programme: {inputs.weeks} weekly steps, {inputs.posts} posts")
    print(f"reference: {args.ref_runs} runs in {t_ref:.2f} s ({per_ref * 1e3:.1f} ms/run)")
    print(f"vectorised: {inputs.runs} runs in {t_vec:.2f} s ({per_vec * 1e3:.3f} ms/run)")
    print(f"speed ratio: {per_ref / per_vec:.0f}x")

    weeks = YEARS * WEEKS_PER_YEAR
    if inputs.weeks != weeks:
        print(f"note: the shipped programme is {inputs.weeks} weeks; timing {weeks}")
    calibrated = costmodel.apply_scenario(params, "calibrated")
    t_large, res = timed(_large, calibrated, args.seed, weeks)
    print(
        f"{LARGE_RUNS:,} runs of {YEARS} years, calibrated case: {t_large:.1f} s "
        f"(mean families supported {res.total('families_supported').mean():.0f})"
    )
    return 0


def _large(params, seed: int, weeks: int) -> r.ReachResult:
    """10,000 replications with parameter uncertainty, as ``costmodel.reach.reach`` runs."""
    rng = np.random.default_rng(seed)
    inputs = r.reach_inputs(params, runs=LARGE_RUNS, rng=rng)
    return r.simulate_reach(inputs, rng, weeks=weeks)


if __name__ == "__main__":
    sys.exit(main())
