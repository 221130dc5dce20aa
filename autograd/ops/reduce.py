"""Reductions over axes: sum, max, min, prod, logsumexp, softmax, log-softmax, argmax.

``axis`` is None (all axes), an int or a tuple; ``keepdims`` keeps reduced axes
with size 1. Every VJP first puts ``g`` back into the keepdims shape
(:func:`_keep`), so it broadcasts against the input.
"""
import numpy as np

from .registry import primitive
from ..backend import backend_of

__all__ = []


def normalize_axis(axis, ndim, name=None):
    """A sorted tuple of non-negative axes (all axes for None).

    A 0-d tensor accepts axis 0 and -1 (PyTorch's rule) and reduces over nothing.
    ``name`` (the op) goes into the error messages.
    """
    if axis is None:
        return tuple(range(ndim))
    if isinstance(axis, (int, np.integer)):
        axis = (int(axis),)
    try:
        axis = tuple(axis)
    except TypeError:
        raise TypeError(f"{name or 'reduction'}: axis must be None, an int or a tuple of ints, "
                        f"got {type(axis).__name__}") from None
    out = []
    for a in axis:
        if not isinstance(a, (int, np.integer)) or isinstance(a, bool):
            raise TypeError(f"{name or 'reduction'}: axis must be None, an int or a tuple of ints, "
                            f"got {axis!r}")
        if not -max(ndim, 1) <= a < max(ndim, 1):
            raise IndexError(
                f"{name or 'reduction'}: axis {a} is out of range for a tensor with {ndim} "
                f"dimensions (valid: {-max(ndim, 1)} to {max(ndim, 1) - 1})")
        if ndim:
            out.append(int(a) % ndim)
    if len(set(out)) != len(out):
        raise ValueError(f"{name or 'reduction'}: repeated axis in {axis}; give each axis once")
    return tuple(sorted(out))


def keepdims_shape(xshape, axis):
    """The shape of a reduction over ``axis`` with keepdims=True."""
    axes = normalize_axis(axis, len(xshape))
    return tuple(1 if i in axes else n for i, n in enumerate(xshape))


def _keep(ns, g, xshape, axis, keepdims):
    """Reshape a reduced gradient to the keepdims shape, ready to broadcast over x."""
    if keepdims:
        return g
    return ns.reshape(g, keepdims_shape(xshape, axis))


@primitive("sum", uses=(), face="reduce")
def sum_(x, axis=None, keepdims=False):
    """y = sum_i x_i over the axes;  dy/dx_i = 1 (g is copied back along the axes)."""
    return np.sum(x, axis=axis, keepdims=keepdims)


@sum_.defvjp
def sum_vjp(ns, n, g, out, x):
    p = n.params
    shape = ns.value(x).shape
    return (ns.broadcast_to(_keep(ns, g, shape, p.get("axis"), p.get("keepdims", False)), shape),)


def extreme_vjp(ns, n, g, out, x):
    p = n.params
    xv = ns.value(x)
    axis, keepdims = p.get("axis"), p.get("keepdims", False)
    ov = np.reshape(ns.value(out), keepdims_shape(xv.shape, axis))
    mask = xv == ov
    if xv.dtype.kind == "f":
        # NOTE: a NaN maximum comes from the NaN entries, so they get the gradient
        # (PyTorch's max()); without this no entry equals NaN and 0/0 gives NaN everywhere.
        nan_out = np.isnan(ov)
        if nan_out.any():
            mask = np.where(nan_out, np.isnan(xv), mask)
    count = mask.sum(axis=axis, keepdims=True)
    share = (mask / count).astype(xv.dtype)
    return (_keep(ns, g, xv.shape, axis, keepdims) * share,)


@primitive("max")
def max_(x, axis=None, keepdims=False):
    """y = max_i x_i over the axes;  dy/dx_i = 1 for the maximum.

    Ties split the gradient evenly: each of k tied maxima gets g / k. A NaN entry
    makes the maximum NaN (it propagates), and the gradient goes to the NaN entries
    only (split evenly among them), as PyTorch's ``max()`` does.
    """
    return np.max(x, axis=axis, keepdims=keepdims)


@primitive("min")
def min_(x, axis=None, keepdims=False):
    """y = min_i x_i over the axes;  dy/dx_i = 1 for the minimum; ties split evenly;
    a NaN entry gives NaN with the gradient on the NaN entries (see ``max``)."""
    return np.min(x, axis=axis, keepdims=keepdims)


max_.defvjp(extreme_vjp)
min_.defvjp(extreme_vjp)


@primitive("prod", face="reduce")
def prod(x, axis=None, keepdims=False):
    """y = prod_i x_i;  dy/dx_i = prod_{j != i} x_j (exact also where some x_j = 0).

    Without zeros the VJP is g y / x_i. With zeros it uses exclusive cumulative
    products from both ends (O(n), no division); under ``create_graph`` (second
    derivatives) it is written with differentiable ops instead: prod_{j != i} x_j is
    the product of row i of an n x n copy of x whose diagonal is set to 1, so
    d^2 y / dx_i dx_j = prod_{k != i, j} x_k comes out exact at zeros too (O(n^2)
    memory along the reduced axes, only then).
    """
    return np.prod(x, axis=axis, keepdims=keepdims)


