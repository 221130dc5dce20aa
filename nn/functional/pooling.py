"""Pooling: max or average over windows of each channel, as in the notes.

Built from autograd's window primitives (``autograd.ops.window``): average pooling is
``sliding_window`` (a strided view) followed by a mean over the kernel axes; max
pooling uses ``window_max``, which remembers each window's argmax so that the
gradient goes there (the first maximum at ties, like PyTorch). Padding for max
pooling is -inf (a padded element can never win), for average pooling 0.
Adaptive average pooling is two matrix products with averaging matrices.
No Python loop runs over batch, channels or positions.
"""
import numpy as np

import autograd as ag
from ._args import ntuple as _ntuple

__all__ = ["max_pool1d", "max_pool2d", "avg_pool1d", "avg_pool2d", "adaptive_avg_pool1d",
           "adaptive_avg_pool2d"]


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


def _no_ceil(ceil_mode, name):
    if ceil_mode:
        raise NotImplementedError(f"{name}: ceil_mode=True is not supported")


def _max_pool(x, d, kernel_size, stride, padding, dilation, ceil_mode, name):
    _no_ceil(ceil_mode, name)
    x, k, s, p, r = _prepare(x, d, kernel_size, stride, padding, dilation, name)
    return ag.window_max(_pad(x, p, d, -np.inf), k, s, r)


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):
    """y[n, c, i] = max_{0 <= a < k} x_pad[n, c, i s + a r]  (x_pad: -inf padding).

    input (N, C, L) or (C, L); output (N, C, L_out), L_out = (L + 2 pad - r (k - 1) - 1)
    // s + 1; stride defaults to kernel_size. dy/dx: g goes to each window's argmax (the
    first at ties); overlapping windows (stride < kernel) add up their shares.
    """
    return _max_pool(input, 1, kernel_size, stride, padding, dilation, ceil_mode, "max_pool1d")


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):
    """y[n, c, i, j] = max over the kh x kw window at (i s_h, j s_w) of the -inf padded x.

    input (N, C, H, W) or (C, H, W); output (N, C, H_out, W_out) with H_out =
    (H + 2 pad_h - r_h (kh - 1) - 1) // s_h + 1; stride defaults to kernel_size.
    dy/dx: g goes to each window's argmax (the first in row-major order at ties, as in
    PyTorch); overlapping windows add up their shares.
    """
    return _max_pool(input, 2, kernel_size, stride, padding, dilation, ceil_mode, "max_pool2d")


def _avg_pool(x, d, kernel_size, stride, padding, ceil_mode, count_include_pad,
              divisor_override, name):
    _no_ceil(ceil_mode, name)
    x, k, s, p, r = _prepare(x, d, kernel_size, stride, padding, 1, name)
    win = ag.sliding_window(_pad(x, p, d, 0.0), k, s, r)
    axes = tuple(range(win.ndim - d, win.ndim))
    total = ag.sum(win, axis=axes)
    if divisor_override is not None:
        return total / float(divisor_override)
    if count_include_pad or not any(p):
        return total / float(np.prod(k))
    # NOTE: count_include_pad=False divides each window by its number of real (non-pad)
    # elements: a constant computed once by pooling a padded mask of ones.
    ones = np.pad(np.ones(x.shape[x.ndim - d:], dtype=x.dtype), [(a, a) for a in p])
    counts = np.lib.stride_tricks.sliding_window_view(ones, k)[
        tuple(slice(None, None, si) for si in s)].sum(axis=tuple(range(d, 2 * d)))
    return total / ag.tensor(counts.astype(x.dtype), device=x.device)


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True):
    """y[n, c, i] = (1/k) sum_{0 <= a < k} x_pad[n, c, i s + a]  (zero padding).

    input (N, C, L) or (C, L); output (N, C, L_out), L_out = (L + 2 pad - k) // s + 1;
    stride defaults to kernel_size. dy/dx: every element of a window gets g / k.
    count_include_pad=False divides by the number of non-padding elements instead.
    """
    return _avg_pool(input, 1, kernel_size, stride, padding, ceil_mode, count_include_pad,
                     None, "avg_pool1d")


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):
    """y[n, c, i, j] = (1/(kh kw)) sum of the kh x kw window at (i s_h, j s_w) (zero padding).

    input (N, C, H, W) or (C, H, W); output (N, C, H_out, W_out), H_out =
    (H + 2 pad_h - kh) // s_h + 1; stride defaults to kernel_size. dy/dx: every element
    of a window gets g / (kh kw) (overlaps add up). count_include_pad=False divides by the
    number of non-padding elements; divisor_override replaces the divisor.
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
