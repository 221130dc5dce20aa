"""Mutation with PyTorch's semantics (issue 9): in-place ops, aliasing, version checks,
thread-local grad mode, freed graphs, numpy interop. Each case asserts PyTorch's values
or its error class; a property test runs random mutating programs against torch 2.13."""
import gc
import threading

import numpy as np
import pytest
from hypothesis import example, given, settings, strategies as st

import autograd as ag
import nn
import optim

torch = pytest.importorskip("torch")


def both(fn):
    """Run ``fn(M)`` with M = autograd and M = torch."""
    return fn(ag), fn(torch)


def leaf(M, values, rg=True):
    arr = np.asarray(values, dtype=np.float64)
    return ag.tensor(arr, requires_grad=rg) if M is ag else torch.tensor(arr, requires_grad=rg)


# ------------------------------------------------------------------ the course's step
def test_no_grad_step_updates_the_parameter_in_place():
    model = nn.Linear(3, 2)
    w_before = model.weight.array.copy()
    alias = model.weight
    model(ag.ones(4, 3)).sum().backward()
    lr = 0.1
    with ag.no_grad():
        for p in model.parameters():
            p -= lr * p.grad
    assert alias is model.weight and model.weight.is_leaf and model.weight.requires_grad
    np.testing.assert_allclose(model.weight.array, w_before - lr * 4.0)


def test_augmented_assignment_is_seen_by_aliases_loss_83():
    def prog(M):
        a = M.tensor([1.0, 2.0, 3.0])
        b = a
        a += 1
        return float(((b * b).sum() + (a * 3).sum()).item())
    got, want = both(prog)
    assert got == want == 29.0 + 27.0


def test_hand_written_descent_equals_optim_sgd_bitwise():
    ag.manual_seed(0)
    m1 = nn.Sequential(nn.Linear(5, 8), nn.Tanh(), nn.Linear(8, 3))
    m2 = nn.Sequential(nn.Linear(5, 8), nn.Tanh(), nn.Linear(8, 3))
    m2.load_state_dict(m1.state_dict())
    opt = optim.SGD(m2.parameters(), lr=0.05)
    x, y = ag.randn(16, 5), ag.randint(0, 3, (16,))
    for _ in range(100):
        for p in m1.parameters():
            p.grad = None
        nn.functional.cross_entropy(m1(x), y).backward()
        with ag.no_grad():
            for p in m1.parameters():
                p -= 0.05 * p.grad
        opt.zero_grad()
        nn.functional.cross_entropy(m2(x), y).backward()
        opt.step()
    for p, q in zip(m1.parameters(), m2.parameters()):
        np.testing.assert_array_equal(p.array, q.array)


def test_d2l_and_micrograd_style_loops_train():
    ag.manual_seed(1)
    X = ag.randn(64, 2)
    y = (X[:, 0] * 2 - X[:, 1] + 0.5).reshape(-1, 1)
    w = ag.normal(0, 0.01, size=(2, 1), dtype=np.float32, requires_grad=True)
    b = ag.zeros(1, requires_grad=True)
    for _ in range(200):  # d2l's sgd: param -= lr * param.grad / batch_size; grad.zero_()
        loss = ((X @ w + b - y) ** 2 / 2).sum()
        loss.backward()
        with ag.no_grad():
            for param in (w, b):
                param -= 0.1 * param.grad / 64
                param.grad.zero_()
    np.testing.assert_allclose(w.array.ravel(), [2, -1], atol=1e-3)
    v = ag.tensor(0.0, requires_grad=True)
    for _ in range(50):  # micrograd's demo: p.data -= lr * p.grad; p.grad.data.zero_()
        loss = (v - 3.0) ** 2
        loss.backward()
        v.data -= 0.1 * v.grad
        v.grad.data.zero_()
    assert abs(v.item() - 3.0) < 1e-4 and v._version == 0  # .data is not tracked
    p = ag.zeros(3, requires_grad=True)
    p.data.normal_(0, 0.01)
    p.data.add_(1.0)
    assert np.all(np.abs(p.array - 1) < 0.1)


