"""End to end in the browser: an application posted to the ingest API appears in the dashboard's live feed."""
from __future__ import annotations

import secrets

import pandas as pd
import pytest

from tests.browser.panel_server import served_panel
from tests.browser.test_dashboard import APP, PASSWORD, WAIT_MS, log_in, screenshot
from tests.integration.stack import post
from tests.json_rows import json_rows

pytestmark = pytest.mark.browser
NEW_CLIENT = 987_654  # a client no other test uses


@pytest.fixture(scope="module")
def live_dashboard(stack, kafka_broker, real_bundle, tmp_path_factory):
    from dashboard.accounts import add_user

    folder = tmp_path_factory.mktemp("live-dashboard")
    add_user(folder / "users.json", "marie", PASSWORD, "rm")
    env = {"DASHBOARD_MODELS_DIR": str(real_bundle.path.parent), "DASHBOARD_STORE_PATH": str(folder / "store.db"),
           "DASHBOARD_USERS_FILE": str(folder / "users.json"), "PANEL_COOKIE_SECRET": secrets.token_urlsafe(32),
           "DASHBOARD_KAFKA_BOOTSTRAP": kafka_broker.bootstrap, "DASHBOARD_FEED_GROUP": f"dashboard-{secrets.token_hex(4)}"}
    with served_panel(APP / "app.py", folder, "--setup", str(APP / "setup.py"), "--auth-module", str(APP / "auth.py"),
                      env=env) as url:
        yield url


def test_an_application_posted_to_the_api_appears_in_the_live_feed_with_its_explanation(
        page, stack, live_dashboard, real_data_dir, tmp_path):
    from playwright.sync_api import expect

    log_in(page, live_dashboard)
    page.get_by_text("Flux en direct").first.click(timeout=WAIT_MS)
    expect(page.locator(".feed-status")).to_contain_text("Flux en direct :", timeout=WAIT_MS)  # live, not interrupted
    row = json_rows(pd.read_csv(real_data_dir / "application_test.csv").head(1))[0]
    post(stack.url, [{**row, "SK_ID_CURR": NEW_CLIENT}])
    expect(page.locator(".live-feed")).to_contain_text(str(NEW_CLIENT), timeout=60_000)
    expect(page.locator(".live-feed")).to_contain_text("prête", timeout=60_000)
    screenshot(page, "dashboard-live-feed-e2e", tmp_path)
