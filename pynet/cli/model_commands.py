"""``python -m pynet evaluate | predict``: the commands that use a saved model --
its accuracy on MNIST's test set, and its answers for pictures of digits
(``preprocess.py``) or IDX records. Without ``--model`` both use the shipped
model of the clone pynet runs from, from any folder."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from pynet.data.mnist import load_mnist, read_idx
from pynet.input.image_files import ImageError, read_image
from pynet.input.number_drawing import FoundDigit
from pynet.input.number_picture import picture_number
from pynet.input.test_time import ANGLE, SIDE, mean_over_views, read, views
from pynet.io.model_file import MNIST_MODEL, load_model
from pynet.training.confidence import calibration_report, judge_digits

from .common import CLIError, check_writable, positive

# The shipped model, in the repository's folder: found from the package (an
# editable install, or ``python -m pynet`` run in the clone) wherever the
# command is run from; a wheel installed elsewhere does not carry it.
DEFAULT_MODEL = Path(__file__).resolve().parents[2] / "models" / "pretrained.npz"
MODEL_HELP = f"model .npz file (default {DEFAULT_MODEL.as_posix()}: the shipped model of the clone this pynet runs from)"


def add_parsers(sub, data_help: str) -> None:
    """The ``evaluate`` and ``predict`` subcommands on ``sub`` (argparse subparsers)."""
    e = sub.add_parser("evaluate", help="evaluate a model on the MNIST test set",
                       description="Print the accuracy in one pass of the network and as predict and the page read a digit (as "
                       "given, turned, bolder and thinner: the five answers averaged), then the one pass's "
                       "per-class accuracy, confusion matrix and prediction distribution, and the calibration.")
    e.add_argument("--model", type=Path, help=MODEL_HELP)
    e.add_argument("--data", type=Path, help=data_help)
    e.add_argument("--limit", type=int, help="use only the first N test samples")
    e.add_argument("--json", type=Path, help="also write the results as JSON to this file")

    p = sub.add_parser("predict", help="read the number in image files, or classify IDX records",
                       description="Read the number in each picture -- one digit or several side by side; photos, "
                                   "scans, screenshots: PNG (8 or "
                                   "16 bits), JPEG and the rest via Pillow, PBM/PGM/PPM (plain or binary, 8 or 16 "
                                   "bits) or .npy arrays; any size, dark ink on light or light on dark, with or without "
                                   "transparency. The ink is found and its strokes brought to MNIST's width, as a "
                                   "drawing on the page is; each digit of a number likewise. Or records of an IDX "
                                   "image file, as they are. Exit "
                                   "status: 0 when every file gave a digit, 1 when some held none (blank, too "
                                   "faint, only specks), 2 when some could not be read.")
    p.add_argument("--model", type=Path, help=MODEL_HELP)
    p.add_argument("images", nargs="*", type=Path, help="image files to classify")
    p.add_argument("--idx", type=Path, help="an IDX image file (e.g. t10k-images-idx3-ubyte) to classify records of")
    p.add_argument("--index", type=int, nargs="+", default=[0], help="which IDX records (default 0)")
    p.add_argument("--json", action="store_true", help='print one JSON object a line for each file: {"file", '
                   '"number" (the digits read, a string; null when none), "digits": [{"digit", "confidence", '
                   '"unsure", "probabilities", "box": [x0, y0, x1, y1] (pixels), "why" (why unsure, or what was '
                   'cleaned off the digit; "" for neither)}]}')


def format_report(report: dict) -> str:
    """Text tables for ``evaluate``: the accuracy in one pass of the network and
    (``accuracy_in_five_views``) as ``predict`` and the page read, then the
    one pass's per-class accuracy, confusion matrix and prediction counts."""
    lines = [f"test accuracy: {report['accuracy']:.4f} on {report['n_samples']:,} samples (one pass of the network)",
             f"read as predict and the page read (as given, turned {ANGLE:g} degrees either way, bolder and thinner; "
             f"the mean): test accuracy {report['accuracy_in_five_views']:.4f}", "", "per-class accuracy (one pass):"]
    for digit, acc in enumerate(report["per_class_accuracy"]):
        lines.append(f"  {digit}: " + ("   n/a" if acc is None else f"{acc:.4f}"))
    lines += ["", "confusion matrix, one pass (rows: true digit, columns: predicted):", "      " + "".join(f"{d:>6}" for d in range(10))]
    for digit, row in enumerate(report["confusion_matrix"]):
        lines.append(f"  {digit}:  " + "".join(f"{c:>6}" for c in row))
    lines += ["", "prediction distribution:", "  " + "  ".join(f"{d}:{c}" for d, c in enumerate(report["prediction_distribution"]))]
    return "\n".join(lines)


