"""The charts only draw what the progress text says, so they cannot end a run:
when uPlot cannot be loaded, or throws while drawing, training goes on to a
trained model with the progress text and a one-line note (issue 22)."""

from __future__ import annotations

import pytest

from build.pagedriver import set_settings, start_training, wait_idle, wait_model, wait_ready

# A stand-in for uPlot that makes its chart and then fails on the first data,
# as a drawing error would.
UPLOT_THAT_THROWS = """export default class {
  constructor(opts, data, el) { el.append(document.createElement("canvas")); }
  setData() { throw new Error("drawing failed"); }
  setSize() {}
  destroy() {}
}"""


@pytest.mark.parametrize("failure", ["uPlot does not load", "uPlot throws while drawing"])
def test_training_goes_on_when_the_charts_fail(browser, site_url, failure):
    # No service worker: it would serve uPlot from its cache, past the routing below.
    context = browser.new_context(service_workers="block", viewport={"width": 1280, "height": 900})
    if failure == "uPlot does not load":
        context.route("**/vendor/uPlot.esm.js", lambda route: route.abort())
    else:
        context.route("**/vendor/uPlot.esm.js", lambda route: route.fulfill(
            status=200, content_type="text/javascript", body=UPLOT_THAT_THROWS))
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(site_url)
    wait_ready(page)
    set_settings(page, **{"hidden-layers": "32", "epochs": 1})
    start_training(page)
    wait_idle(page)
    wait_model(page, "trained-1")
    assert page.get_by_test_id("error").is_hidden(), page.get_by_test_id("error-text").text_content()
    assert page.get_by_test_id("train-text").text_content().startswith("Finished: trained-1 is now the active model")
    assert page.get_by_test_id("train-progress").get_attribute("data-samples") == "55000"
    note = page.get_by_test_id("charts-note")
    assert note.is_visible() and note.text_content().startswith("The charts could not be shown")
    assert "drawing failed" in note.text_content() or failure == "uPlot does not load"
    assert page.locator('[data-testid="loss-chart"] canvas, [data-testid="accuracy-chart"] canvas').count() == 0
    assert errors == []
    context.close()
