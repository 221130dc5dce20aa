"""Weight initialisation: the schemes of the lecture notes, with PyTorch's names.

Every initialiser fills a tensor **in place** (its ``.array``, with no graph recorded)
and returns it, so ``nn.init.xavier_uniform_(layer.weight)`` works on parameters
that require grad. All randomness comes from the library's default generator
(``ag.manual_seed``), or from the ``ag.Generator`` given as ``generator=`` (PyTorch's
keyword on every random initialiser).

Fans follow PyTorch's layout: for a weight of shape (out, in, *kernel),
``fan_in = in * prod(kernel)`` and ``fan_out = out * prod(kernel)``. The notes write
n^[l-1] for fan_in and n^[l] for fan_out.

The notes (004, "Weight initialisation for Deep Neural Networks") list: "set
Var(w_i) = 1/n", "For a ReLu: Var(w_i) = 2/n works a bit better", and "For a tanh":
"Var(w_i) = 1/n^[l-1]: Xavier initialisation", "Var(w_i) = 2/(n^[l-1] n^[l]): Bengio
initialisation". Two of those names mean something else elsewhere, so each scheme is
here under a name that says what it computes:

=========================  ========================  ==========  =========================
name                       Var(w)                    400 -> 100  who calls it what
=========================  ========================  ==========  =========================
small_random_              1e-4 (randn * 0.01)       1.0e-4      the notes' "Random
                                                                 initialisation"
lecun_normal_ / _uniform_  1 / n_in                  2.5e-3      the notes' "Xavier" (and
                                                                 "Var(w_i) = 1/n");
                                                                 LeCun et al. 1998
kaiming_*_ / he_*_         gain^2 / n_in             5.0e-3      the notes' ReLU 2/n
                           (2 / n_in for ReLU)                   (He et al. 2015)
xavier_*_ / glorot_*_      2 / (n_in + n_out)        4.0e-3      PyTorch's "xavier":
                                                                 Glorot & Bengio 2010
bengio_ (default)          2 / (n_in + n_out)        4.0e-3      the same, the paper's sum
bengio_product_*_          2 / (n_in * n_out)        5.0e-5      the notes' printed
(bengio_(formula=                                                "Bengio" formula
"product"))
=========================  ========================  ==========  =========================

(400 -> 100: a layer with n_in = 400, n_out = 100, ``nn.Linear(400, 100).weight``.)

So the notes' "Xavier" is LeCun's 1/n_in, while PyTorch's ``xavier_*`` is Glorot's
2/(n_in + n_out); the two agree only for square layers. And the notes' "Bengio"
formula, printed as a product, is almost certainly Glorot and Bengio's sum with the
"+" lost: the product shrinks with the square of the width (5e-5 above, 80 times
less than the sum), far too small to keep a signal alive through depth. ``bengio_``
therefore keeps the paper's sum; the printed product is available, clearly named,
for checking the notes' formula (``notebooks/11_initialisation.ipynb`` shows both).

A uniform U(-b, b) has variance b^2 / 3, so the uniform variants use b = sqrt(3) std.
"""
import math

import numpy as np

import autograd as ag

__all__ = ["calculate_gain", "zeros_", "ones_", "constant_", "normal_", "uniform_",
           "xavier_uniform_", "xavier_normal_", "glorot_uniform_", "glorot_normal_",
           "kaiming_uniform_", "kaiming_normal_", "he_uniform_", "he_normal_",
           "lecun_normal_", "lecun_uniform_", "bengio_", "bengio_product_normal_",
           "bengio_product_uniform_", "small_random_", "eye_",
           "orthogonal_", "trunc_normal_"]


def _data(tensor):
    if isinstance(tensor, ag.Tensor):
        return tensor.array
    if isinstance(tensor, np.ndarray) or ag.backend.is_array(tensor):
        return tensor
    raise TypeError(f"nn.init expects a Tensor (or numpy array), got {type(tensor).__name__}")


def _fill(tensor, values):
    """Write ``values`` into the tensor's array in place, keeping its dtype."""
    d = _data(tensor)
    if type(d) is not np.ndarray and isinstance(values, np.ndarray):
        values = ag.backend.asarray_like(values, d)  # drawn on the host, copied to the device
    d[...] = values
    if isinstance(tensor, ag.Tensor):
        ag.increment_version(tensor)  # an in-place change, seen by graphs that saved it
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
    """The notes' "Random initialisation", W = np.random.randn(shape) * 0.01 (Var = 1e-4,
    whatever the fans; ``scale`` replaces 0.01). The notes' reason ("Why 0.01 ?"): a big
    W puts tanh and the sigmoid in their flat parts, where the slope is small.

    It breaks the symmetry of zeros_, but in deep networks the activations (and
    gradients) shrink by a factor of about 0.01 * sqrt(n) per layer and vanish;
    the fan-scaled schemes below fix that.
    """
    return _fill(tensor, _gen(generator).standard_normal(_data(tensor).shape) * scale)


