"""nn.train: accuracy, fit (history, modes, schedulers, divergence, progress bar), evaluate, predict."""
import json
import subprocess
import sys
import warnings

import numpy as np
import pytest

import autograd as ag
import nn
from nn.data import DataLoader, TensorDataset
from nn.datasets import xor, moons, train_test_split
from nn.train import History, accuracy, evaluate, fit, predict


class TinySGD:
    """A duck-typed optimizer: fit needs only zero_grad and step."""

    def __init__(self, params, lr):
        self.params = list(params)
        self.param_groups = [{"lr": lr}]

    def zero_grad(self):
        for p in self.params:
            p.grad = None

    def step(self):
        for p in self.params:
            p.array -= self.param_groups[0]["lr"] * p.grad.array


class Probe(nn.Module):
    """Records the train/eval mode and grad mode seen by each forward."""

    def __init__(self):
        super().__init__()
        self.seen = []

    def forward(self, x):
        self.seen.append((self.training, ag.is_grad_enabled()))
        return x


def _moons_loaders():
    X, y = moons(n=200, noise=0.1, seed=0)
    Xtr, Xte, ytr, yte = train_test_split(X, y)
    return (DataLoader(TensorDataset(Xtr, ytr), batch_size=20, shuffle=True, seed=0),
            DataLoader(TensorDataset(Xte, yte), batch_size=100))


def _mlp():
    return nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 2))


def test_accuracy_cases():
    logits = np.array([[2.0, 1.0, 0.0], [0.0, 3.0, 1.0], [0.0, 0.0, 5.0], [1.0, 0.0, 0.0]])
    assert accuracy(logits, np.array([0, 1, 2, 2])) == 0.75
    assert accuracy(ag.tensor(logits), ag.tensor(np.eye(3)[[0, 1, 2, 0]])) == 1.0  # one-hot targets
    assert accuracy(np.array([0.9, 0.2, 0.6]), np.array([1, 0, 0])) == pytest.approx(2 / 3)  # probs
    assert accuracy(np.array([[0.3], [-2.0], [4.0]]), np.array([1, 0, 1])) == 1.0  # logits, 0 threshold
    assert accuracy(np.array([0.3, -2.0, 4.0]), np.array([-1, -1, 1])) == pytest.approx(2 / 3)  # +-1 labels
    assert accuracy(np.array([0.3, 0.7]), np.array([1, 1]), threshold=0.5) == 0.5


def test_fit_learns_and_records_history():
    train, val = _moons_loaders()
    ag.manual_seed(0)
    model = _mlp()
    h = fit(model, nn.CrossEntropyLoss(), TinySGD(model.parameters(), 1.0), train, epochs=15,
            val_loader=val, progress=False)
    assert isinstance(h, History) and h.epochs == 15 and h.steps_per_epoch == len(train)
    for key in ("loss", "accuracy", "val_loss", "val_accuracy", "lr", "time"):
        assert len(h[key]) == 15, key
    assert len(h["step_loss"]) == len(h["step_accuracy"]) == 15 * len(train)
    assert h["loss"][-1] < h["loss"][0]
    assert h["val_accuracy"][-1] >= 0.8 and h["accuracy"][-1] > h["accuracy"][0]
    assert h.metric_names == ["accuracy"]
    json.dumps(h.as_dict())
    # continuing appends to the same history
    fit(model, nn.CrossEntropyLoss(), TinySGD(model.parameters(), 0.5), train, epochs=2, history=h,
        progress=False)
    assert h.epochs == 17 and len(h["loss"]) == 17
    with pytest.raises(KeyError, match="has no"):
        h["nope"]


def test_modes_train_then_eval_without_graph():
    X = np.zeros((6, 2), np.float32)
    y = np.zeros(6, np.int64)
    probe = Probe()
    model = nn.Sequential(probe, nn.Linear(2, 2))
    loader = DataLoader(TensorDataset(X, y), batch_size=3)
    fit(model, nn.CrossEntropyLoss(), TinySGD(model.parameters(), 0.1), loader, epochs=1,
        val_loader=loader, progress=False)
    assert probe.seen[:2] == [(True, True), (True, True)]  # training batches
    assert probe.seen[2:] == [(False, False), (False, False)]  # validation: eval mode, no graph
    model.train()
    evaluate(model, nn.CrossEntropyLoss(), loader)
    assert model.training and probe.training  # mode restored
    model.eval()
    out = predict(model, X, batch_size=4)
    assert out.shape == (6, 2) and isinstance(out, np.ndarray) and not model.training


def test_metrics_dict_and_none():
    train, _ = _moons_loaders()
    model = _mlp()
    h = fit(model, nn.CrossEntropyLoss(), TinySGD(model.parameters(), 0.1), train, epochs=1,
            metrics=None, progress=False)
    assert "accuracy" not in h and h.metric_names == []
    h = fit(model, nn.CrossEntropyLoss(), TinySGD(model.parameters(), 0.1), train, epochs=1,
            val_loader=train, metrics={"acc": accuracy}, progress=False)
    assert "acc" in h and "val_acc" in h


def test_schedulers_are_stepped_once_per_epoch():
    optim = pytest.importorskip("optim")
    train, val = _moons_loaders()
    model = _mlp()
    opt = optim.SGD(model.parameters(), lr=0.4)
    h = fit(model, nn.CrossEntropyLoss(), opt, train, epochs=4, progress=False,
            scheduler=optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5))
    np.testing.assert_allclose(h["lr"], [0.4, 0.2, 0.1, 0.05])

    class Plateau:  # step(metric): gets the validation loss
        def __init__(self):
            self.got = []

        def step(self, metric):
            self.got.append(metric)

    s = Plateau()
    h = fit(model, nn.CrossEntropyLoss(), opt, train, epochs=2, val_loader=val, progress=False,
            scheduler=s)
    assert s.got == h["val_loss"]


def test_divergence_stops_with_a_warning():
    X, y = xor()
    model = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 1))
    loader = DataLoader(TensorDataset(X, y.astype(np.float32).reshape(-1, 1)), batch_size=4)
    with pytest.warns(RuntimeWarning, match="learning rate"):
        h = fit(model, nn.MSELoss(), TinySGD(model.parameters(), 1e6), loader, epochs=50,
                metrics=None, progress=False)
    assert h.diverged and h.epochs < 50


def test_progress_bar_uses_tqdm(capsys):
    pytest.importorskip("tqdm")
    train, val = _moons_loaders()
    model = _mlp()
    fit(model, nn.CrossEntropyLoss(), TinySGD(model.parameters(), 0.1), train, epochs=2,
        val_loader=val, progress=True, log_epochs=True)
    err = capsys.readouterr().err
    assert "epoch 2/2" in err and "100%" in err and "val_acc" in err


def test_missing_tqdm_gives_the_install_hint(monkeypatch):
    monkeypatch.setitem(sys.modules, "tqdm", None)
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)
    train, _ = _moons_loaders()
    model = _mlp()
    with pytest.raises(ImportError, match=r'gradtable\[train\]'):
        fit(model, nn.CrossEntropyLoss(), TinySGD(model.parameters(), 0.1), train, epochs=1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fit(model, nn.CrossEntropyLoss(), TinySGD(model.parameters(), 0.1), train, epochs=1,
            progress=False)


def test_nn_train_imports_neither_optim_nor_tqdm():
    code = ("import sys, nn, nn.train, nn.plots, nn.data, nn.datasets; "
            "bad = [m for m in ('optim', 'tqdm', 'matplotlib', 'sklearn') if m in sys.modules]; "
            "assert not bad, bad")
    subprocess.run([sys.executable, "-c", code], check=True)
