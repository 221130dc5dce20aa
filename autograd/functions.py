"""The public functions of ``autograd`` and the Tensor methods and operators.

Each is a thin wrapper over one registered op (``autograd.ops``): it coerces
arguments and normalises PyTorch/numpy spellings (``dim``/``axis``,
``keepdim``/``keepdims``), and never contains gradient math. Composite functions
(``mean``, ``var``, ``stack``, ``split`` ...) are written with other functions, so
their gradients come for free.

This module is also the namespace VJPs compute with under ``create_graph=True``
(see ``ops.registry``): it has the same names and signatures as ``ops.registry.RAW``.
"""
import builtins
import collections
import numbers
import sys

import numpy as np

from .backend import asarray_like, backend_of, is_array
from .ops import binary as B
from .ops import elementwise as E
from .ops import index as I
from .ops import linalg as L
from .ops import reduce as R
from .ops import shape as S
from .ops import stats as ST
from .ops.reduce import normalize_axis
from .tensor import Tensor
from . import inplace, interop

create_graph = True  # this namespace records graphs (RAW has create_graph = False)

_py_sum, _py_max, _py_min, _py_abs = builtins.sum, builtins.max, builtins.min, builtins.abs


# ------------------------------------------------------------------ coercion
def _t(x):
    """A Tensor for ``x`` (constants become tensors that do not require grad)."""
    if isinstance(x, Tensor):
        return x
    return Tensor(x)


def _lift(v, like):
    """A constant operand for an op with tensor ``like``: Python numbers and float
    arrays take like's floating dtype, so float32 stays float32."""
    if isinstance(v, Tensor):
        return v
    if type(like.array) is not np.ndarray:
        return _lift_device(v, like)
    dt = like.array.dtype
    if isinstance(v, (bool, np.bool_)):
        return Tensor._make(np.asarray(v))
    if isinstance(v, numbers.Number) and not isinstance(v, np.ndarray):
        if dt.kind in "fc":
            return Tensor._make(np.asarray(v, dtype=dt))
        if isinstance(v, (float, np.floating)):
            return Tensor._make(np.asarray(v, dtype=np.float32))
        return Tensor._make(np.asarray(v))
    arr = np.asarray(v.array if isinstance(v, Tensor) else v)
    if arr.dtype.kind == "f" and dt.kind == "f" and arr.dtype != dt:
        arr = arr.astype(dt)
    elif arr.dtype == object:
        raise TypeError(f"unsupported operand of type {type(v).__name__}")
    return Tensor._make(arr)


def _lift_device(v, like):
    """:func:`_lift` for a tensor ``like`` on a device (GPU, strict): the constant is made
    by the host rules, then copied to like's device (a device array stays where it is)."""
    b = backend_of(like.array)
    if is_array(v) and type(v) is not np.ndarray:
        arr, dt = b.asarray(v), like.array.dtype
        if arr.dtype.kind == "f" and dt.kind == "f" and arr.dtype != dt:
            arr = arr.astype(dt)
        return Tensor._make(arr)
    host = _lift(v, Tensor._make(np.empty(0, like.array.dtype)))
    return Tensor._make(b.from_host(host.array))


def _axis(axis, dim, name):
    if dim is not None:
        if axis is not None:
            raise TypeError(f"{name}: give axis or dim, not both")
        return dim
    return axis


def _keepdims(keepdims, keepdim):
    return bool(keepdim) if keepdim is not None else bool(keepdims)


def _check_broadcast(opname, x, y):
    try:
        np.broadcast_shapes(x.shape, y.shape)
    except ValueError:
        raise ValueError(
            f"{opname}: shapes {x.shape} and {y.shape} cannot be broadcast together "
            "(trailing dimensions must be equal or 1); reshape or unsqueeze one operand"
        ) from None


def _binary(op, opname, x, y):
    if not isinstance(x, Tensor):
        x = _lift(x, y) if isinstance(y, Tensor) else _t(x)
    if not isinstance(y, Tensor):
        y = _lift(y, x)
    xd, yd = x.array.dtype, y.array.dtype
    if xd is not yd and xd != yd:
        # NOTE: an integer or bool operand takes the floating operand's dtype (PyTorch's
        # rule), so int64 labels times float32 values stay float32 instead of numpy's
        # float64. Integer tensors never require grad, so nothing is lost.
        if xd.kind in "fc" and yd.kind in "biu":
            y = Tensor._make(y.array.astype(xd))
        elif yd.kind in "fc" and xd.kind in "biu":
            x = Tensor._make(x.array.astype(yd))
    try:
        return op(x, y)
    except ValueError:
        _check_broadcast(opname, x, y)
        raise


# ------------------------------------------------------------------ arithmetic
def add(x, y):
    """x + y with broadcasting."""
    return _binary(B.add, "add", x, y)


def sub(x, y):
    """x - y with broadcasting."""
    return _binary(B.sub, "sub", x, y)


def mul(x, y):
    """x * y with broadcasting."""
    return _binary(B.mul, "mul", x, y)


def div(x, y):
    """x / y with broadcasting. Two integer operands divide as floats of the default
    dtype (float32), as in PyTorch: ``ag.tensor([1, 2]) / 2`` is ``[0.5, 1.]``."""
    if _is_int(x) and _is_int(y):
        x = astype(_t(x), np.float32)
    return _binary(B.div, "div", x, y)


def _is_int(v):
    if isinstance(v, Tensor):
        return v.array.dtype.kind in "biu"
    return isinstance(v, (int, np.integer)) or (isinstance(v, np.ndarray) and v.dtype.kind in "biu")


