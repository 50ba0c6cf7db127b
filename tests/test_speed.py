"""What makes the report quicker changes none of its numbers: the team-simulation cache
and the sensitivity points evaluated in worker processes."""

from __future__ import annotations

import numpy as np
import pytest

from costmodel.analysis import parallel as w
from costmodel.analysis import sensitivity as s
from costmodel.model import team_engine
from costmodel.model.team import reach_inputs
from costmodel.params.errors import CostModelError

EFFECT = "savings.outcomes.child_enters_care.effect"
RATE = "savings.outcomes.child_enters_care.prevalence"
DEADWEIGHT = "savings.additionality.deadweight"


@pytest.fixture(scope="module")
def inputs(params):
    return reach_inputs(params, runs=40)


def _same(a, b):
    assert a.quarterly.keys() == b.quarterly.keys()
    for name in a.quarterly:
        np.testing.assert_array_equal(a.quarterly[name], b.quarterly[name])
    for name in a.final:
        np.testing.assert_array_equal(a.final[name], b.final[name])
    np.testing.assert_array_equal(a.referred_by_source, b.referred_by_source)


def test_a_cached_simulation_is_the_simulation_and_moves_the_generator_as_it(inputs):
    """From a generator: the cached result equals a fresh run, and the generator is
    left where the run left it (the next draws are the same)."""
    fresh_rng = np.random.default_rng(5)
    fresh = team_engine.simulate_reach(inputs, fresh_rng, weeks=40)
    after = fresh_rng.random(3)
    with team_engine.simulation_cache():
        first = team_engine.simulate_reach(inputs, np.random.default_rng(5), weeks=40)
        rng = np.random.default_rng(5)
        again = team_engine.simulate_reach(inputs, rng, weeks=40)
        assert again is first  # not run again
        np.testing.assert_array_equal(rng.random(3), after)
        other = team_engine.simulate_reach(inputs, np.random.default_rng(6), weeks=40)
        assert other is not first  # another seed is another simulation
    _same(first, fresh)
    assert team_engine._CACHE is None  # emptied when the block ends


def test_a_cached_simulation_cannot_be_changed_in_place(inputs):
    with team_engine.simulation_cache():
        result = team_engine.simulate_reach(inputs, 3, weeks=26)
    with pytest.raises(ValueError):
        result.quarterly["started"][0, 0] = 1.0


def test_no_cache_outside_the_block(inputs):
    a = team_engine.simulate_reach(inputs, 3, weeks=26)
    b = team_engine.simulate_reach(inputs, 3, weeks=26)
    assert a is not b
    _same(a, b)


def _model(params):
    """A cheap nonlinear model of three parameters; negative for small effects."""
    return (
        1e4 * float(params[EFFECT].value) ** 2 * float(params[RATE].value)
        - 3.0 * float(params[DEADWEIGHT].value)
        - 0.01
    )


@pytest.mark.parametrize("analysis", ["one_way", "switching_values"])
def test_worker_processes_give_the_serial_table(params, monkeypatch, analysis):
    f = getattr(s, analysis)
    names = [EFFECT, RATE, DEADWEIGHT]
    monkeypatch.setenv(w.WORKERS_VARIABLE, "1")
    serial = f(params, parameters=names, model=_model)
    if analysis == "switching_values":  # a value is searched for, not only the edges
        assert serial["switching"].notna().any()
    monkeypatch.setenv(w.WORKERS_VARIABLE, "2")
    if w.workers(len(names)) < 2:
        pytest.skip("one core: nothing runs in parallel")
    parallel = f(params, parameters=names, model=_model)
    assert parallel.equals(serial)
    assert parallel.attrs == serial.attrs


def test_parallel_map_keeps_the_order_and_raises_a_models_error_here(monkeypatch):
    monkeypatch.setenv(w.WORKERS_VARIABLE, "2")
    assert w.parallel_map(lambda k, i: k * i, (3,), 5) == [0, 3, 6, 9, 12]

    def refuse(i):
        if i == 2:
            raise CostModelError(f"point {i} refused")
        return i

    with pytest.raises(CostModelError, match="point 2 refused"):
        w.parallel_map(refuse, (), 4)


