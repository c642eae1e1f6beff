"""pynet.browser.session, the worker's door into pynet, exercised natively."""

import numpy as np
import pytest

from pynet.browser.session import MAX_PARAMS, Session
from pynet.config import SETTINGS, ModelConfig, parse_settings
from pynet.constraints import SettingsError
from pynet.data.mnist import MNIST_FILES
from pynet.input.test_time import read
from pynet.io.model_file import model_to_bytes
from pynet.io.untrusted import ModelFormatError
from pynet.nn.model import build_model
from pynet.recipes import presets
from pynet.training.trainer import TrainingDiverged


def strokes(*paths) -> dict:
    """A drawing as the page sends it: float32 (x, y) points, each stroke's length, the canvas size."""
    points = np.concatenate([np.asarray(p, dtype=np.float32) for p in paths])
    return {"points": points.tobytes(), "lengths": np.array([len(p) for p in paths], dtype=np.int32).tobytes(),
            "width": 280.0, "height": 280.0}


BAR = strokes([(140, 40), (140, 240)])  # a vertical bar


@pytest.fixture
def session(tiny_mnist_dir) -> Session:
    s = Session()
    s.models.add_model("pretrained", model_to_bytes(build_model(ModelConfig(hidden=(16,)))))
    files = {name: (tiny_mnist_dir / stem).read_bytes() for name, stem in MNIST_FILES.items()}
    return s, files


def test_classify_strokes_blank_and_bad_input(session):
    s, _ = session
    result = s.drawings.classify(**BAR)
    assert sum(result["probs"]) == pytest.approx(1.0, abs=1e-5)
    assert result["digit"] == int(np.argmax(result["probs"]))
    assert isinstance(result["unsure"], bool) and result["confidence"] == max(result["probs"])
    seen = np.frombuffer(result["input"], dtype=np.uint8)
    assert seen.shape == (784,) and seen.max() == 255  # what the network saw, for the page to show
    assert s.drawings.classify(**strokes([(10, 10)])) is None  # a tap
    assert s.drawings.classify(**(strokes([(10, 10)]) | {"lengths": np.array([], np.int32).tobytes(),
                                                  "points": b""})) is None  # nothing
    with pytest.raises(ValueError, match="do not match"):
        s.drawings.classify(**(BAR | {"lengths": np.array([5], np.int32).tobytes()}))
    with pytest.raises(ValueError, match="canvas"):
        s.drawings.classify(**(BAR | {"width": 0.0}))


def test_a_stray_tap_beside_the_drawing_is_not_what_the_network_sees(session):
    """Drawing, teaching and explaining all leave out a tap away from the digit."""
    s, _ = session
    seven = [(80, 50), (200, 50), (120, 240)]
    with_tap = strokes(seven, [(270, 270)])
    assert s.drawings.classify(**with_tap)["input"] == s.drawings.classify(**strokes(seven))["input"]
    assert s.drawings.preprocess_sample(**with_tap) == s.drawings.preprocess_sample(**strokes(seven))
    underlined = strokes(seven, [(70, 262), (210, 264)])
    assert s.drawings.classify(**underlined)["input"] == s.drawings.classify(**strokes(seven))["input"]


def picture(ink_on_paper: bool = True) -> dict:
    """A picture as the page sends it: RGBA bytes of a 7 written with an 8 px pen, and its size."""
    from build.handwriting import PRINTED
    from build.pen_images import pen_image

    grey = pen_image(PRINTED["7 plain"][1], 8, page_px=200, dark_on_light=ink_on_paper)
    rgba = np.dstack([grey, grey, grey, np.full_like(grey, 255)])
    return {"pixels": rgba.tobytes(), "width": 200, "height": 200}


