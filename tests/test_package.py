"""Package-level promises: a quick import and a documented public API."""

from __future__ import annotations

import subprocess
import sys

import costmodel


def test_import_does_not_pull_in_heavy_libraries():
    code = (
        "import sys, costmodel; "
        "print(','.join(m for m in ('pandas', 'matplotlib', 'scipy', 'yaml') "
        "if m in sys.modules))"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert r.stdout.strip() == ""


def test_public_api_is_documented():
    for name in costmodel.__all__:
        obj = getattr(costmodel, name)
        if callable(obj):
            assert obj.__doc__, f"costmodel.{name} has no docstring"


def test_shortcuts_stay_functions_after_submodule_imports():
    code = (
        "import costmodel.model.projection, costmodel.analysis.sensitivity, "
        "costmodel.model.calibration, "
        "costmodel; assert callable(costmodel.reach) and callable(costmodel.baseline) "
        "and callable(costmodel.project); print('ok')"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 0 and r.stdout.strip() == "ok", r.stderr


def test_public_names_are_their_definitions():
    """``costmodel.X`` is a function or class defined as ``X``, not an alias of another
    name (the constants ISSUES and AGENCIES aside)."""
    import inspect

    for name in costmodel.__all__:
        obj = getattr(costmodel, name)
        if inspect.isfunction(obj) or inspect.isclass(obj):
            assert obj.__name__ == name, f"costmodel.{name} is defined as {obj.__name__}"


def test_one_word_for_repetitions_and_keyword_only_settings():
    """Monte Carlo draws are ``draws``, the team simulation's runs are ``runs``; past the
    parameters (and the scenario), a long signature's settings are keyword-only; every
    function that reads a scenario's parameters takes ``scenario=``."""
    import inspect

    words = {"reach_runs", "sensitivity_runs", "check_runs_", "n_draws", "n_runs", "_seen"}
    for name in ("project", "reach", "calibrate", "baseline_draws", "load_scenario"):
        sig = inspect.signature(getattr(costmodel, name))
        assert not words & set(sig.parameters), name
    for name in ("project", "reach", "reach_inputs", "calibrate", "baseline", "baseline_draws"):
        sig = inspect.signature(getattr(costmodel, name))
        assert "scenario" in sig.parameters, name
    settings = {inspect.Parameter.KEYWORD_ONLY, inspect.Parameter.VAR_KEYWORD}
    for name in ("project", "reach", "reach_inputs", "calibrate", "one_way", "switching_values"):
        kinds = [p.kind for p in inspect.signature(getattr(costmodel, name)).parameters.values()]
        assert kinds[:2] == [inspect.Parameter.POSITIONAL_OR_KEYWORD] * 2, name
        assert set(kinds[2:]) <= settings, name
