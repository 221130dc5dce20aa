"""The training loop of the notes, packaged: ``fit``, ``evaluate``, ``predict``, ``accuracy``.

Every epoch runs the notes' training step on each mini-batch::

    optimizer.zero_grad(); out = model(x); loss = loss_fn(out, y); loss.backward(); optimizer.step()

then evaluates on a validation set (``model.eval()`` and ``ag.no_grad()``, so dropout
is off, batch norm uses its running statistics and no graph is recorded) and records
everything in a :class:`History` that ``nn.plots.plot_history`` draws::

    import nn, optim
    from nn.train import fit
    history = fit(model, nn.CrossEntropyLoss(), optim.Adam(model.parameters(), lr=1e-3),
                  train_loader, epochs=10, val_loader=test_loader)
    history["val_accuracy"][-1]

Early stopping on a validation set, keeping the best epoch's weights::

    history = fit(model, loss_fn, opt, train_loader, epochs=200, val_loader=val_loader,
                  patience=10, min_delta=1e-4, restore_best=True)
    history.best_epoch, history.stop_reason

The optimizer is any object with ``zero_grad()`` and ``step()``: this module never
imports ``optim``. The progress bar is tqdm's (the optional extra ``train``:
``pip install "gradtable[train]"``); ``progress=False`` needs nothing beyond numpy.
"""
import inspect
import math
import time
import warnings

import numpy as np

import autograd as ag

from .stopping import EarlyStopping, GradientWatch

__all__ = ["fit", "evaluate", "predict", "accuracy", "History", "EarlyStopping", "TRAIN_INSTALL_HINT"]

TRAIN_INSTALL_HINT = 'pip install "gradtable[train]"'


def _array(t):
    return t.array if isinstance(t, ag.Tensor) else np.asarray(t)


def accuracy(output, target, threshold="auto"):
    """Fraction of correct predictions (a Python float in [0, 1]).

    - ``output`` of shape (N, C) with C > 1 (logits or probabilities): the prediction is
      the arg-max class; ``target`` holds class indices (N,) or one-hot / probability
      rows (N, C).
    - one score per sample, shape (N,) or (N, 1): binary classification. Targets in
      {-1, +1} (the notes' perceptron, hinge and logistic losses) are compared with the
      sign of the score. Targets in {0, 1} are compared with ``score > threshold``;
      ``threshold="auto"`` takes 0.5 when every score lies in [0, 1] (probabilities, e.g.
      after a sigmoid) and 0 otherwise (logits). Pass a number to fix it.
    """
    out, tgt = _array(output), _array(target)
    if out.ndim == 2 and out.shape[1] > 1:
        pred = out.argmax(axis=1)
        if tgt.ndim == 2 and tgt.shape == out.shape:
            tgt = tgt.argmax(axis=1)
        return float(np.mean(pred == tgt.reshape(-1)))
    score = out.reshape(-1)
    tgt = tgt.reshape(-1)
    if tgt.size and tgt.min() < 0:  # labels in {-1, +1}
        return float(np.mean(np.where(score > 0, 1, -1) == tgt))
    if threshold == "auto":
        threshold = 0.5 if score.size and score.min() >= 0 and score.max() <= 1 else 0.0
    return float(np.mean((score > threshold).astype(np.int64) == tgt))


