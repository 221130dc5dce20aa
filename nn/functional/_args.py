"""Argument normalisation shared by the convolution and pooling functions and layers."""
import numpy as np


def ntuple(v, d, name):
    """``v`` as a tuple of ``d`` ints: an int is repeated, a sequence must have length d."""
    if isinstance(v, (int, np.integer)):
        return (int(v),) * d
    v = tuple(int(a) for a in v)
    if len(v) != d:
        raise ValueError(f"{name} must be an int or a tuple of {d} ints, got {v}")
    return v
