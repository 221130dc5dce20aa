"""The Optimizer base: parameter groups, state, zero_grad, step, errors, layering."""
import subprocess
import sys

import numpy as np
import pytest

import autograd as ag
import optim

FIRST_ORDER = {
    "SGD": dict(lr=0.1, momentum=0.9, weight_decay=0.01),
    "Momentum": dict(lr=0.1),
    "Nesterov": dict(lr=0.1),
    "Adagrad": dict(weight_decay=0.01),
    "Adadelta": dict(weight_decay=0.01),
    "RMSprop": dict(momentum=0.5, centered=True, weight_decay=0.01),
    "Adam": dict(amsgrad=True, weight_decay=0.01),
    "AdamW": dict(amsgrad=True),
}
ALL = list(FIRST_ORDER) + ["Newton"]


def _param(shape=(3,), seed=0, dtype=np.float64):
    return ag.tensor(np.random.default_rng(seed).standard_normal(shape).astype(dtype), requires_grad=True)


def _make(name, params, **kw):
    return getattr(optim, name)(params, **{**FIRST_ORDER.get(name, {}), **kw})


# ------------------------------------------------------------------ bad input
@pytest.mark.parametrize("name", ALL)
def test_empty_parameter_list(name):
    with pytest.raises(ValueError, match="empty parameter list"):
        _make(name, [])


@pytest.mark.parametrize("name", ALL)
def test_negative_lr(name):
    with pytest.raises(ValueError, match="Invalid learning rate: -0.1"):
        _make(name, [_param()], lr=-0.1)


@pytest.mark.parametrize("name", ALL)
def test_parameter_not_requiring_grad(name):
    w = ag.tensor(np.ones(3))
    with pytest.raises(ValueError, match="does not require grad"):
        _make(name, [w])


@pytest.mark.parametrize("name", ALL)
def test_non_leaf_and_non_tensor(name):
    w = _param()
    with pytest.raises(ValueError, match="non-leaf"):
        _make(name, [w * 2])
    with pytest.raises(TypeError, match="numpy.ndarray|ndarray"):
        _make(name, [np.ones(3)])
    with pytest.raises(TypeError, match="single Tensor"):
        _make(name, w)
    with pytest.raises(TypeError, match="not a set"):
        _make(name, {w})


def test_duplicate_parameters():
    w, v = _param(), _param(seed=1)
    with pytest.raises(ValueError, match="twice"):
        optim.SGD([w, v, w], lr=0.1)
    with pytest.raises(ValueError, match="more than one parameter group"):
        optim.SGD([{"params": [w]}, {"params": [v, w]}], lr=0.1)


@pytest.mark.parametrize("name", ["Adam", "AdamW"])
@pytest.mark.parametrize("betas", [(1.0, 0.999), (0.9, 1.0), (-0.1, 0.999), (0.9, 1.5), (0.9,)])
def test_betas_outside_unit_interval(name, betas):
    with pytest.raises(ValueError, match="beta"):
        getattr(optim, name)([_param()], betas=betas)


@pytest.mark.parametrize("name,kw,match", [
    ("SGD", dict(momentum=-0.5), "momentum"),
    ("SGD", dict(weight_decay=-1), "weight_decay"),
    ("SGD", dict(nesterov=True), "Nesterov momentum requires"),
    ("SGD", dict(momentum=0.9, dampening=0.1, nesterov=True), "Nesterov momentum requires"),
    ("Momentum", dict(lr=0.1, beta=1.0), "beta"),
    ("Nesterov", dict(lr=0.1, beta=-0.1), "beta"),
    ("Adagrad", dict(lr_decay=-1), "lr_decay"),
    ("Adagrad", dict(initial_accumulator_value=-1), "initial_accumulator_value"),
    ("Adagrad", dict(eps=-1), "epsilon"),
    ("Adadelta", dict(rho=1.5), "rho"),
    ("RMSprop", dict(alpha=-0.1), "alpha"),
    ("RMSprop", dict(momentum=-0.1), "momentum"),
    ("Adam", dict(eps=-1e-8), "epsilon"),
    ("Adam", dict(weight_decay=-1e-2), "weight_decay"),
    ("Newton", dict(damping=-1), "damping"),
    ("SGD", dict(lr=float("nan")), "learning rate"),
])
def test_invalid_hyper_parameters(name, kw, match):
    with pytest.raises(ValueError, match=match):
        getattr(optim, name)([_param()], **kw)


def test_lr_required_for_momentum_forms():
    with pytest.raises(ValueError, match="lr"):
        optim.Momentum([_param()])
    with pytest.raises(ValueError, match="lr"):
        optim.Nesterov([_param()])


def test_invalid_per_group_value_is_caught():
    with pytest.raises(ValueError, match="Invalid learning rate"):
        optim.SGD([{"params": [_param()], "lr": -1.0}], lr=0.1)


# ------------------------------------------------------------------ groups and state
def test_param_groups_fill_defaults_and_keep_overrides():
    w, v, u = _param(), _param(seed=1), _param(seed=2)
    opt = optim.SGD([{"params": [w]}, {"params": v, "lr": 0.5, "momentum": 0.9}], lr=0.1)
    g0, g1 = opt.param_groups
    assert g0["lr"] == 0.1 and g0["momentum"] == 0 and g0["params"][0] is w
    assert g1["lr"] == 0.5 and g1["momentum"] == 0.9 and g1["params"][0] is v
    opt.add_param_group({"params": [u], "lr": 0.01})
    assert len(opt.param_groups) == 3 and opt.param_groups[2]["nesterov"] is False
    for p in (w, v, u):
        p.grad = ag.Tensor(np.ones(3))
    w0, v0, u0 = w.array.copy(), v.array.copy(), u.array.copy()
    opt.step()
    np.testing.assert_allclose(w.array, w0 - 0.1)
    np.testing.assert_allclose(v.array, v0 - 0.5)
    np.testing.assert_allclose(u.array, u0 - 0.01)