def cmd_evaluate(args: argparse.Namespace) -> int:
    from pynet.training.metrics import classification_report

    positive(args.limit, "--limit")
    if args.json is not None:
        check_writable(args.json, "--json")
    model = load_model(model_path(args.model), require=MNIST_MODEL).model
    data = load_mnist(args.data)
    x, y = data.x_test, data.y_test
    if args.limit:
        x, y = x[: args.limit], y[: args.limit]
    # The five views as predict and the page read a digit, in one pass of the
    # network; the first len(x) rows are the digits as given (test_time.views).
    viewed_logits = model.logits(views(x).reshape(-1, SIDE * SIDE))
    logits = viewed_logits[: len(x)]
    report = classification_report(y, logits.argmax(axis=1), model.n_classes)
    calibration = calibration_report(logits, y, model.temperature)
    report["calibration"] = {k: calibration[k] for k in ("temperature", "ece", "ece_uncalibrated")}
    viewed = mean_over_views(model.proba_from_logits(viewed_logits), len(x))
    report["accuracy_in_five_views"] = float(np.mean(viewed.argmax(axis=1) == y))
    print(format_report(report))
    print(f"\ncalibration: temperature {calibration['temperature']:.3f}, expected calibration error "
          f"{calibration['ece']:.4f} ({calibration['ece_uncalibrated']:.4f} without the temperature)")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))
    return 0


def model_path(given: Path | None) -> Path:
    """``--model``, or the shipped model of the repository this pynet runs from."""
    if given is not None:
        return given
    if not DEFAULT_MODEL.is_file():
        raise CLIError(f"no model given, and the shipped model is not beside this pynet ({DEFAULT_MODEL} "
                       "is missing; it comes with a clone of the repository): give --model FILE")
    return DEFAULT_MODEL


def ordinal(n: int) -> str:
    """1 -> "1st", 2 -> "2nd", 11 -> "11th"."""
    return f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


def answers(model, found: list[FoundDigit]) -> list[dict]:
    """``judge``'s answer, the ten probabilities and the box of each digit found."""
    if not found:
        return []
    probs = read(model.predict_proba, np.stack([f.x for f in found]))
    return [a | {"probabilities": [round(float(v), 6) for v in p], "box": [round(v, 1) for v in f.box]}
            for a, p, f in zip(judge_digits(probs, found), probs, found)]


def unsure_guess(answer: dict) -> str:
    """An unsure answer as the page writes it (``web/page/format.js``'s
    ``unsureGuess``): "4 or 7?", the runner-up named only when the network
    gives it at least 1 % ("4?" beside a 7 under 1 % contradicted the
    probabilities shown with it, a walkthrough found, 2026-12-07)."""
    other = answer["alternatives"][0] if answer.get("alternatives") else None
    if other is not None and answer["probabilities"][other] >= 0.01:
        return f"{answer['digit']} or {other}?"
    return f"{answer['digit']}?"


