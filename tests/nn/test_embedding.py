"""Embedding and F.one_hot: PyTorch's init, padding_idx, max_norm, scale_grad_by_freq,
values and weight gradients against PyTorch (float32, float64), finite differences."""
import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F
from tests.helpers import requires_torch, torch
from tests.nn.parity import compare

IDX = np.array([[1, 0, 3, 3], [4, 1, 0, 3]])


@requires_torch
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("kw", [{}, {"padding_idx": 0}, {"padding_idx": -2},
                                {"scale_grad_by_freq": True, "padding_idx": 3},
                                {"max_norm": 1.0}, {"max_norm": 0.5, "norm_type": 1.0}])
def test_matches_torch(kw, dtype):
    torch.manual_seed(0)
    tm = torch.nn.Embedding(5, 3, **kw)
    gm = nn.Embedding(5, 3, **kw)
    compare(gm, tm, [IDX], dtype)
    if "max_norm" in kw:  # the looked-up rows were renormalised in place, as in PyTorch
        np.testing.assert_allclose(gm.weight.numpy(), tm.weight.detach().numpy(), rtol=1e-6)
    assert repr(gm) == repr(tm)


def test_padding_row_gets_no_gradient_and_starts_at_zero():
    e = nn.Embedding(6, 4, padding_idx=2).double()
    assert not e.weight.numpy()[2].any()
    e.weight.array[2] = 5.0  # a loaded, non-zero padding row is still looked up
    out = e(np.array([2, 1, 2]))
    np.testing.assert_array_equal(out.numpy()[0], 5.0)
    (out * ag.tensor(np.arange(12.0).reshape(3, 4))).sum().backward()
    g = e.weight.grad.numpy()
    np.testing.assert_array_equal(g[2], 0)
    np.testing.assert_array_equal(g[1], [4, 5, 6, 7])


def test_default_init_is_standard_normal():
    w = nn.Embedding(2000, 50).weight.numpy()
    assert w.dtype == np.float32
    assert abs(w.mean()) < 0.01 and abs(w.std() - 1) < 0.01


def test_gradcheck(rng):
    w = ag.tensor(rng.standard_normal((5, 3)), requires_grad=True)
    assert ag.gradcheck(lambda w: F.embedding(IDX, w), (w,))
    # padding_idx and scale_grad_by_freq change the gradient on purpose (checked against
    # torch above); with a padding row that is never looked up the gradient is exact
    assert ag.gradcheck(lambda w: F.embedding(IDX, w, padding_idx=2), (w,))


def test_from_pretrained_freezes_and_shares():
    table = np.arange(6.0).reshape(3, 2)
    e = nn.Embedding.from_pretrained(table)
    assert not e.weight.requires_grad
    np.testing.assert_array_equal(e(np.array([2, 0])).numpy(), [[4, 5], [0, 1]])
    assert nn.Embedding.from_pretrained(table, freeze=False).weight.requires_grad


def test_errors_name_the_problem():
    e = nn.Embedding(4, 2)
    with pytest.raises(IndexError, match="index 4 is out of range for a table of 4 rows"):
        e(np.array([0, 4]))
    with pytest.raises(TypeError, match="integer tensor of indices"):
        e(ag.tensor([0.0, 1.0]))
    with pytest.raises(ValueError, match="padding_idx=4 must be within"):
        nn.Embedding(4, 2, padding_idx=4)
    with pytest.raises(NotImplementedError, match="sparse=True"):
        nn.Embedding(4, 2, sparse=True)


@requires_torch
def test_one_hot_matches_torch():
    x = np.array([[0, 2], [1, 4]])
    for n in (-1, 6):
        ref = torch.nn.functional.one_hot(torch.from_numpy(x), n).numpy()
        out = F.one_hot(ag.tensor(x), n)
        assert out.dtype == np.int64 and not out.requires_grad
        np.testing.assert_array_equal(out.numpy(), ref)
    with pytest.raises(ValueError, match=r"class values must be in \[0, 3\)"):
        F.one_hot(ag.tensor(x), 3)
    with pytest.raises(ValueError, match="class values must be in"):
        F.one_hot(ag.tensor(np.array([-1])))
