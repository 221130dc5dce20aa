"""BatchNorm1d / BatchNorm2d and F.batch_norm: the notes' formula, gradients after a
Linear, running statistics and eval outputs against PyTorch."""
import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F
from tests.helpers import requires_torch, torch


def test_training_normalises_with_biased_variance(rng):
    x = rng.standard_normal((16, 3, 4, 5)) * 3 + 2
    bn = nn.BatchNorm2d(3).double()
    y = bn(ag.tensor(x)).array
    mu = x.mean(axis=(0, 2, 3), keepdims=True)
    var = x.var(axis=(0, 2, 3), keepdims=True)  # biased
    np.testing.assert_allclose(y, (x - mu) / np.sqrt(var + 1e-5), rtol=1e-10, atol=1e-12)
    n = x.size // 3
    np.testing.assert_allclose(bn.running_mean.array, 0.1 * mu.ravel(), rtol=1e-10)
    np.testing.assert_allclose(bn.running_var.array, 0.9 + 0.1 * var.ravel() * n / (n - 1),
                               rtol=1e-10)
    assert int(bn.num_batches_tracked.array) == 1


def test_eval_uses_running_stats(rng):
    bn = nn.BatchNorm1d(4).double()
    bn.running_mean.array[:] = [1, 2, 3, 4]
    bn.running_var.array[:] = [4, 1, 9, 16]
    bn.weight.array[:] = 2.0
    bn.bias.array[:] = 0.5
    bn.eval()
    x = rng.standard_normal((5, 4))
    y = bn(ag.tensor(x)).array
    ref = 2 * (x - [1, 2, 3, 4]) / np.sqrt(np.array([4, 1, 9, 16]) + 1e-5) + 0.5
    np.testing.assert_allclose(y, ref, rtol=1e-10)
    before = bn.running_mean.array.copy()
    bn(ag.tensor(x))
    np.testing.assert_array_equal(bn.running_mean.array, before)  # eval never updates
    assert bn(ag.tensor(x[:1])).shape == (1, 4)  # a single sample is fine in eval


def test_one_value_per_channel_in_training_raises():
    with pytest.raises(ValueError, match="Expected more than 1 value per channel when training"):
        nn.BatchNorm1d(3)(ag.randn(1, 3))
    with pytest.raises(ValueError, match="Expected more than 1 value per channel when training"):
        nn.BatchNorm2d(3)(ag.randn(1, 3, 1, 1))
    nn.BatchNorm1d(3)(ag.randn(1, 3, 2))  # two values per channel: fine


def test_input_dims_checked():
    with pytest.raises(ValueError, match="expected 4D input"):
        nn.BatchNorm2d(3)(ag.randn(2, 3, 4))
    with pytest.raises(ValueError, match="2D or 3D"):
        nn.BatchNorm1d(3)(ag.randn(2, 3, 4, 4))


def test_gradcheck_after_linear_train_mode(rng):
    lin = nn.Linear(4, 3).double()
    bn = nn.BatchNorm1d(3).double()
    bn.weight.array[:] = rng.standard_normal(3)
    bn.bias.array[:] = rng.standard_normal(3)
    x = ag.tensor(rng.standard_normal((6, 4)), requires_grad=True)

    def f(x, w, b, gamma, beta):
        z = F.linear(x, w, b)
        return F.batch_norm(z, None, None, gamma, beta, training=True)

    assert ag.gradcheck(f, (x, lin.weight, lin.bias, bn.weight, bn.bias))
    # the module itself, in train mode (running stats change between calls, but not the output)
    assert ag.gradcheck(lambda x: bn(lin(x)), (x,))


def test_gradcheck_2d_and_3d_inputs(rng):
    x = ag.tensor(rng.standard_normal((3, 2, 3, 4)), requires_grad=True)
    g = ag.tensor(rng.standard_normal(2), requires_grad=True)
    b = ag.tensor(rng.standard_normal(2), requires_grad=True)
    assert ag.gradcheck(lambda x, g, b: F.batch_norm(x, None, None, g, b, training=True), (x, g, b))
    x3 = ag.tensor(rng.standard_normal((4, 2, 5)), requires_grad=True)
    assert ag.gradcheck(lambda x, g, b: F.batch_norm(x, None, None, g, b, training=True), (x3, g, b))
    rm, rv = ag.tensor(rng.standard_normal(2)), ag.tensor(rng.random(2) + 0.5)
    assert ag.gradcheck(lambda x, g, b: F.batch_norm(x, rm, rv, g, b, training=False), (x, g, b))


