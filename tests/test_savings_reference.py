"""The vectorised savings appraisal against the per-draw reference (tests/reference_savings.py).

Both get the same drawn parameters, yearly costs and families (from one simulation of
the team, draw ``i`` using run ``i mod runs``), so they must agree draw by draw to
rounding: NPV, PV of costs, income, gross and net savings, PV by agency (all and
cashable), BCR and the yearly streams, to 1e-9 relative.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from reference_savings import (
    appraise_loop,
    effect_left,
    effective_families_one,
    relative_difference,
)

import costmodel
from costmodel.model.savings import appraise, effective_families, persistence, savings_inputs
from costmodel.model.team import reach

DRAWS, RUNS = 200, 150
SAVINGS_SEED, REACH_SEED = 7, 1
TOLERANCE = 1e-9
QUARTERS_PER_YEAR = 4


@pytest.fixture(scope="module")
def case(params):
    """Drawn savings inputs with each draw's yearly costs and families, as ``project`` forms
    them (families still in support at the end count as dropped out in the last year)."""
    price_year = params["team.budget.total"].price_year
    inputs = savings_inputs(params, price_year, DRAWS, np.random.default_rng(SAVINGS_SEED))
    sim = reach(params, runs=RUNS, seed=REACH_SEED)
    q = sim.quarterly

    def yearly(x):
        runs, quarters = x.shape
        years = -(-quarters // QUARTERS_PER_YEAR)  # a last part-year is kept
        padded = np.zeros((runs, years * QUARTERS_PER_YEAR))
        padded[:, :quarters] = x
        return padded.reshape(runs, years, QUARTERS_PER_YEAR).sum(axis=2)

    take = np.arange(DRAWS) % RUNS
    dropped = yearly(q["dropped_out"])
    dropped[:, -1] += sim.final["ongoing_at_end"]
    team = {
        "completed": yearly(q["completed"])[take],
        "dropped": dropped[take],
        "indirect": yearly(q["reached_indirectly"])[take],
        "costs": yearly(q["spend"])[take],
        "started": sim.total("started")[take],
    }
    schedule = costmodel.discount_schedule(params)
    return inputs, team, schedule


def check_agreement(inputs, costs, families, factors, started=None, income=None) -> float:
    """Appraise both ways; assert agreement and return the largest relative difference."""
    a = appraise(inputs, costs, families, factors, families_helped=started, income=income)
    ref = appraise_loop(inputs, costs, families, factors, income=income)
    pv_net = a.pv_savings_net
    # NPV and the BCR's denominator are differences: measure them against their terms
    scale = np.maximum(np.maximum(a.pv_costs, a.pv_income), np.abs(pv_net))
    outlay = a.pv_costs - a.pv_income
    pairs = {
        "npv": (ref["npv"], a.npv, scale),
        "pv_costs": (ref["pv_costs"], a.pv_costs, 0.0),
        "pv_income": (ref["pv_income"], a.pv_income, 0.0),
        "outlay": (ref["pv_costs"] - ref["pv_income"], outlay, np.maximum(a.pv_costs, a.pv_income)),
        "pv_savings_gross": (ref["pv_savings_gross"], a.pv_savings_gross, 0.0),
        "pv_savings_net": (ref["pv_savings_net"], pv_net, 0.0),
        "bcr": (ref["bcr"], a.bcr, 0.0),
        "pv_by_agency": (ref["pv_by_agency"], a.pv_by_agency(), 0.0),
        "pv_cashable_by_agency": (ref["pv_cashable_by_agency"], a.pv_by_agency(True), 0.0),
        "gross_by_year": (ref["gross_by_year"], a.gross.sum(axis=2), 0.0),
        "net_by_year": (ref["net_by_year"], a.net.sum(axis=2), 0.0),
    }
    worst = {name: float(relative_difference(r, v, s).max()) for name, (r, v, s) in pairs.items()}
    bad = {name: d for name, d in worst.items() if not d <= TOLERANCE}
    assert not bad, f"vectorised and per-draw appraisals differ (max relative): {bad}"
    return max(worst.values())


@pytest.mark.parametrize("horizon", [10, 2, 40])
def test_vectorised_appraisal_matches_per_draw_loop(case, horizon):
    # 2 years is shorter than the three-year programme (costs and cohorts cut off);
    # 40 crosses the Green Book's change of rate after year 30.
    inputs, team, schedule = case
    families = effective_families(team["completed"], team["dropped"], team["indirect"], inputs)
    factors = costmodel.discount_factors(np.arange(horizon), schedule)
    check_agreement(inputs, team["costs"], families, factors, team["started"])


def test_persistence_edges_match(case):
    """Whole and fractional full years, no full years, no drop-off and total drop-off."""
    inputs, team, schedule = case
    rng = np.random.default_rng(3)
    full_years = rng.choice([0.0, 0.4, 1.0, 2.0, 2.6, 7.0], size=DRAWS)
    drop_off = rng.choice([0.0, 0.3, 1.0], size=DRAWS)
    edgy = replace(inputs, full_years=full_years, drop_off=drop_off)
    families = effective_families(team["completed"], team["dropped"], team["indirect"], edgy)
    factors = costmodel.discount_factors(np.arange(12), schedule)
    check_agreement(edgy, team["costs"], families, factors)
    keep = persistence(full_years, drop_off, 12)
    expected = [
        [effect_left(k, f, d) for k in range(12)] for f, d in zip(full_years, drop_off, strict=True)
    ]
    np.testing.assert_allclose(keep, expected, rtol=TOLERANCE, atol=0)


@pytest.mark.parametrize("income_share", [0.3, 1.0, 1.5])
def test_payment_by_results_income_matches(case, income_share):
    """Income offsetting part of the costs, all of them (no BCR) and more than all."""
    inputs, team, schedule = case
    families = effective_families(team["completed"], team["dropped"], team["indirect"], inputs)
    factors = costmodel.discount_factors(np.arange(10), schedule)
    income = team["costs"] * income_share
    check_agreement(inputs, team["costs"], families, factors, team["started"], income)


def test_no_spend_gives_no_ratio(case):
    inputs, team, schedule = case
    families = effective_families(team["completed"], team["dropped"], team["indirect"], inputs)
    factors = costmodel.discount_factors(np.arange(10), schedule)
    check_agreement(inputs, np.zeros_like(team["costs"]), families, factors)


def test_effective_families_match(case):
    inputs, team, _ = case
    vec = effective_families(team["completed"], team["dropped"], team["indirect"], inputs)
    ref = [
        effective_families_one(
            team["completed"][i],
            team["dropped"][i],
            team["indirect"][i],
            float(inputs.dropout_effect[i]),
            float(inputs.indirect_effect[i]),
        )
        for i in range(DRAWS)
    ]
    np.testing.assert_allclose(vec, ref, rtol=TOLERANCE, atol=0)
