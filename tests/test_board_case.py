"""The board's case: options ranked, the recommendation, the ask and its break clause, the
risk register's likelihoods, and the case file checked as strictly as parameters."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from costmodel.analysis.board_case import IncrementalOutcome, board_case, chance_beyond
from costmodel.model.decision import appraise_options
from costmodel.params.decisions import load_decision
from costmodel.params.distributions import draw
from costmodel.params.errors import ParameterError

DECIDED = dt.date(2026, 12, 1)


@pytest.fixture(scope="module")
def spec():
    return load_decision("successor", None, "northamptonshire")


@pytest.fixture(scope="module")
def appraisal(params, spec):
    return appraise_options(params, spec, draws=400, seed=3, decision_date=DECIDED)


@pytest.fixture(scope="module")
def switching(params):
    """A small, hand-made switching table (values from the parameters; the register only
    reads it)."""
    rows = {
        "savings.outcomes.domestic_abuse.effect": (0.15, 0.12),
        "savings.optimism_bias.benefits_low": (0.4, 0.5),
        "prices.discounting.rate": (0.035, np.nan),
    }
    frame = pd.DataFrame(
        [
            {"parameter": k, "central": c, "switching": s, "change": (s - c) / c}
            for k, (c, s) in rows.items()
        ]
    ).set_index("parameter")
    return frame


@pytest.fixture(scope="module")
def case(appraisal, spec, params, switching):
    return board_case(appraisal, spec, params, switching=switching)


def test_options_are_ranked_on_the_named_perspective(case, appraisal):
    """Each option's NPV is its social NPV less stopping's, as the perspectives table;
    best first; the recommendation is the best if its expected NPV is positive."""
    persp = appraisal.perspectives()
    assert case.ranked_by == "social"
    for name, row in case.options.iterrows():
        assert row["npv"] == pytest.approx(persp.loc[(name, "social"), "npv"])
        assert row["npv_fiscal"] == pytest.approx(appraisal.incremental().loc[name, "npv"])
        assert row["npv_p5"] <= row["npv_p95"] and 0 <= row["p_better"] <= 1
    assert list(case.options["npv"]) == sorted(case.options["npv"], reverse=True)
    best = case.options.index[0]
    expected = best if case.options["npv"].iloc[0] > 0 else None
    assert case.recommended == expected


def test_the_ask_splits_the_budget_and_its_break_clause_releases_the_rest(case, appraisal):
    """By hand: the budget of the recommended option, its shares from the cost sharing on
    cashable savings, and the break clause at two years of a three-year programme that
    starts on 1 April 2027 (1,096 days to 1 April 2030, 365 of them after the gate)."""
    assert case.recommended == "successor_do_minimum"  # the one with positive social NPV
    ask = case.ask
    assert ask["start"] == dt.date(2027, 4, 1) and ask["gate"] == dt.date(2029, 4, 1)
    assert ask["end"] == dt.date(2030, 3, 31) and ask["years"] == 3
    assert ask["released"] == pytest.approx(ask["amount"] * 365 / 1096)
    assert case.shares["share"].sum() == pytest.approx(1.0)
    assert case.shares["pays"].sum() == pytest.approx(ask["amount"])
    # the local partnership's agencies share the cost by their cashable savings; central
    # government (a local weight of 0) is asked for nothing
    sharing = appraisal.cost_sharing(case.recommended)
    local = pd.Series(appraisal.local).reindex(sharing.index)
    mine = (sharing["benefits_cashable"] * local).clip(lower=0)
    assert np.allclose(case.shares["share"], mine / mine.sum())
    assert (case.shares.loc[local == 0, "pays"] == 0).all() and (local == 0).any()


def test_the_register_gives_each_risk_an_owner_and_a_likelihood(case, params, spec):
    r = case.risks
    # nearest switching value first; a parameter that cannot switch the decision is out
    assert list(r.index) == [
        "savings.outcomes.domestic_abuse.effect",
        "savings.optimism_bias.benefits_low",
    ]
    assert r.loc["savings.outcomes.domestic_abuse.effect", "owner"] == (
        spec.case.risk_for("savings.outcomes").owner
    )
    assert r.loc["savings.optimism_bias.benefits_low", "topic"] == "savings"
    effect = params["savings.outcomes.domestic_abuse.effect"]
    assert r.loc[effect.path, "likelihood"] == pytest.approx(
        chance_beyond(effect, 0.12, lower=True)
    )


def test_a_risk_topic_is_the_longest_prefix(spec):
    c = spec.case
    assert c.risk_for("savings.outcomes.child_enters_care.cost").topic == "savings.outcomes"
    assert c.risk_for("savings.persistence").topic == "savings"
    assert c.risk_for("savingsx.other").topic == ""  # a prefix is whole dotted parts
    assert c.risk_for("team.staff.manager_salary").topic == "team"


def test_the_chance_of_crossing_agrees_with_sampling(params):
    """Independent check: the quantile-inverting CDF against 400,000 draws."""
    rng = np.random.default_rng(11)
    checked = 0
    for path in ("savings.outcomes.domestic_abuse.effect", "team.direct_work.caseload"):
        p = params[path]
        if p.distribution is None:
            continue
        x = draw(p, 400_000, rng)
        for value in np.quantile(x, [0.1, 0.5, 0.8]):
            assert chance_beyond(p, float(value), lower=True) == pytest.approx(
                float((x < value).mean()), abs=0.004
            )
            assert chance_beyond(p, float(value), lower=False) == pytest.approx(
                float((x > value).mean()), abs=0.004
            )
        checked += 1
    assert checked == 2


def test_the_incremental_model_is_option_less_counterfactual(params):
    """A value changed in the option's parameters moves both worlds; the model's outcome
    is the difference of the two deterministic social NPVs."""
    m = IncrementalOutcome(
        params, "successor_do_minimum", "successor_stop", "social", runs=40, decision_date=DECIDED
    )
    a = m.option.projection(m.params).perspective_draws("social")
    b = m.counterfactual.projection(m.counterfactual.params).perspective_draws("social")
    assert m(m.params) == pytest.approx(float(a[0][0] - a[1][0] - (b[0][0] - b[1][0])))
    # a social value that only counts where families are helped: linear in it
    path = "savings.outcomes.domestic_abuse.social_value"
    v = float(m.params[path].value)
    f = [m(m.params.with_values({path: {"value": x, "distribution": None}})) for x in (0, v, 2 * v)]
    assert f[2] - f[1] == pytest.approx(f[1] - f[0], rel=1e-9)
    assert f[2] != pytest.approx(f[1])


def _copy(tmp_path: Path) -> Path:
    root = Path(__file__).resolve().parents[1] / "parameters"
    shutil.copytree(root, tmp_path / "parameters")
    return tmp_path / "parameters"


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("cost_sharing: local_cashable", "cost_sharing: everyone", "must be one of cashable"),
        ("after_years: 2", "after_years: 0", "whole number of years"),
        ("      - follow_up_months", "      - followup", "not a field of the monitoring"),
        ("      unit: GBP\n      price_year: 2026/27", "      unit: GBP", "price_year"),
        ("  ranked_by: social", "  ranked_by: social\n  colour: blue", "unknown key 'colour'"),
    ],
)
def test_a_bad_case_gets_one_line_naming_file_and_key(tmp_path, old, new, message):
    root = _copy(tmp_path)
    path = root / "areas" / "northamptonshire" / "decisions" / "successor.yaml"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    with pytest.raises(ParameterError) as err:
        load_decision("successor", root, "northamptonshire")
    line = str(err.value)
    assert "\n" not in line and "successor.yaml" in line and message in line
    assert "case." in line


def test_an_unknown_ranking_perspective_is_refused(appraisal, spec, params, switching):
    import dataclasses

    bad = dataclasses.replace(spec, case=dataclasses.replace(spec.case, ranked_by="happiness"))
    with pytest.raises(ParameterError, match="no 'happiness' perspective"):
        board_case(appraisal, bad, params, switching=switching)
