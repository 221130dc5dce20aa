"""The backward engine: the grad table, the notes' examples, deep and shared graphs,
retain_graph, hooks, retain_grad, grad modes, detach, ag.grad."""
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import autograd as ag
from autograd.ops.registry import REGISTRY


def leaf(v, dtype=np.float64):
    return ag.tensor(v, dtype=dtype, requires_grad=True)


# ------------------------------------------------------------------ the notes and the issue's examples
def test_notes_worked_example_table_rows_and_order():
    x1, x2 = leaf(2.0), leaf(3.0)
    x1.name, x2.name = "x1", "x2"
    w3 = x1 * x2
    w4 = ag.sin(x1)
    w5 = w3 + w4
    table = ag.grad_table(w5, names={w3: "w3", w4: "w4", w5: "w5"})
    got = {name: float(g) for name, op, shape, v, g in table.rows()}
    assert got == pytest.approx({"w5": 1.0, "w4": 1.0, "w3": 1.0, "x2": 2.0, "x1": np.cos(2.0) + 3.0}, rel=1e-12)
    order = [name for name, *_ in table.rows()]
    assert order[0] == "w5" and order[-1] == "x1"  # reverse topological: x1 last (two consumers)
    assert set(order[1:3]) == {"w3", "w4"} and set(order) == {"w5", "w4", "w3", "x2", "x1"}
    ops = {name: op for name, op, *_ in table.rows()}
    assert ops == {"w5": "add", "w4": "sin", "w3": "mul", "x2": "leaf", "x1": "leaf"}
    text = str(table)
    print(text)
    assert "x1" in text and "2.5839" in text and "d out / d node" in text
    assert x1.grad is None and x2.grad is None  # the table accumulates nothing


def test_a_plus_a_gives_two():
    a = leaf(5.0)
    (a + a).backward()
    assert a.grad.item() == 2.0


def test_issue_example_three_inputs():
    a, b, c = leaf(2.0), leaf(3.0), leaf(4.0)
    L = (a * b + c) * (a - c)
    L.backward()
    assert (a.grad.item(), b.grad.item(), c.grad.item()) == (4.0, -4.0, -12.0)
    assert L.item() == -20.0


def test_repeated_index_accumulates():
    x = ag.tensor([1.0, 2.0, 3.0], requires_grad=True)
    x[[0, 0, 1]].sum().backward()
    np.testing.assert_array_equal(x.grad.array, [2.0, 1.0, 0.0])
    assert x.grad.dtype == np.float32


@pytest.mark.parametrize("f", [lambda x: x * x, lambda x: x / x, lambda x: x - x, lambda x: x ** x,
                               lambda x: ag.maximum(x, x), lambda x: x @ x.T, lambda x: ag.where(x > 1, x, x)])
def test_one_tensor_as_both_operands(f):
    x = leaf(np.random.default_rng(0).uniform(0.5, 2.0, (3, 3)))
    assert ag.gradcheck(f, x)


def test_x_times_x_gradient_value():
    x = leaf([1.0, -2.0, 3.0])
    (x * x).sum().backward()
    np.testing.assert_array_equal(x.grad.array, [2.0, -4.0, 6.0])


# ------------------------------------------------------------------ deep graphs, memory
def test_million_node_chain_with_recursion_limit_1000():
    """The only huge test: a 1,000,000-node chain, backward, repr and freeing, with
    Python's recursion limit left at 1000."""
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(1000)
    try:
        x = leaf(0.5)
        y = x
        for _ in range(1_000_000):
            y = -y
        y.backward()
        assert x.grad.item() == 1.0  # (-1)^(10^6)
        assert y.item() == 0.5
        assert "grad_fn=<neg>" in repr(y)
        with pytest.raises(RuntimeError, match="graph already freed"):
            y.backward()
        del y  # freeing a million-deep chain must not recurse either
    finally:
        sys.setrecursionlimit(old)


