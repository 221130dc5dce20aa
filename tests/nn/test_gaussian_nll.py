"""F.gaussian_nll_loss / nn.GaussianNLLLoss: PyTorch's values, gradients, shapes and errors."""
import math

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F
from tests.helpers import requires_torch, torch

RNG = np.random.default_rng(11)
X = RNG.standard_normal((4, 3))
Y = RNG.standard_normal((4, 3))

# var shapes PyTorch accepts for a (4, 3) input: same, last dim dropped, one dim set to 1
VARS = {"same": RNG.uniform(0.2, 2.0, (4, 3)), "short": RNG.uniform(0.2, 2.0, (4,)),
        "last1": RNG.uniform(0.2, 2.0, (4, 1)), "first1": RNG.uniform(0.2, 2.0, (1, 3))}


@requires_torch
@pytest.mark.parametrize("kind", sorted(VARS))
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("full", [False, True])
def test_matches_torch_values_and_gradients(kind, reduction, full):
    v = VARS[kind]
    x, y, var = (ag.tensor(a, requires_grad=True) for a in (X, Y, v))
    tx, ty, tv = (torch.tensor(a, requires_grad=True) for a in (X, Y, v))
    out = F.gaussian_nll_loss(x, y, var, full=full, reduction=reduction)
    ref = torch.nn.functional.gaussian_nll_loss(tx, ty, tv, full=full, reduction=reduction)
    np.testing.assert_allclose(out.numpy(), ref.detach().numpy(), rtol=1e-12)
    g = RNG.standard_normal(ref.shape)
    out.backward(ag.tensor(g))
    ref.backward(torch.tensor(g))
    for a, b in ((x, tx), (y, ty), (var, tv)):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-10, atol=1e-12)


@requires_torch
def test_float_var_and_clamp_gradient_match_torch():
    # a float var; and variances below eps: clamped in the value, identity in the gradient
    v = np.array([[1e-9, 0.5, 0.0], [2.0, 1e-8, 1.0], [1.0, 1.0, 1.0], [3.0, 0.1, 1e-7]])
    for var_arg, tvar_arg in ((0.7, 0.7), (v, v)):
        x = ag.tensor(X, requires_grad=True)
        tx = torch.tensor(X, requires_grad=True)
        var = ag.tensor(var_arg, requires_grad=True) if isinstance(var_arg, np.ndarray) else var_arg
        tvar = (torch.tensor(tvar_arg, requires_grad=True) if isinstance(tvar_arg, np.ndarray)
                else tvar_arg)
        out = nn.GaussianNLLLoss(eps=1e-6)(x, ag.tensor(Y), var)
        ref = torch.nn.GaussianNLLLoss(eps=1e-6)(tx, torch.tensor(Y), tvar)
        np.testing.assert_allclose(out.item(), ref.item(), rtol=1e-12)
        out.backward()
        ref.backward()
        np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-10)
        if isinstance(var, ag.Tensor):
            np.testing.assert_allclose(var.grad.numpy(), tvar.grad.numpy(), rtol=1e-10)


def test_gradcheck():
    v = RNG.uniform(0.3, 2.0, (4, 3))
    assert ag.gradcheck(lambda x, y, var: F.gaussian_nll_loss(x, y, var, full=True),
                        (ag.tensor(X, requires_grad=True), ag.tensor(Y, requires_grad=True),
                         ag.tensor(v, requires_grad=True)))


def test_fixed_var_is_scaled_mse_plus_constant():
    """The notes' claim: with sigma fixed, -log-likelihood = MSE / (2 sigma^2) + const."""
    s2 = 0.25
    nll = F.gaussian_nll_loss(ag.tensor(X), ag.tensor(Y), s2, full=True).item()
    mse = F.mse_loss(ag.tensor(X), ag.tensor(Y)).item()
    assert nll == pytest.approx(mse / (2 * s2) + 0.5 * math.log(2 * math.pi * s2), rel=1e-12)


def test_errors_name_the_problem():
    with pytest.raises(ValueError, match="negative"):
        F.gaussian_nll_loss(ag.tensor(X), ag.tensor(Y), -1.0)
    with pytest.raises(ValueError, match="negative"):
        F.gaussian_nll_loss(ag.tensor(X), ag.tensor(Y), ag.tensor(-np.ones((4, 3))))
    with pytest.raises(ValueError, match=r"incorrect size.*\(3, 3\).*\(4, 3\)"):
        F.gaussian_nll_loss(ag.tensor(X), ag.tensor(Y), ag.tensor(np.ones((3, 3))))
    with pytest.raises(ValueError, match="reduction"):
        F.gaussian_nll_loss(ag.tensor(X), ag.tensor(Y), 1.0, reduction="avg")
    assert "full=True" in repr(nn.GaussianNLLLoss(full=True))
