"""Convolution (cross-correlation, as in the notes and PyTorch) built from autograd ops.

The 1-D rule of the notes, (x conv u)_i = sum_b x_{i+b} u_b, generalises to C input
channels, O output channels, d spatial axes, stride s, zero padding and dilation r:

    y[n, o, p] = b[o] + sum_c sum_k  w[o, c, k] x_pad[n, c, p s + k r]

It is one primitive, ``window_matmul`` (``autograd.ops.window``): the zero-padded
windows copied into an im2col matrix (C*K, L) per sample, one matrix product
(O, C*K) @ (C*K, L), the bias. No Python loop runs over channels or positions (only
over a few cache-sized blocks of the batch).

Derivatives: dL/dw[o, c, k] = sum_n sum_p g[n, o, p] x_pad[n, c, p s + k r] (a matrix
product with the windows), dL/db[o] = sum_{n, p} g[n, o, p], and dL/dx is the
transposed convolution: the windows' gradient W^T g scattered back with col2im, then
un-padded. Under ``create_graph`` that rule is written with ``pad``, ``sliding_window``,
``window_scatter_add`` and ``matmul``, so second derivatives come from those.
"""
import numpy as np

import autograd as ag
from ._args import check_groups, check_padding_mode
from ._args import ntuple as _ntuple

__all__ = ["conv1d", "conv2d", "conv3d"]


def _padding(padding, d, kernel, stride, dilation, name):
    """Per spatial axis (before, after) zero padding; 'valid' = none, 'same' keeps the
    size at stride 1 (the odd extra element goes after, like PyTorch)."""
    if isinstance(padding, str):
        check_padding_mode(padding, stride, name)
        if padding == "valid":
            return ((0, 0),) * d
        total = [r * (k - 1) for k, r in zip(kernel, dilation)]
        return tuple((t // 2, t - t // 2) for t in total)
    p = _ntuple(padding, d, "padding")
    if min(p) < 0:
        raise ValueError(f"{name}: padding must be non-negative, got {p}")
    return tuple((a, a) for a in p)


def _conv(x, weight, bias, stride, padding, dilation, groups, d, name):
    x = x if isinstance(x, ag.Tensor) else ag.tensor(x)
    weight = weight if isinstance(weight, ag.Tensor) else ag.tensor(weight)
    if weight.ndim != d + 2:
        raise ValueError(f"{name}: weight must have shape (out_channels, in_channels/groups, "
                         f"{', '.join('k' + str(i) for i in range(d))}), got {weight.shape}")
    unbatched = x.ndim == d + 1
    if unbatched:
        x = ag.unsqueeze(x, 0)
    if x.ndim != d + 2:
        raise ValueError(f"{name}: expected input of shape (N, C, {'*' * d}) with {d} spatial "
                         f"axes (or (C, ...) unbatched), got {x.shape}")
    N, C = x.shape[:2]
    O, Cg = weight.shape[:2]
    kernel = weight.shape[2:]
    check_groups(C, O, groups, name)
    if Cg * groups != C:
        raise ValueError(f"{name}: expected input with {Cg * groups} channels (weight "
                         f"{weight.shape}, groups={groups}), got {C} channels (input {x.shape})")
    stride = _ntuple(stride, d, "stride")
    dilation = _ntuple(dilation, d, "dilation")
    if min(stride) < 1 or min(dilation) < 1:
        raise ValueError(f"{name}: stride and dilation must be positive, got stride={stride}, "
                         f"dilation={dilation}")
    pads = _padding(padding, d, kernel, stride, dilation, name)
    if weight.dtype != x.dtype:
        raise TypeError(f"{name}: input dtype {x.dtype} and weight dtype {weight.dtype} differ; "
                        "convert one (e.g. x.astype(weight.dtype))")
    K = int(np.prod(kernel))
    # NOTE: padding, windows, im2col, the product and the bias are one primitive
    # (``window_matmul``): its backward never materialises the im2col matrix or the
    # windows' gradient for the whole batch, and scatters back without a padded copy.
    # Its create_graph rule is built from pad, sliding_window and window_scatter_add.
    w = ag.reshape(weight, (O, C * K) if groups == 1 else (groups, O // groups, Cg * K))
    geo = dict(kernel_size=tuple(kernel), stride=stride, dilation=dilation, padding=pads)
    out = (ag.window_matmul(w, x, **geo) if bias is None
           else ag.window_matmul(w, x, bias, **geo))                      # (N, O, *P)
    if unbatched:
        out = ag.reshape(out, out.shape[1:])
    return out


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """1-D convolution (cross-correlation) over (N, C_in, L) sequences.

    y[n, o, i] = b[o] + sum_c sum_k w[o, c, k] x_pad[n, c, i s + k r];
    with one channel, stride 1 and no padding this is the notes' (x conv u)_i =
    sum_b x_{i+b} u_b, output length M - k + 1.

    input (N, C_in, L) or (C_in, L); weight (C_out, C_in/groups, k); bias (C_out,) or
    None; output (N, C_out, L_out), L_out = (L + 2 pad - r (k - 1) - 1) // s + 1.
    padding: int, 'valid' or 'same' (stride 1). Gradients: see the module docstring.
    """
    return _conv(input, weight, bias, stride, padding, dilation, groups, 1, "conv1d")


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """2-D convolution (cross-correlation) over NCHW images.

    y[n, o, i, j] = b[o] + sum_c sum_{a, b'} w[o, c, a, b'] x_pad[n, c, i s_h + a r_h,
    j s_w + b' r_w]  (the notes' sum_c sum_n sum_m x_{c, n+i, m+j} u_{c, n, m} per kernel).

    input (N, C_in, H, W) or (C_in, H, W); weight (C_out, C_in/groups, kh, kw); bias
    (C_out,) or None; output (N, C_out, H_out, W_out) with
    H_out = (H + 2 pad_h - r_h (kh - 1) - 1) // s_h + 1 (same for W).
    stride, padding, dilation: int or pair; padding also 'valid' or 'same' (stride 1).
    Gradients: dL/dw = windows^T g, dL/db = sum of g, dL/dx = col2im(W^T g).
    """
    return _conv(input, weight, bias, stride, padding, dilation, groups, 2, "conv2d")


def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """3-D convolution over (N, C_in, D, H, W) volumes; the same rule with three
    spatial axes (weight (C_out, C_in/groups, kd, kh, kw))."""
    return _conv(input, weight, bias, stride, padding, dilation, groups, 3, "conv3d")
