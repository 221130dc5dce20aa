"""Ops that move values around without changing them: reshape, transpose,
broadcast, concatenate, pad. Their VJPs move the gradient back."""
import numpy as np

from .registry import primitive

__all__ = []


@primitive("reshape", uses=(), view=True)
def reshape(x, shape):
    """y = x with a new shape (same values in C order);  the gradient is reshaped back."""
    return np.reshape(x, shape)


@reshape.defvjp
def reshape_vjp(ns, n, g, out, x):
    return (ns.reshape(g, ns.value(x).shape),)


@primitive("transpose", uses=(), view=True)
def transpose(x, axes):
    """y = x with its axes permuted (y.shape[i] = x.shape[axes[i]]);  the gradient is
    permuted back by the inverse permutation."""
    return np.transpose(x, axes)


@transpose.defvjp
def transpose_vjp(ns, n, g, out, x):
    return (ns.transpose(g, tuple(np.argsort(n.params["axes"]))),)


@primitive("broadcast_to", uses=(), view=True)
def broadcast_to(x, shape):
    """y = x repeated along broadcast axes;  the gradient is summed back (the engine's
    unbroadcast helper does exactly that, so the rule passes g through)."""
    return np.broadcast_to(x, shape)


@broadcast_to.defvjp
def broadcast_to_vjp(ns, n, g, out, x):
    return (g,)


@primitive("concatenate", uses=())
def concatenate(*xs, axis=0):
    """y = [x_1, x_2, ...] joined along ``axis``;  dy/dx_i selects x_i's slice: each input
    gets the slice of g at its own position along ``axis``."""
    return np.concatenate(xs, axis=axis)


@concatenate.defvjp
def concatenate_vjp(ns, n, g, out, *xs):
    axis = n.params.get("axis", 0)
    nd = ns.value(out).ndim
    axis = axis % nd
    grads, start = [], 0
    for x, t in zip(xs, n.inputs):
        size = ns.value(x).shape[axis]
        if t._rg:
            index = (slice(None),) * axis + (slice(start, start + size),)
            grads.append(ns.getitem(g, index))
        else:
            grads.append(None)
        start += size
    return tuple(grads)


@primitive("pad", uses=())
def pad(x, pad_width, value=0.0):
    """y = x surrounded by constant ``value`` (numpy's ``pad_width`` form);  the
    gradient is the inner slice of g."""
    return np.pad(x, pad_width, constant_values=value)


@pad.defvjp
def pad_vjp(ns, n, g, out, x):
    pw = n.params["pad_width"]
    shape = ns.value(x).shape
    index = tuple(slice(before, before + size) for (before, _), size in zip(pw, shape))
    return (ns.getitem(g, index),)
