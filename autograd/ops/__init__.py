"""Every differentiable primitive, registered once (see ``registry``)."""
from . import registry, elementwise, binary, reduce, shape, index, linalg, window  # noqa: F401
from .registry import REGISTRY, Op, primitive, unbroadcast

__all__ = ["REGISTRY", "Op", "primitive", "unbroadcast"]
from . import special_erf  # noqa: F401,E402  (erf, for exact GELU)
from . import recurrent_scan  # noqa: F401,E402  (rnn_scan: a recurrent layer's time loop as one op)
