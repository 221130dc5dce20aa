"""``RAW``: the numpy namespace gradient rules compute with when no graph is recorded.

A rule is written once against a namespace ``ns`` (see ``ops.registry``). The
ordinary ``backward()`` passes ``RAW``: every name maps to numpy, so a rule costs
what array code costs. Under ``create_graph=True`` the engine passes the recording
namespace instead (``autograd.recording``), which has the same names and
signatures but records every operation. Only names some rule uses live here.
"""
import math

import numpy as np

from ..backend import backend_of
from . import einsum as einsum_
from . import elementwise, special
from . import gather as gather_
from . import index as index_

__all__ = ["RAW"]


class RAW:
    """The numpy namespace VJPs compute with when no graph is recorded.

    Each name has the signature of the same-named function in ``autograd`` (the
    namespace used under ``create_graph=True``), so a rule is written once.
    """

    create_graph = False
    exp = staticmethod(np.exp)
    log = staticmethod(np.log)
    sqrt = staticmethod(np.sqrt)
    sin = staticmethod(np.sin)
    cos = staticmethod(np.cos)
    tanh = staticmethod(np.tanh)
    matmul = staticmethod(np.matmul)
    maximum = staticmethod(np.maximum)

    @staticmethod
    def sum(x, axis=None, keepdims=False):
        # NOTE: the method on a numpy array: np.sum's Python-level dispatch cost three
        # times the reduction itself on a bias gradient (the same ufunc reduce runs)
        if type(x) is np.ndarray:
            return x.sum(axis=axis, keepdims=keepdims)
        return np.sum(x, axis=axis, keepdims=keepdims)

    @staticmethod
    def reshape(x, shape):
        return np.reshape(x, shape)

    @staticmethod
    def transpose(x, axes=None):
        return np.transpose(x, axes)

    @staticmethod
    def swapaxes(x, a, b):
        return np.swapaxes(x, a, b)

    @staticmethod
    def broadcast_to(x, shape):
        return np.broadcast_to(x, shape)

    @staticmethod
    def where(cond, x, y):
        return np.where(cond, x, y)

    @staticmethod
    def sigmoid(x):
        return elementwise._sigmoid(x)

    @staticmethod
    def getitem(x, index):
        return x[index]

    @staticmethod
    def cumsum(x, axis):
        return np.cumsum(x, axis=axis)

    @staticmethod
    def index_add(g, index, shape):
        return index_._index_add(g, index, shape)

    @staticmethod
    def concatenate(xs, axis=0):
        return np.concatenate(xs, axis=axis)

    @staticmethod
    def pad(x, pad_width, value=0.0):
        return np.pad(x, pad_width, constant_values=value)

    @staticmethod
    def astype(x, dtype):
        return x.astype(dtype)

    @staticmethod
    def zeros_like(x):
        return np.zeros_like(x)

    @staticmethod
    def value(x):
        """The raw array of a VJP argument (identity here, ``.data`` for Tensors)."""
        return x

    @staticmethod
    def const(x, like):
        """A constant array with ``like``'s dtype, on like's device."""
        if type(like) is not np.ndarray:
            return backend_of(like).asarray(x, like.dtype)
        return np.asarray(x, dtype=like.dtype)

    # --- names used by the VJPs of the special, matrix, gather and einsum families
    sinh = staticmethod(np.sinh)
    cosh = staticmethod(np.cosh)

    @staticmethod
    def erf(x):
        return special._erf(x)

    @staticmethod
    def softplus(x):
        return elementwise.softplus.fwd(x)

    @staticmethod
    def tril(x, diagonal=0):
        return np.tril(x, diagonal)

    @staticmethod
    def triu(x, diagonal=0):
        return np.triu(x, diagonal)

    @staticmethod
    def roll(x, shifts, dims):
        return np.roll(x, shifts, axis=dims)

    @staticmethod
    def cumprod(x, axis):
        return np.cumprod(x, axis=axis)

    @staticmethod
    def gather(x, dim, index):
        return x[gather_.along(index, dim)]

    @staticmethod
    def scatter_add(x, dim, index, src):
        return gather_.scatter_add.fwd(x, src, dim=dim, index=index)

    @staticmethod
    def einsum(equation, *xs):
        return einsum_.run(equation, *xs)

    @staticmethod
    def scaled(g, local):
        """g * local, with 0 where g is exactly 0 even if local is inf or nan.

        NOTE: a contribution multiplied by an exactly-zero upstream gradient is zero
        (``where(x > 0, sqrt(x), 0)`` at x = 0 must not give nan). The check costs one
        pass only when a non-finite value actually appears.
        """
        r = g * local
        if type(r) is float:  # the scalar fast path: Python floats
            return r if r - r == 0.0 or g != 0 else 0.0
        # NOTE: the sum is not finite when an entry is not (or, harmlessly, when it
        # overflows); one reduction to a number costs half of isfinite(r).all()
        if r.dtype.kind == "f" and not math.isfinite(np.add.reduce(r, axis=None)):
            r = np.where(g == 0, 0, r)
        return r


