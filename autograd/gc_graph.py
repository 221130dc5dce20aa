"""Large graphs kept out of the cyclic garbage collector's walks, as PyTorch's are.

Every recorded op makes three objects the collector tracks (the result Tensor, its
Node and the Node's tuple of inputs), and each full collection walks every tracked
object alive. CPython runs a full collection whenever the objects that survived into
the oldest generation have grown by a quarter, so building a graph of N nodes walks
about 5 * 3N objects, scattered in memory: building a 1e6-node chain cost 7.3 s, of
which 4.4 s were the collector's (``bench/profiles/scalar_gc.py``). PyTorch's graph
is C++ and invisible to the collector; only its Python tensors are walked.

So once more than ``LIMIT`` nodes have been recorded since the last backward (a
large graph in the making), each new result Tensor, its Node and the Node's inputs
tuple are untracked (CPython's ``PyObject_GC_UnTrack``, through ctypes, imported on
first use). They are freed by reference counting as before; the graph is a DAG, so
that frees all of it.

NOTE: what changes is only what ``gc.collect()`` can free: a reference cycle that
runs through an untracked object is freed when it is broken (as in PyTorch, whose
graph the collector never sees), not by the collector. So whatever attaches to a
tensor something that may point back at it gives the tensor back to the collector
(:func:`retrack_tensor`): ``register_hook`` (a closure holding the tensor itself),
the ``.grad`` setter, post-accumulate hooks, the ``.data`` setter, an in-place
change's roles; and a ``create_graph`` pass, whose ``.grad`` graphs reach the leaves
again, gives back every tensor and node it walks (:func:`retrack`) and untracks none
of the nodes it records. A cycle that still runs through untracked objects needs a
tensor to point at a later tensor of its own graph (a hook whose closure holds a
later tensor, a name that is not a label): freed when broken. Small graphs (a
training step's) are never untracked: they die young, before the collector's full
walks reach them.
"""
import gc

__all__ = ["LIMIT", "RECORDED", "API", "load", "untrack", "retrack", "retrack_tensor"]

LIMIT = 10_000
# nodes recorded since the last backward (Op.__call__ counts, run_backward resets)
RECORDED = [0]
API = []  # [PyObject_GC_UnTrack, PyObject_GC_Track] once loaded, [] before, [None] if absent
_UNTRACKED = [False]  # whether anything was ever untracked (retrack has work to do)


def load():
    """``PyObject_GC_UnTrack`` (None where there is none), loaded on first use; once it
    is handed out, :func:`retrack` has work to do."""
    if not API:
        try:
            import ctypes

            api = ctypes.pythonapi
            fns = [api.PyObject_GC_UnTrack, api.PyObject_GC_Track]
            for f in fns:
                f.argtypes, f.restype = [ctypes.py_object], None
        except (ImportError, AttributeError, OSError):  # not CPython: leave the graph tracked
            fns = [None]
        API[:] = fns
    _UNTRACKED[0] = API[0] is not None
    return API[0]


def untrack(t, node):
    """Take the result ``t``, its ``node`` and the node's inputs tuple out of the
    collector's walks."""
    off = API[0] if API else load()
    if off is not None:
        off(t)
        off(node)
        off(node.inputs)


def retrack_tensor(t):
    """Give ``t`` back to the collector: something that may point back at it (a hook,
    a ``.grad`` with a graph, a name, an in-place role) is being attached to it."""
    if _UNTRACKED[0] and not gc.is_tracked(t):
        API[1](t)


def retrack(tensors):
    """Give the nodes of ``tensors`` back to the collector (before ``create_graph``
    links a leaf's ``.grad`` to the graph, which can close a cycle through them)."""
    if not _UNTRACKED[0]:
        return
    on, tracked = API[1], gc.is_tracked
    for t in tensors:
        if not tracked(t):
            on(t)
        n = t.grad_fn
        if n is not None and not tracked(n):
            on(n)
            if not tracked(n.inputs):
                on(n.inputs)
