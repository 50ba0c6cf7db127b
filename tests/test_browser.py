"""The commissioners' app in a real browser: `costmodel app` served on a free local port
and driven with Selenium in headless Chromium (Debian's chromium and chromium-driver,
which `make test` installs when missing). The test fails, and does not skip, when the
browser cannot start. Screenshots of each view are kept in `.artefacts/browser/`."""

from __future__ import annotations

import base64
import contextlib
import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import psutil
import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

import costmodel
from costmodel.present.formatting import money_round

pytestmark = pytest.mark.end_to_end(seconds=90)

ROOT = Path(__file__).resolve().parents[1]
ARTEFACTS = ROOT / ".artefacts" / "browser"
CHROMIUM, DRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
#: Flags for a headless Chromium on a machine without a network beyond loopback.
FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1400,1000",
)
#: Seconds to wait for a page or a figure: generous, for a machine shared with other
#: work (the first page load starts a kernel and imports the library), and bounded.
WAIT = int(os.environ.get("COSTMODEL_BROWSER_WAIT", "180"))
#: Seconds `costmodel app` is given to stop after SIGTERM before it is killed (it
#: kills its own server after 15).
STOP_WAIT = 60


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url: str, proc: subprocess.Popen) -> None:
    """Wait for the app to answer at ``url``; fail with its output if it stops or stalls.
    Asks with HEAD, which any answer proves the server up without starting a kernel."""
    parts = urllib.parse.urlsplit(url)
    deadline = time.time() + WAIT
    while True:
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=5)
        try:
            conn.request("HEAD", parts.path)
            conn.getresponse()
            return
        except OSError:
            pass
        finally:
            conn.close()
        if proc.poll() is not None or time.time() > deadline:
            out = proc.stdout.read().decode() if proc.stdout else ""
            raise AssertionError(f"the app did not start: {out[-500:]}")
        time.sleep(0.5)


class App:
    """A running `costmodel app`: its address, password, process and temporary folder."""

    def __init__(self, url: str, password: str | None, proc: subprocess.Popen, tmp: Path):
        self.url, self.password, self.proc, self.tmp = url, password, proc, tmp
        self.output = ""  # what it printed, once stopped
        self.tmp_left: list[str] = []  # what was left in its temporary folder, once stopped

    def processes(self) -> list[psutil.Process]:
        """The server and the kernels under it (what must be gone when it stops)."""
        try:
            return psutil.Process(self.proc.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            return []

    def kernels(self) -> list[psutil.Process]:
        """The kernels running (a kernel just shut down, a zombie a moment, is not)."""
        out = []
        for p in self.processes():
            with contextlib.suppress(psutil.Error):
                if p.status() != psutil.STATUS_ZOMBIE and "ipykernel" in " ".join(p.cmdline()):
                    out.append(p)
        return out


def _in_the_child() -> None:  # pragma: no cover - runs in the child, Linux only
    """In the child before it runs: Ctrl-C acts as in a terminal (a test run started in
    the background by a shell, as `make test &` is, has SIGINT ignored, and a child
    keeps that); and SIGTERM it if the test's process dies (a killed or timed-out test
    run), so that it stops its server and kernels as a service would."""
    import ctypes

    signal.signal(signal.SIGINT, signal.SIG_DFL)

    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def processes_under(tmp: Path) -> list[psutil.Process]:
    """Every process whose command line names ``tmp`` (the server and its kernels: their
    settings and connection files are in it), found as `ps` would, orphans included."""
    out = []
    for p in psutil.process_iter(["cmdline"]):
        with contextlib.suppress(psutil.Error):
            if p.pid != os.getpid() and str(tmp) in " ".join(p.info["cmdline"] or ()):
                out.append(p)
    return out


def _kill(procs: list[psutil.Process]) -> None:
    for p in procs:
        with contextlib.suppress(psutil.Error):
            p.kill()
    psutil.wait_procs(procs, timeout=10)


@contextlib.contextmanager
def serve_app(
    *options: str,
    password: str | None = None,
    hashed: bool = False,
    stop: int = signal.SIGTERM,
):
    """`costmodel app` on a free local port, for as long as the block runs (an
    :class:`App`). It is stopped as a service manager stops it, with SIGTERM (or as
    Ctrl-C does, ``stop=SIGINT``), however the block ends; then no process of it is
    left and nothing in the temporary folder it was given. ``hashed``: the password
    file holds a Jupyter hashed password instead of the password itself.

    Whatever happens, nothing is left behind: a server that does not stop in time is
    killed with every process under it (found by its temporary folder, as `ps` shows
    them), and the folder is removed; the checks that it stopped cleanly come after."""
    port = free_port()
    scratch = Path(tempfile.mkdtemp(prefix="costmodel-browser-"))
    tmp = scratch / "tmp"
    tmp.mkdir()
    args = [sys.executable, "-m", "costmodel.cli", "app", "--port", str(port), *options]
    if password is not None:
        if hashed:
            from jupyter_server.auth.security import passwd

            (scratch / "password").write_text(passwd(password, "argon2") + "\n")
        else:
            (scratch / "password").write_text(password + "\n")
        args += ["--password-file", str(scratch / "password")]
    env = {**os.environ, "COSTMODEL_NOTEBOOK_DRAWS": "100", "TMPDIR": str(tmp)}
    proc = subprocess.Popen(
        args,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=env,
        cwd=ROOT,
        preexec_fn=_in_the_child if sys.platform == "linux" else None,
    )
    app = App(f"http://127.0.0.1:{port}/", password, proc, tmp)
    seen: list[psutil.Process] = []
    code: int | None = None
    try:
        wait_until_up(app.url, proc)
        yield app
    finally:
        seen = app.processes() + processes_under(tmp)  # as they stand before the stop
        proc.send_signal(stop)
        try:
            code = proc.wait(timeout=STOP_WAIT)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=30)
        leftover = [p for p in {*seen, *processes_under(tmp)} if _alive(p)]
        _kill(leftover)  # a no-op when it stopped as it should
        app.output = proc.stdout.read().decode() if proc.stdout else ""
        app.tmp_left = sorted(str(f) for f in tmp.iterdir())
        shutil.rmtree(scratch, ignore_errors=True)
    out = app.output
    if stop == signal.SIGTERM:
        assert code == 143, out
        assert "costmodel: stopped: terminated" in out, out
    else:
        assert code == 0, out
        assert out.rstrip().endswith("costmodel app: stopped"), out
    assert seen and not leftover, f"left running: {[p.pid for p in leftover]}"
    assert not any(str(tmp) in line for line in ps_lines()), "a process of the app is left"
    assert app.tmp_left == [], app.tmp_left


