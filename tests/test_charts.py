"""Charts: each draws the model's numbers, renders cleanly and keeps its text on the page."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import subprocess
import sys
import warnings

import numpy as np
import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.dates import date2num
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

import costmodel
from costmodel.analysis import sensitivity
from costmodel.model.projection import project
from costmodel.present import charts
from costmodel.present.formatting import money, money_m, percent
from costmodel.present.labels import AGENCIES, ISSUES

TORNADO_PARAMETERS = [
    "savings.outcomes.child_enters_care.effect",
    "savings.outcomes.child_enters_care.prevalence",
    "savings.additionality.deadweight",
    "team.direct_work.caseload",
    "savings.persistence.drop_off",
]

# ---------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def base(northants):
    return costmodel.baseline(northants, "northamptonshire", "2024/25")


@pytest.fixture(scope="module")
def result(northants):
    return costmodel.reach(northants, runs=200, seed=3)


@pytest.fixture(scope="module")
def central(northants):
    return project(northants, "central", draws=300, seed=2)


@pytest.fixture(scope="module")
def optimistic(northants):
    return project(northants, "optimistic", draws=100, seed=2)


@pytest.fixture(scope="module")
def troubled(northants):
    """Payment-by-results income and a programme that does not pay back."""
    return project(northants, "troubled_families_phase2", draws=100, seed=2)


@pytest.fixture(scope="module")
def no_team(northants):
    return project(northants, "no_team", draws=50, seed=2)


@pytest.fixture(scope="module")
def deterministic(northants):
    sim = costmodel.reach(northants, runs=50, seed=1, parameter_uncertainty=False)
    return project(northants, "central", draws=1, simulation=sim)


@pytest.fixture(scope="module")
def tornado_table(northants):
    return sensitivity.one_way(northants, "central", parameters=TORNADO_PARAMETERS, runs=100)


@pytest.fixture(scope="module")
def scenarios(central, no_team, troubled, optimistic):
    return {
        "central": central,
        "no_team": no_team,
        "troubled_families_phase2": troubled,
        "optimistic": optimistic,
    }


# ----------------------------------------------------------------------------- helpers


def render(fig: Figure):
    """Draw with Agg (as ``savefig`` to PNG does), failing on any warning; the renderer."""
    canvas = FigureCanvasAgg(fig)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        canvas.draw()
    return canvas.get_renderer()


def by_gid(ax, gid):
    found = [a for a in ax.get_children() if a.get_gid() == gid]
    assert len(found) == 1, f"expected one artist {gid!r}, found {len(found)}"
    return found[0]


def bars(ax, gid):
    """The bar patches drawn with ``gid``, in drawing order."""
    return [p for p in ax.patches if p.get_gid() == gid]


def band_limits(collection, x):
    """Lowest and highest y of a fill_between band at each x."""
    v = collection.get_paths()[0].vertices
    lo, hi = [], []
    for xi in x:
        ys = v[np.isclose(v[:, 0], xi), 1]
        lo.append(ys.min())
        hi.append(ys.max())
    return np.array(lo), np.array(hi)


def shown_tick_labels(axis, view):
    """(location, Text) of the labelled ticks inside the view limits."""
    lo, hi = sorted(view)
    out = []
    for loc, label in zip(axis.get_majorticklocs(), axis.get_majorticklabels(), strict=False):
        if lo - 1e-9 * abs(hi - lo) <= loc <= hi + 1e-9 * abs(hi - lo) and label.get_text():
            out.append((loc, label))
    return out


def check_layout(fig: Figure) -> None:
    """Every axes (with its labels), legend and title lies inside the figure, and no two
    tick labels on an axis overlap."""
    renderer = render(fig)
    width, height = fig.get_size_inches()
    used = fig.get_tightbbox(renderer)  # inches: axes with their labels, legends, title
    tol = 0.01
    assert used.x0 >= -tol and used.y0 >= -tol, used
    assert used.x1 <= width + tol and used.y1 <= height + tol, used
    for ax in fig.axes:
        for axis, view in ((ax.xaxis, ax.get_xlim()), (ax.yaxis, ax.get_ylim())):
            extents = [t.get_window_extent(renderer) for _, t in shown_tick_labels(axis, view)]
            for i, a in enumerate(extents):
                for b in extents[i + 1 :]:
                    assert not a.overlaps(b), f"tick labels overlap: {a} {b}"


def tick_texts(axis, view) -> list[str]:
    return [t.get_text() for _, t in shown_tick_labels(axis, view)]


# ------------------------------------------------------------------------------ money


def test_money_formatter_brackets_negatives_and_picks_a_unit():
    f = charts.MoneyFormatter()
    assert f.format_ticks([-500_000, 0, 500_000, 1_000_000]) == ["(£0.5m)", "£0", "£0.5m", "£1.0m"]
    assert f.format_ticks([-200_000, -100_000, 0, 100_000]) == ["(£200k)", "(£100k)", "£0", "£100k"]
    assert f.format_ticks([0, 250, 500]) == ["£0", "£250", "£500"]
    assert f.format_ticks([0, 25_000, 50_000, 75_000]) == ["£0", "£25k", "£50k", "£75k"]
    assert charts.MoneyFormatter("m").format_ticks([0, 2e7, 4e7]) == ["£0", "£20m", "£40m"]
    assert charts.money_short(-29_612_345) == "(£29.6m)"
    assert charts.money_short(139_400) == "£139k"
    assert charts.money_short(0) == "£0"


def test_parameter_labels():
    assert (
        charts.parameter_label("savings.outcomes.child_enters_care.effect") == "Care entry: effect"
    )
    assert charts.parameter_label("team.direct_work.caseload") == "Direct work: caseload"
    assert charts.parameter_label("savings.persistence.drop_off") == "Persistence: yearly drop-off"


# --------------------------------------------------------------------------- baseline


@pytest.mark.parametrize("by", ["issue", "agency"])
def test_baseline_bars_are_the_costs_largest_first(base, by):
    fig = charts.baseline_chart(base, by=by)
    check_layout(fig)
    (ax,) = fig.axes
    costs = base.by_issue if by == "issue" else base.by_agency
    expected = costs.sort_values(ascending=False)
    patches = bars(ax, "cost")
    widths = np.array([p.get_width() for p in patches])
    ys = np.array([p.get_y() + p.get_height() / 2 for p in patches])
    np.testing.assert_allclose(widths, expected.to_numpy(float))
    assert ax.yaxis_inverted() and np.all(np.diff(ys) > 0)  # first (largest) at the top
    names = ISSUES if by == "issue" else AGENCIES
    labels = [t.get_text().replace("\n", " ") for t in ax.get_yticklabels()]
    assert labels == [names[k] for k in expected.index]
    assert [t.get_text() for t in ax.texts] == [money_m(v) for v in expected]
    assert base.price_basis in ax.get_xlabel() and "£m" in ax.get_xlabel()
    ticks = tick_texts(ax.xaxis, ax.get_xlim())
    assert ticks[0] == "£0" and all(t.endswith("m") for t in ticks[1:])
    if by == "agency":
        assert [p.get_facecolor()[:3] for p in patches] == [
            tuple(int(charts.AGENCY_COLOURS[k][i : i + 2], 16) / 255 for i in (1, 3, 5))
            for k in expected.index
        ]


def test_baseline_by_must_be_issue_or_agency(base):
    with pytest.raises(ValueError, match="issue"):
        charts.baseline_chart(base, by="area")


# ------------------------------------------------------------------------------ reach


def test_families_bands_are_percentiles_of_cumulative_runs(result):
    fig = charts.families_chart(result)
    check_layout(fig)
    (ax,) = fig.axes
    dates = [dt.date.fromisoformat(d) for d in result.quarter_labels()]
    x = date2num(dates)
    for name in ("started", "completed"):
        cum = np.cumsum(result.quarterly[name], axis=1)
        line = by_gid(ax, f"{name}-mean")
        np.testing.assert_allclose(date2num(line.get_xdata()), x)
        np.testing.assert_allclose(line.get_ydata(), cum.mean(axis=0))
        lo, hi = band_limits(by_gid(ax, f"{name}-band"), x)
        np.testing.assert_allclose(lo, np.percentile(cum, 5, axis=0))
        np.testing.assert_allclose(hi, np.percentile(cum, 95, axis=0))
        # the wrong band (cumulated percentiles) is measurably different
        wrong = np.cumsum(np.percentile(result.quarterly[name], 95, axis=0))
        assert not np.allclose(hi, wrong)
    assert ax.get_ylabel() == "families (cumulative)"


# ------------------------------------------------------------------------- projection


def cumulative_data(projection):
    a = projection.appraisal
    costs = np.cumsum(a.costs * a.discount_factors, axis=1)  # fiscal: income cancels
    savings = np.cumsum(a.net.sum(axis=2) * a.discount_factors, axis=1)
    return costs, savings


@pytest.mark.parametrize("name", ["central", "optimistic", "troubled"])
def test_cumulative_chart_draws_discounted_net_costs_and_savings(request, name):
    projection = request.getfixturevalue(name)
    fig = charts.cumulative_chart(projection)
    check_layout(fig)
    (ax,) = fig.axes
    costs, savings = cumulative_data(projection)
    np.testing.assert_allclose(by_gid(ax, "costs-mean").get_ydata(), costs.mean(axis=0))
    np.testing.assert_allclose(by_gid(ax, "savings-mean").get_ydata(), savings.mean(axis=0))
    x = np.arange(projection.appraisal.horizon)
    lo, hi = band_limits(by_gid(ax, "savings-band"), x)
    np.testing.assert_allclose(lo, np.percentile(savings, 5, axis=0))
    np.testing.assert_allclose(hi, np.percentile(savings, 95, axis=0))
    assert [t.get_text() for t in ax.get_xticklabels()] == projection.financial_years()
    assert f"real terms, {projection.price_year} prices, discounted" in ax.get_ylabel()
    gap = savings.mean(axis=0) - costs.mean(axis=0)
    marks = [a for a in ax.get_children() if a.get_gid() == "payback"]
    if (gap >= 0).any():
        (mark,) = marks
        xp, yp = mark.get_xdata()[0], mark.get_ydata()[0]
        # the mark sits where the two mean lines cross
        assert np.interp(xp, x, savings.mean(axis=0)) == pytest.approx(yp, rel=1e-9)
        assert np.interp(xp, x, costs.mean(axis=0)) == pytest.approx(yp, rel=1e-9)
        first = int(np.argmax(gap >= 0))
        assert first - 1 < xp <= first
    else:
        assert marks == []


def test_cumulative_costs_leave_income_out(troubled):
    """Payment-by-results income is a transfer within government: the fiscal view the
    chart takes does not take it off the costs."""
    a = troubled.appraisal
    assert a.income is not None and a.income.sum() > 0
    (ax,) = charts.cumulative_chart(troubled).axes
    expected = np.cumsum(a.costs * a.discount_factors, axis=1).mean(axis=0)
    np.testing.assert_allclose(by_gid(ax, "costs-mean").get_ydata(), expected)


def test_cumulative_chart_of_a_deterministic_projection(deterministic):
    fig = charts.cumulative_chart(deterministic)
    check_layout(fig)
    (ax,) = fig.axes
    costs, savings = cumulative_data(deterministic)
    np.testing.assert_allclose(by_gid(ax, "costs-mean").get_ydata(), costs[0])
    np.testing.assert_allclose(by_gid(ax, "savings-mean").get_ydata(), savings[0])
    assert not [a for a in ax.get_children() if a.get_gid() == "savings-band"]


@pytest.mark.parametrize("discounted", [False, True])
def test_agency_bars_stack_to_the_yearly_net_saving(central, discounted):
    fig = charts.savings_by_agency_chart(central, discounted=discounted)
    check_layout(fig)
    (ax,) = fig.axes
    a = central.appraisal
    factor = a.discount_factors if discounted else np.ones(a.horizon)
    heights = np.array([[p.get_height() for p in bars(ax, agency)] for agency in AGENCIES])
    np.testing.assert_allclose(heights.T, a.net_by_agency.mean(axis=0) * factor[:, None])
    np.testing.assert_allclose(heights.sum(axis=0), a.net.sum(axis=2).mean(axis=0) * factor)
    # stacked: each agency's bar starts where the one below it ends
    bottoms = np.array([[p.get_y() for p in bars(ax, agency)] for agency in AGENCIES])
    np.testing.assert_allclose(bottoms[1:], np.cumsum(heights, axis=0)[:-1])
    legend_texts = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend_texts == list(AGENCIES.values())
    label = ax.get_ylabel()
    assert f"real terms, {central.price_year} prices" in label
    assert label.endswith("discounted") == discounted


def test_agency_bars_stack_negatives_below_zero(central):
    """A loss for one agency is drawn below the axis, not hidden inside the stack."""
    a = central.appraisal
    flipped = a.net_by_agency.copy()
    flipped[:, :, 1] *= -1
    tweaked = dataclasses.replace(
        central, appraisal=dataclasses.replace(a, net_by_agency=flipped), totals=None
    )
    (ax,) = charts.savings_by_agency_chart(tweaked).axes
    police = bars(ax, "police")
    assert all(p.get_y() == 0 and p.get_height() <= 0 for p in police)


# ------------------------------------------------------------------------ sensitivity


def test_tornado_bars_run_from_central_to_low_and_high_npv(tornado_table):
    top = 3
    fig = charts.tornado_chart(tornado_table, top=top)
    check_layout(fig)
    (ax,) = fig.axes
    central = tornado_table.attrs["npv_central"]
    rows = tornado_table.sort_values("swing", ascending=False).head(top)
    low, high = bars(ax, "low"), bars(ax, "high")
    assert len(low) == len(high) == top
    for (path, row), lb, hb in zip(rows.iterrows(), low, high, strict=True):
        assert lb.get_x() == pytest.approx(central)
        assert lb.get_x() + lb.get_width() == pytest.approx(row.npv_low)
        assert hb.get_x() == pytest.approx(central)
        assert hb.get_x() + hb.get_width() == pytest.approx(row.npv_high)
        assert lb.get_y() == hb.get_y()
        assert path in TORNADO_PARAMETERS
    ys = [b.get_y() for b in low]
    assert ax.yaxis_inverted() and ys == sorted(ys)  # largest swing at the top
    assert by_gid(ax, "central").get_xdata()[0] == pytest.approx(central)
    labels = [t.get_text().replace("\n", " ") for t in ax.get_yticklabels()]
    assert labels == [charts.parameter_label(p) for p in rows.index]
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend[:2] == ["parameter at 5th percentile", "at 95th percentile"]


def test_tornado_sorts_takes_the_top_rows_and_uses_given_labels():
    table = pd.DataFrame(
        {"npv_low": [-50.0e3, -900.0e3, 40.0e3], "npv_high": [80.0e3, 700.0e3, 60.0e3]},
        index=pd.Index(["a.small", "b.big", "c.same_side"], name="parameter"),
    )
    table["swing"] = (table.npv_high - table.npv_low).abs()
    table.attrs["npv_central"] = 20.0e3
    long = "a very long label for the biggest parameter that has to wrap onto lines"
    fig = charts.tornado_chart(table, top=2, labels={"b.big": long})
    check_layout(fig)
    (ax,) = fig.axes
    low = bars(ax, "low")
    assert [b.get_x() + b.get_width() for b in low] == [-900.0e3, -50.0e3]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[0].replace("\n", " ") == long and "\n" in labels[0]
    assert labels[1] == "A: small"
    # rows make room for wrapped labels: no overlaps with three rows either
    check_layout(charts.tornado_chart(table, top=3, labels={"b.big": long, "c.same_side": long}))
    ticks = tick_texts(ax.xaxis, ax.get_xlim())
    negative = [t for t in ticks if t.startswith("(")]
    assert negative and all(t.startswith("(£") and t.endswith(")") for t in negative)
    assert not any("-" in t or "\u2212" in t for t in ticks)


def test_tornado_same_side_bars_both_show():
    table = pd.DataFrame(
        {"npv_low": [40.0e3], "npv_high": [90.0e3], "swing": [50.0e3]},
        index=pd.Index(["x.y"], name="parameter"),
    )
    table.attrs["npv_central"] = 20.0e3
    (ax,) = charts.tornado_chart(table).axes
    (lb,), (hb,) = bars(ax, "low"), bars(ax, "high")
    assert lb.get_zorder() > hb.get_zorder()  # the shorter bar is drawn on top


# --------------------------------------------------------------------------------- NPV


def test_npv_histogram_counts_every_draw(central):
    fig = charts.npv_distribution_chart(central)
    check_layout(fig)
    (ax,) = fig.axes
    npv = central.appraisal.npv
    patches = ax.patches
    heights = np.array([p.get_height() for p in patches])
    edges = np.array([p.get_x() for p in patches] + [patches[-1].get_x() + patches[-1].get_width()])
    assert heights.sum() == central.draws
    np.testing.assert_array_equal(heights, np.histogram(npv, bins=edges)[0])
    assert np.any(np.isclose(edges, 0.0))  # zero is a bin edge: bins are one sign
    assert by_gid(ax, "zero").get_xdata()[0] == 0
    assert by_gid(ax, "mean").get_xdata()[0] == pytest.approx(npv.mean())
    legend = ax.get_legend()
    assert percent(central.p_npv_positive) in legend.get_title().get_text()
    assert money(npv.mean()) in " ".join(t.get_text() for t in legend.get_texts())
    # bins wholly below zero (a bin's centre, not its left edge, which can sit at -1e-11)
    below = [p for p in patches if p.get_x() + p.get_width() / 2 < 0]
    assert below and all(p.get_facecolor() == below[0].get_facecolor() for p in below)
    assert below[0].get_facecolor() != patches[-1].get_facecolor()


@pytest.mark.parametrize("name", ["deterministic", "no_team"])
def test_npv_chart_of_a_single_value(request, name):
    projection = request.getfixturevalue(name)
    fig = charts.npv_distribution_chart(projection)
    check_layout(fig)
    (ax,) = fig.axes
    value = float(projection.appraisal.npv.mean())
    assert by_gid(ax, "npv-single").get_xdata()[0] == pytest.approx(value)
    assert not ax.patches
    assert any(money(value) in a.get_text() for a in ax.texts)


# --------------------------------------------------------------------------- scenarios


def test_scenarios_chart_shows_npv_per_family_its_range_and_bcr(scenarios):
    fig = charts.scenarios_chart(scenarios)
    check_layout(fig)
    ax, ax_bcr = fig.axes
    names = list(scenarios)
    npv_bars = bars(ax, "npv")
    # the mean NPV over the mean families starting support (none: no bar)
    want = []
    for p in scenarios.values():
        fam = p.families_started.mean()
        want.append(p.appraisal.npv.mean() / fam if fam > 0 else 0.0)
    np.testing.assert_allclose([b.get_width() for b in npv_bars], want)
    whiskers = by_gid(ax, "npv-range")
    assert isinstance(whiskers, LineCollection)
    for seg, p in zip(whiskers.get_segments(), scenarios.values(), strict=True):
        fam = p.families_started
        if (fam > 0).any():
            per = p.appraisal.npv[fam > 0] / fam[fam > 0]
            assert sorted(seg[:, 0]) == pytest.approx(np.percentile(per, [5, 95]))
    labels = [t.get_text().replace("\n", " ") for t in ax.get_yticklabels()]
    assert labels == ["Central", "No team", "Troubled families phase2", "Optimistic"]
    bcr_bars = bars(ax_bcr, "bcr")
    texts = [a.get_text() for a in ax_bcr.texts]
    for i, p in enumerate(scenarios.values()):
        a = p.appraisal  # the BCR stated: mean PV of net savings over mean PV of costs
        costs = a.pv_costs.mean()
        if costs:
            bcr = a.pv_savings_net.mean() / costs
            assert bcr_bars[i].get_width() == pytest.approx(bcr)
            assert texts[i] == f"{bcr:.2f}"
        else:
            assert names[i] == "no_team" and texts[i] == "n/a"
    npv_texts = [a.get_text() for a in ax.texts]
    assert npv_texts[2].startswith("(£")  # a loss per family


# ------------------------------------------------------------------------------ common


@pytest.fixture(scope="module")
def every_chart(base, result, central, tornado_table, scenarios, deterministic):
    return {
        "baseline": charts.baseline_chart(base),
        "families": charts.families_chart(result),
        "cumulative": charts.cumulative_chart(central),
        "agencies": charts.savings_by_agency_chart(central, discounted=True),
        "tornado": charts.tornado_chart(tornado_table),
        "npv": charts.npv_distribution_chart(central),
        "npv_single": charts.npv_distribution_chart(deterministic),
        "scenarios": charts.scenarios_chart(scenarios),
    }


def test_every_chart_is_a_print_sized_figure(every_chart):
    for name, fig in every_chart.items():
        assert isinstance(fig, Figure), name
        width, height = fig.get_size_inches()
        assert width == pytest.approx(6.7) and 2.9 <= height <= 4.5, name
        assert fig.get_layout_engine().__class__.__name__ == "ConstrainedLayoutEngine"
        for ax in fig.axes:
            assert not ax.spines["top"].get_visible()
            assert not ax.spines["right"].get_visible()
            for label in ax.get_xticklabels() + ax.get_yticklabels():
                assert 7.5 <= label.get_fontsize() <= 9, name
        buf = io.BytesIO()
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            fig.savefig(buf, format="png")
        assert buf.getvalue()[:8] == b"\x89PNG\r\n\x1a\n"


def test_agencies_keep_their_colours(central, base):
    (ax,) = charts.savings_by_agency_chart(central).axes
    (bx,) = charts.baseline_chart(base, by="agency").axes
    baseline_colours = dict(
        zip(
            base.by_agency.sort_values(ascending=False).index,
            [p.get_facecolor() for p in bars(bx, "cost")],
            strict=True,
        )
    )
    for agency in AGENCIES:
        assert bars(ax, agency)[0].get_facecolor() == baseline_colours[agency]


def test_charts_need_no_pyplot_and_package_import_stays_light():
    code = (
        "import sys, costmodel; assert 'costmodel.present.charts' not in sys.modules; "
        "assert 'matplotlib' not in sys.modules; import costmodel.present.charts; "
        "assert 'matplotlib.pyplot' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_artists_used_in_tests_are_what_they_seem(result):
    """Guard the helpers: bands are PolyCollections and lines are Line2D."""
    (ax,) = charts.families_chart(result).axes
    assert isinstance(by_gid(ax, "started-band"), PolyCollection)
    assert isinstance(by_gid(ax, "started-mean"), Line2D)
