"""Modules: the building blocks of networks, and the containers that hold them.

A :class:`Module` owns named :class:`Parameter` tensors (learned), named buffers
(state that is saved but not learned, such as batch norm's running statistics) and
named child modules. They are registered simply by assigning attributes::

    class MLP(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = nn.Linear(2, 8)     # a child module
            self.scale = nn.Parameter(ag.ones(1))   # a parameter
        def forward(self, x):
            return self.fc1(x) * self.scale

``Module.__setattr__`` files each value into one of three ordered dicts
(``_parameters``, ``_buffers``, ``_modules``); everything else about a module
(``parameters()``, ``state_dict()``, ``train()``, ``repr``) walks those dicts, so the
order of registration is the order of iteration, saving and printing. The containers (Sequential, ModuleList, ...) are in ``nn.container``.
"""
import collections
import collections.abc

import numpy as np

import autograd as ag

from . import module_conversions as _conversions

__all__ = ["Module", "Parameter"]


# ====================================================================== Parameter
class Parameter(ag.Tensor):
    """A Tensor that a Module registers as a learned parameter.

    ``Parameter(data=None, requires_grad=True)``: a leaf tensor that requires grad by
    default. ``data`` may be a Tensor, a numpy array or a nested list; a Tensor's or an
    array's values are shared, not copied (like ``torch.nn.Parameter``). Assigning a
    Parameter to a Module attribute registers it in ``module._parameters``.
    """

    __slots__ = ()

    def __init__(self, data=None, requires_grad=True):
        if data is None:
            data = np.zeros((0,), dtype=np.float32)
        elif isinstance(data, ag.Tensor):
            data = data.array
        ag.Tensor.__init__(self, data, requires_grad=requires_grad)
        if ag.backend._DEFAULT[0] is not ag.backend.NUMPY and type(self.array) is np.ndarray:
            # made under ag.set_default_device: the parameter lives there (PyTorch's rule)
            self.array = ag.backend.to_device(self.array, ag.get_default_device())

    def __repr__(self):
        return "Parameter containing:\n" + ag.Tensor.__repr__(self)

    __str__ = __repr__


def _as_buffer(value, name):
    if value is None or isinstance(value, ag.Tensor):
        return value
    if isinstance(value, (np.ndarray, np.generic)) or ag.backend.is_array(value):
        return ag.Tensor(value)
    raise TypeError(f"cannot assign {type(value).__name__} as buffer {name!r} "
                    "(a Tensor, a numpy array or None expected)")


_scope = ag.graph_scope
_IncompatibleKeys = collections.namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])


