"""Issue 12's ops beyond the op table: index outputs (sort, argsort, topk), sampling
(multinomial), one_hot, rounding on integers, einsum's parsing, error messages, and the
two small fixes (chunk's axis=, BatchNorm state dicts without num_batches_tracked)."""
import numpy as np
import pytest

import autograd as ag
import nn
from tests.helpers import requires_torch, torch


@requires_torch
def test_sort_argsort_topk_indices_match_torch():
    x = np.array([[3.0, 1.0, 2.0, 1.0], [0.5, np.nan, -1.0, 0.5]])
    t = torch.tensor(x)
    for kw in (dict(), dict(descending=True)):
        ours = ag.sort(ag.tensor(x), dim=1, **kw)
        ref = torch.sort(t, dim=1, stable=True, **kw)
        np.testing.assert_array_equal(ours.values.numpy(), ref.values.numpy())
        np.testing.assert_array_equal(ours.indices.numpy(), ref.indices.numpy())
        np.testing.assert_array_equal(ag.argsort(ag.tensor(x), 1, **kw).numpy(),
                                      torch.argsort(t, dim=1, stable=True, **kw).numpy())
    d = np.random.default_rng(0).permutation(12).reshape(3, 4).astype(float)
    for kw in (dict(), dict(largest=False), dict(dim=0)):
        ours, ref = ag.topk(ag.tensor(d), 2, **kw), torch.topk(torch.tensor(d), 2, **kw)
        np.testing.assert_array_equal(ours.values.numpy(), ref.values.numpy())
        np.testing.assert_array_equal(ours.indices.numpy(), ref.indices.numpy())
    v, i = ag.tensor(d, requires_grad=True).sort()
    assert v.requires_grad and not i.requires_grad and i.dtype == np.int64
    with pytest.raises(ValueError, match="topk: k=5"):
        ag.topk(ag.tensor(d), 5)


def test_multinomial_is_seeded_and_has_the_right_frequencies():
    p = ag.tensor([[0.1, 0.0, 0.6, 0.3], [1.0, 1.0, 1.0, 1.0]])
    ag.manual_seed(7)
    a = ag.multinomial(p, 4000, replacement=True)
    ag.manual_seed(7)
    b = p.multinomial(4000, replacement=True)
    np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert a.dtype == np.int64 and a.shape == (2, 4000) and not a.requires_grad
    freq = np.stack([np.bincount(r, minlength=4) / 4000 for r in a.numpy()])
    np.testing.assert_allclose(freq, [[0.1, 0.0, 0.6, 0.3], [0.25] * 4], atol=0.03)
    g1, g2 = ag.Generator().manual_seed(2147483647), ag.Generator().manual_seed(2147483647)
    np.testing.assert_array_equal(ag.multinomial(p, 3, generator=g1).numpy(),
                                  ag.multinomial(p, 3, generator=g2).numpy())
    # without replacement: distinct categories, never one of probability 0
    draws = ag.multinomial(ag.tensor([0.2, 0.0, 0.5, 0.3]), 3, generator=g1).numpy()
    assert sorted(draws) == [0, 2, 3]
    first = [int(ag.multinomial(ag.tensor([0.2, 0.0, 0.5, 0.3]), 1, generator=g1).numpy()[0])
             for _ in range(2000)]
    np.testing.assert_allclose(np.bincount(first, minlength=4) / 2000, [0.2, 0, 0.5, 0.3], atol=0.04)
    with pytest.raises(ValueError, match="without replacement"):
        ag.multinomial(ag.tensor([0.5, 0.0, 0.5]), 3)
    with pytest.raises(ValueError, match="non-negative"):
        ag.multinomial(ag.tensor([0.5, -0.1]), 1)


@requires_torch
def test_one_hot_matches_torch_and_checks_its_input():
    x = np.array([[0, 3], [2, 2]])
    ref = torch.nn.functional.one_hot(torch.tensor(x)).numpy()
    np.testing.assert_array_equal(ag.one_hot(ag.tensor(x)).numpy(), ref)
    np.testing.assert_array_equal(nn.functional.one_hot(ag.tensor(x), 6).numpy(),
                                  torch.nn.functional.one_hot(torch.tensor(x), 6).numpy())
    with pytest.raises(TypeError, match="integer"):
        ag.one_hot(ag.tensor([0.0, 1.0]))
    with pytest.raises(ValueError, match=r"\[0, 3\)"):
        ag.one_hot(ag.tensor([0, 3]), 3)


@requires_torch
def test_where_with_two_scalars_and_rounding_integers():
    c = ag.tensor([True, False])
    out = ag.where(c, 1.0, 0.0)
    ref = torch.where(torch.tensor([True, False]), 1.0, 0.0)
    assert out.dtype == np.float32 and str(ref.dtype) == "torch.float32"
    np.testing.assert_array_equal(out.numpy(), ref.numpy())
    i = ag.tensor([1, -2])
    assert ag.floor(i) is i and ag.round(i).dtype == np.int64
    x = ag.tensor([1.5, -0.3], dtype="float64", requires_grad=True)
    ag.floor(x).sum().backward()  # PyTorch's rule: a node with zero gradient
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 0.0])
    np.testing.assert_array_equal((ag.tensor([5.0, -5.0]) % 3).numpy(), [2.0, 1.0])


