"""Teaching a model a person's handwriting in seconds: only the dense layers
after the convolution blocks (the "head") are retrained, on features the
frozen blocks compute once -- as Teachable Machine retrains a classifier on
frozen image features.

The person's drawings (each in augmented copies, so one drawing teaches a
style rather than one bitmap) are mixed with MNIST images whose targets are
the base model's own answers (distillation, so it adapts without forgetting);
the result is checked on held-out images it never saw. The MNIST images' and the check images'
features depend only on the base model: they are computed once per base model
and kept (``FeatureCache``), so teaching again only computes the new
drawings' features.

For a dense network, whose "features" would be its input, the whole network
is the head: the same job trains all of it.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from pynet.config import ModelConfig, TrainConfig
from pynet.input.test_time import mean_over_views, read, views
from pynet.nn.layers import Dense
from pynet.nn.losses import softmax
from pynet.nn.model import Sequential, as_float_pixels, build_model, copy_model
from pynet.training.augment import random_affine
from pynet.training.record import data_record, training_metadata
from pynet.training.trainer import Trainer

from .jobs import Job, JobUpdate, NewModel

# Measured on the shipped CNN (5,000 held-out images; drawings of traced test
# digits): a drawing it already read right leaves the accuracy unchanged
# (+-0.04 points), one it misread is learned for 0.06-0.22 points. Adam moved
# every weight of the head by about its learning rate (-0.3 points even for
# drawings read right), SGD moves weights by their gradients; training only the
# output layer, or a quarter of the mix for one drawing (as the whole-network
# fine-tune does), cost 2-3x more; distillation on the MNIST part took off a few
# hundredths. A drawing that contradicts MNIST (a plain bar taught as a 2)
# needs a second round, and costs what it must (2.5 points: MNIST's 1s).
HEAD_TRAIN = TrainConfig(epochs=3, batch_size=64, lr=0.03, optimizer="sgd", momentum=0.9, seed=0)
MNIST_IMAGES = 1000  # MNIST training images in the mix
COPIES_PER_SAMPLE = 20  # each drawing as drawn, then augmented: about 2 % of the mix for one drawing
MAX_SAMPLE_SHARE = 0.25  # of the mix, however many drawings
CHECK_IMAGES = 1000  # held-out images the result is checked on
ROUNDS = 5  # of training, the drawings' weight doubling each time until they are read as taught
# Images per chunk of feature computation. Small chunks keep the second
# convolution's im2col columns in cache (600 x 64 floats per image: 20 MB for
# 128 images). Measured in Pyodide 0.29 under Node, the shipped CNN's blocks on
# 1,024 images: 0.99 s in chunks of 16, 1.01 s of 32, 1.08 s of 64 or 128,
# 2.27 s of 256. Each chunk takes about 30 ms in the tab.
FEATURE_CHUNK = 32


def head_start(model: Sequential) -> int:
    """Index of the first layer of the head: the first dense layer."""
    return next(i for i, layer in enumerate(model.layers) if isinstance(layer, Dense))


def head_config(config: ModelConfig) -> ModelConfig:
    """The head as a network of its own: the dense part, its input the
    convolution blocks' flattened output."""
    return ModelConfig(n_inputs=config.flat_size, hidden=config.hidden, n_classes=config.n_classes,
                       dropout=config.dropout, dtype=config.dtype, seed=config.seed)


def head_of(model: Sequential) -> Sequential:
    """A trainable copy of ``model``'s head (its weights copied)."""
    head = build_model(head_config(model.config))
    for mine, theirs in zip(head.parameters(), model.parameters()[-len(head.parameters()):]):
        mine[...] = theirs
    head.temperature = model.temperature
    return head


def with_head(model: Sequential, head: Sequential) -> Sequential:
    """A copy of ``model`` whose dense part has ``head``'s weights."""
    out = copy_model(model)
    out.temperature = model.temperature
    for mine, theirs in zip(out.parameters()[-len(head.parameters()):], head.parameters()):
        mine[...] = theirs
    return out