def test_deep_chain_grad_table_and_create_graph():
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(1000)
    try:
        x = leaf(1.0)
        y = x
        for _ in range(5000):
            y = y * 1.0001
        table = ag.grad_table(y)
        assert len(table) == 5001
        (g,) = ag.grad(y, x, create_graph=True)
        np.testing.assert_allclose(g.item(), 1.0001 ** 5000, rtol=1e-10)
    finally:
        sys.setrecursionlimit(old)


def test_interior_gradients_are_not_kept():
    x = leaf([1.0, 2.0])
    h = x * 3
    y = (h * h).sum()
    y.backward()
    assert h.grad is None and y.grad is None and x.grad is not None
    assert h.grad_fn.freed and h.grad_fn.saved is None


# ------------------------------------------------------------------ graph shapes
def test_diamond_graph():
    x = leaf(0.7)
    y = x * 2
    z = ag.sin(y) + ag.cos(y)
    z.backward()
    assert x.grad.item() == pytest.approx(2 * (np.cos(1.4) - np.sin(1.4)), rel=1e-12)


def test_shared_subexpression_is_differentiated_once(monkeypatch):
    calls = []
    op = REGISTRY["exp"]
    orig = op.vjp

    def counting(F, n, g, out, x):
        calls.append(1)
        return orig(F, n, g, out, x)

    monkeypatch.setattr(op, "vjp", counting)
    x = leaf(0.3)
    h = ag.exp(x)
    out = h * h + h * 2 + ag.sin(h)
    out.backward()
    assert len(calls) == 1
    e = np.exp(0.3)
    assert x.grad.item() == pytest.approx((2 * e + 2 + np.cos(e)) * e, rel=1e-12)


def test_multiple_roots_and_leaf_root():
    x = leaf(2.0)
    y = x * 3
    ag.backward([y, x * x])
    assert x.grad.item() == 3 + 4
    x.grad = None
    ag.backward(x)  # a leaf as its own output: d x / d x = 1
    assert x.grad.item() == 1.0


def test_backward_accumulates_and_retain_graph():
    x = leaf([1.0, 2.0])
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_array_equal(x.grad.array, [4.0, 8.0])
    with pytest.raises(RuntimeError) as e:
        y.backward()
    assert "graph already freed; pass retain_graph=True" in str(e.value)


def test_freed_graph_error_through_a_shared_part():
    x = leaf(1.0)
    h = ag.exp(x)
    h.sum().backward()
    with pytest.raises(RuntimeError, match="graph already freed; pass retain_graph=True"):
        (h * 2).backward()


def test_grad_table_order_is_stable_and_reverse_topological():
    def build():
        x = ag.tensor(np.arange(3.0), requires_grad=True, name="x")
        w = ag.tensor(np.ones(3), requires_grad=True, name="w")
        a = x * w
        b = ag.exp(a) + ag.sin(x)
        c = (b * a).sum() + w.sum()
        return c

    tables = [ag.grad_table(build()) for _ in range(3)]
    rows = [[(n, op, shape) for n, op, shape, v, g in t.rows()] for t in tables]
    assert rows[0] == rows[1] == rows[2]
    t = tables[0]
    keys = list(t)
    pos = {id(k): i for i, k in enumerate(keys)}
    for k in keys:  # every node comes before its inputs
        if k.grad_fn is not None:
            for p in k.grad_fn.inputs:
                if p.requires_grad:
                    assert pos[id(p)] > pos[id(k)]
    assert len(keys) == 10  # x, w, a, exp, sin, b, b*a, sum, w.sum, c
    assert keys[0].grad_fn.name == "add" and {k.name for k in keys if k.is_leaf} == {"x", "w"}


def test_grad_table_matches_backward():
    x = ag.tensor(np.linspace(-1, 1, 4), requires_grad=True)
    out = (ag.tanh(x) * x).sum()
    table = ag.grad_table(out)
    out.backward()
    np.testing.assert_array_equal(table[x].array, x.grad.array)


