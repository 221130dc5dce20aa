"""Conv1d / Conv2d and F.conv1d / F.conv2d: the notes' example, gradients (first and
second order), PyTorch parity with copied weights, default initialisation."""
import numpy as np
import pytest

import autograd as ag
from autograd import gradgradcheck
import nn
import nn.functional as F
from tests.helpers import requires_torch, torch


def _t(rng, shape, rg=True):
    return ag.tensor(rng.standard_normal(shape), requires_grad=rg)


def test_notes_1d_example():
    x = ag.tensor(np.array([0, 0, 0, 0, 1, 2, 3, 4, 4, 4, 4], dtype=np.float64).reshape(1, 1, -1))
    u = ag.tensor(np.array([-1.0, 1.0]).reshape(1, 1, 2))
    y = F.conv1d(x, u)
    assert y.shape == (1, 1, 10)  # M - k + 1
    np.testing.assert_array_equal(y.data.ravel(), [0, 0, 0, 1, 1, 1, 1, 0, 0, 0])


def test_conv2d_matches_the_notes_sum(rng):
    """(x conv u)_{i,j} = sum_c sum_n sum_m x_{c,n+i,m+j} u_{c,n,m}, output (H-h+1) x (W-w+1)."""
    x = rng.standard_normal((1, 3, 6, 5))
    u = rng.standard_normal((1, 3, 3, 2))
    y = F.conv2d(ag.tensor(x), ag.tensor(u)).data
    assert y.shape == (1, 1, 4, 4)
    ref = np.zeros((4, 4))
    for i in range(4):
        for j in range(4):
            ref[i, j] = (x[0, :, i:i + 3, j:j + 2] * u[0]).sum()
    np.testing.assert_allclose(y[0, 0], ref, rtol=1e-12, atol=1e-12)


CASES2D = [  # stride, padding, dilation, groups
    (1, 0, 1, 1), (2, 1, 1, 1), (1, 2, 2, 1), ((2, 1), (1, 0), (1, 2), 1), (3, 1, 1, 1),
    (1, 1, 1, 2), (1, "same", 1, 1), (1, "valid", 2, 1),
]


