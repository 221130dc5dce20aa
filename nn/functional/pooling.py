"""Pooling: max or average over windows of each channel, as in the notes.

Built from autograd's window primitives (``autograd.ops.window``): average pooling is
``sliding_window`` (a strided view) followed by a mean over the kernel axes; max
pooling uses ``window_max``, which remembers each window's argmax so that the
gradient goes there (the first maximum at ties, like PyTorch). Padding for max
pooling is -inf (a padded element can never win), for average pooling 0.
Adaptive average pooling is two matrix products with averaging matrices.
No Python loop runs over batch, channels or positions.
Non-overlapping windows (stride = kernel, no padding: max_pool2d(2), avg_pool2d(2)) take
a faster road: ``autograd.ops.blockpool`` combines the k_1...k_d strided slices
x[..., a::k] with in-place ufuncs (the same values and gradients, 5x less time).
"""
import numpy as np

import autograd as ag
from autograd.ops import blockpool as _BP
from ._args import ntuple as _ntuple

__all__ = ["max_pool1d", "max_pool2d", "avg_pool1d", "avg_pool2d", "adaptive_avg_pool1d",
           "adaptive_avg_pool2d", "max_unpool1d", "max_unpool2d"]


def _prepare(x, d, kernel_size, stride, padding, dilation, name):
    x = x if isinstance(x, ag.Tensor) else ag.tensor(x)
    if x.ndim not in (d + 1, d + 2):
        raise ValueError(f"{name}: expected a ({'N, ' if d else ''}C, {', '.join(['*'] * d)}) "
                         f"input with {d} spatial axes, got shape {x.shape}")
    k = _ntuple(kernel_size, d, "kernel_size")
    s = k if stride is None or (not isinstance(stride, (int, np.integer)) and len(stride) == 0) \
        else _ntuple(stride, d, "stride")
    p = _ntuple(padding, d, "padding")
    r = _ntuple(dilation, d, "dilation")
    if min(k) < 1 or min(s) < 1 or min(r) < 1:
        raise ValueError(f"{name}: kernel_size, stride and dilation must be positive, got "
                         f"{k}, {s}, {r}")
    if any(pi < 0 or pi > ki // 2 for pi, ki in zip(p, k)):
        raise ValueError(f"{name}: padding should be at most half of the kernel size, got "
                         f"padding={p} for kernel_size={k}")
    return x, k, s, p, r


def _pad(x, p, d, value):
    if not any(p):
        return x
    return ag.pad(x, ((0, 0),) * (x.ndim - d) + tuple((a, a) for a in p), value=value)


def _ceil_extra(x, d, k, s, p, r, ceil_mode):
    """Extra zeros after the padding on each spatial axis so that ``ceil_mode`` windows
    fit: L_out = ceil((L + 2p - r(k-1) - 1) / s) + 1, less one when the last window
    would start in the right padding (PyTorch's rule); none without ceil_mode."""
    if not ceil_mode:
        return (0,) * d
    extra = []
    for n, ki, si, pi, ri in zip(x.shape[x.ndim - d:], k, s, p, r):
        span = ri * (ki - 1) + 1
        out = -(-(n + 2 * pi - span) // si) + 1
        if (out - 1) * si >= n + pi:
            out -= 1
        extra.append(max(0, (out - 1) * si + span - (n + 2 * pi)))
    return tuple(extra)


def _pad2(x, p, extra, d, value):
    if not any(p) and not any(extra):
        return x
    return ag.pad(x, ((0, 0),) * (x.ndim - d) + tuple((a, a + e) for a, e in zip(p, extra)),
                  value=value)


def _max_indices(xp, d, k, s, p, r, spatial):
    """The flat index (into each channel's unpadded spatial grid, row-major) of every
    window's maximum, the first one at ties like the gradient: PyTorch's indices."""
    win = ag.sliding_window(ag.Tensor(xp), k, s, r).array
    lead = win.shape[:win.ndim - d]
    kidx = win.reshape(lead + (-1,)).argmax(axis=-1)
    offsets = np.unravel_index(kidx, k)
    coords = []
    for axis in range(d):
        pos = np.arange(lead[win.ndim - 2 * d + axis]) * s[axis]
        shape = [1] * len(lead)
        shape[len(lead) - d + axis] = -1
        coords.append(pos.reshape(shape) + offsets[axis] * r[axis] - p[axis])
    return np.ravel_multi_index(tuple(coords), spatial).astype(np.int64)


def _blocks(x, d, k, s, p, r, extra):
    """``x`` cropped to whole windows when the windows tile it without overlap (stride =
    kernel, no padding, no dilation, no ceil_mode cells, floats), else None: then pooling
    is k_1...k_d strided-slice passes (``autograd.ops.blockpool``), not a window view's
    reduction."""
    if s != k or any(p) or any(extra) or any(ri != 1 for ri in r) or x.array.dtype.kind != "f":
        return None
    sizes = x.shape[x.ndim - d:]
    if any(n < ki for n, ki in zip(sizes, k)):
        return None  # no whole window: the window path gives its empty result and errors
    if any(n % ki for n, ki in zip(sizes, k)):  # rows and columns past the last window
        x = x[(Ellipsis,) + tuple(slice(0, n - n % ki) for n, ki in zip(sizes, k))]
    return x


def _max_pool(x, d, kernel_size, stride, padding, dilation, ceil_mode, return_indices, name):
    x, k, s, p, r = _prepare(x, d, kernel_size, stride, padding, dilation, name)
    extra = _ceil_extra(x, d, k, s, p, r, ceil_mode)
    xb = None if return_indices else _blocks(x, d, k, s, p, r, extra)
    if xb is not None:
        return _BP.block_max_pool(xb, k=k)
    xp = _pad2(x, p, extra, d, -np.inf)
    out = ag.window_max(xp, k, s, r)
    if not return_indices:
        return out
    return out, ag.Tensor(_max_indices(xp.array, d, k, s, p, r, x.shape[x.ndim - d:]))


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,  # noqa: A002
               return_indices=False):
    """y[n, c, i] = max_{0 <= a < k} x_pad[n, c, i s + a r]  (x_pad: -inf padding).

    input (N, C, L) or (C, L); output (N, C, L_out), L_out = (L + 2 pad - r (k - 1) - 1)
    // s + 1; stride defaults to kernel_size. dy/dx: g goes to each window's argmax (the
    first at ties); overlapping windows (stride < kernel) add up their shares.
    ceil_mode=True: L_out = ceil((L + 2 pad - r (k - 1) - 1) / s) + 1 (less one if the last
    window would start in the right padding). return_indices=True also returns each
    maximum's position in the unpadded input (an int64 Tensor, for ``max_unpool1d``).
    """
    return _max_pool(input, 1, kernel_size, stride, padding, dilation, ceil_mode, return_indices,
                     "max_pool1d")


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,  # noqa: A002
               return_indices=False):
    """y[n, c, i, j] = max over the kh x kw window at (i s_h, j s_w) of the -inf padded x.

    input (N, C, H, W) or (C, H, W); output (N, C, H_out, W_out) with H_out =
    (H + 2 pad_h - r_h (kh - 1) - 1) // s_h + 1; stride defaults to kernel_size.
    dy/dx: g goes to each window's argmax (the first in row-major order at ties, as in
    PyTorch); overlapping windows add up their shares. ceil_mode=True rounds H_out and
    W_out up (see ``max_pool1d``); return_indices=True also returns each maximum's flat
    index h W + w in its channel's unpadded input (int64), as ``max_unpool2d`` takes.
    """
    return _max_pool(input, 2, kernel_size, stride, padding, dilation, ceil_mode, return_indices,
                     "max_pool2d")


