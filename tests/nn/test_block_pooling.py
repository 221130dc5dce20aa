"""max_pool2d / avg_pool2d over non-overlapping windows take the strided-slice road
(autograd/ops/blockpool.py): the same values and gradients as PyTorch at ties, with
NaN, on sizes that are not multiples of the kernel, in float32 and float64."""
import numpy as np
import pytest

import autograd as ag
import nn.functional as F
from tests.helpers import requires_torch, torch

RNG = np.random.default_rng(7)


def _both(fn, tfn, x, g):
    a = ag.tensor(x, requires_grad=True)
    y = fn(a)
    y.backward(ag.tensor(g))
    t = torch.tensor(x, requires_grad=True)
    yt = tfn(t)
    yt.backward(torch.tensor(g))
    return y, a.grad, yt.detach().numpy(), t.grad.numpy()


CASES = [
    ("max2", lambda x: F.max_pool2d(x, 2), lambda x: torch.nn.functional.max_pool2d(x, 2)),
    ("max2x3", lambda x: F.max_pool2d(x, (2, 3)), lambda x: torch.nn.functional.max_pool2d(x, (2, 3))),
    ("avg2", lambda x: F.avg_pool2d(x, 2), lambda x: torch.nn.functional.avg_pool2d(x, 2)),
    ("avg3", lambda x: F.avg_pool2d(x, 3), lambda x: torch.nn.functional.avg_pool2d(x, 3)),
]


@requires_torch
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(2, 3, 6, 6), (2, 3, 7, 5), (3, 6, 8)])
@pytest.mark.parametrize("name,fn,tfn", CASES, ids=[c[0] for c in CASES])
def test_matches_torch(name, fn, tfn, shape, dtype):
    x = RNG.standard_normal(shape).astype(dtype)
    y0 = tfn(torch.tensor(x))
    g = RNG.standard_normal(tuple(y0.shape)).astype(dtype)
    y, gx, yt, gt = _both(fn, tfn, x, g)
    assert y.dtype == dtype and gx.dtype == dtype
    tol = dict(rtol=1e-6, atol=1e-6) if dtype == np.float32 else dict(rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(y.numpy(), yt, **tol)
    np.testing.assert_allclose(gx.numpy(), gt, **tol)


@requires_torch
def test_max_ties_and_nan_go_where_torch_sends_them():
    x = np.array([[[[1.0, 1.0, 2.0, 0.0],
                    [1.0, 0.0, 2.0, 2.0],
                    [np.nan, 5.0, 3.0, 3.0],
                    [1.0, np.nan, 3.0, 3.0]]]])
    g = np.array([[[[1.0, 2.0], [3.0, 4.0]]]])
    fn, tfn = CASES[0][1], CASES[0][2]
    y, gx, yt, gt = _both(fn, tfn, x, g)
    np.testing.assert_array_equal(y.numpy(), yt)
    np.testing.assert_array_equal(gx.numpy(), gt)


def test_gradgradcheck_through_the_fast_path():
    x = ag.tensor(RNG.standard_normal((1, 2, 4, 4)), requires_grad=True)
    assert ag.gradgradcheck(lambda t: F.avg_pool2d(t, 2) ** 2, (x,))
    assert ag.gradgradcheck(lambda t: F.max_pool2d(t, 2) ** 2, (x,))


def test_block_max_pool_rows_on_a_thread_pool_are_bitwise_the_inline_result(monkeypatch):
    """Large batches split their rows over the window pool's threads; each thread writes
    its own rows, so values and gradients are the inline ones, bit for bit (ties and
    NaN included)."""
    from concurrent.futures import ThreadPoolExecutor

    from autograd.ops import window_kernels as W

    rng = np.random.default_rng(3)
    x = np.round(rng.standard_normal((5, 3, 8, 6)), 1).astype(np.float32)  # ties
    x[1, 2, 3, 4] = np.nan

    def run():
        t = ag.tensor(x, requires_grad=True)
        y = F.max_pool2d(ag.relu(t) * 1, 2)
        y.backward(np.cos(np.arange(y.array.size)).reshape(y.shape).astype(np.float32))
        return y.array.copy(), t.grad.array.copy()

    monkeypatch.setattr(W, "_MIN_SPLIT_BYTES", 0)
    monkeypatch.setattr(W, "_POOL", (None, 1))
    ref = run()
    with ThreadPoolExecutor(1, thread_name_prefix="gradtable-window") as pool:
        monkeypatch.setattr(W, "_POOL", (pool, 2))
        for got, want in zip(run(), ref):
            np.testing.assert_array_equal(got, want)
