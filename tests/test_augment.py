import numpy as np

from pynet.training.augment import AugmentConfig, random_affine


def test_zero_jitter_is_identity(rng):
    x = rng.random((5, 784), dtype=np.float32)
    out = random_affine(x, rng, AugmentConfig(0, 0, 0, 0))
    np.testing.assert_allclose(out, x, atol=1e-6)


def test_pure_integer_shift_moves_pixels():
    x = np.zeros((1, 28, 28), dtype=np.float32)
    x[0, 10, 10] = 1.0

    class FixedRng:  # shift (dy, dx) = (2, -1), nothing else
        def uniform(self, lo, hi, size):
            if size == (1, 2):
                return np.array([[2.0, -1.0]])
            return np.zeros(size)

    out = random_affine(x.reshape(1, -1), FixedRng(), AugmentConfig(max_shift=2)).reshape(28, 28)
    assert out[12, 9] == 1.0 and out.sum() == 1.0


def test_jitter_keeps_ink_roughly_and_stays_in_range(rng):
    x = np.zeros((64, 28, 28), dtype=np.float32)
    x[:, 8:20, 12:16] = 1.0
    out = random_affine(x.reshape(64, -1), rng)
    assert out.min() >= 0 and out.max() <= 1 + 1e-6
    ratio = out.sum(axis=1) / x.reshape(64, -1).sum(axis=1)
    assert np.all((ratio > 0.7) & (ratio < 1.3))
    assert out.dtype == np.float32