@prod.defvjp
def prod_vjp(ns, n, g, out, x):
    p = n.params
    axis, keepdims = p.get("axis"), p.get("keepdims", False)
    xv = ns.value(x)
    gk = _keep(ns, g, xv.shape, axis, keepdims)
    if np.all(xv != 0):
        return (gk * _keep(ns, out, xv.shape, axis, keepdims) / x,)
    if ns.create_graph:
        return (gk * _prod_others_graph(ns, x, axis),)
    return (gk * _prod_others(xv, axis),)


def _prod_others_graph(ns, x, axis):
    """prod_{j != i} x_j along ``axis`` for every i, with differentiable ops: the
    reduced axes are flattened to one of length m, x is broadcast to (..., m, m) with
    the diagonal replaced by 1, and each row is multiplied out."""
    xv = ns.value(x)
    axes = normalize_axis(axis, xv.ndim)
    rest = [i for i in range(xv.ndim) if i not in axes]
    order = rest + list(axes)
    xt = ns.transpose(x, tuple(order)) if order != list(range(xv.ndim)) else x
    lead = tuple(xv.shape[i] for i in rest)
    m = int(np.prod([xv.shape[i] for i in axes]))
    rows = ns.broadcast_to(ns.reshape(xt, lead + (1, m)), lead + (m, m))
    others = ns.prod(ns.where(backend_of(xv).eye(m, None, bool), 1, rows), axis=-1)
    others = ns.reshape(others, tuple(xv.shape[i] for i in order))
    if order != list(range(xv.ndim)):
        others = ns.transpose(others, tuple(int(i) for i in np.argsort(order)))
    return others


def _prod_others(x, axis):
    """prod_{j != i} x_j along ``axis`` for every i, by exclusive cumulative products."""
    axes = normalize_axis(axis, x.ndim)
    rest = [i for i in range(x.ndim) if i not in axes]
    xt = np.transpose(x, rest + list(axes))
    lead = xt.shape[: len(rest)]
    flat = xt.reshape(lead + (-1,))
    ones = backend_of(x).ones(lead + (1,), x.dtype)
    left = np.cumprod(np.concatenate([ones, flat[..., :-1]], axis=-1), axis=-1)
    right = np.cumprod(np.concatenate([ones, flat[..., :0:-1]], axis=-1), axis=-1)[..., ::-1]
    others = (left * right).reshape(xt.shape)
    return np.transpose(others, tuple(int(i) for i in np.argsort(rest + list(axes))))


@primitive("logsumexp", face="reduce")
def logsumexp(x, axis=None, keepdims=False):
    """y = log sum_i e^(x_i);  dy/dx_i = e^(x_i - y) = softmax(x)_i.

    NOTE: computed as m + log sum e^(x - m) with m = max x, so nothing overflows.
    """
    m = np.max(x, axis=axis, keepdims=True)
    m = np.where(np.isfinite(m), m, 0)
    with np.errstate(under="ignore", divide="ignore"):
        s = np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True)) + m
    return s if keepdims else np.squeeze(s, axis=axis)


@logsumexp.defvjp
def logsumexp_vjp(ns, n, g, out, x):
    p = n.params
    axis, keepdims = p.get("axis"), p.get("keepdims", False)
    shape = ns.value(x).shape
    return (_keep(ns, g, shape, axis, keepdims) * ns.exp(x - _keep(ns, out, shape, axis, keepdims)),)


@primitive("softmax")
def softmax(x, axis=-1):
    """y_c = e^(x_c) / sum_o e^(x_o);  Jacobian dy_c/dx_o = y_c (delta_co - y_o), so
    the VJP is y * (g - sum_o g_o y_o).

    NOTE: computed from x - max x, so nothing overflows.
    """
    with np.errstate(under="ignore"):
        e = np.exp(x - np.max(x, axis=axis, keepdims=True))
        return e / np.sum(e, axis=axis, keepdims=True)


@softmax.defvjp
def softmax_vjp(ns, n, g, out, x):
    axis = n.params.get("axis", -1)
    return (out * (g - ns.sum(g * out, axis=axis, keepdims=True)),)


@primitive("log_softmax")
def log_softmax(x, axis=-1):
    """y_c = x_c - log sum_o e^(x_o);  the VJP is g - softmax(x) * sum_o g_o.

    NOTE: computed as (x - m) - log sum e^(x - m) with m = max x: finite at +-1000.
    """
    with np.errstate(under="ignore"):
        z = x - np.max(x, axis=axis, keepdims=True)
        return z - np.log(np.sum(np.exp(z), axis=axis, keepdims=True))


@log_softmax.defvjp
def log_softmax_vjp(ns, n, g, out, x):
    axis = n.params.get("axis", -1)
    if ns.create_graph:  # one recorded node with its own VJP instead of four
        return (log_softmax_backward(g, out, axis=axis),)
    return (g - ns.exp(out) * ns.sum(g, axis=axis, keepdims=True),)


