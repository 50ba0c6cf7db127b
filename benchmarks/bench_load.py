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
slower a change is with N visitors at once. The browsers run on the same cores as the
app, so the CPU time of each part is printed too. With ``--pages-only`` there are no
browsers: each visitor asks for the app's page over HTTP and reads it whole, which the
server sends once it has started their kernel and built the app in it (the server's own
part of opening the app, with the cores to itself).

    python benchmarks/bench_load.py [--visitors 1 5 20] [--changes 3] [--max-sessions N]
                                    [--pages-only]

Needs Debian's chromium and chromium-driver (`make test` installs them).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

import numpy as np
import psutil
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
#: Seconds a visitor waits for the app to open (many kernels and browsers start at once).
OPEN_TIMEOUT = 600
#: What anywidget writes to the browser's console when a chart's model was not ready
#: within its two seconds (the chart then never changes): counted, to show the cause.
NOT_READY = "[anywidget] Failed to initialize model"
#: Seconds between readings of the processes' CPU time.
CPU_READ_EVERY = 2.0
#: Seconds between a visitor's looks at the page while waiting for a change: coarser
#: than bench_browser's 5 ms, so that twenty visitors' looks do not load the machine.
POLL = 0.02


def stay(changes: int) -> float:
    """Seconds a visitor may take to open the app, see its chart and make ``changes``
    changes, waiting for each as long as allowed: how long the others wait for them."""
    return OPEN_TIMEOUT * 2 + WAIT * (changes + 2)


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
                    self.latencies.append(changed(driver, before, poll=POLL)[1])
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
                self.all_open.wait(timeout=stay(self.changes))
            self.leave.wait(timeout=WAIT)
            if driver is not None:
                driver.quit()


class CPU(threading.Thread):
    """The CPU time (user and system) of every process under this one, by part: the
    browsers (Chromium and its driver), the visitors' kernels and the server (Voilà
    and `costmodel app`). Read every few seconds, each process's last reading kept, so
    that a process gone before the end still counts (up to its last reading)."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.seen: dict[int, tuple[str, float]] = {}
        self.stop = threading.Event()

    @staticmethod
    def part(p: psutil.Process) -> str:
        line = " ".join(p.cmdline())
        if "chrom" in line:
            return "browsers"
        return "kernels" if "ipykernel" in line else "server"

    def read(self) -> None:
        for p in psutil.Process().children(recursive=True):
            with contextlib.suppress(psutil.Error):
                t = p.cpu_times()
                self.seen[p.pid] = (self.part(p), t.user + t.system)

    def run(self) -> None:
        while not self.stop.wait(CPU_READ_EVERY):
            self.read()

    def seconds(self) -> dict[str, float]:
        self.stop.set()
        self.read()
        out = dict.fromkeys(("browsers", "kernels", "server"), 0.0)
        for part, t in self.seen.values():
            out[part] += t
        return out


def level(visitors: int, changes: int, max_sessions: int) -> dict:
    """One run with ``visitors`` at once: their times, the sessions and memory held."""
    cpu = CPU()
    cpu.start()
    with serve_app("--max-sessions", str(max_sessions), password=PASSWORD) as app:
        all_open = threading.Barrier(visitors + 1)
        leave = threading.Event()
        crowd = [Visitor(app.url, changes, all_open, leave) for _ in range(visitors)]
        for v in crowd:
            v.start()
        with contextlib.suppress(threading.BrokenBarrierError):
            all_open.wait(timeout=stay(changes))
        used = cpu.seconds()  # with every visitor on the page, before anyone leaves
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
    opened = [v.opened for v in crowd if v.opened is not None]
    return {
        "visitors": visitors,
        "held": len(kernels),
        "memory": statistics.mean(memory) if memory else float("nan"),
        "server": server,
        "opened": statistics.median(opened) if opened else float("nan"),
        "last open": max(opened) if opened else float("nan"),
        "cpu": used,
        "p50": float(np.percentile(latencies, 50)) if latencies else float("nan"),
        "p95": float(np.percentile(latencies, 95)) if latencies else float("nan"),
        "errors": [v.error for v in crowd if v.error],
        "not_ready": sum(v.not_ready for v in crowd),
    }


#: What a page holds when the app's cell has run and its output reached the page.
APP_OUTPUT = b"application/vnd.jupyter.widget-view+json"


def page(url: str, out: dict) -> None:
    """One visitor without a browser: ask for the app's page (the password as a token)
    and read it whole; the server starts a kernel and runs the app's cell to make it."""
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(
            url + "?token=" + urllib.parse.quote(PASSWORD), timeout=OPEN_TIMEOUT
        ) as r:
            body = r.read()
        if APP_OUTPUT not in body:
            raise AssertionError("a page without the app")
        out["opened"] = time.perf_counter() - start
    except Exception as exc:  # noted and counted
        out["error"] = f"{type(exc).__name__}: {str(exc).splitlines()[0]}"[:80]


