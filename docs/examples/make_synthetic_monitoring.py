"""Make ``synthetic_monitoring.csv`` from the known effects in ``synthetic_monitoring.yaml``.

Run from anywhere: ``python docs/examples/make_synthetic_monitoring.py``. The counts are
binomial draws (:func:`costmodel.analysis.monitoring.synthetic_monitoring`) from
``numpy.random.default_rng(seed)`` with the seed the YAML file states, so the CSV is the
same every time; ``tests/test_monitoring.py`` checks it is.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from costmodel.analysis.monitoring import synthetic_monitoring

HERE = Path(__file__).resolve().parent
SPEC = HERE / "synthetic_monitoring.yaml"
CSV = HERE / "synthetic_monitoring.csv"


def generate(spec_file: Path = SPEC) -> pd.DataFrame:
    """The synthetic counts the specification file describes."""
    spec = yaml.safe_load(spec_file.read_text(encoding="utf-8"))
    return synthetic_monitoring(
        spec["effects"],
        spec["base_rates"],
        supported=spec["supported"],
        comparison=spec["comparison"],
        follow_up_months=spec["follow_up_months"],
        rng=np.random.default_rng(spec["seed"]),
        bias=spec.get("bias", 0.0),
    )


def as_csv(frame: pd.DataFrame) -> str:
    """The table as the CSV text written (no index, ``\\n`` line ends)."""
    return frame.to_csv(index=False, lineterminator="\n")


def main() -> None:
    CSV.write_text(as_csv(generate()), encoding="utf-8")


if __name__ == "__main__":
    main()
