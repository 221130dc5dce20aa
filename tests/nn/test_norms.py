"""LayerNorm, GroupNorm and RMSNorm: values and gradients of the input and every
parameter against PyTorch with copied weights (float32 and float64), finite
differences in float64, PyTorch's init, state-dict names and errors."""
import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F
from tests.helpers import requires_torch, torch
from tests.nn.parity import compare

LAYERS = [
    ("LayerNorm", (5,), {}, (3, 4, 5)),
    ("LayerNorm", ((4, 5),), {}, (3, 4, 5)),
    ("LayerNorm", (5,), {"bias": False}, (2, 5)),
    ("LayerNorm", (5,), {"elementwise_affine": False, "eps": 1e-3}, (2, 3, 5)),
    ("GroupNorm", (2, 6), {}, (3, 6, 4)),
    ("GroupNorm", (3, 6), {"affine": False}, (2, 6, 2, 3)),
    ("GroupNorm", (1, 4), {}, (2, 4)),
    ("GroupNorm", (2, 4), {"bias": False}, (2, 4, 3)),
    ("RMSNorm", (5,), {}, (3, 4, 5)),
    ("RMSNorm", ((4, 5),), {"eps": 1e-4}, (2, 4, 5)),
    ("RMSNorm", (5,), {"elementwise_affine": False}, (2, 5)),
]


def _randomise(tm):
    with torch.no_grad():  # away from the (1, 0) init so the affine part is tested
        for p in tm.parameters():
            p.copy_(torch.randn_like(p))


@requires_torch
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name, args, kw, shape", LAYERS)
def test_matches_torch(name, args, kw, shape, dtype):
    torch.manual_seed(0)
    tm = getattr(torch.nn, name)(*args, **kw)
    _randomise(tm)
    x = np.random.default_rng(1).standard_normal(shape) * 3 + 1
    compare(getattr(nn, name)(*args, **kw), tm, [x], dtype)
    assert repr(getattr(nn, name)(*args, **kw)) == repr(getattr(torch.nn, name)(*args, **kw))


@requires_torch
@pytest.mark.parametrize("name, args, kw, shape", LAYERS[:1] + LAYERS[4:5] + LAYERS[8:9])
def test_default_init_and_names_match_torch(name, args, kw, shape):
    tm, gm = getattr(torch.nn, name)(*args, **kw), getattr(nn, name)(*args, **kw)
    assert list(gm.state_dict()) == list(tm.state_dict())
    for k, v in tm.state_dict().items():
        np.testing.assert_array_equal(gm.state_dict()[k].numpy(), v.numpy())
        assert gm.state_dict()[k].dtype == np.float32


def test_gradcheck(rng):
    x = ag.tensor(rng.standard_normal((2, 3, 4)), requires_grad=True)
    w = ag.tensor(rng.standard_normal((3, 4)), requires_grad=True)
    b = ag.tensor(rng.standard_normal((3, 4)), requires_grad=True)
    assert ag.gradcheck(lambda x, w, b: F.layer_norm(x, (3, 4), w, b), (x, w, b))
    assert ag.gradcheck(lambda x, w: F.rms_norm(x, (3, 4), w), (x, w))
    w3 = ag.tensor(rng.standard_normal(3), requires_grad=True)
    b3 = ag.tensor(rng.standard_normal(3), requires_grad=True)
    assert ag.gradcheck(lambda x, w, b: F.group_norm(x, 3, w, b), (x, w3, b3))


def test_normalises_each_sample(rng):
    x = ag.tensor(rng.standard_normal((4, 8)) * 5 + 3)
    y = nn.LayerNorm(8).double()(x).numpy()
    np.testing.assert_allclose(y.mean(-1), 0, atol=1e-12)
    np.testing.assert_allclose(y.var(-1), 1, rtol=1e-5)  # eps = 1e-5 shrinks it slightly
    r = nn.RMSNorm(8).double()(x).numpy()
    np.testing.assert_allclose((r ** 2).mean(-1), 1, rtol=1e-10)


def test_errors_name_shapes():
    with pytest.raises(ValueError, match=r"normalized_shape \[4\] must match the last 1 dims"):
        nn.LayerNorm(4)(ag.randn(2, 5))
    with pytest.raises(ValueError, match="must be divisible by num_groups=4"):
        nn.GroupNorm(4, 6)
    with pytest.raises(ValueError, match="got an input with 3 channels"):
        nn.GroupNorm(2, 4)(ag.randn(2, 3, 5))
    with pytest.raises(ValueError, match=r"weight must have shape \(4,\)"):
        F.layer_norm(ag.randn(2, 4), (4,), ag.ones(5))


def test_gradgradcheck(rng):
    x = ag.tensor(rng.standard_normal((2, 4)), requires_grad=True)
    b = ag.tensor(rng.standard_normal(4), requires_grad=True)
    assert ag.gradgradcheck(lambda x, b: F.layer_norm(x, (4,), None, b), (x, b))
    assert ag.gradgradcheck(lambda x: F.rms_norm(x, (4,)), (x,))
