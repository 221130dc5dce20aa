"""The error function, erf(x) = 2/sqrt(pi) int_0^x e^(-t^2) dt, as a primitive.

numpy has no erf, and autograd depends on numpy alone, so the forward is built here
from Chebyshev interpolants fitted once at import against the standard library's
``math.erf``/``math.erfc`` (a few dozen scalar calls), then evaluated on whole arrays
as polynomials (Horner's rule) in the input's dtype:

    |x| < 1:      erf(x)  = x h(x^2),              h(t) = erf(sqrt t) / sqrt t
    1 <= |x| < 6: erf(|x|) = 1 - erfcx(|x|) e^(-x^2),  erfcx(x) = erfc(x) e^(x^2)
    |x| >= 6:     erf(|x|) = 1 (erfc(6) = 2e-17 is below half an ulp of 1)

and erf(-x) = -erf(x). h and erfcx are smooth and slowly varying where they are used,
so degree-12 and degree-20 interpolants reach a few ulps in float64 (max relative
error ~4e-15 on a dense grid, see tests); float32 inputs use the series truncated to
float32 accuracy, so they cost fewer passes.
"""
import math

import numpy as np
from numpy.polynomial import chebyshev as _cheb

from .registry import REGISTRY, primitive

__all__ = []

_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)


def _fit(f, a, b, deg):
    """Chebyshev coefficients of f on [a, b] (interpolation at Chebyshev points)."""
    return _cheb.chebinterpolate(lambda u: np.array([f((v + 1) * (b - a) / 2 + a) for v in u]), deg)


def _h(t):
    s = math.sqrt(t)
    return math.erf(s) / s if s > 0 else _TWO_OVER_SQRT_PI


def _erfcx(x):
    return math.erfc(x) * math.exp(x * x)


# (lower bound, upper bound, coefficients) of the three pieces; the first is in t = x^2
_PIECES = ((0.0, 1.0, _fit(_h, 0.0, 1.0, 12)),
           (1.0, 3.0, _fit(_erfcx, 1.0, 3.0, 20)),
           (3.0, 6.0, _fit(_erfcx, 3.0, 6.0, 18)))


def _truncate(c, tol):
    """Drop the tail of a Chebyshev series whose total size is below ``tol`` (|T_k| <= 1)."""
    tail = np.cumsum(np.abs(c[::-1]))[::-1]
    keep = int(np.argmax(tail < tol * abs(c[0]))) if (tail < tol * abs(c[0])).any() else len(c)
    return c[:max(keep, 2)]


# NOTE: the interpolants are evaluated as ordinary polynomials in u by Horner's rule
# (two operations per coefficient instead of Clenshaw's three or four). On [-1, 1]
# the power coefficients of these series add up to about the function's own size,
# so nothing cancels: the change of basis costs no accuracy (checked in the tests).
_COEFS = {np.dtype(np.float64): [_cheb.cheb2poly(p[2]) for p in _PIECES],
          np.dtype(np.float32): [_cheb.cheb2poly(_truncate(p[2], 1e-8)).astype(np.float32)
                                 for p in _PIECES]}
_BLOCK = 1 << 16  # elements per block: bounds the temporaries of a huge input


def _horner(u, c, acc):
    """sum_k c_k u^k into the buffer ``acc`` (in place: a fresh array per operation
    costs more than the arithmetic on large inputs); returns ``acc``."""
    acc.fill(c[-1])
    for ck in c[-2::-1]:
        acc *= u
        acc += ck
    return acc


def _erf_block(x, out):
    """erf of a 1-D block ``x`` into ``out`` (see the module docstring for the pieces)."""
    dt = x.dtype
    c0, c1, c2 = _COEFS[dt]
    a = np.abs(x)
    u, acc = np.empty_like(a), np.empty_like(a)
    # |x| < 1: x h(x^2) on u = 2 min(|x|, 1)^2 - 1 (every element, selected below)
    np.minimum(a, 1, out=u)
    np.multiply(u, u, out=u)
    u *= 2
    u -= 1
    small = _horner(u, c0, acc)
    np.multiply(small, a, out=out)
    big = a >= 1
    if big.any():
        # 1 <= |x| < 3: 1 - erfcx(|x|) e^(-x^2), u = clip(|x|, 1, 3) - 2
        np.clip(a, 1, 3, out=u)
        u -= 2
        p = _horner(u, c1, acc)
        np.clip(a, 1, 3, out=u)
        np.multiply(u, u, out=u)
        np.negative(u, out=u)
        np.exp(u, out=u)
        u *= p
        np.subtract(1, u, out=u)
        np.copyto(out, u, where=big)
        far = np.flatnonzero(a >= 3)  # rare: a gather is cheaper than a full pass
        if far.size:
            s = a[far]
            r = np.where(s >= 6, np.asarray(1, dt), np.asarray(0, dt))
            mid = s < 6
            sm = s[mid]
            w = (2 * sm - 9) / np.asarray(3, dt)
            r[mid] = 1 - _horner(w, c2, np.empty_like(sm)) * np.exp(-sm * sm)
            out[far] = r
    nan = np.isnan(a)
    if nan.any():
        out[nan] = np.nan
    np.copysign(out, x, out=out)


def _erf(x):
    dt = x.dtype if x.dtype in _COEFS else np.dtype(np.float64)
    flat = np.ascontiguousarray(x, dtype=dt).reshape(-1)
    out = np.empty_like(flat)
    for i in range(0, flat.size, _BLOCK):
        _erf_block(flat[i:i + _BLOCK], out[i:i + _BLOCK])
    return out.reshape(np.shape(x))


if "erf" in REGISTRY:  # another module already declared erf: use that one
    erf = REGISTRY["erf"]
else:
    @primitive("erf")
    def erf(x):
        """y = erf(x) = 2/sqrt(pi) int_0^x e^(-t^2) dt;  dy/dx = 2/sqrt(pi) e^(-x^2)"""
        return _erf(x)

    @erf.defvjp
    def _(F, n, g, out, x):
        return (g * (F.exp(-(x * x)) * _TWO_OVER_SQRT_PI),)
