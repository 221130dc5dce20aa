"""nn.init: the variances of the notes, PyTorch's gains and fans, in-place behaviour."""
import math

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F
from nn import init
from tests.helpers import requires_torch, torch

FAN_OUT, FAN_IN = 200, 300


def _w(shape=(FAN_OUT, FAN_IN)):
    return nn.Parameter(ag.zeros(*shape))


@pytest.mark.parametrize("fn, var", [
    (init.small_random_, 1e-4),
    (init.lecun_normal_, 1 / FAN_IN),
    (init.lecun_uniform_, 1 / FAN_IN),
    (init.kaiming_normal_, 2 / FAN_IN),
    (lambda t: init.kaiming_uniform_(t, nonlinearity="relu"), 2 / FAN_IN),
    (lambda t: init.kaiming_normal_(t, mode="fan_out", nonlinearity="relu"), 2 / FAN_OUT),
    (init.xavier_normal_, 2 / (FAN_IN + FAN_OUT)),
    (init.xavier_uniform_, 2 / (FAN_IN + FAN_OUT)),
    (lambda t: init.xavier_uniform_(t, gain=init.calculate_gain("tanh")),
     (5 / 3) ** 2 * 2 / (FAN_IN + FAN_OUT)),
    (init.bengio_, 2 / (FAN_IN + FAN_OUT)),
    (lambda t: init.bengio_(t, "uniform"), 2 / (FAN_IN + FAN_OUT)),
    (lambda t: init.normal_(t, 0.0, 0.5), 0.25),
    (lambda t: init.uniform_(t, -1.0, 1.0), 1 / 3),
])
def test_variances_of_the_notes(fn, var):
    w = _w()
    out = fn(w)
    assert out is w and w.requires_grad and w.is_leaf and w.dtype == np.float32
    assert abs(w.array.var() / var - 1) < 0.03  # 60000 samples: ~0.6% standard error
    assert abs(w.array.mean()) < 0.02 * math.sqrt(var)


def test_kaiming_uniform_a_sqrt5_is_pytorchs_linear_default():
    w = init.kaiming_uniform_(_w(), a=math.sqrt(5))
    bound = 1 / math.sqrt(FAN_IN)
    assert np.abs(w.array).max() <= bound and np.abs(w.array).max() > 0.99 * bound


def test_constants():
    w = _w((3, 4))
    assert not init.ones_(w).array.min() < 1
    assert not init.zeros_(w).array.any()
    np.testing.assert_array_equal(init.constant_(w, 0.3).array, np.full((3, 4), 0.3, np.float32))
    np.testing.assert_array_equal(init.eye_(w).array, np.eye(3, 4))
    q = init.orthogonal_(_w((4, 6))).array.astype(np.float64)
    np.testing.assert_allclose(q @ q.T, np.eye(4), atol=1e-5)
    t = init.trunc_normal_(_w((50, 50)), std=1.0, a=-1.0, b=1.0).array
    assert t.min() >= -1 and t.max() <= 1


def test_fans_and_gains():
    assert init._calculate_fan_in_and_fan_out(ag.zeros(6, 3, 5, 5)) == (75, 150)
    assert init._calculate_fan_in_and_fan_out(ag.zeros(4, 7)) == (7, 4)
    with pytest.raises(ValueError, match="fewer than 2"):
        init._calculate_fan_in_and_fan_out(ag.zeros(3))
    assert init.calculate_gain("relu") == math.sqrt(2)
    assert init.calculate_gain("tanh") == 5 / 3
    assert init.calculate_gain("sigmoid") == 1
    assert init.calculate_gain("leaky_relu", 0.2) == math.sqrt(2 / 1.04)
    with pytest.raises(ValueError):
        init.calculate_gain("swish-ish")
    with pytest.raises(ValueError, match="mode"):
        init.kaiming_normal_(_w(), mode="fan_avg")


@requires_torch
def test_gains_match_torch():
    for name, param in [("linear", None), ("conv2d", None), ("sigmoid", None), ("tanh", None),
                        ("relu", None), ("leaky_relu", None), ("leaky_relu", 0.3), ("selu", None)]:
        assert init.calculate_gain(name, param) == pytest.approx(
            torch.nn.init.calculate_gain(name, param))


@requires_torch
@pytest.mark.parametrize("ours, theirs", [
    (init.xavier_uniform_, lambda t: torch.nn.init.xavier_uniform_(t)),
    (init.xavier_normal_, lambda t: torch.nn.init.xavier_normal_(t)),
    (init.kaiming_uniform_, lambda t: torch.nn.init.kaiming_uniform_(t)),
    (lambda t: init.kaiming_normal_(t, nonlinearity="relu", mode="fan_out"),
     lambda t: torch.nn.init.kaiming_normal_(t, nonlinearity="relu", mode="fan_out")),
])
def test_std_matches_torch_on_conv_shaped_weights(ours, theirs):
    torch.manual_seed(0)
    shape = (32, 16, 3, 3)
    a = ours(_w(shape)).array.std()
    b = theirs(torch.empty(shape)).std().item()
    assert abs(a / b - 1) < 0.04


def test_initialisers_work_on_parameters_that_require_grad_and_record_nothing():
    lin = nn.Linear(4, 3)
    init.xavier_uniform_(lin.weight)
    assert lin.weight.grad_fn is None and lin.weight.requires_grad


def test_zero_init_keeps_hidden_units_symmetric():
    """The notes' warning: with all-equal weights every hidden unit gets the same gradient,
    so they never become different."""
    rng = np.random.default_rng(0)
    X = ag.tensor(rng.standard_normal((16, 3)))
    y = rng.standard_normal((16, 1)).astype(np.float32)
    net = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 1))
    for m in (net[0], net[2]):
        init.constant_(m.weight, 0.1)
        init.zeros_(m.bias)
    for _ in range(20):
        net.zero_grad()
        F.mse_loss(net(X), y).backward()
        for p in net.parameters():
            p.array -= 0.1 * p.grad.array
    w = net[0].weight.array
    np.testing.assert_allclose(w, np.broadcast_to(w[:1], w.shape), rtol=1e-6)  # rows identical
    # all zeros: the first layer gets exactly zero gradient and never moves
    for m in (net[0], net[2]):
        init.zeros_(m.weight)
    net.zero_grad()
    F.mse_loss(net(X), y).backward()
    assert not net[0].weight.grad.array.any()


def test_reproducible_with_manual_seed():
    ag.manual_seed(3)
    a = init.normal_(_w((5, 5))).array.copy()
    ag.manual_seed(3)
    np.testing.assert_array_equal(init.normal_(_w((5, 5))).array, a)
