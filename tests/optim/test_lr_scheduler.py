"""Learning-rate schedules: torch's sequences for 100 steps, the closed forms, errors."""
import math
import warnings

import numpy as np
import pytest

import autograd as ag
import optim
from optim import lr_scheduler as sched
from tests.helpers import requires_torch, torch

STEPS = 100
LRS = [0.1, 0.03]  # two parameter groups with different rates


def _ours(name, kwargs):
    params = [ag.tensor(np.ones(2), requires_grad=True) for _ in LRS]
    opt = optim.SGD([{"params": [p], "lr": lr} for p, lr in zip(params, LRS)], lr=1.0)
    return opt, getattr(sched, name)(opt, **kwargs)


def _theirs(name, kwargs):
    params = [torch.ones(2, dtype=torch.float64, requires_grad=True) for _ in LRS]
    opt = torch.optim.SGD([{"params": [p], "lr": lr} for p, lr in zip(params, LRS)], lr=1.0)
    return opt, getattr(torch.optim.lr_scheduler, name)(opt, **kwargs)


def _sequence(opt, s, metrics=None):
    seq = [s.get_last_lr()]
    for t in range(STEPS):
        opt.step()  # no gradients: nothing moves, but the order is the real one
        if metrics is None:
            s.step()
        else:
            s.step(metrics[t])
        seq.append(s.get_last_lr())
    return np.array(seq, dtype=np.float64)


PLATEAU_METRIC = np.concatenate([np.linspace(1.0, 0.5, 20), np.full(30, 0.5),
                                 0.5 - 1e-6 * np.arange(20), np.linspace(0.49, 0.2, 30)])

CASES = [
    ("StepLR", dict(step_size=7, gamma=0.5)),
    ("StepLR", dict(step_size=1, gamma=0.9)),
    ("MultiStepLR", dict(milestones=[10, 30, 30, 75], gamma=0.3)),
    ("ExponentialLR", dict(gamma=0.97)),
    ("CosineAnnealingLR", dict(T_max=30, eta_min=0.001)),
    ("CosineAnnealingLR", dict(T_max=100)),
    ("LambdaLR", dict(lr_lambda=lambda e: 1.0 / (1.0 + 0.1 * e))),
]
PLATEAU_CASES = [
    dict(),
    dict(patience=3, factor=0.5, cooldown=2, min_lr=0.005),
    dict(patience=2, threshold=0.01, threshold_mode="abs", min_lr=[0.0, 0.001]),
    dict(mode="max", patience=4, factor=0.2),
    dict(mode="max", patience=1, threshold_mode="abs", threshold=0.0, eps=1e-3),
]


@requires_torch
@pytest.mark.parametrize("name,kwargs", CASES, ids=[f"{n}{sorted(k)}" for n, k in CASES])
def test_matches_torch(name, kwargs):
    ours = _sequence(*_ours(name, kwargs))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = _sequence(*_theirs(name, kwargs))
    np.testing.assert_allclose(ours, theirs, rtol=1e-13, atol=0)


@requires_torch
@pytest.mark.parametrize("kwargs", PLATEAU_CASES)
def test_reduce_on_plateau_matches_torch(kwargs):
    metric = PLATEAU_METRIC if kwargs.get("mode") != "max" else 1.5 - PLATEAU_METRIC
    ours = _sequence(*_ours("ReduceLROnPlateau", kwargs), metrics=metric)
    theirs = _sequence(*_theirs("ReduceLROnPlateau", kwargs), metrics=metric)
    np.testing.assert_array_equal(ours, theirs)
    assert len(np.unique(ours[:, 0])) > 1  # it did reduce


