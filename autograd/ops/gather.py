"""Gathering and scattering along one axis, and the index-valued ops beside them.

``gather(x, dim, index)`` reads ``out[i][j][k] = x[index[i][j][k]][j][k]`` (for
dim = 0; the index replaces the coordinate on ``dim`` only). ``scatter_add`` is its
adjoint: it adds ``src[i][j][k]`` into ``out[index[i][j][k]][j][k]``, so the VJP of
each is the other. ``index`` may be smaller than ``x`` on every axis (PyTorch's
rule); only the positions it covers take part.

argsort, one_hot and multinomial return integer tensors: they are not
differentiable and record no edge.
"""
import numpy as np

from .registry import primitive
from ..backend import backend_of, device_of, is_array, to_device, to_host

__all__ = []


def along(index, dim):
    """The numpy index tuple that addresses ``x[..., index[...], ...]`` along ``dim``:
    ``index`` on ``dim`` and broadcast ``arange`` s on every other axis."""
    if not is_array(index):
        index = np.asarray(index)
    if type(index) is np.ndarray:
        grids = list(np.ogrid[tuple(slice(n) for n in index.shape)]) if index.ndim else []
    else:  # the broadcast aranges on the index's device
        b = backend_of(index)
        grids = [b.arange(n).reshape((1,) * k + (n,) + (1,) * (index.ndim - k - 1))
                 for k, n in enumerate(index.shape)]
    grids[dim] = index
    return tuple(grids)


def _src_part(src, index):
    """The part of ``src`` the index covers: src[:i0, :i1, ...] (a 0-d src broadcasts)."""
    if src.ndim == 0:
        return np.broadcast_to(src, index.shape)
    return src[tuple(slice(n) for n in index.shape)]


@primitive("gather")
def gather(x, dim, index):
    """out = x[..., index, ...] along ``dim`` (torch.gather);  the gradient scatter-adds g
    back: gx = scatter_add(zeros_like(x), dim, index, g) (repeated indices add up)."""
    return x[along(index, dim)]


@gather.defvjp
def gather_vjp(ns, n, g, out, x):
    p = n.params
    return (ns.scatter_add(ns.zeros_like(x), p["dim"], p["index"], g),)


@primitive("scatter_add")
def scatter_add(x, src, dim, index):
    """out = x, then out[..., index, ...] += src along ``dim`` (repeats accumulate);
    dout/dx = 1 (gx = g),  dout/dsrc: gsrc = gather(g, dim, index) (zero where the
    index does not reach src)."""
    out = x.copy()
    backend_of(x).scatter_add(out, along(index, dim), _src_part(src, index))
    return out


def _src_grad(ns, g, src, dim, index):
    gs = ns.gather(g, dim, index)
    shape = ns.value(src).shape
    if shape != index.shape and len(shape) == index.ndim:  # src larger than index: zero pad
        gs = ns.pad(gs, tuple((0, s - i) for s, i in zip(shape, index.shape)))
    return gs


@scatter_add.defvjp
def scatter_add_vjp(ns, n, g, out, x, src):
    p, (a, b) = n.params, n.inputs
    return (g if a._rg else None, _src_grad(ns, g, src, p["dim"], p["index"]) if b._rg else None)


@primitive("scatter")
def scatter(x, src, dim, index):
    """out = x, then out[..., index, ...] = src along ``dim`` (torch.scatter; with repeated
    indices one of the writes wins);  dout/dx = 1 except at the written positions, where
    it is 0, and dout/dsrc: gsrc = gather(g, dim, index) (PyTorch's rule, also for the
    writes that lost)."""
    out = x.copy()
    out[along(index, dim)] = _src_part(src, index)
    return out


@scatter.defvjp
def scatter_vjp(ns, n, g, out, x, src):
    p, (a, b) = n.params, n.inputs
    gx = None
    if a._rg:
        keep = backend_of(ns.value(x)).ones(ns.value(x).shape, bool)
        keep[along(p["index"], p["dim"])] = False
        gx = ns.where(keep, g, 0)
    return (gx, _src_grad(ns, g, src, p["dim"], p["index"]) if b._rg else None)


def _argsort(x, axis=-1, descending=False):
    if not descending:
        return np.argsort(x, axis=axis, kind="stable")
    # NOTE: stable descending order (ties keep their order, nan first like PyTorch):
    # sort the reversed array ascending, reverse the result, map positions back.
    n = x.shape[axis] if x.ndim else 1
    rev = np.flip(np.argsort(np.flip(x, axis), axis=axis, kind="stable"), axis)
    return n - 1 - rev


argsort = primitive("argsort", differentiable=False)(_argsort)
argsort.doc = ("Indices that sort x along an axis (stable: ties keep their order; nan sorts "
               "as the largest value); integer-valued, not differentiable (records no edge).")


@primitive("one_hot", differentiable=False)
def one_hot(x, num_classes):
    """out[..., c] = 1 if x[...] == c else 0 (int64), one new last axis of size
    ``num_classes``; not differentiable (class indices are integers)."""
    return (x[..., None] == backend_of(x).arange(num_classes)).astype(np.int64)


@primitive("multinomial", differentiable=False)
def multinomial(p, num_samples, replacement, rng):
    """Category indices drawn with probabilities proportional to the rows of p (int64);
    not differentiable. With replacement: inverse-CDF sampling; without: the exponential
    race (keys E_c / p_c with E_c ~ Exp(1), the smallest first), which draws exactly like
    repeated sampling with the drawn categories removed."""
    if type(p) is not np.ndarray:  # drawn on the host (the library's generator), then moved back
        return to_device(multinomial.fwd(to_host(p), num_samples, replacement, rng), device_of(p))
    rows = p.reshape(-1, p.shape[-1]).astype(np.float64)
    out = np.empty((rows.shape[0], num_samples), dtype=np.int64)
    for i, w in enumerate(rows):
        if replacement:
            cdf = np.cumsum(w / w.sum())
            u = rng.random(num_samples) * cdf[-1]
            out[i] = np.minimum(np.searchsorted(cdf, u, side="right"), len(w) - 1)
        else:
            with np.errstate(divide="ignore"):
                keys = rng.exponential(size=len(w)) / w
            out[i] = np.argsort(keys, kind="stable")[:num_samples]
    return out.reshape(p.shape[:-1] + (num_samples,))