# ------------------------------------------------------------------ hooks, retain_grad
def test_hooks_on_intermediate_and_leaf():
    x = leaf([1.0, 2.0])
    h = x * 3
    seen = []
    handle = h.register_hook(lambda g: seen.append(g.array.copy()) or g * 2)
    x.register_hook(lambda g: seen.append(("leaf", g.array.copy())))
    (h * h).sum().backward()
    np.testing.assert_array_equal(seen[0], [6.0, 12.0])
    np.testing.assert_array_equal(x.grad.array, [36.0, 72.0])  # doubled by the hook
    np.testing.assert_array_equal(seen[1][1], [36.0, 72.0])
    handle.remove()
    x.grad = None
    h2 = x * 3
    (h2 * h2).sum().backward()
    np.testing.assert_array_equal(x.grad.array, [18.0, 36.0])


def test_hook_must_keep_the_shape():
    x = leaf([1.0, 2.0])
    h = x * 3
    h.register_hook(lambda g: ag.tensor([1.0]))
    with pytest.raises(RuntimeError, match="hook returned a gradient of shape"):
        h.sum().backward()


def test_retain_grad():
    x = leaf([1.0, 2.0])
    h = x * 3
    h.retain_grad()
    k = h * 2
    (k * k).sum().backward()
    np.testing.assert_array_equal(h.grad.array, 8 * h.array)
    assert k.grad is None and h.retains_grad and not k.retains_grad
    with pytest.raises(RuntimeError, match="does not require grad"):
        ag.tensor([1.0]).retain_grad()


def test_leaf_grads_do_not_alias():
    x, y = leaf([1.0, 2.0]), leaf([3.0, 4.0])
    (x + y).sum().backward()
    x.grad.array[0] = 100.0
    assert y.grad.array[0] == 1.0


# ------------------------------------------------------------------ grad modes, detach
def test_no_grad_context_and_decorator():
    x = leaf([1.0])
    with ag.no_grad():
        assert not ag.is_grad_enabled()
        y = x * 2
        with ag.enable_grad():
            assert ag.is_grad_enabled()
            z = x * 2
        assert not ag.is_grad_enabled()
    assert ag.is_grad_enabled()
    assert not y.requires_grad and y.grad_fn is None
    assert z.requires_grad and z.grad_fn is not None

    @ag.no_grad()
    def f(t):
        return t * 2, ag.is_grad_enabled()

    @ag.enable_grad()
    def g(t):
        return t * 2

    out, enabled = f(x)
    assert not out.requires_grad and not enabled and ag.is_grad_enabled()
    with ag.no_grad():
        assert g(x).requires_grad
    with ag.set_grad_enabled(False):
        assert not (x * 1).requires_grad


def test_no_grad_restores_after_an_exception():
    with pytest.raises(ValueError):
        with ag.no_grad():
            raise ValueError("boom")
    assert ag.is_grad_enabled()


def test_detach():
    x = leaf([1.0, 2.0])
    d = (x * 2).detach()
    assert not d.requires_grad and d.is_leaf and d.grad_fn is None
    y = (x * d).sum()
    y.backward()
    np.testing.assert_array_equal(x.grad.array, [2.0, 4.0])  # d is a constant
    x2 = leaf([1.0])
    assert np.shares_memory(x2.detach().array, x2.array)


def test_requires_grad_propagation_and_leaf_flags():
    x = leaf([1.0])
    c = ag.tensor([2.0])
    y = x * c
    assert y.requires_grad and not y.is_leaf and y.grad_fn.name == "mul"
    assert not (c * c).requires_grad
    with pytest.raises(RuntimeError, match="leaf"):
        y.requires_grad = False


