"""Browser tests drive Debian's chromium through Playwright against a live Django server."""

from __future__ import annotations

import os
import shutil

import pytest

from tests.engine.conftest import registry  # noqa: F401  (the hand-built registry fixture)

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