def pages_level(visitors: int, max_sessions: int) -> dict:
    """``visitors`` pages asked for at once, without browsers: what the server alone
    takes to start their kernels and build the app in each."""
    cpu = CPU()
    cpu.start()
    with serve_app("--max-sessions", str(max_sessions), password=PASSWORD) as app:
        outs: list[dict] = [{} for _ in range(visitors)]
        crowd = [threading.Thread(target=page, args=(app.url, o)) for o in outs]
        for t in crowd:
            t.start()
        for t in crowd:
            t.join(timeout=OPEN_TIMEOUT + 60)
        used = cpu.seconds()
        kernels = app.kernels()
        memory = []
        for k in kernels:
            with contextlib.suppress(Exception):
                memory.append(k.memory_full_info().uss)
    opened = [o["opened"] for o in outs if "opened" in o]
    return {
        "visitors": visitors,
        "held": len(kernels),
        "memory": statistics.mean(memory) if memory else float("nan"),
        "opened": statistics.median(opened) if opened else float("nan"),
        "last open": max(opened) if opened else float("nan"),
        "cpu": used,
        "errors": [o["error"] for o in outs if "error" in o],
    }


def print_pages(rows: list[dict], max_sessions: int) -> None:
    print(
        f"{'visitors':>8s} {'held':>4s} {'MB/kernel':>9s} {'page p50':>8s} {'last':>6s} "
        f"{'errors':>6s} {'CPU s: kernels':>14s} {'server':>6s} {'run':>5s}"
    )
    for r in rows:
        print(
            f"{r['visitors']:8d} {r['held']:4d} {r['memory'] / 2**20:9.0f} "
            f"{r['opened']:7.1f}s {r['last open']:5.1f}s {len(r['errors']):6d} "
            f"{r['cpu']['kernels']:14.0f} {r['cpu']['server']:6.0f} {r['took']:4.0f}s"
        )
        for e in sorted(set(r["errors"])):
            print(f"{'':8s} {r['errors'].count(e)} × {e}")
    print(
        f"(pages only, no browser: each visitor asks for the app's page at once and reads it "
        f"whole, the server having started their kernel and built the app in it; held: "
        f"kernels running, --max-sessions {max_sessions}; MB/kernel: a kernel's own memory "
        f"(USS), mean; page p50, last: median and slowest visitor; CPU s: processor time of "
        f"the kernels and the server; {os.cpu_count()} cores; no process left after each run)"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--visitors", type=int, nargs="+", default=[1, 5, 20])
    ap.add_argument("--changes", type=int, default=3, help="price-year changes per visitor")
    ap.add_argument(
        "--max-sessions",
        type=int,
        help="the app's --max-sessions (default: the largest number of visitors)",
    )
    ap.add_argument(
        "--pages-only",
        action="store_true",
        help="no browsers: each visitor asks for the page alone (the server's own part)",
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
        if args.pages_only:
            rows.append(pages_level(n, max_sessions))
        else:
            rows.append(level(n, args.changes, max_sessions))
        rows[-1]["took"] = time.perf_counter() - start
    if args.pages_only:
        print_pages(rows, max_sessions)
        return 0
    ref = rows[0]["p50"]
    print(
        f"{'visitors':>8s} {'held':>4s} {'MB/kernel':>9s} {'open p50':>8s} {'last':>6s} "
        f"{'p50':>6s} {'p95':>6s} {'p50/one':>7s} {'errors':>6s} "
        f"{'CPU s: browsers':>15s} {'kernels':>7s} {'server':>6s} {'run':>5s}"
    )
    for r in rows:
        c = r["cpu"]
        print(
            f"{r['visitors']:8d} {r['held']:4d} {r['memory'] / 2**20:9.0f} "
            f"{r['opened']:7.0f}s {r['last open']:5.0f}s {r['p50']:5.2f}s {r['p95']:5.2f}s "
            f"{r['p50'] / ref:6.1f}x {len(r['errors']):6d} {c['browsers']:15.0f} "
            f"{c['kernels']:7.0f} {c['server']:6.0f} {r['took']:4.0f}s"
        )
        for e in sorted(set(r["errors"])):
            print(f"{'':8s} {r['errors'].count(e)} × {e}")
        if r["not_ready"]:
            print(f"{'':8s} {r['not_ready']} chart models not ready within anywidget's 2 s")
    print(
        f"(held: kernels running with every visitor on the page, --max-sessions "
        f"{max_sessions}; MB/kernel: a kernel's own memory (USS), mean; open p50, last: "
        f"from asking for the page to the app on it with its chart drawn, median and "
        f"slowest visitor (waited for up to {OPEN_TIMEOUT} s); p50, p95: a price-year "
        f"change to new figures and chart, over {args.changes} changes per visitor; CPU s: "
        f"processor time from the start until every visitor had made their changes, by the "
        f"browsers, the kernels and the server; server: {rows[-1]['server'] / 2**20:.0f} MB; "
        f"{os.cpu_count()} cores; no process left after each run)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