def _alive(p: psutil.Process) -> bool:
    with contextlib.suppress(psutil.Error):
        return p.is_running() and p.status() != psutil.STATUS_ZOMBIE
    return False


def ps_lines() -> list[str]:
    """Every process's command line, as `ps` shows them."""
    return subprocess.run(["ps", "-eo", "pid,args"], capture_output=True, text=True).stdout.split(
        "\n"
    )


#: The shared app's password, and how many visitors it serves at once (the visitor
#: of the other tests and three more: the fourth in test_many_visitors is turned away).
PASSWORD = "correct horse battery staple"
MAX_SESSIONS = 4


@pytest.fixture(scope="module")
def server():
    with serve_app("--max-sessions", str(MAX_SESSIONS), password=PASSWORD) as app:
        yield app


def chrome(page_load: str = "normal") -> webdriver.Chrome:
    """Headless Chromium; ``page_load="none"`` returns from ``get`` at once (a page that
    takes minutes to start, under load, is then waited for by polling)."""
    opts = webdriver.ChromeOptions()
    opts.page_load_strategy = page_load
    opts.binary_location = CHROMIUM
    for flag in FLAGS:
        opts.add_argument(flag)
    driver = webdriver.Chrome(service=Service(DRIVER), options=opts)
    driver.set_page_load_timeout(WAIT)
    driver.set_script_timeout(WAIT)
    return driver


def log_in(driver, url: str, password: str | None, timeout: float = WAIT) -> None:
    """Open the app as a visitor: type the password on the login page if one is asked."""
    driver.get(url)
    if password is not None:
        box = WebDriverWait(driver, timeout).until(
            lambda d: next(iter(d.find_elements(By.CSS_SELECTOR, "input[type=password]")), None)
        )
        box.send_keys(password + Keys.ENTER)
    WebDriverWait(driver, timeout).until(lambda d: tabs(d))


@pytest.fixture(scope="module")
def browser(server):
    driver = chrome()  # fails, not skips, when the browser cannot start
    try:
        log_in(driver, server.url, server.password)
        ARTEFACTS.mkdir(parents=True, exist_ok=True)
        yield driver
    finally:
        driver.quit()


def tabs(driver):
    return driver.find_elements(By.CSS_SELECTOR, ".lm-TabBar-tab")


def open_tab(driver, title: str):
    tab = next(t for t in tabs(driver) if t.text.strip() == title)
    tab.click()
    return WebDriverWait(driver, WAIT).until(
        lambda d: next(
            (
                p
                for p in d.find_elements(
                    By.CSS_SELECTOR, ".lm-TabPanel-stackedpanel, .widget-tab-contents > *"
                )
                if p.is_displayed() and p.text.strip()
            ),
            None,
        )
    )


def body(driver) -> str:
    return driver.find_element(By.TAG_NAME, "body").text


