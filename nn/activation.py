"""Activation modules: thin wrappers over ``nn.functional`` (formulas and derivatives
are documented there). Every one maps an input of any shape (*) to the same shape;
Softmax / LogSoftmax normalise along ``dim``; PReLU has a learned slope."""
import numpy as np

from . import functional as F
from .module import Module, Parameter

__all__ = ["BinaryStep", "Sigmoid", "Tanh", "Arctan", "ReLU", "ReLU6", "LeakyReLU", "PReLU",
           "ELU", "SELU", "CELU", "Softplus", "Softmax", "LogSoftmax", "Softmin", "SiLU",
           "LogSigmoid", "Hardtanh", "Softsign", "Tanhshrink"]


class _Elementwise(Module):
    """An activation with no parameters: forward calls ``_fn``."""

    _fn = None

    def forward(self, input):  # noqa: A002
        return type(self)._fn(input)


class BinaryStep(_Elementwise):
    """f(x) = 1 for x >= 0, else 0; its gradient is zero everywhere (see F.binary_step)."""
    _fn = staticmethod(F.binary_step)


class Sigmoid(_Elementwise):
    """f(x) = 1 / (1 + e^-x);  f' = f(1 - f)."""
    _fn = staticmethod(F.sigmoid)


class Tanh(_Elementwise):
    """f(x) = tanh x;  f' = 1 - f^2."""
    _fn = staticmethod(F.tanh)


class Arctan(_Elementwise):
    """f(x) = arctan x;  f' = 1 / (1 + x^2)."""
    _fn = staticmethod(F.arctan)


class SiLU(_Elementwise):
    """f(x) = x sigmoid(x)."""
    _fn = staticmethod(F.silu)

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace


class LogSigmoid(_Elementwise):
    """f(x) = log sigmoid(x), stably."""
    _fn = staticmethod(F.logsigmoid)


class Softsign(_Elementwise):
    """f(x) = x / (1 + |x|)."""
    _fn = staticmethod(F.softsign)


class Tanhshrink(_Elementwise):
    """f(x) = x - tanh x."""
    _fn = staticmethod(F.tanhshrink)


class ReLU(Module):
    """f(x) = max(x, 0);  f' = 1 for x > 0, else 0."""

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input):  # noqa: A002
        return F.relu(input)


class ReLU6(ReLU):
    """f(x) = min(max(x, 0), 6)."""

    def forward(self, input):  # noqa: A002
        return F.relu6(input)


class SELU(ReLU):
    """f(x) = 1.0507 elu(x, 1.6733) (self-normalising)."""

    def forward(self, input):  # noqa: A002
        return F.selu(input)


class LeakyReLU(Module):
    """f(x) = x for x > 0, else negative_slope * x (default 0.01)."""

    def __init__(self, negative_slope=0.01, inplace=False):
        super().__init__()
        self.negative_slope = negative_slope
        self.inplace = inplace

    def forward(self, input):  # noqa: A002
        return F.leaky_relu(input, self.negative_slope)

    def extra_repr(self):
        return f"negative_slope={self.negative_slope}"


class PReLU(Module):
    """f(x) = x for x > 0, else a x, with a learned.

    Parameter ``weight``: (num_parameters,), initialised to ``init`` (0.25). With
    num_parameters = C each channel (dim 1 of the input) has its own slope.
    """

    def __init__(self, num_parameters=1, init=0.25, dtype=None):
        super().__init__()
        self.num_parameters = num_parameters
        self.init = init
        self.weight = Parameter(np.full((num_parameters,), init,
                                        dtype=np.float32 if dtype is None else dtype))

    def reset_parameters(self):
        self.weight.array[...] = self.init

    def forward(self, input):  # noqa: A002
        return F.prelu(input, self.weight)

    def extra_repr(self):
        return f"num_parameters={self.num_parameters}"


class ELU(Module):
    """f(x) = x for x > 0, else alpha (e^x - 1) (stable for large x).

    f'(x) = 1 for x > 0, else f(x) + alpha; at x = 0 the gradient is alpha, PyTorch's
    convention, where the notes' table has 1 ("1 for x >= 0"). The two agree for
    alpha = 1; see ``nn.functional.elu``."""

    def __init__(self, alpha=1.0, inplace=False):
        super().__init__()
        self.alpha = alpha
        self.inplace = inplace

    def forward(self, input):  # noqa: A002
        return F.elu(input, self.alpha)

    def extra_repr(self):
        return f"alpha={self.alpha}"


class CELU(ELU):
    """f(x) = max(0, x) + min(0, alpha (e^(x/alpha) - 1))."""

    def forward(self, input):  # noqa: A002
        return F.celu(input, self.alpha)


class Softplus(Module):
    """f(x) = log(1 + e^(beta x)) / beta (x itself where beta x > threshold)."""

    def __init__(self, beta=1.0, threshold=20.0):
        super().__init__()
        self.beta, self.threshold = beta, threshold

    def forward(self, input):  # noqa: A002
        return F.softplus(input, self.beta, self.threshold)

    def extra_repr(self):
        return f"beta={self.beta}, threshold={self.threshold}"


class Hardtanh(Module):
    """f(x) = clip(x, min_val, max_val)."""

    def __init__(self, min_val=-1.0, max_val=1.0, inplace=False):
        super().__init__()
        self.min_val, self.max_val = min_val, max_val

    def forward(self, input):  # noqa: A002
        return F.hardtanh(input, self.min_val, self.max_val)

    def extra_repr(self):
        return f"min_val={self.min_val}, max_val={self.max_val}"


class Softmax(Module):
    """Softmax along ``dim``: the outputs along it are positive and sum to 1."""

    def __init__(self, dim=None):
        super().__init__()
        self.dim = dim

    def forward(self, input):  # noqa: A002
        return F.softmax(input, self.dim)

    def extra_repr(self):
        return f"dim={self.dim}"


class Softmin(Softmax):
    """softmax(-x) along ``dim``."""

    def forward(self, input):  # noqa: A002
        return F.softmin(input, self.dim)


class LogSoftmax(Softmax):
    """log softmax along ``dim`` (stable)."""

    def forward(self, input):  # noqa: A002
        return F.log_softmax(input, self.dim)


# ---------------------------------------------------------------- GELU, Mish, Hardswish
__all__ += ["GELU", "Mish", "Hardswish"]


class GELU(Module):
    """f(x) = x Phi(x) = x/2 (1 + erf(x / sqrt 2)); ``approximate='tanh'`` uses
    x/2 (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))). See ``F.gelu``."""

    def __init__(self, approximate="none"):
        super().__init__()
        if approximate not in ("none", "tanh"):
            raise ValueError(f"GELU: approximate must be 'none' or 'tanh', got {approximate!r}")
        self.approximate = approximate

    def forward(self, input):  # noqa: A002
        return F.gelu(input, approximate=self.approximate)

    def extra_repr(self):
        return f"approximate={self.approximate!r}"


class Mish(Module):
    """f(x) = x tanh(softplus(x)). See ``F.mish``."""

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input):  # noqa: A002
        return F.mish(input)


class Hardswish(Module):
    """f(x) = x relu6(x + 3) / 6. See ``F.hardswish``."""

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input):  # noqa: A002
        return F.hardswish(input)
