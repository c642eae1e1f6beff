"""Data parallelism (pynet/training/data_parallel.py): shards' gradients add up to the
batch's, and an N-worker run follows the one-worker run to float32 rounding."""

import numpy as np
import pytest

from pynet.config import ModelConfig, TrainConfig
from pynet.nn.losses import SoftmaxCrossEntropy
from pynet.nn.model import build_model, copy_model
from pynet.recipes import presets
from pynet.training.data_parallel import (
    Replica,
    ShardRng,
    combine,
    combine_batch_stats,
    flatten,
    rng_from_state,
    rng_state,
    shard_rows,
    shard_step,
    simulated_steps,
)
from pynet.training.trainer import Trainer, forward_backward, run_through


def digits(n=512, seed=0):
    """MNIST-shaped data with some structure (a class-dependent blob) so training moves."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 10, n)
    x = rng.integers(0, 60, (n, 28, 28)).astype(np.uint8)
    for i, label in enumerate(y):
        r, c = 4 + 2 * label, 6 + (label % 3) * 6
        x[i, r : r + 6, c : c + 8] = 250
    return x.reshape(n, 784), y


def test_shard_rows_cover_the_batch_in_order():
    assert shard_rows(128, 2) == [slice(0, 64), slice(64, 128)]
    assert shard_rows(10, 3) == [slice(0, 4), slice(4, 7), slice(7, 10)]
    assert shard_rows(2, 4) == [slice(0, 1), slice(1, 2)]  # fewer rows than workers
    assert shard_rows(7, 1) == [slice(0, 7)]


@pytest.mark.parametrize("config", [
    ModelConfig(hidden=(32,), dropout=0.3, seed=3),
    ModelConfig(conv=((4, 5), (8, 5)), hidden=(16,), dropout=0.25, seed=3),
], ids=["mlp-dropout", "cnn-dropout"])
@pytest.mark.parametrize("n_workers", [2, 3])
def test_gradients_of_the_shards_add_up_to_the_whole_batch(config, n_workers):
    x, y = digits()
    trainer = Trainer(build_model(config), TrainConfig(batch_size=64, augment=True, seed=5), x, y)
    batch = trainer.next_batch()
    state = rng_state(batch.rng)
    whole = run_through(forward_backward(trainer.model, trainer.loss_fn, batch.x, batch.y, batch_size=batch.size,
                                         rng=batch.rng))
    expected = flatten(trainer.model.gradients()).copy()
    batch.rng = rng_from_state(state)  # the same dropout masks again
    outcomes = [shard_step(trainer.model, trainer.loss_fn, batch.x[r], batch.y[r], batch_size=batch.size, rows=r,
                           state=state) for r in shard_rows(batch.size, n_workers)]
    result = combine(trainer, outcomes)
    got = flatten(trainer.model.gradients())
    assert np.linalg.norm(got - expected) <= 1e-6 * np.linalg.norm(expected)
    assert result.count == whole.count == 64 and result.correct == whole.correct
    assert result.loss == pytest.approx(whole.loss, rel=1e-6)


@pytest.mark.mnist
def test_a_run_with_n_workers_matches_one_worker_after_20_steps():
    """TensorFlow.js's example CNN, 20 steps on MNIST: weights within 1e-5
    relative (measured: 3e-7 at batch 32, 64 and 128 with 2 and 4 workers).
    Data with exact plateaus is a poor test of this: there rounding flips
    max-pooling's near-ties and ReLU's kinks, and Adam, which scales every
    update to about the learning rate, carries the difference on."""
    from pynet.data.mnist import load_mnist

    model_cfg, train_cfg = presets.configs("tfjs")
    data = load_mnist()
    x, y = data.x_train[: 20 * train_cfg.batch_size], data.y_train[: 20 * train_cfg.batch_size]
    runs = {}
    for n in (1, 2, 4):
        trainer = Trainer(build_model(model_cfg), train_cfg, x, y)
        steps = trainer.steps() if n == 1 else simulated_steps(trainer, n)
        for _ in range(20):
            next(steps)
        runs[n] = trainer.model.parameters()
    for n in (2, 4):
        for one, many in zip(runs[1], runs[n]):
            assert np.linalg.norm(many - one) <= 1e-5 * np.linalg.norm(one), n
    assert not np.array_equal(runs[1][0], build_model(model_cfg).parameters()[0])  # it trained


def test_batch_norm_running_statistics_are_the_whole_batch_s():
    rng = np.random.default_rng(0)
    values = rng.normal(2.0, 3.0, (4, 1000)).astype(np.float32)
    parts = [(values[:, a:b].mean(axis=1), values[:, a:b].var(axis=1), b - a) for a, b in ((0, 300), (300, 1000))]
    mean, var, m = combine_batch_stats(parts)
    np.testing.assert_allclose(mean, values.mean(axis=1), rtol=1e-5)
    np.testing.assert_allclose(var, values.var(axis=1), rtol=1e-5)
    assert m == 1000


def test_batch_norm_is_per_shard_but_its_running_statistics_whole():
    """With N workers each normalises its shard (ghost batch norm): the
    gradients differ from the one-worker run's, the running averages do not."""
    config = ModelConfig(conv=((4, 5),), hidden=(), batch_norm=True, seed=1)
    x, y = digits(256)
    one = Trainer(build_model(config), TrainConfig(batch_size=64), x, y)
    two = Trainer(build_model(config), TrainConfig(batch_size=64), x, y)
    next(one.steps())
    next(simulated_steps(two, 2))
    np.testing.assert_allclose(two.model.state()[0], one.model.state()[0], rtol=1e-5, atol=1e-6)  # running mean
    np.testing.assert_allclose(two.model.state()[1], one.model.state()[1], rtol=1e-4)  # running variance
    assert not any("update_running_stats" in vars(layer) for layer in two.model.layers)  # the shards' hook is gone
    assert not np.allclose(two.model.parameters()[0], one.model.parameters()[0], rtol=1e-7, atol=0)


