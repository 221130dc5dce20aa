"""Special functions and today's smooth activations: y = f(x), dy/dx = f'(x) applied to g.

erf and the exact GELU, SiLU, Mish, Hardswish, rsqrt, the base-2 and base-10
logarithms and powers, the hyperbolic functions and their inverses. Conventions at
kinks: hardswish'(-3) = -1/2 and hardswish'(3) = 3/2 (the inner formula x/3 + 1/2
is used on the closed interval [-3, 3], PyTorch's choice).
"""
import math

import numpy as np

from .registry import primitive
from ..backend import backend_of, is_array

__all__ = []

_SQRT2 = math.sqrt(2.0)
_2_SQRTPI = 2.0 / math.sqrt(math.pi)          # d erf / dx = (2 / sqrt(pi)) e^(-x^2)
_1_SQRT2PI = 1.0 / math.sqrt(2.0 * math.pi)   # the standard normal density's constant
_GELU_C = math.sqrt(2.0 / math.pi)            # GELU's tanh approximation: sqrt(2/pi)
_GELU_A = 0.044715
_ERF = []


def _erf(x):
    """erf on a numpy array, to the precision of its dtype (float64 for integers).

    NOTE: numpy has no erf. scipy's ``special.erf`` (a C ufunc with float32 and float64
    loops, installed with the ``train`` extra through scikit-learn) is used when
    importable, loaded on first use; otherwise the standard library's ``math.erf`` is
    applied elementwise, exact but about 50x slower. The core dependency stays numpy.
    """
    if not _ERF:
        try:
            from scipy.special import erf as f
        except ImportError:  # pragma: no cover - scipy ships with the train extra
            uf = np.frompyfunc(math.erf, 1, 1)

            def f(a):
                return uf(np.asarray(a, dtype=np.float64)).astype(np.float64)
        _ERF.append(f)
    if type(x) is not np.ndarray and is_array(x):  # a device array: the backend's erf
        if x.dtype not in (np.float32, np.float64):
            x = x.astype(np.float64)
        return backend_of(x).erf(x, _ERF[0]).astype(x.dtype, copy=False)
    x = np.asarray(x)
    if x.dtype not in (np.float32, np.float64):
        x = x.astype(np.float64)
    return np.asarray(_ERF[0](x), dtype=x.dtype)


# The normal CDF for float32 GELU: for a = |x|, with s = a / (a + 1/p) in [0, 1) and
# E = e^(-a^2/2),  u(a) = Phi(a) - 1/2 = (1 - E) / 2 - E s R(s),  R a polynomial of
# degree 5 (p = 0.26), fitted here (weighted minimax, Lawson's iteration) to the exact
# u: within 2.2e-9 of Phi on [0, 9] in exact arithmetic. The form keeps u's relative
# precision near 0, where Phi is close to 1/2: 1 - E comes from expm1.
_PHI_P = 0.26
_PHI_R = (-1.5343936904074214, 2.1638441046451753, -1.7041345146433056, 0.5394079777676738,
          0.1884071243490958, -0.1632331366951156)  # R(s) = sum r_k s^k
_GELU32 = {name: np.array(c, np.float32) for name, c in (
    ("k", 1 / _PHI_P), ("one", 1.0), ("half", 0.5), ("mhalf", -0.5), ("c", _1_SQRT2PI),
    *((f"q{k}", -r) for k, r in enumerate(_PHI_R)))}
_SIGN32 = np.array(-0x80000000, np.int32)  # the sign bit of a float32
_BLOCK = 1 << 16  # elements per block: the block's four float32 streams stay in L2


