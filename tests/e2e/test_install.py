"""Installable: the web app manifest, its icons and Chromium's own verdict
(``Page.getInstallabilityErrors`` over the DevTools protocol), with the site
served under a sub-path as on GitHub Pages (``/repo/``); then, with the
server gone, the app opened at its ``start_url`` still starts and classifies."""

from __future__ import annotations

import io
import json
import shutil
from urllib.parse import urljoin

import pytest
from PIL import Image

from build.pagedriver import draw_strokes, settled_prediction, wait_ready
from build.serve import serve_in_thread


@pytest.fixture
def profile(browser_type, browser_type_launch_args, tmp_path):
    """A Chromium with a profile on disk: Playwright's usual contexts are
    incognito, where Chromium never offers to install ("in-incognito")."""
    context = browser_type.launch_persistent_context(tmp_path / "profile", **browser_type_launch_args)
    yield context
    context.close()


def test_chromium_finds_the_app_installable_and_it_runs_offline_from_its_start_url(
        profile, dist_dir, tmp_path, mnist_test_digits):
    context = profile
    page = context.pages[0] if context.pages else context.new_page()
    site = tmp_path / "site"
    shutil.copytree(dist_dir, site)
    server, url = serve_in_thread(site, "/repo/")
    try:
        page.goto(url)
        wait_ready(page)
        page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=60_000)
        cdp = context.new_cdp_session(page)
        assert cdp.send("Page.getInstallabilityErrors")["installabilityErrors"] == []
        found = cdp.send("Page.getAppManifest")
        assert found["url"] == url + "app.webmanifest" and found["errors"] == []
        manifest = json.loads(found["data"])
        assert urljoin(found["url"], manifest["start_url"]) == url  # the sub-path, not the host's root
        assert urljoin(found["url"], manifest["scope"]) == url
        assert manifest["display"] == "standalone" and manifest["short_name"] == "pynet"
        assert manifest["theme_color"] == page.locator('meta[name="theme-color"]').get_attribute("content")
        icons = {(i["sizes"], i["purpose"]): i["src"] for i in manifest["icons"] if i["type"] == "image/png"}
        assert set(icons) == {(f"{s}x{s}", p) for s in (192, 512) for p in ("any", "maskable")}
        for (sizes, purpose), src in icons.items():
            image = Image.open(io.BytesIO((site / src).read_bytes()))
            assert f"{image.width}x{image.height}" == sizes and image.format == "PNG"
            if purpose == "maskable":  # no transparent corners: the launcher's mask cuts the shape
                assert image.convert("RGBA").getpixel((0, 0))[3] == 255
        # The service worker precached the manifest and its icons with the build.
        cached = page.evaluate("""async () => {
            const names = (await caches.keys()).filter((n) => n.startsWith('pynet-'));
            const cache = await caches.open(names[0]);
            return (await cache.keys()).map((r) => new URL(r.url).pathname); }""")
        assert {"/repo/app.webmanifest", *(f"/repo/{src}" for src in icons.values())} <= set(cached)
    finally:
        server.shutdown()
        server.server_close()

    context.set_offline(True)
    installed = context.new_page()  # what the installed app opens: its start_url
    installed.goto(urljoin(url + "app.webmanifest", manifest["start_url"]))
    wait_ready(installed)
    draw_strokes(installed, mnist_test_digits[3])
    assert settled_prediction(installed)["text"] == "3"
    assert installed.get_by_test_id("error").is_hidden()
