"""F.pad in PyTorch's form (pairs from the last dim backwards) in every mode, and
nn.Unflatten: values and gradients against PyTorch, finite differences, errors."""
import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F
from tests.helpers import requires_torch, torch

CASES = [((1, 2), "constant", None), ((1, 2, 0, 1), "constant", 0.5), ((-1, 2, 1, -1), "constant", None),
         ((2, 1), "reflect", None), ((1, 2, 2, 1), "reflect", None), ((2, 3), "replicate", None),
         ((1, 0, 2, 2), "replicate", None), ((2, 1, 1, 3), "circular", None)]


@requires_torch
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("pad, mode, value", CASES)
def test_matches_torch(pad, mode, value, dtype):
    shape = (2, 3, 4, 5)[:len(pad) // 2 + 2]  # torch's non-constant modes: batch, channel, dims
    x = np.random.default_rng(0).standard_normal(shape).astype(dtype)
    kw = {} if value is None else {"value": value}
    xt = torch.tensor(x, requires_grad=True)
    yt = torch.nn.functional.pad(xt, pad, mode=mode, **kw)
    g = np.random.default_rng(1).standard_normal(tuple(yt.shape)).astype(dtype)
    yt.backward(torch.from_numpy(g))
    xa = ag.tensor(x, requires_grad=True)
    y = F.pad(xa, pad, mode=mode, **kw)
    y.backward(ag.tensor(g))
    assert y.dtype == dtype
    np.testing.assert_allclose(y.numpy(), yt.detach().numpy(), rtol=1e-6)
    np.testing.assert_allclose(xa.grad.numpy(), xt.grad.numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("pad, mode, value", CASES[::2])
def test_gradcheck(pad, mode, value, rng):
    x = ag.tensor(rng.standard_normal((1, 3, 4)), requires_grad=True)
    assert ag.gradcheck(lambda x: F.pad(x, pad, mode=mode, value=value), (x,))


def test_errors():
    x = ag.randn(2, 3)
    with pytest.raises(ValueError, match="must be even"):
        F.pad(x, (1,))
    with pytest.raises(ValueError, match="has only 2"):
        F.pad(x, (1, 1, 1, 1, 1, 1))
    with pytest.raises(ValueError, match="smaller than the size 3"):
        F.pad(x, (3, 0), mode="reflect")
    with pytest.raises(NotImplementedError, match="mode='wrap'"):
        F.pad(x, (1, 1), mode="wrap")


@requires_torch
def test_unflatten_matches_torch():
    x = np.arange(24.0).reshape(2, 12)
    for dim, size in ((1, (3, 4)), (-1, (2, -1)), (0, (1, 2))):
        ref = torch.nn.Unflatten(dim, size)(torch.from_numpy(x))
        out = nn.Unflatten(dim, size)(ag.tensor(x))
        np.testing.assert_array_equal(out.numpy(), ref.numpy())
        assert repr(nn.Unflatten(dim, size)) == repr(torch.nn.Unflatten(dim, size))


def test_gradgradcheck(rng):
    x = ag.tensor(rng.standard_normal((1, 2, 4)), requires_grad=True)
    for mode in ("reflect", "replicate", "circular", "constant"):
        assert ag.gradgradcheck(lambda x: F.pad(x, (2, 1), mode=mode), (x,)), mode
