"""ag.Function: user-defined ops with forward/backward, as in PyTorch's tutorials
"Defining new autograd functions" and "Double backward with custom functions"."""
import numpy as np
import pytest

import autograd as ag
from tests.helpers import requires_torch, torch


class LegendrePolynomial3(ag.Function):
    """P3(x) = (5x^3 - 3x) / 2, P3'(x) = 3 (5x^2 - 1) / 2 (PyTorch's tutorial)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return 0.5 * (5 * x ** 3 - 3 * x)

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * 1.5 * (5 * x ** 2 - 1)


class Exp(ag.Function):
    """Saves its output: the double-backward tutorial's case."""

    @staticmethod
    def forward(ctx, x):
        y = ag.exp(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return g * y


class Sinh(ag.Function):
    """Intermediate results returned as outputs so that double backward sees them."""

    @staticmethod
    def forward(ctx, x):
        expx, expnegx = ag.exp(x), ag.exp(-x)
        ctx.save_for_backward(expx, expnegx)
        return (expx - expnegx) / 2, expx, expnegx

    @staticmethod
    def backward(ctx, grad_out, grad_expx, grad_expnegx):
        expx, expnegx = ctx.saved_tensors
        gx = grad_out * (expx + expnegx) / 2
        gx += grad_expx * expx
        gx -= grad_expnegx * expnegx
        return gx


class MulAdd(ag.Function):
    """Two tensor inputs, a constant, two outputs: (a*x*y, x + y)."""

    @staticmethod
    def forward(ctx, x, y, a):
        ctx.save_for_backward(x, y)
        ctx.a = a
        return a * x * y, x + y

    @staticmethod
    def backward(ctx, g1, g2):
        x, y = ctx.saved_tensors
        gx = g1 * ctx.a * y + g2 if ctx.needs_input_grad[0] else None
        gy = g1 * ctx.a * x + g2 if ctx.needs_input_grad[1] else None
        return gx, gy, None


def _x(shape=(5,), seed=0):
    return ag.tensor(np.random.default_rng(seed).uniform(-1, 1, shape), requires_grad=True)


def test_legendre_gradcheck_and_gradgradcheck():
    x = _x()
    assert ag.gradcheck(LegendrePolynomial3.apply, (x,))
    assert ag.gradgradcheck(LegendrePolynomial3.apply, (x,))
    y = LegendrePolynomial3.apply(x)
    assert y.grad_fn.name == "LegendrePolynomial3Backward"
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 1.5 * (5 * x.numpy() ** 2 - 1), rtol=1e-14)


@requires_torch
def test_legendre_training_matches_torch():
    """The tutorial's fit of sin(x) by a + b P3(c + d x), 30 SGD steps, float64."""
    xs = np.linspace(-np.pi, np.pi, 200)
    ys = np.sin(xs)

    class TP3(torch.autograd.Function):
        forward = staticmethod(LegendrePolynomial3.forward)
        backward = staticmethod(LegendrePolynomial3.backward)

    init = [0.0, -1.0, 0.0, 0.3]
    ours = [ag.tensor(v, dtype="float64", requires_grad=True) for v in init]
    ref = [torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in init]
    for M, P3, (a, b, c, d), x, y in ((ag, LegendrePolynomial3, ours, ag.tensor(xs), ag.tensor(ys)),
                                      (torch, TP3, ref, torch.tensor(xs), torch.tensor(ys))):
        for _ in range(30):
            loss = ((a + b * P3.apply(c + d * x) - y) ** 2).sum()
            loss.backward()
            for p in (a, b, c, d):
                if M is ag:
                    p.array[...] -= 5e-6 * p.grad.array
                else:
                    p.data -= 5e-6 * p.grad
                p.grad = None
    assert float(ours[1].numpy()) != -1.0  # it trained
    for o, r in zip(ours, ref):
        np.testing.assert_allclose(float(o.numpy()), r.item(), rtol=1e-9, atol=1e-15)


@requires_torch
def test_exp_saving_its_output_is_twice_differentiable():
    x = _x()
    assert ag.gradcheck(Exp.apply, (x,))
    assert ag.gradgradcheck(Exp.apply, (x,))
    (g,) = ag.grad(Exp.apply(x).sum(), x, create_graph=True)
    (gg,) = ag.grad(g.sum(), x)
    np.testing.assert_allclose(gg.numpy(), np.exp(x.numpy()), rtol=1e-14)
    t = torch.tensor(x.numpy(), requires_grad=True)
    (tg,) = torch.autograd.grad(torch.exp(t).sum(), t, create_graph=True)
    np.testing.assert_allclose(gg.numpy(), torch.autograd.grad(tg.sum(), t)[0].numpy(), rtol=1e-14)


def test_sinh_with_intermediate_outputs():
    def sinh(x):
        return Sinh.apply(x)[0]

    x = _x()
    out, expx, expnegx = Sinh.apply(x)
    assert expx.requires_grad and expx.grad_fn.name == "function_output"
    np.testing.assert_allclose(out.numpy(), np.sinh(x.numpy()), rtol=1e-14)
    assert ag.gradcheck(sinh, (x,))
    assert ag.gradgradcheck(sinh, (x,))
    assert ag.gradcheck(Sinh.apply, (x,))  # all three outputs
    assert ag.gradgradcheck(Sinh.apply, (x,))


