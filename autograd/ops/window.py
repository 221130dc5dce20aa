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

* ``window_matmul`` (w @ cols[n] + b for every sample n): the one matrix product of a
  convolution over the im2col matrix, with the bias added in place (saving a pass and
  an allocation of the output's size) and dL/dw contracted in one place.

Every backward loops over the k_1 ... k_d kernel offsets only (one strided slice-add
of the whole batch per offset), never over batch, channels or positions.

A convolution is then ``sliding_window`` + a permutation + a reshape (the one copy,
im2col) + ``window_matmul``; see ``nn.functional.conv``.
"""
import itertools

import numpy as np
from numpy.lib.stride_tricks import as_strided

from .registry import primitive

__all__ = ["sliding_window", "window_scatter_add", "window_max", "window_out_shape"]


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
    return as_strided(x, shape, strides, writeable=False)


def _scatter_add(g, shape, kernel_size, stride, dilation):
    """col2im: zeros(shape) with every window entry of g added back at its source."""
    d = len(kernel_size)
    out = g.shape[g.ndim - 2 * d:g.ndim - d]
    gx = np.zeros(shape, dtype=g.dtype)
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
            idx = np.zeros(m.shape, dtype=idx_dtype)
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
    gx = np.zeros(shape, dtype=g.dtype)
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
    y = np.zeros(idx.shape, dtype=gx.dtype)
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


# ------------------------------------------------------------------ im2col product
@primitive("window_matmul")
def _window_matmul(w, cols, b=None):
    """y[n] = w @ cols[n] (+ b[:, None]): w (O, K), cols (N, K, L), b (O,) -> (N, O, L),
    the matrix product of a convolution (one BLAS call per sample, bias added in place);
    dy/dw = sum_n g[n] cols[n]^T,  dy/dcols[n] = w^T g[n],  dy/db = sum_{n, l} g[n, :, l]."""
    out = np.matmul(w, cols)
    if b is not None:
        out += b[:, None]
    return out


@_window_matmul.defvjp
def _(F, n, g, out, w, cols, b=None):
    needs = n.needs
    gw = gc = gb = None
    if needs[0]:
        gw = F.sum(F.matmul(g, F.swapaxes(cols, -1, -2)), axis=0)
    if needs[1]:
        gc = F.matmul(F.swapaxes(w, -1, -2), g)
    if len(needs) > 2 and needs[2]:
        gb = F.sum(g, axis=(0, 2))
    return (gw, gc, gb)
