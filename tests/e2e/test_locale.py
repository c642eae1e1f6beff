"""No browser language can stop a run (issue 22). The page trains, evaluates
and fine-tunes, with its charts, when the browser's language is not a language
tag ("C": what WebKitGTK reports on a system with LANG=C.UTF-8; the WebKit
smoke test meets it natively) and when it is a right-to-left one that writes
Arabic-Indic digits (ar-EG). Numbers come out in the browser's language when
Intl accepts it, in English when not (web/page/format.js).

Chromium takes a context's ``locale`` only when it is a valid tag ("C" is
refused), so "C" is given to the page the way WebKitGTK gives it: as what
``navigator.language`` and ``navigator.languages`` return, before any page
script runs."""

from __future__ import annotations

import pytest

from build.handwriting import PRINTED
from build.pagedriver import (
    TRAIN_TIMEOUT_MS,
    draw_path,
    set_settings,
    settled_prediction,
    start_training,
    wait_evaluated,
    wait_idle,
    wait_model,
    wait_ready,
)

BROWSER_SAYS_C = """
Object.defineProperty(Navigator.prototype, "language", { get: () => "C", configurable: true });
Object.defineProperty(Navigator.prototype, "languages", { get: () => Object.freeze(["C"]), configurable: true });
"""
# The browser's language -> the locale the page's numbers are expected in.
LOCALES = {"C": "en", "ar-EG": "ar-EG"}


@pytest.fixture(params=list(LOCALES))
def localized(request, browser, site_url):
    """The app in a browser whose language is ``request.param``; page errors collected."""
    tag = request.param
    context = browser.new_context(viewport={"width": 1280, "height": 900}, **({} if tag == "C" else {"locale": tag}))
    if tag == "C":
        context.add_init_script(BROWSER_SAYS_C)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(site_url)
    wait_ready(page)
    yield tag, page, errors
    context.close()


def shown_in(page, locale: str, value: float, digits: int) -> str:
    """``value`` as a percentage the way ``locale`` writes it."""
    return page.evaluate("([l, v, d]) => new Intl.NumberFormat(l, {style: 'percent', minimumFractionDigits: d, "
                         "maximumFractionDigits: d}).format(v)", [locale, value, digits])


def test_train_evaluate_and_fine_tune_in_any_locale(localized):
    tag, page, errors = localized
    expected = LOCALES[tag]
    assert page.evaluate("() => navigator.language") == tag

    # The probabilities of a drawing, in the expected locale's digits.
    digit, strokes = PRINTED["7 plain"]
    draw_path(page, strokes, 0.8, 0.1, 0.1, steps=2)
    assert int(settled_prediction(page)["digit"]) == digit
    seven = page.get_by_test_id("prob-7")
    assert seven.locator(".prob-value").text_content() == shown_in(page, expected, float(seven.get_attribute("data-value")), 1)

    # Train (the quick MLP, one epoch): live text and charts, a trained model, no error.
    page.get_by_test_id("preset-in-tab").click()
    set_settings(page, epochs=1)
    start_training(page)
    wait_idle(page)
    wait_model(page, "trained-1")
    assert page.get_by_test_id("error").is_hidden(), page.get_by_test_id("error-text").text_content()
    assert page.get_by_test_id("charts-note").is_hidden()
    assert page.locator('[data-testid="loss-chart"] canvas').count() == 1
    assert page.locator('[data-testid="accuracy-chart"] canvas').count() == 1
    accuracy = float(page.get_by_test_id("model-name").get_attribute("data-test-accuracy"))
    assert accuracy > 0.95
    assert shown_in(page, expected, accuracy, 2) in page.get_by_test_id("train-text").text_content()

    # Evaluate the trained model.
    page.get_by_test_id("evaluate").click()
    evaluated = wait_evaluated(page)
    assert page.get_by_test_id("test-accuracy").text_content() == shown_in(page, expected, evaluated, 2)

    # Fine-tune it on a taught drawing.
    page.get_by_test_id("teach-label").select_option("7")
    page.get_by_test_id("teach-add").click()
    page.wait_for_selector('[data-testid="teach-count"][data-count="1"]')
    page.get_by_test_id("fine-tune").click()
    wait_model(page, "trained-1+you-1", TRAIN_TIMEOUT_MS)
    wait_idle(page)
    assert page.get_by_test_id("error").is_hidden(), page.get_by_test_id("error-text").text_content()
    assert errors == []
