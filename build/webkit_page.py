"""The page's actions through Selenium WebDriver, for WebKit (``build.webkit``):
what ``build.pagedriver`` does through Playwright, on the same ``data-testid``
contract, for the WebKit smoke test and the WebKit benchmark. Every function
takes a Selenium ``driver``.

Drawing goes through WebDriver actions: real pointer events from the browser's
input machinery, as a mouse makes them, not events made up in the page.
"""

from __future__ import annotations

import time
from pathlib import Path

POLL_S = 0.1
TRAIN_TIMEOUT_S = 240.0


def wait_until(driver, script: str, timeout_s: float, what: str, *args):
    """Poll ``script`` (a function body returning a value) until it returns
    something truthy; returns that. A timeout says what the page shows."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = driver.execute_script(script, *args)
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} within {timeout_s:.0f} s: the page shows {page_state(driver)}")
        time.sleep(POLL_S)


def page_state(driver) -> dict:
    return driver.execute_script("""const $ = (id) => document.querySelector(`[data-testid="${id}"]`);
        return {status: $("status")?.dataset.state, status_text: $("status-text")?.textContent,
                progress: $("train-text")?.textContent, error: $("error-text")?.textContent};""")


def attribute(driver, testid: str, name: str) -> str | None:
    """The ``data-``/plain attribute ``name`` of the element with ``testid``."""
    return driver.execute_script(
        "return document.querySelector(`[data-testid=\"${arguments[0]}\"]`)?.getAttribute(arguments[1]) ?? null;",
        testid, name)


def click(driver, testid: str) -> None:
    element = driver.find_element("css selector", f'[data-testid="{testid}"]')
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", element)
    element.click()


def wait_ready(driver, timeout_s: float = 120.0) -> float:
    """Until Python, NumPy, pynet and the model are loaded; returns the page's
    own reading: milliseconds from navigation start to ready."""
    wait_until(driver, "return document.querySelector('[data-testid=status]')?.dataset.state === 'ready';",
               timeout_s, "the page was not ready")
    return float(driver.execute_script("return document.body.dataset.readyAt;"))


def set_field(driver, testid: str, value: str) -> None:
    """Type ``value`` into a text field or choose it in a select, firing the
    events a person's input fires."""
    element = driver.find_element("css selector", f'[data-testid="{testid}"]')
    if element.tag_name.lower() == "select":
        from selenium.common.exceptions import NoSuchElementException
        from selenium.webdriver.support.select import Select

        select = Select(element)
        try:
            select.select_by_value(value)
        except NoSuchElementException:  # <option>s without a value attribute: their text is their value
            select.select_by_visible_text(value)
    else:
        element.clear()
        element.send_keys(value)


def draw_path(driver, strokes, share: float = 0.9, left: float = 0.05, top: float = 0.05) -> None:
    """Draw strokes given in the unit square (``build.handwriting``) with the
    mouse, in a box ``share`` of the canvas wide at (``left``, ``top``)."""
    from selenium.webdriver.common.actions import interaction
    from selenium.webdriver.common.actions.action_builder import ActionBuilder
    from selenium.webdriver.common.actions.pointer_input import PointerInput

    canvas = driver.find_element("css selector", '[data-testid="draw-canvas"]')
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", canvas)
    box = driver.execute_script("const r = arguments[0].getBoundingClientRect(); return [r.x, r.y, r.width];", canvas)
    x0, y0, width = box
    size = width * share

    def at(p) -> tuple[int, int]:  # viewport pixels
        return round(x0 + width * left + p[0] * size), round(y0 + width * top + p[1] * size)

    actions = ActionBuilder(driver, mouse=PointerInput(interaction.POINTER_MOUSE, "mouse"), duration=10)
    for stroke in strokes:
        actions.pointer_action.move_to_location(*at(stroke[0]))
        actions.pointer_action.pointer_down()
        for point in stroke[1:]:
            actions.pointer_action.move_to_location(*at(point))
        actions.pointer_action.pointer_up()
    actions.perform()


