"""The optimizer base class: parameter groups, per-parameter state, the training step.

An optimizer owns ``param_groups``, a list of dicts. Each holds ``'params'`` (a list
of leaf Tensors) and that group's hyper-parameters; keys a group does not set are
filled from the optimizer's defaults, so different layers can train with different
learning rates:

    opt = optim.SGD([{'params': body}, {'params': head, 'lr': 1e-2}], lr=1e-3)

``state`` maps each parameter to a dict of arrays (momentum buffers, running
averages, the step count). It is created lazily, by ``_init_state``, the first time
a parameter with a gradient is stepped.

``step`` reads ``p.grad.array`` (never writes it: gradient arrays may be shared) and
updates ``p.array`` in place through one update function on numpy arrays per
optimizer, so no graph is ever recorded. Subclasses define ``_init_state`` and
``_update`` and validate their hyper-parameters in ``_check_group``.
"""
import numbers

import numpy as np

import autograd as ag

__all__ = ["Optimizer", "required"]


class _Required:
    """Marks a hyper-parameter without a default (like ``torch.optim.optimizer.required``)."""

    def __repr__(self):
        return "<required parameter>"


required = _Required()


class Optimizer:
    """Base class of every optimizer.

    params:   an iterable of Tensors, or of dicts (parameter groups) each with a
              ``'params'`` entry and optional per-group hyper-parameters.
    defaults: the hyper-parameters a group gets when it does not set them.
    """

    def __init__(self, params, defaults):
        self.defaults = dict(defaults)
        self.state = {}
        self.param_groups = []
        if isinstance(params, ag.Tensor):
            raise TypeError(
                "params must be an iterable of Tensors or of dicts (parameter groups), got "
                "a single Tensor; wrap it in a list: Optimizer([t], ...)")
        if isinstance(params, (set, frozenset)):
            raise TypeError("params must be an ordered iterable (a list), not a set: "
                            "a set's order changes from run to run, which breaks state_dict")
        params = list(params)
        if not params:
            raise ValueError(
                f"{type(self).__name__} got an empty parameter list; pass the tensors to "
                "optimize, e.g. model.parameters() or [w, b]")
        if not isinstance(params[0], dict):
            params = [{"params": params}]
        for group in params:
            self.add_param_group(group)

    # ------------------------------------------------------------------ groups
    def add_param_group(self, param_group):
        """Add a group of parameters (a dict with ``'params'``) with its own hyper-parameters."""
        if not isinstance(param_group, dict):
            raise TypeError(f"a parameter group must be a dict, got {type(param_group).__name__}")
        group = dict(param_group)
        params = group.get("params")
        if params is None:
            raise ValueError("a parameter group needs a 'params' entry")
        if isinstance(params, ag.Tensor):
            params = [params]
        elif isinstance(params, (set, frozenset)):
            raise TypeError("a group's params must be an ordered iterable (a list), not a set")
        params = list(params)
        if not params:
            raise ValueError(f"{type(self).__name__}: a parameter group has an empty parameter list")
        seen = set()
        for i, p in enumerate(params):
            _check_param(p, i)
            if id(p) in seen:
                raise ValueError(f"parameter {i} (shape {p.shape}) appears twice in one parameter group")
            seen.add(id(p))
        for g in self.param_groups:
            if any(id(q) in seen for q in g["params"]):
                raise ValueError("some parameters appear in more than one parameter group")
        group["params"] = params
        for key, value in self.defaults.items():
            if value is required and key not in group:
                name = type(self).__name__
                raise ValueError(f"{name} needs a value for the hyper-parameter '{key}', e.g. "
                                 f"{name}(params, {key}=...)")
            group.setdefault(key, value)
        self._check_group(group)
        self.param_groups.append(group)

    def _check_group(self, group):
        """Validate one group's hyper-parameters (subclasses extend this)."""
        if "lr" in group:
            _check_lr(group["lr"])

    # ------------------------------------------------------------------ the step
    def zero_grad(self, set_to_none=True):
        """Forget the gradients: ``p.grad = None`` (default), or zeros with ``set_to_none=False``.

        Parameters that never got a gradient are left alone. Zeros are a fresh array,
        never written into the old gradient's memory.
        """
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                if set_to_none:
                    p.grad = None
                else:
                    p.grad = ag.Tensor(np.zeros_like(p.grad.array))

    def _init_state(self, p, group):
        """The fresh state of parameter ``p`` (called on its first step)."""
        return {"step": 0}

    def _update(self, p, grad, state, group):  # pragma: no cover - abstract
        """Update ``p.array`` in place from the gradient array ``grad`` and ``state``."""
        raise NotImplementedError

    def _closure_loss(self, closure):
        if closure is None:
            return None
        if not callable(closure):
            raise TypeError(f"closure must be callable (a function returning the loss), got "
                            f"{type(closure).__name__}")
        with ag.enable_grad():
            return closure()

    def step(self, closure=None):
        """One update of every parameter that has a gradient; returns the closure's loss.

        ``closure`` (optional) recomputes the loss, with grad mode on, before the update;
        it usually calls ``zero_grad`` and ``backward`` itself.
        """
        loss = self._closure_loss(closure)
        state = self.state
        for group in self.param_groups:
            for p in group["params"]:
                g = p.grad
                if g is None:
                    continue
                s = state.get(p)
                if s is None:
                    s = state[p] = self._init_state(p, group)
                else:
                    _follow(p, s)
                s["step"] += 1
                self._update(p, g.array, s, group)
                ag.increment_version(p)  # an in-place change: graphs that saved p see it
        return loss

    # ------------------------------------------------------------------ saving
    def state_dict(self):
        """A copy of the optimizer's state, with parameters replaced by their positions.

        ``{'state': {index: {name: array or number}}, 'param_groups': [{..., 'params':
        [index, ...]}]}``. Indices count parameters across groups in order. Only
        arrays, numbers, bools, None, strings, lists and dicts appear, so the result
        can be written with ``nn.save``. Arrays are copies: training on does not change
        a state dict already taken.
        """
        index = {}
        groups = []
        for group in self.param_groups:
            packed = {k: _pack(v) for k, v in group.items() if k != "params"}
            packed["params"] = [index.setdefault(id(p), len(index)) for p in group["params"]]
            groups.append(packed)
        state = {}
        for group in self.param_groups:
            for p in group["params"]:
                s = self.state.get(p)
                if s is not None:
                    state[index[id(p)]] = {k: _pack(v) for k, v in s.items()}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict):
        """Restore a state taken with :meth:`state_dict` (from this or an identical optimizer).

        Parameters are matched by position, so the groups must have the same sizes.
        State keys may be ints or their string form (formats that only store string keys).
        """
        if not isinstance(state_dict, dict) or "param_groups" not in state_dict or "state" not in state_dict:
            raise ValueError("load_state_dict expects a dict with 'state' and 'param_groups', "
                             "as returned by Optimizer.state_dict()")
        saved_groups = list(state_dict["param_groups"])
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(f"the state dict has {len(saved_groups)} parameter groups but this "
                             f"optimizer has {len(self.param_groups)}")
        by_index = {}
        new_groups = []
        for i, (mine, saved) in enumerate(zip(self.param_groups, saved_groups)):
            ids = [int(j) for j in _unpack(saved["params"])]
            if len(ids) != len(mine["params"]):
                raise ValueError(f"parameter group {i} has {len(mine['params'])} parameters but the "
                                 f"state dict's group has {len(ids)}")
            for j, p in zip(ids, mine["params"]):
                by_index[j] = p
            group = {"params": mine["params"]}
            for k, v in saved.items():
                if k == "params":
                    continue
                v = _unpack(v)
                if isinstance(mine.get(k), tuple) and isinstance(v, (list, np.ndarray)):
                    v = tuple(v.tolist() if isinstance(v, np.ndarray) else v)
                group[k] = v
            self._check_group(group)
            new_groups.append(group)
        new_state = {}
        for j, s in dict(state_dict["state"]).items():
            p = by_index.get(int(j))
            if p is None:
                raise ValueError(f"the state dict has state for parameter {j}, which is not in any group")
            entry = {k: _load_value(k, v, p, j) for k, v in dict(s).items()}
            new_state[p] = entry
        self.param_groups = new_groups
        self.state = new_state

    def __repr__(self):
        lines = [type(self).__name__ + " ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            for k in sorted(group):
                if k != "params":
                    lines.append(f"    {k}: {group[k]}")
        lines.append(")")
        return "\n".join(lines)


# ---------------------------------------------------------------------- helpers
def _check_param(p, i):
    if not isinstance(p, ag.Tensor):
        raise TypeError(f"optimizers work on Tensors, but parameter {i} is a {type(p).__name__}")
    if not p.is_leaf:
        raise ValueError(
            f"can't optimize a non-leaf Tensor (parameter {i}, made by '{p.grad_fn.name}'): its "
            "value is computed from other tensors. Optimize the leaves it comes from, or use "
            "t.detach().requires_grad_() to make a new leaf")
    if not p.requires_grad:
        raise ValueError(
            f"parameter {i} (shape {p.shape}) does not require grad, so it would never get a "
            "gradient; create it with requires_grad=True or call p.requires_grad_()")


def _check_lr(lr):
    if not isinstance(lr, numbers.Real) or isinstance(lr, bool):
        raise TypeError(f"lr must be a number, got {type(lr).__name__}")
    if not lr >= 0.0:  # also rejects NaN
        raise ValueError(f"Invalid learning rate: {lr} (must be >= 0)")


def check_nonneg(name, value):
    """Raise unless ``value`` is a number >= 0."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not value >= 0.0:
        raise ValueError(f"Invalid {name}: {value} (must be a number >= 0)")


def check_unit(name, value):
    """Raise unless 0 <= value < 1 (betas, decay rates)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not 0.0 <= value < 1.0:
        raise ValueError(f"Invalid {name}: {value} (must be in [0, 1))")


def _follow(p, state):
    """Move ``p``'s state arrays to ``p``'s device if the parameter moved since they were
    made (``model.to("cuda")`` after some steps): the state lives where its parameter does."""
    kind = type(p.array)
    for k, v in state.items():
        # NOTE: step counts and empty buffers (most entries) are skipped by their type
        # alone: this runs for every parameter at every step
        if type(v) is not kind and type(v) not in _NOT_ARRAYS and ag.backend.is_array(v):
            state[k] = ag.backend.to_device(v, p.device)


_NOT_ARRAYS = frozenset((int, float, bool, type(None)))


def _pack(v):
    """A state_dict value: arrays copied (on their device, as PyTorch keeps them), tuples
    as lists, numpy scalars as Python numbers."""
    if isinstance(v, np.ndarray) or ag.backend.is_array(v):
        return v.copy()
    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, (list, tuple)):
        return [_pack(x) for x in v]
    if isinstance(v, dict):
        return {k: _pack(x) for k, x in v.items()}
    if isinstance(v, ag.Tensor):
        return v.array.copy()
    return v


