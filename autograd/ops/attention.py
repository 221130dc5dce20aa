"""Softmax attention as one primitive: the product at the heart of every transformer.

For queries q (..., L, E), keys k (..., S, E), values v (..., S, Ev), a scale c, an
optional additive bias B broadcastable to (..., L, S) (0 where attention is allowed,
-inf where it is masked, or any learned bias) and an optional dropout mask D (zeros
and 1/(1-p) entries, a constant):

    s = c q k^T + B,     P = softmax(s) along the keys (the last axis),
    out = (P * D) v                                          shape (..., L, Ev)

Derivatives (G = dL/dout; rows of P sum to 1, so the softmax's Jacobian is
diag(P) - P P^T per row):

    dL/dv = (P * D)^T G
    dL/dP = (G v^T) * D
    dL/ds = P * (dL/dP - rowsum(dL/dP * P))
    dL/dq = c dL/ds k,    dL/dk = c (dL/ds)^T q,    dL/dB = dL/ds

NOTE: a primitive for speed, not for new math: it equals
``matmul(softmax(c q k^T + B) * D, v)``, but records one node instead of six, keeps
only P between forward and backward, and runs the softmax and its gradient in place.
Under ``create_graph`` P is recomputed from q, k and B with recorded ops, so second
derivatives come from ``matmul`` and ``softmax``.
"""
import numpy as np

from .raw import RAW
from .registry import primitive

__all__ = []  # the public face is autograd.api.attention


def _softmax_rows(s):
    """softmax along the last axis, in place (s is a fresh array).
    NOTE: shift by the row maximum so exp never overflows; a row that is -inf
    everywhere (every key masked) gives NaN, as in PyTorch."""
    s -= s.max(axis=-1, keepdims=True)
    np.exp(s, out=s)
    s /= s.sum(axis=-1, keepdims=True)
    return s


def _split(ns, x, heads):
    """(..., T, H D) -> (..., H, T, D): the heads of a token-major array (a view)."""
    if not heads:
        return x
    shp = ns.value(x).shape
    return ns.swapaxes(ns.reshape(x, shp[:-1] + (heads, shp[-1] // heads)), -2, -3)


def _merge(ns, x, heads):
    """(..., H, T, D) -> (..., T, H D), the inverse of :func:`_split`."""
    if not heads:
        return x
    x = ns.swapaxes(x, -2, -3)
    shp = ns.value(x).shape
    return ns.reshape(x, shp[:-2] + (shp[-2] * shp[-1],))


@primitive("softmax_attention", saves=True)
def _softmax_attention(q, k, v, bias=None, dropout_mask=None, scale=1.0, heads=0):
    """out = (softmax(c q k^T + B) * D) v  (see the module docstring); its gradient:
    dL/dv = (P D)^T G, dL/ds = P * (dL/dP - rowsum(dL/dP * P)) with dL/dP = (G v^T) D,
    dL/dq = c dL/ds k, dL/dk = c dL/ds^T q, dL/dB = dL/ds.
    heads=H: q, k, v and out are token-major (..., T, H D), split into H heads here."""
    q, k, v = (_split(RAW, a, heads) for a in (q, k, v))
    s = np.matmul(q, np.swapaxes(k, -1, -2))
    s *= s.dtype.type(scale)
    if bias is not None:
        s = s + bias if s.shape != np.broadcast_shapes(s.shape, bias.shape) else np.add(s, bias, out=s)
    p = _softmax_rows(s)
    pd = p if dropout_mask is None else p * dropout_mask
    return _merge(RAW, np.matmul(pd, v), heads), p


def _vjp_raw(n, g, q, k, v, has_bias):
    """The rule on numpy arrays, reusing its temporaries in place (nothing else sees them)."""
    c, drop, heads = n.params.get("scale", 1.0), n.params.get("dropout_mask"), n.params.get("heads", 0)
    needs, p = n.needs, n.saved
    g, q, k, v = (_split(RAW, a, heads) for a in (g, q, k, v))
    pd = p if drop is None else p * drop
    gv = _merge(RAW, np.matmul(np.swapaxes(pd, -1, -2), g), heads) if needs[2] else None
    gq = gk = gb = None
    if needs[0] or needs[1] or (has_bias and needs[3]):
        gs = np.matmul(g, np.swapaxes(v, -1, -2))
        if drop is not None:
            gs *= drop
        rows = np.einsum("...ij,...ij->...i", gs, p)[..., None]
        gs -= rows
        gs *= p
        cc = gs.dtype.type(c)
        if needs[0]:
            gq = np.matmul(gs, k)
            gq *= cc
            gq = _merge(RAW, gq, heads)
        if needs[1]:
            gk = np.matmul(np.swapaxes(gs, -1, -2), q)
            gk *= cc
            gk = _merge(RAW, gk, heads)
        gb = gs if has_bias and needs[3] else None
    return (gq, gk, gv) if not has_bias else (gq, gk, gv, gb)


@_softmax_attention.defvjp
def softmax_attention_vjp(ns, n, g, out, q, k, v, bias=None):
    if not ns.create_graph:
        return _vjp_raw(n, g, q, k, v, bias is not None)
    c, drop, heads = n.params.get("scale", 1.0), n.params.get("dropout_mask"), n.params.get("heads", 0)
    needs = n.needs
    g, q, k, v = (_split(ns, a, heads) for a in (g, q, k, v))
    s = ns.matmul(q, ns.swapaxes(k, -1, -2)) * c
    p = ns.softmax(s if bias is None else s + bias, axis=-1)
    drop = None if drop is None else ns.const(drop, p)
    pd = p if drop is None else p * drop
    gv = _merge(ns, ns.matmul(ns.swapaxes(pd, -1, -2), g), heads) if needs[2] else None
    gq = gk = gb = None
    if needs[0] or needs[1] or (bias is not None and needs[3]):
        gp = ns.matmul(g, ns.swapaxes(v, -1, -2))
        if drop is not None:
            gp = gp * drop
        gs = p * (gp - ns.sum(gp * p, axis=-1, keepdims=True))
        if needs[0]:
            gq = _merge(ns, ns.matmul(gs, k) * c, heads)
        if needs[1]:
            gk = _merge(ns, ns.matmul(ns.swapaxes(gs, -1, -2), q) * c, heads)
        gb = gs if bias is not None and needs[3] else None
    return (gq, gk, gv) if bias is None else (gq, gk, gv, gb)
