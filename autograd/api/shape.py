"""The public faces of shape, indexing and linear-algebra ops: argument checks with
errors that name the shapes, then one registered op (or a composite of them:
``flatten``, ``stack``, ``split``, ``tile`` ... are written with other functions, so
their gradients come for free).
"""
import builtins

import numpy as np

from .._tensor import Tensor
from ..arguments import (axis_arg, index_arg, index_on, is_index_array, lift, shape_args, split_ints,
                         to_tensor)
from ..ops import index as I
from ..ops import linalg as L
from ..ops import shape as S
from ..ops.reduce import normalize_axis
from .arith import astype
from .generated import mul

__all__ = ["reshape", "view", "flatten", "permute", "transpose", "swapaxes", "squeeze", "unsqueeze",
           "expand_dims", "broadcast_to", "expand", "concatenate", "cat", "stack", "split", "chunk",
           "pad", "tile", "repeat", "repeat_interleave", "flip", "getitem", "index_add", "matmul",
           "linear", "dot", "outer"]

_py_sum, _py_max, _py_min = builtins.sum, builtins.max, builtins.min


def reshape(x, *shape):
    """A tensor with the same values in a new shape (one entry may be -1)."""
    x = to_tensor(x)
    shape = shape_args(shape)
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
    x = to_tensor(x)
    if x.ndim == 0:
        return reshape(x, (1,))
    s, e = start_dim % x.ndim, end_dim % x.ndim
    shape = x.shape[:s] + (int(np.prod(x.shape[s:e + 1])),) + x.shape[e + 1:]
    return reshape(x, shape)


def permute(x, *dims):
    """Reorder the axes: out.shape[i] = x.shape[dims[i]]."""
    x = to_tensor(x)
    dims = shape_args(dims)
    if sorted(d % x.ndim for d in dims) != list(range(x.ndim)):
        raise ValueError(f"permute: {dims} is not a permutation of the {x.ndim} axes of {x.shape}")
    dims = tuple(d % x.ndim for d in dims)
    if dims == tuple(range(x.ndim)):
        return x
    return S.transpose(x, axes=dims)


def transpose(x, dim0=None, dim1=None):
    """Swap two axes (PyTorch's ``transpose(x, dim0, dim1)``); with no axes given,
    reverse all of them (numpy's ``transpose(x)``)."""
    x = to_tensor(x)
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
    x = to_tensor(x)
    dim = axis_arg(axis, dim, "squeeze")
    if dim is None:
        shape = tuple(n for n in x.shape if n != 1)
    else:
        dims = normalize_axis(dim, x.ndim)
        shape = tuple(n for i, n in enumerate(x.shape) if not (i in dims and n == 1))
    return reshape(x, shape)


def unsqueeze(x, dim):
    """Insert an axis of size 1 at position ``dim``."""
    x = to_tensor(x)
    d = dim if dim >= 0 else dim + x.ndim + 1
    if not 0 <= d <= x.ndim:
        raise IndexError(f"unsqueeze: dim {dim} out of range for a tensor with {x.ndim} dims")
    return reshape(x, x.shape[:d] + (1,) + x.shape[d:])


expand_dims = unsqueeze


def broadcast_to(x, shape):
    """x repeated along new or size-1 axes to ``shape`` (gradients sum back)."""
    x = to_tensor(x)
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
    x = to_tensor(x)
    sizes = shape_args(sizes)
    lead = len(sizes) - x.ndim
    shape = tuple(x.shape[i - lead] if s == -1 else s for i, s in enumerate(sizes))
    return broadcast_to(x, shape)


def concatenate(tensors, axis=0, *, dim=None):
    """Join tensors along an existing axis."""
    axis = axis_arg(axis if dim is None else None, dim, "cat")
    tensors = [to_tensor(t) for t in tensors]
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
    axis = axis_arg(axis if dim is None else None, dim, "stack")
    tensors = [to_tensor(t) for t in tensors]
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
    x = to_tensor(x)
    dim = axis_arg(axis, dim, "split")
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
    x = to_tensor(x)
    dim = axis_arg(axis, dim, "chunk")
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
    x = to_tensor(x)
    pw = np.broadcast_to(np.asarray(pad_width, dtype=int), (x.ndim, 2))
    if (pw < 0).any():
        raise ValueError("pad: pad widths must be non-negative")
    pw = tuple((int(a), int(b)) for a, b in pw)
    return S.pad(x, pad_width=pw, value=value)


