"""Thinning (its table-driven form equals Zhang and Suen's rules evaluated
directly) and the pruning of spurs that a thick pen leaves."""

import numpy as np

from build.handwriting import mnist_strokes
from build.pagedriver import mnist_test_images
from build.pen_images import pen_image
from pynet.input.skeleton import prune_spurs, thin, trace


def zhang_suen(image: np.ndarray) -> np.ndarray:
    """Zhang and Suen's rules as written in their paper (CACM 27(3), 1984), on whole boolean arrays."""
    img = np.pad(image.astype(bool), 1)
    while True:
        changed = False
        for step in (0, 1):
            p = {name: np.roll(np.roll(img, -dy, 0), -dx, 1) for name, (dy, dx) in {
                "p2": (-1, 0), "p3": (-1, 1), "p4": (0, 1), "p5": (1, 1),
                "p6": (1, 0), "p7": (1, -1), "p8": (0, -1), "p9": (-1, -1)}.items()}
            ring = [p[k] for k in ("p2", "p3", "p4", "p5", "p6", "p7", "p8", "p9", "p2")]
            neighbours = sum(r.astype(int) for r in ring[:-1])
            transitions = sum((~a & b).astype(int) for a, b in zip(ring[:-1], ring[1:]))
            if step == 0:
                extra = ~(p["p2"] & p["p4"] & p["p6"]) & ~(p["p4"] & p["p6"] & p["p8"])
            else:
                extra = ~(p["p2"] & p["p4"] & p["p8"]) & ~(p["p2"] & p["p6"] & p["p8"])
            remove = img & (neighbours >= 2) & (neighbours <= 6) & (transitions == 1) & extra
            if remove.any():
                img &= ~remove
                changed = True
        if not changed:
            return img[1:-1, 1:-1]


def test_thinning_equals_the_rules_of_the_paper():
    rng = np.random.default_rng(0)
    masks = [rng.random((rng.integers(1, 40), rng.integers(1, 40))) < rng.random() for _ in range(100)]
    masks += [pen_image(mnist_strokes(im), pen)[::3, ::3] > 127 for im in mnist_test_images(5) for pen in (8, 45)]
    for mask in masks:
        np.testing.assert_array_equal(thin(mask), zhang_suen(mask))


def test_short_spurs_go_and_lines_stay():
    img = np.zeros((30, 30), dtype=bool)
    img[15, 3:27] = True  # a line
    img[11:15, 10] = True  # a 4-pixel spur off it
    img[3:15, 20] = True  # a 12-pixel branch
    pruned = prune_spurs(img, 5)
    assert not pruned[11:15, 10].any() and pruned[3:15, 20].all() and pruned[15, 3:27].all()
    lone = np.zeros((10, 10), dtype=bool)
    lone[5, 2:6] = True  # a short line on its own is not a spur
    np.testing.assert_array_equal(prune_spurs(lone, 5), lone)


def test_a_bump_on_a_thick_stroke_leaves_a_spur_that_is_pruned():
    img = np.zeros((40, 60), dtype=bool)
    img[15:26, 5:55] = True  # a bar 11 px thick
    img[10:15, 27:34] = True  # a bump on it, as a thick pen leaves where it paused
    assert len(trace(thin(img))) > 1  # thinning alone makes a branch of it
    paths = trace(prune_spurs(thin(img), 8))
    assert len(paths) == 1 and {r for r, _ in paths[0]} <= {19, 20, 21}  # the bar's centre line
    img[5:15, 25:36] = True  # a bump as long as the bar is thick: a real branch, kept
    assert len(trace(prune_spurs(thin(img), 8))) > 1
