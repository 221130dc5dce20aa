"""Activation functions (the notes' table), written with autograd ops.

Each states the function and its derivative, with the convention at kinks:

==============  =====================================  ===================================
name            f(x)                                   f'(x)
==============  =====================================  ===================================
identity        x                                      1
binary_step     1 if x >= 0 else 0                     0 (no useful gradient)
sigmoid         s(x) = 1 / (1 + e^-x)                  s(x) (1 - s(x)) <= 1/4
tanh            tanh x = 2 s(2x) - 1                   1 - tanh^2 x
arctan          arctan x                               1 / (1 + x^2)
relu            max(x, 0)                              1 if x > 0 else 0 (0 at x = 0;
                                                       the notes' table: 1, their ReLU
                                                       slide: 0)
leaky_relu      x if x > 0 else a x (a = 0.01)         1 if x > 0 else a (a at x = 0)
prelu           x if x > 0 else a x (a learned)        as leaky_relu; df/da = x for x <= 0
elu             x if x > 0 else alpha (e^x - 1)        1 if x > 0 else f(x) + alpha
                                                       (alpha at 0; the notes' table: 1)
softplus        log(1 + e^(beta x)) / beta             s(beta x)
softmax         e^x_i / sum_j e^x_j                    y_i (delta_ij - y_j)
log_softmax     x_i - logsumexp(x)                     delta_ij - y_j
==============  =====================================  ===================================
"""
import warnings

import numpy as np

import autograd as ag

__all__ = ["identity", "binary_step", "sigmoid", "tanh", "arctan", "relu", "relu6",
           "leaky_relu", "prelu", "elu", "selu", "celu", "softplus", "softmax", "log_softmax",
           "softmin", "silu", "logsigmoid", "hardtanh", "softsign", "tanhshrink"]


def identity(input):  # noqa: A002 - PyTorch's argument name
    """f(x) = x;  f'(x) = 1."""
    return input


def binary_step(input):  # noqa: A002
    """The perceptron's step: f(x) = 1 for x >= 0, else 0.

    Its derivative is 0 wherever it exists (and undefined at 0), so the gradient
    returned is exactly zero: nothing before a step can be learned by gradient
    descent. That is why the notes replace it by smooth activations.
    """
    return ag.step(input)


def sigmoid(input):  # noqa: A002
    """f(x) = 1 / (1 + e^-x);  f'(x) = f(x)(1 - f(x)), at most 1/4 (vanishing gradients)."""
    return ag.sigmoid(input)


def tanh(input):  # noqa: A002
    """f(x) = tanh x;  f'(x) = 1 - tanh^2 x."""
    return ag.tanh(input)


def arctan(input):  # noqa: A002
    """f(x) = arctan x;  f'(x) = 1 / (1 + x^2)."""
    return ag.arctan(input)


def relu(input, inplace=False):  # noqa: A002
    """f(x) = max(x, 0);  f'(x) = 1 for x > 0, else 0 (relu'(0) = 0, like PyTorch).

    relu'(0) = 0 is also the notes' ReLU slide ("g'(x) = 1 if z > 0, = 0 if z <= 0");
    their table of activations says 1 "for x >= 0". ``inplace`` is accepted for
    compatibility and ignored."""
    return ag.relu(input)


def relu6(input, inplace=False):  # noqa: A002
    """f(x) = min(max(x, 0), 6);  f'(x) = 1 for 0 < x < 6, else 0 (0 at both ends,
    like PyTorch)."""
    return hardtanh(input, 0.0, 6.0)


def _positive(x):
    """The constant mask x > 0 (no graph: a comparison has no gradient)."""
    return x.array > 0


def leaky_relu(input, negative_slope=0.01, inplace=False):  # noqa: A002
    """f(x) = x for x > 0, else a x (a = ``negative_slope``);
    f'(x) = 1 for x > 0, else a (a at x = 0, like PyTorch)."""
    return ag.where(_positive(input), input, input * negative_slope)