def neg(x):
    return E.neg(_t(x))


def pow(x, y):  # noqa: A001 - the PyTorch name
    """x ** y. A constant (non-tensor) exponent uses the exact rule p x^(p-1)."""
    x = _t(x) if not isinstance(y, Tensor) else x
    if not isinstance(y, Tensor) and np.ndim(y) == 0:
        return E.pow_scalar(x, p=float(y) if not isinstance(y, int) else y)
    return _binary(B.pow_, "pow", x, y)


def maximum(x, y):
    """Elementwise max(x, y); ties split the gradient evenly."""
    return _binary(B.maximum, "maximum", x, y)


def minimum(x, y):
    """Elementwise min(x, y); ties split the gradient evenly."""
    return _binary(B.minimum, "minimum", x, y)


def where(cond, x, y):
    """x where cond is True, else y (broadcasting all three)."""
    cond = cond.array if isinstance(cond, Tensor) else cond
    on_device = type(cond) is not np.ndarray and is_array(cond)
    if not isinstance(x, Tensor) and isinstance(y, Tensor):
        x = _lift(x, y)
    if not isinstance(x, Tensor):
        x = _t(x) if not on_device else Tensor._make(asarray_like(_t(x).array, cond))
    y = _lift(y, x)
    # the condition never gets a gradient; it lives on the branches' device
    if on_device:
        cond = Tensor._make(cond if cond.dtype == np.bool_ else cond.astype(bool))
    elif type(x.array) is np.ndarray:
        cond = Tensor._make(np.asarray(cond, dtype=bool))
    else:
        cond = Tensor._make(asarray_like(cond, x.array, bool))
    try:
        return B.where(cond, x, y)
    except ValueError:
        raise ValueError(
            f"where: shapes {cond.shape}, {x.shape} and {y.shape} cannot be broadcast together "
            "(trailing dimensions must be equal or 1); reshape or unsqueeze the condition or a branch"
        ) from None


def exp(x):
    return E.exp(_t(x))


def log(x):
    return E.log(_t(x))


def sqrt(x):
    return E.sqrt(_t(x))


def sin(x):
    return E.sin(_t(x))


def cos(x):
    return E.cos(_t(x))


def tan(x):
    return E.tan(_t(x))


def tanh(x):
    return E.tanh(_t(x))


def arctan(x):
    return E.arctan(_t(x))


atan = arctan


def sigmoid(x):
    return E.sigmoid(_t(x))


def relu(x):
    return E.relu(_t(x))


def softplus(x):
    return E.softplus(_t(x))


def log1p(x):
    """log(1 + x), accurate for small x."""
    return E.log1p(_t(x))


def expm1(x):
    """exp(x) - 1, accurate for small x."""
    return E.expm1(_t(x))


def abs(x):  # noqa: A001
    return E.abs_(_t(x))


def sign(x):
    return E.sign(_t(x))


def step(x):
    """The binary step, 1 for x >= 0 else 0, with zero gradient."""
    return E.step(_t(x))


def square(x):
    return pow(x, 2)


def clip(x, min=None, max=None):  # noqa: A002 - PyTorch's names
    """Clamp to [min, max]; the gradient is 1 inside (bounds included), 0 outside."""
    if min is None and max is None:
        raise ValueError("clip: give at least one of min and max")
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        # tensor bounds: a composite, so the bounds get gradients too (ties split evenly)
        out = _t(x)
        if min is not None:
            out = maximum(out, min)
        if max is not None:
            out = minimum(out, max)
        return out
    return E.clip(_t(x), lo=min, hi=max)


clamp = clip


def astype(x, dtype):
    """A copy converted to ``dtype``. Differentiable between floating dtypes; a
    conversion to an integer or bool dtype gives a tensor outside the graph."""
    x = _t(x)
    dtype = np.dtype(dtype)
    if dtype == x.array.dtype:
        return x
    if dtype.kind not in "fc":
        return Tensor._make(x.array.astype(dtype))
    return E.astype(x, dtype=dtype)


def clone(x):
    return E.clone(_t(x))


# ------------------------------------------------------------------ reductions
def _reduce_args(x, axis, dim, keepdims, keepdim, name):
    """(tensor, axis as None or a sorted tuple of non-negative ints, keepdims)."""
    x = _t(x)
    axis = _axis(axis, dim, name)
    if axis is not None:
        axis = normalize_axis(axis, x.ndim, name)
    return x, axis, _keepdims(keepdims, keepdim)


def sum(x, axis=None, keepdims=False, *, dim=None, keepdim=None):  # noqa: A001
    """Sum over ``axis`` (all by default)."""
    x, axis, kd = _reduce_args(x, axis, dim, keepdims, keepdim, "sum")
    return R.sum_(x, axis=axis, keepdims=kd)


def _count(x, axis):
    return int(np.prod([x.shape[a] for a in normalize_axis(axis, x.ndim)]))


def _float_input(x):
    """Integer and bool tensors are averaged in the default float dtype (float32)."""
    return x if x.array.dtype.kind in "fc" else Tensor._make(x.array.astype(np.float32))


def mean(x, axis=None, keepdims=False, *, dim=None, keepdim=None):
    """Mean over ``axis``: sum / n (float16 accumulates in float32, PyTorch's rule)."""
    x, axis, kd = _reduce_args(x, axis, dim, keepdims, keepdim, "mean")
    n = _count(x, axis)
    if n == 0:
        raise ValueError(f"mean: the selection is empty (shape {x.shape}, axis {axis}); "
                         "there is nothing to average")
    return ST.mean(_float_input(x), axis=axis, keepdims=kd)


