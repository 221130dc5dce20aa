"""The transformer encoder: PyTorch's ``TransformerEncoderLayer`` and ``TransformerEncoder``.

One layer is self-attention then a position-wise feed-forward network, each wrapped
in a residual connection and a layer normalisation, either after the sum (post-norm,
the original transformer, ``norm_first=False``) or before the branch (pre-norm, GPT's
arrangement, ``norm_first=True``):

    post-norm:  x = LN1(x + SA(x));      x = LN2(x + FF(x))
    pre-norm:   x = x + SA(LN1(x));      x = x + FF(LN2(x))

    SA(x) = dropout(MultiheadAttention(x, x, x))
    FF(x) = dropout(W_2 dropout(act(W_1 x + b_1)) + b_2)
"""
import copy

import numpy as np

from .attention import MultiheadAttention
from .container import ModuleList
from .dropout import Dropout
from .functional.activation import gelu, relu
from .layernorm import LayerNorm
from .linear import Linear
from .module import Module

__all__ = ["TransformerEncoderLayer", "TransformerEncoder"]


def generate_square_subsequent_mask(sz, dtype=np.float32):
    """The causal mask of PyTorch's ``nn.Transformer.generate_square_subsequent_mask``:
    an (sz, sz) float array, 0 on and below the diagonal, -inf above."""
    return np.triu(np.full((sz, sz), -np.inf, dtype=dtype), k=1)


def _activation(activation):
    if activation == "relu":
        return relu
    if activation == "gelu":
        return gelu
    if callable(activation):
        return activation
    raise RuntimeError(f"activation should be relu/gelu, not {activation}")


class TransformerEncoderLayer(Module):
    """Self-attention and a feed-forward network with residuals and layer norms (see
    the module docstring), PyTorch's layer with its defaults.

    Shapes: src (S, N, d_model), or (N, S, d_model) when ``batch_first``, or (S, d_model)
    -> the same shape. Sub-modules (PyTorch's names, so a state dict loads):
    ``self_attn`` (MultiheadAttention), ``linear1`` (d_model -> dim_feedforward),
    ``linear2`` (dim_feedforward -> d_model), ``norm1``, ``norm2`` (LayerNorm, eps
    ``layer_norm_eps``), ``dropout``, ``dropout1``, ``dropout2``. ``activation``: "relu",
    "gelu" or a callable. ``src_mask`` (S, S) or (N nhead, S, S) and
    ``src_key_padding_mask`` (N, S) follow MultiheadAttention's conventions (True =
    blocked); ``is_causal`` is a hint that ``src_mask`` is the causal mask.
    """

    def __init__(self, d_model, nhead, dim_feedforward=2048, dropout=0.1, activation="relu",
                 layer_norm_eps=1e-5, batch_first=False, norm_first=False, bias=True, dtype=None):
        super().__init__()
        self.self_attn = MultiheadAttention(d_model, nhead, dropout=dropout, bias=bias,
                                            batch_first=batch_first, dtype=dtype)
        self.linear1 = Linear(d_model, dim_feedforward, bias=bias, dtype=dtype)
        self.dropout = Dropout(dropout)
        self.linear2 = Linear(dim_feedforward, d_model, bias=bias, dtype=dtype)
        self.norm_first = bool(norm_first)
        self.norm1 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype)
        self.norm2 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype)
        self.dropout1 = Dropout(dropout)
        self.dropout2 = Dropout(dropout)
        self.activation = _activation(activation)
        self.batch_first = bool(batch_first)

    def forward(self, src, src_mask=None, src_key_padding_mask=None, is_causal=False):
        x = src
        if self.norm_first:
            x = x + self._sa_block(self.norm1(x), src_mask, src_key_padding_mask, is_causal)
            x = x + self._ff_block(self.norm2(x))
        else:
            x = self.norm1(x + self._sa_block(x, src_mask, src_key_padding_mask, is_causal))
            x = self.norm2(x + self._ff_block(x))
        return x

    def _sa_block(self, x, attn_mask, key_padding_mask, is_causal):
        x = self.self_attn(x, x, x, attn_mask=attn_mask, key_padding_mask=key_padding_mask,
                           need_weights=False, is_causal=is_causal)[0]
        return self.dropout1(x)

    def _ff_block(self, x):
        x = self.linear2(self.dropout(self.activation(self.linear1(x))))
        return self.dropout2(x)


class TransformerEncoder(Module):
    """A stack of ``num_layers`` copies of ``encoder_layer`` (``layers.0`` ...,
    independent parameters, each initialised as a deep copy of the given layer, as in
    PyTorch) and an optional final ``norm``. ``forward(src, mask=None,
    src_key_padding_mask=None, is_causal=None)``: src passes through every layer
    with the same masks; ``is_causal=None`` detects whether ``mask`` is the causal
    mask. PyTorch's nested-tensor fast path (``enable_nested_tensor``) is not used:
    padded positions are computed like any other."""

    def __init__(self, encoder_layer, num_layers, norm=None, enable_nested_tensor=True,
                 mask_check=True):
        super().__init__()
        self.layers = ModuleList([copy.deepcopy(encoder_layer) for _ in range(num_layers)])
        self.num_layers = int(num_layers)
        self.norm = norm
        self.enable_nested_tensor = enable_nested_tensor
        self.mask_check = mask_check

    def forward(self, src, mask=None, src_key_padding_mask=None, is_causal=None):
        if is_causal is None:
            is_causal = _is_causal_mask(mask, src)
        x = src
        for layer in self.layers:
            x = layer(x, src_mask=mask, src_key_padding_mask=src_key_padding_mask,
                      is_causal=bool(is_causal))
        if self.norm is not None:
            x = self.norm(x)
        return x


def _is_causal_mask(mask, src):
    if mask is None:
        return False
    arr = getattr(mask, "array", mask)
    arr = np.asarray(arr)
    if arr.ndim != 2 or arr.shape[0] != arr.shape[1]:
        return False
    causal = generate_square_subsequent_mask(arr.shape[0], np.float64)
    if arr.dtype == np.bool_:
        return bool(np.array_equal(arr, np.isinf(causal)))
    return bool(np.array_equal(arr, causal))
