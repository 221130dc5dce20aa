"""Conv1d / Conv2d and F.conv1d / F.conv2d: the notes' example, gradients (first and
second order), PyTorch parity with copied weights, default initialisation."""
import numpy as np
import pytest

import autograd as ag
from autograd import gradgradcheck
import nn
import nn.functional as F
from tests.helpers import requires_torch, torch


def _t(rng, shape, rg=True):
    return ag.tensor(rng.standard_normal(shape), requires_grad=rg)


def test_notes_1d_example():
    x = ag.tensor(np.array([0, 0, 0, 0, 1, 2, 3, 4, 4, 4, 4], dtype=np.float64).reshape(1, 1, -1))
    u = ag.tensor(np.array([-1.0, 1.0]).reshape(1, 1, 2))
    y = F.conv1d(x, u)
    assert y.shape == (1, 1, 10)  # M - k + 1
    np.testing.assert_array_equal(y.array.ravel(), [0, 0, 0, 1, 1, 1, 1, 0, 0, 0])


def test_conv2d_matches_the_notes_sum(rng):
    """(x conv u)_{i,j} = sum_c sum_n sum_m x_{c,n+i,m+j} u_{c,n,m}, output (H-h+1) x (W-w+1)."""
    x = rng.standard_normal((1, 3, 6, 5))
    u = rng.standard_normal((1, 3, 3, 2))
    y = F.conv2d(ag.tensor(x), ag.tensor(u)).array
    assert y.shape == (1, 1, 4, 4)
    ref = np.zeros((4, 4))
    for i in range(4):
        for j in range(4):
            ref[i, j] = (x[0, :, i:i + 3, j:j + 2] * u[0]).sum()
    np.testing.assert_allclose(y[0, 0], ref, rtol=1e-12, atol=1e-12)


CASES2D = [  # stride, padding, dilation, groups
    (1, 0, 1, 1), (2, 1, 1, 1), (1, 2, 2, 1), ((2, 1), (1, 0), (1, 2), 1), (3, 1, 1, 1),
    (1, 1, 1, 2), (1, "same", 1, 1), (1, "valid", 2, 1),
]


