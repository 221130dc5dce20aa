"""Moments over axes: mean, variance and standard deviation, as primitives.

They are primitives (not ``sum`` times 1/n) for two reasons, both about giving a
number where the math has one:

* float16 accumulates in float32 (PyTorch's rule): the float16 mean of 70,000 ones
  is 1, not inf, and the result is float16 again. Gradients are computed the same
  way, so ``mean``'s gradient g / n is float16's rounding of the float32 quotient.
* The variance is computed from data shifted by one of its own values (the
  "shifted data" algorithm): d = s - mean(s) with s = x - x_0. For a constant
  input s is exactly 0, so var and std are exactly 0, and so are their gradients
  (PyTorch: 0); sum-then-divide would leave a rounding residue such as 1.7e-17
  for [0.1, 0.1, 0.1] and a gradient of -0.41 for std. The shift changes no value
  of the math (var is shift-invariant) and improves accuracy when |mean| >> std.

``axis`` is None or a sorted tuple of axes (the public functions normalise it).
"""
import numpy as np

from .reduce import _keep, normalize_axis
from .registry import primitive

__all__ = []


def _acc_dtype(dtype):
    """The accumulation dtype: float32 for float16, the dtype itself otherwise."""
    return np.dtype(np.float32) if dtype == np.float16 else dtype


def _count(shape, axis):
    return int(np.prod([shape[a] for a in normalize_axis(axis, len(shape))]))


def _first(shape, axis):
    """The index of the first element along the reduced axes (kept as size-1 axes)."""
    axes = normalize_axis(axis, len(shape))
    return tuple(slice(0, 1) if i in axes else slice(None) for i in range(len(shape)))


def _deviation(ns, x, axis):
    """d = x - mean(x) over ``axis`` (keepdims), in the accumulation dtype, computed
    from x shifted by its first value along the axes (exact 0 for constant data).

    The shift is a constant: d does not depend on it, so its derivative is 0 and
    d stays differentiable under ``create_graph``.
    """
    xv = ns.value(x)
    acc = _acc_dtype(xv.dtype)
    if acc != xv.dtype:
        x = ns.astype(x, acc)
    shift = xv[_first(xv.shape, axis)].astype(acc)  # a copy (numpy scalars too)
    s = x - ns.const(shift, x)
    n = _count(xv.shape, axis)
    return s - ns.sum(s, axis=axis, keepdims=True) / n


def _denominator(n, correction):
    """n - correction, or nan where it is not positive (PyTorch: var of one value is nan)."""
    return n - correction if n - correction > 0 else np.nan


@primitive("mean", uses=())
def mean(x, axis=None, keepdims=False):
    """y = (1/n) sum_i x_i over the axes;  dy/dx_i = 1/n.

    NOTE: float16 accumulates in float32 and returns float16 (PyTorch's rule).
    """
    acc = _acc_dtype(x.dtype)
    return np.mean(x, axis=axis, keepdims=keepdims, dtype=acc).astype(x.dtype, copy=False)


@mean.defvjp
def mean_vjp(ns, n, g, out, x):
    p = n.params
    axis, keepdims = p.get("axis"), p.get("keepdims", False)
    xv = ns.value(x)
    gk = _keep(ns, g, xv.shape, axis, keepdims)
    acc = _acc_dtype(xv.dtype)
    if acc != xv.dtype:
        gk = ns.astype(gk, acc)
    gx = ns.broadcast_to(gk / _count(xv.shape, axis), xv.shape)
    return (ns.astype(gx, xv.dtype) if acc != xv.dtype else gx,)


def _var_array(x, axis, correction):
    """The variance in the accumulation dtype (keepdims) and the deviation d."""
    acc = _acc_dtype(x.dtype)
    xa = x.astype(acc, copy=False)
    s = xa - xa[_first(x.shape, axis)]
    d = s - np.mean(s, axis=axis, keepdims=True)
    denom = _denominator(_count(x.shape, axis), correction)
    with np.errstate(invalid="ignore"):
        return np.sum(d * d, axis=axis, keepdims=True) / acc.type(denom)


def _squeeze(v, axis, keepdims):
    return v if keepdims else np.squeeze(v, axis=normalize_axis(axis, v.ndim))


@primitive("var", uses=(0,))
def var(x, axis=None, keepdims=False, correction=1):
    """y = sum_i (x_i - m)^2 / (n - c), m the mean, c the correction (1: unbiased);
    dy/dx_i = 2 (x_i - m) / (n - c)  (the terms through m sum to zero).

    NOTE: exactly 0 with gradient 0 for constant data (see the module docstring);
    nan where n <= c; float16 accumulates in float32.
    """
    return _squeeze(_var_array(x, axis, correction), axis, keepdims).astype(x.dtype, copy=False)


def _spread_terms(ns, n, x, *reduced):
    """What var's and std's rules share: the deviations d = x - m (in the accumulation
    dtype), the reduced values given (g, out) brought back to x's shape and d's dtype,
    and the denominator n - c."""
    p = n.params
    axis, keepdims = p.get("axis"), p.get("keepdims", False)
    shape = ns.value(x).shape
    d = _deviation(ns, x, axis)
    kept = [_keep(ns, r, shape, axis, keepdims) for r in reduced]
    if d.dtype != ns.value(x).dtype:
        kept = [ns.astype(k, d.dtype) for k in kept]
    return d, kept, _denominator(_count(shape, axis), p.get("correction", 1))


def _as_input_dtype(ns, gx, x):
    dt = ns.value(x).dtype
    return ns.astype(gx, dt) if gx.dtype != dt else gx


@var.defvjp
def var_vjp(ns, n, g, out, x):
    d, (gk,), denom = _spread_terms(ns, n, x, g)
    return (_as_input_dtype(ns, gk * d * (2.0 / denom), x),)


@primitive("std", uses=(0, -1))
def std(x, axis=None, keepdims=False, correction=1):
    """y = sqrt(var(x));  dy/dx_i = (x_i - m) / ((n - c) y), and 0 where y = 0.

    NOTE: at y = 0 (constant data) sqrt has no derivative, but every x_i - m is 0:
    the gradient is taken as 0 there, PyTorch's choice (its StdBackward masks
    ``result == 0``). Without the rule, sqrt'(0) = inf times var's 0 gives nan.
    """
    v = _var_array(x, axis, correction)
    return _squeeze(np.sqrt(v), axis, keepdims).astype(x.dtype, copy=False)


@std.defvjp
def std_vjp(ns, n, g, out, x):
    d, (gk, outk), denom = _spread_terms(ns, n, x, g, out)
    zero = ns.value(outk) == 0
    safe = ns.where(zero, 1, outk)
    return (_as_input_dtype(ns, ns.where(zero, 0, gk * d / (safe * denom)), x),)
