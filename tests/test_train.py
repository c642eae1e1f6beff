
import numpy as np
import pytest

from pynet.nn.model import ModelConfig, build_model
from pynet.training.metrics import accuracy
from pynet.training.trainer import TrainConfig, Trainer, TrainingDiverged, scheduled_lr


def make_trainer(blobs, seed=0, **train_kwargs):
    x, y = blobs
    model = build_model(ModelConfig(n_inputs=20, hidden=(16,), n_classes=3, seed=seed))
    cfg = TrainConfig(**({"epochs": 3, "batch_size": 32, "seed": seed} | train_kwargs))
    return Trainer(model, cfg, x[:500], y[:500], x[500:], y[500:])


def test_learns_separable_blobs(blobs):
    trainer = make_trainer(blobs, lr=0.01)
    history = trainer.run()
    assert len(history) == 3
    assert history[-1]["val_accuracy"] > 0.95
    assert history[-1]["train_loss"] < history[0]["train_loss"]


def test_step_generator_reports_progress_and_is_resumable(blobs):
    trainer = make_trainer(blobs)
    steps = trainer.steps()
    first = next(steps)
    assert first.step == 1 and first.samples == 32 and first.epoch == 1
    assert first.total_samples == 1500 and not first.epoch_end
    # Pausing is just not calling next(); resuming continues where it left off.
    rest = list(steps)
    assert rest[0].step == 2
    assert rest[-1].samples == 1500
    ends = [s for s in rest if s.epoch_end]
    assert [s.epoch for s in ends] == [1, 2, 3]
    assert all(s.val_accuracy is not None for s in ends)
    assert all(s.samples_per_sec > 0 and 0 <= s.running_accuracy <= 1 for s in rest)


def test_same_seed_same_weights_different_seed_different(blobs):
    def train(seed):
        t = make_trainer(blobs, seed=seed, augment=False)
        t.run()
        return t.model.parameters()

    a, b, c = train(1), train(1), train(2)
    for pa, pb in zip(a, b):
        np.testing.assert_array_equal(pa, pb)
    assert not all(np.array_equal(pa, pc) for pa, pc in zip(a, c))


def test_divergence_stops_with_clear_error_and_keeps_finite_weights(blobs):
    x, y = blobs
    x = x * 1e3  # huge inputs + huge learning rate blow up quickly
    model = build_model(ModelConfig(n_inputs=20, hidden=(16,), n_classes=3))
    trainer = Trainer(model, TrainConfig(epochs=5, batch_size=32, lr=10.0, optimizer="sgd", momentum=0.9), x, y)
    with pytest.raises(TrainingDiverged, match="diverged.*learning rate"):
        trainer.run()
    assert all(np.isfinite(p).all() for p in model.parameters())


def test_exploding_but_finite_loss_counts_as_divergence_and_restores_weights(blobs):
    x, y = blobs
    model = build_model(ModelConfig(n_inputs=20, hidden=(16,), n_classes=3))
    before = [p.copy() for p in model.parameters()]
    trainer = Trainer(model, TrainConfig(epochs=2, batch_size=32, lr=10.0), x, y)
    with pytest.raises(TrainingDiverged, match="the loss became"):
        trainer.run()
    # Restored to the weights before the step that blew up: those of step 1 or earlier.
    assert all(np.isfinite(p).all() for p in model.parameters())
    assert sum(np.abs(p - b).max() for p, b in zip(model.parameters(), before)) < 50


def test_schedules():
    cfg = TrainConfig(lr=0.1, schedule="cosine")
    assert scheduled_lr(cfg, 0.0) == pytest.approx(0.1)
    assert scheduled_lr(cfg, 1.0) == pytest.approx(0.001)
    assert scheduled_lr(cfg, 0.5) == pytest.approx(0.1 * (0.01 + 0.99 * 0.5))
    step = TrainConfig(lr=0.1, schedule="step")
    assert [scheduled_lr(step, p) for p in (0.1, 0.6, 0.8)] == pytest.approx([0.1, 0.01, 0.001])
    assert scheduled_lr(TrainConfig(lr=0.1), 0.9) == 0.1


@pytest.mark.parametrize("kwargs,match", [
    ({"epochs": 0}, "epochs: must be from 1 to 1,000"),
    ({"epochs": 2.0}, "epochs: must be a whole number"),
    ({"epochs": True}, "epochs: must be a whole number"),
    ({"batch_size": -1}, "batch_size: must be from 1"),
    ({"lr": float("nan")}, "lr: must be a number"),
    ({"lr": -1.0}, "lr: must be greater than 0"),
    ({"lr": 11.0}, "lr: must be greater than 0 and at most 10"),
    ({"optimizer": "lbfgs"}, "optimizer: must be one of adam, sgd"),
    ({"schedule": "warp"}, "schedule"),
    ({"augment": "false"}, "augment: must be true or false"),
])
def test_bad_train_config_rejected(kwargs, match):
    with pytest.raises(ValueError, match=match):
        TrainConfig(**kwargs)


def test_augmented_training_still_learns(rng):
    # Vertical vs horizontal bars survive +-2 px shifts and small rotations.
    n = 400
    images = np.zeros((n, 28, 28), dtype=np.float32)
    y = rng.integers(0, 2, n)
    pos = rng.integers(8, 20, n)
    for i in range(n):
        if y[i]:
            images[i, 6:22, pos[i] - 1 : pos[i] + 2] = 1
        else:
            images[i, pos[i] - 1 : pos[i] + 2, 6:22] = 1
    model = build_model(ModelConfig(hidden=(32,), n_classes=2))
    Trainer(model, TrainConfig(epochs=4, batch_size=32, augment=True, lr=3e-3), images.reshape(n, -1), y).run()
    assert accuracy(y, model.predict(images.reshape(n, -1))) > 0.95


