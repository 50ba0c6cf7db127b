from __future__ import annotations

import pytest

import costmodel


@pytest.fixture(scope="session")
def params():
    return costmodel.load()


@pytest.fixture(scope="session")
def northants(params):
    return params.for_area("northamptonshire")
