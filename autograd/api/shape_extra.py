"""Public functions for issue 12's matrix and shape ops, and their Tensor methods:
tril, triu, roll, cumprod, einsum, baddbmm (registry primitives or short compositions)
and diff, tensor_split, diag, diagonal, vstack, hstack, movedim, rot90, unflatten
(compositions of indexing, reshape, permute and cat, so their gradients come from
those ops).
"""
import numpy as np

from ..backend import backend_of
from ..arguments import axis_arg, lift, shape_args, to_tensor
from ..ops import einsum as ES
from ..ops import matrix as MX
from ..ops.reduce import normalize_axis
from .._tensor import Tensor
from .arith import astype, clone, where
from .shape import concatenate, flatten, flip, index_add, matmul, permute, reshape, transpose

__all__ = ["tril", "triu", "roll", "cumprod", "einsum", "baddbmm", "diff", "tensor_split", "diag",
           "diagonal", "vstack", "hstack", "movedim", "moveaxis", "rot90", "unflatten"]


def _dim(name, x, dim):
    return normalize_axis(dim, x.ndim, name)[0]


def _need(name, x, nd):
    if x.ndim < nd:
        raise ValueError(f"{name}: expects a tensor with at least {nd} dimensions, got shape {x.shape}")


def tril(x, diagonal=0):
    """The lower triangle of the last two axes: entries with j - i <= ``diagonal`` are kept,
    the rest set to 0 (``tril(ones(T, T))`` is the causal mask)."""
    x = to_tensor(x)
    _need("tril", x, 2)
    return MX.tril(x, diagonal=int(diagonal))


def triu(x, diagonal=0):
    """The upper triangle of the last two axes: entries with j - i >= ``diagonal`` are kept."""
    x = to_tensor(x)
    _need("triu", x, 2)
    return MX.triu(x, diagonal=int(diagonal))


def roll(x, shifts, dims=None):
    """Shift cyclically by ``shifts`` along ``dims`` (an int or tuples of equal length);
    with no dims, over the flattened tensor and reshaped back."""
    x = to_tensor(x)
    if dims is None:
        if not isinstance(shifts, (int, np.integer)) and len(shifts) != 1:
            raise ValueError("roll: without dims, shifts must be one int")
        s = int(shifts if isinstance(shifts, (int, np.integer)) else shifts[0])
        return reshape(MX.roll(flatten(x), shifts=(s,), dims=(0,)), x.shape)
    shifts = (shifts,) if isinstance(shifts, (int, np.integer)) else tuple(shifts)
    dims = (dims,) if isinstance(dims, (int, np.integer)) else tuple(dims)
    if len(shifts) != len(dims):
        raise ValueError(f"roll: shifts {shifts} and dims {dims} must have the same length")
    dims = tuple(normalize_axis(d, x.ndim, "roll")[0] for d in dims)
    return MX.roll(x, shifts=tuple(int(s) for s in shifts), dims=dims)


def cumprod(x, dim=None, *, axis=None, dtype=None):
    """Cumulative product along ``dim`` (exact gradients also through zeros)."""
    x = to_tensor(x)
    dim = axis_arg(axis, dim, "cumprod")
    if dim is None:
        raise TypeError("cumprod: give dim (the axis to accumulate along)")
    if dtype is not None:
        x = astype(x, dtype)
    if x.ndim == 0:
        return clone(x)
    return MX.cumprod(x, axis=_dim("cumprod", x, dim))


def einsum(equation, *operands):
    """Einstein summation, ``einsum("ij,jk->ik", a, b)``: sums of products over the
    repeated letters, PyTorch's and numpy's rules (``...`` for broadcast axes, an implicit
    output when ``->`` is missing). Differentiable in every operand (see ``ops.einsum``)."""
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    xs = [to_tensor(x) for x in operands]
    floats = [x for x in xs if x.dtype.kind == "f"]
    if floats:
        dt = np.result_type(*[x.array.dtype for x in floats])
        xs = [x if x.dtype == dt else astype(x, dt) for x in xs]
    eq = ES.explicit(equation, [x.shape for x in xs])
    return ES.einsum(*xs, equation=eq)


