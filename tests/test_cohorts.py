"""Cohorts followed for the same years after support, discounted to one base year."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from test_savings import simple_inputs

import costmodel
from costmodel.greenbook.discounting import discount_factors, flat_rate
from costmodel.model.projection import common_basis, compare, project
from costmodel.model.savings import appraise, savings_streams

NO_ADJUSTMENTS = {
    "deadweight": np.array([0.0]),
    "attribution": np.array([0.0]),
    "displacement": np.array([0.0]),
    "ob_medium": np.array([0.0]),
    "full_years": np.array([50.0]),  # no drop-off: every year saves 50 a family
}


def test_two_cohorts_same_years_after_support_one_base_year(params):
    """One family ends support in year 0, one in year 2; each is followed for three
    years: savings of 50 in years 0, 1, 2 and in years 2, 3, 4, discounted at 10%."""
    inp = simple_inputs(params, **NO_ADJUSTMENTS)
    families = np.array([[1.0, 0.0, 1.0]])
    gross = savings_streams(inp, families, horizon=6, years_after_support=3).sum(axis=2)[0]
    np.testing.assert_allclose(gross, [50, 50, 100, 50, 50, 0])
    df = discount_factors(np.arange(6), flat_rate(0.10))
    a = appraise(inp, np.zeros((1, 1)), families, df, years_after_support=3)
    want = 50 + 50 / 1.1 + 100 / 1.1**2 + 50 / 1.1**3 + 50 / 1.1**4
    assert a.pv_savings_gross[0] == pytest.approx(want)
    # discounted to a base year one year earlier, every year is one year further away
    earlier = discount_factors(np.arange(6) + 1, flat_rate(0.10))
    b = appraise(inp, np.zeros((1, 1)), families, earlier, years_after_support=3)
    assert b.pv_savings_gross[0] == pytest.approx(want / 1.1)
    # without a per-cohort limit the first cohort runs on to the horizon
    longer = savings_streams(inp, families, horizon=6).sum(axis=2)[0]
    np.testing.assert_allclose(longer, [50, 50, 100, 100, 100, 100])


def test_quarterly_cohorts_by_hand(params):
    """A family ending support in the first quarter of year 0 and one in the third
    quarter of year 1, each followed for two years with no drop-off: 50 a year each,
    so 12.5 a quarter from the quarter support ends, for eight quarters."""
    inp = simple_inputs(params, **NO_ADJUSTMENTS)
    families = np.zeros((1, 8))
    families[0, 0] = 1.0  # year 0, quarter 1
    families[0, 6] = 1.0  # year 1, quarter 3
    gross = savings_streams(
        inp, families, horizon=4, years_after_support=2, cohorts_per_year=4
    ).sum(axis=2)[0]
    # first: all of years 0 and 1; second: two quarters of year 1, all of year 2, two
    # quarters of year 3
    np.testing.assert_allclose(gross, [50, 50 + 25, 50, 25])
    df = discount_factors(np.arange(4), flat_rate(0.10))
    a = appraise(inp, np.zeros((1, 1)), families, df, years_after_support=2, cohorts_per_year=4)
    want = 50 + 75 / 1.1 + 50 / 1.1**2 + 25 / 1.1**3
    assert a.pv_savings_gross[0] == pytest.approx(want)


def test_quarterly_cohorts_in_first_quarters_equal_yearly_cohorts(params):
    """With drop-off, families who all end support in a year's first quarter save what
    yearly cohorts save: the two resolutions agree where they should."""
    inp = simple_inputs(
        params, **{**NO_ADJUSTMENTS, "full_years": np.array([1.0]), "drop_off": np.array([0.4])}
    )
    yearly = np.array([[3.0, 0.0, 2.0]])
    quarterly = np.zeros((1, 12))
    quarterly[0, [0, 4, 8]] = yearly[0]
    a = savings_streams(inp, yearly, horizon=8, years_after_support=5)
    b = savings_streams(inp, quarterly, horizon=8, years_after_support=5, cohorts_per_year=4)
    np.testing.assert_allclose(a, b)
    # spread over the year instead, the same families save the same in total but later
    spread = np.repeat(yearly / 4, 4, axis=1)
    c = savings_streams(inp, spread, horizon=9, years_after_support=5, cohorts_per_year=4)
    assert c.sum() == pytest.approx(a.sum())
    assert c.sum(axis=2)[0, 0] < a.sum(axis=2)[0, 0]


def test_a_year_before_the_base_is_compounded():
    rates = flat_rate(0.035)
    np.testing.assert_allclose(
        discount_factors(np.array([-2, -1, 0, 1]), rates), [1.035**2, 1.035, 1, 1 / 1.035]
    )


def test_the_appraisal_period_runs_to_the_last_cohorts_end(params):
    p = project(params, "calibrated", draws=1, years_after_support=4)
    assert p.years_after_support == 4
    # cohorts end support in the quarters of years 0, 1 and 2; the last, in the last
    # quarter of year 2, is followed for four years from there, into year 6
    assert p.appraisal.horizon == 7
    assert p.base_date == p.start_year == "2019-02-01"
    gross = p.appraisal.gross.sum(axis=2)[0]
    assert gross[-1] > 0
    # a horizon cut short stops every stream there
    cut = project(params, "calibrated", draws=1, years_after_support=4, horizon=4)
    np.testing.assert_allclose(cut.appraisal.gross.sum(axis=2)[0], gross[:4])


def test_a_later_base_date_discounts_less(params):
    a = project(params, "calibrated", draws=1)
    b = project(params, "calibrated", draws=1, base_date=dt.date(2018, 2, 1))
    # one whole year earlier: every present value divides by 1.035
    assert b.appraisal.pv_costs[0] == pytest.approx(a.appraisal.pv_costs[0] / 1.035)
    assert b.appraisal.npv[0] == pytest.approx(a.appraisal.npv[0] / 1.035)


def test_compare_puts_every_scenario_on_one_base_date(params):
    names = ["calibrated", "troubled_families_phase2"]
    basis = common_basis(params, names)
    tf_start = costmodel.apply_scenario(params, names[1])[
        "programmes.troubled_families_phase2.start_date"
    ].value
    assert basis["base_date"] == min(tf_start, dt.date(2019, 2, 1))
    assert basis["price_year"] == "2018/19"
    table = compare(params, names, draws=1)
    alone = project(params, "calibrated", draws=1, base_date=basis["base_date"])
    assert table.loc["npv", "calibrated"] == pytest.approx(alone.appraisal.npv[0])
    assert table.loc["npv", "calibrated"] != pytest.approx(
        project(params, "calibrated", draws=1).appraisal.npv[0]
    )


def test_cli_takes_years_after_support_and_base_date(capsys):
    from costmodel.cli import main

    argv = ["project", "--draws", "1", "--format", "json"]
    assert main([*argv, "--years-after-support", "5", "--base-date", "2019-02-01"]) == 0
    import json

    d = json.loads(capsys.readouterr().out)
    assert d["years_after_support"] == 5 and d["horizon_years"] == 8
    assert d["base_date"] == "2019-02-01"
    assert main([*argv, "--base-date", "1 Feb 2019"]) == 2
    assert "not a date" in capsys.readouterr().err
    assert main([*argv, "--years-after-support", "0"]) == 1
    assert "--years-after-support" in capsys.readouterr().err


def test_without_a_follow_up_the_appraisal_needs_a_horizon(params):
    from costmodel.model.projection import FOLLOW_UP
    from costmodel.params.errors import ParameterError
    from costmodel.params.store import ParameterSet

    without = ParameterSet(
        {k: v for k, v in params.items() if k != FOLLOW_UP}, params.root, studies=params.studies
    )
    with pytest.raises(ParameterError, match="years each cohort is followed, or a horizon"):
        project(without, "calibrated", draws=1)
    cut = project(without, "calibrated", draws=1, horizon=6)
    assert cut.appraisal.horizon == 6 and cut.years_after_support is None
