"""Fully connected layers and shape helpers: Linear, Bilinear, Identity, Flatten, Unflatten."""
import math

import numpy as np

import autograd as ag

from . import init
from .functional.linear import bilinear as _bilinear, linear as _linear
from .module import Module, Parameter

__all__ = ["Linear", "Bilinear", "Identity", "Flatten", "Unflatten"]


def _dtype(dtype):
    return np.dtype(np.float32 if dtype is None else dtype)


class Identity(Module):
    """y = x (accepts and ignores any constructor arguments, like PyTorch)."""

    def __init__(self, *args, **kwargs):
        super().__init__()

    def forward(self, input):  # noqa: A002
        return input


class Linear(Module):
    """Fully connected layer: y = x W^T + b (the notes' z = a W + b with W transposed).

    Shapes: input (*, in_features) -> output (*, out_features).
    Parameters: ``weight`` (out_features, in_features), ``bias`` (out_features,) or None.
    Default initialisation (PyTorch's): weight ~ kaiming_uniform_(a=sqrt(5)), which is
    U(-1/sqrt(in_features), 1/sqrt(in_features)); bias ~ the same uniform.
    """

    def __init__(self, in_features, out_features, bias=True, dtype=None):
        super().__init__()
        self.in_features = int(in_features)
        self.out_features = int(out_features)
        dt = _dtype(dtype)
        self.weight = Parameter(np.empty((self.out_features, self.in_features), dtype=dt))
        if bias:
            self.bias = Parameter(np.empty((self.out_features,), dtype=dt))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        """Re-draw the default initialisation (see the class docstring)."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            bound = 1 / math.sqrt(self.in_features) if self.in_features > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input):  # noqa: A002
        p = self.__dict__["_parameters"]
        if "weight" in p and "bias" in p:  # NOTE: the usual case, without __getattr__'s search
            return _linear(input, p["weight"], p["bias"])
        return _linear(input, self.weight, self.bias)

    def extra_repr(self):
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")


class Bilinear(Module):
    """y_k = x1^T A_k x2 + b_k.  Inputs (N, in1), (N, in2) -> (N, out).
    Parameters: ``weight`` (out, in1, in2), ``bias`` (out,); both ~ U(-1/sqrt(in1), 1/sqrt(in1))."""

    def __init__(self, in1_features, in2_features, out_features, bias=True, dtype=None):
        super().__init__()
        self.in1_features, self.in2_features, self.out_features = in1_features, in2_features, out_features
        dt = _dtype(dtype)
        self.weight = Parameter(np.empty((out_features, in1_features, in2_features), dtype=dt))
        if bias:
            self.bias = Parameter(np.empty((out_features,), dtype=dt))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        bound = 1 / math.sqrt(self.in1_features)
        init.uniform_(self.weight, -bound, bound)
        if self.bias is not None:
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input1, input2):
        return _bilinear(input1, input2, self.weight, self.bias)

    def extra_repr(self):
        return (f"in1_features={self.in1_features}, in2_features={self.in2_features}, "
                f"out_features={self.out_features}, bias={self.bias is not None}")


class Flatten(Module):
    """Merge dims ``start_dim``..``end_dim`` into one: (N, C, H, W) -> (N, C*H*W) by default."""

    def __init__(self, start_dim=1, end_dim=-1):
        super().__init__()
        self.start_dim, self.end_dim = start_dim, end_dim

    def forward(self, input):  # noqa: A002
        return ag.flatten(input, self.start_dim, self.end_dim)

    def extra_repr(self):
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Unflatten(Module):
    """Split dim ``dim`` into ``unflattened_size``: (N, 12) -> (N, 3, 4)."""

    def __init__(self, dim, unflattened_size):
        super().__init__()
        self.dim, self.unflattened_size = dim, tuple(unflattened_size)

    def forward(self, input):  # noqa: A002
        d = self.dim % input.ndim
        return ag.reshape(input, input.shape[:d] + self.unflattened_size + input.shape[d + 1:])

    def extra_repr(self):
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"
