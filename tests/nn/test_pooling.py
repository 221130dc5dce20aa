"""Max, average and adaptive average pooling: gradients, PyTorch parity, ties."""
import numpy as np
import pytest

import autograd as ag
from autograd import gradgradcheck
import nn
import nn.functional as F
from tests.helpers import requires_torch, torch


def _distinct(rng, shape):
    """Distinct values, so that every window has a unique maximum (finite differences
    are valid there)."""
    return ag.tensor(rng.permutation(int(np.prod(shape))).reshape(shape) * 0.1 - 1.0,
                     requires_grad=True)


MAX2D = [  # kernel, stride, padding, dilation
    (2, None, 0, 1), (3, 1, 1, 1), (3, 2, 1, 1), ((3, 2), (1, 2), (1, 1), (1, 2)),
    (2, 1, 0, 2), (3, 2, 0, 1),
]


@pytest.mark.parametrize("k,s,p,r", MAX2D)
def test_max_pool2d_gradcheck_overlapping(rng, k, s, p, r):
    x = _distinct(rng, (2, 2, 7, 6))
    assert ag.gradcheck(lambda x: F.max_pool2d(x, k, s, p, r), (x,))


def test_max_pool1d_gradcheck(rng):
    x = _distinct(rng, (2, 3, 11))
    assert ag.gradcheck(lambda x: F.max_pool1d(x, 3, 2, 1), (x,))
    assert ag.gradcheck(lambda x: F.max_pool1d(x, 2, dilation=3), (x,))


def test_max_pool_gradgradcheck(rng):
    x = _distinct(rng, (1, 2, 6, 6))
    assert gradgradcheck(lambda x: F.max_pool2d(x, 3, 1, 1) ** 2, (x,))


@pytest.mark.parametrize("k,s,p", [(2, None, 0), (3, 1, 1), (3, 2, 1), ((3, 2), (2, 1), (1, 0))])
def test_avg_pool2d_gradcheck(rng, k, s, p):
    x = ag.tensor(rng.standard_normal((2, 2, 7, 6)), requires_grad=True)
    assert ag.gradcheck(lambda x: F.avg_pool2d(x, k, s, p), (x,))
    assert ag.gradcheck(lambda x: F.avg_pool2d(x, k, s, p, count_include_pad=False), (x,))


def test_avg_and_adaptive_gradcheck(rng):
    x = ag.tensor(rng.standard_normal((2, 3, 7, 5)), requires_grad=True)
    assert ag.gradcheck(lambda x: F.avg_pool1d(x[:, :, 0], 3, 2, 1), (x,))
    assert ag.gradcheck(lambda x: F.adaptive_avg_pool2d(x, (3, 2)), (x,))
    assert gradgradcheck(lambda x: F.avg_pool2d(x, 2, 1) ** 2, (x,))


def test_max_pool_ties_go_to_the_first_maximum():
    """After ReLU, windows full of zeros are common: the gradient goes to the first
    element (row-major) of each window, like PyTorch."""
    x = ag.tensor(np.array([[[[1., 1., 0., 0.],
                               [1., 1., 0., 0.],
                               [2., 0., 3., 3.],
                               [0., 2., 3., 3.]]]]), requires_grad=True)
    y = F.max_pool2d(x, 2)
    np.testing.assert_array_equal(y.array[0, 0], [[1, 0], [2, 3]])
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.array[0, 0], [[1, 0, 1, 0],
                                                      [0, 0, 0, 0],
                                                      [1, 0, 1, 0],
                                                      [0, 0, 0, 0]])


def test_max_pool_pads_with_minus_inf():
    x = ag.tensor(-np.ones((1, 1, 2, 2)), requires_grad=True)
    y = F.max_pool2d(x, 2, stride=1, padding=1)
    np.testing.assert_array_equal(y.array, -np.ones((1, 1, 3, 3)))  # never the zero pad
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.array[0, 0], [[4, 2], [2, 1]])