def test_closed_forms():
    """Without torch too: the chainable steps equal the textbook closed forms."""
    e = np.arange(STEPS + 1)
    seq = _sequence(*_ours("StepLR", dict(step_size=7, gamma=0.5)))[:, 0]
    np.testing.assert_allclose(seq, 0.1 * 0.5 ** (e // 7), rtol=1e-13)
    seq = _sequence(*_ours("ExponentialLR", dict(gamma=0.97)))[:, 0]
    np.testing.assert_allclose(seq, 0.1 * 0.97 ** e, rtol=1e-12)
    seq = _sequence(*_ours("CosineAnnealingLR", dict(T_max=30, eta_min=0.001)))[:, 0]
    np.testing.assert_allclose(seq, 0.001 + (0.1 - 0.001) * (1 + np.cos(np.pi * e / 30)) / 2, rtol=1e-12)
    seq = _sequence(*_ours("MultiStepLR", dict(milestones=[10, 30, 30, 75], gamma=0.3)))[:, 0]
    np.testing.assert_allclose(seq, 0.1 * 0.3 ** ((e >= 10) + 2 * (e >= 30) + (e >= 75)), rtol=1e-13)


def test_reduce_on_plateau_by_hand():
    opt, s = _ours("ReduceLROnPlateau", dict(patience=2, factor=0.5))
    lrs = []
    for m in [1.0, 0.9, 0.9, 0.9, 0.9, 0.8, 0.8, 0.8, 0.8]:
        s.step(m)
        lrs.append(s.get_last_lr()[0])
    # 3 epochs without improvement (> patience 2) -> halve, counter restarts
    assert lrs == [0.1, 0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.05, 0.025]


def test_scheduler_drives_the_optimizer():
    w = ag.tensor(np.zeros(1), requires_grad=True)
    opt = optim.SGD([w], lr=1.0)
    s = sched.StepLR(opt, step_size=2, gamma=0.1)
    for _ in range(4):
        w.grad = ag.Tensor(np.ones(1))
        opt.step()
        s.step()
    np.testing.assert_allclose(w.array, [-(1 + 1 + 0.1 + 0.1)])
    assert opt.param_groups[0]["initial_lr"] == 1.0


def test_state_dict_round_trip():
    opt, s = _ours("CosineAnnealingLR", dict(T_max=10))
    for _ in range(4):
        s.step()
    sd = s.state_dict()
    assert "optimizer" not in sd and sd["last_epoch"] == 4
    opt2, s2 = _ours("CosineAnnealingLR", dict(T_max=10))
    opt2.load_state_dict(opt.state_dict())
    s2.load_state_dict(sd)
    for _ in range(5):
        s.step()
        s2.step()
        assert s.get_last_lr() == s2.get_last_lr()
    lam = _ours("LambdaLR", dict(lr_lambda=lambda e: 0.5 ** e))[1]
    assert "lr_lambdas" not in lam.state_dict()


def test_resuming_with_last_epoch_uses_the_closed_form():
    opt, s = _ours("CosineAnnealingLR", dict(T_max=20))
    for _ in range(5):
        s.step()
    s2 = sched.CosineAnnealingLR(opt, T_max=20, last_epoch=s.last_epoch)
    assert math.isclose(s2.get_last_lr()[0], 0.05 * (1 + math.cos(math.pi * 6 / 20)), rel_tol=1e-13)
    fresh = optim.SGD([ag.tensor(np.ones(1), requires_grad=True)], lr=0.1)
    with pytest.raises(KeyError, match="initial_lr"):
        sched.StepLR(fresh, step_size=2, last_epoch=3)


@pytest.mark.parametrize("name,kwargs,match", [
    ("StepLR", dict(step_size=0), "step_size"),
    ("StepLR", dict(step_size=2, gamma=-1), "gamma"),
    ("ExponentialLR", dict(gamma=-0.5), "gamma"),
    ("CosineAnnealingLR", dict(T_max=0), "T_max"),
    ("MultiStepLR", dict(milestones=[-1]), "milestones"),
    ("ReduceLROnPlateau", dict(factor=1.0), "factor"),
    ("ReduceLROnPlateau", dict(mode="up"), "mode"),
    ("ReduceLROnPlateau", dict(threshold_mode="pct"), "threshold_mode"),
    ("ReduceLROnPlateau", dict(min_lr=[0.1]), "min_lrs"),
    ("LambdaLR", dict(lr_lambda=[lambda e: 1.0]), "lr_lambdas"),
])
def test_bad_arguments(name, kwargs, match):
    with pytest.raises(ValueError, match=match):
        _ours(name, kwargs)


def test_needs_an_optimizer():
    with pytest.raises(TypeError, match="optimizer"):
        sched.StepLR([1, 2], step_size=3)
