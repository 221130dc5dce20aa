"""The live views of a storage, so that a recorded in-place change made through one
alias can move the others onto the storage's new graph (``autograd.inplace``), as
PyTorch regenerates the ``grad_fn`` of such views.

A storage's version record (``Tensor._vc``, a list ``[time, count]`` shared by a
tensor, its views and its ``detach()``) gets a third item, a list of weak references
to the views made from it with grad mode on.
"""
import weakref

__all__ = ["register_view", "live_views"]


def register_view(vc, view):
    """Remember ``view``, a view made with grad mode on, in its storage's version record
    ``vc`` (as a weak reference in ``vc[2]``), so that a recorded in-place change made
    through another alias can move it onto the storage's new graph, as PyTorch
    regenerates the ``grad_fn`` of such views (``autograd.inplace``)."""
    if len(vc) == 2:
        vc.append([])
    refs = vc[2]
    refs.append(weakref.ref(view))
    n = len(refs)
    if n >= 64 and not n & (n - 1):  # at 64, 128, 256...: drop the views that died
        refs[:] = [r for r in refs if r() is not None]


def live_views(vc):
    """The views registered with ``vc`` that are still alive."""
    if len(vc) < 3:
        return []
    refs = vc[2]
    views = [v for v in (r() for r in refs) if v is not None]
    if len(views) < len(refs):
        refs[:] = [weakref.ref(v) for v in views]
    return views
