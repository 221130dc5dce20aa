"""Functions that make new leaf tensors. Random ones draw from the library's one
generator (``ag.manual_seed``)."""
import numpy as np

from .random import generator
from .tensor import DEFAULT_DTYPE, Tensor, _check_requires_grad

__all__ = ["zeros", "ones", "full", "empty", "eye", "arange", "linspace", "randn", "rand",
           "randint", "randperm", "normal", "uniform", "from_numpy", "bernoulli"]


def _shape(shape):
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    return tuple(int(s) for s in shape)


def _leaf(arr, requires_grad):
    _check_requires_grad(arr.dtype, requires_grad)
    t = Tensor._make(arr)
    t._rg = bool(requires_grad)
    return t


def zeros(*shape, dtype=DEFAULT_DTYPE, requires_grad=False):
    """A tensor of zeros: ``zeros(2, 3)`` or ``zeros((2, 3))``."""
    return _leaf(np.zeros(_shape(shape), dtype=dtype), requires_grad)


def ones(*shape, dtype=DEFAULT_DTYPE, requires_grad=False):
    return _leaf(np.ones(_shape(shape), dtype=dtype), requires_grad)


def empty(*shape, dtype=DEFAULT_DTYPE, requires_grad=False):
    return _leaf(np.empty(_shape(shape), dtype=dtype), requires_grad)


def full(shape, fill_value, dtype=None, requires_grad=False):
    """A tensor of ``shape`` filled with ``fill_value`` (float32 for float values)."""
    shape = (shape,) if isinstance(shape, int) else tuple(shape)
    if dtype is None:
        dtype = DEFAULT_DTYPE if isinstance(fill_value, float) else np.asarray(fill_value).dtype
    return _leaf(np.full(shape, fill_value, dtype=dtype), requires_grad)


def eye(n, m=None, dtype=DEFAULT_DTYPE, requires_grad=False):
    return _leaf(np.eye(n, m, dtype=dtype), requires_grad)


def arange(start, end=None, step=1, dtype=None, requires_grad=False):
    """Evenly spaced values in [start, end): int64 for integer arguments, float32 otherwise."""
    if end is None:
        start, end = 0, start
    if dtype is None:
        dtype = np.int64 if all(isinstance(v, (int, np.integer)) for v in (start, end, step)) else DEFAULT_DTYPE
    return _leaf(np.arange(start, end, step, dtype=dtype), requires_grad)


def linspace(start, end, steps, dtype=DEFAULT_DTYPE, requires_grad=False):
    return _leaf(np.linspace(start, end, steps, dtype=dtype), requires_grad)


def randn(*shape, dtype=DEFAULT_DTYPE, requires_grad=False):
    """Standard normal samples."""
    return _leaf(generator().standard_normal(_shape(shape)).astype(dtype, copy=False), requires_grad)


def rand(*shape, dtype=DEFAULT_DTYPE, requires_grad=False):
    """Uniform samples in [0, 1)."""
    return _leaf(generator().random(_shape(shape)).astype(dtype, copy=False), requires_grad)


def normal(mean=0.0, std=1.0, size=(), dtype=DEFAULT_DTYPE, requires_grad=False):
    size = (size,) if isinstance(size, int) else tuple(size)
    return _leaf(generator().normal(mean, std, size).astype(dtype, copy=False), requires_grad)


def uniform(low=0.0, high=1.0, size=(), dtype=DEFAULT_DTYPE, requires_grad=False):
    size = (size,) if isinstance(size, int) else tuple(size)
    return _leaf(generator().uniform(low, high, size).astype(dtype, copy=False), requires_grad)


def bernoulli(p, size=None, dtype=DEFAULT_DTYPE):
    """1 with probability ``p`` (a number or an array of probabilities), else 0."""
    p = p.array if isinstance(p, Tensor) else p
    size = np.shape(p) if size is None else ((size,) if isinstance(size, int) else tuple(size))
    return _leaf((generator().random(size) < p).astype(dtype), False)


def randint(low, high=None, size=(), dtype=np.int64):
    if high is None:
        low, high = 0, low
    size = (size,) if isinstance(size, int) else tuple(size)
    return _leaf(generator().integers(low, high, size, dtype=dtype), False)


def randperm(n, dtype=np.int64):
    return _leaf(generator().permutation(n).astype(dtype), False)


def from_numpy(arr):
    """A tensor sharing memory with a numpy array (no copy, dtype kept)."""
    return Tensor(np.asarray(arr))
