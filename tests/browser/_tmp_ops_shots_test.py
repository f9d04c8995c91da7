from tests.browser.test_dashboard import WAIT_MS, dashboard, explained, log_in  # noqa: F401


def test_shots(page, dashboard):  # noqa: F811
    from playwright.sync_api import expect

    page.set_viewport_size({"width": 1400, "height": 2200})
    log_in(page, dashboard[0], user="olga")
    expect(page.locator(".ops-services")).to_contain_text("scorer", timeout=WAIT_MS)
    page.wait_for_timeout(1500)
    page.screenshot(path="/tmp/shots/ops-fr.png", full_page=True)
    page.get_by_role("button", name="English").click()
    expect(page.locator(".ops-services")).to_contain_text("reporting", timeout=WAIT_MS)
    page.wait_for_timeout(1500)
    page.screenshot(path="/tmp/shots/ops-en.png", full_page=True)
    page.get_by_role("button", name="English").hover()
    page.screenshot(path="/tmp/shots/ops-en-hover.png", clip={"x": 0, "y": 0, "width": 1400, "height": 80})
