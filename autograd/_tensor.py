"""The Tensor: a value and a node of the computational graph.

A Tensor holds a numpy array (``.array``). If it was produced by a recorded
operation it also holds ``.grad_fn``, the :class:`Node` that knows the op, its
inputs and what its local gradient needs; leaves (inputs and parameters) have
``grad_fn = None``. ``backward`` walks these nodes in reverse topological order and
fills the grad table (``autograd.engine``).

This file holds the class itself: construction, attributes and the graph-related
methods (PyTorch's conversions ``to``/``float``/... are in ``autograd.conversions``).
It is ``autograd._tensor`` (as in PyTorch), so that ``autograd.tensor`` is only ever
the factory function ``ag.tensor(data)``. All arithmetic lives in the op registry (``autograd.ops``);
the operators and math methods are the public functions (``autograd.api``), bound
to the class by ``autograd.methods``.
"""
import numpy as np

from .backend import (_DEFAULT, NUMPY, device as _device, device_of, get_backend, is_array,
                      to_device, to_host)
from .gc_graph import retrack_tensor
from .hooks import RemovableHandle

__all__ = ["Tensor", "Node", "tensor"]

_FLOAT_KINDS = "fc"

# The clock of in-place changes: every change anywhere adds one. A node records the
# clock when it is made, and a storage records it at its last change, so backward
# knows that a value changed after a node saved it when its storage's time is later
# than the node's: nothing is recorded per input, and when nothing changed anywhere
# since a node was made (the usual case) backward checks it with one compare.
MUTATIONS = [0]

# The version record of a storage nobody has changed or aliased yet: (time of the last
# change, number of changes). It is shared and never written; a tensor gets its own
# list [time, count] when it is first changed or aliased (see ``shared_version``).
UNCHANGED = (0, 0)


def shared_version(t):
    """``t``'s version record, made a list of its own first, ready to share with an
    alias (a view, ``detach()``)."""
    vc = t._vc
    if vc is UNCHANGED:
        vc = t._vc = [0, 0]
    return vc

DEFAULT_DTYPE = np.float32
_CPU = _device("cpu")
_new = object.__new__