def _gelu32(x):
    """GELU of a float32 array and its derivative, ``(x Phi(x), Phi(x) + x phi(x))``.

    Phi(x) = 1/2 + sign(x) u(|x|) with u = (1 - E)/2 - E s R(s) (above), phi(x) = c E,
    c = 1/sqrt(2 pi). Per block of the flattened arrays, with m = e^(-x^2/2) - 1:

        d = 1 / (1 + (1/p) / |x|)              s (1 at |x| = inf, 0 at x = 0)
        y = s (q0 + s (q1 + ... + s q5))       q = -s R(s), Horner; q_k = -r_k
        d = expm1(-x^2/2)                      m = E - 1
        s = (q - 1/2) m + q                    u = -m/2 + (1 + m) q
        d = c x (m + 1)                        x phi(x)
        s = u with x's sign bit;  s += 1/2     Phi(x)
        y = x s;  d += s                       the output and the derivative

    NOTE: 29 passes of in-place ufuncs over blocks of 64K elements (the erf rational
    fit it replaced took 38 passes with two exps, one in the backward). Measured on
    1.4M points of [-10, 10], Phi is within 8e-8 of the normal CDF (float32 rounding
    included; the erf fit: 2.8e-7), y within 4.3e-7 (1.6e-6), dy/dx within 1.9e-7
    (3e-7); near 0 the relative error of y is 1.2e-7, as before. Phi(x) below 3e-8
    (x < -5.4) is lost to rounding near 1/2, as with 1/2 (1 + erf(x / sqrt 2)). The
    sign goes in with integer operations on the bits: numpy's copysign loop is not
    vectorised (8x slower). Silenced, as expected: k/0 = inf at x = 0, x^2 overflowing
    to inf (expm1(-inf) = -1), and inf * 0 = nan in dy/dx at +-inf and gelu(-inf)
    (nan, as the formula gives); nan gives nan.
    """
    k = _GELU32
    y, d = np.empty(x.shape, np.float32), np.empty(x.shape, np.float32)
    xf, yf, df = x.reshape(-1), y.reshape(-1), d.reshape(-1)
    s = np.empty(min(xf.size, _BLOCK), np.float32)
    kp, one, half, mhalf, c, q5 = k["k"], k["one"], k["half"], k["mhalf"], k["c"], k["q5"]
    q_rest = (k["q4"], k["q3"], k["q2"], k["q1"], k["q0"])
    add, mul, div, i32 = np.add, np.multiply, np.divide, np.int32  # bound once: 29 calls a block
    with np.errstate(divide="ignore", over="ignore", under="ignore", invalid="ignore"):
        for i in range(0, xf.size, _BLOCK):
            xb, yb, db = xf[i:i + _BLOCK], yf[i:i + _BLOCK], df[i:i + _BLOCK]
            sb = s[:xb.size]
            np.abs(xb, out=db)
            div(kp, db, out=db)
            add(db, one, out=db)
            div(one, db, out=db)
            mul(db, q5, out=yb)
            for q in q_rest:
                add(yb, q, out=yb)
                mul(yb, db, out=yb)
            mul(xb, mhalf, out=db)
            mul(db, xb, out=db)
            np.expm1(db, out=db)
            np.subtract(yb, half, out=sb)
            mul(sb, db, out=sb)
            add(sb, yb, out=sb)
            add(db, one, out=db)
            mul(db, xb, out=db)
            mul(db, c, out=db)
            np.bitwise_and(xb.view(i32), _SIGN32, out=yb.view(i32))
            np.bitwise_or(sb.view(i32), yb.view(i32), out=sb.view(i32))
            add(sb, half, out=sb)
            mul(xb, sb, out=yb)
            add(db, sb, out=db)
    return y, d


@primitive("erf")
def erf(x):
    """y = erf(x) = (2 / sqrt(pi)) int_0^x e^(-t^2) dt;  dy/dx = (2 / sqrt(pi)) e^(-x^2)"""
    return _erf(x)


@erf.defvjp
def erf_vjp(ns, n, g, out, x):
    return (g * (_2_SQRTPI * ns.exp(-(x * x))),)


# NOTE: gelu, silu and mish save the factor their derivative shares with the forward
# (Phi(x), tanh u, sigmoid(x), tanh(softplus(x))): an ordinary backward reads it
# instead of recomputing it. Under create_graph the rule recomputes it with recorded
# operations, since a saved array is a constant to the graph.


