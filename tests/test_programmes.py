"""Programmes as data: a scenario file defines a new programme, and it is appraised."""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pytest

import costmodel

COST = "programmes.parenting.cost_per_family"

PARENTING = """\
description: A parenting programme of 300 families over three years, instead of the team.
overrides:
  team.budget.total: 0
parameters:
  programmes:
    parenting:
      description: A group parenting programme for families on the edge of statutory help.
{fields}"""

FIELDS = {
    "share_appraised": """\
        description: Share of the programme included in the appraisal.
        value: 1
        unit: proportion
        status: assumed
        confidence: high
        rationale: The whole programme is appraised on its own.
        source: {title: appraisal choice}
""",
    "start_date": """\
        description: Start of the programme.
        value: 2019-04-01
        unit: date
        status: assumed
        confidence: high
        rationale: Funding starts with the financial year.
        source: {title: appraisal choice}
""",
    "duration": """\
        description: Length of the programme.
        value: 3
        unit: year
        status: assumed
        confidence: high
        rationale: Three years of funding.
        source: {title: appraisal choice}
""",
    "families": """\
        description: Families helped over the whole programme.
        value: 300
        unit: family
        status: assumed
        confidence: medium
        rationale: A hundred families a year.
        source: {title: appraisal choice}
""",
    "cost_per_family": """\
        description: Cost of one family's place on the programme.
        value: 1200
        unit: GBP/family
        price_year: 2018/19
        status: assumed
        confidence: low
        rationale: A typical cost of a group parenting course.
        source: {title: appraisal choice}
        distribution: {type: gamma, cv: 0.3}
""",
}


def scenario_text(
    fields: dict[str, str] = FIELDS, programme: str = "parenting", top: str = "programmes"
) -> str:
    body = "".join(f"      {name}:\n{text}" for name, text in fields.items())
    text = PARENTING.format(fields=body)
    return text.replace("  programmes:\n    parenting:", f"  {top}:\n    {programme}:")


@pytest.fixture(scope="module")
def scenario_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("scenarios") / "parenting.yaml"
    path.write_text(scenario_text())
    return path


@pytest.fixture(scope="module")
def scenario(params, scenario_file):
    return costmodel.load_scenario(scenario_file, params.root, params)


@pytest.fixture(scope="module")
def central(params, scenario):
    return costmodel.project(params, scenario, draws=1, seed=0)


@pytest.fixture(scope="module")
def drawn(params, scenario):
    return costmodel.project(params, scenario, draws=400, seed=4)


OB_COSTS = "savings.optimism_bias.costs"


#: A date before the programme starts, when all its costs were still estimates.
BEFORE = dt.date(2019, 1, 1)


def hand_pv_costs(params, price_year: str, estimated: bool = False) -> float:
    """100 families a year × £1,200, discounted; raised by the Green Book optimism bias
    on costs only while they are estimates (the programme ran 2019-2022: spent now)."""
    factor = costmodel.deflators(params).factor("2018/19", price_year)
    df = costmodel.discount_factors(np.arange(3), costmodel.discount_schedule(params))
    assert df == pytest.approx([1.0, 1 / 1.035, 1 / 1.035**2])
    per_year = 300 / 3
    uplift = 1 + params[OB_COSTS].value if estimated else 1.0
    return sum(per_year * 1200 * factor * uplift * d for d in df)


def test_scenario_file_defines_the_programme(scenario, scenario_file):
    assert scenario.name == "parenting"
    assert scenario.file == str(scenario_file)
    assert {p.path for p in scenario.parameters} == {f"programmes.parenting.{k}" for k in FIELDS}
    assert dict(scenario.overrides) == {"team.budget.total": 0}


def test_only_the_new_programme_is_appraised(params, scenario):
    applied = costmodel.apply_scenario(params, scenario)
    assert [p.name for p in costmodel.programmes(applied)] == ["parenting"]
    assert set(applied.added) == {f"programmes.parenting.{k}" for k in FIELDS}
    # the stored parameters are untouched
    assert "programmes.parenting.families" not in params


