"""Loss functions, numerically stable, with PyTorch's ``reduction`` argument.

Notation: x (``input``) is the prediction (yhat, or a logit z), y (``target``) the
truth. Every loss first computes a per-element (or per-sample) loss l, then

    reduction='mean' -> mean of l (the notes' cost: mean of per-sample losses),
    reduction='sum'  -> sum of l,
    reduction='none' -> l itself, shaped like the input (or like the target).

Input and target shapes must agree exactly: an (N, 1) prediction against an (N,)
target would silently broadcast to an (N, N) loss, so it raises instead, naming the
loss and both shapes.

Constant targets (numpy arrays, lists, Tensors without grad) take the input's
floating dtype, so a float32 model stays float32 against float64 labels.
"""
import numpy as np

import autograd as ag
from autograd.ops import fused as _FUSED
from autograd.ops.losses import binary_cross_entropy as _bce

__all__ = ["mse_loss", "l1_loss", "huber_loss", "smooth_l1_loss", "binary_cross_entropy",
           "binary_cross_entropy_with_logits", "cross_entropy", "nll_loss", "logistic_loss",
           "soft_margin_loss", "perceptron_loss", "hinge_loss"]

_REDUCTIONS = ("mean", "sum", "none")


# ---------------------------------------------------------------- helpers
def _check_reduction(name, reduction):
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{name}: reduction must be 'mean', 'sum' or 'none', got {reduction!r}")


def _reduce(loss, reduction):
    if reduction == "mean":
        return ag.mean(loss)
    if reduction == "sum":
        return ag.sum(loss)
    return loss


def _as_input(name, input):  # noqa: A002
    if not isinstance(input, ag.Tensor):
        input = ag.tensor(input)  # noqa: A001
    if input.dtype.kind != "f":
        raise TypeError(f"{name}: the input (prediction) must be floating point, "
                        f"got dtype {input.dtype}")
    return input


def _float_target(name, input, target):  # noqa: A002
    """The target as a Tensor of the input's float dtype, with the exact same shape."""
    if isinstance(target, ag.Tensor):
        if target.dtype != input.dtype and not target.requires_grad:
            target = ag.Tensor(target.array.astype(input.dtype))
    else:
        target = ag.Tensor(ag.backend.asarray_like(target, input.array, input.dtype))
    if target.shape != input.shape:
        raise ValueError(
            f"{name}: input shape {tuple(input.shape)} and target shape {tuple(target.shape)} "
            "differ; they must be equal (nothing is broadcast, since e.g. (N, 1) against (N,) "
            "would silently give an (N, N) loss). Reshape one of them, e.g. "
            "input.reshape(target.shape)")
    return target


def _weight_array(weight, dtype, like=None):
    """The weight's array in ``dtype``, on the device of array ``like`` if given."""
    if weight is None:
        return None
    w = weight.array if isinstance(weight, ag.Tensor) else np.asarray(weight)
    if like is not None and type(like) is not np.ndarray:
        w = ag.backend.asarray_like(w, like)
    return w.astype(dtype, copy=False)


def _sign_target(name, input, target):  # noqa: A002
    """A {-1, +1} target (checked when it is a constant)."""
    y = _float_target(name, input, target)
    if not y.requires_grad:
        bad = (y.array != 1) & (y.array != -1)
        if bad.any():
            raise ValueError(f"{name}: targets must be -1 or +1, found {y.array[bad].flat[0]!r}; "
                             "for 0/1 labels use 2 * y - 1 (or binary_cross_entropy_with_logits)")
    return y


# ---------------------------------------------------------------- regression
def mse_loss(input, target, reduction="mean"):  # noqa: A002
    """Mean squared error: l = (x - y)^2;  dl/dx = 2 (x - y).

    The notes write the halved form 1/2 (y - yhat)^2, whose gradient is simply
    yhat - y; it is ``0.5 * mse_loss(...)``. This function keeps PyTorch's
    (unhalved) definition so results match PyTorch.
    """
    _check_reduction("mse_loss", reduction)
    input = _as_input("mse_loss", input)  # noqa: A001
    d = input - _float_target("mse_loss", input, target)
    return _reduce(d * d, reduction)