# ------------------------------------------------------------------ in-place in the graph
@pytest.mark.parametrize("prog", [
    lambda M, x: (lambda y: (y.__iadd__(1), y.sum())[1])(x * 2),
    lambda M, x: (lambda y: (y.mul_(x), (y * y).sum())[1])(x + 1),
    lambda M, x: (lambda y: (y.__setitem__(0, x[1] * 3), y.exp().sum())[1])(x * 1),
    lambda M, x: (lambda y: (y[1:].add_(x[:2]), (y * x).sum())[1])(x * 2),
    lambda M, x: (lambda y: (y.clamp_(-0.5, 0.5), y.sum())[1])(x * 1),
    lambda M, x: (lambda y: (y.copy_(x * x), y.sum())[1])(x * 0),
    lambda M, x: (lambda y: (y.zero_(), (y + x).sum())[1])(x * 5),
    lambda M, x: (lambda y: (y.div_(x + 3), y.sum())[1])(x * 1),
    lambda M, x: (lambda y: (y.pow_(2), y.sum())[1])(x + 2),
])
def test_recorded_inplace_matches_torch(prog):
    def run(M):
        x = leaf(M, [0.3, -1.2, 0.7])
        prog(M, x).backward()
        return x.grad.detach().numpy().copy()
    a, t = both(run)
    np.testing.assert_allclose(a, t, rtol=1e-12)


def test_inplace_on_leaf_requiring_grad_raises_with_the_fix():
    w = ag.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="no_grad"):
        w += 1
    with pytest.raises(RuntimeError, match="in-place"):
        w[0] = 3.0
    with pytest.raises(RuntimeError, match="view of a leaf"):
        w[:1].add_(1)


@pytest.mark.parametrize("mutate", [
    lambda M, x, w, opt: x.__setitem__(0, 100.0),
    lambda M, x, w, opt: opt.step(),
    lambda M, x, w, opt: w.detach().__setitem__(0, 5.0),
    lambda M, x, w, opt: x.fill_(2.0),
    lambda M, x, w, opt: x.zero_(),
    lambda M, x, w, opt: x.copy_(M.ones(3, dtype=M.float64)),
])
def test_changed_saved_value_raises_like_torch(mutate):
    def run(M):
        w = leaf(M, [1.0, 2.0, 3.0])
        w.grad = M.ones(3, dtype=M.float64)
        x = leaf(M, [4.0, 5.0, 6.0], rg=False)
        y = (x * w * w).sum()
        mutate(M, x, w, (optim.SGD if M is ag else torch.optim.SGD)([w], lr=0.1))
        try:
            y.backward()
        except RuntimeError as e:
            assert "modified by an inplace operation" in str(e)
            return "raised"
        return w.grad.detach().numpy().tolist()
    got, want = both(run)
    assert got == want
    assert got == "raised"


def test_output_edited_under_no_grad_is_refused():
    def run(M):
        x = leaf(M, [1.0, 2.0])
        y = x.exp()
        with M.no_grad():
            y.mul_(2)
        y.sum().backward()
    for M in (ag, torch):
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            run(M)


def test_error_names_op_shape_versions():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    y = x.exp()
    z = y.sum()
    with ag.no_grad():
        y += 1
    with pytest.raises(RuntimeError) as e:
        z.backward()
    msg = str(e.value)
    assert "'exp'" in msg and "(2,)" in msg and "version 1" in msg
    assert "clone" in msg


def test_index_array_refilled_after_indexing():
    x = ag.tensor([1.0, 2.0, 3.0], requires_grad=True)
    idx = np.array([0, 0, 2])
    y = x[idx]
    idx[:] = 1
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.array, [2.0, 0.0, 1.0])


def test_data_is_an_untracked_tensor_sharing_the_array():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    d = x.data
    assert isinstance(d, ag.Tensor) and not d.requires_grad and d.is_leaf
    y = (x * x).sum()
    d[0] = 10.0  # untracked: PyTorch's escape hatch
    y.backward()
    assert x.array[0] == 10.0 and x._version == 0