@primitive("gelu", saves=True)
def gelu(x, approximate="none"):
    """y = x Phi(x), Phi(x) = (1 + erf(x / sqrt 2)) / 2 the normal CDF;
    dy/dx = Phi(x) + x phi(x), phi(x) = e^(-x^2/2) / sqrt(2 pi).

    approximate="tanh": y = x (1 + tanh u) / 2 with u = sqrt(2/pi) (x + 0.044715 x^3);
    dy/dx = (1 + tanh u) / 2 + x (1 - tanh^2 u) u' / 2, u' = sqrt(2/pi) (1 + 3 * 0.044715 x^2).

    NOTE: the exact GELU saves ``(Phi, None)``, or on float32 numpy arrays ``(None,
    dy/dx)``: there the forward computes e^(-x^2/2) anyway (``_gelu32``), and dy/dx in
    the same blocks costs three passes against seven, with an exp, in the backward.
    """
    if approximate == "tanh":
        t = np.tanh(_GELU_C * (x + _GELU_A * x * x * x))
        return 0.5 * x * (1 + t), t
    if type(x) is np.ndarray and x.dtype == np.float32 and x.ndim:
        y, dydx = _gelu32(x)
        return y, (None, dydx)
    cdf = 0.5 * (1 + _erf(x * (1 / _SQRT2)))
    return x * cdf, (cdf, None)


@gelu.defvjp
def gelu_vjp(ns, n, g, out, x):
    raw = not ns.create_graph
    if n.params.get("approximate", "none") == "tanh":
        x2 = x * x
        t = n.saved if raw else ns.tanh(_GELU_C * (x + _GELU_A * x2 * x))
        du = _GELU_C * (1 + 3 * _GELU_A * x2)
        return (g * (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * du),)
    if raw:
        cdf, dydx = n.saved
        if dydx is not None:
            return (g * dydx,)
        if type(g) is np.ndarray and g.dtype == x.dtype and g.shape == x.shape and g.ndim:
            return (_gelu_grad(g, x, cdf),)
    else:
        cdf = 0.5 * (1 + ns.erf(x * (1 / _SQRT2)))
    return (g * (cdf + x * (_1_SQRT2PI * ns.exp(-0.5 * (x * x)))),)


def _gelu_grad(g, x, cdf):
    """g (Phi(x) + x phi(x)) in one buffer r: r = x^2; r *= -1/2; r = exp(r);
    r *= 1/sqrt(2 pi); r *= x; r += Phi; r *= g."""
    r = np.multiply(x, x)
    r *= -0.5
    np.exp(r, out=r)
    r *= _1_SQRT2PI
    r *= x
    r += cdf
    return np.multiply(r, g, out=r)


@primitive("silu", saves=True)
def silu(x):
    """y = x s(x), s the logistic sigmoid (also called swish);  dy/dx = s (1 + x (1 - s))"""
    from .elementwise import _sigmoid

    s = _sigmoid(x)
    return x * s, s


@silu.defvjp
def silu_vjp(ns, n, g, out, x):
    s = ns.sigmoid(x) if ns.create_graph else n.saved
    return (g * (s * (1 + x * (1 - s))),)


@primitive("mish", saves=True)
def mish(x):
    """y = x tanh(softplus(x));  dy/dx = t + x s(x) (1 - t^2), t = tanh(softplus(x)),
    s the sigmoid (d softplus / dx = s).

    NOTE: softplus is max(x, 0) + log1p(e^-|x|), and the sigmoid comes from the same
    e^-|x|, so nothing overflows at +-1000.
    """
    with np.errstate(under="ignore"):
        e = np.exp(-np.abs(x))
        t = np.tanh(np.maximum(x, 0) + np.log1p(e))
        s = np.where(x >= 0, 1, e) / (1 + e)
    return x * t, (t, s)


@mish.defvjp
def mish_vjp(ns, n, g, out, x):
    if ns.create_graph:
        t, s = ns.tanh(ns.softplus(x)), ns.sigmoid(x)
    else:
        t, s = n.saved
    return (g * (t + x * s * (1 - t * t)),)


