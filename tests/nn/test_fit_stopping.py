"""nn.train.fit: early stopping on a validation set, the best weights restored, the two
"stop when it looks flat" criteria, non-finite losses and gradients kept away from the
weights, and empty loaders refused."""
import numpy as np
import pytest

import autograd as ag
import nn
from nn.data import DataLoader, TensorDataset
from nn.datasets import moons
from nn.stopping import EarlyStopping
from nn.train import evaluate, fit


class SGD:
    """Plain gradient descent, duck-typed (nn never imports optim)."""

    def __init__(self, params, lr):
        self.param_groups = [{"params": list(params), "lr": lr}]

    def zero_grad(self):
        for p in self.param_groups[0]["params"]:
            p.grad = None

    def step(self):
        with ag.no_grad():
            for p in self.param_groups[0]["params"]:
                p.array[...] = p.array - self.param_groups[0]["lr"] * p.grad.array


def _overfitting_setup(seed=0):
    X, y = moons(n=30, noise=0.3, seed=1)
    Xv, yv = moons(n=200, noise=0.3, seed=2)
    ag.manual_seed(seed)
    model = nn.Sequential(nn.Linear(2, 64), nn.Tanh(), nn.Linear(64, 64), nn.Tanh(), nn.Linear(64, 2))
    return (model, DataLoader(TensorDataset(X, y), batch_size=30),
            DataLoader(TensorDataset(Xv, yv), batch_size=200))


def _weights(model):
    return {k: v.array.copy() for k, v in model.state_dict().items()}


def test_patience_stops_and_restores_the_best_epoch():
    model, train, val = _overfitting_setup()
    h = fit(model, nn.CrossEntropyLoss(), SGD(model.parameters(), 0.5), train, epochs=400,
            val_loader=val, progress=False, patience=5, restore_best=True)
    best = int(np.argmin(h["val_loss"])) + 1
    assert h.best_epoch == best < h.epochs < 400
    assert h.epochs == best + 5 and h.stopped_epoch == h.epochs  # 5 epochs without improvement
    assert "early stopping" in h.stop_reason and "val_loss" in h.stop_reason
    # the restored model's validation loss is the best epoch's, exactly
    assert evaluate(model, nn.CrossEntropyLoss(), val)["loss"] == h["val_loss"][best - 1]
    # ... and it differs from the last epoch's model
    model2, _, _ = _overfitting_setup()
    h2 = fit(model2, nn.CrossEntropyLoss(), SGD(model2.parameters(), 0.5), train, epochs=400,
             val_loader=val, progress=False, patience=5)
    assert h2["val_loss"] == h["val_loss"]
    assert evaluate(model2, nn.CrossEntropyLoss(), val)["loss"] == h2["val_loss"][-1] != h["val_loss"][best - 1]


def test_restore_best_without_patience_runs_every_epoch():
    model, train, val = _overfitting_setup()
    h = fit(model, nn.CrossEntropyLoss(), SGD(model.parameters(), 0.5), train, epochs=250,
            val_loader=val, progress=False, restore_best=True)
    assert h.epochs == 250 and h.stop_reason is None
    best = int(np.argmin(h["val_loss"]))
    assert best < 249 and h.best_epoch == best + 1
    assert evaluate(model, nn.CrossEntropyLoss(), val)["loss"] == h["val_loss"][best]


def test_min_delta_and_the_early_stopping_rule():
    s = EarlyStopping("val_loss", patience=2, min_delta=0.1)
    # 1.0 improves; 0.95 is within min_delta (no improvement); 0.85 improves; then two misses
    assert [s.update(v, e) for e, v in enumerate([1.0, 0.95, 0.85, 0.8, 0.9], 1)] == \
        [False, False, False, False, True]
    assert s.best_epoch == 3 and s.best == 0.85
    acc = EarlyStopping("val_accuracy", patience=1)
    assert acc.mode == "max" and [acc.update(v, e) for e, v in enumerate([0.5, 0.7, 0.6], 1)] == \
        [False, False, True]
    nan = EarlyStopping("loss", patience=1)
    assert nan.update(float("nan"), 1) and nan.best_epoch is None  # NaN never improves
    with pytest.raises(ValueError, match="patience"):
        EarlyStopping(patience=-1)
    with pytest.raises(ValueError, match="mode"):
        EarlyStopping(mode="down")


