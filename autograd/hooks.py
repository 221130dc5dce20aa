"""Handles of registered hooks (PyTorch's ``torch.utils.hooks.RemovableHandle``): one
class for a tensor's gradient hooks and a module's forward hooks."""
import itertools

__all__ = ["RemovableHandle"]


class RemovableHandle:
    """Files ``hook`` in the dict ``store`` under a fresh id; ``remove()`` takes it out
    (twice is harmless). Usable as a context manager that removes on exit."""

    _ids = itertools.count()

    def __init__(self, store, hook):
        self._store = store
        self.id = next(RemovableHandle._ids)
        store[self.id] = hook

    def remove(self):
        self._store.pop(self.id, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()
        return False
