"""A number drawn on the page: each digit found, read, boxed and selectable;
with the mouse and with a finger on a phone; a single digit as before."""

from __future__ import annotations

from contextlib import contextmanager

from build.handwriting import PRINTED
from build.pagedriver import draw_path, settled_prediction, touch_path, wait_ready

SHARE, TOP = 0.2, 0.25  # each digit: a fifth of the wide canvas's width (half its height), a quarter down


def slot(k: int) -> float:
    """Where the ``k``-th digit from the left starts, as a share of the canvas's width."""
    return 0.04 + 0.24 * k


def digits(page) -> list[dict]:
    count = int(page.get_by_test_id("digit-boxes").get_attribute("data-count"))
    return [{a: page.get_by_test_id(f"digit-{k}").get_attribute(f"data-{a}") for a in ("digit", "confidence", "unsure")}
            for k in range(count)]


def test_a_number_drawn_with_the_mouse_digit_by_digit(app):
    app.get_by_test_id("draw-wide").click()
    assert app.get_by_test_id("draw-wide").get_attribute("aria-pressed") == "true"
    box = app.get_by_test_id("draw-canvas").bounding_box()
    assert box["width"] >= 2 * box["height"]  # wide enough for a number
    # Written out of order: the 7 first, then the 4 (in two strokes), then the 1 and the 0 between them.
    for name, k in (("7 crossed", 3), ("4 open", 0), ("1 stick", 1), ("0 oval", 2)):
        draw_path(app, PRINTED[name][1], SHARE, slot(k), TOP, steps=2)
    result = settled_prediction(app)
    assert result["text"] == "4107", result
    assert app.locator("#draw-title").text_content() == "Write a number"
    found = digits(app)
    assert [d["digit"] for d in found] == ["4", "1", "0", "7"]
    assert all(0 < float(d["confidence"]) <= 1 and d["unsure"] in ("true", "false") for d in found)
    # The big number marks each digit's own doubt, whichever digit is selected.
    spans = app.get_by_test_id("prediction").locator(".number-digit")
    assert [("unsure" in (spans.nth(k).get_attribute("class") or "")) for k in range(4)] == \
        [d["unsure"] == "true" for d in found]
    for k in range(4):  # what the network sees of each digit
        assert int(app.get_by_test_id(f"network-input-{k}").get_attribute("data-ink")) > 0
    # Clicking a digit's box shows its ten probabilities.
    app.get_by_test_id("digit-2").click()
    assert app.get_by_test_id("digit-2").get_attribute("aria-pressed") == "true"
    probs = [float(app.get_by_test_id(f"prob-{d}").get_attribute("data-value")) for d in range(10)]
    assert max(range(10), key=probs.__getitem__) == 0
    assert app.get_by_test_id("prediction").get_attribute("data-digit") == "0"
    assert "selected" in spans.nth(2).get_attribute("class")
    # The explanation is the selected digit's.
    app.locator('[data-testid="explain"] summary').click()
    app.wait_for_function("""() => { const el = document.querySelector('[data-testid=explain]');
        return el.dataset.busy === 'false' && el.dataset.digit === '0'; }""", timeout=30_000)
    app.get_by_test_id("digit-0").click()  # another digit: its explanation follows
    app.wait_for_function("""() => { const el = document.querySelector('[data-testid=explain]');
        return el.dataset.busy === 'false' && el.dataset.digit === '4'; }""", timeout=30_000)
    # Teaching takes the selected digit: one sample, not the whole number.
    app.get_by_test_id("teach-label").select_option("4")
    app.get_by_test_id("teach-add").click()
    app.wait_for_selector('[data-testid="teach-count"][data-count="1"]')
    # Clear: no number, no boxes.
    app.get_by_test_id("clear").click()
    assert settled_prediction(app)["text"] == ""
    assert app.get_by_test_id("digit-boxes").get_attribute("data-count") == "0"


def test_a_9_written_loop_then_stem_is_one_digit(app):
    """A 9 written as a loop and then a stem down its right side, beside a 1: "91", not "0", "1", "1"."""
    import numpy as np

    angles = np.linspace(0, 2 * np.pi, 25)
    loop = [(0.45 + 0.3 * np.cos(a), 0.3 + 0.27 * np.sin(a)) for a in angles]
    nine = [loop, [(0.76, 0.3), (0.72, 0.98)]]
    app.get_by_test_id("draw-wide").click()
    draw_path(app, nine, SHARE, slot(0), TOP, steps=2)
    draw_path(app, PRINTED["1 stick"][1], SHARE, slot(1), TOP, steps=2)
    assert settled_prediction(app)["text"] == "91"
    app.get_by_test_id("draw-wide").click()  # back to one digit: the heading too
    assert app.locator("#draw-title").text_content() == "Draw a digit"