def _to_array(data, dtype=None, copy=False):
    """Convert ``data`` to an ndarray following the library's dtype rules.

    numpy arrays and numpy scalars keep their dtype (a float64 array stays float64);
    Python floats and nested lists of them become float32, the default, like
    PyTorch; integers stay int64 and booleans bool.
    """
    if isinstance(data, Tensor):
        arr = data.array
    elif isinstance(data, np.ndarray):
        arr = data
    elif _is_device_array(data):  # a CuPy or strict array: kept on its device
        arr = data
    elif isinstance(data, np.generic):
        arr = np.asarray(data)
    else:
        if isinstance(data, (list, tuple)) and any(isinstance(d, Tensor) for d in data):
            data = [d.array if isinstance(d, Tensor) else d for d in data]
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
    needs, ``epoch`` the clock of in-place changes when the op ran (backward refuses a
    value its rule reads whose storage changed later), and ``scope`` the id of the object (an ``nn.Module``) whose code recorded it, or None
    (see ``ag.graph_scope``). After a backward pass without ``retain_graph`` the node
    is *freed*: its saved values and its inputs are dropped (so a tensor kept for
    logging holds nothing of its ancestors) and a second backward through it raises.
    """

    __slots__ = ("op", "inputs", "params", "saved", "freed", "scope", "epoch")

    def __init__(self, op, inputs, params, saved, scope=None):
        self.epoch, self.op, self.inputs, self.params = MUTATIONS[0], op, inputs, params
        self.saved, self.freed, self.scope = saved, False, scope

    @staticmethod
    def record(op, inputs, params, saved, scope):
        """``Node(...)`` without the class call (Op.__call__'s hot path)."""
        n = _new(Node)
        n.epoch, n.op, n.inputs, n.params = MUTATIONS[0], op, inputs, params
        n.saved, n.freed, n.scope = saved, False, scope
        return n

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
    or another Tensor. Python data (numbers and nested lists, integers too) becomes
    float32 unless ``dtype`` says otherwise, as ``torch.Tensor([[1, 2], [3, 4]])`` does;
    ``ag.tensor``, like ``torch.tensor``, infers int64 for integers. numpy arrays keep
    their dtype (``torch.Tensor`` would make them float32: a deliberate difference,
    since the library wraps its own arrays this way). Only floating-point tensors may
    require gradients.

    Mutation works as in PyTorch: in-place methods (``add_``, ``mul_``, ``copy_``,
    ``+=``, ``t[i] = v``...) change the array that every alias (views, ``detach()``)
    sees, and bump a version counter shared by those aliases; backward refuses a value
    that changed after an op saved it. ``.data`` is the untracked escape hatch.
    """

    __slots__ = ("array", "_grad", "_rg", "grad_fn", "name", "_retains_grad", "_hooks",
                 "_vc", "_base", "_roles", "_post_acc_hooks", "__weakref__")
    # numpy hands ``ndarray * Tensor`` to Tensor.__rmul__, and ufuncs and array functions
    # applied to a Tensor to the library's differentiable ops (``autograd.interop``)
    __array_priority__ = 1000

    def __init__(self, data, requires_grad=False, dtype=None, name=None):
        if dtype is None and isinstance(data, (list, tuple, int, float)):
            dtype = DEFAULT_DTYPE  # torch.Tensor(...) makes float32 of Python data, ints too
        arr = _to_array(data, dtype)
        _check_requires_grad(arr.dtype, requires_grad)
        self.array = arr
        self._grad = None
        self._rg = bool(requires_grad)
        self.grad_fn = None
        self.name = name
        self._retains_grad = False
        self._hooks = None
        self._vc = UNCHANGED
        self._base = None
        self._roles = None
        self._post_acc_hooks = None

    @staticmethod
    def _make(data, requires_grad=False, grad_fn=None):
        """Fast internal constructor: ``data`` is already an ndarray of the right dtype.
        (A staticmethod: a classmethod's bound method cost a fifth of the call.)"""
        t = _new(Tensor)
        t.array = data
        t._grad = None
        t._rg = requires_grad
        t.grad_fn = grad_fn
        t.name = None
        t._retains_grad = False
        t._hooks = None
        t._vc = UNCHANGED
        t._base = None
        t._roles = None
        t._post_acc_hooks = None
        return t

    # ------------------------------------------------------------------ attributes
    @property
    def data(self):
        """PyTorch's ``.data``: a Tensor sharing this tensor's array, outside the graph and
        not seen by the version counter (changes made through it are not tracked).

        ``p.data -= lr * p.grad`` and ``p.data.add_(...)`` update ``p`` in place. Prefer
        ``with ag.no_grad(): p -= lr * p.grad``, which the version counter sees, and
        ``.numpy()`` for the array itself.
        """
        return Tensor._make(self.array)

    @data.setter
    def data(self, value):
        arr = value.array if isinstance(value, Tensor) else value if is_array(value) else np.asarray(value)
        self.array = arr
        retrack_tensor(self)  # what is attached to a tensor may point back at it (gc_graph)

    @property
    def grad(self):
        """The gradient accumulated by ``backward`` (leaves and ``retain_grad`` tensors)."""
        if self._grad is None and self.grad_fn is not None and not self._retains_grad:
            import warnings

            warnings.warn(
                "the .grad of a non-leaf tensor is not filled by backward; call "
                "t.retain_grad() before backward to keep it, or read the gradient of a leaf",
                UserWarning, stacklevel=2)
        return self._grad

    @grad.setter
    def grad(self, value):
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(
                    f"assigned grad must be a Tensor or None, got {type(value).__name__}; "
                    "wrap it: t.grad = ag.tensor(value)")
            if value.array.shape != self.array.shape:
                raise RuntimeError(
                    f"assigned grad has shape {value.shape} but the tensor has shape "
                    f"{self.shape}; they must match")
            if value.array.dtype != self.array.dtype:
                raise RuntimeError(
                    f"assigned grad has dtype {value.dtype} but the tensor has dtype "
                    f"{self.dtype}; convert it with .to({self.dtype})")
            retrack_tensor(self)
        self._grad = value

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
        _check_requires_grad(self.array.dtype, flag)
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
    def _version(self):
        """How many in-place changes this tensor's storage has seen (PyTorch's name)."""
        return self._vc[1]

    @property
    def shape(self):
        return self.array.shape

    ndim = property(lambda self: self.array.ndim)
    dtype = property(lambda self: self.array.dtype)

    @property
    def device(self):
        """Where the array lives: ``'cpu'``, ``'cuda:0'`` or ``'strict'`` (an
        ``ag.device``, a str with PyTorch's ``type`` and ``index``)."""
        if type(self.array) is np.ndarray:
            return _CPU
        return device_of(self.array)

    @property
    def is_cuda(self):
        return self.device.type == "cuda"

    def size(self, dim=None):
        """PyTorch's ``size()``: the shape, or ``size(dim)`` one dimension of it
        (``numel()`` is the number of elements)."""
        if dim is None:
            return self.array.shape
        return self.array.shape[dim]

    def numel(self):
        """The number of elements."""
        return self.array.size

    nelement = numel

    def dim(self):
        return self.array.ndim
    ndimension = dim

    def is_floating_point(self):
        return self.array.dtype.kind in _FLOAT_KINDS

    # ----------------------------------------------------------------- conversions
    def numpy(self):
        """The underlying numpy array (shared, not copied); a tensor on another device
        raises (PyTorch's rule): copy it to the host first with ``.cpu()``."""
        if type(self.array) is not np.ndarray:
            raise TypeError(
                f"can't convert {self.device} device type tensor to numpy. Use "
                "Tensor.cpu() to copy the tensor to host memory first: t.cpu().numpy()")
        return self.array

    def item(self):
        """The value of a one-element tensor as a Python number."""
        if self.array.size != 1:
            raise ValueError(
                f"item() needs a tensor with exactly one element, but this one has shape "
                f"{self.shape} ({self.array.size} elements); index it first or use .tolist()"
            )
        return self.array.item()

    def tolist(self):
        return self.array.tolist()

    def __array__(self, dtype=None, copy=None):
        if type(self.array) is not np.ndarray:
            self.numpy()  # raises: no silent copy from a device
        if dtype is not None and dtype != self.array.dtype:
            return self.array.astype(dtype)
        return self.array.copy() if copy else self.array

    def __len__(self):
        if self.array.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.array.shape[0]

    def __iter__(self):
        if self.array.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self.array.shape[0]))

    def __bool__(self):
        if self.array.size != 1:
            raise RuntimeError(
                f"the truth value of a tensor with {self.array.size} elements is ambiguous; "
                "use .any() or .all()"
            )
        return bool(self.array)

    def __float__(self):
        return float(self.item())

    def __int__(self):
        return int(self.item())

    def __index__(self):
        if self.array.dtype.kind not in "iub" or self.array.size != 1:
            raise TypeError("only integer tensors of a single element can be used as an index")
        return int(self.array.item())

    def __format__(self, spec):
        if self.array.ndim == 0 and spec:
            return format(self.array.item(), spec)
        return format(repr(self), spec)

    __hash__ = object.__hash__

    # ------------------------------------------------------------------ the graph
    def detach(self):
        """A new leaf sharing this tensor's array and version counter, cut from the
        graph: an in-place change through it is seen by backward."""
        t = Tensor._make(self.array)
        t._vc = shared_version(self)
        return t

    def detach_(self):
        self.grad_fn = None
        self._rg = False
        return self

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
        retrack_tensor(self)
        return RemovableHandle(self._hooks, hook)

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
        retrack_tensor(self)
        return RemovableHandle(self._post_acc_hooks, hook)

    # ------------------------------------------------------------------ copying
    def __deepcopy__(self, memo):
        if self.grad_fn is not None:
            raise RuntimeError(
                "only leaf tensors (inputs and parameters) support deepcopy; "
                "use t.detach().clone() for a copy outside the graph"
            )
        new = Tensor._make(self.array.copy(), self._rg)
        if type(self) is not Tensor:
            new.__class__ = type(self)
        memo[id(self)] = new
        new._grad = None if self._grad is None else Tensor._make(self._grad.array.copy())
        new.name = self.name
        return new

    def __reduce_ex__(self, protocol):
        if self.grad_fn is not None:
            raise RuntimeError("only leaf tensors can be pickled or copied; use t.detach()")
        return (_rebuild, (type(self), self.array, self._rg, self.name))

    # ------------------------------------------------------------------ display
    def __repr__(self):
        prefix = "tensor("
        arr = self.array
        extras = []
        if type(arr) is not np.ndarray:
            arr = to_host(arr)
            extras.append(f"device='{self.device}'")
        body = np.array2string(arr, separator=", ", prefix=prefix, precision=4)
        if self.array.dtype not in (np.float32, np.int64, np.bool_):
            extras.append(f"dtype={self.array.dtype}")
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


def tensor(data, dtype=None, requires_grad=False, name=None, device=None):
    """Make a new leaf Tensor from data, copying it (like ``torch.tensor``); on
    ``device`` (None: the default device, ``ag.set_default_device``)."""
    b = _DEFAULT[0] if device is None else get_backend(device)
    if b is NUMPY and not _is_device_array(getattr(data, "array", data)):
        arr = _to_array(data, dtype, copy=True)
    else:
        arr = _to_array(data, dtype)
        arr = to_device(arr, b.device)
        if arr is data or arr is getattr(data, "array", None):
            arr = arr.copy()
    return Tensor(arr, requires_grad=requires_grad, name=name)


def _is_device_array(a):
    """True for an array of a non-numpy backend (CuPy, strict)."""
    return type(a) is not np.ndarray and is_array(a)
