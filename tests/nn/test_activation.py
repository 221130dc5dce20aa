"""Activations: gradcheck in float64, agreement with PyTorch, stability at +-1000."""
import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F
from tests.helpers import requires_torch, torch

# name: (functional call, module, torch call or None)
TABLE = {
    "identity": (F.identity, nn.Identity(), lambda x: x),
    "sigmoid": (F.sigmoid, nn.Sigmoid(), lambda x: torch.sigmoid(x)),
    "tanh": (F.tanh, nn.Tanh(), lambda x: torch.tanh(x)),
    "arctan": (F.arctan, nn.Arctan(), lambda x: torch.atan(x)),
    "relu": (F.relu, nn.ReLU(), lambda x: torch.relu(x)),
    "relu6": (F.relu6, nn.ReLU6(), lambda x: torch.nn.functional.relu6(x)),
    "leaky_relu": (F.leaky_relu, nn.LeakyReLU(), lambda x: torch.nn.functional.leaky_relu(x)),
    "leaky_relu_0.2": (lambda x: F.leaky_relu(x, 0.2), nn.LeakyReLU(0.2),
                       lambda x: torch.nn.functional.leaky_relu(x, 0.2)),
    "elu": (F.elu, nn.ELU(), lambda x: torch.nn.functional.elu(x)),
    "elu_0.5": (lambda x: F.elu(x, 0.5), nn.ELU(0.5), lambda x: torch.nn.functional.elu(x, 0.5)),
    "selu": (F.selu, nn.SELU(), lambda x: torch.nn.functional.selu(x)),
    "celu": (lambda x: F.celu(x, 0.7), nn.CELU(0.7), lambda x: torch.nn.functional.celu(x, 0.7)),
    "softplus": (F.softplus, nn.Softplus(), lambda x: torch.nn.functional.softplus(x)),
    "softplus_beta": (lambda x: F.softplus(x, beta=2.0, threshold=3.0),
                      nn.Softplus(beta=2.0, threshold=3.0),
                      lambda x: torch.nn.functional.softplus(x, beta=2.0, threshold=3.0)),
    "softmax": (lambda x: F.softmax(x, dim=1), nn.Softmax(dim=1),
                lambda x: torch.softmax(x, dim=1)),
    "softmax_0": (lambda x: F.softmax(x, dim=0), nn.Softmax(dim=0),
                  lambda x: torch.softmax(x, dim=0)),
    "log_softmax": (lambda x: F.log_softmax(x, dim=1), nn.LogSoftmax(dim=1),
                    lambda x: torch.log_softmax(x, dim=1)),
    "softmin": (lambda x: F.softmin(x, dim=1), nn.Softmin(dim=1),
                lambda x: torch.nn.functional.softmin(x, dim=1)),
    "silu": (F.silu, nn.SiLU(), lambda x: torch.nn.functional.silu(x)),
    "logsigmoid": (F.logsigmoid, nn.LogSigmoid(), lambda x: torch.nn.functional.logsigmoid(x)),
    "hardtanh": (F.hardtanh, nn.Hardtanh(), lambda x: torch.nn.functional.hardtanh(x)),
    "softsign": (F.softsign, nn.Softsign(), lambda x: torch.nn.functional.softsign(x)),
    "tanhshrink": (F.tanhshrink, nn.Tanhshrink(), lambda x: torch.nn.functional.tanhshrink(x)),
}


