"""How quickly the app answers a control, measured in a real browser.

Starts `costmodel app` on a free local port, opens it in headless Chromium (Selenium),
and for each view changes one control and times how long until the figures on the page
change: the tables' text, and the chart's data as the browser's plotly figure holds
it. Every change is to a value not shown before (a price year not chosen yet, a
slider one step further), so that nothing the views keep answers it. The reference,
measured in the same run, is the same update computed in this process by the view
itself (no browser, no messages): the ratio is what serving it through a browser
costs. Needs Debian's chromium and chromium-driver (`make test` installs them).

    python benchmarks/bench_browser.py [--repeat N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from selenium.common.exceptions import TimeoutException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from test_browser import WAIT, chrome, labelled, open_tab, serve_app

import costmodel
from costmodel.present import widgets as cw

#: The view's results as the page shows them, read in one call to the browser: the
#: text of its tables (HTML outputs), and a fingerprint of each chart: of a plotly
#: chart, what it draws (each trace's data and whether it is shown, and the title) as
#: the page holds it; of a chart sent as a picture (the Monte Carlo buttons'), its image
#: source.
FIGURES_JS = """
const seen = e => e.offsetParent !== null;
const hash = s => {
  let h = 5381;
  for (let i = 0; i < s.length; i++) h = (h * 33 + s.charCodeAt(i)) | 0;
  return s.length + ':' + h;
};
const html = [...document.querySelectorAll('.widget-html')].filter(seen).map(e => e.innerText);
const imgs = [...document.querySelectorAll('.widget-image')].filter(seen)
  .map(e => { const s = e.getAttribute('src') || ''; return s.length + s.slice(-64); });
const plots = [...document.querySelectorAll('.js-plotly-plot')].filter(seen)
  .map(e => hash(JSON.stringify([((e.layout || {}).title || {}).text,
        (e.data || []).map(t => [t.visible, Array.from(t.x || []), Array.from(t.y || [])])])));
return [html.join('\\n'), [...imgs, ...plots].join('\\n')];
"""


def figures(driver) -> tuple[str, str]:
    """What the view shows as results: the text of its tables and its charts (not the
    controls' own readouts), read with one script so that a poll takes milliseconds."""
    text, charts = driver.execute_script(FIGURES_JS)
    return text, charts


def changed(
    driver, before: tuple[str, str], timeout: float = WAIT, poll: float = 0.005
) -> tuple[float, float]:
    """Seconds until the view's tables, and until its chart, differ from ``before``
    (the chart's time is the tables' where the view shows no chart), looking every
    ``poll`` seconds."""
    start = time.perf_counter()
    when: list[float | None] = [None, None]

    def done(d) -> bool:
        now = figures(d)
        for i in (0, 1):
            if when[i] is None and (now[i] != before[i] or not before[i]):
                when[i] = time.perf_counter() - start
        return None not in when

    try:
        WebDriverWait(driver, timeout, poll_frequency=poll).until(done)
    except TimeoutException:
        raise AssertionError(
            f"no change within {timeout} s: tables after {when[0]} s, chart after {when[1]} s"
        ) from None
    tables, chart = when
    assert tables is not None and chart is not None
    return tables, max(tables, chart)


def chart_on_page(driver) -> None:
    """Wait until the open tab's chart is on the page (a tab's plotly chart is drawn
    when the tab is first shown), so that a change is timed from a chart drawn."""
    WebDriverWait(driver, WAIT, poll_frequency=0.05).until(lambda d: figures(d)[1])


def slider_step(driver, label: str) -> tuple[float, float]:
    """Press the right arrow on a visible slider's handle; seconds until the page's
    tables and its chart change."""
    for box in driver.find_elements(By.CSS_SELECTOR, ".widget-slider"):
        names = box.find_elements(By.CSS_SELECTOR, ".widget-label")
        if box.is_displayed() and names and names[0].text.strip() == label:
            handle = box.find_element(By.CSS_SELECTOR, ".noUi-handle")
            before = figures(driver)
            handle.send_keys(Keys.ARROW_RIGHT)
            return changed(driver, before)
    raise AssertionError(f"no slider labelled {label!r}")


def in_process(view, control, new) -> float:
    start = time.perf_counter()
    control.value = new
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3, help="changes per view (default 3)")
    args = ap.parse_args(argv)
    params = costmodel.load()
    with serve_app() as app:  # stopped with SIGTERM; checks nothing of it is left
        rows = measure(app.url, params, args.repeat)
    print(
        f"{'view and control':40s} {'tables':>7s} {'chart':>7s} {'in process':>11s} "
        f"{'ratio':>6s}  chart, each change"
    )
    for name, b, r in rows:
        tables = statistics.median(t for t, _ in b)
        chart = statistics.median(c for _, c in b)
        mr = statistics.median(r)
        each = " ".join(f"{c:.2f}" for _, c in b)
        print(f"{name:40s} {tables:6.2f}s {chart:6.2f}s {mr:10.2f}s {chart / mr:5.1f}x  {each}")
    print(
        f"(medians of {args.repeat} changes; tables, chart: from the change in the browser "
        "to the new figures on the page; in process: the same change made in this process "
        "(chart included); ratio: chart / in process)"
    )
    return 0


def measure(
    url: str, params, repeat: int
) -> list[tuple[str, list[tuple[float, float]], list[float]]]:
    """Per view: the browser's times and the in-process times of the same change."""
    driver = chrome()
    try:
        driver.get(url)
        WebDriverWait(driver, WAIT).until(
            lambda d: d.find_elements(By.CSS_SELECTOR, ".lm-TabBar-tab")
        )
        rows: list[tuple[str, list[tuple[float, float]], list[float]]] = []
        # the cost of late intervention: the price year
        open_tab(driver, "The cost of late intervention")
        chart_on_page(driver)
        view = cw.BaselineView(params)
        # a price year not chosen before each time: nothing kept from earlier answers it
        years = [y for y in reversed(view.price_year.options) if y != view.price_year.value]
        years = years[:repeat]
        browser_times: list[tuple[float, float]] = []
        for year in years:
            before = figures(driver)
            Select(labelled(driver, "dropdown", "Price year")).select_by_visible_text(year)
            browser_times.append(changed(driver, before))
        ref = [in_process(view, view.price_year, y) for y in years]
        rows.append(("cost of late intervention: price year", browser_times, ref))
        # the team's reach and the savings: one step of a slider
        for tab, label, make, control in (
            ("The team's reach", "Caseload (families)", cw.ReachView, "caseload"),
            ("Savings and options", "Deadweight", cw.SavingsView, "deadweight"),
        ):
            open_tab(driver, tab)
            chart_on_page(driver)
            browser_times = [slider_step(driver, label) for _ in range(repeat)]
            v = make(params)
            c = getattr(v, control)
            ref = [in_process(v, c, c.value + c.step * (i + 1)) for i in range(repeat)]
            rows.append((f"{tab.lower()}: {label.lower()}", browser_times, ref))
    finally:
        driver.quit()
    return rows


if __name__ == "__main__":
    sys.exit(main())
