"""The erf primitive: values against math.erf (a few ulps in float64), float32 against
torch, the derivative 2/sqrt(pi) e^(-x^2) by finite differences, and twice."""
import math

import numpy as np

import autograd as ag
from autograd.ops import REGISTRY
from tests.helpers import requires_torch, torch

erf = REGISTRY["erf"]


def test_float64_values_match_math_erf():
    x = np.concatenate([np.linspace(-7, 7, 20001), [0.0, 1e-300, 1.0, 3.0, 6.0, np.inf, -np.inf]])
    ref = np.array([math.erf(v) for v in x])
    out = erf(ag.tensor(x)).numpy()
    assert out.dtype == np.float64
    np.testing.assert_allclose(out, ref, rtol=4e-15, atol=1e-300)
    assert np.isnan(erf(ag.tensor(np.nan)).item())
    assert erf(ag.tensor(0.5, dtype=np.float64)).shape == ()


@requires_torch
def test_float32_matches_torch():
    x = np.linspace(-7, 7, 10001).astype(np.float32)
    out = erf(ag.tensor(x)).numpy()
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, torch.erf(torch.from_numpy(x)).numpy(), rtol=3e-7, atol=1e-7)


def test_gradcheck_and_gradgradcheck(rng):
    x = ag.tensor(rng.uniform(-3, 3, (7,)), requires_grad=True)
    assert ag.gradcheck(lambda x: erf(x), (x,))
    assert ag.gradgradcheck(lambda x: erf(x), (x,))
