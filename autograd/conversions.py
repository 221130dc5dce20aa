"""Tensor's conversions in PyTorch's spelling: ``to``, ``type``, ``float``,
``double`` ... and ``cpu``; bound to the class by ``autograd.methods``. Each is a
dtype conversion (``astype``), a move between devices (``autograd.backend``), or nothing."""
import numpy as np

from ._tensor import Tensor
from .ops.device import to_device_tensor

__all__ = ["CONVERSIONS"]


_TYPE_NAMES = {"float32": "FloatTensor", "float64": "DoubleTensor", "float16": "HalfTensor",
               "int64": "LongTensor", "int32": "IntTensor", "bool": "BoolTensor"}


def _is_dtype_name(s):
    try:
        np.dtype(s)
        return True
    except TypeError:
        return False


def to(self, *args, dtype=None, device=None, copy=False, non_blocking=False):
    """PyTorch's ``to``: ``t.to(dtype)``, ``t.to("cuda")``, ``t.to("cpu", dtype)``,
    ``t.to(other_tensor)`` (its dtype and device). The result is ``self`` when nothing
    changes; a move to another device is differentiable (the gradient moves back)."""
    for a in args:
        if isinstance(a, Tensor):
            dtype, device = a.dtype, a.device
        elif isinstance(a, str) and not _is_dtype_name(a):
            device = a
        else:
            dtype = a
    out = self
    if device is not None:
        out = to_device_tensor(self, device)
    if dtype is not None:
        out = out.astype(dtype)
    return out.clone() if copy and out is self else out


def cpu(self):
    """This tensor on the CPU (itself when it is there already)."""
    return self if type(self.array) is np.ndarray else to(self, "cpu")


def cuda(self, device=None, non_blocking=False):
    """This tensor on a GPU (``cuda:0`` by default); needs CuPy (``pip install
    "gradtable[gpu]"``)."""
    return to(self, "cuda" if device is None else f"cuda:{device}" if isinstance(device, int) else device)


def type_(self, dtype=None):
    """With no argument the type name (PyTorch's style); otherwise ``to(dtype)``."""
    if dtype is None:
        return f"ag.{_TYPE_NAMES.get(self.array.dtype.name, self.array.dtype.name)}"
    return self.astype(dtype)


def float_(self):
    return self.astype(np.float32)


def double_(self):
    return self.astype(np.float64)


def half_(self):
    return self.astype(np.float16)


def long_(self):
    return self.astype(np.int64)


def int_(self):
    return self.astype(np.int32)


def bool_(self):
    return self.astype(np.bool_)


CONVERSIONS = {"to": to, "cpu": cpu, "cuda": cuda, "type": type_, "float": float_, "double": double_,
               "half": half_, "long": long_, "int": int_, "bool": bool_}
