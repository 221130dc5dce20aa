"""Grad mode: one process-wide flag that says whether operations record the graph.

The flag is only ever changed through the context managers below, which restore
the previous value on exit (so they nest and are exception-safe).
"""
import contextlib
import functools

__all__ = ["no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled", "graph_scope"]


class _State:
    enabled = True
    scope = None  # id of the object (usually an nn.Module) whose code is recording ops


STATE = _State()


def is_grad_enabled():
    """True when new operations record the computational graph."""
    return STATE.enabled


class set_grad_enabled(contextlib.ContextDecorator):
    """Context manager and decorator that sets grad mode to ``mode`` and restores it on exit."""

    def __init__(self, mode=True):
        self.mode = bool(mode)
        self._prev = []

    def __enter__(self):
        self._prev.append(STATE.enabled)
        STATE.enabled = self.mode
        return self

    def __exit__(self, *exc):
        STATE.enabled = self._prev.pop()
        return False

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self.__class__(self.mode):
                return fn(*args, **kwargs)

        return wrapper


class no_grad(set_grad_enabled):
    """Switch graph recording off: ``with ag.no_grad(): ...`` or ``@ag.no_grad()``.

    Results computed inside have ``requires_grad=False`` and no ``grad_fn``; use it for
    evaluation and for parameter updates.
    """

    def __init__(self):
        super().__init__(False)

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with no_grad():
                return fn(*args, **kwargs)

        return wrapper


class enable_grad(set_grad_enabled):
    """Switch graph recording back on inside a ``no_grad`` block."""

    def __init__(self):
        super().__init__(True)

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with enable_grad():
                return fn(*args, **kwargs)

        return wrapper


class graph_scope:
    """Stamp every op recorded inside with ``obj``: its node's ``scope`` is ``id(obj)``.

    ``nn.Module.__call__`` wraps each ``forward`` in one, so a drawing knows exactly
    which module made each operation (``ag.viz.draw(..., model=m)``). Scopes nest; the
    innermost wins. Only the id is kept, so a node never keeps ``obj`` alive.
    """

    __slots__ = ("obj", "prev")

    def __init__(self, obj):
        self.obj = obj

    def __enter__(self):
        self.prev = STATE.scope
        STATE.scope = id(self.obj)
        return self.obj

    def __exit__(self, *exc):
        STATE.scope = self.prev
        return False
