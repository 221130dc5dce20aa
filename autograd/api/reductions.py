"""The hand-written public faces of reductions: ``mean``/``var``/``std`` (moments in
a float dtype), ``norm``'s orders, PyTorch's ``max(x, 1)`` forms with ``(values,
indices)``, arg-extremes, the softmaxes and ``cumsum``. Plain reductions (``sum``,
``prod``, ``logsumexp``, ``any``, ``all``) are generated from the registry.
"""
import collections

import numpy as np

from ..arguments import axis_arg, count, float_input, keepdims_arg, one_axis, reduce_args, to_tensor
from ..ops import elementwise as E
from ..ops import gather as GA
from ..ops import reduce as R
from ..ops import stats as ST
from ..ops.reduce import normalize_axis
from .._tensor import Tensor
from .arith import clone
from .generated import maximum, minimum
from .shape import flatten

__all__ = ["mean", "var", "std", "norm", "max", "min", "amax", "amin", "argmax", "argmin",
           "softmax", "log_softmax", "cumsum"]


def mean(x, axis=None, keepdims=False, *, dim=None, keepdim=None):
    """Mean over ``axis``: sum / n (float16 accumulates in float32, PyTorch's rule)."""
    x, axis, kd = reduce_args(x, axis, dim, keepdims, keepdim, "mean")
    n = count(x, axis)
    if n == 0:
        raise ValueError(f"mean: the selection is empty (shape {x.shape}, axis {axis}); "
                         "there is nothing to average")
    return ST.mean(float_input(x), axis=axis, keepdims=kd)


def _moment_args(name, x, axis, keepdims, dim, keepdim, unbiased, correction):
    x, axis, kd = reduce_args(x, axis, dim, keepdims, keepdim, name)
    if correction is None:
        correction = 0 if unbiased is False else 1
    return float_input(x), dict(axis=axis, keepdims=kd, correction=correction)


def var(x, axis=None, keepdims=False, *, dim=None, keepdim=None, unbiased=None, correction=None):
    """Variance: sum (x - mean)^2 / (n - correction); unbiased (correction=1) by default
    like PyTorch; ``unbiased=False`` or ``correction=0`` gives the population form.
    With n <= correction the result is nan (as in PyTorch). Exactly 0, with gradient
    0, for constant data (a primitive: see ``autograd.ops.stats``)."""
    x, kw = _moment_args("var", x, axis, keepdims, dim, keepdim, unbiased, correction)
    return ST.var(x, **kw)


def std(x, axis=None, keepdims=False, *, dim=None, keepdim=None, unbiased=None, correction=None):
    """Standard deviation: sqrt of :func:`var` (unbiased by default). A primitive whose
    gradient is 0 where std is 0 (PyTorch's choice; sqrt alone would give nan)."""
    x, kw = _moment_args("std", x, axis, keepdims, dim, keepdim, unbiased, correction)
    return ST.std(x, **kw)


def norm(x, p=2, axis=None, keepdims=False, *, dim=None, keepdim=None):
    """The vector p-norm over ``axis`` (all entries by default): p = 2 (Euclidean, a
    primitive with gradient x / ||x||, 0 at x = 0), 1 (sum of |x|) or inf (max |x|)."""
    x, axis, kd = reduce_args(x, axis, dim, keepdims, keepdim, "norm")
    if p == 2 or p == "fro":
        return R.norm(x, axis=axis, keepdims=kd)
    if p == 1:
        return R.sum_(E.abs_(x), axis=axis, keepdims=kd)
    if p == np.inf or p == "inf":
        return R.max_(E.abs_(x), axis=axis, keepdims=kd)
    raise ValueError(f"norm: p={p!r} is not supported; use p=2, 1 or inf")


_MaxMin = collections.namedtuple("values_indices", ["values", "indices"])


def _extreme(op, argop, name, x, axis, keepdims, dim, keepdim):
    x = to_tensor(x)
    kd = keepdims_arg(keepdims, keepdim)
    if isinstance(axis, Tensor) or (axis is not None and not isinstance(axis, (int, tuple, list, np.integer))):
        raise TypeError(f"{name}: axis must be an int or tuple; for the elementwise "
                        f"{name} of two tensors use ag.{name}imum(x, y)")
    if x.numel() == 0:
        raise ValueError(f"{name}: the tensor of shape {x.shape} is empty; {name} needs at least one element")
    if dim is not None:
        # PyTorch's meaning: x.max(dim=1) returns (values, indices)
        if not isinstance(dim, (int, np.integer)):
            raise TypeError(f"{name}: dim= must be one int (it returns values and indices); "
                            f"for several axes use axis={dim!r}")
        d = normalize_axis(dim, x.ndim, name)[0]
        # NOTE: the values are gathered at the indices, so at ties the whole gradient goes
        # to the returned index, as in torch.max(x, dim); amax and the overall max split
        # it evenly among the tied elements, as torch's do
        indices = argop(x, axis=d, keepdims=True)
        values = GA.gather(x, dim=d, index=indices.array)
        if not kd:
            values, indices = values.squeeze(d), indices.squeeze(d)
        return _MaxMin(values, indices)
    if axis is not None:
        axis = normalize_axis(axis, x.ndim, name)
    return op(x, axis=axis, keepdims=kd)


