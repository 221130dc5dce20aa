"""Rounding and its relatives: floor, ceil, round, trunc, remainder, nan_to_num.

floor, ceil, round and trunc are piecewise constant: their derivative is 0 wherever
it exists (and undefined at the jumps), so they pass no gradient. As in PyTorch they
still record a node whose gradient is exactly zero, so ``floor(x).sum().backward()``
gives ``x.grad = 0`` instead of an error; gradient descent cannot learn through them.
"""
import numpy as np

from .registry import primitive

__all__ = []


def zero_vjp(ns, n, g, out, x):
    return (ns.zeros_like(x),)


def _piecewise_constant(name, fwd, doc):
    op = primitive(name)(fwd)
    op.doc = doc + ";  dy/dx = 0 (not differentiable: zero gradient everywhere)"
    op.defvjp(zero_vjp)
    return op


floor = _piecewise_constant("floor", np.floor, "y = floor(x), the largest integer <= x")
ceil = _piecewise_constant("ceil", np.ceil, "y = ceil(x), the smallest integer >= x")
trunc = _piecewise_constant("trunc", np.trunc, "y = trunc(x), x rounded towards zero")
round_ = _piecewise_constant(
    "round", lambda x, decimals=0: np.round(x, decimals),
    "y = x rounded to ``decimals`` digits, halves to even (PyTorch's and numpy's rule)")


@primitive("remainder")
def remainder(x, y):
    """z = x - floor(x / y) y, with the sign of y (Python's %, PyTorch's remainder);
    dz/dx = 1,  dz/dy = -floor(x / y) (jumps where x / y is an integer)."""
    return np.mod(x, y)


@remainder.defvjp
def remainder_vjp(ns, n, g, out, x, y):
    a, b = n.inputs
    gy = None
    if b._rg:
        xv, yv = ns.value(x), ns.value(y)
        with np.errstate(all="ignore"):
            q = np.floor(np.true_divide(xv, yv))
        gy = g * ns.const(-q, y)
    return (g if a._rg else None, gy)


@primitive("nan_to_num")
def nan_to_num(x, nan=0.0, posinf=None, neginf=None):
    """y = x with nan, +inf and -inf replaced (by 0 and the dtype's largest and smallest
    finite values by default);  dy/dx = 1 where x is finite, 0 where it was replaced."""
    return np.nan_to_num(x, copy=True, nan=nan, posinf=posinf, neginf=neginf)


@nan_to_num.defvjp
def nan_to_num_vjp(ns, n, g, out, x):
    return (ns.where(np.isfinite(ns.value(x)), g, 0),)
