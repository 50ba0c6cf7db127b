"""The savings appraisal against hand-computed cases and invariants."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

import costmodel
from costmodel.greenbook.discounting import discount_factors, flat_rate
from costmodel.model.projection import project
from costmodel.model.savings import appraise, payback, persistence, savings_inputs

ONE = {"rate": 0.1, "cost": 1000.0, "effect": 0.5}  # 50 saved per family-year


def simple_inputs(params, **over):
    """Central savings inputs cut down to one outcome with round numbers."""
    inp = savings_inputs(params, "2018/19")
    one = {k: np.array([[v]]) for k, v in ONE.items()}
    base = dict(
        outcomes=("x",),
        rate=one["rate"],
        cost=one["cost"],
        effect=one["effect"],
        agency_share=np.array([[0.0, 0.4, 0.0, 0.6, 0.0, 0.0]]),
        issue=("crime_and_antisocial_behaviour",),
        full_years=np.array([2.0]),
        drop_off=np.array([0.5]),
        dropout_effect=np.array([0.0]),
        indirect_effect=np.array([0.0]),
        deadweight=np.array([0.1]),
        attribution=np.array([0.2]),
        displacement=np.array([0.05]),
        duration=np.zeros((1, 1)),
        economic_value=np.zeros((1, 1)),
        social_value=np.zeros((1, 1)),
        ob_costs=np.array([0.0]),
        ob_high=np.array([0.1]),
        ob_medium=np.array([0.25]),
        ob_low=np.array([0.4]),
        counterfactual=np.array([False]),
        grade=np.array([1]),
    )
    base.update(over)
    return replace(inp, **base)


def test_additionality_chain_by_hand(params):
    inp = simple_inputs(params)
    assert inp.additionality()[0] == pytest.approx(0.9 * 0.8 * 0.95 * 0.75)
    a = appraise(inp, np.zeros((1, 1)), np.array([[10.0]]), np.ones(4))
    # 10 families × 50 a year, full for 2 years then halving: 500, 500, 250, 125
    np.testing.assert_allclose(a.gross.sum(axis=2)[0], [500, 500, 250, 125])
    np.testing.assert_allclose(a.net.sum(axis=2)[0], np.array([500, 500, 250, 125]) * 0.513)
    assert a.pv_savings_gross[0] == pytest.approx(1375)


def test_persistence_shape():
    np.testing.assert_allclose(
        persistence(np.array([2.0]), np.array([0.5]), 5)[0], [1, 1, 0.5, 0.25, 0.125]
    )
    np.testing.assert_allclose(persistence(np.array([0.0]), np.array([0.2]), 2)[0], [0.8, 0.64])


def test_discounting_a_savings_stream_by_hand(params):
    inp = simple_inputs(
        params,
        deadweight=np.array([0.0]),
        attribution=np.array([0.0]),
        displacement=np.array([0.0]),
        ob_medium=np.array([0.0]),
    )
    df = discount_factors(np.arange(3), flat_rate(0.035))
    a = appraise(inp, np.array([[1000.0]]), np.array([[10.0]]), df)
    assert a.pv_savings_net[0] == pytest.approx(500 + 500 / 1.035 + 250 / 1.035**2)
    assert a.pv_costs[0] == pytest.approx(1000)
    assert a.npv[0] == pytest.approx(a.pv_savings_net[0] - 1000)
    assert a.bcr[0] == pytest.approx(a.pv_savings_net[0] / 1000)


def test_payback_interpolation_by_hand():
    # costs 100 in year 0; savings 40 a year: cumulative gap 60, 20, -20 at times 1, 2, 3
    assert payback(np.array([100.0, 0, 0]), np.array([40.0, 40, 40])) == pytest.approx(2.5)
    assert math.isnan(payback(np.array([100.0, 0]), np.array([10.0, 10])))
    assert math.isnan(payback(np.zeros(3), np.zeros(3)))  # nothing invested


def test_break_even_families_is_pv_costs_over_pv_net_per_family(params):
    inp = simple_inputs(params)
    a = appraise(
        inp,
        np.array([[800.0, 400.0]]),
        np.array([[6.0, 4.0]]),
        np.ones(5),
        families_helped=np.array([12.0]),
    )
    per_family = a.pv_savings_net[0] / 12
    assert a.break_even_families[0] == pytest.approx(1200 / per_family)
    # at the break-even scale of every effect, NPV is zero
    scaled = replace(inp, effect=inp.effect * a.break_even_effect_scale[0])
    b = appraise(scaled, np.array([[800.0, 400.0]]), np.array([[6.0, 4.0]]), np.ones(5))
    assert b.npv[0] == pytest.approx(0, abs=1e-9)


def test_savings_by_agency_sum_to_the_total(params):
    p = project(params, draws=500, seed=3)
    a = p.appraisal
    np.testing.assert_allclose(a.net_by_agency.sum(axis=2), a.net.sum(axis=2), rtol=1e-12)
    np.testing.assert_allclose(a.pv_by_agency().sum(axis=1), a.pv_savings_net, rtol=1e-12)
    # a draw may lose (an effect below zero): cashable is a share of the saving either way
    assert (np.abs(a.pv_by_agency(cashable=True)) <= np.abs(a.pv_by_agency()) + 1e-9).all()
    assert p.by_agency()["share"].sum() == pytest.approx(1.0)


def test_p_npv_positive_degenerate(params):
    inp = simple_inputs(params)
    inp2 = replace(
        inp,
        rate=np.repeat(inp.rate, 3, axis=0),
        cost=np.repeat(inp.cost, 3, 0),
        effect=np.repeat(inp.effect, 3, 0),
        **{
            k: np.repeat(getattr(inp, k), 3)
            for k in (
                "full_years",
                "drop_off",
                "dropout_effect",
                "indirect_effect",
                "deadweight",
                "attribution",
                "displacement",
                "light_touch_effect",
                "ob_costs",
                "ob_high",
                "ob_medium",
                "ob_low",
            )
        },
    )
    win = appraise(inp2, np.full((3, 1), 10.0), np.full((3, 1), 10.0), np.ones(3))
    lose = appraise(inp2, np.full((3, 1), 1e6), np.full((3, 1), 10.0), np.ones(3))
    assert (win.npv > 0).mean() == 1.0 and (lose.npv > 0).mean() == 0.0


def test_monte_carlo_mean_converges_where_linear(params):
    """Only one outcome's effect is drawn (every other distribution removed); NPV is
    linear in that effect and in the simulated families, which are independent, so the
    Monte Carlo mean NPV converges to the deterministic NPV."""
    path = "savings.outcomes.child_enters_care.effect"
    fixed = {
        k: {"value": params[k].value, "distribution": None}
        for k in params
        if params[k].distribution is not None and k != path
    }
    p1 = params.with_values(fixed)
    det = project(p1, draws=1).appraisal
    mc = project(p1, draws=40_000, seed=5).appraisal
    assert mc.pv_savings_net.std() > 0
    se = mc.npv.std() / math.sqrt(len(mc.npv))
    # the deterministic result uses the mean of 2,000 simulated runs: allow its error too
    assert abs(mc.npv.mean() - det.npv[0]) < 4 * se + 0.02 * det.pv_costs[0]


def test_no_team_saves_nothing(params):
    none = params.with_values({"team.budget.total": 0})
    p = project(none, draws=200, seed=1)
    assert (p.appraisal.pv_costs == 0).all() and (p.appraisal.pv_savings_net == 0).all()
    assert (p.appraisal.npv == 0).all() and p.p_npv_positive == 0.0
    assert np.isnan(p.appraisal.bcr).all()


def test_same_seed_same_projection(params):
    a = project(params, draws=300, seed=9)
    b = project(params, draws=300, seed=9)
    np.testing.assert_array_equal(a.appraisal.npv, b.appraisal.npv)


def test_cap_check_flags_impossible_rates(params):
    """More care entries than the county pays for: the model says so."""
    silly = params.with_values(
        {
            "savings.outcomes.child_enters_care.prevalence": 0.99,
            "savings.outcomes.child_enters_care.cost": 1_000_000,
        }
    )
    checks = project(silly, draws=1).appraisal.checks
    assert len(checks) == 1 and "child protection and safeguarding" in checks[0]
    assert project(params, draws=1).appraisal.checks == ()


def test_price_year_scales_money(params):
    a = project(params, draws=1)
    b = project(params, draws=1, price_year="2024/25")
    f = costmodel.deflators(params).factor("2018/19", "2024/25")
    assert b.appraisal.pv_costs[0] == pytest.approx(a.appraisal.pv_costs[0] * f, rel=1e-9)
    assert b.appraisal.pv_savings_net[0] == pytest.approx(
        a.appraisal.pv_savings_net[0] * f, rel=1e-9
    )


def test_effects_are_correlated_but_keep_their_distributions(params):
    from costmodel.model.savings import savings_correlations, savings_inputs, savings_paths
    from costmodel.params.sampling import sample

    def pooled(p, seed):
        values = sample(
            p, 40_000, np.random.default_rng(seed), savings_paths(p), savings_correlations(p)
        )
        effects = [c for c in values.columns if c.endswith(".effect")]
        return values[effects], values

    e, values = pooled(params, 4)
    c = np.corrcoef(e.to_numpy(), rowvar=False)
    off = c[~np.eye(len(c), dtype=bool)]
    assert 0.35 < off.mean() < 0.6
    care = params["savings.outcomes.child_enters_care.effect"]
    col = e["savings.outcomes.child_enters_care.effect"]
    # the pooled effect's normal, kept within (-1, 1): mean and spread as derived
    assert col.mean() == pytest.approx(care.value, abs=4 * care.distribution.params["sd"] / 200)
    assert col.std() == pytest.approx(care.distribution.params["sd"], rel=0.03)
    # the effect applied is pooled × design multiplier × transfer factor, draw by draw
    inp = savings_inputs(params, "2018/19", values=values)
    j = inp.outcomes.index("child_enters_care")
    np.testing.assert_allclose(
        inp.effect[:, j],
        col.to_numpy()
        * values["savings.evidence.design.comparison_group"].to_numpy()
        * values["savings.evidence.transfer"].to_numpy(),
        rtol=1e-12,
    )
    flat, _ = pooled(params.with_values({"savings.effect_correlation": 0}), 4)
    c0 = np.corrcoef(flat.to_numpy(), rowvar=False)
    assert np.abs(c0[~np.eye(len(c0), dtype=bool)]).max() < 0.03


def test_troubled_families_income_by_hand(params):
    """Phase 2 scale: 4,190 families over five years; each attracts a £1,000 attachment
    fee and, for the share that succeed, an £800 results payment."""
    p = project(params, "troubled_families_phase2", draws=1)
    a = p.appraisal
    f = costmodel.deflators(params).factor("2015/16", "2018/19")
    per_family = (1000 + 0.8 * 800) * f
    assert a.income.sum() == pytest.approx(4190 * per_family)
    assert a.families[0] == pytest.approx(4190)
    # fiscal: the income is a transfer from central government and cancels
    assert a.npv[0] == pytest.approx(a.pv_savings_net[0] - a.pv_costs[0])
    assert a.bcr[0] == pytest.approx(a.pv_savings_net[0] / a.pv_costs[0])
    # the council's own views count it
    views = p.perspectives()
    for view in ("local", "funder"):
        assert views.loc[view, "pv_costs"] == pytest.approx(a.pv_costs[0] - a.pv_income[0])
    assert views.loc["fiscal", "npv"] == pytest.approx(a.npv[0])
    assert p.start_year == "2015-04-01"
    # the team itself is switched off in this scenario: the families are the programme's
    assert [f.name for f in p.programmes] == ["troubled_families_phase2"]
    assert p.families_started[0] == pytest.approx(4190)


def _payback_loop(costs: np.ndarray, savings: np.ndarray) -> np.ndarray:
    """Payback draw by draw: the last time cumulative savings overtake cumulative costs."""
    out = np.full(len(costs), np.nan)
    for i, (c, s) in enumerate(zip(costs, savings, strict=True)):
        gap = np.concatenate([[0.0], np.cumsum(c - s)])
        crossings = [t for t in range(1, len(gap)) if gap[t] <= 0 < gap[t - 1]]
        if (gap[1:] > 0).any() and crossings and crossings[-1] > np.nonzero(gap > 0)[0][-1]:
            t = crossings[-1]
            out[i] = t - 1 + gap[t - 1] / (gap[t - 1] - gap[t])
    return out


def test_vectorised_payback_agrees_with_a_draw_by_draw_loop():
    rng = np.random.default_rng(4)
    costs = rng.choice([0.0, 1.0, 5.0], size=(3000, 8)) * rng.random((3000, 8))
    savings = rng.random((3000, 8)) * rng.choice([0.3, 1.0, 3.0], size=(3000, 1))
    got, want = payback(costs, savings), _payback_loop(costs, savings)
    assert np.isfinite(want).sum() > 300 and np.isnan(want).sum() > 300  # both cases met
    np.testing.assert_allclose(got, want, rtol=1e-12, equal_nan=True)


def test_family_cost_reconciliation_adds_up_and_rebases_the_published_figure(params):
    from costmodel.model.savings import family_cost_reconciliation

    r = family_cost_reconciliation(params, "2018/19")["yearly_cost_per_family"]
    outcomes = r.drop(["modelled", "published", "not_modelled"])
    assert r["modelled"] == pytest.approx(outcomes.sum())
    ref = params["savings.published_family_cost.per_troubled_family"]
    share = params["savings.published_family_cost.reactive_share"].value
    factor = costmodel.deflators(params).factor(ref.price_year, "2018/19")
    assert r["published"] == pytest.approx(75_000 * share * factor)
    assert r["not_modelled"] == pytest.approx(r["published"] - r["modelled"])
    # a care entry: its yearly rate times its cost per occurrence
    care = params["savings.outcomes.child_enters_care.cost"]
    care_cost = care.value * costmodel.deflators(params).factor(care.price_year, "2018/19")
    # a stock: the share in care at a time × a year's cost (rate × duration × yearly cost)
    prevalence = params["savings.outcomes.child_enters_care.prevalence"].value
    assert r["child_enters_care"] == pytest.approx(prevalence * care_cost)
