"""``ag.meshgrid`` and ``ag.is_tensor`` (PyTorch's names), written with existing ops,
so meshgrid's gradient comes from reshape and broadcast_to: each input receives the
sum of its grid's gradient over the other axes."""
import numpy as np

from .api.shape import broadcast_to, reshape
from .arguments import to_tensor
from ._tensor import Tensor

__all__ = ["is_tensor", "meshgrid"]


def is_tensor(obj):
    """True if ``obj`` is an ``ag.Tensor`` (a Parameter included), PyTorch's ``torch.is_tensor``."""
    return isinstance(obj, Tensor)


def meshgrid(*tensors, indexing="ij"):
    """Coordinate grids from 1-D (or 0-d) tensors x_1 .. x_n, PyTorch's ``torch.meshgrid``.

    Returns n tensors of one shape: with ``indexing='ij'`` (matrix indexing, the
    default) the shape is (len x_1, ..., len x_n) and grid_k[i_1, ..., i_n] = x_k[i_k];
    with ``'xy'`` (Cartesian, numpy's default) the first two axes are swapped, so
    for two inputs the shape is (len x_2, len x_1). ``meshgrid([x, y])`` works too.
    Differentiable: d grid_k / d x_k sums the gradient over the other axes.
    """
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing not in ("ij", "xy"):
        raise ValueError(f"meshgrid: indexing must be 'ij' or 'xy', got {indexing!r}")
    if not tensors:
        raise ValueError("meshgrid: expects at least one tensor")
    xs = [to_tensor(x) for x in tensors]
    for i, x in enumerate(xs):
        if x.ndim > 1:
            raise ValueError(f"meshgrid: expects 0-d or 1-d tensors, but input {i} has shape {x.shape}")
    sizes = [int(np.prod(x.shape)) for x in xs]
    axes = list(range(len(xs)))
    if indexing == "xy" and len(xs) >= 2:
        axes[0], axes[1] = 1, 0
    shape = [0] * len(xs)
    for k, a in enumerate(axes):
        shape[a] = sizes[k]
    out = []
    for k, x in enumerate(xs):
        view = [1] * len(xs)
        view[axes[k]] = sizes[k]
        out.append(broadcast_to(reshape(x, tuple(view)), tuple(shape)))
    return tuple(out)
