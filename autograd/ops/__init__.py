"""Every differentiable primitive, registered once (see ``registry``)."""
from . import registry, elementwise, binary, reduce, shape, index, linalg, window, mutation, stats, losses  # noqa: F401
from . import special, rounding, gather, matrix, einsum, custom  # noqa: F401  (issue 12's families)
from . import attention  # noqa: F401  (softmax attention, issue 12)
from .registry import REGISTRY, Op, primitive, unbroadcast

__all__ = ["REGISTRY", "Op", "primitive", "unbroadcast"]
from . import recurrent_scan  # noqa: F401,E402  (rnn_scan: a recurrent layer's time loop as one op)
from . import blockpool  # noqa: F401,E402  (pooling over non-overlapping blocks: strided slices)
from . import fused  # noqa: F401,E402  (fused primitives: softmax_cross_entropy)
from . import device  # noqa: F401,E402  (issue 11: x.to(device), differentiable)
