"""Which array library a tensor lives in: numpy (the default), CuPy on an NVIDIA GPU, or
the "strict" test device.

One :class:`Backend` per array library holds the few things numpy and CuPy spell
differently; everything else in the library is written with numpy's functions, which
dispatch to CuPy (and to the strict device) through numpy's protocols (NEP 13 and 18):
``np.tanh(x)`` on a CuPy array runs CuPy's kernel. What cannot dispatch lives here:

* creation from a shape (``zeros``, ``ones``, ``empty``, ``full``, ``arange``, ``eye``,
  ``linspace``): nothing tells numpy which library to make the array in;
* moving data: :meth:`Backend.asarray` (onto this device), :meth:`Backend.to_host`
  (a numpy array), :meth:`Backend.from_host`;
* the kernels whose numpy spelling converts its argument to numpy: scatter-add
  (``np.add.at`` / ``cupyx.scatter_add``), strided windows (``as_strided``),
  ``ascontiguousarray``;
* random draws (:meth:`Backend.draw`): numpy's generator on the host, CuPy's on the GPU.

Devices are named as in PyTorch: ``"cpu"``, ``"cuda"`` / ``"cuda:0"``, and
``"strict"``, a test device whose arrays behave like CuPy's but are numpy underneath
(``autograd.strict``). :func:`backend_of` gives an array's backend, :func:`get_backend`
a device's; :func:`set_default_device` picks where new tensors are made.

NOTE: the numpy backend is the fast path everywhere: callers test
``type(a) is np.ndarray`` before asking for a backend, so CPU code pays nothing.
"""
import numpy as np

from ._backends import GPU_INSTALL, Backend, StrictBackend, device, load_cupy
from .strict import StrictArray

__all__ = ["Backend", "device", "backend_of", "get_backend", "device_of", "set_default_device",
           "get_default_device", "default_backend", "NUMPY", "STRICT", "GPU_INSTALL",
           "same_device", "is_array", "to_device", "to_host", "cuda_available"]

NUMPY = Backend("cpu")
STRICT = StrictBackend("strict")
_BY_TYPE = {np.ndarray: NUMPY, StrictArray: STRICT}
_CUDA = {}  # index -> CupyBackend, made on first use
_DEFAULT = [NUMPY]


def _array_backend(a):
    """The backend of an array, or None for host data that is not an array of a device."""
    b = _BY_TYPE.get(type(a))
    if b is not None or type(a).__module__.split(".")[0] != "cupy":
        return b
    return get_backend(f"cuda:{a.device.id}")


def backend_of(a):
    """The backend of array ``a`` (numpy for numbers, numpy scalars and lists)."""
    b = _BY_TYPE.get(type(a))
    if b is not None:
        return b
    return _array_backend(a) or NUMPY


def device_of(a):
    """The device of array ``a``, as a :class:`device`."""
    return backend_of(a).device


def is_array(a):
    """True for an array of any backend (numpy, strict, CuPy)."""
    return type(a) in _BY_TYPE or _array_backend(a) is not None


def get_backend(dev=None):
    """The backend of device ``dev`` (a name, a :class:`device`, or None: the default)."""
    if dev is None:
        return _DEFAULT[0]
    if isinstance(dev, Backend):
        return dev
    if dev == "cpu":
        return NUMPY
    dev = device(dev)
    if dev.type == "cpu":
        return NUMPY
    if dev.type == "strict":
        return STRICT
    b = _CUDA.get(dev.index)
    if b is None:
        b = _CUDA[dev.index] = load_cupy(dev)
        _BY_TYPE.setdefault(b.array_type, b)
    return b


def to_device(a, dev):
    """Array ``a`` (of any device, or host data) on device ``dev``: ``a`` itself when it
    is there already, else a copy (through the host between two devices)."""
    b = get_backend(dev)
    src = _array_backend(a)
    if src is b:
        return a
    if src is not None and src is not NUMPY:
        a = src.to_host(a)
    return b.from_host(a)


def to_host(a):
    """The numpy array of ``a`` (an array of any device; numpy arrays as they are)."""
    if type(a) is np.ndarray:
        return a
    b = _array_backend(a)
    return np.asarray(a) if b is None else b.to_host(a)


def cuda_available():
    """True when CuPy is installed and a CUDA GPU is usable (``ag.cuda.is_available()``)."""
    try:
        get_backend("cuda:0")
    except RuntimeError:
        return False
    return True


def same_device(what, arrays):
    """Raise PyTorch's error if ``arrays`` live on more than one device; ``what`` names
    the operation."""
    seen = None
    for a in arrays:
        d = device_of(a)
        if seen is None:
            seen = d
        elif d != seen:
            raise RuntimeError(
                f"{what}: expected all tensors to be on the same device, but found at least two "
                f"devices, {seen} and {d}! Move them with .to({str(seen)!r}) or .to({str(d)!r}) first")


def set_default_device(dev):
    """Make new tensors (``ag.tensor``, ``ag.zeros``, ``ag.randn``...) on ``dev`` unless a
    ``device=`` argument says otherwise (PyTorch's ``torch.set_default_device``)."""
    _DEFAULT[0] = NUMPY if dev is None else get_backend(dev)


def get_default_device():
    return _DEFAULT[0].device


def default_backend():
    return _DEFAULT[0]


def asarray_like(data, like, dtype=None):
    """``data`` (host data, or an array) as an array on the device of array ``like``:
    ``np.asarray`` when ``like`` is a numpy array, else a copy onto like's device."""
    if type(like) is np.ndarray:
        return np.asarray(data, dtype=dtype)
    return backend_of(like).asarray(data, dtype)
