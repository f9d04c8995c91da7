"""Browser tier: Debian's Chromium driven by Playwright (sync API), and Panel apps served for real.

Fixtures: `chromium_path` (session), `browser` (one per test package), `page` (a fresh context, so
no cookies, per test). Serve the app under test with `tests.browser.panel_server.served_panel`. A
missing Chromium fails the tests, never skips them: `make test-browser` installs it.
"""

from __future__ import annotations

import os
import shutil

import pytest

VIEWPORT = {"width": 1400, "height": 900}
CHROMIUM_ARGS = ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"]  # root, in CI


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
    if not os.access(path, os.X_OK):
        pytest.fail(
            f"Debian's Chromium is missing at {path}: `make test-browser` installs it "
            "(apt-get install -y chromium); Playwright's own browser download does not work here"
        )
    return path


# Package scope, not session: while the sync API is open it marks an asyncio loop as running in
# this thread, so later tests' asyncio.run() would fail; the browser closes when this package ends.
@pytest.fixture(scope="package")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport=VIEWPORT)
    try:
        yield context.new_page()
    finally:
        context.close()
