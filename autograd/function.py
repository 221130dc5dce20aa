"""Your own op, the PyTorch way: subclass ``ag.Function``.

    class Exp(ag.Function):
        @staticmethod
        def forward(ctx, x):             # Tensors in, Tensors out; nothing is recorded here
            y = ag.exp(x)
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, g):            # d loss / d y in, d loss / d x out
            (y,) = ctx.saved_tensors
            return g * y

    y = Exp.apply(x)                     # never call forward directly

``backward`` receives one gradient per output of ``forward`` and returns one per input
(None for inputs that are not Tensors or need no gradient; ``ctx.needs_input_grad``
tells which do). Written with tensor operations, it is itself differentiable: under
``create_graph=True`` the engine runs it with recording on, so gradients of gradients
(``ag.gradgradcheck``, Hessians) work, through saved inputs and saved outputs alike.

Design (the engine is unchanged). A Function is not entered in the op registry: each
class gets its own :class:`~autograd.ops.registry.Op` (named ``<Class>Backward``)
whose VJP calls ``backward``, so two classes of the same name (a notebook cell run
twice) never clash. The engine gives every node one output; with several
differentiable outputs, the node's output is a packed flat vector of their values
and each returned tensor is a slice of it (``ops.custom.function_output``), so the
engine sums the slices' gradients into the packed entry and ``backward`` runs once
with all of them. The tensors ``forward`` returned are the very objects handed back
(their ``grad_fn`` is set), so a saved output is part of the graph, as in PyTorch.
Outputs that are not floating point, or marked with ``ctx.mark_non_differentiable``,
are not differentiable: ``backward`` receives zeros for them.
"""
import numpy as np

from .backend import asarray_like, backend_of, is_array

from .grad_mode import STATE, no_grad
from .ops.custom import function_output
from .ops.registry import Op
from ._tensor import Node, Tensor

__all__ = ["Function", "FunctionCtx", "once_differentiable"]

_EMPTY = {}


class FunctionCtx:
    """The ``ctx`` of ``forward`` and ``backward``: what forward leaves for backward.

    ``save_for_backward(*tensors)`` / ``saved_tensors``, ``needs_input_grad`` (one bool
    per forward argument), ``mark_non_differentiable(*outputs)``; any other attribute
    (``ctx.k = 3``) may hold non-tensor values.
    """

    def __init__(self):
        self._saved = ()
        self._non_diff = set()
        self.needs_input_grad = ()
        self.materialize_grads = True

    def save_for_backward(self, *tensors):
        for i, t in enumerate(tensors):
            if t is not None and not isinstance(t, Tensor):
                raise TypeError(f"save_for_backward: argument {i} is a {type(t).__name__}; only "
                                "Tensors (or None) can be saved; keep other values as ctx attributes")
        self._saved = tensors

    @property
    def saved_tensors(self):
        return self._saved

    def mark_non_differentiable(self, *outputs):
        """These outputs of forward get no gradient (indices, masks...)."""
        self._non_diff.update(id(t) for t in outputs)

    def set_materialize_grads(self, value):
        """Accepted for PyTorch compatibility; here gradients of unused outputs are always
        zeros (materialised), which code written for ``False`` handles too."""
        self.materialize_grads = bool(value)

    def mark_dirty(self, *tensors):
        raise NotImplementedError("mark_dirty: in-place Functions are not supported; return a new tensor")


class Function:
    """Base class of user-defined differentiable operations (see the module docstring)."""

    def __init__(self, *args, **kwargs):
        raise RuntimeError(f"{type(self).__name__}: Functions are not instantiated; call "
                           f"{type(self).__name__}.apply(...) with forward's arguments")

    @staticmethod
    def forward(ctx, *args):
        raise NotImplementedError("define forward(ctx, *args) as a @staticmethod of your Function")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("define backward(ctx, *grad_outputs) as a @staticmethod of your Function")

    @classmethod
    def _node_op(cls):
        op = cls.__dict__.get("_gradtable_op")
        if op is None:
            op = Op(cls.__name__ + "Backward", cls.forward)
            op.vjp = _function_vjp
            op.doc = f"The user-defined {cls.__qualname__}: its backward is the VJP."
            cls._gradtable_op = op
        return op

    @classmethod
    def apply(cls, *args):
        """Run ``forward`` without recording, then record one node whose VJP is ``backward``
        (only when grad mode is on and some Tensor argument requires grad)."""
        ctx = FunctionCtx()
        ctx.needs_input_grad = tuple(isinstance(a, Tensor) and a._rg for a in args)
        custom_setup = getattr(cls, "setup_context", None)
        with no_grad():
            if custom_setup is not None and "setup_context" in _defined(cls):
                out = cls.forward(*args)
                custom_setup(ctx, args, out)
            else:
                out = cls.forward(ctx, *args)
        record = STATE.enabled and any(ctx.needs_input_grad)
        return _wrap_outputs(cls, ctx, args, out, record)


def _defined(cls):
    names = set()
    for k in cls.__mro__:
        if k is Function:
            break
        names.update(k.__dict__)
    return names


def _wrap_outputs(cls, ctx, args, out, record):
    """Attach the node to forward's outputs (see the module docstring)."""
    single = not isinstance(out, tuple)
    outs = [out] if single else list(out)
    inputs = tuple(a for a in args if isinstance(a, Tensor))
    taken = {id(a) for a in inputs}
    diff = []
    for i, o in enumerate(outs):
        if not isinstance(o, Tensor):
            continue
        differentiable = o.dtype.kind == "f" and id(o) not in ctx._non_diff
        if id(o) in taken or (record and differentiable and (o.grad_fn is not None or o._rg)):
            o = outs[i] = Tensor._make(o.array)  # an input returned as is: a new tensor, same memory
        taken.add(id(o))
        if differentiable:
            diff.append(i)
    if record and diff:
        _record(cls, ctx, args, inputs, outs, diff)
    return outs[0] if single else tuple(outs)


