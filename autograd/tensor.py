"""The Tensor: a value and a node of the computational graph.

A Tensor holds a numpy array (``.data``). If it was produced by a recorded
operation it also holds ``.grad_fn``, the :class:`Node` that knows the op, its
inputs and what its local gradient needs; leaves (inputs and parameters) have
``grad_fn = None``. ``backward`` walks these nodes in reverse topological order and
fills the grad table (``autograd.engine``).

This file holds the class itself: construction, attributes, conversions and the
graph-related methods. All arithmetic lives in the op registry (``autograd.ops``);
the operators and math methods are attached by ``autograd.functions``, which is a
thin layer over it.
"""
import numpy as np

__all__ = ["Tensor", "Node", "tensor"]

_FLOAT_KINDS = "fc"
DEFAULT_DTYPE = np.float32


def _to_array(data, dtype=None, copy=False):
    """Convert ``data`` to an ndarray following the library's dtype rules.

    numpy arrays and numpy scalars keep their dtype (a float64 array stays float64);
    Python floats and nested lists of them become float32, the default, like
    PyTorch; integers stay int64 and booleans bool.
    """
    if isinstance(data, Tensor):
        arr = data.data
    elif isinstance(data, np.ndarray):
        arr = data
    elif isinstance(data, np.generic):
        arr = np.asarray(data)
    else:
        if isinstance(data, (list, tuple)) and any(isinstance(d, Tensor) for d in data):
            data = [d.data if isinstance(d, Tensor) else d for d in data]
        arr = np.asarray(data)
        if arr.dtype == np.float64 and dtype is None:
            arr = arr.astype(DEFAULT_DTYPE)
        elif arr.dtype.kind not in "biufc":
            raise TypeError(
                f"cannot make a Tensor from {type(data).__name__} (numpy dtype {arr.dtype}); "
                "pass numbers, nested lists of numbers or a numeric numpy array"
            )
    if dtype is not None:
        arr = arr.astype(np.dtype(dtype), copy=copy)
    elif copy:
        arr = arr.copy()
    return arr


def _check_requires_grad(dtype, flag):
    if flag and np.dtype(dtype).kind not in _FLOAT_KINDS:
        raise RuntimeError(
            f"only floating-point tensors can require gradients, but this tensor has dtype "
            f"{np.dtype(dtype)}; convert it first, e.g. ag.tensor(data, dtype='float32', "
            "requires_grad=True) or t.float().requires_grad_()"
        )


class Node:
    """The record of one recorded operation: ``out = op(*inputs, **params)``.

    ``inputs`` are the input Tensors in argument order (the graph's edges),
    ``params`` the op's non-differentiable arguments, ``saved`` whatever extra its VJP
    needs, ``scope`` the id of the object (an ``nn.Module``) whose code recorded it, or
    None (see ``ag.graph_scope``). After a backward pass without ``retain_graph`` the
    node is *freed*: its saved values are dropped and a second backward through it raises.
    """

    __slots__ = ("op", "inputs", "params", "saved", "freed", "scope")

    def __init__(self, op, inputs, params, saved, scope=None):
        self.op = op
        self.inputs = inputs
        self.params = params
        self.saved = saved
        self.freed = False
        self.scope = scope

    @property
    def name(self):
        return self.op.name

    @property
    def needs(self):
        """Which inputs need a gradient (a tuple of bools in argument order)."""
        return tuple(x._rg for x in self.inputs)

    def __repr__(self):
        return f"<{self.op.name}>"


