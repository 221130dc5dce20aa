"""Elementwise functions of one tensor: y = f(x), dy/dx = f'(x) applied to g.

Conventions at kinks (subgradients): relu'(0) = 0, abs'(0) = 0 (sign(0) = 0),
step and sign have derivative 0 everywhere (their true derivative is 0 or undefined).
"""
import numpy as np

from . import recycle
from .registry import primitive
from .window_kernels import map_batch

__all__ = []


def _sigmoid(x):
    """s(x) = 1 / (1 + e^-x), in one buffer: e = -x; e = exp(e); e += 1; e = 1/e, or for
    float32 e = expm1(e); e += 2 (1 + e^-x = 2 + (e^-x - 1)).

    NOTE: four in-place passes over one new array of x's dtype (float32 stays float32),
    the formula PyTorch uses. At x = -1000, e^1000 overflows to inf and 1/inf is exactly
    0; at x = +1000, e^-1000 underflows to 0 and the result is exactly 1; the overflow
    and underflow are expected and silenced. In the far negative tail 1/(1 + e^-x) keeps
    its relative precision (s(-20) = 2.06e-9, where 0.5 tanh(x/2) + 0.5 would give 0).
    numpy's float32 expm1 is a quarter faster than its exp (the exp was half of the
    forward) and no less accurate here: within 3.0 ulp of s against 3.7 ulp with exp
    (4M points of [-104, 90]); for float64 exp is the faster one.
    """
    if type(x) is not np.ndarray or x.dtype.kind != "f" or x.ndim == 0:
        with np.errstate(over="ignore", under="ignore"):
            return 1 / (1 + np.exp(-x))
    e = np.negative(x)
    with np.errstate(over="ignore", under="ignore"):
        if x.dtype == np.float32:
            np.expm1(e, out=e)
            e += 2
        else:
            np.exp(e, out=e)
            e += 1
    return np.divide(1, e, out=e)  # NOTE: numpy's divide loop is twice its reciprocal's speed


def _owned(g, out):
    """Whether ``g`` and ``out`` are numpy arrays of one shape and dtype, so that a rule
    may build its result in one new buffer with in-place ufuncs (the ordinary backward
    on tensors; the scalar pass brings Python floats, create_graph brings Tensors)."""
    return (type(g) is np.ndarray and type(out) is np.ndarray and g.dtype == out.dtype
            and g.shape == out.shape and g.ndim > 0)  # 0-d ufunc results are scalars


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
    if _owned(g, out):  # r = y*y; r = 1 - r; r *= g: one buffer, three passes
        r = np.multiply(out, out)
        np.subtract(1, r, out=r)
        return (np.multiply(r, g, out=r),)
    if ns.create_graph:  # one recorded node with its own VJP instead of three
        return (tanh_backward(g, out),)
    return (g * (1 - out * out),)


@primitive("tanh_backward", uses=(0, 1), public="tanh")
def tanh_backward(g, y):
    """r = g (1 - y^2), tanh's VJP at y = tanh x, as one node: what tanh's rule records
    under create_graph (PyTorch's tanh_backward), so a second derivative through tanh
    costs one node and one rule instead of y*y, 1 - y*y and a product with theirs.

    dr/dg = 1 - y^2 (gbar's share is tanh_backward(gbar, y));  dr/dy = -2 y g.
    """
    if _owned(g, y):
        r = np.multiply(y, y)
        np.subtract(1, r, out=r)
        return np.multiply(r, g, out=r)
    return g * (1 - y * y)


@tanh_backward.defvjp
def tanh_backward_vjp(ns, n, gb, r, g, y):
    need_g, need_y = n.inputs[0]._rg, n.inputs[1]._rg
    dg = dy = None
    if need_g:
        dg = tanh_backward(gb, y) if ns.create_graph else tanh_backward.fwd(gb, y)
    if need_y:
        if _owned(g, y) and _owned(gb, y):  # t = g*y; t *= gb; t *= -2: one buffer
            dy = np.multiply(g, y)
            dy *= gb
            dy *= -2
        else:
            dy = gb * g * y * -2
    return (dg, dy)


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
    if _owned(g, out):  # r = 1 - y; r *= y; r *= g: one buffer, three passes
        r = np.subtract(1, out)
        r *= out
        return (np.multiply(r, g, out=r),)
    return (g * out * (1 - out),)