def _moment_args(name, x, axis, keepdims, dim, keepdim, unbiased, correction):
    x, axis, kd = _reduce_args(x, axis, dim, keepdims, keepdim, name)
    if correction is None:
        correction = 0 if unbiased is False else 1
    return _float_input(x), dict(axis=axis, keepdims=kd, correction=correction)


def var(x, axis=None, keepdims=False, *, dim=None, keepdim=None, unbiased=None, correction=None):
    """Variance: sum (x - mean)^2 / (n - correction); unbiased (correction=1) by default
    like PyTorch; ``unbiased=False`` or ``correction=0`` gives the population form.
    With n <= correction the result is nan (as in PyTorch). Exactly 0, with gradient
    0, for constant data (a primitive: see ``autograd.ops.stats``)."""
    x, kw = _moment_args("var", x, axis, keepdims, dim, keepdim, unbiased, correction)
    return ST.var(x, **kw)


def std(x, axis=None, keepdims=False, *, dim=None, keepdim=None, unbiased=None, correction=None):
    """Standard deviation: sqrt of :func:`var` (unbiased by default). A primitive whose
    gradient is 0 where std is 0 (PyTorch's choice; sqrt alone would give nan)."""
    x, kw = _moment_args("std", x, axis, keepdims, dim, keepdim, unbiased, correction)
    return ST.std(x, **kw)


def norm(x, p=2, axis=None, keepdims=False, *, dim=None, keepdim=None):
    """The vector p-norm over ``axis`` (all entries by default): p = 2 (Euclidean, a
    primitive with gradient x / ||x||, 0 at x = 0), 1 (sum of |x|) or inf (max |x|)."""
    x, axis, kd = _reduce_args(x, axis, dim, keepdims, keepdim, "norm")
    if p == 2 or p == "fro":
        return R.norm(x, axis=axis, keepdims=kd)
    if p == 1:
        return R.sum_(E.abs_(x), axis=axis, keepdims=kd)
    if p == np.inf or p == "inf":
        return R.max_(E.abs_(x), axis=axis, keepdims=kd)
    raise ValueError(f"norm: p={p!r} is not supported; use p=2, 1 or inf")


_MaxMin = collections.namedtuple("values_indices", ["values", "indices"])


def _extreme(op, argop, name, x, axis, keepdims, dim, keepdim):
    x = _t(x)
    kd = _keepdims(keepdims, keepdim)
    if isinstance(axis, Tensor) or (axis is not None and not isinstance(axis, (int, tuple, list, np.integer))):
        raise TypeError(f"{name}: axis must be an int or tuple; for the elementwise "
                        f"{name} of two tensors use ag.{name}imum(x, y)")
    if x.numel() == 0:
        raise ValueError(f"{name}: the tensor of shape {x.shape} is empty; {name} needs at least one element")
    if dim is not None:
        # PyTorch's meaning: x.max(dim=1) returns (values, indices)
        if not isinstance(dim, (int, np.integer)):
            raise TypeError(f"{name}: dim= must be one int (it returns values and indices); "
                            f"for several axes use axis={dim!r}")
        normalize_axis(dim, x.ndim, name)
        values = op(x, axis=dim, keepdims=kd)
        indices = argop(x, axis=dim, keepdims=kd)
        return _MaxMin(values, indices)
    if axis is not None:
        axis = normalize_axis(axis, x.ndim, name)
    return op(x, axis=axis, keepdims=kd)


def _dim_or_other(name, pair, args, axis, dim, keepdims):
    """Sort PyTorch's positional forms: ``max(x, 1)`` is a dim, ``max(x, other)`` the
    elementwise op, ``max(x, 1, True)`` a dim with keepdim."""
    if len(args) > 2:
        raise TypeError(f"{name}: too many positional arguments")
    if args and isinstance(args[0], Tensor):
        return pair, None, None, keepdims
    if args:
        if dim is not None or axis is not None:
            raise TypeError(f"{name}: give the dim once")
        dim = args[0]
        if len(args) == 2:
            keepdims = args[1]
    return None, axis, dim, keepdims


def max(x, *args, axis=None, keepdims=False, dim=None, keepdim=None):  # noqa: A001
    """Maximum over ``axis`` (ties split the gradient evenly).

    PyTorch's forms: ``x.max()`` is the overall maximum; ``x.max(1)`` and
    ``x.max(dim=1)`` return the named tuple ``(values, indices)`` like ``torch.max``
    (so ``_, pred = logits.max(1)`` is the predicted class); ``ag.max(a, b)`` with a
    tensor as second argument is the elementwise maximum. numpy's ``axis=`` keyword
    (also a tuple of axes) returns values only, as ``amax`` does.
    """
    pair, axis, dim, keepdims = _dim_or_other("max", maximum, args, axis, dim, keepdims)
    if pair is not None:
        return pair(x, args[0])
    return _extreme(R.max_, R.argmax, "max", x, axis, keepdims, dim, keepdim)


def min(x, *args, axis=None, keepdims=False, dim=None, keepdim=None):  # noqa: A001
    """Minimum over ``axis``; see :func:`max` (``ag.min(a, b)`` is ``minimum``)."""
    pair, axis, dim, keepdims = _dim_or_other("min", minimum, args, axis, dim, keepdims)
    if pair is not None:
        return pair(x, args[0])
    return _extreme(R.min_, R.argmin, "min", x, axis, keepdims, dim, keepdim)


