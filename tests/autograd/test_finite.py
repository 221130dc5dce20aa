"""Finite where the math is finite (issue 9, item 5): each case gives torch 2.13's
value, or the exact one where torch's is not (named in the test)."""
import numpy as np
import pytest

import autograd as ag
from autograd.functional import hessian
from tests.helpers import requires_torch, torch

pytestmark = requires_torch


def leaf(v, dtype=np.float64):
    return ag.tensor(v, dtype=dtype, requires_grad=True)


def tleaf(v, dtype=None):
    return torch.tensor(v, dtype=dtype or torch.float64, requires_grad=True)




def _tdt(dtype):
    return {np.dtype(np.float16): torch.float16, np.dtype(np.float32): torch.float32,
            np.dtype(np.float64): torch.float64}[np.dtype(dtype)]


# ------------------------------------------------------------------ std / var of a constant
@pytest.mark.parametrize("fn", ["std", "var"])
@pytest.mark.parametrize("values", [[2.0, 2.0, 2.0], [[2.0, 2.0, 2.0], [1.0, 2.0, 4.0]]])
def test_std_var_of_a_constant_have_gradient_zero(fn, values):
    x, tx = leaf(values), tleaf(values)
    y = getattr(x, fn)(dim=-1)
    ty = getattr(tx, fn)(dim=-1)
    y.sum().backward()
    ty.sum().backward()
    np.testing.assert_allclose(y.numpy(), ty.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-12, atol=0)
    assert np.isfinite(x.grad.numpy()).all()


def test_std_of_an_inexact_constant_is_exactly_zero():
    # torch 2.13 gives std 1.7e-17 and gradient -0.41 for [0.1]*3 (rounding residue of
    # its mean); the exact answer is 0 with gradient 0
    for dtype in (np.float16, np.float32, np.float64):
        x = leaf([0.1, 0.1, 0.1], dtype)
        y = x.std()
        y.backward()
        assert y.item() == 0.0 and not x.grad.numpy().any()


def test_std_of_one_value_is_nan_like_torch():
    x, tx = leaf([2.0]), tleaf([2.0])
    with pytest.warns(UserWarning):
        tx.std().backward()
    x.std().backward()
    assert np.isnan(x.grad.numpy()).all() and np.isnan(tx.grad.numpy()).all()


def test_std_second_derivative_at_a_constant_is_zero_like_torch():
    x, tx = leaf([2.0, 2.0, 2.0]), tleaf([2.0, 2.0, 2.0])
    (g,) = ag.grad(x.std(), x, create_graph=True)
    (tg,) = torch.autograd.grad(tx.std(), tx, create_graph=True)
    np.testing.assert_array_equal(g.numpy(), tg.detach().numpy())
    np.testing.assert_array_equal(hessian(lambda v: v.std(), ag.ones(3, dtype=np.float64)).numpy(), np.zeros((3, 3)))


# ------------------------------------------------------------------ x ** y at 0
@pytest.mark.parametrize("a,b", [(0.0, 0.0), (0.0, 1.0), (0.0, 2.0), (0.0, -1.0), (0.0, 0.5),
                                 (2.0, 0.0), (-2.0, 0.0), (-2.0, 2.0)])
def test_pow_at_zero_matches_torch(a, b):
    x, y, tx, ty = leaf(a), leaf(b), tleaf(a), tleaf(b)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = x ** y
        z.backward()
    tz = tx ** ty
    tz.backward()
    for got, want in ((z, tz), (x.grad, tx.grad), (y.grad, ty.grad)):
        np.testing.assert_array_equal(got.numpy(), want.detach().numpy())


def test_pow_const_exponent_zero_at_zero():
    x, tx = leaf([0.0, 3.0]), tleaf([0.0, 3.0])
    (x ** 0.0).sum().backward()
    (tx ** 0.0).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), tx.grad.numpy())