#: What the page's visible plotly charts draw: each trace's x and y, as text ("" while
#: no chart is drawn).
CHART_JS = """
const plots = [...document.querySelectorAll('.js-plotly-plot')]
  .filter(e => e.offsetParent !== null && (e.data || []).length);
return plots.length ? JSON.stringify(plots.map(e => e.data.map(
  t => [Array.from(t.x || []), Array.from(t.y || [])]))) : '';
"""


def chart(driver) -> str:
    return driver.execute_script(CHART_JS)


def labelled(driver, kind: str, label: str):
    """The input of a visible widget of ``kind`` (text, dropdown) whose label is ``label``."""
    for box in driver.find_elements(By.CSS_SELECTOR, f".widget-{kind}"):
        if not box.is_displayed():
            continue
        names = box.find_elements(By.CSS_SELECTOR, ".widget-label")
        if names and names[0].text.strip() == label:
            return box.find_element(By.CSS_SELECTOR, "select" if kind == "dropdown" else "input")
    raise AssertionError(f"no {kind} labelled {label!r}")


def button(driver, text: str):
    return next(
        b
        for b in driver.find_elements(By.CSS_SELECTOR, "button")
        if b.is_displayed() and b.text.strip() == text
    )


def test_every_view_renders_without_a_widget_error(browser):
    from costmodel.present.app import TABS

    assert [t.text.strip() for t in tabs(browser)] == list(TABS)
    for i, title in enumerate(TABS):
        open_tab(browser, title)
        WebDriverWait(browser, WAIT).until(lambda d: len(body(d)) > 200)
        text = body(browser)
        for bad in ("Error displaying widget", "Traceback", "Model not found"):
            assert bad not in text, (title, bad)
        if i < 3:  # the three views with a chart: drawn in the browser by plotly
            WebDriverWait(browser, WAIT).until(
                lambda d: [
                    p
                    for p in d.find_elements(By.CSS_SELECTOR, ".js-plotly-plot")
                    if p.is_displayed() and p.find_elements(By.CSS_SELECTOR, ".trace")
                ]
            )
        browser.save_screenshot(str(ARTEFACTS / f"{i + 1}-{title.replace(' ', '_')}.png"))


def test_a_control_changes_the_figures_to_the_librarys(browser):
    open_tab(browser, "The cost of late intervention")
    Select(labelled(browser, "dropdown", "Price year")).select_by_visible_text("2018/19")
    want = costmodel.baseline(costmodel.load(), "northamptonshire", "2018/19").total
    # the app's money under the one rounding rule (three significant figures)
    WebDriverWait(browser, WAIT).until(lambda d: f"{money_round(want)} a year" in body(d))
    Select(labelled(browser, "dropdown", "Price year")).select_by_visible_text("2014/15")
    WebDriverWait(browser, WAIT).until(lambda d: "£199m a year" in body(d))


def test_a_bad_input_shows_one_readable_line(browser):
    open_tab(browser, "Your own scenario")
    name = labelled(browser, "text", "Name")
    try:
        name.clear()
        name.send_keys("Bad Name!" + Keys.TAB)  # leaving the field sends its whole value
        button(browser, "Save scenario").click()
        WebDriverWait(browser, WAIT).until(
            lambda d: any(
                "use lower-case letters" in line and "Bad Name!" in line
                for line in body(d).splitlines()
            )
        )
        lines = [line for line in body(browser).splitlines() if "use lower-case letters" in line]
        assert len(lines) == 1 and "Traceback" not in body(browser)
    finally:  # the next test saves under this name
        name.clear()
        name.send_keys("my_scenario" + Keys.TAB)


def test_the_report_download_is_a_pdf(browser):
    open_tab(browser, "Your own scenario")
    button(browser, "Report (PDF)").click()
    link = WebDriverWait(browser, WAIT * 2).until(
        lambda d: next(iter(d.find_elements(By.CSS_SELECTOR, "a.costmodel-download")), None)
    )
    href = link.get_attribute("href")
    assert href.startswith("data:application/pdf;base64,")
    blob = base64.b64decode(href.split(",", 1)[1])
    assert blob.startswith(b"%PDF") and len(blob) > 10_000
    assert link.get_attribute("download") == "my_scenario.pdf"


def test_a_visitor_without_the_password_is_refused(server):
    with urllib.request.urlopen(server.url, timeout=30) as r:  # no password: the login page
        assert urllib.parse.urlsplit(r.url).path == "/login"
        assert b"password" in r.read().lower()
    driver = chrome()
    try:
        driver.get(server.url)
        box = WebDriverWait(driver, WAIT).until(
            lambda d: next(iter(d.find_elements(By.CSS_SELECTOR, "input[type=password]")), None)
        )
        box.send_keys("not the password" + Keys.ENTER)
        time.sleep(2)
        assert driver.find_elements(By.CSS_SELECTOR, "input[type=password]")
        assert not tabs(driver) and "/login" in driver.current_url
    finally:
        driver.quit()