def test_a_replica_computes_what_the_owner_would():
    config = ModelConfig(conv=((4, 5),), hidden=(16,), dropout=0.2, seed=2)
    x, y = digits(128)
    trainer = Trainer(build_model(config), TrainConfig(batch_size=64, augment=True), x, y)
    batch = trainer.next_batch()
    state = rng_state(batch.rng)
    rows = shard_rows(batch.size, 2)[1]
    replica = Replica()
    replica.setup(config.to_dict())
    got = replica.gradients(flatten(trainer.model.arrays()), batch.x[rows], batch.y[rows], batch.size, rows.start,
                            state)
    local = shard_step(copy_model(trainer.model), SoftmaxCrossEntropy(), batch.x[rows], batch.y[rows],
                       batch_size=batch.size, rows=rows, state=state)
    np.testing.assert_array_equal(got.grads, local.grads)
    assert got.result == local.result
    logits = replica.logits(flatten(trainer.model.arrays()), x[:10])
    np.testing.assert_allclose(logits, trainer.model.logits(x[:10]), rtol=1e-6)


def test_dropout_masks_of_a_shard_are_cut_from_the_whole_batch_s():
    config = ModelConfig(hidden=(64,), dropout=0.5, seed=0)
    model = build_model(config)
    x = np.ones((8, 784), np.float32)
    y = np.zeros(8, np.int64)
    whole_rng, shard_rng = np.random.default_rng(7), np.random.default_rng(7)
    run_through(forward_backward(model, SoftmaxCrossEntropy(), x, y, batch_size=8, rng=whole_rng))
    whole_mask = model.layers[2]._scale_mask.copy()
    run_through(forward_backward(model, SoftmaxCrossEntropy(), x[5:], y[5:], batch_size=8,
                                 rng=ShardRng(shard_rng, slice(5, 8), 8)))
    np.testing.assert_array_equal(model.layers[2]._scale_mask, whole_mask[5:])


def test_generator_state_survives_json_numbers():
    rng = np.random.default_rng((1, 2, 3))
    rng.random(5)
    state = rng_state(rng)
    assert all(isinstance(v, (str, int)) and (not isinstance(v, int) or abs(v) < 2**53) for v in state.values())
    np.testing.assert_array_equal(rng_from_state(state).random(4), rng.random(4))
