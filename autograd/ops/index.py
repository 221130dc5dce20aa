"""Indexing: y = x[index] and its adjoint, scatter-add.

Basic indices (ints, slices, None, Ellipsis) select a view; integer arrays may
repeat elements, and then the gradients of the repeats add up (``x[[0, 0, 1]]``
sends 2 g to x[0]); boolean masks select the True elements.
"""
import numpy as np

from .registry import primitive

__all__ = []


def is_basic(index):
    """True when ``index`` has no arrays (so no element is selected twice)."""
    items = index if isinstance(index, tuple) else (index,)
    return all(i is None or i is Ellipsis or isinstance(i, (slice, int, np.integer)) for i in items)


def _has_repeats(index):
    items = index if isinstance(index, tuple) else (index,)
    for i in items:
        if isinstance(i, np.ndarray) and i.dtype.kind in "iu":
            return True
    return False


def _index_add(g, index, shape):
    out = np.zeros(shape, dtype=g.dtype)
    if _has_repeats(index):
        np.add.at(out, index, g)
    else:
        out[index] = g
    return out


@primitive("getitem", uses=(), view=True)
def getitem(x, index):
    """y = x[index];  dy/dx scatters g back: zeros of x's shape with g added at index
    (repeated integer indices accumulate)."""
    return x[index]


@getitem.defvjp
def _(F, n, g, out, x):
    return (F.index_add(g, n.params["index"], F.value(x).shape),)


@primitive("index_add", uses=())
def index_add(g, index, shape):
    """y = zeros(shape) with g added at ``index`` (the adjoint of indexing);
    dy/dg = y[index] (indexing again)."""
    return _index_add(g, index, shape)


@index_add.defvjp
def _(F, n, gy, out, g):
    return (F.getitem(gy, n.params["index"]),)
