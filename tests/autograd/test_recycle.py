"""The pool of large result arrays (autograd.ops.recycle): a block is handed out again
only when no array refers to it, and gradients kept as a leaf's .grad own their memory."""
import numpy as np

import autograd as ag
import nn.functional as F
from autograd.ops import recycle


def test_a_block_is_reused_only_when_no_array_refers_to_it():
    a = recycle.empty((300, 301), np.float32)
    view = a[1:].T
    del a
    b = recycle.empty((300, 301), np.float32)
    assert not np.shares_memory(b, view)
    view[...] = 1
    b[...] = 2
    assert (view == 1).all()
    block = id(view.base)  # (a reference to the block itself would keep it in use)
    del view
    c = recycle.empty((300, 301), np.float32)
    assert id(c.base) == block and not np.shares_memory(c, b)


def test_small_arrays_and_the_cap_fall_back_to_numpy(monkeypatch):
    assert recycle.empty((3, 4), np.float64).base is None
    monkeypatch.setattr(recycle, "_MAX_HELD", 0)
    assert recycle.empty((512, 512), np.float32).base is None


def test_leaf_gradients_own_their_memory_and_steps_repeat():
    rng = np.random.default_rng(0)
    x = ag.tensor(rng.standard_normal((8, 6, 40, 40)).astype(np.float32), requires_grad=True)
    w = ag.tensor(rng.standard_normal((6, 6, 3, 3)).astype(np.float32), requires_grad=True)
    grads = []
    for _ in range(3):
        x.grad = w.grad = None
        y = F.max_pool2d(ag.relu(F.conv2d(x, w, padding=1)), 2)
        y.sum().backward()
        assert x.grad.array.base is None and w.grad.array.base is None
        grads.append((x.grad.array, w.grad.array))
    for gx, gw in grads[1:]:
        np.testing.assert_array_equal(gx, grads[0][0])
        np.testing.assert_array_equal(gw, grads[0][1])
    h = ag.tensor(rng.standard_normal((8, 6, 40, 40)).astype(np.float32), requires_grad=True)
    ag.relu(h).sum().backward()
    p = ag.tensor(rng.standard_normal((8, 6, 40, 40)).astype(np.float32), requires_grad=True)
    F.max_pool2d(p, 2).sum().backward()
    assert h.grad.array.base is None and p.grad.array.base is None


def test_relu_rows_on_a_thread_pool_are_bitwise_the_inline_result(monkeypatch):
    """relu's forward and gradient on a large batch split its rows over the window
    pool's threads: the values are the inline ones (and numpy's), bit for bit, NaN,
    inf and signed zeros included."""
    from concurrent.futures import ThreadPoolExecutor

    from autograd.ops import elementwise as E
    from autograd.ops import window_kernels as W

    rng = np.random.default_rng(5)
    x = rng.standard_normal((5, 3, 40, 40)).astype(np.float32)  # > 4 rows of 4096
    x[0, 0, 0, :4] = [np.nan, np.inf, -np.inf, -0.0]
    x[4, 2, 39, 39] = 0.0
    g = np.cos(np.arange(x.size)).reshape(x.shape).astype(np.float32)

    def run():
        t = ag.tensor(x, requires_grad=True)
        y = ag.relu(t * 1)  # a non-leaf input: its gradient comes from recycle
        y.backward(g)
        return y.array.copy(), t.grad.array.copy()

    monkeypatch.setattr(E, "_SPLIT_BYTES", 0)
    monkeypatch.setattr(W, "_POOL", (None, 1))
    ref = run()
    np.testing.assert_array_equal(ref[0], np.maximum(x, 0))
    np.testing.assert_array_equal(ref[1], g * (x > 0))
    with ThreadPoolExecutor(1, thread_name_prefix="gradtable-window") as pool:
        monkeypatch.setattr(W, "_POOL", (pool, 2))
        for got, want in zip(run(), ref):
            assert got.tobytes() == want.tobytes()
