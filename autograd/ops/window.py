"""Sliding windows over the trailing axes (im2col), from which ``nn`` builds
convolution and pooling.

For an array x whose last ``d`` axes are spatial (d = len(kernel_size)), with kernel
k, stride s and dilation r per spatial axis, the windows are

    W[..., p_1..p_d, o_1..o_d] = x[..., p_1 s_1 + o_1 r_1, ..., p_d s_d + o_d r_d]

for output positions 0 <= p_i < P_i = (n_i - r_i (k_i - 1) - 1) // s_i + 1 and kernel
offsets 0 <= o_i < k_i. Three pairs of mutually adjoint primitives live here:

* ``sliding_window`` (a strided *view*, no copy) and ``window_scatter_add`` (col2im:
  every window entry is added back where it came from). Each is the other's VJP, so
  second derivatives (``create_graph=True``) of a convolution come for free.
* ``window_max`` (max over each window, remembering the first argmax) and
  ``window_max_scatter`` / ``window_max_gather`` (send g to the argmax of each window,
  and read it back from there), the gradient path of max pooling.

* ``window_matmul`` (every zero-padded window of x against the kernel, plus bias): the
  product of a convolution, y[n, o, p] = b[o] + sum_{c,k} w[o, c K + k] x_pad[n, c,
  p s + k r]. It runs im2col (the windows copied into a matrix), one matrix product and
  the bias; its backward dL/dw = windows^T g and dL/dx = col2im(w^T g), un-padded.
  Under ``create_graph`` its rule is written with ``pad``, ``sliding_window``,
  ``window_scatter_add`` and ``matmul``, so the notes' formulas stay the definition.

Every backward loops over the k_1 ... k_d kernel offsets only (one strided slice-add
per offset), never over channels or positions; ``window_matmul`` also goes through the
batch in a few blocks of samples sized to stay in cache (see ``_BLOCK_BYTES``).

A convolution is ``window_matmul`` of the weights reshaped to (O, C K); see
``nn.functional.conv``.
"""
import itertools
import threading

import numpy as np
from numpy.lib.stride_tricks import as_strided

from .registry import primitive
from ..backend import backend_of

__all__ = ["sliding_window", "window_scatter_add", "window_max", "window_matmul", "window_out_shape"]


# ------------------------------------------------------------------ geometry
def _tuple(v, d, name):
    if isinstance(v, (int, np.integer)):
        return (int(v),) * d
    v = tuple(int(a) for a in v)
    if len(v) != d:
        raise ValueError(f"{name} needs {d} values (one per spatial axis), got {v}")
    return v


