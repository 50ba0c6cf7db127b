"""Green Book prices and discounting against hand computation."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import costmodel
from costmodel.greenbook.discounting import DiscountSchedule
from costmodel.params.errors import ParameterError


@pytest.fixture(scope="module")
def defl(params):
    return costmodel.deflators(params)


def test_known_deflator_ratio(defl):
    # HM Treasury, March 2026: 2014-15 = 74.0662 and 2024-25 = 100 (2024-25 = 100)
    assert defl.factor("2014/15", "2024/25") == pytest.approx(100 / 74.0662, rel=1e-12)
    assert costmodel.rebase(199_000_000, "2014/15", "2024/25", defl) == pytest.approx(
        199_000_000 * 100 / 74.0662
    )


def test_rebasing_round_trips(defl):
    x = np.array([1.0, 59.5e6, 123_456.78])
    there = costmodel.rebase(x, "2008/09", "2027/28", defl)
    back = costmodel.rebase(there, "2027/28", "2008/09", defl)
    np.testing.assert_allclose(back, x, rtol=1e-13)
    s = pd.Series([1.0, 2.0])
    pd.testing.assert_series_equal(
        costmodel.rebase(
            costmodel.rebase(s, "2014/15", "2020/21", defl), "2020/21", "2014/15", defl
        ),
        s,
    )


def test_factors_chain(defl):
    a = defl.factor("2005/06", "2014/15") * defl.factor("2014/15", "2024/25")
    assert a == pytest.approx(defl.factor("2005/06", "2024/25"), rel=1e-13)


def test_forecast_years_are_labelled(defl):
    assert not defl.is_forecast("2024/25")
    assert defl.is_forecast("2025/26")
    assert "forecast" in defl.basis("2026/27")
    assert "forecast" not in defl.basis("2014/15")


def test_year_outside_the_series_is_a_clear_error(defl):
    with pytest.raises(ParameterError, match="no deflator for 1995/96"):
        defl.factor("1995/96", "2014/15")
    with pytest.raises(ValueError, match="financial year"):
        defl.factor("2014", "2015/16")


def test_financial_year_series_agrees_with_calendar_years(defl):
    """An independent route: HM Treasury's calendar-year series (December 2025 QNA,
    2024 = 100), weighted 9/12 and 3/12 into financial years, tracks the financial-year
    series to within half a per cent over a decade."""
    cal = {2004: 59.8584, 2005: 61.5718, 2013: 73.4795, 2014: 74.6524, 2015: 75.1536}

    def fy(y):
        return 0.75 * cal[y] + 0.25 * cal[y + 1]

    assert fy(2014) / fy(2004) == pytest.approx(defl.factor("2004/05", "2014/15"), rel=5e-3)
    assert fy(2014) / fy(2013) == pytest.approx(defl.factor("2013/14", "2014/15"), rel=5e-3)


def test_standard_discount_factors_by_hand(params):
    sch = costmodel.discount_schedule(params, "standard")
    years = np.array([0, 1, 30, 31, 75, 76])
    df = costmodel.discount_factors(years, sch)
    d30 = 1 / 1.035**30
    d75 = d30 / 1.03**45
    expected = [1.0, 1 / 1.035, d30, d30 / 1.03, d75, d75 / 1.025]
    np.testing.assert_allclose(df, expected, rtol=1e-12)
    assert df[1] == pytest.approx(0.966183574879227, rel=1e-12)


def test_health_rate_and_flat_rate(params):
    h = costmodel.discount_schedule(params, "health")
    assert costmodel.discount_factors(10, h) == pytest.approx(1 / 1.015**10)
    assert costmodel.discount_factors(31, h) == pytest.approx(1 / 1.015**30 / 1.0129)
    flat = costmodel.flat_rate(0.05)
    np.testing.assert_allclose(
        costmodel.discount_factors(np.arange(4), flat), 1 / 1.05 ** np.arange(4)
    )


def test_unknown_schedule_and_bad_years(params):
    with pytest.raises(ValueError, match="unknown discount schedule"):
        costmodel.discount_schedule(params, "generous")
    with pytest.raises(ValueError, match="whole numbers"):
        costmodel.discount_factors(np.array([1.5]), costmodel.flat_rate(0.035))
    with pytest.raises(ValueError):
        DiscountSchedule("bad", (1,), (0.03,))


def test_present_value_by_hand(params):
    sch = costmodel.discount_schedule(params, "standard")
    stream = [100.0, 100.0, 100.0]
    expected = 100 + 100 / 1.035 + 100 / 1.035**2
    assert costmodel.present_value(stream, sch) == pytest.approx(expected, rel=1e-12)
    # a stream starting in year 2
    assert costmodel.present_value([50.0], sch, start=2) == pytest.approx(50 / 1.035**2)
    # a Series indexed by year offset
    s = pd.Series([10.0, 20.0], index=[0, 31])
    assert costmodel.present_value(s, sch) == pytest.approx(10 + 20 / 1.035**30 / 1.03)
    # vectorised over draws: one PV per row
    draws = np.array([[1.0, 1.0], [2.0, 0.0]])
    np.testing.assert_allclose(costmodel.present_value(draws, sch), [1 + 1 / 1.035, 2.0])
    assert math.isclose(costmodel.present_value(np.zeros(5), sch), 0.0)


def test_a_cash_budget_buys_less_as_prices_rise(params):
    import datetime as dt

    from costmodel.greenbook.prices import cash_to_real, deflators, financial_year_of
    from costmodel.model.team import reach_inputs

    assert financial_year_of(dt.date(2019, 2, 1)) == "2018/19"
    assert financial_year_of(dt.date(2019, 4, 1)) == "2019/20"
    defl = deflators(params)
    real, parts = cash_to_real(900.0, dt.date(2019, 2, 1), 3, "2018/19", defl)
    assert [fy for fy, _ in parts] == ["2018/19", "2019/20", "2020/21"]
    levels = [defl.level(y) for y in ("2018/19", "2019/20", "2020/21")]
    assert real == pytest.approx(300 * sum(levels[0] / x for x in levels))
    assert real < 900
    inputs = reach_inputs(params, runs=2)
    assert inputs.budget_cash == 1_000_000
    assert inputs.budget == pytest.approx(
        cash_to_real(1_000_000, dt.date(2019, 2, 1), 3, "2018/19", defl)[0]
    )