def tile(x, reps):
    """numpy's tile: repeat the whole tensor ``reps`` times along each axis."""
    x = to_tensor(x)
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
    return tile(x, shape_args(sizes))


def repeat_interleave(x, repeats, dim=None):
    """Repeat each element ``repeats`` times (numpy's ``repeat``)."""
    x = to_tensor(x)
    if dim is None:
        x, dim = flatten(x), 0
    idx = np.repeat(np.arange(x.shape[dim]), repeats)
    return x[(slice(None),) * (dim % x.ndim) + (idx,)]


def flip(x, dims=None):
    """Reverse the order of elements along ``dims`` (all by default)."""
    x = to_tensor(x)
    dims = normalize_axis(dims, x.ndim)
    return x[tuple(slice(None, None, -1) if i in dims else slice(None) for i in range(x.ndim))]


def getitem(x, index):
    """x[index]: ints, slices, None, Ellipsis, integer arrays (repeats accumulate in the
    gradient) and boolean masks."""
    index = index_arg(index)
    if type(x.array) is not np.ndarray:
        index = index_on(index, x.array)
    if is_index_array(index) and index.dtype.kind == "f":
        raise IndexError("tensors used as indices must be integer or bool, got float")
    stages = split_ints(index)
    if stages is not None:
        return getitem(getitem(x, stages[0]), stages[1])
    try:
        return I.getitem(x, index=index)
    except IndexError as e:
        raise IndexError(f"index {index!r} is invalid for a tensor of shape {x.shape}: {e}") from None


def index_add(g, index, shape):
    """zeros(shape) with g added at index: the adjoint of indexing."""
    g = to_tensor(g)
    if type(g.array) is not np.ndarray:
        index = index_on(index_arg(index), g.array)
    return I.index_add(g, index=index, shape=tuple(shape))


def matmul(x, y):
    """Matrix product with numpy's rules (vectors, batched leading axes)."""
    x, y = to_tensor(x), to_tensor(y)
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
    if isinstance(x, Tensor) and isinstance(weight, Tensor) and isinstance(bias, Tensor):
        # NOTE: the usual layer call (three tensors of one dtype, shapes that fit) without
        # the conversions and the Tensor properties below: a tenth of a small layer's cost
        xa, wa, ba = x.array, weight.array, bias.array
        if (xa.dtype == wa.dtype == ba.dtype and wa.ndim == 2 and xa.ndim
                and ba.shape == wa.shape[:1] and xa.shape[-1] == wa.shape[1]):
            return L.linear(x, weight, bias)
    x, weight = to_tensor(x), to_tensor(weight)
    bias = None if bias is None else lift(bias, weight)
    if weight.ndim != 2 or x.ndim == 0 or (bias is not None and bias.shape != weight.shape[:1]):
        raise ValueError(
            f"linear: expects input (*, in), weight (out, in) and bias (out,); got input "
            f"{x.shape}, weight {weight.shape}, bias {None if bias is None else bias.shape}")
    if x.shape[-1] != weight.shape[1]:
        raise ValueError(
            f"linear: input of shape {x.shape} does not match weight of shape {weight.shape}: "
            f"the last input dim must equal in_features={weight.shape[1]}")
    args = (x, weight) if bias is None else (x, weight, bias)
    dt = weight.array.dtype
    if x.array.dtype != dt or (bias is not None and bias.array.dtype != dt):
        dt = np.result_type(*[a.array.dtype for a in args])
        if dt.kind == "f":
            args = tuple(a if a.dtype == dt else astype(a, dt) for a in args)
    return L.linear(*args)


def dot(x, y):
    """Inner product of two vectors."""
    x, y = to_tensor(x), to_tensor(y)
    if x.ndim != 1 or y.ndim != 1:
        raise ValueError(f"dot: expects two 1-D tensors, got shapes {x.shape} and {y.shape}; "
                         "use matmul for matrices")
    return matmul(x, y)


def outer(x, y):
    """Outer product: out[i, j] = x[i] * y[j]."""
    x, y = to_tensor(x), to_tensor(y)
    return mul(reshape(x, (-1, 1)), reshape(y, (1, -1)))
