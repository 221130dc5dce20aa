"""Numerical stability, documented conventions at kinks and ties, dtypes, and the
random generator."""
import warnings

import numpy as np
import pytest

import autograd as ag


def leaf(v, dtype=np.float64):
    return ag.tensor(v, dtype=dtype, requires_grad=True)


@pytest.fixture
def strict():
    """Every floating-point problem is an error, and so is every warning."""
    with np.errstate(all="raise"), warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


# ------------------------------------------------------------------ stability at +-1000
BIG = [-1000.0, -30.0, 0.0, 30.0, 1000.0]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sigmoid_tanh_softplus_at_1000(strict, dtype):
    for f, values, grads in (
        (ag.sigmoid, [0.0, None, 0.5, None, 1.0], [0.0, None, 0.25, None, 0.0]),
        (ag.tanh, [-1.0, -1.0, 0.0, 1.0, 1.0], [0.0, None, 1.0, None, 0.0]),
        (ag.softplus, [0.0, None, np.log(2.0), 30.0, 1000.0], [0.0, None, 0.5, 1.0, 1.0]),
    ):
        x = leaf(BIG, dtype)
        y = f(x)
        y.sum().backward()
        assert np.isfinite(y.array).all() and np.isfinite(x.grad.array).all(), f
        assert y.dtype == dtype and x.grad.dtype == dtype
        for got, want in zip(y.array, values):
            if want is not None:
                assert got == pytest.approx(want, rel=1e-6, abs=1e-30), f
        for got, want in zip(x.grad.array, grads):
            if want is not None:
                assert got == pytest.approx(want, rel=1e-6, abs=1e-30), f


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_log_softmax_softmax_logsumexp_at_1000(strict, dtype):
    x = leaf([[1000.0, -1000.0, 0.0], [1000.0, 1000.0, 1000.0]], dtype)
    ls = ag.log_softmax(x, axis=-1)
    np.testing.assert_allclose(ls.array[0], [0.0, -2000.0, -1000.0])
    np.testing.assert_allclose(ls.array[1], [-np.log(3.0)] * 3, rtol=1e-6)
    sm = ag.softmax(x, axis=-1)
    np.testing.assert_allclose(sm.array, [[1.0, 0.0, 0.0], [1 / 3] * 3], rtol=1e-6)
    lse = ag.logsumexp(x, axis=1)
    np.testing.assert_allclose(lse.array, [1000.0, 1000.0 + np.log(3.0)], rtol=1e-7)
    w = np.array([[1.0, 2.0, 3.0], [-1.0, 0.5, 2.0]], dtype=dtype)
    for y in (ls, sm, lse):
        x.grad = None
        (y * ag.tensor(w[: y.shape[0]] if y.ndim == 2 else w[:, 0], dtype=dtype)).sum().backward(retain_graph=True)
        assert np.isfinite(x.grad.array).all() and x.grad.dtype == dtype
    x.grad = None
    lse.sum().backward()
    # NOTE: float32 holds 1000 + log 3 only to 6e-5, hence the looser tolerance
    np.testing.assert_allclose(x.grad.array, [[1.0, 0.0, 0.0], [1 / 3] * 3],
                               rtol=1e-6 if dtype == np.float64 else 1e-4)


def test_logsumexp_all_minus_inf_row():
    x = ag.tensor([[-np.inf, -np.inf], [0.0, 0.0]], dtype=np.float64)
    out = ag.logsumexp(x, axis=1)
    assert out.array[0] == -np.inf and out.array[1] == pytest.approx(np.log(2.0))


def test_cube_of_negative_number_no_warning(strict):
    x = leaf(-2.0)
    y = x ** 3
    y.backward()
    assert y.item() == -8.0 and x.grad.item() == 12.0
    x32 = ag.tensor([-2.0, -0.5], requires_grad=True)
    (x32 ** 3).sum().backward()
    np.testing.assert_array_equal(x32.grad.array, [12.0, 0.75])
    assert x32.grad.dtype == np.float32


def test_where_sqrt_zero_upstream_is_not_nan():
    x = leaf([0.0, 4.0])
    ag.where(x > 0, ag.sqrt(x), 0).sum().backward()
    np.testing.assert_array_equal(x.grad.array, [0.0, 0.25])
    x = leaf([0.0, 4.0])
    with np.errstate(divide="ignore"):  # log(0) = -inf in the unused branch
        ag.where(x > 0, ag.log(x), 0.0).sum().backward()
    np.testing.assert_array_equal(x.grad.array, [0.0, 0.25])


