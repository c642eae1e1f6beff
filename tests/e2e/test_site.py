"""The static site: loads, classifies what is drawn, stays on its own origin."""

import numpy as np
import pytest

from build.pagedriver import draw_strokes, settled_prediction


def test_page_becomes_ready_with_the_pretrained_model(app):
    assert "pretrained" in app.get_by_test_id("model-name").text_content()
    assert app.get_by_test_id("prediction").text_content() == ""


def test_drawn_mnist_digits_are_recognised(app, mnist_test_digits, page_log):
    correct = []
    for digit, image in mnist_test_digits.items():
        app.get_by_test_id("clear").click()
        draw_strokes(app, image)
        result = settled_prediction(app)
        assert sum(result["probs"]) == pytest.approx(1.0, abs=1e-4)
        assert result["text"] == str(int(np.argmax(result["probs"])))
        correct.append(result["text"] == str(digit))
    assert sum(correct) >= 9, f"recognised {sum(correct)}/10: {correct}"
    assert page_log.errors == []


def test_clear_resets_prediction_and_blank_canvas_predicts_nothing(app, mnist_test_digits):
    draw_strokes(app, mnist_test_digits[3])
    assert settled_prediction(app)["text"] != ""
    app.get_by_test_id("clear").click()
    result = settled_prediction(app)
    assert result["text"] == ""
    assert result["probs"] == [0.0] * 10
    assert app.get_by_test_id("prediction").get_attribute("data-confidence") == ""


def test_no_request_leaves_the_origin_and_no_console_errors(app, site_url, page_log, mnist_test_digits):
    draw_strokes(app, mnist_test_digits[5])
    settled_prediction(app)
    assert page_log.requests, "no requests were recorded"
    assert page_log.foreign_requests(site_url) == []
    assert all("/pynet/" in u for u in page_log.requests if u.startswith("http"))
    assert page_log.errors == []


def test_mnist_is_not_fetched_on_page_load(app, page_log):
    assert not [u for u in page_log.requests if "/mnist/" in u]


@pytest.mark.parametrize("viewport", [{"width": 375, "height": 667}, {"width": 1280, "height": 800}])
def test_layout_fits_without_horizontal_scrolling(page, site_url, viewport):
    page.set_viewport_size(viewport)
    page.goto(site_url)
    page.wait_for_selector('[data-testid="status"][data-state="ready"]', timeout=60_000)
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= viewport["width"]
    canvas = page.get_by_test_id("draw-canvas").bounding_box()
    assert canvas["width"] >= 200 and canvas["x"] >= 0 and canvas["x"] + canvas["width"] <= viewport["width"]
    for testid in ("clear", "prediction", "prob-9"):
        assert page.get_by_test_id(testid).is_visible()
    assert page.evaluate(SELECT_CHOICES_CUT_SHORT) == []


# Every choice of every form select whose text is wider than the room its select
# gives it ("Warm-up+cosine" was cut to "Warm-up+cosin" in WebKit at 1,280 px).
SELECT_CHOICES_CUT_SHORT = """() => {
  const ctx = document.createElement('canvas').getContext('2d');
  const cut = [];
  for (const s of document.querySelectorAll('.field select')) {
    const st = getComputedStyle(s);
    ctx.font = st.font;
    const room = s.clientWidth - parseFloat(st.paddingLeft) - parseFloat(st.paddingRight);
    for (const o of s.options) if (ctx.measureText(o.text).width > room) cut.push(`${s.dataset.testid}: ${o.text}`);
  }
  return cut;
}"""


def test_nothing_moves_when_a_prediction_appears(app, mnist_test_digits):
    def row_tops() -> list[float]:
        return app.evaluate("() => [...document.querySelectorAll('#probabilities li')].map(r => r.getBoundingClientRect().top)")

    before = row_tops()
    draw_strokes(app, mnist_test_digits[7])
    assert settled_prediction(app)["text"] == "7"
    assert row_tops() == before


def test_narrow_screens_show_the_prediction_next_to_the_canvas(page, site_url, mnist_test_digits):
    page.set_viewport_size({"width": 375, "height": 667})
    page.goto(site_url)
    page.wait_for_selector('[data-testid="status"][data-state="ready"]', timeout=60_000)
    draw_strokes(page, mnist_test_digits[2])
    assert settled_prediction(page)["text"] == "2"
    inline = page.locator(".inline-prediction")
    assert inline.is_visible() and inline.text_content().startswith("2")
    box, canvas = inline.bounding_box(), page.get_by_test_id("draw-canvas").bounding_box()
    assert box["y"] + box["height"] <= 667 and box["y"] > canvas["y"] + canvas["height"]


def test_every_control_has_a_label_and_keyboard_focus_is_visible(app):
    unnamed = app.evaluate("""() => [...document.querySelectorAll('input, select, button, canvas, textarea')]
        .filter((el) => !(el.labels && el.labels.length) && !el.getAttribute('aria-label') && !el.textContent.trim())
        .map((el) => el.outerHTML.slice(0, 80))""")
    assert unnamed == []
    # Tab through the page: every focus stop shows an outline.
    seen = set()
    for _ in range(40):
        app.keyboard.press("Tab")
        focused = app.evaluate("""() => { const el = document.activeElement;
            const style = getComputedStyle(el.matches('input[type=file]') ? el.nextElementSibling ?? el : el);
            return [el.dataset.testid || el.id || el.tagName, style.outlineStyle, style.outlineWidth]; }""")
        if focused[0] == "BODY":  # wrapped around past the last control
            continue
        seen.add(focused[0])
        # A file input is hidden: the label after it shows its outline (input:focus-visible + .file-button).
        assert focused[1] != "none" and focused[2] != "0px", focused
    assert {"clear", "teach-label", "train", "hidden-layers", "evaluate", "save-model", "load-model"} <= seen


def test_training_can_be_started_and_paused_from_the_keyboard(app):
    app.get_by_test_id("hidden-layers").focus()
    app.keyboard.press("Control+A")
    app.keyboard.type("16")
    app.get_by_test_id("train").focus()
    app.keyboard.press("Enter")
    app.wait_for_function("() => Number(document.querySelector('[data-testid=train-progress]').dataset.samples) > 500",
                          timeout=60_000)
    # Train is disabled while the run lasts: the focus went to Stop, not to the page's body.
    assert app.evaluate("() => document.activeElement.dataset.testid") == "stop"
    app.keyboard.press("Shift+Tab")  # Pause sits just before Stop
    assert app.evaluate("() => document.activeElement.dataset.testid") == "pause"
    app.keyboard.press("Space")
    app.wait_for_selector('[data-testid="pause"][aria-pressed="true"]')
    text = app.get_by_test_id("train-text").text_content()
    assert text.endswith("· paused") and "ETA" not in text, text  # no time left is promised while paused
    app.get_by_test_id("stop").focus()
    app.keyboard.press("Enter")
    app.wait_for_function("() => !document.querySelector('[data-testid=train]').disabled", timeout=30_000)
    assert app.get_by_test_id("model-name").get_attribute("data-name") == "trained-1"
    app.wait_for_function("() => document.activeElement.dataset.testid === 'train'")  # and back to Train
