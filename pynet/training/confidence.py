"""Honest confidence: temperature scaling, calibration error, and when to say
"unsure".

A network trained with cross-entropy tends to be over-confident. Temperature
scaling (Guo et al., 2017) divides the logits by one number ``T`` fitted on
held-out data to minimise the negative log-likelihood; it changes no
prediction, only how sure they are. ``T`` is saved in the model file.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from pynet.input.number_drawing import FoundDigit, why_unsure
from pynet.nn.losses import log_softmax, softmax

T_RANGE = (0.05, 20.0)  # the temperatures a model file may carry (record.FIELDS)
UNSURE_BELOW = 0.75  # top probability under this: unsure
UNSURE_MARGIN = 0.35  # or the runner-up within this of the top: "4 or 9?"
# A picture the picture path had to clean (a line through the digit taken out,
# drops of ink beside it left out: pynet.input.preprocess.Picture.cleaned) may
# have lost a piece of the digit or kept a piece of the clutter: its answer is
# sure only from this top probability. Chosen with the shipped model on the
# first 300 MNIST test digits of each damaged set (build/damaged_pictures.py)
# from 0.95, 0.97, 0.98 and 0.99, checked on the next 300: wrong and sure 5 -> 2
# and 7 -> 3 (a line across), 8 -> 3 and 9 -> 3 (zig-zag), 5 -> 3 and 5 -> 0
# (spatter); right answers given as unsure 15 -> 36 and 15 -> 42, 29 -> 76 and
# 16 -> 67, 25 -> 62 and 27 -> 66 of the 300. Chosen again for the mean over
# five views (pynet.input.test_time, 2026-12-07, then with turns of 8
# degrees), whose top probability is lower: the lowest of 0.75, 0.9, 0.95,
# 0.97 and 0.98 with no more wrong and sure answers than 0.98 on the first
# 300 of all twelve sets (2, against 9 read once at 0.98; right answers
# unsure 316 of 3,509, against 286); on the next 300, 7 wrong and sure
# against 9, and 360 right answers unsure against 330.
CLEANED_SURE = 0.97
N_BINS = 15


def nll(logits: np.ndarray, labels: np.ndarray, temperature: float) -> float:
    """Mean negative log-likelihood of ``labels`` under softmax(logits / T)."""
    logp = log_softmax(logits.astype(np.float64) / temperature)
    return float(-logp[np.arange(len(labels)), labels].mean())


def fit_temperature(logits: np.ndarray, labels: np.ndarray) -> float:
    """The T in T_RANGE minimising the NLL: golden-section search on log T
    (the NLL is unimodal in it)."""
    lo, hi = math.log(T_RANGE[0]), math.log(T_RANGE[1])
    ratio = (math.sqrt(5) - 1) / 2
    a, b = hi - ratio * (hi - lo), lo + ratio * (hi - lo)
    fa, fb = nll(logits, labels, math.exp(a)), nll(logits, labels, math.exp(b))
    for _ in range(60):
        if fa < fb:
            hi, b, fb = b, a, fa
            a = hi - ratio * (hi - lo)
            fa = nll(logits, labels, math.exp(a))
        else:
            lo, a, fa = a, b, fb
            b = lo + ratio * (hi - lo)
            fb = nll(logits, labels, math.exp(b))
    return float(round(math.exp((lo + hi) / 2), 4))


def reliability(probs: np.ndarray, labels: np.ndarray, n_bins: int = N_BINS) -> dict[str, Any]:
    """Expected calibration error and the reliability diagram's bins: the
    predictions grouped by confidence; in each, how often they were right."""
    confidence = probs.max(axis=1)
    correct = probs.argmax(axis=1) == labels
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    which = np.clip(np.digitize(confidence, edges[1:-1]), 0, n_bins - 1)
    bins, ece = [], 0.0
    for b in range(n_bins):
        inside = which == b
        count = int(inside.sum())
        acc = float(correct[inside].mean()) if count else None
        conf = float(confidence[inside].mean()) if count else None
        if count:
            ece += count / len(labels) * abs(acc - conf)
        bins.append({"low": float(edges[b]), "high": float(edges[b + 1]), "count": count, "accuracy": acc,
                     "confidence": conf})
    return {"ece": float(ece), "bins": bins}


def calibration_report(logits: np.ndarray, labels: np.ndarray, temperature: float) -> dict[str, Any]:
    """Reliability before (T = 1) and after temperature scaling."""
    before = reliability(softmax(logits.astype(np.float64)), labels)
    after = reliability(softmax(logits.astype(np.float64) / temperature), labels)
    return {"temperature": temperature, "ece_uncalibrated": before["ece"], "ece": after["ece"],
            "bins_uncalibrated": before["bins"], "bins": after["bins"]}


def judge(probs: np.ndarray, doubt: bool = False, cleaned: bool = False) -> dict[str, Any]:
    """The answer for one drawing or picture, from its probabilities ``(10,)``:
    the digit, how sure, and whether to say "unsure" (low top probability,
    or a near tie: then the runner-up too). For a picture: ``doubt``, unsure
    whatever the probabilities (``pynet.input.preprocess.Picture.doubt``);
    ``cleaned``, unsure under ``CLEANED_SURE`` (``Picture.cleaned``)."""
    order = np.argsort(probs)[::-1]
    top, second = float(probs[order[0]]), float(probs[order[1]])
    unsure = doubt or top < (CLEANED_SURE if cleaned else UNSURE_BELOW) or top - second < UNSURE_MARGIN
    return {"digit": int(order[0]), "confidence": top, "unsure": bool(unsure),
            "alternatives": [int(order[1])] if unsure else []}


def judge_found(probs: np.ndarray, doubt: str = "", cleaned: str = "") -> dict[str, Any]:
    """``judge`` for one digit of a number, ``probs`` its ``(10,)``
    probabilities: a digit whose finding is in doubt (``doubt`` non-empty:
    ``number_drawing.FoundDigit.doubt``, e.g. a piece of a digit, or a cut
    between touching digits) is unsure whatever the network says, its
    runner-up given as the alternative; ``doubt`` is added to the answer.
    ``cleaned``: as ``judge``'s (a picture's digit with clutter taken out).
    The same as ``judge`` (plus ``doubt: ""``) when ``doubt`` is empty."""
    return judge(probs, bool(doubt), bool(cleaned)) | {"doubt": doubt}


def number_sure_from(n_digits: int) -> float:
    """The top probability each digit of an ``n_digits``-digit number needs
    to be answered sure: ``UNSURE_BELOW ** (1 / n_digits)``, so that a number
    whose every digit is sure is read wholly right with at least the
    probability a lone digit must have (0.75). One digit: 0.75; 2: 0.866;
    4: 0.931; 6: 0.953. A number is wrong when any digit is: a 4-digit one
    whose digits each just pass 0.75 is right only 0.75 ** 4 = 32 % of the
    time. On 300 numbers of 4 digits made of held-out training digits
    (``build.number_accuracy``'s sets, 2026-12-07), the digits the network
    read between 0.75 and 0.95 were wrong 6-35 % of the time (more than
    their probabilities say), and numbers wrong with no digit unsure fell
    from 3.7 / 3.3 / 6.0 % (drawn / scanned / 3 px pen) to 1.3 / 2.0 /
    2.3 %, right numbers with a digit unsure rising from 9-13 % to about 21 %."""
    return UNSURE_BELOW ** (1.0 / max(1, n_digits))


def judge_number(probs: np.ndarray, doubts: list[str], cleaned: list[str]) -> list[dict[str, Any]]:
    """``judge_found`` for each digit of a number, ``probs`` ``(n, 10)``,
    ``doubts`` and ``cleaned`` each digit's (``FoundDigit.doubt`` and
    ``.cleaned``): a digit otherwise sure but under ``number_sure_from(n)``
    is unsure too, its runner-up given, and its ``why`` says so in words
    ("" for the others). One digit is judged exactly as ``judge_found``."""
    bar = number_sure_from(len(probs))
    answers = []
    for p, doubt, clean in zip(probs, doubts, cleaned):
        answer = judge_found(p, doubt, clean) | {"why": ""}
        if not answer["unsure"] and answer["confidence"] < bar:
            answer |= {"unsure": True, "alternatives": [int(np.argsort(p)[-2])],
                       "why": f"each digit of a {len(probs)}-digit number must be at least {100 * bar:.0f}% sure "
                              f"(the number as a whole {100 * UNSURE_BELOW:.0f}%)"}
        answers.append(answer)
    return answers


def judge_digits(probs: np.ndarray, found: Sequence[FoundDigit]) -> list[dict[str, Any]]:
    """``judge_number`` for the digits ``found`` (their probabilities ``probs``
    ``(n, 10)``), each answer's ``why`` the one reason the page and ``pynet
    predict`` give: the finding's doubt or what the picture path cleaned off,
    in words (``number_drawing.why_unsure``), else the number's bar's, else ""."""
    judged = judge_number(probs, [f.doubt for f in found], [f.cleaned for f in found])
    return [a | {"why": why_unsure(f) or a["why"]} for a, f in zip(judged, found)]
