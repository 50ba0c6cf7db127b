"""Peak memory of a projection as the number of Monte Carlo draws grows.

Each measurement runs ``costmodel project --draws N --format json`` in a fresh Python
process and reads that process's peak resident memory (``resource.getrusage``,
``ru_maxrss``). The chunked projection should stay flat as draws grow. As a
reference, measured in the same run, the same projection is made with one chunk for
all draws (``chunk_bytes`` large enough), which is how costmodel worked before it
chunked: its memory grows with the draws.

    .venv/bin/python benchmarks/bench_memory.py             # 1e4, 1e5, 1e6, 1e7 draws
    .venv/bin/python benchmarks/bench_memory.py --most 1000000
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time

CHILD = """
import json, resource, sys, time
import costmodel
draws, chunk = int(sys.argv[1]), int(sys.argv[2])
params = costmodel.load()
start = time.perf_counter()
p = costmodel.project(params, draws=draws, seed=1, chunk_bytes=chunk or None)
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"peak_mb": peak, "seconds": seconds, "npv": p.summary().loc["npv", "mean"],
                  "stored": p.stored}))
"""


def measure(draws: int, chunk: int = 0) -> dict:
    """Peak memory (MB), time and mean NPV of one projection in a fresh process."""
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(draws), str(chunk)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--most",
        type=int,
        default=10_000_000,
        help="largest number of draws measured (default 10000000)",
    )
    args = ap.parse_args(argv)
    sizes = [n for n in (10_000, 100_000, 1_000_000, 10_000_000) if n <= args.most]
    started = time.perf_counter()
    print(f"{'draws':>12}  {'peak memory':>12}  {'time':>9}  {'mean NPV':>12}")
    rows = {}
    for n in sizes:
        r = measure(n)
        rows[n] = r
        print(f"{n:>12,}  {r['peak_mb']:>9,.0f} MB  {r['seconds']:>7.1f} s  £{r['npv']:>11,.0f}")
    ref = measure(100_000, chunk=2**40)
    print(
        f"reference, 100,000 draws in one chunk: {ref['peak_mb']:,.0f} MB, {ref['seconds']:.1f} s"
    )
    if 100_000 in rows:
        print(
            f"memory ratio at 100,000 draws (one chunk / chunked): "
            f"{ref['peak_mb'] / rows[100_000]['peak_mb']:.2f}x"
        )
    if len(rows) > 1:
        first, last = rows[sizes[0]], rows[sizes[-1]]
        print(
            f"growth from {sizes[0]:,} to {sizes[-1]:,} draws: "
            f"{last['peak_mb'] / first['peak_mb']:.2f}x the memory for "
            f"{sizes[-1] // sizes[0]:,}x the draws"
        )
    print(f"(total {time.perf_counter() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
