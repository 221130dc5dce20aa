"""PyTorch's ``torch.cuda`` helpers: is a GPU usable, how many, wait for it.

    device = "cuda" if ag.cuda.is_available() else "cpu"

GPU arrays come from CuPy (``pip install "gradtable[gpu]"``), loaded only when a
``cuda`` device is first used.
"""
from .backend import cuda_available, get_backend

__all__ = ["is_available", "device_count", "synchronize"]


def is_available():
    """True when CuPy is installed and a CUDA GPU is usable."""
    return cuda_available()


def device_count():
    """The number of usable CUDA GPUs (0 without CuPy or a driver)."""
    if not cuda_available():
        return 0
    import cupy

    return cupy.cuda.runtime.getDeviceCount()


def synchronize(device="cuda:0"):
    """Wait until every kernel queued on ``device`` has finished (for timing)."""
    get_backend(device).synchronize()
