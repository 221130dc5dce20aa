"""ConvTranspose1d/2d and F.conv_transpose1d/2d: the adjoint of the convolution,
finite differences (first and second order), PyTorch parity with copied weights in
float32 and float64, output_size, errors."""
import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F
from tests.helpers import requires_torch, torch

TOL = {np.float32: dict(rtol=1e-4, atol=1e-5), np.float64: dict(rtol=1e-10, atol=1e-11)}
CASES = [  # stride, padding, output_padding, groups, dilation
    (1, 0, 0, 1, 1), (2, 1, 1, 1, 1), (3, 2, 0, 2, 1), (2, 0, 1, 1, 2), (1, 1, 0, 1, 2),
    ((2, 1), (1, 0), (1, 0), 1, (1, 2)),
]


@requires_torch
@pytest.mark.parametrize("dt", [np.float32, np.float64])
@pytest.mark.parametrize("d", [1, 2])
@pytest.mark.parametrize("s,p,op,g,r", CASES)
def test_module_matches_torch(rng, dt, d, s, p, op, g, r):
    if d == 1 and isinstance(s, tuple):
        s, p, op, r = s[0], p[0], op[0], r[0]
    cls, tcls = (nn.ConvTranspose1d, torch.nn.ConvTranspose1d) if d == 1 else (nn.ConvTranspose2d,
                                                                              torch.nn.ConvTranspose2d)
    tm = tcls(4, 6, 3, s, p, op, g, True, r).to(torch.float32 if dt == np.float32 else torch.float64)
    m = cls(4, 6, 3, s, p, op, g, True, r, dtype=dt)
    m.load_state_dict({k: v.detach().numpy() for k, v in tm.state_dict().items()})
    x = rng.standard_normal((2, 4) + (5,) * d).astype(dt)
    xa, xt = ag.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    y, ty = m(xa), tm(xt)
    assert y.shape == tuple(ty.shape) and y.dtype == dt
    np.testing.assert_allclose(y.numpy(), ty.detach().numpy(), **TOL[dt])
    gy = rng.standard_normal(y.shape).astype(dt)
    (y * ag.tensor(gy)).sum().backward()
    (ty * torch.tensor(gy)).sum().backward()
    np.testing.assert_allclose(xa.grad.numpy(), xt.grad.numpy(), **TOL[dt])
    np.testing.assert_allclose(m.weight.grad.numpy(), tm.weight.grad.numpy(), **TOL[dt])
    np.testing.assert_allclose(m.bias.grad.numpy(), tm.bias.grad.numpy(), **TOL[dt])


@pytest.mark.parametrize("s,p,op,g,r", CASES[:4])
def test_gradcheck_and_gradgradcheck(rng, s, p, op, g, r):
    x = ag.tensor(rng.standard_normal((1, 2, 3, 3)), requires_grad=True)
    w = ag.tensor(rng.standard_normal((2, 4 // g, 2, 2)), requires_grad=True)
    b = ag.tensor(rng.standard_normal(4), requires_grad=True)
    op = op if max(op if isinstance(op, tuple) else (op,)) < 2 else 0

    def f(x, w, b):
        return F.conv_transpose2d(x, w, b, s, p, op, g, r)

    assert ag.gradcheck(f, (x, w, b))
    assert ag.gradgradcheck(f, (x, w, b))


def test_is_the_adjoint_of_conv2d(rng):
    """<conv2d(x, w), g> = <x, conv_transpose2d(g, w)> for the same stride/padding/dilation."""
    x = rng.standard_normal((2, 3, 9, 8))
    w = rng.standard_normal((5, 3, 3, 2))
    y = F.conv2d(ag.tensor(x), ag.tensor(w), stride=2, padding=1, dilation=(1, 2)).numpy()
    g = rng.standard_normal(y.shape)
    xt = F.conv_transpose2d(ag.tensor(g), ag.tensor(w), stride=2, padding=1, dilation=(1, 2),
                            output_padding=(0, 1)).numpy()
    assert xt.shape == x.shape
    np.testing.assert_allclose((y * g).sum(), (x * xt).sum(), rtol=1e-10)


@requires_torch
def test_output_size_and_unbatched(rng):
    torch.manual_seed(0)
    tm = torch.nn.ConvTranspose2d(3, 2, 3, stride=2, padding=1).double()
    m = nn.ConvTranspose2d(3, 2, 3, stride=2, padding=1, dtype=np.float64)
    m.load_state_dict({k: v.detach().numpy() for k, v in tm.state_dict().items()})
    x = rng.standard_normal((1, 3, 4, 4))
    y = m(ag.tensor(x), output_size=(8, 8))
    assert y.shape == (1, 2, 8, 8)
    np.testing.assert_allclose(y.numpy(), tm(torch.tensor(x), output_size=[8, 8]).detach().numpy(), rtol=1e-10)
    assert m(ag.tensor(x[0])).shape == (2, 7, 7)
    with pytest.raises(ValueError, match="valid sizes"):
        m(ag.tensor(x), output_size=(10, 10))


def test_default_initialisation_and_errors():
    m = nn.ConvTranspose2d(4, 6, 3, groups=2)
    assert m.weight.shape == (4, 3, 3, 3) and m.bias.shape == (6,)
    bound = 1 / np.sqrt(3 * 9)
    assert np.abs(m.weight.numpy()).max() <= bound and np.abs(m.bias.numpy()).max() <= bound
    assert "ConvTranspose2d(4, 6, kernel_size=(3, 3)" in repr(m)
    with pytest.raises(ValueError, match="smaller than either stride"):
        nn.ConvTranspose1d(2, 2, 3, stride=1, output_padding=1)
    with pytest.raises(ValueError, match="divisible by groups"):
        nn.ConvTranspose2d(3, 4, 3, groups=2)
    with pytest.raises(ValueError, match="input channels"):
        F.conv_transpose1d(ag.tensor(np.zeros((1, 3, 5))), ag.tensor(np.zeros((2, 2, 3))))
