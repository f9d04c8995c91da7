"""The letter for the client, downloaded from the client file in real headless Chromium and read
back from its PDF.

Served as in test_dashboard (its fixtures: real-sample applications decided and explained by the
services' own code, no broker); this module gets its own server and store, so its access log holds
only what it did here.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from tests.browser.test_dashboard import WAIT_MS, dashboard, explained, open_file  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser
# the letter runs the simulation's search for a refusal: seconds on a busy 2-core machine
LETTER_MS = 90_000


def text_of(pdf: bytes) -> str:
    """The PDF's text, line breaks and no-break spaces as plain spaces."""
    from pypdf import PdfReader

    return flat(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages))


def flat(text: str) -> str:
    return " ".join(text.split())


def picture(pdf: bytes, name: str, tmp_path: Path) -> None:
    """Page 1 as PNG under tmp_path, or under $SCREENSHOTS_DIR (to refresh the README's picture)."""
    import pypdfium2

    folder = Path(os.environ.get("SCREENSHOTS_DIR", tmp_path))
    pypdfium2.PdfDocument(pdf)[0].render(scale=1.5).to_pil().save(folder / f"{name}.png")


def download(page, label: str):
    """Click the letter's button once it is drawn in the page's language; the file the browser
    saves, as (its name, its bytes)."""
    from playwright.sync_api import expect

    button = page.locator(".letter a", has_text=label)
    expect(button).to_be_visible(timeout=WAIT_MS)
    with page.expect_download(timeout=LETTER_MS) as started:
        button.click()
    got = started.value
    return got.suggested_filename, Path(got.path()).read_bytes()


def test_the_letter_downloaded_says_the_explained_decision_reasons_suggestion_rights_and_is_logged(
    page,
    dashboard,  # noqa: F811 - the imported fixture, used by name
    explained,  # noqa: F811 - the imported fixture, used by name
    real_bundle,
    tmp_path,
):
    from playwright.sync_api import expect

    from dashboard.catalogue import words
    from dashboard.client_reasons import main_reasons, plain
    from dashboard.context import build_context
    from dashboard.letter import facts_of, suggested
    from dashboard.settings import Settings
    from dashboard.store import FILE, LETTER, Store

    url, folder = dashboard
    settings = Settings(models_dir=real_bundle.path.parent, store_path=folder / "store.db")
    context = build_context(settings, start_feed=False)
    received = {a.application_id: a for a in explained[0]}
    refused = [d for d in explained[1] if d.decision == "refused" and d.status == "decided"]
    chosen = next(
        d
        for d in refused
        if context.simulator.smallest_grant(received[d.application_id], d.review_band) is not None
    )
    found = Store(folder / "store.db").client_file(chosen.client_id)
    explanation, suggestion = (
        found.explanation,
        context.simulator.smallest_grant(found.application, chosen.review_band),
    )

    open_file(page, url, chosen.client_id)
    for lang in ("fr", "en"):
        if (
            lang == "en"
        ):  # the letter follows the page's language; the switch redraws the pages (new tabs)
            page.get_by_text("English").click()
            expect(page.get_by_text(words("app")["en"]["pages"][1], exact=True)).to_be_visible(
                timeout=WAIT_MS
            )
        texts = words("letter")[lang]
        filename = texts["filename"].format(application=found.application_id)
        name, pdf = download(page, texts["label"])
        assert name == filename
        assert pdf.startswith(b"%PDF")
        text = text_of(pdf)
        assert flat(texts["reasons"]["refused"]) in text
        for reason in main_reasons(explanation, "refused"):
            assert flat(plain(reason.text[lang])) in text
        assert (
            flat(suggested(suggestion, facts_of(found, explanation.explained_at.date()), lang))
            in text
        )
        how = texts["how"].format(application=found.application_id, contact=texts["contact"])
        assert flat(texts["rights"]) in text and flat(how) in text and "www.cnil.fr" in text
        assert flat(texts["risk"]) in text  # what "the risk" means, said once
        assert "pts" not in text and "probab" not in text.lower()
        assert not any(
            w in text.lower() for w in ("médiane", "taux de défaut", "median", "default rate")
        )
        if lang == "fr":
            assert all(c in text for c in "éèàçœ€")
            picture(pdf, "letter-client", tmp_path)

    log = Store(folder / "store.db").access_log()
    assert [(r["user"], r["client_id"], r["application_id"], r["what"]) for r in log[:2]] == [
        ("marie", chosen.client_id, found.application_id, LETTER)
    ] * 2
    assert (log[2]["client_id"], log[2]["what"]) == (
        chosen.client_id,
        FILE,
    )  # the file opened first
