"""The op registry: every differentiable primitive declared once.

An entry holds a name, a numpy forward and a vector-Jacobian product (VJP) side by
side, with the formula in its docstring::

    @primitive("tanh")
    def tanh(x):
        "y = tanh(x);  dy/dx = 1 - y^2"
        return np.tanh(x)

    @tanh.defvjp
    def tanh_vjp(ns, n, g, out, x):
        return (g * (1 - out * out),)

A VJP (named ``<op>_vjp``, so profiles and tracebacks name it) receives ``ns``,
the namespace it computes with, the graph node ``n`` (for
``n.params``, ``n.saved`` and ``n.needs``), the incoming gradient ``g``, the
forward result ``out`` and the inputs, and returns one gradient per input (or None
where ``n.needs`` says an input needs none). The engine runs a VJP in one of two
modes, and the rule is written once for both:

* ``ns = RAW`` (``ops.raw``): arguments are numpy arrays and ``ns`` maps to numpy.
  This is the ordinary ``backward()``: no graph is recorded, so it costs what array
  code costs.
* ``ns`` = the recording namespace (``autograd.recording``): arguments are Tensors
  and every operation of the VJP is itself recorded. This is ``create_graph=True``:
  gradients of gradients.

Rules never reduce a gradient to an input's shape themselves; the engine does that
in one place (:func:`unbroadcast`).
"""
from types import MappingProxyType

import numpy as np

from ..backend import backend_of, is_array, same_device
from ..gc_graph import LIMIT, RECORDED, untrack
from ..grad_mode import STATE
from .._tensor import Tensor, Node, shared_version
from ..views import register_view

__all__ = ["Op", "primitive", "REGISTRY", "unbroadcast"]

REGISTRY = {}
_record = Node.record
_NO_PARAMS = MappingProxyType({})  # shared by every node of an op without parameters


class Op:
    """One primitive: ``fwd`` on numpy arrays and its ``vjp`` (see the module docstring).

    ``saves=True`` means ``fwd`` returns ``(out, saved)``, where ``saved`` is whatever
    extra (masks, indices) the VJP reads as ``n.saved``. ``differentiable=False``
    marks ops with no gradient (comparisons, argmax, sign, step): they never record
    a node and their results never require grad.

    ``uses`` says which values the VJP reads, for the in-place check of backward: None
    (the default: every input and the output), a tuple of input positions with -1 for
    the output (``()`` for ops such as ``add`` that read no value), ``"cross"`` for
    products, which read each input only to differentiate the other, or a function of
    the node giving such a tuple. ``view=True``
    marks ops whose result may share the input's memory (reshape, transpose, basic
    indexing): such a result shares the input's version counter and remembers how it
    was taken from it, so an in-place change to it can update its base's graph.

    The public face (how ``ag.<name>`` and the Tensor method reach the op):
    ``face`` is ``"unary"`` (``f(x)``), ``"binary"`` (``f(x, y)`` with broadcasting and
    constants lifted to the tensor's dtype) or ``"reduce"`` (``f(x, axis=None,
    keepdims=False, *, dim=None, keepdim=None)``), and then ``autograd.api.generated``
    writes the function, and, when ``method`` is true, the Tensor method; ``aliases``
    are further names for both. ``face=None`` means the public function is written by
    hand (``autograd.api``), because its arguments need more than that. ``public``
    names the ``ag`` function through which the op is reached (its own name by
    default; ``pow_scalar`` is reached through ``pow``); a meta-test checks it exists.
    """

    __slots__ = ("name", "fwd", "vjp", "saves", "differentiable", "doc", "uses", "view",
                 "face", "public", "method", "aliases")

    def __init__(self, name, fwd, saves=False, differentiable=True, uses=None, view=False,
                 face=None, public=None, method=True, aliases=()):
        self.name = name
        self.face = face
        self.public = public or name
        self.method = method
        self.aliases = tuple(aliases)
        self.fwd = fwd
        self.vjp = None
        self.saves = saves
        self.differentiable = differentiable
        self.doc = fwd.__doc__
        self.uses = uses
        self.view = view

    def defvjp(self, vjp):
        if vjp.__name__ in ("<lambda>", "_"):  # profiles and tracebacks name the rule
            vjp.__name__ = vjp.__qualname__ = f"{self.name}_vjp"
        self.vjp = vjp
        return vjp

    def reads(self, node):
        """The positions of the values ``node``'s VJP reads (-1: the output)."""
        uses = self.uses
        if uses is None:
            return tuple(range(len(node.inputs))) + (-1,)
        if uses == "cross":  # x * y reads y for x's gradient and x for y's
            ins = node.inputs
            return tuple(i for i in (0, 1) if ins[1 - i]._rg)
        if callable(uses):
            return uses(node)
        return uses

    def __repr__(self):
        return f"<op {self.name}>"

    def __call__(self, *inputs, **params):
        """Run the forward on the inputs' arrays; record a node if a gradient is needed.

        ``inputs`` are Tensors (the public functions coerce constants first);
        ``params`` are non-differentiable arguments (axis, shape, index...).
        """
        fwd = self.fwd
        try:  # NOTE: one and two inputs spelled out: a list of arrays costs more than the call
            if len(inputs) == 1:
                out = fwd(inputs[0].array, **params) if params else fwd(inputs[0].array)
            elif len(inputs) == 2:
                out = fwd(inputs[0].array, inputs[1].array, **params)
            else:
                out = fwd(*[x.array for x in inputs], **params)
        except Exception:
            # NOTE: arrays of two devices never mix (numpy, CuPy and the strict device all
            # refuse), so the device check costs nothing until a forward fails
            same_device(self.name, [x.array for x in inputs])
            raise
        if self.saves:
            out, saved = out
        else:
            saved = None
        if type(out) is not np.ndarray:
            out = np.asarray(out) if isinstance(out, np.generic) else _device_out(out, inputs)
        t = Tensor._make(out)
        if self.view and out.base is not None:
            _link_view(t, inputs[0], self, params)
        if STATE.enabled and self.differentiable:
            for x in inputs:
                if x._rg:
                    t._rg = True
                    t.grad_fn = n = _record(self, inputs, params or _NO_PARAMS, saved, STATE.scope)
                    RECORDED[0] += 1
                    if RECORDED[0] > LIMIT:  # a large graph: out of the collector's walks
                        untrack(t, n)
                    break
        return t