def _avg_pool(x, d, kernel_size, stride, padding, ceil_mode, count_include_pad,
              divisor_override, name):
    x, k, s, p, r = _prepare(x, d, kernel_size, stride, padding, 1, name)
    extra = _ceil_extra(x, d, k, s, p, r, ceil_mode)
    xb = _blocks(x, d, k, s, p, r, extra) if divisor_override is None else None
    if xb is not None:
        return _BP.block_avg_pool(xb, k=k)
    win = ag.sliding_window(_pad2(x, p, extra, d, 0.0), k, s, r)
    axes = tuple(range(win.ndim - d, win.ndim))
    total = ag.sum(win, axis=axes)
    if divisor_override is not None:
        return total / float(divisor_override)
    if (count_include_pad or not any(p)) and not any(extra):
        return total / float(np.prod(k))
    # NOTE: a window's divisor counts its elements inside the padded input
    # (count_include_pad=True) or inside the real input (False), never the extra cells
    # that ceil_mode hangs past the padding (PyTorch's rule): a constant computed once
    # by pooling a mask of ones.
    spatial = x.shape[x.ndim - d:]
    if count_include_pad:
        ones = np.pad(np.ones([n + 2 * a for n, a in zip(spatial, p)], dtype=x.dtype), [(0, e) for e in extra])
    else:
        ones = np.pad(np.ones(spatial, dtype=x.dtype), [(a, a + e) for a, e in zip(p, extra)])
    counts = np.lib.stride_tricks.sliding_window_view(ones, k)[
        tuple(slice(None, None, si) for si in s)].sum(axis=tuple(range(d, 2 * d)))
    return total / ag.tensor(counts.astype(x.dtype), device=x.device)


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True):
    """y[n, c, i] = (1/k) sum_{0 <= a < k} x_pad[n, c, i s + a]  (zero padding).

    input (N, C, L) or (C, L); output (N, C, L_out), L_out = (L + 2 pad - k) // s + 1;
    stride defaults to kernel_size. dy/dx: every element of a window gets g / k.
    count_include_pad=False divides by the number of non-padding elements instead;
    ceil_mode=True rounds L_out up (see ``max_pool1d``).
    """
    return _avg_pool(input, 1, kernel_size, stride, padding, ceil_mode, count_include_pad,
                     None, "avg_pool1d")


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):
    """y[n, c, i, j] = (1/(kh kw)) sum of the kh x kw window at (i s_h, j s_w) (zero padding).

    input (N, C, H, W) or (C, H, W); output (N, C, H_out, W_out), H_out =
    (H + 2 pad_h - kh) // s_h + 1; stride defaults to kernel_size. dy/dx: every element
    of a window gets g / (kh kw) (overlaps add up). count_include_pad=False divides by the
    number of non-padding elements; divisor_override replaces the divisor. ceil_mode=True
    rounds the output size up; a window hanging past the padding divides by the count of
    its elements inside it.
    """
    return _avg_pool(input, 2, kernel_size, stride, padding, ceil_mode, count_include_pad,
                     divisor_override, "avg_pool2d")


