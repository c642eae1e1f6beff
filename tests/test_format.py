"""web/page/format.js, the page's one number formatter, run by Node: a browser
language that is not a language tag falls back (never throws), and in English
the output is what toFixed / toPrecision / toLocaleString gave before."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

SCRIPT = """
import * as f from %(module)s;
console.log(JSON.stringify({
  invalid: f.validLocale(["C"]),
  posix_then_german: f.validLocale(["en-US@posix", "de_DE", "de-DE"]),
  canonical: f.validLocale(["EN-us"]),
  nothing: f.validLocale([], "en"),
  not_strings: f.validLocale([undefined, null, 7, ""]),
  percent: f.percent(0.976, 2, "en"),
  percent_rounded: f.percent(0.5049, 0, "en"),
  integer: f.integer(12345.6, "en"),
  decimal: f.decimal(0.123456, 4, "en"),
  significant: f.significant(0.008, 2, "en"),
  significant_tiny: f.significant(1.6e-7, 2, "en"),
  arabic: f.percent(0.976, 2, "ar-EG"),
  german: f.decimal(1234.5, 1, "de-DE"),
  default_locale: f.locale,
  guess_named: f.unsureGuess({ digit: 4, alternatives: [7], probs: [0, 0, 0, 0, 0.6, 0, 0, 0.3, 0, 0] }),
  guess_alone: f.unsureGuess({ digit: 4, alternatives: [7], probs: [0, 0, 0, 0, 0.978, 0, 0, 0.005, 0, 0] }),
  reasons: f.digitReasons([
    { digit: 1, unsure: true, why: "", alternatives: [7], probs: [0, 0.72, 0, 0, 0, 0, 0, 0.25, 0, 0] },
    { digit: 2, unsure: true, why: "it overlaps its neighbour" },
    { digit: 0, unsure: false, why: "" },
    { digit: 1, unsure: true, why: "it overlaps its neighbour" },
    { digit: 5, unsure: false, why: "lines were taken out" },
    { digit: 3, unsure: true, why: "it overlaps its neighbour" },
    { digit: 8, unsure: true, why: "it is much shorter" },
  ]),
}));
"""


@pytest.fixture(scope="module")
def formatted() -> dict:
    node = shutil.which("node")
    if node is None:
        pytest.skip("Node.js is not installed")
    module = json.dumps((ROOT / "web" / "page" / "format.js").as_uri())
    proc = subprocess.run([node, "--input-type=module", "-e", SCRIPT % {"module": module}],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_a_language_that_is_not_a_tag_falls_back_to_the_next_or_english(formatted):
    assert formatted["invalid"] == "en"  # WebKitGTK's "C"
    assert formatted["posix_then_german"] == "de-DE"  # "en-US@posix" and "de_DE" are not tags
    assert formatted["canonical"] == "en-US"
    assert formatted["nothing"] == formatted["not_strings"] == "en"
    assert formatted["default_locale"] == "en"  # Node has no navigator


def test_english_output_is_what_the_page_showed_before(formatted):
    assert formatted["percent"] == f"{97.6:.2f}%" == "97.60%"
    assert formatted["percent_rounded"] == "50%"
    assert formatted["integer"] == "12,346"
    assert formatted["decimal"] == "0.1235"
    assert formatted["significant"] == "0.0080"  # (0.008).toPrecision(2)
    assert formatted["significant_tiny"] == "1.6e-7"  # (1.6e-7).toPrecision(2)


def test_other_locales_write_their_own_digits_and_separators(formatted):
    assert formatted["arabic"] == "٩٧٫٦٠٪؜"
    assert formatted["german"] == "1.234,5"


def test_an_unsure_answer_names_a_runner_up_only_when_the_network_gives_it_one_percent(formatted):
    """A digit unsure for a reason of its own, read 97.8 % surely, was
    "Unsure: 4 or 7?" beside bars that gave the 7 under 1 % (a walkthrough)."""
    assert formatted["guess_named"] == "4 or 7?"
    assert formatted["guess_alone"] == "4?"



def test_a_number_s_reasons_name_the_digits_that_share_one_and_every_unsure_digit(formatted):
    """Four digits unsure for the same reason repeated the sentence four
    times under the number, and a digit the network alone was unsure of
    had no reason at all (a walkthrough's slanted "2011", "11")."""
    assert formatted["reasons"] == [
        "digit 1 is unsure: 1 or 7?",
        "digits 2, 4 and 6 are unsure, each because it overlaps its neighbour",
        "digit 5 was cleaned first: lines were taken out",
        "digit 7 is unsure because it is much shorter",
    ]
