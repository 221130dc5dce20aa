"""Attention: scaled dot-product attention and multi-head attention, PyTorch's functions.

Scaled dot-product attention of queries Q (..., L, E), keys K (..., S, E) and values
V (..., S, Ev), with scale c = 1/sqrt(E) by default and an additive mask M:

    A = softmax(c Q K^T + M)   (each row a distribution over the S keys)
    out = dropout(A) V         shape (..., L, Ev)

A boolean mask says which keys a query may see (True = attend, as in PyTorch's
``scaled_dot_product_attention``); it becomes M = 0 where True and -inf where False.
``is_causal`` is the lower-triangular mask of a language model: query i sees keys
0..i. The gradients (dL/dQ = c dL/ds K, dL/dK = c dL/ds^T Q, dL/dV = A^T G with
dL/ds = A * (dL/dA - rowsum(dL/dA * A))) come from ``ag.softmax_attention``, one
primitive. A row whose keys are all masked gives NaN, as in PyTorch.

Multi-head attention projects the inputs, splits the embedding into h heads of
size E/h, attends in each head and projects the concatenation back:

    head_i = attention(x_q W_q^i, x_k W_k^i, x_v W_v^i),
    out = concat(head_1..head_h) W_o^T + b_o
"""
import numpy as np

import autograd as ag
from .dropout import _check_p

__all__ = ["scaled_dot_product_attention", "multi_head_attention_forward"]


def _as_tensor(x):
    return x if isinstance(x, ag.Tensor) else ag.tensor(x)


def _additive_mask(mask, dtype, true_means_keep, name):
    """A mask as an additive bias in ``dtype``: a boolean mask becomes 0 / -inf (which
    entries are -inf depends on the caller's convention), a float mask is added as it
    is (a Tensor keeps its gradient)."""
    arr = mask.array if isinstance(mask, ag.Tensor) else np.asarray(mask)
    if arr.dtype == np.bool_:
        blocked = ~arr if true_means_keep else arr
        return np.where(blocked, dtype.type(-np.inf), dtype.type(0))
    if arr.dtype.kind != "f":
        raise TypeError(f"{name}: a mask must be boolean or floating point, got dtype {arr.dtype}")
    if isinstance(mask, ag.Tensor):
        return mask if mask.dtype == dtype else ag.astype(mask, dtype)
    return arr.astype(dtype, copy=False)


def _dropout_mask(shape, p, dtype):
    """Bernoulli(1 - p) keep-mask scaled by 1/(1 - p) (inverted dropout), from the
    library's generator."""
    if p == 1.0:
        return np.zeros(shape, dtype=dtype)
    u = ag.random.generator().random(shape, dtype=np.float32 if dtype == np.float32 else np.float64)
    return (u >= p).astype(dtype) * dtype.type(1.0 / (1.0 - p))


def _causal(L, S, dtype):
    """0 on and below the diagonal (query i sees keys j <= i, PyTorch's top-left
    alignment), -inf above."""
    return np.triu(np.full((L, S), -np.inf, dtype=dtype), k=1)


