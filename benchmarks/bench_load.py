"""How many commissioners one machine serves: a bounded load test on loopback.

For each number of visitors (1, 5 and 20 by default) it starts `costmodel app` on a free
port of 127.0.0.1, opens the app in that many headless Chromium browsers at once (each a
visitor with a kernel of their own), waits for each visitor's chart to be drawn, and has
each change the price year a few times, timing each change until the new figures and
chart are on the page (a chart that does not change is an error). With every visitor
still on the page it counts the sessions held and the memory of each kernel. Then the
browsers close and the app is stopped with SIGTERM, which checks that no process of it is
left. Counts and waits are bounded, so it always stops by itself.

The reference, measured in the same run, is one visitor alone: the ratio is how much
slower a change is with N visitors at once.

    python benchmarks/bench_load.py [--visitors 1 5 20] [--changes 3] [--max-sessions N]

Needs Debian's chromium and chromium-driver (`make test` installs them).
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import threading
import time
from pathlib import Path

import numpy as np
from selenium.webdriver.support.ui import Select

sys.path[:0] = [
    str(Path(__file__).resolve().parent),
    str(Path(__file__).resolve().parents[1] / "tests"),
]
from bench_browser import changed, chart_on_page, figures  # noqa: E402
from test_browser import WAIT, chrome, labelled, log_in, open_tab, serve_app  # noqa: E402

PASSWORD = "load test"
#: The price years each visitor chooses in turn: none twice, so that no chart the app
#: keeps answers a change.
YEARS = ("2018/19", "2014/15", "2016/17", "2012/13", "2020/21", "2010/11", "2022/23")
#: Seconds a visitor waits for the app to open (many kernels start at once).
OPEN_TIMEOUT = 300
#: What anywidget writes to the browser's console when a chart's model was not ready
#: within its two seconds (the chart then never changes): counted, to show the cause.
NOT_READY = "[anywidget] Failed to initialize model"


class Visitor(threading.Thread):
    """One commissioner: opens the app, changes the price year, stays until told."""

    def __init__(self, url: str, changes: int, all_open: threading.Barrier, leave: threading.Event):
        super().__init__(daemon=True)
        self.url, self.changes, self.all_open, self.leave = url, changes, all_open, leave
        self.opened: float | None = None  # seconds from asking for the page to its chart
        self.latencies: list[float] = []  # each change: seconds to new figures and chart
        self.error: str | None = None
        self.not_ready = 0  # charts whose model anywidget gave up on (the browser's console)

    def run(self) -> None:
        driver = None
        try:
            driver = chrome(page_load="none")
            start = time.perf_counter()
            log_in(driver, self.url, PASSWORD, timeout=OPEN_TIMEOUT)
            open_tab(driver, "The cost of late intervention")
            chart_on_page(driver)  # timed from a chart drawn, as bench_browser.py does
            self.opened = time.perf_counter() - start
            for i in range(self.changes):
                before = figures(driver)
                Select(labelled(driver, "dropdown", "Price year")).select_by_visible_text(
                    YEARS[i % len(YEARS)]
                )
                try:
                    self.latencies.append(changed(driver, before)[1])
                except AssertionError as exc:  # which of the two did not change
                    what = "chart" if "chart after None" in str(exc) else "figures"
                    raise AssertionError(f"no new {what} within {WAIT} s") from None
        except Exception as exc:  # noted and counted, never raised past the thread
            text = ""
            with contextlib.suppress(Exception):
                text = driver.find_element("tag name", "body").text if driver else ""
            if "The app is busy" in text:
                self.error = "turned away: the app is busy"
            else:
                self.error = f"{type(exc).__name__}: {str(exc).splitlines()[0]}"[:80]
        finally:
            if driver is not None:
                with contextlib.suppress(Exception):
                    self.not_ready = sum(
                        NOT_READY in entry["message"] for entry in driver.get_log("browser")
                    )
            with contextlib.suppress(threading.BrokenBarrierError):
                self.all_open.wait(timeout=WAIT * 3)
            self.leave.wait(timeout=WAIT)
            if driver is not None:
                driver.quit()


def level(visitors: int, changes: int, max_sessions: int) -> dict:
    """One run with ``visitors`` at once: their times, the sessions and memory held."""
    with serve_app("--max-sessions", str(max_sessions), password=PASSWORD) as app:
        all_open = threading.Barrier(visitors + 1)
        leave = threading.Event()
        crowd = [Visitor(app.url, changes, all_open, leave) for _ in range(visitors)]
        for v in crowd:
            v.start()
        with contextlib.suppress(threading.BrokenBarrierError):
            all_open.wait(timeout=WAIT * 3)
        kernels = app.kernels()
        memory = []
        for k in kernels:
            with contextlib.suppress(Exception):  # a kernel that has just gone
                memory.append(k.memory_full_info().uss)
        server = app.processes()[0].memory_info().rss if app.processes() else 0
        leave.set()
        for v in crowd:
            v.join(timeout=WAIT)
    latencies = [t for v in crowd for t in v.latencies]
    return {
        "visitors": visitors,
        "held": len(kernels),
        "memory": statistics.mean(memory) if memory else float("nan"),
        "server": server,
        "opened": statistics.median([v.opened for v in crowd if v.opened is not None] or [np.nan]),
        "p50": float(np.percentile(latencies, 50)) if latencies else float("nan"),
        "p95": float(np.percentile(latencies, 95)) if latencies else float("nan"),
        "errors": [v.error for v in crowd if v.error],
        "not_ready": sum(v.not_ready for v in crowd),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--visitors", type=int, nargs="+", default=[1, 5, 20])
    ap.add_argument("--changes", type=int, default=3, help="price-year changes per visitor")
    ap.add_argument(
        "--max-sessions",
        type=int,
        help="the app's --max-sessions (default: the largest number of visitors)",
    )
    args = ap.parse_args(argv)
    if min(args.visitors) < 1 or max(args.visitors) > 40 or not 1 <= args.changes <= 20:
        ap.error("visitors from 1 to 40 and changes from 1 to 20, to keep the run bounded")
    max_sessions = args.max_sessions or max(args.visitors)
    levels = sorted(set(args.visitors))
    if levels[0] != 1:
        levels = [1, *levels]  # the reference: one visitor alone
    rows = []
    for n in levels:
        start = time.perf_counter()
        rows.append(level(n, args.changes, max_sessions))
        rows[-1]["took"] = time.perf_counter() - start
    ref = rows[0]["p50"]
    print(
        f"{'visitors':>8s} {'held':>5s} {'MB/session':>10s} {'open p50':>9s} "
        f"{'p50':>7s} {'p95':>7s} {'p50 / one':>9s} {'errors':>6s} {'run':>6s}"
    )
    for r in rows:
        print(
            f"{r['visitors']:8d} {r['held']:5d} {r['memory'] / 2**20:10.0f} "
            f"{r['opened']:8.1f}s {r['p50']:6.2f}s {r['p95']:6.2f}s {r['p50'] / ref:8.1f}x "
            f"{len(r['errors']):6d} {r['took']:5.0f}s"
        )
        for e in sorted(set(r["errors"])):
            print(f"{'':8s} {r['errors'].count(e)} × {e}")
        if r["not_ready"]:
            print(f"{'':8s} {r['not_ready']} chart models not ready within anywidget's 2 s")
    print(
        f"(held: kernels running with every visitor on the page, --max-sessions "
        f"{max_sessions}; MB/session: a kernel's own memory (USS), mean; open: from asking "
        f"for the page to the app on it, its chart drawn; p50, p95: a price-year change to "
        f"new figures and chart, over {args.changes} changes per visitor; server: "
        f"{rows[-1]['server'] / 2**20:.0f} MB; no process left after each run)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
