"""Weight initialisation: the schemes of the lecture notes, with PyTorch's names.

Every initialiser fills a tensor **in place** (on ``.data``, with no graph recorded)
and returns it, so ``nn.init.xavier_uniform_(layer.weight)`` works on parameters
that require grad. All randomness comes from the library's default generator
(``ag.manual_seed``), or from the ``ag.Generator`` given as ``generator=`` (PyTorch's
keyword on every random initialiser).

Fans follow PyTorch's layout: for a weight of shape (out, in, *kernel),
``fan_in = in * prod(kernel)`` and ``fan_out = out * prod(kernel)``.

The variances of the notes (n_in = fan_in, n_out = fan_out):

=====================  ======================  =====================================
scheme                 Var(w)                  use
=====================  ======================  =====================================
small_random_          1e-4 (randn * 0.01)     the first thing one tries; too small
                                               for deep nets (signals shrink)
lecun_normal_          1 / n_in                tanh / SELU (Xavier in the notes)
kaiming_*_ (He)        gain^2 / n_in, gain^2   ReLU: 2 / n_in
                       = 2 for ReLU
xavier_*_ / bengio_    2 / (n_in + n_out)      the notes' "Bengio" variant (Glorot)
=====================  ======================  =====================================

A uniform U(-b, b) has variance b^2 / 3, so the uniform variants use b = sqrt(3) std.
"""
import math

import numpy as np

import autograd as ag

__all__ = ["calculate_gain", "zeros_", "ones_", "constant_", "normal_", "uniform_",
           "xavier_uniform_", "xavier_normal_", "glorot_uniform_", "glorot_normal_",
           "kaiming_uniform_", "kaiming_normal_", "he_uniform_", "he_normal_",
           "lecun_normal_", "lecun_uniform_", "bengio_", "small_random_", "eye_",
           "orthogonal_", "trunc_normal_"]


def _data(tensor):
    if isinstance(tensor, ag.Tensor):
        return tensor.data
    if isinstance(tensor, np.ndarray):
        return tensor
    raise TypeError(f"nn.init expects a Tensor (or numpy array), got {type(tensor).__name__}")


def _fill(tensor, values):
    """Write ``values`` into the tensor's array in place, keeping its dtype."""
    with ag.no_grad():
        _data(tensor)[...] = values
    return tensor


def _calculate_fan_in_and_fan_out(tensor):
    """(fan_in, fan_out) of a weight of shape (out, in, *kernel)."""
    shape = _data(tensor).shape
    if len(shape) < 2:
        raise ValueError(f"fan in and fan out can not be computed for a tensor with fewer than "
                         f"2 dimensions (got shape {shape})")
    receptive = int(np.prod(shape[2:])) if len(shape) > 2 else 1
    return shape[1] * receptive, shape[0] * receptive


def _fan(tensor, mode):
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    if mode == "fan_in":
        return fan_in
    if mode == "fan_out":
        return fan_out
    raise ValueError(f"mode {mode!r} not supported, please use one of 'fan_in', 'fan_out'")


