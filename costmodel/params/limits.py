"""The documented ranges of the numbers a caller chooses: draws, runs, horizon, seed.

Each check raises a :class:`~costmodel.params.errors.ParameterError` whose one line
names the argument (or command-line option) and the range, so a request that could
not finish, or would exhaust memory, is refused before any work starts.
"""

from __future__ import annotations

import numbers

from .errors import ParameterError, Problem

#: Monte Carlo draws of one projection (computed in chunks, so memory stays bounded).
MAX_DRAWS = 10_000_000
#: Replications of one team simulation (each holds its week-by-week state in memory).
MAX_RUNS = 100_000
#: Years appraised after the first programme year starts.
MAX_HORIZON = 100
#: Seeds: non-negative whole numbers below 2**63.
MAX_SEED = 2**63 - 1
#: Team-simulation runs behind each deterministic NPV of a report's tornado, switching
#: values and risk register (common random numbers keep one parameter's low and high
#: comparable).
SENSITIVITY_RUNS = 200


def check_whole(value: object, name: str, low: int, high: int) -> int:
    """``value`` as an int if it is a whole number in [low, high]; else one clear line."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ParameterError(Problem("", name, f"must be a whole number, got {value!r}"))
    v = int(value)
    if not low <= v <= high:
        raise ParameterError(Problem("", name, f"must be from {low:,} to {high:,}, got {v:,}"))
    return v


def check_draws(draws: object, name: str = "draws") -> int:
    return check_whole(draws, name, 1, MAX_DRAWS)


def check_runs(runs: object, name: str = "runs") -> int:
    return check_whole(runs, name, 1, MAX_RUNS)


def check_horizon(horizon: object, name: str = "horizon") -> int:
    return check_whole(horizon, name, 1, MAX_HORIZON)


#: The seed of every Monte Carlo result unless another is given: the command line's
#: ``--seed`` and the Python functions' ``seed=`` default to it alike.
DEFAULT_SEED = 1


def check_seed(seed: object, name: str = "seed") -> int:
    return check_whole(seed, name, 0, MAX_SEED)