def test_monitor_validation_accuracy_and_errors():
    model, train, val = _overfitting_setup()
    h = fit(model, nn.CrossEntropyLoss(), SGD(model.parameters(), 0.5), train, epochs=100,
            val_loader=val, progress=False, patience=3, monitor="val_accuracy", restore_best=True)
    best = int(np.argmax(h["val_accuracy"]))  # the first epoch reaching the maximum
    assert h.best_epoch == best + 1 and h.epochs == best + 4
    assert evaluate(model, nn.CrossEntropyLoss(), val)["accuracy"] == h["val_accuracy"][best]
    with pytest.raises(ValueError, match="needs a val_loader"):
        fit(model, nn.CrossEntropyLoss(), SGD(model.parameters(), 0.5), train, patience=3,
            monitor="val_loss", progress=False)
    with pytest.raises(KeyError, match="cannot monitor 'recall'"):
        fit(model, nn.CrossEntropyLoss(), SGD(model.parameters(), 0.5), train, patience=3,
            monitor="recall", progress=False)
    with pytest.raises(TypeError, match="state_dict"):
        fit(lambda x: model(x), nn.CrossEntropyLoss(), SGD(model.parameters(), 0.5), train,
            restore_best=True, progress=False)


def _regression(n=64, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 3))
    y = X @ np.array([[1.0], [-2.0], [0.5]]) + 0.3
    return X, y


def test_flat_gradient_criterion_full_batch():
    X, y = _regression()
    ag.manual_seed(0)
    model = nn.Linear(3, 1).double()
    w0 = _weights(model)
    loader = DataLoader(TensorDataset(X, y), batch_size=len(X))
    h = fit(model, nn.MSELoss(), SGD(model.parameters(), 0.1), loader, epochs=1000,
            metrics=None, progress=False, grad_tol=1e-4)
    assert h.stop_reason.startswith("flat") and h.epochs < 1000
    assert h["grad_norm"][-1] < 1e-4 <= h["grad_norm"][-2]
    # grad_norm of epoch 1 is ‖∇E(θ0)‖ at the initial weights (one full batch)
    ref = nn.Linear(3, 1).double()
    ref.load_state_dict(w0)
    loss = nn.MSELoss()(ref(ag.tensor(X)), ag.tensor(y))
    gw, gb = ag.grad(loss, [ref.weight, ref.bias])
    expected = np.sqrt((gw.array ** 2).sum() + (gb.array ** 2).sum())
    np.testing.assert_allclose(h["grad_norm"][0], expected, rtol=1e-12)


def test_flat_loss_criterion_is_patience_on_the_training_loss():
    X, y = _regression()
    ag.manual_seed(0)
    model = nn.Linear(3, 1).double()
    loader = DataLoader(TensorDataset(X, y), batch_size=len(X))
    h = fit(model, nn.MSELoss(), SGD(model.parameters(), 0.1), loader, epochs=1000,
            metrics=None, progress=False, monitor="loss", patience=1, min_delta=1e-8)
    losses = h["loss"]
    assert h.epochs < 1000 and "loss has not improved" in h.stop_reason
    assert losses[-2] - losses[-1] <= 1e-8 < losses[-3] - losses[-2]


def _xor_regression():
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], np.float64)
    return X, np.array([[0.0], [1.0], [1.0], [0.0]])