def test_augmentation_jitters_only_the_samples_marked_for_it(rng):
    """The shipped model's drawings are not jittered (the page centres them):
    a batch changes exactly in the rows ``jitter`` marks; a wrong-sized mark is refused."""
    x = rng.integers(0, 256, size=(64, 784), dtype=np.uint8)
    x[:, :84] = 0  # some empty border, so a shift visibly moves the ink
    y = rng.integers(0, 10, size=64)
    jitter = np.arange(64) % 3 == 0
    model = build_model(ModelConfig(hidden=(8,)))
    trainer = Trainer(model, TrainConfig(epochs=1, batch_size=64, augment=True), x, y, jitter=jitter)
    batch = trainer.next_batch()
    plain = x[batch.idx].astype(np.float32) / np.float32(255)
    changed = (np.abs(batch.x - plain) > 1e-6).any(axis=1)
    np.testing.assert_array_equal(changed, jitter[batch.idx])
    with pytest.raises(ValueError, match="each of the 64 samples"):
        Trainer(model, TrainConfig(), x, y, jitter=jitter[:10])


def test_uint8_pixels_train_exactly_like_their_float_version(rng):
    """The browser keeps MNIST as uint8 and converts per batch: same result."""
    pixels = rng.integers(0, 256, size=(300, 784), dtype=np.uint8)
    y = rng.integers(0, 10, size=300)
    floats = pixels.astype(np.float32) / np.float32(255)
    models = []
    for x in (pixels, floats):
        model = build_model(ModelConfig(hidden=(16,), seed=4))
        Trainer(model, TrainConfig(epochs=2, batch_size=32, lr=1e-2, augment=True, seed=1), x, y, x[:50], y[:50]).run()
        models.append(model)
    for a, b in zip(models[0].parameters(), models[1].parameters()):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(models[0].predict_proba(pixels), models[0].predict_proba(floats))


@pytest.mark.parametrize("stop_after", [7, 16])  # mid-epoch, and exactly at an epoch's end
def test_a_run_stopped_saved_and_resumed_ends_with_the_same_weights(blobs, stop_after):
    """Split a run in two with a save/load in the middle: bit-identical to one
    uninterrupted run (cosine schedule, augmentation-free dropout, Adam)."""
    from pynet.io.model_file import load_model, model_to_bytes
    from pynet.recipes.runs import continuation
    from pynet.training.record import training_metadata

    x, y = blobs
    cfg = TrainConfig(epochs=3, batch_size=32, lr=0.01, schedule="cosine", seed=5)

    def fresh():
        return build_model(ModelConfig(n_inputs=20, hidden=(16,), n_classes=3, dropout=0.3, seed=2))

    whole = fresh()
    Trainer(whole, cfg, x[:500], y[:500], x[500:], y[500:]).run()

    first = Trainer(fresh(), cfg, x[:500], y[:500], x[500:], y[500:])
    steps = first.steps()
    for _ in range(stop_after):
        next(steps)
    saved = model_to_bytes(first.model, first.optimizer, training_metadata(first, name="half", val_size=100))
    loaded = load_model(saved)
    cont = continuation(loaded, cfg, None, train_size=500)
    second = Trainer(loaded.model, cont.config, x[:500], y[:500], x[500:], y[500:], cont.optimizer, cont.progress,
                     cont.history)
    second.run()
    for a, b in zip(whole.parameters(), loaded.model.parameters()):
        np.testing.assert_array_equal(a, b)
    assert second.progress.samples_seen == 1500 and len(second.history) == 3


def test_a_model_trained_on_other_data_continues_where_it_stood_in_epochs(blobs):
    """Its samples are counted again in epochs of the new data (the shipped
    model, 10 epochs of a 138,920-image mix, had continued on the page's
    55,000-image epochs at learning rate 0, its progress at 230 %)."""
    from pynet.io.model_file import load_model, model_to_bytes
    from pynet.recipes.runs import continuation
    from pynet.training.record import training_metadata

    x, y = blobs
    cfg = TrainConfig(epochs=2, batch_size=50, lr=0.01, schedule="warmup-cosine", seed=5)
    first = Trainer(build_model(ModelConfig(n_inputs=20, hidden=(16,), n_classes=3, seed=2)), cfg, x[:100], y[:100])
    first.run()
    loaded = load_model(model_to_bytes(first.model, first.optimizer, training_metadata(first, name="small", val_size=0)))
    assert loaded.progress.samples_seen == 200
    cont = continuation(loaded, cfg, 1, train_size=500)
    assert (cont.progress.epochs_done, cont.progress.samples_seen, cont.config.epochs) == (2, 1000, 3)
    second = Trainer(loaded.model, cont.config, x[:500], y[:500], None, None, cont.optimizer, cont.progress,
                     cont.history)
    assert 0 < second.current_lr() < cfg.lr  # two thirds through the schedule, not past its end
    second.run()
    assert second.progress.samples_seen == 1500 == second.total_samples


def test_progress_from_a_file_is_checked():
    from pynet.constraints import SettingsError
    from pynet.training.trainer import TrainProgress

    good = {"epochs_done": 1, "epoch_samples": 0, "samples_seen": 10, "steps": 1}
    assert TrainProgress.from_dict(good).samples_seen == 10
    for bad in ({**good, "steps": -1}, {**good, "steps": 1.5}, {**good, "steps": float("inf")},
                {**good, "extra": 1}, {"epochs_done": 1}, [1, 2], {**good, "steps": 10**400}):
        with pytest.raises(SettingsError):
            TrainProgress.from_dict(bad)
