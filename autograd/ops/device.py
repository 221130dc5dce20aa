"""Moving a tensor between devices, as a differentiable op.

``y = x.to(device)`` copies the values to another array library (numpy on the CPU,
CuPy on a GPU, the strict test device); dy/dx = 1, so the gradient is the incoming
gradient moved back to x's device (PyTorch's rule: ``x.cuda()`` is differentiable).
"""
from ..backend import _BY_TYPE, device_of, get_backend, to_device
from .registry import primitive

__all__ = ["move", "to_device_tensor"]


def to_device_tensor(t, dev):
    """Tensor ``t`` on device ``dev``: ``t`` itself when it is there already, else a
    differentiable copy (``Tensor.to``)."""
    b = get_backend(dev)
    if _BY_TYPE.get(type(t.array)) is b:
        return t
    return move(t, device=b.device)


@primitive("to_device", uses=(), public="Tensor.to")
def move(x, device):
    """y = x on ``device``;  dy/dx = 1 (the gradient moves back to x's device)."""
    return to_device(x, device)


@move.defvjp
def to_device_vjp(ns, n, g, out, x):
    src = device_of(ns.value(x))
    if ns.create_graph:  # recorded: the move back is itself differentiable
        return (move(g, device=src),)
    return (to_device(g, src),)