def _dim_or_other(name, pair, args, axis, dim, keepdims):
    """Sort PyTorch's positional forms: ``max(x, 1)`` is a dim, ``max(x, other)`` the
    elementwise op, ``max(x, 1, True)`` a dim with keepdim."""
    if len(args) > 2:
        raise TypeError(f"{name}: too many positional arguments")
    if args and isinstance(args[0], Tensor):
        return pair, None, None, keepdims
    if args:
        if dim is not None or axis is not None:
            raise TypeError(f"{name}: give the dim once")
        dim = args[0]
        if len(args) == 2:
            keepdims = args[1]
    return None, axis, dim, keepdims


def max(x, *args, axis=None, keepdims=False, dim=None, keepdim=None):  # noqa: A001
    """Maximum over ``axis``.

    PyTorch's forms: ``x.max()`` is the overall maximum; ``x.max(1)`` and
    ``x.max(dim=1)`` return the named tuple ``(values, indices)`` like ``torch.max``
    (so ``_, pred = logits.max(1)`` is the predicted class); ``ag.max(a, b)`` with a
    tensor as second argument is the elementwise maximum. numpy's ``axis=`` keyword
    (also a tuple of axes) returns values only, as ``amax`` does.

    Ties, as in PyTorch: the ``dim`` form sends the gradient to the returned index (the
    first maximum); the overall maximum and ``axis=``/``amax`` split it evenly among
    the tied elements.
    """
    pair, axis, dim, keepdims = _dim_or_other("max", maximum, args, axis, dim, keepdims)
    if pair is not None:
        return pair(x, args[0])
    return _extreme(R.max_, R.argmax, "max", x, axis, keepdims, dim, keepdim)


def min(x, *args, axis=None, keepdims=False, dim=None, keepdim=None):  # noqa: A001
    """Minimum over ``axis``; see :func:`max` (``ag.min(a, b)`` is ``minimum``)."""
    pair, axis, dim, keepdims = _dim_or_other("min", minimum, args, axis, dim, keepdims)
    if pair is not None:
        return pair(x, args[0])
    return _extreme(R.min_, R.argmin, "min", x, axis, keepdims, dim, keepdim)


def amax(x, axis=None, keepdims=False, *, dim=None, keepdim=None):
    """Maximum over ``axis`` (values only, also with ``dim=``)."""
    x, axis, kd = reduce_args(x, axis, dim, keepdims, keepdim, "amax")
    return _extreme(R.max_, R.argmax, "amax", x, axis, kd, None, None)


def amin(x, axis=None, keepdims=False, *, dim=None, keepdim=None):
    x, axis, kd = reduce_args(x, axis, dim, keepdims, keepdim, "amin")
    return _extreme(R.min_, R.argmin, "amin", x, axis, kd, None, None)


def _arg(op, name, x, axis, dim, keepdims, keepdim):
    x = to_tensor(x)
    axis = axis_arg(axis, dim, name)
    if axis is not None:
        if not isinstance(axis, (int, np.integer)):
            raise TypeError(f"{name}: axis must be one int or None (None: index into the flattened tensor)")
        normalize_axis(axis, x.ndim, name)
        if x.ndim == 0:
            axis = None
    if x.numel() == 0:
        raise ValueError(f"{name}: the tensor of shape {x.shape} is empty")
    return op(x, axis=axis, keepdims=keepdims_arg(keepdims, keepdim))


def argmax(x, axis=None, keepdims=False, *, dim=None, keepdim=None):
    """Index of the maximum (the first one at ties); not differentiable."""
    return _arg(R.argmax, "argmax", x, axis, dim, keepdims, keepdim)


def argmin(x, axis=None, keepdims=False, *, dim=None, keepdim=None):
    """Index of the minimum (the first one at ties); not differentiable."""
    return _arg(R.argmin, "argmin", x, axis, dim, keepdims, keepdim)


def softmax(x, axis=-1, *, dim=None):
    """softmax along ``axis`` (last by default)."""
    x = to_tensor(x)
    return R.softmax(x, axis=one_axis(x, axis, dim, "softmax"))


def log_softmax(x, axis=-1, *, dim=None):
    """log softmax along ``axis`` (last by default), computed stably."""
    x = to_tensor(x)
    return R.log_softmax(x, axis=one_axis(x, axis, dim, "log_softmax"))


def cumsum(x, axis=None, *, dim=None):
    """Cumulative sum along ``axis`` (PyTorch's ``dim``); with neither, over the
    flattened tensor (numpy's rule)."""
    x = to_tensor(x)
    axis = axis_arg(axis, dim, "cumsum")
    if axis is None:
        x, axis = flatten(x), 0
    ax = normalize_axis(axis, x.ndim, "cumsum")
    if not ax:
        return clone(x)
    return R.cumsum(x, axis=ax[0])
