"""The op table on the test device (``tests/devices.py``: "strict", the CuPy-like device
that refuses silent numpy, or "cuda" on a GPU machine).

Every row: forward values and gradients on the device equal the CPU's (float64 on
"strict", float32 and float64 on a GPU), and every result and gradient stays on the
device. One row per op: gradcheck on the device in float64. Every non-differentiable
row: the same values on the device.
"""
import numpy as np
import pytest

import autograd as ag
from tests.autograd.optable import all_cases, all_nondiff
from tests.devices import DEVICE, DTYPES, TOL, assert_on_device, host

CASES = all_cases()
ND_CASES = all_nondiff()
# rows that call an internal kernel with host index arrays as op parameters (what the
# public functions build on the input's device themselves): no device counterpart
HOST_PARAMS = {"window_max_scatter-1d", "window_max_gather-1d"}
# rows whose result is on the CPU by design (a move to a device and back): see test_devices.py
HOST_PARAMS |= {c.name for c in CASES if c.op == "to_device"}


def _one_per_op(cases):
    seen, out = set(), []
    for c in cases:
        if c.op not in seen and c.name not in HOST_PARAMS:
            seen.add(c.op)
            out.append(c)
    return out


def _run(case, device, dtype, w=None):
    xs = [ag.tensor(a, dtype=dtype, requires_grad=True, device=device) for a in case.args]
    out = case.fn(ag, *xs)
    if w is None:
        w = np.random.default_rng(0).standard_normal(out.shape).astype(out.dtype)
    out.backward(ag.tensor(w, dtype=out.dtype, device=device))
    return out, xs, w


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("case", [c for c in CASES if c.name not in HOST_PARAMS], ids=lambda c: c.name)
def test_row_on_the_device_matches_the_cpu(case, dtype):
    ref, rxs, w = _run(case, "cpu", dtype)
    out, xs, _ = _run(case, DEVICE, dtype, w)
    assert_on_device(out)
    tol = TOL[dtype] if dtype == np.float64 else dict(rtol=2e-3, atol=2e-4)
    np.testing.assert_allclose(host(out), ref.numpy(), **tol)
    for x, r in zip(xs, rxs):
        if r.grad is None:
            assert x.grad is None
            continue
        assert_on_device(x.grad)
        assert x.grad.dtype == r.grad.dtype
        np.testing.assert_allclose(host(x.grad), r.grad.numpy(), **tol)


@pytest.mark.parametrize("case", _one_per_op(CASES), ids=lambda c: c.name)
def test_gradcheck_on_the_device(case):
    xs = [ag.tensor(a, dtype=np.float64, requires_grad=True, device=DEVICE) for a in case.args]
    assert ag.gradcheck(lambda *t: case.fn(ag, *t), xs, **case.check) is True


@pytest.mark.parametrize("case", ND_CASES, ids=lambda c: c.name)
def test_nondifferentiable_row_on_the_device(case):
    xs = [ag.tensor(a, dtype=np.float64, device=DEVICE) for a in case.args]
    out = case.fn(ag, *xs)
    assert_on_device(out)
    np.testing.assert_array_equal(host(out), case.ref(*case.args))