def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0,
                                 is_causal=False, scale=None, enable_gqa=False):
    """softmax(Q K^T scale + M) V with PyTorch's arguments (see the module docstring).

    query (N, ..., L, E), key (N, ..., S, E), value (N, ..., S, Ev) -> (N, ..., L, Ev).
    attn_mask: boolean (True = may attend) or float (added), broadcastable to
    (N, ..., L, S); is_causal: the lower-triangular mask (not together with
    attn_mask); dropout_p: dropout on the attention weights (applied whenever it is
    > 0, as in PyTorch: pass 0.0 in evaluation); scale: default 1/sqrt(E);
    enable_gqa: key/value with fewer heads (axis -3) than the query are repeated.
    """
    q, k, v = _as_tensor(query), _as_tensor(key), _as_tensor(value)
    name = "scaled_dot_product_attention"
    if q.ndim < 2 or k.ndim < 2 or v.ndim < 2:
        raise ValueError(f"{name}: query, key and value need shapes (..., L, E), (..., S, E), "
                         f"(..., S, Ev); got {q.shape}, {k.shape}, {v.shape}")
    if is_causal and attn_mask is not None:
        raise ValueError(f"{name}: pass either attn_mask or is_causal=True, not both "
                         "(fold the causal mask into attn_mask)")
    p = _check_p(dropout_p)
    if enable_gqa and q.ndim >= 3 and k.shape[-3] != q.shape[-3]:
        hq, hk = q.shape[-3], k.shape[-3]
        if hq % hk or v.shape[-3] != hk:
            raise ValueError(f"{name}: with enable_gqa the query heads ({hq}) must be a multiple "
                             f"of the key/value heads ({hk}, {v.shape[-3]})")
        k = ag.repeat_interleave(k, hq // hk, dim=k.ndim - 3)
        v = ag.repeat_interleave(v, hq // hk, dim=v.ndim - 3)
    L, S = q.shape[-2], k.shape[-2]
    dt = q.dtype
    bias = None
    if is_causal:
        bias = _causal(L, S, dt)
    elif attn_mask is not None:
        bias = _additive_mask(attn_mask, dt, True, name)
        try:
            np.broadcast_shapes(bias.shape, q.shape[:-2] + (L, S))
        except ValueError:
            raise ValueError(f"{name}: attn_mask of shape {tuple(bias.shape)} cannot be broadcast "
                             f"to the attention weights' shape {q.shape[:-2] + (L, S)}") from None
    return _attend(q, k, v, bias, p, scale, None)


def _attend(q, k, v, bias, p, scale, heads):
    """softmax_attention with a fresh dropout mask of the weights' shape when p > 0."""
    drop = None
    if p > 0.0:
        L, S = q.shape[-2], k.shape[-2]
        lead = np.broadcast_shapes(q.shape[:-2], k.shape[:-2]) + ((heads,) if heads else ())
        drop = _dropout_mask(lead + (L, S), p, q.dtype)
    return ag.softmax_attention(q, k, v, bias=bias, dropout_mask=drop, scale=scale, heads=heads)


# --------------------------------------------------------------------------- multi-head
def _in_projection(query, key, value, E, in_proj_weight, in_proj_bias, separate):
    """q, k, v = x_q W_q^T + b_q, x_k W_k^T + b_k, x_v W_v^T + b_v."""
    if separate is not None:
        wq, wk, wv = separate
        bq = bk = bv = None
        if in_proj_bias is not None:
            bq, bk, bv = in_proj_bias[:E], in_proj_bias[E:2 * E], in_proj_bias[2 * E:]
        return ag.linear(query, wq, bq), ag.linear(key, wk, bk), ag.linear(value, wv, bv)
    # NOTE: three products with row blocks of in_proj_weight, even for self-attention
    # (query is key is value): slicing one (..., 3E) product instead would make each
    # slice's gradient a zero-filled (..., 3E) array; the weight's blocks are small.
    w = (in_proj_weight[:E], in_proj_weight[E:2 * E], in_proj_weight[2 * E:])
    b = (None,) * 3 if in_proj_bias is None else (
        in_proj_bias[:E], in_proj_bias[E:2 * E], in_proj_bias[2 * E:])
    return tuple(ag.linear(x, wi, bi) for x, wi, bi in zip((query, key, value), w, b))


def _heads(x, N, H):
    """(N, T, E) -> (N, H, T, E/H)."""
    T, E = x.shape[1], x.shape[2]
    return ag.permute(ag.reshape(x, (N, T, H, E // H)), (0, 2, 1, 3))


def _merge_masks(attn_mask, key_padding_mask, N, H, L, S, dt, name):
    """PyTorch's MHA masks (True = NOT allowed) as one additive bias (N, H, L, S) or
    broadcastable to it; None when there is none."""
    bias = None
    if attn_mask is not None:
        m = _additive_mask(attn_mask, dt, False, name)
        if m.ndim == 2:
            if tuple(m.shape) != (L, S):
                raise ValueError(f"{name}: a 2-D attn_mask must be (L, S) = {(L, S)}, got {tuple(m.shape)}")
        elif m.ndim == 3:
            if tuple(m.shape) != (N * H, L, S):
                raise ValueError(f"{name}: a 3-D attn_mask must be (N * num_heads, L, S) = "
                                 f"{(N * H, L, S)}, got {tuple(m.shape)}")
            m = ag.reshape(m, (N, H, L, S)) if isinstance(m, ag.Tensor) else m.reshape(N, H, L, S)
        else:
            raise ValueError(f"{name}: attn_mask must be 2-D or 3-D, got shape {tuple(m.shape)}")
        bias = m
    if key_padding_mask is not None:
        kp = _additive_mask(key_padding_mask, dt, False, name)
        if tuple(kp.shape) != (N, S):
            raise ValueError(f"{name}: key_padding_mask must be (N, S) = {(N, S)}, got {tuple(kp.shape)}")
        kp = ag.reshape(kp, (N, 1, 1, S)) if isinstance(kp, ag.Tensor) else kp.reshape(N, 1, 1, S)
        bias = kp if bias is None else bias + kp
    return bias


def _attend_with_weights(q, k, v, bias, p):
    """The composed path that also returns the attention weights A (N, H, L, S)
    (after dropout, as PyTorch returns them): A = dropout(softmax(c q k^T + bias))."""
    scale = 1.0 / float(np.sqrt(q.shape[-1]))
    s = ag.matmul(q * scale, ag.swapaxes(k, -1, -2))
    if bias is not None:
        s = s + bias
    a = ag.softmax(s, axis=-1)
    if p > 0.0:
        a = a * ag.Tensor(_dropout_mask(a.shape, p, a.dtype))
    return ag.matmul(a, v), a


def _check_mha(query, key, value, E_check, H, name, unsupported):
    for what, given in unsupported.items():
        if given:
            raise NotImplementedError(f"{name}: {what} is not supported (use add_bias_kv=False, "
                                      f"add_zero_attn=False and no static keys/values)")
    if query.ndim not in (2, 3) or key.ndim != query.ndim or value.ndim != query.ndim:
        raise ValueError(f"{name}: query, key and value must all be (L, N, E) batched or (L, E) "
                         f"unbatched; got {query.shape}, {key.shape}, {value.shape}")
    E = query.shape[-1]
    if E != E_check:
        raise ValueError(f"{name}: was expecting embedding dimension of {E_check}, but got {E}")
    if E % H:
        raise ValueError(f"{name}: embed_dim ({E}) must be divisible by num_heads ({H})")
    if key.shape[:-1] != value.shape[:-1]:
        raise ValueError(f"{name}: key {key.shape} and value {value.shape} must have the same "
                         "sequence length and batch size")


def _mha(query, key, value, H, in_proj_weight, in_proj_bias, out_w, out_b, p, training,
         key_padding_mask, need_weights, attn_mask, separate, average, is_causal, batch_first, name):
    """Multi-head attention on (L, N, E) inputs, or (N, L, E) when ``batch_first``."""
    same = query is key and key is value
    unbatched = query.ndim == 2
    if unbatched:
        query, key, value = (ag.unsqueeze(x, 0) for x in (query, key, value))
        if key_padding_mask is not None:
            key_padding_mask = (ag.unsqueeze(key_padding_mask, 0) if isinstance(key_padding_mask, ag.Tensor)
                                else np.asarray(key_padding_mask)[None])
    elif not batch_first:
        query, key, value = (ag.swapaxes(x, 0, 1) for x in (query, key, value))
    if same:
        key = value = query
    N, L, E = query.shape
    S = key.shape[1]
    if is_causal and attn_mask is None:
        raise RuntimeError(f"{name}: is_causal=True is only a hint; it needs the causal attn_mask "
                           "itself (e.g. nn.Transformer.generate_square_subsequent_mask(L))")
    q, k, v = _in_projection(query, key, value, E, in_proj_weight, in_proj_bias, separate)
    bias = _merge_masks(attn_mask, key_padding_mask, N, H, L, S, q.dtype, name)
    p = p if training else 0.0
    weights = None
    if need_weights:
        out, weights = _attend_with_weights(*(_heads(x, N, H) for x in (q, k, v)), bias, p)
        out = ag.reshape(ag.permute(out, (0, 2, 1, 3)), (N, L, E))
        if average:
            weights = ag.mean(weights, axis=1)
        if unbatched:
            weights = ag.squeeze(weights, 0)
    else:  # the fast path: one op splits the heads, attends and concatenates them
        out = _attend(q, k, v, bias, p, None, H)
    out = ag.linear(out, out_w, out_b)
    if unbatched:
        return ag.squeeze(out, 0), weights
    return (out if batch_first else ag.swapaxes(out, 0, 1)), weights


def multi_head_attention_forward(query, key, value, embed_dim_to_check, num_heads, in_proj_weight,
                                 in_proj_bias, bias_k, bias_v, add_zero_attn, dropout_p,
                                 out_proj_weight, out_proj_bias, training=True, key_padding_mask=None,
                                 need_weights=True, attn_mask=None, use_separate_proj_weight=False,
                                 q_proj_weight=None, k_proj_weight=None, v_proj_weight=None,
                                 static_k=None, static_v=None, average_attn_weights=True,
                                 is_causal=False):
    """PyTorch's functional multi-head attention (sequence-first layout).

    query (L, N, E), key (S, N, kdim), value (S, N, vdim), or unbatched (L, E) ...
    -> (attn_output (L, N, E), attn_weights (N, L, S) averaged over heads, or
    (N, num_heads, L, S), or None when ``need_weights`` is False).
    key_padding_mask (N, S): True (or -inf) marks padding keys to ignore; attn_mask
    (L, S) or (N * num_heads, L, S): True marks pairs NOT allowed to attend, a float
    mask is added. Dropout on the attention weights only when ``training``.
    ``bias_k``, ``bias_v``, ``add_zero_attn`` and static keys/values are refused.
    """
    name = "multi_head_attention_forward"
    query, key, value = _as_tensor(query), _as_tensor(key), _as_tensor(value)
    _check_mha(query, key, value, embed_dim_to_check, num_heads, name,
               {"bias_k/bias_v": bias_k is not None or bias_v is not None,
                "add_zero_attn": add_zero_attn, "static_k/static_v": static_k is not None or static_v is not None})
    separate = None
    if use_separate_proj_weight:
        if q_proj_weight is None or k_proj_weight is None or v_proj_weight is None:
            raise ValueError(f"{name}: use_separate_proj_weight needs q_proj_weight, k_proj_weight "
                             "and v_proj_weight")
        separate = (q_proj_weight, k_proj_weight, v_proj_weight)
    return _mha(query, key, value, num_heads, in_proj_weight, in_proj_bias, out_proj_weight,
                out_proj_bias, _check_p(dropout_p), training, key_padding_mask, need_weights,
                attn_mask, separate, average_attn_weights, is_causal, False, name)
