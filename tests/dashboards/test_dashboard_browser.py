"""Every dashboard page in a real browser: Debian's Chromium, driven by Playwright, against
`streamlit run dashboards/app.py` serving a warehouse a real nightly_sync published.

For each page: it renders with no exception box, no console error and no request leaving the machine;
each of its charts draws (vega-embed's canvas or SVG has a size); and the headline numbers it shows
equal the numbers queried from the marts (conftest.expected_headlines). Then a record changed in
"Healthie" reaches the marts through a signed webhook and `webhook_refresh`, and a reload of the open
page shows the new numbers (each query reopens the published file). Run by `make test-dashboards`;
`make screenshots` saves each page to docs/img/.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from conftest import assert_headlines, expected_headlines, screenshot_dir
from e2e import truth
from e2e.assertions import assert_succeeded
from e2e.product import Product, webhooks_to_receiver
from playwright.sync_api import Browser, ConsoleMessage, Page, Route, sync_playwright

from dashboards import formatting as fmt
from dashboards.pages import page as page_spec
from pipelines.dev.harness import stop_process

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
#: What Chromium needs on this kind of machine (root, no GPU, no network): never a downloaded build.
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
#: Charts each page draws (vega-embed), with the default filters.
CHARTS = {"overview": 3, "providers": 2, "engagement": 4, "forms": 2, "revenue": 4, "care": 2, "freshness": 1}
#: Tables each page shows (Streamlit loads its table component lazily, after the script finished).
TABLES = {"overview": 0, "providers": 1, "engagement": 0, "forms": 1, "revenue": 2, "care": 2, "freshness": 3}
LOOPBACK = {"127.0.0.1", "localhost"}
WAIT_SECONDS = 60


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def server(product: Product, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`streamlit run dashboards/app.py` (as `make dashboard` runs it) on a free loopback port."""
    port = free_port()
    log = tmp_path_factory.mktemp("streamlit") / "server.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "dashboards/app.py", "--server.port", str(port)],
            cwd=ROOT,
            env={**os.environ, "WAREHOUSE_DIR": str(product.warehouse_dir)},
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + WAIT_SECONDS
        while True:
            try:
                if httpx.get(f"{url}/_stcore/health", timeout=2).text == "ok":
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"streamlit did not start: {log.read_text(errors='replace')[-2000:]}")
            time.sleep(0.2)
        yield url
    finally:
        stop_process(process)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"{CHROMIUM} is missing: `make chromium` installs Debian's package (apt-get install chromium)"
        )
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
        yield launched
        launched.close()


@dataclass
class Tab:
    """A browser tab on the app, recording console errors, page errors and requests off the machine."""

    page: Page
    problems: list[str] = field(default_factory=list)
    external: list[str] = field(default_factory=list)

    def on_console(self, message: ConsoleMessage) -> None:
        # Errors, and vega's warnings (a chart drawn wrong); Streamlit's own chatter is info/debug.
        if message.type == "error" or (message.type == "warning" and message.text.startswith("WARN")):
            self.problems.append(f"console {message.type}: {message.text}")

    def guard(self, route: Route) -> None:
        """Serve only loopback: anything else (a font, a tracker) is recorded and refused."""
        if urlsplit(route.request.url).hostname in LOOPBACK:
            route.continue_()
        else:
            self.external.append(route.request.url)
            route.abort()

    def open(self, base_url: str, slug: str) -> None:
        """The app's root, then the page through the sidebar, as a person navigates (a deep link
        makes Streamlit's frontend probe `/<page>/_stcore/...` first, which answers 404)."""
        self.page.goto(base_url + "/")
        self.wait_for("overview")
        if slug != "overview":
            self.page.locator(f'[data-testid="stSidebarNav"] a[href$="/{slug}"]').click()
            self.wait_for(slug)

    def wait_for(self, slug: str) -> None:
        """Until the page's title shows, its script finished and every chart has drawn."""
        title = page_spec(slug).title
        self.page.locator("h1").filter(has_text=title).first.wait_for(timeout=WAIT_SECONDS * 1000)
        self.page.wait_for_function(
            """([charts, tables]) => {
                if (document.querySelector('[data-testid="stStatusWidget"]')) return false;
                const drawn = [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')]
                    .filter(chart => chart.querySelector('canvas, svg'));
                const filled = document.querySelectorAll('[data-testid="stTable"] td').length;
                return drawn.length >= charts && (tables === 0 || filled > 0)
                    && document.querySelectorAll('[data-testid="stTable"]').length >= tables;
            }""",
            arg=[CHARTS[slug], TABLES[slug]],
            timeout=WAIT_SECONDS * 1000,
        )

    def headlines(self) -> dict[str, str]:
        shown = {}
        for metric in self.page.locator('[data-testid="stMetric"]').all():
            label = metric.locator('[data-testid="stMetricLabel"]').inner_text().strip()
            shown[label] = metric.locator('[data-testid="stMetricValue"]').inner_text().strip()
        return shown

    def chart_sizes(self) -> list[tuple[float, float]]:
        sizes = []
        for chart in self.page.locator('[data-testid="stVegaLiteChart"]').all():
            box = chart.locator("canvas, svg").first.bounding_box()
            sizes.append((box["width"], box["height"]) if box else (0.0, 0.0))
        return sizes

    def exceptions(self) -> list[str]:
        return self.page.locator('[data-testid="stException"]').all_inner_texts()


