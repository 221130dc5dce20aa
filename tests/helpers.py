"""Shared test utilities: the optional reference framework (torch==2.13.0, CPU)."""
import pytest

try:  # an optional test extra; never a runtime dependency
    import torch

    torch.set_num_threads(1)
except Exception:  # pragma: no cover - depends on the environment
    torch = None

requires_torch = pytest.mark.skipif(torch is None, reason="reference framework (torch) not installed")
