import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from pynet.cli.main import main
from pynet.io.model_file import load_model

ROOT = Path(__file__).resolve().parents[1]


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = None
    if cwd is not None:  # pynet importable from anywhere, as when installed
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    return subprocess.run([sys.executable, "-m", "pynet", *args], capture_output=True, text=True, timeout=300,
                          cwd=cwd, env=env)


@pytest.fixture
def trained_model(tmp_path, tiny_mnist_dir):
    out = tmp_path / "m.npz"
    assert main(["train", "--data", str(tiny_mnist_dir), "--hidden", "16", "--epochs", "2",
                 "--val-size", "100", "--out", str(out), "--quiet"]) == 0
    return out


def test_train_writes_model_and_metrics(trained_model, tmp_path):
    loaded = load_model(trained_model)
    assert loaded.model.config.hidden == (16,)
    assert len(loaded.metadata["history"]) == 2
    assert loaded.optimizer_state is not None
    metrics = json.loads((tmp_path / "m.metrics.json").read_text())
    assert 0 <= metrics["test"]["accuracy"] <= 1
    assert metrics["architecture"] == "784-16-10"


def test_piped_output_is_one_line_per_epoch(tiny_mnist_dir, tmp_path):
    proc = run_cli("train", "--data", str(tiny_mnist_dir), "--hidden", "8", "--epochs", "2",
                   "--val-size", "100", "--out", str(tmp_path / "x.npz"), "--augment")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert [line.split(":")[0] for line in lines if line.startswith("epoch")] == ["epoch 1/2", "epoch 2/2"]
    assert "val accuracy" in lines[1] and "samples/s" in lines[1]
    assert "\r" not in proc.stdout + proc.stderr  # no progress-bar redraws in a log file
    assert proc.stderr == ""


def test_a_terminal_gets_a_progress_bar(tiny_mnist_dir, tmp_path):
    import fcntl
    import os
    import pty
    import struct
    import termios

    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # a 100-column terminal
    proc = subprocess.run([sys.executable, "-m", "pynet", "train", "--data", str(tiny_mnist_dir), "--hidden", "8",
                           "--epochs", "1", "--val-size", "100", "--out", str(tmp_path / "x.npz")],
                          stdout=subprocess.PIPE, stderr=follower, timeout=300)
    os.close(follower)
    bar = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        bar += chunk
    os.close(leader)
    assert proc.returncode == 0
    assert b"\r" in bar and b"samples" in bar and b"epoch 1/1" in bar  # a bar redrawn in place


def test_evaluate_prints_tables(trained_model, tiny_mnist_dir, tmp_path):
    proc = run_cli("evaluate", "--model", str(trained_model), "--data", str(tiny_mnist_dir),
                   "--json", str(tmp_path / "r.json"))
    assert proc.returncode == 0, proc.stderr
    assert "test accuracy" in proc.stdout and "confusion matrix" in proc.stdout
    assert "prediction distribution" in proc.stdout and "per-class accuracy" in proc.stdout
    report = json.loads((tmp_path / "r.json").read_text())
    assert sum(map(sum, report["confusion_matrix"])) == 200
    first, second = proc.stdout.splitlines()[:2]
    assert first.endswith("samples (one pass of the network)")
    assert second == f"read as predict and the page read (as given, turned 6 degrees either way, bolder and " \
                     f"thinner; the mean): test accuracy {report['accuracy_in_five_views']:.4f}"


def test_predict_images_and_idx(trained_model, tiny_mnist_dir, tmp_path):
    from PIL import Image

    img = np.zeros((140, 140), dtype=np.uint8)
    img[30:110, 60:75] = 255
    Image.fromarray(img).save(tmp_path / "one.png")
    (tmp_path / "one.pgm").write_bytes(b"P5\n# comment\n140 140\n255\n" + img.tobytes())
    np.save(tmp_path / "blank.npy", np.zeros((28, 28)))
    proc = run_cli("predict", "--model", str(trained_model), str(tmp_path / "one.png"), str(tmp_path / "one.pgm"),
                   str(tmp_path / "blank.npy"), "--idx", str(tiny_mnist_dir / "t10k-images-idx3-ubyte"),
                   "--index", "0", "3")
    assert proc.returncode == 1, proc.stderr  # one file held no digit: a script can tell
    lines = proc.stdout.strip().splitlines()
    assert len(lines) == 5
    assert "confidence" in lines[0] and lines[0].split(": ")[1][:1] == lines[1].split(": ")[1][:1]
    assert lines[2].endswith("no digit found (blank, too faint, or only specks)")
    assert "[3]" in lines[4]
    proc = run_cli("predict", "--model", str(trained_model), str(tmp_path / "one.png"))
    assert proc.returncode == 0, proc.stderr  # every file gave a digit


