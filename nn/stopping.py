"""When to stop training: early stopping on a validation set, "stop when it looks flat",
and the guard that keeps a non-finite loss or gradient away from the weights.

The notes (002, "Training"): *use a validation set to examine for over-training, and
determine when to stop training*; (003, "Gradient descent"): *stop when things look
flat*. ``nn.train.fit`` uses the three pieces of this module:

* :class:`EarlyStopping` watches one number per epoch (the validation loss by default)
  and says stop after ``patience`` epochs without an improvement larger than
  ``min_delta``; it keeps a copy of the best epoch's weights to restore them.
* :class:`GradientWatch` measures, over one epoch, the norm of the mean gradient
  ``‖∇_θ E(θ)‖₂ ≈ ‖(1/N) Σ_b m_b ∇_θ E_b(θ)‖₂`` (the batches' gradients weighted by
  their sizes ``m_b``): with one full batch this is exactly ``‖∇_θ E(θ)‖₂``, the quantity
  that is zero at a stationary point. It also checks that every gradient is finite
  before the optimizer uses it.

Both criteria of "flat" are available: the gradient is small (``grad_tol``), or the
training loss stopped decreasing (``monitor="loss"`` with ``patience`` and ``min_delta``).
"""
import math

import numpy as np

__all__ = ["EarlyStopping", "GradientWatch"]


def _mode_of(monitor, mode):
    if mode == "auto":
        return "max" if "acc" in monitor else "min"
    if mode not in ("min", "max"):
        raise ValueError(f"EarlyStopping: mode must be 'min', 'max' or 'auto', got {mode!r}")
    return mode


class EarlyStopping:
    """Stop when ``monitor`` has not improved for ``patience`` epochs (Keras' rule).

    An epoch *improves* when its value beats the best so far by more than ``min_delta``:
    ``value < best - min_delta`` for a loss (``mode="min"``), ``value > best + min_delta``
    for an accuracy (``mode="max"``; ``"auto"`` picks ``max`` for names containing
    ``acc``). After ``patience`` epochs in a row without improvement, :meth:`update`
    returns True. ``patience=None`` never stops (the best weights are still tracked).

    With ``restore_best=True`` the model's ``state_dict()`` (parameters and buffers, e.g.
    batch-norm statistics) is copied at every improvement, and :meth:`restore` loads it
    back: the restored model is the best epoch's model, bit for bit.
    """

    def __init__(self, monitor="val_loss", patience=None, min_delta=0.0, mode="auto",
                 restore_best=False):
        if patience is not None and (isinstance(patience, bool) or not isinstance(patience, int)
                                     or patience < 0):
            raise ValueError(f"patience must be a non-negative integer or None, got {patience!r}")
        if not (isinstance(min_delta, (int, float)) and min_delta >= 0):
            raise ValueError(f"min_delta must be a non-negative number, got {min_delta!r}")
        self.monitor = monitor
        self.patience = patience
        self.min_delta = float(min_delta)
        self.mode = _mode_of(monitor, mode)
        self.restore_best = bool(restore_best)
        self.best = math.inf if self.mode == "min" else -math.inf
        self.best_epoch = None
        self.wait = 0
        self._snapshot = None

    def improved(self, value):
        if not math.isfinite(value):
            return False
        if self.mode == "min":
            return value < self.best - self.min_delta
        return value > self.best + self.min_delta

    def update(self, value, epoch, model=None):
        """Record epoch ``epoch``'s value; True when training should stop now."""
        if self.improved(value):
            self.best, self.best_epoch, self.wait = float(value), epoch, 0
            if self.restore_best:
                self._snapshot = _copy_state(model)
            return False
        self.wait += 1
        return self.patience is not None and self.wait >= self.patience

    def restore(self, model):
        """Load the best epoch's weights into ``model``; False when there is none."""
        if self._snapshot is None:
            return False
        model.load_state_dict(self._snapshot)
        return True

    def reason(self):
        return (f"early stopping: {self.monitor} has not improved by more than "
                f"{self.min_delta:g} for {self.wait} epochs (best {self.best:.6g} at epoch "
                f"{self.best_epoch})")


def _copy_state(model):
    state = getattr(model, "state_dict", None)
    if state is None:
        raise TypeError(f"restore_best needs a model with state_dict()/load_state_dict() (an "
                        f"nn.Module); got {type(model).__name__}")
    return {k: np.array(v.array, copy=True) for k, v in state().items()}


class GradientWatch:
    """The gradients of one epoch: their finiteness (checked before every optimizer step)
    and, with ``track_norm``, the norm of their sample-weighted mean.

    ``params``: the ``(name, Parameter)`` pairs the optimizer updates.
    """

    def __init__(self, params, track_norm=False):
        self.params = list(params)
        self.track_norm = track_norm
        self._sum, self._n = None, 0

    def start_epoch(self):
        self._sum, self._n = None, 0

    def check(self, batch_size):
        """The name of the first parameter whose gradient is not finite, else None.
        With ``track_norm``, also adds ``batch_size * grad`` to the epoch's sum."""
        grads = [(name, p.grad.array) for name, p in self.params if p.grad is not None]
        for name, g in grads:
            # NOTE: one sum per array, a full isfinite pass only when the sum is not finite
            # (a sum can overflow on huge but finite entries).
            if not np.isfinite(g.sum()) and not np.isfinite(g).all():
                return name
        if self.track_norm:
            if self._sum is None:
                # NOTE: in the gradients' own dtype: a stopping rule needs no more precision,
                # and float32 halves the memory traffic.
                self._sum = {name: np.zeros(g.shape, np.result_type(g.dtype, np.float32))
                             for name, g in grads}
            for name, g in grads:
                acc = self._sum[name]
                acc += g if batch_size == 1 else np.multiply(g, batch_size, dtype=acc.dtype)
            self._n += batch_size
        return None

    def epoch_norm(self):
        """‖(1/N) Σ_b m_b g_b‖₂ over all parameters (NaN when no step was taken)."""
        if not self._n:
            return float("nan")
        return math.sqrt(sum(float(np.vdot(s, s)) for s in self._sum.values())) / self._n