@pytest.mark.parametrize("stride,padding,dilation,groups", CASES2D)
def test_conv2d_gradcheck(rng, stride, padding, dilation, groups):
    x = _t(rng, (2, 4, 6, 7))
    w = _t(rng, (4, 4 // groups, 3, 2))
    b = _t(rng, (4,))
    assert ag.gradcheck(lambda x, w, b: F.conv2d(x, w, b, stride, padding, dilation, groups),
                        (x, w, b))


@pytest.mark.parametrize("stride,padding,dilation", [(1, 0, 1), (2, 1, 1), (1, 2, 3), (2, "same", 1)])
def test_conv1d_gradcheck(rng, stride, padding, dilation):
    if padding == "same" and stride != 1:
        with pytest.raises(ValueError, match="same"):
            F.conv1d(_t(rng, (2, 3, 11)), _t(rng, (2, 3, 3)), None, stride, padding)
        return
    x, w, b = _t(rng, (2, 3, 11)), _t(rng, (2, 3, 3)), _t(rng, (2,))
    assert ag.gradcheck(lambda x, w, b: F.conv1d(x, w, b, stride, padding, dilation), (x, w, b))


def test_conv2d_gradgradcheck(rng):
    x, w, b = _t(rng, (1, 2, 5, 5)), _t(rng, (2, 2, 3, 3)), _t(rng, (2,))
    assert gradgradcheck(lambda x, w, b: F.conv2d(x, w, b, stride=2, padding=1), (x, w, b))
    assert gradgradcheck(lambda x, w: F.conv2d(x, w, dilation=2, padding=1), (x, w))


def test_conv_modules_gradcheck_float64(rng):
    m = nn.Conv2d(2, 3, 3, stride=2, padding=1).double()
    x = _t(rng, (2, 2, 6, 5))
    assert ag.gradcheck(lambda x, w, b: F.conv2d(x, w, b, m.stride, m.padding), (x, m.weight, m.bias))
    y = m(x)
    assert y.shape == (2, 3, 3, 3) and y.dtype == np.float64
    m1 = nn.Conv1d(2, 3, 4, padding=2, bias=False).double()
    assert m1(_t(rng, (3, 2, 9))).shape == (3, 3, 10)
    assert [n for n, _ in m1.named_parameters()] == ["weight"]


def test_conv_shapes_and_errors(rng):
    m = nn.Conv2d(3, 8, (3, 5), stride=(2, 1), padding=(1, 2), dilation=(1, 2))
    assert m.weight.shape == (8, 3, 3, 5) and m.bias.shape == (8,)
    assert m.weight.dtype == np.float32
    y = m(ag.randn(2, 3, 10, 12))
    assert y.shape == (2, 8, 5, 8) and y.dtype == np.float32
    assert m(ag.randn(3, 10, 12)).shape == (8, 5, 8)  # unbatched input
    with pytest.raises(ValueError, match="channels"):
        m(ag.randn(2, 4, 10, 12))
    with pytest.raises(ValueError, match="divisible"):
        nn.Conv2d(3, 8, 3, groups=2)
    with pytest.raises(ValueError, match="larger than"):
        F.conv2d(ag.randn(1, 1, 2, 2), ag.randn(1, 1, 3, 3))


def test_conv_float32_end_to_end():
    m = nn.Conv2d(3, 4, 3, padding=1)
    x = ag.randn(2, 3, 8, 8, requires_grad=True)
    y = m(x)
    assert y.dtype == np.float32
    y.sum().backward()
    assert x.grad.dtype == m.weight.grad.dtype == m.bias.grad.dtype == np.float32


# ------------------------------------------------------------------ reference framework
@requires_torch
@pytest.mark.filterwarnings("ignore:Using padding='same'")
@pytest.mark.parametrize("stride,padding,dilation,groups", CASES2D)
def test_conv2d_matches_torch(rng, stride, padding, dilation, groups):
    m = nn.Conv2d(4, 6, (3, 2), stride, padding, dilation, groups).double()
    ref = torch.nn.Conv2d(4, 6, (3, 2), stride, padding, dilation, groups).double()
    with torch.no_grad():
        ref.weight.copy_(torch.from_numpy(m.weight.array))
        ref.bias.copy_(torch.from_numpy(m.bias.array))
    x = rng.standard_normal((3, 4, 9, 8))
    xa, xt = ag.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    y, yt = m(xa), ref(xt)
    np.testing.assert_allclose(y.array, yt.detach().numpy(), rtol=1e-10, atol=1e-12)
    g = rng.standard_normal(y.shape)
    y.backward(g)
    yt.backward(torch.from_numpy(g))
    np.testing.assert_allclose(xa.grad.array, xt.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(m.weight.grad.array, ref.weight.grad.numpy(), rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(m.bias.grad.array, ref.bias.grad.numpy(), rtol=1e-10, atol=1e-10)


@requires_torch
def test_conv1d_matches_torch_float32(rng):
    m = nn.Conv1d(3, 5, 4, stride=2, padding=3, dilation=2)
    ref = torch.nn.Conv1d(3, 5, 4, stride=2, padding=3, dilation=2)
    with torch.no_grad():
        ref.weight.copy_(torch.from_numpy(m.weight.array))
        ref.bias.copy_(torch.from_numpy(m.bias.array))
    x = rng.standard_normal((4, 3, 20)).astype(np.float32)
    xa, xt = ag.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    y, yt = m(xa), ref(xt)
    assert y.dtype == np.float32
    np.testing.assert_allclose(y.array, yt.detach().numpy(), rtol=1e-5, atol=1e-5)
    (y * y).sum().backward()
    (yt * yt).sum().backward()
    np.testing.assert_allclose(xa.grad.array, xt.grad.numpy(), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(m.weight.grad.array, ref.weight.grad.numpy(), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(m.bias.grad.array, ref.bias.grad.numpy(), rtol=1e-4, atol=1e-4)


@requires_torch
@pytest.mark.parametrize("cls,tcls,args", [(nn.Conv2d, "Conv2d", (6, 16, 5)),
                                           (nn.Conv1d, "Conv1d", (4, 8, 3)),
                                           (nn.Conv2d, "Conv2d", (8, 8, 3, 1, 0, 1, 4))])
def test_conv_default_init_matches_torch(cls, tcls, args):
    """Default init: weight and bias ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in)). Compare the
    variance over many draws with PyTorch's and with the formula (1/fan_in)/3."""
    torch.manual_seed(0)
    ws, bs, tw, tb = [], [], [], []
    for _ in range(40):
        m, r = cls(*args), getattr(torch.nn, tcls)(*args)
        ws.append(m.weight.array.ravel()); bs.append(m.bias.array.ravel())
        tw.append(r.weight.detach().numpy().ravel()); tb.append(r.bias.detach().numpy().ravel())
    ws, bs, tw, tb = map(np.concatenate, (ws, bs, tw, tb))
    m = cls(*args)
    fan_in = m.weight.shape[1] * int(np.prod(m.weight.shape[2:]))
    bound = 1 / np.sqrt(fan_in)
    assert np.abs(ws).max() <= bound and np.abs(bs).max() <= bound
    for ours, theirs in ((ws, tw), (bs, tb)):
        assert abs(ours.var() / theirs.var() - 1) < 0.15
        assert abs(ours.var() / (bound ** 2 / 3) - 1) < 0.15
        assert abs(ours.mean()) < 0.1 * bound


# ------------------------------------------------------------------ the window_matmul paths
# Stride-1 convolutions whose width keeps its size (and every stride-1 conv1d) take the
# long-run im2col/col2im path of autograd.ops.window, other stride-1 ones at least its
# col2im (on a wide grid); all others take the strided-view path. Both are compared with a direct loop over the notes' sum, with PyTorch, with
# each other, with blocks of one sample, and under retain_graph and create_graph.
RUN_CASES = [  # (x shape, weight shape, stride, padding, dilation, groups)
    ((3, 4, 7, 6), (6, 4, 3, 3), 1, 1, 1, 1),          # 'same' 3x3: run path
    ((2, 3, 5, 8), (4, 3, 5, 5), 1, 2, 1, 1),          # 'same' 5x5 (LeNet conv1)
    ((2, 4, 6, 7), (4, 2, 3, 2), 1, "same", 1, 2),     # asymmetric 'same', groups
    ((2, 2, 6, 9), (3, 2, 3, 3), 1, (0, 2), (1, 2), 1),  # dilated width, no height pad
    ((2, 2, 4, 5), (3, 2, 3, 3), 1, (3, 1), 1, 1),     # padding taller than the kernel
    ((2, 2, 3, 2), (3, 2, 3, 5), 1, (1, 2), 1, 1),     # kernel wider than the image
    ((2, 6, 9, 9), (4, 6, 5, 5), 1, 0, 1, 1),          # 'valid' (LeNet conv2): wide col2im
    ((2, 3, 7, 9), (4, 3, 5, 5), 1, 1, 1, 1),          # narrower output, padded sides
    ((2, 4, 8, 9), (4, 2, 3, 3), 1, 1, 2, 2),          # narrower output, dilated, groups
    ((2, 3, 9, 8), (5, 3, 3, 3), 2, 1, 1, 1),          # strided: view path
]


def _conv_ref(x, w, b, stride, padding, dilation, groups):
    """The notes' sum, one output element at a time."""
    d = x.ndim - 2
    s, r = (stride,) * d if np.isscalar(stride) else stride, (dilation,) * d if np.isscalar(dilation) else dilation
    k = w.shape[2:]
    if padding == "same":
        tot = [ri * (ki - 1) for ki, ri in zip(k, r)]
        pads = [(t // 2, t - t // 2) for t in tot]
    else:
        p = (padding,) * d if np.isscalar(padding) else padding
        pads = [(a, a) for a in p]
    xp = np.pad(x, [(0, 0), (0, 0)] + pads)
    P = [(n - ri * (ki - 1) - 1) // si + 1 for n, ki, si, ri in zip(xp.shape[2:], k, s, r)]
    N, O, Cg = x.shape[0], w.shape[0], w.shape[1]
    y = np.zeros((N, O) + tuple(P))
    for o in range(O):
        c0 = (o // (O // groups)) * Cg
        for pos in np.ndindex(*P):
            for off in np.ndindex(*k):
                idx = tuple(p_ * si + o_ * ri for p_, o_, si, ri in zip(pos, off, s, r))
                y[(slice(None), o) + pos] += xp[(slice(None), slice(c0, c0 + Cg)) + idx] @ w[(o, slice(None)) + off]
        y[:, o] += b[o]
    return y


def _conv_fn(d):
    return {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}[d]


@pytest.mark.parametrize("xs,ws,stride,padding,dilation,groups", RUN_CASES)
def test_conv_paths_match_the_notes_sum_and_gradcheck(rng, xs, ws, stride, padding, dilation, groups):
    x, w, b = _t(rng, xs), _t(rng, ws), _t(rng, (ws[0],))
    y = F.conv2d(x, w, b, stride, padding, dilation, groups)
    np.testing.assert_allclose(y.array, _conv_ref(x.array, w.array, b.array, stride, padding, dilation, groups),
                               rtol=1e-12, atol=1e-12)
    assert ag.gradcheck(lambda x, w, b: F.conv2d(x, w, b, stride, padding, dilation, groups), (x, w, b))


@pytest.mark.parametrize("xs,ws,stride,padding,dilation,groups", RUN_CASES[:4] + RUN_CASES[6:7])
def test_conv_paths_gradgradcheck(rng, xs, ws, stride, padding, dilation, groups):
    x, w, b = _t(rng, xs), _t(rng, ws), _t(rng, (ws[0],))
    assert gradgradcheck(lambda x, w, b: F.conv2d(x, w, b, stride, padding, dilation, groups), (x, w, b))


@pytest.mark.parametrize("stride,padding,dilation", [(1, 0, 1), (1, 2, 1), (1, 3, 2), (1, "same", 3), (2, 1, 1)])
def test_conv1d_paths_match_the_notes_sum(rng, stride, padding, dilation):
    x, w, b = _t(rng, (3, 2, 10)), _t(rng, (4, 2, 3)), _t(rng, (4,))
    y = F.conv1d(x, w, b, stride, padding, dilation)
    np.testing.assert_allclose(y.array, _conv_ref(x.array, w.array, b.array, stride, padding, dilation, 1),
                               rtol=1e-12, atol=1e-12)
    assert ag.gradcheck(lambda x, w, b: F.conv1d(x, w, b, stride, padding, dilation), (x, w, b))
    assert gradgradcheck(lambda x, w: F.conv1d(x, w, None, stride, padding, dilation), (x, w))


def test_conv3d_matches_the_notes_sum(rng):
    x, w, b = _t(rng, (2, 2, 4, 5, 4)), _t(rng, (3, 2, 2, 3, 2)), _t(rng, (3,))
    for stride, padding in ((1, 1), (2, 0)):
        y = F.conv3d(x, w, b, stride, padding)
        np.testing.assert_allclose(y.array, _conv_ref(x.array, w.array, b.array, stride, padding, 1, 1),
                                   rtol=1e-12, atol=1e-12)
        assert ag.gradcheck(lambda x, w, b: F.conv3d(x, w, b, stride, padding), (x, w, b))


def _grads(x, w, b, *args):
    for t in (x, w, b):
        t.grad = None
    y = F.conv2d(x, w, b, *args)
    g = np.cos(np.arange(y.array.size)).reshape(y.shape)
    y.backward(g)
    return y.array.copy(), x.grad.array.copy(), w.grad.array.copy(), b.grad.array.copy()


@pytest.mark.parametrize("xs,ws,stride,padding,dilation,groups", RUN_CASES)
def test_conv_run_path_equals_view_path_and_blocks(rng, monkeypatch, xs, ws, stride, padding, dilation, groups):
    from autograd.ops import window_kernels as W

    x, w, b = _t(rng, (5,) + xs[1:]), _t(rng, ws), _t(rng, (ws[0],))
    args = (stride, padding, dilation, groups)
    ref = _grads(x, w, b, *args)
    monkeypatch.setattr(W, "_grid", lambda *a: None)          # the strided-view path only
    for got, want in zip(_grads(x, w, b, *args), ref):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)
    monkeypatch.undo()
    monkeypatch.setattr(W, "_BLOCK_BYTES", 1)                  # one sample per block
    for got, want in zip(_grads(x, w, b, *args), ref):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


def test_conv_retain_graph_and_partial_needs(rng):
    """The backward makes the im2col matrix again in a reused scratch block and
    overwrites it; a second backward through a retained graph gives the same gradients,
    and so does a conv run in between (the scratch is shared between calls)."""
    x, w, b = _t(rng, (2, 3, 6, 6)), _t(rng, (4, 3, 3, 3)), _t(rng, (4,))
    y = F.conv2d(x, w, b, padding=1)
    g = rng.standard_normal(y.shape)
    y.backward(g, retain_graph=True)
    first = [t.grad.array.copy() for t in (x, w, b)]
    for t in (x, w, b):
        t.grad = None
    F.conv2d(_t(rng, (5, 3, 8, 8)), w, padding=1).sum().backward()
    w.grad = None
    y.backward(g)
    for t, want in zip((x, w, b), first):
        np.testing.assert_allclose(t.grad.array, want, rtol=1e-12, atol=1e-12)
    # only the weight, only the input, only the bias
    for rg in ((False, True, False), (True, False, False), (False, False, True)):
        xs, ws, bs = (ag.tensor(t.array, requires_grad=r) for t, r in zip((x, w, b), rg))
        F.conv2d(xs, ws, bs, padding=1).backward(g)
        for t, r, want in zip((xs, ws, bs), rg, first):
            if r:
                np.testing.assert_allclose(t.grad.array, want, rtol=1e-12, atol=1e-12)
            else:
                assert t.grad is None


def test_conv_no_grad_and_empty_batch(rng):
    x, w = _t(rng, (3, 2, 5, 5)), _t(rng, (4, 2, 3, 3))
    with ag.no_grad():
        y = F.conv2d(x, w, padding=1)
    assert not y.requires_grad
    np.testing.assert_allclose(y.array, _conv_ref(x.array, w.array, np.zeros(4), 1, 1, 1, 1), atol=1e-12)
    e = ag.tensor(np.zeros((0, 2, 5, 5)), requires_grad=True)
    ye = F.conv2d(e, w, padding=1)
    assert ye.shape == (0, 4, 5, 5)
    ye.sum().backward()
    assert e.grad.shape == (0, 2, 5, 5)


def test_conv_nonfinite_input_stays_local(rng):
    """An inf in the input reaches only the outputs whose windows contain it (the run
    path must not wrap it into other rows or samples)."""
    x = np.zeros((2, 1, 5, 6))
    x[0, 0, 2, 0] = np.inf
    y = F.conv2d(ag.tensor(x), ag.tensor(np.ones((1, 1, 3, 3))), padding=1).array
    bad = ~np.isfinite(y)
    assert bad[0, 0, 1:4, 0:2].all() and bad.sum() == 6


@requires_torch
@pytest.mark.parametrize("xs,ws,stride,padding,dilation,groups", RUN_CASES)
def test_conv_paths_match_torch_float32(rng, xs, ws, stride, padding, dilation, groups):
    x = rng.standard_normal(xs).astype(np.float32)
    w = rng.standard_normal(ws).astype(np.float32)
    b = rng.standard_normal(ws[0]).astype(np.float32)
    xa, wa, ba = (ag.tensor(a, requires_grad=True) for a in (x, w, b))
    xt, wt, bt = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
    y = F.conv2d(xa, wa, ba, stride, padding, dilation, groups)
    yt = torch.nn.functional.conv2d(xt, wt, bt, stride, padding, dilation, groups)
    assert y.dtype == np.float32
    np.testing.assert_allclose(y.array, yt.detach().numpy(), rtol=1e-4, atol=1e-4)
    g = rng.standard_normal(y.shape).astype(np.float32)
    y.backward(g)
    yt.backward(torch.from_numpy(g))
    for ours, theirs in ((xa, xt), (wa, wt), (ba, bt)):
        assert ours.grad.dtype == np.float32
        np.testing.assert_allclose(ours.grad.array, theirs.grad.numpy(), rtol=1e-4, atol=1e-3)


def test_window_matmul_in_threads_matches_serial(rng):
    """The scratch blocks are per thread: the primitive's forward and backward run in
    several threads at once give the serial results. (The engine's grad mode is one
    process-wide switch, so the rule is called directly here.)"""
    import threading

    from autograd.ops.raw import RAW
    from autograd.ops.window import _window_matmul

    geo = dict(kernel_size=(3, 3), stride=(1, 1), dilation=(1, 1), padding=((1, 1), (1, 1)))
    w = _t(rng, (5, 27))
    xs = [_t(rng, (4 + i, 3, 9, 9)) for i in range(4)]
    nodes = [_window_matmul(w, x, **geo).grad_fn for x in xs]

    def run(i):
        x = xs[i]
        y = _window_matmul.fwd(w.array, x.array, **geo)
        g = np.cos(np.arange(y.size)).reshape(y.shape)
        return (y,) + tuple(nodes[i].op.vjp(RAW, nodes[i], g, y, w.array, x.array)[:2])

    want = [run(i) for i in range(len(xs))]
    got = [None] * len(xs)

    def work(i):
        for _ in range(20):
            got[i] = run(i)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(xs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for res, ref in zip(got, want):
        for a, b in zip(res, ref):
            np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("xs,ws,kw", [((9, 3, 10, 10), (4, 3, 3, 3), dict(padding=1)),
                                      ((9, 4, 8, 8), (6, 2, 3, 3), dict(stride=2, groups=2)),
                                      ((9, 3, 11), (5, 3, 3), dict(padding=1))])
def test_conv_blocks_on_a_thread_pool_are_bitwise_the_inline_result(rng, monkeypatch, xs, ws, kw):
    """Sample blocks spread over a 2-thread pool give exactly (bit for bit) the
    single-thread values and gradients: each block writes its own rows, and the weight
    gradient's per-block partial sums are added in block order."""
    from concurrent.futures import ThreadPoolExecutor

    from autograd.ops import window_kernels as W

    conv = F.conv2d if len(xs) == 4 else F.conv1d
    x, w, b = _t(rng, xs), _t(rng, ws), _t(rng, (ws[0],))

    def run():
        y = conv(x, w, b, **kw)
        y.backward(np.cos(np.arange(y.array.size)).reshape(y.shape))
        out = [y.array.copy()] + [t.grad.array.copy() for t in (x, w, b)]
        for t in (x, w, b):
            t.grad = None
        return out

    monkeypatch.setattr(W, "_BLOCK_BYTES", 1)                  # one sample per block
    monkeypatch.setattr(W, "_MIN_CALL_BYTES", 0)               # always worth threads
    monkeypatch.setattr(W, "_POOL", (None, 1))                 # one thread: inline
    ref = run()
    with ThreadPoolExecutor(1, thread_name_prefix="gradtable-window") as pool:
        monkeypatch.setattr(W, "_POOL", (pool, 2))
        for got, want in zip(run(), ref):
            np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("where", ["x", "w"])
def test_row_grid_junk_columns_never_spread_inf_or_nan(rng, monkeypatch, where):
    """The row grid's junk columns read real input (the next row's first entries): an
    inf in the input or weights must give the gradients the window view gives, NaN
    and inf exactly where those have them."""
    from autograd.ops import window_kernels as W

    x, w, b = _t(rng, (3, 2, 7, 8)), _t(rng, (4, 2, 3, 3)), _t(rng, (4,))
    (x if where == "x" else w).array[0, 1, 2, 0] = np.inf
    ref = _grads(x, w, b, 1, 0, 1, 1)
    monkeypatch.setattr(W, "_grid", lambda *a: None)          # the strided-view path only
    for got, want in zip(ref, _grads(x, w, b, 1, 0, 1, 1)):
        np.testing.assert_array_equal(np.isnan(got), np.isnan(want))
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)
