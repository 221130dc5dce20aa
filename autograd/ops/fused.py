"""Fused primitives: several ops of a training step as one node, where the combined
derivative is simpler than the chain of its parts.

softmax_cross_entropy (the notes' 004 "Multi-class classification"): for logits z of
shape (N, C) and class indices t_n,

    l_n = -log softmax(z_n)_{t_n} = logsumexp(z_n) - z_{n, t_n}
    L   = (1/N) sum_n l_n   ('mean'),   sum_n l_n   ('sum'),   (l_n)_n   ('none')

    dL/dz_n = (softmax(z_n) - y_n) * g_n,   y_n the one-hot vector of t_n,
              g_n = g / N ('mean'), g ('sum'), g_n ('none')

that is the notes' dL/dz_o = yhat_o - y_o. As one node it costs one max, one exp and
two sums forward and one copy backward, where log_softmax, an indexing and a mean are
six nodes and their Python overhead; nn.functional.cross_entropy takes it whenever the
targets are plain class indices of an (N, C) input (no weight, no ignored target, no
label smoothing).
"""
import numpy as np

from ..backend import asarray_like, backend_of
from .registry import primitive

__all__ = ["softmax_cross_entropy"]

_REDUCTIONS = ("mean", "sum", "none")


@primitive("softmax_cross_entropy", saves=True, uses=(0,), public="nn.functional.cross_entropy")
def softmax_cross_entropy(z, target, reduction="mean"):
    """l_n = logsumexp(z_n) - z_{n, t_n} for (N, C) logits z and class indices t, reduced
    by ``reduction``;  dL/dz_n = (softmax(z_n) - onehot(t_n)) g_n (see the module).

    NOTE: the row maximum is subtracted before exp (log-sum-exp), so logits of +-1000
    give finite losses and gradients. Saves softmax(z) for the backward.
    """
    if z.ndim != 2 or reduction not in _REDUCTIONS:
        raise ValueError(f"softmax_cross_entropy: expected (N, C) logits and a reduction in "
                         f"{_REDUCTIONS}, got shape {z.shape} and {reduction!r}")
    m = z.max(axis=1, keepdims=True)
    e = np.subtract(z, m)
    with np.errstate(under="ignore"):
        np.exp(e, out=e)
    s = e.sum(axis=1, keepdims=True)
    if type(z) is np.ndarray:
        rows = np.arange(z.shape[0])
    else:  # host class indices index a device array from its device
        rows = backend_of(z).arange(z.shape[0])
        target = asarray_like(target, z)
    loss = (np.log(s[:, 0]) + m[:, 0]) - z[rows, target]
    e /= s  # softmax(z)
    if reduction == "mean":
        # NOTE: numpy's mean is the same float sum divided by the count, through two
        # Python-level wrappers; their overhead was a tenth of this op on small batches
        loss = (np.add.reduce(loss, dtype=z.dtype) if type(z) is np.ndarray
                else loss.sum(dtype=z.dtype)) / z.shape[0]
    elif reduction == "sum":
        loss = loss.sum(dtype=z.dtype)
    return loss, e


@softmax_cross_entropy.defvjp
def softmax_cross_entropy_vjp(ns, n, g, out, z):
    t, reduction = n.params["target"], n.params.get("reduction", "mean")
    zv = ns.value(z)
    N, C = zv.shape
    if reduction == "mean":
        scale = g * (1.0 / N)
    else:
        scale = g if reduction == "sum" else ns.reshape(g, (N, 1))
    b = np if type(zv) is np.ndarray else backend_of(zv)
    if b is not np:
        t = asarray_like(t, zv)
    if ns.create_graph:  # softmax recomputed with recorded ops (a saved array is a constant)
        onehot = b.zeros((N, C), zv.dtype)
        onehot[b.arange(N), t] = 1
        return ((ns.softmax(z, axis=1) - ns.const(onehot, like=g)) * scale,)
    r = n.saved.copy()  # softmax(z) - onehot(t): 1 taken off each row's target entry
    r[b.arange(N), t] -= 1
    r *= scale
    return (r,)
