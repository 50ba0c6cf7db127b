"""The notebook views, driven headlessly: set a control, check what the view computed."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

pytest.importorskip("ipywidgets")

import costmodel.present.widgets as cw
from costmodel.cli import main
from costmodel.model.late_intervention import baseline
from costmodel.model.projection import CENTRAL_REACH_RUNS, project
from costmodel.model.team import reach
from costmodel.params.scenarios import DEFAULT_SCENARIO, apply_scenario, load_scenario
from costmodel.present.formatting import money_m

pytestmark = pytest.mark.end_to_end(seconds=12)


@pytest.fixture(scope="module")
def savings_view(params):
    return cw.SavingsView(params)


def _deterministic_npv(params, scenario, values):
    p = apply_scenario(params, scenario).with_values(values)
    sim = reach(p, runs=CENTRAL_REACH_RUNS, seed=0, parameter_uncertainty=False)
    return project(p, None, draws=1, simulation=sim, check_area=False).appraisal


# ------------------------------------------------------------------ baseline


def test_baseline_view_follows_area_and_price_year(params):
    view = cw.BaselineView(params)
    view.price_year.value = "2014/15"
    assert view.error is None
    assert view.result.total == 199_000_000  # the published figure, to the pound
    view.price_year.value = "2022/23"
    want = baseline(params, "northamptonshire", "2022/23")
    assert view.result.table.equals(want.table)
    national = baseline(params, "england_and_wales", "2022/23")
    assert view.per_head["ratio"] == pytest.approx(want.per_person / national.per_person)
    assert "£" in view.table.value and "Child protection" in view.table.value
    view.by.value = "agency"
    assert "Police" in view.table.value
    (bars,) = view.chart.data  # the chart in the browser: the agencies' costs, largest on top
    costs = want.by_agency.sort_values(ascending=False, kind="stable")
    np.testing.assert_allclose(bars.x, costs.to_numpy() / 1e6)
    assert bars.text[0] == money_m(costs.iloc[0]) and "Police" in "".join(bars.y)


# ------------------------------------------------------------------ reach


def test_reach_view_controls_change_the_simulation_as_the_library_would(params):
    view = cw.ReachView(params)
    view.posts.value = 5
    view.caseload.value = 10
    assert view.error is None and not view.monte_carlo
    p = apply_scenario(params, DEFAULT_SCENARIO).with_values(
        {"team.staff.posts": 5, "team.direct_work.caseload": 10.0}
    )
    want = reach(p, runs=cw.QUICK_REACH_RUNS, seed=0, parameter_uncertainty=False)
    assert view.result.runs == cw.QUICK_REACH_RUNS == 100
    np.testing.assert_array_equal(view.result.total("started"), want.total("started"))
    np.testing.assert_array_equal(view.result.total("spend"), want.total("spend"))
    assert "Quick estimate from 100 runs" in view.table.value  # the view says how many
    assert "Monte Carlo button for the full run" in view.table.value
    # the chart in the browser: the library's running totals, mean and 5th-95th band
    started = want.cumulative("started", 5, 95)
    low, high, mean = view.chart.data[:3]
    np.testing.assert_allclose(mean.y, started["mean"])
    np.testing.assert_allclose(low.y, started["low"])
    np.testing.assert_allclose(high.y, started["high"])
    assert list(mean.x) == want.quarter_labels()
    fewer = view.result.total("started").mean()
    view.posts.value = 7
    assert view.result.total("started").mean() > fewer


def test_reach_view_start_date_and_monte_carlo_with_progress(params):
    view = cw.ReachView(params)
    view.start_date.value = dt.date(2020, 4, 1)
    assert view.result.inputs.start_date == dt.date(2020, 4, 1)
    view.run_monte_carlo(runs=60, seed=4)
    assert view.monte_carlo and view.result.runs == 60
    assert view.progress.value == view.progress.max == view.result.inputs.weeks
    p = apply_scenario(params, DEFAULT_SCENARIO).with_values(
        {"team.programme.start_date": dt.date(2020, 4, 1)}
    )
    want = reach(p, runs=60, seed=4, parameter_uncertainty=True)
    np.testing.assert_array_equal(view.result.total("completed"), want.total("completed"))


def test_reach_view_shows_bad_input_as_a_message(params):
    view = cw.ReachView(params)
    view.start_date.value = None
    assert view.error == "choose a start date"
    assert "choose a start date" in view.message.value
    view.start_date.value = dt.date(2019, 2, 1)
    assert view.error is None and view.message.value == ""


# ------------------------------------------------------------------ savings


def test_savings_view_starts_at_the_scenario_values(savings_view, params):
    p = apply_scenario(params, DEFAULT_SCENARIO)
    assert savings_view.deadweight.value == pytest.approx(
        p["savings.additionality.deadweight"].value
    )
    rates = p["prices.discounting.standard"].value
    assert savings_view.discount_rate.value == pytest.approx(rates[0])
    want = _deterministic_npv(params, DEFAULT_SCENARIO, {})
    assert savings_view.result.appraisal.npv[0] == pytest.approx(want.npv[0], rel=1e-12)


def test_savings_view_deadweight_matches_the_library(savings_view, params):
    savings_view.deadweight.value = 0.3
    want = _deterministic_npv(params, DEFAULT_SCENARIO, {"savings.additionality.deadweight": 0.3})
    assert savings_view.result.appraisal.npv[0] == pytest.approx(want.npv[0], rel=1e-12)
    savings_view.reset()
    assert savings_view.deadweight.value == pytest.approx(0.1)


def test_savings_view_effect_scale_scales_net_savings_linearly(savings_view):
    savings_view.reset()
    base = savings_view.result.appraisal
    savings_view.effect_scale.value = 2.0
    doubled = savings_view.result.appraisal
    assert savings_view.error is None
    # no effect reaches 1 at twice its value, so savings are exactly twice as large
    assert doubled.pv_savings_net[0] == pytest.approx(2 * base.pv_savings_net[0], rel=1e-9)
    assert doubled.pv_costs[0] == pytest.approx(base.pv_costs[0])
    savings_view.reset()


def test_savings_view_zero_discount_rate_gives_undiscounted_sums(savings_view):
    savings_view.discount_rate.value = 0.0
    a = savings_view.result.appraisal
    np.testing.assert_allclose(a.discount_factors, 1.0)
    assert a.pv_costs[0] == pytest.approx(a.costs.sum())
    savings_view.years_after_support.value = 4
    # the team's three years and four more for its last quarter's cohort
    assert savings_view.result.appraisal.horizon == 7
    savings_view.reset()
    # the follow-up the evidence supports (the phase 2 evaluation's five years)
    assert savings_view.years_after_support.value == 5


def test_savings_view_scenario_switch_resets_controls(savings_view, params):
    savings_view.scenario.value = "cautious"
    p = apply_scenario(params, "cautious")
    assert savings_view.attribution.value == pytest.approx(
        p["savings.additionality.attribution"].value
    )
    want = _deterministic_npv(params, "cautious", {})
    assert savings_view.result.appraisal.npv[0] == pytest.approx(want.npv[0], rel=1e-12)
    savings_view.scenario.value = DEFAULT_SCENARIO


def test_savings_view_monte_carlo_matches_project(savings_view, params):
    savings_view.deadweight.value = 0.2
    savings_view.run_monte_carlo(draws=150, seed=7)
    mc = savings_view.monte_carlo
    want = project(
        apply_scenario(params, DEFAULT_SCENARIO).with_values(
            {"savings.additionality.deadweight": 0.2}
        ),
        None,
        draws=150,
        seed=7,
        check_area=False,
    )
    np.testing.assert_allclose(mc.appraisal.npv, want.appraisal.npv, rtol=1e-12)
    assert f"{want.p_npv_positive * 100:.1f}%" in savings_view.mc_text.value
    assert savings_view.value_of_information is not None
    assert "effects" in savings_view.value_of_information.index
    savings_view.reset()


def test_savings_view_tornado_and_compare(savings_view):
    savings_view.run_tornado(runs=60)
    t = savings_view.tornado
    assert t is not None and (t["swing"].diff().dropna() <= 0).all()
    savings_view.compare(["central", "no_team"], draws=40)
    assert savings_view.comparison["no_team"].appraisal.npv.max() == 0
    assert "no_team" in savings_view.compare_text.value
    assert "Which assumptions" in savings_view.tornado_text.value  # still shown


# ------------------------------------------------------------------ your own scenario


def test_scenario_builder_saves_a_file_the_cli_accepts(params, tmp_path, capsys):
    b = cw.ScenarioBuilder(params)
    b.name.value = "five_posts"
    b.description.value = "Five posts and lighter caseloads."
    b.add_override("team.staff.posts", 5)
    b.add_override("team.direct_work.caseload", 10.0)
    path = b.save(folder=tmp_path)
    assert path == tmp_path / "five_posts.yaml" and b.error is None
    s = load_scenario(path, params.root, params)
    assert dict(s.overrides)["team.staff.posts"] == 5 and s.based_on == DEFAULT_SCENARIO
    assert main(["project", "--scenario", str(path), "--draws", "20", "--format", "json"]) == 0
    assert '"scenario": "five_posts"' in capsys.readouterr().out
    # the same again without force is refused, with a message, and the file is unchanged
    before = path.read_text()
    assert b.save(folder=tmp_path) is None
    assert "already exists" in b.message.value and path.read_text() == before


def test_scenario_builder_rejects_bad_input_with_one_line(params, tmp_path):
    b = cw.ScenarioBuilder(params)
    b.add_override("savings.additionality.deadweight", 1.5)
    assert "above 1" in b.error and b.changes == {}
    b.add_override("team.no_such_thing", 3)
    assert "unknown parameter" in b.error
    b.name.value = "central"
    assert b.save(folder=tmp_path) is None and "shipped scenario" in b.error
    b.name.value = "Bad Name"
    assert b.save(folder=tmp_path) is None and "lower-case" in b.error
    assert list(tmp_path.iterdir()) == []


def test_settings_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("COSTMODEL_NOTEBOOK_DRAWS", "50")
    monkeypatch.setenv("COSTMODEL_OUTPUT_DIR", str(tmp_path))
    assert cw.monte_carlo_draws(2000) == 50 and cw.monte_carlo_draws(20) == 20
    assert cw.output_folder() == tmp_path


def test_the_reach_simulation_is_shared_and_kept_for_a_control_moved_back():
    import costmodel
    from costmodel.present import widgets as cw

    p = costmodel.load()
    first = cw.shared_reach(p, 20)
    assert cw.shared_reach(p, 20) is first  # the same values: not simulated again
    other = p.with_values({"team.direct_work.caseload": p["team.direct_work.caseload"].value + 3})
    moved = cw.shared_reach(other, 20)
    assert moved is not first
    assert moved.totals().loc["started", "mean"] != first.totals().loc["started", "mean"]
    assert cw.shared_reach(p, 20) is first  # moved back
    for k in range(cw.REACH_CACHE_SIZE + 2):  # kept only so many
        cw.shared_reach(p.with_values({"team.direct_work.caseload": 5 + k}), 5)
    assert len(cw._REACH_CACHE) == cw.REACH_CACHE_SIZE


def _shown(view) -> tuple[str, dict]:
    text = view.headline if hasattr(view, "headline") else view.table
    return text.value, view.figure.state()


@pytest.mark.parametrize(
    "make, control, other",
    [
        (cw.BaselineView, "price_year", "2014/15"),
        (cw.ReachView, "caseload", 3.0),
        (cw.SavingsView, "deadweight", 0.45),
    ],
)
def test_kept_results_show_the_same_figures_as_worked_out_afresh(params, make, control, other):
    view = make(params)
    first = _shown(view)
    before = getattr(view, control).value
    getattr(view, control).value = other
    assert view.error is None and _shown(view)[0] != first[0]
    getattr(view, control).value = before  # moved back: answered from what is kept
    assert _shown(view) == first
    cw._CHART_CACHE.clear()
    cw._REACH_CACHE.clear()
    assert _shown(make(params)) == first  # nothing kept: the same tables and the same chart


def test_a_chart_drawn_on_the_kept_canvas_is_the_chart_drawn_on_its_own(params):
    import io

    from costmodel.present import charts
    from costmodel.present.views.common import _png

    def alone(fig) -> bytes:
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=cw.FIGURE_DPI, facecolor="white")
        return buf.getvalue()

    for year in ("2014/15", "2022/23", "2014/15"):  # the second 2014/15 on a used canvas
        b = baseline(params, "northamptonshire", year)
        assert _png(charts.baseline_chart(b)) == alone(charts.baseline_chart(b))


# ------------------------------------------------------------------ the charts in the browser


def _line(fig, gid: str):
    """The data of the matplotlib chart's artist ``gid`` (the PDF report's chart)."""
    return next(a for a in fig.axes[0].get_children() if a.get_gid() == gid)


def test_the_browser_charts_show_the_numbers_of_the_report_charts(params):
    """Each plotly chart against the matplotlib chart of the same result (the PDF's):
    the same bars, lines and payback, in the axis' unit."""
    from costmodel.present import charts
    from costmodel.present.views import figures

    b = baseline(params, "northamptonshire", "2022/23")
    for by in ("issue", "agency"):
        (bars,) = figures.baseline_figure(b, by).traces
        ax = charts.baseline_chart(b, by).axes[0]
        drawn = [p.get_width() for p in ax.patches if p.get_gid() == "cost"]
        np.testing.assert_allclose(bars["x"] * 1e6, drawn)
        assert bars["text"] == [money_m(v) for v in drawn]

    res = reach(params, runs=30, seed=3, parameter_uncertainty=False)
    data = figures.families_figure(res)
    fig = charts.families_chart(res)
    for i, (name, _colour) in enumerate(figures.FAMILIES_LINES):
        low, high, mean = data.traces[3 * i : 3 * i + 3]
        if name == "light_touch_contacted" and not res.total(name).any():
            assert not mean["visible"]
            continue
        np.testing.assert_allclose(mean["y"], _line(fig, f"{name}-mean").get_ydata())
        band = _line(fig, f"{name}-band").get_paths()[0].vertices[:, 1]
        assert low["y"].min() == pytest.approx(band.min())
        assert high["y"].max() == pytest.approx(band.max())

    proj = project(params, "optimistic", draws=1)  # pays back within its horizon
    data = figures.cumulative_figure(proj)
    fig = charts.cumulative_chart(proj)
    lo, hi, costs, savings, payback, _rule = data.traces
    unit = {"m": 1e6, "k": 1e3, "": 1.0}[data.layout["yaxis"]["ticksuffix"]]
    np.testing.assert_allclose(costs["y"] * unit, _line(fig, "costs-mean").get_ydata())
    np.testing.assert_allclose(savings["y"] * unit, _line(fig, "savings-mean").get_ydata())
    assert not lo["visible"] and not hi["visible"]  # deterministic: no band
    mark = _line(fig, "payback")
    assert payback["x"][0] == pytest.approx(mark.get_xdata()[0])
    assert payback["y"][0] * unit == pytest.approx(mark.get_ydata()[0])
    assert (
        payback["name"]
        == "Payback: in "
        + proj.financial_years()[int(np.ceil(proj.cumulative().attrs["payback_of_means"])) - 1]
    )


def test_a_live_figure_replaces_only_data_and_refuses_another_chart(params):
    from costmodel.present.views import figures

    live = figures.LiveFigure("baseline")
    first = figures.baseline_figure(baseline(params, "northamptonshire", "2014/15"))
    live.show(first)
    bar = live.widget.data[0]
    styles = (bar.orientation, bar.textposition)
    # the state a page starts from holds the first chart (shown before any page is open)
    np.testing.assert_allclose(live.widget._widget_data[0]["x"], first.traces[0]["x"])
    assert live.widget._widget_layout["title"]["text"] == first.layout["title"]["text"]
    live.show(figures.baseline_figure(baseline(params, "northamptonshire", "2022/23")))
    assert live.widget.data[0] is bar and (bar.orientation, bar.textposition) == styles
    live.show(first)
    np.testing.assert_allclose(bar.x, first.traces[0]["x"])
    res = reach(params, runs=5, seed=0, parameter_uncertainty=False)
    with pytest.raises(ValueError, match="families chart cannot be shown on a baseline"):
        live.show(figures.families_figure(res))


def test_in_the_app_a_chart_carries_a_loader_and_sends_the_chart_as_it_stands(params, monkeypatch):
    """In `costmodel app` (the server sets $COSTMODEL_PLOTLY_BUNDLE) a chart carries a
    few lines that load plotly's code from the server, not the code itself, and answers
    the page's "sync" (sent once the code has loaded) with the chart as it stands."""
    import plotly.graph_objects as go

    from costmodel.present import plotly_bundle
    from costmodel.present.views import figures

    plain = figures.LiveFigure("baseline")
    path = "/costmodel/voila/files/plotly-widgetbundle.js?v=1"
    monkeypatch.setenv(plotly_bundle.BUNDLE_VARIABLE, path)
    live = figures.LiveFigure("baseline")
    assert len(plain.widget._esm) > 1_000_000  # plotly's own: its code, some 5 MB
    assert live.widget._esm == plotly_bundle.loader_esm(path) and len(live.widget._esm) < 2_000
    assert isinstance(live.widget, go.FigureWidget)  # a plotly FigureWidget still
    first = figures.baseline_figure(baseline(params, "northamptonshire", "2014/15"))
    later = figures.baseline_figure(baseline(params, "northamptonshire", "2022/23"))
    live.show(first)
    live.show(later)  # before any page has plotly's code: the page's state is the first
    np.testing.assert_allclose(live.widget._widget_data[0]["x"], first.traces[0]["x"])
    sent: list[object] = []
    monkeypatch.setattr(live.widget, "send_state", lambda key=None: sent.append(key))
    monkeypatch.setattr(live.widget, "send", lambda content, buffers=None: sent.append(content))
    live._sync(live.widget, {"costmodel": "something else"}, [])
    assert sent == []
    live._sync(live.widget, {"costmodel": plotly_bundle.SYNC}, [])
    assert sent[-2:] == [["_widget_data", "_widget_layout"], {"costmodel": plotly_bundle.SYNCED}]
    np.testing.assert_allclose(live.widget._widget_data[0]["x"], later.traces[0]["x"])
    assert live.widget._widget_layout["title"]["text"] == later.layout["title"]["text"]
