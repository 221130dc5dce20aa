"""Large graphs are kept out of the cyclic collector's walks (autograd.gc_graph), and
are still freed, by reference counting, when the last tensor goes."""
import gc
import weakref

import autograd as ag
from autograd import gc_graph


def _chain(x, n):
    h = x
    for _ in range(n):
        h = ag.tanh(h)
    return h


def test_small_graphs_stay_tracked():
    x = ag.tensor(0.5, requires_grad=True)
    _chain(x, 2).backward()  # resets the count
    h = _chain(x, 10)
    assert gc.is_tracked(h.grad_fn) and gc.is_tracked(h.grad_fn.inputs)


def test_large_graphs_are_untracked_and_still_freed():
    x = ag.tensor(0.5, requires_grad=True)
    _chain(x, 2).backward()
    h = _chain(x, gc_graph.LIMIT + 50)
    assert not gc.is_tracked(h.grad_fn) and not gc.is_tracked(h.grad_fn.inputs)
    mid = h.grad_fn.inputs[0].grad_fn.inputs[0]
    ref = weakref.ref(mid)
    del mid
    h.backward()
    assert float(x.grad) != 0
    del h
    assert ref() is None  # freed by reference counting, no collection needed


def test_create_graph_gives_the_nodes_back_to_the_collector():
    x = ag.tensor(0.5, requires_grad=True)
    _chain(x, 2).backward()
    h = _chain(x, gc_graph.LIMIT + 50)
    assert not gc.is_tracked(h.grad_fn)
    (g,) = ag.grad(h, x, create_graph=True)
    assert gc.is_tracked(h.grad_fn) and gc.is_tracked(h.grad_fn.inputs)
    assert g.grad_fn is not None
