"""Any area: an area is a folder of its own on top of the national defaults; a new one
starts from a template that validation refuses until it is filled in; counts follow the
area; and no output shows one area's parameters under another's name."""

from __future__ import annotations

import json
import re
import shutil

import pytest

import costmodel
from costmodel.cli import main
from costmodel.params.errors import ParameterError
from costmodel.params.store import area_folders, default_root

pdfium = pytest.importorskip("pypdfium2")

#: What a user writes in place of each TODO of the template (value, then source).
FILLED = {
    "area.yaml": [
        ("value: TODO  # a number of people", "value: 500000"),
        ("value: TODO  # pounds a year, e.g. 199_000_000", "value: 140_000_000"),
        ("value: TODO  # a proportion, e.g. 0.0146", "value: 0.0092"),
        ("method: TODO  # how it was worked out", "method: 110,000 children over 12 million"),
    ],
    "programme.yaml": [
        ("value: TODO  # a date, e.g. 2019-04-01", "value: 2020-04-01"),
        ("value: TODO  # years, e.g. 3", "value: 3"),
        ("value: TODO  # a number of families", "value: 900"),
        ("value: TODO  # pounds per family", "value: 3000"),
        ("price_year: TODO  # e.g. 2019/20", "price_year: 2019/20"),
    ],
}


@pytest.fixture()
def folder(tmp_path):
    root = tmp_path / "parameters"
    shutil.copytree(default_root(), root)
    return root


def fill(path, pairs):
    text = path.read_text(encoding="utf-8")
    for old, new in pairs:
        assert old in text, old
        text = text.replace(old, new)
    text = text.replace("{title: TODO, url: TODO}", "{title: Test county figures, url: x}")
    path.write_text(text, encoding="utf-8")


def test_the_shipped_areas_are_folders_and_load_one_at_a_time():
    assert area_folders(default_root()) == ["northamptonshire", "staffordshire"]
    n = costmodel.load()
    s = costmodel.load("staffordshire")
    assert n.area == "northamptonshire" and s.area == "staffordshire"
    assert not any(k.startswith("areas.northamptonshire") for k in s)
    assert not any(k.startswith("team.") for k in s)  # the county has no team
    assert s["areas.staffordshire.late_intervention.total"].area == "staffordshire"
    assert s["prices.discounting.standard"].area is None  # national, shared
    assert n["team.budget.total"].area == "northamptonshire"


def test_counts_follow_the_area(params):
    s = costmodel.load("staffordshire")
    bn = costmodel.baseline(params).bottom_up.set_index("item")
    bs = costmodel.baseline(s).bottom_up.set_index("item")
    national = params["areas.england_and_wales.activity.children_looked_after"].value
    for b, p, area in ((bn, params, "northamptonshire"), (bs, s, "staffordshire")):
        share = p[f"areas.{area}.activity.child_population_share"].value
        assert b.loc["children_looked_after", "count"] == pytest.approx(national * share)
    assert bs.loc["children_looked_after", "count"] > bn.loc["children_looked_after", "count"]
    # the total differs as published, and per person too
    assert costmodel.baseline(s).total != costmodel.baseline(params).total


def test_the_second_area_appraises_its_own_programme(params):
    s = costmodel.load("staffordshire")
    p = costmodel.project(s, "central", draws=200, seed=1)
    assert [f.name for f in p.programmes] == ["building_resilient_families"]
    assert p.families_started.mean() == pytest.approx(1132)
    n = costmodel.project(params, "troubled_families_phase2", draws=200, seed=1)
    # a smaller programme than Northamptonshire's phase 2, at the same cost per family
    assert p.appraisal.pv_costs.mean() < n.appraisal.pv_costs.mean()


