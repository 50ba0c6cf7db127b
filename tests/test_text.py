"""The command line's text (costmodel.present.text): figures as reports print them,
names by their labels, never their keys."""

from __future__ import annotations

import math

import pandas as pd

from costmodel.present import text
from costmodel.present.labels import PERSPECTIVE_LABELS


def test_scenario_list_lines_up_the_descriptions():
    assert text.scenario_list({"a": "first", "bbb": "second"}) == "a    first\nbbb  second\n"
    assert text.scenario_list({}) == ""


def test_indicators_by_kind():
    assert text.indicator("bcr", 1.236) == "1.24"
    assert text.indicator("p_npv_positive", 0.125) == "12.5%"
    assert text.indicator("npv", -1234.4) == "(£1,234)"
    assert text.indicator("npv", math.nan) == "–"
    assert text.indicator("npv", None) == "–"


def test_published_ratios_are_named_by_perspective_label():
    published = pd.DataFrame(
        {
            "modelled": [1.2, 0.8],
            "p5": [0.9, 0.5],
            "p95": [1.5, 1.1],
            "published": [1.51, 0.75],
            "gap": [-0.31, 0.05],
            "source": ["Evaluation", "Evaluation"],
        },
        index=["fiscal", "economic"],
    )
    out = text.published_table(published)
    lines = out.splitlines()
    assert lines[2].startswith(PERSPECTIVE_LABELS["fiscal"].short)
    assert lines[3].startswith(PERSPECTIVE_LABELS["economic"].short)
    assert "-0.31" in lines[2] and "+0.05" in lines[3]
    assert "0.90 – 1.50" in lines[2]
    assert not any(line.startswith(("fiscal", "economic")) for line in lines)
