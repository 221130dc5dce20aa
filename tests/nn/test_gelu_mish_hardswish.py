"""GELU (exact and tanh), SiLU, Mish and Hardswish: values and gradients against
PyTorch in float32 and float64, finite differences in float64, PyTorch's kink
conventions, and the module forms."""
import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F
from tests.helpers import requires_torch, torch

CASES = [("gelu", {}), ("gelu", {"approximate": "tanh"}), ("silu", {}), ("mish", {}),
         ("hardswish", {})]


def _x(dtype):
    x = np.random.default_rng(3).standard_normal((4, 5)) * 4
    x[0, :4] = [-3.0, 3.0, 40.0, -40.0]  # hardswish's kinks; far tails of every function
    return x.astype(dtype)


@requires_torch
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name, kw", CASES)
def test_values_and_gradients_match_torch(name, kw, dtype):
    x = _x(dtype)
    g = np.random.default_rng(4).standard_normal(x.shape).astype(dtype)
    xt = torch.tensor(x, requires_grad=True)
    yt = getattr(torch.nn.functional, name)(xt, **kw)
    yt.backward(torch.from_numpy(g))
    xa = ag.tensor(x, requires_grad=True)
    y = getattr(F, name)(xa, **kw)
    y.backward(ag.tensor(g))
    tol = dict(rtol=1e-12, atol=1e-14) if dtype == np.float64 else dict(rtol=1e-5, atol=1e-6)
    assert y.dtype == dtype and xa.grad.dtype == dtype
    np.testing.assert_allclose(y.numpy(), yt.detach().numpy(), **tol)
    np.testing.assert_allclose(xa.grad.numpy(), xt.grad.numpy(), **tol)


@pytest.mark.parametrize("name, kw", CASES)
def test_gradcheck(name, kw, rng):
    x = ag.tensor(rng.uniform(-4, 4, (6,)), requires_grad=True)
    x.array[np.abs(np.abs(x.array) - 3) < 1e-3] += 0.1  # away from hardswish's kinks
    assert ag.gradcheck(lambda x: getattr(F, name)(x, **kw), (x,))


@requires_torch
@pytest.mark.parametrize("cls, kw", [(nn.GELU, {}), (nn.GELU, {"approximate": "tanh"}),
                                     (nn.SiLU, {}), (nn.Mish, {}), (nn.Hardswish, {})])
def test_modules_match_torch(cls, kw):
    x = _x(np.float64)
    ref = getattr(torch.nn, cls.__name__)(**kw)(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(cls(**kw)(ag.tensor(x)).numpy(), ref, rtol=1e-12, atol=1e-14)
    assert repr(cls(**kw)) == repr(getattr(torch.nn, cls.__name__)(**kw))


def test_bad_approximate_names_the_choices():
    with pytest.raises(ValueError, match="'none' or 'tanh'"):
        nn.GELU("fast")
    with pytest.raises(ValueError, match="'none' or 'tanh'"):
        F.gelu(ag.ones(2), approximate="sigmoid")


@pytest.mark.parametrize("name, kw", CASES[:4])
def test_gradgradcheck(name, kw, rng):
    x = ag.tensor(rng.uniform(-3, 3, (5,)), requires_grad=True)
    assert ag.gradgradcheck(lambda x: getattr(F, name)(x, **kw), (x,))