def test_generator_of_parameters_is_accepted():
    ps = [_param(seed=i) for i in range(3)]
    opt = optim.Adam(p for p in ps)
    assert len(opt.param_groups[0]["params"]) == 3


@pytest.mark.parametrize("name", list(FIRST_ORDER))
def test_state_is_lazy_and_step_counts_once(name):
    w, v = _param(), _param(seed=1)
    opt = _make(name, [w, v])
    assert opt.state == {}
    w.grad = ag.Tensor(np.ones(3))
    opt.step()
    assert list(opt.state) == [w]  # v never got a gradient: no state, not moved
    assert opt.state[w]["step"] == 1
    opt.step()
    opt.step()
    assert opt.state[w]["step"] == 3


@pytest.mark.parametrize("name", list(FIRST_ORDER))
def test_step_updates_in_place_records_no_graph_and_leaves_grad_alone(name):
    w = _param((2, 3))
    opt = _make(name, [w], maximize=True) if name != "Nesterov" else _make(name, [w])
    data = w.array
    g = np.arange(6.0).reshape(2, 3) - 2.5
    w.grad = ag.Tensor(g)
    g_before = g.copy()
    for _ in range(3):
        opt.step()
    assert w.array is data  # updated in place: views of the parameter stay valid
    assert w.is_leaf and w.grad_fn is None and w.requires_grad
    np.testing.assert_array_equal(w.grad.array, g_before)  # the gradient array was not written
    assert not np.array_equal(w.array, _param((2, 3)).array)


@pytest.mark.parametrize("name", list(FIRST_ORDER))
def test_float32_and_0d_parameters(name):
    w = _param((4,), dtype=np.float32)
    s = ag.tensor(np.float64(1.5), requires_grad=True)
    opt = _make(name, [w, s])
    for _ in range(3):
        opt.zero_grad()
        loss = (w * w).sum() + s * s
        loss.backward()
        opt.step()
    assert w.dtype == np.float32 and s.shape == () and s.dtype == np.float64
    assert np.all(np.isfinite(w.array)) and abs(s.item()) < 1.5
    for v in opt.state[w].values():
        if isinstance(v, np.ndarray):
            assert v.dtype == np.float32 and v.shape == (4,)
    for v in opt.state[s].values():
        if isinstance(v, np.ndarray):
            assert v.shape == ()


def test_zero_grad():
    w, v = _param(), _param(seed=1)
    opt = optim.SGD([w, v], lr=0.1)
    opt.zero_grad()  # no gradients yet: fine
    (w * w).sum().backward()
    old = w.grad.array
    old_copy = old.copy()
    opt.zero_grad(set_to_none=False)
    np.testing.assert_array_equal(w.grad.array, np.zeros(3))
    assert v.grad is None  # never had a gradient: stays None
    np.testing.assert_array_equal(old, old_copy)  # zeroed in a fresh array
    opt.zero_grad()
    assert w.grad is None


def test_closure_runs_with_grad_enabled_and_returns_loss():
    w = _param()
    opt = optim.SGD([w], lr=0.1)

    def closure():
        assert ag.is_grad_enabled()
        opt.zero_grad()
        loss = (w * w).sum()
        loss.backward()
        return loss

    w0 = w.array.copy()
    with ag.no_grad():
        loss = opt.step(closure)
    assert np.isclose(loss.item(), (w0 ** 2).sum())
    np.testing.assert_allclose(w.array, w0 - 0.1 * 2 * w0)
    with pytest.raises(TypeError, match="callable"):
        opt.step(closure=3)


def test_lr_change_between_steps_takes_effect():
    w = _param()
    opt = optim.SGD([w], lr=0.1)
    w.grad = ag.Tensor(np.ones(3))
    w0 = w.array.copy()
    opt.param_groups[0]["lr"] = 0.25
    opt.step()
    np.testing.assert_allclose(w.array, w0 - 0.25)


def test_repr_lists_groups():
    text = repr(optim.Adam([_param()], lr=0.01))
    assert "Adam" in text and "lr: 0.01" in text and "betas" in text


def test_optim_imports_only_autograd():
    code = "import sys, optim, optim.lr_scheduler; print('nn' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_plain_sgd_fast_step_matches_the_generic_loop():
    """SGD.step's loop for plain groups: the same values, state counts and version bumps
    as Optimizer.step; a group with momentum (or a closure) takes the generic loop."""
    def run(fast, groups):
        ps = [_param((3, 2), seed=i, dtype=np.float32) for i in range(3)]
        opt = optim.SGD([{"params": ps[:2], "lr": 0.1}, {"params": ps[2:], **groups}], lr=0.05)
        step = opt.step if fast else (lambda: optim.Optimizer.step(opt))
        for k in range(3):
            for i, p in enumerate(ps):
                p.grad = None if (i == 1 and k == 0) else ag.tensor(np.full((3, 2), k + i, np.float32))
            step()
        return ps, opt

    for groups in ({}, {"momentum": 0.9}):
        (a, oa), (b, ob) = run(True, groups), run(False, groups)
        for p, q in zip(a, b):
            np.testing.assert_array_equal(p.array, q.array)
            assert p._version == q._version
            assert oa.state[p]["step"] == ob.state[q]["step"]
