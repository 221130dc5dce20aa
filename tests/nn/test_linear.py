"""Linear, Identity, Flatten; and the notes' first models trained by hand (XOR, logistic
regression on two Gaussian classes)."""
import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F
from tests.helpers import requires_torch, torch


def test_shapes_layout_and_repr():
    lin = nn.Linear(5, 3)
    assert lin.weight.shape == (3, 5) and lin.bias.shape == (3,)
    assert lin.weight.dtype == np.float32
    assert lin(ag.randn(7, 5)).shape == (7, 3)
    assert lin(ag.randn(2, 4, 5)).shape == (2, 4, 3)
    assert repr(lin) == "Linear(in_features=5, out_features=3, bias=True)"
    nob = nn.Linear(5, 3, bias=False)
    assert nob.bias is None and [n for n, _ in nob.named_parameters()] == ["weight"]
    with pytest.raises(ValueError, match="in_features=5"):
        lin(ag.randn(2, 4))


def test_computes_x_wT_plus_b():
    lin = nn.Linear(3, 2, dtype=np.float64)
    x = np.random.default_rng(0).standard_normal((4, 3))
    np.testing.assert_allclose(lin(ag.tensor(x)).array, x @ lin.weight.array.T + lin.bias.array)


def test_gradcheck_input_weight_bias():
    lin = nn.Linear(3, 2).double()
    x = ag.tensor(np.random.default_rng(1).standard_normal((4, 3)), requires_grad=True)
    assert ag.gradcheck(lambda a, w, b: F.linear(a, w, b), (x, lin.weight, lin.bias))
    assert ag.gradcheck(lambda a, w: F.linear(a, w), (x, lin.weight))


def test_backward_is_the_notes_layer_rule():
    """dW = dZ^T A_prev (PyTorch layout), db = sum of dZ over samples, dA_prev = dZ W."""
    rng = np.random.default_rng(2)
    lin = nn.Linear(3, 2, dtype=np.float64)
    a = ag.tensor(rng.standard_normal((5, 3)), requires_grad=True)
    dz = rng.standard_normal((5, 2))
    lin(a).backward(ag.tensor(dz))
    np.testing.assert_allclose(lin.weight.grad.array, dz.T @ a.array)
    np.testing.assert_allclose(lin.bias.grad.array, dz.sum(0))
    np.testing.assert_allclose(a.grad.array, dz @ lin.weight.array)