def prelu(input, weight):  # noqa: A002
    """Parametric ReLU: f(x) = x for x > 0, else a x with learned slopes ``weight``.

    ``weight`` has shape (1,) (one shared slope) or (C,) (one per channel, the
    channel being dim 1 of an (N, C, *) input, or dim 0 of a 1-D input).
    f'(x) = 1 for x > 0, else a;  df/da = x for x <= 0, else 0 (summed over the
    positions sharing the slope). At x = 0 the gradient is a, like PyTorch and the
    notes' Leaky ReLU slide (0.01 "if z <= 0"); the notes' table has 1 "for x >= 0".
    """
    if weight.ndim != 1:
        raise ValueError(f"prelu: weight must be 1-D, got shape {weight.shape}")
    c = weight.shape[0]
    if c != 1:
        ch = 1 if input.ndim >= 2 else 0
        if input.ndim == 0 or input.shape[ch] != c:
            raise ValueError(f"prelu: {c} slopes (weight of shape {weight.shape}) do not match "
                             f"the {input.shape[ch] if input.ndim else 1} channels of an input "
                             f"of shape {tuple(input.shape)} (channels are dim 1)")
        weight = ag.reshape(weight, (c,) + (1,) * (input.ndim - ch - 1))
    elif input.ndim == 0:
        weight = ag.reshape(weight, ())
    return ag.where(_positive(input), input, input * weight)


def elu(input, alpha=1.0, inplace=False):  # noqa: A002
    """f(x) = x for x > 0, else alpha (e^x - 1);  f'(x) = 1 for x > 0, else
    alpha e^x = f(x) + alpha (alpha at x = 0, like PyTorch).

    At 0 the notes' table ("List of possible activation functions") says otherwise:
    f'(x) = f(x) + alpha "for x < 0", 1 "for x >= 0", so f'(0) = 1. For alpha = 1
    (the default) both give 1. For any other alpha, ELU has a kink at 0 (left slope
    alpha, right slope 1) and f'(0) is a convention, not a derivative: this library
    keeps PyTorch's, alpha (``F.elu(0., alpha=2.).backward()`` gives 2, the notes' table
    1). Neither is a slip; only a gradient evaluated exactly at 0 can tell them apart.

    NOTE: the exponential is taken of min(x, 0), so a large positive x never
    overflows (elu(1000) = 1000 with no warning) and the unused branch stays finite.
    """
    neg = alpha * (ag.exp(ag.clip(input, max=0.0)) - 1.0)
    return ag.where(_positive(input), input, neg)


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def selu(input, inplace=False):  # noqa: A002
    """f(x) = scale * elu(x, alpha) with the self-normalising constants
    alpha = 1.6733, scale = 1.0507."""
    return elu(input, _SELU_ALPHA) * _SELU_SCALE


def celu(input, alpha=1.0, inplace=False):  # noqa: A002
    """f(x) = max(0, x) + min(0, alpha (e^(x/alpha) - 1))."""
    neg = alpha * (ag.exp(ag.clip(input, max=0.0) / alpha) - 1.0)
    return ag.where(_positive(input), input, neg)


def softplus(input, beta=1.0, threshold=20.0):  # noqa: A002
    """f(x) = log(1 + e^(beta x)) / beta, a smooth ReLU;  f'(x) = sigmoid(beta x).

    Like PyTorch, where beta x > ``threshold`` the function is taken to be x itself
    (gradient 1); the difference is below e^-threshold.
    NOTE: ``ag.softplus`` is computed as max(z, 0) + log1p(e^-|z|): no overflow.
    """
    z = input if beta == 1 else input * beta
    out = ag.softplus(z)
    if beta != 1:
        out = out / beta
    big = z.array > threshold
    if big.any():
        out = ag.where(big, input, out)
    return out


