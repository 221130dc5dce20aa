"""Multi-head attention, PyTorch's ``nn.MultiheadAttention`` (the math is in
``nn.functional.attention``)."""
import numpy as np

from . import init
from .functional.attention import _check_mha, _check_p, _mha
from .linear import Linear
from .module import Module, Parameter

__all__ = ["MultiheadAttention"]


class MultiheadAttention(Module):
    """Multi-head attention: h heads of size E/h attend in parallel, their outputs
    concatenated and projected: out = concat_i softmax(q_i k_i^T / sqrt(E/h) + M) v_i
    W_o^T + b_o, with q = x_q W_q^T + b_q (likewise k, v).

    Shapes: query (L, N, E), key (S, N, kdim), value (S, N, vdim), or (N, L, E) ...
    when ``batch_first``, or unbatched (L, E) -> output like query, and the attention
    weights (N, L, S) averaged over heads (``average_attn_weights``), (N, h, L, S), or
    None when ``need_weights=False`` (the fast path: one fused attention op).
    Parameters (PyTorch's names, so its state dicts load): ``in_proj_weight`` (3E, E)
    = [W_q; W_k; W_v] and ``in_proj_bias`` (3E,) -- or ``q_proj_weight`` (E, E),
    ``k_proj_weight`` (E, kdim), ``v_proj_weight`` (E, vdim) when kdim or vdim differ
    from E -- and ``out_proj.weight`` (E, E), ``out_proj.bias`` (E,).
    Default initialisation (PyTorch's): Xavier-uniform projection weights, zero
    biases, ``out_proj.weight`` as a Linear layer's.
    Masks: ``key_padding_mask`` (N, S), True = a padding key to ignore; ``attn_mask``
    (L, S) or (N h, L, S), True = not allowed to attend; float masks are added.
    ``add_bias_kv`` and ``add_zero_attn`` are refused.
    """

    def __init__(self, embed_dim, num_heads, dropout=0.0, bias=True, add_bias_kv=False,
                 add_zero_attn=False, kdim=None, vdim=None, batch_first=False, dtype=None):
        super().__init__()
        if add_bias_kv or add_zero_attn:
            raise NotImplementedError("MultiheadAttention: add_bias_kv and add_zero_attn are not "
                                      "supported (leave them False)")
        if embed_dim <= 0 or num_heads <= 0:
            raise ValueError(f"MultiheadAttention: embed_dim and num_heads must be positive, got "
                             f"{embed_dim} and {num_heads}")
        if embed_dim % num_heads:
            raise ValueError(f"MultiheadAttention: embed_dim ({embed_dim}) must be divisible by "
                             f"num_heads ({num_heads})")
        self.embed_dim = int(embed_dim)
        self.kdim = self.embed_dim if kdim is None else int(kdim)
        self.vdim = self.embed_dim if vdim is None else int(vdim)
        self._qkv_same_embed_dim = self.kdim == self.embed_dim and self.vdim == self.embed_dim
        self.num_heads = int(num_heads)
        self.dropout = _check_p(dropout)
        self.batch_first = bool(batch_first)
        self.head_dim = self.embed_dim // self.num_heads
        E = self.embed_dim
        dt = np.dtype(np.float32 if dtype is None else dtype)
        if self._qkv_same_embed_dim:
            self.in_proj_weight = Parameter(np.empty((3 * E, E), dtype=dt))
            for n in ("q_proj_weight", "k_proj_weight", "v_proj_weight"):
                self.register_parameter(n, None)
        else:
            self.q_proj_weight = Parameter(np.empty((E, E), dtype=dt))
            self.k_proj_weight = Parameter(np.empty((E, self.kdim), dtype=dt))
            self.v_proj_weight = Parameter(np.empty((E, self.vdim), dtype=dt))
            self.register_parameter("in_proj_weight", None)
        if bias:
            self.in_proj_bias = Parameter(np.empty((3 * E,), dtype=dt))
        else:
            self.register_parameter("in_proj_bias", None)
        self.out_proj = Linear(E, E, bias=bias, dtype=dt)
        self._reset_parameters()

    def _reset_parameters(self):
        if self._qkv_same_embed_dim:
            init.xavier_uniform_(self.in_proj_weight)
        else:
            for w in (self.q_proj_weight, self.k_proj_weight, self.v_proj_weight):
                init.xavier_uniform_(w)
        if self.in_proj_bias is not None:
            init.zeros_(self.in_proj_bias)
            init.zeros_(self.out_proj.bias)

    def forward(self, query, key, value, key_padding_mask=None, need_weights=True, attn_mask=None,
                average_attn_weights=True, is_causal=False):
        import autograd as ag

        name = "MultiheadAttention"
        query, key, value = (x if isinstance(x, ag.Tensor) else ag.tensor(x) for x in (query, key, value))
        _check_mha(query, key, value, self.embed_dim, self.num_heads, name, {})
        separate = None if self._qkv_same_embed_dim else (
            self.q_proj_weight, self.k_proj_weight, self.v_proj_weight)
        return _mha(query, key, value, self.num_heads, self.in_proj_weight, self.in_proj_bias,
                    self.out_proj.weight, self.out_proj.bias, self.dropout, self.training,
                    key_padding_mask, need_weights, attn_mask, separate, average_attn_weights,
                    is_causal, self.batch_first, name)

    def extra_repr(self):
        s = f"embed_dim={self.embed_dim}, num_heads={self.num_heads}"
        if self.dropout:
            s += f", dropout={self.dropout}"
        if not self._qkv_same_embed_dim:
            s += f", kdim={self.kdim}, vdim={self.vdim}"
        if self.batch_first:
            s += ", batch_first=True"
        return s
