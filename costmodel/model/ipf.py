"""Iterative proportional fitting and whole-pound rounding that keeps totals.

``fit`` scales a non-negative seed matrix until its rows and (groups of) columns
match given totals, vectorised over a leading axis of draws. Zero cells stay zero.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


class FittingError(ValueError):
    """The margins cannot be met from the seed (e.g. a target on an all-zero row)."""


def fit(
    seed: np.ndarray,
    row_totals: np.ndarray,
    col_targets: np.ndarray,
    col_groups: Sequence[Sequence[int]] | None = None,
    tol: float = 1e-12,
    max_iter: int = 10_000,
) -> np.ndarray:
    """Fit ``seed`` (…, rows, cols) to ``row_totals`` (…, rows) and column targets.

    ``col_groups[g]`` lists the columns whose sum must equal ``col_targets[..., g]``;
    by default each column is its own group. Within a group the seed's proportions
    are kept. Stops when every margin is within ``tol`` (relative) of its target.
    """
    x = np.array(seed, dtype=float)
    rows = np.asarray(row_totals, dtype=float)
    targets = np.asarray(col_targets, dtype=float)
    n_cols = x.shape[-1]
    groups = [list(g) for g in (col_groups or [[j] for j in range(n_cols)])]
    if sorted(j for g in groups for j in g) != list(range(n_cols)):
        raise FittingError("column groups must cover every column exactly once")
    if np.any(x < 0) or np.any(rows < 0) or np.any(targets < 0):
        raise FittingError("seed and totals must be non-negative")
    member = np.zeros((len(groups), n_cols))
    for g, cols in enumerate(groups):
        member[g, cols] = 1.0
    scale = max(float(np.max(rows, initial=0.0)), 1.0)
    for _ in range(max_iter):
        r = x.sum(axis=-1)
        if np.any((r == 0) & (rows > 0)):
            raise FittingError("a row with a positive total has no non-zero cells")
        x *= np.divide(rows, r, out=np.zeros_like(rows), where=r > 0)[..., None]
        g_sum = x.sum(axis=-2) @ member.T
        if np.any((g_sum == 0) & (targets > 0)):
            raise FittingError("a column group with a positive target has no non-zero cells")
        f = np.divide(targets, g_sum, out=np.zeros_like(targets), where=g_sum > 0)
        x *= (f @ member)[..., None, :]
        row_gap = np.max(np.abs(x.sum(axis=-1) - rows), initial=0.0)
        if row_gap <= tol * scale:
            return x
    raise FittingError(
        f"fitting did not converge in {max_iter} iterations "
        f"(largest row gap {row_gap:.3g}); are the totals consistent?"
    )


def largest_remainder(values: np.ndarray, total: int) -> np.ndarray:
    """Round non-negative ``values`` to whole numbers that sum to ``total``."""
    v = np.asarray(values, dtype=float)
    base = np.floor(v).astype(np.int64)
    short = int(total) - int(base.sum())
    if short < 0 or short > v.size:
        raise ValueError(f"cannot round values summing to {v.sum():.2f} to a total of {total}")
    order = np.argsort(-(v - base), kind="stable")
    base[order[:short]] += 1
    return base


def round_to_margins(
    x: np.ndarray, row_totals: np.ndarray, col_totals: np.ndarray | None = None
) -> np.ndarray:
    """Round a matrix to whole numbers whose rows sum to ``row_totals``.

    Each row is rounded by largest remainder. Where ``col_totals`` gives a whole
    number for a column (NaN leaves a column free), units are then moved along rows,
    between cells that are not structurally zero, until that column sums to it too.
    Cells that are zero stay zero.
    """
    x = np.asarray(x, dtype=float)
    rows = np.asarray(row_totals, dtype=np.int64)
    out = np.stack([largest_remainder(x[i], rows[i]) for i in range(x.shape[0])])
    if col_totals is None:
        return out
    target = np.asarray(col_totals, dtype=float)
    fixed = ~np.isnan(target)
    live = x > 0
    for _ in range(int(np.abs(np.nan_to_num(target) - out.sum(axis=0))[fixed].sum()) + 1):
        gap = np.where(fixed, np.nan_to_num(target) - out.sum(axis=0), 0)
        if not gap.any():
            return out
        j = int(np.argmax(np.abs(gap)))
        step = 1 if gap[j] > 0 else -1
        # a donor (step>0) or receiver (step<0) column in the same row: over target or free
        moved = False
        for i in np.argsort(-(x[:, j] - out[:, j]) * step, kind="stable"):
            if not live[i, j] or (step < 0 and out[i, j] == 0):
                continue
            other = [
                k
                for k in range(x.shape[1])
                if k != j
                and live[i, k]
                and (not fixed[k] or gap[k] * step < 0)
                and (step < 0 or out[i, k] > 0)
            ]
            if other:
                k = max(other, key=lambda k: -gap[k] * step if fixed[k] else 0.5)
                out[i, j] += step
                out[i, k] -= step
                moved = True
                break
        if not moved:
            raise ValueError("cannot meet the column totals without using a zero cell")
    raise ValueError("rounding left column totals unmet")
