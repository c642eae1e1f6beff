"""Offline use and updates through the service worker.

Each test serves its own copy of the site, so it can take the server away
(offline for real, not only emulated) or swap in a second build.
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest

from build.build_site import finalize_site
from build.pagedriver import ROOT, draw_strokes, settled_prediction, wait_ready
from build.serve import serve_in_thread


@pytest.fixture
def site_copy(dist_dir, tmp_path) -> Path:
    copy = tmp_path / "site"
    shutil.copytree(dist_dir, copy)
    return copy


def wait_controlled(page) -> None:
    """Until the service worker has precached the build and controls the page."""
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=60_000)


def cache_state(page) -> dict[str, list[str]]:
    """The service worker's build caches ("pynet-<version>") and their paths."""
    return page.evaluate("""async () => {
        const out = {};
        for (const name of (await caches.keys()).filter((n) => n.startsWith('pynet-'))) {
            out[name] = (await (await caches.open(name)).keys()).map((r) => new URL(r.url).pathname);
        }
        return out;
    }""")


def wait_until_cached(page, paths: list[str], timeout_s: float = 30) -> None:
    """Poll Cache Storage (wait_for_function cannot wait on a promise's value)."""
    deadline = time.monotonic() + timeout_s
    while True:
        cached = {p.rsplit("/", 2)[-2] + "/" + p.rsplit("/", 1)[-1] for names in cache_state(page).values() for p in names}
        if set(paths) <= cached or time.monotonic() > deadline:
            return
        page.wait_for_timeout(200)


def short_training(page, name: str = "trained-1") -> None:
    """Train a small net until a few thousand samples are done, then stop."""
    page.get_by_test_id("hidden-layers").fill("32")
    page.get_by_test_id("epochs").fill("1")
    page.get_by_test_id("train").click()
    page.wait_for_function(
        """() => Number(document.querySelector('[data-testid="train-progress"]').dataset.samples) >= 3000""",
        timeout=120_000)
    page.get_by_test_id("stop").click()
    page.wait_for_function(f"""() => document.querySelector('[data-testid="model-name"]').dataset.name === '{name}'""",
                           timeout=30_000)
    page.wait_for_selector('[data-testid="status"][data-state="ready"]', timeout=30_000)


@pytest.mark.parametrize(("base", "mnist_before_service_worker"), [("/", False), ("/repo/", True)])
def test_second_visit_works_with_the_network_off(page, site_copy, mnist_test_digits, base, mnist_before_service_worker):
    server, url = serve_in_thread(site_copy, base)
    manifest = json.loads((site_copy / "manifest.json").read_text())
    try:
        page.goto(url)
        wait_ready(page)
        if not mnist_before_service_worker:
            wait_controlled(page)
        # Training fetches MNIST once; the service worker keeps it, also when
        # the download happened before it took control (a very quick first click).
        short_training(page)
        wait_controlled(page)
        wait_until_cached(page, [p for p in manifest["files"] if p.startswith("mnist/")])
        cached = cache_state(page)
        assert list(cached) == [f"pynet-{manifest['version']}"]
        paths = {p.removeprefix(base) for p in next(iter(cached.values()))}
        assert set(manifest["files"]) <= paths  # every file, MNIST included
    finally:
        server.shutdown()
        server.server_close()

    page.context.set_offline(True)
    page.reload()
    wait_ready(page)
    page.wait_for_selector('[data-testid="model-name"][data-name="trained-1"]')  # kept in IndexedDB
    page.get_by_test_id("use-pretrained").click()
    page.wait_for_selector('[data-testid="model-name"][data-name="pretrained"]')
    draw_strokes(page, mnist_test_digits[7])
    assert settled_prediction(page)["text"] == "7"
    short_training(page, "trained-2")
    assert page.get_by_test_id("error").is_hidden()


def make_second_build(first: Path, second: Path) -> dict:
    """A copy of the first build with one visible change, re-manifested the
    way build_site.py does it (fresh service-worker template included)."""
    shutil.copytree(first, second)
    shutil.copy2(ROOT / "web" / "sw.js", second / "sw.js")
    for name in ("style.css", "workers/worker.js"):
        path = second / name
        path.write_text(path.read_text() + "\n/* second build */\n")
    assets = json.loads((first / "manifest.json").read_text())["assets"]
    return finalize_site(second, assets)


def test_new_build_replaces_the_old_one_whole_after_the_user_agrees(page, site_copy, tmp_path):
    first = json.loads((site_copy / "manifest.json").read_text())
    second_dir = tmp_path / "second"
    second = make_second_build(site_copy, second_dir)
    assert second["version"] != first["version"]

    server, url = serve_in_thread(site_copy, "/pynet/")
    try:
        page.goto(url)
        wait_ready(page)
        wait_controlled(page)
        page.wait_for_function(f"() => document.querySelector('[data-testid=\"build-version\"]').textContent === '{first['version']}'")
        assert page.get_by_test_id("update-ready").is_hidden()

        # Deploy the second build at the same URL, then let the browser look for it.
        shutil.rmtree(site_copy)
        shutil.copytree(second_dir, site_copy)
        page.evaluate("async () => { await (await navigator.serviceWorker.getRegistration()).update(); }")
        page.get_by_test_id("update-ready").wait_for(state="visible", timeout=60_000)

        # Until the user agrees, the page keeps running the first build whole.
        css = page.evaluate("async () => (await fetch('style.css')).text()")
        assert "second build" not in css
        assert page.get_by_test_id("build-version").text_content() == first["version"]

        # Not in the middle of a training run: updating reloads the page.
        page.get_by_test_id("train").click()
        page.wait_for_selector('[data-testid="apply-update"]:disabled')
        page.get_by_test_id("stop").click()
        page.wait_for_selector('[data-testid="apply-update"]:enabled', timeout=60_000)

        with page.expect_navigation(timeout=60_000):
            page.get_by_test_id("apply-update").click()
        wait_ready(page)
        page.wait_for_function(f"() => document.querySelector('[data-testid=\"build-version\"]').textContent === '{second['version']}'")
        assert "second build" in page.evaluate("async () => (await fetch('style.css')).text()")
        deadline = time.monotonic() + 20  # the old cache goes once no tab runs it (asynchronously)
        while list(cache_state(page)) != [f"pynet-{second['version']}"] and time.monotonic() < deadline:
            page.wait_for_timeout(200)
        assert list(cache_state(page)) == [f"pynet-{second['version']}"]
    finally:
        server.shutdown()
        server.server_close()


