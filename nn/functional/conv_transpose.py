"""Transposed convolution ("deconvolution"): the adjoint of the convolution's map from
input to output, built from the same window primitives.

A convolution with stride s, padding p and dilation r reads x_pad[n, c, i s + k r]
into output position i with kernel offset k. Its transpose sends every input value of
the transposed convolution back along the same arrows, weighted by the kernel:

    cols[n, o, i, k] = sum_c x[n, c, i] w[c, o, k]            (one matrix product)
    y_full = col2im(cols)   i.e. y_full[n, o, i s + k r] += cols[n, o, i, k]
    y = y_full[..., p : p + L_out] + b[o]   (padding crops, output_padding adds zeros
                                              at the end)

    L_out = (L_in - 1) s - 2 p + r (k - 1) + output_padding + 1

col2im is ``window_scatter_add``, the adjoint of ``sliding_window``; so dL/dx is a
plain convolution of dL/dy with the same kernel (``sliding_window`` then a product),
dL/dw = sum over n, i of x[n, c, i] times the windows of dL/dy, dL/db = sum of dL/dy.
The engine derives all of them, to any order, from ``matmul``, ``permute``, ``pad``,
``getitem`` and the window pair. ``groups`` splits the channels into independent
blocks as for the convolution. Weight layout (PyTorch's): (C_in, C_out / groups, *k).
"""
import numpy as np

import autograd as ag
from ._args import ntuple as _ntuple

__all__ = ["conv_transpose1d", "conv_transpose2d", "conv_transpose3d"]


def _geometry(x, weight, stride, padding, output_padding, dilation, groups, d, name):
    if weight.ndim != d + 2:
        raise ValueError(f"{name}: weight must have shape (in_channels, out_channels/groups, "
                         f"{', '.join('k' + str(i) for i in range(d))}), got {weight.shape}")
    if x.ndim != d + 2:
        raise ValueError(f"{name}: expected input of shape (N, C_in, {'*, ' * (d - 1)}*) with {d} "
                         f"spatial axes (or (C_in, ...) unbatched), got {x.shape}")
    C = x.shape[1]
    if groups < 1 or C % groups:
        raise ValueError(f"{name}: in_channels ({C}) must be divisible by groups ({groups})")
    if weight.shape[0] != C:
        raise ValueError(f"{name}: weight {weight.shape} expects {weight.shape[0]} input channels, "
                         f"got input {x.shape} with {C}")
    s, p = _ntuple(stride, d, "stride"), _ntuple(padding, d, "padding")
    op, r = _ntuple(output_padding, d, "output_padding"), _ntuple(dilation, d, "dilation")
    if min(s) < 1 or min(r) < 1 or min(p) < 0 or min(op) < 0:
        raise ValueError(f"{name}: stride and dilation must be positive, padding and output_padding "
                         f"non-negative; got stride={s}, padding={p}, output_padding={op}, dilation={r}")
    if any(o >= max(si, ri) for o, si, ri in zip(op, s, r)):
        raise ValueError(f"{name}: output_padding {op} must be smaller than either stride {s} or "
                         f"dilation {r}")
    k = tuple(weight.shape[2:])
    full = tuple((n - 1) * si + ri * (ki - 1) + 1 for n, si, ri, ki in zip(x.shape[2:], s, r, k))
    out = tuple(f + o - 2 * pi for f, o, pi in zip(full, op, p))
    if min(out) < 1:
        raise ValueError(f"{name}: the output would have spatial size {out} (input {x.shape[2:]}, "
                         f"kernel {k}, stride {s}, padding {p}); use less padding")
    return s, p, op, r, k, full


def _conv_transpose(x, weight, bias, stride, padding, output_padding, groups, dilation, d, name):
    x = x if isinstance(x, ag.Tensor) else ag.tensor(x)
    weight = weight if isinstance(weight, ag.Tensor) else ag.tensor(weight)
    unbatched = x.ndim == d + 1
    if unbatched:
        x = ag.unsqueeze(x, 0)
    s, p, op, r, k, full = _geometry(x, weight, stride, padding, output_padding, dilation, groups, d, name)
    if weight.dtype != x.dtype:
        raise TypeError(f"{name}: input dtype {x.dtype} and weight dtype {weight.dtype} differ; "
                        "convert one (e.g. x.astype(weight.dtype))")
    N, C = x.shape[:2]
    G, Og, K, P = groups, weight.shape[1], int(np.prod(k)), x.shape[2:]
    # cols[n, g, i, (o, k)] = sum_c x[n, g, c, i] w[g, c, (o, k)]: one batched product
    xg = ag.swapaxes(ag.reshape(x, (N, G, C // G, int(np.prod(P)))), -1, -2)
    cols = ag.matmul(xg, ag.reshape(weight, (G, C // G, Og * K)))          # (N, G, P, Og K)
    cols = ag.reshape(cols, (N, G) + P + (Og,) + k)
    perm = (0, 1, 2 + d) + tuple(range(2, 2 + d)) + tuple(range(3 + d, 3 + 2 * d))
    cols = ag.reshape(ag.permute(cols, perm), (N, G * Og) + P + k)         # (N, O, *P, *k)
    y = ag.window_scatter_add(cols, (N, G * Og) + full, k, s, r)           # col2im
    if any(op):
        y = ag.pad(y, ((0, 0), (0, 0)) + tuple((0, o) for o in op))
    if any(p):
        y = y[(slice(None), slice(None)) + tuple(slice(pi, f + o - pi) for pi, f, o in zip(p, full, op))]
    if bias is not None:
        y = y + ag.reshape(bias, (G * Og,) + (1,) * d)
    return ag.reshape(y, y.shape[1:]) if unbatched else y


def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,  # noqa: A002
                     dilation=1):
    """Transposed 1-D convolution over (N, C_in, L) (or (C_in, L)) sequences.

    weight (C_in, C_out/groups, k); bias (C_out,) or None; output (N, C_out, L_out) with
    L_out = (L - 1) stride - 2 padding + dilation (k - 1) + output_padding + 1.
    y_full[n, o, i s + k r] += sum_c x[n, c, i] w[c, o, k], then cropped by padding (see
    the module docstring); the gradient w.r.t. x is conv1d of the output gradient.
    """
    return _conv_transpose(input, weight, bias, stride, padding, output_padding, groups, dilation,
                           1, "conv_transpose1d")


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,  # noqa: A002
                     dilation=1):
    """Transposed 2-D convolution over NCHW images (the upsampling layer of decoders and
    GAN generators). weight (C_in, C_out/groups, kh, kw); output (N, C_out, H_out, W_out)
    with H_out = (H - 1) s_h - 2 p_h + r_h (kh - 1) + output_padding_h + 1 (likewise W).
    It is the adjoint of conv2d's input-to-output map: conv_transpose2d(g, w) with the
    same stride, padding and dilation is dL/dx of conv2d(x, w)."""
    return _conv_transpose(input, weight, bias, stride, padding, output_padding, groups, dilation,
                           2, "conv_transpose2d")


def conv_transpose3d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,  # noqa: A002
                     dilation=1):
    """Transposed 3-D convolution over (N, C_in, D, H, W) volumes; weight
    (C_in, C_out/groups, kd, kh, kw). Same rule as :func:`conv_transpose2d`."""
    return _conv_transpose(input, weight, bias, stride, padding, output_padding, groups, dilation,
                           3, "conv_transpose3d")