# ------------------------------------------------------------------ ag.grad
def test_grad_allow_unused_and_create_graph():
    x, y = leaf(2.0), leaf(3.0)
    z = x ** 3
    with pytest.raises(RuntimeError) as e:
        ag.grad(z, [x, y])
    assert "input 1" in str(e.value) and "allow_unused=True" in str(e.value)
    gx, gy = ag.grad(x ** 3, [x, y], allow_unused=True)
    assert gy is None and gx.item() == 12.0 and not gx.requires_grad
    assert x.grad is None  # ag.grad accumulates nothing
    (gx,) = ag.grad(x ** 3, x, create_graph=True)
    assert gx.requires_grad and gx.item() == 12.0
    (ggx,) = ag.grad(gx, x)
    assert ggx.item() == 12.0  # 6x
    (g3,) = ag.grad(ag.grad(ag.grad(x ** 4, x, create_graph=True)[0], x, create_graph=True)[0], x)
    assert g3.item() == 48.0  # 24x


def test_grad_with_grad_outputs_and_intermediate_input():
    x = leaf([1.0, 2.0])
    h = x * 3
    y = h * h
    (gh,) = ag.grad(y, h, grad_outputs=ag.tensor([1.0, 0.5], dtype=np.float64))
    np.testing.assert_array_equal(gh.array, [6.0, 6.0])


def test_backward_create_graph_gradient_penalty():
    x = leaf([1.0, 2.0])
    y = (x ** 3).sum()
    y.backward(create_graph=True)
    assert x.grad.requires_grad
    penalty = (x.grad * x.grad).sum()  # sum (3x^2)^2 -> d/dx = 36 x^3
    (gp,) = ag.grad(penalty, x)
    np.testing.assert_allclose(gp.array, 36 * x.array ** 3)


def test_backward_inputs_restricts_accumulation():
    x, y = leaf(1.0), leaf(2.0)
    (x * y).backward(inputs=[x])
    assert x.grad.item() == 2.0 and y.grad is None


def test_mixed_precision_gradients_take_the_leaf_dtype():
    w = ag.tensor([1.0, 2.0], requires_grad=True)  # float32
    x = ag.tensor(np.array([3.0, 4.0]))  # float64
    y = (w * x).sum()
    assert y.dtype == np.float64
    y.backward()
    assert w.grad.dtype == np.float32
    np.testing.assert_array_equal(w.grad.array, [3.0, 4.0])