def l1_loss(input, target, reduction="mean"):  # noqa: A002
    """Absolute error (robust regression): l = |x - y|;  dl/dx = sign(x - y) (0 at x = y)."""
    _check_reduction("l1_loss", reduction)
    input = _as_input("l1_loss", input)  # noqa: A001
    return _reduce(ag.abs(input - _float_target("l1_loss", input, target)), reduction)


def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):  # noqa: A002
    """Huber: l = 1/2 d^2 for |d| < delta, else delta (|d| - delta/2), d = x - y;
    dl/dx = d inside, delta sign(d) outside (quadratic near 0, linear in the tails)."""
    _check_reduction("huber_loss", reduction)
    if delta <= 0:
        raise ValueError(f"huber_loss: delta must be positive, got {delta}")
    input = _as_input("huber_loss", input)  # noqa: A001
    d = input - _float_target("huber_loss", input, target)
    ad = ag.abs(d)
    loss = ag.where(ad.array < delta, 0.5 * d * d, delta * (ad - 0.5 * delta))
    if weight is not None:
        loss = loss * _weight_array(weight, input.dtype, input.array)
    return _reduce(loss, reduction)


def smooth_l1_loss(input, target, reduction="mean", beta=1.0):  # noqa: A002
    """Smooth L1: l = 1/2 d^2 / beta for |d| < beta, else |d| - beta/2 (Huber / beta)."""
    _check_reduction("smooth_l1_loss", reduction)
    input = _as_input("smooth_l1_loss", input)  # noqa: A001
    d = input - _float_target("smooth_l1_loss", input, target)
    ad = ag.abs(d)
    if beta == 0:
        return _reduce(ad, reduction)
    loss = ag.where(ad.array < beta, (0.5 / beta) * d * d, ad - 0.5 * beta)
    return _reduce(loss, reduction)


# ---------------------------------------------------------------- binary classification
def binary_cross_entropy(input, target, weight=None, reduction="mean"):  # noqa: A002
    """Binary cross-entropy of probabilities p = ``input`` in [0, 1] and y in [0, 1]:

        l = -(y log p + (1 - y) log(1 - p)),   dl/dp = (p - y) / (p (1 - p)).

    NOTE: like PyTorch, each log is clamped below at -100, so p exactly 0 or 1 gives a
    finite loss (at most 100 per element), and the gradient is PyTorch's
    (p - y) / max(p (1 - p), 1e-12): at p = 0 for a positive target it is -1e12, a
    large push in the right direction, not the 0 the chain rule through the clamp
    would give (the primitive ``binary_cross_entropy`` of ``autograd.ops.losses``).
    Prefer ``binary_cross_entropy_with_logits`` on logits: it is exact where this one
    has to clamp.
    """
    _check_reduction("binary_cross_entropy", reduction)
    p = _as_input("binary_cross_entropy", input)
    y = _float_target("binary_cross_entropy", p, target)
    pd = p.array
    if pd.size and not ((pd >= 0) & (pd <= 1)).all():
        raise ValueError("binary_cross_entropy: all elements of input should be between 0 and 1 "
                         "(probabilities); for logits use binary_cross_entropy_with_logits")
    loss = _bce(p, y)
    if weight is not None:
        loss = loss * _weight_array(weight, p.dtype, p.array)
    return _reduce(loss, reduction)


