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
