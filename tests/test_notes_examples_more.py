"""More of the notes' worked examples, as the notebooks show them (issue 13): one layer's
three Jacobians (000), the perceptron's two formulations and loss (004), a step-function
MLP (004), MSE as a Gaussian likelihood (004)."""
import numpy as np

import autograd as ag
import nn
import nn.functional as F


def test_000_single_layer_jacobians():
    """df/da rows Phi'(zeta_k) omega_k^T; df/dw_k only line k = Phi'(zeta_k) alpha^T;
    df/db = diag(Phi'(zeta)), for f(a, W, b) = tanh(W^T a + b), W = (w_1 .. w_m) by columns."""
    rng = np.random.default_rng(0)
    alpha, Omega, beta = rng.standard_normal(3), rng.standard_normal((3, 4)), rng.standard_normal(4)
    J_a, J_W, J_b = ag.functional.jacobian(lambda a, W, b: ag.tanh(W.T @ a + b),
                                           (ag.tensor(alpha), ag.tensor(Omega), ag.tensor(beta)))
    dphi = 1 - np.tanh(Omega.T @ alpha + beta) ** 2
    np.testing.assert_allclose(J_a.numpy(), dphi[:, None] * Omega.T, rtol=1e-12)
    for k in range(4):
        expected = np.zeros((4, 3))
        expected[k] = dphi[k] * alpha
        np.testing.assert_allclose(J_W.numpy()[:, :, k], expected, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(J_b.numpy(), np.diag(dphi), rtol=1e-12, atol=1e-15)


def test_004_perceptron_loss_gradient_is_the_rule():
    """L = -(y - yhat) x^T w with yhat = Threshold(x^T w) (formulation 1, x_0 = 1):
    dL/dw = -(y - yhat) x, and L = max(0, -(2y - 1) x^T w) = F.perceptron_loss."""
    rng = np.random.default_rng(1)
    X1 = np.c_[np.ones(20), rng.standard_normal((20, 2))]
    y = (rng.random(20) < 0.5).astype(float)
    w0 = np.array([0.1, 1.0, -1.0])
    for x_i, y_i in zip(X1, y):
        w = ag.tensor(w0, requires_grad=True)
        z = ag.tensor(x_i) @ w
        yhat = F.binary_step(z)
        (-(y_i - yhat) * z).backward()
        np.testing.assert_allclose(w.grad.numpy(), -(y_i - yhat.item()) * x_i)
    z = ag.tensor(X1 @ w0)
    notes = (-(ag.tensor(y) - F.binary_step(z)) * z).numpy()
    np.testing.assert_allclose(notes, F.perceptron_loss(z, ag.tensor(2 * y - 1),
                                                        reduction="none").numpy(), atol=1e-15)


def test_004_three_step_units_make_a_four_level_staircase():
    """Hidden Threshold(x - t_k), output c_0 + sum_k (c_k - c_{k-1}) Threshold(x - t_k)."""
    t, c = np.array([-1.0, 0.0, 1.0]), np.array([1.5, -1.0, 1.0, -0.3])
    net = nn.Sequential(nn.Linear(1, 3), nn.Linear(3, 1)).double()
    net[0].weight.array[...] = 1.0
    net[0].bias.array[...] = -t
    net[1].weight.array[...] = np.diff(c)
    net[1].bias.array[...] = c[0]
    x = ag.tensor(np.array([[-1.5], [-0.5], [0.5], [1.5], [1.0]]))
    out = net[1](F.binary_step(net[0](x))).numpy().ravel()
    np.testing.assert_allclose(out, [1.5, -1.0, 1.0, -0.3, -0.3])    # Threshold(0) = 1


def test_004_mse_minimiser_is_the_gaussian_maximum_likelihood():
    """-log N(y; yhat, s2) summed = n/2 log(2 pi s2) + sum (y - yhat)^2 / (2 s2): its gradient
    in yhat is the (unhalved-sum) MSE gradient / (2 s2), so both have the same minimiser."""
    rng = np.random.default_rng(2)
    yhat_np, y_np = rng.standard_normal(7), rng.standard_normal(7)
    for s2 in (0.25, 4.0):
        yhat = ag.tensor(yhat_np, requires_grad=True)
        nll = F.gaussian_nll_loss(yhat, ag.tensor(y_np), s2, full=True, reduction="sum")
        assert np.isclose(nll.item(), 3.5 * np.log(2 * np.pi * s2)
                          + ((y_np - yhat_np) ** 2).sum() / (2 * s2))
        nll.backward()
        np.testing.assert_allclose(yhat.grad.numpy(), (yhat_np - y_np) / s2)
