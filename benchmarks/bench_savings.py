"""How much faster the vectorised savings appraisal is than a per-draw Python loop.

Run from the project folder::

    python benchmarks/bench_savings.py [--draws N] [--loop-draws M]

The script draws the savings parameters for N Monte Carlo draws, takes yearly costs and
families from one simulation of the team (draw ``i`` uses run ``i mod runs``, with the
yearly sums that ``costmodel.model.projection.project`` forms), and appraises them over a
ten-year horizon twice: all N draws at once with ``costmodel.model.savings.appraise``, and the
first M one at a time with the plain-Python reference in tests/reference_savings.py.
It prints the draws per second of each and their ratio, and checks that the two give
the same NPVs (to 1e-9 relative).
"""

from __future__ import annotations

import argparse
import sys
import time
from functools import partial
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from reference_savings import appraise_loop, relative_difference  # noqa: E402

import costmodel  # noqa: E402
from costmodel.model.programme import RunOptions, TeamProgramme  # noqa: E402
from costmodel.model.savings import appraise, effective_families, savings_inputs  # noqa: E402

HORIZON = 10
REACH_RUNS = 5000
REACH_SEED = 1
#: Largest allowed relative NPV difference between the two implementations.
TOLERANCE = 1e-9


def timed(repeat: int, f, *args, **kwargs) -> tuple[float, object]:
    """The shortest of ``repeat`` timings of ``f(*args, **kwargs)``, and its result."""
    best = np.inf
    for _ in range(repeat):
        start = time.perf_counter()
        out = f(*args, **kwargs)
        best = min(best, time.perf_counter() - start)
    return best, out


def vectorised(inputs, costs, families, factors, started):
    a = appraise(inputs, costs, families, factors, families_helped=started)
    return a, a.npv, a.bcr


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--draws",
        type=int,
        default=100_000,
        help="draws for the vectorised appraisal (default 100000)",
    )
    ap.add_argument(
        "--loop-draws", type=int, default=2000, help="draws for the per-draw loop (default 2000)"
    )
    ap.add_argument("--seed", type=int, default=0, help="seed of the savings draws")
    ap.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="time each this many times and keep the fastest (default 3)",
    )
    args = ap.parse_args(argv)
    if min(args.draws, args.loop_draws, args.repeat) < 1:
        ap.error("--draws, --loop-draws and --repeat must be at least 1")
    if args.loop_draws > args.draws:
        ap.error("--loop-draws must not exceed --draws (the loop checks the first draws)")
    n, m = args.draws, args.loop_draws

    params = costmodel.load()
    price_year = params["team.budget.total"].price_year
    inputs = savings_inputs(params, price_year, n, np.random.default_rng(args.seed))
    # the team's yearly families and spend by draw, as project forms them
    team = TeamProgramme().flows(
        params, price_year, n, None, RunOptions(team_seed=REACH_SEED, runs=REACH_RUNS)
    )
    costs = team.costs
    families = effective_families(team.completed, team.dropped, team.indirect, inputs)
    started = team.started
    factors = costmodel.discount_factors(np.arange(HORIZON), costmodel.discount_schedule(params))
    print(
        f"appraisal: {len(inputs.outcomes)} outcomes, {families.shape[1]} programme years, "
        f"{HORIZON}-year horizon, {price_year} prices; team simulation {REACH_RUNS:,} runs"
    )

    # warm up numpy on a few draws of their own
    k = min(n, 100)
    few = savings_inputs(params, price_year, k, np.random.default_rng(args.seed + 1))
    vectorised(few, costs[:k], families[:k], factors, started[:k])

    t_vec, (a, npv, _) = timed(args.repeat, vectorised, inputs, costs, families, factors, started)
    t_loop, ref = timed(args.repeat, appraise_loop, inputs, costs, families, factors, draws=m)
    diff = relative_difference(ref["npv"], npv[:m])
    # NPV is a difference of two large terms, so near NPV = 0 its relative difference
    # grows; the check measures the difference against the size of the terms as well.
    scale = np.maximum(a.pv_costs[:m], a.pv_savings_net[:m])
    scaled = relative_difference(ref["npv"], npv[:m], scale)

    rate_vec, rate_loop = n / t_vec, m / t_loop
    print(f"vectorised: {n:,} draws in {t_vec:.2f} s ({rate_vec:,.0f} draws/s)")
    print(f"per-draw loop: {m:,} draws in {t_loop:.2f} s ({rate_loop:,.0f} draws/s)")
    print(f"speed ratio: {rate_vec / rate_loop:,.0f}x")
    print(
        f"agreement: max relative NPV difference {diff.max():.1e} over {m:,} draws "
        f"({scaled.max():.1e} relative to PV costs or PV savings)"
    )
    print(
        f"mean NPV £{npv.mean():,.0f}, P(NPV > 0) {(npv > 0).mean():.3f} "
        f"(times: fastest of {args.repeat})"
    )
    # cohorts by quarter, as ``project`` forms them (the loop above is by year)
    fq = effective_families(team.completed_q, team.dropped_q, team.indirect_q, inputs)
    quarterly = partial(appraise, cohorts_per_year=4, families_helped=started)
    t_q, _ = timed(args.repeat, quarterly, inputs, costs, fq, factors)
    print(f"quarterly cohorts: {n:,} draws in {t_q:.2f} s ({n / t_q:,.0f} draws/s)")
    assert scaled.max() <= TOLERANCE, f"NPVs differ by up to {scaled.max():.3g} relative"
    return 0


if __name__ == "__main__":
    sys.exit(main())
