"""Training settings read from a shared link (the page's address).

The page mirrors its training form into its address (``#lr=0.01&epochs=3``),
so a link carries a run's settings. Opening one is reading untrusted text:
this module decides, through the one settings table (``config.SETTINGS``),
what of it fills the form. Keys that are not form settings are ignored with a
note; values are checked by their field's own rule, so a bad one shows that
field's usual message; nothing is run. Bounds keep a hostile link cheap: at
most ``MAX_PAIRS`` pairs are read, keys and values are cut off at
``MAX_KEY``/``MAX_VALUE`` characters (the page refuses an address part longer
than ``MAX_LINK`` before parsing it).
"""

from __future__ import annotations

from typing import Any

from pynet.config import FORM_SETTINGS, SETTINGS
from pynet.constraints import Boolean, Choice, shorten

MAX_LINK = 4096  # characters of the address's settings part the page parses at all
MAX_PAIRS = 64  # key=value pairs read (the form has a dozen fields)
MAX_KEY = 40
MAX_VALUE = 200  # characters: longer than any valid setting
MAX_LISTED = 5  # ignored keys named in a note
# The model a link was copied while continuing ("Continue the active model"):
# a link cannot carry the model, so the page says that Train starts afresh.
CONTINUED = "continued"
MAX_NAME = 80  # characters of that model's name shown


def read_link(pairs: Any, total: int | None = None) -> dict[str, Any]:
    """``pairs``: the link's ``[key, value]`` strings in order (the page
    decodes them with ``URLSearchParams``); ``total``: how many the link had,
    when the page passed only the first ones.

    Returns ``{"values": {setting: text or bool}, "errors": {setting:
    message}, "notes": [text], "continued": name or None}``: the values to put in the form (a choice or a
    checkbox only when valid, since those fields cannot show anything else;
    text fields as given, so the person sees what the link said next to its
    error), each bad value's message (``errors``, as the form shows it), and
    what was ignored and why (``notes``), and the model the sender was
    continuing (``CONTINUED``), if the link says. Never raises for any content."""
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    unknown: list[str] = []
    repeated: list[str] = []
    malformed = 0
    continued: str | None = None
    items = pairs if isinstance(pairs, list) else []
    seen = 0
    for item in items[:MAX_PAIRS]:
        seen += 1
        if not (isinstance(item, (list, tuple)) and len(item) == 2 and all(isinstance(p, str) for p in item)):
            malformed += 1
            continue
        key, raw = item
        if key == CONTINUED:
            if continued is None:
                continued = shorten(raw, MAX_NAME)  # text the page shows, never a setting
            else:
                repeated.append(key)
            continue
        if key not in FORM_SETTINGS:
            unknown.append(key)
            continue
        if key in values or key in errors:
            repeated.append(key)
            continue
        if len(raw) > MAX_VALUE:
            errors[key] = shorten(f"the link's value is {len(raw):,} characters long, longer than any setting; "
                                  "the field keeps its value")
            continue
        rule = SETTINGS[key]
        try:
            parsed = rule.parse(raw, text=True)
        except ValueError as exc:
            errors[key] = shorten(str(exc))
            if isinstance(rule, (Choice, Boolean)):
                continue  # a list or a checkbox cannot show the bad value: it keeps its own
            values[key] = raw
            continue
        values[key] = parsed if isinstance(rule, Boolean) else raw
    notes = []
    if unknown:
        listed = ", ".join(repr(shorten(k, MAX_KEY)) for k in unknown[:MAX_LISTED])
        more = f" and {len(unknown) - MAX_LISTED} more" if len(unknown) > MAX_LISTED else ""
        notes.append(f"ignored {listed}{more}: not settings of this form")
    if repeated:
        notes.append(f"{', '.join(sorted(set(repeated)))} given more than once: the first is used")
    if malformed:
        notes.append(f"{malformed} part{'s' if malformed != 1 else ''} of the link could not be read")
    count = max(len(items), total if isinstance(total, int) and not isinstance(total, bool) else 0)
    if count > seen:
        notes.append(f"the link has {count:,} parts; only the first {seen} were read")
    return {"values": values, "errors": errors, "notes": notes, "continued": continued}
