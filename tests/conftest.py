from __future__ import annotations

import datetime as dt

import pytest

import costmodel


@pytest.fixture(scope="session")
def params():
    return costmodel.load()


@pytest.fixture(scope="session")
def northants(params):
    return params.for_area("northamptonshire")


#: The calibrated report the board paper's and the technical note's tests read: built
#: once for a test process (each file of tests runs on one process).
REPORT_DRAWS, REPORT_SEED = 300, 4
REPORT_CREATED = dt.date(2026, 11, 24)
REPORT_COMPARE = ["no_team", "do_minimum", "scale_up", "troubled_families_phase2"]


@pytest.fixture(scope="session")
def calibrated_report(params):
    from costmodel.analysis.report import report_content

    return report_content(
        params,
        ["calibrated"],
        draws=REPORT_DRAWS,
        seed=REPORT_SEED,
        compare=REPORT_COMPARE,
        sensitivity_runs=60,
        created=REPORT_CREATED,
    )
