"""Functions on class indices (PyTorch's ``torch.nn.functional`` sparse group):
``embedding`` (row selection, the adjoint of which is a scatter-add) and ``one_hot``
(``autograd.one_hot``).

An embedding is a linear layer applied to one-hot vectors: with E the (V, D) weight
and x an index, e(x) = onehot(x)^T E = E[x]. So dL/dE is zero except on the rows that
were looked up, where the gradients of every occurrence add up:

    dL/dE[k] = sum_{i : x_i = k} g_i

(``padding_idx`` removes row p from that sum; ``scale_grad_by_freq`` divides row k's
sum by its count in the batch.)
"""
import numpy as np

import autograd as ag
from autograd import one_hot

__all__ = ["embedding", "one_hot"]


def _indices(input, name, like=None):  # noqa: A002
    """The indices as an integer array, on the device of array ``like`` when given."""
    idx = input.array if isinstance(input, ag.Tensor) else np.asarray(input)
    if like is not None and type(like) is not type(idx):
        idx = ag.backend.asarray_like(idx, like)
    if idx.dtype.kind not in "iu":
        raise TypeError(f"{name}: expected an integer tensor of indices, got dtype {idx.dtype} "
                        "(cast with .long())")
    return idx


def _renorm_(weight, idx, max_norm, norm_type):
    """PyTorch's embedding_renorm_: rows of ``weight`` looked up by ``idx`` whose
    ``norm_type``-norm exceeds ``max_norm`` are scaled in place, untracked, to
    max_norm / (norm + 1e-7) of themselves."""
    w = weight.array
    rows = np.unique(idx)
    norms = np.linalg.norm(w[rows], ord=norm_type, axis=1)
    big = norms > max_norm
    if big.any():
        r = rows[big]
        w[r] *= (max_norm / (norms[big] + 1e-7)).astype(w.dtype)[:, None]


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0,  # noqa: A002
              scale_grad_by_freq=False, sparse=False):
    """Rows of ``weight`` selected by integer ``input``: out[..., :] = weight[input[...], :].

    input: integer indices of any shape (*); weight: (num_embeddings, embedding_dim)
    -> out: (*, embedding_dim). ``padding_idx``: that row gets no gradient (its value
    is still looked up). ``max_norm``: looked-up rows with a larger ``norm_type``-norm
    are first renormalised in place (PyTorch's behaviour). ``scale_grad_by_freq``:
    each row's gradient is divided by how often it occurs in ``input``.
    ``sparse=True`` (sparse gradients) is not supported.
    """
    if sparse:
        raise NotImplementedError("embedding: sparse=True (sparse gradients) is not supported; "
                                  "use sparse=False, the dense gradient is the same values")
    idx = _indices(input, "embedding", weight.array)
    if weight.ndim != 2:
        raise ValueError(f"embedding: weight must be 2-D (num_embeddings, embedding_dim), got "
                         f"shape {tuple(weight.shape)}")
    n = weight.shape[0]
    if idx.size and (idx.min() < 0 or idx.max() >= n):
        bad = idx.min() if idx.min() < 0 else idx.max()
        raise IndexError(f"embedding: index {int(bad)} is out of range for a table of {n} rows "
                         f"(weight shape {tuple(weight.shape)}); indices must be in [0, {n - 1}]")
    if padding_idx is not None:
        padding_idx = int(padding_idx) + (n if padding_idx < 0 else 0)
    if max_norm is not None:
        with ag.no_grad():
            _renorm_(weight, idx, float(max_norm), norm_type)
    out = weight[idx]
    scale = None
    if padding_idx is not None:
        scale = (idx != padding_idx).astype(weight.dtype)
    if scale_grad_by_freq:
        counts = np.bincount(idx.ravel(), minlength=n)
        freq = (1.0 / counts[idx]).astype(weight.dtype)
        scale = freq if scale is None else scale * freq
    if scale is not None and out.requires_grad:
        # NOTE: out * s + (out * (1 - s)) as a constant has out's value and the gradient
        # g * s: row p (s = 0) gets none, a repeated row gets 1/count of each.
        s = scale[..., None]
        out = out * s + ag.Tensor(out.array * (1 - s))
    return out