def test_modules_shapes_and_defaults():
    x = ag.randn(2, 3, 8, 8)
    assert nn.MaxPool2d(2)(x).shape == (2, 3, 4, 4)
    assert nn.MaxPool2d(3, 1, 1)(x).shape == (2, 3, 8, 8)
    assert nn.AvgPool2d(2)(x).shape == (2, 3, 4, 4)
    assert nn.AdaptiveAvgPool2d(1)(x).shape == (2, 3, 1, 1)
    assert nn.AdaptiveAvgPool2d((5, None))(x).shape == (2, 3, 5, 8)
    x1 = ag.randn(2, 3, 9)
    assert nn.MaxPool1d(3)(x1).shape == (2, 3, 3)
    assert nn.AvgPool1d(3, 2, 1)(x1).shape == (2, 3, 5)
    assert nn.MaxPool2d(2)(ag.randn(3, 8, 8)).shape == (3, 4, 4)  # unbatched
    assert list(nn.MaxPool2d(2).parameters()) == []
    assert nn.MaxPool2d(2).stride == 2
    y = nn.MaxPool2d(2)(ag.randn(2, 3, 8, 8, requires_grad=True))
    assert y.dtype == np.float32
    with pytest.raises(ValueError, match="half"):
        F.max_pool2d(x, 2, padding=2)


def test_adaptive_avg_pool_global_is_mean(rng):
    x = rng.standard_normal((2, 3, 5, 7))
    np.testing.assert_allclose(F.adaptive_avg_pool2d(ag.tensor(x), 1).array[..., 0, 0],
                               x.mean(axis=(2, 3)), rtol=1e-12)


# ------------------------------------------------------------------ reference framework
def _compare(rng, ours, theirs, x, rtol=1e-10):
    xa, xt = ag.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    y, yt = ours(xa), theirs(xt)
    assert y.shape == tuple(yt.shape)
    np.testing.assert_allclose(y.array, yt.detach().numpy(), rtol=rtol, atol=rtol)
    g = rng.standard_normal(y.shape).astype(x.dtype)
    y.backward(g)
    yt.backward(torch.from_numpy(g))
    np.testing.assert_allclose(xa.grad.array, xt.grad.numpy(), rtol=rtol, atol=rtol)


@requires_torch
@pytest.mark.parametrize("k,s,p,r", MAX2D)
def test_max_pool2d_matches_torch(rng, k, s, p, r):
    x = rng.standard_normal((2, 3, 9, 8))
    _compare(rng, nn.MaxPool2d(k, s, p, r), torch.nn.MaxPool2d(k, s, p, r), x)
    # rounded values: many ties, which must break the same way
    _compare(rng, nn.MaxPool2d(k, s, p, r), torch.nn.MaxPool2d(k, s, p, r), np.round(x))
    relu = np.maximum(x, 0)
    _compare(rng, nn.MaxPool2d(k, s, p, r), torch.nn.MaxPool2d(k, s, p, r), relu)


@requires_torch
@pytest.mark.parametrize("count_include_pad", [True, False])
@pytest.mark.parametrize("k,s,p", [(2, None, 0), (3, 1, 1), (3, 2, 1), ((3, 2), (2, 1), (1, 0))])
def test_avg_pool2d_matches_torch(rng, k, s, p, count_include_pad):
    x = rng.standard_normal((2, 3, 9, 8))
    _compare(rng, nn.AvgPool2d(k, s, p, count_include_pad=count_include_pad),
             torch.nn.AvgPool2d(k, s, p, count_include_pad=count_include_pad), x)


@requires_torch
def test_1d_pools_match_torch(rng):
    x = rng.standard_normal((2, 3, 13))
    _compare(rng, nn.MaxPool1d(3, 2, 1), torch.nn.MaxPool1d(3, 2, 1), x)
    _compare(rng, nn.MaxPool1d(2, 1, 0, 2), torch.nn.MaxPool1d(2, 1, 0, 2), np.round(x))
    _compare(rng, nn.AvgPool1d(4, 3, 2), torch.nn.AvgPool1d(4, 3, 2), x)
    _compare(rng, nn.AdaptiveAvgPool1d(5), torch.nn.AdaptiveAvgPool1d(5), x)


@requires_torch
@pytest.mark.parametrize("size", [1, 3, (4, 3), (2, None), (7, 5)])
def test_adaptive_avg_pool2d_matches_torch(rng, size):
    x = rng.standard_normal((2, 3, 7, 5))
    _compare(rng, nn.AdaptiveAvgPool2d(size), torch.nn.AdaptiveAvgPool2d(size), x)


@requires_torch
def test_max_pool2d_float32_matches_torch(rng):
    x = rng.standard_normal((4, 6, 16, 16)).astype(np.float32)
    _compare(rng, nn.MaxPool2d(2), torch.nn.MaxPool2d(2), x, rtol=0)