def test_predict_answers_every_readable_file_when_one_is_bad(trained_model, tmp_path):
    """A batch over a folder does not die on its first bad file: each file is
    answered or gets its own error line, and the exit status says one failed."""
    from PIL import Image

    img = np.zeros((140, 140), dtype=np.uint8)
    img[30:110, 60:75] = 255
    Image.fromarray(img).save(tmp_path / "a.png")
    Image.fromarray(img).save(tmp_path / "c.png")
    (tmp_path / "b.png").write_bytes(b"")
    proc = run_cli("predict", "--model", str(trained_model), *(str(tmp_path / f) for f in ("a.png", "b.png", "c.png")))
    assert proc.returncode == 2
    answers = proc.stdout.strip().splitlines()
    assert [line.split(":")[0] for line in answers] == [str(tmp_path / "a.png"), str(tmp_path / "c.png")]
    assert "b.png" in proc.stderr and "1 of 3 files could not be read" in proc.stderr


def test_predict_and_evaluate_default_to_the_shipped_model_of_the_repository(tmp_path):
    """From any folder (a review ran it elsewhere and got no answer); a pynet
    installed without the repository says where the model comes from."""
    from PIL import Image

    img = np.zeros((140, 140), dtype=np.uint8)
    img[30:110, 60:75] = 255
    Image.fromarray(img).save(tmp_path / "one.png")
    proc = run_cli("predict", "one.png", cwd=tmp_path)
    assert proc.returncode == 0 and proc.stdout.startswith("one.png: 1 "), proc.stdout + proc.stderr
    installed = tmp_path / "site-packages"  # pynet alone, as a wheel installs it
    shutil.copytree(ROOT / "pynet", installed / "pynet", ignore=shutil.ignore_patterns("__pycache__"))
    proc = subprocess.run([sys.executable, "-m", "pynet", "predict", "one.png"], capture_output=True, text=True,
                          timeout=300, cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(installed)})
    assert proc.returncode == 2 and "shipped model is not beside this pynet" in proc.stderr, proc.stderr
    assert "--model FILE" in proc.stderr


@pytest.mark.parametrize("args,message", [
    (["train", "--hidden", "abc"], "--hidden: use whole numbers separated by commas"),
    (["train", "--hidden", "16.9"], "--hidden: use whole numbers"),
    (["train", "--epochs", "0"], "--epochs: must be from 1 to 1,000"),
    (["train", "--epochs", "inf"], "--epochs: must be a whole number"),
    (["train", "--seed", "-1"], "--seed: must be from 0"),
    (["train", "--seed", "abc"], "--seed: must be a whole number"),
    (["train", "--lr", "-1"], "--lr: must be greater than 0"),
    (["train", "--lr", "nan"], "--lr: must be a number"),
    (["train", "--batch-size", "1.5"], "--batch-size: must be a whole number"),
    (["train", "--optimizer", "lbfgs"], "invalid choice"),
    (["train", "--limit", "0"], "--limit must be a positive"),
    (["evaluate", "--model", "/nonexistent.npz"], "cannot read model file"),
    (["predict", "--model", "/nonexistent.npz"], "give image files"),
    (["frobnicate"], "invalid choice"),
])
def test_bad_arguments_exit_non_zero_with_message(args, message):
    proc = run_cli(*args)
    assert proc.returncode == 2
    assert message in proc.stderr


def test_bad_model_file_message(tmp_path, tiny_mnist_dir):
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"not a model")
    proc = run_cli("evaluate", "--model", str(bad), "--data", str(tiny_mnist_dir))
    assert proc.returncode == 2 and "not an .npz" in proc.stderr