def _load_value(k, v, p, j):
    """One state entry, checked and converted at load (not at the next ``step()``).

    A buffer (an array or Tensor shaped like the parameter) takes the parameter's
    floating dtype, integer and bool buffers included (PyTorch casts them the same
    way); a buffer of another kind (strings, complex) is refused. ``step`` must be a
    non-negative whole number.
    """
    if isinstance(v, ag.Tensor):
        v = v.array.copy()
    if k == "step" or not ag.backend.is_array(v):
        v = _unpack(v)
    if k == "step":
        if isinstance(v, bool) or not isinstance(v, numbers.Real) or v < 0 or v != int(v):
            raise ValueError(f"load_state_dict: state 'step' of parameter {j} is {v!r}; it must be "
                             "a non-negative whole number (a damaged or foreign state dict)")
        return int(v)
    if not ag.backend.is_array(v):
        return v
    if v.shape != p.shape:  # a buffer shaped like p (0-d too)
        raise ValueError(f"load_state_dict: state '{k}' of parameter {j} has shape {v.shape}, but "
                         f"the parameter has shape {p.shape}")
    dt = p.array.dtype
    if v.dtype.kind not in "biuf" or (v.dtype.kind == "f" and dt.kind != "f"):
        raise TypeError(f"load_state_dict: state '{k}' of parameter {j} has dtype {v.dtype}; "
                        f"optimizer buffers must be real numbers (the parameter is {dt}); a "
                        "damaged or foreign state dict")
    v = v.astype(dt) if dt.kind == "f" else v.copy()
    return ag.backend.to_device(v, p.device)  # the state lives on its parameter's device


def _unpack(v):
    """Undo what a file format may have done: 0-d arrays back to Python numbers, arrays copied."""
    if isinstance(v, np.ndarray) or ag.backend.is_array(v):
        return v.item() if v.ndim == 0 else v.copy()
    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, (list, tuple)):
        return [_unpack(x) for x in v]
    if isinstance(v, dict):
        return {k: _unpack(x) for k, x in v.items()}
    return v
