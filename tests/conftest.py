"""Shared test setup: a fixed library seed for every test."""
import numpy as np
import pytest

import autograd as ag


@pytest.fixture(autouse=True)
def _seed():
    ag.manual_seed(0)
    yield


@pytest.fixture
def rng():
    return np.random.default_rng(1234)