@pytest.mark.parametrize("stride,padding,dilation,groups", CASES2D)
def test_conv2d_gradcheck(rng, stride, padding, dilation, groups):
    x = _t(rng, (2, 4, 6, 7))
    w = _t(rng, (4, 4 // groups, 3, 2))
    b = _t(rng, (4,))
    assert ag.gradcheck(lambda x, w, b: F.conv2d(x, w, b, stride, padding, dilation, groups),
                        (x, w, b))


@pytest.mark.parametrize("stride,padding,dilation", [(1, 0, 1), (2, 1, 1), (1, 2, 3), (2, "same", 1)])
def test_conv1d_gradcheck(rng, stride, padding, dilation):
    if padding == "same" and stride != 1:
        with pytest.raises(ValueError, match="same"):
            F.conv1d(_t(rng, (2, 3, 11)), _t(rng, (2, 3, 3)), None, stride, padding)
        return
    x, w, b = _t(rng, (2, 3, 11)), _t(rng, (2, 3, 3)), _t(rng, (2,))
    assert ag.gradcheck(lambda x, w, b: F.conv1d(x, w, b, stride, padding, dilation), (x, w, b))


def test_conv2d_gradgradcheck(rng):
    x, w, b = _t(rng, (1, 2, 5, 5)), _t(rng, (2, 2, 3, 3)), _t(rng, (2,))
    assert gradgradcheck(lambda x, w, b: F.conv2d(x, w, b, stride=2, padding=1), (x, w, b))
    assert gradgradcheck(lambda x, w: F.conv2d(x, w, dilation=2, padding=1), (x, w))


def test_conv_modules_gradcheck_float64(rng):
    m = nn.Conv2d(2, 3, 3, stride=2, padding=1).double()
    x = _t(rng, (2, 2, 6, 5))
    assert ag.gradcheck(lambda x, w, b: F.conv2d(x, w, b, m.stride, m.padding), (x, m.weight, m.bias))
    y = m(x)
    assert y.shape == (2, 3, 3, 3) and y.dtype == np.float64
    m1 = nn.Conv1d(2, 3, 4, padding=2, bias=False).double()
    assert m1(_t(rng, (3, 2, 9))).shape == (3, 3, 10)
    assert [n for n, _ in m1.named_parameters()] == ["weight"]


def test_conv_shapes_and_errors(rng):
    m = nn.Conv2d(3, 8, (3, 5), stride=(2, 1), padding=(1, 2), dilation=(1, 2))
    assert m.weight.shape == (8, 3, 3, 5) and m.bias.shape == (8,)
    assert m.weight.dtype == np.float32
    y = m(ag.randn(2, 3, 10, 12))
    assert y.shape == (2, 8, 5, 8) and y.dtype == np.float32
    assert m(ag.randn(3, 10, 12)).shape == (8, 5, 8)  # unbatched input
    with pytest.raises(ValueError, match="channels"):
        m(ag.randn(2, 4, 10, 12))
    with pytest.raises(ValueError, match="divisible"):
        nn.Conv2d(3, 8, 3, groups=2)
    with pytest.raises(ValueError, match="larger than"):
        F.conv2d(ag.randn(1, 1, 2, 2), ag.randn(1, 1, 3, 3))


def test_conv_float32_end_to_end():
    m = nn.Conv2d(3, 4, 3, padding=1)
    x = ag.randn(2, 3, 8, 8, requires_grad=True)
    y = m(x)
    assert y.dtype == np.float32
    y.sum().backward()
    assert x.grad.dtype == m.weight.grad.dtype == m.bias.grad.dtype == np.float32


# ------------------------------------------------------------------ reference framework
@requires_torch
@pytest.mark.filterwarnings("ignore:Using padding='same'")
@pytest.mark.parametrize("stride,padding,dilation,groups", CASES2D)
def test_conv2d_matches_torch(rng, stride, padding, dilation, groups):
    m = nn.Conv2d(4, 6, (3, 2), stride, padding, dilation, groups).double()
    ref = torch.nn.Conv2d(4, 6, (3, 2), stride, padding, dilation, groups).double()
    with torch.no_grad():
        ref.weight.copy_(torch.from_numpy(m.weight.data))
        ref.bias.copy_(torch.from_numpy(m.bias.data))
    x = rng.standard_normal((3, 4, 9, 8))
    xa, xt = ag.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    y, yt = m(xa), ref(xt)
    np.testing.assert_allclose(y.data, yt.detach().numpy(), rtol=1e-10, atol=1e-12)
    g = rng.standard_normal(y.shape)
    y.backward(g)
    yt.backward(torch.from_numpy(g))
    np.testing.assert_allclose(xa.grad.data, xt.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(m.weight.grad.data, ref.weight.grad.numpy(), rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(m.bias.grad.data, ref.bias.grad.numpy(), rtol=1e-10, atol=1e-10)


@requires_torch
def test_conv1d_matches_torch_float32(rng):
    m = nn.Conv1d(3, 5, 4, stride=2, padding=3, dilation=2)
    ref = torch.nn.Conv1d(3, 5, 4, stride=2, padding=3, dilation=2)
    with torch.no_grad():
        ref.weight.copy_(torch.from_numpy(m.weight.data))
        ref.bias.copy_(torch.from_numpy(m.bias.data))
    x = rng.standard_normal((4, 3, 20)).astype(np.float32)
    xa, xt = ag.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    y, yt = m(xa), ref(xt)
    assert y.dtype == np.float32
    np.testing.assert_allclose(y.data, yt.detach().numpy(), rtol=1e-5, atol=1e-5)
    (y * y).sum().backward()
    (yt * yt).sum().backward()
    np.testing.assert_allclose(xa.grad.data, xt.grad.numpy(), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(m.weight.grad.data, ref.weight.grad.numpy(), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(m.bias.grad.data, ref.bias.grad.numpy(), rtol=1e-4, atol=1e-4)


@requires_torch
@pytest.mark.parametrize("cls,tcls,args", [(nn.Conv2d, "Conv2d", (6, 16, 5)),
                                           (nn.Conv1d, "Conv1d", (4, 8, 3)),
                                           (nn.Conv2d, "Conv2d", (8, 8, 3, 1, 0, 1, 4))])
def test_conv_default_init_matches_torch(cls, tcls, args):
    """Default init: weight and bias ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in)). Compare the
    variance over many draws with PyTorch's and with the formula (1/fan_in)/3."""
    torch.manual_seed(0)
    ws, bs, tw, tb = [], [], [], []
    for _ in range(40):
        m, r = cls(*args), getattr(torch.nn, tcls)(*args)
        ws.append(m.weight.data.ravel()); bs.append(m.bias.data.ravel())
        tw.append(r.weight.detach().numpy().ravel()); tb.append(r.bias.detach().numpy().ravel())
    ws, bs, tw, tb = map(np.concatenate, (ws, bs, tw, tb))
    m = cls(*args)
    fan_in = m.weight.shape[1] * int(np.prod(m.weight.shape[2:]))
    bound = 1 / np.sqrt(fan_in)
    assert np.abs(ws).max() <= bound and np.abs(bs).max() <= bound
    for ours, theirs in ((ws, tw), (bs, tb)):
        assert abs(ours.var() / theirs.var() - 1) < 0.15
        assert abs(ours.var() / (bound ** 2 / 3) - 1) < 0.15
        assert abs(ours.mean()) < 0.1 * bound
