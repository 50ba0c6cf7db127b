"""The parameter store: every shipped file is valid; broken files give one-line errors."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

import costmodel
from costmodel.params.errors import ParameterError, UnknownParameterError
from costmodel.params.schema import is_money
from costmodel.params.store import default_root, parameter_files, read_parameter_file

GOOD = """\
description: A small valid file.
parameters:
  group:
    description: A group.
    cost:
      description: A unit cost.
      value: 100
      unit: GBP/year
      price_year: 2014/15
      status: published
      confidence: high
      source: {title: A report, url: https://example.org/report}
      distribution: {type: gamma, cv: 0.2}
    share:
      description: A proportion.
      value: 0.3
      unit: proportion
      status: assumed
      confidence: low
      rationale: Because.
      source: {title: team assumption}
      distribution: {type: beta, sd: 0.05}
"""


def write(tmp_path: Path, text: str) -> Path:
    f = tmp_path / "broken.yaml"
    f.write_text(text)
    return f


def test_every_shipped_file_is_valid():
    files = parameter_files(default_root())
    assert len(files) >= 6
    for f in files:
        params, problems = read_parameter_file(f, default_root())
        assert problems == [], "\n".join(map(str, problems))
        assert params, f"{f} defines no parameters"
    assert costmodel.validate() == []


def test_every_parameter_is_sourced(params):
    for path, p in params.items():
        assert p.source.title, path
        assert p.status in ("published", "derived", "assumed")
        if p.status == "published":
            assert p.source.url or p.source.page, path
        if p.status == "derived":
            assert p.method, path
        if p.status == "assumed":
            assert p.rationale, path
        if is_money(p.unit):
            assert p.price_year, path


def test_the_good_template_loads(tmp_path):
    params, problems = read_parameter_file(write(tmp_path, GOOD))
    assert problems == []
    assert {p.path for p in params} == {"broken.group.cost", "broken.group.share"}


BROKEN = {
    # kind of mistake: (replace this, with this, words the message must contain, path named)
    "proportion above 1": ("value: 0.3", "value: 1.3", "above 1", "group.share"),
    "negative cost": ("value: 100", "value: -100", "negative", "group.cost"),
    "missing source": (
        "      source: {title: A report, url: https://example.org/report}\n",
        "",
        "missing 'source'",
        "group.cost",
    ),
    "money without price year": ("      price_year: 2014/15\n", "", "price_year", "group.cost"),
    "text where a number belongs": ("value: 100", "value: a lot", "must be a number", "group.cost"),
    "unknown key": (
        "      confidence: high\n",
        "      confidence: high\n      colour: red\n",
        "unknown key 'colour'",
        "group.cost",
    ),
    "duplicate key": (
        "      confidence: high\n",
        "      confidence: high\n      confidence: low\n",
        "duplicate key 'confidence'",
        "group.cost.confidence",
    ),
    "unknown unit": ("unit: GBP/year", "unit: pounds", "unknown unit", "group.cost"),
    "bad financial year": (
        "price_year: 2014/15",
        "price_year: 2014/16",
        "financial year",
        "group.cost",
    ),
    "published without url or page": (
        "{title: A report, url: https://example.org/report}",
        "{title: A report}",
        "url",
        "group.cost",
    ),
    "assumed without rationale": ("      rationale: Because.\n", "", "rationale", "group.share"),
    "unknown status": ("status: published", "status: rumoured", "status must be", "group.cost"),
    "beta too wide": (
        "{type: beta, sd: 0.05}",
        "{type: beta, sd: 0.6}",
        "too large",
        "group.share",
    ),
    "gamma for a proportion": (
        "{type: beta, sd: 0.05}",
        "{type: gamma, sd: 0.05}",
        "unbounded",
        "group.share",
    ),
    "unknown distribution": (
        "{type: gamma, cv: 0.2}",
        "{type: gaussian, cv: 0.2}",
        "unknown type",
        "group.cost",
    ),
    "distribution mean differs": (
        "{type: gamma, cv: 0.2}",
        "{type: gamma, mean: 90, cv: 0.2}",
        "differs from the value",
        "group.cost",
    ),
    "misspelt value key": (
        "      value: 100\n",
        "      valeu: 100\n",
        "no 'value'; unknown keys: valeu",
        "group.cost",
    ),
    "invalid YAML": ("    cost:\n", "    cost: [\n", "invalid YAML", ""),
    "unknown top-level key": (
        "description: A small valid file.\n",
        "description: A small valid file.\nversion: 2\n",
        "unknown top-level key",
        "",
    ),
    "bad confidence": ("confidence: low", "confidence: shaky", "confidence must be", "group.share"),
}


@pytest.mark.parametrize("kind", list(BROKEN))
def test_each_broken_file_gives_one_line_naming_file_and_path(tmp_path, kind):
    old, new, words, path = BROKEN[kind]
    assert old in GOOD, kind
    f = write(tmp_path, GOOD.replace(old, new, 1))
    _, problems = read_parameter_file(f)
    assert len(problems) == 1, [str(p) for p in problems]
    line = str(problems[0])
    assert "\n" not in line
    assert line.startswith(str(f)), line
    assert words in line, line
    if path:
        assert f"broken.{path}" in line, line
    assert problems[0].line is not None


def test_load_raises_with_every_problem_and_validate_reports_them(tmp_path):
    root = tmp_path / "parameters"
    root.mkdir()
    (root / "a.yaml").write_text(GOOD.replace("value: 0.3", "value: 1.3"))
    (root / "b.yaml").write_text(GOOD.replace("value: 100", "value: -5"))
    with pytest.raises(ParameterError) as exc:
        costmodel.load(root=root)
    lines = str(exc.value).splitlines()
    assert len(lines) == 2
    assert "a.yaml" in lines[0] and "a.group.share" in lines[0]
    assert "b.yaml" in lines[1] and "b.group.cost" in lines[1]


def test_unknown_parameter_names_close_match(params):
    with pytest.raises(UnknownParameterError) as exc:
        params["areas.northamptonshire.populaton"]
    assert "did you mean 'areas.northamptonshire.population'" in str(exc.value)


def test_with_values_revalidates_and_names_the_path(params):
    path = "baseline.method.national_split.school_share_of_unattributed"
    assert params.with_values({path: 0.4}).value(path) == 0.4
    assert params.value(path) == 0.5  # the original is untouched
    with pytest.raises(ParameterError) as exc:
        params.with_values({path: 1.5})
    assert path in str(exc.value) and "above 1" in str(exc.value)
    with pytest.raises(ParameterError) as exc:
        params.with_values({"no.such.parameter": 1})
    assert "no.such.parameter" in str(exc.value)


def test_parameters_are_immutable(params):
    p = params["baseline.method.agency_prior.child_protection_and_safeguarding"]
    with pytest.raises(TypeError):
        p.value["police"] = 0.5
    with pytest.raises(AttributeError):
        p.value = 3


def test_fingerprint_changes_with_a_value(params):
    path = "areas.northamptonshire.activity.permanent_exclusions"
    assert params.fingerprint() == costmodel.load().fingerprint()
    assert params.with_values({path: 110}).fingerprint() != params.fingerprint()


def test_merge_keys_may_override_but_true_duplicates_fail(tmp_path):
    text = textwrap.dedent("""\
        description: merge test
        parameters:
          a:
            description: first
            value: 1
            unit: count
            status: published
            confidence: high
            source: &s {title: T, url: https://example.org}
          b:
            description: second
            value: 2
            unit: count
            status: published
            confidence: high
            source:
              <<: *s
              title: Another title
        """)
    params, problems = read_parameter_file(write(tmp_path, text))
    assert problems == []
    assert params[1].source.title == "Another title"
    assert params[1].source.url == "https://example.org"