def visit(url: str, password: str, want: str, errors: list[str], leave: threading.Event) -> None:
    """One visitor: open the app, change the price year, wait for the figure ``want``
    and for the chart to change, and stay on the page until told to ``leave``; errors
    are noted, not raised (the visitors run in threads)."""
    driver = None
    try:
        driver = chrome()
        log_in(driver, url, password)
        open_tab(driver, "The cost of late intervention")
        drawn = WebDriverWait(driver, WAIT).until(chart)
        Select(labelled(driver, "dropdown", "Price year")).select_by_visible_text("2018/19")
        WebDriverWait(driver, WAIT).until(lambda d: want in body(d))
        # and the chart follows (a chart drawn whose model was not ready would not)
        WebDriverWait(driver, WAIT).until(lambda d: chart(d) not in ("", drawn))
        for bad in ("Error displaying widget", "Traceback", "Model not found"):
            if bad in body(driver):
                errors.append(bad)
        leave.wait(WAIT * 2)
        driver.get("about:blank")  # leaving the page shuts its kernel down
    except Exception as exc:
        errors.append(f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}")
    finally:
        if driver is not None:
            driver.quit()


def test_three_visitors_at_once_and_a_fourth_is_told_it_is_busy(server, browser):
    errors: list[str] = []
    total = costmodel.baseline(costmodel.load(), "northamptonshire", "2018/19").total
    want = f"{money_round(total)} a year"
    leave = threading.Event()
    visitors = [
        threading.Thread(target=visit, args=(server.url, server.password, want, errors, leave))
        for _ in range(MAX_SESSIONS - 1)
    ]
    try:
        for v in visitors:
            v.start()
        # the page of the other tests and the three visitors' pages fill the app (each
        # visitor stays until told to leave, so all four are there together)
        deadline = time.monotonic() + WAIT * 2
        while len(server.kernels()) < MAX_SESSIONS and time.monotonic() < deadline:
            if errors:
                break
            time.sleep(0.5)
        assert len(server.kernels()) == MAX_SESSIONS, errors
        with pytest.raises(urllib.error.HTTPError) as busy:
            urllib.request.urlopen(
                server.url + "?token=" + urllib.parse.quote(PASSWORD), timeout=60
            )
        assert busy.value.code == 503 and busy.value.headers["Retry-After"]
        assert "The app is busy" in busy.value.read().decode()
    finally:
        leave.set()
        for v in visitors:
            v.join(timeout=WAIT * 2)
    assert errors == []
    # the visitors who left gave their kernels back; the page of the other tests kept its
    deadline = time.monotonic() + WAIT
    while len(server.kernels()) > 1 and time.monotonic() < deadline:
        time.sleep(0.5)
    assert len(server.kernels()) == 1
    assert tabs(browser)


def test_a_hashed_password_lets_in_only_a_visitor_who_types_it_and_ctrl_c_stops_all():
    """An app whose password file holds Jupyter's hash of the password: the hash is no
    token and no password; the password lets the visitor in, whose visit starts one
    kernel. Then Ctrl-C stops the server and that kernel (checked by :func:`serve_app`)."""
    with serve_app(password=PASSWORD, hashed=True, stop=signal.SIGINT) as app:
        hashed = (app.tmp.parent / "password").read_text().strip()
        assert hashed.startswith("argon2:") and PASSWORD not in hashed
        with urllib.request.urlopen(app.url, timeout=60) as r:  # no password: login page
            assert urllib.parse.urlsplit(r.url).path == "/login"
        with urllib.request.urlopen(  # the hash is no token
            app.url + "?token=" + urllib.parse.quote(hashed), timeout=60
        ) as r:
            assert urllib.parse.urlsplit(r.url).path == "/login"
        driver = chrome()
        try:
            for typed, let_in in (("not the password", False), (hashed, False), (PASSWORD, True)):
                driver.get(app.url)
                box = WebDriverWait(driver, WAIT).until(
                    lambda d: next(
                        iter(d.find_elements(By.CSS_SELECTOR, "input[type=password]")), None
                    )
                )
                box.send_keys(typed + Keys.ENTER)
                # the form is sent: the page it was on goes, and the answer loads
                WebDriverWait(driver, WAIT).until(EC.staleness_of(box))
                WebDriverWait(driver, WAIT).until(
                    lambda d: d.execute_script("return document.readyState") == "complete"
                )
                if let_in:
                    WebDriverWait(driver, WAIT).until(lambda d: "/login" not in d.current_url)
                    WebDriverWait(driver, WAIT).until(lambda d: tabs(d))
                else:
                    assert "/login" in driver.current_url and not tabs(driver), typed
        finally:
            driver.quit()
        assert len(app.kernels()) == 1
    assert f"costmodel app: {app.url}" in app.output
