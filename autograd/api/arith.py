"""The hand-written public faces of elementwise, arithmetic and logic ops: those whose
arguments need more than the generated faces give (``autograd.api.generated``):
integer division, constant exponents, tensor bounds, dtype conversion, bitwise ops
that are logical on bools. Each is a thin wrapper over registered ops.
"""
import numpy as np

from ..arguments import binary, is_int, lift, to_tensor
from ..backend import asarray_like, is_array
from ..ops import binary as B
from ..ops import elementwise as E
from .._tensor import Tensor
from .generated import maximum, minimum

__all__ = ["div", "pow", "where", "square", "clip", "clamp", "astype", "clone", "bitwise_and",
           "bitwise_or", "bitwise_xor", "bitwise_not", "zeros_like", "ones_like", "full_like",
           "is_tensor"]


def div(x, y):
    """x / y with broadcasting. Two integer operands divide as floats of the default
    dtype (float32), as in PyTorch: ``ag.tensor([1, 2]) / 2`` is ``[0.5, 1.]``."""
    if is_int(x) and is_int(y):
        x = astype(to_tensor(x), np.float32)
    return binary(B.div, "div", x, y)


def pow(x, y):  # noqa: A001 - the PyTorch name
    """x ** y. A constant (non-tensor) exponent uses the exact rule p x^(p-1)."""
    x = to_tensor(x) if not isinstance(y, Tensor) else x
    if not isinstance(y, Tensor) and np.ndim(y) == 0:
        return E.pow_scalar(x, p=float(y) if not isinstance(y, int) else y)
    return binary(B.pow_, "pow", x, y)


def where(cond, x, y):
    """x where cond is True, else y (broadcasting all three)."""
    cond = cond.array if isinstance(cond, Tensor) else cond
    on_device = type(cond) is not np.ndarray and is_array(cond)
    if not isinstance(x, Tensor) and isinstance(y, Tensor):
        x = lift(x, y)
    if not isinstance(x, Tensor):
        x = to_tensor(x) if not on_device else Tensor._make(asarray_like(to_tensor(x).array, cond))
    y = lift(y, x)
    # the condition never gets a gradient; it lives on the branches' device
    if on_device:
        cond = Tensor._make(cond if cond.dtype == np.bool_ else cond.astype(bool))
    elif type(x.array) is np.ndarray:
        cond = Tensor._make(np.asarray(cond, dtype=bool))
    else:
        cond = Tensor._make(asarray_like(cond, x.array, bool))
    try:
        return B.where(cond, x, y)
    except ValueError:
        raise ValueError(
            f"where: shapes {cond.shape}, {x.shape} and {y.shape} cannot be broadcast together "
            "(trailing dimensions must be equal or 1); reshape or unsqueeze the condition or a branch"
        ) from None


def square(x):
    return pow(x, 2)


def clip(x, min=None, max=None):  # noqa: A002 - PyTorch's names
    """Clamp to [min, max]; the gradient is 1 inside (bounds included), 0 outside."""
    if min is None and max is None:
        raise ValueError("clip: give at least one of min and max")
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        # tensor bounds: a composite, so the bounds get gradients too (ties split evenly)
        out = to_tensor(x)
        if min is not None:
            out = maximum(out, min)
        if max is not None:
            out = minimum(out, max)
        return out
    return E.clip(to_tensor(x), lo=min, hi=max)


clamp = clip


def astype(x, dtype):
    """A copy converted to ``dtype``. Differentiable between floating dtypes; a
    conversion to an integer or bool dtype gives a tensor outside the graph."""
    x = to_tensor(x)
    dtype = np.dtype(dtype)
    if dtype == x.array.dtype:
        return x
    if dtype.kind not in "fc":
        return Tensor._make(x.array.astype(dtype))
    return E.astype(x, dtype=dtype)


def clone(x):
    return E.clone(to_tensor(x))


def _bitwise(op, logical, name):
    """``& | ^`` as in PyTorch: bitwise on integers, logical on bools, refused on floats."""

    def fn(x, y):
        x = x if isinstance(x, Tensor) else lift(x, y)
        y = y if isinstance(y, Tensor) else lift(y, x)
        kinds = x.array.dtype.kind + y.array.dtype.kind
        if "f" in kinds or "c" in kinds:
            raise TypeError(f"{name}: only integer and bool tensors, got {x.dtype} and {y.dtype}")
        return binary(logical if kinds == "bb" else op, name, x, y)

    return fn


bitwise_and = _bitwise(B.bitwise_and, B.logical_and, "bitwise_and")


bitwise_or = _bitwise(B.bitwise_or, B.logical_or, "bitwise_or")


bitwise_xor = _bitwise(B.bitwise_xor, B.logical_xor, "bitwise_xor")


def bitwise_not(x):
    x = to_tensor(x)
    if x.array.dtype.kind in "fc":
        raise TypeError(f"bitwise_not: only integer and bool tensors, got {x.dtype}")
    return B.logical_not(x) if x.array.dtype.kind == "b" else B.bitwise_not(x)


def zeros_like(x, dtype=None, requires_grad=False):
    x = x.array if isinstance(x, Tensor) else np.asarray(x)
    return Tensor(np.zeros_like(x, dtype=dtype), requires_grad=requires_grad)


def ones_like(x, dtype=None, requires_grad=False):
    x = x.array if isinstance(x, Tensor) else np.asarray(x)
    return Tensor(np.ones_like(x, dtype=dtype), requires_grad=requires_grad)


def full_like(x, fill_value, dtype=None, requires_grad=False):
    x = x.array if isinstance(x, Tensor) else np.asarray(x)
    return Tensor(np.full_like(x, fill_value, dtype=dtype), requires_grad=requires_grad)


def is_tensor(obj):
    """True if ``obj`` is a Tensor (PyTorch's ``torch.is_tensor``)."""
    return isinstance(obj, Tensor)
