"""Large graphs kept out of the cyclic garbage collector's walks, as PyTorch's are.

Every recorded op makes three objects the collector tracks (the result Tensor, its
Node and the Node's tuple of inputs), and each full collection walks every tracked
object alive. CPython runs a full collection whenever the objects that survived into
the oldest generation have grown by a quarter, so building a graph of N nodes walks
about 5 * 3N objects, scattered in memory: building a 1e6-node chain cost 7.3 s, of
which 4.4 s were the collector's (``bench/profiles/scalar_gc.py``). PyTorch's graph
is C++ and invisible to the collector; only its Python tensors are walked.

So once more than ``LIMIT`` nodes have been recorded since the last backward (a
large graph in the making), each new Node and its inputs tuple are untracked
(CPython's ``PyObject_GC_UnTrack``, through ctypes, imported on first use). They are
freed by reference counting as before; the graph is a DAG, so that frees all of it.

NOTE: what changes is only what ``gc.collect()`` can free: a reference cycle that
runs through an untracked node is freed when it is broken (as in PyTorch, whose
graph the collector never sees), not by the collector. Such cycles need a tensor to
point at a later tensor built from it: a hook whose closure holds a later tensor, or
``backward(create_graph=True)`` putting into a leaf's ``.grad`` a graph that reaches
the leaf again. For the latter, a ``create_graph`` pass gives the nodes it walks back
to the collector (:func:`retrack`). Small graphs (a training step's) are never
untracked: they die young, before the collector's full walks reach them.
"""
import gc

__all__ = ["LIMIT", "RECORDED", "untrack", "retrack"]

LIMIT = 10_000
# nodes recorded since the last backward (Op.__call__ counts, run_backward resets)
RECORDED = [0]
_API = []  # [PyObject_GC_UnTrack, PyObject_GC_Track] once loaded, [] before, [None] if absent
_UNTRACKED = [False]  # whether any node was ever untracked (retrack has work to do)


def _load():
    try:
        import ctypes

        api = ctypes.pythonapi
        fns = [api.PyObject_GC_UnTrack, api.PyObject_GC_Track]
        for f in fns:
            f.argtypes, f.restype = [ctypes.py_object], None
    except (ImportError, AttributeError, OSError):  # not CPython: leave the graph tracked
        fns = [None]
    _API[:] = fns


def untrack(node):
    """Take ``node`` and its inputs tuple out of the collector's walks."""
    if not _API:
        _load()
    off = _API[0]
    if off is not None:
        _UNTRACKED[0] = True
        off(node)
        off(node.inputs)


def retrack(tensors):
    """Give the nodes of ``tensors`` back to the collector (before ``create_graph``
    links a leaf's ``.grad`` to the graph, which can close a cycle through them)."""
    if not _UNTRACKED[0] or _API[0] is None:
        return
    on, tracked = _API[1], gc.is_tracked
    for t in tensors:
        n = t.grad_fn
        if n is not None and not tracked(n):
            on(n)
            if not tracked(n.inputs):
                on(n.inputs)
