"""Property-based tests (hypothesis) of broadcasting and its adjoint, unbroadcast,
against a naive reference that walks every output element."""
import numpy as np
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp

import autograd as ag
from autograd import recording as functions
from autograd.ops.raw import RAW
from autograd.ops.registry import unbroadcast

SETTINGS = settings(max_examples=60, deadline=None)


def naive_unbroadcast(g, shape):
    """Sum g back to ``shape`` one output element at a time (independent of the engine)."""
    out = np.zeros(shape)
    lead = g.ndim - len(shape)
    for idx in np.ndindex(*g.shape):
        target = tuple(0 if n == 1 else i for i, n in zip(idx[lead:], shape))
        out[target] += g[idx]
    return out


pairs = hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=4, max_side=3)


@SETTINGS
@given(pairs, st.integers(0, 2 ** 16))
def test_unbroadcast_matches_naive_sum(shapes, seed):
    rng = np.random.default_rng(seed)
    target = shapes.input_shapes[0]
    g = rng.standard_normal(shapes.result_shape)
    got = unbroadcast(RAW, g, target)
    assert got.shape == target
    np.testing.assert_allclose(got, naive_unbroadcast(g, target), rtol=1e-12, atol=1e-12)
    # the same helper in graph mode gives the same values, and is differentiable
    gt = ag.tensor(g, requires_grad=True)
    with ag.enable_grad():
        red = unbroadcast(functions, gt, target)
    np.testing.assert_allclose(red.array, got, rtol=1e-12, atol=1e-12)
    if red.requires_grad:
        (back,) = ag.grad(red, gt, grad_outputs=ag.tensor(np.ones(target)))
        np.testing.assert_array_equal(back.array, np.ones(g.shape))


