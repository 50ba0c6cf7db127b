"""The what-ifs behind the savings view (costmodel.analysis.what_if), checked by hand."""

from __future__ import annotations

import numpy as np
import pytest

import costmodel
from costmodel.analysis.what_if import (
    DISCOUNT,
    effect_paths,
    first_discount_rate,
    pv_costs_less_income,
    scaled_effects,
    what_if_overrides,
)


@pytest.fixture(scope="module")
def central(params):
    return costmodel.apply_scenario(params, "central")


def test_scaling_effects_scales_value_and_spread_and_caps_at_one(central):
    paths = effect_paths(central)
    assert paths and all(q.startswith("savings.outcomes.") for q in paths)
    assert scaled_effects(central, 1.0) == {}
    half = scaled_effects(central, 0.5)
    assert set(half) == set(paths)
    care = "savings.outcomes.child_enters_care.effect"
    e = central[care]
    assert half[care]["value"] == pytest.approx(0.5 * float(e.value))
    assert half[care]["distribution"]["type"] == e.distribution.family
    assert half[care]["distribution"]["sd"] == pytest.approx(0.5 * e.distribution.params["sd"])
    big = scaled_effects(central, 1 / float(e.value) + 1)  # past 1 for this effect
    assert big[care]["value"] == 1.0
    with pytest.raises(ValueError, match="effect scale"):
        scaled_effects(central, -1)


def test_what_if_overrides_apply_as_the_library_reads_them(central):
    o = what_if_overrides(
        central, {"savings.additionality.deadweight": 0.3}, effect_scale=2.0, discount_rate=0.05
    )
    assert o["savings.additionality.deadweight"] == 0.3
    assert o[DISCOUNT] == {"value": {0: 0.05}}
    p = central.with_values(o)
    assert p[DISCOUNT].value == {0: 0.05}
    care = "savings.outcomes.child_enters_care.effect"
    assert p[care].value == pytest.approx(2 * central[care].value)
    # the scenario's own discount rate leaves its schedule (and its later bands) alone
    same = what_if_overrides(central, {}, discount_rate=first_discount_rate(central))
    assert same == {}
    assert first_discount_rate(central) == central[DISCOUNT].value[0]


def test_costs_less_income_is_costs_where_there_is_no_income(central):
    a = costmodel.project(central, None, draws=1).appraisal
    np.testing.assert_allclose(pv_costs_less_income(a), a.pv_costs - a.pv_income)
    if a.income is None:
        np.testing.assert_array_equal(pv_costs_less_income(a), a.pv_costs)
