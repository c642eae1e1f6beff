"""Exported notebooks: valid nbformat, executed in a real kernel, reproducing
the run; records no notebook can replay are refused with a reason."""

import json
from pathlib import Path

import numpy as np
import pytest
from notebooks import execute, has_plot, output_text, reproduced, validated

from pynet.browser.session import Session
from pynet.cli.main import main
from pynet.config import ModelConfig
from pynet.data.mnist import MNIST_FILES
from pynet.export.notebook import NotebookError, RunRecipe, build_notebook, notebook_text
from pynet.io.model_file import load_model, model_to_bytes
from pynet.nn.model import build_model

SETTINGS = {"architecture": "mlp", "hidden": "32", "epochs": "1", "batch_size": "128", "lr": "0.003",
            "schedule": "warmup-cosine", "seed": "3", "workers": "1"}


def page_session(directory) -> Session:
    s = Session()
    s.models.add_model("pretrained", model_to_bytes(build_model(ModelConfig(hidden=(16,)))))
    s.data.load_mnist(**{name: (directory / stem).read_bytes() for name, stem in MNIST_FILES.items()})
    return s


def train(s: Session, settings=SETTINGS, stop_after: int | None = None, **kwargs) -> dict:
    """A run as the page makes it (its job advanced to the end), stopped after ``stop_after`` steps."""
    s.jobs.start_training(settings, **kwargs)
    while True:
        if stop_after is not None and s.jobs.job.trainer.progress.steps >= stop_after:
            s.jobs.stop_job()
        update = s.jobs.advance(float("inf") if stop_after is None else 0.0)
        if update["done"]:
            return update["result"]


def test_a_page_run_becomes_a_valid_notebook_of_its_exact_configuration(tiny_mnist_dir):
    s = page_session(tiny_mnist_dir)
    result = train(s, stop_after=2)
    record = result["record"]
    assert result["summary"]["stopped"] and record["progress"]["steps"] == 2
    assert record["data"] == {"source": "mnist", "images": 600, "outliers": 0} and record["val_size"] == 60
    exported = s.handle("export_notebook", {"record": json.loads(json.dumps(record)),
                                            "wheel_url": "https://example.org/pynet/wheels/pynet-0.1.0-py3-none-any.whl"})
    nb = validated(exported["result"]["text"])
    assert exported["result"]["filename"] == "pynet-trained-1.ipynb"
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert "STOP_AT_STEP = 2" in code and "IMAGES = 600" in code and "VAL_SIZE = 60" in code
    assert "'seed': 3" in code and "'lr': 0.003" in code and "'hidden': [32]" in code
    assert "PYNET_WHEEL = 'https://example.org/pynet/wheels/pynet-0.1.0-py3-none-any.whl'" in code
    assert "stopped after 2 of its 5 mini-batches" in nb.cells[0].source


@pytest.mark.mnist
def test_an_exported_run_executes_top_to_bottom_and_reproduces_its_accuracy(mnist_dir):
    """A short run of the page's session on real MNIST, stopped part-way, then
    its notebook in a real kernel: the same steps on the same split give the
    same test accuracy (natively both, so to the last digit here; the
    browser's run is checked in tests/e2e/test_runs.py)."""
    s = page_session(mnist_dir)
    result = train(s, stop_after=120)
    nb = execute(s.runs.export_notebook(result["record"])["text"])
    got, recorded = reproduced(nb)
    assert recorded == pytest.approx(result["test_accuracy"], abs=5e-5)
    assert abs(got - recorded) <= 0.003
    assert "120 mini-batches" in output_text(nb)
    assert has_plot(nb)


def recipe_record(tiny_mnist_dir, **changes) -> dict:
    record = train(page_session(tiny_mnist_dir))["record"]
    return record | changes


@pytest.mark.parametrize("changes, reason", [
    ({"data": {"source": "mnist+drawings", "images": 1040, "outliers": 0}}, "fine-tuned on drawings"),
    ({"continued_at_step": 4}, "continued an earlier run at step 4"),
    ({"data": None}, "is not valid (data)"),
    ({"progress": "everything"}, "is not valid (progress)"),
    ({"train_size": 10}, "does not add up"),
    ({"architecture": {"hidden": [10**9]}}, "architecture is not valid"),
    ({"train_config": {"epochs": 1, "__proto__": 1}}, "is not valid (train_config)"),
])
def test_records_no_notebook_can_replay_are_refused_with_the_reason(tiny_mnist_dir, changes, reason):
    record = recipe_record(tiny_mnist_dir, **changes)
    with pytest.raises(NotebookError, match=reason.replace("(", r"\(").replace(")", r"\)")):
        notebook_text(record)