def test_a_digit_in_doubt_says_why(app):
    """A digit much shorter than the others may be a piece of one: it is
    marked unsure whatever the network says, and the page says why."""
    app.get_by_test_id("draw-wide").click()
    draw_path(app, PRINTED["4 open"][1], SHARE, slot(0), TOP, steps=2)
    draw_path(app, PRINTED["1 stick"][1], SHARE * 0.55, slot(1), TOP + 0.45 * SHARE * 2.5, steps=2)  # a short 1
    draw_path(app, PRINTED["7 crossed"][1], SHARE, slot(2), TOP, steps=2)
    settled_prediction(app)
    found = digits(app)
    assert len(found) == 3 and found[1]["unsure"] == "true", found
    assert "shorter" in (app.get_by_test_id("digit-1").get_attribute("title") or "")
    # the note gives every unsure digit's reason, whichever is selected, and so does the screen reader
    assert "Digit 2 is unsure because it is much shorter" in app.get_by_test_id("prediction-note").text_content()
    app.wait_for_function("""() => document.querySelector('[data-testid=announcement]').textContent
        .includes('because it is much shorter')""", timeout=5_000)
    app.get_by_test_id("digit-1").click()
    assert "unsure because it is much shorter" in app.get_by_test_id("prediction-note").text_content()


def test_switching_areas_keeps_the_drawing(app):
    """A digit drawn on the square area survives a switch to the wide one and
    back, read the same; before, each switch wiped it for good."""
    draw_path(app, PRINTED["7 plain"][1], 0.8, 0.1, 0.1, steps=2)
    assert settled_prediction(app)["text"] == "7"
    app.get_by_test_id("draw-wide").click()
    assert settled_prediction(app)["text"] == "7"
    app.get_by_test_id("draw-wide").click()
    assert settled_prediction(app)["text"] == "7"
    assert app.get_by_test_id("undo").is_enabled()


def test_a_number_written_on_the_wide_area_keeps_its_size_on_the_square_one(app):
    """Switching a written number to the square area fits its ink to the
    square, centred, as large as it was where it fits: scaling the whole
    wide area down left it a third of its size under the same pen, and a
    new user's number then read as one blotted digit."""
    app.get_by_test_id("draw-wide").click()
    for k, name in enumerate(("3 round", "6 round bowl")):
        draw_path(app, PRINTED[name][1], SHARE, slot(k) + 0.15, TOP, steps=2)
    draw_path(app, [[(0.0, 0.0), (1.0, 0.0)]], 0.45, 0.17, 0.85, steps=2)  # underlined
    assert settled_prediction(app)["text"] == "36"
    app.get_by_test_id("draw-wide").click()  # to the square area
    assert settled_prediction(app)["text"] == "36"
    app.get_by_test_id("draw-wide").click()  # and back
    assert settled_prediction(app)["text"] == "36"


def test_a_single_digit_is_read_as_before(app):
    draw_path(app, PRINTED["7 plain"][1], 0.8, 0.1, 0.1, steps=2)
    result = settled_prediction(app)
    assert result["text"] == "7" and result["digit"] == "7"
    assert digits(app) == [{"digit": "7", "confidence": result["confidence"], "unsure": "false"}]
    assert app.get_by_test_id("network-inputs").is_hidden()
    assert "number" not in (app.get_by_test_id("prediction").get_attribute("class") or "")


@contextmanager
def phone(browser, site_url):
    """The page, ready, on a phone-sized touch screen (375 x 667 CSS px, 2x)."""
    context = browser.new_context(viewport={"width": 375, "height": 667}, has_touch=True, is_mobile=True,
                                  device_scale_factor=2)
    try:
        page = context.new_page()
        page.goto(site_url)
        wait_ready(page)
        yield page
    finally:
        context.close()


def test_a_number_written_with_a_finger_on_a_phone(browser, site_url):
    with phone(browser, site_url) as page:
        page.get_by_test_id("draw-wide").tap()
        box = page.get_by_test_id("draw-canvas").bounding_box()
        assert box["width"] <= 375 and box["width"] >= 2 * box["height"]
        for name, k in (("2 curved", 0), ("5 classic", 1), ("1 stick", 2)):
            touch_path(page, PRINTED[name][1], SHARE, slot(k), TOP)
        result = settled_prediction(page)
        assert result["text"] == "251", result
        assert [d["digit"] for d in digits(page)] == ["2", "5", "1"]