def baddbmm(x, batch1, batch2, *, beta=1, alpha=1):
    """beta x + alpha (batch1 @ batch2) for batches of matrices (b, n, m) @ (b, m, p);
    x broadcasts to (b, n, p). With beta = 0, x is ignored (nan in it does not spread)."""
    b1, b2 = to_tensor(batch1), to_tensor(batch2)
    if b1.ndim != 3 or b2.ndim != 3 or b1.shape[0] != b2.shape[0] or b1.shape[2] != b2.shape[1]:
        raise ValueError(f"baddbmm: expects batch1 (b, n, m) and batch2 (b, m, p), got {b1.shape} "
                         f"and {b2.shape}")
    out = matmul(b1, b2)
    if alpha != 1:
        out = out * alpha
    x = lift(x, out)
    if beta == 0:
        # NOTE: x is ignored (so nan or inf in it do not spread) but stays an input
        # with a zero gradient, as in PyTorch
        return where(np.True_, out, x)
    return out + (x if beta == 1 else x * beta)


def diff(x, n=1, dim=-1, prepend=None, append=None, *, axis=None):
    """The n-th forward difference along ``dim``: out[i] = x[i + 1] - x[i], applied n times,
    after joining ``prepend`` and ``append`` on that axis."""
    x = to_tensor(x)
    _need("diff", x, 1)
    d = _dim("diff", x, axis_arg(axis, dim, "diff"))
    parts = [p for p in (prepend, x, append) if p is not None]
    if len(parts) > 1:
        parts = [lift(p, x) if not isinstance(p, Tensor) else p for p in parts]
        parts = [reshape(p, x.shape[:d] + (1,) + x.shape[d + 1:]) if p.ndim == 0 else p for p in parts]
        x = concatenate(parts, axis=d)
    before = (slice(None),) * d
    for _ in range(int(n)):
        x = x[before + (slice(1, None),)] - x[before + (slice(None, -1),)]
    return x


def tensor_split(x, indices_or_sections, dim=0, *, axis=None):
    """Split along ``dim`` into n nearly equal parts (an int: the first size % n parts get
    one more entry) or at the given indices (a list), like ``torch.tensor_split``."""
    x = to_tensor(x)
    _need("tensor_split", x, 1)
    d = _dim("tensor_split", x, axis_arg(axis, dim, "tensor_split"))
    size = x.shape[d]
    ios = indices_or_sections
    if isinstance(ios, Tensor):
        ios = ios.array.tolist()
    if isinstance(ios, (int, np.integer)):
        if ios <= 0:
            raise ValueError(f"tensor_split: the number of sections must be positive, got {ios}")
        q, r = divmod(size, int(ios))
        bounds = np.cumsum([0] + [q + 1] * r + [q] * (int(ios) - r)).tolist()
    else:
        bounds = [0] + [int(i) for i in ios] + [size]
    before = (slice(None),) * d
    return tuple(x[before + (slice(a, max(a, b)),)] for a, b in zip(bounds[:-1], bounds[1:]))


def diagonal(x, offset=0, dim1=0, dim2=1):
    """The ``offset``-th diagonal of the (dim1, dim2) planes, as a new last axis:
    out[..., i] = x[..., i + max(-offset, 0), i + max(offset, 0)]."""
    x = to_tensor(x)
    _need("diagonal", x, 2)
    d1, d2 = _dim("diagonal", x, dim1), _dim("diagonal", x, dim2)
    if d1 == d2:
        raise ValueError(f"diagonal: dim1 and dim2 must differ, got {dim1} and {dim2}")
    rest = [i for i in range(x.ndim) if i not in (d1, d2)]
    xp = permute(x, tuple(rest + [d1, d2]))
    r0, c0 = max(-offset, 0), max(offset, 0)
    n = max(0, min(x.shape[d1] - r0, x.shape[d2] - c0))
    i = backend_of(x.array).arange(n)
    return xp[(Ellipsis, i + r0, i + c0)]


