"""Turn a drawing into an MNIST-style input, the way MNIST itself was made.

MNIST digits were anti-aliased into a 20x20 box keeping their aspect ratio,
then placed in a 28x28 field so that their centre of mass sits at the centre,
bright ink on a dark background. Doing exactly the same to a canvas drawing
is what makes a model trained on MNIST recognise it.
"""

from __future__ import annotations

import numpy as np

SIDE = 28  # output image side
BOX = 20  # the digit's longer side after scaling
INK_THRESHOLD = 0.1  # ink below this (0..1) counts as background
MIN_INK_PIXELS = 4  # fewer inked source pixels than this = nothing drawn
COM_TARGET = 14.0  # where MNIST's centres of mass sit (measured: mean 13.99, 14.00)


def to_ink(image: np.ndarray) -> np.ndarray:
    """Ink intensity in [0, 1] (1 = stroke) from an RGBA, RGB or grayscale image
    with a dark or light background.

    Transparent-background RGBA (alpha varies) uses alpha as coverage. Otherwise
    the background is the border's median brightness: if it is light, the
    image is inverted so strokes are bright like MNIST's.
    """
    img = np.asarray(image)
    if img.ndim == 3 and img.shape[2] in (3, 4):
        rgb = img[..., :3].astype(np.float32)
        gray = rgb @ np.array([0.299, 0.587, 0.114], dtype=np.float32)
        if img.shape[2] == 4:
            alpha = img[..., 3].astype(np.float32)
            if alpha.min() < 250:  # transparent background: ink = coverage
                return alpha / 255.0
    elif img.ndim == 2:
        gray = img.astype(np.float32)
    else:
        raise ValueError(f"expected a (H, W), (H, W, 3) or (H, W, 4) image, got shape {img.shape}")
    if img.dtype.kind == "f" and gray.max(initial=0) <= 1.0:
        gray = gray * 255.0
    border = np.concatenate([gray[0], gray[-1], gray[:, 0], gray[:, -1]])
    background = float(np.median(border))
    if background > 127.5:  # dark ink on a light background
        ink = (background - gray) / max(background, 1.0)
    else:
        ink = (gray - background) / max(255.0 - background, 1.0)
    return np.clip(ink, 0.0, 1.0)


def area_resize_matrix(n_in: int, n_out: int) -> np.ndarray:
    """``(n_out, n_in)`` matrix averaging input cells by their overlap with each
    output cell: exact area averaging for any (also non-integer) scale."""
    edges_in = np.arange(n_in + 1, dtype=np.float64)
    edges_out = np.linspace(0.0, n_in, n_out + 1)
    lo = np.maximum(edges_out[:-1, None], edges_in[None, :-1])
    hi = np.minimum(edges_out[1:, None], edges_in[None, 1:])
    overlap = np.clip(hi - lo, 0.0, None)  # (n_out, n_in)
    return overlap / overlap.sum(axis=1, keepdims=True)


def centre_of_mass(img: np.ndarray) -> tuple[float, float]:
    """(row, col) centre of mass of a non-negative image."""
    total = img.sum()
    rows, cols = np.indices(img.shape)
    return float((rows * img).sum() / total), float((cols * img).sum() / total)


def preprocess_drawing(image: np.ndarray) -> np.ndarray | None:
    """Canvas pixels -> ``(784,)`` float32 MNIST-style input, or None when
    nothing is drawn (so the caller shows no prediction instead of a guess)."""
    ink = to_ink(image)
    mask = ink > INK_THRESHOLD
    if mask.sum() < MIN_INK_PIXELS:
        return None
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    crop = ink[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]  # (h, w)

    h, w = crop.shape
    scale = BOX / max(h, w)
    out_h, out_w = max(1, round(h * scale)), max(1, round(w * scale))
    box = area_resize_matrix(h, out_h) @ crop @ area_resize_matrix(w, out_w).T  # (out_h, out_w)
    if box.max() > 0:
        box = box / box.max()  # MNIST strokes peak at full brightness

    # Paste so the centre of mass lands on the field's centre (integer shift,
    # as MNIST did), keeping the whole box inside the 28x28 field.
    com_r, com_c = centre_of_mass(box)
    top = int(np.clip(round(COM_TARGET - com_r), 0, SIDE - out_h))
    left = int(np.clip(round(COM_TARGET - com_c), 0, SIDE - out_w))
    field = np.zeros((SIDE, SIDE), dtype=np.float32)
    field[top : top + out_h, left : left + out_w] = box
    return field.reshape(-1)