def test_deterministic_pv_of_costs_by_hand(params, central):
    assert central.draws == 1
    assert central.price_year == params["team.budget.total"].price_year == "2018/19"
    assert [f.name for f in central.programmes] == ["parenting"]
    assert central.start_year == "2019-04-01"
    # 100 families a year × £1,200 (2018/19 prices) × 1, 1/1.035, 1/1.035²
    assert central.appraisal.pv_costs[0] == pytest.approx(
        hand_pv_costs(params, "2018/19"), rel=1e-9
    )
    assert central.appraisal.pv_costs[0] == pytest.approx(120_000 * (1 + 1 / 1.035 + 1 / 1.035**2))
    assert central.families_started.tolist() == [300.0]
    assert central.families_completed.tolist() == [300.0]
    assert central.appraisal.income is None
    np.testing.assert_allclose(central.appraisal.costs[0, :4], [120_000] * 3 + [0])


def test_optimism_bias_raises_only_costs_still_to_be_spent(params, scenario):
    """Appraised before it started, every year's cost is an estimate and is raised;
    appraised in its second year, the first year's spending is not."""
    ob = params[OB_COSTS].value
    ahead = costmodel.project(params, scenario, draws=1, as_of=BEFORE)
    np.testing.assert_allclose(ahead.appraisal.costs[0, :3], [120_000 * (1 + ob)] * 3)
    assert ahead.appraisal.pv_costs[0] == pytest.approx(
        hand_pv_costs(params, "2018/19", estimated=True), rel=1e-9
    )
    during = costmodel.project(params, scenario, draws=1, as_of=dt.date(2020, 6, 1))
    np.testing.assert_allclose(
        during.appraisal.costs[0, :3], [120_000, 120_000, 120_000 * (1 + ob)]
    )


def test_deterministic_pv_of_costs_in_another_price_year(params, scenario):
    p = costmodel.project(params, scenario, draws=1, seed=0, price_year="2024/25")
    factor = costmodel.deflators(params).factor("2018/19", "2024/25")
    assert factor == pytest.approx(100.0 / 78.7948)
    assert p.appraisal.pv_costs[0] == pytest.approx(hand_pv_costs(params, "2024/25"), rel=1e-9)


def test_draws_table_holds_the_programme_cost(params, drawn):
    table = drawn.draws_table
    assert len(table) == drawn.draws == 400
    assert COST in table.columns
    cost = table[COST].to_numpy()
    assert np.unique(cost).size == 400
    # gamma with mean 1,200 and cv 0.3: the mean of 400 draws is within 4 standard errors
    assert cost.mean() == pytest.approx(1200, abs=4 * 360 / np.sqrt(400))
    # the PV of each draw's costs is its own cost per family × 100 × the discount factors
    df = costmodel.discount_factors(np.arange(3), costmodel.discount_schedule(params))
    # the programme's costs are spent by now: no optimism bias on them
    np.testing.assert_allclose(drawn.appraisal.pv_costs, cost * 100 * df.sum(), rtol=1e-9)
    assert (drawn.families_started == 300).all()


def test_value_of_information_covers_programme_costs(drawn):
    v = costmodel.evppi(drawn)
    assert "programme costs and income" in v.index
    row = v.loc["programme costs and income", "value_of_information"]
    assert 0 <= row <= v.loc["all parameters (EVPI)", "value_of_information"] + 1e-6


def test_tornado_includes_the_programme_cost(params, scenario):
    t = costmodel.one_way(params, scenario=scenario, runs=50)
    assert COST in t.index
    row = t.loc[COST]
    assert row.low < 1200 < row.high
    assert row.npv_low > row.npv_high  # a dearer programme is worth less
    # NPV falls by exactly the extra PV of costs
    pv_per_pound = (
        100 * costmodel.discount_factors(np.arange(3), costmodel.discount_schedule(params)).sum()
    )
    assert row.npv_low - row.npv_high == pytest.approx(
        (row.high - row.low) * pv_per_pound, rel=1e-9
    )


