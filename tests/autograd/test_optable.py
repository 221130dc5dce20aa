"""Every op of the registry, row by row (tests/autograd/optable.py): gradcheck in
float64, gradgradcheck where twice differentiable, float32 kept, agreement with the
reference framework, and the meta-tests (every op has a row; a wrong VJP is caught)."""
import re

import numpy as np
import pytest

import autograd as ag
from autograd.ops.registry import REGISTRY
from tests.autograd.optable import ROWS, NONDIFF, TorchNS, all_cases, all_nondiff
from tests.helpers import requires_torch, torch

CASES = all_cases()
GG_CASES = [c for c in CASES if c.gradgrad]
ND_CASES = all_nondiff()


def _leaves(case, dtype=np.float64):
    return [ag.tensor(a, dtype=dtype, requires_grad=True) for a in case.args]


def _fn(case):
    return lambda *xs: case.fn(ag, *xs)


# ------------------------------------------------------------------ meta-tests
def test_every_registered_op_has_a_row():
    missing = sorted(set(REGISTRY) - set(ROWS) - set(NONDIFF))
    assert not missing, f"ops without a row in tests/autograd/optable.py: {missing}"


def test_rows_match_the_registry_kinds():
    for name, op in REGISTRY.items():
        if name in NONDIFF:
            assert not op.differentiable, name
        else:
            assert op.differentiable and op.vjp is not None, name
            assert op.doc and re.search(r"d[a-z]*/d|gradient|VJP", op.doc), f"op {name}: no derivative in its docstring"


# every function of the API's autograd section has a row (directly, or via the op it wraps)
API_FUNCTIONS = """exp log sqrt sin cos tan tanh arctan sigmoid relu abs sign clip maximum minimum sum
    mean var std max min argmax argmin prod logsumexp softmax log_softmax reshape transpose split chunk
    pad repeat tile flip where concatenate matmul""".split()
COVERED_ELSEWHERE = {"view": "reshape", "flatten": "reshape", "permute": "transpose", "T": "transpose", "squeeze": "reshape",
                     "unsqueeze": "reshape", "expand": "broadcast_to", "broadcast_to": "broadcast_to",
                     "dot": "matmul", "outer": "outer", "cat": "concatenate", "stack": "concatenate"}


def test_every_api_function_has_a_row():
    missing = [n for n in API_FUNCTIONS if n not in ROWS and n not in NONDIFF]
    assert not missing, missing
    ids = {c.id for name in set(COVERED_ELSEWHERE.values()) for c in ROWS[name]}
    for name, op in COVERED_ELSEWHERE.items():
        assert name in ids or op == name, f"{name} has no row under {op}"
        assert name == "T" or callable(getattr(ag, name)), name


def test_binary_rows_cover_every_broadcast_pair():
    ids = {c.id for c in ROWS["mul"]}
    assert "0d-2x4x3" in ids and "4x1-1x3" in ids and "2x1x3-4x3" in ids and "1-2x1x3" in ids
    assert "3-4x1" in ids and "4x3-3" in ids and "0d-0d" in ids
    # all 8 x 8 ordered pairs of SHAPES broadcast (last axes are 1 or 3, then 1 or 4, then 2)
    assert sum(1 for c in ROWS["mul"] if c.id.count("-") == 1 and "const" not in c.id and "same" not in c.id) == 64


# ------------------------------------------------------------------ per row
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_gradcheck(case):
    assert ag.gradcheck(_fn(case), _leaves(case), **case.check) is True