def test_classify_image_answers_as_classify_does_with_the_library_s_input(session):
    from pynet.input.preprocess import preprocess_image

    s, _ = session
    image = picture()
    result = s.images.classify_image(**image)
    assert set(result) == set(s.drawings.classify(**BAR)) | {"preprocess_ms"}  # what a drawing gets, and the time taken
    assert 0 < result["preprocess_ms"] < 10_000
    x = preprocess_image(np.frombuffer(image["pixels"], np.uint8).reshape(200, 200, 4))
    np.testing.assert_array_equal(np.frombuffer(result["input"], np.uint8), np.round(x * 255).astype(np.uint8))
    # read as given and in four more views (test_time.read), not by one pass of the network
    read_once = s.models["pretrained"].model.predict_proba(x[None])[0]
    assert result["probs"] == pytest.approx(read(s.models["pretrained"].model.predict_proba, x[None])[0].tolist(),
                                            abs=1e-6)
    assert not np.allclose(result["probs"], read_once, atol=1e-6)
    assert s.images.classify_image(**(image | {"width": 200.0}))["digit"] == result["digit"]  # JS numbers may be floats
    np.testing.assert_array_equal(np.frombuffer(s.images.preprocess_image_sample(**image), np.float32), x)
    assert s.images.explain_image(**image)["model"] == "pretrained"


def test_bad_pictures_are_refused_with_their_reason(session):
    s, _ = session
    image = picture()
    blank = {"pixels": bytes(200 * 200 * 4), "width": 200, "height": 200}
    with pytest.raises(ValueError, match="no digit found"):
        s.images.classify_image(**blank)
    with pytest.raises(ValueError, match="do not make a 200 x 100 RGBA image"):
        s.images.classify_image(**(image | {"height": 100}))
    for size in ({"width": 0}, {"width": 5000}, {"height": 1.5}, {"width": "200"}):
        with pytest.raises(ValueError, match="pixels wide and high"):
            s.images.preprocess_image_sample(**(image | size))


def test_a_model_whose_outputs_overflow_gives_an_error_not_a_digit(session, monkeypatch):
    s, _ = session
    model = s.models["pretrained"].model
    monkeypatch.setattr(model, "predict_proba", lambda x: np.full((len(x), 10), np.nan, np.float32))
    with pytest.raises(ValueError, match="no valid answer for this drawing"):
        s.drawings.classify(**BAR)


def test_bad_model_keeps_the_active_one(session):
    s, _ = session
    with pytest.raises(ModelFormatError):
        s.models.add_model("broken", b"nonsense")
    assert s.models.active == "pretrained" and "broken" not in s.models


def run_job(s: Session, budget_ms: float = 5, replicas=None, fail_after: int | None = None) -> list[dict]:
    """What the browser worker does: advance the session's job until done,
    posting its requests to ``replicas`` (``team.ReplicaSession``s, here in
    process) and handing back their replies. ``fail_after``: after that many
    shared steps, a helper "dies" instead of replying."""
    updates, pending, shared = [], None, 0
    replies = failure = None
    while True:
        u = s.jobs.advance(budget_ms, replies, failure)
        replies = failure = None
        updates.append(u)
        if u["done"]:
            return updates
        if u["requests"]:
            pending = [getattr(replicas[r["replica"]], r["method"])(**r["args"]) for r in u["requests"]]
        elif u["wait"]:
            shared += 1
            if fail_after is not None and shared > fail_after:
                failure = "helper worker 2 stopped (out of memory)"
            else:
                replies = pending


