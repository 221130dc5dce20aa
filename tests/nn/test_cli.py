"""The main job, ``python -m nn``: usage errors, a small real run, and the default run."""
import json
import os
import subprocess
import sys
import time

import numpy as np
import pytest

import autograd as ag
import nn
from gradtable import cli

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _run(*args, timeout=180):
    env = dict(os.environ, MPLBACKEND="Agg")
    return subprocess.run([sys.executable, "-m", "nn", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout)


def test_help_documents_every_option(capsys):
    with pytest.raises(SystemExit) as e:
        cli.main(["--help"])
    assert e.value.code == 0
    out = capsys.readouterr().out
    for opt in ("--model", "--dataset", "--optimizer", "--lr", "--epochs", "--batch-size",
                "--seed", "--out", "--no-progress", "logreg", "nesterov", "adamw", "spirals"):
        assert opt in out, opt


@pytest.mark.parametrize("argv, message", [
    (["--model", "resnet"], "invalid choice: 'resnet'"),
    (["--dataset", "mnist"], "invalid choice: 'mnist'"),
    (["--optimizer", "lbfgs"], "invalid choice: 'lbfgs'"),
    (["--lr", "-0.1"], "--lr must be positive"),
    (["--lr", "fast"], "--lr must be a number"),
    (["--epochs", "0"], "--epochs must be positive"),
    (["--batch-size", "2.5"], "--batch-size must be a whole number"),
    (["--hidden", "64,x"], "--hidden takes comma-separated"),
    (["--seed", "-3"], "--seed must be 0 or more"),
    (["--model", "cnn", "--dataset", "moons"], "--model cnn needs images"),
])
def test_bad_arguments_are_usage_errors(argv, message, capsys):
    with pytest.raises(SystemExit) as e:
        cli.main(argv)
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert "usage:" in err and message in err


def test_graph_falls_back_to_dot_source(tmp_path, monkeypatch):
    from autograd import viz

    def broken(*a, **k):
        raise RuntimeError("no dot here")

    monkeypatch.setattr(viz, "draw", broken)
    model = cli.build_model("mlp", 2, 3, (4,))
    x, y = ag.tensor(np.zeros((2, 2), np.float32)), ag.tensor(np.array([0, 1]))
    files, note = cli.write_graph(model, nn.CrossEntropyLoss(), x, y, str(tmp_path))
    assert files == ["graph.dot"] and "no dot here" in note
    src = (tmp_path / "graph.dot").read_text()
    assert src.startswith("digraph") and "Linear" in src


def test_graph_without_the_dot_program_writes_dot_source(tmp_path, monkeypatch):
    pytest.importorskip("graphviz")
    monkeypatch.setenv("PATH", str(tmp_path))  # no `dot` to be found
    model = cli.build_model("logreg", 2, 2)
    x, y = ag.tensor(np.zeros((2, 2), np.float32)), ag.tensor(np.array([0, 1]))
    files, note = cli.write_graph(model, nn.CrossEntropyLoss(), x, y, str(tmp_path))
    assert files == ["graph.dot"] and note
    assert (tmp_path / "graph.dot").read_text().lstrip().startswith(("digraph", "//", "strict"))
    assert not (tmp_path / "graph.png").exists()


def test_small_run_writes_every_file(tmp_path):
    out = tmp_path / "run"
    r = _run("--model", "mlp", "--dataset", "moons", "--epochs", "4", "--optimizer", "nesterov",
             "--hidden", "16", "--no-progress", "--out", str(out))
    assert r.returncode == 0, r.stderr
    assert "test accuracy:" in r.stdout
    for f in ("model.npz", "curves.png", "decision_boundary.png", "metrics.json"):
        assert (out / f).stat().st_size > 0, f
    assert (out / "graph.png").exists() or (out / "graph.dot").exists()
    assert sorted(os.listdir(out)) in (
        ["curves.png", "decision_boundary.png", "graph.png", "graph_layers.png", "metrics.json", "model.npz"],
        ["curves.png", "decision_boundary.png", "graph.dot", "metrics.json", "model.npz"])
    m = json.loads((out / "metrics.json").read_text())
    assert m["model"] == "mlp" and m["optimizer"] == "nesterov" and m["epochs"] == 4
    assert m["test_accuracy"] > 0.8 and len(m["history"]["loss"]) == 4
    # the saved weights load into a fresh model and reproduce the test accuracy
    model = cli.build_model("mlp", 2, 2, (16,))
    model.load_state_dict(nn.load(str(out / "model.npz")))
    X_train, X_test, y_train, y_test, _ = cli.load_data("moons", "mlp")
    with ag.no_grad():
        pred = model(ag.tensor(X_test)).numpy().argmax(axis=1)
    assert np.mean(pred == y_test) == pytest.approx(m["test_accuracy"])


def test_default_run_reaches_97_percent_on_digits(tmp_path):
    pytest.importorskip("sklearn")
    out = tmp_path / "default"
    t0 = time.perf_counter()
    r = _run("--out", str(out))  # the default: the LeNet-style CNN on the digits, with a bar
    seconds = time.perf_counter() - t0
    assert r.returncode == 0, r.stderr
    assert "epoch 20/20" in r.stderr and "100%" in r.stderr  # the tqdm bar
    m = json.loads((out / "metrics.json").read_text())
    assert m["model"] == "cnn" and m["dataset"] == "digits"
    assert m["test_samples"] == 360 and m["test_accuracy"] >= 0.97
    for f in ("model.npz", "curves.png", "metrics.json"):
        assert (out / f).exists(), f
    assert (out / "graph.png").exists() or (out / "graph.dot").exists()
    assert seconds < 120, f"the default run took {seconds:.0f} s"
