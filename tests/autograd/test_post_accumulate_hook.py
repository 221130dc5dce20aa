"""Tensor.register_post_accumulate_grad_hook: called with the leaf once backward has
added its gradient into .grad (what DistributedDataParallel starts its all-reduce from)."""
import numpy as np
import pytest

import autograd as ag
from tests.helpers import requires_torch, torch


def test_hook_sees_the_accumulated_grad_after_each_backward():
    w = ag.tensor([1.0, 2.0], dtype=np.float64, requires_grad=True)
    seen = []
    handle = w.register_post_accumulate_grad_hook(lambda t: seen.append(t.grad.array.copy()))
    (w * w).sum().backward()          # grad 2w = [2, 4]
    (3 * w).sum().backward()          # accumulates: [5, 7]
    np.testing.assert_array_equal(seen[0], [2.0, 4.0])
    np.testing.assert_array_equal(seen[1], [5.0, 7.0])
    handle.remove()
    (w * w).sum().backward()
    assert len(seen) == 2


def test_hook_runs_after_gradient_hooks_and_once_for_a_shared_leaf():
    w = ag.tensor(2.0, dtype=np.float64, requires_grad=True)
    order = []
    w.register_hook(lambda g: order.append(("grad", float(g.item()))))
    w.register_post_accumulate_grad_hook(lambda t: order.append(("post", float(t.grad.item()))))
    (w * w + ag.sin(w)).backward()
    want = 4.0 + np.cos(2.0)
    assert [k for k, _ in order] == ["grad", "post"]
    assert [v for _, v in order] == pytest.approx([want, want], rel=1e-15)


def test_backward_with_inputs_and_ag_grad():
    a = ag.tensor([1.0], dtype=np.float64, requires_grad=True)
    b = ag.tensor([2.0], dtype=np.float64, requires_grad=True)
    calls = []
    a.register_post_accumulate_grad_hook(lambda t: calls.append("a"))
    b.register_post_accumulate_grad_hook(lambda t: calls.append("b"))
    (a * b).sum().backward(inputs=[a])
    assert calls == ["a"] and b.grad is None
    ag.grad((a * b).sum(), [a, b])    # nothing accumulates, so no hook runs
    assert calls == ["a"]


def test_refused_on_non_leaves_and_constants():
    x = ag.tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="non-leaf.*'mul'.*register_hook"):
        (x * 2).register_post_accumulate_grad_hook(lambda t: None)
    with pytest.raises(RuntimeError, match="does not require grad"):
        ag.tensor([1.0]).register_post_accumulate_grad_hook(lambda t: None)


@requires_torch
def test_matches_torch_call_pattern():
    def run(lib, mk):
        w = mk()
        seen = []
        w.register_post_accumulate_grad_hook(lambda t: seen.append(np.array(t.grad.tolist())))
        for k in (1.0, 2.0):
            (w * w * k).sum().backward()
        return seen

    ours = run(ag, lambda: ag.tensor([0.5, -1.5], dtype=np.float64, requires_grad=True))
    ref = run(torch, lambda: torch.tensor([0.5, -1.5], dtype=torch.float64, requires_grad=True))
    for o, r in zip(ours, ref):
        np.testing.assert_allclose(o, r, rtol=1e-15)
    assert len(ours) == len(ref) == 2
