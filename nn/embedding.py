"""Embedding: a learned lookup table, out = weight[input] (see ``F.embedding``)."""
import numpy as np

import autograd as ag

from . import init
from .functional.sparse import embedding as _embedding
from .module import Module, Parameter

__all__ = ["Embedding"]


class Embedding(Module):
    """A table of ``num_embeddings`` vectors of size ``embedding_dim``, looked up by index.

    Shapes: input integer (*) -> output (*, embedding_dim).
    Parameter: ``weight`` (num_embeddings, embedding_dim), initialised N(0, 1)
    (PyTorch's default), with the ``padding_idx`` row set to 0; that row then gets no
    gradient, so it stays as loaded or initialised. ``max_norm``, ``norm_type``,
    ``scale_grad_by_freq`` as in ``F.embedding``; ``sparse=True`` is refused.
    ``_weight``: use this (num_embeddings, embedding_dim) array as the table.
    """

    def __init__(self, num_embeddings, embedding_dim, padding_idx=None, max_norm=None,
                 norm_type=2.0, scale_grad_by_freq=False, sparse=False, _weight=None,
                 _freeze=False, device=None, dtype=None):
        super().__init__()
        self.num_embeddings, self.embedding_dim = int(num_embeddings), int(embedding_dim)
        if padding_idx is not None:
            if not -self.num_embeddings <= padding_idx < self.num_embeddings:
                raise ValueError(f"Embedding: padding_idx={padding_idx} must be within "
                                 f"[-{self.num_embeddings}, {self.num_embeddings - 1}] "
                                 f"(num_embeddings={self.num_embeddings})")
            padding_idx = padding_idx % self.num_embeddings
        if sparse:
            raise NotImplementedError("Embedding: sparse=True (sparse gradients) is not supported; "
                                      "use sparse=False")
        self.padding_idx, self.max_norm, self.norm_type = padding_idx, max_norm, norm_type
        self.scale_grad_by_freq, self.sparse = scale_grad_by_freq, sparse
        shape = (self.num_embeddings, self.embedding_dim)
        if _weight is None:
            self.weight = Parameter(np.empty(shape, dtype=np.dtype(dtype or np.float32)),
                                    requires_grad=not _freeze)
            self.reset_parameters()
        else:
            w = _weight.array if isinstance(_weight, ag.Tensor) else np.asarray(_weight)
            if w.shape != shape:
                raise ValueError(f"Embedding: _weight has shape {w.shape}, expected {shape}")
            self.weight = Parameter(w if dtype is None else w.astype(dtype),
                                    requires_grad=not _freeze)

    def reset_parameters(self):
        """weight ~ N(0, 1), then the padding row = 0."""
        init.normal_(self.weight)
        if self.padding_idx is not None:
            self.weight.array[self.padding_idx] = 0

    def forward(self, input):  # noqa: A002
        return _embedding(input, self.weight, self.padding_idx, self.max_norm, self.norm_type,
                          self.scale_grad_by_freq, self.sparse)

    @classmethod
    def from_pretrained(cls, embeddings, freeze=True, padding_idx=None, max_norm=None,
                        norm_type=2.0, scale_grad_by_freq=False, sparse=False):
        """An Embedding whose table is ``embeddings`` (2-D), frozen unless ``freeze=False``."""
        w = embeddings.array if isinstance(embeddings, ag.Tensor) else np.asarray(embeddings)
        if w.ndim != 2:
            raise ValueError(f"Embedding.from_pretrained: embeddings must be 2-D, got shape {w.shape}")
        return cls(w.shape[0], w.shape[1], padding_idx, max_norm, norm_type, scale_grad_by_freq,
                   sparse, _weight=w, _freeze=freeze)

    def extra_repr(self):
        s = f"{self.num_embeddings}, {self.embedding_dim}"
        if self.padding_idx is not None:
            s += f", padding_idx={self.padding_idx}"
        if self.max_norm is not None:
            s += f", max_norm={self.max_norm}"
        if self.norm_type != 2:
            s += f", norm_type={self.norm_type}"
        if self.scale_grad_by_freq:
            s += ", scale_grad_by_freq=True"
        return s
