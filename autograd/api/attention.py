"""The public face of softmax attention (``ag.softmax_attention``): argument checks
with errors that name the shapes, then the one primitive of ``ops.attention``."""
import numpy as np

from ..arguments import lift, to_tensor
from ..backend import asarray_like
from ..ops.attention import _softmax_attention
from .arith import astype

__all__ = ["softmax_attention"]


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
    q, k, v = to_tensor(query), to_tensor(key), to_tensor(value)
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
        m = getattr(dropout_mask, "array", dropout_mask)
        params["dropout_mask"] = asarray_like(m, q.array, dt)  # on the inputs' device
    if bias is None:
        return _softmax_attention(q, k, v, **params)
    b = lift(bias, q)
    if b.dtype != dt:
        b = astype(b, dt)
    return _softmax_attention(q, k, v, b, **params)