class History:
    """What ``fit`` measured, per epoch and per step.

    Per epoch (one entry each): ``loss`` (mean training loss, weighted by batch size),
    every metric under its name (``accuracy``, measured on the training batches as they
    were trained), ``val_loss`` and ``val_<metric>`` when there is a validation set,
    ``lr`` (the learning rate used) and ``time`` (seconds).
    Per step: ``step_loss`` and ``step_<metric>`` (one value per mini-batch). With
    ``grad_tol``: ``grad_norm`` per epoch. ``stop_reason``, ``stopped_epoch`` and
    ``best_epoch`` say why and when ``fit`` stopped, and which epoch ``restore_best`` kept.
    ``history[key]`` and ``history.as_dict()`` give plain lists of floats.
    """

    def __init__(self):
        self.epochs = 0
        self.steps_per_epoch = None
        self.diverged = False
        self.stop_reason = None  # why fit stopped before its last epoch
        self.stopped_epoch = None
        self.best_epoch = None  # the epoch restore_best loaded back (or would)
        self._data = {}

    @classmethod
    def from_dict(cls, data, epochs):
        """A History holding ``data`` (as ``as_dict()`` gave it) after ``epochs`` epochs."""
        history = cls()
        history._data = {k: [float(v) for v in values] for k, values in data.items()}
        history.epochs = int(epochs)
        return history

    def log(self, key, value):
        self._data.setdefault(key, []).append(float(value))

    def __getitem__(self, key):
        if key not in self._data:
            raise KeyError(f"History has no {key!r}; it has {sorted(self._data)}")
        return self._data[key]

    def get(self, key, default=None):
        return self._data.get(key, default)

    def __contains__(self, key):
        return key in self._data

    def keys(self):
        return self._data.keys()

    def as_dict(self):
        """Plain lists of floats, ready for ``json.dump``."""
        return {k: list(v) for k, v in self._data.items()}

    @property
    def metric_names(self):
        """The metrics recorded besides the loss (e.g. ``['accuracy']``)."""
        return [k for k in self._data if k not in ("loss", "lr", "time") and not
                k.startswith(("val_", "step_"))]

    def __repr__(self):
        last = ", ".join(f"{k}={v[-1]:.4g}" for k, v in self._data.items()
                         if v and not k.startswith("step_"))
        return f"History({self.epochs} epochs: {last})"


def _metric_dict(metrics):
    if metrics is None:
        return {}
    if callable(metrics):
        return {getattr(metrics, "__name__", "metric"): metrics}
    if isinstance(metrics, dict):
        return dict(metrics)
    return {getattr(m, "__name__", f"metric{i}"): m for i, m in enumerate(metrics)}


def _batch_size(y):
    shape = getattr(y, "shape", None)
    return int(shape[0]) if shape else 1


def _set_mode(model, training):
    if training and hasattr(model, "train"):
        model.train()
    elif not training and hasattr(model, "eval"):
        model.eval()


def _get_lr(optimizer):
    groups = getattr(optimizer, "param_groups", None)
    if groups:
        return groups[0].get("lr", float("nan"))
    return getattr(optimizer, "lr", float("nan"))


def _scheduler_wants_metric(scheduler):
    """ReduceLROnPlateau-style schedulers take the monitored value in ``step(metric)``."""
    try:
        params = list(inspect.signature(scheduler.step).parameters.values())
    except (TypeError, ValueError):
        return False
    return any(p.default is inspect.Parameter.empty and
               p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) for p in params)


def _tqdm():
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from tqdm.auto import tqdm
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ImportError(
            "the progress bar needs tqdm, which is not installed; install the optional "
            f"extra with: {TRAIN_INSTALL_HINT}   (or pass progress=False)"
        ) from e
    return tqdm


def _short(name):
    return name.replace("accuracy", "acc")


def _fmt(name, value):
    if "accuracy" in name or name.endswith("acc"):
        return f"{100 * value:.1f}%"
    return f"{value:.4f}"


def evaluate(model, loss_fn, loader, metrics=accuracy):
    """Mean loss and metrics of ``model`` over ``loader``, in eval mode without a graph.

    Returns a dict ``{"loss": ..., "accuracy": ...}`` (``loss`` left out when ``loss_fn``
    is None), averaged over samples. The model's train/eval mode is restored afterwards.
    """
    metrics = _metric_dict(metrics)
    was_training = getattr(model, "training", None)
    _set_mode(model, False)
    totals, n = {}, 0
    try:
        with ag.no_grad():
            for x, y in loader:
                out = model(x)
                m = _batch_size(y)
                n += m
                if loss_fn is not None:
                    totals["loss"] = totals.get("loss", 0.0) + float(loss_fn(out, y).item()) * m
                for name, fn in metrics.items():
                    totals[name] = totals.get(name, 0.0) + float(fn(out, y)) * m
    finally:
        if was_training is not None:
            _set_mode(model, was_training)
    if n == 0:
        raise ValueError("evaluate: the loader yielded no batches")
    return {k: v / n for k, v in totals.items()}


