"""Loss primitives whose PyTorch gradient is not the chain rule of their parts.

``binary_cross_entropy`` clamps each log at -100 (so p = 0 or 1 gives a finite
loss); the chain rule through the clamp would give a gradient of 0 at p = 0 for a
positive target, the very point where the loss pushes hardest. PyTorch's rule
(``BinaryCrossEntropyBackward``) divides by a clamped p (1 - p) instead, and
``nn.functional.binary_cross_entropy`` uses it through this op.
"""
import numpy as np

from .registry import primitive

__all__ = []

BCE_EPS = 1e-12  # PyTorch's EPSILON in binary_cross_entropy_backward


@primitive("binary_cross_entropy", uses=(0, 1), public="nn.functional.binary_cross_entropy")
def binary_cross_entropy(p, y):
    """l = -(y max(ln p, -100) + (1 - y) max(ln(1 - p), -100))  (elementwise);

    dl/dp = (p - y) / max(p (1 - p), 1e-12)   (PyTorch's rule: -1e12 at p = 0, y = 1),
    dl/dy = ln(1 - p) - ln p                  (unclamped, as PyTorch: +-inf at p = 0, 1).
    """
    with np.errstate(divide="ignore"):
        log_p = np.maximum(np.log(p), -100)
        log_q = np.maximum(np.log1p(-p), -100)
    return (y - 1) * log_q - y * log_p


@binary_cross_entropy.defvjp
def binary_cross_entropy_vjp(ns, n, g, out, p, y):
    a, b = n.inputs
    gp = gy = None
    if a._rg:
        gp = g * (p - y) / ns.maximum(p * (1 - p), ns.const(BCE_EPS, p))
    if b._rg:
        gy = ns.scaled(g, ns.log(1 - p) - ns.log(p))
    return (gp, gy)