def test_a_stroke_begun_on_a_digit_s_tag_is_drawn_and_a_tap_on_it_selects(browser, site_url):
    """A digit's tag sits at the top of its box, where strokes begin (a 4's
    stem, a 0's second half): a stroke begun on it is drawn; a tap on it
    still selects the digit. A new user's phone sent such strokes to the tag
    and lost them ("2024" read "2026?")."""
    with phone(browser, site_url) as page:
        page.get_by_test_id("draw-wide").tap()
        for name, k in (("2 curved", 0), ("0 oval", 1)):
            touch_path(page, PRINTED[name][1], SHARE, slot(k), TOP)
        assert settled_prediction(page)["text"] == "20"
        tag = page.get_by_test_id("digit-1").bounding_box()
        before = page.locator(".digit-box").nth(1).bounding_box()
        x, y = tag["x"] + tag["width"] / 2, tag["y"] + tag["height"] / 2
        assert y < before["y"]  # the tag lies above its box: a stroke begun there reaches above the 0
        cdp = page.context.new_cdp_session(page)
        cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x, "y": y}]})
        for step in range(1, 13):
            cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": x, "y": y + 10 * step}]})
        cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
        cdp.detach()
        settled_prediction(page)
        after = page.locator(".digit-box").nth(1).bounding_box()
        assert after["y"] < before["y"] - 5, (before, after)  # the stroke was drawn, from the tag down
        page.get_by_test_id("digit-0").tap()
        assert page.get_by_test_id("digit-0").get_attribute("aria-pressed") == "true"
        assert page.locator(".digit-box").nth(0).bounding_box() is not None
        assert int(page.get_by_test_id("digit-boxes").get_attribute("data-count")) == 2  # the tap drew nothing


def test_a_picture_of_a_number_is_read_digit_by_digit(app, tmp_path, dist_dir):
    import numpy as np
    from PIL import Image

    from build.number_sets import compose, pen_picture
    from build.pagedriver import mnist_test_images, mnist_test_labels, open_image
    from build.pen_images import paper_photo
    from pynet.input.number_picture import picture_number
    from pynet.io.model_file import load_model

    images, labels = mnist_test_images(100), mnist_test_labels(100)
    number = compose(images, labels, 4, "close", np.random.default_rng(2))
    photo = paper_photo(255 - pen_picture(number, 6.0), seed=1)  # a phone photo of the number, 6 px pen
    path = tmp_path / "number.png"
    Image.fromarray(photo).save(path)
    assert app.get_by_test_id("draw-wide").get_attribute("aria-pressed") == "false"  # the square area
    assert open_image(app, path) == ""
    result = settled_prediction(app)
    # a number opened on the square area is shown on the wide one, as a written number is
    assert app.get_by_test_id("draw-wide").get_attribute("aria-pressed") == "true"
    assert app.locator("#draw-title").inner_text() == "Write a number"
    box = app.get_by_test_id("draw-canvas").bounding_box()
    assert box["width"] > 1.5 * box["height"], box
    model = load_model(dist_dir / "models" / "default.npz").model
    found = picture_number(photo, model.predict_proba)
    expected = "".join(str(d) for d in model.predict(np.stack([f.x for f in found])))
    assert len(expected) == 4 and result["text"] == expected, (result, expected, number.label)
    assert [d["digit"] for d in digits(app)] == list(expected)
    app.get_by_test_id("digit-3").click()  # a digit of the picture selected: its bars
    assert app.get_by_test_id("prediction").get_attribute("data-digit") == expected[3]


def test_a_small_number_in_a_big_photo_is_zoomed_to_on_a_phone(browser, site_url, tmp_path):
    """A number written small on a big page and opened on a phone: the picture
    is shown zoomed to the number, so each digit's tag sits on its digit
    without covering the next one (shown whole, the four tags overlapped)."""
    import numpy as np
    from PIL import Image

    from build.number_sets import compose, pen_picture
    from build.pagedriver import mnist_test_images, mnist_test_labels, open_image
    from build.pen_images import paper_photo

    number = compose(mnist_test_images(100), mnist_test_labels(100), 4, "close", np.random.default_rng(2))
    ink = 255 - pen_picture(number, 6.0)  # light on black, 298 x 592
    sheet = np.zeros((1350, 1800), np.uint8)
    sheet[700 : 700 + ink.shape[0], 500 : 500 + ink.shape[1]] = ink
    path = tmp_path / "small-number.jpg"
    Image.fromarray(paper_photo(sheet, seed=3)).save(path)
    with phone(browser, site_url) as page:
        assert open_image(page, path) == ""
        result = settled_prediction(page)
        assert len(result["text"]) == 4, result
        canvas = page.get_by_test_id("draw-canvas").bounding_box()
        tags = [page.get_by_test_id(f"digit-{k}").bounding_box() for k in range(4)]
        for left, right in zip(tags, tags[1:]):
            assert left["x"] + left["width"] <= right["x"], tags  # side by side, not over each other
        boxes = page.locator(".digit-box").evaluate_all("els => els.map(e => e.getBoundingClientRect().width)")
        assert sum(boxes) > 0.4 * canvas["width"], (boxes, canvas)  # the number fills the area, not a corner of it
