"""Functions that make new leaf tensors. Random ones draw from the library's default
generator (``ag.manual_seed``) or from the ``ag.Generator`` given as ``generator=``."""
import numpy as np

from .backend import _DEFAULT, device_of as p_device, get_backend
from .random import rng
from ._tensor import DEFAULT_DTYPE, Tensor, _check_requires_grad

__all__ = ["zeros", "ones", "full", "empty", "eye", "arange", "linspace", "randn", "rand",
           "randint", "randperm", "normal", "uniform", "from_numpy", "bernoulli"]


def _shape(shape):
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    return tuple(int(s) for s in shape)


def _backend(device):
    """The backend new tensors are made in: ``device``'s, or the default device's."""
    return _DEFAULT[0] if device is None else get_backend(device)


def _leaf(arr, requires_grad):
    _check_requires_grad(arr.dtype, requires_grad)
    t = Tensor._make(arr)
    t._rg = bool(requires_grad)
    return t


def zeros(*shape, dtype=DEFAULT_DTYPE, requires_grad=False, device=None):
    """A tensor of zeros: ``zeros(2, 3)`` or ``zeros((2, 3))``; ``device`` as in PyTorch
    (``"cpu"``, ``"cuda"``, ``"strict"``; None: the default device)."""
    return _leaf(_backend(device).zeros(_shape(shape), dtype), requires_grad)


def ones(*shape, dtype=DEFAULT_DTYPE, requires_grad=False, device=None):
    return _leaf(_backend(device).ones(_shape(shape), dtype), requires_grad)


def empty(*shape, dtype=DEFAULT_DTYPE, requires_grad=False, device=None):
    return _leaf(_backend(device).empty(_shape(shape), dtype), requires_grad)


def full(shape, fill_value, dtype=None, requires_grad=False, device=None):
    """A tensor of ``shape`` filled with ``fill_value`` (float32 for float values)."""
    shape = (shape,) if isinstance(shape, int) else tuple(shape)
    if dtype is None:
        dtype = DEFAULT_DTYPE if isinstance(fill_value, float) else np.asarray(fill_value).dtype
    return _leaf(_backend(device).full(shape, fill_value, dtype), requires_grad)


def eye(n, m=None, dtype=DEFAULT_DTYPE, requires_grad=False, device=None):
    return _leaf(_backend(device).eye(n, m, dtype), requires_grad)


def arange(start, end=None, step=1, dtype=None, requires_grad=False, device=None):
    """Evenly spaced values in [start, end): int64 for integer arguments, float32 otherwise."""
    if end is None:
        start, end = 0, start
    if dtype is None:
        dtype = np.int64 if all(isinstance(v, (int, np.integer)) for v in (start, end, step)) else DEFAULT_DTYPE
    return _leaf(_backend(device).arange(start, end, step, dtype), requires_grad)


def linspace(start, end, steps, dtype=DEFAULT_DTYPE, requires_grad=False, device=None):
    return _leaf(_backend(device).linspace(start, end, steps, dtype), requires_grad)


def _size(shape, size, name):
    """The shape of a random draw: positional sizes or PyTorch's ``size=`` keyword."""
    if size is not None:
        if shape:
            raise TypeError(f"{name}: give the shape positionally or as size=, not both")
        return _shape((size,) if isinstance(size, (int, np.integer)) else (tuple(size),))
    return _shape(shape)


def randn(*shape, size=None, generator=None, dtype=DEFAULT_DTYPE, requires_grad=False, device=None):
    """Standard normal samples: ``randn(2, 3)``, ``randn((2, 3))`` or ``randn(size=(2, 3))``;
    ``generator`` an ``ag.Generator`` (default: the library's)."""
    draw = _backend(device).draw(rng(generator, "randn"), "standard_normal", _size(shape, size, "randn"))
    return _leaf(draw.astype(dtype, copy=False), requires_grad)


def rand(*shape, size=None, generator=None, dtype=DEFAULT_DTYPE, requires_grad=False, device=None):
    """Uniform samples in [0, 1); shapes and ``generator`` as :func:`randn`."""
    draw = _backend(device).draw(rng(generator, "rand"), "random", _size(shape, size, "rand"))
    return _leaf(draw.astype(dtype, copy=False), requires_grad)


def _tuple_size(size):
    return (size,) if isinstance(size, (int, np.integer)) else tuple(size)


def normal(mean=0.0, std=1.0, size=(), dtype=DEFAULT_DTYPE, requires_grad=False, *, generator=None,
           device=None):
    """Samples of N(mean, std^2) of shape ``size``."""
    draw = _backend(device).draw(rng(generator, "normal"), "normal", mean, std, _tuple_size(size))
    return _leaf(draw.astype(dtype, copy=False), requires_grad)


def uniform(low=0.0, high=1.0, size=(), dtype=DEFAULT_DTYPE, requires_grad=False, *, generator=None,
            device=None):
    """Samples of U(low, high) of shape ``size``."""
    draw = _backend(device).draw(rng(generator, "uniform"), "uniform", low, high, _tuple_size(size))
    return _leaf(draw.astype(dtype, copy=False), requires_grad)


def bernoulli(p, size=None, dtype=DEFAULT_DTYPE, *, generator=None, device=None):
    """1 with probability ``p`` (a number or an array of probabilities), else 0; on
    ``p``'s device when ``p`` is a tensor."""
    if isinstance(p, Tensor):
        p = p.array
        b = get_backend(device) if device is not None else _backend(p_device(p))
    else:
        b = _backend(device)
    size = np.shape(p) if size is None else _tuple_size(size)
    return _leaf((b.draw(rng(generator, "bernoulli"), "random", size) < p).astype(dtype), False)


def randint(low, high=None, size=(), dtype=np.int64, *, generator=None, device=None):
    """Integers in [low, high): ``randint(high, size)`` or ``randint(low, high, size)``."""
    if high is None:
        low, high = 0, low
    elif isinstance(high, (tuple, list)):  # randint(high, size): PyTorch's two-argument form
        low, high, size = 0, low, high
    return _leaf(_backend(device).draw(rng(generator, "randint"), "integers", low, high,
                                       _tuple_size(size), dtype=dtype), False)


def randperm(n, dtype=np.int64, *, generator=None, device=None):
    """A random permutation of 0 .. n-1."""
    return _leaf(_backend(device).draw(rng(generator, "randperm"), "permutation", n).astype(dtype), False)


def from_numpy(arr):
    """A tensor sharing memory with a numpy array (no copy, dtype kept)."""
    return Tensor(np.asarray(arr))
