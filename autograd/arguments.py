"""Argument helpers of the public functions: coercion of constants to tensors, dtype
lifting, ``axis``/``dim`` and ``keepdims``/``keepdim`` normalisation, shapes and
indices. No gradient math and no op lives here; ``autograd.api`` builds on these.
"""
import builtins
import numbers

import numpy as np

from .backend import asarray_like, backend_of, is_array
from .ops.reduce import normalize_axis
from ._tensor import Tensor

__all__ = ["to_tensor", "lift", "axis_arg", "keepdims_arg", "check_broadcast", "binary", "is_int",
           "reduce_args", "count", "float_input", "one_axis", "shape_args", "index_arg",
           "split_ints", "ntuple"]


def to_tensor(x):
    """A Tensor for ``x`` (constants become tensors that do not require grad)."""
    if isinstance(x, Tensor):
        return x
    return Tensor(x)


def lift(v, like):
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
    """:func:`lift` for a tensor ``like`` on a device (GPU, strict): the constant is made
    by the host rules, then copied to like's device (a device array stays where it is)."""
    b = backend_of(like.array)
    if is_array(v) and type(v) is not np.ndarray:
        arr, dt = b.asarray(v), like.array.dtype
        if arr.dtype.kind == "f" and dt.kind == "f" and arr.dtype != dt:
            arr = arr.astype(dt)
        return Tensor._make(arr)
    host = lift(v, Tensor._make(np.empty(0, like.array.dtype)))
    return Tensor._make(b.from_host(host.array))


def axis_arg(axis, dim, name):
    if dim is not None:
        if axis is not None:
            raise TypeError(f"{name}: give axis or dim, not both")
        return dim
    return axis


def keepdims_arg(keepdims, keepdim):
    return bool(keepdim) if keepdim is not None else bool(keepdims)


def check_broadcast(opname, x, y):
    try:
        np.broadcast_shapes(x.shape, y.shape)
    except ValueError:
        raise ValueError(
            f"{opname}: shapes {x.shape} and {y.shape} cannot be broadcast together "
            "(trailing dimensions must be equal or 1); reshape or unsqueeze one operand"
        ) from None


def binary(op, opname, x, y):
    if not isinstance(x, Tensor):
        x = lift(x, y) if isinstance(y, Tensor) else to_tensor(x)
    if not isinstance(y, Tensor):
        y = lift(y, x)
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
        check_broadcast(opname, x, y)
        raise


def is_int(v):
    if isinstance(v, Tensor):
        return v.array.dtype.kind in "biu"
    return isinstance(v, (int, np.integer)) or (isinstance(v, np.ndarray) and v.dtype.kind in "biu")


def reduce_args(x, axis, dim, keepdims, keepdim, name):
    """(tensor, axis as None or a sorted tuple of non-negative ints, keepdims)."""
    x = to_tensor(x)
    axis = axis_arg(axis, dim, name)
    if axis is not None:
        axis = normalize_axis(axis, x.ndim, name)
    return x, axis, keepdims_arg(keepdims, keepdim)


def count(x, axis):
    return int(np.prod([x.shape[a] for a in normalize_axis(axis, x.ndim)]))


def float_input(x):
    """Integer and bool tensors are averaged in the default float dtype (float32)."""
    return x if x.array.dtype.kind in "fc" else Tensor._make(x.array.astype(np.float32))


def one_axis(x, axis, dim, name):
    axis = axis_arg(None if dim is not None else axis, dim, name)
    if not isinstance(axis, (int, np.integer)):
        raise TypeError(f"{name}: axis must be one int, got {axis!r}")
    ax = normalize_axis(axis, x.ndim, name)
    return ax[0] if ax else None


def shape_args(shape):
    if len(shape) == 1 and isinstance(shape[0], (tuple, list, np.ndarray)):
        shape = shape[0]
    return tuple(int(s) for s in shape)


def index_arg(index):
    # NOTE: index arrays are copied, so refilling one after ``y = x[idx]`` cannot change
    # which elements y's gradient goes to.
    if isinstance(index, Tensor):
        return index.array.copy()
    if isinstance(index, np.ndarray):
        return index.copy()
    if isinstance(index, list):
        return np.asarray(index)
    if isinstance(index, tuple):
        return tuple(index_arg(i) if isinstance(i, (Tensor, list, np.ndarray)) else i for i in index)
    return index


def is_index_array(v):
    """An index array of any device (numpy, CuPy, strict)."""
    return isinstance(v, np.ndarray) or (type(v) is not np.ndarray and is_array(v))


def index_on(index, like):
    """The host index arrays of ``index`` on the device of array ``like`` (PyTorch accepts
    host index arrays for a GPU tensor)."""
    if isinstance(index, np.ndarray):
        return asarray_like(index, like)
    if isinstance(index, tuple):
        return tuple(asarray_like(i, like) if isinstance(i, np.ndarray) else i for i in index)
    return index


def split_ints(index):
    """PyTorch's order of dimensions when integer arrays mix with plain ints: PyTorch
    applies an int as a basic index, numpy counts it as an array, so ``x[0, :, [0, 1]]``
    has shape (n, 2) in PyTorch and (2, n) in numpy. Returns the two stages
    (ints and slices first, then the arrays) or None when numpy already agrees."""
    if not isinstance(index, tuple):
        return None
    arrays = [k for k, v in enumerate(index) if is_index_array(v)]
    ints = [k for k, v in enumerate(index)
            if isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_))]
    if not arrays or not ints or builtins.any(index[k].dtype.kind == "b" and index[k].ndim != 1 for k in arrays):
        return None
    first = tuple(slice(None) if is_index_array(v) else v for v in index)
    second = tuple(v if is_index_array(v) or v is Ellipsis else slice(None)
                   for k, v in enumerate(index) if k not in ints)
    return first, second


def ntuple(v, d, name):
    """``v`` as a tuple of ``d`` ints: an int is repeated, a sequence must have length d
    (kernel sizes, strides, dilations of the window ops and of ``nn``'s layers)."""
    if isinstance(v, (int, np.integer)):
        return (int(v),) * d
    v = tuple(int(a) for a in v)
    if len(v) != d:
        raise ValueError(f"{name} must be an int or a tuple of {d} ints (one per spatial axis), got {v}")
    return v