def _record(cls, ctx, args, inputs, outs, diff):
    scope = STATE.scope
    node = Node(cls._node_op(), inputs, _EMPTY, ctx, scope)
    ctx._cls, ctx._name = cls, cls.__name__
    ctx._tensor_args = tuple(i for i, a in enumerate(args) if isinstance(a, Tensor))
    ctx._layout = [(None if not isinstance(o, Tensor) else (o.shape, o.dtype)) for o in outs]
    ctx._diff = diff
    if len(diff) == 1:
        o = outs[diff[0]]
        o.grad_fn, o._rg = node, True
        ctx._slices = None
        return
    dt = np.result_type(*[outs[i].array.dtype for i in diff])
    packed = Tensor._make(np.concatenate([outs[i].array.astype(dt, copy=False).reshape(-1) for i in diff]))
    packed.grad_fn, packed._rg = node, True
    ctx._slices, start = {}, 0
    for i in diff:
        o = outs[i]
        stop = start + o.array.size
        params = {"start": start, "stop": stop, "shape": o.shape}
        o.grad_fn = Node(function_output, (packed,), params, None, scope)
        o._rg = True
        ctx._slices[i] = (start, stop)
        start = stop


def _output_grads(ns, ctx, g):
    """One gradient per output of forward, from the node's incoming gradient ``g``."""
    graph = ns.create_graph
    grads = []
    for i, lay in enumerate(ctx._layout):
        if lay is None:
            grads.append(None)
            continue
        shape, dtype = lay
        if i not in ctx._diff:
            gi = backend_of(ns.value(g)).zeros(shape, dtype)
        elif ctx._slices is None:
            gi = g if graph else asarray_like(g, g, dtype)
        else:
            start, stop = ctx._slices[i]
            gi = ns.reshape(ns.getitem(g, (slice(start, stop),)), shape)
            if ns.value(gi).dtype != dtype:
                gi = ns.astype(gi, dtype)
        grads.append(gi if isinstance(gi, Tensor) else Tensor._make(_arr(gi)))
    return grads


def _arr(v):
    """``v`` as an array: device arrays as they are, numbers as numpy arrays."""
    return v if is_array(v) else np.asarray(v)


def _function_vjp(ns, n, g, out, *xs):
    """The VJP of a Function node: ``backward(ctx, *grads)``, checked and mapped onto the
    node's Tensor inputs."""
    ctx = n.saved
    if not ns.create_graph and not isinstance(g, np.ndarray):
        g = _arr(g)  # the engine's scalar fast path hands Python floats
    res = ctx._cls.backward(ctx, *_output_grads(ns, ctx, g))
    res = res if isinstance(res, tuple) else (res,)
    nargs = len(ctx.needs_input_grad)
    if len(res) < nargs or any(r is not None for r in res[nargs:]):
        raise RuntimeError(f"{ctx._name}.backward returned {len(res)} gradients but forward took "
                           f"{nargs} arguments; return one per argument (None for those without)")
    grads = []
    for pos, x in zip(ctx._tensor_args, n.inputs):
        gx = res[pos] if ctx.needs_input_grad[pos] else None
        if gx is not None:
            gx = _as_grad(ns, gx, x, pos, ctx._name)
        grads.append(gx)
    return tuple(grads)


def _as_grad(ns, gx, x, pos, name):
    """A gradient from backward in the engine's form (an array, or a Tensor under
    create_graph), with a shape that sums back to the input's."""
    if ns.create_graph:
        gx = gx if isinstance(gx, Tensor) else Tensor._make(_arr(gx))
        shape = gx.shape
    else:
        gx = gx.array if isinstance(gx, Tensor) else _arr(gx)
        shape = gx.shape
    try:
        ok = np.broadcast_shapes(shape, x.shape) == shape
    except ValueError:
        ok = False
    if not ok:
        raise RuntimeError(f"{name}.backward returned a gradient of shape {shape} for argument {pos} "
                           f"of shape {x.shape}; it must have the argument's shape")
    return gx


def once_differentiable(backward):
    """Mark a ``backward`` written with non-differentiable code (numpy): it runs without
    recording, and differentiating its result again raises an error that says so."""
    import functools

    @functools.wraps(backward)
    def wrapper(ctx, *grads):
        with no_grad():
            res = backward(ctx, *grads)
        if not (STATE.enabled and any(isinstance(g, Tensor) and g._rg for g in grads)):
            return res
        single = not isinstance(res, tuple)
        res = tuple(_once(r, grads) for r in ((res,) if single else res))
        return res[0] if single else res

    return wrapper


def _refuse(ns, n, g, out, *xs):
    raise RuntimeError("trying to differentiate twice a function that was marked with "
                       "@once_differentiable; write its backward with tensor operations instead")


_ONCE = Op("OnceDifferentiableBackward", lambda *a: None)
_ONCE.vjp = _refuse


def _once(r, grads):
    if not isinstance(r, Tensor) and r is not None:
        r = Tensor._make(_arr(r))
    if r is not None:
        r = Tensor._make(r.array, True, Node(_ONCE, tuple(g for g in grads if isinstance(g, Tensor)),
                                             _EMPTY, None, STATE.scope))
    return r
