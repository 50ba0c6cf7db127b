"""The baseline reproduces EIF's published figures and adds up exactly."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import costmodel
from costmodel.model.ipf import fit, largest_remainder, round_to_margins
from costmodel.params.errors import ParameterError

PUBLISHED_NORTHANTS = {  # EIF 2014/15, as quoted by the Police and Crime Commissioner
    "crime_and_antisocial_behaviour": 59_500_000,
    "youth_substance_misuse": 3_000_000,
    "child_protection_and_safeguarding": 63_000_000,
}


@pytest.fixture(scope="module")
def nb(northants):
    return costmodel.baseline(northants)


@pytest.fixture(scope="module")
def ew(params):
    return costmodel.baseline(params, "england_and_wales")


def test_northamptonshire_published_figures_to_the_pound(nb):
    assert nb.total == 199_000_000
    for issue, value in PUBLISHED_NORTHANTS.items():
        assert nb.by_issue[issue] == value
        assert nb.issue_status[issue] == "published"
    rest = nb.by_issue.drop(list(PUBLISHED_NORTHANTS))
    assert rest.sum() == 73_500_000
    assert set(nb.issue_status[rest.index]) == {"derived"}


def test_remainder_follows_national_shares(nb, ew):
    rest = nb.by_issue.drop(list(PUBLISHED_NORTHANTS))
    national = ew.by_issue[rest.index]
    np.testing.assert_allclose(rest / rest.sum(), national / national.sum(), atol=1e-8)


def test_national_figures_and_agency_totals_to_the_pound(ew):
    assert ew.total == 16_600_000_000
    assert ew.by_issue["child_protection_and_safeguarding"] == 6_000_000_000
    assert ew.by_issue["crime_and_antisocial_behaviour"] == 5_200_000_000
    assert ew.by_issue["youth_economic_inactivity"] == 3_700_000_000
    # the £0.9bn published for mental health and substance misuse together is kept
    # (substance misuse plus the mental-health part of the injuries-and-mental-health row)
    assert ew.by_issue["youth_substance_misuse"] == round(0.28 * 900_000_000)
    for agency, value in {
        "local_authority": 6_500_000_000,
        "welfare": 3_700_000_000,
        "nhs": 3_000_000_000,
        "criminal_justice": 1_300_000_000,
    }.items():
        assert ew.by_agency[agency] == value
        assert ew.agency_status[agency] == "published"
    assert ew.by_agency["police"] + ew.by_agency["schools"] == 2_100_000_000


@pytest.mark.parametrize("area", ["northamptonshire", "england_and_wales"])
@pytest.mark.parametrize("price_year", [None, "2024/25", "2027/28"])
def test_rows_and_columns_sum_exactly(params, area, price_year):
    b = costmodel.baseline(params, area, price_year)
    t = b.table.to_numpy()
    assert t.dtype.kind == "i"
    assert (t >= 0).all()
    assert t.sum(axis=1).sum() == t.sum() == t.sum(axis=0).sum() == b.total
    assert b.by_issue.sum() == b.by_agency.sum() == b.total


def test_structural_zeros_stay_zero(nb):
    assert nb.table.loc["youth_economic_inactivity"].drop("welfare").sum() == 0
    assert nb.table.loc["school_absence_and_exclusion", "police"] == 0


def test_agency_split_uses_the_national_fitted_shares(nb, ew):
    shares_n = nb.table.div(nb.by_issue, axis=0)
    shares_e = ew.table.div(ew.by_issue, axis=0)
    np.testing.assert_allclose(shares_n, shares_e, atol=1e-6)


def test_other_price_year(params, nb):
    b = costmodel.baseline(params, "northamptonshire", "2024/25")
    f = costmodel.deflators(params).factor("2014/15", "2024/25")
    assert b.total == round(199_000_000 * f)
    assert abs(b.by_issue["crime_and_antisocial_behaviour"] - 59_500_000 * f) <= 1
    assert b.per_person == pytest.approx(nb.per_person * f, rel=1e-8)
    assert b.price_year == "2024/25" and "forecast" not in b.price_basis
    later = costmodel.baseline(params, "northamptonshire", "2026/27")
    assert "forecast" in later.price_basis


def test_per_person(nb, ew):
    assert nb.per_person == pytest.approx(199_000_000 / 715_474)
    # EIF (2016) published £287 a head for England and Wales on "nearly £17bn"
    assert 280 < ew.per_person < 295


def test_bottom_up_items_and_reconciliation(nb, northants):
    bu = nb.bottom_up
    cla = bu[bu["item"] == "children_looked_after"].iloc[0]
    f = costmodel.deflators(northants).factor("2013/14", "2014/15")
    assert cla["cost"] == pytest.approx(69540 * 0.01461 * 51080 * f)  # national × share
    # each issue's items plus its not-itemised line give back the top-down figure
    for issue, group in bu.groupby("issue"):
        assert group["cost"].sum() == pytest.approx(nb.by_issue[issue])


def test_updating_a_count_moves_only_its_items(northants, nb):
    more = northants.with_values({"areas.northamptonshire.activity.permanent_exclusions": 120})
    b2 = costmodel.baseline(more)
    pd.testing.assert_frame_equal(b2.table, nb.table)  # the top-down figure is EIF's
    a, b = nb.bottom_up.set_index("item"), b2.bottom_up.set_index("item")
    extra = 25 * a.loc["permanent_exclusions", "unit_cost"]
    assert b.loc["permanent_exclusions", "cost"] - a.loc[
        "permanent_exclusions", "cost"
    ] == pytest.approx(extra)
    gap_a = a[(a["issue"] == "school_absence_and_exclusion")].loc["not_itemised", "cost"]
    gap_b = b[(b["issue"] == "school_absence_and_exclusion")].loc["not_itemised", "cost"]
    assert gap_a - gap_b == pytest.approx(extra)


def test_derived_counts_follow_the_areas_child_population_share(northants, nb):
    """A count the area does not give is the national count times its share of
    England's children: doubling the share doubles it, and nothing is copied."""
    cla = nb.bottom_up.set_index("item").loc["children_looked_after"]
    national = northants["areas.england_and_wales.activity.children_looked_after"].value
    share = northants["areas.northamptonshire.activity.child_population_share"].value
    assert cla["count"] == pytest.approx(national * share)
    assert cla["count_source"].startswith("derived: areas.england_and_wales.activity")
    doubled = northants.with_values(
        {"areas.northamptonshire.activity.child_population_share": 2 * share}
    )
    b2 = costmodel.baseline(doubled).bottom_up.set_index("item")
    assert b2.loc["children_looked_after", "count"] == pytest.approx(2 * national * share)