@primitive("log_softmax_backward", public="log_softmax")
def log_softmax_backward(g, y, axis=-1):
    """r = g - s * sum_o g_o with s = e^y = softmax(x): log_softmax's VJP at y =
    log_softmax(x), as one node: what log_softmax's rule records under create_graph
    (PyTorch's _log_softmax_backward_data), so its second derivative costs one node and
    one rule instead of exp, sum, product and difference with theirs.

    dr/dg: gbar - sum_o (gbar_o s_o)  (the Jacobian I - s 1^T, transposed);
    dr/dy: -gbar * s * sum_o g_o.
    """
    return g - np.exp(y) * np.sum(g, axis=axis, keepdims=True)


@log_softmax_backward.defvjp
def log_softmax_backward_vjp(ns, n, gb, r, g, y):
    axis = n.params.get("axis", -1)
    s = ns.exp(y)
    dg = gb - ns.sum(gb * s, axis=axis, keepdims=True) if n.inputs[0]._rg else None
    dy = -(gb * s * ns.sum(g, axis=axis, keepdims=True)) if n.inputs[1]._rg else None
    return (dg, dy)


argmax = primitive("argmax", differentiable=False)(
    lambda x, axis=None, keepdims=False: np.argmax(x, axis=axis, keepdims=keepdims))
argmin = primitive("argmin", differentiable=False)(
    lambda x, axis=None, keepdims=False: np.argmin(x, axis=axis, keepdims=keepdims))
argmax.doc = "Index of the maximum along an axis (first one at ties); not differentiable."
argmin.doc = "Index of the minimum along an axis (first one at ties); not differentiable."
any_ = primitive("any", differentiable=False, face="reduce")(
    lambda x, axis=None, keepdims=False: np.any(x, axis=axis, keepdims=keepdims))
all_ = primitive("all", differentiable=False, face="reduce")(
    lambda x, axis=None, keepdims=False: np.all(x, axis=axis, keepdims=keepdims))


@primitive("cumsum")
def cumsum(x, axis):
    """y_i = sum_{j <= i} x_j along ``axis``;  dy/dx is the reversed cumulative sum:
    gx_j = sum_{i >= j} g_i."""
    return np.cumsum(x, axis=axis)


@cumsum.defvjp
def cumsum_vjp(ns, n, g, out, x):
    axis = n.params["axis"]
    nd = ns.value(x).ndim
    rev = (slice(None),) * (axis % nd) + (slice(None, None, -1),)
    return (ns.getitem(ns.cumsum(ns.getitem(g, rev), axis), rev),)


@primitive("norm")
def norm(x, axis=None, keepdims=False):
    """y = ||x||_2 = sqrt(sum_i x_i^2) over the axes;  dy/dx_i = x_i / y.

    The convention at y = 0 (then x = 0): the gradient is 0, the subgradient of
    smallest norm (PyTorch's choice too).

    NOTE: second derivatives at y = 0. The VJP is (g / y) x. For f = h(||x||) with
    h'(0) = 0 (e.g. ||x||^2), g = h'(y) -> 0 as y -> 0 and the factor g / y tends to
    dg/dy = h''(0) (l'Hopital), so the Hessian at 0 is h''(0) I: 2I for ||x||^2, the
    exact value, where the chain rule through 0 / 0 would give 0 (PyTorch: nan).
    Under ``create_graph`` the rule therefore takes g / y at y = 0, g = 0 as dg/dy,
    computed by differentiating g (a graph) with respect to y; where g does not
    depend on y, or g != 0 (||x|| itself: no Hessian at 0), the factor is 0.
    """
    return np.sqrt(np.sum(x * x, axis=axis, keepdims=keepdims))


@norm.defvjp
def norm_vjp(ns, n, g, out, x):
    p = n.params
    axis, keepdims = p.get("axis"), p.get("keepdims", False)
    shape = ns.value(x).shape
    outk = _keep(ns, out, shape, axis, keepdims)
    zero = ns.value(outk) == 0
    safe = ns.where(zero, 1, outk)
    gk = _keep(ns, g, shape, axis, keepdims)
    if ns.create_graph and zero.any():
        # the factor g / y at y = 0: dg/dy where g = 0 too, else 0 (see the docstring)
        limit = _limit_at_zero(ns, g, out)
        fill = 0 if limit is None else ns.where(ns.value(gk) == 0, _keep(ns, limit, shape, axis, keepdims), 0)
        return (ns.where(zero, fill, gk / safe) * x,)
    return (gk * x / safe,)


def _limit_at_zero(ns, g, out):
    """dg/dy for the incoming gradient g (a graph) and the norm y, elementwise, or
    None where g does not depend on y (``ns`` is the recording namespace)."""
    if not (g.requires_grad and out.requires_grad):
        return None
    ones = ns.const(np.ones(g.shape), g)
    (d,) = ns.grad(g, out, grad_outputs=ones, create_graph=True, allow_unused=True)
    return d
