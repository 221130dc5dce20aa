"""Public functions for issue 12's elementwise, rounding, gathering, sorting and sampling
ops, and their Tensor methods.

Thin wrappers over the registry (``autograd.ops.special``, ``rounding``, ``gather``)
in the style of ``autograd.api``: they coerce arguments, accept PyTorch's
spellings (``dim`` and ``axis``), check shapes with errors that name the op, and
contain no gradient math. Shape and matrix ops are in ``api.shape_extra``.
"""
import collections

import numpy as np

from .. import random as _random
from ..backend import asarray_like, backend_of
from ..arguments import axis_arg, binary, lift, to_tensor
from ..ops import gather as G
from ..ops import rounding as RD
from ..ops import special as SP
from ..ops.reduce import normalize_axis
from .._tensor import Tensor
from .arith import where

__all__ = ["erf", "gelu", "silu", "mish", "hardswish", "rsqrt", "log2", "log10", "exp2",
           "sinh", "cosh", "asinh", "acosh", "atanh", "arcsinh", "arccosh", "arctanh",
           "floor", "ceil", "round", "trunc", "fix", "remainder", "logaddexp", "nan_to_num",
           "gather", "scatter", "scatter_add", "index_select", "masked_fill", "sort", "argsort",
           "topk", "one_hot", "multinomial"]


# ------------------------------------------------------------------ elementwise
def erf(x):
    """The error function, (2 / sqrt(pi)) int_0^x e^(-t^2) dt."""
    return SP.erf(to_tensor(x))


def gelu(x, approximate="none"):
    """GELU, x Phi(x) (``approximate="none"``, exact through erf) or its tanh
    approximation (``approximate="tanh"``), as ``torch.nn.functional.gelu``."""
    if approximate not in ("none", "tanh"):
        raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
    return SP.gelu(to_tensor(x), approximate=approximate)


def silu(x):
    """SiLU (swish): x sigmoid(x)."""
    return SP.silu(to_tensor(x))


def mish(x):
    """Mish: x tanh(softplus(x))."""
    return SP.mish(to_tensor(x))


def hardswish(x):
    """Hardswish: x relu6(x + 3) / 6."""
    return SP.hardswish(to_tensor(x))


def rsqrt(x):
    """1 / sqrt(x)."""
    return SP.rsqrt(to_tensor(x))


def log2(x):
    return SP.log2(to_tensor(x))


def log10(x):
    return SP.log10(to_tensor(x))


def exp2(x):
    return SP.exp2(to_tensor(x))


def sinh(x):
    return SP.sinh(to_tensor(x))


def cosh(x):
    return SP.cosh(to_tensor(x))


def asinh(x):
    return SP.asinh(to_tensor(x))


def acosh(x):
    return SP.acosh(to_tensor(x))


def atanh(x):
    return SP.atanh(to_tensor(x))


arcsinh, arccosh, arctanh = asinh, acosh, atanh


def floor(x):
    """Round down; zero gradient (see ``ops.rounding``). Integer tensors are returned as is."""
    x = to_tensor(x)
    return x if x.dtype.kind in "biu" else RD.floor(x)


def ceil(x):
    x = to_tensor(x)
    return x if x.dtype.kind in "biu" else RD.ceil(x)


def trunc(x):
    x = to_tensor(x)
    return x if x.dtype.kind in "biu" else RD.trunc(x)


fix = trunc


def round(x, decimals=0):  # noqa: A001 - PyTorch's name
    """Round to ``decimals`` digits, halves to even; zero gradient."""
    x = to_tensor(x)
    if not isinstance(decimals, (int, np.integer)):
        raise TypeError(f"round: decimals must be an int, got {decimals!r}")
    if x.dtype.kind in "biu" and decimals >= 0:
        return x
    return RD.round_(x, decimals=int(decimals))


def remainder(x, y):
    """x mod y with the sign of y (Python's %): x - floor(x / y) y."""
    return binary(RD.remainder, "remainder", x, y)


def logaddexp(x, y):
    """log(e^x + e^y), computed stably."""
    return binary(SP.logaddexp, "logaddexp", x, y)


def nan_to_num(x, nan=0.0, posinf=None, neginf=None):
    """Replace nan, +inf and -inf (by 0 and the dtype's largest and smallest finite
    values unless given); the gradient flows only through the finite entries."""
    x = to_tensor(x)
    if x.dtype.kind not in "fc":
        return x
    return RD.nan_to_num(x, nan=nan, posinf=posinf, neginf=neginf)