def print_answer(name: str, digits: list[dict], as_json: bool) -> bool:
    """Print the number read from one input (``answers``): one digit as
    before numbers (``7 (confidence 0.998)``), several as the number with
    each unsure digit followed by "?", or a JSON line; why a digit is
    unsure, or what was cleaned off a sure one ("cleaned first: ..."),
    follows. False when it held no digit."""
    number = "".join(str(d["digit"]) for d in digits) or None
    if as_json:
        fields = ("digit", "confidence", "unsure", "probabilities", "box", "why")
        print(json.dumps({"file": name, "number": number,
                          "digits": [{k: d[k] for k in fields} for d in digits]}), flush=True)
    elif not digits:
        print(f"{name}: no digit found (blank, too faint, or only specks)", flush=True)
    elif len(digits) == 1:
        d = digits[0]
        unsure = f", unsure: {unsure_guess(d)}" if d["unsure"] else ""
        why = "" if not d.get("why") else f" -- {d['why']}" if d["unsure"] else f" -- cleaned first: {d['why']}"
        print(f"{name}: {d['digit']} (confidence {d['confidence']:.3f}{unsure}){why}", flush=True)
    else:
        marked = "".join(f"{d['digit']}?" if d["unsure"] else str(d["digit"]) for d in digits)
        confidences = " ".join(f"{d['confidence']:.3f}" for d in digits)
        doubts = "; ".join(f"{ordinal(k + 1)} digit {unsure_guess(d)}"
                           + (f" ({d['why']})" if d.get("why") else "") for k, d in enumerate(digits) if d["unsure"])
        cleaned = "; ".join(f"{ordinal(k + 1)} digit ({d['why']})" for k, d in enumerate(digits)
                            if not d["unsure"] and d.get("why"))
        print(f"{name}: {marked} ({len(digits)} digits, confidence {confidences}"
              f"{'; unsure: ' + doubts if doubts else ''}{'; cleaned first: ' + cleaned if cleaned else ''})", flush=True)
    return number is not None


def cmd_predict(args: argparse.Namespace) -> int:
    """Each file's number as soon as it is read (``number_picture.picture_number``,
    the model choosing the cuts between touching digits); a file that cannot be read
    gets its own error line (stderr) and the others are still answered; exit
    status 2 when any failed, else 1 when any held no digit (a script can
    tell a blank page from an answer), else 0."""
    if not args.images and args.idx is None:
        raise CLIError("give image files to classify, or --idx FILE")
    model = load_model(model_path(args.model), require=MNIST_MODEL).model
    records: list[tuple[str, np.ndarray]] = []
    if args.idx is not None:  # checked before any answer, so a bad --index fails alone
        images = read_idx(args.idx)
        if images.ndim != 3 or images.shape[1:] != (28, 28):
            raise CLIError(f"{args.idx} is not an IDX file of 28x28 images (shape {images.shape})")
        for i in args.index:
            if not 0 <= i < len(images):
                raise CLIError(f"--index {i} is out of range: {args.idx} has {len(images)} records")
            records.append((f"{args.idx}[{i}]", images[i].reshape(-1).astype(np.float32) / 255.0))
    failed = empty = 0
    for path in args.images:
        try:
            found = picture_number(read_image(path), model.predict_proba)
        except (ImageError, ValueError, OSError) as exc:  # OSError: missing, a directory, unreadable
            failed += 1
            message = str(exc) if isinstance(exc, ImageError) else f"{path}: {getattr(exc, 'strerror', None) or exc}"
            print(f"pynet: error: {message}", file=sys.stderr, flush=True)  # an ImageError names its file
            continue
        empty += not print_answer(str(path), answers(model, found), args.json)
    for name, x in records:
        empty += not print_answer(name, answers(model, [FoundDigit(x, (0.0, 0.0, 28.0, 28.0))]), args.json)
    if failed:
        if len(args.images) > 1:
            print(f"pynet: {failed} of {len(args.images)} files could not be read", file=sys.stderr)
        return 2
    return 1 if empty else 0