@SETTINGS
@given(pairs, st.sampled_from(["add", "sub", "mul", "div", "maximum", "where"]), st.integers(0, 2 ** 16))
def test_binary_gradients_have_input_shapes_and_naive_values(shapes, opname, seed):
    rng = np.random.default_rng(seed)
    sa, sb = shapes.input_shapes
    a = ag.tensor(rng.uniform(0.5, 1.5, sa), requires_grad=True)
    b = ag.tensor(rng.uniform(2.0, 3.0, sb), requires_grad=True)  # b > a: no ties for maximum
    w = rng.standard_normal(shapes.result_shape)
    ops = {
        "add": (lambda x, y: x + y, lambda A, B: (np.ones_like(A * B), np.ones_like(A * B))),
        "sub": (lambda x, y: x - y, lambda A, B: (np.ones_like(A * B), -np.ones_like(A * B))),
        "mul": (lambda x, y: x * y, lambda A, B: (B + 0 * A, A + 0 * B)),
        "div": (lambda x, y: x / y, lambda A, B: (1 / B + 0 * A, -A / B ** 2)),
        "maximum": (ag.maximum, lambda A, B: (np.zeros_like(A * B), np.ones_like(A * B))),
        "where": (lambda x, y: ag.where(ag.tensor(np.ones(shapes.result_shape, bool)), x, y),
                  lambda A, B: (np.ones_like(A * B), np.zeros_like(A * B))),
    }
    f, local = ops[opname]
    out = f(a, b)
    assert out.shape == shapes.result_shape
    out.backward(ag.tensor(w))
    la, lb = local(a.array, b.array)
    assert a.grad.shape == sa and b.grad.shape == sb
    np.testing.assert_allclose(a.grad.array, naive_unbroadcast(w * la, sa), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(b.grad.array, naive_unbroadcast(w * lb, sb), rtol=1e-10, atol=1e-12)


@SETTINGS
@given(hnp.array_shapes(min_dims=0, max_dims=3, max_side=3), st.data())
def test_broadcast_to_and_expand_sum_back(shape, data):
    extra = data.draw(hnp.array_shapes(min_dims=0, max_dims=2, max_side=3))
    target = extra + tuple(data.draw(st.sampled_from([1, 2, 3])) if n == 1 else n for n in shape)
    x = ag.tensor(np.random.default_rng(0).standard_normal(shape), requires_grad=True)
    y = ag.broadcast_to(x, target)
    assert y.shape == target
    w = np.arange(int(np.prod(target)), dtype=float).reshape(target)
    y.backward(ag.tensor(w))
    np.testing.assert_allclose(x.grad.array, naive_unbroadcast(w, shape))


@SETTINGS
@given(hnp.array_shapes(min_dims=1, max_dims=3, max_side=4), st.data())
def test_reductions_any_axis_any_keepdims(shape, data):
    ndim = len(shape)
    axes = data.draw(st.lists(st.integers(-ndim, ndim - 1), unique_by=lambda a: a % ndim, max_size=ndim))
    axis = tuple(axes) if axes else None
    keep = data.draw(st.booleans())
    x = np.random.default_rng(1).standard_normal(shape)
    t = ag.tensor(x, requires_grad=True)
    y = t.sum(axis=axis, keepdims=keep)
    np.testing.assert_allclose(y.array, np.sum(x, axis=axis, keepdims=keep))
    w = np.random.default_rng(2).standard_normal(y.shape)
    y.backward(ag.tensor(w))
    full = np.broadcast_to(np.sum(x, axis=axis, keepdims=True) * 0 + (
        w if keep else np.expand_dims(w, tuple(a % ndim for a in axes) if axes else tuple(range(ndim)))), shape)
    np.testing.assert_allclose(t.grad.array, full)
    m = ag.tensor(x, requires_grad=True)
    m.mean(axis=axis, keepdims=keep).backward(ag.tensor(w))
    n = x.size // max(np.sum(x, axis=axis, keepdims=True).size, 1)
    np.testing.assert_allclose(m.grad.array, full / n)


@SETTINGS
@given(st.lists(st.integers(0, 4), min_size=1, max_size=12), st.integers(0, 2 ** 16))
def test_repeated_integer_indices_accumulate(index, seed):
    x = ag.tensor(np.random.default_rng(seed).standard_normal(5), requires_grad=True)
    w = np.random.default_rng(seed + 1).standard_normal(len(index))
    x[index].backward(ag.tensor(w))
    expected = np.zeros(5)
    for i, wi in zip(index, w):
        expected[i] += wi
    np.testing.assert_allclose(x.grad.array, expected)


UNARY_SAFE = [ag.sin, ag.tanh, ag.sigmoid, ag.arctan, lambda t: t * t, lambda t: ag.exp(t * 0.3),
              lambda t: ag.softplus(t), lambda t: ag.sqrt(t * t + 1.0), lambda t: -t]
BINARY_SAFE = [lambda a, b: a + b, lambda a, b: a * b, lambda a, b: a - b,
               lambda a, b: a / (b * b + 1.0), lambda a, b: ag.where(a > b, a, b * 2.0)]


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 99), st.integers(0, 99), st.integers(0, 99)), min_size=1, max_size=8),
       st.integers(0, 2 ** 16))
def test_random_programs_pass_gradcheck_and_gradgradcheck(program, seed):
    """Random DAGs over shared intermediates (reuse, diamonds, broadcasting (3,) with
    (2, 3)), checked against finite differences to first and second order."""
    rng = np.random.default_rng(seed)
    x = ag.tensor(rng.uniform(-1, 1, (2, 3)), requires_grad=True)
    y = ag.tensor(rng.uniform(-1, 1, (3,)), requires_grad=True)

    def f(x, y):
        nodes = [x, y]
        for kind, i, j in program:
            a, b = nodes[i % len(nodes)], nodes[j % len(nodes)]
            if kind % 2:
                nodes.append(UNARY_SAFE[kind % len(UNARY_SAFE)](a))
            else:
                nodes.append(BINARY_SAFE[kind % len(BINARY_SAFE)](a, b))
        return nodes[-1].sum() + (nodes[-2] if len(nodes) > 3 else x).sum()

    assert ag.gradcheck(f, (x, y))
    assert ag.gradgradcheck(f, (x, y))
