"""The sliding-window primitives of autograd.ops.window: the view, its adjoint
(col2im), window max and its scatter/gather pair; first and second derivatives."""
import numpy as np
import pytest

import autograd as ag
from autograd import gradgradcheck
from autograd.ops.window import sliding_window, window_max, window_scatter_add


def _x(rng, shape, distinct=False):
    if distinct:  # a permutation keeps every window's max unique and away from ties
        return ag.tensor(rng.permutation(int(np.prod(shape))).reshape(shape) * 0.1,
                         requires_grad=True)
    return ag.tensor(rng.standard_normal(shape), requires_grad=True)


def test_window_view_values_and_no_copy(rng):
    x = ag.tensor(rng.standard_normal((2, 3, 7, 6)))
    w = sliding_window(x, (3, 2), (2, 1), (1, 2))
    P = ((7 - 3) // 2 + 1, (6 - 3) // 1 + 1)
    assert w.shape == (2, 3) + P + (3, 2)
    assert np.shares_memory(w.array, x.array)
    for i in range(P[0]):
        for j in range(P[1]):
            for a in range(3):
                for b in range(2):
                    np.testing.assert_array_equal(w.array[:, :, i, j, a, b],
                                                  x.array[:, :, 2 * i + a, j + 2 * b])


def test_window_view_matches_numpy_sliding_window_view(rng):
    x = rng.standard_normal((2, 5, 9))
    ref = np.lib.stride_tricks.sliding_window_view(x, 4, axis=-1)
    np.testing.assert_array_equal(sliding_window(ag.tensor(x), 4).array, ref)


@pytest.mark.parametrize("k,s,r", [((3, 2), (2, 1), (1, 2)), ((2, 2), (2, 2), (1, 1)),
                                   ((3, 3), (1, 1), (1, 1)), ((1, 3), (3, 1), (1, 1))])
def test_window_gradcheck(rng, k, s, r):
    x = _x(rng, (2, 2, 7, 6))
    assert ag.gradcheck(lambda x: sliding_window(x, k, s, r), (x,))


def test_window_1d_and_3d_gradcheck(rng):
    x = _x(rng, (2, 9))
    assert ag.gradcheck(lambda x: sliding_window(x, 3, 2), (x,))
    x3 = _x(rng, (1, 4, 5, 4))
    assert ag.gradcheck(lambda x: sliding_window(x, (2, 3, 2), (1, 2, 1)), (x3,))


def test_window_gradgradcheck(rng):
    x = _x(rng, (1, 2, 6, 5))
    assert gradgradcheck(lambda x: sliding_window(x, (3, 2), (1, 2), (1, 1)) ** 2, (x,))


def test_scatter_add_is_the_adjoint(rng):
    """<window(x), y> == <x, scatter_add(y)>: the two are transposes of each other."""
    x = rng.standard_normal((2, 3, 8, 7))
    wx = sliding_window(ag.tensor(x), (3, 2), (2, 2), (2, 1))
    y = rng.standard_normal(wx.shape)
    sy = window_scatter_add(ag.tensor(y), x.shape, (3, 2), (2, 2), (2, 1))
    assert np.isclose((wx.array * y).sum(), (x * sy.array).sum())
    ys = ag.tensor(y, requires_grad=True)
    assert ag.gradcheck(lambda t: window_scatter_add(t, x.shape, (3, 2), (2, 2), (2, 1)), (ys,))


def test_window_backward_counts_overlaps():
    x = ag.ones((1, 1, 4, 4), requires_grad=True)
    sliding_window(x, (3, 3)).sum().backward()
    # how many 3x3 windows (stride 1) cover each element of a 4x4 grid
    c = np.array([1, 2, 2, 1])
    np.testing.assert_array_equal(x.grad.array[0, 0], np.outer(c, c))


def test_window_too_large_raises():
    with pytest.raises(ValueError, match="larger than"):
        sliding_window(ag.zeros((1, 1, 2, 2)), (3, 3))


@pytest.mark.parametrize("k,s,r", [((2, 2), (2, 2), (1, 1)), ((3, 3), (1, 1), (1, 1)),
                                   ((3, 2), (2, 1), (1, 2))])
def test_window_max_gradcheck(rng, k, s, r):
    x = _x(rng, (2, 2, 7, 6), distinct=True)
    assert ag.gradcheck(lambda x: window_max(x, k, s, r), (x,))


def test_window_max_gradgradcheck(rng):
    x = _x(rng, (1, 2, 6, 5), distinct=True)
    assert gradgradcheck(lambda x: window_max(x, (3, 3), (1, 1)) ** 3, (x,))
    assert gradgradcheck(lambda x: window_max(x, (2, 2)) ** 2, (x,))


def test_window_max_ties_go_to_first():
    x = ag.tensor(np.zeros((1, 1, 2, 4)), requires_grad=True)
    window_max(x, (2, 2)).sum().backward()
    np.testing.assert_array_equal(x.grad.array[0, 0], [[1, 0, 1, 0], [0, 0, 0, 0]])


def test_window_ops_keep_float32(rng):
    x = ag.tensor(rng.standard_normal((2, 3, 6, 6)).astype(np.float32), requires_grad=True)
    y = window_max(x, (2, 2)) + sliding_window(x, (2, 2), (2, 2)).sum(axis=(-2, -1))
    assert y.dtype == np.float32
    y.sum().backward()
    assert x.grad.dtype == np.float32


def test_window_matmul_is_the_product_with_the_padded_windows(rng):
    """window_matmul(w, x, b, geometry) = w @ im2col(sliding_window(pad(x))) + b, for
    2-D and 3-D (grouped) weights, and the plain product when kernel_size=()."""
    from autograd.ops.window import _window_matmul

    x, w, b = _x(rng, (2, 4, 5, 6)), _x(rng, (2, 3, 2 * 2 * 3)), _x(rng, (6,))
    geo = dict(kernel_size=(2, 3), stride=(1, 2), dilation=(2, 1), padding=((1, 0), (2, 1)))
    y = _window_matmul(w, x, b, **geo)
    xp = np.pad(x.array, ((0, 0), (0, 0), (1, 0), (2, 1)))
    win = sliding_window(ag.tensor(xp), (2, 3), (1, 2), (2, 1)).array       # (N, C, P, k)
    P = win.shape[2:4]
    cols = win.transpose(0, 1, 4, 5, 2, 3).reshape(2, 2, 2 * 6, -1)       # (N, G, Cg K, L)
    ref = (w.array @ cols).reshape((2, 6) + P) + b.array[:, None, None]
    np.testing.assert_allclose(y.array, ref, rtol=1e-12, atol=1e-12)
    assert ag.gradcheck(lambda w, x, b: _window_matmul(w, x, b, **geo), (w, x, b))
    assert gradgradcheck(lambda w, x: _window_matmul(w, x, **geo), (w, x))
    m, c = _x(rng, (3, 4)), _x(rng, (2, 4, 5))
    np.testing.assert_allclose(_window_matmul(m, c).array, m.array @ c.array, rtol=1e-12)
    assert ag.gradcheck(lambda m, c: _window_matmul(m, c), (m, c))