def diag(x, diagonal=0):
    """A 1-D x becomes the square matrix with x on its ``diagonal``-th diagonal; a 2-D x
    gives that diagonal (``torch.diag``)."""
    x = to_tensor(x)
    if x.ndim == 2:
        return globals()["diagonal"](x, diagonal)
    if x.ndim != 1:
        raise ValueError(f"diag: expects a 1-D or 2-D tensor, got shape {x.shape}")
    n, k = x.shape[0], int(diagonal)
    m = n + abs(k)
    i = backend_of(x.array).arange(n)
    return index_add(x, (i + max(-k, 0), i + max(k, 0)), (m, m))


def vstack(tensors):
    """Stack along the first axis, after making 0-d and 1-d tensors rows (1, n)."""
    ts = [to_tensor(t) for t in tensors]
    ts = [reshape(t, (1, -1)) if t.ndim < 2 else t for t in ts]
    return concatenate(ts, axis=0)


def hstack(tensors):
    """Join along the second axis (the first for 1-d tensors; 0-d become 1-d)."""
    ts = [to_tensor(t) for t in tensors]
    ts = [reshape(t, (1,)) if t.ndim == 0 else t for t in ts]
    return concatenate(ts, axis=0 if ts and ts[0].ndim == 1 else 1)


def movedim(x, source, destination):
    """Move the axes ``source`` to the positions ``destination`` (the others keep their order)."""
    x = to_tensor(x)
    src = (source,) if isinstance(source, (int, np.integer)) else tuple(source)
    dst = (destination,) if isinstance(destination, (int, np.integer)) else tuple(destination)
    if len(src) != len(dst):
        raise ValueError(f"movedim: source {src} and destination {dst} must have the same length")
    src = [_dim("movedim", x, s) for s in src]
    dst = [_dim("movedim", x, d) for d in dst]
    if len(set(src)) != len(src) or len(set(dst)) != len(dst):
        raise ValueError(f"movedim: repeated dim in source {source} or destination {destination}")
    order = [i for i in range(x.ndim) if i not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return permute(x, tuple(order)) if x.ndim else x


moveaxis = movedim


def rot90(x, k=1, dims=(0, 1)):
    """Rotate by 90 degrees k times in the plane ``dims``, from the first axis towards the
    second (``torch.rot90``): a flip and a transpose."""
    x = to_tensor(x)
    dims = tuple(dims)
    if len(dims) != 2 or x.ndim < 2:
        raise ValueError(f"rot90: expects two dims of a tensor with at least 2 dims, got dims {dims} "
                         f"and shape {x.shape}")
    d0, d1 = _dim("rot90", x, dims[0]), _dim("rot90", x, dims[1])
    if d0 == d1:
        raise ValueError(f"rot90: the two dims must differ, got {dims}")
    k = int(k) % 4
    if k == 1:
        return transpose(flip(x, (d1,)), d0, d1)
    if k == 2:
        return flip(x, (d0, d1))
    if k == 3:
        return transpose(flip(x, (d0,)), d0, d1)
    return clone(x)


def unflatten(x, dim, sizes):
    """Expand axis ``dim`` into the shape ``sizes`` (one entry may be -1)."""
    x = to_tensor(x)
    d = _dim("unflatten", x, dim)
    sizes = shape_args((sizes,))
    if sizes.count(-1) > 1 or (-1 not in sizes and int(np.prod(sizes)) != x.shape[d]):
        raise ValueError(f"unflatten: sizes {sizes} do not multiply to {x.shape[d]}, the size of dim {dim}")
    if -1 in sizes:
        known = int(np.prod([s for s in sizes if s != -1]))
        sizes = tuple(x.shape[d] // known if s == -1 else s for s in sizes)
    return reshape(x, x.shape[:d] + tuple(sizes) + x.shape[d + 1:])
