"""The recording namespace: what gradient rules compute with under create_graph=True.

A rule is written once against a namespace ns (autograd.ops.registry). The
ordinary backward pass hands it ops.raw.RAW (numpy); with create_graph=True
the engine hands it this module, whose names have the same signatures but are the
public functions of autograd, so every operation of the rule is recorded and the
gradient can be differentiated again. It registers itself with the engine on import,
so the engine imports nothing above it.
"""
import sys

import numpy as np

from . import engine
from .api import *  # noqa: F401,F403  (every public function, by its public name)
from .api.arith import where
from .api.shape import index_add  # noqa: F401
from .backend import backend_of
from ._tensor import Tensor

create_graph = True  # this namespace records graphs (RAW has create_graph = False)
grad = engine.grad  # rules that need a derivative of their incoming gradient (norm, rnn_scan)


def value(x):
    """The raw array of a VJP argument."""
    return x.array


def const(x, like):
    if type(like.array) is not np.ndarray:
        return Tensor._make(backend_of(like.array).asarray(x, like.array.dtype))
    return Tensor._make(np.asarray(x, dtype=like.array.dtype))


def scaled(g, local):
    """g * local, zero where g is exactly zero (see ``ops.raw.RAW.scaled``)."""
    r = g * local
    if r.array.dtype.kind == "f" and not np.isfinite(r.array).all():
        r = where(g.array == 0, 0, r)
    return r


engine.register_recording_namespace(sys.modules[__name__])
