"""Elementwise functions of one tensor: y = f(x), dy/dx = f'(x) applied to g.

Conventions at kinks (subgradients): relu'(0) = 0, abs'(0) = 0 (sign(0) = 0),
step and sign have derivative 0 everywhere (their true derivative is 0 or undefined).
"""
import numpy as np

from .registry import primitive

__all__ = []


def _sigmoid(x):
    # NOTE: exp(-|x|) never overflows, so sigmoid(+-1000) is exactly 1 or 0 with no
    # warning; underflow of exp to 0 is harmless and silenced.
    with np.errstate(under="ignore"):
        e = np.exp(-np.abs(x))
        return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


@primitive("neg", uses=(), face="unary")
def neg(x):
    """y = -x;  dy/dx = -1"""
    return np.negative(x)


@neg.defvjp
def neg_vjp(ns, n, g, out, x):
    return (-g,)


@primitive("exp", uses=(-1,), face="unary")
def exp(x):
    """y = e^x;  dy/dx = e^x = y"""
    return np.exp(x)


@exp.defvjp
def exp_vjp(ns, n, g, out, x):
    return (ns.scaled(g, out),)


@primitive("log", uses=(0,), face="unary")
def log(x):
    """y = ln x;  dy/dx = 1/x"""
    return np.log(x)


@log.defvjp
def log_vjp(ns, n, g, out, x):
    return (ns.scaled(g, 1 / x),)


@primitive("sqrt", uses=(-1,), face="unary")
def sqrt(x):
    """y = sqrt(x);  dy/dx = 1 / (2 sqrt(x)) = 1 / (2y)"""
    return np.sqrt(x)


@sqrt.defvjp
def sqrt_vjp(ns, n, g, out, x):
    return (ns.scaled(g, 0.5 / out),)


@primitive("sin", uses=(0,), face="unary")
def sin(x):
    """y = sin x;  dy/dx = cos x"""
    return np.sin(x)


@sin.defvjp
def sin_vjp(ns, n, g, out, x):
    return (g * ns.cos(x),)


@primitive("cos", uses=(0,), face="unary")
def cos(x):
    """y = cos x;  dy/dx = -sin x"""
    return np.cos(x)


@cos.defvjp
def cos_vjp(ns, n, g, out, x):
    return (-g * ns.sin(x),)


@primitive("tan", uses=(-1,), face="unary")
def tan(x):
    """y = tan x;  dy/dx = 1 + tan^2 x = 1 + y^2"""
    return np.tan(x)


@tan.defvjp
def tan_vjp(ns, n, g, out, x):
    return (g * (1 + out * out),)


@primitive("tanh", uses=(-1,), face="unary")
def tanh(x):
    """y = tanh x = 2 sigmoid(2x) - 1;  dy/dx = 1 - y^2"""
    return np.tanh(x)


@tanh.defvjp
def tanh_vjp(ns, n, g, out, x):
    return (g * (1 - out * out),)


@primitive("arctan", uses=(0,), face="unary", aliases=("atan",))
def arctan(x):
    """y = arctan x;  dy/dx = 1 / (1 + x^2)"""
    return np.arctan(x)


@arctan.defvjp
def arctan_vjp(ns, n, g, out, x):
    return (g / (1 + x * x),)


@primitive("sigmoid", uses=(-1,), face="unary")
def sigmoid(x):
    """y = s(x) = 1 / (1 + e^-x);  dy/dx = s(x) (1 - s(x)) = y (1 - y), at most 1/4.

    NOTE: computed from e^-|x| on each side, so it is finite, warning-free and exact
    to the last bit at +-1000.
    """
    return _sigmoid(x)


@sigmoid.defvjp
def sigmoid_vjp(ns, n, g, out, x):
    return (g * out * (1 - out),)


@primitive("relu", uses=(0,), face="unary")
def relu(x):
    """y = max(x, 0);  dy/dx = 1 for x > 0, else 0 (the convention relu'(0) = 0)"""
    return np.maximum(x, 0)


@relu.defvjp
def relu_vjp(ns, n, g, out, x):
    return (g * (ns.value(x) > 0),)


@primitive("abs", uses=(0,), face="unary")
def abs_(x):
    """y = |x|;  dy/dx = sign(x) (the convention abs'(0) = 0)"""
    return np.abs(x)


