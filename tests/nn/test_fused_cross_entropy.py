"""cross_entropy on (N, C) logits with plain class indices is one fused node
(autograd/ops/fused.py): the same loss and gradient as PyTorch in float32 for every
reduction; the cases it does not cover keep the general path."""
import numpy as np
import pytest

import autograd as ag
import nn.functional as F
from tests.helpers import requires_torch, torch

RNG = np.random.default_rng(11)
Z = (RNG.standard_normal((128, 10)) * 4).astype(np.float32)
T = RNG.integers(0, 10, 128)


@requires_torch
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_fused_matches_torch_float32(reduction):
    z = ag.tensor(Z, requires_grad=True)
    loss = F.cross_entropy(z, ag.tensor(T), reduction=reduction)
    assert loss.grad_fn.op.name == "softmax_cross_entropy"
    (loss.sum() if reduction == "none" else loss).backward()
    zt = torch.tensor(Z, requires_grad=True)
    lt = torch.nn.functional.cross_entropy(zt, torch.as_tensor(T), reduction=reduction)
    (lt.sum() if reduction == "none" else lt).backward()
    assert loss.dtype == np.float32 and z.grad.dtype == np.float32
    np.testing.assert_allclose(loss.numpy(), lt.detach().numpy(), rtol=2e-6, atol=1e-6)
    np.testing.assert_allclose(z.grad.numpy(), zt.grad.numpy(), rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("kw,target", [
    (dict(ignore_index=3), np.array([3, 1, 2])),
    (dict(label_smoothing=0.1), np.array([0, 1, 2])),
    (dict(weight=ag.tensor(np.array([1.0, 2.0, 3.0, 4.0], dtype=np.float32))), np.array([0, 1, 2])),
])
def test_other_cases_keep_the_general_path(kw, target):
    z = ag.tensor(RNG.standard_normal((3, 4)).astype(np.float32), requires_grad=True)
    loss = F.cross_entropy(z, ag.tensor(target), **kw)
    assert loss.grad_fn.op.name != "softmax_cross_entropy"


def test_out_of_range_target_still_names_the_problem():
    z = ag.tensor(RNG.standard_normal((2, 3)), requires_grad=True)
    with pytest.raises(IndexError, match="out of bounds for 3 classes"):
        F.cross_entropy(z, ag.tensor(np.array([0, 3])))


def test_second_derivatives_through_the_fused_node():
    z = ag.tensor(RNG.standard_normal((4, 3)), requires_grad=True)
    t = ag.tensor(np.array([0, 2, 1, 2]))
    assert ag.gradgradcheck(lambda x: F.cross_entropy(x, t), (z,))
