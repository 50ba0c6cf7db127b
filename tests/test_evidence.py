"""Effects from evidence records: pooling, classes, adjustments, windows and populations.

The pooled effects are checked against a DerSimonian–Laird pool written out here by hand
(an independent method), and a named programme with its own trial is appraised from a
programme file and a scenario alone.
"""

from __future__ import annotations

import math
import shutil
import textwrap
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

import costmodel
from costmodel.model.programme import programmes
from costmodel.model.projection import served_by
from costmodel.model.savings import cohort_weights, savings_inputs
from costmodel.params.errors import ParameterError
from costmodel.params.evidence import Record, pool
from costmodel.params.store import default_root


def dersimonian_laird(y, se):
    """Random-effects pool by the textbook formulas: Q, τ², weights 1/(v + τ²)."""
    y, v = np.asarray(y, float), np.asarray(se, float) ** 2
    w = 1 / v
    fixed = (w * y).sum() / w.sum()
    q = (w * (y - fixed) ** 2).sum()
    c = w.sum() - (w**2).sum() / w.sum()
    tau2 = max(0.0, (q - (len(y) - 1)) / c)
    wr = 1 / (v + tau2)
    mean = (wr * y).sum() / wr.sum()
    return mean, math.sqrt(1 / wr.sum()), tau2


def record(effect, se, months=24, study="s", outcome="o"):
    return Record(study, outcome, "m", effect, se, None, months, "joining")


def test_pool_matches_dersimonian_laird_by_hand():
    recs = [record(0.32, 0.163, study="a"), record(0.0, 0.163, study="b"), record(0.2, 0.05)]
    p = pool(recs)
    mean, se, tau2 = dersimonian_laird([0.32, 0.0, 0.2], [0.163, 0.163, 0.05])
    assert p.mean == pytest.approx(mean, rel=1e-9)
    assert p.se == pytest.approx(se, rel=1e-9)
    assert p.tau2 == pytest.approx(tau2, rel=1e-9)
    assert p.predictive_sd == pytest.approx(math.sqrt(se**2 + tau2))
    assert sum(p.weights) == pytest.approx(1.0)


def test_one_record_is_its_own_pool():
    p = pool([record(0.15, 0.08, months=12)])
    assert (p.mean, p.se, p.tau2, p.window_years) == (0.15, 0.08, 0.0, 1.0)


def test_both_troubled_families_phases_count(params):
    """Phase 1's null and phase 2's effect are pooled: the care effect lies between."""
    care = params["savings.outcomes.child_enters_care.effect"]
    mean, se, tau2 = dersimonian_laird([0.32, 0.0], [0.163, 0.163])
    assert care.value == pytest.approx(mean, abs=1e-6)
    assert care.distribution.params["sd"] == pytest.approx(math.sqrt(se**2 + tau2), rel=1e-6)
    assert care.status == "derived" and "troubled_families_phase1" in care.method
    assert dict(params["savings.outcomes.child_enters_care.evidence"].value) == pytest.approx(
        {"troubled_families_phase2": 0.5, "troubled_families_phase1": 0.5}
    )
    # an outcome only assumed keeps its assumption, labelled low confidence
    dv = params["savings.outcomes.domestic_abuse.effect"]
    assert dv.value == 0.15 and dv.confidence == "low"


def test_choosing_studies_repools_the_effects_and_keeps_a_hand_set_one(params):
    only2 = params.with_values(
        {
            "savings.evidence.studies": {"troubled_families_phase2": 1},
            "savings.outcomes.youth_custody.effect": 0.1,
        }
    )
    assert only2["savings.outcomes.child_enters_care.effect"].value == pytest.approx(0.32)
    assert only2["savings.outcomes.youth_custody.effect"].value == 0.1  # set by hand
    # no study in the selection measured domestic abuse: no effect, said so
    dv = only2["savings.outcomes.domestic_abuse.effect"]
    assert dv.value == 0 and "None of the studies" in dv.method


def test_windows_hold_the_full_effect_then_decay(params):
    inp = savings_inputs(params, "2018/19")
    full = dict(zip(inp.outcomes, inp.full_years[0], strict=True))
    assert full["child_enters_care"] == 2.0  # 24 months after joining
    assert full["domestic_abuse"] == 1.0  # an assumption measured over a year
    # one cohort of one family, no drop-off cut: outcome A full 2 years, B full 1 year
    w = cohort_weights(np.array([[2.0, 1.0]]), np.array([0.5]), np.array([[1.0]]), horizon=4)
    np.testing.assert_allclose(w[0, :, 0], [1, 1, 0.5, 0.25])
    np.testing.assert_allclose(w[0, :, 1], [1, 0.5, 0.25, 0.125])


