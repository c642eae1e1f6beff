"""Connected components by runs (pynet/input/components.py) against a plain flood fill."""

import numpy as np
import pytest

from pynet.input.components import label


def flood_fill(mask: np.ndarray, connectivity: int) -> tuple[np.ndarray, int]:
    h, w = mask.shape
    labels, n = np.zeros((h, w), dtype=int), 0
    steps = [(-1, 0), (1, 0), (0, -1), (0, 1)] + ([(-1, -1), (-1, 1), (1, -1), (1, 1)] if connectivity == 8 else [])
    for r in range(h):
        for c in range(w):
            if mask[r, c] and not labels[r, c]:
                n += 1
                labels[r, c], stack = n, [(r, c)]
                while stack:
                    y, x = stack.pop()
                    for dy, dx in steps:
                        yy, xx = y + dy, x + dx
                        if 0 <= yy < h and 0 <= xx < w and mask[yy, xx] and not labels[yy, xx]:
                            labels[yy, xx] = n
                            stack.append((yy, xx))
    return labels, n


@pytest.mark.parametrize("connectivity", [4, 8])
def test_same_partition_areas_and_boxes_as_a_flood_fill(connectivity):
    rng = np.random.default_rng(0)
    for _ in range(150):
        mask = rng.random((rng.integers(1, 30), rng.integers(1, 30))) < rng.random()
        comps = label(mask, connectivity)
        reference, n = flood_fill(mask, connectivity)
        assert comps.count == n
        assert len(set(zip(comps.labels[mask].tolist(), reference[mask].tolist()))) == n  # one-to-one
        assert (comps.labels[~mask] == 0).all()
        for i in range(n):
            rows, cols = np.nonzero(comps.labels == i + 1)
            assert comps.areas[i] == len(rows)
            assert tuple(comps.boxes[i]) == (rows.min(), cols.min(), rows.max() + 1, cols.max() + 1)
            on_edge = rows.min() == 0 or cols.min() == 0 or rows.max() == mask.shape[0] - 1 or cols.max() == mask.shape[1] - 1
            assert comps.touches_border[i] == on_edge


def test_diagonal_neighbours_join_only_with_8_connectivity():
    mask = np.eye(4, dtype=bool)
    assert label(mask, 8).count == 1 and label(mask, 4).count == 4
    assert label(np.zeros((3, 3), dtype=bool)).count == 0
    with pytest.raises(ValueError):
        label(np.zeros(3, dtype=bool))
