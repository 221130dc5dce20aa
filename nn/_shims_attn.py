"""TEMPORARY shims for the attention branch (issue 12) -- DELETE AT MERGE.

``nn.LayerNorm`` / ``F.layer_norm`` and ``F.gelu`` are written by another branch of
issue 12. The transformer layers import those names first and fall back to these
minimal stand-ins only while they are missing (see ``nn/transformer.py``); at merge
the lead deletes this file and the two ``except ImportError`` fallbacks.

Same names, arguments, parameter names and math as PyTorch's, so tests written
against them keep passing with the real ones.
"""
import math

import numpy as np

import autograd as ag

from .module import Module, Parameter

__all__ = ["LayerNorm", "layer_norm", "gelu", "Embedding"]


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):  # noqa: A002
    """y = (x - mean) / sqrt(var + eps) * weight + bias over the last
    len(normalized_shape) axes (population variance)."""
    axes = tuple(range(-len(tuple(normalized_shape)), 0))
    mu = ag.mean(input, axis=axes, keepdims=True)
    xc = input - mu
    var = ag.mean(xc * xc, axis=axes, keepdims=True)
    y = xc * (var + eps) ** -0.5
    if weight is not None:
        y = y * weight
    if bias is not None:
        y = y + bias
    return y


class LayerNorm(Module):
    """Layer normalisation over the trailing ``normalized_shape`` axes; ``weight``
    (ones) and ``bias`` (zeros) of that shape when ``elementwise_affine``."""

    def __init__(self, normalized_shape, eps=1e-5, elementwise_affine=True, bias=True, dtype=None):
        super().__init__()
        shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
        self.normalized_shape = shape
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        dt = np.dtype(np.float32 if dtype is None else dtype)
        if elementwise_affine:
            self.weight = Parameter(np.ones(shape, dtype=dt))
            self.bias = Parameter(np.zeros(shape, dtype=dt)) if bias else None
        else:
            self.weight = self.bias = None

    def forward(self, input):  # noqa: A002
        return layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}"


def gelu(input, approximate="none"):  # noqa: A002
    """x Phi(x) (exact, Phi the normal CDF) or PyTorch's tanh approximation.
    NOTE (shim): the exact form takes Phi's value from scipy's erf and its
    derivative phi(x) = exp(-x^2/2)/sqrt(2 pi) through a zero-valued correction
    term; first derivatives are exact, second ones are not. Replaced at merge."""
    x = input if isinstance(input, ag.Tensor) else ag.tensor(input)
    if hasattr(ag, "gelu"):  # the op of the ops branch, once merged
        return ag.gelu(x, approximate=approximate)
    if approximate == "tanh":
        c = math.sqrt(2.0 / math.pi)
        return 0.5 * x * (1.0 + ag.tanh(c * (x + 0.044715 * x * x * x)))
    if approximate != "none":
        raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
    from scipy.special import erf

    a = x.array
    cdf = (0.5 * (1.0 + erf(a / math.sqrt(2.0)))).astype(a.dtype)
    pdf = (np.exp(-0.5 * a * a) / math.sqrt(2.0 * math.pi)).astype(a.dtype)
    phi = ag.Tensor(cdf) + (x - x.detach()) * ag.Tensor(pdf)
    return x * phi


class Embedding(Module):
    """A lookup table: y = weight[idx], weight (num_embeddings, embedding_dim) ~ N(0, 1);
    the gradient adds g into the rows that were looked up."""

    def __init__(self, num_embeddings, embedding_dim, dtype=None):
        super().__init__()
        self.num_embeddings, self.embedding_dim = int(num_embeddings), int(embedding_dim)
        dt = np.dtype(np.float32 if dtype is None else dtype)
        self.weight = Parameter(ag.random.generator().standard_normal(
            (self.num_embeddings, self.embedding_dim)).astype(dt))

    def forward(self, input):  # noqa: A002
        idx = np.asarray(input.array if isinstance(input, ag.Tensor) else input)
        return self.weight[idx]
