"""Padding in PyTorch's form: ``pad`` lists (left, right) pairs from the last dim
backwards, so ``pad(x, (1, 2))`` pads the last dim by 1 before and 2 after and
``pad(x, (1, 1, 2, 2))`` pads the last two dims (W by 1, H by 2) of NCHW images.

Modes, for a dim of size n padded by (l, r), writing i for an output position in
[-l, n + r) of the input's coordinates:

    constant   value outside [0, n); negative l or r crop instead
    reflect    x[|i|] mirrored about both edges, edges not repeated (needs l, r < n)
    replicate  x[clip(i, 0, n - 1)]
    circular   x[i mod n] (needs l, r <= n)

Each non-constant mode is an integer-array index, so its gradient is the scatter-add
of indexing: an input element used by several outputs receives the sum of their
gradients.
"""
import numpy as np

import autograd as ag

__all__ = ["pad"]

_MODES = ("constant", "reflect", "replicate", "circular")


def _source(mode, n, left, right):
    """Input positions read by the n + left + right outputs of one padded dim."""
    i = np.arange(-left, n + right)
    if mode == "replicate":
        return np.clip(i, 0, n - 1)
    if mode == "circular":
        return i % n
    i = np.abs(i)  # reflect
    return (n - 1) - np.abs((n - 1) - i)


def _check(mode, shape, pairs):
    for k, (left, right) in enumerate(pairs):
        dim = len(shape) - 1 - k
        n = shape[dim]
        if mode != "constant" and min(left, right) < 0:
            raise ValueError(f"pad: negative padding {(left, right)} is only supported with "
                             f"mode='constant' (dim {dim}, mode={mode!r})")
        if mode == "reflect" and (left >= n or right >= n):
            raise ValueError(f"pad: reflect padding {(left, right)} must be smaller than the "
                             f"size {n} of dim {dim} of an input of shape {tuple(shape)}")
        if mode == "circular" and (left > n or right > n):
            raise ValueError(f"pad: circular padding {(left, right)} can be at most the size "
                             f"{n} of dim {dim} of an input of shape {tuple(shape)}")
        if mode == "replicate" and n == 0 and left + right > 0:
            raise ValueError(f"pad: cannot replicate-pad the empty dim {dim}")


def pad(input, pad, mode="constant", value=None):  # noqa: A002
    """Pad ``input`` by ``pad`` = (left_last, right_last, left_2nd_last, right_2nd_last, ...).

    Output size along each padded dim: n + left + right. ``value`` (default 0) fills
    in constant mode. Raises ValueError for an odd-length ``pad``, more pairs than
    dims, an unknown mode, or paddings a mode cannot honour (see the module docstring).
    """
    x = input if isinstance(input, ag.Tensor) else ag.tensor(input)
    pad = tuple(int(p) for p in pad)
    if len(pad) % 2:
        raise ValueError(f"pad: padding length must be even (pairs of (left, right)), got {pad}")
    pairs = [(pad[2 * k], pad[2 * k + 1]) for k in range(len(pad) // 2)]
    if len(pairs) > x.ndim:
        raise ValueError(f"pad: {len(pad)} padding values pad {len(pairs)} dims, but the input of "
                         f"shape {tuple(x.shape)} has only {x.ndim}")
    if mode not in _MODES:
        raise NotImplementedError(f"pad: mode={mode!r} is not supported; use one of {_MODES}")
    if mode != "constant" and value not in (None, 0):
        raise ValueError(f"pad: value={value} is only used with mode='constant', not {mode!r}")
    _check(mode, x.shape, pairs)
    if mode == "constant":
        return _constant(x, pairs, 0.0 if value is None else value)
    for k, (left, right) in enumerate(pairs):
        if left or right:
            dim = x.ndim - 1 - k
            src = _source(mode, x.shape[dim], left, right)
            x = x[(slice(None),) * dim + (src,)]
    return x


def _constant(x, pairs, value):
    """Constant padding; negative amounts crop (the slice is taken before padding)."""
    crop = [slice(None)] * x.ndim
    width = [(0, 0)] * x.ndim
    for k, (left, right) in enumerate(pairs):
        dim = x.ndim - 1 - k
        crop[dim] = slice(max(-left, 0), x.shape[dim] - max(-right, 0))
        width[dim] = (max(left, 0), max(right, 0))
    if any(s != slice(None) for s in crop):
        x = x[tuple(crop)]
    if any(w != (0, 0) for w in width):
        x = ag.pad(x, width, value=value)
    return x