@primitive("hardswish")
def hardswish(x):
    """y = x relu6(x + 3) / 6: 0 for x <= -3, x for x >= 3, x (x + 3) / 6 between;
    dy/dx = 0 for x <= -3, x/3 + 1/2 for -3 < x < 3, 1 for x >= 3 (PyTorch 2.13's
    values at the kinks: 0 at x = -3 and 1 at x = 3)."""
    return x * np.clip(x + 3, 0, 6) / 6


@hardswish.defvjp
def hardswish_vjp(ns, n, g, out, x):
    xv = ns.value(x)
    inner = (xv > -3) & (xv < 3)
    return (g * ns.where(inner, x * (1 / 3) + 0.5, ns.const(xv >= 3, x)),)


@primitive("rsqrt")
def rsqrt(x):
    """y = 1 / sqrt(x);  dy/dx = -1 / (2 x^(3/2)) = -y^3 / 2"""
    return 1 / np.sqrt(x)


@rsqrt.defvjp
def rsqrt_vjp(ns, n, g, out, x):
    return (ns.scaled(g, -0.5 * out * out * out),)


def _unary(name, fwd, doc, vjp):
    op = primitive(name)(fwd)
    op.doc = doc
    op.defvjp(vjp)
    return op


_LN2, _LN10 = math.log(2.0), math.log(10.0)
log2 = _unary("log2", np.log2, "y = log2 x;  dy/dx = 1 / (x ln 2)",
              lambda ns, n, g, out, x: (ns.scaled(g, 1 / (x * _LN2)),))
log10 = _unary("log10", np.log10, "y = log10 x;  dy/dx = 1 / (x ln 10)",
               lambda ns, n, g, out, x: (ns.scaled(g, 1 / (x * _LN10)),))
exp2 = _unary("exp2", np.exp2, "y = 2^x;  dy/dx = 2^x ln 2 = y ln 2",
              lambda ns, n, g, out, x: (g * (out * _LN2),))
sinh = _unary("sinh", np.sinh, "y = sinh x = (e^x - e^-x) / 2;  dy/dx = cosh x",
              lambda ns, n, g, out, x: (g * ns.cosh(x),))
cosh = _unary("cosh", np.cosh, "y = cosh x = (e^x + e^-x) / 2;  dy/dx = sinh x",
              lambda ns, n, g, out, x: (g * ns.sinh(x),))
asinh = _unary("asinh", np.arcsinh, "y = asinh x = ln(x + sqrt(x^2 + 1));  dy/dx = 1 / sqrt(x^2 + 1)",
               lambda ns, n, g, out, x: (g / ns.sqrt(x * x + 1),))
acosh = _unary("acosh", np.arccosh,
               "y = acosh x = ln(x + sqrt(x^2 - 1)) for x >= 1;  dy/dx = 1 / sqrt(x^2 - 1) "
               "(inf at x = 1)",
               lambda ns, n, g, out, x: (ns.scaled(g, 1 / ns.sqrt(x * x - 1)),))
atanh = _unary("atanh", np.arctanh,
               "y = atanh x = ln((1 + x) / (1 - x)) / 2 for |x| < 1;  dy/dx = 1 / (1 - x^2)",
               lambda ns, n, g, out, x: (ns.scaled(g, 1 / (1 - x * x)),))


@primitive("logaddexp")
def logaddexp(x, y):
    """z = log(e^x + e^y);  dz/dx = e^(x - z) = sigmoid(x - y), dz/dy = e^(y - z).

    NOTE: computed as max(x, y) + log1p(e^-|x - y|), finite for x, y = +-1000.
    """
    return np.logaddexp(x, y)


@logaddexp.defvjp
def logaddexp_vjp(ns, n, g, out, x, y):
    a, b = n.inputs
    return (g * ns.exp(x - out) if a._rg else None, g * ns.exp(y - out) if b._rg else None)