@primitive("relu", uses=(0,), face="unary")
def relu(x):
    """y = max(x, 0);  dy/dx = 1 for x > 0, else 0 (the convention relu'(0) = 0)"""
    if type(x) is np.ndarray and x.dtype.kind == "f" and x.size >= 4 * _ROW and x.flags.c_contiguous:
        return _max0_rows(x)  # a numpy-only kernel (CPU SIMD)
    return np.maximum(x, 0)


_ROW = 4096
_ZERO_ROWS = {}
# NOTE: relu's passes on arrays of at least this size split their batch rows over the
# window pool's threads (``map_batch``; one pass over 1 MB takes ~0.05-0.1 ms, against
# ~0.02 ms to hand a block to the pool's thread)
_SPLIT_BYTES = 1 << 20


def _max0_rows(x):
    """max(x, 0) on a large contiguous float array, as (n/B, B) rows against a row of B
    zeros, then the tail.

    NOTE: numpy's maximum against a scalar runs a scalar loop (0.55 ms on 1.2M float32);
    against an array of the same contiguous shape it runs its SIMD loop (0.2 ms). The
    same values, NaN propagated alike."""
    z = _ZERO_ROWS.get(x.dtype)
    if z is None:
        z = _ZERO_ROWS[x.dtype] = np.zeros(_ROW, dtype=x.dtype)
    out = recycle.empty(x.shape, x.dtype)  # memory reused across steps: no page faults

    def rows(r):  # NOTE: on the window pool's threads for a large batch (elementwise)
        flat, o = x[r].reshape(-1), out[r].reshape(-1)
        m = flat.size - flat.size % _ROW
        np.maximum(flat[:m].reshape(-1, _ROW), z, out=o[:m].reshape(-1, _ROW))
        np.maximum(flat[m:], 0, out=o[m:])

    map_batch(rows, x, _SPLIT_BYTES)
    return out


@relu.defvjp
def relu_vjp(ns, n, g, out, x):
    if _owned(g, x):  # r = (x > 0) as g's dtype; r *= g: a bool mask, then one buffer
        # NOTE: the bool-to-float cast inside a multiply is buffered and slow (0.33 ms on
        # 1.2M float32); a plain copyto cast, then a float multiply, takes 0.21 ms. The
        # same bits: g * 1 = g, g * 0 = +-0 (nan where g is inf or nan)
        leaf = n.inputs[0].grad_fn is None  # a leaf's .grad must own its memory
        r = (np.empty if leaf else recycle.empty)(g.shape, g.dtype)

        def rows(s):  # NOTE: on the window pool's threads for a large batch (elementwise)
            np.copyto(r[s], x[s] > 0)
            np.multiply(r[s], g[s], out=r[s])

        map_batch(rows, g, _SPLIT_BYTES)
        return (r,)
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


_BY_PRODUCTS = (2, 3, 4)  # exponents computed by multiplication (see pow_scalar)


def _ipow(x, k):
    """x^k for k in 1..4 as products, in one new buffer of x's dtype."""
    if k == 1:
        return x.copy()
    r = np.multiply(x, x)
    if k == 3:
        r *= x
    elif k == 4:
        np.multiply(r, r, out=r)
    return r


@primitive("pow_scalar", uses=(0,), public="pow")
def pow_scalar(x, p):
    """y = x^p for a constant exponent p;  dy/dx = p x^(p-1).

    Integer exponents work for negative x ((-2)^3 has gradient 12, no warning).

    NOTE: exponents 2, 3 and 4 on floats are products (x x, x x x, (x x)(x x)) in one
    buffer: numpy's float power takes 20-40x longer (x**3 on 1.2M float32: 72 ms against
    under 1 ms); a product differs from the correctly rounded power by at most an ulp.
    """
    if x.dtype.kind in "fc":
        if p in _BY_PRODUCTS and x.ndim:
            return _ipow(x, int(p))
        return np.power(x, x.dtype.type(p))
    return np.power(x, p)  # integer x: numpy's promotion (a float p gives float64)


@pow_scalar.defvjp
def pow_scalar_vjp(ns, n, g, out, x):
    p = n.params["p"]
    if p == 0:
        return (ns.zeros_like(x),)
    if p == 1:
        return (g,)
    if p in _BY_PRODUCTS and _owned(g, x):  # r = p x^(p-1) g, built in one buffer
        r = _ipow(x, int(p) - 1)
        r *= p
        r *= g
        if not np.isfinite(r).all():  # as F.scaled: 0 where g is 0, even if x^(p-1) overflowed
            r = np.where(g == 0, 0, r)
        return (r,)
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