def features_in_chunks(model: Sequential, x: np.ndarray) -> Iterator[np.ndarray]:
    """What the frozen convolution blocks make of ``x`` (evaluation mode),
    ``(chunk, flat_size)`` at a time."""
    k = head_start(model)
    dtype = model.parameters()[0].dtype
    for i in range(0, len(x), FEATURE_CHUNK):
        h = as_float_pixels(x[i : i + FEATURE_CHUNK], dtype)
        for layer in model.layers[:k]:
            h = layer.forward(h, training=False)
        yield np.ascontiguousarray(h)


def sample_copies(x_user: np.ndarray, n_mnist: int, seed: int = 0) -> np.ndarray:
    """The person's drawings for a mix with ``n_mnist`` MNIST images:
    ``COPIES_PER_SAMPLE`` of each (at most ``MAX_SAMPLE_SHARE`` of the mix,
    at least one each), each drawing once as drawn, then in augmented copies
    (the training augmentation: shifts, small rotation, scale, shear)."""
    limit = math.ceil(MAX_SAMPLE_SHARE / (1 - MAX_SAMPLE_SHARE) * n_mnist)
    copies = max(1, min(COPIES_PER_SAMPLE, limit // len(x_user)))
    tiled = np.tile(x_user, (copies, 1)).astype(np.float32)
    jittered = random_affine(tiled[len(x_user):], np.random.default_rng(seed))
    return np.concatenate([tiled[: len(x_user)], jittered])


@dataclass
class FeatureCache:
    """The base model's features of the MNIST mix and of the check images."""

    model: Sequential
    mix: np.ndarray  # (MNIST_IMAGES, flat_size)
    mix_labels: np.ndarray
    check: np.ndarray  # (CHECK_IMAGES, flat_size)
    check_labels: np.ndarray


class HeadFineTuneJob(Job):
    """Phases: ``features`` (the new drawings', and the MNIST and check
    images' unless cached), ``train`` (the head), ``check`` (held-out images
    before and after, and the drawings themselves); done: a ``NewModel``."""

    kind = "fine-tune"

    def __init__(self, base: Sequential, base_name: str, x_user: np.ndarray, y_user: np.ndarray,
                 x_mnist: np.ndarray, y_mnist: np.ndarray, x_check: np.ndarray, y_check: np.ndarray,
                 cache: FeatureCache | None = None) -> None:
        super().__init__()
        self.base, self.base_name = base, base_name
        self.x_user, self.y_user = x_user, y_user
        pick = np.random.default_rng(0).choice(len(x_mnist), min(MNIST_IMAGES, len(x_mnist)), replace=False)
        self._mnist = (x_mnist[np.sort(pick)], y_mnist[np.sort(pick)])
        self._check = (x_check[:CHECK_IMAGES], y_check[:CHECK_IMAGES])
        self.cache = cache if cache is not None and cache.model is base else None
        copies = sample_copies(x_user, len(pick))
        self._user_labels = np.tile(y_user, math.ceil(len(copies) / len(y_user)))[: len(copies)]
        # Everything whose features are needed, in one queue: the drawings' copies, their five views (to check
        # them as the page reads them: test_time.read), then (unless cached) the rest.
        self._queue: list[tuple[str, np.ndarray]] = [("user", copies),
                                                     ("views", views(x_user).reshape(-1, x_user.shape[1]))]
        if self.cache is None:
            self._queue += [("mix", self._mnist[0]), ("check", self._check[0])]
        self._features: dict[str, list[np.ndarray]] = {name: [] for name, _ in self._queue}
        self._total_images = sum(len(x) for _, x in self._queue)
        self._done_images = 0
        self._pass = self._feature_pass()
        self.phase = "features"
        self.trainer: Trainer | None = None
        self._steps: Iterator[Any] | None = None
        self.round = 0

    def describe(self) -> dict[str, Any]:
        return super().describe() | {"model": self.base_name, "samples": len(self.y_user), "mode": "head",
                                     "feature_images": self._total_images, "check_images": len(self._check[1])}

    def _feature_pass(self) -> Iterator[None]:
        for name, x in self._queue:
            for part in features_in_chunks(self.base, x):
                self._features[name].append(part)
                self._done_images += len(part)
                yield

    def advance(self, budget_ms: float, replies: list[Any] | None = None, failure: str | None = None) -> JobUpdate:
        deadline = time.perf_counter() + budget_ms / 1000.0
        if self.phase == "features":
            for _ in self._pass:
                if time.perf_counter() >= deadline:
                    return JobUpdate(self.kind, "features", {"stage": "fine-tune", "phase": "features",
                                                             "images": self._done_images,
                                                             "total": self._total_images})
            self._start_training()
        while self.phase == "train":
            assert self._steps is not None and self.trainer is not None
            while not self.stopping:
                info = next(self._steps, None)
                if info is None:
                    break
                if time.perf_counter() >= deadline:
                    return JobUpdate(self.kind, "train", {"stage": "fine-tune", "phase": "train", "round": self.round,
                                                          "samples": info.samples, "total": info.total_samples})
            if self.stopping or self.round >= ROUNDS or self._drawings_learned():
                self.phase = "check"
            else:
                self._start_round(self.round + 1)
        return self._check_result()

    def _start_training(self) -> None:
        if self.cache is None:
            self.cache = FeatureCache(self.base, np.concatenate(self._features["mix"]), self._mnist[1],
                                      np.concatenate(self._features["check"]), self._check[1])
        self._user_features = np.concatenate(self._features["user"])
        self._view_features = np.concatenate(self._features["views"])  # (5 * n, features), view by view
        self.head = head_of(self.base)
        # The MNIST part's targets are the base model's own answers (soft, as
        # in "Learning without Forgetting", Li and Hoiem 2016): the head learns
        # the drawings while it keeps answering MNIST as before.
        self._mix_targets = softmax(self.head.logits(self.cache.mix))
        self._start_round(1)

    def _start_round(self, round_: int) -> None:
        """Round ``k`` trains on the mix with the drawings' copies repeated
        2**(k-1) times: each round gives them twice the weight of the last,
        until they are read as taught (``ROUNDS`` at most)."""
        assert self.cache is not None
        self.round = round_
        repeat = 2 ** (round_ - 1)
        user_targets = np.eye(self.base.n_classes, dtype=np.float32)[self._user_labels]
        x = np.concatenate([self.cache.mix, np.tile(self._user_features, (repeat, 1))])
        y = np.concatenate([self._mix_targets, np.tile(user_targets, (repeat, 1))])
        self.trainer = Trainer(self.head, replace(HEAD_TRAIN, seed=round_), x, y)
        self._steps = self.trainer.steps()
        self.phase = "train"

    def _drawings_learned(self) -> bool:
        """Whether the head reads every drawing as taught, as the page reads
        it: the mean over its five views (``test_time.read``)."""
        probs = mean_over_views(self.head.predict_proba(self._view_features), len(self.y_user))
        return bool((probs.argmax(axis=1) == self.y_user).all())

    def _check_result(self) -> JobUpdate:
        cache, head, trainer = self.cache, self.head, self.trainer
        assert cache is not None and trainer is not None
        before = head_of(self.base).predict(cache.check)
        head.temperature = self.base.temperature
        after = head.predict(cache.check)
        model = with_head(self.base, head)
        drawn = read(model.predict_proba, self.x_user).argmax(axis=1)  # as the page reads them
        meta = training_metadata(trainer, name="", val_size=0, data=data_record("mnist+drawings", len(trainer.x)))
        del meta["name"]
        if model.temperature != 1.0:
            meta["temperature"] = float(model.temperature)
        check = {"images": int(len(cache.check_labels)), "before": float((before == cache.check_labels).mean()),
                 "after": float((after == cache.check_labels).mean()),
                 "samples_right": int((drawn == self.y_user).sum()), "samples": int(len(self.y_user))}
        check["rounds"] = self.round
        summary = {"stopped": self.stopping, "note": "", "mode": "head", "check": check}
        result = NewModel(self.base_name, model, None, meta, summary)
        return JobUpdate(self.kind, "check", {"stage": "fine-tune", "phase": "check"} | check, done=True,
                         result=result)