# ------------------------------------------------------------------ max / min with NaN
@pytest.mark.parametrize("name", ["max", "min"])
@pytest.mark.parametrize("values", [[1.0, np.nan, 3.0], [1.0, np.nan, np.nan], [np.nan, 2.0, 2.0]])
def test_max_min_with_nan_send_the_gradient_to_the_nan(name, values):
    x, tx = leaf(values), tleaf(values)
    y, ty = getattr(x, name)(), getattr(tx, name)()
    y.backward()
    ty.backward()
    assert np.isnan(y.item()) and np.isnan(ty.item())
    np.testing.assert_array_equal(x.grad.numpy(), tx.grad.numpy())


def test_max_with_dim_and_a_nan_row():
    v = [[1.0, np.nan, 3.0], [4.0, 5.0, 6.0]]
    x, tx = leaf(v), tleaf(v)
    values, indices = x.max(dim=1)
    tvalues, tindices = tx.max(dim=1)
    values.sum().backward()
    tvalues.sum().backward()
    np.testing.assert_array_equal(values.numpy(), tvalues.detach().numpy())
    np.testing.assert_array_equal(indices.numpy(), tindices.numpy())
    np.testing.assert_array_equal(x.grad.numpy(), tx.grad.numpy())
    x = leaf(v)
    x.amax(axis=1).sum().backward()  # axis= too: torch's amax would give NaN everywhere in the row
    np.testing.assert_array_equal(x.grad.numpy(), tx.grad.numpy())


# ------------------------------------------------------------------ d(x/y)/dy without y*y
@pytest.mark.parametrize("dtype,xv,yv", [(np.float32, 1e-20, 1e-23), (np.float32, 1.0, 1e-23),
                                         (np.float16, 1e-6, 1e-4), (np.float16, 1.0, 1e-4),
                                         (np.float16, 2.0, 3.0)])
def test_div_gradient_small_denominator_matches_torch(dtype, xv, yv):
    x, y = leaf([xv], dtype), leaf([yv], dtype)
    tx, ty = tleaf([xv], _tdt(dtype)), tleaf([yv], _tdt(dtype))
    z, tz = x / y, tx / ty
    z.backward()
    tz.backward()
    for got, want in ((z, tz), (x.grad, tx.grad), (y.grad, ty.grad)):
        assert got.dtype == dtype
        np.testing.assert_array_equal(got.numpy(), want.detach().numpy())
    if xv < 1:  # the true value is finite, and so is ours
        assert np.isfinite(y.grad.numpy()).all()


# ------------------------------------------------------------------ float16 accumulates in float32
def test_float16_mean_of_70000_ones():
    x = ag.ones(70000, dtype=np.float16, requires_grad=True)
    tx = torch.ones(70000, dtype=torch.float16, requires_grad=True)
    y, ty = x.mean(), tx.mean()
    assert y.dtype == np.float16 and y.item() == ty.item() == 1.0
    y.backward()
    ty.backward()
    np.testing.assert_array_equal(x.grad.numpy(), tx.grad.numpy())
    assert x.grad.dtype == np.float16


@pytest.mark.parametrize("fn", ["var", "std"])
def test_float16_var_std(fn):
    rng = np.random.default_rng(0)
    v = (rng.standard_normal(70000) * 3 + 100).astype(np.float16)
    x, tx = leaf(v, np.float16), torch.tensor(v, requires_grad=True)
    y, ty = getattr(x, fn)(), getattr(tx, fn)()
    assert y.dtype == np.float16 and np.isfinite(y.item())
    assert y.item() == pytest.approx(ty.item(), rel=2e-3)
    y.backward()
    ty.backward()
    np.testing.assert_allclose(x.grad.numpy().astype(np.float64), tx.grad.numpy().astype(np.float64),
                               rtol=1e-2, atol=1e-8)
    assert np.isfinite(x.grad.numpy()).all() and x.grad.dtype == np.float16
    ones = ag.ones(70000, dtype=np.float16)
    assert getattr(ones, fn)().item() == 0.0


