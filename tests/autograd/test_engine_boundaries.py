"""What the engine does not swallow: errors of a rule on the float path that are not
arithmetic, and numpy's warnings inside user hooks; drawings' module scopes are opt-in;
``ag.window_matmul`` checks its arguments."""
import warnings

import numpy as np
import pytest

import autograd as ag
from autograd.ops.registry import Op


def test_a_real_error_in_a_rule_on_the_float_path_propagates():
    op = Op("broken_for_test", lambda x: x * 2)

    def broken_vjp(ns, n, g, out, x):
        raise KeyError("a bug in the rule")

    op.defvjp(broken_vjp)
    x = ag.tensor(1.5, requires_grad=True)
    with pytest.raises(KeyError, match="a bug in the rule"):
        op(x).backward()


def test_float_path_still_follows_numpy_at_a_division_by_zero():
    x = ag.tensor(0.0, requires_grad=True)
    with np.errstate(divide="ignore"):
        y = ag.log(x)
    y.backward()  # 1 / 0 raises on floats; numpy scalars give inf
    assert np.isinf(x.grad.item())


def test_user_hooks_run_under_the_callers_numpy_error_settings():
    seen = []

    def hook(g):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            np.log(np.zeros(1))
        seen.append(len(w))

    x = ag.tensor([1.0, 2.0], requires_grad=True)
    x.register_hook(hook)
    (x * 3).sum().backward()
    assert seen == [1]  # the divide-by-zero warning reached the hook


def test_modules_stamp_their_ops_only_while_a_drawing_asks_for_it():
    import nn
    from autograd import viz

    m = nn.Linear(2, 2)
    prev = viz.record_modules(False)
    try:
        assert m(ag.randn(1, 2)).grad_fn.scope is None
        viz.record_modules(True)
        assert m(ag.randn(1, 2)).grad_fn.scope == id(m)
    finally:
        viz.record_modules(prev)


def test_window_matmul_checks_its_arguments():
    w, x = np.ones((2, 12), np.float32), np.ones((1, 3, 5, 5), np.float32)
    assert ag.window_matmul(w, x, kernel_size=[2, 2]).shape == (1, 2, 4, 4)
    assert ag.window_matmul(w, x, kernel_size=(2, 2), padding=1).shape == (1, 2, 6, 6)
    with pytest.raises(ValueError, match="window_matmul: w .* does not match x"):
        ag.window_matmul(np.ones((2, 7)), x, kernel_size=(2, 2))
    with pytest.raises(ValueError, match="window_matmul: expects x"):
        ag.window_matmul(w, x[0], kernel_size=(2, 2))
