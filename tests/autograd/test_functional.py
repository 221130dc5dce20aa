"""Higher order: Hessians, Hessian-vector products, Jacobians and forward-mode
directional derivatives, all exact."""
import numpy as np
import pytest

import autograd as ag
from autograd import functional as AF


@pytest.fixture
def problem():
    rng = np.random.default_rng(3)
    A = rng.standard_normal((4, 4))
    b = rng.standard_normal(4)
    x = rng.standard_normal(4)
    return A, b, x


def quadratic(A, b):
    At, bt = ag.tensor(A), ag.tensor(b)
    return lambda x: x @ (At @ x) + bt @ x


def test_hessian_of_quadratic_is_A_plus_At(problem):
    A, b, x = problem
    H = AF.hessian(quadratic(A, b), ag.tensor(x))
    assert H.shape == (4, 4) and H.dtype == np.float64
    np.testing.assert_allclose(H.array, A + A.T, rtol=1e-13, atol=1e-13)
    (g,) = ag.grad(quadratic(A, b)(ag.tensor(x, requires_grad=True)), [ag.tensor(x, requires_grad=True)],
                   allow_unused=True)
    assert g is None  # a different leaf was never used


def test_gradient_of_quadratic(problem):
    A, b, x = problem
    xt = ag.tensor(x, requires_grad=True)
    quadratic(A, b)(xt).backward()
    np.testing.assert_allclose(xt.grad.array, (A + A.T) @ x + b, rtol=1e-13)


def test_hvp_is_exact(problem):
    A, b, x = problem
    v = np.arange(4.0) - 1.5
    out, hv = AF.hvp(quadratic(A, b), ag.tensor(x), ag.tensor(v))
    np.testing.assert_allclose(hv.array, (A + A.T) @ v, rtol=1e-13, atol=1e-13)
    assert out.item() == pytest.approx(x @ A @ x + b @ x, rel=1e-13)
    assert not hv.requires_grad


def test_hessian_of_nonquadratic_function():
    x = np.array([0.3, -0.7, 1.1])

    def f(t):
        return (ag.sin(t) * t[[1, 2, 0]]).sum() + ag.exp(t).prod()

    H = AF.hessian(f, ag.tensor(x)).array
    e = np.exp(x.sum())
    expected = np.full((3, 3), e)
    s, c = np.sin(x), np.cos(x)
    for i in range(3):
        j = (i + 1) % 3  # f contains sin(x_i) * x_j
        expected[i, i] += -s[i] * x[j]
        expected[i, j] += c[i]
        expected[j, i] += c[i]
    np.testing.assert_allclose(H, expected, rtol=1e-12)
    np.testing.assert_allclose(H, H.T, rtol=1e-12)


def test_jacobian_is_exact(problem):
    A, b, x = problem
    J = AF.jacobian(lambda t: ag.tensor(A) @ ag.tanh(t), ag.tensor(x))
    np.testing.assert_allclose(J.array, A * (1 - np.tanh(x) ** 2), rtol=1e-13)
    J2 = AF.jacobian(lambda t: t.reshape(2, 2) * 3.0, ag.tensor(x))
    assert J2.shape == (2, 2, 4)
    np.testing.assert_array_equal(J2.array.reshape(4, 4), 3 * np.eye(4))
    Ja, Jb = AF.jacobian(lambda u, w: u * w, (ag.tensor(x), ag.tensor(b)))
    np.testing.assert_array_equal(Ja.array, np.diag(b))
    np.testing.assert_array_equal(Jb.array, np.diag(x))


def test_jvp_is_exact_forward_mode(problem):
    A, b, x = problem
    v = np.array([1.0, 0.0, -2.0, 0.5])
    out, jv = AF.jvp(lambda t: ag.tensor(A) @ ag.sin(t), ag.tensor(x), ag.tensor(v))
    np.testing.assert_allclose(jv.array, A @ (np.cos(x) * v), rtol=1e-13)
    np.testing.assert_allclose(out.array, A @ np.sin(x), rtol=1e-13)
    # the directional derivative agrees with J v from the Jacobian
    J = AF.jacobian(lambda t: ag.tensor(A) @ ag.sin(t), ag.tensor(x))
    np.testing.assert_allclose(jv.array, J.array @ v, rtol=1e-12)