def test_hostile_records_and_addresses_cannot_put_code_in_the_notebook(tiny_mnist_dir):
    record = recipe_record(tiny_mnist_dir)
    for record_ in (None, [], "x", {"architecture": []}):
        with pytest.raises(NotebookError):
            RunRecipe.from_record(record_)
    for url in ("javascript:alert(1)", "https://x.org/a.whl'; import os; os.system('x') #",
                "https://x.org/a.whl\nimport os", "file:///etc/passwd.whl", "https://x.org/" + "a" * 600 + ".whl"):
        with pytest.raises(NotebookError):
            notebook_text(record, url)
    # A name is one line of text (clean_metadata), written in code as a literal.
    nb = validated(notebook_text(record | {"name": "x'); import os; ('"}))
    assert "NAME = \"x'); import os; ('\"" in "\n".join(c.source for c in nb.cells)
    assert RunRecipe.from_record(record | {"name": "line\nbreak"}).name == "run"  # dropped as invalid


@pytest.mark.parametrize("whole_network", [False, True])
def test_a_fine_tuned_model_says_it_learned_from_drawings(tiny_mnist_dir, whole_network):
    s = page_session(tiny_mnist_dir)
    drawing = np.zeros((1, 784), np.float32)
    drawing[0, 300:320] = 1
    s.jobs.start_fine_tune(drawing.tobytes(), [3], whole_network=whole_network)
    while not (update := s.jobs.advance(float("inf")))["done"]:
        pass
    assert update["result"]["record"]["data"]["source"] == "mnist+drawings"
    with pytest.raises(NotebookError, match="fine-tuned on drawings"):
        s.runs.export_notebook(update["result"]["record"])


def test_continuing_with_a_new_plan_is_recorded_and_a_seamless_resume_is_not(tiny_mnist_dir):
    s = page_session(tiny_mnist_dir)
    train(s)  # trained-1
    more = train(s, SETTINGS | {"lr": "0.001"}, continue_active=True)  # trained-2: one more epoch at another rate
    assert more["record"]["continued_at_step"] == 5
    with pytest.raises(NotebookError, match="continued an earlier run at step 5"):
        s.runs.export_notebook(more["record"])
    # The CLI finishing a stopped run as planned (--resume without --epochs) is the run itself.
    from pynet.recipes.runs import continuation
    stopped = train(s, stop_after=2)
    entry = s.models[stopped["name"]]
    loaded = load_model(model_to_bytes(entry.model, entry.optimizer, entry.metadata))
    assert continuation(loaded, loaded.train_config, None).continued_at_step is None
    assert continuation(loaded, loaded.train_config, 2).continued_at_step == 2  # one epoch more than planned


def test_the_cli_exports_a_saved_run_and_refuses_bad_files_in_one_line(tiny_mnist_dir, tmp_path, capsys):
    model = tmp_path / "m.npz"
    assert main(["train", "--data", str(tiny_mnist_dir), "--hidden", "16", "--epochs", "1", "--val-size", "100",
                 "--limit", "500", "--out", str(model), "--quiet"]) == 0
    assert main(["export-notebook", "--model", str(model)]) == 0
    nb = validated((tmp_path / "m.ipynb").read_text())
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert "IMAGES = 500" in code and "VAL_SIZE = 100" in code and "STOP_AT_STEP = None" in code
    assert "PYNET_WHEEL = None" in code
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"nonsense")
    untrained = tmp_path / "untrained.npz"
    untrained.write_bytes(model_to_bytes(build_model(ModelConfig(hidden=(8,)))))
    shipped = Path(__file__).resolve().parents[1] / "models" / "pretrained.npz"
    for path, message in ((bad, "not an .npz"), (untrained, "training record is missing"),
                          (shipped, "--preset pretrained` trains it again"),
                          (tmp_path, "is a directory"), (tmp_path / "missing.npz", "No such file")):
        capsys.readouterr()
        with pytest.raises(SystemExit) as exit_:
            main(["export-notebook", "--model", str(path), "--out", str(tmp_path / "o.ipynb")])
        err = capsys.readouterr().err
        assert exit_.value.code == 2 and message in err and len(err.strip().splitlines()) == 1, err


def test_build_notebook_from_a_recipe_has_the_documented_cells(tiny_mnist_dir):
    nb = build_notebook(RunRecipe.from_record(recipe_record(tiny_mnist_dir)))
    assert [c["id"] for c in nb["cells"]] == ["about", "install", "mnist", "network", "train", "evaluate", "plot",
                                              "next"]
    assert nb["nbformat"] == 4 and nb["metadata"]["kernelspec"]["name"] == "python3"
    assert np.all([isinstance(line, str) for c in nb["cells"] for line in c["source"]])