class Tensor:
    """An n-dimensional array that records the operations applied to it.

    ``Tensor(data, requires_grad=False, dtype=None, name=None)``. ``data`` may be a
    number, a nested list, a numpy array (used without copying; ``ag.tensor`` copies)
    or another Tensor. Floats default to float32; numpy arrays keep their dtype.
    Only floating-point tensors may require gradients.
    """

    __slots__ = ("data", "grad", "_rg", "grad_fn", "name", "_retains_grad", "_hooks", "_post_acc_hooks",
                 "__weakref__")
    # numpy must hand ``ndarray * Tensor`` to Tensor.__rmul__ instead of looping itself
    __array_ufunc__ = None
    __array_priority__ = 1000

    def __init__(self, data, requires_grad=False, dtype=None, name=None):
        arr = _to_array(data, dtype)
        _check_requires_grad(arr.dtype, requires_grad)
        self.data = arr
        self.grad = None
        self._rg = bool(requires_grad)
        self.grad_fn = None
        self.name = name
        self._retains_grad = False
        self._hooks = None
        self._post_acc_hooks = None

    @classmethod
    def _make(cls, data, requires_grad=False, grad_fn=None):
        """Fast internal constructor: ``data`` is already an ndarray of the right dtype."""
        t = object.__new__(cls)
        t.data = data
        t.grad = None
        t._rg = requires_grad
        t.grad_fn = grad_fn
        t.name = None
        t._retains_grad = False
        t._hooks = None
        t._post_acc_hooks = None
        return t

    # ------------------------------------------------------------------ attributes
    @property
    def requires_grad(self):
        """Whether gradients flow to this tensor (leaves: whether ``.grad`` is filled)."""
        return self._rg

    @requires_grad.setter
    def requires_grad(self, flag):
        if self.grad_fn is not None and not flag:
            raise RuntimeError(
                "you can only change requires_grad of leaf tensors; use t.detach() to get "
                "a tensor outside the graph"
            )
        _check_requires_grad(self.data.dtype, flag)
        self._rg = bool(flag)

    def requires_grad_(self, requires_grad=True):
        """Set ``requires_grad`` in place and return self."""
        self.requires_grad = requires_grad
        return self

    @property
    def is_leaf(self):
        """True for tensors not produced by a recorded operation (inputs, parameters)."""
        return self.grad_fn is None

    @property
    def shape(self):
        return self.data.shape

    @property
    def ndim(self):
        return self.data.ndim

    @property
    def dtype(self):
        return self.data.dtype

    @property
    def size(self):
        """Number of elements (numpy's meaning; ``numel()`` is the PyTorch spelling)."""
        return self.data.size

    def numel(self):
        return self.data.size

    def dim(self):
        return self.data.ndim

    @property
    def is_floating_point(self):
        return self.data.dtype.kind in _FLOAT_KINDS

    @property
    def array(self):
        """The backend array itself (a numpy ndarray): shared, not copied, not tracked.

        Library code reads and writes values through ``.array``; user code should prefer
        ``.numpy()`` and the in-place Tensor methods, which the version counter sees.
        """
        return self.data

    @array.setter
    def array(self, value):
        self.data = value

    # ----------------------------------------------------------------- conversions
    def numpy(self):
        """The underlying numpy array (shared, not copied)."""
        return self.data

    def item(self):
        """The value of a one-element tensor as a Python number."""
        if self.data.size != 1:
            raise ValueError(
                f"item() needs a tensor with exactly one element, but this one has shape "
                f"{self.shape} ({self.data.size} elements); index it first or use .tolist()"
            )
        return self.data.item()

    def tolist(self):
        return self.data.tolist()

    def __array__(self, dtype=None, copy=None):
        if dtype is not None and dtype != self.data.dtype:
            return self.data.astype(dtype)
        return self.data.copy() if copy else self.data

    def __len__(self):
        if self.data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.data.shape[0]

    def __iter__(self):
        if self.data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self.data.shape[0]))

    def __bool__(self):
        if self.data.size != 1:
            raise RuntimeError(
                f"the truth value of a tensor with {self.data.size} elements is ambiguous; "
                "use .any() or .all()"
            )
        return bool(self.data)

    def __float__(self):
        return float(self.item())

    def __int__(self):
        return int(self.item())

    def __index__(self):
        if self.data.dtype.kind not in "iub" or self.data.size != 1:
            raise TypeError("only integer tensors of a single element can be used as an index")
        return int(self.data.item())

    __hash__ = object.__hash__

    def astype(self, dtype):
        """A copy converted to ``dtype``; differentiable between floating dtypes."""
        from .functions import astype

        return astype(self, dtype)

    to = astype

    def float(self):
        return self.astype(np.float32)

    def double(self):
        return self.astype(np.float64)

    def long(self):
        return self.astype(np.int64)

    def int(self):
        return self.astype(np.int32)

    def bool(self):
        return self.astype(np.bool_)

    # ------------------------------------------------------------------ the graph
    def detach(self):
        """A new leaf sharing this tensor's data, cut from the graph."""
        return Tensor._make(self.data)

    def detach_(self):
        self.grad_fn = None
        self._rg = False
        return self

    def clone(self):
        """A differentiable copy (its gradient is passed through unchanged)."""
        from .functions import clone

        return clone(self)

    def retain_grad(self):
        """Keep ``.grad`` for this non-leaf tensor after backward (leaves always keep it)."""
        if not self._rg:
            raise RuntimeError("can't retain_grad on a tensor that does not require grad")
        if self.grad_fn is not None:
            self._retains_grad = True
        return self

    @property
    def retains_grad(self):
        return self._retains_grad

    def register_hook(self, hook):
        """Call ``hook(grad)`` when this tensor's gradient is final.

        The hook may return a replacement gradient (a Tensor of the same shape) or
        None. Returns a handle whose ``remove()`` unregisters it.
        """
        if not self._rg:
            raise RuntimeError("cannot register a hook on a tensor that does not require grad")
        if self._hooks is None:
            self._hooks = {}
        handle = _HookHandle(self._hooks)
        self._hooks[handle.id] = hook
        return handle

    def register_post_accumulate_grad_hook(self, hook):
        """Call ``hook(tensor)`` after backward has added this leaf's gradient into ``.grad``.

        Only leaves (inputs, parameters) accumulate, so only they take such a hook; it
        returns nothing and reads ``tensor.grad`` (the sum over every backward since the
        last ``zero_grad``). ``nn.parallel.DistributedDataParallel`` starts its gradient
        all-reduce from these hooks. Returns a handle whose ``remove()`` unregisters it.
        """
        if not self._rg:
            raise RuntimeError("cannot register a hook on a tensor that does not require grad")
        if self.grad_fn is not None:
            raise RuntimeError(
                "post accumulate grad hooks cannot be registered on non-leaf tensors (this one "
                f"was made by '{self.grad_fn.op.name}'); use register_hook for its gradient")
        if self._post_acc_hooks is None:
            self._post_acc_hooks = {}
        handle = _HookHandle(self._post_acc_hooks)
        self._post_acc_hooks[handle.id] = hook
        return handle

    def backward(self, gradient=None, retain_graph=False, create_graph=False, inputs=None):
        """Back-propagate from this tensor, accumulating d self / d leaf into ``leaf.grad``.

        ``gradient`` is d loss / d self and may be omitted only for one-element tensors.
        """
        from .engine import backward

        backward(self, gradient, retain_graph=retain_graph, create_graph=create_graph, inputs=inputs)

    def zero_(self):
        """Fill with zeros in place (not recorded)."""
        self.data[...] = 0
        return self

    def fill_(self, value):
        self.data[...] = value
        return self

    def copy_(self, src):
        """Copy ``src``'s values into this tensor in place (not recorded)."""
        src = src.data if isinstance(src, Tensor) else np.asarray(src)
        self.data[...] = src
        return self

    def __setitem__(self, index, value):
        from .grad_mode import STATE

        if self._rg and STATE.enabled:
            raise RuntimeError(
                "in-place assignment to a tensor that requires grad would change values the "
                "graph depends on; assign inside `with ag.no_grad():`, or work on t.detach()"
            )
        if isinstance(index, Tensor):
            index = index.data
        elif isinstance(index, tuple):
            index = tuple(i.data if isinstance(i, Tensor) else i for i in index)
        self.data[index] = value.data if isinstance(value, Tensor) else value

    # ------------------------------------------------------------------ copying
    def __deepcopy__(self, memo):
        if self.grad_fn is not None:
            raise RuntimeError(
                "only leaf tensors (inputs and parameters) support deepcopy; "
                "use t.detach().clone() for a copy outside the graph"
            )
        new = type(self).__new__(type(self))
        memo[id(self)] = new
        new.data = self.data.copy()
        new.grad = None if self.grad is None else Tensor._make(self.grad.data.copy())
        new._rg = self._rg
        new.grad_fn = None
        new.name = self.name
        new._retains_grad = False
        new._hooks = None
        new._post_acc_hooks = None
        return new

    def __reduce_ex__(self, protocol):
        if self.grad_fn is not None:
            raise RuntimeError("only leaf tensors can be pickled or copied; use t.detach()")
        return (_rebuild, (type(self), self.data, self._rg, self.name))

    # ------------------------------------------------------------------ display
    def __repr__(self):
        prefix = "tensor("
        body = np.array2string(self.data, separator=", ", prefix=prefix, precision=4)
        extras = []
        if self.data.dtype not in (np.float32, np.int64, np.bool_):
            extras.append(f"dtype={self.data.dtype}")
        if self.grad_fn is not None:
            extras.append(f"grad_fn=<{self.grad_fn.op.name}>")
        elif self._rg:
            extras.append("requires_grad=True")
        if self.name:
            extras.append(f"name={self.name!r}")
        return prefix + body + "".join(", " + e for e in extras) + ")"

    __str__ = __repr__


def _rebuild(cls, data, requires_grad, name):
    t = cls.__new__(cls)
    Tensor.__init__(t, data, requires_grad=requires_grad, name=name)
    return t


class _HookHandle:
    _next = [0]

    def __init__(self, hooks):
        self._hooks = hooks
        self.id = _HookHandle._next[0]
        _HookHandle._next[0] += 1

    def remove(self):
        self._hooks.pop(self.id, None)


def tensor(data, dtype=None, requires_grad=False, name=None):
    """Make a new leaf Tensor from data, copying it (like ``torch.tensor``)."""
    return Tensor(_to_array(data, dtype, copy=True), requires_grad=requires_grad, name=name)