def test_options():
    bn = nn.BatchNorm2d(3, affine=False, track_running_stats=False)
    assert list(bn.parameters()) == [] and bn.running_mean is None
    x = ag.randn(4, 3, 2, 2) * 5
    y = bn.eval()(x)  # no running stats: batch statistics even in eval
    np.testing.assert_allclose(y.array.mean(axis=(0, 2, 3)), 0, atol=1e-5)
    bn = nn.BatchNorm1d(3, momentum=None)  # cumulative average
    xs = [ag.randn(8, 3) for _ in range(3)]
    for x in xs:
        bn(x)
    np.testing.assert_allclose(bn.running_mean.array,
                               np.mean([x.array.mean(0) for x in xs], axis=0), rtol=1e-5, atol=1e-6)
    keys = list(nn.BatchNorm2d(2).state_dict())
    assert keys == ["weight", "bias", "running_mean", "running_var", "num_batches_tracked"]


def test_float32_stays_float32():
    bn = nn.BatchNorm2d(3)
    x = ag.randn(4, 3, 5, 5, requires_grad=True)
    y = bn(x)
    assert y.dtype == np.float32 and bn.running_var.dtype == np.float32
    y.sum().backward()
    assert x.grad.dtype == bn.weight.grad.dtype == np.float32


# ------------------------------------------------------------------ reference framework
def _copy(ours, ref):
    with torch.no_grad():
        ref.weight.copy_(torch.from_numpy(ours.weight.array))
        ref.bias.copy_(torch.from_numpy(ours.bias.array))


@requires_torch
@pytest.mark.parametrize("cls,shape", [("BatchNorm1d", (8, 4)), ("BatchNorm1d", (8, 4, 5)),
                                       ("BatchNorm2d", (6, 4, 5, 3))])
def test_matches_torch_over_20_steps(rng, cls, shape):
    ours = getattr(nn, cls)(4, momentum=0.2).double()
    ref = getattr(torch.nn, cls)(4, momentum=0.2).double()
    ours.weight.array[:] = rng.standard_normal(4)
    ours.bias.array[:] = rng.standard_normal(4)
    _copy(ours, ref)
    for step in range(20):
        x = rng.standard_normal(shape) * (1 + step % 3) + step * 0.1
        xa, xt = ag.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        y, yt = ours(xa), ref(xt)
        np.testing.assert_allclose(y.array, yt.detach().numpy(), rtol=1e-9, atol=1e-10)
        g = rng.standard_normal(shape)
        y.backward(g)
        yt.backward(torch.from_numpy(g))
        np.testing.assert_allclose(xa.grad.array, xt.grad.numpy(), rtol=1e-8, atol=1e-9)
    np.testing.assert_allclose(ours.weight.grad.array, ref.weight.grad.numpy(), rtol=1e-8, atol=1e-9)
    np.testing.assert_allclose(ours.bias.grad.array, ref.bias.grad.numpy(), rtol=1e-8, atol=1e-9)
    np.testing.assert_allclose(ours.running_mean.array, ref.running_mean.numpy(), rtol=1e-10)
    np.testing.assert_allclose(ours.running_var.array, ref.running_var.numpy(), rtol=1e-10)
    assert int(ours.num_batches_tracked.array) == int(ref.num_batches_tracked) == 20
    ours.eval()
    ref.eval()
    x = rng.standard_normal(shape)
    np.testing.assert_allclose(ours(ag.tensor(x)).array, ref(torch.from_numpy(x)).detach().numpy(),
                               rtol=1e-9, atol=1e-10)


@requires_torch
def test_state_dict_loads_from_torch(rng):
    ref = torch.nn.BatchNorm2d(3)
    ref(torch.randn(4, 3, 2, 2) * 3)
    ours = nn.BatchNorm2d(3)
    ours.load_state_dict({k: v.numpy() for k, v in ref.state_dict().items()})
    ours.eval()
    ref.eval()
    x = rng.standard_normal((2, 3, 4, 4)).astype(np.float32)
    np.testing.assert_allclose(ours(ag.tensor(x)).array, ref(torch.from_numpy(x)).detach().numpy(),
                               rtol=1e-5, atol=1e-6)