def test_views_share_the_version_counter():
    x = ag.tensor([[1.0, 2.0], [3.0, 4.0]])
    v = x[0]
    r = x.reshape(4)
    v.add_(1)
    assert x._version == v._version == r._version == 1
    np.testing.assert_array_equal(r.array, [2, 3, 3, 4])


def test_sibling_views_follow_an_inplace_change_like_torch():
    def run(M):
        x = leaf(M, [1.0, 2.0, 3.0])
        base = x * 1
        a, b = base[:2], base[1:]
        c = b.reshape(2, 1)  # a view of a view
        before = (b * 5).sum()  # consumed b before the change: its gradient skips it
        a.mul_(10)
        w = leaf(M, [1.0, 100.0], rg=False)
        loss = (b * w).sum() + (c * 1000).sum() + before
        loss.backward()
        return b.detach().numpy().copy(), x.grad.numpy().copy()
    (bv, g), (tbv, tg) = both(run)
    np.testing.assert_array_equal(bv, tbv)
    np.testing.assert_array_equal(g, tg)  # [0, 10015, 1105]: b[0] is 10 * x[1]
    np.testing.assert_array_equal(g, [0.0, 10015.0, 1105.0])


def test_view_of_a_base_without_grad_requires_grad_after_a_recorded_copy():
    def run(M):
        w = leaf(M, [1.0, 2.0, 3.0])
        base = M.zeros(3, dtype=M.float64)
        b = base[1:]
        base.copy_(w * 2)
        rg = b.requires_grad
        b.sum().backward()
        return rg, w.grad.numpy().copy()
    (rg, g), (trg, tg) = both(run)
    assert rg is True and trg is True
    np.testing.assert_array_equal(g, tg)


def test_inplace_errors_name_the_problem():
    i = ag.tensor([1, 2, 3])
    with pytest.raises(RuntimeError, match="can't be cast"):
        i /= 2
    a = ag.zeros(3)
    with pytest.raises(RuntimeError, match="broadcast"):
        a += ag.ones(2, 3)


# ------------------------------------------------------------------ property test vs torch
OPS = ["add_", "mul_", "setitem", "view_add_", "detach_set", "exp", "mul", "sum_rows",
       "keep_view", "use_view"]


def _program(M, steps, x0):
    x = leaf(M, x0)
    h = x * 1.5
    keep, views = [x.sum()], []
    for op, k in steps:
        if op == "add_":
            h.add_(k)
        elif op == "mul_":
            h.mul_(x if k > 0 else k)
        elif op == "setitem":
            h[k % 2] = x[(k + 1) % 2] * k
        elif op == "view_add_":
            h[k % 2].add_(x[k % 2])
        elif op == "detach_set":
            h.detach()[k % 2, 0] = float(k)
        elif op == "exp":
            h = (h * 0.1).exp()
        elif op == "mul":
            h = h * x
        elif op == "sum_rows":
            keep.append((h * h).sum())
        elif op == "keep_view":  # a view kept across later in-place changes of its base
            views.append(h[k % 2] if k % 3 else h.t())
        elif op == "use_view" and views:
            keep.append((views[k % len(views)] * (k + 1.5)).sum())
    loss = (h * h).sum() + sum(keep[1:], keep[0] * 0)
    loss.backward()
    return loss.item(), x.grad.detach().numpy().copy()


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(OPS), st.integers(-2, 3)), min_size=1, max_size=6))
@example(steps=[("keep_view", 1), ("mul_", -2), ("use_view", 0)])  # a sibling view, read after
@example(steps=[("keep_view", 2), ("view_add_", 1), ("use_view", 1)])  # a change of its base
def test_random_mutating_programs_match_torch(steps):
    x0 = [[0.5, -0.3], [0.2, 0.8]]
    results = []
    for M in (ag, torch):
        try:
            results.append(("ok",) + _program(M, steps, x0))
        except RuntimeError as e:
            results.append(("error", "modified by an inplace" in str(e) or "view of a leaf" in str(e)))
    (ka, *a), (kt, *t) = results
    assert ka == kt, (steps, results)
    if ka == "ok":
        np.testing.assert_allclose(a[0], t[0], rtol=1e-10)
        np.testing.assert_allclose(a[1], t[1], rtol=1e-10, atol=1e-12)