@pytest.mark.parametrize("case", GG_CASES, ids=lambda c: c.name)
def test_gradgradcheck(case):
    assert ag.gradgradcheck(_fn(case), _leaves(case), **case.check) is True


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_float32_in_float32_out(case):
    xs = _leaves(case, np.float32)
    out = case.fn(ag, *xs)
    if case.f32:
        assert out.dtype == np.float32, f"{case.name}: float32 in gave {out.dtype} out"
    w = np.random.default_rng(0).standard_normal(out.shape).astype(out.dtype)
    out.backward(ag.tensor(w, dtype=out.dtype))
    ref = _leaves(case)
    out64 = case.fn(ag, *ref)
    out64.backward(ag.tensor(w, dtype=np.float64))
    np.testing.assert_allclose(out.array, out64.array, rtol=2e-4, atol=2e-5)
    for x, r in zip(xs, ref):
        assert x.grad is not None and x.grad.dtype == np.float32, f"{case.name}: grad dtype {x.grad and x.grad.dtype}"
        assert x.grad.shape == x.shape
        np.testing.assert_allclose(x.grad.array, r.grad.array, rtol=2e-3, atol=2e-4)


@requires_torch
@pytest.mark.parametrize("case", [c for c in CASES if c.torch], ids=lambda c: c.name)
def test_matches_torch(case):
    xs = _leaves(case)
    ts = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in case.args]
    out = case.fn(ag, *xs)
    tout = case.fn(TorchNS, *ts)
    assert out.shape == tuple(tout.shape)
    np.testing.assert_allclose(out.array, tout.detach().numpy(), rtol=1e-10, atol=1e-12)
    w = np.random.default_rng(1).standard_normal(out.shape)
    out.backward(ag.tensor(w, dtype=np.float64))
    if not tout.requires_grad:  # torch records no edge (step): the gradient is zero
        for x in xs:
            np.testing.assert_array_equal(x.grad.array, 0.0)
        return
    tout.backward(torch.tensor(w))
    for x, t in zip(xs, ts):
        tg = np.zeros(x.shape) if t.grad is None else t.grad.numpy()
        np.testing.assert_allclose(x.grad.array, tg, rtol=1e-9, atol=1e-12)


# ------------------------------------------------------------------ non-differentiable ops
@pytest.mark.parametrize("case", ND_CASES, ids=lambda c: c.name)
def test_nondifferentiable_values_and_no_edge(case):
    xs = [ag.tensor(a, dtype=np.float64, requires_grad=True) for a in case.args]
    out = case.fn(ag, *xs)
    expected = case.ref(*case.args)
    np.testing.assert_array_equal(out.array, expected)
    assert out.dtype == np.asarray(expected).dtype
    assert not out.requires_grad and out.grad_fn is None
    if torch is not None and case.torch:
        tout = case.fn(TorchNS, *[torch.tensor(a) for a in case.args])
        np.testing.assert_array_equal(out.array, tout.numpy())


# ------------------------------------------------------------------ the mutation meta-test
def _mutated(vjp, factor):
    def wrong(F, n, g, out, *xs):
        return tuple(None if r is None else r * factor for r in vjp(F, n, g, out, *xs))

    return wrong


def _nonzero_jacobian(case):
    from autograd.gradcheck import analytical_jacobian

    return any(np.abs(J).max() > 1e-3 for J in analytical_jacobian(_fn(case), _leaves(case)) if J.size)


MUTATED_OPS = sorted(n for n in ROWS if n in REGISTRY and any(c.mutate for c in ROWS[n]))


@pytest.mark.parametrize("factor", [0.0, 2.0], ids=["zeros", "twice"])
@pytest.mark.parametrize("name", MUTATED_OPS)
def test_wrong_vjp_is_caught(name, factor, monkeypatch):
    """Replacing an op's VJP by zeros, or by twice its value, makes every one of the op's
    rows with a nonzero Jacobian fail gradcheck (at most 6 rows per op, for time)."""
    rows = [c for c in ROWS[name] if c.mutate]
    rows = [rows[i] for i in np.linspace(0, len(rows) - 1, min(6, len(rows))).astype(int)]
    rows = [c for c in rows if _nonzero_jacobian(c)]
    assert rows, f"{name}: no row with a nonzero gradient"
    op = REGISTRY[name]
    monkeypatch.setattr(op, "vjp", _mutated(op.vjp, factor))
    for case in rows:
        with pytest.raises(ag.GradcheckError):
            ag.gradcheck(_fn(case), _leaves(case), **case.check)
