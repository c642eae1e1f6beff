"""One vocabulary across the page/worker boundary: every request the page
sends is named after the method that answers it, of the part of
pynet.browser.session.Session its ROUTES name."""

import re
from pathlib import Path

from pynet.browser.session import Session

ROOT = Path(__file__).resolve().parents[1]
PAGE, WORKERS = ROOT / "web" / "page", ROOT / "web" / "workers"  # what runs in the page, and in Web Workers
# The worker's own: job control, and Save as ONNX (Python's onnx_graph, encoded by the worker).
WORKER_ONLY = {"init", "pause", "stop", "memory", "onnx_file"}


def page_requests() -> set[str]:
    """Every request name the page's modules send."""
    names = set()
    for js in PAGE.rglob("*.js"):
        text = js.read_text()
        names |= set(re.findall(r'(?:client\.request|requestOnDrawing|requestOnPicture)\(\s*"(\w+)"', text))
        names |= set(re.findall(r'(?:jobs\.run|runTrainingJob)\(\s*"[\w-]+",\s*"(\w+)"', text))
        picture = re.search(r"PICTURE_METHODS = \{(.*?)\}", text, re.S)  # image-input.js: a drawing's request -> an image's
        if picture:
            names |= set(re.findall(r':\s*"(\w+)"', picture.group(1)))
    return names


def test_every_request_is_a_session_method_the_worker_passes_on():
    from pynet.browser.session import REQUESTS, ROUTES

    requests = page_requests()
    assert {"classify", "model_bytes", "add_model", "first_layer_weights", "start_training", "start_fine_tune",
            "validate_settings", "start_evaluate", "set_active", "preprocess_sample",
            "classify_image", "preprocess_image_sample", "explain_image"} <= requests
    for name in requests - WORKER_ONLY:
        assert name in REQUESTS, f"the page asks for {name}, which Session.handle does not answer"
    session = Session()
    for name in REQUESTS:
        assert callable(session.handler(name)), f"{name} is not a method of Session.{ROUTES[name]}"
    worker = (WORKERS / "worker.js").read_text()
    for name in WORKER_ONLY:
        assert re.search(rf"\b{name}\s*[:(]", worker), f"worker.js does not handle {name}"
    for name in ("advance", "stop_job", "drop_job", "onnx_graph"):  # the job pump's and onnx_file's own calls
        assert f'call("{name}"' in worker


def test_helper_workers_ask_only_for_replica_methods():
    from pynet.browser.team import ReplicaSession

    team = (WORKERS / "team.js").read_text()
    for name in set(re.findall(r'request\("(\w+)"', team)) - {"memory"}:
        assert callable(getattr(ReplicaSession, name, None)), name


def test_mnist_files_are_keyed_by_the_library_names():
    from pynet.data.mnist import MNIST_FILES

    worker = (WORKERS / "worker.js").read_text()
    for stem in MNIST_FILES.values():
        assert stem not in worker  # listed once, in pynet.data.mnist (the build writes assets.js from it)


def test_every_form_preset_has_its_button_and_every_button_a_preset():
    from pynet.recipes.presets import FORM_PRESETS

    html = (ROOT / "web" / "index.html").read_text()
    assert re.findall(r'data-testid="preset-([\w-]+)"', html) == list(FORM_PRESETS)
    for name in FORM_PRESETS:
        assert f"preset-{name}" not in (PAGE / "app.js").read_text()  # app.js takes them from the page


def test_every_form_setting_has_a_field_named_after_it():
    from pynet.config import FORM_SETTINGS

    html = (ROOT / "web" / "index.html").read_text()
    assert sorted(re.findall(r'\bname="(\w+)"', html.split('data-testid="train-form"')[1].split("</form>")[0])) == \
        sorted(FORM_SETTINGS)
