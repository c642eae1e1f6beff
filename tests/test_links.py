"""Settings from a shared link: through the settings table, hostile links included."""

import pytest

from pynet.browser.links import MAX_NAME, MAX_PAIRS, read_link
from pynet.browser.session import Session
from pynet.config import FORM_SETTINGS


def test_a_link_fills_the_form_with_its_settings():
    out = read_link([["lr", "0.01"], ["epochs", "3"], ["architecture", "cnn"], ["conv", "8,16"],
                     ["batch_norm", "true"], ["augment", "0"], ["optimizer", "sgd"]])
    assert out == {"values": {"lr": "0.01", "epochs": "3", "architecture": "cnn", "conv": "8,16", "batch_norm": True,
                              "augment": False, "optimizer": "sgd"}, "errors": {}, "notes": [], "continued": None}


def test_bad_values_get_their_field_s_message_and_unknown_keys_a_note():
    out = read_link([["lr", "-1"], ["epochs", "<script>alert(1)</script>"], ["schedule", "sideways"],
                     ["batch_norm", "maybe"], ["__proto__", "x"], ["constructor", "y"], ["lr", "0.5"]])
    messages = Session().tab.validate_settings({"lr": "-1", "epochs": "<script>alert(1)</script>"})
    assert out["errors"]["lr"] == messages["lr"] and out["errors"]["epochs"] == messages["epochs"]
    assert out["values"]["epochs"] == "<script>alert(1)</script>"  # a text field shows what the link said...
    assert "schedule" not in out["values"] and "batch_norm" not in out["values"]  # ...a list or a checkbox cannot
    assert "must be one of" in out["errors"]["schedule"] and out["errors"]["batch_norm"]
    assert out["notes"] == ["ignored '__proto__', 'constructor': not settings of this form",
                            "lr given more than once: the first is used"]


def test_hostile_links_are_bounded():
    huge = read_link([["lr", "1" * 100_000], ["k" * 10_000, "v"]])
    assert "100,000 characters long" in huge["errors"]["lr"] and "lr" not in huge["values"]
    assert len(huge["notes"][0]) < 120
    many = read_link([[f"key{i}", "1"] for i in range(5000)], total=5000)
    assert "and 59 more" in many["notes"][0] and f"only the first {MAX_PAIRS} were read" in many["notes"][1]
    odd = read_link([["lr"], [1, 2], "lr=1", None, ["lr", 0.1]])
    assert odd["values"] == {} and odd["notes"] == ["5 parts of the link could not be read"]
    for pairs in (None, "lr=1", {"lr": "1"}, 42):
        assert read_link(pairs) == {"values": {}, "errors": {}, "notes": [], "continued": None}
    assert read_link([["lr", "\ufffd"]])["errors"]["lr"].startswith("must be")  # a non-UTF-8 escape, decoded


def test_every_form_setting_can_travel_in_a_link():
    values = Session().tab.settings_schema()["fields"]
    out = read_link([[k, str(v["default"]).lower() if isinstance(v["default"], bool) else str(v["default"])]
                     for k, v in values.items()])
    assert set(out["values"]) == set(FORM_SETTINGS) and out["errors"] == {}


@pytest.mark.parametrize("request_args", [{"pairs": [["lr", "0.1"]], "total": 1}, {"pairs": "x", "total": "y"}])
def test_the_session_answers_read_link(request_args):
    assert "result" in Session().handle("read_link", request_args)


def test_a_link_copied_while_continuing_names_the_model_and_sets_nothing_with_it():
    out = read_link([["continued", "pretrained"], ["lr", "0.01"], ["continued", "other"]])
    assert out["continued"] == "pretrained" and out["values"] == {"lr": "0.01"}
    assert out["notes"] == ["continued given more than once: the first is used"]
    hostile = read_link([["continued", "<img src=x onerror=alert(1)>" * 20]])
    assert len(hostile["continued"]) == MAX_NAME and hostile["values"] == {}  # text the page shows, cut short
    assert read_link([["lr", "0.01"]])["continued"] is None
