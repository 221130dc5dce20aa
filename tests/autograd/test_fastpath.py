"""The inlined op call of plain elementwise faces (autograd.ops.fastpath) makes exactly
the objects Op.__call__ makes, and its ufuncs are exactly the ops' forwards."""
import numpy as np
import pytest

import autograd as ag
from autograd import gc_graph
from autograd._tensor import Node, Tensor
from autograd.ops import REGISTRY, fastpath


def _slots(cls, obj, skip=("__weakref__",)):
    return {k: getattr(obj, k) for k in cls.__slots__ if k not in skip}


def _same(a, b):
    sa, sb = _slots(Tensor, a, ("__weakref__", "array", "grad_fn")), _slots(Tensor, b, ("__weakref__", "array", "grad_fn"))
    assert sa == sb
    assert type(a.array) is type(b.array) is np.ndarray
    assert a.array.dtype == b.array.dtype and a.array.shape == b.array.shape
    np.testing.assert_array_equal(a.array, b.array)
    assert (a.grad_fn is None) == (b.grad_fn is None)
    if a.grad_fn is not None:
        na, nb = _slots(Node, a.grad_fn), _slots(Node, b.grad_fn)
        assert na == nb


@pytest.mark.parametrize("shape", [(), (3,)])
@pytest.mark.parametrize("rg", [True, False])
def test_fast_faces_make_what_op_call_makes(shape, rg):
    x = ag.tensor(np.full(shape, 0.3, np.float32), requires_grad=rg)
    y = ag.tensor(np.full(shape, -1.7, np.float32))
    for fast, op, args in [(ag.tanh, REGISTRY["tanh"], (x,)), (ag.exp, REGISTRY["exp"], (x,)),
                           (ag.relu, REGISTRY["relu"], (x,)), (ag.add, REGISTRY["add"], (x, y)),
                           (ag.mul, REGISTRY["mul"], (y, x)), (ag.sub, REGISTRY["sub"], (x, y))]:
        _same(fast(*args), op(*args))
        with ag.no_grad():
            _same(fast(*args), op(*args))
        with ag.graph_scope(object()):
            _same(fast(*args), op(*args))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", sorted(fastpath.UFUNCS))
def test_ufuncs_are_the_forwards(name, dtype):
    op, uf = REGISTRY[name], fastpath.UFUNCS[name]
    rng = np.random.default_rng(0)
    for shape in [(), (7,), (2, 3)]:
        args = [np.asarray(rng.uniform(0.1, 2.0, shape), dtype) for _ in range(uf.nin)]
        with np.errstate(all="ignore"):
            want, got = np.asarray(op.fwd(*args)), uf(*args, out=...)
        assert type(got) is np.ndarray and got.dtype == want.dtype and got.shape == want.shape
        np.testing.assert_array_equal(got, want)


def test_fast_faces_fall_back():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    assert ag.add(x, 1).grad_fn is not None  # a constant: the ordinary face
    assert ag.add(x, ag.tensor([1.0], dtype="float64")).dtype == np.float64  # mixed dtypes
    with pytest.raises(ValueError, match="broadcast"):
        ag.add(x, ag.tensor([1.0, 2.0, 3.0]))


def _large_chain(x):
    ag.tanh(x).backward()  # resets the count
    h = x
    for _ in range(gc_graph.LIMIT + 50):
        h = ag.tanh(h)
    return h


def test_large_graph_results_are_untracked_and_retracked_when_attached_to():
    import gc

    x = ag.tensor(0.5, requires_grad=True)
    h = _large_chain(x)
    assert not gc.is_tracked(h) and not gc.is_tracked(h.grad_fn)
    h.register_hook(lambda g: g)
    assert gc.is_tracked(h)
    k = ag.tanh(h)
    assert not gc.is_tracked(k)
    k.retain_grad()
    k.grad = ag.tensor(1.0)
    assert gc.is_tracked(k)


def test_a_hook_cycle_through_a_large_graph_result_is_collected():
    import gc
    import weakref

    x = ag.tensor(0.5, requires_grad=True)
    h = _large_chain(x)
    h.register_hook(lambda g, h=h: g)  # h -> hooks -> closure -> h
    ref = weakref.ref(h)
    del h
    gc.collect()
    assert ref() is None


def test_create_graph_cycle_through_a_large_graph_is_collected():
    import gc
    import weakref

    x = ag.tensor(0.5, requires_grad=True)
    h = _large_chain(x)
    h.backward(create_graph=True)  # x.grad's graph reaches x again
    assert x.grad.grad_fn is not None
    ref = weakref.ref(x)
    del x, h
    gc.collect()
    assert ref() is None