# ------------------------------------------------------------------ grad mode per thread
def test_grad_mode_is_per_thread():
    seen = {}
    entered, release = threading.Event(), threading.Event()

    def other():
        with ag.no_grad():
            entered.set()
            release.wait(5)
        seen["after"] = ag.is_grad_enabled()

    th = threading.Thread(target=other)
    th.start()
    entered.wait(5)
    x = ag.tensor([1.0], requires_grad=True)
    seen["here"] = (x * 2).requires_grad
    release.set()
    th.join()
    assert seen == {"here": True, "after": True} and ag.is_grad_enabled()


def _train(seed):
    ag.manual_seed(seed)
    m = nn.Linear(4, 1)
    opt = optim.SGD(m.parameters(), lr=0.1)
    g = np.random.default_rng(seed)
    X, Y = ag.tensor(g.normal(size=(32, 4))), ag.tensor(g.normal(size=(32, 1)))
    for _ in range(30):
        opt.zero_grad()
        ((m(X) - Y) ** 2).mean().backward()
        with ag.no_grad():  # an interleaved no_grad block in each thread
            _ = m(X)
        opt.step()
    return m.weight.array.copy()


def test_two_threads_train_like_one_after_the_other():
    W = [m.weight.array.copy() for m in (nn.Linear(4, 1),)]  # warm the imports
    del W
    init = {}
    for s in (1, 2):
        ag.manual_seed(s)
        init[s] = nn.Linear(4, 1).state_dict()
    sequential = {}
    for s in (1, 2):
        sequential[s] = _run_from(init[s], s)
    threaded = {}
    ths = [threading.Thread(target=lambda s=s: threaded.__setitem__(s, _run_from(init[s], s))) for s in (1, 2)]
    for t in ths:
        t.start()
    for t in ths:
        t.join()
    for s in (1, 2):
        np.testing.assert_array_equal(threaded[s], sequential[s])


def _run_from(state, seed):
    m = nn.Linear(4, 1)
    m.load_state_dict(state)
    opt = optim.SGD(m.parameters(), lr=0.1)
    g = np.random.default_rng(seed)
    X, Y = ag.tensor(g.normal(size=(32, 4))), ag.tensor(g.normal(size=(32, 1)))
    for _ in range(40):
        opt.zero_grad()
        ((m(X) - Y) ** 2).mean().backward()
        with ag.no_grad():
            m(X)
        opt.step()
    return m.weight.array.copy()


def test_set_grad_enabled_as_a_call_and_generator_decorator():
    ag.set_grad_enabled(False)
    assert not ag.is_grad_enabled()
    ag.set_grad_enabled(True)
    assert ag.is_grad_enabled()

    @ag.no_grad()
    def gen():
        for _ in range(2):
            yield ag.is_grad_enabled()

    out = []
    for v in gen():
        out.append((v, ag.is_grad_enabled()))
    assert out == [(False, True), (False, True)]


# ------------------------------------------------------------------ freed graphs
def test_kept_losses_hold_nothing_big():
    ag.manual_seed(0)
    model = nn.Sequential(nn.Linear(256, 512), nn.ReLU(), nn.Linear(512, 10))
    x, y = ag.randn(256, 256), ag.randint(0, 10, (256,))
    history = []
    gc.collect()
    for _ in range(20):
        loss = nn.functional.cross_entropy(model(x), y)
        loss.backward()
        history.append(loss)
    gc.collect()
    held = {id(a.array): a.array.nbytes for loss in history for a in _graph_values(loss)}
    assert sum(held.values()) < 64 * 1024  # no activation (256 x 512 floats = 512 KB) is kept