def test_divergence_is_a_clean_error(tiny_mnist_dir, tmp_path):
    proc = run_cli("train", "--data", str(tiny_mnist_dir), "--hidden", "8", "--epochs", "3", "--lr", "10", "--val-size", "100", "--out", str(tmp_path / "d.npz"), "--quiet")
    assert proc.returncode == 2 and "diverged" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_help_documents_every_option():
    proc = run_cli("train", "--help")
    for opt in ("--hidden", "--epochs", "--batch-size", "--lr", "--optimizer", "--augment", "--seed", "--out"):
        assert opt in proc.stdout


def test_bench_prints_numbers():
    proc = run_cli("bench", "--samples", "2000", "--hidden", "32")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["samples_per_sec"] > 0


def test_resume_continues_a_run_exactly(tiny_mnist_dir, tmp_path):
    """Two epochs in one go == one epoch, then --resume for one more (same seed)."""
    common = ["--data", str(tiny_mnist_dir), "--hidden", "12", "--val-size", "100", "--seed", "3", "--quiet",
              "--augment"]
    assert main(["train", *common, "--epochs", "2", "--out", str(tmp_path / "whole.npz")]) == 0
    assert main(["train", *common, "--epochs", "1", "--out", str(tmp_path / "half.npz")]) == 0
    assert main(["train", "--data", str(tiny_mnist_dir), "--resume", str(tmp_path / "half.npz"), "--epochs", "1",
                 "--quiet", "--out", str(tmp_path / "resumed.npz")]) == 0
    whole, resumed = load_model(tmp_path / "whole.npz"), load_model(tmp_path / "resumed.npz")
    for a, b in zip(whole.model.parameters(), resumed.model.parameters()):
        np.testing.assert_array_equal(a, b)
    assert resumed.progress.epochs_done == 2 and len(resumed.metadata["history"]) == 2
    assert resumed.optimizer_state["t"] == whole.optimizer_state["t"]


def test_resume_keeps_the_runs_limit(tiny_mnist_dir, tmp_path):
    """A --limit run resumed without --limit goes on with the same images: it
    ends as the run that never stopped, not on all 600 of them."""
    common = ["--data", str(tiny_mnist_dir), "--hidden", "12", "--val-size", "50", "--seed", "5", "--quiet",
              "--limit", "300"]
    assert main(["train", *common, "--epochs", "2", "--out", str(tmp_path / "whole.npz")]) == 0
    assert main(["train", *common, "--epochs", "1", "--out", str(tmp_path / "half.npz")]) == 0
    assert main(["train", "--data", str(tiny_mnist_dir), "--resume", str(tmp_path / "half.npz"), "--epochs", "1",
                 "--quiet", "--out", str(tmp_path / "resumed.npz")]) == 0
    whole, resumed = load_model(tmp_path / "whole.npz"), load_model(tmp_path / "resumed.npz")
    assert resumed.metadata["data"]["images"] == 300 and resumed.metadata["train_size"] == 250
    for a, b in zip(whole.model.parameters(), resumed.model.parameters()):
        np.testing.assert_array_equal(a, b)


def test_resume_errors(tiny_mnist_dir, tmp_path, trained_model):
    proc = run_cli("train", "--data", str(tiny_mnist_dir), "--resume", str(trained_model), "--val-size", "100",
                   "--out", str(tmp_path / "r.npz"))
    assert proc.returncode == 2 and "already complete" in proc.stderr
    proc = run_cli("train", "--data", str(tiny_mnist_dir), "--resume", str(trained_model), "--hidden", "8",
                   "--out", str(tmp_path / "r.npz"))
    assert proc.returncode == 2 and "architecture comes from the resumed model" in proc.stderr


@pytest.mark.parametrize("where", ["dir", "missing-parent-file", "read-only"])
def test_unwritable_outputs_fail_before_training(tiny_mnist_dir, tmp_path, where):
    import os

    if where == "dir":
        out = tmp_path
    elif where == "missing-parent-file":
        (tmp_path / "file").write_text("x")
        out = tmp_path / "file" / "m.npz"
    else:
        if os.geteuid() == 0:
            pytest.skip("root can write anywhere")
        ro = tmp_path / "ro"
        ro.mkdir(mode=0o500)
        out = ro / "m.npz"
    proc = run_cli("train", "--data", str(tiny_mnist_dir), "--hidden", "8", "--epochs", "50", "--out", str(out))
    assert proc.returncode == 2 and "--out" in proc.stderr and "Traceback" not in proc.stderr
    assert "epoch 1" not in proc.stdout  # refused before any training
    proc = run_cli("train", "--data", str(tiny_mnist_dir), "--hidden", "8", "--out", str(tmp_path / "ok.npz"),
                   "--metrics", str(tmp_path if where == "dir" else out))
    assert proc.returncode == 2 and "--metrics" in proc.stderr