@requires_torch
def test_matches_torch_with_copied_weights():
    rng = np.random.default_rng(3)
    ours, theirs = nn.Linear(4, 3, dtype=np.float64), torch.nn.Linear(4, 3).double()
    with torch.no_grad():
        theirs.weight.copy_(torch.tensor(ours.weight.array))
        theirs.bias.copy_(torch.tensor(ours.bias.array))
    x = rng.standard_normal((6, 4))
    xa, xt = ag.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, tout = ours(xa), theirs(xt)
    np.testing.assert_allclose(out.array, tout.detach().numpy(), rtol=1e-12)
    g = rng.standard_normal((6, 3))
    out.backward(ag.tensor(g))
    tout.backward(torch.tensor(g))
    np.testing.assert_allclose(xa.grad.array, xt.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(ours.weight.grad.array, theirs.weight.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(ours.bias.grad.array, theirs.bias.grad.numpy(), rtol=1e-12)


@requires_torch
def test_default_init_matches_torch_statistically():
    torch.manual_seed(0)
    ours, theirs = nn.Linear(256, 128), torch.nn.Linear(256, 128)
    w_ours, w_theirs = ours.weight.array, theirs.weight.detach().numpy()
    bound = 1 / np.sqrt(256)
    for w in (w_ours, w_theirs):
        assert np.abs(w).max() <= bound
    assert abs(w_ours.std() / w_theirs.std() - 1) < 0.03
    assert abs(w_ours.std() - bound / np.sqrt(3)) < 0.02 * bound / np.sqrt(3)
    assert abs(w_ours.mean()) < 0.01 * bound
    b = nn.Linear(256, 4096).bias.array  # enough biases to check their spread
    assert np.abs(b).max() <= bound and abs(b.std() - bound / np.sqrt(3)) < 0.05 * bound / np.sqrt(3)


def test_init_is_reproducible_with_manual_seed():
    ag.manual_seed(5)
    a = nn.Linear(3, 3).weight.array.copy()
    ag.manual_seed(5)
    np.testing.assert_array_equal(nn.Linear(3, 3).weight.array, a)


def test_identity_and_flatten():
    x = ag.randn(2, 3, 4, 5)
    assert nn.Identity(7, foo=1)(x) is x
    assert nn.Flatten()(x).shape == (2, 60)
    assert nn.Flatten(0, 1)(x).shape == (6, 4, 5)
    assert nn.Flatten(2)(x).shape == (2, 3, 20)
    assert nn.Unflatten(1, (3, 20))(ag.randn(2, 60)).shape == (2, 3, 20)
    assert repr(nn.Flatten()) == "Flatten(start_dim=1, end_dim=-1)"
    xa = ag.tensor(np.random.default_rng(0).standard_normal((2, 3, 2)), requires_grad=True)
    assert ag.gradcheck(nn.Flatten(), (xa,))


def _gd_step(model, lr):
    """Plain gradient descent on p.array (no optimizer)."""
    for p in model.parameters():
        p.array -= lr * p.grad.array


def test_mlp_solves_xor():
    X = ag.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = np.array([[0.0], [1.0], [1.0], [0.0]])
    # no line separates XOR: a linear model cannot get all 4 right
    lin = nn.Linear(2, 1)
    for _ in range(300):
        lin.zero_grad()
        F.binary_cross_entropy_with_logits(lin(X), y).backward()
        _gd_step(lin, 0.5)
    assert ((lin(X).array > 0) == y).sum() < 4
    # one hidden layer fixes it
    net = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 1))
    for _ in range(500):
        net.zero_grad()
        loss = F.binary_cross_entropy_with_logits(net(X), y)
        loss.backward()
        _gd_step(net, 0.5)
    assert loss.item() < 0.05
    np.testing.assert_array_equal(net(X).array > 0, y > 0.5)


def test_logistic_regression_recovers_the_linear_bayes_boundary():
    """Two Gaussian classes with a shared covariance have linear log-odds
    w* x + b*, w* = Sigma^-1 (mu1 - mu0): logistic regression should find that direction."""
    rng = np.random.default_rng(0)
    n = 1000
    mu0, mu1 = np.array([0.0, 0.0]), np.array([3.0, 0.0])
    sigma = np.array([[1.0, 0.6], [0.6, 1.0]])
    chol = np.linalg.cholesky(sigma)
    X = np.vstack([mu0 + rng.standard_normal((n, 2)) @ chol.T,
                   mu1 + rng.standard_normal((n, 2)) @ chol.T]).astype(np.float32)
    y = np.r_[np.zeros(n), np.ones(n)][:, None]
    w_bayes = np.linalg.solve(sigma, mu1 - mu0)
    b_bayes = -0.5 * (mu1 + mu0) @ w_bayes

    model = nn.Linear(2, 1)
    Xa = ag.tensor(X)
    for _ in range(500):
        model.zero_grad()
        F.binary_cross_entropy_with_logits(model(Xa), y).backward()
        _gd_step(model, 1.0)
    w, b = model.weight.array.ravel().astype(np.float64), float(model.bias.array[0])
    accuracy = ((model(Xa).array > 0) == (y > 0.5)).mean()
    bayes_accuracy = (((X @ w_bayes + b_bayes) > 0) == (y.ravel() > 0.5)).mean()
    cosine = w @ w_bayes / np.linalg.norm(w) / np.linalg.norm(w_bayes)
    assert accuracy >= 0.95 and accuracy >= bayes_accuracy - 0.01
    assert cosine > 0.99
    assert abs(b / np.linalg.norm(w) - b_bayes / np.linalg.norm(w_bayes)) < 0.15
