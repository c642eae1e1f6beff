"""Every hostile model file is refused fast, with its own message, before
anything large is allocated; benign oddities still load."""

import time
import tracemalloc

import numpy as np
import pytest

from hostile_models import benign, entries_of, good_model, hostile, npy, rezip
from pynet.browser.session import MAX_PARAMS
from pynet.io.model_file import MNIST_MODEL, Requirements, load_model
from pynet.io.untrusted import ModelFormatError

GOOD = good_model()
CORPUS = hostile(GOOD)
PAGE = Requirements(n_inputs=784, n_classes=10, max_params=MAX_PARAMS)  # what the page asks of a model


def test_the_corpus_is_large_and_every_entry_is_a_different_attack():
    assert len(CORPUS) >= 50
    assert len({data for data, _ in CORPUS.values()}) == len(CORPUS)


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_hostile_file_is_refused_quickly_with_its_reason(name):
    data, reason = CORPUS[name]
    tracemalloc.start()
    start = time.perf_counter()
    with pytest.raises(ModelFormatError, match=reason) as err:
        load_model(data, require=PAGE)
    seconds = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    message = str(err.value)
    assert seconds < 1.0, f"{name}: {seconds:.2f} s"
    # A model of 784-16-10 is ~50 kB; nothing may allocate much more than what a
    # valid file of its declared kind could hold before saying no.
    assert peak < 24 * 2**20, f"{name}: {peak / 2**20:.0f} MB allocated"
    assert 0 < len(message) <= 300 and "\n" not in message


def test_messages_say_what_is_wrong_rather_than_one_generic_refusal():
    messages = []
    for data, _ in CORPUS.values():
        try:
            load_model(data, require=PAGE)
        except ModelFormatError as exc:
            messages.append(str(exc))
    assert len(set(messages)) >= 0.8 * len(messages)


@pytest.mark.parametrize("name", sorted(benign(GOOD)))
def test_benign_variants_load(name):
    loaded = load_model(benign(GOOD)[name], require=MNIST_MODEL)
    reference = load_model(GOOD).model
    x = np.random.default_rng(0).random((4, 784), dtype=np.float32)
    np.testing.assert_allclose(loaded.model.predict_proba(x), reference.predict_proba(x), rtol=1e-6)


def test_float16_weights_load_widened_to_the_models_dtype():
    reference = load_model(GOOD).model
    half = rezip(entries_of(GOOD), **{f"param_{i}": npy(p.astype(np.float16))
                                      for i, p in enumerate(reference.parameters())})
    loaded = load_model(half, require=PAGE).model
    assert all(p.dtype == np.float32 for p in loaded.parameters())
    for got, want in zip(loaded.parameters(), reference.parameters()):
        np.testing.assert_array_equal(got, want.astype(np.float16).astype(np.float32))
    x = np.random.default_rng(0).random((4, 784), dtype=np.float32)
    np.testing.assert_allclose(loaded.predict_proba(x), reference.predict_proba(x), atol=2e-3)


def test_junk_metadata_is_dropped_not_shown():
    loaded = load_model(benign(GOOD)["metadata-junk-dropped.npz"])
    assert "test_accuracy" not in loaded.metadata and "name" not in loaded.metadata
    assert "colour" not in loaded.metadata and "history" not in loaded.metadata
    assert loaded.progress is not None  # the valid entries stay


def test_the_cli_limit_is_looser_but_the_page_budget_refuses_55M_parameters():
    data, _ = CORPUS["architecture-55M-params.npz"]
    with pytest.raises(ModelFormatError, match="20,000,000"):
        load_model(data, require=PAGE)


def dtype_descriptions() -> list[str]:
    """Every dtype NumPy's .npy header can describe: each type character, in
    each byte order, flexible ones at zero, one and three items' width."""
    descrs = []
    for char in sorted(set(np.typecodes["All"]) | set("USV")):
        for order in "<>|":
            for width in ("", "0", "1", "3") if char in "USV" else ("",):
                descrs.append(f"{order}{char}{width}")
    return descrs


@pytest.mark.parametrize("key", ["format_version", "architecture", "metadata", "optimizer", "param_0"])
def test_whatever_dtype_and_bytes_an_entry_declares_the_loader_raises_only_model_format_error(key):
    # The kind of bug behind a SystemError from a unicode code point above
    # U+10FFFF: any entry NumPy cannot decode must be a clear refusal too.
    from hostile_models import Member, build_zip, entries_of, npy_raw_header

    entries = entries_of(GOOD)
    right_shape = (784, 16) if key == "param_0" else ()  # what the architecture needs there
    rng = np.random.default_rng(0)
    other_failures = []
    tried = 0
    for descr in dtype_descriptions():
        try:
            itemsize = np.dtype(descr).itemsize
        except TypeError:
            continue  # not a dtype at all: the header parser refuses those (npy-bad-header.npz)
        for shape in {(), (2,), right_shape}:
            n = int(np.prod(shape)) * itemsize
            for body in (bytes(n), b"\xff" * n, rng.integers(0, 256, n, dtype=np.uint8).tobytes()):
                header = f"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}"
                members = entries | {f"{key}.npy": npy_raw_header(header, body)}
                data = build_zip([Member(name, blob, method=0) for name, blob in members.items()])  # stored: fast
                tried += 1
                try:
                    load_model(data, require=PAGE)
                except ModelFormatError:
                    pass
                except Exception as exc:  # noqa: BLE001 -- exactly what this test looks for
                    other_failures.append(f"{descr} {shape}: {type(exc).__name__}: {exc}")
    assert tried > 250
    assert not other_failures, other_failures[:5]