# ------------------------------------------------------------------ gather / scatter
def _index_array(name, index, x, dim):
    """The index as an int64 array of x's rank, range-checked along ``dim``."""
    idx = asarray_like(index.array if isinstance(index, Tensor) else index, x.array)
    if idx.dtype.kind not in "iu":
        raise TypeError(f"{name}: index must be an integer tensor (int64), got dtype {idx.dtype}")
    if idx.ndim != x.ndim:
        raise ValueError(f"{name}: index of shape {idx.shape} and input of shape {x.shape} must have "
                         "the same number of dimensions")
    n = x.shape[dim] if x.ndim else 1
    if idx.size and (idx.min() < 0 or idx.max() >= n):
        raise IndexError(f"{name}: index values must be in [0, {n}) along dim {dim} of the input "
                         f"of shape {x.shape}; got min {idx.min()}, max {idx.max()}")
    for d in range(x.ndim):
        if d != dim and idx.shape[d] > x.shape[d]:
            raise ValueError(f"{name}: index of shape {idx.shape} is larger than the input of shape "
                             f"{x.shape} on dim {d} (only dim {dim} may differ)")
    return idx.astype(np.int64, copy=False)


def _dim(name, x, dim):
    return normalize_axis(dim, x.ndim, name)[0] if x.ndim else 0


def gather(x, dim, index, *, sparse_grad=False, axis=None):
    """out[i][j][k] = x[index[i][j][k]][j][k] for dim = 0 (torch.gather); index has x's
    rank and is at most x's size on the other dims. Out has index's shape.
    (``sparse_grad`` is accepted for PyTorch compatibility; gradients are dense.)"""
    x = to_tensor(x)
    dim = _dim("gather", x, axis_arg(axis, dim, "gather"))
    idx = _index_array("gather", index, x, dim)
    if x.ndim == 0:
        return x
    return G.gather(x, dim=dim, index=idx)


def _scatter_args(name, x, dim, index, src):
    x = to_tensor(x)
    dim = _dim(name, x, dim)
    idx = _index_array(name, index, x, dim)
    src = lift(src, x)
    if src.dtype != x.dtype:
        src = Tensor._make(src.array.astype(x.dtype)) if not src.requires_grad else src.astype(x.dtype)
    if src.ndim and (src.ndim != idx.ndim or any(i > s for i, s in zip(idx.shape, src.shape))):
        raise ValueError(f"{name}: src of shape {src.shape} must have index's rank and be at least "
                         f"as large as index {idx.shape} on every dim")
    return x, dim, idx, src


def scatter(x, dim, index, src=None, value=None, *, reduce=None):
    """out = x with out[index[i][j][k]][j][k] = src[i][j][k] for dim = 0 (torch.scatter);
    ``src`` may be a number (PyTorch's ``value=``). With repeated indices one write wins."""
    if reduce is not None:
        raise NotImplementedError("scatter: reduce= is not supported; use ag.scatter_add for 'add'")
    if src is None:
        src = value
    if src is None:
        raise TypeError("scatter: give src (a tensor) or value (a number)")
    x, dim, idx, src = _scatter_args("scatter", x, dim, index, src)
    return G.scatter(x, src, dim=dim, index=idx)


def scatter_add(x, dim, index, src):
    """out = x with out[index[i][j][k]][j][k] += src[i][j][k] for dim = 0 (repeats add up):
    the adjoint of :func:`gather`."""
    x, dim, idx, src = _scatter_args("scatter_add", x, dim, index, src)
    return G.scatter_add(x, src, dim=dim, index=idx)


def index_select(x, dim, index):
    """The entries of x at the 1-D integer ``index`` along ``dim`` (repeats allowed: their
    gradients add up)."""
    x = to_tensor(x)
    d = _dim("index_select", x, dim)
    idx = asarray_like(index.array if isinstance(index, Tensor) else index, x.array)
    if idx.ndim > 1 or idx.dtype.kind not in "iu":
        raise ValueError(f"index_select: index must be a 0-d or 1-D integer tensor, got shape "
                         f"{idx.shape} and dtype {idx.dtype}")
    if x.ndim == 0:
        return x
    return x[(slice(None),) * d + (idx.reshape(-1),)]


def masked_fill(x, mask, value):
    """x with ``value`` where ``mask`` is True (mask broadcasts to x's shape); the
    gradient flows to x where the mask is False and to a tensor ``value`` elsewhere."""
    x = to_tensor(x)
    m = asarray_like(mask.array if isinstance(mask, Tensor) else mask, x.array)
    if m.dtype != np.bool_:
        raise TypeError(f"masked_fill: mask must be a bool tensor, got dtype {m.dtype}")
    try:
        ok = np.broadcast_shapes(m.shape, x.shape) == x.shape
    except ValueError:
        ok = False
    if not ok:
        raise ValueError(f"masked_fill: mask of shape {m.shape} does not broadcast to the input's "
                         f"shape {x.shape}")
    if isinstance(value, Tensor) and value.ndim != 0:
        raise ValueError(f"masked_fill: value must be a number or a 0-d tensor, got shape {value.shape}")
    return where(m, lift(value, x), x)