def test_where_sqrt_second_order_is_not_nan():
    x = leaf([0.0, 4.0])
    (g,) = ag.grad(ag.where(x > 0, ag.sqrt(x), 0).sum(), x, create_graph=True)
    (gg,) = ag.grad(g.sum(), x)
    np.testing.assert_allclose(gg.array, [0.0, -0.25 * 4.0 ** -1.5])


# ------------------------------------------------------------------ conventions at kinks and ties
def test_subgradients_at_kinks():
    x = leaf([-1.0, 0.0, 2.0])
    ag.relu(x).sum().backward()
    np.testing.assert_array_equal(x.grad.array, [0.0, 0.0, 1.0])  # relu'(0) = 0
    x = leaf([-1.0, 0.0, 2.0])
    ag.abs(x).sum().backward()
    np.testing.assert_array_equal(x.grad.array, [-1.0, 0.0, 1.0])  # abs'(0) = 0
    x = leaf([-1.0, 0.0, 2.0])
    ag.clip(x, 0.0, 2.0).sum().backward()
    np.testing.assert_array_equal(x.grad.array, [0.0, 1.0, 1.0])  # bounds included
    x = leaf([-1.0, 0.0, 2.0])
    (ag.sign(x) + ag.step(x)).sum().backward()
    np.testing.assert_array_equal(x.grad.array, [0.0, 0.0, 0.0])
    np.testing.assert_array_equal(ag.step(x).array, [0.0, 1.0, 1.0])


def test_max_ties_split_evenly():
    x = leaf([[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]])
    x.max(axis=1).sum().backward()
    np.testing.assert_allclose(x.grad.array, [[0.0, 0.5, 0.5], [1 / 3] * 3])
    x = leaf([1.0, 3.0, 3.0])
    x.min().backward()
    np.testing.assert_array_equal(x.grad.array, [1.0, 0.0, 0.0])
    a, b = leaf([1.0, 2.0]), leaf([1.0, 3.0])
    ag.maximum(a, b).sum().backward()
    np.testing.assert_array_equal(a.grad.array, [0.5, 0.0])
    np.testing.assert_array_equal(b.grad.array, [0.5, 1.0])


def test_max_with_dim_returns_values_and_indices():
    x = leaf([[1.0, 5.0, 2.0], [7.0, 0.0, 7.0]])
    values, indices = x.max(dim=1)
    np.testing.assert_array_equal(values.array, [5.0, 7.0])
    np.testing.assert_array_equal(indices.array, [1, 0])
    assert not indices.requires_grad and indices.dtype == np.int64


@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("name,dim", [("max", 1), ("min", 0), ("max", -1)])
def test_max_with_dim_sends_the_gradient_at_ties_to_the_returned_index(name, dim, keepdim):
    torch = pytest.importorskip("torch")
    data = [[1.0, 3.0, 3.0], [2.0, 2.0, 0.0], [3.0, 0.0, 3.0]]
    w = np.arange(1.0, 4.0)  # a different weight per output, so misrouting shows
    x = leaf(data)
    values, indices = getattr(x, name)(dim=dim, keepdim=keepdim)
    (values * ag.tensor(w.reshape(values.shape))).sum().backward()
    t = torch.tensor(data, dtype=torch.float64, requires_grad=True)
    tv, ti = getattr(t, name)(dim=dim, keepdim=keepdim)
    (tv * torch.tensor(w.reshape(tuple(tv.shape)))).sum().backward()
    np.testing.assert_array_equal(indices.array, ti.numpy())
    np.testing.assert_array_equal(values.array, tv.detach().numpy())
    np.testing.assert_array_equal(x.grad.array, t.grad.numpy())


def test_prod_with_zeros_is_exact():
    x = leaf([0.0, 2.0, 3.0])
    x.prod().backward()
    np.testing.assert_array_equal(x.grad.array, [6.0, 0.0, 0.0])
    x = leaf([0.0, 2.0, 0.0])
    x.prod().backward()
    np.testing.assert_array_equal(x.grad.array, [0.0, 0.0, 0.0])