def python_worker(page):
    return next(w for w in page.workers if w.url.endswith("/worker.js"))


def test_other_tabs_keep_their_build_until_they_reload(context, site_copy, tmp_path):
    """Tab A accepts an update; tab B is told, and keeps running the first build
    whole (its files, and after Restart Python its worker) until it reloads."""
    first = json.loads((site_copy / "manifest.json").read_text())
    second_dir = tmp_path / "second"
    second = make_second_build(site_copy, second_dir)
    server, url = serve_in_thread(site_copy, "/pynet/")
    try:
        a, b = context.new_page(), context.new_page()
        for page in (a, b):
            page.goto(url)
            wait_ready(page)
            wait_controlled(page)
        shutil.rmtree(site_copy)
        shutil.copytree(second_dir, site_copy)
        a.evaluate("async () => { await (await navigator.serviceWorker.getRegistration()).update(); }")
        a.get_by_test_id("update-ready").wait_for(state="visible", timeout=60_000)
        with a.expect_navigation(timeout=60_000):
            a.get_by_test_id("apply-update").click()
        wait_ready(a)
        a.wait_for_function(f"() => document.querySelector('[data-testid=\"build-version\"]').textContent === '{second['version']}'")

        # B is told, and still runs the first build: page files, and the worker Restart Python starts.
        b.wait_for_selector('[data-testid="update-ready"][data-reason="updated-elsewhere"]', timeout=30_000)
        assert "another tab" in b.get_by_test_id("update-ready").text_content()
        assert b.get_by_test_id("build-version").text_content() == first["version"]
        assert "second build" not in b.evaluate("async () => (await fetch('style.css')).text()")
        assert "second build" not in b.evaluate("async () => (await fetch('workers/worker.js')).text()")
        python_worker(b).evaluate("() => { setTimeout(() => { throw new Error('simulated crash'); }); }")
        b.get_by_test_id("restart-worker").click()
        wait_ready(b)
        # (relative to the worker's own address, workers/)
        assert "second build" not in python_worker(b).evaluate("async () => (await fetch('worker.js')).text()")
        assert sorted(cache_state(b)) == sorted([f"pynet-{first['version']}", f"pynet-{second['version']}"])
        short_training(b)  # the first Train loads the chart library: the first build's too
        assert b.get_by_test_id("error").is_hidden()

        # Reloading moves B to the new build; then the old cache goes.
        b.get_by_test_id("apply-update").click()
        b.wait_for_function(f"() => document.querySelector('[data-testid=\"build-version\"]').textContent === '{second['version']}'",
                            timeout=60_000)
        deadline = time.monotonic() + 65  # the service worker prunes a retired build for 60 s while its clients close
        while list(cache_state(b)) != [f"pynet-{second['version']}"] and time.monotonic() < deadline:
            b.wait_for_timeout(200)
        assert list(cache_state(b)) == [f"pynet-{second['version']}"]
    finally:
        server.shutdown()
        server.server_close()


def test_a_captive_portal_page_is_never_kept_as_mnist(page, site_copy):
    server, url = serve_in_thread(site_copy, "/")
    manifest = json.loads((site_copy / "manifest.json").read_text())
    try:
        page.goto(url)
        wait_ready(page)
        wait_controlled(page)
        real = site_copy / "mnist" / "t10k-images-idx3-ubyte.gz"
        data = real.read_bytes()
        real.write_bytes(b"<html><body>Please sign in to the caf\xc3\xa9 Wi-Fi</body></html>")
        page.get_by_test_id("evaluate").click()
        page.wait_for_function("() => document.querySelector('[data-testid=error-text]').textContent.includes('did not arrive intact')",
                               timeout=60_000)
        real.write_bytes(data)  # back online properly
        page.get_by_test_id("error-dismiss").click()
        page.get_by_test_id("evaluate").click()
        page.wait_for_function("() => document.querySelector('[data-testid=\"test-accuracy\"]').dataset.value !== ''",
                               timeout=120_000)
        wait_until_cached(page, ["mnist/t10k-images-idx3-ubyte.gz"])
        cached_hash = page.evaluate("""async () => {
            const r = await caches.match(new URL('mnist/t10k-images-idx3-ubyte.gz', location.href).href);
            const d = await crypto.subtle.digest('SHA-256', await r.arrayBuffer());
            return [...new Uint8Array(d)].map((b) => b.toString(16).padStart(2, '0')).join('');
        }""")
        assert cached_hash == manifest["files"]["mnist/t10k-images-idx3-ubyte.gz"]["sha256"]
    finally:
        server.shutdown()
        server.server_close()