def predict(model, X, batch_size=1024):
    """The model's outputs on ``X`` (array or Tensor) as a numpy array, in eval mode
    without a graph, ``batch_size`` rows at a time. The train/eval mode is restored."""
    X = _array(X)
    was_training = getattr(model, "training", None)
    _set_mode(model, False)
    try:
        with ag.no_grad():
            outs = [_array(model(ag.Tensor(X[i:i + batch_size])))
                    for i in range(0, len(X), batch_size)]
    finally:
        if was_training is not None:
            _set_mode(model, was_training)
    return np.concatenate(outs) if outs else np.empty((0,))


def fit(model, loss_fn, optimizer, train_loader, epochs=1, val_loader=None, metrics=accuracy,
        progress=True, scheduler=None, history=None, log_epochs=False, stop_on_nan=True,
        desc=None, patience=None, min_delta=0.0, restore_best=False, monitor=None,
        grad_tol=None, on_epoch_end=None):
    """Train ``model`` for ``epochs`` passes over ``train_loader``; returns a :class:`History`.

    Args:
        model: a callable (usually an ``nn.Module``) mapping a batch of inputs to outputs.
        loss_fn: ``loss_fn(output, target)`` -> a scalar Tensor (mean over the batch).
        optimizer: anything with ``zero_grad()`` and ``step()`` (an ``optim`` optimizer).
        train_loader: an iterable of ``(x, y)`` batches, e.g. an ``nn.data.DataLoader``;
            it is iterated once per epoch (a shuffling loader reshuffles each time). A
            loader with no batches is refused (ValueError): there is nothing to train on.
        val_loader: evaluated after every epoch with :func:`evaluate` (the notes'
            validation set: keep the test set out of it).
        metrics: a function ``metric(output, target) -> float`` (default :func:`accuracy`),
            a dict ``{name: function}``, or None for the loss alone.
        progress: show a tqdm progress bar with the running loss and metrics.
        scheduler: a learning-rate scheduler, stepped once per epoch; one whose
            ``step`` needs a value (``ReduceLROnPlateau``) gets the validation loss, or
            the training loss without a validation set.
        history: a History to append to (continue training); a new one by default.
        log_epochs: also print one line per epoch (above the bar).
        stop_on_nan: stop (with a RuntimeWarning, ``history.diverged = True``) at the first
            step whose loss or gradient is not finite, *before* the optimizer step: the
            weights kept are those after the last finite step.
        desc: a label for the progress bar.
        patience: early stopping (the notes' "use a validation set to determine when to
            stop training"): stop after ``patience`` epochs in a row in which ``monitor``
            did not improve by more than ``min_delta``. None: never stop early.
        min_delta: the smallest change of ``monitor`` that counts as an improvement.
        restore_best: at the end, load back the weights (and buffers) of the epoch with
            the best ``monitor`` (``history.best_epoch``); needs ``state_dict()``.
        monitor: the History key watched by ``patience``/``restore_best``: ``"val_loss"``
            when there is a ``val_loader``, else ``"loss"``; accuracies are maximised.
            ``monitor="loss"`` with ``patience`` is the "stop when the training loss looks
            flat" criterion.
        grad_tol: the other "flat" criterion: stop when the norm of the epoch's mean
            gradient ``‖∇_θ E‖₂`` (logged as ``grad_norm``) falls below ``grad_tol``.
        on_epoch_end: called as ``on_epoch_end(epoch, history)`` after each epoch (and its
            scheduler step), e.g. to write a checkpoint; ``epoch`` counts from 1.

    Why training stopped is in ``history.stop_reason`` (None when every epoch ran).
    """
    run = _Run(model, loss_fn, optimizer, train_loader, epochs, metrics, history,
               stop_on_nan, grad_tol)
    stopper = _make_stopper(model, val_loader, patience, min_delta, restore_best, monitor)
    wants_metric = scheduler is not None and _scheduler_wants_metric(scheduler)
    bar, write = _open_bar(progress, run.steps, epochs, desc)
    history = run.history
    first_epoch = history.epochs
    try:
        for e in range(epochs):
            epoch = first_epoch + e + 1
            if bar is not None:
                bar.set_description(f"{desc + ' ' if desc else ''}epoch {epoch}/{first_epoch + epochs}")
            lr, t0 = _get_lr(optimizer), time.perf_counter()
            totals, n = run.train_epoch(epoch, bar)
            run.end_epoch(totals, n, val_loader, lr, t0)
            _report_epoch(history, epoch, totals, n, bar, write if log_epochs else None)
            if _should_stop(run, stopper, epoch, grad_tol):
                history.stopped_epoch = epoch
                break
            if scheduler is not None and wants_metric:
                scheduler.step(_plateau_value(history))
            elif scheduler is not None:
                scheduler.step()
            if on_epoch_end is not None:
                on_epoch_end(epoch, history)
    finally:
        if bar is not None:
            bar.close()
    if stopper is not None:
        history.best_epoch = stopper.best_epoch
        if stopper.restore_best and stopper.restore(model) and log_epochs:
            write(f"restored the weights of epoch {stopper.best_epoch} "
                  f"({stopper.monitor} {_fmt(stopper.monitor, stopper.best)})")
    return history


