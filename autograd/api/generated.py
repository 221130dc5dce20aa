"""The public functions generated from the registry: one per op with a ``face``.

An op whose public face is plain (``f(x)``, ``f(x, y)``, or a reduction with PyTorch's
and numpy's axis arguments) declares ``face=`` in its registry entry, and its
``ag.<name>`` function, its aliases and (with ``method=True``) its Tensor method are
written here from that entry; its docstring is the entry's formula. Adding such an
op is its registry entry and one op-table row, nothing else.
"""
from .. import ops
from ..arguments import binary, check_broadcast, reduce_args, to_tensor
from ..ops import fastpath
from .._tensor import Tensor

__all__ = []  # filled below: every generated name


def _unary(op):
    def fn(x):
        return op(to_tensor(x))

    # NOTE: a plain Tensor of a numpy array takes the op call inlined (ops.fastpath)
    return fastpath.unary(op, fn) if fastpath.eligible(op) else fn


def _binary(op):
    name = op.name

    def fn(x, y):
        # NOTE: two plain Tensors of one dtype (``a + b`` in a model) go straight to the
        # op; constants, subclasses and mixed dtypes take ``binary``'s coercions
        if type(x) is Tensor and type(y) is Tensor and x.array.dtype is y.array.dtype:
            try:
                return op(x, y)
            except ValueError:
                check_broadcast(name, x, y)
                raise
        return binary(op, name, x, y)

    if fastpath.eligible(op):  # plain Tensors of numpy arrays: the op call inlined
        return fastpath.binary(op, fn, lambda x, y: check_broadcast(name, x, y))
    return fn


def _reduce(op):
    name = op.name

    def fn(x, axis=None, keepdims=False, *, dim=None, keepdim=None):
        x, axis, kd = reduce_args(x, axis, dim, keepdims, keepdim, name)
        return op(x, axis=axis, keepdims=kd)

    return fn


FACES = {"unary": _unary, "binary": _binary, "reduce": _reduce}


def public_function(op):
    """The ``ag`` function of a registry entry with a face."""
    if op.face not in FACES:
        raise ValueError(f"op {op.name!r}: unknown face {op.face!r}; use one of {sorted(FACES)}")
    fn = FACES[op.face](op)
    fn.__name__ = fn.__qualname__ = op.public
    fn.__module__ = "autograd"
    fn.__doc__ = op.doc
    fn.op = op
    return fn


GENERATED = {}     # name -> function (aliases included)
METHODS = {}       # name -> function, for the Tensor methods
for _op in ops.REGISTRY.values():
    if _op.face is None:
        continue
    _fn = public_function(_op)
    for _name in (_op.public,) + _op.aliases:
        GENERATED[_name] = _fn
        if _op.method:
            METHODS[_name] = _fn
globals().update(GENERATED)
__all__ += sorted(GENERATED)
