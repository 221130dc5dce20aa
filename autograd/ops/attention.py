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

from .registry import RAW, primitive

__all__ = ["softmax_attention"]


def _softmax_rows(s):
    """softmax along the last axis, in place (s is a fresh array).
    NOTE: shift by the row maximum so exp never overflows; a row that is -inf
    everywhere (every key masked) gives NaN, as in PyTorch."""
    s -= s.max(axis=-1, keepdims=True)
    np.exp(s, out=s)
    s /= s.sum(axis=-1, keepdims=True)
    return s


def _split(F, x, heads):
    """(..., T, H D) -> (..., H, T, D): the heads of a token-major array (a view)."""
    if not heads:
        return x
    shp = F.value(x).shape
    return F.swapaxes(F.reshape(x, shp[:-1] + (heads, shp[-1] // heads)), -2, -3)


def _merge(F, x, heads):
    """(..., H, T, D) -> (..., T, H D), the inverse of :func:`_split`."""
    if not heads:
        return x
    x = F.swapaxes(x, -2, -3)
    shp = F.value(x).shape
    return F.reshape(x, shp[:-2] + (shp[-2] * shp[-1],))


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
def _(F, n, g, out, q, k, v, bias=None):
    if not F.create_graph:
        return _vjp_raw(n, g, q, k, v, bias is not None)
    c, drop, heads = n.params.get("scale", 1.0), n.params.get("dropout_mask"), n.params.get("heads", 0)
    needs = n.needs
    g, q, k, v = (_split(F, a, heads) for a in (g, q, k, v))
    s = F.matmul(q, F.swapaxes(k, -1, -2)) * c
    p = F.softmax(s if bias is None else s + bias, axis=-1)
    drop = None if drop is None else F.const(drop, p)
    pd = p if drop is None else p * drop
    gv = _merge(F, F.matmul(F.swapaxes(pd, -1, -2), g), heads) if needs[2] else None
    gq = gk = gb = None
    if needs[0] or needs[1] or (bias is not None and needs[3]):
        gp = F.matmul(g, F.swapaxes(v, -1, -2))
        if drop is not None:
            gp = gp * drop
        gs = p * (gp - F.sum(gp * p, axis=-1, keepdims=True))
        if needs[0]:
            gq = _merge(F, F.matmul(gs, k) * c, heads)
        if needs[1]:
            gk = _merge(F, F.matmul(F.swapaxes(gs, -1, -2), q) * c, heads)
        gb = gs if bias is not None and needs[3] else None
    return (gq, gk, gv) if bias is None else (gq, gk, gv, gb)


def softmax_attention(query, key, value, bias=None, dropout_mask=None, scale=None, heads=None):
    """(softmax(scale q k^T + bias) * dropout_mask) v as one recorded op.

    query (..., L, E), key (..., S, E), value (..., S, Ev) -> (..., L, Ev); leading
    axes broadcast. ``heads=H``: the inputs are token-major, query (..., L, H E),
    key (..., S, H E), value (..., S, H Ev), attended in H heads of E features with
    weights (..., H, L, S), and the heads' outputs come back concatenated, (..., L, H Ev):
    multi-head attention without the reshapes and transposes around it.
    ``bias``: an additive Tensor or array broadcastable to the weights (..., L, S)
    (-inf masks a key; it gets a gradient when it requires one); ``dropout_mask``: a
    constant array broadcastable to the weights, multiplying them;
    ``scale`` defaults to 1/sqrt(E). This is the engine's primitive; the PyTorch-style
    entry point with boolean masks, ``is_causal`` and ``dropout_p`` is
    ``nn.functional.scaled_dot_product_attention``.
    """
    from ..functions import _t, _lift, astype

    q, k, v = _t(query), _t(key), _t(value)
    if q.ndim < 2 or k.ndim < 2 or v.ndim < 2:
        raise ValueError(f"softmax_attention: query, key and value need at least 2 dims "
                         f"(..., L, E); got {q.shape}, {k.shape}, {v.shape}")
    if heads is not None and (heads < 1 or q.shape[-1] % heads or v.shape[-1] % heads):
        raise ValueError(f"softmax_attention: heads={heads} must divide the feature sizes of "
                         f"query {q.shape} and value {v.shape}")
    if q.shape[-1] != k.shape[-1] or k.shape[-2] != v.shape[-2]:
        raise ValueError(f"softmax_attention: query (..., L, E) {q.shape}, key (..., S, E) {k.shape} "
                         f"and value (..., S, Ev) {v.shape} must agree in E and S")
    dt = q.dtype
    if k.dtype != dt or v.dtype != dt:
        raise TypeError(f"softmax_attention: query, key and value dtypes differ ({q.dtype}, "
                        f"{k.dtype}, {v.dtype}); convert them to one dtype")
    E = q.shape[-1] // (heads or 1)
    scale = 1.0 / float(np.sqrt(E)) if scale is None else float(scale)
    params = {"scale": scale}
    if heads:
        params["heads"] = int(heads)
    if dropout_mask is not None:
        params["dropout_mask"] = np.asarray(dropout_mask, dtype=dt)
    if bias is None:
        return _softmax_attention(q, k, v, **params)
    b = _lift(bias, q)
    if b.dtype != dt:
        b = astype(b, dt)
    return _softmax_attention(q, k, v, b, **params)