def _plateau_value(history):
    return history["val_loss"][-1] if "val_loss" in history else history["loss"][-1]


def _make_stopper(model, val_loader, patience, min_delta, restore_best, monitor):
    if patience is None and not restore_best:
        return None
    if restore_best and not (hasattr(model, "state_dict") and hasattr(model, "load_state_dict")):
        raise TypeError("fit(restore_best=True) needs a model with state_dict() and "
                        f"load_state_dict() (an nn.Module); got {type(model).__name__}")
    if monitor is None:
        monitor = "val_loss" if val_loader is not None else "loss"
    elif monitor.startswith("val_") and val_loader is None:
        raise ValueError(f"fit: monitor={monitor!r} needs a val_loader (or monitor a "
                         "training quantity such as 'loss')")
    return EarlyStopping(monitor, patience, min_delta, restore_best=restore_best)


def _should_stop(run, stopper, epoch, grad_tol):
    """Decide after an epoch, and record why in ``history.stop_reason``."""
    history = run.history
    if history.diverged:
        history.stop_reason = f"diverged: {run.bad} in epoch {epoch}"
        warnings.warn(
            f"training stopped in epoch {epoch}: {run.bad} (not finite); the optimizer step "
            "was not taken, so the weights are those after the last finite step. The "
            "learning rate is probably too large", RuntimeWarning, stacklevel=3)
        return True
    if grad_tol is not None and history["grad_norm"][-1] < grad_tol:
        history.stop_reason = (f"flat: the gradient norm {history['grad_norm'][-1]:.3g} is "
                               f"below grad_tol={grad_tol:g}")
        return True
    if stopper is not None:
        if stopper.monitor not in history:
            raise KeyError(f"fit: cannot monitor {stopper.monitor!r}; the history has "
                           f"{sorted(k for k in history.keys() if not k.startswith('step_'))}")
        if stopper.update(history[stopper.monitor][-1], epoch, run.model):
            history.stop_reason = stopper.reason()
            return True
    return False


def _named_params(model, optimizer):
    """(name, parameter) for every tensor the optimizer updates (else the model's)."""
    names = {}
    if hasattr(model, "named_parameters"):
        names = {id(p): n for n, p in model.named_parameters()}
    params = [p for g in getattr(optimizer, "param_groups", None) or [] for p in g.get("params", ())]
    if not params and hasattr(model, "parameters"):
        params = list(model.parameters())
    return [(names.get(id(p), f"parameter {i}"), p) for i, p in enumerate(params)]


def _open_bar(progress, steps, epochs, desc):
    if not progress:
        return None, print
    tqdm = _tqdm()
    bar = tqdm(total=None if steps is None else steps * epochs, unit="batch",
               desc=desc or "training", dynamic_ncols=True)
    return bar, bar.write


def _report_epoch(history, epoch, totals, n, bar, write):
    if write is not None:
        line = "  ".join(f"{k} {_fmt(k, history[k][-1])}" for k in history.keys()
                         if not k.startswith("step_") and k not in ("lr", "time"))
        write(f"epoch {epoch:3d}  {line}  ({history['time'][-1]:.1f}s)")
    if bar is not None:
        bar.set_postfix_str(", ".join(f"{_short(k)} {_fmt(k, v / n)}" for k, v in totals.items())
                            + _val_postfix(history))


