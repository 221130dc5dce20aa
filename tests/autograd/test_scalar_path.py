"""The engine's scalar fast path (a graph made only of 0-d tensors runs its rules on
Python floats) must give exactly what the array path gives for the same program.

Each program is run twice: on 0-d tensors (the fast path) and on shape-(1,) tensors
(the ordinary array path), and the gradients are compared."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import autograd as ag

UNARY = {
    "exp": lambda a: ag.exp(a * 0.1), "log": lambda a: ag.log(ag.abs(a) + 0.5),
    "sqrt": lambda a: ag.sqrt(ag.abs(a)), "sin": ag.sin, "cos": ag.cos, "tanh": ag.tanh,
    "sigmoid": ag.sigmoid, "relu": ag.relu, "abs": ag.abs, "softplus": ag.softplus,
    "arctan": ag.arctan, "square": lambda a: a ** 2, "cube": lambda a: a ** 3,
    "clip": lambda a: ag.clip(a, -0.5, 0.5),
}
BINARY = {
    "add": lambda a, b: a + b, "sub": lambda a, b: a - b, "mul": lambda a, b: a * b,
    "div": lambda a, b: a / (ag.abs(b) + 0.5), "max": ag.maximum, "min": ag.minimum,
    "where": lambda a, b: ag.where(a > b, a, b * 2.0),
}


def run(program, values, shape, dtype):
    xs = [ag.Tensor(np.full(shape, v, dtype=dtype), requires_grad=True) for v in values]
    vals = list(xs)
    for kind, name, i, j in program:
        a, b = vals[i % len(vals)], vals[j % len(vals)]
        vals.append(UNARY[name](a) if kind == "u" else BINARY[name](a, b))
    out = vals[-1]
    for v in vals[len(xs):-1]:  # every intermediate also feeds the output: shared nodes
        out = out + v * 0.5
    out.sum().backward()
    # an input the program never used has no gradient on either path: count it as 0
    grads = [np.zeros(()) if x.grad is None else x.grad.numpy().reshape(()) for x in xs]
    return grads, [dtype if x.grad is None else x.grad.dtype for x in xs]


step = st.one_of(
    st.tuples(st.just("u"), st.sampled_from(sorted(UNARY)), st.integers(0, 50), st.integers(0, 50)),
    st.tuples(st.just("b"), st.sampled_from(sorted(BINARY)), st.integers(0, 50), st.integers(0, 50)))


@settings(max_examples=60, deadline=None)
@given(program=st.lists(step, min_size=1, max_size=25),
       values=st.lists(st.floats(-2, 2, allow_nan=False), min_size=1, max_size=4))
def test_scalar_graph_matches_array_path_float64(program, values):
    g0, _ = run(program, values, (), np.float64)
    g1, _ = run(program, values, (1,), np.float64)
    np.testing.assert_allclose(g0, g1, rtol=1e-12, atol=1e-12)


@settings(max_examples=30, deadline=None)
@given(program=st.lists(step, min_size=1, max_size=15),
       values=st.lists(st.floats(-2, 2, allow_nan=False, width=32), min_size=1, max_size=3))
def test_scalar_graph_float32_gives_float32_gradients(program, values):
    g0, dt0 = run(program, values, (), np.float32)
    g1, dt1 = run(program, values, (1,), np.float32)
    assert dt0 == dt1 == [np.float32] * len(values)
    np.testing.assert_allclose(g0, g1, rtol=1e-4, atol=1e-5)


def test_scalar_path_singular_points_match_array_path():
    # division by zero, log and sqrt at 0: float arithmetic would raise; the engine
    # must fall back to numpy's rules and give the same inf / masked-zero results
    for shape in ((), (1,)):
        x = ag.Tensor(np.zeros(shape), requires_grad=True)
        y = ag.Tensor(np.full(shape, 2.0), requires_grad=True)
        with np.errstate(divide="ignore"):
            out = y / x
        (out + ag.where(x > 0, ag.sqrt(x), 0.0) + ag.log(x + 1)).sum().backward()
        assert np.isinf(x.grad.numpy()).all()  # d(y/x)/dx = -y/x^2 at 0
        assert np.isinf(y.grad.numpy()).all()  # d(y/x)/dy = 1/x at 0
        z = ag.Tensor(np.zeros(shape), requires_grad=True)
        ag.where(z > 0, ag.sqrt(z), 0.0).sum().backward()
        assert z.grad.numpy().reshape(()) == 0.0


def test_scalar_path_hooks_retain_grad_grad_table_and_ag_grad():
    x = ag.tensor(2.0, dtype=np.float64, requires_grad=True)
    h = x * 3.0
    h.retain_grad()
    seen = []
    h.register_hook(lambda g: seen.append(g.item()) or g * 2)
    z = ag.tanh(h) * x
    table = ag.grad_table(z)
    # the table holds the gradient after h's hook ran (doubled): dz/dh = x (1 - tanh^2 h)
    assert np.isclose(table[h].item(), 2 * (1 - np.tanh(6.0) ** 2) * 2.0, rtol=1e-5)
    (gx,) = ag.grad(z, x, retain_graph=True)
    z.backward()
    expected = np.tanh(6.0) + 2.0 * (1 - np.tanh(6.0) ** 2) * 3.0 * 2  # hook doubles dz/dh
    assert np.isclose(x.grad.item(), expected) and np.isclose(gx.item(), expected)
    assert np.isclose(h.grad.item(), 2 * (1 - np.tanh(6.0) ** 2) * 2.0, rtol=1e-5)
    assert isinstance(x.grad.array, np.ndarray) and x.grad.dtype == np.float64
    assert len(seen) == 3


def test_scalar_graph_second_order_still_exact():
    x = ag.tensor(0.7, dtype=np.float64, requires_grad=True)
    (g,) = ag.grad(ag.sin(x) * x, x, create_graph=True)
    (h,) = ag.grad(g, x)
    assert np.isclose(h.item(), -np.sin(0.7) * 0.7 + 2 * np.cos(0.7))
