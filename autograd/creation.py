"""Functions that make new leaf tensors. Random ones draw from the library's default
generator (``ag.manual_seed``) or from the ``ag.Generator`` given as ``generator=``."""
import numpy as np

from .random import rng
from ._tensor import DEFAULT_DTYPE, Tensor, _check_requires_grad

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


def _size(shape, size, name):
    """The shape of a random draw: positional sizes or PyTorch's ``size=`` keyword."""
    if size is not None:
        if shape:
            raise TypeError(f"{name}: give the shape positionally or as size=, not both")
        return _shape((size,) if isinstance(size, (int, np.integer)) else (tuple(size),))
    return _shape(shape)


def randn(*shape, size=None, generator=None, dtype=DEFAULT_DTYPE, requires_grad=False):
    """Standard normal samples: ``randn(2, 3)``, ``randn((2, 3))`` or ``randn(size=(2, 3))``;
    ``generator`` an ``ag.Generator`` (default: the library's)."""
    draw = rng(generator, "randn").standard_normal(_size(shape, size, "randn"))
    return _leaf(draw.astype(dtype, copy=False), requires_grad)


def rand(*shape, size=None, generator=None, dtype=DEFAULT_DTYPE, requires_grad=False):
    """Uniform samples in [0, 1); shapes and ``generator`` as :func:`randn`."""
    draw = rng(generator, "rand").random(_size(shape, size, "rand"))
    return _leaf(draw.astype(dtype, copy=False), requires_grad)


def _tuple_size(size):
    return (size,) if isinstance(size, (int, np.integer)) else tuple(size)


def normal(mean=0.0, std=1.0, size=(), dtype=DEFAULT_DTYPE, requires_grad=False, *, generator=None):
    """Samples of N(mean, std^2) of shape ``size``."""
    draw = rng(generator, "normal").normal(mean, std, _tuple_size(size))
    return _leaf(draw.astype(dtype, copy=False), requires_grad)


def uniform(low=0.0, high=1.0, size=(), dtype=DEFAULT_DTYPE, requires_grad=False, *, generator=None):
    """Samples of U(low, high) of shape ``size``."""
    draw = rng(generator, "uniform").uniform(low, high, _tuple_size(size))
    return _leaf(draw.astype(dtype, copy=False), requires_grad)


def bernoulli(p, size=None, dtype=DEFAULT_DTYPE, *, generator=None):
    """1 with probability ``p`` (a number or an array of probabilities), else 0."""
    p = p.array if isinstance(p, Tensor) else p
    size = np.shape(p) if size is None else _tuple_size(size)
    return _leaf((rng(generator, "bernoulli").random(size) < p).astype(dtype), False)


def randint(low, high=None, size=(), dtype=np.int64, *, generator=None):
    """Integers in [low, high): ``randint(high, size)`` or ``randint(low, high, size)``."""
    if high is None:
        low, high = 0, low
    elif isinstance(high, (tuple, list)):  # randint(high, size): PyTorch's two-argument form
        low, high, size = 0, low, high
    return _leaf(rng(generator, "randint").integers(low, high, _tuple_size(size), dtype=dtype), False)


def randperm(n, dtype=np.int64, *, generator=None):
    """A random permutation of 0 .. n-1."""
    return _leaf(rng(generator, "randperm").permutation(n).astype(dtype), False)


def from_numpy(arr):
    """A tensor sharing memory with a numpy array (no copy, dtype kept)."""
    return Tensor(np.asarray(arr))
