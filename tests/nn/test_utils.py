"""nn.utils (gradient clipping, flat vectors) and nn.l1_penalty / nn.l2_penalty."""
import math

import numpy as np
import pytest

import autograd as ag
import nn
from tests.helpers import requires_torch, torch


def _model_with_grads(seed=0):
    ag.manual_seed(seed)
    net = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2)).double()
    x = ag.tensor(np.random.default_rng(seed).standard_normal((5, 3)))
    (net(x) ** 2).sum().backward()
    return net


def test_clip_grad_norm_returns_norm_before_and_rescales():
    net = _model_with_grads()
    grads = [p.grad.array.copy() for p in net.parameters()]
    total = math.sqrt(sum((g ** 2).sum() for g in grads))
    ret = nn.utils.clip_grad_norm_(net.parameters(), max_norm=0.5)
    assert float(ret) == pytest.approx(total)
    after = math.sqrt(sum((p.grad.array ** 2).sum() for p in net.parameters()))
    assert after == pytest.approx(0.5, rel=1e-5)
    for g, p in zip(grads, net.parameters()):  # direction unchanged
        np.testing.assert_allclose(p.grad.array, g * 0.5 / (total + 1e-6))
    # below the threshold: untouched
    before = [p.grad.array.copy() for p in net.parameters()]
    nn.utils.clip_grad_norm_(net.parameters(), max_norm=10.0)
    for b, p in zip(before, net.parameters()):
        np.testing.assert_array_equal(p.grad.array, b)


def test_clip_grad_norm_inf_and_p_norms_and_missing_grads():
    net = _model_with_grads()
    gmax = max(np.abs(p.grad.array).max() for p in net.parameters())
    assert float(nn.utils.clip_grad_norm_(net.parameters(), 1e9, norm_type=float("inf"))) == gmax
    l1 = sum(np.abs(p.grad.array).sum() for p in net.parameters())
    assert float(nn.utils.clip_grad_norm_(net.parameters(), 1e9, norm_type=1)) == pytest.approx(l1)
    fresh = nn.Linear(2, 2)
    assert float(nn.utils.clip_grad_norm_(fresh.parameters(), 1.0)) == 0.0  # no grads yet
    bad = nn.Parameter(ag.zeros(2))
    bad.grad = ag.tensor([np.inf, 1.0])
    with pytest.raises(RuntimeError, match="norm"):
        nn.utils.clip_grad_norm_([bad], 1.0, error_if_nonfinite=True)


@requires_torch
def test_clip_grad_norm_matches_torch():
    net = _model_with_grads()
    tparams = [torch.tensor(p.array, requires_grad=True) for p in net.parameters()]
    for tp, p in zip(tparams, net.parameters()):
        tp.grad = torch.tensor(p.grad.array.copy())
    for norm_type in (2.0, 1.0, float("inf")):
        t = torch.nn.utils.clip_grad_norm_(tparams, 0.3, norm_type=norm_type)
        ours = nn.utils.clip_grad_norm_(net.parameters(), 0.3, norm_type=norm_type)
        assert float(ours) == pytest.approx(t.item(), rel=1e-10)
        for tp, p in zip(tparams, net.parameters()):
            np.testing.assert_allclose(p.grad.array, tp.grad.numpy(), rtol=1e-10)


def test_clip_grad_value():
    net = _model_with_grads()
    nn.utils.clip_grad_value_(net.parameters(), 0.1)
    assert all(np.abs(p.grad.array).max() <= 0.1 for p in net.parameters())


def test_parameters_to_vector_and_back():
    net = nn.Sequential(nn.Linear(3, 2), nn.Linear(2, 1))
    vec = nn.utils.parameters_to_vector(net.parameters())
    assert vec.shape == (3 * 2 + 2 + 2 + 1,)
    nn.utils.vector_to_parameters(np.arange(vec.shape[0], dtype=np.float32), net.parameters())
    np.testing.assert_array_equal(net[0].weight.array, np.arange(6).reshape(2, 3))
    np.testing.assert_array_equal(net[1].bias.array, [10])
    with pytest.raises(ValueError, match="11"):
        nn.utils.vector_to_parameters(np.zeros(3), net.parameters())


def test_penalties_values_and_gradients():
    w1 = ag.tensor(np.array([[1.0, -2.0], [0.5, 0.0]]), requires_grad=True)
    w2 = ag.tensor(np.array([3.0, -1.0]), requires_grad=True)
    l1, l2 = nn.l1_penalty([w1, w2]), nn.l2_penalty(iter([w1, w2]))
    assert l1.item() == pytest.approx(7.5) and l2.item() == pytest.approx(15.25)
    (l1 + l2).backward()
    np.testing.assert_allclose(w1.grad.array, np.sign(w1.array) + 2 * w1.array)
    np.testing.assert_allclose(w2.grad.array, np.sign(w2.array) + 2 * w2.array)
    w = ag.tensor(np.array([[0.3, -0.7], [1.2, 0.4]]), requires_grad=True)
    assert ag.gradcheck(lambda t: nn.l1_penalty([t]) + nn.l2_penalty(t), (w,))
    assert nn.l2_penalty([]).item() == 0.0


def test_l2_penalty_is_weight_decay():
    """Adding lambda/2 * ||w||^2 to the loss makes one gradient step w(1 - lr lambda) - lr g."""
    lin = nn.Linear(3, 1).double()
    x = ag.tensor(np.random.default_rng(0).standard_normal((4, 3)))
    lam, lr = 0.1, 0.5
    w0 = lin.weight.array.copy()
    lin(x).sum().backward()
    g = lin.weight.grad.array.copy()
    lin.zero_grad()
    (lin(x).sum() + lam / 2 * nn.l2_penalty([lin.weight])).backward()
    np.testing.assert_allclose(w0 - lr * lin.weight.grad.array, w0 * (1 - lr * lam) - lr * g)