@abs_.defvjp
def abs_vjp(ns, n, g, out, x):
    return (g * np.sign(ns.value(x)),)


@primitive("sign", uses=(), face="unary")
def sign(x):
    """y = sign(x) in {-1, 0, 1};  dy/dx = 0 (zero gradient everywhere)"""
    return np.sign(x)


@sign.defvjp
def sign_vjp(ns, n, g, out, x):
    return (ns.zeros_like(x),)


@primitive("step", uses=(), face="unary")
def step(x):
    """The binary step: y = 1 for x >= 0, else 0;  dy/dx = 0 (zero gradient everywhere).

    Its derivative is 0 wherever it exists, so gradient descent cannot learn through
    it: the reason the notes move from the perceptron to smooth activations.
    """
    return (x >= 0).astype(x.dtype)


@step.defvjp
def step_vjp(ns, n, g, out, x):
    return (ns.zeros_like(x),)


@primitive("softplus", uses=(0,), face="unary")
def softplus(x):
    """y = log(1 + e^x);  dy/dx = sigmoid(x).

    NOTE: computed as max(x, 0) + log1p(e^-|x|): no overflow at x = 1000
    (y = 1000) and no loss of precision at x = -1000 (y = e^-1000 -> 0).
    """
    with np.errstate(under="ignore"):
        return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))


@softplus.defvjp
def softplus_vjp(ns, n, g, out, x):
    return (g * ns.sigmoid(x),)


@primitive("pow_scalar", uses=(0,), public="pow")
def pow_scalar(x, p):
    """y = x^p for a constant exponent p;  dy/dx = p x^(p-1).

    Integer exponents work for negative x ((-2)^3 has gradient 12, no warning).
    """
    if x.dtype.kind in "fc":
        return np.power(x, x.dtype.type(p))
    return np.power(x, p)  # integer x: numpy's promotion (a float p gives float64)


@pow_scalar.defvjp
def pow_scalar_vjp(ns, n, g, out, x):
    p = n.params["p"]
    if p == 0:
        return (ns.zeros_like(x),)
    if p == 1:
        return (g,)
    if p == 2:
        return (g * (2 * x),)
    return (ns.scaled(g, p * x ** (p - 1)),)


@primitive("clip", uses=(0,))
def clip(x, lo=None, hi=None):
    """y = min(max(x, lo), hi);  dy/dx = 1 where lo <= x <= hi, else 0."""
    return np.clip(x, lo, hi)


@clip.defvjp
def clip_vjp(ns, n, g, out, x):
    lo, hi = n.params.get("lo"), n.params.get("hi")
    xv = ns.value(x)
    mask = None if lo is None else xv >= lo
    if hi is not None:
        mask = xv <= hi if mask is None else mask & (xv <= hi)
    return (g if mask is None else g * mask,)


@primitive("astype", uses=())
def astype(x, dtype):
    """y = x converted to another dtype;  dy/dx = 1 (the gradient is converted back)."""
    return x.astype(dtype)


@astype.defvjp
def astype_vjp(ns, n, g, out, x):
    return (ns.astype(g, ns.value(x).dtype),)


@primitive("clone", uses=())
def clone(x):
    """y = a copy of x;  dy/dx = 1"""
    return x.copy()


@clone.defvjp
def clone_vjp(ns, n, g, out, x):
    return (g,)


@primitive("log1p", uses=(0,), face="unary")
def log1p(x):
    """y = ln(1 + x);  dy/dx = 1 / (1 + x).

    NOTE: accurate for tiny x, where log(1 + x) would round 1 + x to 1.
    """
    return np.log1p(x)


@log1p.defvjp
def log1p_vjp(ns, n, g, out, x):
    return (ns.scaled(g, 1 / (1 + x)),)


@primitive("expm1", uses=(-1,), face="unary")
def expm1(x):
    """y = e^x - 1;  dy/dx = e^x = y + 1.

    NOTE: accurate for tiny x, where exp(x) - 1 would cancel.
    """
    return np.expm1(x)


@expm1.defvjp
def expm1_vjp(ns, n, g, out, x):
    return (ns.scaled(g, out + 1),)
