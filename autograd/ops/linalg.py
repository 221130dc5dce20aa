"""Matrix products."""
import numpy as np

from .registry import primitive

__all__ = []


@primitive("matmul", uses="cross")
def matmul(x, y):
    """z = x @ y (numpy's matmul: 1-D operands are vectors, leading axes broadcast);
    dz/dx: g @ y^T,  dz/dy: x^T @ g  (the vector chain rule, grad = J^T g)."""
    return np.matmul(x, y)


@matmul.defvjp
def matmul_vjp(ns, n, g, out, x, y):
    a, b = n.inputs
    xv, yv = ns.value(x), ns.value(y)
    xd, yd = xv.ndim, yv.ndim
    # NOTE: promote vectors to matrices so one rule covers every case; the engine
    # sums broadcast batch axes back to each input's shape.
    if xd == 1:
        x = ns.reshape(x, (1,) + xv.shape)
        g = ns.reshape(g, ns.value(g).shape[:-1] + (1,) + ns.value(g).shape[-1:]) if yd > 1 else ns.reshape(g, (1,))
    if yd == 1:
        y = ns.reshape(y, yv.shape + (1,))
        g = ns.reshape(g, ns.value(g).shape + (1,))
    gx = gy = None
    if a._rg:
        gx = ns.matmul(g, ns.swapaxes(y, -1, -2))
        if xd == 1:
            gx = ns.reshape(gx, ns.value(gx).shape[:-2] + ns.value(gx).shape[-1:])
    if b._rg:
        gy = ns.matmul(ns.swapaxes(x, -1, -2), g)
        if yd == 1:
            gy = ns.reshape(gy, ns.value(gy).shape[:-1])
    return (gx, gy)


@primitive("linear", uses="cross")
def linear(x, w, b=None):
    """y = x W^T + b for x (*, in), W (out, in), b (out,): the fully-connected layer.

    dy/dx: g W;  dy/dW: g^T x summed over the leading axes (a single product over the
    flattened batch);  dy/db: g summed over the leading axes.

    NOTE: a primitive for speed, not for new math: it equals matmul(x, W.T) + b, but
    it records one node instead of three and its weight gradient comes out of one
    product already in W's (out, in) layout, with no transposed copy.
    """
    if x.ndim > 2:
        # NOTE: numpy runs a stacked (N, T, in) @ (in, out) product as N small ones,
        # about half the speed of the same product on the flattened (N T, in) rows.
        out = np.matmul(x.reshape(-1, x.shape[-1]), w.T).reshape(x.shape[:-1] + (w.shape[0],))
    else:
        out = np.matmul(x, w.T)
    if b is not None:
        out += b
    return out


def linear_vjp(ns, n, g, out, x, w, b=None):
    inputs = n.inputs
    xs, ws = ns.value(x).shape, ns.value(w).shape
    gx = ns.matmul(g, w) if inputs[0]._rg else None
    gw = gb = None
    if inputs[1]._rg or (b is not None and inputs[2]._rg):
        g2 = ns.reshape(g, (-1, ws[0])) if len(xs) != 2 else g
        if inputs[1]._rg:
            x2 = ns.reshape(x, (-1, ws[1])) if len(xs) != 2 else x
            gw = ns.matmul(ns.swapaxes(g2, 0, 1), x2)
        if b is not None and inputs[2]._rg:
            gb = ns.sum(g2, axis=0)
    return (gx, gw) if b is None else (gx, gw, gb)


linear.defvjp(linear_vjp)
