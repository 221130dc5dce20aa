"""The notes' momentum forms and how they relate to torch-style SGD momentum."""
import numpy as np
import pytest

import autograd as ag
import optim
from tests.optim.problems import MLP, leaves, max_rel_diff, train

B = 0.9


def test_momentum_is_the_notes_formula_by_hand():
    """Two steps written out: V1 = (1-b) g1, V2 = b V1 + (1-b) g2, theta -= lr V."""
    w = ag.tensor(np.array([1.0, -2.0]), requires_grad=True)
    opt = optim.Momentum([w], lr=0.5, beta=0.8)
    g1, g2 = np.array([1.0, 2.0]), np.array([-3.0, 0.5])
    w.grad = ag.Tensor(g1)
    opt.step()
    V1 = 0.2 * g1
    np.testing.assert_allclose(w.array, np.array([1.0, -2.0]) - 0.5 * V1, rtol=0, atol=1e-15)
    w.grad = ag.Tensor(g2)
    opt.step()
    V2 = 0.8 * V1 + 0.2 * g2
    np.testing.assert_allclose(w.array, np.array([1.0, -2.0]) - 0.5 * V1 - 0.5 * V2, rtol=0, atol=1e-15)
    np.testing.assert_allclose(opt.state[w]["momentum_buffer"], V2, rtol=0, atol=1e-15)


def test_constant_gradient_shows_the_start_at_zero():
    """With a constant gradient g the notes' V_t = (1 - b^t) g (a warm-up from 0), while
    SGD(momentum=b, dampening=b) keeps buf_t = g from the first step."""
    g = np.array([1.0, -0.5, 2.0])
    lr, T = 0.1, 30
    w = ag.tensor(np.zeros(3), requires_grad=True)
    u = ag.tensor(np.zeros(3), requires_grad=True)
    mom = optim.Momentum([w], lr=lr, beta=B)
    sgd = optim.SGD([u], lr=lr, momentum=B, dampening=B)
    for t in range(1, T + 1):
        for p in (w, u):
            p.grad = ag.Tensor(g)
        mom.step()
        sgd.step()
        np.testing.assert_allclose(mom.state[w]["momentum_buffer"], (1 - B ** t) * g, rtol=1e-13)
        np.testing.assert_allclose(sgd.state[u]["momentum_buffer"], g, rtol=1e-13)
    # theta_T = -lr * sum_t (1 - b^t) g  versus  -lr * T * g: they differ by lr * sum_t b^t g
    np.testing.assert_allclose(w.array, -lr * sum(1 - B ** t for t in range(1, T + 1)) * g, rtol=1e-12)
    np.testing.assert_allclose(u.array - w.array, -lr * sum(B ** t for t in range(1, T + 1)) * g, rtol=1e-12)


def _train_mlp(make, prime=None, steps=100):
    problem = MLP()
    params = leaves(problem.init)
    opt = make(params)
    if prime is not None:
        prime(opt, params, problem)
    return train(lambda ps: opt, problem, steps, params=params)


def test_momentum_started_at_first_gradient_is_sgd_with_dampening():
    """Momentum(b) and SGD(momentum=b, dampening=b) run the same recursion; they differ only
    in V's start. Starting Momentum's V at g_1 reproduces SGD's whole trajectory."""
    def prime(opt, params, problem):
        for p, g in zip(params, problem.grad_np([p.array for p in params])):
            opt.state[p] = {"step": 0, "momentum_buffer": g.copy()}

    ours = _train_mlp(lambda ps: optim.Momentum(ps, lr=0.1, beta=B), prime)
    sgd = _train_mlp(lambda ps: optim.SGD(ps, lr=0.1, momentum=B, dampening=B))
    assert max_rel_diff(ours, sgd) <= 1e-12
    plain = _train_mlp(lambda ps: optim.Momentum(ps, lr=0.1, beta=B))
    assert max_rel_diff(plain, sgd) > 1e-3  # and unprimed they really differ


def test_momentum_is_sgd_momentum_with_rescaled_lr():
    """Momentum(lr, b) == SGD(lr (1 - b), momentum=b): SGD's buffer is V / (1 - b)."""
    ours = _train_mlp(lambda ps: optim.Momentum(ps, lr=0.1, beta=B))
    sgd = _train_mlp(lambda ps: optim.SGD(ps, lr=0.1 * (1 - B), momentum=B))
    assert max_rel_diff(ours, sgd) <= 1e-12


def test_nesterov_is_sgd_nesterov_with_rescaled_lr():
    """Nesterov(lr, b) == SGD(lr (1 - b), momentum=b, nesterov=True)."""
    ours = _train_mlp(lambda ps: optim.Nesterov(ps, lr=0.1, beta=B))
    sgd = _train_mlp(lambda ps: optim.SGD(ps, lr=0.1 * (1 - B), momentum=B, nesterov=True))
    assert max_rel_diff(ours, sgd) <= 1e-12


def test_nesterov_follows_the_look_ahead_form():
    """The notes: V <- b V + (1-b) grad f(theta - lr b V), theta <- theta - lr V, with the
    gradient evaluated at the look-ahead point. The optimizer's parameters are that point."""
    problem = MLP()
    lr = 0.1
    theta = [a.copy() for a in problem.init]
    V = [np.zeros_like(a) for a in theta]
    expected = []
    for _ in range(100):
        look = [th - lr * B * v for th, v in zip(theta, V)]
        g = problem.grad_np(look)
        V = [B * v + (1 - B) * gi for v, gi in zip(V, g)]
        theta = [th - lr * v for th, v in zip(theta, V)]
        expected.append([th - lr * B * v for th, v in zip(theta, V)])
    ours = _train_mlp(lambda ps: optim.Nesterov(ps, lr=lr, beta=B))
    assert max_rel_diff(ours, expected) <= 1e-10


@pytest.mark.parametrize("name", ["Momentum", "Nesterov"])
def test_momentum_smooths_a_canyon(name):
    """The notes' picture: on a narrow canyon plain gradient descent crawls along the floor
    while momentum builds up speed; after 100 steps momentum is much closer to the minimum."""
    def run(opt_cls, **kw):
        w = ag.tensor(np.array([-10.0, 1.0]), requires_grad=True)
        opt = opt_cls([w], **kw)
        for _ in range(100):
            opt.zero_grad()
            (0.5 * (0.1 * w[0] ** 2 + 10.0 * w[1] ** 2)).backward()
            opt.step()
        return np.linalg.norm(w.array)

    # plain GD is near its stability limit 2 / L = 0.2; V averages g, so momentum can take
    # lr / (1 - b) times larger steps along the floor without the zig-zag blowing up
    assert run(getattr(optim, name), lr=1.0, beta=0.9) < 0.1 * run(optim.SGD, lr=0.19)