def amax(x, axis=None, keepdims=False, *, dim=None, keepdim=None):
    """Maximum over ``axis`` (values only, also with ``dim=``)."""
    x, axis, kd = _reduce_args(x, axis, dim, keepdims, keepdim, "amax")
    return _extreme(R.max_, R.argmax, "amax", x, axis, kd, None, None)


def amin(x, axis=None, keepdims=False, *, dim=None, keepdim=None):
    x, axis, kd = _reduce_args(x, axis, dim, keepdims, keepdim, "amin")
    return _extreme(R.min_, R.argmin, "amin", x, axis, kd, None, None)


def _arg(op, name, x, axis, dim, keepdims, keepdim):
    x = _t(x)
    axis = _axis(axis, dim, name)
    if axis is not None:
        if not isinstance(axis, (int, np.integer)):
            raise TypeError(f"{name}: axis must be one int or None (None: index into the flattened tensor)")
        normalize_axis(axis, x.ndim, name)
        if x.ndim == 0:
            axis = None
    if x.numel() == 0:
        raise ValueError(f"{name}: the tensor of shape {x.shape} is empty")
    return op(x, axis=axis, keepdims=_keepdims(keepdims, keepdim))


def argmax(x, axis=None, keepdims=False, *, dim=None, keepdim=None):
    """Index of the maximum (the first one at ties); not differentiable."""
    return _arg(R.argmax, "argmax", x, axis, dim, keepdims, keepdim)


def argmin(x, axis=None, keepdims=False, *, dim=None, keepdim=None):
    """Index of the minimum (the first one at ties); not differentiable."""
    return _arg(R.argmin, "argmin", x, axis, dim, keepdims, keepdim)


def prod(x, axis=None, keepdims=False, *, dim=None, keepdim=None):
    """Product over ``axis``."""
    x, axis, kd = _reduce_args(x, axis, dim, keepdims, keepdim, "prod")
    return R.prod(x, axis=axis, keepdims=kd)


def any(x, axis=None, keepdims=False, *, dim=None, keepdim=None):  # noqa: A001
    x, axis, kd = _reduce_args(x, axis, dim, keepdims, keepdim, "any")
    return R.any_(x, axis=axis, keepdims=kd)


def all(x, axis=None, keepdims=False, *, dim=None, keepdim=None):  # noqa: A001
    x, axis, kd = _reduce_args(x, axis, dim, keepdims, keepdim, "all")
    return R.all_(x, axis=axis, keepdims=kd)


def logsumexp(x, axis=None, keepdims=False, *, dim=None, keepdim=None):
    """log sum exp(x) over ``axis``, computed stably."""
    x, axis, kd = _reduce_args(x, axis, dim, keepdims, keepdim, "logsumexp")
    return R.logsumexp(x, axis=axis, keepdims=kd)


def _one_axis(x, axis, dim, name):
    axis = _axis(None if dim is not None else axis, dim, name)
    if not isinstance(axis, (int, np.integer)):
        raise TypeError(f"{name}: axis must be one int, got {axis!r}")
    ax = normalize_axis(axis, x.ndim, name)
    return ax[0] if ax else None


def softmax(x, axis=-1, *, dim=None):
    """softmax along ``axis`` (last by default)."""
    x = _t(x)
    return R.softmax(x, axis=_one_axis(x, axis, dim, "softmax"))


def log_softmax(x, axis=-1, *, dim=None):
    """log softmax along ``axis`` (last by default), computed stably."""
    x = _t(x)
    return R.log_softmax(x, axis=_one_axis(x, axis, dim, "log_softmax"))


def cumsum(x, axis=None, *, dim=None):
    """Cumulative sum along ``axis`` (PyTorch's ``dim``); with neither, over the
    flattened tensor (numpy's rule)."""
    x = _t(x)
    axis = _axis(axis, dim, "cumsum")
    if axis is None:
        x, axis = flatten(x), 0
    ax = normalize_axis(axis, x.ndim, "cumsum")
    if not ax:
        return clone(x)
    return R.cumsum(x, axis=ax[0])


# ------------------------------------------------------------------ shapes
def _shape_args(shape):
    if len(shape) == 1 and isinstance(shape[0], (tuple, list, np.ndarray)):
        shape = shape[0]
    return tuple(int(s) for s in shape)


def reshape(x, *shape):
    """A tensor with the same values in a new shape (one entry may be -1)."""
    x = _t(x)
    shape = _shape_args(shape)
    try:
        new = np.empty(x.shape, dtype=bool).reshape(shape).shape if -1 in shape else shape
    except ValueError:
        raise ValueError(f"reshape: cannot reshape a tensor of shape {x.shape} "
                         f"({x.numel()} elements) into shape {shape}") from None
    if int(np.prod(new)) != x.numel():
        raise ValueError(f"reshape: cannot reshape a tensor of shape {x.shape} "
                         f"({x.numel()} elements) into shape {shape}")
    if tuple(new) == x.shape:
        return x
    return S.reshape(x, shape=tuple(new))


view = reshape


def flatten(x, start_dim=0, end_dim=-1):
    """Merge dims start_dim..end_dim into one (PyTorch's flatten)."""
    x = _t(x)
    if x.ndim == 0:
        return reshape(x, (1,))
    s, e = start_dim % x.ndim, end_dim % x.ndim
    shape = x.shape[:s] + (int(np.prod(x.shape[s:e + 1])),) + x.shape[e + 1:]
    return reshape(x, shape)