def test_workers_are_capped_by_the_variable_and_the_tasks(monkeypatch):
    monkeypatch.setenv(w.WORKERS_VARIABLE, "1")
    assert w.workers(10) == 1
    monkeypatch.setenv(w.WORKERS_VARIABLE, "64")
    assert 1 <= w.workers(1) == 1
    monkeypatch.setenv(w.WORKERS_VARIABLE, "two")
    with pytest.raises(CostModelError, match="COSTMODEL_WORKERS must be a whole number"):
        w.workers(3)


def test_the_reports_projections_on_every_core_are_those_of_one_process(params, monkeypatch):
    """Each team's first scenario, then the others with its simulation, in workers:
    every draw's NPV as in one process (the last bit included), a shared team's
    simulation shared."""
    from costmodel.analysis import report

    chosen = report._choose(params, ["calibrated"], ["cautious", "central"], None)
    settings = {"draws": 100, "seed": 4}
    monkeypatch.setenv(w.WORKERS_VARIABLE, "1")
    serial, prints = report._projections(params, chosen, settings, lambda _: None, True)
    monkeypatch.setenv(w.WORKERS_VARIABLE, "2")
    if w.workers(2) < 2:
        pytest.skip("one core: nothing runs in parallel")
    said: list[str] = []
    parallel, prints_2 = report._projections(params, chosen, settings, said.append, True)
    assert list(parallel) == list(serial) == ["calibrated", "cautious", "central"]
    assert sorted(said) == sorted(f"scenario {n}" for n in serial)
    assert prints_2 == prints
    for name in serial:
        np.testing.assert_array_equal(parallel[name].appraisal.npv, serial[name].appraisal.npv)
        assert parallel[name].central_npv == serial[name].central_npv
    team = serial["calibrated"].simulation
    assert serial["cautious"].simulation is team  # shared, not run again
    np.testing.assert_array_equal(
        parallel["cautious"].simulation.quarterly["started"], team.quarterly["started"]
    )


@pytest.mark.parametrize("posts", [1, 2, 5, 7, 8, 9, 15, 16, 17, 40, 128, 129, 300])
def test_the_sum_over_posts_is_numpys_to_the_last_bit(posts):
    """The team simulation adds over posts a row at a time, in the order numpy adds a
    row of the transposed array (pairwise): the same sums, bit for bit, also when the
    rows known to be zero are left out."""
    rng = np.random.default_rng(posts)
    a = rng.random((posts, 257)) * rng.choice([1.0, 1e3, 1e7], size=(posts, 257))
    zero = rng.random(posts) < 0.4
    a[zero] = 0.0
    want = np.ascontiguousarray(a.T).sum(axis=1)
    np.testing.assert_array_equal(team_engine._post_sum(a), want)
    rows = {i: a[i] for i in np.flatnonzero(~zero)}
    np.testing.assert_array_equal(team_engine._sum_rows(rows, posts, 257), want)


def test_a_waiting_list_is_served_longest_waiting_first():
    """Three runs, a list of four steps; the oldest families first, up to the places
    free; the steps waited are counted for each family taken (hand-worked)."""
    waiting = np.array([[2, 0, 1], [1, 3, 0], [4, 1, 2], [0, 0, 5]], dtype=np.int64)
    taken, waited = team_engine._serve(waiting, 1, 3, np.array([2, 5, 0], dtype=np.int64))
    np.testing.assert_array_equal(taken, [2, 4, 0])
    # run 0: 1 family from step 1 (waited 2) and 1 from step 2 (waited 1): 3
    # run 1: 3 from step 1 (2 each) and 1 from step 2 (1): 7
    np.testing.assert_array_equal(waited, [3, 7, 0])
    np.testing.assert_array_equal(
        waiting, [[2, 0, 1], [0, 0, 0], [3, 0, 2], [0, 0, 5]]
    )  # step 0 is not in the window: left alone
