"""Module's conversions in PyTorch's spelling: ``to`` (a device, a dtype or both),
``cpu``, ``cuda``, ``double``, ``float``; bound to the class by ``nn.module``. They change
the parameters, buffers and gradients in place, so the Parameter objects (and any
optimizer holding them) stay the same."""
import numpy as np

import autograd as ag

__all__ = ["to", "double", "float_", "cpu", "cuda"]


def to(self, *args, dtype=None, device=None, non_blocking=False):
    """Move parameters, buffers and gradients to ``device`` and convert the floating
    ones to ``dtype``, in place (PyTorch's ``Module.to``): ``model.to("cuda")``,
    ``model.to(ag.float64)``, ``model.to("strict", "float64")``,
    ``model.to(device=d)``. The Parameter objects stay the same, so an optimizer made
    before or after the move keeps working (its state follows on its next step)."""
    for a in args:
        if isinstance(a, ag.Tensor):
            device = a.device
        elif isinstance(a, str) and a.split(":")[0] in ("cpu", "cuda", "strict", "mps"):
            device = a
        else:
            dtype = a
    if dtype is not None:
        dtype = np.dtype(dtype)
        if dtype.kind != "f":
            raise TypeError(f"Module.to only accepts floating-point dtypes, got {dtype}")
    if device is not None:
        device = ag.backend.get_backend(device).device  # raises here for a missing GPU

    def convert(arr):
        if device is not None:
            arr = ag.backend.to_device(arr, device)
        if dtype is not None and arr.dtype.kind == "f" and arr.dtype != dtype:
            arr = arr.astype(dtype)
        return arr

    for t in [*self.parameters(), *self.buffers()]:
        if t is None:
            continue
        t.array = convert(t.array)
        if t._grad is not None:
            t._grad = ag.Tensor._make(convert(t._grad.array))
    return self

def double(self):
    """Convert floating parameters and buffers to float64 in place."""
    return self.to(np.float64)

def float_(self):
    """Convert floating parameters and buffers to float32 in place."""
    return self.to(np.float32)

def cpu(self):
    """Move every parameter, buffer and gradient to the CPU (``to("cpu")``)."""
    return self.to("cpu")

def cuda(self, device=None):
    """Move every parameter, buffer and gradient to a GPU (``to("cuda")``); needs
    CuPy: ``pip install "gradtable[gpu]"``."""
    return self.to("cuda" if device is None else
                   f"cuda:{device}" if isinstance(device, int) else device)

# ------------------------------------------------------------ state
