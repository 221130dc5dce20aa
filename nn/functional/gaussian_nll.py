"""Gaussian negative log-likelihood: the loss behind "MSE is maximum likelihood".

The notes (004, "Regression Loss — Mean Square Error") model the target as
y^(i) ~ N(yhat^(i), sigma^2) and maximise the likelihood

    p(y | X, theta, sigma) = prod_i (2 pi sigma^2)^(-1/2) exp(-(y^(i) - yhat^(i))^2 / (2 sigma^2))

(the notes print (2 pi sigma)^(1/2) in the normaliser; the Gaussian density has sigma^2
there). Taking -log, per sample:

    l = 1/2 (log var + (x - y)^2 / var)  [+ 1/2 log(2 pi) when full=True],   var = sigma^2,

so for a fixed var, minimising the mean of l is minimising the MSE (scaled by 1/(2 var),
shifted by a constant): the same theta. Letting the model predict var as well
(heteroscedastic regression) is what this loss adds over MSE.

PyTorch's semantics (``torch.nn.functional.gaussian_nll_loss``):

- ``var`` is a Tensor with the input's shape (one variance per prediction), or with one
  dimension of size 1 where the input's is larger (one variance shared along it), or the
  input's shape without its last dimension (then unsqueezed), or a Python float;
- a negative variance raises; variances below ``eps`` are clamped to ``eps`` in the value
  only: the gradient passes through the clamp as if it were the identity (PyTorch clamps
  under ``no_grad``);
- the derivatives:  dl/dx = (x - y) / var,   dl/dvar = 1/2 (1/var - (x - y)^2 / var^2).
"""
import math
import numbers

import numpy as np

import autograd as ag

from .loss import _as_input, _check_reduction, _reduce

__all__ = ["gaussian_nll_loss"]


def _var_tensor(input, var):  # noqa: A002
    """``var`` as a Tensor broadcastable to the input, checked as PyTorch does."""
    if isinstance(var, numbers.Real) and not isinstance(var, bool):
        if var < 0:
            raise ValueError("gaussian_nll_loss: var has negative entry/entries")
        return ag.Tensor(np.full(input.shape, float(var), dtype=input.dtype))
    if not isinstance(var, ag.Tensor):
        var = ag.tensor(np.asarray(var, dtype=input.dtype))
    if bool((var.array < 0).any()):
        raise ValueError("gaussian_nll_loss: var has negative entry/entries")
    shape, vshape = tuple(input.shape), tuple(var.shape)
    if vshape != shape:
        if shape[:-1] == vshape:
            var = ag.unsqueeze(var, -1)
        elif not (len(shape) == len(vshape)
                  and sum(v for s, v in zip(shape, vshape) if s != v) == 1):
            raise ValueError(
                f"gaussian_nll_loss: var is of incorrect size: var shape {vshape} for input "
                f"shape {shape}; give var the input's shape, or the input's shape with one "
                f"dimension set to 1, or the input's shape without its last dimension")
    return var


def gaussian_nll_loss(input, target, var, full=False, eps=1e-6, reduction="mean"):  # noqa: A002
    """Gaussian negative log-likelihood l = 1/2 (log max(var, eps) + (x - y)^2 / max(var, eps)),
    plus 1/2 log(2 pi) if ``full``; reduced by ``reduction`` ('mean', 'sum' or 'none').

    ``input`` is the predicted mean yhat, ``target`` a sample y, ``var`` the variance
    sigma^2 (see the module docstring for the shapes accepted and the clamp's gradient).
    """
    input = _as_input("gaussian_nll_loss", input)  # noqa: A001
    if not isinstance(target, ag.Tensor):
        target = ag.Tensor(np.asarray(target, dtype=input.dtype))
    var = _var_tensor(input, var)
    _check_reduction("gaussian_nll_loss", reduction)
    # the clamp changes the value, not the gradient (PyTorch: clamp_ under no_grad)
    clamped = np.maximum(var.array, eps).astype(var.dtype, copy=False)
    var = var + ag.Tensor(clamped - var.array) if var.requires_grad else ag.Tensor(clamped)
    d = input - target
    loss = 0.5 * (ag.log(var) + d * d / var)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce(loss, reduction)
