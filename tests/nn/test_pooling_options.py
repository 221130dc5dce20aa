"""The pooling options PyTorch has and the first pooling layers refused: ceil_mode,
return_indices, MaxUnpool1d/2d. Against torch 2.13 (values, indices, gradients; float32
and float64) and finite differences."""
import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F
from tests.helpers import requires_torch, torch

GEOMETRY = [(2, 2, 0, 1), (3, 2, 1, 1), (3, 2, 0, 2), (2, 3, 1, 1), (3, 1, 1, 1)]  # k, s, p, r
TOL = {np.float32: dict(rtol=1e-5, atol=1e-6), np.float64: dict(rtol=1e-12, atol=1e-12)}


def _shape(d):
    return (2, 3, 7) if d == 1 else (2, 3, 7, 6)


@requires_torch
@pytest.mark.parametrize("dt", [np.float32, np.float64])
@pytest.mark.parametrize("d", [1, 2])
@pytest.mark.parametrize("ceil_mode", [False, True])
@pytest.mark.parametrize("k,s,p,r", GEOMETRY)
def test_max_pool_ceil_mode_and_indices(rng, dt, d, ceil_mode, k, s, p, r):
    x = rng.standard_normal(_shape(d)).astype(dt)
    xa, xt = ag.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    layer = (nn.MaxPool1d if d == 1 else nn.MaxPool2d)(k, s, p, r, return_indices=True, ceil_mode=ceil_mode)
    tlayer = (torch.nn.MaxPool1d if d == 1 else torch.nn.MaxPool2d)(k, s, p, r, return_indices=True,
                                                                     ceil_mode=ceil_mode)
    (y, idx), (ty, tidx) = layer(xa), tlayer(xt)
    assert y.shape == tuple(ty.shape) and idx.dtype == np.int64
    np.testing.assert_allclose(y.numpy(), ty.detach().numpy(), **TOL[dt])
    np.testing.assert_array_equal(idx.numpy(), tidx.numpy())
    g = rng.standard_normal(y.shape).astype(dt)
    (y * ag.tensor(g)).sum().backward()
    (ty * torch.tensor(g)).sum().backward()
    np.testing.assert_allclose(xa.grad.numpy(), xt.grad.numpy(), **TOL[dt])


@requires_torch
@pytest.mark.parametrize("dt", [np.float32, np.float64])
@pytest.mark.parametrize("d", [1, 2])
@pytest.mark.parametrize("count_include_pad", [True, False])
@pytest.mark.parametrize("k,s,p", [(2, 2, 0), (3, 2, 1), (2, 3, 1), (3, 1, 1)])
def test_avg_pool_ceil_mode(rng, dt, d, count_include_pad, k, s, p):
    x = rng.standard_normal(_shape(d)).astype(dt)
    xa, xt = ag.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    layer = (nn.AvgPool1d if d == 1 else nn.AvgPool2d)(k, s, p, True, count_include_pad)
    tlayer = (torch.nn.AvgPool1d if d == 1 else torch.nn.AvgPool2d)(k, s, p, True, count_include_pad)
    y, ty = layer(xa), tlayer(xt)
    assert y.shape == tuple(ty.shape)
    np.testing.assert_allclose(y.numpy(), ty.detach().numpy(), **TOL[dt])
    g = rng.standard_normal(y.shape).astype(dt)
    (y * ag.tensor(g)).sum().backward()
    (ty * torch.tensor(g)).sum().backward()
    np.testing.assert_allclose(xa.grad.numpy(), xt.grad.numpy(), **TOL[dt])


@requires_torch
@pytest.mark.parametrize("dt", [np.float32, np.float64])
@pytest.mark.parametrize("d", [1, 2])
@pytest.mark.parametrize("k,s,p", [(2, 2, 0), (3, 3, 1), (2, 3, 1)])
def test_max_unpool_matches_torch(rng, dt, d, k, s, p):
    x = rng.standard_normal(_shape(d)).astype(dt)
    y, idx = getattr(F, f"max_pool{d}d")(ag.tensor(x), k, s, p, return_indices=True)
    ya, yt = ag.tensor(y.numpy(), requires_grad=True), torch.tensor(y.numpy(), requires_grad=True)
    unpool = (nn.MaxUnpool1d if d == 1 else nn.MaxUnpool2d)(k, s, p)
    tunpool = (torch.nn.MaxUnpool1d if d == 1 else torch.nn.MaxUnpool2d)(k, s, p)
    size = x.shape[2:]
    u, tu = unpool(ya, idx, output_size=size), tunpool(yt, torch.tensor(idx.numpy()), output_size=size)
    assert u.shape == tuple(tu.shape) == x.shape
    np.testing.assert_allclose(u.numpy(), tu.detach().numpy(), **TOL[dt])
    g = rng.standard_normal(u.shape).astype(dt)
    (u * ag.tensor(g)).sum().backward()
    (tu * torch.tensor(g)).sum().backward()
    np.testing.assert_allclose(ya.grad.numpy(), yt.grad.numpy(), **TOL[dt])


def test_gradchecks(rng):
    x = ag.tensor(rng.standard_normal((1, 2, 5, 5)), requires_grad=True)
    assert ag.gradcheck(lambda x: F.max_pool2d(x, 2, ceil_mode=True), (x,))
    assert ag.gradcheck(lambda x: F.avg_pool2d(x, 3, 2, 1, ceil_mode=True, count_include_pad=False), (x,))
    _, idx = F.max_pool2d(x, 2, return_indices=True)
    y = ag.tensor(rng.standard_normal((1, 2, 2, 2)), requires_grad=True)
    assert ag.gradcheck(lambda y: F.max_unpool2d(y, idx, 2, output_size=(5, 5)), (y,))
    assert ag.gradgradcheck(lambda y: F.max_unpool2d(y, idx, 2, output_size=(5, 5)) ** 2, (y,))


def test_unpool_round_trip_and_errors():
    x = ag.tensor(np.arange(16.0).reshape(1, 1, 4, 4))
    y, idx = F.max_pool2d(x, 2, return_indices=True)
    np.testing.assert_array_equal(idx.numpy().ravel(), [5, 7, 13, 15])
    u = F.max_unpool2d(y, idx, 2).numpy()
    np.testing.assert_array_equal(u, np.where(np.isin(np.arange(16), [5, 7, 13, 15]), np.arange(16.0), 0).reshape(1, 1, 4, 4))
    with pytest.raises(ValueError, match="output_size"):
        F.max_unpool2d(y, idx, 2, output_size=(9, 9))
    with pytest.raises(ValueError, match="invalid max index"):
        F.max_unpool2d(y, ag.tensor(np.full((1, 1, 2, 2), 99)), 2)
    with pytest.raises(ValueError, match="indices must be integers"):
        F.max_unpool2d(y, np.zeros((1, 1, 3, 3), dtype=np.int64), 2)