# ------------------------------------------------------------------ Hessians at kinks of the chain rule
def test_hessian_of_squared_norm_at_zero_is_2I():
    # exact value 2I; torch 2.13 gives nan here
    for shape in ((3,), (2, 3)):
        H = hessian(lambda x: ag.norm(x) ** 2, ag.zeros(shape, dtype=np.float64))
        np.testing.assert_array_equal(H.numpy().reshape(6 if shape == (2, 3) else 3, -1),
                                      2 * np.eye(int(np.prod(shape))))
    H = hessian(lambda x: (ag.norm(x, axis=1) ** 2).sum(), ag.zeros((2, 3), dtype=np.float64))
    np.testing.assert_array_equal(H.numpy().reshape(6, 6), 2 * np.eye(6))
    H = hessian(lambda x: 3.0 * ag.norm(x) ** 3, ag.zeros(3, dtype=np.float64))
    np.testing.assert_array_equal(H.numpy(), np.zeros((3, 3)))  # h''(0) = 0
    H = hessian(lambda x: ag.norm(x) ** 2, ag.tensor([1.0, -2.0, 0.5], dtype=np.float64))
    np.testing.assert_allclose(H.numpy(), 2 * np.eye(3), atol=1e-12)


def test_norm_itself_keeps_the_zero_convention_at_zero():
    # ||x|| has no Hessian at 0; the gradient there is 0 (PyTorch's subgradient) and so is its derivative
    x = ag.zeros(3, dtype=np.float64, requires_grad=True)
    (g,) = ag.grad(ag.norm(x), x, create_graph=True)
    np.testing.assert_array_equal(g.numpy(), np.zeros(3))
    np.testing.assert_array_equal(hessian(ag.norm, ag.zeros(3, dtype=np.float64)).numpy(), np.zeros((3, 3)))


@pytest.mark.parametrize("values", [[0.0, 2.0, 3.0], [0.0, 2.0, 0.0], [0.0, 0.0, 0.0], [1.5, 0.0, -2.0, 0.5]])
def test_prod_second_derivative_through_zeros_matches_torch(values):
    x = ag.tensor(values, dtype=np.float64)
    H = hessian(ag.prod, x).numpy()
    tH = torch.autograd.functional.hessian(torch.prod, torch.tensor(values, dtype=torch.float64)).numpy()
    np.testing.assert_array_equal(H, tH)
    assert ag.gradgradcheck(lambda v: ag.prod(v, axis=0), [leaf(values)])


def test_prod_second_derivative_through_zeros_along_an_axis():
    v = np.array([[0.0, 2.0, 3.0], [1.5, 0.0, 0.0], [1.0, 2.0, -1.0]])
    assert ag.gradgradcheck(lambda x: ag.prod(x, axis=1), [leaf(v)])
    assert ag.gradgradcheck(lambda x: ag.prod(x, dim=0, keepdim=True), [leaf(v)])
    x, tx = leaf(v), tleaf(v.tolist())
    w = ag.tensor([1.0, -2.0, 0.5], dtype=np.float64)
    (g,) = ag.grad((ag.prod(x, axis=1) * w).sum(), x, create_graph=True)
    (tg,) = torch.autograd.grad((torch.prod(tx, 1) * torch.tensor([1.0, -2.0, 0.5], dtype=torch.float64)).sum(),
                                tx, create_graph=True)
    (g * g).sum().backward()
    (tg * tg).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-12)


# ------------------------------------------------------------------ what the new rules read
@pytest.mark.parametrize("name,edit_ok", [("div_out", True), ("mean", True), ("var", False), ("std", False)])
def test_in_place_edits_after_the_new_rules_match_torch(name, edit_ok):
    def run(M, mk):
        x = mk([1.0, 2.0, 4.0])
        h = x * 2
        if name == "div_out":
            out = h / mk([2.0, 3.0, 5.0])
            target = out
        else:
            out = getattr(h, name)()
            target = h
        if M is torch:
            with torch.no_grad():
                target.add_(1.0)
        else:
            with ag.no_grad():
                target.add_(1.0)
        out.sum().backward()
        return x.grad.numpy()

    if edit_ok:
        np.testing.assert_allclose(run(ag, leaf), run(torch, tleaf), rtol=1e-12)
    else:
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            run(torch, tleaf)
        with pytest.raises(RuntimeError):
            run(ag, leaf)