def test_published_parts_above_total_is_an_error(northants):
    bad = northants.with_values({"areas.northamptonshire.late_intervention.total": 100_000_000})
    with pytest.raises(ParameterError, match="more than the total"):
        costmodel.baseline(bad)


def test_unknown_area_is_an_error(params):
    with pytest.raises(ParameterError, match="unknown area 'rutland'"):
        costmodel.baseline(params, "rutland")


def test_ipf_hand_case():
    # 2x2 seed of ones, rows (3, 7), columns (4, 6): the fitted table is the
    # independence table r_i c_j / N.
    x = fit(np.ones((2, 2)), np.array([3.0, 7.0]), np.array([4.0, 6.0]))
    np.testing.assert_allclose(x, np.outer([3, 7], [4, 6]) / 10, rtol=1e-10)
    # grouped columns keep the seed's proportions inside the group
    y = fit(
        np.array([[1.0, 1.0, 3.0]]),
        np.array([10.0]),
        np.array([2.0, 8.0]),
        col_groups=[[0], [1, 2]],
    )
    np.testing.assert_allclose(y, [[2.0, 2.0, 6.0]], rtol=1e-10)


def test_largest_remainder_and_margin_rounding():
    v = np.array([0.4, 0.4, 0.2]) * 10  # 4, 4, 2
    assert largest_remainder(v, 10).tolist() == [4, 4, 2]
    assert largest_remainder(np.array([1.5, 1.5, 1.0]), 4).sum() == 4
    rng = np.random.default_rng(3)
    x = rng.uniform(0, 1000, size=(6, 6))
    x[0, 1] = 0.0
    rows = largest_remainder(x.sum(axis=1), int(round(x.sum())))
    cols = largest_remainder(x.sum(axis=0), int(round(x.sum()))).astype(float)
    cols[5] = np.nan  # one free column takes up the difference
    r = round_to_margins(x, rows, cols)
    assert (r.sum(axis=1) == rows).all() and (r.sum(axis=0)[:5] == cols[:5]).all()
    assert r[0, 1] == 0
    assert np.abs(r - x).max() < 2


def test_baseline_draws_are_reproducible_and_add_up(northants):
    a = costmodel.baseline_draws(northants, draws=500, seed=7)
    b = costmodel.baseline_draws(northants, draws=500, seed=7)
    np.testing.assert_array_equal(a.matrix, b.matrix)
    np.testing.assert_allclose(a.by_issue.sum(axis=1), 199_000_000, rtol=1e-12)
    np.testing.assert_allclose(a.matrix.sum(axis=2), a.by_issue, rtol=1e-9)
    # published issues do not vary; the derived ones do
    s = a.summary()
    assert s.loc["crime_and_antisocial_behaviour", "p5"] == pytest.approx(59_500_000)
    assert s.loc["youth_economic_inactivity", "p95"] > s.loc["youth_economic_inactivity", "p5"]
    c = costmodel.baseline_draws(northants, draws=500, seed=8)
    assert not np.array_equal(a.matrix, c.matrix)
