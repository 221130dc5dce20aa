"""The CuPy backend (NVIDIA GPUs), loaded on the first use of a ``cuda`` device.

CuPy is an optional dependency: ``pip install "gradtable[gpu]"`` installs the CuPy
wheel for CUDA 12 (``cupy-cuda12x``). Nothing here is imported unless a tensor is
asked for on ``cuda``.
"""
import numpy as np

from .backend import GPU_INSTALL, Backend

__all__ = ["load", "CupyBackend"]


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


def load(dev):
    """The CuPy backend of ``dev`` (a ``cuda`` device), or a clear error saying what is
    missing and how to install it."""
    try:
        import cupy
        import cupyx
    except ImportError as e:
        raise RuntimeError(
            f"device {str(dev)!r} needs CuPy and an NVIDIA GPU, but CuPy is not installed "
            f"({e}); install it with: {GPU_INSTALL}  (the CuPy wheel for CUDA 12, "
            "cupy-cuda12x), or keep the tensors on 'cpu'") from None
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
