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
batch in a few blocks of samples sized to stay in cache (``ops.window_kernels``).

A convolution is ``window_matmul`` of the weights reshaped to (O, C K); see
``nn.functional.conv``.
"""
import itertools

import numpy as np

from ..arguments import ntuple
from .registry import primitive
from ..backend import backend_of
from .window_kernels import (_cols_perm, _inverse, _offset_slices, _scatter_add, _sizes, _view,
                             window_matmul_backward, window_matmul_forward, window_out_shape)

__all__ = ["sliding_window", "window_scatter_add", "window_max", "window_matmul", "window_out_shape"]


# ------------------------------------------------------------------ geometry
_tuple = ntuple  # one helper for every window argument (autograd.arguments)










# ------------------------------------------------------------------ sliding window / col2im
@primitive("sliding_window")
def _sliding_window(x, kernel_size, stride, dilation):
    """y[..., p, o] = x[..., p s + o r] (a strided view of the last d axes, no copy),
    shape x.shape[:-d] + P + k;  dy/dx is col2im: every g[..., p, o] is added back at
    x[..., p s + o r] (``window_scatter_add``)."""
    return _view(x, kernel_size, stride, dilation)


@_sliding_window.defvjp
def sliding_window_vjp(ns, n, g, out, x):
    p = n.params
    kw = dict(shape=ns.value(x).shape, kernel_size=p["kernel_size"], stride=p["stride"],
              dilation=p["dilation"])
    if ns.create_graph:
        return (_window_scatter_add(g, **kw),)
    return (_scatter_add(g, **kw),)


@primitive("window_scatter_add")
def _window_scatter_add(g, shape, kernel_size, stride, dilation):
    """y = zeros(shape) with y[..., p s + o r] += g[..., p, o] (col2im, the adjoint of
    ``sliding_window``);  dy/dg is ``sliding_window`` of the incoming gradient."""
    return _scatter_add(g, shape, kernel_size, stride, dilation)


@_window_scatter_add.defvjp
def window_scatter_add_vjp(ns, n, gy, out, g):
    p = n.params
    kw = dict(kernel_size=p["kernel_size"], stride=p["stride"], dilation=p["dilation"])
    if ns.create_graph:
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
def window_max_vjp(ns, n, g, out, x):
    p = n.params
    kw = dict(shape=ns.value(x).shape, kernel_size=p["kernel_size"], stride=p["stride"],
              dilation=p["dilation"])
    if ns.create_graph:
        return (_window_max_scatter(g, idx=n.saved, **kw),)
    return (_max_scatter(g, n.saved, **kw),)


@primitive("window_max_scatter", public="window_max")
def _window_max_scatter(g, idx, shape, kernel_size, stride, dilation):
    """y = zeros(shape) with g[..., p] added at the argmax ``idx`` of window p (a linear
    map of g);  dy/dg reads the gradient back at the argmaxes (``window_max_gather``)."""
    return _max_scatter(g, idx, shape, kernel_size, stride, dilation)


@_window_max_scatter.defvjp
def window_max_scatter_vjp(ns, n, gy, out, g):
    p = n.params
    kw = dict(kernel_size=p["kernel_size"], stride=p["stride"], dilation=p["dilation"])
    if ns.create_graph:
        return (_window_max_gather(gy, idx=p["idx"], **kw),)
    return (_max_gather(gy, p["idx"], **kw),)


@primitive("window_max_gather", public="window_max")
def _window_max_gather(gx, idx, kernel_size, stride, dilation):
    """y[..., p] = gx at the argmax ``idx`` of window p;  dy/dgx scatters g back to the
    argmaxes (``window_max_scatter``)."""
    return _max_gather(gx, idx, kernel_size, stride, dilation)


@_window_max_gather.defvjp
def window_max_gather_vjp(ns, n, gy, out, gx):
    p = n.params
    kw = dict(shape=ns.value(gx).shape, kernel_size=p["kernel_size"], stride=p["stride"],
              dilation=p["dilation"])
    if ns.create_graph:
        return (_window_max_scatter(gy, idx=p["idx"], **kw),)
    return (_max_scatter(gy, p["idx"], **kw),)


# ------------------------------------------------------------------ public functions
def _as_tensor(x):
    from .._tensor import Tensor

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


























@primitive("window_matmul")
def _window_matmul(w, x, b=None, kernel_size=(), stride=(), dilation=(), padding=()):
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
    product, bias, block by block of samples (``window_kernels._BLOCK_BYTES``) in a reused scratch
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
        # product (cuBLAS): the block-wise CPU scheme of window_matmul_forward is about
        # cache, and its Python loop would only launch more kernels
        xp = np.pad(x, ((0, 0), (0, 0)) + padding) if any(a or b_ for a, b_ in padding) else x
        cols = _view(xp, kernel_size, stride, dilation).transpose(_cols_perm(len(kernel_size)))
        out = np.matmul(w3, cols.reshape(N, G, C // G * K, L))
        if bias is not None:
            out += bias
        return out.reshape((N, O) + P)
    return window_matmul_forward(w3, x, bias, (kernel_size, stride, dilation, padding),
                                 (N, C, S, P, G, O, K, L))


@_window_matmul.defvjp
def window_matmul_vjp(ns, n, g, out, w, x, b=None):
    p = n.params
    geo = (p.get("kernel_size", ()), p.get("stride", ()), p.get("dilation", ()),
           p.get("padding", ()))
    kernel_size, stride, dilation, padding = geo
    needs = n.needs
    N, C, S, P, G, O, K, L = _sizes(ns.value(w), ns.value(x), *geo)
    g4 = ns.reshape(g, (N, G, O // G, L))
    gw = gx = gb = None
    fast = not ns.create_graph and bool(kernel_size) and type(ns.value(x)) is np.ndarray
    if len(needs) > 2 and needs[2] and not (fast and (needs[0] or needs[1])):
        # NOTE: in two steps (over samples, then positions) numpy sums about twice as
        # fast as over both axes at once. (The array path below sums it block by block.)
        gb = ns.reshape(ns.sum(ns.sum(g4, axis=0), axis=-1), (O,))
    if not (needs[0] or needs[1]):
        return (gw, gx, gb)
    w3t = ns.swapaxes(ns.reshape(w, (G, O // G, C // G * K)), -1, -2)
    d = len(kernel_size)
    if not fast:
        if not kernel_size:
            cols = ns.reshape(x, (N, G, C // G, L))
        else:
            xp = ns.pad(x, ((0, 0), (0, 0)) + padding) if any(a or b_ for a, b_ in padding) else x
            win = _sliding_window(xp, kernel_size=kernel_size, stride=stride, dilation=dilation) \
                if ns.create_graph else _view(xp, kernel_size, stride, dilation)
            cols = ns.reshape(ns.transpose(win, _cols_perm(d)), (N, G, C // G * K, L))
        if needs[0]:
            gw = ns.reshape(ns.sum(ns.matmul(g4, ns.swapaxes(cols, -1, -2)), axis=0), w.shape)
        if needs[1]:
            gc = ns.matmul(w3t, g4)
            if not kernel_size:
                gx = ns.reshape(gc, x.shape)
            else:
                gwin = ns.transpose(ns.reshape(gc, (N, C) + kernel_size + P), _inverse(_cols_perm(d)))
                gx = _window_scatter_add(gwin, shape=xp.shape, kernel_size=kernel_size,
                                         stride=stride, dilation=dilation) if ns.create_graph \
                    else _scatter_add(gwin, xp.shape, kernel_size, stride, dilation)
                if xp is not x:
                    gx = ns.getitem(gx, (slice(None), slice(None)) + tuple(
                        slice(a, a + m) for m, (a, _) in zip(S, padding)))
        return (gw, gx, gb)
    return window_matmul_backward(g, g4, w, w3t, x, needs, geo, (N, C, S, P, G, O, K, L),
                                  leaf_x=n.inputs[1].grad_fn is None)


def window_matmul(w, x, b=None, kernel_size=(), stride=1, dilation=1, padding=0):
    """The product of a convolution, checked: see the primitive ``_window_matmul``.

    w (O, C K) or (G, O/G, C/G K); x (N, C, *S) with d = len(kernel_size) spatial axes
    (or an im2col matrix (N, C, L) with ``kernel_size=()``); b (O,) or None;
    ``stride``/``dilation`` an int or one per axis; ``padding`` an int, one int per
    axis, or one (before, after) pair per axis. Returns y (N, O, *P).
    """
    w, x = _as_tensor(w), _as_tensor(x)
    b = None if b is None else _as_tensor(b)
    k = tuple(int(a) for a in ((kernel_size,) if isinstance(kernel_size, (int, np.integer))
                                else kernel_size))
    d = len(k)
    s, r = _tuple(stride, d, "stride"), _tuple(dilation, d, "dilation")
    pw = np.broadcast_to(np.asarray(padding, dtype=int), (d, 2)) if d else np.zeros((0, 2), int)
    pads = tuple((int(a), int(c)) for a, c in pw)
    _check_window_matmul(w, x, b, k, s, r, pads)
    geo = dict(kernel_size=k, stride=s, dilation=r, padding=pads)
    return _window_matmul(w, x, **geo) if b is None else _window_matmul(w, x, b, **geo)


def _check_window_matmul(w, x, b, k, s, r, pads):
    d = len(k)
    if min(k + s + r, default=1) < 1 or (pads and min(min(p) for p in pads) < 0):
        raise ValueError(f"window_matmul: kernel_size {k}, stride {s} and dilation {r} must be "
                         f"positive and padding {pads} non-negative")
    if x.ndim != 2 + (d if d else 1) or w.ndim not in (2, 3):
        raise ValueError(f"window_matmul: expects x (N, C, *S) with {d or 1} trailing axes and "
                         f"w (O, C K) or (G, O/G, C/G K); got x {x.shape}, w {w.shape}")
    G = 1 if w.ndim == 2 else w.shape[0]
    K = int(np.prod(k)) if d else 1
    if x.shape[1] % G or w.shape[-1] != x.shape[1] // G * K:
        raise ValueError(f"window_matmul: w {w.shape} does not match x {x.shape}: its last axis "
                         f"must be C/G * prod(kernel_size) = {x.shape[1]} / {G} * {K}")
    if b is not None and b.shape != (w.shape[-2] * G,):
        raise ValueError(f"window_matmul: bias of shape {b.shape}, expected ({w.shape[-2] * G},)")
    if d:
        window_out_shape(tuple(n + a + c for n, (a, c) in zip(x.shape[2:], pads)), k, s, r)

