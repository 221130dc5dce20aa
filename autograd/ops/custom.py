"""The one primitive behind ``ag.Function``'s several outputs (see ``autograd.function``).

A Function node has one output, as every node of the engine: when ``forward``
returns several differentiable tensors, the node's output is their values packed
into one flat vector, and each tensor the user sees is a slice of it, reshaped, by
this op. The engine then adds the gradients of all the outputs into the packed
vector's entry (its consumers are the slices), and runs the Function's ``backward``
once with all of them, as PyTorch does.
"""
import numpy as np

from .registry import primitive

__all__ = []


@primitive("function_output", public="Function")
def function_output(flat, start, stop, shape):
    """y = flat[start:stop] reshaped to ``shape``;  dy/dflat places g back: the gradient is
    zeros of flat's size with g (flattened) at start:stop."""
    return np.reshape(flat[start:stop], shape)


@function_output.defvjp
def function_output_vjp(ns, n, g, out, flat):
    p = n.params
    total = ns.value(flat).shape[0]
    return (ns.pad(ns.reshape(g, (-1,)), ((p["start"], total - p["stop"]),)),)
