"""nn.search: grid and random search over settings, and the table of results."""
import math

import numpy as np
import pytest

import autograd as ag
import nn
from nn.data import DataLoader, TensorDataset
from nn.search import (SearchResults, choice, grid_points, grid_search, loguniform, randint,
                       random_search, sample_points, uniform)


def _bowl(lr, width):
    return {"val_loss": (math.log10(lr) + 1) ** 2 + abs(width - 16) / 16, "width_seen": width}


def test_grid_runs_every_combination_in_order():
    calls = []

    def train(lr, width):
        calls.append((lr, width))
        return _bowl(lr, width)

    t = grid_search(train, {"lr": [0.01, 0.1, 1.0], "width": [8, 16]})
    assert calls == [(0.01, 8), (0.01, 16), (0.1, 8), (0.1, 16), (1.0, 8), (1.0, 16)]
    assert len(t) == 6 and t.columns == ["lr", "width", "val_loss", "width_seen", "time"]
    assert t.best("val_loss")["lr"] == 0.1 and t.best("val_loss")["width"] == 16
    s = t.sort("val_loss")
    assert s["val_loss"] == sorted(t["val_loss"]) and s[0] == t.best("val_loss") | {"time": s[0]["time"]}
    assert t.sort("val_loss", descending=True)["val_loss"] == sorted(t["val_loss"], reverse=True)
    text = str(s).splitlines()
    assert text[0].split() == ["lr", "width", "val_loss", "width_seen", "time"] and len(text) == 8
    assert "<table>" in t._repr_html_()
    with pytest.raises(KeyError, match="no column 'acc'"):
        t.sort("acc")


def test_list_of_subspaces_and_fixed_values():
    pts = list(grid_points([{"kind": "mlp", "width": [8, 16]}, {"kind": ["cnn"], "channels": [4]}]))
    assert pts == [{"kind": "mlp", "width": 8}, {"kind": "mlp", "width": 16},
                   {"kind": "cnn", "channels": 4}]
    t = grid_search(lambda **p: 1.0, [{"a": [1]}, {"b": [2, 3]}])
    assert t["a"] == [1, None, None] and t["score"] == [1.0, 1.0, 1.0]
    with pytest.raises(TypeError, match="needs a list of values"):
        list(grid_points({"lr": loguniform(1e-3, 1)}))
    with pytest.raises(TypeError, match="dict"):
        list(grid_points(3))


def test_random_search_is_seeded_and_draws_from_the_distributions():
    space = {"lr": loguniform(1e-4, 1.0), "width": [8, 16, 32], "depth": randint(1, 4),
             "drop": uniform(0.0, 0.5), "act": choice(["relu", "tanh"]), "epochs": 5}
    a, b = sample_points(space, 400, seed=1), sample_points(space, 400, seed=1)
    assert a == b and sample_points(space, 5, seed=2) != a[:5]
    lrs = np.array([p["lr"] for p in a])
    assert lrs.min() >= 1e-4 and lrs.max() < 1.0
    # as many draws per decade: each of the 4 decades gets about a quarter
    decades = np.bincount(np.floor(np.log10(lrs) + 4).astype(int), minlength=4)
    assert decades.min() > 70
    assert {p["width"] for p in a} == {8, 16, 32} and {p["depth"] for p in a} == {1, 2, 3}
    assert all(0 <= p["drop"] < 0.5 for p in a) and {p["act"] for p in a} == {"relu", "tanh"}
    assert {p["epochs"] for p in a} == {5}
    t = random_search(lambda lr, width, **_: _bowl(lr, width), space, n=12, seed=1)
    assert len(t) == 12 and t["lr"] == [p["lr"] for p in a[:12]]
    ag.manual_seed(0)
    x = sample_points(space, 3)
    ag.manual_seed(0)
    assert sample_points(space, 3) == x  # seed=None: the library's generator
    with pytest.raises(ValueError, match="positive integer"):
        random_search(_bowl, space, n=0)


def test_a_search_over_real_training_runs():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((64, 2)).astype(np.float32)
    y = (X[:, 0] * X[:, 1] > 0).astype(np.int64)
    train_set = TensorDataset(X[:48], y[:48])
    val_loader = DataLoader(TensorDataset(X[48:], y[48:]), batch_size=16)

    class SGD:
        def __init__(self, params, lr):
            self.params, self.lr = list(params), lr

        def zero_grad(self):
            for p in self.params:
                p.grad = None

        def step(self):
            for p in self.params:
                p.array[...] = p.array - self.lr * p.grad.array

    def train(lr, width):
        ag.manual_seed(0)
        model = nn.Sequential(nn.Linear(2, width), nn.Tanh(), nn.Linear(width, 2))
        return nn.train.fit(model, nn.CrossEntropyLoss(), SGD(model.parameters(), lr),
                            DataLoader(train_set, 16, shuffle=True, seed=0), epochs=3, val_loader=val_loader, progress=False)

    t = grid_search(train, {"lr": [0.01, 0.5], "width": [4, 16]})
    h = train(0.5, 16)
    assert t[3]["val_loss"] == h["val_loss"][-1] and "best_epoch" not in t.columns

    def train_best(lr):
        ag.manual_seed(0)
        model = nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 2))
        return nn.train.fit(model, nn.CrossEntropyLoss(), SGD(model.parameters(), lr),
                            DataLoader(train_set, 16, shuffle=True, seed=0), epochs=6, val_loader=val_loader, progress=False, restore_best=True)

    hb = train_best(3.0)
    tb = grid_search(train_best, {"lr": [3.0]})
    assert tb[0]["best_epoch"] == hb.best_epoch
    assert tb[0]["val_loss"] == min(hb["val_loss"]) == hb["val_loss"][hb.best_epoch - 1]
    assert set(t.columns) >= {"lr", "width", "loss", "accuracy", "val_loss", "val_accuracy",
                              "epochs", "time"}
    assert t["epochs"] == [3, 3, 3, 3]
    best = t.best("val_accuracy")
    assert best["val_accuracy"] == max(t["val_accuracy"])


def test_bad_return_values_and_nan_rows():
    with pytest.raises(TypeError, match="must return a number"):
        grid_search(lambda a: "good", {"a": [1]})
    t = SearchResults([{"a": 1, "loss": float("nan")}, {"a": 2, "loss": 0.5}, {"a": 3}])
    assert t.sort("loss")["a"] == [2, 1, 3] and t.sort("loss", descending=True)["a"] == [2, 1, 3]
    assert t.best("loss")["a"] == 2
