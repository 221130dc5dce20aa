"""Per-sample normalisation, written with autograd ops: layer, group and RMS norm.

Unlike batch norm, the statistics are taken over each sample's own features, so
training and evaluation compute the same thing and there are no running estimates.
Over the normalised axes (the last ``len(normalized_shape)`` dims for layer norm,
each group of C/G channels and all spatial positions for group norm):

    mu = mean(x),  var = mean((x - mu)^2)   (biased)
    layer/group norm:  y = (x - mu) / sqrt(var + eps) * gamma + beta
    RMS norm:          y = x / sqrt(mean(x^2) + eps) * gamma

For reference (the engine derives it from these ops), with xhat the normalised input,
g' = g gamma and sigma = sqrt(var + eps):
dL/dx = (g' - mean(g') - xhat mean(g' xhat)) / sigma,  dL/dgamma = sum(g xhat),
dL/dbeta = sum(g), the sums over every axis that gamma is broadcast along.
"""
import numpy as np

import autograd as ag

__all__ = ["layer_norm", "group_norm", "rms_norm"]


def _shape_arg(normalized_shape):
    if isinstance(normalized_shape, (int, np.integer)):
        return (int(normalized_shape),)
    return tuple(int(n) for n in normalized_shape)


def _check_tail(name, x, shape):
    k = len(shape)
    if k == 0 or x.ndim < k or tuple(x.shape[x.ndim - k:]) != shape:
        raise ValueError(f"{name}: normalized_shape {list(shape)} must match the last {k} dims "
                         f"of the input, got input of shape {tuple(x.shape)} (expected "
                         f"[*, {', '.join(map(str, shape))}])")


def _check_param(name, what, t, shape):
    if t is not None and tuple(t.shape) != shape:
        raise ValueError(f"{name}: {what} must have shape {shape}, got {tuple(t.shape)}")


def _standardise(x, axes, eps):
    """(x - mean) / sqrt(biased var + eps) over ``axes``."""
    mu = ag.mean(x, axis=axes, keepdims=True)
    xc = x - mu
    var = ag.mean(xc * xc, axis=axes, keepdims=True)
    return xc / ag.sqrt(var + eps)


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):  # noqa: A002
    """Layer normalisation over the last ``len(normalized_shape)`` dims.

    input (*, *normalized_shape) -> the same shape; weight (gamma) and bias (beta):
    ``normalized_shape`` or None.
    """
    x = input if isinstance(input, ag.Tensor) else ag.tensor(input)
    shape = _shape_arg(normalized_shape)
    _check_tail("layer_norm", x, shape)
    _check_param("layer_norm", "weight", weight, shape)
    _check_param("layer_norm", "bias", bias, shape)
    y = _standardise(x, tuple(range(x.ndim - len(shape), x.ndim)), eps)
    if weight is not None:
        y = y * weight
    if bias is not None:
        y = y + bias
    return y


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5):  # noqa: A002
    """Group normalisation: the C channels of an (N, C, *) input are split into
    ``num_groups`` groups, each normalised over its C/G channels and all positions;
    weight and bias (C,) then scale and shift per channel. Output: the input's shape.
    (G = 1 is layer norm over (C, *), G = C is instance norm.)
    """
    x = input if isinstance(input, ag.Tensor) else ag.tensor(input)
    if x.ndim < 2:
        raise ValueError(f"group_norm: expected an (N, C, *) input, got shape {tuple(x.shape)}")
    N, C = x.shape[0], x.shape[1]
    if num_groups <= 0 or C % num_groups:
        raise ValueError(f"group_norm: the {C} channels of an input of shape {tuple(x.shape)} "
                         f"cannot be split into num_groups={num_groups} equal groups")
    _check_param("group_norm", "weight", weight, (C,))
    _check_param("group_norm", "bias", bias, (C,))
    y = _standardise(ag.reshape(x, (N, num_groups, -1)), (2,), eps)
    y = ag.reshape(y, x.shape)
    pshape = (C,) + (1,) * (x.ndim - 2)
    if weight is not None:
        y = y * ag.reshape(weight, pshape)
    if bias is not None:
        y = y + ag.reshape(bias, pshape)
    return y


def rms_norm(input, normalized_shape, weight=None, eps=None):  # noqa: A002
    """RMS normalisation over the last ``len(normalized_shape)`` dims:
    y = x / sqrt(mean(x^2) + eps) * gamma (no centring, no bias).
    ``eps=None`` uses the machine epsilon of the input's dtype (PyTorch's default).
    """
    x = input if isinstance(input, ag.Tensor) else ag.tensor(input)
    shape = _shape_arg(normalized_shape)
    _check_tail("rms_norm", x, shape)
    _check_param("rms_norm", "weight", weight, shape)
    if eps is None:
        eps = float(np.finfo(x.dtype).eps)
    axes = tuple(range(x.ndim - len(shape), x.ndim))
    y = x / ag.sqrt(ag.mean(x * x, axis=axes, keepdims=True) + eps)
    if weight is not None:
        y = y * weight
    return y
