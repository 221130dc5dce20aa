"""Shared test setup: a fixed seed per test, and the optional reference framework."""
import numpy as np
import pytest

import autograd as ag

try:  # the reference framework is an optional test extra (torch==2.13.0, CPU)
    import torch

    torch.set_num_threads(1)
except Exception:  # pragma: no cover - depends on the environment
    torch = None

requires_torch = pytest.mark.skipif(torch is None, reason="reference framework (torch) not installed")


@pytest.fixture(autouse=True)
def _seed():
    ag.manual_seed(0)
    yield


@pytest.fixture
def rng():
    return np.random.default_rng(1234)