def test_several_inputs_and_outputs():
    x, y = _x((3, 2), 1), _x((3, 2), 2)
    assert ag.gradcheck(lambda x, y: MulAdd.apply(x, y, 2.5), (x, y))
    assert ag.gradgradcheck(lambda x, y: MulAdd.apply(x, y, 2.5), (x, y))
    p, s = MulAdd.apply(x, y, 2.5)
    (p * 3 + s).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 7.5 * y.numpy() + 1, rtol=1e-14)
    # only one output used: the other's gradient reaches backward as zeros
    gx, gy = ag.grad(MulAdd.apply(x, y, 2.0)[1].sum(), (x, y))
    np.testing.assert_array_equal(gx.numpy(), np.ones((3, 2)))


def test_needs_input_grad_and_constant_inputs():
    seen = []

    class Spy(ag.Function):
        @staticmethod
        def forward(ctx, x, y, k):
            return x * y * k

        @staticmethod
        def backward(ctx, g):
            seen.append(ctx.needs_input_grad)
            return g, None, None

    x, y = _x(), ag.tensor(np.ones(5))
    Spy.apply(x, y, 3).sum().backward()
    assert seen == [(True, False, False)]
    assert y.grad is None
    with ag.no_grad():
        out = Spy.apply(x, y, 3)
    assert out.grad_fn is None and not out.requires_grad
    assert Spy.apply(y, y, 3).grad_fn is None  # no input requires grad: nothing recorded


def test_non_differentiable_outputs():
    got = []

    class MaxWithIndex(ag.Function):
        @staticmethod
        def forward(ctx, x):
            i = ag.argmax(x, dim=0)
            mask = x == ag.amax(x, dim=0, keepdim=True)
            ctx.mark_non_differentiable(mask)
            ctx.save_for_backward(mask)
            return ag.amax(x, dim=0), i, mask.astype("float64")

        @staticmethod
        def backward(ctx, g, gi, gmask):
            got.append((gi.shape, gi.dtype, float(np.abs(gmask.numpy()).sum())))
            (mask,) = ctx.saved_tensors
            return g * mask

    x = _x((4, 3))
    v, i, m = MaxWithIndex.apply(x)
    assert v.requires_grad and not i.requires_grad and i.dtype == np.int64
    v.sum().backward()
    assert got and got[0][0] == (3,)
    assert ag.gradcheck(lambda x: MaxWithIndex.apply(x)[0], (x,))


def test_a_class_defined_twice_does_not_clash():
    def make(k):
        class Scale(ag.Function):
            @staticmethod
            def forward(ctx, x):
                return x * k

            @staticmethod
            def backward(ctx, g):
                return g * k

        return Scale

    A, B = make(2.0), make(3.0)
    x = _x()
    (ga,) = ag.grad(A.apply(x).sum(), x)
    (gb,) = ag.grad(B.apply(x).sum(), x)
    assert float(ga.numpy()[0]) == 2.0 and float(gb.numpy()[0]) == 3.0
    assert A._node_op() is not B._node_op() and A._node_op().name == B._node_op().name == "ScaleBackward"


def test_identity_returns_a_new_tensor_and_keeps_the_input():
    class Identity(ag.Function):
        @staticmethod
        def forward(ctx, x):
            return x

        @staticmethod
        def backward(ctx, g):
            return g

    x = _x()
    y = Identity.apply(x)
    assert y is not x and x.grad_fn is None and y.grad_fn is not None
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.ones(5))


def test_errors_name_the_function():
    class TooFew(ag.Function):
        @staticmethod
        def forward(ctx, x, y):
            return x * y

        @staticmethod
        def backward(ctx, g):
            return g

    class BadShape(ag.Function):
        @staticmethod
        def forward(ctx, x):
            return x.sum()

        @staticmethod
        def backward(ctx, g):
            return ag.ones(7, dtype="float64")

    x = _x()
    with pytest.raises(RuntimeError, match="TooFew.backward returned 1 gradients"):
        TooFew.apply(x, x).sum().backward()
    with pytest.raises(RuntimeError, match=r"BadShape.backward returned a gradient of shape \(7,\)"):
        BadShape.apply(x).backward()
    with pytest.raises(RuntimeError, match="apply"):
        TooFew()
    with pytest.raises(TypeError, match="save_for_backward"):
        ag.FunctionCtx().save_for_backward(np.ones(2))


def test_once_differentiable_refuses_double_backward():
    class NumpyExp(ag.Function):
        @staticmethod
        def forward(ctx, x):
            y = ag.exp(x)
            ctx.save_for_backward(y)
            return y

        @staticmethod
        @ag.once_differentiable
        def backward(ctx, g):
            (y,) = ctx.saved_tensors
            return ag.tensor(g.numpy() * y.numpy())

    x = _x()
    assert ag.gradcheck(NumpyExp.apply, (x,))
    v = ag.tensor(np.ones(5), requires_grad=True)
    (g,) = ag.grad(NumpyExp.apply(x), x, grad_outputs=v, create_graph=True)
    with pytest.raises(RuntimeError, match="once_differentiable"):
        g.sum().backward()


def test_setup_context_style_float32_and_scalars():
    class Cube(ag.Function):
        @staticmethod
        def forward(x):
            return x * x * x

        @staticmethod
        def setup_context(ctx, inputs, output):
            ctx.save_for_backward(inputs[0])

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return 3 * g * x * x

    x = ag.tensor([1.0, 2.0], requires_grad=True)  # float32
    y = Cube.apply(x)
    y.sum().backward()
    assert y.dtype == np.float32 and x.grad.dtype == np.float32
    np.testing.assert_allclose(x.grad.numpy(), [3.0, 12.0])
    s = ag.tensor(2.0, dtype="float64", requires_grad=True)  # a 0-d graph: the scalar fast path
    (Cube.apply(s) * 2 + s).backward()
    assert float(s.grad.numpy()) == 25.0