def test_norm_gradient_at_zero_is_zero():
    x = leaf([0.0, 0.0])
    ag.norm(x).backward()
    np.testing.assert_array_equal(x.grad.array, [0.0, 0.0])
    x = leaf([3.0, 4.0])
    ag.norm(x).backward()
    np.testing.assert_allclose(x.grad.array, [0.6, 0.8])
    assert ag.norm(x, p=1).item() == 7.0 and ag.norm(x, p=np.inf).item() == 4.0


def test_var_std_are_unbiased_by_default():
    x = ag.tensor([1.0, 2.0, 3.0, 4.0], dtype=np.float64)
    assert x.var().item() == pytest.approx(np.var(x.array, ddof=1))
    assert x.var(unbiased=False).item() == pytest.approx(np.var(x.array))
    assert x.std(correction=0).item() == pytest.approx(np.std(x.array))
    assert x.std(dim=0).item() == pytest.approx(np.std(x.array, ddof=1))


# ------------------------------------------------------------------ dtypes
def test_default_dtypes():
    assert ag.tensor([1.0, 2.0]).dtype == np.float32
    assert ag.tensor(np.array([1.0])).dtype == np.float64
    assert ag.tensor([1, 2]).dtype == np.int64
    assert ag.tensor([True]).dtype == np.bool_
    assert ag.zeros(2, 3).dtype == np.float32 and ag.zeros((2, 3)).shape == (2, 3)
    assert ag.randn(3).dtype == np.float32 and ag.arange(3).dtype == np.int64
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    for y in (x * 2.5, 2.5 * x, x / 3, x ** 2, x - np.float64(1.0), ag.maximum(x, 0.5), x.mean(), x.var(),
              ag.where(x > 1, x, 0.0), x + np.array([1.0, 2.0]).astype(np.float32), ag.softmax(x),
              ag.clip(x, 0.0, 1.5), x.norm(), ag.cumsum(x, 0), ag.log1p(x), ag.expm1(x)):
        assert y.dtype == np.float32, y


def test_integer_power_of_integer_tensor():
    x = ag.tensor([4, 9])
    np.testing.assert_allclose((x ** 0.5).array, [2.0, 3.0])
    assert (x ** 2).dtype == np.int64 and (x ** 2).tolist() == [16, 81]


def test_astype_to_integer_leaves_the_graph():
    x = leaf([1.7, -2.2])
    i = x.long()
    assert i.dtype == np.int64 and not i.requires_grad and i.tolist() == [1, -2]
    f = x.float()
    assert f.dtype == np.float32 and f.requires_grad


# ------------------------------------------------------------------ one generator
def test_manual_seed_reproducible_and_leaves_numpy_alone():
    np.random.seed(123)
    state = np.random.get_state()[1].copy()
    ag.manual_seed(7)
    a = ag.randn(5).array.copy(), ag.rand(3).array.copy(), ag.randint(0, 10, (4,)).array.copy()
    ag.manual_seed(7)
    b = ag.randn(5).array.copy(), ag.rand(3).array.copy(), ag.randint(0, 10, (4,)).array.copy()
    for u, v in zip(a, b):
        np.testing.assert_array_equal(u, v)
    assert not np.array_equal(ag.randn(5).array, a[0])
    np.testing.assert_array_equal(np.random.get_state()[1], state)
    with pytest.raises(TypeError, match="manual_seed"):
        ag.manual_seed(1.5)


def test_clip_with_tensor_bounds_and_reshape_with_array_shape():
    x = leaf([-2.0, 0.5, 3.0])
    lo = leaf(-1.0)
    y = ag.clip(x, lo, ag.tensor(2.0, dtype=np.float64))
    np.testing.assert_array_equal(y.array, [-1.0, 0.5, 2.0])
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.array, [0.0, 1.0, 0.0])
    assert lo.grad.item() == 1.0
    assert x.reshape(np.array([3, 1])).shape == (3, 1)


def test_integer_operands_take_the_float_operands_dtype():
    labels = ag.tensor([1, 0, 1])
    p = ag.tensor([0.2, 0.5, 0.9], requires_grad=True)
    loss = -(labels * ag.log(p)).sum()
    assert loss.dtype == np.float32
    loss.backward()
    np.testing.assert_allclose(p.grad.array, [-5.0, 0.0, -1 / 0.9], rtol=1e-6)
    assert (ag.tensor([1, 2]) + 0.5).dtype == np.float32
    assert (ag.tensor([True, False]) * ag.tensor([2.0, 3.0], dtype=np.float64)).dtype == np.float64
    assert (ag.tensor([1, 2]) + 1).dtype == np.int64