def permute(x, *dims):
    """Reorder the axes: out.shape[i] = x.shape[dims[i]]."""
    x = _t(x)
    dims = _shape_args(dims)
    if sorted(d % x.ndim for d in dims) != list(range(x.ndim)):
        raise ValueError(f"permute: {dims} is not a permutation of the {x.ndim} axes of {x.shape}")
    dims = tuple(d % x.ndim for d in dims)
    if dims == tuple(range(x.ndim)):
        return x
    return S.transpose(x, axes=dims)


def transpose(x, dim0=None, dim1=None):
    """Swap two axes (PyTorch's ``transpose(x, dim0, dim1)``); with no axes given,
    reverse all of them (numpy's ``transpose(x)``)."""
    x = _t(x)
    if isinstance(dim0, (tuple, list)):
        return permute(x, tuple(dim0))
    if dim0 is None and dim1 is None:
        return permute(x, tuple(range(x.ndim))[::-1])
    if dim0 is None or dim1 is None:
        raise TypeError("transpose: give both dim0 and dim1 (or neither to reverse all axes)")
    axes = list(range(x.ndim))
    axes[dim0], axes[dim1] = axes[dim1], axes[dim0]
    return permute(x, tuple(axes))


def swapaxes(x, a, b):
    return transpose(x, a, b)


def squeeze(x, dim=None, *, axis=None):
    """Remove axes of size 1 (all of them, or only ``dim``, if it has size 1)."""
    x = _t(x)
    dim = _axis(axis, dim, "squeeze")
    if dim is None:
        shape = tuple(n for n in x.shape if n != 1)
    else:
        dims = normalize_axis(dim, x.ndim)
        shape = tuple(n for i, n in enumerate(x.shape) if not (i in dims and n == 1))
    return reshape(x, shape)


def unsqueeze(x, dim):
    """Insert an axis of size 1 at position ``dim``."""
    x = _t(x)
    d = dim if dim >= 0 else dim + x.ndim + 1
    if not 0 <= d <= x.ndim:
        raise IndexError(f"unsqueeze: dim {dim} out of range for a tensor with {x.ndim} dims")
    return reshape(x, x.shape[:d] + (1,) + x.shape[d:])


expand_dims = unsqueeze


def broadcast_to(x, shape):
    """x repeated along new or size-1 axes to ``shape`` (gradients sum back)."""
    x = _t(x)
    shape = tuple(shape)
    if shape == x.shape:
        return x
    try:
        np.broadcast_shapes(x.shape, shape)
        if np.broadcast_shapes(x.shape, shape) != shape:
            raise ValueError
    except ValueError:
        raise ValueError(f"broadcast_to: cannot broadcast shape {x.shape} to {shape}") from None
    return S.broadcast_to(x, shape=shape)


def expand(x, *sizes):
    """PyTorch's expand: broadcast to ``sizes``, where -1 keeps a dimension."""
    x = _t(x)
    sizes = _shape_args(sizes)
    lead = len(sizes) - x.ndim
    shape = tuple(x.shape[i - lead] if s == -1 else s for i, s in enumerate(sizes))
    return broadcast_to(x, shape)


def concatenate(tensors, axis=0, *, dim=None):
    """Join tensors along an existing axis."""
    axis = _axis(axis if dim is None else None, dim, "cat")
    tensors = [_t(t) for t in tensors]
    if not tensors:
        raise ValueError("cat: expected a non-empty list of tensors")
    ref = tensors[0]
    if ref.ndim == 0:
        raise ValueError("cat: zero-dimensional tensors cannot be concatenated; use ag.stack, "
                         "or reshape them to 1-d first")
    ax = normalize_axis(axis, ref.ndim, "cat")[0]
    for i, t in enumerate(tensors):
        if t.ndim != ref.ndim or t.shape[:ax] + t.shape[ax + 1:] != ref.shape[:ax] + ref.shape[ax + 1:]:
            raise ValueError(f"cat: tensor {i} has shape {t.shape}, which does not match "
                             f"{ref.shape} outside axis {axis}")
    dt = np.result_type(*[t.array.dtype for t in tensors])
    tensors = [t if t.dtype == dt else astype(t, dt) for t in tensors]
    return S.concatenate(*tensors, axis=ax)


cat = concatenate


def stack(tensors, axis=0, *, dim=None):
    """Join tensors along a new axis."""
    axis = _axis(axis if dim is None else None, dim, "stack")
    tensors = [_t(t) for t in tensors]
    if not tensors:
        raise ValueError("stack: expected a non-empty list of tensors")
    if not isinstance(axis, (int, np.integer)) or not -tensors[0].ndim - 1 <= axis <= tensors[0].ndim:
        raise IndexError(f"stack: axis {axis} is out of range for tensors with {tensors[0].ndim} "
                         f"dimensions (valid: {-tensors[0].ndim - 1} to {tensors[0].ndim})")
    for i, t in enumerate(tensors):
        if t.shape != tensors[0].shape:
            raise ValueError(f"stack: tensor {i} has shape {t.shape} but tensor 0 has "
                             f"{tensors[0].shape}; all must be equal")
    return concatenate([unsqueeze(t, axis) for t in tensors], axis)


