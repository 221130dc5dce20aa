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

from .strict import StrictArray, wrap as _wrap_strict

__all__ = ["Backend", "device", "backend_of", "get_backend", "device_of", "set_default_device",
           "get_default_device", "default_backend", "NUMPY", "STRICT", "GPU_INSTALL",
           "same_device", "is_array", "to_device", "to_host", "cuda_available"]

GPU_INSTALL = 'pip install "gradtable[gpu]"'


class device(str):
    """A device name, PyTorch's ``torch.device``: ``device("cuda")`` is ``"cuda:0"``.

    It is a ``str`` (``t.device == "cpu"`` holds) with PyTorch's ``type`` and
    ``index`` attributes.
    """

    def __new__(cls, spec, index=None):
        if isinstance(spec, device):
            return spec
        spec = str(spec).strip()
        kind, _, num = spec.partition(":")
        if index is None and num:
            if not num.isdigit():
                raise RuntimeError(f"invalid device string {spec!r}: the index must be an integer")
            index = int(num)
        if kind not in ("cpu", "cuda", "strict"):
            raise RuntimeError(
                f"unknown device {spec!r}: expected 'cpu', 'cuda', 'cuda:N' or 'strict' "
                "(the CuPy-like test device)")
        if kind == "cuda":
            index = 0 if index is None else int(index)
            self = super().__new__(cls, f"cuda:{index}")
        else:
            if index not in (None, 0):
                raise RuntimeError(f"device {kind!r} has no index {index}; use {kind!r}")
            self = super().__new__(cls, kind)
            index = None
        self.type, self.index = kind, index
        return self

    def __repr__(self):
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"


class Backend:
    """An array library: its module ``xp`` and the kernels spelled differently in it."""

    name = "numpy"
    xp = np
    array_type = np.ndarray

    def __init__(self, dev):
        self.device = device(dev)

    # --------------------------------------------------------------- moving data
    def is_array(self, a):
        return type(a) is self.array_type

    def from_host(self, a, dtype=None):
        """This device's copy of the numpy array (or number, or nested list) ``a``."""
        return np.asarray(a, dtype=dtype)

    def to_host(self, a):
        """The numpy array of ``a``, an array of this backend (no copy on the CPU)."""
        return a

    def asarray(self, a, dtype=None):
        """``a`` on this device: an array of this backend is kept (converted to ``dtype``),
        host data is copied in. An array of another device raises."""
        if type(a) is self.array_type:
            return a if dtype is None or a.dtype == dtype else a.astype(dtype)
        other = _array_backend(a)
        if other is not None and other is not self and other is not NUMPY:
            raise RuntimeError(
                f"expected an array on {self.device} but got one on {other.device}; "
                f"move it with .to({self.device!r})")
        return self.from_host(a, dtype)

    # --------------------------------------------------------------- creation
    def zeros(self, shape, dtype=np.float32):
        return np.zeros(shape, dtype)

    def ones(self, shape, dtype=np.float32):
        return np.ones(shape, dtype)

    def empty(self, shape, dtype=np.float32):
        return np.empty(shape, dtype)

    def full(self, shape, value, dtype=None):
        return np.full(shape, value, dtype)

    def arange(self, start, stop=None, step=1, dtype=None):
        return np.arange(start, stop, step, dtype=dtype)

    def eye(self, n, m=None, dtype=np.float32):
        return np.eye(n, m, dtype=dtype)

    def linspace(self, start, stop, num, dtype=np.float32):
        return np.linspace(start, stop, num, dtype=dtype)

    # --------------------------------------------------------------- kernels
    def scatter_add(self, target, index, values):
        """``target[index] += values`` in place, adding once per repeated index."""
        np.add.at(target, index, values)

    def as_strided(self, x, shape, strides):
        """A read-only strided view of ``x`` (sliding windows; ``strides`` in bytes)."""
        return np.lib.stride_tricks.as_strided(x, shape, strides, writeable=False)

    def ascontiguousarray(self, x, dtype=None):
        return np.ascontiguousarray(x, dtype=dtype)

    def erf(self, x, host_erf):
        """The error function of a float array (``host_erf``: scipy's, a numpy ufunc)."""
        return host_erf(x)

    def draw(self, rng, method, *args, **kwargs):
        """``rng.method(*args, **kwargs)`` of the host generator ``rng`` (a
        ``numpy.random.Generator``), made on this device."""
        return getattr(rng, method)(*args, **kwargs)

    def synchronize(self):
        """Wait until queued device work is done (a no-op off the GPU)."""

    def __repr__(self):
        return f"<backend {self.name} on {self.device}>"


class StrictBackend(Backend):
    """The "strict" test device: numpy underneath, CuPy's rules on top."""

    name = "strict"
    array_type = StrictArray

    def from_host(self, a, dtype=None):
        if type(a) is StrictArray:  # another strict array: a copy, as between devices
            a = a._a
        # NOTE: always a copy: device memory is never the host's (as with CuPy), so a
        # test mutating the host array after a transfer catches shared-memory bugs.
        return StrictArray(np.array(a, dtype=dtype, copy=True))

    def to_host(self, a):
        return a.get()

    def zeros(self, shape, dtype=np.float32):
        return StrictArray(np.zeros(shape, dtype))

    def ones(self, shape, dtype=np.float32):
        return StrictArray(np.ones(shape, dtype))

    def empty(self, shape, dtype=np.float32):
        return StrictArray(np.empty(shape, dtype))

    def full(self, shape, value, dtype=None):
        if type(value) is StrictArray:
            value = value._a
        return StrictArray(np.full(shape, value, dtype))

    def arange(self, start, stop=None, step=1, dtype=None):
        return StrictArray(np.arange(start, stop, step, dtype=dtype))

    def eye(self, n, m=None, dtype=np.float32):
        return StrictArray(np.eye(n, m, dtype=dtype))

    def linspace(self, start, stop, num, dtype=np.float32):
        return StrictArray(np.linspace(start, stop, num, dtype=dtype))

    def as_strided(self, x, shape, strides):
        return StrictArray(np.lib.stride_tricks.as_strided(x._a, shape, strides, writeable=False))

    def ascontiguousarray(self, x, dtype=None):
        return StrictArray(np.ascontiguousarray(x._a, dtype=dtype))

    def erf(self, x, host_erf):
        try:  # scipy's erf is a numpy ufunc: it dispatches to the data
            return host_erf(x)
        except TypeError:  # the fallback without scipy converts its input: run it on the host
            return _wrap_strict(np.asarray(host_erf(x._a), dtype=x.dtype))

    def draw(self, rng, method, *args, **kwargs):
        # the host generator's numbers, copied in: "strict" draws what "cpu" draws
        return _wrap_strict(np.asarray(getattr(rng, method)(*args, **kwargs)))


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
        from ._cupy_backend import load

        b = _CUDA[dev.index] = load(dev)
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


def to_device_tensor(t, dev):
    """Tensor ``t`` on device ``dev``: ``t`` itself when it is there already, else a
    differentiable copy (``Tensor.to``)."""
    b = get_backend(dev)
    if _BY_TYPE.get(type(t.array)) is b:
        return t
    from .ops.device import move

    return move(t, device=b.device)


def asarray_like(data, like, dtype=None):
    """``data`` (host data, or an array) as an array on the device of array ``like``:
    ``np.asarray`` when ``like`` is a numpy array, else a copy onto like's device."""
    if type(like) is np.ndarray:
        return np.asarray(data, dtype=dtype)
    return backend_of(like).asarray(data, dtype)