def test_jvp_through_sqrt_with_zero_cotangent_seed():
    x = np.array([1.0, 4.0])
    _, jv = AF.jvp(lambda t: ag.sqrt(t) * 2.0, ag.tensor(x), ag.tensor([1.0, 1.0]))
    np.testing.assert_allclose(jv.array, 1 / np.sqrt(x))


def test_vjp(problem):
    A, b, x = problem
    out, g = AF.vjp(lambda t: ag.tensor(A) @ t, ag.tensor(x), ag.tensor(b))
    np.testing.assert_allclose(g.array, A.T @ b, rtol=1e-13)


def test_newton_step_solves_a_quadratic_exactly(problem):
    A, b, x = problem
    S = A @ A.T + 4 * np.eye(4)  # symmetric positive definite
    f = quadratic(S / 2, b)  # f = x^T S x / 2 + b^T x, minimum at -S^-1 b
    xt = ag.tensor(x, requires_grad=True)
    (g,) = ag.grad(f(xt), xt)
    H = AF.hessian(f, ag.tensor(x))
    x1 = x - np.linalg.solve(H.array, g.array)
    np.testing.assert_allclose(x1, -np.linalg.solve(S, b), rtol=1e-10)


def test_hessian_requires_scalar_output():
    with pytest.raises(ValueError, match="hessian: f must return a tensor with a single element"):
        AF.hessian(lambda t: t * 2, ag.tensor([1.0, 2.0]))


def test_several_inputs_hessian_hvp_jvp():
    x, y = ag.tensor(np.array([1.0, 2.0])), ag.tensor(np.array([3.0]))

    def f(a, b):
        return (a * a).sum() * b.sum() + (a ** 3).sum()

    H = AF.hessian(f, (x, y))
    np.testing.assert_array_equal(H[0][0].array, [[12.0, 0.0], [0.0, 18.0]])  # 2b + 6a
    np.testing.assert_array_equal(H[0][1].array, [[2.0], [4.0]])  # 2a
    np.testing.assert_array_equal(H[1][0].array, [[2.0, 4.0]])
    np.testing.assert_array_equal(H[1][1].array, [[0.0]])
    out, hv = AF.hvp(f, (x, y), (ag.tensor(np.array([1.0, 0.0])), ag.tensor(np.array([1.0]))))
    assert out.item() == 24.0
    np.testing.assert_array_equal(hv[0].array, [14.0, 4.0])
    np.testing.assert_array_equal(hv[1].array, [2.0])
    _, jv = AF.jvp(lambda a, b: a * b, (x, y), (ag.tensor(np.array([1.0, 1.0])), ag.tensor(np.array([1.0]))))
    np.testing.assert_array_equal(jv.array, [4.0, 5.0])
    J = AF.jacobian(lambda a: a * a, x, create_graph=True)
    assert J.requires_grad
    np.testing.assert_array_equal(J.array, [[2.0, 0.0], [0.0, 4.0]])
    np.testing.assert_array_equal(AF.jacobian(lambda a: ag.tensor(np.ones(2)), x).array, np.zeros((2, 2)))


def _mlp_problem(seed=7):
    rng = np.random.default_rng(seed)
    shapes = [(5, 4), (5,), (3, 5), (3,)]
    ps = [rng.standard_normal(s) for s in shapes]
    vs = [rng.standard_normal(s) for s in shapes]
    x, y = rng.standard_normal((6, 4)), rng.integers(0, 3, 6)
    return ps, vs, x, y


