"""Tensor's conversions in PyTorch's spelling: ``to``, ``type``, ``float``,
``double`` ... and ``cpu``; bound to the class by ``autograd.methods``. Each is a
dtype conversion (``astype``) or nothing."""
import numpy as np

from ._tensor import Tensor

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
    """PyTorch's ``to``: ``t.to(dtype)``, ``t.to("cpu")``, ``t.to(other_tensor)``."""
    for a in args:
        if isinstance(a, Tensor):
            dtype = a.dtype
        elif isinstance(a, str) and not _is_dtype_name(a):
            device = a
        else:
            dtype = a
    if device is not None and str(device) != "cpu":
        raise RuntimeError(
            f"to: device {device!r} is not available; gradtable tensors live on 'cpu'")
    out = self if dtype is None else self.astype(dtype)
    return out.clone() if copy and out is self else out


def cpu(self):
    """This tensor (it already lives on the CPU)."""
    return self


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


CONVERSIONS = {"to": to, "cpu": cpu, "type": type_, "float": float_, "double": double_,
               "half": half_, "long": long_, "int": int_, "bool": bool_}
