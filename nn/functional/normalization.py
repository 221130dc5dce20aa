"""Batch normalisation (the notes, 004, "Batch Normalisation (BN)"), written with autograd ops.

Per channel c, over the batch and any spatial axes (every axis but 1):

    mu_c = mean(z),  var_c = mean((z - mu_c)^2)          (biased, for normalising)
    z_norm = (z - mu_c) / sqrt(var_c + eps),   z~ = gamma_c z_norm + beta_c

In training the batch statistics are used and the running estimates move towards
them: running_mean <- (1 - momentum) running_mean + momentum mu, and running_var
likewise with the *unbiased* batch variance var_c m / (m - 1), m the number of values
per channel (PyTorch's rule). In evaluation the running estimates replace the batch
statistics. The gradient comes from the engine through these ops; for reference it
is dL/dz = (gamma / sigma) (g - mean(g) - z_norm mean(g z_norm)), sigma = sqrt(var + eps),
dL/dgamma = sum(g z_norm), dL/dbeta = sum(g).
"""
import numpy as np

import autograd as ag

__all__ = ["batch_norm"]


def _channel_shape(x):
    return (1, x.shape[1]) + (1,) * (x.ndim - 2)


def _f32(t):
    return ag.astype(t, np.float32) if t is not None and t.dtype == np.float16 else t


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False,
               momentum=0.1, eps=1e-5):
    """Batch normalisation over channel axis 1 of (N, C) or (N, C, *spatial) input.

    running_mean, running_var: (C,) Tensors updated in place when ``training`` (pass
    None to keep no running statistics; then batch statistics are used in eval too).
    weight (gamma), bias (beta): (C,) Tensors or None. Output: the input's shape.
    momentum: weight of the new batch statistic in the running estimate.
    Raises ValueError "Expected more than 1 value per channel when training" when a
    training batch has a single value per channel (its variance is undefined).
    float16 input is normalised in float32 and returned as float16.
    """
    x = input if isinstance(input, ag.Tensor) else ag.tensor(input)
    if x.dtype == np.float16:
        # NOTE: float16 normalises in float32 and returns float16 (PyTorch's rule): its
        # statistics over a batch overflow or lose every digit in float16. The casts
        # are differentiable, so float16 parameters get float16 gradients.
        out = batch_norm(ag.astype(x, np.float32), running_mean, running_var, _f32(weight), _f32(bias),
                         training, momentum, eps)
        return ag.astype(out, np.float16)
    if x.ndim < 2:
        raise ValueError(f"batch_norm: expected an (N, C) or (N, C, *spatial) input, got "
                         f"shape {x.shape}")
    C = x.shape[1]
    for name, t in (("running_mean", running_mean), ("running_var", running_var),
                    ("weight", weight), ("bias", bias)):
        if t is not None and tuple(t.shape) != (C,):
            raise ValueError(f"batch_norm: {name} must have shape ({C},) for an input with "
                             f"{C} channels, got {tuple(t.shape)}")
    shape = _channel_shape(x)
    axes = (0,) + tuple(range(2, x.ndim))
    use_batch = training or running_mean is None or running_var is None
    if use_batch:
        m = x.numel() // C
        if training and m <= 1:
            raise ValueError(f"Expected more than 1 value per channel when training, got "
                             f"input size {x.shape}")
        mu = ag.mean(x, axis=axes, keepdims=True)
        xc = x - mu
        var = ag.mean(xc * xc, axis=axes, keepdims=True)
        if training and running_mean is not None and running_var is not None:
            with ag.no_grad():
                mom = float(momentum)
                bm = mu.array.reshape(C)
                bv = var.array.reshape(C) * (m / (m - 1))
                rm, rv = running_mean.array, running_var.array
                rm *= 1.0 - mom
                rm += (mom * bm).astype(rm.dtype, copy=False)
                rv *= 1.0 - mom
                rv += (mom * bv).astype(rv.dtype, copy=False)
        xhat = xc / ag.sqrt(var + eps)
    else:
        rm = running_mean.array.astype(x.dtype, copy=False).reshape(shape)
        rv = running_var.array.astype(x.dtype, copy=False).reshape(shape)
        inv = (1.0 / np.sqrt(rv + x.dtype.type(eps))).astype(x.dtype)
        xhat = (x - ag.Tensor(rm)) * ag.Tensor(inv)
    if weight is not None:
        xhat = xhat * ag.reshape(weight, shape)
    if bias is not None:
        xhat = xhat + ag.reshape(bias, shape)
    return xhat