def _mlp_loss(x, y):
    def f(w1, b1, w2, b2):
        z = ag.matmul(ag.tanh(ag.matmul(x, w1.T) + b1), w2.T) + b2
        return -ag.log_softmax(z, axis=1)[np.arange(6), y].mean()
    return f


def test_hvp_of_a_tanh_mlp_matches_torch_and_differentiates_again():
    """H v (seeded second pass) against torch's double backward, and the third-order
    derivative d/dw (v . H v) through hvp(create_graph=True) against torch's."""
    torch = pytest.importorskip("torch")
    ps, vs, x, y = _mlp_problem()
    ts = [torch.tensor(p, requires_grad=True) for p in ps]
    tv = [torch.tensor(v) for v in vs]
    h = torch.tanh(torch.tensor(x) @ ts[0].T + ts[1]) @ ts[2].T + ts[3]
    loss = torch.nn.functional.cross_entropy(h, torch.tensor(y))
    gs = torch.autograd.grad(loss, ts, create_graph=True)
    thv = torch.autograd.grad(gs, ts, grad_outputs=tv, create_graph=True)
    t3 = torch.autograd.grad(sum((a * b).sum() for a, b in zip(thv, tv)), ts)
    f = _mlp_loss(ag.tensor(x), y)
    out, hv = AF.hvp(f, tuple(ag.tensor(p) for p in ps), tuple(ag.tensor(v) for v in vs))
    assert out.item() == pytest.approx(loss.item(), rel=1e-12)
    for a, b in zip(hv, thv):
        assert not a.requires_grad
        np.testing.assert_allclose(a.array, b.detach().numpy(), rtol=1e-10, atol=1e-12)
    wt = tuple(ag.tensor(p, requires_grad=True) for p in ps)
    _, hv = AF.hvp(f, wt, tuple(ag.tensor(v) for v in vs), create_graph=True)
    vhv = sum((a * ag.tensor(v)).sum() for a, v in zip(hv, vs))
    for a, b in zip(ag.grad(vhv, wt), t3):
        np.testing.assert_allclose(a.array, b.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("kind", ["shared-gradient", "consumed-gradient"])
def test_hvp_when_gradients_are_shared_or_consumed_by_the_graph(kind):
    """The second pass starts from value-less stand-ins only where that is safe: a
    gradient that add passed unchanged to both inputs (one tensor, two roots), one that
    the graph consumes again (the product's rule used it)."""
    rng = np.random.default_rng(1)
    a, b, c = rng.standard_normal(3), rng.standard_normal(3), rng.standard_normal(3)
    u, w = rng.standard_normal(3), rng.standard_normal(3)
    ct = ag.tensor(c)
    f = {"shared-gradient": lambda x, y: ag.exp(x + y).sum(),
         "consumed-gradient": lambda x, y: ag.exp(x + y * ct).sum()}[kind]
    H = AF.hessian(f, (ag.tensor(a), ag.tensor(b)))
    full = np.block([[H[0][0].array, H[0][1].array], [H[1][0].array, H[1][1].array]])
    _, hv = AF.hvp(f, (ag.tensor(a), ag.tensor(b)), (ag.tensor(u), ag.tensor(w)))
    np.testing.assert_allclose(np.concatenate([hv[0].array, hv[1].array]),
                               full @ np.concatenate([u, w]), rtol=1e-12, atol=1e-12)


def test_bare_roots_keep_values_a_rule_reads():
    """A root whose own rule reads its output (exp) keeps its values; one whose rule does
    not (a product) becomes a value-less stand-in of the same node; a repeated root
    gets one stand-in."""
    from autograd.engine import FreedTensor

    x = ag.tensor(np.array([0.5, -1.0]), requires_grad=True)
    e, p = ag.exp(x), x * 2.0
    got = AF._bare_roots([e, p, p])
    assert got[0] is e
    assert type(got[1]) is FreedTensor and got[1].grad_fn is p.grad_fn and got[1] is got[2]
    assert got[1].shape == p.shape and got[1].dtype == p.dtype