def split(x, split_size_or_sections, dim=None, *, axis=None):
    """Split into pieces along ``dim`` (0 by default): an int is the size of each piece
    (the last may be smaller), a list gives every size (PyTorch's meaning)."""
    x = _t(x)
    dim = _axis(axis, dim, "split")
    dim = 0 if dim is None else dim
    if x.ndim == 0:
        raise ValueError("split: cannot split a 0-d tensor; reshape it to 1-d first")
    dim = normalize_axis(dim, x.ndim, "split")[0]
    n = x.shape[dim]
    if isinstance(split_size_or_sections, (int, np.integer)):
        step = int(split_size_or_sections)
        if step <= 0:
            raise ValueError("split: the split size must be positive")
        sizes = [_py_min(step, n - i) for i in range(0, n, step)]
    else:
        sizes = list(split_size_or_sections)
        if _py_sum(sizes) != n:
            raise ValueError(f"split: sizes {sizes} do not add up to {n}, the size of dim {dim}")
    out, start = [], 0
    d = dim % x.ndim
    for s in sizes:
        out.append(x[(slice(None),) * d + (slice(start, start + s),)])
        start += s
    return tuple(out)


def chunk(x, chunks, dim=None, *, axis=None):
    """Split into ``chunks`` pieces of (nearly) equal size along ``dim`` (0 by default;
    ``axis`` is the same argument)."""
    x = _t(x)
    dim = _axis(axis, dim, "chunk")
    dim = 0 if dim is None else dim
    if x.ndim == 0:
        raise ValueError("chunk: cannot chunk a 0-d tensor; reshape it to 1-d first")
    if not isinstance(chunks, (int, np.integer)) or chunks <= 0:
        raise ValueError(f"chunk: the number of chunks must be a positive int, got {chunks!r}")
    n = x.shape[normalize_axis(dim, x.ndim, "chunk")[0]]
    return split(x, -(-n // chunks) if n else 1, dim)


def pad(x, pad_width, value=0.0, mode="constant"):
    """Constant padding in numpy's ``pad_width`` form (an int, a pair, or one pair per axis)."""
    if mode != "constant":
        raise NotImplementedError(f"pad: only mode='constant' is supported, got {mode!r}")
    x = _t(x)
    pw = np.broadcast_to(np.asarray(pad_width, dtype=int), (x.ndim, 2))
    if (pw < 0).any():
        raise ValueError("pad: pad widths must be non-negative")
    pw = tuple((int(a), int(b)) for a, b in pw)
    return S.pad(x, pad_width=pw, value=value)


def tile(x, reps):
    """numpy's tile: repeat the whole tensor ``reps`` times along each axis."""
    x = _t(x)
    reps = (reps,) if isinstance(reps, int) else tuple(reps)
    nd = _py_max(len(reps), x.ndim)
    reps = (1,) * (nd - len(reps)) + reps
    x = reshape(x, (1,) * (nd - x.ndim) + x.shape)
    inter = []
    for r, n in zip(reps, x.shape):
        inter += [1, n]
    big = []
    for r, n in zip(reps, x.shape):
        big += [r, n]
    out = broadcast_to(reshape(x, tuple(inter)), tuple(big))
    return reshape(out, tuple(r * n for r, n in zip(reps, x.shape)))


def repeat(x, *sizes):
    """PyTorch's repeat: tile the tensor ``sizes`` times along each dim
    (numpy's element-wise repeat is :func:`repeat_interleave`)."""
    return tile(x, _shape_args(sizes))


def repeat_interleave(x, repeats, dim=None):
    """Repeat each element ``repeats`` times (numpy's ``repeat``)."""
    x = _t(x)
    if dim is None:
        x, dim = flatten(x), 0
    idx = np.repeat(np.arange(x.shape[dim]), repeats)
    return x[(slice(None),) * (dim % x.ndim) + (idx,)]


def flip(x, dims=None):
    """Reverse the order of elements along ``dims`` (all by default)."""
    x = _t(x)
    dims = normalize_axis(dims, x.ndim)
    return x[tuple(slice(None, None, -1) if i in dims else slice(None) for i in range(x.ndim))]


# ------------------------------------------------------------------ indexing
def _index(index):
    # NOTE: index arrays are copied, so refilling one after ``y = x[idx]`` cannot change
    # which elements y's gradient goes to.
    if isinstance(index, Tensor):
        return index.array.copy()
    if isinstance(index, np.ndarray):
        return index.copy()
    if isinstance(index, list):
        return np.asarray(index)
    if isinstance(index, tuple):
        return tuple(_index(i) if isinstance(i, (Tensor, list, np.ndarray)) else i for i in index)
    return index


def _isarr(v):
    return isinstance(v, np.ndarray) or (type(v) is not np.ndarray and is_array(v))


def _index_on(index, like):
    """The index arrays of ``index`` on the device of array ``like`` (PyTorch accepts host
    index arrays for a GPU tensor)."""
    if isinstance(index, np.ndarray):
        return asarray_like(index, like)
    if isinstance(index, tuple):
        return tuple(asarray_like(i, like) if isinstance(i, np.ndarray) else i for i in index)
    return index


def _split_ints(index):
    """PyTorch's order of dimensions when integer arrays mix with plain ints: PyTorch
    applies an int as a basic index, numpy counts it as an array, so ``x[0, :, [0, 1]]``
    has shape (n, 2) in PyTorch and (2, n) in numpy. Returns the two stages
    (ints and slices first, then the arrays) or None when numpy already agrees."""
    if not isinstance(index, tuple):
        return None
    arrays = [k for k, v in enumerate(index) if _isarr(v)]
    ints = [k for k, v in enumerate(index)
            if isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_))]
    if not arrays or not ints or builtins.any(index[k].dtype.kind == "b" and index[k].ndim != 1 for k in arrays):
        return None
    first = tuple(slice(None) if _isarr(v) else v for v in index)
    second = tuple(v if _isarr(v) or v is Ellipsis else slice(None)
                   for k, v in enumerate(index) if k not in ints)
    return first, second


