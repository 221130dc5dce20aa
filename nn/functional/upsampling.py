"""Resizing: ``F.interpolate`` (nearest, nearest-exact, linear, bilinear, trilinear,
area), PyTorch's function, written as one small matrix product per spatial axis.

Every mode is separable: along each spatial axis of length n_in resized to n_out, the
output is y[..., j] = sum_i A[j, i] x[..., i] for an (n_out, n_in) matrix A, so
y = x A^T on the last axis (the others are swapped into place first) and
dL/dx = g A along that axis: the engine derives it from ``matmul``. With
scale = n_in / n_out (or 1 / scale_factor when a scale factor is given):

    nearest:        A[j, i] = 1 for i = min(floor(j scale), n_in - 1)
    nearest-exact:  A[j, i] = 1 for i = min(floor((j + 1/2) scale), n_in - 1)
    linear:         s = (j + 1/2) scale - 1/2 clamped to >= 0 (align_corners=False) or
                    s = j (n_in - 1) / (n_out - 1) (align_corners=True);
                    A[j, floor(s)] += 1 - t, A[j, min(floor(s) + 1, n_in - 1)] += t,
                    t = s - floor(s)   (bilinear/trilinear: this on every axis)
    area:           adaptive average pooling's bins
"""
import math

import numpy as np

import autograd as ag

__all__ = ["interpolate", "upsample", "upsample_nearest", "upsample_bilinear"]

_LINEAR = {"linear": 1, "bilinear": 2, "trilinear": 3}
_MODES = ("nearest", "nearest-exact", "linear", "bilinear", "trilinear", "area")


def _matrix(n_in, n_out, mode, align_corners, scale):
    """The (n_out, n_in) resampling matrix of one axis (float64)."""
    A = np.zeros((n_out, n_in))
    j = np.arange(n_out)
    if mode in ("nearest", "nearest-exact"):
        off = 0.5 if mode == "nearest-exact" else 0.0
        i = np.minimum(np.floor((j + off) * scale).astype(np.int64), n_in - 1)
        A[j, i] = 1.0
        return A
    if mode == "area":
        for r in range(n_out):
            lo, hi = (r * n_in) // n_out, -((-(r + 1) * n_in) // n_out)
            A[r, lo:hi] = 1.0 / (hi - lo)
        return A
    if align_corners:
        s = j * ((n_in - 1) / (n_out - 1)) if n_out > 1 else np.zeros(n_out)
    else:
        s = np.maximum((j + 0.5) * scale - 0.5, 0.0)
    i0 = np.minimum(np.floor(s).astype(np.int64), n_in - 1)
    i1 = np.minimum(i0 + 1, n_in - 1)
    t = s - i0
    np.add.at(A, (j, i0), 1.0 - t)
    np.add.at(A, (j, i1), t)
    return A


def _sizes(x, d, size, scale_factor, recompute, name):
    spatial = x.shape[2:]
    if (size is None) == (scale_factor is None):
        raise ValueError(f"{name}: give exactly one of size and scale_factor")
    if size is not None:
        out = (int(size),) * d if isinstance(size, (int, np.integer)) else tuple(int(s) for s in size)
        if len(out) != d:
            raise ValueError(f"{name}: size needs {d} values for input of shape {x.shape}, got {size}")
        return out, tuple(n / o for n, o in zip(spatial, out))
    sf = (float(scale_factor),) * d if isinstance(scale_factor, (int, float, np.number)) \
        else tuple(float(s) for s in scale_factor)
    if len(sf) != d or min(sf) <= 0:
        raise ValueError(f"{name}: scale_factor needs {d} positive values, got {scale_factor}")
    out = tuple(int(math.floor(n * f)) for n, f in zip(spatial, sf))
    if recompute:
        return out, tuple(n / o for n, o in zip(spatial, out))
    return out, tuple(1.0 / f for f in sf)


def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None,  # noqa: A002
                recompute_scale_factor=None, antialias=False):
    """Resize the spatial axes of (N, C, L), (N, C, H, W) or (N, C, D, H, W) input.

    size (output sizes) or scale_factor (multipliers; output = floor(n * factor)); mode
    'nearest' (PyTorch's legacy rule, default), 'nearest-exact', 'linear' (3-D input),
    'bilinear' (4-D), 'trilinear' (5-D) or 'area'; align_corners (linear modes only,
    default False): map the corner pixels' centres onto each other. See the module
    docstring for the matrices; the gradient is g A per axis.
    """
    x = input if isinstance(input, ag.Tensor) else ag.tensor(input)
    name = "interpolate"
    if mode not in _MODES:
        raise NotImplementedError(f"{name}: mode {mode!r} is not supported; use one of {_MODES}")
    if antialias:
        raise NotImplementedError(f"{name}: antialias=True is not supported")
    d = x.ndim - 2
    if d not in (1, 2, 3):
        raise ValueError(f"{name}: expected a 3-D, 4-D or 5-D (N, C, *spatial) input, got {x.shape}")
    if mode in _LINEAR and _LINEAR[mode] != d:
        raise ValueError(f"{name}: mode {mode!r} needs a {_LINEAR[mode] + 2}-D input, got {x.ndim}-D {x.shape}")
    if align_corners is not None and mode not in _LINEAR:
        raise ValueError(f"{name}: align_corners option can only be set with the interpolating modes: "
                         "linear | bilinear | trilinear")
    out, scales = _sizes(x, d, size, scale_factor, bool(recompute_scale_factor), name)
    if min(out) < 1:
        raise ValueError(f"{name}: the output size {out} must be positive")
    if mode == "area":
        scales = tuple(n / o for n, o in zip(x.shape[2:], out))
    y = x
    for axis in range(d):
        n_in, n_out = x.shape[2 + axis], out[axis]
        if n_in == n_out and (scales[axis] == 1.0 or (mode in _LINEAR and align_corners)):
            continue  # the identity
        At = ag.tensor(np.ascontiguousarray(_matrix(n_in, n_out, mode, bool(align_corners),
                                                    scales[axis]).T.astype(x.dtype)))
        pos = 2 + axis
        if pos == x.ndim - 1:
            y = ag.matmul(y, At)
        else:
            y = ag.swapaxes(ag.matmul(ag.swapaxes(y, pos, -1), At), pos, -1)
    return y


def upsample(input, size=None, scale_factor=None, mode="nearest", align_corners=None):  # noqa: A002
    """Deprecated PyTorch alias of :func:`interpolate`."""
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input, size=None, scale_factor=None):  # noqa: A002
    """interpolate(..., mode='nearest')."""
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input, size=None, scale_factor=None):  # noqa: A002
    """interpolate(..., mode='bilinear', align_corners=True) (PyTorch's deprecated helper)."""
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)