def binary_cross_entropy_with_logits(input, target, weight=None, reduction="mean",  # noqa: A002
                                     pos_weight=None):
    """Binary cross-entropy on logits z (p = sigmoid(z)), computed stably:

        l = (1 - y) z + softplus(-z) = -(y log s(z) + (1 - y) log(1 - s(z))),
        dl/dz = s(z) - y  (the notes' dL/dz = a - y, 004 "Backward propagation").

    With ``pos_weight`` (one weight per class, broadcast along the last dim) the
    positive term is weighted: l = (1 - y) z + (1 + (pos_weight - 1) y) softplus(-z).
    NOTE: softplus(-z) = max(-z, 0) + log1p(e^-|z|) never overflows: logits of +-1000
    give exact, finite losses and gradients.
    """
    _check_reduction("binary_cross_entropy_with_logits", reduction)
    z = _as_input("binary_cross_entropy_with_logits", input)
    y = _float_target("binary_cross_entropy_with_logits", z, target)
    if pos_weight is None:
        loss = (1 - y) * z + ag.softplus(-z)
    else:
        pw = pos_weight if isinstance(pos_weight, ag.Tensor) and pos_weight.requires_grad \
            else _weight_array(pos_weight, z.dtype, z.array)
        loss = (1 - y) * z + (1 + (pw - 1) * y) * ag.softplus(-z)
    if weight is not None:
        loss = loss * _weight_array(weight, z.dtype, z.array)
    return _reduce(loss, reduction)


def logistic_loss(input, target, reduction="mean"):  # noqa: A002
    """The notes' logistic loss for labels y in {-1, +1} and a real score x:

        l = log(1 + exp(-y x)) = softplus(-y x),   dl/dx = -y sigmoid(-y x).

    It equals binary_cross_entropy_with_logits with labels (y + 1) / 2, and PyTorch's
    SoftMarginLoss. NOTE: softplus is evaluated stably, so scores of +-1000 are fine.
    """
    _check_reduction("logistic_loss", reduction)
    x = _as_input("logistic_loss", input)
    y = _sign_target("logistic_loss", x, target)
    return _reduce(ag.softplus(-(y * x)), reduction)


def soft_margin_loss(input, target, reduction="mean"):  # noqa: A002
    """PyTorch's name for :func:`logistic_loss`: log(1 + exp(-y x)), y in {-1, +1}."""
    return logistic_loss(input, target, reduction)


def perceptron_loss(input, target, reduction="mean"):  # noqa: A002
    """The notes' perceptron loss: l = max(0, -y x) for y in {-1, +1};
    dl/dx = -y where y x < 0 (misclassified), else 0 (also 0 at y x = 0, relu'(0) = 0).
    Gradient descent on it is the perceptron rule w <- w + a y x on mistakes."""
    _check_reduction("perceptron_loss", reduction)
    x = _as_input("perceptron_loss", input)
    y = _sign_target("perceptron_loss", x, target)
    return _reduce(ag.relu(-(y * x)), reduction)


def hinge_loss(input, target, reduction="mean"):  # noqa: A002
    """Hinge loss (linear SVM): l = max(0, 1 - y x) for y in {-1, +1};
    dl/dx = -y where y x < 1, else 0 (0 at the hinge y x = 1)."""
    _check_reduction("hinge_loss", reduction)
    x = _as_input("hinge_loss", input)
    y = _sign_target("hinge_loss", x, target)
    return _reduce(ag.relu(1 - y * x), reduction)


# ---------------------------------------------------------------- multiclass
def _class_indices(name, input, target):  # noqa: A002
    """Integer class targets as an ndarray, shape-checked against an (N, C, *) input."""
    t = target.array if isinstance(target, ag.Tensor) else \
        ag.backend.asarray_like(target, input.array)
    if t.dtype.kind not in "iu":
        if t.dtype.kind == "b" or (t.dtype.kind == "f" and t.shape != tuple(input.shape)):
            raise TypeError(
                f"{name}: class-index targets must be integers, got dtype {t.dtype} with shape "
                f"{t.shape} for an input of shape {tuple(input.shape)}; use y.astype(int) (or "
                "give class probabilities with the input's shape)")
        raise TypeError(f"{name}: targets must be integer class indices, got dtype {t.dtype}")
    if input.ndim == 1:
        expected = ()
    else:
        expected = tuple(input.shape[:1]) + tuple(input.shape[2:])
    if t.shape != expected:
        raise ValueError(
            f"{name}: input shape {tuple(input.shape)} and target shape {t.shape} do not "
            f"match: class-index targets for an (N, C, ...) input must have shape {expected} "
            "(the class dim, dim 1, removed)")
    return t