def getitem(x, index):
    """x[index]: ints, slices, None, Ellipsis, integer arrays (repeats accumulate in the
    gradient) and boolean masks."""
    index = _index(index)
    if type(x.array) is not np.ndarray:
        index = _index_on(index, x.array)
    if _isarr(index) and index.dtype.kind == "f":
        raise IndexError("tensors used as indices must be integer or bool, got float")
    stages = _split_ints(index)
    if stages is not None:
        return getitem(getitem(x, stages[0]), stages[1])
    try:
        return I.getitem(x, index=index)
    except IndexError as e:
        raise IndexError(f"index {index!r} is invalid for a tensor of shape {x.shape}: {e}") from None


def index_add(g, index, shape):
    """zeros(shape) with g added at index: the adjoint of indexing."""
    g = _t(g)
    if type(g.array) is not np.ndarray:
        index = _index_on(_index(index), g.array)
    return I.index_add(g, index=index, shape=tuple(shape))


# ------------------------------------------------------------------ linear algebra
def matmul(x, y):
    """Matrix product with numpy's rules (vectors, batched leading axes)."""
    x, y = _t(x), _t(y)
    if x.ndim == 0 or y.ndim == 0:
        raise ValueError(f"matmul: both operands need at least 1 dimension, got shapes "
                         f"{x.shape} and {y.shape}; use * for scalars")
    k1 = x.shape[-1]
    k2 = y.shape[-2] if y.ndim > 1 else y.shape[0]
    if k1 != k2:
        raise ValueError(f"matmul: shapes {x.shape} and {y.shape} are not aligned: "
                         f"{k1} (last dim of the first) != {k2} (the second's rows)")
    if x.dtype != y.dtype and x.dtype.kind == y.dtype.kind == "f":
        dt = np.result_type(x.array.dtype, y.array.dtype)
        x, y = astype(x, dt), astype(y, dt)
    try:
        return L.matmul(x, y)
    except ValueError as e:
        raise ValueError(f"matmul: shapes {x.shape} and {y.shape}: {e}") from None


def linear(x, weight, bias=None):
    """The fully-connected layer's map, y = x W^T + b, as one op.

    x: (*, in_features), weight: (out_features, in_features), bias: (out_features,) or
    None -> y: (*, out_features). Same values and gradients as ``x @ weight.T + bias``
    (see ``ops.linalg.linear``), recorded as a single node.
    """
    x, weight = _t(x), _t(weight)
    bias = None if bias is None else _lift(bias, weight)
    if weight.ndim != 2 or x.ndim == 0 or (bias is not None and bias.shape != weight.shape[:1]):
        raise ValueError(
            f"linear: expects input (*, in), weight (out, in) and bias (out,); got input "
            f"{x.shape}, weight {weight.shape}, bias {None if bias is None else bias.shape}")
    if x.shape[-1] != weight.shape[1]:
        raise ValueError(
            f"linear: input of shape {x.shape} does not match weight of shape {weight.shape}: "
            f"the last input dim must equal in_features={weight.shape[1]}")
    args = (x, weight) if bias is None else (x, weight, bias)
    dt = np.result_type(*[a.array.dtype for a in args])
    if dt.kind == "f":
        args = tuple(a if a.dtype == dt else astype(a, dt) for a in args)
    return L.linear(*args)


def dot(x, y):
    """Inner product of two vectors."""
    x, y = _t(x), _t(y)
    if x.ndim != 1 or y.ndim != 1:
        raise ValueError(f"dot: expects two 1-D tensors, got shapes {x.shape} and {y.shape}; "
                         "use matmul for matrices")
    return matmul(x, y)


def outer(x, y):
    """Outer product: out[i, j] = x[i] * y[j]."""
    x, y = _t(x), _t(y)
    return mul(reshape(x, (-1, 1)), reshape(y, (1, -1)))


# ------------------------------------------------------------------ VJP namespace helpers
def value(x):
    """The raw array of a VJP argument."""
    return x.array


def const(x, like):
    if type(like.array) is not np.ndarray:
        return Tensor._make(backend_of(like.array).asarray(x, like.array.dtype))
    return Tensor._make(np.asarray(x, dtype=like.array.dtype))


def scaled(g, local):
    """g * local, zero where g is exactly zero (see ``RAW.scaled``)."""
    r = g * local
    if r.array.dtype.kind == "f" and not np.isfinite(r.array).all():
        r = where(g.array == 0, 0, r)
    return r


def zeros_like(x, dtype=None, requires_grad=False):
    x = x.array if isinstance(x, Tensor) else np.asarray(x)
    return Tensor(np.zeros_like(x, dtype=dtype), requires_grad=requires_grad)


def ones_like(x, dtype=None, requires_grad=False):
    x = x.array if isinstance(x, Tensor) else np.asarray(x)
    return Tensor(np.ones_like(x, dtype=dtype), requires_grad=requires_grad)


def full_like(x, fill_value, dtype=None, requires_grad=False):
    x = x.array if isinstance(x, Tensor) else np.asarray(x)
    return Tensor(np.full_like(x, fill_value, dtype=dtype), requires_grad=requires_grad)


