"""The in-place numpy kernels of sigmoid, tanh, relu, gelu and integer powers: the
same values and gradients as PyTorch in float32, float32 kept, the incoming gradient
never overwritten, and the tails of sigmoid exact and warning-free."""
import warnings

import numpy as np
import pytest

import autograd as ag
import nn.functional as F
from tests.helpers import requires_torch, torch

RNG = np.random.default_rng(3)
X = (RNG.standard_normal((4, 3, 6, 6)) * 3).astype(np.float32)
G = RNG.standard_normal((4, 3, 6, 6)).astype(np.float32)

CASES = {
    "sigmoid": (lambda x: F.sigmoid(x), lambda t, x: torch.sigmoid(x)),
    "tanh": (lambda x: F.tanh(x), lambda t, x: torch.tanh(x)),
    "relu": (lambda x: F.relu(x), lambda t, x: torch.relu(x)),
    "gelu": (lambda x: F.gelu(x), lambda t, x: torch.nn.functional.gelu(x)),
    "pow2": (lambda x: x ** 2, lambda t, x: x ** 2),
    "pow3": (lambda x: x ** 3, lambda t, x: x ** 3),
    "pow4": (lambda x: x ** 4.0, lambda t, x: x ** 4.0),
}


@requires_torch
@pytest.mark.parametrize("name", sorted(CASES))
def test_float32_matches_torch_and_keeps_g(name):
    f, ft = CASES[name]
    x = ag.tensor(X, requires_grad=True)
    g = G.copy()
    y = f(x)
    y.backward(ag.tensor(g))
    xt = torch.tensor(X, requires_grad=True)
    yt = ft(torch, xt)
    yt.backward(torch.from_numpy(G))
    assert y.dtype == np.float32 and x.grad.dtype == np.float32
    np.testing.assert_allclose(y.numpy(), yt.detach().numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(x.grad.numpy(), xt.grad.numpy(), rtol=1e-5, atol=1e-5)
    np.testing.assert_array_equal(g, G)  # the incoming gradient is read, never written


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sigmoid_tails(dtype):
    x = ag.tensor(np.array([-1000, -20, 0, 20, 1000], dtype=dtype), requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y = ag.sigmoid(x)
        y.sum().backward()
    v = y.numpy()
    assert v[0] == 0 and v[-1] == 1 and v[2] == 0.5
    np.testing.assert_allclose(v[1], 1 / (1 + np.exp(20.0)), rtol=1e-6)  # no cancellation
    np.testing.assert_allclose(x.grad.numpy()[[0, 2, 4]], [0, 0.25, 0])


def test_integer_powers_of_negative_numbers():
    x = ag.tensor(np.array([-2.0, 0.0, 3.0], dtype=np.float32), requires_grad=True)
    (x ** 3).sum().backward()
    np.testing.assert_array_equal((x ** 3).numpy(), [-8, 0, 27])
    np.testing.assert_array_equal(x.grad.numpy(), [12, 0, 27])


def test_pow_gradient_is_zero_where_g_is_zero_despite_overflow():
    x = ag.tensor(np.array([1e30, 2.0], dtype=np.float32), requires_grad=True)
    with np.errstate(over="ignore"):
        y = x ** 3
    y.backward(ag.tensor(np.array([0.0, 1.0], dtype=np.float32)))
    np.testing.assert_array_equal(x.grad.numpy(), [0, 12])


def test_relu_rows_path_equals_numpy_maximum():
    x = RNG.standard_normal(3 * 4096 * 5 + 17).astype(np.float32)
    x[[0, 5, -1]] = [np.nan, -0.0, -np.inf]
    y = ag.relu(ag.tensor(x)).numpy()
    np.testing.assert_array_equal(y, np.maximum(x, 0))
    assert y.dtype == np.float32