def away_from_kinks(shape, seed=0):
    """Values with |x| in [0.1, 3] and away from 1 and 6 (the hardtanh/relu6 ends)."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(0.1, 2.5, shape) * rng.choice([-1.0, 1.0], shape)
    x[np.abs(np.abs(x) - 1) < 0.05] += 0.1
    return x


@pytest.mark.parametrize("name", sorted(TABLE))
def test_gradcheck_float64(name):
    fn, mod, _ = TABLE[name]
    x = ag.tensor(away_from_kinks((3, 4)), requires_grad=True)
    assert ag.gradcheck(fn, (x,))
    assert ag.gradcheck(mod, (x,))


@requires_torch
@pytest.mark.parametrize("name", sorted(TABLE))
def test_matches_torch(name):
    fn, mod, tfn = TABLE[name]
    x = away_from_kinks((4, 5), seed=1) * 2
    x[0, :3] = [0.0, 25.0, -25.0]  # kinks and softplus thresholds follow PyTorch's conventions
    g = np.random.default_rng(2).standard_normal(x.shape)
    ours = ag.tensor(x, requires_grad=True)
    theirs = torch.tensor(x, requires_grad=True)
    out, tout = mod(ours), tfn(theirs)
    # PyTorch's celu keeps 1/alpha as a float32 scalar: agreement to ~1e-8 only
    rtol = 1e-7 if name == "celu" else 1e-10
    np.testing.assert_allclose(out.array, tout.detach().numpy(), rtol=rtol, atol=1e-12)
    np.testing.assert_allclose(fn(ours).array, out.array, rtol=0, atol=0)
    out.backward(ag.tensor(g))
    tout.backward(torch.tensor(g))
    np.testing.assert_allclose(ours.grad.array, theirs.grad.numpy(), rtol=rtol, atol=1e-12)


def test_prelu_gradcheck_input_and_slope():
    x = ag.tensor(away_from_kinks((2, 3, 4)), requires_grad=True)
    for n in (1, 3):
        w = ag.tensor(np.linspace(0.1, 0.4, n), requires_grad=True)
        assert ag.gradcheck(lambda a, b: F.prelu(a, b), (x, w))
    m = nn.PReLU(3).to(np.float64)
    assert m.weight.shape == (3,) and np.all(m.weight.array == 0.25)
    assert ag.gradcheck(lambda a, b: m(a), (x, m.weight))


@requires_torch
def test_prelu_matches_torch():
    x = away_from_kinks((2, 3, 4), seed=3)
    x[0, 0, 0] = 0.0
    for n in (1, 3):
        ours, theirs = nn.PReLU(n, init=0.1).to(np.float64), torch.nn.PReLU(n, init=0.1).double()
        with torch.no_grad():
            theirs.weight.copy_(torch.tensor(np.linspace(0.1, 0.3, n)))
        ours.weight.array[...] = np.linspace(0.1, 0.3, n)
        xa, xt = ag.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        out, tout = ours(xa), theirs(xt)
        np.testing.assert_allclose(out.array, tout.detach().numpy(), rtol=1e-12)
        (out * out).sum().backward()
        (tout * tout).sum().backward()
        np.testing.assert_allclose(xa.grad.array, xt.grad.numpy(), rtol=1e-10)
        np.testing.assert_allclose(ours.weight.grad.array, theirs.weight.grad.numpy(), rtol=1e-10)


def test_prelu_channel_mismatch_raises():
    with pytest.raises(ValueError, match="channels"):
        nn.PReLU(3)(ag.ones(2, 4))


def test_binary_step_forward_and_zero_gradient():
    x = ag.tensor([-2.0, -0.0, 0.0, 0.5, 3.0], requires_grad=True)
    out = nn.BinaryStep()(x)
    np.testing.assert_array_equal(out.array, [0, 1, 1, 1, 1])
    out.sum().backward()
    np.testing.assert_array_equal(x.grad.array, np.zeros(5))


@pytest.mark.parametrize("name", sorted(TABLE))
def test_stable_at_extremes(name):
    fn = TABLE[name][0]
    x = ag.tensor(np.array([[-1000.0, 1000.0, 0.5], [1000.0, -1000.0, -0.5]]), requires_grad=True)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        out = fn(x)
        out.backward(ag.ones_like(out))
    assert np.isfinite(out.array).all() and np.isfinite(x.grad.array).all()


def test_values_of_the_notes_table():
    x = ag.tensor([-2.0, 0.0, 2.0], dtype=np.float64)
    np.testing.assert_allclose(F.elu(x).array, [np.exp(-2) - 1, 0, 2])
    np.testing.assert_allclose(F.softplus(x).array, np.log1p(np.exp([-2.0, 0, 2])))
    np.testing.assert_allclose(F.tanh(x).array, 2 * F.sigmoid(2 * x).array - 1)
    np.testing.assert_allclose(F.leaky_relu(x).array, [-0.02, 0, 2])
    np.testing.assert_allclose(F.elu(ag.tensor([1000.0])).array, [1000.0])
    np.testing.assert_allclose(F.softmax(x, dim=0).array.sum(), 1.0)


def test_derivatives_of_the_notes_table():
    def d(fn, v):
        x = ag.tensor(np.array(v, dtype=np.float64), requires_grad=True)
        fn(x).sum().backward()
        return x.grad.array

    s = 1 / (1 + np.exp(-0.3))
    np.testing.assert_allclose(d(F.sigmoid, [0.3]), [s * (1 - s)])
    np.testing.assert_allclose(d(F.arctan, [2.0]), [1 / 5])
    np.testing.assert_allclose(d(F.relu, [-1.0, 0.0, 1.0]), [0, 0, 1])  # relu'(0) = 0
    np.testing.assert_allclose(d(F.leaky_relu, [-1.0, 0.0, 1.0]), [0.01, 0.01, 1])
    np.testing.assert_allclose(d(F.elu, [-1.0, 0.0]), [np.exp(-1), 1.0])  # f(x) + alpha
    np.testing.assert_allclose(d(F.softplus, [0.7]), [1 / (1 + np.exp(-0.7))])


def test_softmax_module_on_last_dim_and_dtype_kept():
    x = ag.randn(2, 3, 4)
    out = nn.Softmax(dim=-1)(x)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out.array.sum(-1), 1, rtol=1e-6)
    with pytest.warns(UserWarning):
        F.softmax(ag.randn(2, 3))


def test_reprs():
    assert repr(nn.LeakyReLU(0.2)) == "LeakyReLU(negative_slope=0.2)"
    assert repr(nn.Softmax(dim=1)) == "Softmax(dim=1)"
    assert repr(nn.PReLU()) == "PReLU(num_parameters=1)"
    assert repr(nn.Sigmoid()) == "Sigmoid()"