# ---------------------------------------------------------------- fan-scaled schemes
def xavier_uniform_(tensor, gain=1.0, generator=None):
    """Glorot/Xavier uniform (PyTorch's): U(-b, b) with b = gain sqrt(6 / (fan_in + fan_out)),
    i.e. Var(w) = gain^2 2 / (fan_in + fan_out) (Glorot and Bengio, 2010).

    Not the notes' "Xavier initialisation", which is Var(w) = 1/n^[l-1]: that is
    :func:`lecun_uniform_` / :func:`lecun_normal_` (the two agree for square layers)."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return uniform_(tensor, -bound, bound, generator)


def xavier_normal_(tensor, gain=1.0, generator=None):
    """Glorot/Xavier normal (PyTorch's): N(0, std^2), std = gain sqrt(2 / (fan_in + fan_out)).

    Not the notes' "Xavier initialisation", which is Var(w) = 1/n^[l-1]: that is
    :func:`lecun_normal_` (the two agree for square layers)."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / (fan_in + fan_out))
    return normal_(tensor, 0.0, std, generator)


glorot_uniform_ = xavier_uniform_
glorot_normal_ = xavier_normal_


def bengio_(tensor, distribution="normal", formula="sum", generator=None):
    """The notes' "Bengio initialisation", normal (default) or ``distribution="uniform"``.

    ``formula="sum"`` (default): Var(w) = 2 / (n_in + n_out), Glorot and Bengio's
    (2010) formula, the same as xavier_normal_ / xavier_uniform_.
    ``formula="product"``: Var(w) = 2 / (n_in * n_out), the formula exactly as the
    notes print it, "Var(w_i) = 2/(n^[l-1] n^[l]): Bengio initialisation"; see
    :func:`bengio_product_normal_`. The default is the sum because the printed
    product is almost certainly a lost "+" (see the module docstring)."""
    if formula == "product":
        fns = {"normal": bengio_product_normal_, "uniform": bengio_product_uniform_}
    elif formula == "sum":
        fns = {"normal": xavier_normal_, "uniform": xavier_uniform_}
    else:
        raise ValueError(f"bengio_: formula must be 'sum' (Glorot and Bengio's paper) or 'product' "
                         f"(the notes' printed formula), got {formula!r}")
    if distribution not in fns:
        raise ValueError(f"bengio_: distribution must be 'normal' or 'uniform', got {distribution!r}")
    return fns[distribution](tensor, generator=generator)


def bengio_product_normal_(tensor, generator=None):
    """N(0, 2 / (n_in * n_out)): the notes' "Bengio initialisation" exactly as printed,
    "Var(w_i) = 2/(n^[l-1] n^[l])" (n^[l-1] = fan_in, n^[l] = fan_out).

    For checking the notes, not for training: Glorot and Bengio's paper has the sum
    2 / (n_in + n_out) (:func:`bengio_`, :func:`xavier_normal_`); the product is
    n_in n_out / (n_in + n_out) times smaller (80 times for 400 -> 100), so the signal
    shrinks at every layer."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return normal_(tensor, 0.0, math.sqrt(2.0 / (fan_in * fan_out)), generator)


def bengio_product_uniform_(tensor, generator=None):
    """U(-b, b) with b = sqrt(6 / (n_in * n_out)), so Var(w) = 2 / (n_in * n_out): the
    notes' printed "Bengio" formula (see :func:`bengio_product_normal_`)."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    bound = math.sqrt(6.0 / (fan_in * fan_out))
    return uniform_(tensor, -bound, bound, generator)


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
    """LeCun normal: N(0, 1 / fan_in), the notes' "Xavier initialisation".

    The notes: "set Var(w_i) = 1/n", "In practice W^[l] = np.random.randn(shape) *
    np.sqrt(1/n^[l-1])", and for a tanh "Var(w_i) = 1/n^[l-1]: Xavier initialisation".
    PyTorch's ``xavier_normal_`` is Glorot's 2 / (fan_in + fan_out) instead."""
    fan_in, _ = _calculate_fan_in_and_fan_out(tensor)
    return normal_(tensor, 0.0, math.sqrt(1.0 / fan_in), generator)


def lecun_uniform_(tensor, generator=None):
    """LeCun uniform: U(-b, b), b = sqrt(3 / fan_in), so Var(w) = 1 / fan_in (the notes'
    "Xavier"; see :func:`lecun_normal_`)."""
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
