"""Higher-order derivatives built on ``ag.grad``: Jacobians, Hessians, Hessian-vector
products and forward-mode directional derivatives.

The Hessian is the Jacobian of the gradient, and both come from the engine running
its VJPs as recorded graphs (``create_graph=True``). ``jvp`` (forward mode: one
column of the Jacobian, J v) is obtained from two reverse passes: u -> J^T u is
linear in u, so differentiating u^T J ... with respect to u along v gives J v.
"""
import numpy as np

from .api.shape import reshape, stack
from .backend import asarray_like, backend_of
from .engine import FreedTensor, _placeholder, grad
from ._tensor import Tensor

__all__ = ["jacobian", "hessian", "hvp", "vhp", "jvp", "vjp"]


def _prep(x, create_graph):
    single = isinstance(x, Tensor)
    xs = (x,) if single else tuple(x)
    out = []
    for t in xs:
        if not isinstance(t, Tensor):
            t = Tensor(t)
        if t.dtype.kind != "f":
            raise TypeError(f"differentiation needs floating-point inputs, got {t.dtype}")
        if create_graph and t.requires_grad:
            out.append(t)
        else:
            out.append(t.detach().requires_grad_())
    return single, tuple(out)


def _zeros(shape, dtype, like):
    """A zero Tensor on the device of tensor ``like``."""
    return Tensor(backend_of(like.array).zeros(shape, dtype))


def _zeros_if_none(gs, xs):
    return tuple(g if g is not None else _zeros(x.shape, x.dtype, x) for g, x in zip(gs, xs))


def jacobian(f, x, create_graph=False):
    """d f(x) / d x as a Tensor of shape f(x).shape + x.shape.

    With several inputs (a tuple) returns a tuple, one Jacobian per input. Built one
    row (one output entry) at a time by reverse mode.
    """
    single, xs = _prep(x, create_graph)
    out = f(*xs)
    if not isinstance(out, Tensor):
        raise TypeError("jacobian: f must return a single Tensor")
    rows = [[] for _ in xs]
    flat_out = reshape(out, (-1,)) if out.ndim != 1 else out
    for k in range(out.numel()):
        if out.requires_grad:
            gs = grad(flat_out[k], xs, retain_graph=True, create_graph=create_graph, allow_unused=True)
        else:
            gs = (None,) * len(xs)
        for r, g in zip(rows, _zeros_if_none(gs, xs)):
            r.append(g)
    jacs = tuple(
        reshape(stack(r), out.shape + x_.shape) if r else _zeros(out.shape + x_.shape, x_.dtype, x_)
        for r, x_ in zip(rows, xs))
    if not create_graph:
        jacs = tuple(j.detach() for j in jacs)
    return jacs[0] if single else jacs


def hessian(f, x, create_graph=False):
    """Second derivatives d^2 f / dx dx of a scalar function, shape x.shape + x.shape."""
    single, xs = _prep(x, True)

    def gradient(*args):
        out = f(*args)
        _check_scalar(out, "hessian")
        return _zeros_if_none(grad(out, args, create_graph=True, allow_unused=True), args)

    if single:
        return jacobian(lambda t: gradient(t)[0], xs[0], create_graph=create_graph)
    out = []
    for i in range(len(xs)):
        def gi(*args, i=i):
            return gradient(*args)[i]
        out.append(jacobian(gi, xs, create_graph=create_graph))
    return tuple(out)


def _check_scalar(out, what):
    if not isinstance(out, Tensor) or out.numel() != 1:
        shape = getattr(out, "shape", None)
        raise ValueError(f"{what}: f must return a tensor with a single element, got shape {shape}")


def _as_like(v, xs):
    vs = (v,) if isinstance(v, Tensor) or not isinstance(v, (tuple, list)) else tuple(v)
    vs = tuple(t if isinstance(t, Tensor) else Tensor(asarray_like(t, x.array, x.dtype)) for t, x in zip(vs, xs))
    for t, x in zip(vs, xs):
        if t.shape != x.shape:
            raise ValueError(f"the vector has shape {t.shape} but the input has shape {x.shape}")
    return vs


