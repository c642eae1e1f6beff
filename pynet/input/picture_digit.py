"""One digit of a picture, read through the single-digit path
(``preprocess.read_picture``) for the number finder (``number_picture.py``):
its network input, where it lies, and why its answer may be unsure -- the
doubts of finding it, the picture path's, and a line taken out as a
cross-out that may be a stroke of the digit. Pure NumPy.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from .digit_cuts import Reader
from .number_drawing import FoundDigit
from .preprocess import Picture, read_picture

# A picture read once with a line crossing the digit out taken out and once
# with it left in, the network reading the second as another digit at least
# this surely: the line may be a stroke of the digit (read_digit).
STROKE_SURE = 0.9
LINE_OR_STROKE = "the line taken out as a cross-out may be a stroke of the digit: with it, it reads as another digit"


def read_digit(image: np.ndarray, read: Reader | None, picture: Picture | None = None) -> Picture | None:
    """``read_picture`` (or ``picture``, when that was made already from
    ``image``), and when it took out a line crossing the digit out
    (``ink.CROSSED_OUT``), given ``read``: the picture read with the line
    left in too (``Picture.input_with_line``). When the network reads that as another digit at least
    ``STROKE_SURE``, the line may be a stroke of the digit -- a hairline 8
    broken at one end of its diagonal looks like an S struck through, and
    was read as a sure 5 (a walkthrough's grainy photo at the page's 640 px,
    2026-12-07) -- and the answer is unsure (``Ink.doubt``). One more
    reading, only for the pictures a line was taken out of."""
    if picture is None:
        picture = read_picture(image)
    if picture is None or read is None:
        return picture
    kept = picture.input_with_line()
    if kept is None:
        return picture
    probs = read(np.stack([picture.input, kept]))
    if probs[1].argmax() == probs[0].argmax() or probs[1].max() < STROKE_SURE:
        return picture
    return replace(picture, ink=replace(picture.ink, doubt=picture.ink.doubt or LINE_OR_STROKE))


def found_digit(picture: Picture, box: tuple[float, float, float, float], doubt: str = "") -> FoundDigit:
    """A digit read by the single-digit path, at ``box`` in the picture, its
    doubts: ``doubt`` from finding it (a close cut) and the picture path's."""
    return FoundDigit(picture.input, box, "; ".join(filter(None, (doubt, picture.doubt))), picture.cleaned)
