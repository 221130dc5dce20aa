"""Containers: modules that hold other modules (or parameters) and register them.

``Sequential`` chains modules; ``ModuleList`` / ``ModuleDict`` hold modules that a
forward method uses in its own way (a plain Python list would hide their parameters
from ``parameters()``, ``state_dict()`` and ``train()``); ``ParameterList`` /
``ParameterDict`` do the same for parameters. Re-exported by ``nn.module``.
"""
import collections
import collections.abc

from .module import Module, Parameter

__all__ = ["Sequential", "ModuleList", "ModuleDict", "ParameterList", "ParameterDict"]


def _norm_index(idx, n, what):
    idx = int(idx)
    if not -n <= idx < n:
        raise IndexError(f"index {idx} is out of range for a {what} of length {n}")
    return idx % n


class _ModuleSequence(Module):
    """What Sequential and ModuleList share: numbered children, ``len``, iteration,
    item assignment and deletion (renumbering, as PyTorch does), ``append``, ``extend``
    and ``insert``."""

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())

    def _key(self, idx):
        keys = list(self._modules)
        return keys[_norm_index(idx, len(keys), type(self).__name__)]

    def __setitem__(self, idx, module):
        self.add_module(self._key(idx), module)

    def __delitem__(self, idx):
        if isinstance(idx, slice):
            for k in list(self._modules)[idx]:
                del self._modules[k]
        else:
            del self._modules[self._key(idx)]
        self._renumber(list(self._modules.values()))

    def _renumber(self, mods):
        self._modules.clear()
        for i, m in enumerate(mods):
            self.add_module(str(i), m)

    def append(self, module):
        self.add_module(str(len(self)), module)
        return self

    def extend(self, modules):
        for m in modules:
            self.append(m)
        return self

    def insert(self, index, module):
        mods = list(self._modules.values())
        mods.insert(index, module)
        self._renumber(mods)


class Sequential(_ModuleSequence):
    """A chain of modules applied in order: ``Sequential(m0, m1, ...)(x) = ... m1(m0(x))``.

    Built from modules (named "0", "1", ...) or from an ordered dict of named
    modules. Supports ``len``, iteration, integer indexing (a module) and slicing
    (a new Sequential sharing the modules), ``append``, ``insert``, ``extend``.
    """

    def __init__(self, *args):
        super().__init__()
        if len(args) == 1 and isinstance(args[0], collections.abc.Mapping):
            for name, m in args[0].items():
                self.add_module(name, m)
        else:
            for i, m in enumerate(args):
                self.add_module(str(i), m)

    def forward(self, x):
        for m in self._modules.values():
            x = m(x)
        return x

    def __getitem__(self, idx):
        if isinstance(idx, slice):
            return Sequential(collections.OrderedDict(list(self._modules.items())[idx]))
        return self._modules[self._key(idx)]

    def insert(self, index, module):
        n = len(self)
        index = index if index >= 0 else index + n
        if not 0 <= index <= n:
            raise IndexError(f"insert index {index} out of range for a Sequential of length {n}")
        super().insert(index, module)
        return self


def _as_parameter(value):
    return value if isinstance(value, Parameter) else Parameter(value)


class ModuleList(_ModuleSequence):
    """A list of modules whose parameters are registered (a plain Python list would
    hide them from ``parameters()``). It has no forward; index and iterate it."""

    def __init__(self, modules=None):
        super().__init__()
        if modules is not None:
            self.extend(modules)

    def __getitem__(self, idx):
        if isinstance(idx, slice):
            return ModuleList(list(self._modules.values())[idx])
        return self._modules[self._key(idx)]

    def __iadd__(self, modules):
        return self.extend(modules)


class _NamedRegistry(Module):
    """The mapping interface of ModuleDict and ParameterDict: an ordered dict view of
    one of the module's own registries (``_store`` names it), so every entry stays
    registered (in ``parameters()``, ``state_dict()``, ``repr``)."""

    _store = None

    def _entries(self):
        return getattr(self, self._store)

    def __getitem__(self, key):
        return self._entries()[key]

    def __delitem__(self, key):
        del self._entries()[key]

    def __len__(self):
        return len(self._entries())

    def __iter__(self):
        return iter(self._entries())

    def __contains__(self, key):
        return key in self._entries()

    def keys(self):
        return self._entries().keys()

    def items(self):
        return self._entries().items()

    def values(self):
        return self._entries().values()

    def pop(self, key):
        return self._entries().pop(key)

    def clear(self):
        self._entries().clear()

    def update(self, entries):
        items = entries.items() if isinstance(entries, collections.abc.Mapping) else entries
        for k, v in items:
            self[k] = v


class ModuleDict(_NamedRegistry):
    """An ordered dict of named modules, all registered."""

    _store = "_modules"

    def __init__(self, modules=None):
        super().__init__()
        if modules is not None:
            self.update(modules)

    def __setitem__(self, key, module):
        self.add_module(key, module)


class ParameterList(Module):
    """A list of Parameters, all registered (named "0", "1", ...)."""

    def __init__(self, values=None):
        super().__init__()
        for v in values or ():
            self.append(v)

    def __len__(self):
        return len(self._parameters)

    def __iter__(self):
        return iter(self._parameters.values())

    def __getitem__(self, idx):
        return self._parameters[str(_norm_index(idx, len(self), "ParameterList"))]

    def __setitem__(self, idx, value):
        self.register_parameter(str(_norm_index(idx, len(self), "ParameterList")), _as_parameter(value))

    def append(self, value):
        self.register_parameter(str(len(self)), _as_parameter(value))
        return self

    def extend(self, values):
        for v in values:
            self.append(v)
        return self


class ParameterDict(_NamedRegistry):
    """An ordered dict of named Parameters, all registered."""

    _store = "_parameters"

    def __init__(self, parameters=None):
        super().__init__()
        if parameters is not None:
            self.update(parameters)

    def __setitem__(self, key, value):
        self.register_parameter(key, _as_parameter(value))
