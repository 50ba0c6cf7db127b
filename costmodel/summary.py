"""Summaries of Monte Carlo results: mean and percentile bands."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd


def summarise(values: Mapping[str, np.ndarray], percentiles=(5, 50, 95)) -> pd.DataFrame:
    """Mean and percentiles of each array, one row per name (NaNs ignored)."""
    rows = {}
    for k, v in values.items():
        v = np.asarray(v, dtype=float)
        ok = v[np.isfinite(v)]
        row = {"mean": ok.mean() if ok.size else np.nan}
        for q in percentiles:
            row[f"p{q}"] = np.percentile(ok, q) if ok.size else np.nan
        rows[k] = row
    return pd.DataFrame.from_dict(rows, orient="index")


def ratio(a, b) -> np.ndarray:
    """``a / b`` elementwise, NaN where ``b`` is zero (e.g. cost per family with no families)."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return np.divide(a, b, out=np.full(np.broadcast(a, b).shape, np.nan), where=b != 0)
