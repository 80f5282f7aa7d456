"""Browser tests drive Debian's chromium through Playwright against a live Django server."""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest

from tests.engine.conftest import registry  # noqa: F401  (the hand-built registry fixture)
from tests.worker import task_worker

# Playwright's sync API runs an event loop in this thread; the ORM calls in test setup are safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture
def page():
    playwright_api = pytest.importorskip("playwright.sync_api")
    if not os.path.exists(CHROMIUM):
        pytest.skip("Debian chromium is not installed")
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(locale="zh-CN")
        page = context.new_page()
        page.set_default_timeout(15000)
        yield page
        context.close()
        browser.close()


@pytest.fixture
def worker(live_server):
    """`jingzhun db_worker` in a thread of the test process (same test database)."""
    loop = task_worker(batch=False, interval=0.2)
    thread = threading.Thread(target=loop.run, daemon=True)
    thread.start()
    yield loop
    loop.running = False
    thread.join(timeout=30)


FACTORY_PASSWORD = "pw-123456"  # noqa: S105 - UserFactory's test password


def log_in(page, live_server, username: str) -> None:
    """Through the login page, as a user would (UserFactory's password); lands on home."""
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", FACTORY_PASSWORD)
    page.click("button[type=submit], input[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def go_to(page, entry: str) -> None:
    """Click a top-bar navigation entry as a user would: on a phone through the menu button,
    and through the 导入导出 menu for the entries inside it."""
    toggle = page.locator("#nav-toggle")
    if toggle.is_visible() and toggle.get_attribute("aria-expanded") != "true":
        toggle.click()
    link = page.locator("#main-nav a", has_text=entry).first
    if not link.is_visible():
        page.click("#main-nav .nav-menu summary")
    link.click()


# What the page scrolls sideways by, and every visible touch target under 44 px high (a box to
# tick inside a label is measured by its label, which is what a finger hits).
MEASURE = """() => {
  const small = [];
  for (const el of document.querySelectorAll(
      'a[href], button, input:not([type=hidden]), select, textarea, summary')) {
    if (!el.getClientRects().length) continue;
    let target = el;
    if ((el.type === 'checkbox' || el.type === 'radio') && el.closest('label')) {
      target = el.closest('label');
    }
    const box = target.getBoundingClientRect();
    if (box.height < 44) {
      small.push(el.tagName.toLowerCase() + ' ' + (el.name || el.textContent.trim()).slice(0, 30)
                 + ' ' + Math.round(box.height) + 'px');
    }
  }
  const root = document.documentElement;
  return {overflow: root.scrollWidth - root.clientWidth, small: small};
}"""


def check_fits(page) -> None:
    """No sideways scrolling, no target under 44 px (the offenders are listed on failure)."""
    found = page.evaluate(MEASURE)
    assert found["overflow"] == 0, page.url
    assert found["small"] == [], page.url


SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture
def screenshots(tmp_path) -> Path:
    """Where a journey's screenshots go: docs/screenshots/ with JINGZHUN_SCREENSHOTS=1 (to
    retake the committed ones), else a temporary folder (an ordinary run leaves the tree as
    it was: the pages carry dates and timestamps)."""
    return SCREENSHOTS if os.environ.get("JINGZHUN_SCREENSHOTS") else tmp_path


def shoot(page, folder: Path, name: str, *, full: bool = False) -> None:
    """A screenshot `name`.png of the page into `folder` (the `screenshots` fixture)."""
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=full)
