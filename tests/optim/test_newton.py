"""Newton's method: one-step solves, least squares, logistic regression, indefinite
Hessians, the conjugate-gradient path and the closure contract."""
import numpy as np
import pytest

import autograd as ag
import optim
from optim.newton import cg_solve, newton_direction


def _quadratic(seed=0, n=4):
    rng = np.random.default_rng(seed)
    M = rng.standard_normal((n, n))
    A = M @ M.T + n * np.eye(n)
    return A, rng.standard_normal(n)


@pytest.mark.parametrize("max_dense", [256, 0], ids=["dense", "cg"])
def test_one_step_on_a_strictly_convex_quadratic(max_dense):
    """f = 1/2 x^T A x - b.x + 1/2 |Y - C|^2 over two parameters: one step lands on the minimum."""
    A, b = _quadratic()
    C = np.arange(6.0).reshape(2, 3)
    x = ag.tensor(np.ones(4), requires_grad=True)
    Y = ag.tensor(np.zeros((2, 3)), requires_grad=True)

    def closure():
        return 0.5 * (x * (ag.Tensor(A) @ x)).sum() - (ag.Tensor(b) * x).sum() + 0.5 * ((Y - ag.Tensor(C)) ** 2).sum()

    opt = optim.Newton([x, Y], max_dense=max_dense)
    loss0 = opt.step(closure)
    np.testing.assert_allclose(x.array, np.linalg.solve(A, b), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(Y.array, C, rtol=1e-10, atol=1e-12)
    assert opt.last_damping == 0.0
    assert np.isclose(loss0.item(), 0.5 * np.ones(4) @ A @ np.ones(4) - b.sum() + 0.5 * (C ** 2).sum())
    np.testing.assert_allclose(x.grad.array, A @ np.ones(4) - b)  # .grad: where the step started
    assert opt.state[x]["step"] == 1


def test_least_squares_closed_form():
    """The notes' closed form theta = (W^T W)^-1 W^T y, reached in one Newton step."""
    rng = np.random.default_rng(3)
    W = rng.standard_normal((40, 5))
    y = W @ rng.standard_normal(5) + 0.1 * rng.standard_normal(40)
    theta = ag.tensor(rng.standard_normal(5), requires_grad=True)
    opt = optim.Newton([theta])
    opt.step(lambda: ((ag.Tensor(W) @ theta - ag.Tensor(y)) ** 2).sum())
    np.testing.assert_allclose(theta.array, np.linalg.solve(W.T @ W, W.T @ y), rtol=1e-10)
    np.testing.assert_allclose(theta.array, np.linalg.lstsq(W, y, rcond=None)[0], rtol=1e-10)


def test_logistic_regression_on_two_gaussian_classes():
    """Two overlapping Gaussian classes (so the maximum-likelihood fit exists), labels +-1,
    the notes' logistic loss log(1 + exp(-y (w.x + b))): converged in at most 10 steps."""
    rng = np.random.default_rng(7)
    n = 100
    X = np.concatenate([rng.normal([1.0, 0.5], 1.0, (n, 2)), rng.normal([-1.0, -0.5], 1.0, (n, 2))])
    y = np.concatenate([np.ones(n), -np.ones(n)])
    w = ag.tensor(np.zeros(2), requires_grad=True)
    b = ag.tensor(np.float64(0.0), requires_grad=True)

    def closure():
        z = ag.Tensor(X) @ w + b
        return ag.softplus(-ag.Tensor(y) * z).mean()

    opt = optim.Newton([w, b])
    losses = [opt.step(closure).item() for _ in range(10)]
    gw, gb = ag.grad(closure(), [w, b])
    assert np.sqrt((gw.array ** 2).sum() + gb.item() ** 2) < 1e-10
    assert all(l1 <= l0 + 1e-15 for l0, l1 in zip(losses, losses[1:]))
    assert np.mean(np.sign(X @ w.array + b.item()) == y) > 0.8
    # the same fit by a plain numpy transcription of Newton / IRLS
    theta = np.zeros(3)
    Xb = np.hstack([X, np.ones((2 * n, 1))])
    for _ in range(15):
        p = 1 / (1 + np.exp(y * (Xb @ theta)))  # sigma(-y z)
        g = -(Xb * (y * p)[:, None]).mean(0)
        H = (Xb * (p * (1 - p))[:, None]).T @ Xb / (2 * n)
        theta -= np.linalg.solve(H, g)
    np.testing.assert_allclose(np.append(w.array, b.item()), theta, rtol=1e-9, atol=1e-12)


def test_lr_and_damping_scale_the_step():
    A, b = _quadratic(1)
    x = ag.tensor(np.zeros(4), requires_grad=True)
    closure = lambda: 0.5 * (x * (ag.Tensor(A) @ x)).sum() - (ag.Tensor(b) * x).sum()  # noqa: E731
    optim.Newton([x], lr=0.5, damping=2.0).step(closure)
    np.testing.assert_allclose(x.array, 0.5 * np.linalg.solve(A + 2.0 * np.eye(4), b), rtol=1e-10)


def _mlp_closure(seed=0):
    rng = np.random.default_rng(seed)
    X, T = rng.standard_normal((10, 2)), rng.standard_normal((10, 1))
    params = [ag.tensor(rng.standard_normal(s) * 0.8, requires_grad=True) for s in [(2, 4), (4,), (4, 1), (1,)]]

    def closure():
        h = ag.tanh(ag.Tensor(X) @ params[0] + params[1])
        return ((h @ params[2] + params[3] - ag.Tensor(T)) ** 2).mean()
    return params, closure


def test_dense_and_cg_agree_on_a_nonconvex_network():
    """Hessian row by row versus conjugate gradients with Hessian-vector products: same step."""
    steps = []
    for max_dense in (1000, 0):
        params, closure = _mlp_closure()
        opt = optim.Newton(params, damping=1.0, max_dense=max_dense, cg_tol=1e-13)
        opt.step(closure)
        steps.append(np.concatenate([p.array.ravel() for p in params]))
    np.testing.assert_allclose(steps[0], steps[1], rtol=1e-8, atol=1e-10)


def test_hessian_matches_autograd_functional():
    params, closure = _mlp_closure(1)
    flat0 = np.concatenate([p.array.ravel() for p in params])
    shapes = [p.shape for p in params]

    def f(v):
        out, k = [], 0
        for s in shapes:
            size = int(np.prod(s))
            out.append(v[k:k + size].reshape(s))
            k += size
        h = ag.tanh(ag.Tensor(_X(1)) @ out[0] + out[1])
        return ((h @ out[2] + out[3] - ag.Tensor(_T(1))) ** 2).mean()

    H = ag.functional.hessian(f, ag.tensor(flat0)).array
    g = ag.functional.jacobian(f, ag.tensor(flat0)).array
    opt = optim.Newton(params, damping=5.0)
    opt.step(closure)
    expected = flat0 - np.linalg.solve(H + 5.0 * np.eye(flat0.size), g)
    np.testing.assert_allclose(np.concatenate([p.array.ravel() for p in params]), expected, rtol=1e-9, atol=1e-12)


def _X(seed):
    return np.random.default_rng(seed).standard_normal((10, 2))


def _T(seed):
    rng = np.random.default_rng(seed)
    rng.standard_normal((10, 2))
    return rng.standard_normal((10, 1))


@pytest.mark.parametrize("max_dense", [256, 0], ids=["dense", "cg"])
def test_saddle_point_is_damped_not_nan(max_dense):
    """f = x^2 - y^2 + y^4/4: the Hessian at (1, 0.1) is indefinite. The plain Newton step
    would move towards the saddle; Levenberg-Marquardt damping gives a descent direction."""
    w = ag.tensor(np.array([1.0, 0.1]), requires_grad=True)
    closure = lambda: w[0] ** 2 - w[1] ** 2 + 0.25 * w[1] ** 4  # noqa: E731
    opt = optim.Newton([w], max_dense=max_dense)
    f0 = closure().item()
    for _ in range(30):
        opt.step(closure)
        assert np.all(np.isfinite(w.array))
    assert opt.state[w]["step"] == 30
    assert closure().item() < f0
    np.testing.assert_allclose(w.array, [0.0, np.sqrt(2.0)], atol=1e-6)  # a true minimum


@pytest.mark.parametrize("max_dense", [256, 0], ids=["dense", "cg"])
def test_indefinite_hessian_can_raise_instead(max_dense):
    w = ag.tensor(np.array([1.0, 0.1]), requires_grad=True)
    opt = optim.Newton([w], max_dense=max_dense, adaptive_damping=False)
    with pytest.raises(optim.NotPositiveDefiniteError, match="not positive definite"):
        opt.step(lambda: w[0] ** 2 - w[1] ** 2)
    np.testing.assert_array_equal(w.array, [1.0, 0.1])  # nothing moved


def test_non_finite_loss_raises():
    w = ag.tensor(np.array([-1.0, 2.0]), requires_grad=True)
    opt = optim.Newton([w])
    with pytest.raises(FloatingPointError, match="inf or NaN"), np.errstate(invalid="ignore"):
        opt.step(lambda: ag.sqrt(w).sum())


def test_no_closure_shows_the_pattern():
    opt = optim.Newton([ag.tensor(np.ones(2), requires_grad=True)])
    with pytest.raises(RuntimeError, match="closure") as info:
        opt.step()
    assert "def closure():" in str(info.value) and "opt.step(closure)" in str(info.value)


def test_closure_must_return_a_scalar_tensor():
    w = ag.tensor(np.ones(3), requires_grad=True)
    opt = optim.Newton([w])
    with pytest.raises(ValueError, match="scalar loss.*shape \\(3,\\)"):
        opt.step(lambda: w * w)
    with pytest.raises(TypeError, match="Tensor"):
        opt.step(lambda: 3.0)
    with pytest.raises(RuntimeError, match="does not depend"):
        opt.step(lambda: ag.tensor(1.0))


def test_closure_that_calls_backward_gets_an_explanation():
    w = ag.tensor(np.ones(3), requires_grad=True)
    opt = optim.Newton([w])

    def closure():
        loss = (w ** 3).sum()
        loss.backward()
        return loss

    with pytest.raises(RuntimeError, match="without calling backward"):
        opt.step(closure)


def test_parameter_not_in_the_loss_and_linear_terms():
    """A parameter the loss ignores gets a zero gradient; a loss linear in a parameter has a
    zero Hessian block, so it needs damping (adaptive) and stays finite."""
    x = ag.tensor(np.ones(2), requires_grad=True)
    unused = ag.tensor(np.ones(3), requires_grad=True)
    opt = optim.Newton([x, unused])
    opt.step(lambda: ((x - 3.0) ** 2).sum())
    np.testing.assert_allclose(x.array, [3.0, 3.0])
    np.testing.assert_array_equal(unused.array, np.ones(3))
    np.testing.assert_array_equal(unused.grad.array, np.zeros(3))
    a = ag.tensor(np.ones(2), requires_grad=True)
    opt = optim.Newton([a], damping=1.0)
    opt.step(lambda: (2.0 * a).sum())  # H = 0: the damped step is a gradient step of size lr/damping
    np.testing.assert_allclose(a.array, [-1.0, -1.0])


def test_single_parameter_group_only():
    w, v = (ag.tensor(np.ones(2), requires_grad=True) for _ in range(2))
    with pytest.raises(ValueError, match="one Hessian"):
        optim.Newton([{"params": [w]}, {"params": [v]}])


def test_pure_solvers():
    H = np.array([[2.0, 0.0], [0.0, -1.0]])
    d, lam = newton_direction(H, np.array([1.0, 1.0]))
    assert lam > 1.0 and np.all(np.isfinite(d)) and d @ np.array([1.0, 1.0]) > 0
    d, lam = cg_solve(lambda v: H @ v, np.array([1.0, 1.0]))
    assert lam > 1.0 and np.all(np.isfinite(d)) and d @ np.array([1.0, 1.0]) > 0
    A, b = _quadratic(2, n=30)
    d, lam = cg_solve(lambda v: A @ v, b, tol=1e-12)
    np.testing.assert_allclose(d, np.linalg.solve(A, b), rtol=1e-9)
    assert lam == 0.0
    with pytest.raises(FloatingPointError):
        newton_direction(np.array([[np.nan]]), np.array([1.0]))
