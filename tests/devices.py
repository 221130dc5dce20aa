"""The device the device tests run on: ``"strict"`` (the CuPy-like test device, always
available) unless ``GRADTABLE_TEST_DEVICE`` names another (``cuda`` on a GPU machine:
``bench/gpu/run_gpu.sh``). Parity tests compare it with ``"cpu"``."""
import os

import numpy as np

import autograd as ag

DEVICE = os.environ.get("GRADTABLE_TEST_DEVICE", "strict")
# on the strict device float64 is enough (the arithmetic is numpy's); a GPU runs both
DTYPES = [np.float64] if DEVICE == "strict" else [np.float32, np.float64]
TOL = {np.float64: dict(rtol=1e-9, atol=1e-11), np.float32: dict(rtol=1e-3, atol=1e-4)}
# (float32 on a GPU: other summation orders than numpy's, so a looser tolerance)


def host(a):
    """The numpy values of a Tensor or array of any device (None stays None)."""
    if a is None:
        return None
    if isinstance(a, ag.Tensor):
        a = a.array
    return ag.backend.to_host(a)


def assert_on_device(t, device=DEVICE):
    assert t.device == ag.device(device), f"expected a tensor on {device}, got {t.device}"
    assert type(t.array) is not np.ndarray or device == "cpu"