def test_a_nan_loss_never_reaches_the_weights():
    X, y = _xor_regression()
    X = np.concatenate([X, [[np.nan, 0.0]] + [[1.0, 1.0]] * 3])  # batch 2 holds a NaN input
    y = np.concatenate([y, np.zeros((4, 1))])
    ag.manual_seed(0)
    model = nn.Linear(2, 1).double()
    loader = DataLoader(TensorDataset(X, y), batch_size=4)
    ref = nn.Linear(2, 1).double()
    ref.load_state_dict(_weights(model))
    fit(ref, nn.MSELoss(), SGD(ref.parameters(), 0.1), DataLoader(TensorDataset(X[:4], y[:4]), 4),
        metrics=None, progress=False)  # the one finite step
    with pytest.warns(RuntimeWarning, match="optimizer step was not taken.*learning rate"):
        h = fit(model, nn.MSELoss(), SGD(model.parameters(), 0.1), loader, epochs=3,
                metrics=None, progress=False)
    assert h.diverged and h.epochs == 1 and "the loss is nan" in h.stop_reason
    assert np.isnan(h["step_loss"][1]) and len(h["step_loss"]) == 2
    for k, v in _weights(model).items():
        assert np.isfinite(v).all()
        np.testing.assert_array_equal(v, ref.state_dict()[k].array)


def test_a_non_finite_gradient_of_a_finite_loss_is_not_applied():
    class Root(nn.Module):  # sqrt(w x) at w x = 0: finite loss 0, gradient inf * 0 = nan
        def __init__(self):
            super().__init__()
            self.weight = nn.Parameter(ag.tensor([[1.0], [2.0]], dtype="float64"))

        def forward(self, x):
            return ag.sqrt(x @ self.weight)

    model = Root()
    loader = DataLoader(TensorDataset(np.zeros((4, 2)), np.zeros((4, 1))), batch_size=4)
    with pytest.warns(RuntimeWarning, match="gradient of weight is not finite"):
        h = fit(model, lambda out, y: out.mean(), SGD(model.parameters(), 0.1), loader,
                epochs=2, metrics=None, progress=False)
    assert h.diverged and h["step_loss"] == [0.0]
    np.testing.assert_array_equal(model.weight.array, [[1.0], [2.0]])


def test_a_finite_run_keeps_the_old_behaviour_with_stop_on_nan_off():
    X, y = _xor_regression()
    model = nn.Linear(2, 1).double()
    loader = DataLoader(TensorDataset(X, y), batch_size=4)
    h = fit(model, nn.MSELoss(), SGD(model.parameters(), 1e6), loader, epochs=5, metrics=None,
            progress=False, stop_on_nan=False)  # diverges, but the user asked to go on
    assert h.epochs == 5 and not h.diverged


def test_an_empty_loader_is_refused():
    model = nn.Linear(2, 1)
    opt = SGD(model.parameters(), 0.1)
    empty = DataLoader(TensorDataset(np.zeros((0, 2), np.float32), np.zeros((0, 1), np.float32)))
    with pytest.raises(ValueError, match="no batches, so there is nothing to train on"):
        fit(model, nn.MSELoss(), opt, empty, progress=False)
    short = DataLoader(TensorDataset(np.zeros((3, 2), np.float32), np.zeros((3, 1), np.float32)),
                       batch_size=4, drop_last=True)
    with pytest.raises(ValueError, match="drop_last"):
        fit(model, nn.MSELoss(), opt, short, progress=False)

    class NoLen:  # an iterable without len(): found empty after the first epoch
        def __iter__(self):
            return iter(())

    with pytest.raises(ValueError, match="epoch 1 yielded no batches"):
        fit(model, nn.MSELoss(), opt, NoLen(), metrics=None, progress=False)


@pytest.mark.filterwarnings("ignore:overflow encountered")
def test_after_divergence_restore_best_brings_back_the_best_finite_epoch():
    X, y = _regression()
    ag.manual_seed(0)
    model = nn.Linear(3, 1).double()
    opt = SGD(model.parameters(), 0.05)

    class Growing:  # a scheduler that multiplies the learning rate until training blows up
        def step(self):
            opt.param_groups[0]["lr"] *= 3

    loader = DataLoader(TensorDataset(X, y), batch_size=len(X))
    with pytest.warns(RuntimeWarning, match="not finite"):
        h = fit(model, nn.MSELoss(), opt, loader, epochs=100, metrics=None, progress=False,
                scheduler=Growing(), restore_best=True)
    assert h.diverged and h.best_epoch < h.epochs
    finite = [v for v in h["loss"] if np.isfinite(v)]
    assert h["loss"][h.best_epoch - 1] == min(finite)
    assert all(np.isfinite(v.array).all() for v in model.state_dict().values())
