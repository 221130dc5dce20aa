"""Dropout (the notes, 004, "DropOut regularisation"): in training, drop each unit
with probability p and scale the survivors by 1/(1 - p) ("inverted" dropout), so
that E[y] = x and nothing needs rescaling at test time; in evaluation, the identity.

    y = x * mask / (1 - p),  mask ~ Bernoulli(1 - p);   dy/dx = mask / (1 - p)

Masks come from the library's one generator (``ag.random.generator()``, seeded by
``ag.manual_seed``), never from numpy's global state.
"""
import numpy as np

import autograd as ag

__all__ = ["dropout", "dropout1d", "dropout2d"]


def _check_p(p):
    if isinstance(p, bool) or not isinstance(p, (int, float, np.integer, np.floating)) \
            or not 0.0 <= float(p) <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    return float(p)


def _dropout(x, p, training, mask_shape):
    p = _check_p(p)
    x = x if isinstance(x, ag.Tensor) else ag.tensor(x)
    if not training or p == 0.0:
        return x
    dt = x.dtype if x.dtype.kind == "f" else np.dtype(np.float32)
    if p == 1.0:
        return x * ag.zeros(mask_shape, dtype=dt, device=x.device)
    # drawn on x's device (the strict test device draws the CPU's numbers)
    u = ag.backend.backend_of(x.array).draw(ag.random.generator(), "random", mask_shape,
                                            dtype=np.float32 if dt == np.float32 else np.float64)
    # NOTE: the mask carries the 1/(1-p) scale, so the product is the only op recorded.
    mask = (u >= p).astype(dt) * dt.type(1.0 / (1.0 - p))
    return x * ag.Tensor(mask)


def dropout(input, p=0.5, training=True, inplace=False):
    """Inverted dropout: zero each element with probability p, scale the rest by
    1/(1-p) when ``training``; the identity otherwise. Any shape; p in [0, 1]."""
    x = input if isinstance(input, ag.Tensor) else ag.tensor(input)
    return _dropout(x, p, training, x.shape)


def dropout2d(input, p=0.5, training=True, inplace=False):
    """Channel dropout: zero whole channels of (N, C, H, W) (or (C, H, W)) input with
    probability p, scale the rest by 1/(1-p), when ``training``."""
    x = input if isinstance(input, ag.Tensor) else ag.tensor(input)
    if x.ndim not in (3, 4):
        raise ValueError(f"dropout2d: expected a (N, C, H, W) or (C, H, W) input, got {x.shape}")
    return _dropout(x, p, training, x.shape[:-2] + (1, 1))


def dropout1d(input, p=0.5, training=True, inplace=False):
    """Channel dropout for (N, C, L) (or (C, L)) input: whole channels are zeroed."""
    x = input if isinstance(input, ag.Tensor) else ag.tensor(input)
    if x.ndim not in (2, 3):
        raise ValueError(f"dropout1d: expected a (N, C, L) or (C, L) input, got {x.shape}")
    return _dropout(x, p, training, x.shape[:-1] + (1,))
