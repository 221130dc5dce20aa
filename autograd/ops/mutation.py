"""The two primitives that in-place changes record (see ``autograd.inplace``).

``setitem``:     y = x with y[index] = v.
    dy/dx: g with the written positions zeroed;  dy/dv: g[index].
``copy_slices``: y = the base tensor after an in-place change to one of its views,
    x with view(x) replaced by src, where ``view`` is the chain of view ops (basic
    indexing, reshape, transpose) that took the view from the base.
    dy/dx: g with the view's positions zeroed;  dy/dsrc: view(g).

Neither reads a value in its VJP, only shapes, so they never trip the in-place check.
"""
import numpy as np

from .registry import primitive
from ..backend import backend_of

__all__ = ["apply_view", "apply_view_arr"]


def apply_view(ns, x, steps):
    """view(x) for a chain of view ops: on arrays (a numpy view) or, when ``ns`` records,
    on Tensors (recorded, so differentiable again)."""
    for op, params in steps:
        x = op(x, **params) if ns.create_graph else op.fwd(x, **params)
    return x


def apply_view_arr(a, steps):
    for op, params in steps:
        a = op.fwd(a, **params)
    return a


def _zero_region(ns, g, write):
    """g with the positions that ``write(array)`` selects set to 0."""
    if ns.create_graph:
        m = backend_of(ns.value(g)).ones(g.shape, g.dtype)
        write(m)
        return g * ns.const(m, g)
    out = np.array(g) if type(g) is np.ndarray else g.copy()
    write(out)
    return out


@primitive("setitem", uses=(), public="Tensor.__setitem__")
def setitem(x, v, index):
    """y = x with y[index] = v;  dy/dx = g with g[index] = 0,  dy/dv = g[index]."""
    out = x.copy()
    out[index] = v
    return out


@setitem.defvjp
def setitem_vjp(ns, n, g, out, x, v):
    index = n.params["index"]

    def write(a):
        a[index] = 0

    a, b = n.inputs
    return (_zero_region(ns, g, write) if a._rg else None,
            ns.getitem(g, index) if b._rg else None)


@primitive("copy_slices", uses=(), public="Tensor.__setitem__")
def copy_slices(x, src, steps):
    """y = x with view(x) = src;  dy/dx = g with view(g) = 0,  dy/dsrc = view(g)."""
    out = x.copy()
    apply_view_arr(out, steps)[...] = src
    return out


@copy_slices.defvjp
def copy_slices_vjp(ns, n, g, out, x, src):
    steps = n.params["steps"]

    def write(a):
        apply_view_arr(a, steps)[...] = 0

    a, b = n.inputs
    return (_zero_region(ns, g, write) if a._rg else None,
            apply_view(ns, g, steps) if b._rg else None)
