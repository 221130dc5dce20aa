"""Tensor's methods and operators, bound from the public functions (``autograd.api``).

``Tensor`` (``autograd._tensor``) holds the data, the gradient and the graph fields
and knows no op; every method that computes is a public function bound here. The
registry's generated faces bring their own methods (``api.generated.METHODS``);
the rest are listed below. In-place methods and numpy's dispatch hooks are bound by
``autograd.inplace`` and ``autograd.interop``.
"""
from . import engine, inplace, interop, recording
from .conversions import CONVERSIONS
from .api import (add, astype, bitwise_and, bitwise_not, bitwise_or, bitwise_xor, broadcast_to,
                  div, getitem, matmul, mul, pow, remainder, reshape, sub, transpose, where)
from .api import arith, extra, generated, reductions, shape, shape_extra
from .arguments import lift
from .ops import elementwise as E
from ._tensor import Tensor

__all__ = ["install"]

# the hand-written faces that are also Tensor methods, by module
_METHODS = {
    arith: "clip clamp square astype clone pow div bitwise_and bitwise_or bitwise_xor bitwise_not",
    reductions: "mean var std norm max min amax amin argmax argmin softmax log_softmax cumsum",
    shape: ("reshape view flatten transpose permute squeeze unsqueeze expand broadcast_to matmul "
            "dot outer split chunk pad repeat tile repeat_interleave flip swapaxes"),
    extra: ("erf rsqrt log2 log10 exp2 sinh cosh asinh acosh atanh arcsinh arccosh arctanh floor "
            "ceil round trunc fix remainder logaddexp nan_to_num gather scatter scatter_add "
            "index_select masked_fill sort argsort topk multinomial"),
    shape_extra: ("tril triu roll cumprod diff tensor_split diag diagonal movedim moveaxis rot90 "
                  "unflatten baddbmm"),
}


def tensor_backward(self, gradient=None, retain_graph=False, create_graph=False, inputs=None):
    """Back-propagate from this tensor, accumulating d self / d leaf into ``leaf.grad``.

    ``gradient`` is d loss / d self and may be omitted only for one-element tensors.
    """
    engine.backward(self, gradient, retain_graph=retain_graph, create_graph=create_graph,
                    inputs=inputs)


def _where_method(self, condition, y):
    """Tensor.where(condition, y): self where condition, else y."""
    return where(condition, self, y)


def _operators(T):
    T.__add__ = add
    T.__radd__ = lambda s, o: add(o, s)
    T.__sub__ = sub
    T.__rsub__ = lambda s, o: sub(o, s)
    T.__mul__ = mul
    T.__rmul__ = lambda s, o: mul(o, s)
    T.__truediv__ = div
    T.__rtruediv__ = lambda s, o: div(o, s)
    T.__pow__ = pow
    T.__rpow__ = lambda s, o: pow(lift(o, s), s)
    T.__matmul__ = matmul
    T.__rmatmul__ = lambda s, o: matmul(o, s)
    T.__mod__ = remainder
    T.__rmod__ = lambda s, o: remainder(o, s)
    T.__neg__ = lambda s: E.neg(s)
    T.__pos__ = lambda s: s
    T.__abs__ = lambda s: E.abs_(s)
    g = generated
    T.__lt__, T.__le__, T.__gt__, T.__ge__ = g.lt, g.le, g.gt, g.ge
    T.__eq__ = lambda s, o: False if o is None else g.eq(s, o)
    T.__ne__ = lambda s, o: True if o is None else g.ne(s, o)
    T.eq, T.ne = T.__eq__, T.__ne__
    T.__and__, T.__or__, T.__xor__ = bitwise_and, bitwise_or, bitwise_xor
    T.__rand__ = lambda s, o: bitwise_and(o, s)
    T.__ror__ = lambda s, o: bitwise_or(o, s)
    T.__rxor__ = lambda s, o: bitwise_xor(o, s)
    T.__invert__ = bitwise_not
    T.__getitem__ = getitem
    T.__hash__ = object.__hash__


def _aliases(T):
    T.T = property(lambda s: transpose(s), doc="All axes reversed (numpy's .T).")
    T.mT = property(lambda s: transpose(s, -2, -1), doc="The last two axes swapped.")
    T.subtract, T.multiply, T.divide, T.true_divide = sub, mul, div, div
    T.mm = T.matmul
    T.t = lambda s: transpose(s, 0, 1) if s.ndim == 2 else s
    T.view_as = lambda s, other: reshape(s, other.shape)
    T.reshape_as = T.view_as
    T.expand_as = lambda s, other: broadcast_to(s, other.shape)
    T.type_as = lambda s, other: astype(s, other.dtype)
    T.where = _where_method
    T.backward = tensor_backward


def install():
    """Bind every method and operator of ``Tensor``."""
    T = Tensor
    for name, fn in generated.METHODS.items():
        setattr(T, name, fn)
    for module, names in _METHODS.items():
        for name in names.split():
            setattr(T, name, getattr(module, name))
    for name, fn in CONVERSIONS.items():
        setattr(T, name, fn)
    _operators(T)
    _aliases(T)
    inplace.install(recording)
    interop.install(recording)


install()