def test_training_job_in_slices_then_finish(session):
    s, files = session
    s.data.load_mnist(**files)
    # 600 random images (60 held out for validation): learning is not the point here.
    info = s.jobs.start_training({"hidden": "8", "lr": "0.01", "batch_size": "50", "epochs": "2", "seed": "1",
                             "optimizer": "adam", "augment": False})["job"]
    assert info["total_samples"] == 1080 and info["kind"] == "train" and info["replicas"] == 0
    updates = run_job(s)
    train = [u["progress"] for u in updates if u["phase"] == "train"]
    assert sum(len(p["epochs"]) for p in train) == 2
    assert all(p["samples"] > 0 for u in train for p in u["points"])
    model = updates[-1]["result"]
    assert s.models.active == model["name"] == "trained-1" and "pretrained" in s.models and s.jobs.job is None
    assert model["architecture"] == "784-8-10" and model["summary"]["stopped"] is False
    report = s.jobs.evaluate()
    assert sum(map(sum, report["confusion_matrix"])) == 200
    assert len(report["misclassified_pixels"]) == 784 * len(report["misclassified"])
    w = s.inside.first_layer_weights()
    assert w["units"] == 8 and len(w["pixels"]) == 8 * 784
    assert len(s.models.model_bytes()) > 0
    s.jobs.start_training({"hidden": "8", "epochs": "1"})
    assert run_job(s)[-1]["result"]["name"] == "trained-2"  # one name generator: Python's
    assert s.models.add_model("trained", s.models.model_bytes())["name"] == "trained"  # loaded files keep their names


def test_finishing_in_slices_gives_what_finishing_at_once_gives(session, monkeypatch):
    from pynet.training import time_slices

    s, files = session
    s.data.load_mnist(**files)
    results = []
    for sliced in (False, True):
        monkeypatch.setattr(time_slices, "SLICE_FLOATS", 1 if sliced else 10**9)  # chunks of 16 images, or all at once
        s.jobs.start_training({"architecture": "cnn", "conv": "2", "hidden": "", "lr": "0.01", "batch_size": "50",
                          "epochs": "1", "seed": "1", "batch_norm": True})
        updates = run_job(s, budget_ms=0 if sliced else 1e9)
        finish = [u["progress"]["images"] for u in updates if u["phase"] == "finish"]
        if sliced:  # a chunk at a time, the held-out images first, then the test set
            assert finish[:3] == [16, 32, 48] and finish[-1] == 60 + 200
        results.append(s.models[s.models.active])
    with pytest.raises(RuntimeError, match="no job"):
        s.jobs.advance(0)
    a, b = results
    assert a.metadata["test_accuracy"] == b.metadata["test_accuracy"] and a.model.temperature == b.model.temperature
    assert a.model.config.batch_norm


