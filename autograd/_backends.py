"""The array libraries behind ``autograd.backend``: one :class:`Backend` per library
(numpy, the strict test device, CuPy), holding the few things they spell differently,
and :class:`device`, PyTorch's device names. See ``autograd.backend`` for the seam
itself (which backend an array or a device has). CuPy is imported only when a ``cuda``
device is first used (:func:`load_cupy`).
"""
import numpy as np

from .strict import StrictArray, wrap as _wrap_strict

__all__ = ["GPU_INSTALL", "device", "Backend", "StrictBackend", "CupyBackend", "load_cupy"]

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


def _device_name(a):
    """The device of a device array (strict, CuPy); None for host data."""
    t = type(a)
    if t is StrictArray:
        return "strict"
    if t.__module__.split(".")[0] == "cupy":
        return f"cuda:{a.device.id}"
    return None


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
        other = _device_name(a)
        if other is not None:
            raise RuntimeError(
                f"expected an array on {self.device} but got one on {other}; "
                f"move it with .to({str(self.device)!r})")
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


class CupyBackend(Backend):
    """Arrays in GPU memory; kernels from CuPy (cuBLAS for matrix products)."""

    name = "cupy"

    def __init__(self, dev, cupy, cupyx):
        super().__init__(dev)
        self.xp = cupy
        self.cupyx = cupyx
        self.array_type = cupy.ndarray
        self._gpu = cupy.cuda.Device(dev.index)

    def from_host(self, a, dtype=None):
        with self._gpu:
            if isinstance(a, self.array_type):  # another GPU: a peer copy
                return self.xp.array(a, dtype=dtype, copy=True)
            return self.xp.asarray(np.asarray(a, dtype=dtype))

    def to_host(self, a):
        return a.get()

    def zeros(self, shape, dtype=np.float32):
        with self._gpu:
            return self.xp.zeros(shape, dtype)

    def ones(self, shape, dtype=np.float32):
        with self._gpu:
            return self.xp.ones(shape, dtype)

    def empty(self, shape, dtype=np.float32):
        with self._gpu:
            return self.xp.empty(shape, dtype)

    def full(self, shape, value, dtype=None):
        with self._gpu:
            return self.xp.full(shape, value, dtype)

    def arange(self, start, stop=None, step=1, dtype=None):
        with self._gpu:
            return self.xp.arange(start, stop, step, dtype=dtype)

    def eye(self, n, m=None, dtype=np.float32):
        with self._gpu:
            return self.xp.eye(n, m, dtype=dtype)

    def linspace(self, start, stop, num, dtype=np.float32):
        with self._gpu:
            return self.xp.linspace(start, stop, num, dtype=dtype)

    def scatter_add(self, target, index, values):
        self.cupyx.scatter_add(target, index, values)

    def as_strided(self, x, shape, strides):
        return self.xp.lib.stride_tricks.as_strided(x, shape, strides)

    def ascontiguousarray(self, x, dtype=None):
        return self.xp.ascontiguousarray(x, dtype=dtype)

    def erf(self, x, host_erf):
        from cupyx.scipy.special import erf

        return erf(x)

    def draw(self, rng, method, *args, **kwargs):
        # NOTE: the large draws (standard normal, uniform: initialisation, dropout masks)
        # are made on the GPU by a CuPy stream seeded from the host generator, so
        # ag.manual_seed still makes a run reproducible and no mask crosses the bus;
        # the small ones (integers, permutations) are drawn on the host and copied.
        if method in ("standard_normal", "random"):
            seed = int(rng.integers(0, 2 ** 63 - 1))
            with self._gpu:
                gen = self.xp.random.RandomState(seed)
                size = args[0] if args else kwargs.get("size")
                if method == "random":
                    return gen.random_sample(size)
                return gen.standard_normal(size)
        return self.from_host(getattr(rng, method)(*args, **kwargs))

    def synchronize(self):
        self.xp.cuda.Device(self.device.index).synchronize()


def load_cupy(dev):
    """The CuPy backend of ``dev`` (a ``cuda`` device), or a clear error saying what is
    missing and how to install it."""
    try:
        import cupy
        import cupyx
    except ImportError as e:
        found = getattr(e, "name", None) not in ("cupy", "cupyx")  # installed, but failed
        what = "CuPy is installed but failed to import" if found else "CuPy is not installed"
        detail = str(e).strip().splitlines()
        raise RuntimeError(
            f"device {str(dev)!r} needs CuPy and an NVIDIA GPU, but {what} "
            f"({detail[-2].strip() if found and len(detail) > 1 else e}); install it with: "
            f"{GPU_INSTALL}  (the CuPy wheel for CUDA 12, cupy-cuda12x), or keep the tensors "
            "on 'cpu'") from None
    try:
        count = cupy.cuda.runtime.getDeviceCount()
    except Exception as e:  # CUDA driver missing or broken
        raise RuntimeError(
            f"device {str(dev)!r}: CuPy is installed but no CUDA GPU is usable ({e}); check the "
            f"NVIDIA driver (nvidia-smi), reinstall with {GPU_INSTALL}, or keep the tensors on "
            "'cpu'") from None
    if dev.index >= count:
        raise RuntimeError(
            f"device {str(dev)!r} does not exist: this machine has {count} CUDA GPU(s), "
            f"cuda:0 .. cuda:{count - 1}" if count else
            f"device {str(dev)!r}: no CUDA GPU is visible; keep the tensors on 'cpu'")
    return CupyBackend(dev, cupy, cupyx)