@pytest.fixture
def tab(browser: Browser) -> Iterator[Tab]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    opened = Tab(context.new_page())
    context.route("**/*", opened.guard)
    opened.page.on("console", opened.on_console)
    opened.page.on("pageerror", lambda error: opened.problems.append(f"page error: {error}"))
    yield opened
    context.close()


@pytest.mark.parametrize("slug", list(CHARTS))
def test_page_renders_its_charts_and_the_marts_numbers(
    product: Product, server: str, tab: Tab, slug: str
) -> None:
    tab.open(server, slug)
    assert tab.exceptions() == []
    sizes = tab.chart_sizes()
    assert len(sizes) == CHARTS[slug]
    assert tab.page.locator('[data-testid="stTable"]').count() == TABLES[slug]
    assert all(width > 50 and height > 50 for width, height in sizes), sizes
    assert_headlines(tab.headlines(), expected_headlines(product.warehouse_file)[slug])
    assert tab.problems == []
    assert tab.external == []
    if (folder := screenshot_dir()) is not None:
        folder.mkdir(parents=True, exist_ok=True)
        tab.page.screenshot(path=str(folder / f"{slug}.png"), full_page=True)


def test_a_webhook_refresh_shows_after_a_reload(product: Product, server: str, tab: Tab) -> None:
    tab.open(server, "overview")
    before = tab.headlines()
    assert_headlines(before, expected_headlines(product.warehouse_file)["overview"])
    control = product.control
    with webhooks_to_receiver(product):
        missed, cancelled = truth.open_appointments(control.truth("appointments"))[:2]
        control.update("appointments", missed, pm_status="No-Show")
        control.delete("appointments", cancelled)
        # Playwright's sync API keeps an event loop on this thread; the refresh runs its own.
        with ThreadPoolExecutor(max_workers=1) as worker:
            assert_succeeded(worker.submit(product.refresh).result())
    expected = expected_headlines(product.warehouse_file)
    booked = int(before["Appointments booked"].replace(",", ""))
    assert expected["overview"]["Appointments booked"] == fmt.count(booked - 1)
    assert expected["overview"]["No-show rate"] != before["No-show rate"]

    tab.page.reload()
    tab.wait_for("overview")
    assert_headlines(tab.headlines(), expected["overview"])
    tab.page.locator('[data-testid="stSidebarNav"] a[href$="/freshness"]').click()
    tab.wait_for("freshness")
    assert_headlines(tab.headlines(), expected["freshness"])
    assert tab.exceptions() == []
    assert tab.problems == []
    assert tab.external == []
