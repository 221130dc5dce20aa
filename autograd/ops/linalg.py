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
def _(F, n, g, out, x, y):
    a, b = n.inputs
    xv, yv = F.value(x), F.value(y)
    xd, yd = xv.ndim, yv.ndim
    # NOTE: promote vectors to matrices so one rule covers every case; the engine
    # sums broadcast batch axes back to each input's shape.
    if xd == 1:
        x = F.reshape(x, (1,) + xv.shape)
        g = F.reshape(g, F.value(g).shape[:-1] + (1,) + F.value(g).shape[-1:]) if yd > 1 else F.reshape(g, (1,))
    if yd == 1:
        y = F.reshape(y, yv.shape + (1,))
        g = F.reshape(g, F.value(g).shape + (1,))
    gx = gy = None
    if a._rg:
        gx = F.matmul(g, F.swapaxes(y, -1, -2))
        if xd == 1:
            gx = F.reshape(gx, F.value(gx).shape[:-2] + F.value(gx).shape[-1:])
    if b._rg:
        gy = F.matmul(F.swapaxes(x, -1, -2), g)
        if yd == 1:
            gy = F.reshape(gy, F.value(gy).shape[:-1])
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


def _linear_vjp(F, n, g, out, x, w, b=None):
    inputs = n.inputs
    xs, ws = F.value(x).shape, F.value(w).shape
    gx = F.matmul(g, w) if inputs[0]._rg else None
    gw = gb = None
    if inputs[1]._rg or (b is not None and inputs[2]._rg):
        g2 = F.reshape(g, (-1, ws[0])) if len(xs) != 2 else g
        if inputs[1]._rg:
            x2 = F.reshape(x, (-1, ws[1])) if len(xs) != 2 else x
            gw = F.matmul(F.swapaxes(g2, 0, 1), x2)
        if b is not None and inputs[2]._rg:
            gb = F.sum(g2, axis=0)
    return (gx, gw) if b is None else (gx, gw, gb)


linear.defvjp(_linear_vjp)
