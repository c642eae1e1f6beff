"""Pictures of digits as they come: MNIST *test* digits written on paper and
photographed, with the clutter real pictures carry (issue 29): the test
sets of ``pynet.data.damage``'s kinds.

Each kind of damage is applied to MNIST's test digits (never the training
split: the shipped model's damaged training pictures are made from its
training digits, ``shipped_mix.damaged_inputs``) at a strength where a
person still reads the digit at a glance, as RGB pictures of 120-360 px
like a phone photo of a page. Every picture is drawn from its own
generator seeded by ``(SEED, kind, index)``, so a set is the same on every
machine (with the same NumPy and Pillow) and any one picture can be made
alone (the tests do). The kinds are described in ``pynet/data/damage.py``.

    python -m build.damaged_pictures [--kind KIND] [--index I] [--out FILE.png]

writes one picture (to look at); ``build/accuracy.py --sets damaged`` reads
the sets with the shipped model.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from pynet.data.damage import KINDS, damaged

__all__ = ["KINDS", "SEED", "damaged_picture", "mnist_test_digits"]

SEED = 29  # issue 29


def damaged_picture(kind: str, image: np.ndarray, index: int) -> np.ndarray:
    """MNIST test digit ``image`` (28x28 uint8, ink high) with damage ``kind``
    as a uint8 RGB picture ``(H, W, 3)``; ``index`` (its place in the test
    set) seeds it. ValueError for an unknown kind."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; one of {', '.join(KINDS)}")
    return damaged(kind, image, np.random.default_rng((SEED, KINDS.index(kind), index)), index)


def mnist_test_digits(n: int, start: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """MNIST's test digits ``start`` .. ``start + n`` (uint8 ``(n, 28, 28)``, labels)."""
    from pynet.data.mnist import load_mnist
    from pynet.data.shipped_mix import as_uint8

    data = load_mnist()
    x = as_uint8(data.x_test).reshape(-1, 28, 28)
    return x[start : start + n], data.y_test[start : start + n]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kind", choices=KINDS, default=KINDS[0])
    parser.add_argument("--index", type=int, default=0, help="the MNIST test digit")
    parser.add_argument("--out", type=Path, default=Path("damaged.png"))
    args = parser.parse_args(argv)
    from PIL import Image

    images, labels = mnist_test_digits(1, args.index)
    Image.fromarray(damaged_picture(args.kind, images[0], args.index)).save(args.out)
    print(f"{args.out}: a {labels[0]} with {args.kind}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
