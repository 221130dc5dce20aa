"""Grad mode: whether operations record the graph, one flag per thread (as in PyTorch).

A thread starts with grad mode on. The flag is changed by the context managers
below, which restore the value they found on exit (so they nest and are
exception-safe), or by ``set_grad_enabled(mode)`` called as a plain function.
Each of them is also a decorator; on a generator function it holds the mode only
while the generator runs, not while its consumer does.
"""
import functools
import inspect
import threading

__all__ = ["no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled", "graph_scope"]


class _State(threading.local):
    """Per-thread state. Class attributes are every new thread's starting values."""

    enabled = True
    scope = None  # id of the object (usually an nn.Module) whose code is recording ops

    def __init__(self):
        self.saved = []  # (context, mode to restore) of the contexts entered in this thread


STATE = _State()


def is_grad_enabled():
    """True when new operations in this thread record the computational graph."""
    return STATE.enabled


def _wrap_generator(gen_fn, make_ctx):
    """Run each step of the generator inside a fresh context; yield outside it."""

    @functools.wraps(gen_fn)
    def wrapper(*args, **kwargs):
        gen = gen_fn(*args, **kwargs)
        try:
            with make_ctx():
                value = next(gen)
        except StopIteration as stop:
            return stop.value
        while True:
            try:
                sent = yield value
            except GeneratorExit:
                with make_ctx():
                    gen.close()
                raise
            except BaseException as e:  # noqa: BLE001 - thrown into the generator
                try:
                    with make_ctx():
                        value = gen.throw(e)
                except StopIteration as stop:
                    return stop.value
                continue
            try:
                with make_ctx():
                    value = gen.send(sent)
            except StopIteration as stop:
                return stop.value

    return wrapper


class _GradModeContext:
    """Base of the grad-mode context managers: sets ``mode`` on enter, restores the
    previous value of this thread on exit. One instance may be entered from several
    threads at once: each thread keeps what to restore on its own stack."""

    mode = True

    def __enter__(self):
        STATE.saved.append((self, STATE.enabled))
        STATE.enabled = self.mode
        return self

    def __exit__(self, *exc):
        saved = STATE.saved
        for k in range(len(saved) - 1, -1, -1):  # the last entry of this context
            if saved[k][0] is self:
                STATE.enabled = saved.pop(k)[1]
                break
        return False

    def _clone(self):
        return type(self)()

    def __call__(self, fn):
        if inspect.isgeneratorfunction(fn):
            return _wrap_generator(fn, self._clone)

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self._clone():
                return fn(*args, **kwargs)

        return wrapper


class no_grad(_GradModeContext):
    """Switch graph recording off: ``with ag.no_grad(): ...`` or ``@ag.no_grad()``.

    Results computed inside have ``requires_grad=False`` and no ``grad_fn``; use it for
    evaluation and for parameter updates (``p -= lr * p.grad`` changes ``p`` in place).
    """

    mode = False


class enable_grad(_GradModeContext):
    """Switch graph recording back on inside a ``no_grad`` block."""

    mode = True


class set_grad_enabled(_GradModeContext):
    """Set grad mode to ``mode`` in this thread.

    Called as a plain function (``ag.set_grad_enabled(False)``) it takes effect at
    once; as a context manager (``with ag.set_grad_enabled(is_train):``) the previous
    mode comes back on exit; as a decorator it applies to each call.
    """

    def __init__(self, mode=True):
        self.mode = bool(mode)
        self._prev = STATE.enabled
        self._fresh = True
        STATE.enabled = self.mode

    def __enter__(self):
        # the first entry restores what the mode was before __init__ changed it
        STATE.saved.append((self, self._prev if self._fresh else STATE.enabled))
        self._fresh = False
        STATE.enabled = self.mode
        return self

    def _clone(self):
        prev = STATE.enabled
        ctx = set_grad_enabled(self.mode)
        STATE.enabled = prev
        ctx._prev = prev
        return ctx

    def __call__(self, fn):
        STATE.enabled = self._prev  # used as a decorator: creating it changed nothing
        return super().__call__(fn)


class graph_scope:
    """Stamp every op recorded inside with ``obj``: its node's ``scope`` is ``id(obj)``.

    Scopes nest; the innermost wins. Only the id is kept, so a node never keeps ``obj``
    alive. ``nn.Module.__call__`` wraps each ``forward`` in one only while
    ``graph_scope.recording`` is true, so a drawing knows exactly which module made
    each operation (``ag.viz.draw(..., model=m)``). Drawing asks for it: importing
    ``autograd.viz`` switches it on (``ag.viz.record_modules``); a program that never
    draws pays one flag test per module call and no scope on any node.
    """

    __slots__ = ("obj", "prev")
    recording = False  # whether nn.Module.__call__ opens a scope (set by autograd.viz)

    def __init__(self, obj):
        self.obj = obj

    def __enter__(self):
        self.prev = STATE.scope
        STATE.scope = id(self.obj)
        return self.obj

    def __exit__(self, *exc):
        STATE.scope = self.prev
        return False
