"""Which Chromium the tests, the benchmark and the screenshots drive, and how.

Playwright cannot download browsers everywhere (it cannot here), so a system
Chromium is preferred (Debian: `apt-get install chromium`), with Playwright's
own as the fallback.
"""

from __future__ import annotations

import shutil

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def system_chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


def launch(playwright):
    """A headless Chromium for the build tools (pytest-playwright launches its own).
    ``$PYNET_DEBUG_PORT`` opens Chrome's remote debugging port, to look into a run."""
    import os

    args = CHROMIUM_ARGS + ([f"--remote-debugging-port={os.environ['PYNET_DEBUG_PORT']}"]
                            if os.environ.get("PYNET_DEBUG_PORT") else [])
    exe = system_chromium()
    return playwright.chromium.launch(executable_path=exe, args=args) if exe else playwright.chromium.launch(args=args)