def window_out_shape(spatial, kernel_size, stride, dilation):
    """The number of window positions along each spatial axis:
    P_i = (n_i - r_i (k_i - 1) - 1) // s_i + 1 (raises when the window does not fit)."""
    out = []
    for n, k, s, r in zip(spatial, kernel_size, stride, dilation):
        span = r * (k - 1) + 1
        if n < span:
            raise ValueError(
                f"the window (kernel {tuple(kernel_size)}, dilation {tuple(dilation)}) is "
                f"larger than the (padded) input of spatial size {tuple(spatial)}")
        out.append((n - span) // s + 1)
    return tuple(out)


def _offset_slices(offset, out, stride, dilation):
    """The strided slice of the input that kernel offset ``offset`` reads at every
    window position (one slice per spatial axis)."""
    return tuple(slice(o * r, o * r + s * (p - 1) + 1, s)
                 for o, p, s, r in zip(offset, out, stride, dilation))


def _view(x, kernel_size, stride, dilation):
    d = len(kernel_size)
    spatial = x.shape[x.ndim - d:]
    out = window_out_shape(spatial, kernel_size, stride, dilation)
    st = x.strides[x.ndim - d:]
    shape = x.shape[:x.ndim - d] + out + tuple(kernel_size)
    strides = (x.strides[:x.ndim - d] + tuple(a * s for a, s in zip(st, stride))
               + tuple(a * r for a, r in zip(st, dilation)))
    if type(x) is not np.ndarray:  # CuPy, strict: the backend's strided view
        return backend_of(x).as_strided(x, shape, strides)
    return as_strided(x, shape, strides, writeable=False)


def _scatter_add(g, shape, kernel_size, stride, dilation):
    """col2im: zeros(shape) with every window entry of g added back at its source."""
    d = len(kernel_size)
    out = g.shape[g.ndim - 2 * d:g.ndim - d]
    gx = backend_of(g).zeros(shape, g.dtype)
    lead = (slice(None),) * (len(shape) - d)
    # NOTE: when windows cannot overlap (s_i > r_i (k_i - 1) on every axis) each input
    # element is written by at most one (offset, position) pair, so assignment is
    # enough and saves reading gx back.
    disjoint = all(s > r * (k - 1) for k, s, r in zip(kernel_size, stride, dilation))
    for offset in itertools.product(*[range(k) for k in kernel_size]):
        idx = lead + _offset_slices(offset, out, stride, dilation)
        src = g[(Ellipsis,) + offset]
        if disjoint:
            gx[idx] = src
        else:
            gx[idx] += src
    return gx


# ------------------------------------------------------------------ sliding window / col2im
@primitive("sliding_window")
def _sliding_window(x, kernel_size, stride, dilation):
    """y[..., p, o] = x[..., p s + o r] (a strided view of the last d axes, no copy),
    shape x.shape[:-d] + P + k;  dy/dx is col2im: every g[..., p, o] is added back at
    x[..., p s + o r] (``window_scatter_add``)."""
    return _view(x, kernel_size, stride, dilation)


@_sliding_window.defvjp
def _(F, n, g, out, x):
    p = n.params
    kw = dict(shape=F.value(x).shape, kernel_size=p["kernel_size"], stride=p["stride"],
              dilation=p["dilation"])
    if F.create_graph:
        return (_window_scatter_add(g, **kw),)
    return (_scatter_add(g, **kw),)


@primitive("window_scatter_add")
def _window_scatter_add(g, shape, kernel_size, stride, dilation):
    """y = zeros(shape) with y[..., p s + o r] += g[..., p, o] (col2im, the adjoint of
    ``sliding_window``);  dy/dg is ``sliding_window`` of the incoming gradient."""
    return _scatter_add(g, shape, kernel_size, stride, dilation)


@_window_scatter_add.defvjp
def _(F, n, gy, out, g):
    p = n.params
    kw = dict(kernel_size=p["kernel_size"], stride=p["stride"], dilation=p["dilation"])
    if F.create_graph:
        return (_sliding_window(gy, **kw),)
    return (_view(gy, **kw),)


# ------------------------------------------------------------------ window max (max pooling)
def _max_fwd(x, kernel_size, stride, dilation):
    d = len(kernel_size)
    out_sp = window_out_shape(x.shape[x.ndim - d:], kernel_size, stride, dilation)
    lead = (slice(None),) * (x.ndim - d)
    kk = int(np.prod(kernel_size))
    idx_dtype = np.int8 if kk <= 127 else np.int32
    m = idx = None
    # NOTE: offsets are visited in row-major order and a later offset wins only when
    # strictly greater, so ties go to the first maximum in the window (as in PyTorch).
    # The argmax is updated with integer arithmetic (idx += better * (k - idx)), which
    # numpy vectorises far better than np.where on small integer types.
    for k, offset in enumerate(itertools.product(*[range(a) for a in kernel_size])):
        v = x[lead + _offset_slices(offset, out_sp, stride, dilation)]
        if m is None:
            m = v.copy()
            idx = backend_of(x).zeros(m.shape, idx_dtype)
            continue
        better = v > m
        np.maximum(m, v, out=m)
        idx += better * (idx_dtype(k) - idx)
    return m, idx


def _max_scatter(g, idx, shape, kernel_size, stride, dilation):
    """zeros(shape) with g[..., p] added at the argmax of window p."""
    d = len(kernel_size)
    out_sp = g.shape[g.ndim - d:]
    lead = (slice(None),) * (len(shape) - d)
    gx = backend_of(g).zeros(shape, g.dtype)
    disjoint = all(s > r * (k - 1) for k, s, r in zip(kernel_size, stride, dilation))
    for k, offset in enumerate(itertools.product(*[range(a) for a in kernel_size])):
        sl = lead + _offset_slices(offset, out_sp, stride, dilation)
        if disjoint:
            np.multiply(g, idx == k, out=gx[sl])
        else:
            gx[sl] += g * (idx == k)
    return gx


def _max_gather(gx, idx, kernel_size, stride, dilation):
    """y[..., p] = gx at the argmax of window p (the adjoint of ``_max_scatter``)."""
    d = len(kernel_size)
    out_sp = idx.shape[idx.ndim - d:]
    lead = (slice(None),) * (gx.ndim - d)
    y = backend_of(gx).zeros(idx.shape, gx.dtype)
    for k, offset in enumerate(itertools.product(*[range(a) for a in kernel_size])):
        y += gx[lead + _offset_slices(offset, out_sp, stride, dilation)] * (idx == k)
    return y


@primitive("window_max", saves=True)
def _window_max(x, kernel_size, stride, dilation):
    """y[..., p] = max_o x[..., p s + o r] over each window;  dy/dx sends g[..., p] to
    the window's argmax (the first one at ties, row-major; ``window_max_scatter``)."""
    return _max_fwd(x, kernel_size, stride, dilation)


@_window_max.defvjp
def _(F, n, g, out, x):
    p = n.params
    kw = dict(shape=F.value(x).shape, kernel_size=p["kernel_size"], stride=p["stride"],
              dilation=p["dilation"])
    if F.create_graph:
        return (_window_max_scatter(g, idx=n.saved, **kw),)
    return (_max_scatter(g, n.saved, **kw),)


@primitive("window_max_scatter")
def _window_max_scatter(g, idx, shape, kernel_size, stride, dilation):
    """y = zeros(shape) with g[..., p] added at the argmax ``idx`` of window p (a linear
    map of g);  dy/dg reads the gradient back at the argmaxes (``window_max_gather``)."""
    return _max_scatter(g, idx, shape, kernel_size, stride, dilation)


@_window_max_scatter.defvjp
def _(F, n, gy, out, g):
    p = n.params
    kw = dict(kernel_size=p["kernel_size"], stride=p["stride"], dilation=p["dilation"])
    if F.create_graph:
        return (_window_max_gather(gy, idx=p["idx"], **kw),)
    return (_max_gather(gy, p["idx"], **kw),)


@primitive("window_max_gather")
def _window_max_gather(gx, idx, kernel_size, stride, dilation):
    """y[..., p] = gx at the argmax ``idx`` of window p;  dy/dgx scatters g back to the
    argmaxes (``window_max_scatter``)."""
    return _max_gather(gx, idx, kernel_size, stride, dilation)


@_window_max_gather.defvjp
def _(F, n, gy, out, gx):
    p = n.params
    kw = dict(shape=F.value(gx).shape, kernel_size=p["kernel_size"], stride=p["stride"],
              dilation=p["dilation"])
    if F.create_graph:
        return (_window_max_scatter(gy, idx=p["idx"], **kw),)
    return (_max_scatter(gy, p["idx"], **kw),)


# ------------------------------------------------------------------ public functions
def _as_tensor(x):
    from ..tensor import Tensor

    return x if isinstance(x, Tensor) else Tensor(x)


def _geometry(x, kernel_size, stride, dilation):
    d = 1 if isinstance(kernel_size, (int, np.integer)) else len(kernel_size)
    k = _tuple(kernel_size, d, "kernel_size")
    s = k if stride is None else _tuple(stride, d, "stride")
    r = _tuple(dilation, d, "dilation")
    if min(k) < 1 or min(s) < 1 or min(r) < 1:
        raise ValueError(f"kernel_size, stride and dilation must be positive, got "
                         f"kernel_size={k}, stride={s}, dilation={r}")
    if x.ndim < d:
        raise ValueError(f"a {d}-d window needs at least {d} axes, got shape {x.shape}")
    return k, s, r


def sliding_window(x, kernel_size, stride=1, dilation=1):
    """All windows of the last ``d = len(kernel_size)`` axes of ``x`` as a view.

    Returns a Tensor of shape ``x.shape[:-d] + P + kernel_size`` with
    ``y[..., p, o] = x[..., p * stride + o * dilation]`` and
    ``P_i = (n_i - dilation_i (k_i - 1) - 1) // stride_i + 1``. No padding (pad first).
    Forward: a strided view, no copy. Backward: col2im, one strided slice-add per
    kernel offset; it is itself differentiable (its VJP is this view again).
    ``kernel_size``, ``stride``, ``dilation``: an int (d = 1, or repeated) or a tuple.
    """
    x = _as_tensor(x)
    k, s, r = _geometry(x, kernel_size, stride, dilation)
    return _sliding_window(x, kernel_size=k, stride=s, dilation=r)


def window_scatter_add(g, shape, kernel_size, stride=1, dilation=1):
    """The adjoint of :func:`sliding_window` (col2im): ``zeros(shape)`` with each
    ``g[..., p, o]`` added at ``[..., p * stride + o * dilation]``."""
    g = _as_tensor(g)
    d = 1 if isinstance(kernel_size, (int, np.integer)) else len(kernel_size)
    k = _tuple(kernel_size, d, "kernel_size")
    s = _tuple(stride, d, "stride")
    r = _tuple(dilation, d, "dilation")
    return _window_scatter_add(g, shape=tuple(shape), kernel_size=k, stride=s, dilation=r)


def window_max(x, kernel_size, stride=None, dilation=1):
    """The maximum of each window of the last ``d`` axes (max pooling without padding).

    Returns ``max_o x[..., p * stride + o * dilation]`` of shape ``x.shape[:-d] + P``;
    ``stride`` defaults to ``kernel_size``. The gradient goes to the argmax of each
    window, the first one (row-major) at ties, like PyTorch. Forward and backward
    loop over the kernel offsets only; second derivatives are supported.
    NOTE: NaN inputs give NaN outputs, but their gradient is not routed to the NaN.
    """
    x = _as_tensor(x)
    k, s, r = _geometry(x, kernel_size, stride, dilation)
    return _window_max(x, kernel_size=k, stride=s, dilation=r)


# ------------------------------------------------------------------ the convolution product
# NOTE: the im2col matrix is C K times larger than the input (7 MB for a 3x3 convolution
# of a (64, 3, 32, 32) batch), and so is the windows' gradient W^T g. Neither is ever
# made whole: both live in one buffer of a block of samples (about this many bytes),
# which is filled, multiplied and scattered back while it is still in cache. A large
# freshly allocated array costs a page fault per 4 kB on every step (glibc hands big
# freed blocks back to the system), which costs more than the copy itself.
_BLOCK_BYTES = 2 << 20


class _Workspace(threading.local):
    """Block-sized scratch buffers, one per role and thread, kept between calls.

    NOTE: the im2col blocks and the W-wide gradient grid are scratch: nothing outside
    one forward or backward call of ``window_matmul`` sees them. Reusing the same few
    megabytes on every call (instead of allocating them afresh) keeps them mapped and
    in cache; a fresh multi-megabyte array is page-faulted in 4 kB at a time on every
    step. Each thread has its own buffers, so concurrent convolutions cannot clash."""

    def __init__(self):
        self.buffers = {}

    def get(self, role, shape, dtype):
        dtype = np.dtype(dtype)
        size = int(np.prod(shape)) * dtype.itemsize
        raw = self.buffers.get(role)
        if raw is None or raw.size < size:
            raw = self.buffers[role] = np.empty(max(size, 1), dtype=np.uint8)
        return raw[:size].view(dtype).reshape(shape)


_WORKSPACE = _Workspace()


def _blocks(N, per_sample_bytes):
    """Slices of the batch axis, of nearly equal size, each about _BLOCK_BYTES."""
    nb = max(1, min(N, -(-N * per_sample_bytes // _BLOCK_BYTES)))
    size = max(1, -(-N // nb))
    if N == 0:
        return [slice(0, 0)]
    return [slice(i, min(N, i + size)) for i in range(0, N, size)]


def _sizes(w, x, kernel_size, stride, dilation, padding):
    """N, C, the (unpadded) spatial shape S, the window positions P, groups G, O, K, L."""
    N, C = x.shape[:2]
    S = x.shape[2:]
    G = 1 if w.ndim == 2 else w.shape[0]
    O = w.shape[-2] * G
    if not kernel_size:  # x is already an im2col matrix (N, C, L)
        return N, C, S, S, G, O, 1, int(np.prod(S))
    Sp = tuple(n + a + b for n, (a, b) in zip(S, padding))
    P = window_out_shape(Sp, kernel_size, stride, dilation)
    return N, C, S, P, G, O, int(np.prod(kernel_size)), int(np.prod(P))


def _cols_perm(d):
    """The axis order (N, C, *k, *P) of the im2col matrix, as a permutation of the
    windows' axes (N, C, *P, *k)."""
    return (0, 1) + tuple(range(2 + d, 2 + 2 * d)) + tuple(range(2, 2 + d))


def _inverse(perm):
    return tuple(int(i) for i in np.argsort(perm))


def _runs(S, P, kernel_size, stride):
    """(H, W, H_out, W_out) when im2col and col2im can move long runs, else None.

    NOTE: for a stride-1 convolution over one or two axes, lay the output positions on
    the input's row width W (an output row of W_out <= W entries, then W - W_out junk
    entries). The kernel-offset-(a, b) rows of the im2col matrix are then the flattened
    input shifted by a r_h W + b r_w (minus the padding): one run of about H W elements
    per (sample, channel) instead of one short row of W_out per output row, with the
    entries that fall into the padding set to zero (whole rows at the top and bottom, a
    few columns at the sides). col2im is the same runs added back. Moving short rows
    costs several times more per element. im2col uses this when W_out = W (padding
    'same' along the width: no junk); col2im also when W_out < W, from a gradient laid
    on the W-wide grid with zeros in the junk columns."""
    d = len(kernel_size)
    if d not in (1, 2) or any(s != 1 for s in stride) or (d == 2 and P[1] > S[1]):
        return None
    return S[0], (S[1] if d == 2 else 1), P[0], (P[1] if d == 2 else 1)


def _run_offsets(H, W, Ho, kernel_size, dilation, padding):
    """Per kernel offset (in row-major order): its index k, the flat shift from output
    position to input position, the flat range [lo, hi) of output positions whose input
    lies in the image, the range [i0, i1) of valid output rows and the column shift hb."""
    d = len(kernel_size)
    kh, kw = kernel_size[0], (kernel_size[1] if d == 2 else 1)
    rh, rw = dilation[0], (dilation[1] if d == 2 else 1)
    ph, pw = padding[0][0], (padding[1][0] if d == 2 else 0)
    for a in range(kh):
        for b in range(kw):
            va, hb = a * rh - ph, b * rw - pw
            shift = va * W + hb
            i0, i1 = max(0, -va), min(Ho, H - va)
            lo, hi = max(i0 * W, -shift), min(i1 * W, H * W - shift)
            if abs(hb) >= W or i1 <= i0 or hi <= lo:
                lo = hi = i0 = i1 = 0
            yield a * kw + b, shift, lo, hi, i0, i1, hb


def _edges(block, i0, i1, W, hb):
    """The window entries of one kernel offset (rows i0..i1 of a (.., Ho, W) block) that
    fall into the horizontal padding: the first -hb or the last hb columns."""
    if hb < 0:
        return block[..., i0:i1, :-hb]
    if hb > 0:
        return block[..., i0:i1, W - hb:]
    return None


def _im2col(cols, x, kernel_size, stride, dilation, padding, P):
    """Fill cols (n, G, C/G K, L), a block's im2col matrix, from its samples x (n, C, *S)."""
    n, C = x.shape[:2]
    S = x.shape[2:]
    d = len(kernel_size)
    K = int(np.prod(kernel_size))
    run = _runs(S, P, kernel_size, stride)
    if run is not None and run[1] == run[3]:
        H, W, Ho, _ = run
        dst = cols.reshape(n, C, K, Ho * W)
        src = x.reshape(n, C, H * W)
        for k, shift, lo, hi, i0, i1, hb in _run_offsets(H, W, Ho, kernel_size, dilation, padding):
            blk = dst[:, :, k]
            blk[..., lo:hi] = src[..., lo + shift:hi + shift]
            blk[..., :lo] = 0
            blk[..., hi:] = 0
            edge = _edges(blk.reshape(n, C, Ho, W), i0, i1, W, hb)
            if edge is not None:
                edge[...] = 0
        return
    if any(a or b for a, b in padding):
        xp = np.zeros((n, C) + tuple(m + a + b for m, (a, b) in zip(S, padding)), dtype=x.dtype)
        xp[(slice(None), slice(None)) + tuple(slice(a, a + m) for m, (a, _) in zip(S, padding))] = x
    else:
        xp = x
    np.copyto(cols.reshape((n, C) + tuple(kernel_size) + P),
              _view(xp, kernel_size, stride, dilation).transpose(_cols_perm(d)))


def _col2im(gx, gc, kernel_size, stride, dilation, padding, P):
    """gx (n, C, *S) += the block's windows' gradient gc (n, G, C/G K, L) scattered back
    to where each window entry came from (gc is scratch: it may be overwritten). When
    ``_runs`` applies, gc's positions lie on the (H_out, W) grid of ``_runs`` (L =
    H_out W, zeros in the junk columns)."""
    n, C = gx.shape[:2]
    S = gx.shape[2:]
    d = len(kernel_size)
    K = int(np.prod(kernel_size))
    run = _runs(S, P, kernel_size, stride)
    if run is not None:
        H, W, Ho, _ = run
        src = gc.reshape(n, C, K, Ho * W)
        dst = gx.reshape(n, C, H * W)
        for k, shift, lo, hi, i0, i1, hb in _run_offsets(H, W, Ho, kernel_size, dilation, padding):
            if hi <= lo:
                continue
            blk = src[:, :, k]
            edge = _edges(blk.reshape(n, C, Ho, W), i0, i1, W, hb)
            if edge is not None:  # these entries read padding; they must not wrap around
                edge[...] = 0
            dst[..., lo + shift:hi + shift] += blk[..., lo:hi]
        return
    Sp = tuple(m + a + b for m, (a, b) in zip(S, padding))
    gwin = gc.reshape((n, C) + tuple(kernel_size) + P).transpose(_inverse(_cols_perm(d)))
    gxp = _scatter_add(gwin, (n, C) + Sp, kernel_size, stride, dilation)
    gx += gxp[(slice(None), slice(None)) + tuple(slice(a, a + m) for m, (a, _) in zip(S, padding))]


@primitive("window_matmul")
def window_matmul(w, x, b=None, kernel_size=(), stride=(), dilation=(), padding=()):
    """The product of a convolution: every window of x against the kernel, plus bias,

        y[n, o, p] = b[o] + sum_{c, k} w[o, c K + k] x_pad[n, c, p s + k r]

    x (N, C, *S), zero-padded by ``padding`` ((before, after) per spatial axis); the
    windows are those of ``sliding_window(x_pad, kernel_size, stride, dilation)``;
    w (O, C K), or (G, O/G, C/G K) for G groups (channel group j meets only w[j]);
    b (O,) or None; y (N, O, *P). With no kernel (``kernel_size=()``), x is already an
    im2col matrix (N, C, L) and y[n] = w @ x[n] + b.

    dy/dw[o, c K + k] = sum_{n, p} g[n, o, p] x_pad[n, c, p s + k r] (the windows times g),
    dy/dx = col2im(w^T g) (``window_scatter_add`` of the windows' gradient, un-padded:
    the transposed convolution), dy/db = sum_{n, p} g[n, :, p].

    Computed as im2col (copy every window into a matrix (C K, L) per sample), one matrix
    product, bias, block by block of samples (see ``_BLOCK_BYTES``) in a reused scratch
    block (``_Workspace``). The backward pass makes each block's im2col matrix again,
    forms dL/dw from it, then overwrites it with w^T g (the windows' gradient) and
    scatters that back (col2im). Under ``create_graph`` the rule is written with
    ``pad``, ``sliding_window``, ``window_scatter_add`` and ``matmul``, so second
    derivatives come from those."""
    N, C, S, P, G, O, K, L = _sizes(w, x, kernel_size, stride, dilation, padding)
    w3 = w if w.ndim == 3 else w[None]
    bias = None if b is None else b.reshape(G, O // G, 1)
    if not kernel_size:
        out = np.matmul(w3, x.reshape(N, G, C // G, L))
        if bias is not None:
            out += bias
        return out.reshape((N, O) + P)
    if type(x) is not np.ndarray:
        # NOTE: on a GPU (CuPy) the whole batch is one im2col copy and one batched
        # product (cuBLAS): the block-wise CPU scheme below is about cache, and its
        # Python loop would only launch more kernels
        xp = np.pad(x, ((0, 0), (0, 0)) + padding) if any(a or b_ for a, b_ in padding) else x
        cols = _view(xp, kernel_size, stride, dilation).transpose(_cols_perm(len(kernel_size)))
        out = np.matmul(w3, cols.reshape(N, G, C // G * K, L))
        if bias is not None:
            out += bias
        return out.reshape((N, O) + P)
    out = np.empty((N, G, O // G, L), dtype=np.result_type(w, x))
    x = np.ascontiguousarray(x)
    blocks = _blocks(N, C * K * L * x.itemsize)
    buf = _WORKSPACE.get("cols", (blocks[0].stop, G, C // G * K, L), x.dtype)
    for blk in blocks:
        cols = buf[:blk.stop - blk.start]
        _im2col(cols, x[blk], kernel_size, stride, dilation, padding, P)
        np.matmul(w3, cols, out=out[blk])
        if bias is not None:
            out[blk] += bias
    return out.reshape((N, O) + P)


@window_matmul.defvjp
def _(F, n, g, out, w, x, b=None):
    p = n.params
    geo = (p.get("kernel_size", ()), p.get("stride", ()), p.get("dilation", ()),
           p.get("padding", ()))
    kernel_size, stride, dilation, padding = geo
    needs = n.needs
    N, C, S, P, G, O, K, L = _sizes(F.value(w), F.value(x), *geo)
    g4 = F.reshape(g, (N, G, O // G, L))
    gw = gx = gb = None
    if len(needs) > 2 and needs[2]:
        # NOTE: in two steps (over samples, then positions) numpy sums about twice as
        # fast as over both axes at once.
        gb = F.reshape(F.sum(F.sum(g4, axis=0), axis=-1), (O,))
    if not (needs[0] or needs[1]):
        return (gw, gx, gb)
    w3t = F.swapaxes(F.reshape(w, (G, O // G, C // G * K)), -1, -2)
    d = len(kernel_size)
    if F.create_graph or not kernel_size or type(F.value(x)) is not np.ndarray:
        if not kernel_size:
            cols = F.reshape(x, (N, G, C // G, L))
        else:
            xp = F.pad(x, ((0, 0), (0, 0)) + padding) if any(a or b_ for a, b_ in padding) else x
            win = _sliding_window(xp, kernel_size=kernel_size, stride=stride, dilation=dilation) \
                if F.create_graph else _view(xp, kernel_size, stride, dilation)
            cols = F.reshape(F.transpose(win, _cols_perm(d)), (N, G, C // G * K, L))
        if needs[0]:
            gw = F.reshape(F.sum(F.matmul(g4, F.swapaxes(cols, -1, -2)), axis=0), w.shape)
        if needs[1]:
            gc = F.matmul(w3t, g4)
            if not kernel_size:
                gx = F.reshape(gc, x.shape)
            else:
                gwin = F.transpose(F.reshape(gc, (N, C) + kernel_size + P), _inverse(_cols_perm(d)))
                gx = _window_scatter_add(gwin, shape=xp.shape, kernel_size=kernel_size,
                                         stride=stride, dilation=dilation) if F.create_graph \
                    else _scatter_add(gwin, xp.shape, kernel_size, stride, dilation)
                if xp is not x:
                    gx = F.getitem(gx, (slice(None), slice(None)) + tuple(
                        slice(a, a + m) for m, (a, _) in zip(S, padding)))
        return (gw, gx, gb)
    # NOTE: block by block of samples, in one scratch block: copy the windows in (the
    # im2col matrix is not kept from the forward pass: making it again costs one copy,
    # keeping it would hold C K times the input alive across the network), add their
    # share of dL/dw, overwrite them with w^T g and scatter that back (col2im).
    x = np.ascontiguousarray(x)
    blocks = _blocks(N, C * K * L * x.itemsize)
    dtype = np.result_type(w, g, x)
    buf = _WORKSPACE.get("cols", (blocks[0].stop, G, C // G * K, L), dtype)
    gw3 = np.zeros((G, O // G, C // G * K), dtype=dtype) if needs[0] else None
    gx = np.zeros(x.shape, dtype=np.result_type(w, g)) if needs[1] else None
    run = _runs(S, P, kernel_size, stride)
    wide = needs[1] and run is not None and run[3] < run[1]
    if wide:  # col2im from the W-wide grid: g with zero junk columns, and its w^T g
        H, W, Ho, Wo = run
        nb = blocks[0].stop
        gw_grid = _WORKSPACE.get("g_grid", (nb, G, O // G, Ho, W), g.dtype)
        gw_grid[..., Wo:] = 0
        gc_grid = _WORKSPACE.get("gc_grid", (nb, G, C // G * K, Ho * W), dtype)
    for blk in blocks:
        cols = buf[:blk.stop - blk.start]
        if needs[0]:
            _im2col(cols, x[blk], *geo, P)
        gblk = g4[blk]
        if needs[0]:
            gw3 += np.matmul(gblk, cols.swapaxes(-1, -2)).sum(axis=0)
        if wide:
            m = blk.stop - blk.start
            gw_grid[:m, ..., :Wo] = gblk.reshape(m, G, O // G, Ho, Wo)
            np.matmul(w3t, gw_grid[:m].reshape(m, G, O // G, Ho * W), out=gc_grid[:m])
            _col2im(gx[blk], gc_grid[:m], *geo, P)
        elif needs[1]:
            np.matmul(w3t, gblk, out=cols)
            _col2im(gx[blk], cols, *geo, P)
    if needs[0]:
        gw = gw3.reshape(w.shape)
    return (gw, gx, gb)