def nll_loss(input, target, weight=None, ignore_index=-100, reduction="mean"):  # noqa: A002
    """Negative log-likelihood of log-probabilities ``input`` (N, C) or (N, C, d1, ...)
    (or (C,)) at integer classes ``target`` (N,) or (N, d1, ...) (or ()):

        l_n = -w[t_n] input[n, t_n],   dl_n / d input[n, c] = -w[t_n] [c = t_n].

    Targets equal to ``ignore_index`` contribute 0. ``weight`` (C,) weights the
    classes; 'mean' divides by the total weight of the non-ignored targets (the
    number of them without ``weight``), like PyTorch.
    """
    return _nll("nll_loss", input, target, weight, ignore_index, reduction)


def _nll(name, input, target, weight, ignore_index, reduction):  # noqa: A002
    _check_reduction(name, reduction)
    input = _as_input(name, input)  # noqa: A001
    if input.ndim == 0:
        raise ValueError(f"{name}: input must have a class dimension, got a 0-d tensor")
    t = _class_indices(name, input, target)
    squeeze = input.ndim == 1
    if squeeze:
        input, t = ag.reshape(input, (1, input.shape[0])), t.reshape(1)  # noqa: A001
    C = input.shape[1]
    valid = t != ignore_index
    all_valid = bool(valid.all())
    ts = t if all_valid else np.where(valid, t, 0)
    if ts.size and (ts.min() < 0 or ts.max() >= C):
        bad = ts[(ts < 0) | (ts >= C)].flat[0]
        raise IndexError(f"{name}: target {bad} is out of bounds for {C} classes "
                         f"(valid: 0..{C - 1}, or ignore_index={ignore_index})")
    if input.ndim == 2:
        index = (ag.backend.backend_of(ts).arange(t.shape[0]), ts)
    else:
        grids = np.indices(t.shape, sparse=True)
        index = (grids[0], ts) + tuple(grids[1:])
    picked = input[index]
    w = _weight_array(weight, input.dtype, input.array)
    if w is not None and w.shape != (C,):
        raise ValueError(f"{name}: weight must have shape ({C},) (one per class), got {w.shape}")
    if w is None and all_valid:
        loss = -picked
        if squeeze:
            loss = ag.reshape(loss, ())
        return _reduce(loss, reduction)
    wn = (w[ts] if w is not None else ag.backend.backend_of(ts).ones(ts.shape, input.dtype))
    if not all_valid:
        wn = wn * valid
    loss = picked * (-wn)
    if squeeze:
        loss = ag.reshape(loss, ())
    if reduction == "none":
        return loss
    total = ag.sum(loss)
    if reduction == "sum":
        return total
    if not valid.any():
        return _nan_with_zero_gradient(total)
    with np.errstate(divide="ignore", invalid="ignore"):  # total weight 0: nan, like PyTorch
        return total * (1.0 / wn.sum() if wn.sum() != 0 else np.nan)


def _nan_with_zero_gradient(total):
    """The mean over no targets: nan (0 / 0) with a zero gradient, PyTorch's values.

    NOTE: a batch whose every target is ``ignore_index`` contributes nothing, so its
    gradient is 0 (PyTorch writes no entry of grad_input); total * nan would make
    every gradient nan and wipe the weights at the next step.
    """
    return total * 0.0 + np.nan