def test_rates_follow_the_population_served(params):
    """The team serves early-help and targeted families; the rates published for the
    Troubled Families comparison group are scaled by the ratio of need indices."""
    served = served_by(params, programmes(params))
    inp = savings_inputs(params, "2018/19", served=served)
    given = savings_inputs(params, "2018/19")
    need = {t: params[f"savings.population.{t}"].value for t in ("early_help", "targeted")}
    mix = dict(params["team.population"].value)
    index = sum(mix[t] * need[t] for t in mix) / sum(mix.values())
    j = inp.outcomes.index("adult_custody")  # a Troubled Families-level rate
    assert inp.rate[0, j] == pytest.approx(given.rate[0, j] * index)
    k = inp.outcomes.index("camhs_case")  # an early-help rate
    assert inp.rate[0, k] == pytest.approx(given.rate[0, k] * index / need["early_help"])


def test_project_json_says_what_each_effect_rests_on(params):
    res = costmodel.project(params, draws=200, seed=2)
    d = res.to_dict()
    care = d["outcomes"]["child_enters_care"]
    assert care["evidence_class"] == "transferred"
    assert care["transfer_factor"] == params["savings.evidence.transfer"].value
    assert care["window_years"] == 2.0
    assert {r["study"] for r in care["records"]} == {
        "troubled_families_phase1",
        "troubled_families_phase2",
    }
    shares = d["benefits_by_evidence_class"]
    assert set(shares) == {"own", "transferred", "assumed"}
    assert sum(v["share"] for v in shares.values()) == pytest.approx(1.0)
    by = res.by_outcome()
    assert shares["assumed"]["pv_savings_net"] == pytest.approx(
        by.loc[by.evidence_class == "assumed", "pv_savings_net"].sum()
    )


# ------------------------------------------------------------------ bad evidence


@pytest.fixture()
def root(tmp_path):
    copy = tmp_path / "parameters"
    shutil.copytree(default_root(), copy)
    return copy


def write(path: Path, text: str) -> Path:
    path.write_text(textwrap.dedent(text))
    return path


STUDY = """\
    description: A test study.
    study:
      source: {{title: A trial, url: "https://example.org/trial"}}
      design: {design}
      programme: test_programme
      population: {{need: early_help, description: test families}}
      setting: {{country: England}}
      window: {{from: joining, months: 12}}
      records:
        {outcome}:
          measure: something
          effect: {effect}
          {spread}
    """


@pytest.mark.parametrize(
    "fields, message",
    [
        (dict(design="hunch"), "design must be one of"),
        (dict(outcome="unicorns"), "unknown outcome"),
        (dict(effect="1.5"), "effect is a relative reduction in (-1, 1)"),
        (dict(spread="interval: [0.3, 0.1]"), "interval is [low, high]"),
        (dict(spread="n: 10"), "give exactly one of 'se' or 'interval'"),
    ],
)
def test_a_broken_study_is_one_line_naming_the_file(root, fields, message):
    values = dict(design="randomised_trial", outcome="camhs_case", effect="0.2", spread="se: 0.1")
    values.update(fields)
    f = write(root / "evidence" / "broken_study.yaml", STUDY.format(**values))
    with pytest.raises(ParameterError) as e:
        costmodel.load(root=root)
    lines = str(e.value).splitlines()
    assert len(lines) == 1 and str(f) in lines[0] and message in lines[0]


def test_a_new_study_is_a_new_record_not_a_code_change(root, params):
    write(
        root / "evidence" / "another_evaluation.yaml",
        STUDY.format(
            design="comparison_group", outcome="camhs_case", effect="0.05", spread="se: 0.05"
        ),
    )
    loaded = costmodel.load(root=root)
    chosen = loaded.with_values(
        {
            "savings.evidence.studies": {
                **dict(params["savings.evidence.studies"].value),
                "another_evaluation": 1,
            }
        }
    )
    camhs = chosen["savings.outcomes.camhs_case.effect"]
    # a counterfactual design now measures it, so the assumption no longer counts
    assert camhs.value == pytest.approx(0.05) and camhs.confidence == "medium"


# ------------------------------------------------------------------ a named programme

#: Incredible Years BASIC in Sure Start, Wales: a pragmatic randomised trial (Hutchings
#: et al. 2007, BMJ 334:678): ECBI problem scale 4.4 points better (95% CI 2.0 to 6.9),
#: effect size 0.63, at six months. Its cost per child attending a group of eight,
#: £1,934 (Edwards et al. 2007, BMJ 334:682).
D, LOW, HIGH = 0.63, 2.0 / 4.4 * 0.63, 6.9 / 4.4 * 0.63


def share_above_cutoff_reduction(d: float) -> float:
    """A standardised shift d read as the relative reduction in children above a
    clinical cut-off at the control group's median (normal scores): 1 − 2Φ(−d)."""
    return 1 - 2 * stats.norm.cdf(-d)


