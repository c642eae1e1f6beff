"""Accessibility: axe-core (pinned in package-lock.json, injected from
node_modules, never from a CDN) runs its WCAG 2.1 A and AA rules over the
page in each of its states, at a desktop and a phone width, and finds
nothing; and what the audit cannot see: the answer announced politely once
per drawing, every control reached by the keyboard with a visible focus,
Open an image reached and opened from the keyboard."""

from __future__ import annotations

from build.handwriting import PRINTED
from build.pagedriver import (
    ROOT,
    draw_path,
    draw_strokes,
    settled_prediction,
    start_training,
    wait_evaluated,
    wait_idle,
    wait_ready,
    wait_samples,
)

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
WCAG21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
WIDTHS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


def draw_number(page) -> None:
    """Write "410" on the wide drawing area (a fifth of its width a digit) and wait for the answer."""
    for k, name in enumerate(("4 open", "1 stick", "0 oval")):
        draw_path(page, PRINTED[name][1], 0.2, 0.04 + 0.24 * k, 0.25, steps=2)
    settled_prediction(page)
    page.wait_for_selector('[data-testid="digit-boxes"][data-count="3"]', state="attached")


def audit(page, state: str) -> list[str]:
    """axe's WCAG 2.1 A/AA violations in the page as it is, at each width:
    one line per rule and element."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE.read_text())  # through the DevTools protocol: the page's CSP allows no inline script
    found = []
    for width, viewport in WIDTHS.items():
        page.set_viewport_size(viewport)
        page.wait_for_timeout(100)  # layout and the charts' resize
        violations = page.evaluate("""async (tags) => {
            const result = await axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
            return result.violations.map((v) => v.nodes.map((n) => `${v.id} (${v.impact}): ${n.target.join(' ')}: ${n.failureSummary.replace(/\\s+/g, ' ')}`)).flat();
        }""", WCAG21_AA)
        found += [f"{state}, {width}: {v}" for v in violations]
    page.set_viewport_size(WIDTHS["desktop"])
    return found


def test_axe_finds_no_wcag21_aa_violation_in_any_state(page, site_url, mnist_test_digits, tmp_path):
    found = []
    page.goto(site_url)
    page.wait_for_selector('[data-testid="status"][data-state="loading"]')
    found += audit(page, "loading")
    wait_ready(page)
    page.evaluate("""() => { window.progressSaid = []; const el = document.querySelector('[data-testid=progress-announcement]');
        new MutationObserver(() => window.progressSaid.push([performance.now(), el.textContent]))
            .observe(el, { childList: true, characterData: true, subtree: true }); }""")
    draw_strokes(page, mnist_test_digits[4])
    settled_prediction(page)
    found += audit(page, "ready with a drawing")

    page.get_by_test_id("clear").click()
    page.get_by_test_id("draw-wide").click()
    draw_number(page)
    page.get_by_test_id("digit-1").click()
    found += audit(page, "a number drawn, a digit selected")
    page.get_by_test_id("clear").click()
    page.get_by_test_id("draw-wide").click()  # back to the square area for the states below

    page.get_by_test_id("evaluate").click()
    wait_evaluated(page)
    page.wait_for_function("() => window.progressSaid.at(-1)?.[1].startsWith('Evaluated pretrained: test accuracy ')")
    found += audit(page, "evaluation shown")

    for panel in ("explain", "step-panel", "gradient-check-panel"):
        page.locator(f'[data-testid="{panel}"] summary').click()
    page.get_by_test_id("step-batch").click()
    page.wait_for_selector('[data-testid="step-stage"][data-stage="forward"]', timeout=60_000)
    page.get_by_test_id("gradient-check").click()
    page.wait_for_function("() => document.querySelector('[data-testid=gradient-check-verdict]').dataset.maxRelError !== ''",
                           timeout=60_000)
    found += audit(page, "the look-inside panels open")

    page.get_by_test_id("hidden-layers").fill("16")
    page.get_by_test_id("epochs").fill("1")
    start_training(page)
    wait_samples(page, 1000)
    found += audit(page, "training")
    page.get_by_test_id("stop").click()
    wait_idle(page)
    page.wait_for_selector('[data-testid="run-history"] tbody tr')
    # The run spoke its milestones, and its step line (visible, not live) at most every 15 s.
    assert page.get_by_test_id("train-text").get_attribute("aria-live") is None
    said = page.evaluate("() => window.progressSaid")
    assert said[-1][1].startswith("Stopped: trained-1 is now the active model"), said
    steps = [t for t, text in said if text.startswith("Epoch ")]
    assert all(b - a >= 14_000 for a, b in zip(steps, steps[1:])), said
    page.locator('[data-testid="compare-run"]').first.check()
    found += audit(page, "the run history")

    bad = tmp_path / "broken.npz"
    bad.write_bytes(b"not a model")
    page.get_by_test_id("load-model").set_input_files(str(bad))
    page.get_by_test_id("error").wait_for(state="visible")
    found += audit(page, "an error shown")
    assert found == [], "\n".join(found)


def relative_luminance(rgb: str) -> float:
    """WCAG 2.1's relative luminance of a CSS ``rgb(r, g, b)`` colour."""
    channels = [int(v) / 255 for v in rgb[rgb.index("(") + 1 : rgb.index(")")].split(",")[:3]]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def test_the_settled_answer_is_announced_once_and_the_bars_stand_out(app, mnist_test_digits):
    # The visible answer is no live region (it changes with every stroke point); one polite region speaks.
    assert app.get_by_test_id("prediction").get_attribute("aria-live") == "off"
    assert app.get_by_test_id("prediction-note").get_attribute("aria-live") in (None, "off")
    region = app.get_by_test_id("announcement")
    assert region.get_attribute("aria-live") == "polite" and region.get_attribute("role") == "status"
    app.evaluate("""() => { window.announced = [];
        new MutationObserver(() => window.announced.push(document.querySelector('[data-testid=announcement]').textContent))
            .observe(document.querySelector('[data-testid=announcement]'), { childList: true, characterData: true, subtree: true }); }""")
    draw_strokes(app, mnist_test_digits[4])
    result = settled_prediction(app)
    app.wait_for_function("() => window.announced.length > 0", timeout=5_000)
    app.wait_for_timeout(1_500)  # nothing more comes
    announced = app.evaluate("() => window.announced")
    assert len(announced) == 1, announced
    assert announced[0].startswith("Predicted 4, ") and "Probabilities: 4: " in announced[0], announced[0]
    assert sum(p >= 0.01 for p in result["probs"]) == announced[0].count(":") - 1  # each digit of 1 % or more, by name

    # Non-text contrast (WCAG 1.4.11): each bar 3:1 against its track and the card.
    colours = app.evaluate("""() => [...document.querySelectorAll('[data-testid^=prob-]')].map((row) => [
        getComputedStyle(row.querySelector('.prob-fill')).backgroundColor,
        getComputedStyle(row.querySelector('.prob-track')).backgroundColor,
        getComputedStyle(row.closest('.card')).backgroundColor])""")
    for fill, track, card in colours:
        assert contrast(fill, track) >= 3 and contrast(fill, card) >= 3, (fill, track, card)
    assert len({fill for fill, _, _ in colours}) == 2  # the answer's bar stands out from the others

    app.get_by_test_id("clear").click()
    draw_strokes(app, mnist_test_digits[4])  # the same answer again, after Clear: said again
    app.wait_for_function("() => window.announced.length === 2", timeout=5_000)