def prediction(driver, timeout_s: float = 15.0) -> dict:
    """Wait until no classification is pending, then read the prediction."""
    wait_until(driver, "return document.querySelector('[data-testid=prediction]').dataset.busy === 'false';",
               timeout_s, "the drawing was not classified")
    return driver.execute_script("""const el = document.querySelector('[data-testid=prediction]');
        const probs = [...Array(10).keys()].map((d) =>
            Number(document.querySelector(`[data-testid=prob-${d}]`).dataset.value));
        return {digit: el.dataset.digit === '' ? null : Number(el.dataset.digit), probs,
                unsure: el.dataset.unsure === 'true'};""")


def draw_and_classify(driver, strokes, share: float, left: float, top: float) -> dict:
    click(driver, "clear")
    draw_path(driver, strokes, share, left, top)
    return prediction(driver)


def open_image(driver, path: Path, timeout_s: float = 30.0) -> dict:
    """Open ``path`` with "Open an image" (WebKit's own decoder) and wait
    until it is classified or refused -> ``{"digit": str, "error": str}``."""
    driver.execute_script("document.querySelector('[data-testid=prediction]').dataset.digit = 'pending';"
                          "document.querySelector('[data-testid=error-text]').textContent = '';")
    driver.find_element("css selector", '[data-testid="open-image"]').send_keys(str(path))
    return wait_until(driver, """const digit = document.querySelector('[data-testid=prediction]').dataset.digit;
        const error = document.querySelector('[data-testid=error-text]').textContent;
        return digit !== 'pending' || error ? {digit, error} : null;""", timeout_s, f"{path.name} was not opened")


def samples_done(driver) -> int:
    return int(attribute(driver, "train-progress", "data-samples") or 0)


def start_training(driver) -> None:
    """Press Train and wait until the new run has started."""
    run = int(attribute(driver, "train-progress", "data-run") or 0)
    click(driver, "train")
    wait_until(driver, "return Number(document.querySelector('[data-testid=train-progress]').dataset.run) > arguments[0];",
               30, "training did not start", run)


def wait_samples(driver, at_least: int, timeout_s: float = TRAIN_TIMEOUT_S) -> None:
    wait_until(driver, "return Number(document.querySelector('[data-testid=train-progress]').dataset.samples) >= arguments[0];",
               timeout_s, f"training did not reach {at_least} samples", at_least)


def wait_model(driver, name: str, timeout_s: float = TRAIN_TIMEOUT_S) -> None:
    """Until the model called ``name`` is active."""
    wait_until(driver, "return document.querySelector('[data-testid=model-name]').dataset.name === arguments[0];",
               timeout_s, f"{name} did not become the active model", name)


def wait_idle(driver, timeout_s: float = TRAIN_TIMEOUT_S) -> None:
    """Until no training run is going (Train is enabled again)."""
    wait_until(driver, "return !document.querySelector('[data-testid=train]').disabled;", timeout_s,
               "the training run did not end")


def wasm_memory_bytes(driver, timeout_s: float = 10.0) -> int:
    """Python's wasm memory as the footer shows it (the worker's ``memory`` reply)."""
    return int(wait_until(driver, "return document.querySelector('[data-testid=memory]').dataset.wasmBytes;",
                          timeout_s, "the footer showed no memory reading"))


def wait_for_download(path: Path, timeout_s: float = 30.0) -> Path:
    """Until the browser has written ``path`` whole (its size stays the same)."""
    deadline = time.monotonic() + timeout_s
    last = -1
    while time.monotonic() < deadline:
        size = path.stat().st_size if path.exists() else -1
        if size > 0 and size == last:
            return path
        last = size
        time.sleep(0.3)
    raise TimeoutError(f"the download {path.name} did not arrive within {timeout_s:.0f} s "
                       f"(in {path.parent}: {sorted(p.name for p in path.parent.iterdir())})")