def test_new_area_is_refused_until_filled_then_runs_every_command(folder, capsys, tmp_path):
    root = ["--parameters", str(folder)]
    assert main([*root, "new-area", "test_shire"]) == 0
    capsys.readouterr()
    area = folder / "areas" / "test_shire"
    # validation refuses the template, a line per TODO naming file and line
    assert main([*root, "validate"]) == 1
    err = capsys.readouterr().err.splitlines()
    todo = [line for line in err if "still to fill in" in line]
    assert len(todo) >= 9
    assert all(re.match(rf"{re.escape(str(area))}/.+\.yaml:\d+: ", line) for line in todo)
    assert main([*root, "new-area", "test_shire"]) == 1  # never over an existing one
    assert "already exists" in capsys.readouterr().err
    fill(area / "area.yaml", FILLED["area.yaml"])
    fill(area / "programmes" / "test_shire_programme.yaml", FILLED["programme.yaml"])
    assert main([*root, "validate"]) == 0, capsys.readouterr().err
    capsys.readouterr()
    here = [*root]
    assert main([*here, "baseline", "--area", "test_shire", "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["total"] == pytest.approx(140_000_000) and out["area"] == "test_shire"
    # no team: reach says so in one line
    assert main([*here, "reach", "--area", "test_shire"]) == 1
    assert "has no team" in capsys.readouterr().err
    for command in (
        ["project", "--area", "test_shire", "--scenario", "central", "--draws", "200"],
        ["compare", "central", "--area", "test_shire", "--draws", "100"],
        ["scenarios", "--area", "test_shire"],
    ):
        assert main([*here, *command]) == 0, command
        text = capsys.readouterr().out
        assert "orthamptonshire" not in text, command
    pdf = tmp_path / "t.pdf"
    args = ["report", "--area", "test_shire", "--scenario", "central", "--draws", "150"]
    assert main([*here, *args, "--quiet", "--out", str(pdf)]) == 0
    doc = pdfium.PdfDocument(str(pdf))
    text = " ".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
    assert "Test Shire" in text
    # Northamptonshire appears only in the reference of a national method parameter
    # derived from its published figures, never as a parameter of this area
    body = text.split("References")[0]
    assert "orthamptonshire" not in body
    assert "areas.northamptonshire" not in text


def test_a_borrowed_team_is_declared_and_labelled(folder, capsys, tmp_path):
    root = ["--parameters", str(folder)]
    assert main([*root, "new-area", "test_shire", "--team-from", "northamptonshire"]) == 0
    capsys.readouterr()
    area = folder / "areas" / "test_shire"
    fill(area / "area.yaml", FILLED["area.yaml"])
    fill(area / "programmes" / "test_shire_programme.yaml", FILLED["programme.yaml"])
    p = costmodel.load("test_shire", root=folder)
    assert p["team.budget.total"].area == "northamptonshire"
    assert set(p.borrowed()) == {"northamptonshire"}
    assert main([*root, "reach", "--area", "test_shire", "--runs", "50"]) == 0
    assert "Borrowed: team:" in capsys.readouterr().out
    pdf = tmp_path / "b.pdf"
    args = ["report", "--area", "test_shire", "--scenario", "central", "--draws", "120"]
    assert main([*root, *args, "--quiet", "--out", str(pdf)]) == 0
    doc = pdfium.PdfDocument(str(pdf))
    cover, summary = (doc[i].get_textpage().get_text_range() for i in (0, 2))
    assert "borrowed from Northamptonshire" in cover
    assert "borrowed from Northamptonshire" in summary


def test_an_unknown_area_is_one_line_naming_the_known_ones():
    with pytest.raises(ParameterError, match=r"unknown area 'nowhere'.*northamptonshire"):
        costmodel.load("nowhere")


def test_the_area_page_snippets_run_as_written(tmp_path):
    """The Python of the docs' "Using costmodel for your area" runs in a fresh
    interpreter, imports included."""
    import subprocess
    import sys
    from pathlib import Path

    page = Path(__file__).resolve().parents[1] / "docs" / "areas.md"
    blocks = re.findall(r"```python\n(.*?)```", page.read_text(encoding="utf-8"), flags=re.S)
    assert blocks
    for code in blocks:
        script = tmp_path / "snippet.py"
        script.write_text(code, encoding="utf-8")
        done = subprocess.run(
            [sys.executable, str(script)], capture_output=True, text=True, timeout=300
        )
        assert done.returncode == 0, done.stderr
        assert "237000000" in done.stdout.replace(",", "").replace(".0", "")


def test_the_baseline_view_offers_every_area_and_loads_the_one_chosen(params):
    from costmodel.present import widgets as cw

    view = cw.BaselineView(params)
    values = [v for _, v in view.area.options]
    assert values == ["northamptonshire", "staffordshire"]
    view.area.value = "staffordshire"
    assert view.params.area == "staffordshire"
    assert view.result.area == "staffordshire"
    assert costmodel.baseline(view.params, "staffordshire", view.price_year.value).total == (
        pytest.approx(view.result.total)
    )
    assert "Staffordshire" in view.table.value


def test_the_savings_view_switches_area_and_offers_its_scenarios(params):
    from costmodel.present import widgets as cw

    view = cw.SavingsView(params)
    assert [v for _, v in view.area.options] == ["northamptonshire", "staffordshire"]
    view.area.value = "staffordshire"
    assert view.params.area == "staffordshire"
    assert set(view.scenario.options) == {"central", "cautious"}
    assert view.scenario.value == "central"
    want = costmodel.project(costmodel.load("staffordshire"), "central", draws=1)
    assert view.result.appraisal.npv[0] == pytest.approx(want.appraisal.npv[0], rel=1e-9)