def _graph_values(t):
    seen, stack = [], [t]
    while stack:
        u = stack.pop()
        seen.append(u)
        if u.grad_fn is not None:
            stack.extend(p for p in u.grad_fn.inputs if not (p.requires_grad and p.is_leaf))
    return [u for u in seen if u.array.base is None or u.array.strides != (0,) * u.array.ndim]


# ------------------------------------------------------------------ PyTorch's meanings
def test_numpy_functions_dispatch_to_differentiable_ops():
    t = ag.tensor([-1.0, 2.0], dtype=np.float64, requires_grad=True)
    y = np.where(t > 0, t, 0) + np.exp(t)
    assert isinstance(y, ag.Tensor) and y.requires_grad
    y.sum().backward()
    np.testing.assert_allclose(t.grad.array, [np.exp(-1.0), 1 + np.exp(2.0)])
    assert isinstance(np.asarray(t), np.ndarray) and isinstance(t.numpy(), np.ndarray)
    with pytest.raises(TypeError, match="no differentiable"):
        np.fft.fft(t)


def test_max_with_dim_returns_values_and_indices():
    logits = ag.tensor([[0.1, 2.0, 0.3], [3.0, 0.0, 1.0]])
    _, pred = logits.max(1)
    np.testing.assert_array_equal(pred.array, torch.tensor(logits.array).max(1).indices.numpy())
    assert ag.max(logits, ag.zeros(2, 3)).shape == (2, 3)


def test_small_pytorch_meanings():
    assert (ag.tensor([1, 2]) / 2).dtype == np.float32
    assert (ag.tensor([6, 3]) & ag.tensor([3, 1])).tolist() == [2, 1]
    assert (ag.tensor([6, 3]) ^ 1).tolist() == [7, 2]
    x = ag.zeros(2, 3, 4)
    assert x[0, :, [0, 1]].shape == tuple(torch.zeros(2, 3, 4)[0, :, [0, 1]].shape) == (3, 2)
    assert x.size() == (2, 3, 4) and x.size(1) == 3 and x.numel() == 24 == x.nelement()
    assert x.to("cpu") is x and x.cpu() is x and x.device == "cpu"
    assert format(ag.tensor(1.5), "+.2f") == "+1.50"
    m = ag.ones(2, 3)
    assert m.t().shape == (3, 2) and m.mm(m.t()).shape == (2, 2) and m.view_as(ag.ones(3, 2)).shape == (3, 2)
    assert m.eq(1).all().item() and m.type(ag.float64).dtype == np.float64 and ag.is_tensor(m)


@pytest.mark.parametrize("data", [[[1, 2], [3, 4]], [True, False], 3, (1, 2.5)])
def test_the_tensor_class_makes_float32_of_python_data_as_torch_tensor_does(data):
    assert str(ag.Tensor(data).dtype) == str(torch.Tensor(data if data != 3 else [3]).dtype)[6:]
    np.testing.assert_array_equal(ag.Tensor(data).numpy(), np.asarray(data, dtype=np.float32))
    assert ag.tensor([[1, 2], [3, 4]]).dtype == np.int64  # the factory infers, as torch.tensor
    assert ag.Tensor(np.arange(3)).dtype == np.int64  # an array keeps its dtype (documented)
    assert ag.Tensor([1, 2], dtype=ag.int64).dtype == np.int64


def test_reading_a_non_leaf_grad_warns_and_bad_grads_are_refused():
    x = ag.tensor([1.0], requires_grad=True)
    y = x * 2
    with pytest.warns(UserWarning, match="retain_grad"):
        assert y.grad is None
    with pytest.raises(TypeError, match="Tensor"):
        x.grad = 0
    with pytest.raises(RuntimeError, match="shape"):
        x.grad = ag.zeros(2)
    with pytest.raises(RuntimeError, match="dtype"):
        x.grad = ag.zeros(1, dtype=np.float64)