class _Run:
    """One call of ``fit``: the training step, the epoch loop over batches and the
    end-of-epoch bookkeeping, sharing the model, the loader and the History."""

    def __init__(self, model, loss_fn, optimizer, loader, epochs, metrics, history,
                 stop_on_nan, grad_tol):
        if not (isinstance(epochs, int) and epochs >= 0):
            raise ValueError(f"epochs must be a non-negative integer, got {epochs!r}")
        if grad_tol is not None and not grad_tol > 0:
            raise ValueError(f"grad_tol must be a positive number or None, got {grad_tol!r}")
        try:
            self.steps = len(loader)
        except TypeError:
            self.steps = None
        if self.steps == 0:
            raise ValueError(_EMPTY_LOADER)
        self.model, self.loss_fn, self.optimizer, self.loader = model, loss_fn, optimizer, loader
        self.metrics = _metric_dict(metrics)
        self.history = history if history is not None else History()
        self.history.steps_per_epoch = self.steps
        self.stop_on_nan = stop_on_nan
        self.watch = None
        if stop_on_nan or grad_tol is not None:
            self.watch = GradientWatch(_named_params(model, optimizer), grad_tol is not None)
        self.bad = None  # what was not finite, when training diverged

    def step(self, x, y, m):
        """One training step; returns (output, loss value). The optimizer step is skipped
        (and ``self.bad`` set) when the loss or a gradient is not finite."""
        self.optimizer.zero_grad()
        out = self.model(x)
        loss = self.loss_fn(out, y)
        lval = float(loss.item())
        if self.stop_on_nan and not math.isfinite(lval):
            self.bad = f"the loss is {lval}"
            return out, lval
        loss.backward()
        if self.watch is not None:
            name = self.watch.check(m)
            if name is not None and self.stop_on_nan:
                self.bad = f"the gradient of {name} is not finite (the loss was {lval:.6g})"
                return out, lval
        self.optimizer.step()
        return out, lval

    def train_epoch(self, epoch, bar):
        _set_mode(self.model, True)
        if self.watch is not None:
            self.watch.start_epoch()
        history = self.history
        totals, n = {"loss": 0.0}, 0
        for x, y in self.loader:
            m = _batch_size(y)
            out, lval = self.step(x, y, m)
            n += m
            totals["loss"] += lval * m
            history.log("step_loss", lval)
            if self.bad is not None:
                history.diverged = True
                break
            for name, fn in self.metrics.items():
                v = float(fn(out, y))
                totals[name] = totals.get(name, 0.0) + v * m
                history.log(f"step_{name}", v)
            if bar is not None:
                bar.update(1)
                bar.set_postfix_str(", ".join(f"{_short(k)} {_fmt(k, v / n)}" for k, v in totals.items())
                                    + _val_postfix(history), refresh=False)
        if n == 0:
            raise ValueError(_EMPTY_LOADER + f" (epoch {epoch} yielded no batches)")
        return totals, n

    def end_epoch(self, totals, n, val_loader, lr, t0):
        history = self.history
        for k, v in totals.items():
            history.log(k, v / n)
        if self.watch is not None and self.watch.track_norm:
            history.log("grad_norm", self.watch.epoch_norm())
        if val_loader is not None and not history.diverged:
            for k, v in evaluate(self.model, self.loss_fn, val_loader, self.metrics).items():
                history.log(f"val_{k}", v)
        history.log("lr", lr)
        history.log("time", time.perf_counter() - t0)
        history.epochs += 1


_EMPTY_LOADER = ("fit: train_loader has no batches, so there is nothing to train on (an empty "
                 "dataset, or drop_last=True with a batch_size larger than the dataset)")


def _val_postfix(history):
    parts = [f"{_short(k)} {_fmt(k, v[-1])}" for k, v in history._data.items()
             if k.startswith("val_") and v]
    return (", " + ", ".join(parts)) if parts else ""