def hvp(f, x, v, create_graph=False):
    """Hessian-vector product: returns ``(f(x), H v)`` for a scalar f, without forming H.

    H v = d/dx (grad f(x) . v): one reverse pass with ``create_graph=True`` gives the
    gradient g(x) as a graph, and a second reverse pass differentiates g . v. That second
    pass starts from the gradients themselves, seeded with v (``grad(g, x,
    grad_outputs=v)``): the VJP of g . v with respect to g is v, so seeding with v is
    the same sum J_g^T v without recording the dot product (one product and one
    reduction per input, each with a full-size temporary, and their VJPs).

    NOTE: without create_graph the gradients never leave this function, so the second
    pass starts from stand-ins without values where that is safe (see ``_bare_roots``):
    the gradients' arrays are then freed as the pass goes instead of all living to its
    end (an MLP's HVP peaked 0.5 MB higher, past glibc's trim threshold: page faults).
    """
    single, xs = _prep(x, True)
    vs = _as_like(v, xs)
    out = f(*xs)
    _check_scalar(out, "hvp")
    gs = grad(out, xs, create_graph=True, allow_unused=True)
    pairs = [(g, vv) for g, vv in zip(gs, vs) if g is not None and g.requires_grad]
    if not pairs:
        hv = tuple(_zeros(x.shape, x.dtype, x) for x in xs)
    else:
        roots, seeds = [g for g, _ in pairs], [vv for _, vv in pairs]
        if not create_graph:
            del gs, pairs
            roots = _bare_roots(roots)
        hv = _zeros_if_none(grad(roots, xs, grad_outputs=seeds, create_graph=create_graph,
                                 allow_unused=True), xs)
    if not create_graph:
        hv = tuple(h.detach() for h in hv)
        out = out.detach()
    return out, (hv[0] if single else hv)


def _bare_roots(gs):
    """Stand-ins for the gradients ``gs`` as roots of a backward pass: same node, shape,
    dtype and version, no values (the engine's ``FreedTensor``), so that a gradient's
    array is not held by the caller while the pass runs.

    A gradient keeps its values when its rule reads its output, when it carries hooks
    or retains its .grad, or when the graph consumes it (an input of some node, e.g. the
    gradient of a bias that add passed on unchanged to a product): there the stand-in
    and the tensor would be two entries of one node. Repeated roots share one stand-in.
    """
    inner = set()
    stack = [g.grad_fn for g in gs if g.grad_fn is not None]
    seen = set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        for p in node.inputs:
            inner.add(id(p))
            if p.grad_fn is not None and id(p.grad_fn) not in seen:
                stack.append(p.grad_fn)
    out, bare = [], {}
    for g in gs:
        node = g.grad_fn
        if (node is None or id(g) in inner or g._hooks or g._retains_grad or node.freed
                or -1 in node.op.reads(node)):
            out.append(g)
            continue
        h = bare.get(id(g))
        if h is None:
            h = bare[id(g)] = Tensor._make(_placeholder(g.array), True, node)
            h.__class__ = FreedTensor
            h.name, h._vc = g.name, g._vc
        out.append(h)
    return out


vhp = hvp  # the Hessian is symmetric


def vjp(f, x, v=None, create_graph=False):
    """Vector-Jacobian product: returns ``(f(x), v^T J)`` (reverse mode)."""
    single, xs = _prep(x, create_graph)
    out = f(*xs)
    gs = _zeros_if_none(grad(out, xs, grad_outputs=v, create_graph=create_graph, allow_unused=True), xs)
    if not create_graph:
        gs = tuple(g.detach() for g in gs)
        out = out.detach()
    return out, (gs[0] if single else gs)


def jvp(f, x, v, create_graph=False):
    """Jacobian-vector product (forward mode): returns ``(f(x), J v)``, the directional
    derivative of f at x along v. Computed exactly as the VJP of the (linear) VJP."""
    single, xs = _prep(x, True)
    vs = _as_like(v, xs)
    out = f(*xs)
    if not isinstance(out, Tensor):
        raise TypeError("jvp: f must return a single Tensor")
    if not out.requires_grad:
        jv = _zeros(out.shape, out.dtype, out)
        return out, jv
    u = Tensor(backend_of(out.array).zeros(out.shape, out.dtype), requires_grad=True)
    gs = grad(out, xs, grad_outputs=u, create_graph=True, allow_unused=True)
    pairs = [(g, vv) for g, vv in zip(gs, vs) if g is not None and g.requires_grad]
    if not pairs:
        jv = _zeros(out.shape, out.dtype, out)
    else:
        (jv,) = _zeros_if_none(grad([g for g, _ in pairs], (u,), grad_outputs=[vv for _, vv in pairs],
                                    create_graph=create_graph, allow_unused=True), (u,))
    if not create_graph:
        jv = jv.detach()
        out = out.detach()
    return out, jv