def test_same_seed_same_results(params, scenario, drawn):
    again = costmodel.project(params, scenario, draws=400, seed=4)
    np.testing.assert_array_equal(again.appraisal.npv, drawn.appraisal.npv)
    assert again.draws_table.equals(drawn.draws_table)
    other = costmodel.project(params, scenario, draws=400, seed=5)
    assert not np.array_equal(other.appraisal.npv, drawn.appraisal.npv)


def test_the_draws_table_has_one_row_per_draw(params, scenario):
    for n in (1, 150):
        p = costmodel.project(params, scenario, draws=n, seed=1)
        assert len(p.draws_table) == n
        assert p.appraisal.npv.shape == (n,)


# --------------------------------------------------------------------------- refusals


def write(tmp_path, text: str, name: str = "bad.yaml"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_a_parameter_outside_programmes_is_refused(params, tmp_path):
    path = write(tmp_path, scenario_text(top="team"), "outside.yaml")
    with pytest.raises(costmodel.ParameterError) as err:
        costmodel.load_scenario(path, params.root, params)
    assert str(path) in str(err.value)
    assert "programmes.<name>" in str(err.value)


def test_a_parameter_directly_under_programmes_is_refused(params, tmp_path):
    # a single parameter placed straight under programmes has no programme name
    text = (
        "description: A stray parameter.\n"
        "parameters:\n"
        "  programmes:\n"
        "    families:\n"
        + "\n".join("      " + line.strip() for line in FIELDS["families"].splitlines())
        + "\n"
    )
    path = write(tmp_path, text, "stray.yaml")
    with pytest.raises(costmodel.ParameterError, match="only under programmes") as err:
        costmodel.load_scenario(path, params.root, params)
    assert str(path) in str(err.value)


def test_a_programme_missing_a_required_parameter_is_refused(params, tmp_path):
    fields = {k: v for k, v in FIELDS.items() if k != "cost_per_family"}
    path = write(tmp_path, scenario_text(fields), "missing.yaml")
    scenario = costmodel.load_scenario(path, params.root, params)
    with pytest.raises(costmodel.ParameterError, match=re.escape(COST)):
        costmodel.project(params, scenario, draws=1)
    with pytest.raises(costmodel.ParameterError, match=re.escape(COST)):
        costmodel.programmes(costmodel.apply_scenario(params, scenario))


def test_a_new_parameter_that_already_exists_is_refused(params, tmp_path):
    path = write(
        tmp_path,
        scenario_text({"families": FIELDS["families"]}, programme="troubled_families_phase2"),
        "clash.yaml",
    )
    with pytest.raises(
        costmodel.ParameterError, match=re.escape("programmes.troubled_families_phase2.families")
    ) as err:
        costmodel.load_scenario(path, params.root, params)
    assert "already defined" in str(err.value)


def test_a_new_parameter_is_validated_like_a_parameter_file(params, tmp_path):
    fields = dict(FIELDS)
    fields["families"] = FIELDS["families"].replace("value: 300", "value: -300")
    path = write(tmp_path, scenario_text(fields), "negative.yaml")
    with pytest.raises(costmodel.ParameterError, match=re.escape("programmes.parenting.families")):
        costmodel.load_scenario(path, params.root, params)


# --------------------------------------------------------------------------- shipped


def test_shipped_troubled_families_scenario_appraises_only_that_programme(params):
    applied = costmodel.apply_scenario(params, "troubled_families_phase2")
    assert [p.name for p in costmodel.programmes(applied)] == ["troubled_families_phase2"]


def test_central_scenario_appraises_only_the_team(params):
    assert [p.name for p in costmodel.programmes(costmodel.apply_scenario(params, "central"))] == [
        "team"
    ]
    assert [p.name for p in costmodel.programmes(params)] == ["team"]
