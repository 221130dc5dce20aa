"""Per-sample normalisation layers: LayerNorm, GroupNorm, RMSNorm (the math is in
``nn.functional.layernorm``). They keep no running statistics, so ``train()`` and
``eval()`` give the same outputs."""
import numpy as np

from . import init
from .functional.layernorm import _shape_arg, group_norm, layer_norm, rms_norm
from .module import Module, Parameter

__all__ = ["LayerNorm", "GroupNorm", "RMSNorm"]


def _dtype(dtype):
    return np.dtype(np.float32 if dtype is None else dtype)


class LayerNorm(Module):
    """y = (x - mean) / sqrt(var + eps) * gamma + beta over the last
    ``len(normalized_shape)`` dims of each sample (biased variance).

    Shapes: (*, *normalized_shape) -> the same. Parameters (``elementwise_affine``):
    ``weight`` (gamma, normalized_shape, init 1) and, if ``bias``, ``bias`` (beta,
    normalized_shape, init 0). eps=1e-5.
    """

    def __init__(self, normalized_shape, eps=1e-5, elementwise_affine=True, bias=True,
                 device=None, dtype=None):
        super().__init__()
        self.normalized_shape = _shape_arg(normalized_shape)
        self.eps, self.elementwise_affine = eps, elementwise_affine
        dt = _dtype(dtype)
        _affine_parameters(self, self.normalized_shape, elementwise_affine, bias, dt)

    def reset_parameters(self):
        """gamma = 1, beta = 0."""
        _reset_affine(self)

    def forward(self, input):  # noqa: A002
        return layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return (f"{self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.elementwise_affine}, bias={self.bias is not None}")


class GroupNorm(Module):
    """Group normalisation of (N, C, *) inputs: the C channels in ``num_groups`` groups,
    each normalised over its channels and positions, then y = xhat * gamma_c + beta_c.

    Shapes: (N, C, *) -> the same. Parameters (``affine``): ``weight`` (C,) init 1 and,
    if ``bias``, ``bias`` (C,) init 0. eps=1e-5. C must be divisible by num_groups.
    """

    def __init__(self, num_groups, num_channels, eps=1e-5, affine=True, device=None, dtype=None,
                 *, bias=True):
        super().__init__()
        if num_channels % num_groups:
            raise ValueError(f"GroupNorm: num_channels={num_channels} must be divisible by "
                             f"num_groups={num_groups}")
        self.num_groups, self.num_channels = int(num_groups), int(num_channels)
        self.eps, self.affine = eps, affine
        dt = _dtype(dtype)
        _affine_parameters(self, (self.num_channels,), affine, bias, dt)

    def reset_parameters(self):
        """gamma = 1, beta = 0."""
        _reset_affine(self)

    def forward(self, input):  # noqa: A002
        if input.ndim >= 2 and input.shape[1] != self.num_channels:
            raise ValueError(f"GroupNorm({self.num_groups}, {self.num_channels}) got an input "
                             f"with {input.shape[1]} channels (shape {tuple(input.shape)})")
        return group_norm(input, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return (f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}, "
                f"bias={self.bias is not None}")


class RMSNorm(Module):
    """y = x / sqrt(mean(x^2) + eps) * gamma over the last ``len(normalized_shape)`` dims.

    Shapes: (*, *normalized_shape) -> the same. Parameter (``elementwise_affine``):
    ``weight`` (gamma, normalized_shape, init 1). eps=None: the dtype's machine epsilon.
    """

    def __init__(self, normalized_shape, eps=None, elementwise_affine=True, device=None,
                 dtype=None):
        super().__init__()
        self.normalized_shape = _shape_arg(normalized_shape)
        self.eps, self.elementwise_affine = eps, elementwise_affine
        if elementwise_affine:
            self.weight = Parameter(np.empty(self.normalized_shape, dtype=_dtype(dtype)))
        else:
            self.register_parameter("weight", None)
        self.reset_parameters()

    def reset_parameters(self):
        """gamma = 1."""
        if self.weight is not None:
            init.ones_(self.weight)

    def forward(self, input):  # noqa: A002
        return rms_norm(input, self.normalized_shape, self.weight, self.eps)

    def extra_repr(self):
        return (f"{self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.elementwise_affine}")


def _affine_parameters(module, shape, affine, bias, dtype):
    """The learnt scale gamma (``weight``) and shift beta (``bias``) of a normalisation
    layer, of ``shape``, or None where ``affine``/``bias`` say so; then gamma = 1, beta = 0."""
    module.register_parameter("weight", Parameter(np.empty(shape, dtype=dtype)) if affine else None)
    module.register_parameter("bias", Parameter(np.empty(shape, dtype=dtype)) if affine and bias else None)
    _reset_affine(module)


def _reset_affine(module):
    if module.weight is not None:
        init.ones_(module.weight)
    if module.bias is not None:
        init.zeros_(module.bias)
