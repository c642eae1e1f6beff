"""The session's one long job at a time: training, fine-tuning, evaluation
(``jobs.py``, ``finetune.py``), started by a ``start_*`` request and then
advanced by the worker's pump in time slices (``advance``) until done. A job
that ends with a new model registers it (``models.ModelRegistry``).

Loaded with the first job: training, evaluation and fine-tuning are not what
the page's first answer needs.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from pynet.config import ARCHITECTURE_SETTINGS, TrainConfig
from pynet.export.notebook import run_record
from pynet.io.model_file import load_model
from pynet.nn.model import build_model, copy_model
from pynet.recipes.runs import FINE_TUNE, FINE_TUNE_VAL, continuation, fine_tune_data, validate_samples
from pynet.training.record import data_record
from pynet.training.trainer import Trainer

from .finetune import FeatureCache, HeadFineTuneJob
from .jobs import EvaluationJob, Job, NewModel, TrainingJob
from .mnist_data import MnistData
from .models import MAX_NAME, ModelRegistry
from .tab_settings import TabSettings
from .values import as_bytes, as_py


class JobRunner:
    """Holds at most one job, and the features the last head-only fine-tune
    computed (kept for the next one on the same base model: ``finetune.FeatureCache``).
    Trains and evaluates ``models`` on ``data``, with settings checked by ``tab``."""

    def __init__(self, models: ModelRegistry, data: MnistData, tab: TabSettings) -> None:
        self.models = models
        self.data = data
        self.tab = tab
        self.job: Job | None = None  # the long job in progress, if any
        self.features: FeatureCache | None = None

    # ---- starting a job ----------------------------------------------------
    def start_training(self, settings: Any, name: str = "trained", continue_active: bool = False) -> dict[str, Any]:
        """Start a training job (``jobs.TrainingJob``): a fresh model, or with
        ``continue_active`` a copy of the active model that trains ``epochs``
        more epochs, keeping its optimiser state and its schedule position.
        The result is registered as ``name-1`` (or ``name-2``, …). Raises
        SettingsError for bad settings, RuntimeError without MNIST or while
        another job runs."""
        values = as_py(settings)
        if continue_active and isinstance(values, dict):  # the architecture is the model's
            values = {k: v for k, v in values.items() if k not in ARCHITECTURE_SETTINGS}
        model_cfg, train_cfg = self.tab.parse(values)
        x_tr, y_tr, x_val, y_val = self.data.train_split()
        continued_at = None
        if not continue_active:
            trainer = Trainer(build_model(model_cfg), train_cfg, x_tr, y_tr, x_val, y_val)
        else:
            copy = load_model(self.models.model_bytes())  # the active model stays as it is until the run ends
            cont = continuation(copy, train_cfg, train_cfg.epochs, train_size=len(x_tr))
            trainer = Trainer(copy.model, cont.config, x_tr, y_tr, x_val, y_val, cont.optimizer, cont.progress,
                              cont.history)
            continued_at = cont.continued_at_step
        data = self.data.require()
        return self._begin(TrainingJob(trainer, name=str(name)[:MAX_NAME] or "trained", x_test=data.x_test,
                                       y_test=data.y_test, val_size=len(x_val), workers=train_cfg.workers,
                                       data=data_record("mnist", len(x_tr) + len(x_val)),
                                       continued_at_step=continued_at,
                                       continued_from=self.models.active if continue_active else None))

    def start_fine_tune(self, samples: Any, labels: Any, whole_network: bool = False) -> dict[str, Any]:
        """Start teaching a copy of the active model the person's drawings (784
        float32 each, from ``preprocess_sample``). By default only its dense
        head learns, on features of the frozen convolution blocks
        (``finetune.HeadFineTuneJob``: seconds); ``whole_network`` trains every
        layer briefly on the drawings mixed with MNIST (``recipes.fine_tune_data``).
        The active model is not touched; the result is named ``<model>+you-1``.
        Raises ValueError for bad samples, RuntimeError as ``start_training``."""
        x_user, y_user = validate_samples(np.frombuffer(as_bytes(samples), dtype=np.float32), as_py(labels))
        x_tr, y_tr, x_val, y_val = self.data.train_split()
        base_name = f"{(self.models.active or 'model').split('+')[0]}+you"
        base = self.models.entry().model
        if not whole_network:
            return self._begin(HeadFineTuneJob(base, base_name, x_user, y_user, x_tr, y_tr, x_val, y_val,
                                               self.features))
        x, y = fine_tune_data(x_user, y_user, x_tr, y_tr)
        trainer = Trainer(copy_model(base), FINE_TUNE, x, y, x_val[:FINE_TUNE_VAL], y_val[:FINE_TUNE_VAL])
        data = self.data.require()
        return self._begin(TrainingJob(trainer, name=base_name, x_test=data.x_test, y_test=data.y_test,
                                       val_size=FINE_TUNE_VAL, kind="fine-tune",
                                       data=data_record("mnist+drawings", len(x))))

    def start_evaluate(self, name: str | None = None, workers: int = 1, compare: str | None = None) -> dict[str, Any]:
        """Start evaluating a model (the active one by default) on the test
        set, the images split across ``workers`` (``jobs.EvaluationJob``);
        with ``compare`` (another model's name), also where the two disagree.
        Raises KeyError for an unknown model to compare with, RuntimeError as
        ``start_training``."""
        data = self.data.require()
        name = name or self.models.active
        model = self.models.entry(name).model
        workers = TrainConfig(workers=workers).workers  # the settings table's limit
        other = None
        if compare is not None:
            if not isinstance(compare, str) or compare not in self.models:
                raise KeyError(f"no model named {str(compare)[:MAX_NAME]!r} to compare with")
            other = (compare, self.models[compare].model)
        return self._begin(EvaluationJob(model, str(name), data.x_test, data.y_test, workers, other))

    def _begin(self, job: Job) -> dict[str, Any]:
        if self.job is not None:
            raise RuntimeError(f"a {self.job.kind} job is already in progress")
        self.job = job
        return {"job": job.describe()}

    # ---- running it ----------------------------------------------------------
    def advance(self, budget_ms: float, replies: Any = None, failure: str | None = None,
                paused_ms: float = 0.0) -> dict[str, Any]:
        """Advance the job in progress by about ``budget_ms`` (``Job.advance``),
        after ``paused_ms`` the page held it (Pause; ``Job.paused``).
        A job that fails is dropped and its error raised (the active model is
        untouched); one that is done is dropped and its result returned: a
        new model is registered and made active. Raises RuntimeError when no
        job is in progress."""
        job = self.job
        if job is None:
            raise RuntimeError("no job is in progress")
        if paused_ms:
            job.paused(float(paused_ms) / 1000)
        try:
            update = job.advance(float(budget_ms), None if replies is None else list(as_py(replies)), failure)
        except Exception:
            self.job = None
            raise
        if update.done:
            self.job = None
            if isinstance(job, HeadFineTuneJob):
                self.features = job.cache
            if isinstance(update.result, NewModel):
                update.result = self._register(update.result)
        return update.to_dict()

    def drop_job(self) -> dict[str, bool]:
        """Abandon the job in progress without a result (the worker could not
        run it, e.g. its helper workers did not start)."""
        dropped, self.job = self.job is not None, None
        return {"dropped": dropped}

    def stop_job(self) -> dict[str, bool]:
        """Ask the job in progress to wrap up (a training run keeps its model)."""
        if self.job is None:
            return {"stopping": False}
        self.job.stop()
        return {"stopping": True}

    def evaluate(self, name: str | None = None) -> dict[str, Any]:
        """The evaluation report at once (``start_evaluate`` run to its end;
        for tests and scripts, the page advances it in time slices)."""
        self.start_evaluate(name)
        while not (update := self.advance(float("inf")))["done"]:
            pass
        return update["result"]

    def _register(self, new: NewModel) -> dict[str, Any]:
        name = self.models.free_name(new.base_name, numbered=True)
        entry = self.models.keep(name, new.model, new.metadata | {"name": name}, new.optimizer)
        return entry.info(name) | {"summary": new.summary, "record": run_record(new.model.config, entry.metadata)}
