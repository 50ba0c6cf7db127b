from __future__ import annotations

import datetime as dt

import pytest

import costmodel


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "end_to_end(seconds): runs the library as a user would (a command, a notebook, a "
        "browser, a whole report); seconds, roughly the file's time on a 2-core machine, "
        "is a scheduling hint, never a limit",
    )
    # pytest-xdist's own marker, named here too for a run without the plugin
    config.addinivalue_line("markers", "xdist_group(name): tests that share a worker")


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Order the files for the two workers of `make test` (``--dist loadgroup
    --no-loadscope-reorder``): a file is a group unless it names a shared one (the
    board paper's and the technical note's tests share the calibrated report), and the
    groups with the longest ``end_to_end`` hint go first, so that the short files fill
    the end of the run rather than one long file running alone."""
    groups: dict[str, float] = {}
    for item in items:
        if item.get_closest_marker("xdist_group") is None:
            item.add_marker(pytest.mark.xdist_group(item.nodeid.split("::")[0]))
        marker = item.get_closest_marker("xdist_group")
        assert marker is not None
        name = str(marker.args[0])
        hint = item.get_closest_marker("end_to_end")
        seconds = float(hint.kwargs.get("seconds", 0)) if hint is not None else 0.0
        groups[name] = max(groups.get(name, 0.0), seconds)
    order = {name: i for i, name in enumerate(groups)}

    def key(item: pytest.Item) -> tuple[float, int]:
        name = str(item.get_closest_marker("xdist_group").args[0])  # type: ignore[union-attr]
        return (-groups[name], order[name])

    items.sort(key=key)  # stable: a group's tests keep their order


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
