"""WebKit, Safari's engine, for the tests and the benchmark: WebKitGTK's
MiniBrowser driven over WebDriver by Selenium (Playwright drives only its own
WebKit build, which cannot be downloaded everywhere).

Debian/Ubuntu: ``apt-get install webkit2gtk-driver xvfb`` gives
``WebKitWebDriver`` and the MiniBrowser (started with ``--automation``); the
MiniBrowser needs an X display, so a private Xvfb is started unless
``$DISPLAY`` is set. ``unavailable_reason()`` says why WebKit cannot run here,
for tests to skip with.

WebKitGTK takes the page's language from the process locale, so the caller
chooses it: ``LANG=C.UTF-8`` with no ``LC_ALL`` (most Linux containers) gives
``navigator.language == "C"``, which is not a language tag.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

# Where distributions install the MiniBrowser (it is not on PATH).
MINIBROWSER_GLOBS = ("/usr/lib/*/webkit2gtk-4.*/MiniBrowser", "/usr/libexec/webkit2gtk-4.*/MiniBrowser",
                     "/usr/lib/webkit2gtk-4.*/MiniBrowser", "/usr/lib64/webkit2gtk-4.*/MiniBrowser")
INSTALL_HINT = "Debian/Ubuntu: apt-get install webkit2gtk-driver xvfb; .ci/run installs them"
# Every locale variable WebKitGTK or glib may read; the caller's LANG is the only one set.
LOCALE_VARIABLES = ("LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LC_CTYPE", "LC_NUMERIC")


def minibrowser() -> str | None:
    """WebKitGTK's MiniBrowser, or None."""
    for pattern in MINIBROWSER_GLOBS:
        for found in sorted(glob.glob(pattern), reverse=True):  # the newest API version first
            if os.access(found, os.X_OK):
                return found
    return None


def webdriver_binary() -> str | None:
    return shutil.which("WebKitWebDriver")


def unavailable_reason() -> str | None:
    """Why WebKit cannot be driven here (for a test to skip with), or None."""
    try:
        import selenium  # noqa: F401 -- the test extra installs it
    except ImportError:
        return "Selenium is not installed (pip install -e '.[test]')"
    if webdriver_binary() is None:
        return f"WebKitWebDriver is not installed ({INSTALL_HINT})"
    if minibrowser() is None:
        return f"WebKitGTK's MiniBrowser is not installed ({INSTALL_HINT})"
    if not os.environ.get("DISPLAY") and shutil.which("Xvfb") is None:
        return f"no X display and no Xvfb to start one ({INSTALL_HINT})"
    return None


@contextlib.contextmanager
def virtual_display(width: int = 1280, height: int = 1024) -> Iterator[str]:
    """A private Xvfb; yields its display name (":N", a free number Xvfb picks)."""
    read_fd, write_fd = os.pipe()
    proc = subprocess.Popen(["Xvfb", "-displayfd", str(write_fd), "-screen", "0", f"{width}x{height}x24",
                             "-nolisten", "tcp"], pass_fds=(write_fd,), stderr=subprocess.DEVNULL)
    os.close(write_fd)
    try:
        with os.fdopen(read_fd) as pipe:
            number = pipe.readline().strip()  # written once the server accepts clients
        if not number:
            raise RuntimeError(f"Xvfb did not start (exit status {proc.poll()})")
        yield f":{number}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def browser_env(display: str, lang: str, home: Path) -> dict[str, str]:
    """The environment for WebKitWebDriver and the MiniBrowser it starts: the
    display, ``lang`` as the only locale setting, and a private ``HOME`` (the
    MiniBrowser saves downloads there, and nothing lands in the user's)."""
    env = {k: v for k, v in os.environ.items() if k not in LOCALE_VARIABLES and not k.startswith("XDG_")}
    env.update(DISPLAY=display, LANG=lang, HOME=str(home))
    return env


@dataclass
class WebKit:
    """A running MiniBrowser: its WebDriver session and where its downloads go."""

    driver: object  # selenium.webdriver.WebKitGTK
    downloads: Path


@contextlib.contextmanager
def launch(lang: str = "C.UTF-8", width: int = 1280, height: int = 900) -> Iterator[WebKit]:
    """A Selenium WebDriver session in a fresh MiniBrowser (an ephemeral
    profile: no cache, no service worker from an earlier launch); closed on
    exit. ``lang``: the browser's locale (see the module's docstring)."""
    reason = unavailable_reason()
    if reason:
        raise RuntimeError(f"WebKit cannot run here: {reason}")
    from selenium import webdriver
    from selenium.webdriver.webkitgtk.options import Options
    from selenium.webdriver.webkitgtk.service import Service

    with contextlib.ExitStack() as stack:
        home = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="pynet-webkit-")))
        # A private Xvfb where there is one (no window on a developer's screen), else $DISPLAY.
        display = stack.enter_context(virtual_display()) if shutil.which("Xvfb") else os.environ["DISPLAY"]
        options = Options()
        options.binary_location = minibrowser()
        options.add_argument("--automation")
        service = Service(executable_path=webdriver_binary(), env=browser_env(display, lang, home),
                          log_output=subprocess.DEVNULL)
        driver = webdriver.WebKitGTK(options=options, service=service)
        stack.callback(driver.quit)
        driver.set_window_rect(0, 0, width, height)
        yield WebKit(driver, home)


def version(driver) -> str:
    """"WebKitGTK 2.50.6" (the driver's browserVersion)."""
    return f"WebKitGTK {driver.capabilities.get('browserVersion', '?')}"


def describe() -> dict[str, str | None]:
    """What was found, for reports."""
    return {"minibrowser": minibrowser(), "webdriver": webdriver_binary(),
            "display": "Xvfb" if shutil.which("Xvfb") else os.environ.get("DISPLAY")}