def test_peak_memory_of_chain_backward_is_bounded(tmp_path):
    """Backward of a long chain must not keep every interior gradient: the peak RSS
    during backward grows by much less than the forward graph itself."""
    code = textwrap.dedent("""
        import resource, numpy as np, autograd as ag
        def rss():
            return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        x = ag.tensor(np.ones(2000), requires_grad=True)
        y = x
        for _ in range(2000):
            y = y * 1.0
        after_forward = rss()
        y.sum().backward()
        print(rss() - after_forward, after_forward)
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    grow_kb, forward_kb = map(int, out.stdout.split())
    # the chain holds 2000 arrays of 16 kB (32 MB); retaining every gradient would add as much
    assert grow_kb < 12_000, (grow_kb, forward_kb)


def test_rule_returning_none_for_an_input_still_reaches_the_rest():
    """A rule may return None for an input (no contribution); the inputs behind it are
    still processed and the graph's other paths still deliver their gradients."""
    from autograd.ops.registry import Op

    first_only = Op("first_only", lambda x, y: x + y)
    first_only.defvjp(lambda F, n, g, out, x, y: (g, None))
    a, b = leaf(1.0), leaf(2.0)
    h = b * 3  # reaches first_only only through the None branch ...
    out = first_only(a, h) + b * 5  # ... and b also has a direct path
    out.backward()
    assert a.grad.item() == 1.0 and b.grad.item() == 5.0
    c = leaf(1.0)
    only_none = first_only(a, c * 2)
    only_none.backward()
    assert c.grad is None


def test_create_graph_gradients_keep_float32():
    w = ag.tensor([1.0, 2.0], requires_grad=True)
    y = (w * w * ag.tensor(np.array([3.0, 4.0]))).sum()
    (g,) = ag.grad(y, w, create_graph=True)
    assert g.dtype == np.float32 and g.requires_grad
    np.testing.assert_array_equal(g.array, [6.0, 16.0])


def test_split_chunk_cat_stack_axes():
    x = leaf(np.arange(12.0).reshape(3, 4))
    parts = ag.split(x, 3, axis=1)
    assert [p.shape for p in parts] == [(3, 3), (3, 1)]
    assert [p.shape for p in x.split([1, 2], dim=0)] == [(1, 4), (2, 4)]
    assert [p.shape for p in ag.chunk(x, 2, dim=-1)] == [(3, 2), (3, 2)]
    y = ag.cat([parts[1], parts[0]], axis=-1)
    np.testing.assert_array_equal(y.array[:, 0], x.array[:, 3])
    s = ag.stack([x, x], axis=-1)
    assert s.shape == (3, 4, 2)
    (s * ag.tensor(np.array([1.0, 2.0]))).sum().backward()
    np.testing.assert_array_equal(x.grad.array, np.full((3, 4), 3.0))


def test_where_with_a_float_condition_gives_it_no_gradient():
    c = leaf([1.0, 0.0])
    x = leaf([5.0, 6.0])
    ag.where(c, x, 0.0).sum().backward()
    assert c.grad is None
    np.testing.assert_array_equal(x.grad.array, [1.0, 0.0])


def test_softmax_and_reductions_of_0d_tensors():
    x = leaf(2.0)
    assert ag.softmax(x, 0).item() == 1.0 and ag.log_softmax(x, -1).item() == 0.0
    assert x.sum(0).item() == 2.0 and x.max(axis=-1).item() == 2.0
    (x.sum(dim=0) * 3).backward()
    assert x.grad.item() == 3.0


def test_root_that_feeds_another_root():
    x = leaf(2.0)
    h = x * 3
    y = h * h
    ag.backward([y, h])  # d(y + h)/dx = 2h * 3 + 3
    assert x.grad.item() == 2 * 6.0 * 3 + 3
    x.grad = None
    h = x * 3
    y = h * h
    ag.backward([h, y, y], [None, None, ag.tensor(2.0, dtype=np.float64)])  # d(h + 3y)/dx
    assert x.grad.item() == 3 + 3 * 36.0


def test_graph_scope_stamps_nodes_innermost_wins_and_restores():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    outer, inner = object(), object()
    assert (x * 2).grad_fn.scope is None
    with ag.graph_scope(outer):
        a = x * 2
        with ag.graph_scope(inner):
            b = a + 1
        c = b * b
    assert a.grad_fn.scope == id(outer) and b.grad_fn.scope == id(inner)
    assert c.grad_fn.scope == id(outer)
    try:
        with ag.graph_scope(inner):
            raise ValueError
    except ValueError:
        pass
    assert (x + 1).grad_fn.scope is None  # restored after an exception


def test_graph_scope_keeps_no_reference_to_its_object():
    import gc
    import weakref

    class Owner:
        pass

    o = Owner()
    ref = weakref.ref(o)
    x = ag.tensor([1.0], requires_grad=True)
    with ag.graph_scope(o):
        y = x * 3
    del o
    gc.collect()
    assert ref() is None and y.grad_fn.scope is not None


def test_backward_keeps_the_callers_gradient_array_out_of_leaf_grads():
    # the seed is used without a copy; a leaf that would keep it as .grad copies it
    for make in (lambda x: x, lambda x: x + 0, lambda x: x.clone()):
        x = ag.tensor([1.0, 2.0, 3.0], requires_grad=True)
        g = ag.ones(3)
        make(x).backward(g)
        g.array[0] = 99.0
        np.testing.assert_array_equal(x.grad.array, [1.0, 1.0, 1.0])
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    g = ag.ones(2)
    x.backward(g, inputs=[x])
    g.array[:] = 5.0
    np.testing.assert_array_equal(x.grad.array, [1.0, 1.0])
    y = (x * 2).exp()
    before = np.ones(2, dtype=np.float32)
    y.backward(ag.tensor(before.copy()))
    np.testing.assert_array_equal(before, [1.0, 1.0])
