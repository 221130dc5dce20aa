"""Indexing: y = x[index] and its adjoint, scatter-add.

Basic indices (ints, slices, None, Ellipsis) select a view; integer arrays may
repeat elements, and then the gradients of the repeats add up (``x[[0, 0, 1]]``
sends 2 g to x[0]); boolean masks select the True elements.
"""
import numpy as np

from .registry import primitive
from ..backend import asarray_like, backend_of, is_array

__all__ = []


def is_basic(index):
    """True when ``index`` has no arrays (so no element is selected twice)."""
    items = index if isinstance(index, tuple) else (index,)
    return all(i is None or i is Ellipsis or isinstance(i, (slice, int, np.integer)) for i in items)


def _has_repeats(index):
    items = index if isinstance(index, tuple) else (index,)
    for i in items:
        if (isinstance(i, np.ndarray) or is_array(i)) and i.dtype.kind in "iu":
            return True
    return False


def _index_add(g, index, shape):
    b = backend_of(g)
    out = b.zeros(shape, g.dtype)
    if b.name != "numpy":  # host index arrays (a diagonal's aranges) go to g's device
        index = tuple(asarray_like(i, g) if isinstance(i, np.ndarray) else i for i in index) \
            if isinstance(index, tuple) else asarray_like(index, g) if isinstance(index, np.ndarray) else index
    if _has_repeats(index):
        b.scatter_add(out, index, g)
    else:
        out[index] = g
    return out


@primitive("getitem", uses=(), view=True)
def getitem(x, index):
    """y = x[index];  dy/dx scatters g back: zeros of x's shape with g added at index
    (repeated integer indices accumulate)."""
    return x[index]


@getitem.defvjp
def getitem_vjp(ns, n, g, out, x):
    return (ns.index_add(g, n.params["index"], ns.value(x).shape),)


@primitive("index_add", uses=())
def index_add(g, index, shape):
    """y = zeros(shape) with g added at ``index`` (the adjoint of indexing);
    dy/dg = y[index] (indexing again)."""
    return _index_add(g, index, shape)


@index_add.defvjp
def index_add_vjp(ns, n, gy, out, g):
    return (ns.getitem(gy, n.params["index"]),)