# ------------------------------------------------------------------ sorting and sampling
_Sort = collections.namedtuple("sort", ["values", "indices"])
_Topk = collections.namedtuple("topk", ["values", "indices"])


def argsort(x, dim=-1, descending=False, stable=False, *, axis=None):
    """Indices that sort x along ``dim`` (always stable here); not differentiable."""
    x = to_tensor(x)
    if x.ndim == 0:
        return Tensor._make(backend_of(x.array).zeros((), np.int64))
    d = _dim("argsort", x, axis_arg(axis, dim, "argsort"))
    return G.argsort(x, axis=d, descending=bool(descending))


def sort(x, dim=-1, descending=False, stable=False, *, axis=None):
    """(values, indices) sorted along ``dim``: values = gather(x, dim, indices) is
    differentiable (each gradient returns to the entry it came from), indices are not.
    The sort is stable (ties keep their order), as PyTorch's ``stable=True``."""
    x = to_tensor(x)
    idx = argsort(x, dim, descending, axis=axis)
    if x.ndim == 0:
        return _Sort(x, idx)
    d = _dim("sort", x, axis_arg(axis, dim, "sort"))
    return _Sort(G.gather(x, dim=d, index=idx.array), idx)


def topk(x, k, dim=-1, largest=True, sorted=True, *, axis=None):  # noqa: A002
    """The k largest (``largest=False``: smallest) entries along ``dim`` and their indices,
    in order; values are differentiable, indices are not."""
    x = to_tensor(x)
    d = _dim("topk", x, axis_arg(axis, dim, "topk"))
    n = x.shape[d] if x.ndim else 1
    if not isinstance(k, (int, np.integer)) or not 0 <= k <= n:
        raise ValueError(f"topk: k={k!r} is out of range for dim {d} of size {n} (need 0 <= k <= {n})")
    if x.ndim == 0:
        return _Topk(x, Tensor._make(backend_of(x.array).zeros((), np.int64)))
    order = G._argsort(x.array, axis=d, descending=bool(largest))
    idx = np.take(order, backend_of(order).arange(k), axis=d)
    return _Topk(G.gather(x, dim=d, index=idx), Tensor._make(idx))


def one_hot(x, num_classes=-1):
    """int64 one-hot codes: a new last axis of size ``num_classes`` (-1: max(x) + 1)."""
    x = to_tensor(x)
    if x.dtype.kind not in "iu":
        raise TypeError(f"one_hot: the input must be an integer (int64) tensor of class indices, "
                        f"got dtype {x.dtype}")
    a = x.array
    if num_classes == -1:
        if a.size == 0:
            raise ValueError("one_hot: cannot infer num_classes from an empty tensor; pass it")
        num_classes = int(a.max()) + 1
    if a.size and (a.min() < 0 or a.max() >= num_classes):
        raise ValueError(f"one_hot: class values must be in [0, {num_classes}), got min {a.min()} "
                         f"and max {a.max()}")
    return G.one_hot(x, num_classes=int(num_classes))


def multinomial(p, num_samples, replacement=False, *, generator=None):
    """``num_samples`` category indices per row of the weights ``p`` (1-D or 2-D, non-negative,
    need not sum to 1), int64; from ``generator`` (an ``ag.Generator``) or the library's
    stream (``ag.manual_seed``). Not differentiable."""
    p = to_tensor(p)
    a = p.array
    if a.ndim not in (1, 2) or a.shape[-1] == 0:
        raise ValueError(f"multinomial: p must be 1-D or 2-D with at least one category, got {p.shape}")
    if not isinstance(num_samples, (int, np.integer)) or num_samples <= 0:
        raise ValueError(f"multinomial: num_samples must be a positive int, got {num_samples!r}")
    if not np.isfinite(a).all() or (a < 0).any():
        raise ValueError("multinomial: probabilities must be finite and non-negative")
    nonzero = (a > 0).sum(-1)
    if (nonzero == 0).any():
        raise ValueError("multinomial: each row of p needs a positive sum")
    if not replacement and (nonzero < num_samples).any():
        raise ValueError(f"multinomial: cannot draw {num_samples} samples without replacement from "
                         f"a row with only {int(nonzero.min())} categories of nonzero probability")
    return G.multinomial(p, num_samples=int(num_samples), replacement=bool(replacement),
                         rng=_random.resolve(generator))