# ------------------------------------------------------------------ logic
def logical_and(x, y):
    return _binary(B.logical_and, "logical_and", x, y)


def logical_or(x, y):
    return _binary(B.logical_or, "logical_or", x, y)


def logical_xor(x, y):
    return _binary(B.logical_xor, "logical_xor", x, y)


def logical_not(x):
    return B.logical_not(_t(x))


def _bitwise(op, logical, name):
    """``& | ^`` as in PyTorch: bitwise on integers, logical on bools, refused on floats."""

    def fn(x, y):
        x = x if isinstance(x, Tensor) else _lift(x, y)
        y = y if isinstance(y, Tensor) else _lift(y, x)
        kinds = x.array.dtype.kind + y.array.dtype.kind
        if "f" in kinds or "c" in kinds:
            raise TypeError(f"{name}: only integer and bool tensors, got {x.dtype} and {y.dtype}")
        return _binary(logical if kinds == "bb" else op, name, x, y)

    return fn


bitwise_and = _bitwise(B.bitwise_and, B.logical_and, "bitwise_and")
bitwise_or = _bitwise(B.bitwise_or, B.logical_or, "bitwise_or")
bitwise_xor = _bitwise(B.bitwise_xor, B.logical_xor, "bitwise_xor")


def bitwise_not(x):
    x = _t(x)
    if x.array.dtype.kind in "fc":
        raise TypeError(f"bitwise_not: only integer and bool tensors, got {x.dtype}")
    return B.logical_not(x) if x.array.dtype.kind == "b" else B.bitwise_not(x)


def is_tensor(obj):
    """True if ``obj`` is a Tensor (PyTorch's ``torch.is_tensor``)."""
    return isinstance(obj, Tensor)


# ------------------------------------------------------------------ Tensor methods
def _install():
    T = Tensor
    T.__add__ = add
    T.__radd__ = lambda s, o: add(o, s)
    T.__sub__ = sub
    T.__rsub__ = lambda s, o: sub(o, s)
    T.__mul__ = mul
    T.__rmul__ = lambda s, o: mul(o, s)
    T.__truediv__ = div
    T.__rtruediv__ = lambda s, o: div(o, s)
    T.__pow__ = pow
    T.__rpow__ = lambda s, o: pow(_lift(o, s), s)
    T.__matmul__ = matmul
    T.__rmatmul__ = lambda s, o: matmul(o, s)
    T.__neg__ = lambda s: E.neg(s)
    T.__pos__ = lambda s: s
    T.__abs__ = lambda s: E.abs_(s)
    T.__lt__ = T.lt = lambda s, o: _binary(B.lt, "lt", s, o)
    T.__le__ = T.le = lambda s, o: _binary(B.le, "le", s, o)
    T.__gt__ = T.gt = lambda s, o: _binary(B.gt, "gt", s, o)
    T.__ge__ = T.ge = lambda s, o: _binary(B.ge, "ge", s, o)
    T.__eq__ = lambda s, o: False if o is None else _binary(B.eq, "eq", s, o)
    T.__ne__ = lambda s, o: True if o is None else _binary(B.ne, "ne", s, o)
    T.eq, T.ne = T.__eq__, T.__ne__
    T.__and__, T.__or__, T.__xor__ = bitwise_and, bitwise_or, bitwise_xor
    T.__rand__ = lambda s, o: bitwise_and(o, s)
    T.__ror__ = lambda s, o: bitwise_or(o, s)
    T.__rxor__ = lambda s, o: bitwise_xor(o, s)
    T.__invert__ = bitwise_not
    T.__getitem__ = getitem
    T.__hash__ = object.__hash__
    T.T = property(lambda s: transpose(s), doc="All axes reversed (numpy's .T).")
    T.mT = property(lambda s: transpose(s, -2, -1), doc="The last two axes swapped.")
    for name in ("exp log sqrt sin cos tan tanh arctan sigmoid relu softplus abs sign clip clamp "
                 "log1p expm1 cumsum norm maximum minimum sum mean var std max min amax amin argmax argmin prod any all "
                 "logsumexp softmax log_softmax reshape view flatten transpose permute squeeze "
                 "unsqueeze expand broadcast_to matmul dot outer split chunk pad repeat tile "
                 "repeat_interleave flip square swapaxes step logical_and logical_or logical_xor "
                 "logical_not bitwise_and bitwise_or bitwise_xor bitwise_not").split():
        setattr(T, name, globals()[name])
    T.add, T.sub, T.mul, T.div, T.pow, T.neg = add, sub, mul, div, pow, neg
    T.subtract, T.multiply, T.divide, T.true_divide = sub, mul, div, div
    T.mm = T.matmul
    T.t = lambda s: transpose(s, 0, 1) if s.ndim == 2 else s
    T.view_as = lambda s, other: reshape(s, other.shape)
    T.reshape_as = T.view_as
    T.expand_as = lambda s, other: broadcast_to(s, other.shape)
    T.type_as = lambda s, other: astype(s, other.dtype)
    inplace.install(sys.modules[__name__])
    interop.install(sys.modules[__name__])


_install()


# ------------------------------------------------------------------ issue 12's families
# NOTE: this module is also the namespace VJPs compute with under create_graph=True, so
# the names the new families' VJPs use (see ops.registry.RAW) are bound here too. The
# functions themselves live in functions_extra and functions_shape.
from .functions_extra import erf, sinh, cosh, gather, scatter_add  # noqa: E402,F401
from .functions_shape import tril, triu, roll, cumprod, einsum  # noqa: E402,F401