# ====================================================================== Module
class Module:
    """Base class of every layer and network.

    Subclasses call ``super().__init__()`` first, assign parameters and child modules
    as attributes, and define ``forward``; calling the module runs ``forward``.
    ``training`` (True after construction) is switched for the module and every
    descendant by :meth:`train` / :meth:`eval`; dropout and batch norm read it.
    """

    training: bool

    def __init__(self):
        d = self.__dict__
        d["training"] = True
        d["_parameters"] = {}
        d["_buffers"] = {}
        d["_non_persistent"] = set()
        d["_modules"] = {}
        d["_forward_hooks"] = {}
        d["_forward_pre_hooks"] = {}

    def forward(self, *args, **kwargs):
        raise NotImplementedError(f"{type(self).__name__} does not define forward()")

    def __call__(self, *args, **kwargs):
        if _scope.recording:
            # a drawing asked for it (ag.viz): every op recorded by this forward (and
            # not by a child's) is stamped with this module, so drawings group
            # operations by the module that really made them
            with _scope(self):
                return self._call_with_hooks(args, kwargs)
        if self._forward_pre_hooks or self._forward_hooks:
            return self._call_with_hooks(args, kwargs)
        return self.forward(*args, **kwargs)

    def _call_with_hooks(self, args, kwargs):
        for hook in list(self._forward_pre_hooks.values()):
            res = hook(self, args)
            if res is not None:
                args = res if isinstance(res, tuple) else (res,)
        out = self.forward(*args, **kwargs)
        for hook in list(self._forward_hooks.values()):
            res = hook(self, args, out)
            if res is not None:
                out = res
        return out

    def register_forward_hook(self, hook):
        """Call ``hook(module, inputs, output)`` after every forward; a non-None
        return value replaces the output. Returns a handle with ``remove()``."""
        return ag.hooks.RemovableHandle(self._forward_hooks, hook)

    def register_forward_pre_hook(self, hook):
        """Call ``hook(module, inputs)`` before every forward; a non-None return value
        replaces the inputs. Returns a handle with ``remove()``."""
        return ag.hooks.RemovableHandle(self._forward_pre_hooks, hook)

    # ------------------------------------------------------------ registration
    def _check_ready(self):
        if "_parameters" not in self.__dict__:
            raise AttributeError(
                f"cannot assign parameters, buffers or modules before "
                f"{type(self).__name__}.__init__ calls super().__init__()")

    def __setattr__(self, name, value):
        d = self.__dict__
        if isinstance(value, Parameter):
            self._check_ready()
            self._discard(name)
            d["_parameters"][name] = value
        elif isinstance(value, Module):
            self._check_ready()
            self._discard(name)
            d["_modules"][name] = value
        elif "_parameters" in d and name in d["_parameters"]:
            if value is not None:
                raise TypeError(f"cannot assign {type(value).__name__} as parameter {name!r} "
                                "(nn.Parameter or None expected); wrap it: nn.Parameter(t)")
            d["_parameters"][name] = None
        elif "_modules" in d and name in d["_modules"]:
            if value is not None:
                raise TypeError(f"cannot assign {type(value).__name__} as child module "
                                f"{name!r} (nn.Module or None expected)")
            d["_modules"][name] = None
        elif "_buffers" in d and name in d["_buffers"]:
            d["_buffers"][name] = _as_buffer(value, name)
        else:
            object.__setattr__(self, name, value)

    def _discard(self, name):
        d = self.__dict__
        d.pop(name, None)
        for key in ("_parameters", "_buffers", "_modules"):
            d[key].pop(name, None)
        d["_non_persistent"].discard(name)

    def __getattr__(self, name):
        # only called when normal lookup fails: parameters, buffers and children
        d = self.__dict__
        for key in ("_parameters", "_buffers", "_modules"):
            store = d.get(key)
            if store is not None and name in store:
                return store[name]
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def __delattr__(self, name):
        d = self.__dict__
        for key in ("_parameters", "_buffers", "_modules"):
            if name in d.get(key, ()):
                del d[key][name]
                d["_non_persistent"].discard(name)
                return
        object.__delattr__(self, name)

    def __dir__(self):
        return sorted(set(super().__dir__()) | set(self._parameters) | set(self._buffers)
                      | set(self._modules))

    def _check_name(self, name, kind):
        if not isinstance(name, str):
            raise TypeError(f"{kind} name should be a string, got {type(name).__name__}")
        if "." in name or name == "":
            raise KeyError(f"{kind} name {name!r} must be non-empty and contain no '.'")
        if name in self.__dict__ and not any(name in self.__dict__[k] for k in
                                             ("_parameters", "_buffers", "_modules")):
            raise KeyError(f"attribute {name!r} already exists")

    def register_parameter(self, name, param):
        """Register ``param`` (a Parameter or None) under ``name``."""
        self._check_ready()
        self._check_name(name, "parameter")
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(f"cannot assign {type(param).__name__} as parameter {name!r} "
                            "(nn.Parameter or None expected)")
        self._discard(name)
        self._parameters[name] = param

    def register_buffer(self, name, tensor, persistent=True):
        """Register a buffer: a tensor saved in ``state_dict`` (when ``persistent``)
        and converted by ``to()``, but not returned by ``parameters()``: running
        statistics, counters. ``tensor`` may be a Tensor, a numpy array or None."""
        self._check_ready()
        self._check_name(name, "buffer")
        self._discard(name)
        self._buffers[name] = _as_buffer(tensor, name)
        if not persistent:
            self._non_persistent.add(name)

    def add_module(self, name, module):
        """Register ``module`` (a Module or None) as the child ``name``."""
        self._check_ready()
        self._check_name(name, "module")
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"{type(module).__name__} is not a Module subclass")
        self._discard(name)
        self._modules[name] = module

    register_module = add_module

    def get_submodule(self, target):
        """The descendant named by a dotted path such as ``"encoder.0"``."""
        mod = self
        if target == "":
            return mod
        for part in target.split("."):
            if part not in mod._modules or mod._modules[part] is None:
                raise AttributeError(f"{type(mod).__name__} has no submodule {part!r} "
                                     f"(looking up {target!r})")
            mod = mod._modules[part]
        return mod

    def get_parameter(self, target):
        mod_path, _, name = target.rpartition(".")
        mod = self.get_submodule(mod_path)
        if name not in mod._parameters:
            raise AttributeError(f"{type(mod).__name__} has no parameter {name!r}")
        return mod._parameters[name]

    # ------------------------------------------------------------ iteration
    def named_modules(self, memo=None, prefix="", remove_duplicate=True):
        """(dotted name, module) for this module and every descendant, each once,
        parents before children (depth first, in registration order)."""
        if memo is None:
            memo = set()
        stack = [(prefix, self)]
        while stack:
            name, mod = stack.pop()
            if remove_duplicate:
                if id(mod) in memo:
                    continue
                memo.add(id(mod))
            yield name, mod
            kids = [((name + "." if name else "") + k, m)
                    for k, m in mod._modules.items() if m is not None]
            stack.extend(reversed(kids))

    def modules(self):
        for _, m in self.named_modules():
            yield m

    def named_children(self):
        seen = set()
        for name, m in self._modules.items():
            if m is not None and id(m) not in seen:
                seen.add(id(m))
                yield name, m

    def children(self):
        for _, m in self.named_children():
            yield m

    def _named_members(self, store, prefix, recurse, remove_duplicate=True):
        seen = set()
        mods = self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate) \
            if recurse else [(prefix, self)]
        for mod_prefix, mod in mods:
            for name, v in mod.__dict__[store].items():
                if v is None or (remove_duplicate and id(v) in seen):
                    continue
                seen.add(id(v))
                yield (mod_prefix + "." if mod_prefix else "") + name, v

    def named_parameters(self, prefix="", recurse=True, remove_duplicate=True):
        """(dotted name, Parameter) pairs; a parameter shared by several modules is
        yielded once, under its first name."""
        return self._named_members("_parameters", prefix, recurse, remove_duplicate)

    def parameters(self, recurse=True):
        """Every Parameter of this module and its descendants, each tensor once."""
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def named_buffers(self, prefix="", recurse=True, remove_duplicate=True):
        return self._named_members("_buffers", prefix, recurse, remove_duplicate)

    def buffers(self, recurse=True):
        for _, b in self.named_buffers(recurse=recurse):
            yield b

    # ------------------------------------------------------------ modes and maintenance
    def train(self, mode=True):
        """Set training mode (``mode=True``) or evaluation mode on this module and every
        descendant. Returns self."""
        if not isinstance(mode, bool):
            raise ValueError("training mode is expected to be a bool")
        for m in self.modules():
            m.__dict__["training"] = mode
        return self

    def eval(self):
        """Evaluation mode (``train(False)``): dropout off, batch norm uses running stats."""
        return self.train(False)

    def requires_grad_(self, requires_grad=True):
        """Switch gradient recording on or off for every parameter (e.g. to freeze a layer)."""
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none=True):
        """Reset parameter gradients: to None (default, like PyTorch), or to zeros in
        place with ``set_to_none=False``. Parameters without a gradient are skipped."""
        for p in self.parameters():
            if set_to_none:
                p.grad = None
            elif p.grad is not None:
                if p.grad.grad_fn is not None:
                    p.grad = p.grad.detach()
                p.grad.array[...] = 0

    def apply(self, fn):
        """Call ``fn(m)`` on every child (recursively), then on self; returns self.
        Typical use: custom initialisation, ``model.apply(init_weights)``."""
        for m in self.children():
            m.apply(fn)
        fn(self)
        return self

    # conversions (nn.module_conversions): to(device / dtype), cpu, cuda, double, float
    to = _conversions.to
    double = _conversions.double
    float = _conversions.float_
    cpu = _conversions.cpu
    cuda = _conversions.cuda

    def _state_items(self, keep_vars=False):
        for mod_prefix, mod in self.named_modules(remove_duplicate=False):
            pre = mod_prefix + "." if mod_prefix else ""
            for name, p in mod._parameters.items():
                if p is not None:
                    yield pre + name, p
            for name, b in mod._buffers.items():
                if b is not None and name not in mod._non_persistent:
                    yield pre + name, b

    def state_dict(self, destination=None, prefix="", keep_vars=False):
        """An ordered dict from dotted names (``"fc1.weight"``, ``"bn.running_mean"``) to
        every parameter and persistent buffer. Values are detached Tensors sharing the
        module's memory (like PyTorch; ``copy.deepcopy`` it for a snapshot), or the
        Parameters themselves with ``keep_vars=True``."""
        if destination is None:
            destination = collections.OrderedDict()
        for name, t in self._state_items():
            destination[prefix + name] = t if keep_vars else t.detach()
        return destination

    _optional_state = ()  # buffers a state dict may omit (BatchNorm's num_batches_tracked)

    def load_state_dict(self, state_dict, strict=True):
        """Copy values from ``state_dict`` (Tensors, numpy arrays or numbers, keyed by
        dotted names) into the parameters and buffers in place.

        Every check runs before anything is copied, so on any error the module is left
        untouched: a value whose shape differs from the parameter's raises (always),
        and with ``strict=True`` so do missing and unexpected keys. The error names
        each offending key. Returns ``(missing_keys, unexpected_keys)``.
        """
        if not isinstance(state_dict, collections.abc.Mapping):
            raise TypeError(f"load_state_dict expects a dict, got {type(state_dict).__name__}")
        own = collections.OrderedDict(self._state_items())
        # PyTorch's rule: an optional buffer absent from a dict not marked as saved with it
        # (metadata version >= 2) is not missing; it keeps its value
        meta = getattr(state_dict, "_metadata", None) or {}
        optional = {(p + "." if p else "") + n for p, m in self.named_modules(remove_duplicate=False)
                    for n in m._optional_state if (meta.get(p, {}).get("version") or 0) < 2}
        missing = [k for k in own if k not in state_dict and k not in optional]
        unexpected = [k for k in state_dict if k not in own]
        errors = []
        staged = []
        for key, target in own.items():
            if key not in state_dict:
                continue
            value = state_dict[key]
            try:
                arr = value.array if isinstance(value, ag.Tensor) else value
                if not ag.backend.is_array(arr):
                    arr = np.asarray(arr)
            except Exception as e:  # noqa: BLE001 - reported below with the key
                errors.append(f"could not read the value for {key!r}: {e}")
                continue
            if arr.dtype.kind not in "biuf":
                errors.append(f"the value for {key!r} is not numeric (dtype {arr.dtype})")
                continue
            if arr.shape != target.shape:
                errors.append(f"size mismatch for {key!r}: copying a value of shape "
                              f"{arr.shape} into a parameter of shape {target.shape} "
                              "in the current model")
                continue
            if target.array.dtype.kind in "iub" and arr.dtype.kind == "f":
                errors.append(f"the value for {key!r} has dtype {arr.dtype} but the buffer "
                              f"holds {target.array.dtype}")
                continue
            staged.append((target, arr))
        if strict:
            if unexpected:
                errors.insert(0, "unexpected key(s) in state_dict: "
                              + ", ".join(repr(k) for k in unexpected))
            if missing:
                errors.insert(0, "missing key(s) in state_dict: "
                              + ", ".join(repr(k) for k in missing))
        if errors:
            raise RuntimeError(f"error(s) in loading state_dict for {type(self).__name__} "
                               "(the model was left unchanged):\n\t" + "\n\t".join(errors))
        for target, arr in staged:
            arr = ag.backend.to_device(arr, target.device)  # the module's device, any source
            if getattr(target.array.flags, "writeable", True) and target.array.base is None:
                np.copyto(target.array, arr, casting="unsafe")
                ag.increment_version(target)
            else:
                target.array = arr.astype(target.array.dtype)  # a copy, on the device
        return _IncompatibleKeys(missing, unexpected)

    # ------------------------------------------------------------ display
    def extra_repr(self):
        """The text between the parentheses of this module's repr (override it)."""
        return ""

    def _get_name(self):
        return type(self).__name__

    def __repr__(self):
        lines = []
        extra = self.extra_repr()
        if extra:
            lines = extra.split("\n")
        children = []
        for name, m in self._modules.items():
            text = "None" if m is None else repr(m)
            text = text.replace("\n", "\n  ")
            children.append(f"({name}): {text}")
        lines = lines + children
        out = self._get_name() + "("
        if lines:
            if len(lines) == 1 and not children:
                out += lines[0]
            else:
                out += "\n  " + "\n  ".join(lines) + "\n"
        return out + ")"

    def __setstate__(self, state):
        self.__dict__.update(state)