def _device_out(out, inputs):
    """A forward's result that is not a numpy array: a device array is kept; a number
    goes to the inputs' device."""
    if is_array(out):
        return out
    for x in inputs:
        if type(x.array) is not np.ndarray:
            return backend_of(x.array).asarray(out)
    return np.asarray(out)


def _link_view(t, x, op, params):
    """``t = op(x)`` shares ``x``'s memory: share its version counter and remember the
    chain of view ops from the base tensor that owns the memory."""
    xa = x.array
    if t.array.base is not (xa if xa.base is None else xa.base) and not np.shares_memory(t.array, xa):
        return
    t._vc = vc = shared_version(x)
    if STATE.enabled:
        register_view(vc, t)
    if x._base is None:
        t._base = (x, ((op, params),))
    else:
        t._base = (x._base[0], x._base[1] + ((op, params),))


def primitive(name, saves=False, differentiable=True, uses=None, view=False, **face):
    """Decorator that turns a numpy forward into a registered :class:`Op`.

    ``face`` holds the public-face fields (``face``, ``public``, ``method``,
    ``aliases``; see :class:`Op`)."""

    def wrap(fwd):
        if name in REGISTRY:
            raise ValueError(f"op {name!r} is registered twice")
        op = Op(name, fwd, saves=saves, differentiable=differentiable, uses=uses, view=view, **face)
        REGISTRY[name] = op
        return op

    return wrap


def unbroadcast(ns, g, shape):
    """Sum ``g`` back to ``shape``: the reverse of numpy broadcasting.

    Broadcasting copies an input along new leading axes and along axes where its size
    is 1, so the gradient sums over exactly those axes, in one reduction, then
    reshapes. The engine calls this wherever a VJP result is added into an input's
    entry; written with ``ns`` it stays differentiable under ``create_graph``.
    """
    gshape = g.shape
    if gshape == shape:
        return g
    lead = len(gshape) - len(shape)
    if lead < 0:
        raise RuntimeError(f"internal error: gradient of shape {gshape} cannot be reduced to {shape}")
    axes = tuple(range(lead)) + tuple(
        lead + i for i, n in enumerate(shape) if n == 1 and gshape[lead + i] != 1
    )
    for i, n in enumerate(shape):
        if n != 1 and gshape[lead + i] != n:
            raise RuntimeError(f"internal error: gradient of shape {gshape} cannot be reduced to {shape}")
    if axes:
        g = ns.sum(g, axis=axes, keepdims=True)
    return ns.reshape(g, shape)
