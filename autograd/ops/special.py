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


# erf(z) ~ z P(z^2) / Q(z^2) on z clamped to [-4, 4] (erf(4) rounds to 1 in float32):
# the rational minimax fit Eigen and XLA use for float32, highest power first.
_ERF32_P = [np.float32(c) for c in (
    -2.72614225801306e-10, 2.77068142495902e-08, -2.10102402082508e-06, -5.69250639462346e-05,
    -7.34990630326855e-04, -2.95459980854025e-03, -1.60960333262415e-02)]
_ERF32_Q = [np.float32(c) for c in (
    -1.45660718464996e-05, -2.13374055278905e-04, -1.68282697438203e-03, -7.37332916720468e-03,
    -1.42647390514189e-02)]


def _erf32(z):
    """erf of a float32 array ``z`` (overwritten), as z P(z^2) / Q(z^2).

    NOTE: used by the exact GELU on float32 arrays only: scipy's float32 erf costs about
    15 ns an element (18 ms on 1.2M elements), this rational form about 2 ns, within
    4.2e-7 of erf (3.5 ulp at 1; measured on 200,001 points of [-6, 6]). float64 and the
    ``erf`` op itself keep scipy's erf, exact to the dtype.
    """
    np.clip(z, -4, 4, out=z)
    z2 = np.multiply(z, z)
    p = np.multiply(z2, _ERF32_P[0])
    for c in _ERF32_P[1:-1]:
        p += c
        p *= z2
    p += _ERF32_P[-1]
    p *= z
    q = np.multiply(z2, _ERF32_Q[0], out=z2)
    for c in _ERF32_Q[1:-1]:
        q += c
        q *= z  # z2 was overwritten by q: multiply by z twice instead
        q *= z
    q += _ERF32_Q[-1]
    return np.divide(p, q, out=p)


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
    """
    if approximate == "tanh":
        t = np.tanh(_GELU_C * (x + _GELU_A * x * x * x))
        return 0.5 * x * (1 + t), t
    if x.dtype == np.float32 and x.ndim:  # cdf = (1 + erf(x/sqrt 2)) / 2 in one buffer
        cdf = _erf32(np.multiply(x, np.float32(1 / _SQRT2)))
        cdf += 1
        cdf *= 0.5
        return np.multiply(x, cdf), cdf
    cdf = 0.5 * (1 + _erf(x * (1 / _SQRT2)))
    return x * cdf, cdf


@gelu.defvjp
def gelu_vjp(ns, n, g, out, x):
    raw = not ns.create_graph
    if (raw and n.params.get("approximate", "none") != "tanh" and type(g) is np.ndarray
            and g.dtype == x.dtype and g.shape == x.shape and g.ndim):
        return (_gelu_grad(g, x, n.saved),)
    x2 = x * x
    if n.params.get("approximate", "none") == "tanh":
        t = n.saved if raw else ns.tanh(_GELU_C * (x + _GELU_A * x2 * x))
        du = _GELU_C * (1 + 3 * _GELU_A * x2)
        return (g * (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * du),)
    cdf = n.saved if raw else 0.5 * (1 + ns.erf(x * (1 / _SQRT2)))
    return (g * (cdf + x * (_1_SQRT2PI * ns.exp(-0.5 * x2))),)


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