REDUCTION_LOW = share_above_cutoff_reduction(LOW)
REDUCTION_HIGH = share_above_cutoff_reduction(HIGH)
PROGRAMME = f"""\
    description: >
      Incredible Years BASIC parenting groups for parents of children at risk of conduct
      disorder, as trialled in Sure Start areas in Wales.
    parameters:
      share_appraised:
        description: Appraised in full.
        value: 1
        unit: proportion
        status: assumed
        confidence: high
        rationale: The programme is appraised alone.
        source: {{title: test setting}}
      start_date:
        description: Start of the groups.
        value: 2027-04-01
        unit: date
        status: assumed
        confidence: high
        rationale: A successor from April 2027.
        source: {{title: test setting}}
      duration:
        description: Years of groups.
        value: 2
        unit: year
        status: assumed
        confidence: high
        rationale: Two years of groups.
        source: {{title: test setting}}
      families:
        description: Families in the groups.
        value: 200
        unit: family
        status: assumed
        confidence: high
        rationale: Twenty-five groups of eight.
        source: {{title: test setting}}
      cost_per_family:
        description: Cost per child attending a group of eight.
        value: 1934
        unit: GBP/family
        price_year: 2003/04
        status: published
        confidence: medium
        source:
          title: >
            Parenting programme for parents of children at risk of developing
            conduct disorder - cost effectiveness analysis (Edwards et al.)
          url: https://www.bmj.com/content/334/7595/682
      population:
        description: Families served.
        value: {{early_help: 1}}
        unit: proportion
        status: assumed
        confidence: medium
        rationale: Sure Start families with a child above the clinical cut-off.
        source: {{title: test setting}}
    evidence:
      source:
        title: >
          Parenting intervention in Sure Start services for children at risk of
          developing conduct disorder - pragmatic randomised trial (Hutchings et al.)
        url: https://www.bmj.com/content/334/7595/678
      design: randomised_trial
      programme: incredible_years
      population:
        need: early_help
        description: parents of 3-4 year olds above the ECBI clinical cut-off
      setting:
        country: Wales
        service: Sure Start parenting groups
        intensity: 12 weekly sessions
      window: {{from: joining, months: 6}}
      records:
        camhs_case:
          measure: >
            ECBI problem scale, effect size {D} read as fewer children above the
            clinical cut-off
          effect: {share_above_cutoff_reduction(D):.4f}
          interval: [{REDUCTION_LOW:.4f}, {REDUCTION_HIGH:.4f}]
          n: 153
    """


def test_a_parenting_programme_with_its_trial_is_appraised_without_code(root):
    area = root / "areas" / "northamptonshire"
    write(area / "programmes" / "incredible_years.yaml", PROGRAMME)
    write(
        area / "scenarios" / "incredible_years.yaml",
        """\
        description: Incredible Years groups instead of the team, on their own trial.
        overrides:
          team.budget.total: 0
          savings.evidence.studies: {incredible_years: 1}
        """,
    )
    params = costmodel.load("northamptonshire", root=root)
    res = costmodel.project(params, "incredible_years", draws=500, seed=3)
    assert [p.name for p in res.programmes] == ["incredible_years"]
    by = res.by_outcome()
    assert by.loc["camhs_case", "evidence_class"] == "own"
    assert by.loc["camhs_case", "window_years"] == 0.5
    assert by.loc["camhs_case", "effect_applied"] == pytest.approx(
        share_above_cutoff_reduction(D), abs=1e-4
    )  # a trial: design 1, its own programme: no transfer
    others = by.drop(index="camhs_case")
    assert (others.pooled_effect == 0).all()  # no record: no effect
    assert res.by_evidence_class().loc["own", "share"] == pytest.approx(1.0)
    # own evidence against its own control arm: no deadweight or attribution taken off
    assert bool(res.inputs.counterfactual[res.inputs.outcomes.index("camhs_case")])
    assert res.appraisal.pv_savings_net.mean() > 0


@pytest.mark.parametrize("varying", [False, True])
def test_weights_by_outcome_equal_one_outcome_at_a_time(varying):
    """Windows by outcome (fixed across draws, or drawn) give each outcome the weights
    of a one-window appraisal with its own window."""
    rng = np.random.default_rng(7)
    draws, outcomes = 50, 4
    full = (
        rng.choice([0.5, 1.0, 2.0, 3.0], size=(draws, outcomes))
        if varying
        else np.tile([1.0, 2.0, 1.0, 0.5], (draws, 1))
    )
    drop = rng.uniform(0.1, 0.6, draws)
    families = rng.uniform(0, 10, (draws, 12))
    both = cohort_weights(full, drop, families, 8, years_after_support=5, cohorts_per_year=4)
    for o in range(outcomes):
        one = cohort_weights(full[:, o], drop, families, 8, 5, 4)
        np.testing.assert_allclose(both[:, :, o], one, rtol=1e-12)