def _softmax_dim(ndim, name):
    warnings.warn(f"implicit dimension choice for {name} has been deprecated; pass dim=",
                  UserWarning, stacklevel=3)
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input, dim=None, dtype=None):  # noqa: A002
    """y_i = e^(x_i) / sum_j e^(x_j) along ``dim``;  dy_i/dx_j = y_i (delta_ij - y_j).

    NOTE: computed after subtracting the max along ``dim`` (inside ``ag.softmax``), so
    logits of +-1000 give exact 0/1 probabilities and no overflow. Without ``dim``,
    PyTorch's legacy choice (0 for 0-, 1- and 3-D inputs, else 1) is used, with a warning.
    """
    if dtype is not None:
        input = ag.astype(input, dtype)
    if dim is None:
        dim = _softmax_dim(input.ndim, "softmax")
    return ag.softmax(input, axis=dim)


def softmin(input, dim=None, dtype=None):  # noqa: A002
    """softmax(-x) along ``dim``."""
    if dim is None:
        dim = _softmax_dim(input.ndim, "softmin")
    return softmax(-input, dim, dtype)


def log_softmax(input, dim=None, dtype=None):  # noqa: A002
    """y_i = x_i - logsumexp_j x_j along ``dim``;  dy_i/dx_j = delta_ij - softmax_j.
    NOTE: stable for any logits (the log-sum-exp is max-shifted)."""
    if dtype is not None:
        input = ag.astype(input, dtype)
    if dim is None:
        dim = _softmax_dim(input.ndim, "log_softmax")
    return ag.log_softmax(input, axis=dim)


def silu(input, inplace=False):  # noqa: A002
    """SiLU / swish: f(x) = x s(x);  f'(x) = s(x) (1 + x (1 - s(x)))."""
    return ag.silu(input)


def logsigmoid(input):  # noqa: A002
    """f(x) = log s(x) = -softplus(-x) (stable);  f'(x) = 1 - s(x)."""
    return -ag.softplus(-input)


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):  # noqa: A002
    """f(x) = clip(x, min_val, max_val);  f'(x) = 1 for min_val < x < max_val, else 0
    (0 at the ends, like PyTorch)."""
    d = input.array
    inside = (d > min_val) & (d < max_val)
    return ag.where(inside, input, np.clip(d, min_val, max_val))


def softsign(input):  # noqa: A002
    """f(x) = x / (1 + |x|);  f'(x) = 1 / (1 + |x|)^2."""
    return input / (1.0 + ag.abs(input))


def tanhshrink(input):  # noqa: A002
    """f(x) = x - tanh x;  f'(x) = tanh^2 x."""
    return input - ag.tanh(input)


# ---------------------------------------------------------------- GELU, Mish, Hardswish
__all__ += ["gelu", "mish", "hardswish"]


def gelu(input, approximate="none"):  # noqa: A002
    """GELU: f(x) = x Phi(x) = x/2 (1 + erf(x / sqrt 2)), Phi the standard normal cdf;
    f'(x) = Phi(x) + x phi(x), phi(x) = e^(-x^2/2) / sqrt(2 pi).

    ``approximate='tanh'``: f(x) = x/2 (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))), the
    approximation of GPT-2 and BERT, with the derivative of that formula.
    (One op, ``ag.gelu``.)
    """
    return ag.gelu(input, approximate=approximate)


def mish(input, inplace=False):  # noqa: A002
    """Mish: f(x) = x tanh(softplus(x));  f'(x) = tanh(sp) + x s(x) (1 - tanh^2(sp)),
    sp = softplus(x), s the sigmoid. (One op, ``ag.mish``.)"""
    return ag.mish(input)


def hardswish(input, inplace=False):  # noqa: A002
    """Hardswish (MobileNetV3): f(x) = x relu6(x + 3) / 6, that is 0 for x <= -3,
    x (x + 3) / 6 for -3 < x < 3 and x for x >= 3; f'(x) = 0, (2x + 3) / 6, 1 on those
    pieces (PyTorch's slopes at the kinks: 0 at x = -3 and 1 at x = 3). (``ag.hardswish``.)"""
    return ag.hardswish(input)