def test_every_control_is_reached_by_the_keyboard_with_a_visible_focus_and_opens_an_image(app, tmp_path):
    from PIL import Image

    from build.pagedriver import mnist_test_images, mnist_test_labels

    expected = set(app.evaluate("""() => [...document.querySelectorAll(
            'button, input, select, summary, a[href], [tabindex="0"]')]
        .filter((el) => !el.disabled && !el.closest('[hidden]') && (el.getClientRects().length || el.type === 'file'))
        .filter((el) => el.tagName === 'SUMMARY' || !el.closest('details:not([open])'))  // a closed panel's insides
        .map((el) => el.dataset.testid || el.id || el.getAttribute('aria-label') || el.textContent.trim().slice(0, 30))"""))
    reached, unmarked = [], []
    for _ in range(200):
        app.keyboard.press("Tab")
        name, outline = app.evaluate("""() => { const el = document.activeElement;
            if (el === document.body) return ['BODY', true];
            const shown = el.matches('input[type=file]') ? el.labels[0] : el;  // its label is the button
            const style = getComputedStyle(shown);
            return [el.dataset.testid || el.id || el.getAttribute('aria-label') || el.textContent.trim().slice(0, 30),
                    style.outlineStyle !== 'none' && style.outlineWidth !== '0px']; }""")
        if name in reached:
            break  # round the page once
        if name != "BODY" and name:
            reached.append(name)
            if not outline:
                unmarked.append(name)
    assert expected - set(reached) == set(), f"not reached by Tab: {expected - set(reached)}"
    assert unmarked == [], f"no visible focus: {unmarked}"

    # Open an image from the keyboard: a dark 7 on white paper.
    index = int(next(i for i, y in enumerate(mnist_test_labels(100)) if y == 7))
    picture = tmp_path / "seven.png"
    Image.fromarray(255 - mnist_test_images(index + 1)[index]).resize((280, 280)).save(picture)
    assert app.get_by_test_id("undo").is_disabled()  # nothing drawn: Undo is no stop
    app.get_by_test_id("clear").focus()  # (focus() on the disabled Undo would leave the focus where it was)
    app.keyboard.press("Tab")  # the next stop after Clear
    assert app.evaluate("() => document.activeElement.dataset.testid") == "open-image"
    choosers = []
    app.on("filechooser", lambda chooser: choosers.append(chooser))
    app.evaluate("() => 0")  # a round trip: Playwright turns the chooser's interception on without waiting for it
    app.keyboard.press("Enter")
    for _ in range(100):
        if choosers:
            break
        app.wait_for_timeout(100)
    assert choosers, "Enter on Open an image opened no file chooser"
    choosers[0].set_files(str(picture))
    app.wait_for_function("() => document.querySelector('[data-testid=prediction]').dataset.digit === '7'", timeout=30_000)
    app.wait_for_function("() => document.querySelector('[data-testid=announcement]').textContent.startsWith('Predicted 7')",
                          timeout=5_000)



def test_a_number_s_digits_are_reached_by_the_keyboard_with_a_visible_focus_and_chosen_with_enter(app):
    app.get_by_test_id("draw-wide").click()
    draw_number(app)
    app.get_by_test_id("draw-wide").focus()
    tags, unmarked = [], []
    for _ in range(60):
        app.keyboard.press("Tab")
        name, outline = app.evaluate("""() => { const el = document.activeElement; const style = getComputedStyle(el);
            return [el.dataset.testid || '', style.outlineStyle !== 'none' && style.outlineWidth !== '0px']; }""")
        if name.startswith("digit-"):
            tags.append(name)
            if not outline:
                unmarked.append(name)
            if name == "digit-2":
                break
    assert tags == ["digit-0", "digit-1", "digit-2"], tags
    assert unmarked == [], f"no visible focus: {unmarked}"
    app.keyboard.press("Enter")  # on digit-2: it is selected, its answer shown
    assert app.get_by_test_id("digit-2").get_attribute("aria-pressed") == "true"
    assert app.get_by_test_id("prediction").get_attribute("data-digit") == app.get_by_test_id("digit-2").get_attribute("data-digit")
    outline = app.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"  # still focused and marked once selected (the selection's ring is no outline)
