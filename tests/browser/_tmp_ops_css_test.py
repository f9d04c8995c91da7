from tests.browser.test_dashboard import WAIT_MS, dashboard, explained, log_in  # noqa: F401


def test_css(page, dashboard):  # noqa: F811
    from playwright.sync_api import expect

    log_in(page, dashboard[0], user="olga")
    expect(page.locator(".ops-services")).to_contain_text("scorer", timeout=WAIT_MS)
    button = page.get_by_role("button", name="Français")
    print(button.evaluate("""b => { const s = getComputedStyle(b); let out = [b.className, s.color, s.backgroundColor,
        s.backgroundImage, b.getRootNode().host && b.getRootNode().host.outerHTML.slice(0, 300)];
        const root = b.getRootNode(); for (const sh of root.adoptedStyleSheets || []) for (const r of sh.cssRules)
          if (/active/.test(r.cssText)) out.push(r.cssText.slice(0, 300));
        for (const st of root.querySelectorAll('style, link')) out.push((st.textContent || st.href).slice(0, 200));
        return out.join('\\n'); }"""))
