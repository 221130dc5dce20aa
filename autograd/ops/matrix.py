"""Triangles, rolls and cumulative products: ops that keep a tensor's shape and move
or mask its values along fixed axes."""
import numpy as np

from .registry import primitive
from ..backend import backend_of

__all__ = []


@primitive("tril")
def tril(x, diagonal=0):
    """y = x with the entries above the ``diagonal``-th diagonal of the last two axes set
    to 0 (y_ij = x_ij for j - i <= diagonal);  the gradient is tril(g) (the mask again)."""
    return np.tril(x, diagonal)


@tril.defvjp
def tril_vjp(ns, n, g, out, x):
    return (ns.tril(g, n.params.get("diagonal", 0)),)


@primitive("triu")
def triu(x, diagonal=0):
    """y = x with the entries below the ``diagonal``-th diagonal of the last two axes set
    to 0 (y_ij = x_ij for j - i >= diagonal);  the gradient is triu(g)."""
    return np.triu(x, diagonal)


@triu.defvjp
def triu_vjp(ns, n, g, out, x):
    return (ns.triu(g, n.params.get("diagonal", 0)),)


@primitive("roll")
def roll(x, shifts, dims):
    """y = x shifted cyclically by ``shifts`` along ``dims`` (y[i + s] = x[i], indices
    mod n);  the gradient is rolled back: gx = roll(g, -shifts, dims)."""
    return np.roll(x, shifts, axis=dims)


@roll.defvjp
def roll_vjp(ns, n, g, out, x):
    p = n.params
    return (ns.roll(g, tuple(-s for s in p["shifts"]), p["dims"]),)


@primitive("cumprod")
def cumprod(x, axis):
    """y_i = prod_{j <= i} x_j along ``axis``;  dy/dx: dy_i/dx_j = prod_{k <= i, k != j} x_k for
    j <= i, so gx_j = sum_{i >= j} g_i prod_{k <= i, k != j} x_k,
    which is revcumsum(g y)_j / x_j when no x is zero.

    NOTE: with exact zeros the division is undefined; then each position j is
    differentiated on its own, as the cumulative product with x_j replaced by 1
    (n cumulative products: exact, written with the same functions, and so also
    twice differentiable).
    """
    return np.cumprod(x, axis=axis)


def _revcumsum(ns, a, axis, nd):
    rev = (slice(None),) * (axis % nd) + (slice(None, None, -1),)
    return ns.getitem(ns.cumsum(ns.getitem(a, rev), axis), rev)


@cumprod.defvjp
def cumprod_vjp(ns, n, g, out, x):
    axis = n.params["axis"]
    xv = ns.value(x)
    nd = xv.ndim
    if np.all(xv != 0):
        return (_revcumsum(ns, g * out, axis, nd) / x,)
    size = xv.shape[axis]
    shape = [1] * nd
    shape[axis] = size
    pos = backend_of(xv).arange(size).reshape(shape)
    parts = []
    for j in range(size):
        c = ns.cumprod(ns.where(pos == j, ns.const(1, x), x), axis)
        parts.append(ns.sum(ns.where(pos >= j, g * c, 0), axis=axis, keepdims=True))
    return (ns.concatenate(parts, axis=axis),)
