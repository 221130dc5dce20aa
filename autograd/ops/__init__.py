"""Every differentiable primitive, registered once (see ``registry``)."""
from . import registry, elementwise, binary, reduce, shape, index, linalg, window, mutation, stats, losses  # noqa: F401
from .registry import REGISTRY, Op, primitive, unbroadcast

__all__ = ["REGISTRY", "Op", "primitive", "unbroadcast"]