def test_interrupted_training_saves_a_checkpoint_that_resumes(tiny_mnist_dir, tmp_path):
    import signal
    import time

    out = tmp_path / "ckpt.npz"
    proc = subprocess.Popen([sys.executable, "-m", "pynet", "train", "--data", str(tiny_mnist_dir), "--hidden", "64",
                             "--epochs", "1000", "--batch-size", "8", "--val-size", "100", "--out", str(out)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    line = ""
    while time.monotonic() < deadline and "epoch 2/" not in line:
        line = proc.stdout.readline()
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    assert "--resume" in stdout and "Traceback" not in stderr
    saved = load_model(out)
    assert saved.progress.epochs_done >= 2 and saved.optimizer_state is not None


def png_header_only(width: int, height: int) -> bytes:
    """A PNG whose header claims width x height (a few bytes; decoding would need width*height)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\0" * 100)) + chunk(b"IEND", b""))


def bad_inputs(tmp_path, tiny_mnist_dir) -> dict[str, tuple[list[str], str]]:
    """name -> (predict/evaluate arguments, what the message must say)."""
    import gzip

    from PIL import Image

    files = {
        "not-an-image.png": b"this is text, not a PNG",
        "huge.png": png_header_only(12000, 12000),
        "zero.pgm": b"P5\n0 0\n255\n",
        "negative.pgm": b"P5\n-3 4\n255\n" + bytes(12),
        "comment.pgm": b"P5\n# a comment that never ends",
        "maxval.pgm": b"P5\n2 2\n70000\n" + bytes(8),
        "short16.pgm": b"P5\n2 2\n65535\n" + bytes(7),
        "plain-letter.pgm": b"P2\n2 2\n255\n0 1 x 3\n",
        "plain-short.pgm": b"P2\n2 2\n255\n0 1 2\n",
        "short.pgm": b"P5\n10 10\n255\n" + bytes(5),
        "empty.npy": None,
        "nan.npy": None,
        "complex.npy": None,
        "text.npy": None,
        "idx-bad.gz": gzip.compress(b"\0\0\x08\x03" + bytes(20))[:-8] + b"garbage!",
        "idx-overflow": b"\0\0\x08\x04" + b"\xff\xff\xff\xff" * 4,
    }
    noise = np.random.default_rng(0).integers(0, 256, (64, 64), dtype=np.uint8)  # incompressible
    buf = tmp_path / "full.png"
    Image.fromarray(noise).save(buf)
    files["truncated.png"] = buf.read_bytes()[: buf.stat().st_size // 2]
    files["no-iend.png"] = buf.read_bytes()[:-12]  # Pillow decodes it; the page refuses it, and so does predict
    files["empty.png"] = b""
    files["seven.svg"] = (b'<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100">'
                          b'<path d="M25 15 H75 L45 88" stroke="black"/></svg>')
    for name, data in files.items():
        if data is not None:
            (tmp_path / name).write_bytes(data)
    np.save(tmp_path / "empty.npy", np.zeros((0, 28)))
    np.save(tmp_path / "nan.npy", np.full((28, 28), np.nan))
    np.save(tmp_path / "complex.npy", np.zeros((28, 28), np.complex64))
    np.save(tmp_path / "text.npy", np.array(["a"] * 784))
    (tmp_path / "adir").mkdir()
    return {
        "model is a directory": (["predict", "--model", str(tmp_path / "adir"), "--idx", "x"], "is a directory"),
        "idx is a directory": (["predict", "--idx", str(tmp_path / "adir")], "is a directory"),
        "image is a directory": ([str(tmp_path / "adir")], "is a directory"),
        "not an image": ([str(tmp_path / "not-an-image.png")], "not an image"),
        "truncated png": ([str(tmp_path / "truncated.png")], "damaged or truncated"),
        "png without its IEND chunk": ([str(tmp_path / "no-iend.png")], "damaged or truncated"),
        "empty png": ([str(tmp_path / "empty.png")], "the file is empty"),
        "svg": ([str(tmp_path / "seven.svg")], "an SVG is a vector drawing.*export it as PNG"),
        "144 Mpx png": ([str(tmp_path / "huge.png")], "12000x12000 is too large"),
        "0x0 pgm": ([str(tmp_path / "zero.pgm")], "0x0"),
        "negative pgm": ([str(tmp_path / "negative.pgm")], "whole numbers|at least 1"),
        "comment without newline": ([str(tmp_path / "comment.pgm")], "inside a comment"),
        "maxval over 16 bits": ([str(tmp_path / "maxval.pgm")], "maxval 70000 is outside"),
        "short 16-bit pgm": ([str(tmp_path / "short16.pgm")], "truncated pixel data"),
        "plain pgm with a letter": ([str(tmp_path / "plain-letter.pgm")], "'x', which is not a number"),
        "short plain pgm": ([str(tmp_path / "plain-short.pgm")], r"truncated pixel data \(3 of 4"),
        "short pgm": ([str(tmp_path / "short.pgm")], "truncated pixel data"),
        "(0, 28) npy": ([str(tmp_path / "empty.npy")], r"shape \(0, 28\)"),
        "nan npy": ([str(tmp_path / "nan.npy")], "NaN"),
        "complex npy": ([str(tmp_path / "complex.npy")], "not numeric"),
        "text npy": ([str(tmp_path / "text.npy")], "not numeric"),
        "corrupt gzip idx": (["--idx", str(tmp_path / "idx-bad.gz")], "gzip"),
        "overflowing idx header": (["--idx", str(tmp_path / "idx-overflow")], "idx-overflow.*truncated"),
    }


def test_every_bad_input_gives_one_line_and_no_traceback(tmp_path, tiny_mnist_dir, trained_model):
    for case, (args, message) in bad_inputs(tmp_path, tiny_mnist_dir).items():
        full = args if args[0] == "predict" else ["predict", "--model", str(trained_model), *args]
        if "--model" not in full:
            full = [full[0], "--model", str(trained_model), *full[1:]]
        proc = run_cli(*full)
        assert proc.returncode == 2, (case, proc.stdout, proc.stderr)
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1 and "Traceback" not in proc.stderr, (case, proc.stderr)
        import re

        assert re.search(message, lines[0]), (case, lines[0])
    proc = run_cli("evaluate", "--model", str(tmp_path / "adir"), "--data", str(tiny_mnist_dir))
    assert proc.returncode == 2 and "is a directory" in proc.stderr


def test_cli_trains_evaluates_predicts_and_benches_a_cnn(tiny_mnist_dir, tmp_path):
    out = tmp_path / "cnn.npz"
    proc = run_cli("train", "--data", str(tiny_mnist_dir), "--conv", "4,8", "--hidden", "", "--epochs", "1",
                   "--val-size", "100", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    assert "conv4x5-conv8x5-10" in proc.stdout
    assert load_model(out).model.config.conv == ((4, 5), (8, 5))
    proc = run_cli("evaluate", "--model", str(out), "--data", str(tiny_mnist_dir))
    assert proc.returncode == 0 and "test accuracy" in proc.stdout
    proc = run_cli("predict", "--model", str(out), "--idx", str(tiny_mnist_dir / "t10k-images-idx3-ubyte"))
    assert proc.returncode == 0 and "confidence" in proc.stdout
    proc = run_cli("bench", "--conv", "8,16", "--hidden", "", "--samples", "640", "--batch-size", "64")
    assert proc.returncode == 0 and json.loads(proc.stdout)["architecture"] == "conv8x5-conv16x5-10"
    proc = run_cli("train", "--data", str(tiny_mnist_dir), "--conv", "8x9,8x9,8x9", "--out", str(out))
    assert proc.returncode == 2 and "--conv: block 3" in proc.stderr


def test_cli_batch_norm_preset_option_and_resume(tiny_mnist_dir, tmp_path):
    out = tmp_path / "bn.npz"
    proc = run_cli("train", "--data", str(tiny_mnist_dir), "--preset", "tfjs-bn", "--val-size", "100",
                   "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    assert "conv8x5bn-conv16x5bn-10" in proc.stdout and "lr=0.03" in proc.stdout
    saved = load_model(out)
    assert saved.model.config.batch_norm and len(saved.model.state()) == 4
    proc = run_cli("evaluate", "--model", str(out), "--data", str(tiny_mnist_dir))
    assert proc.returncode == 0 and "test accuracy" in proc.stdout
    proc = run_cli("train", "--data", str(tiny_mnist_dir), "--resume", str(out), "--no-batch-norm", "--out", str(out))
    assert proc.returncode == 2 and "--batch-norm: the architecture comes from the resumed model" in proc.stderr
    proc = run_cli("train", "--data", str(tiny_mnist_dir), "--batch-norm", "--out", str(out))
    assert proc.returncode == 2 and "--batch-norm: batch normalisation is part of the convolution blocks" in proc.stderr
    proc = run_cli("bench", "--conv", "8,16", "--hidden", "", "--batch-norm", "--samples", "640", "--batch-size", "64")
    assert proc.returncode == 0 and json.loads(proc.stdout)["architecture"] == "conv8x5bn-conv16x5bn-10"


@pytest.mark.parametrize("user_choice", [None, "3"])
def test_the_command_line_uses_one_blas_thread_unless_the_user_chose(user_choice):
    """OpenBLAS's thread per core made the CLI train ~30x slower on a busy
    2-core machine (pynet/cli/__init__.py): one thread by default, the user's
    own setting kept, chosen before NumPy loads."""
    env = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")}
    if user_choice is not None:
        env["OMP_NUM_THREADS"] = user_choice
    code = ("import sys, os; assert 'numpy' not in sys.modules; import pynet.cli; "
            "print(os.environ.get('OPENBLAS_NUM_THREADS'), os.environ.get('OMP_NUM_THREADS'))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == (["1", "1"] if user_choice is None else ["None", user_choice])


def test_an_unsure_answer_names_a_runner_up_only_when_it_has_one_percent():
    """As the page writes it (format.js's unsureGuess): "unsure: 1 or 8?"
    beside an 8 under 1 % contradicted the probabilities (a walkthrough)."""
    from pynet.cli.model_commands import unsure_guess

    probabilities = [0.0] * 10
    probabilities[1], probabilities[8] = 0.969, 0.004
    assert unsure_guess({"digit": 1, "alternatives": [8], "probabilities": probabilities}) == "1?"
    probabilities[1], probabilities[8] = 0.6, 0.3
    assert unsure_guess({"digit": 1, "alternatives": [8], "probabilities": probabilities}) == "1 or 8?"


def test_a_sure_answer_says_what_was_cleaned_off_the_picture_first(capsys):
    """A sure digit the picture path cleaned something off (a line crossing
    it out, drops of ink) says so, as the page's note does: "cleaned first:";
    before, only an unsure answer gave its reason (a walkthrough, 2026-12-07)."""
    from pynet.cli.model_commands import print_answer

    probabilities = [0.0] * 10
    probabilities[4] = 0.995
    line = "a line crossing the digit out was taken out"
    sure = {"digit": 4, "confidence": 0.995, "unsure": False, "alternatives": [], "probabilities": probabilities,
            "box": [0, 0, 1, 1], "why": line}
    plain = dict(sure, why="")
    assert print_answer("a.png", [sure], as_json=False) and print_answer("b.png", [plain], as_json=False)
    assert print_answer("c.png", [plain, sure], as_json=False)
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"a.png: 4 (confidence 0.995) -- cleaned first: {line}"
    assert out[1] == "b.png: 4 (confidence 0.995)"
    assert out[2] == f"c.png: 44 (2 digits, confidence 0.995 0.995; cleaned first: 2nd digit ({line}))"


def test_predict_reads_each_digit_in_five_views_and_reports_their_mean(trained_model, tiny_mnist_dir, capsys):
    """``pynet predict`` gives the page's probabilities: the mean over
    ``test_time.views``, not one pass of the network (2026-12-07)."""
    from pynet.data.mnist import read_idx
    from pynet.input.test_time import read

    idx = tiny_mnist_dir / "t10k-images-idx3-ubyte"
    assert main(["predict", "--model", str(trained_model), "--idx", str(idx), "--index", "0", "--json"]) == 0
    printed = json.loads(capsys.readouterr().out.splitlines()[0])["digits"][0]["probabilities"]
    x = read_idx(idx)[0].reshape(1, -1).astype(np.float32) / 255.0
    model = load_model(trained_model).model
    assert printed == pytest.approx(read(model.predict_proba, x)[0].tolist(), abs=2e-6)
    assert not np.allclose(printed, model.predict_proba(x)[0], atol=1e-4)