def test_evaluation_in_slices_is_the_evaluation_at_once(session, monkeypatch):
    from pynet.training import time_slices

    monkeypatch.setattr(time_slices, "SLICE_FLOATS", 1)  # chunks of 16 images
    s, files = session
    s.data.load_mnist(**files)
    whole = s.jobs.evaluate()
    assert s.jobs.start_evaluate("pretrained")["job"]["total"] == 200
    updates = run_job(s, budget_ms=0)
    assert [u["progress"]["images"] for u in updates[:2]] == [16, 32] and len(updates) == 13  # 12.5 chunks
    sliced = updates[-1]["result"]
    assert sliced == whole | {"workers": 1} and sliced["model"] == "pretrained"
    s.jobs.start_evaluate()
    with pytest.raises(RuntimeError, match="already in progress"):
        s.jobs.start_evaluate()
    monkeypatch.setattr(s.models["pretrained"].model, "forward", lambda *a, **k: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        s.jobs.advance(10)
    assert s.jobs.job is None  # the failed one is gone: a new one may start


def test_evaluation_shared_with_helpers_is_the_same_and_survives_losing_one(session):
    from pynet.browser.team import ReplicaSession

    s, files = session
    s.data.load_mnist(**files)
    whole = s.jobs.evaluate()
    helpers = [ReplicaSession(), ReplicaSession()]
    info = s.jobs.start_evaluate(workers=3)["job"]
    assert info["replicas"] == 2
    for h in helpers:
        h.setup(info["architecture"])
    updates = run_job(s, replicas=helpers)
    assert updates[0]["requests"] and [r["replica"] for r in updates[0]["requests"]] == [0, 1]
    report = updates[-1]["result"]
    assert report["workers"] == 3 and report["accuracy"] == whole["accuracy"]
    assert report["confusion_matrix"] == whole["confusion_matrix"]
    s.jobs.start_evaluate(workers=2)
    lost = run_job(s, replicas=helpers, fail_after=0)[-1]["result"]  # the owner does the helper's share
    assert lost["confusion_matrix"] == whole["confusion_matrix"] and lost["workers"] == 1


def test_training_shared_with_helpers_matches_the_simulation_and_stops_cleanly(session):
    """The worker protocol of data parallelism (requests out, replies in) gives
    exactly what parallel.simulated_steps gives in one process; a helper that
    dies mid-run ends it with the last completed step's weights kept."""
    from pynet.browser.team import ReplicaSession
    from pynet.training.data_parallel import simulated_steps
    from pynet.training.trainer import Trainer

    s, files = session
    s.data.load_mnist(**files)
    settings = {"architecture": "cnn", "conv": "4", "hidden": "8", "lr": "0.01", "batch_size": "30",
                "epochs": "1", "seed": "3", "augment": True, "workers": "3"}
    info = s.jobs.start_training(settings)["job"]
    assert info["replicas"] == 2 and info["workers"] == 3
    helpers = [ReplicaSession(), ReplicaSession()]
    for h in helpers:
        h.setup(info["architecture"])
    result = run_job(s, replicas=helpers)[-1]["result"]
    shared = s.models[result["name"]].model
    model_cfg, train_cfg = s.tab.parse(settings)
    trainer = Trainer(build_model(model_cfg), train_cfg, *s.data.train_split())
    for _ in simulated_steps(trainer, 3):
        pass
    for a, b in zip(shared.parameters(), trainer.model.parameters()):
        np.testing.assert_array_equal(a, b)

    s.jobs.start_training(settings, name="cut")
    updates = run_job(s, replicas=helpers, fail_after=4)
    cut = updates[-1]["result"]
    assert cut["name"] == "cut-1" and s.models.active == "cut-1" and cut["summary"]["stopped"]
    assert "helper worker 2 stopped" in cut["summary"]["note"] and "step 4" in cut["summary"]["note"]
    assert cut["epoch_samples"] == 4 * 30  # the four completed steps, no more


def test_a_pause_is_left_out_of_the_run_s_seconds_and_rate(session, monkeypatch):
    """The worker says how long Pause held the job (``paused_ms``): the run's
    seconds, its chart's time axis and its samples/s in the run history leave
    it out (a paused run had shown a third of its real rate)."""
    import time

    from pynet.browser import jobs

    s, files = session
    s.data.load_mnist(**files)
    s.jobs.start_training({"hidden": "8", "lr": "0.01", "batch_size": "50", "epochs": "1", "seed": "1"})
    s.jobs.advance(0)  # training has begun (a step or so)
    began = s.jobs.job._began
    clock = time.perf_counter
    monkeypatch.setattr(jobs.time, "perf_counter", lambda: clock() + 60.0)  # a minute goes by, paused
    s.jobs.advance(0, paused_ms=60_000)
    assert s.jobs.job._began == pytest.approx(began + 60.0)
    updates = run_job(s)
    summary = updates[-1]["result"]["summary"]
    assert summary["train_seconds"] < 30 and summary["samples_per_sec"] > 540 / 30
    assert all(p["seconds"] < 30 for u in updates if u["phase"] == "train" for p in u["progress"]["points"])


def test_stop_keeps_the_model_of_the_steps_so_far(session):
    s, files = session
    s.data.load_mnist(**files)
    s.jobs.start_training({"hidden": "8", "batch_size": "10", "epochs": "3"})
    s.jobs.advance(0)
    assert s.jobs.stop_job() == {"stopping": True}
    result = run_job(s)[-1]["result"]
    assert result["summary"]["stopped"] and 0 < result["epoch_samples"] < 540 and result["epochs_done"] == 0
    assert s.jobs.stop_job() == {"stopping": False}


def test_requests_answer_with_results_or_errors_as_data(session):
    s, files = session
    assert s.handle("set_active", {"name": "pretrained"})["result"]["name"] == "pretrained"
    assert s.handle("set_active", {"name": "nope"})["error"] == {"kind": "not-found", "message": "no model named 'nope'",
                                                                   "fields": {}}
    bad = s.handle("start_training", {"settings": {"epochs": "0", "lr": "x"}})["error"]
    assert bad["kind"] == "settings" and set(bad["fields"]) == {"epochs", "lr"}
    assert s.handle("start_training", {"settings": {}})["error"]["kind"] == "state"  # MNIST not loaded
    assert s.handle("add_model", {"name": "x", "data": b"junk"})["error"]["kind"] == "model-file"
    assert s.handle("_free_name", {"name": "x"})["error"]["kind"] == "request"
    assert s.handle("classify", {"points": b"", "lengths": b"\1\0\0\0", "width": 280.0,
                                 "height": 280.0})["error"]["kind"] == "invalid"


def test_divergence_drops_the_job_and_keeps_the_active_model(session):
    s, files = session
    s.data.load_mnist(**files)
    s.jobs.start_training({"hidden": "32", "lr": "10", "batch_size": "32", "epochs": "5", "seed": "0", "optimizer": "adam"})
    with pytest.raises(TrainingDiverged):
        run_job(s, budget_ms=50)
    assert s.models.active == "pretrained" and s.jobs.job is None


@pytest.mark.parametrize("settings,field,match", [
    ({"hidden": "abc"}, "hidden", "whole numbers separated by commas"),
    ({"hidden": "0"}, "hidden", "from 1 to 8,192"),
    ({"hidden": "8192,8192"}, "hidden", "tab's memory"),
    ({"hidden": [16.9]}, "hidden", "whole number"),
    ({"epochs": "1.5"}, "epochs", "whole number"),
    ({"epochs": "inf"}, "epochs", "whole number"),
    ({"epochs": "1001"}, "epochs", "from 1 to 1,000"),
    ({"lr": "fast"}, "lr", "must be a number"),
    ({"lr": "-1"}, "lr", "greater than 0"),
    ({"lr": "11"}, "lr", "at most 10"),
    ({"batch_size": "0"}, "batch_size", "from 1 to 4,096"),
    ({"optimizer": "rmsprop"}, "optimizer", "one of adam, sgd"),
    ({"seed": "-1"}, "seed", "from 0"),
    ({"seed": "abc"}, "seed", "whole number"),
    ({"augment": "maybe"}, "augment", "true or false"),
    ({"batch_norm": "true"}, "batch_norm", "part of the convolution blocks"),
    ({"batch_norm": "yes please"}, "batch_norm", "true or false"),
    ({"schedule": "warp"}, "schedule", "one of constant, cosine, warmup-cosine, step"),
    ({"colour": "red"}, "colour", "unknown setting"),
])
def test_settings_errors_name_their_field(settings, field, match):
    base = {"hidden": "128", "lr": "0.001", "batch_size": "128", "epochs": "1", "seed": "0", "optimizer": "adam"}
    errors = Session().tab.validate_settings(base | settings)
    assert list(errors) == [field] and match in errors[field], errors


def test_settings_parse_like_a_person_means_them():
    model, train = parse_settings({"hidden": "16", "augment": "false", "seed": "7", "lr": " 0.01 "})
    assert model.hidden == (16,) and train.augment is False and model.seed == train.seed == 7 and train.lr == 0.01
    model, train = parse_settings({"hidden": "", "augment": True})
    assert model.hidden == () and train.augment is True
    with pytest.raises(SettingsError) as err:
        parse_settings({"epochs": "0", "lr": "x"})
    assert set(err.value.errors) == {"epochs", "lr"} and err.value.field == "epochs"


def test_schema_is_the_library_table_with_the_in_tab_defaults():
    schema = Session().tab.settings_schema()
    defaults = presets.configs("in-tab")
    for name, rule in schema["fields"].items():
        assert {k: v for k, v in rule.items() if k != "default"} == SETTINGS[name].describe()
    assert schema["fields"]["epochs"]["default"] == defaults[1].epochs
    assert schema["fields"]["hidden"]["default"] == "128" and schema["fields"]["schedule"]["default"] == defaults[1].schedule
    assert schema["max_params"] == MAX_PARAMS


def test_continuing_the_active_model_keeps_its_optimiser_and_position(session):
    s, files = session
    s.data.load_mnist(**files)
    s.jobs.start_training({"hidden": "8", "epochs": "1", "batch_size": "50", "schedule": "constant"}, name="first")
    first = run_job(s)[-1]["result"]
    assert first["epochs_done"] == 1 and first["has_optimizer"]
    t_before = s.models["first-1"].optimizer.t
    weights_before = [p.copy() for p in s.models["first-1"].model.parameters()]
    info = s.jobs.start_training({"hidden": "999", "epochs": "2", "batch_size": "50", "schedule": "constant"},
                            name="more", continue_active=True)["job"]
    assert info["description"] == "784-8-10" and info["first_epoch"] == 2 and info["epochs"] == 3
    assert info["samples"] == 540  # 600 images less 60 held out
    more = run_job(s)[-1]["result"]
    assert more["epochs_done"] == 3 and s.models["more-1"].optimizer.t == t_before + 2 * 11
    # The model it continued from is unchanged.
    for a, b in zip(weights_before, s.models["first-1"].model.parameters()):
        np.testing.assert_array_equal(a, b)


def test_loading_never_replaces_a_model(session):
    s, _ = session
    pretrained = s.models["pretrained"].model
    data = model_to_bytes(build_model(ModelConfig(hidden=(4,))))
    assert s.models.add_model("pretrained", data)["name"] == "pretrained-2"
    assert s.models.add_model("pretrained", data)["name"] == "pretrained-3"
    assert s.models["pretrained"].model is pretrained


@pytest.mark.parametrize("whole_network", [False, True], ids=["head", "whole network"])
def test_fine_tune_on_taught_drawings_changes_their_prediction(session, monkeypatch, whole_network):
    # The fixture's model is untrained and its "MNIST" is noise, so the shipped
    # gentle settings (tuned for the pretrained model) are made stronger here.
    import pynet.browser.finetune as finetune
    import pynet.browser.job_runner as job_runner
    from pynet.config import TrainConfig

    monkeypatch.setattr(job_runner, "FINE_TUNE", TrainConfig(epochs=5, batch_size=32, lr=1e-2))
    monkeypatch.setattr(finetune, "HEAD_TRAIN", TrainConfig(epochs=5, batch_size=32, lr=1e-2))
    s, files = session
    s.data.load_mnist(**files)
    sample = s.drawings.preprocess_sample(**BAR)
    assert len(sample) == 784 * 4
    x = np.frombuffer(sample, dtype=np.float32)
    before = s.drawings.classify(**BAR)["digit"]
    target = (before + 1) % 10
    info = s.jobs.start_fine_tune(sample * 3, [target] * 3, whole_network=whole_network)["job"]
    assert info["kind"] == "fine-tune"
    result = run_job(s)[-1]["result"]
    assert s.models.active == result["name"] == "pretrained+you-1" and "pretrained" in s.models
    assert s.drawings.classify(**BAR)["digit"] == target
    if not whole_network:
        check = result["summary"]["check"]
        assert check["samples_right"] == check["samples"] == 3 and check["images"] == 60
    # The model it started from is unchanged.
    s.models.set_active("pretrained")
    assert s.drawings.classify(**BAR)["digit"] == before
    assert x.min() >= 0 and x.max() <= 1


@pytest.mark.parametrize("samples,labels,match", [
    (b"", [], "no samples"),
    (np.zeros(784, np.float32).tobytes(), [1, 2], "784 values"),
    (np.zeros(784, np.float32).tobytes(), [12], "digits 0-9"),
    (np.zeros(784, np.float32).tobytes(), [1.5], "digits 0-9"),
    (np.zeros(784, np.float32).tobytes(), ["3"], "digits 0-9"),
    (np.zeros(784, np.float32).tobytes(), [True], "digits 0-9"),
    (np.full(784, 7, np.float32).tobytes(), [1], r"\[0, 1\]"),
])
def test_fine_tune_rejects_bad_samples(session, samples, labels, match):
    s, files = session
    s.data.load_mnist(**files)
    with pytest.raises(ValueError, match=match):
        s.jobs.start_fine_tune(samples, labels)


def test_mnist_is_kept_as_uint8_pixels_and_evaluates_the_same(session):
    s, files = session
    s.data.load_mnist(**files)
    assert s.data.dataset.x_train.dtype == s.data.dataset.x_val.dtype == s.data.dataset.x_test.dtype == np.uint8
    report = s.jobs.evaluate()
    model = s.models["pretrained"].model
    expected = np.mean(model.predict(s.data.dataset.x_test.astype(np.float32) / 255) == s.data.dataset.y_test)
    assert report["accuracy"] == pytest.approx(expected)
    wrong = np.frombuffer(report["misclassified_pixels"], dtype=np.uint8).reshape(-1, 784)
    assert len(wrong) == len(report["misclassified"])
    np.testing.assert_array_equal(wrong, s.data.dataset.x_test[[m["index"] for m in report["misclassified"]]])


def test_explain_step_and_gradient_check_through_the_session(session):
    s, files = session
    s.data.load_mnist(**files)
    report = s.inside.explain(**BAR)
    assert report["model"] == "pretrained" and len(report["layers"]) == 3  # Dense, ReLU, Dense
    assert len(np.frombuffer(report["saliency"], dtype=np.float32)) == 784
    assert s.inside.explain(**strokes([(3, 3)])) is None
    before = [p.copy() for p in s.models["pretrained"].model.parameters()]
    info = s.inside.start_step({"lr": "0.01", "batch_size": "16", "optimizer": "sgd"})
    assert info["stages"] == ["forward", "loss", "backward", "update"] and info["batch_size"] == 16
    with pytest.raises(RuntimeError, match="all four stages"):
        s.inside.apply_step()
    stages = [s.inside.step_stage()["stage"] for _ in range(4)]
    assert stages == info["stages"]
    with pytest.raises(RuntimeError, match="done"):
        s.inside.step_stage()
    applied = s.inside.apply_step()
    assert applied["name"] == "pretrained+step" and s.models.active == "pretrained+step"
    assert applied["epochs_done"] == 0 and applied["epoch_samples"] == 16
    for a, b in zip(before, s.models["pretrained"].model.parameters()):
        np.testing.assert_array_equal(a, b)  # the model it came from is untouched
    check = s.inside.gradient_check(n=4)
    assert len(check["layers"]) == 4 and check["max_relative_error"] < 1e-5


@pytest.mark.mnist
def test_teaching_the_shipped_model_a_drawing_it_reads_right_keeps_its_accuracy(shipped_model):
    """The head-only fine-tune's promise (issue: within 0.1 point on held-out
    images): the shipped model taught a correctly labelled drawing (a traced
    test digit) keeps its accuracy on the 5,000 held-out images, and one it
    misread is learned."""

    from build.handwriting import mnist_strokes
    from build.pagedriver import mnist_test_images, mnist_test_labels
    from pynet.browser import finetune
    from pynet.data.mnist import load_mnist, train_val_split
    from pynet.input.strokes import render_strokes

    model = shipped_model
    data = load_mnist()
    x_tr, y_tr, x_val, y_val = train_val_split(data.x_train, data.y_train, 5000, seed=0)
    drawings = np.stack([render_strokes([np.asarray(s) * 280 for s in mnist_strokes(im)], canvas_size=280)
                         for im in mnist_test_images(60)])
    labels = mnist_test_labels(60).astype(int)
    read = model.predict(drawings)
    before = (model.predict(x_val) == y_val).mean()
    for i in [np.flatnonzero(read == labels)[0], *np.flatnonzero(read != labels)[:1]]:
        job = finetune.HeadFineTuneJob(model, "pretrained+you", drawings[[i]], labels[[i]], x_tr, y_tr, x_val, y_val)
        while not (update := job.advance(1e9)).done:
            pass
        taught = update.result.model
        assert taught.predict(drawings[[i]])[0] == labels[i]
        change = (taught.predict(x_val) == y_val).mean() - before
        assert change >= (-0.001 if read[i] == labels[i] else -0.003), (i, change)


def test_workers_are_capped_by_the_tab_s_memory():
    s = Session()
    settings = {"architecture": "cnn", "conv": "8x5,16x5", "hidden": "", "batch_size": "64"}
    assert s.tab.validate_settings(settings | {"workers": "4"}) == {}  # a desktop's 2 GB
    s.tab.set_device(memory_mb=320)  # a small phone
    errors = s.tab.validate_settings(settings | {"workers": "4"})
    assert list(errors) == ["workers"] and "use at most 3" in errors["workers"] and "320 MB" in errors["workers"]
    assert s.tab.validate_settings(settings | {"workers": "3"}) == {}
    assert s.tab.validate_settings(settings | {"workers": "9"})["workers"] == "must be from 1 to 8, got 9"
    with pytest.raises(ValueError, match="64 to 65,536 MB"):
        s.tab.set_device(memory_mb=1)


def test_continuing_a_model_on_two_workers(session):
    from pynet.browser.team import ReplicaSession

    s, files = session
    s.data.load_mnist(**files)
    s.jobs.start_training({"architecture": "cnn", "conv": "4", "hidden": "", "epochs": "1", "batch_size": "30"}, name="one")
    run_job(s)
    info = s.jobs.start_training({"epochs": "1", "batch_size": "30", "workers": "2"}, name="two", continue_active=True)["job"]
    assert info["first_epoch"] == 2 and info["replicas"] == 1
    helper = ReplicaSession()
    helper.setup(info["architecture"])
    result = run_job(s, replicas=[helper])[-1]["result"]
    assert result["epochs_done"] == 2 and result["has_optimizer"] and s.models.active == "two-1"


def test_a_run_stopped_before_its_first_step_makes_no_model(session):
    s, files = session
    s.data.load_mnist(**files)
    s.jobs.start_training({"hidden": "8", "epochs": "1", "workers": "2"})
    s.jobs.stop_job()  # e.g. while its helper workers were starting
    update = s.jobs.advance(50)
    assert update["done"] and update["result"] is None and s.jobs.job is None and s.models.active == "pretrained"


@pytest.mark.mnist
@pytest.mark.parametrize("whole_network", [False, True], ids=["head", "whole network"])
def test_teaching_the_shipped_model_changes_the_answer_the_page_gives(shipped_model_path, mnist_dir, whole_network):
    """The page reads a drawing in five views (test_time.read). Taught only as
    drawn, the whole network read a bar taught as a 2 still as a 1 in five
    views (0.61, unsure; the e2e teaching test, 2026-12-07): it now learns
    the drawing's views too (runs.fine_tune_data), and the head-only
    fine-tune trains until the views' mean reads it as taught."""
    s = Session()
    s.models.add_model("pretrained", shipped_model_path.read_bytes())
    s.data.load_mnist(**{name: (mnist_dir / stem).read_bytes() for name, stem in MNIST_FILES.items()})
    assert s.drawings.classify(**BAR)["digit"] == 1
    s.jobs.start_fine_tune(s.drawings.preprocess_sample(**BAR), [2], whole_network=whole_network)
    run_job(s)
    assert s.models.active == "pretrained+you-1"
    assert s.drawings.classify(**BAR)["digit"] == 2
