"""The report's results hold the numbers the presentation shows: financial-year
apportionment, NPV per family and its band, and the confidence grade's rule."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from costmodel.analysis.report import ReportContent
from costmodel.greenbook.financial_years import apportion_to_financial_years
from costmodel.model.projection import project

QUARTER = dt.timedelta(weeks=13)


# ------------------------------------------------------------------ financial years


def test_a_quarter_is_split_by_its_days_in_each_financial_year():
    # 1 February 2019 + 91 days: 28 days of February and 31 of March in 2018/19 (59),
    # then 1 April to 2 May 2019 in 2019/20 (32)
    out = apportion_to_financial_years([91.0], dt.date(2019, 2, 1), QUARTER)
    assert out == {"2018/19": pytest.approx(59.0), "2019/20": pytest.approx(32.0)}


def test_a_quarter_from_the_first_of_april_stays_in_its_year():
    out = apportion_to_financial_years([1000.0], dt.date(2019, 4, 1), QUARTER)
    assert out == {"2019/20": 1000.0}


def test_a_period_across_two_year_ends_is_split_three_ways():
    # 400 days from 1 March 2019: 31 in 2018/19, 366 in 2019/20 (29 February 2020), 3 after
    out = apportion_to_financial_years([400.0], dt.date(2019, 3, 1), dt.timedelta(days=400))
    assert list(out) == ["2018/19", "2019/20", "2020/21"]
    np.testing.assert_allclose(list(out.values()), [31.0, 366.0, 3.0])


def test_apportioned_amounts_add_to_the_total():
    rng = np.random.default_rng(7)
    amounts = rng.uniform(0, 1e5, size=14)
    out = apportion_to_financial_years(amounts, dt.date(2018, 11, 19), QUARTER)
    assert sum(out.values()) == pytest.approx(amounts.sum(), rel=1e-12)
    assert list(out) == sorted(out)


# ------------------------------------------------------------------ NPV per family


@pytest.fixture(scope="module")
def central(params):
    return project(params, "central", draws=200, seed=5)


def test_npv_per_family_is_mean_npv_over_mean_families_with_each_draws_band(central):
    mean, low, high = central.npv_per_family(5, 95)
    h = central.headlines()["estimate"]
    assert mean == pytest.approx(h["npv"] / h["families_started"], rel=1e-12)
    # the band, from the stored draws one by one
    ratios = [
        npv / families
        for npv, families in zip(central.appraisal.npv, central.families_started, strict=False)
        if families > 0
    ]
    assert low == pytest.approx(np.percentile(ratios, 5))
    assert high == pytest.approx(np.percentile(ratios, 95))
    assert low <= high


def test_npv_per_family_without_families_is_zero(params):
    none = project(params, "no_team", draws=20, seed=5)
    assert float(none.headlines().loc["families_started", "estimate"]) == 0
    assert none.npv_per_family() == (0.0, 0.0, 0.0)


# ------------------------------------------------------------------ the confidence grade


@pytest.mark.parametrize(
    ("shares", "grade"),
    [
        ({"high": 0.6, "medium": 0.3, "low": 0.1}, "high"),  # a majority
        ({"high": 0.1, "medium": 0.2, "low": 0.7}, "low"),
        ({"high": 0.4, "medium": 0.35, "low": 0.25}, "medium"),  # the weaker of the two largest
        ({"high": 0.45, "medium": 0.1, "low": 0.45}, "low"),
        ({"high": 0.5, "medium": 0.5, "low": 0.0}, "medium"),  # half is no majority
    ],
)
def test_the_grade_is_the_majoritys_or_the_weaker_of_the_two_largest(monkeypatch, shares, grade):
    by = pd.DataFrame(
        {
            "grade": list(shares) * 2,
            "share": [v / 2 for v in shares.values()] * 2,  # two outcomes a grade
        },
        index=[f"outcome_{i}" for i in range(2 * len(shares))],
    )
    monkeypatch.setattr(ReportContent, "savings_by_outcome", lambda self, scenario=None: by)
    got, on_each = ReportContent.confidence(object.__new__(ReportContent))
    assert got == grade
    assert on_each.to_dict() == pytest.approx(shares)