def _fused_targets(input, target, weight, ignore_index, label_smoothing):  # noqa: A002
    """The class indices when cross_entropy is the plain case the fused softmax-cross-
    entropy primitive computes ((N, C) logits, in-range integer targets, no weight, no
    ignored target, no smoothing), else None (the general path checks and reports)."""
    shape = input.array.shape
    if len(shape) != 2 or weight is not None or label_smoothing != 0:
        return None
    t = target.array if isinstance(target, ag.Tensor) else np.asarray(target)
    if t.dtype.kind not in "iu" or t.shape != shape[:1] or t.size == 0:
        return None
    # NOTE: one reduction checks 0 <= t < C: as unsigned integers, negative indices
    # become larger than any class count
    if t.view(t.dtype.str.replace("i", "u")).max() >= shape[1] or (
            0 <= ignore_index < shape[1] and (t == ignore_index).any()):
        return None
    return t


def cross_entropy(input, target, weight=None, ignore_index=-100, reduction="mean",  # noqa: A002
                  label_smoothing=0.0):
    """Cross-entropy of logits ``input`` (N, C) or (N, C, d1, ...) (or (C,)):

        l_n = -sum_c y_nc log softmax(x_n)_c,   dl_n/dx_n = softmax(x_n) - y_n

    (the notes' dL/dz_o = yhat_o - y_o, 004 "Multi-class classification", backward).
    The target is either class indices (integers, shape (N,) / (N, d1, ...) / ()),
    then y_n is one-hot and this is
    nll_loss(log_softmax(x), t) with ``weight`` and ``ignore_index``; or class
    probabilities (floats, the input's shape), then 'mean' divides by the number of
    samples. ``label_smoothing`` eps mixes the target with the uniform
    distribution: (1 - eps) y + eps / C.

    NOTE: log_softmax is computed with the max subtracted (log-sum-exp), so logits of
    +-1000 give finite losses and gradients.
    """
    name = "cross_entropy"
    _check_reduction(name, reduction)
    input = _as_input(name, input)  # noqa: A001
    if input.ndim == 0:
        raise ValueError(f"{name}: input must have a class dimension, got a 0-d tensor")
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"{name}: label_smoothing must be in [0, 1], got {label_smoothing}")
    fused = _fused_targets(input, target, weight, ignore_index, label_smoothing)
    if fused is not None:  # one node: autograd/ops/fused.py (the same loss and gradient)
        return _FUSED.softmax_cross_entropy(input, target=fused, reduction=reduction)
    cdim = 0 if input.ndim == 1 else 1
    C = input.shape[cdim]
    logp = ag.log_softmax(input, axis=cdim)
    tdata = target.array if isinstance(target, ag.Tensor) else \
        ag.backend.asarray_like(target, input.array)
    w = _weight_array(weight, input.dtype, input.array)
    wshape = (C,) + (1,) * (input.ndim - cdim - 1)
    if tdata.dtype.kind == "f" and tdata.shape == tuple(input.shape):
        # class probabilities
        y = _float_target(name, input, target)
        if label_smoothing > 0:
            y = y * (1 - label_smoothing) + label_smoothing / C
        if w is not None:
            y = y * w.reshape(wshape)
        loss = -ag.sum(logp * y, axis=cdim)
        return _reduce(loss, reduction)
    loss = _nll(name, logp, target, weight, ignore_index, reduction)
    if label_smoothing == 0:
        return loss
    t = _class_indices(name, input, target)
    ignored = t == ignore_index
    lw = logp * w.reshape(wshape) if w is not None else logp
    smooth = -ag.sum(lw, axis=cdim)
    if ignored.any():
        smooth = smooth * (~ignored).astype(input.dtype)
    if reduction == "mean":
        if ignored.all():
            smooth = _nan_with_zero_gradient(ag.sum(smooth))
        elif w is not None:
            smooth = ag.sum(smooth) * (1.0 / w[t[~ignored]].sum())
        else:  # the mean over the non-ignored targets
            n_valid = int((~ignored).sum())
            smooth = ag.sum(smooth) * (1.0 / n_valid) if n_valid else _nan_with_zero_gradient(ag.sum(smooth))
    elif reduction == "sum":
        smooth = ag.sum(smooth)
    return loss * (1 - label_smoothing) + smooth * (label_smoothing / C)
