"""The public faces of plain elementwise ops (``ag.tanh(x)``, ``a + b``, ``a * b``) with
:meth:`Op.__call__ <autograd.ops.registry.Op.__call__>` inlined, for the common case:
plain Tensors holding numpy arrays (of one dtype, for two inputs).

An op call costs a few microseconds of Python for a 0-d value, which is all of a scalar
graph's build (micrograd's kind: a 1e6-node chain, a 100k-node expression): the face,
``Op.__call__``'s generality (parameters, saved values, views, devices), the forward's
own call, numpy's 0-d result turned back into an array, ``Tensor._make`` and
``Node.record``. Here the op runs as its ufunc with ``out=...`` (numpy hands back a 0-d
array, not a scalar that would have to be converted), and the result Tensor and its Node
are made in place, field by field: exactly the objects ``Op.__call__`` makes
(``tests/autograd/test_fastpath.py`` compares every slot).

Only ops without parameters, saved values or views take this path, and only when the
op's forward is exactly a numpy ufunc (:data:`UFUNCS`) or a plain function of arrays;
anything else (constants, subclasses, devices, mixed dtypes) goes to the ordinary face.
"""
import numpy as np

from ..gc_graph import LIMIT, RECORDED, untrack
from ..grad_mode import STATE
from .._tensor import MUTATIONS, UNCHANGED, Node, Tensor
from .registry import _NO_PARAMS

__all__ = ["UFUNCS", "eligible", "unary", "binary"]

# ops whose forward is exactly this ufunc (``x + y`` on ndarrays is ``np.add``)
UFUNCS = {
    "add": np.add, "sub": np.subtract, "mul": np.multiply, "neg": np.negative,
    "exp": np.exp, "log": np.log, "sqrt": np.sqrt, "sin": np.sin, "cos": np.cos,
    "tan": np.tan, "tanh": np.tanh, "arctan": np.arctan, "abs": np.abs,
    "log1p": np.log1p, "expm1": np.expm1, "maximum": np.maximum, "minimum": np.minimum,
}

_new = object.__new__
_ND = np.ndarray


def eligible(op):
    """Whether ``op``'s calls may take the fast path (no saved values, no views)."""
    return op.differentiable and not op.saves and not op.view


def _forward(op):
    """The forward of an op that is not a ufunc, returning an ndarray (as Op.__call__
    turns a numpy scalar into one)."""
    fwd = op.fwd

    def forward(*a):
        out = fwd(*a)
        return out if type(out) is _ND else np.asarray(out)

    return forward


def unary(op, face):
    """``f(x)``: ``op`` on a plain Tensor ``x`` of a numpy array, else ``face(x)``."""
    uf = UFUNCS.get(op.name)
    fwd = _forward(op) if uf is None else None

    def fn(x):
        if type(x) is not Tensor or type(x.array) is not _ND:
            return face(x)
        out = uf(x.array, out=...) if uf is not None else fwd(x.array)
        t = _new(Tensor)  # NOTE: Tensor._make's fields, and Node.record's below
        t.array = out
        t._grad = t.grad_fn = t.name = t._hooks = t._base = t._roles = t._post_acc_hooks = None
        t._retains_grad = False
        t._vc = UNCHANGED
        if x._rg and STATE.enabled:
            t._rg = True
            t.grad_fn = n = _new(Node)
            n.epoch, n.op, n.inputs, n.params = MUTATIONS[0], op, (x,), _NO_PARAMS
            n.saved, n.freed, n.scope = None, False, STATE.scope
            c = RECORDED[0] = RECORDED[0] + 1
            if c > LIMIT:  # a large graph: out of the collector's walks
                untrack(t, n)
        else:
            t._rg = False
        return t

    return fn


def binary(op, face, on_error):
    """``f(x, y)``: ``op`` on two plain Tensors of numpy arrays of one dtype, else
    ``face(x, y)``; ``on_error(x, y)`` is called before a forward's ValueError is raised
    (the face's broadcasting message)."""
    uf = UFUNCS.get(op.name)
    fwd = _forward(op) if uf is None else None

    def fn(x, y):
        if type(x) is not Tensor or type(y) is not Tensor:
            return face(x, y)
        a, b = x.array, y.array
        if type(a) is not _ND or type(b) is not _ND or a.dtype is not b.dtype:
            return face(x, y)
        try:
            out = uf(a, b, out=...) if uf is not None else fwd(a, b)
        except ValueError:
            on_error(x, y)
            raise
        t = _new(Tensor)  # NOTE: Tensor._make's fields, and Node.record's below
        t.array = out
        t._grad = t.grad_fn = t.name = t._hooks = t._base = t._roles = t._post_acc_hooks = None
        t._retains_grad = False
        t._vc = UNCHANGED
        if (x._rg or y._rg) and STATE.enabled:
            t._rg = True
            t.grad_fn = n = _new(Node)
            n.epoch, n.op, n.inputs, n.params = MUTATIONS[0], op, (x, y), _NO_PARAMS
            n.saved, n.freed, n.scope = None, False, STATE.scope
            c = RECORDED[0] = RECORDED[0] + 1
            if c > LIMIT:  # a large graph: out of the collector's walks
                untrack(t, n)
        else:
            t._rg = False
        return t

    return fn
