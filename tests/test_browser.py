"""The commissioners' app in a real browser: `costmodel app` served on a free local port
and driven with Selenium in headless Chromium (Debian's chromium and chromium-driver,
which `make test` installs when missing). The test fails, and does not skip, when the
browser cannot start. Screenshots of each view are kept in `.artefacts/browser/`."""

from __future__ import annotations

import base64
import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

import costmodel
from costmodel.present.formatting import money

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
WAIT = 120  # seconds: the first page load starts a kernel and imports the library


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url: str, proc: subprocess.Popen) -> None:
    """Wait for the app to answer at ``url``; fail with its output if it stops or stalls."""
    deadline = time.time() + WAIT
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        if proc.poll() is not None or time.time() > deadline:
            out = proc.stdout.read().decode() if proc.stdout else ""
            raise AssertionError(f"the app did not start: {out[-500:]}")
        time.sleep(0.5)


@contextlib.contextmanager
def serve_app():
    """`costmodel app` on a free local port, for as long as the block runs; its address."""
    port = free_port()
    env = {**os.environ, "COSTMODEL_NOTEBOOK_DRAWS": "100"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "costmodel.cli", "app", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=env,
        cwd=ROOT,
    )
    url = f"http://127.0.0.1:{port}/"
    wait_until_up(url, proc)
    try:
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=20)


@pytest.fixture(scope="module")
def server():
    with serve_app() as url:
        yield url


def chrome() -> webdriver.Chrome:
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for flag in FLAGS:
        opts.add_argument(flag)
    return webdriver.Chrome(service=Service(DRIVER), options=opts)


@pytest.fixture(scope="module")
def browser(server):
    driver = chrome()  # fails, not skips, when the browser cannot start
    driver.get(server)
    WebDriverWait(driver, WAIT).until(lambda d: tabs(d))
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    yield driver
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
        browser.save_screenshot(str(ARTEFACTS / f"{i + 1}-{title.replace(' ', '_')}.png"))


def test_a_control_changes_the_figures_to_the_librarys(browser):
    open_tab(browser, "The cost of late intervention")
    Select(labelled(browser, "dropdown", "Price year")).select_by_visible_text("2018/19")
    want = costmodel.baseline(costmodel.load(), "northamptonshire", "2018/19").total
    WebDriverWait(browser, WAIT).until(lambda d: f"{money(want)} a year" in body(d))
    Select(labelled(browser, "dropdown", "Price year")).select_by_visible_text("2014/15")
    WebDriverWait(browser, WAIT).until(lambda d: "£199,000,000 a year" in body(d))


def test_a_bad_input_shows_one_readable_line(browser):
    open_tab(browser, "Your own scenario")
    name = labelled(browser, "text", "Name")
    name.clear()
    name.send_keys("Bad Name!")
    button(browser, "Save scenario").click()
    WebDriverWait(browser, WAIT).until(lambda d: "use lower-case letters" in body(d))
    lines = [line for line in body(browser).splitlines() if "use lower-case letters" in line]
    assert len(lines) == 1 and "Bad Name!" in lines[0] and "Traceback" not in body(browser)
    name.clear()
    name.send_keys("my_scenario")


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


def test_the_app_prints_its_address_and_stops_cleanly_on_ctrl_c():
    import signal

    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "costmodel.cli", "app", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        cwd=ROOT,
    )
    wait_until_up(f"http://127.0.0.1:{port}/", proc)
    proc.send_signal(signal.SIGINT)
    out = proc.communicate(timeout=30)[0].decode()
    assert proc.returncode == 0, out
    assert f"http://127.0.0.1:{port}/" in out and "stopped" in out