def _adaptive_matrix(n_in, n_out, dtype):
    """A (n_out, n_in) matrix whose row i averages x[start_i:end_i], with PyTorch's
    bins start_i = floor(i n_in / n_out), end_i = ceil((i + 1) n_in / n_out)."""
    A = np.zeros((n_out, n_in), dtype=dtype)
    for i in range(n_out):
        start = (i * n_in) // n_out
        end = -((-(i + 1) * n_in) // n_out)
        A[i, start:end] = 1.0 / (end - start)
    return A


def _adaptive_avg(x, d, output_size, name):
    x = x if isinstance(x, ag.Tensor) else ag.tensor(x)
    if x.ndim not in (d + 1, d + 2):
        raise ValueError(f"{name}: expected an input with {d} spatial axes plus (N,) C, got "
                         f"shape {x.shape}")
    if isinstance(output_size, (int, np.integer)) or output_size is None:
        output_size = (output_size,) * d
    if len(output_size) != d:
        raise ValueError(f"{name}: output_size needs {d} values, got {output_size}")
    spatial = x.shape[x.ndim - d:]
    size = tuple(n if o is None else int(o) for o, n in zip(output_size, spatial))
    if min(size) < 1:
        raise ValueError(f"{name}: output_size must be positive, got {output_size}")
    # NOTE: an adaptive average is separable: y = A_h x A_w^T per channel, where A_h and
    # A_w average the rows and columns of each bin. Two matrix products, no loop.
    y = x
    for axis in range(d):
        n_in, n_out = spatial[axis], size[axis]
        if n_in == n_out:
            continue
        At = ag.tensor(np.ascontiguousarray(_adaptive_matrix(n_in, n_out, x.dtype).T), device=x.device)
        pos = x.ndim - d + axis
        if pos == x.ndim - 1:
            y = ag.matmul(y, At)
        else:
            y = ag.swapaxes(ag.matmul(ag.swapaxes(y, pos, -1), At), pos, -1)
    return y


def adaptive_avg_pool1d(input, output_size):
    """Average over output_size nearly equal bins of the last axis (PyTorch's bins:
    [floor(i L/out), ceil((i+1) L/out))). input (N, C, L) -> (N, C, output_size);
    every element of bin i gets g_i / |bin i|."""
    return _adaptive_avg(input, 1, output_size, "adaptive_avg_pool1d")


def adaptive_avg_pool2d(input, output_size):
    """Average over an output_size grid of nearly equal bins (PyTorch's bins, separable
    in H and W). input (N, C, H, W) -> (N, C, oh, ow); output_size an int, a pair, or
    None entries to keep a size. Every element of bin (i, j) gets g_ij / |bin|."""
    return _adaptive_avg(input, 2, output_size, "adaptive_avg_pool2d")


# --------------------------------------------------------------------------- unpooling
def _unpool_size(x, d, k, s, p, output_size, name):
    """PyTorch's rule: (L_in - 1) s - 2 p + k by default; an explicit output_size must
    lie strictly within a stride of it."""
    default = tuple((n - 1) * si - 2 * pi + ki for n, si, pi, ki in zip(x.shape[x.ndim - d:], s, p, k))
    if output_size is None:
        return default
    size = tuple(int(n) for n in output_size)[-d:]
    if len(size) != d:
        raise ValueError(f"{name}: output_size needs {d} spatial sizes, got {output_size}")
    for n, m, si in zip(size, default, s):
        if not m - si < n < m + si:
            raise ValueError(f"{name}: invalid output_size {size}: each size must lie strictly between "
                             f"{tuple(a - b for a, b in zip(default, s))} and "
                             f"{tuple(a + b for a, b in zip(default, s))}")
    return size


def _max_unpool(x, indices, d, kernel_size, stride, padding, output_size, name):
    x = x if isinstance(x, ag.Tensor) else ag.tensor(x)
    idx = np.asarray(indices.array if isinstance(indices, ag.Tensor) else indices)
    if idx.shape != x.shape or idx.dtype.kind not in "iu":
        raise ValueError(f"{name}: indices must be integers of the input's shape {x.shape} (as "
                         f"max_pool{d}d(..., return_indices=True) returns), got {idx.dtype} {idx.shape}")
    k = _ntuple(kernel_size, d, "kernel_size")
    s = k if stride is None else _ntuple(stride, d, "stride")
    p = _ntuple(padding, d, "padding")
    size = _unpool_size(x, d, k, s, p, output_size, name)
    lead, P, L = x.shape[:x.ndim - d], int(np.prod(x.shape[x.ndim - d:])), int(np.prod(size))
    M = int(np.prod(lead))
    flat_idx = idx.reshape(M, P).astype(np.int64)
    if flat_idx.size and (flat_idx.min() < 0 or flat_idx.max() >= L):
        raise ValueError(f"{name}: found an invalid max index {int(flat_idx.max())} for an output of "
                         f"spatial size {size} ({L} elements per channel)")
    # NOTE: out[m, idx[m, i]] = x[m, i] is an assignment, written as a gather: out[m, j]
    # = [x, 0][m, src[m, j]], where src points at the input that writes j, or at the
    # appended zero. Two windows that picked the same element (overlapping pooling):
    # the last one writes, and receives the gradient.
    rows = np.broadcast_to(np.arange(M)[:, None], (M, P))
    key = (rows * L + flat_idx).ravel()
    last = np.zeros(key.size, dtype=bool)
    last[key.size - 1 - np.unique(key[::-1], return_index=True)[1]] = True
    cols = np.broadcast_to(np.arange(P)[None, :], (M, P)).ravel()
    src = np.full((M, L), P, dtype=np.int64)
    src[rows.ravel()[last], flat_idx.ravel()[last]] = cols[last]
    xz = ag.concatenate([ag.reshape(x, (M, P)), ag.zeros((M, 1), dtype=x.dtype)], axis=1)
    out = xz[np.arange(M)[:, None], src]
    return ag.reshape(out, lead + size)


def max_unpool1d(input, indices, kernel_size, stride=None, padding=0, output_size=None):  # noqa: A002
    """The partial inverse of max_pool1d: zeros of length (L - 1) stride - 2 padding + k
    (or ``output_size``) with each input value put back at its ``indices`` (from
    ``max_pool1d(..., return_indices=True)``). (N, C, L) or (C, L). dy/dx reads the
    gradient back at the indices."""
    return _max_unpool(input, indices, 1, kernel_size, stride, padding, output_size, "max_unpool1d")


def max_unpool2d(input, indices, kernel_size, stride=None, padding=0, output_size=None):  # noqa: A002
    """The partial inverse of max_pool2d: a zero image of (H - 1) s - 2 p + kh by
    (W - 1) s - 2 p + kw (or ``output_size``) with every input value written at its flat
    index h W + w from ``max_pool2d(..., return_indices=True)``; the rest stays 0.
    (N, C, H, W) or (C, H, W). dy/dx reads the gradient back at the indices."""
    return _max_unpool(input, indices, 2, kernel_size, stride, padding, output_size, "max_unpool2d")
