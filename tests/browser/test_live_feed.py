"""End to end in the browser: an application posted to the ingest API appears in the dashboard's
live feed."""

from __future__ import annotations

import secrets

import pandas as pd
import pytest

from tests.browser.test_dashboard import (
    PASSWORD,
    WAIT_MS,
    log_in,
    open_file,
    screenshot,
    served_dashboard,
)
from tests.integration.stack import post, read_topic
from tests.json_rows import decided, json_rows

pytestmark = pytest.mark.browser
NEW_CLIENT = 987_654  # a client no other test uses


@pytest.fixture(scope="module")
def live_dashboard(stack, kafka_broker, real_bundle, tmp_path_factory):
    from dashboard.accounts import add_user

    folder = tmp_path_factory.mktemp("live-dashboard")
    for user, role in (("marie", "rm"), ("rachel", "reviewer"), ("olga", "ops")):
        add_user(folder / "users.json", user, PASSWORD, role)
    env = {
        "DASHBOARD_MODELS_DIR": str(real_bundle.path.parent),
        "DASHBOARD_STORE_PATH": str(folder / "store.db"),
        "DASHBOARD_USERS_FILE": str(folder / "users.json"),
        "PANEL_COOKIE_SECRET": secrets.token_urlsafe(32),
        "KAFKA_BOOTSTRAP": kafka_broker.bootstrap,
        "DASHBOARD_FEED_GROUP": f"dashboard-{secrets.token_hex(4)}",
        "DASHBOARD_OPS_FEED_GROUP": f"dashboard-ops-{secrets.token_hex(4)}",
        "DASHBOARD_METRICS_INTERVAL_S": "2",
    }
    with served_dashboard(folder, env) as url:
        yield url


def test_an_application_posted_to_the_api_appears_in_the_live_feed_with_its_explanation(
    page, stack, live_dashboard, real_data_dir, tmp_path
):
    from playwright.sync_api import expect

    log_in(page, live_dashboard)
    page.get_by_text("Flux en direct").first.click(timeout=WAIT_MS)
    expect(page.locator(".feed-status")).to_contain_text(
        "Flux en direct :", timeout=WAIT_MS
    )  # live, not interrupted
    row = json_rows(pd.read_csv(real_data_dir / "application_test.csv").head(1))[0]
    post(stack.url, [{**row, "SK_ID_CURR": NEW_CLIENT}])
    expect(page.locator(".live-feed")).to_contain_text(str(NEW_CLIENT), timeout=60_000)
    expect(page.locator(".live-feed")).to_contain_text("prête", timeout=60_000)
    screenshot(page, "dashboard-live-feed-e2e", tmp_path)


def test_a_reviewer_decides_a_case_the_scorer_left_and_the_review_is_on_loan_reviews_and_in_history(
    page, stack, kafka_broker, live_dashboard, real_bundle, real_data_dir, real_history
):
    """The review is a real event on the broker; the file then shows the reviewer's decision and who
    took it."""
    from playwright.sync_api import expect

    from adapters.onnx_scorer import OnnxScorer
    from credit.events import ApplicationReviewed
    from credit.topics import LOAN_REVIEWS
    from dashboard.views.client_file import TEXT as FILE_TEXT

    frame = pd.read_csv(real_data_dir / "application_test.csv").head(200)
    _, decisions = decided(OnnxScorer(real_bundle.path), frame, real_history)
    row, proposal = next(
        (r, d) for r, d in zip(json_rows(frame), decisions) if d.status == "to_review"
    )
    post(stack.url, [row])
    why = "Le client a fourni trois bulletins de salaire récents : revenus stables."
    after, button = (
        ("refused", "Refuser") if proposal.decision == "granted" else ("granted", "Accorder")
    )

    open_file(page, live_dashboard, row["SK_ID_CURR"], user="rachel")
    expect(page.locator(".decision")).to_contain_text("À examiner", timeout=60_000)
    simulated = page.locator(".simulation-result")
    page.get_by_text("Simulation").first.click()
    expect(simulated).to_contain_text("décision enregistrée : ⏳ À examiner", timeout=WAIT_MS)
    page.get_by_text("Dossier client").first.click()
    page.get_by_role("button", name=button).click()
    page.locator(".justification textarea").fill(why)
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator(".review-message")).to_contain_text(
        "Enregistré : examen (changée), client ", timeout=WAIT_MS
    )
    expect(page.locator(".decision")).to_contain_text("Décision de rachel")
    expect(page.locator(".decision-history")).to_contain_text(why)
    page.get_by_text(
        "Simulation"
    ).first.click()  # shown again for the same client: the reviewer's decision
    expect(simulated).to_contain_text(
        f"décision enregistrée : {FILE_TEXT['fr'][after]}", timeout=WAIT_MS
    )
    reviews = read_topic(
        kafka_broker.bootstrap,
        LOAN_REVIEWS,
        lambda events: any(r.justification == why for r in events),
        30,
        ApplicationReviewed.from_bytes,
    )
    assert [(r.reviewer, r.kind, r.before, r.after, r.client_id) for r in reviews] == [
        ("rachel", "review", proposal.decision, after, row["SK_ID_CURR"])
    ]


def test_operations_watch_the_live_services_reports(page, stack, live_dashboard):
    from playwright.sync_api import expect

    log_in(page, live_dashboard, user="olga")
    for service in ("ingest", "scorer", "explainer", "dashboard"):
        expect(page.locator(".ops-services")).to_contain_text(service, timeout=60_000)
    expect(page.locator(".ops-services")).to_contain_text("✔")
    assert "interrompu" not in page.locator(".ops-notice").inner_text()  # the ops feed is live