@requires_torch
def test_float32_activations_match_torch():
    x = np.linspace(-6, 6, 41).astype(np.float32)
    for name in ("gelu", "silu", "mish", "hardswish"):
        ours = getattr(ag, name)(ag.tensor(x))
        ref = getattr(torch.nn.functional, name)(torch.tensor(x))
        assert ours.dtype == np.float32
        np.testing.assert_allclose(ours.numpy(), ref.numpy(), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(ag.gelu(ag.tensor(x), approximate="tanh").numpy(),
                               torch.nn.functional.gelu(torch.tensor(x), approximate="tanh").numpy(),
                               rtol=1e-6, atol=1e-6)
    with pytest.raises(ValueError, match="approximate"):
        ag.gelu(ag.tensor(x), approximate="fast")


def test_erf_without_scipy_uses_math_erf(monkeypatch):
    import math

    from autograd.ops import special

    x = np.linspace(-4, 4, 17)
    expected = np.array([math.erf(v) for v in x])
    np.testing.assert_allclose(ag.erf(ag.tensor(x)).numpy(), expected, rtol=1e-15, atol=1e-16)
    monkeypatch.setitem(__import__("sys").modules, "scipy.special", None)
    monkeypatch.setattr(special, "_ERF", [])
    np.testing.assert_array_equal(ag.erf(ag.tensor(x)).numpy(), expected)
    assert ag.erf(ag.tensor(x.astype(np.float32))).dtype == np.float32


@requires_torch
def test_einsum_forms_and_errors():
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((2, 3, 4)), rng.standard_normal((4, 5))
    for eq in ("...ij,jk", "bij,jk->bik", "bij->", "b...->...b", "bij,jk->kb"):
        np.testing.assert_allclose(ag.einsum(eq, ag.tensor(a), ag.tensor(b)).numpy() if "," in eq else
                                   ag.einsum(eq, ag.tensor(a)).numpy(),
                                   (torch.einsum(eq, torch.tensor(a), torch.tensor(b)) if "," in eq else
                                    torch.einsum(eq, torch.tensor(a))).numpy(), rtol=1e-12)
    with pytest.raises(ValueError, match=r"operand 0 of shape \(2, 3, 4\)"):
        ag.einsum("ij,jk->ik", ag.tensor(a), ag.tensor(b))
    with pytest.raises(ValueError, match="names 2 operands"):
        ag.einsum("ij,jk", ag.tensor(b))


def test_index_errors_name_the_op_and_shapes():
    x = ag.tensor(np.zeros((3, 4)))
    with pytest.raises(IndexError, match=r"gather: index values must be in \[0, 4\)"):
        ag.gather(x, 1, ag.tensor([[4]]))
    with pytest.raises(ValueError, match="same number of dimensions"):
        ag.gather(x, 1, ag.tensor([1]))
    with pytest.raises(ValueError, match="masked_fill: mask of shape"):
        ag.masked_fill(x, ag.tensor(np.ones((2, 3, 4), dtype=bool)), 0.0)
    with pytest.raises(TypeError, match="bool"):
        ag.masked_fill(x, ag.tensor([1, 0, 1, 0]), 0.0)
    with pytest.raises(ValueError, match="tril: expects a tensor with at least 2"):
        ag.tril(ag.tensor([1.0, 2.0]))


def test_chunk_accepts_axis_and_dim():
    x = ag.arange(12).reshape(3, 4)
    for parts in (ag.chunk(x, 2, axis=1), ag.chunk(x, 2, dim=1), x.chunk(2, 1)):
        assert [p.shape for p in parts] == [(3, 2), (3, 2)]
    with pytest.raises(TypeError, match="axis or dim"):
        ag.chunk(x, 2, dim=0, axis=1)


@requires_torch
def test_batchnorm_loads_a_state_dict_without_num_batches_tracked():
    ref = torch.nn.BatchNorm1d(3)
    ref.train()
    ref(torch.randn(8, 3))
    sd = {k: v.numpy() for k, v in ref.state_dict().items() if k != "num_batches_tracked"}
    bn = nn.BatchNorm1d(3)
    result = bn.load_state_dict(sd)  # strict=True, like PyTorch
    assert list(result[0]) == [] and int(bn.num_batches_tracked.numpy()) == 0
    np.testing.assert_allclose(bn.running_mean.numpy(), ref.running_mean.numpy())
    model = nn.Sequential(nn.Linear(3, 3), nn.BatchNorm1d(3))
    sd = {k: v for k, v in model.state_dict().items() if not k.endswith("num_batches_tracked")}
    model.load_state_dict(sd)
    # a dict that says it was saved with the buffer (PyTorch's metadata version 2) must have it
    tsd = ref.state_dict()
    del tsd["num_batches_tracked"]
    with pytest.raises(RuntimeError, match="num_batches_tracked"):
        bn.load_state_dict(tsd)
    with pytest.raises(RuntimeError, match="missing key"):
        bn.load_state_dict({"weight": np.ones(3)})
