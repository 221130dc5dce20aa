"""Matrix products."""
import numpy as np

from .registry import primitive

__all__ = []


@primitive("matmul")
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