def calculate_gain(nonlinearity, param=None):
    """The recommended gain for a nonlinearity (PyTorch's table).

    linear, conv*, sigmoid, identity: 1; tanh: 5/3; relu: sqrt(2);
    leaky_relu: sqrt(2 / (1 + slope^2)) (slope ``param``, default 0.01); selu: 3/4.
    """
    linear = ("linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d",
              "conv_transpose2d", "conv_transpose3d", "sigmoid", "identity")
    if nonlinearity in linear:
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            slope = 0.01
        elif isinstance(param, (int, float)) and not isinstance(param, bool):
            slope = param
        else:
            raise ValueError(f"negative_slope {param} not a valid number")
        return math.sqrt(2.0 / (1 + slope ** 2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"unsupported nonlinearity {nonlinearity!r}")


def _gen(generator=None):
    """The numpy Generator to draw from: ``generator``'s (an ``ag.Generator``) or the library's."""
    return ag.random.rng(generator, "nn.init")


# ---------------------------------------------------------------- constants
def zeros_(tensor):
    """Fill with 0.

    Fine for biases, but never for the weights of hidden layers: if every weight of
    a layer is equal (zero in particular), every hidden unit computes the same
    value, receives the same gradient and gets the same update, so the units stay
    identical forever and the layer behaves like a single unit (with all-zero
    weights and ReLU/tanh the gradients to earlier layers are even exactly 0).
    Random initialisation breaks this symmetry.
    """
    return _fill(tensor, 0)


def ones_(tensor):
    """Fill with 1."""
    return _fill(tensor, 1)


def constant_(tensor, val):
    """Fill with ``val``."""
    return _fill(tensor, val)


def eye_(tensor):
    """The identity matrix (2-D tensors only)."""
    d = _data(tensor)
    if d.ndim != 2:
        raise ValueError(f"eye_ needs a 2-D tensor, got shape {d.shape}")
    return _fill(tensor, np.eye(*d.shape))


# ---------------------------------------------------------------- plain distributions
def normal_(tensor, mean=0.0, std=1.0, generator=None):
    """Fill with samples of N(mean, std^2)."""
    return _fill(tensor, _gen(generator).normal(mean, std, _data(tensor).shape))


def uniform_(tensor, a=0.0, b=1.0, generator=None):
    """Fill with samples of U(a, b)."""
    return _fill(tensor, _gen(generator).uniform(a, b, _data(tensor).shape))


def trunc_normal_(tensor, mean=0.0, std=1.0, a=-2.0, b=2.0, generator=None):
    """N(mean, std^2) restricted to [a, b] (redrawing the samples that fall outside)."""
    shape = _data(tensor).shape
    gen = _gen(generator)
    out = gen.normal(mean, std, shape)
    bad = (out < a) | (out > b)
    while bad.any():
        out[bad] = gen.normal(mean, std, int(bad.sum()))
        bad = (out < a) | (out > b)
    return _fill(tensor, out)


def small_random_(tensor, scale=0.01, generator=None):
    """The notes' "small random" start: randn * 0.01 (Var = 1e-4, whatever the fans).

    It breaks the symmetry of zeros_, but in deep networks the activations (and
    gradients) shrink by a factor of about 0.01 * sqrt(n) per layer and vanish;
    the fan-scaled schemes below fix that.
    """
    return _fill(tensor, _gen(generator).standard_normal(_data(tensor).shape) * scale)


# ---------------------------------------------------------------- fan-scaled schemes
def xavier_uniform_(tensor, gain=1.0, generator=None):
    """Glorot/Xavier uniform: U(-b, b) with b = gain sqrt(6 / (fan_in + fan_out)),
    i.e. Var(w) = gain^2 2 / (fan_in + fan_out)."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return uniform_(tensor, -bound, bound, generator)


def xavier_normal_(tensor, gain=1.0, generator=None):
    """Glorot/Xavier normal: N(0, std^2) with std = gain sqrt(2 / (fan_in + fan_out))."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / (fan_in + fan_out))
    return normal_(tensor, 0.0, std, generator)


glorot_uniform_ = xavier_uniform_
glorot_normal_ = xavier_normal_


def bengio_(tensor, distribution="normal", generator=None):
    """The notes' "Bengio" variant: Var(w) = 2 / (n_in + n_out) (Glorot and Bengio 2010),
    drawn from a normal (default) or, with ``distribution="uniform"``, from U(-b, b)
    with b = sqrt(6 / (n_in + n_out)). Same as xavier_normal_ / xavier_uniform_."""
    if distribution == "normal":
        return xavier_normal_(tensor, generator=generator)
    if distribution == "uniform":
        return xavier_uniform_(tensor, generator=generator)
    raise ValueError(f"distribution must be 'normal' or 'uniform', got {distribution!r}")


def kaiming_uniform_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    """He/Kaiming uniform: U(-b, b), b = gain sqrt(3 / fan), gain = calculate_gain(
    nonlinearity, a); Var(w) = gain^2 / fan (2 / fan_in for ReLU).

    PyTorch's default for Linear and Conv weights is this with a = sqrt(5), which
    gives gain^2 = 1/3 and b = 1 / sqrt(fan_in).
    """
    std = calculate_gain(nonlinearity, a) / math.sqrt(_fan(tensor, mode))
    bound = math.sqrt(3.0) * std
    return uniform_(tensor, -bound, bound, generator)


def kaiming_normal_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    """He/Kaiming normal: N(0, std^2), std = gain / sqrt(fan) (sqrt(2 / fan_in) for ReLU)."""
    std = calculate_gain(nonlinearity, a) / math.sqrt(_fan(tensor, mode))
    return normal_(tensor, 0.0, std, generator)


he_uniform_ = kaiming_uniform_
he_normal_ = kaiming_normal_


def lecun_normal_(tensor, generator=None):
    """LeCun normal: N(0, 1 / fan_in) (the notes' Var(w) = 1/n_in, for tanh)."""
    fan_in, _ = _calculate_fan_in_and_fan_out(tensor)
    return normal_(tensor, 0.0, math.sqrt(1.0 / fan_in), generator)


def lecun_uniform_(tensor, generator=None):
    """LeCun uniform: U(-b, b), b = sqrt(3 / fan_in), so Var(w) = 1 / fan_in."""
    fan_in, _ = _calculate_fan_in_and_fan_out(tensor)
    bound = math.sqrt(3.0 / fan_in)
    return uniform_(tensor, -bound, bound, generator)


def orthogonal_(tensor, gain=1.0, generator=None):
    """A (semi-)orthogonal matrix from the QR decomposition of a Gaussian matrix,
    scaled by ``gain``; dims after the first are flattened."""
    d = _data(tensor)
    if d.ndim < 2:
        raise ValueError("orthogonal_ needs a tensor with at least 2 dimensions")
    rows, cols = d.shape[0], d.size // d.shape[0]
    flat = _gen(generator).standard_normal((rows, cols))
    if rows < cols:
        flat = flat.T
    q, r = np.linalg.qr(flat)
    q = q * np.sign(np.diag(r))
    if rows < cols:
        q = q.T
    return _fill(tensor, gain * q.reshape(d.shape))
