"""Elementwise functions of two tensors, with numpy broadcasting.

Each VJP returns gradients of the broadcast shape; the engine sums them back to
each input's shape in one place (``registry.unbroadcast``).
"""
import numpy as np

from .registry import primitive

__all__ = []


@primitive("add", uses=(), face="binary")
def add(x, y):
    """z = x + y;  dz/dx = 1, dz/dy = 1"""
    return x + y


@add.defvjp
def add_vjp(ns, n, g, out, x, y):
    return (g, g)


@primitive("sub", uses=(), face="binary")
def sub(x, y):
    """z = x - y;  dz/dx = 1, dz/dy = -1"""
    return x - y


@sub.defvjp
def sub_vjp(ns, n, g, out, x, y):
    return (g, -g if n.inputs[1]._rg else None)


@primitive("mul", uses="cross", face="binary")
def mul(x, y):
    """z = x * y;  dz/dx = y, dz/dy = x"""
    return x * y


@mul.defvjp
def mul_vjp(ns, n, g, out, x, y):
    a, b = n.inputs
    return (g * y if a._rg else None, g * x if b._rg else None)


@primitive("div", uses=lambda n: (0, 1) if n.inputs[1]._rg else (1,))
def div(x, y):
    """z = x / y;  dz/dx = 1/y, dz/dy = -x/y^2 = -(x/y)/y

    NOTE: dz/dy is computed as -g ((x / y) / y), PyTorch's formula and order: never
    through y * y, which underflows to 0 (float32 y = 1e-23, float16 y = 1e-4) and
    gives -inf where the true value is finite. It reads x and y, not z (PyTorch
    saves the same two), so editing z in place after the division is allowed.
    """
    return x / y


@div.defvjp
def div_vjp(ns, n, g, out, x, y):
    a, b = n.inputs
    gx = ns.scaled(g, 1 / y) if a._rg else None
    gy = ns.scaled(-g, (x / y) / y) if b._rg else None
    return (gx, gy)


@primitive("pow")
def pow_(x, y):
    """z = x^y;  dz/dx = y x^(y-1) (0 where y = 0),  dz/dy = x^y ln x (0 where x = 0
    and y >= 0).

    NOTE: the conventions are PyTorch's: at (0, 0), z = 1 and both derivatives are 0
    (the limit along y = 0, and x^y ln x -> 0 as x -> 0+ for y > 0); for x = 0,
    y < 0, dz/dy is -inf.
    """
    return np.power(x, y)


@pow_.defvjp
def pow_vjp(ns, n, g, out, x, y):
    a, b = n.inputs
    xv, yv = ns.value(x), ns.value(y)
    gx = gy = None
    if a._rg:
        y0 = yv == 0
        if np.any(y0):  # y x^(y-1) would be 0 * inf at x = 0
            gx = ns.where(y0, 0, ns.scaled(g, y * ns.where(y0, 1, x) ** (y - 1)))
        else:
            gx = ns.scaled(g, y * x ** (y - 1))
    if b._rg:
        zero = (xv == 0) & (yv >= 0)
        safe_x = ns.where(zero, 1, x)
        gy = ns.scaled(g, ns.where(zero, 0, out * ns.log(safe_x)))
    return (gx, gy)


@primitive("maximum", uses=(0, 1), face="binary")
def maximum(x, y):
    """z = max(x, y) elementwise;  dz/dx = 1 where x > y, 1/2 at ties, else 0."""
    return np.maximum(x, y)


@maximum.defvjp
def maximum_vjp(ns, n, g, out, x, y):
    xv, yv = ns.value(x), ns.value(y)
    dt = np.result_type(getattr(xv, "dtype", xv), getattr(yv, "dtype", yv))
    wx = (xv > yv).astype(dt) + 0.5 * (xv == yv)
    return (g * wx.astype(dt), g * (1 - wx).astype(dt))


@primitive("minimum", uses=(0, 1), face="binary")
def minimum(x, y):
    """z = min(x, y) elementwise;  dz/dx = 1 where x < y, 1/2 at ties, else 0."""
    return np.minimum(x, y)


@minimum.defvjp
def minimum_vjp(ns, n, g, out, x, y):
    xv, yv = ns.value(x), ns.value(y)
    dt = np.result_type(getattr(xv, "dtype", xv), getattr(yv, "dtype", yv))
    wx = (xv < yv).astype(dt) + 0.5 * (xv == yv)
    return (g * wx.astype(dt), g * (1 - wx).astype(dt))


@primitive("where", uses=(0,))
def where(cond, x, y):
    """z = x where cond else y;  dz/dx = cond, dz/dy = not cond (cond gets no gradient)."""
    return np.where(cond, x, y)


@where.defvjp
def where_vjp(ns, n, g, out, cond, x, y):
    c = ns.value(cond)
    _, a, b = n.inputs
    return (None, ns.where(c, g, 0) if a._rg else None, ns.where(c, 0, g) if b._rg else None)


def _compare(name, fn, face=None, method=True):
    """A comparison or logic op: bool result, no gradient. With ``face`` its ``ag``
    function and Tensor method are generated; the bitwise ones are written by hand
    (``autograd.api.arith``: bitwise on integers, logical on bools). The methods
    ``eq``/``ne`` are written by hand too (``x == None`` is False, ``autograd.methods``)."""
    return primitive(name, differentiable=False, face=face, method=method)(fn)


lt = _compare("lt", face="binary", fn=lambda x, y: np.less(x, y))
le = _compare("le", face="binary", fn=lambda x, y: np.less_equal(x, y))
gt = _compare("gt", face="binary", fn=lambda x, y: np.greater(x, y))
ge = _compare("ge", face="binary", fn=lambda x, y: np.greater_equal(x, y))
eq = _compare("eq", face="binary", method=False, fn=lambda x, y: np.equal(x, y))
ne = _compare("ne", face="binary", method=False, fn=lambda x, y: np.not_equal(x, y))
logical_and = _compare("logical_and", face="binary", fn=lambda x, y: np.logical_and(x, y))
logical_or = _compare("logical_or", face="binary", fn=lambda x, y: np.logical_or(x, y))
logical_xor = _compare("logical_xor", face="binary", fn=lambda x, y: np.logical_xor(x, y))
logical_not = _compare("logical_not", face="unary", fn=lambda x: np.logical_not(x))
bitwise_and = _compare("bitwise_and", lambda x, y: np.bitwise_and(x, y))
bitwise_or = _compare("bitwise_or", lambda x, y: np.bitwise_or(x, y))
bitwise_xor = _compare("bitwise_xor", lambda x, y: np.bitwise_xor(x, y))
bitwise_not = _compare("bitwise_not", lambda x: np.invert(x))
for _op in (lt, le, gt, ge, eq, ne, logical_and, logical_or, logical_xor, logical_not,
            bitwise_and, bitwise_or, bitwise_xor, bitwise_not):
    _op.doc = "Comparison / logic: a bool tensor, not differentiable (records no edge)."
