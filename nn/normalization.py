"""Batch normalisation layers (the notes, 004, "Batch Normalisation (BN)"): BatchNorm1d,
BatchNorm2d, BatchNorm3d.

The math lives in ``nn.functional.batch_norm``; a layer holds gamma (``weight``) and
beta (``bias``) and the running statistics as buffers, and reads ``self.training``.
"""
import numpy as np

import autograd as ag

from . import init
from .functional.normalization import batch_norm
from .module import Module, Parameter

__all__ = ["BatchNorm1d", "BatchNorm2d", "BatchNorm3d"]


class _BatchNorm(Module):
    _dims = ()
    _optional_state = ("num_batches_tracked",)  # PyTorch loads state dicts saved without it

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True,
                 track_running_stats=True, dtype=None):
        super().__init__()
        self.num_features = int(num_features)
        self.eps = float(eps)
        self.momentum = momentum
        self.affine = bool(affine)
        self.track_running_stats = bool(track_running_stats)
        dt = np.dtype(np.float32 if dtype is None else dtype)
        if self.affine:
            self.weight = Parameter(np.empty((self.num_features,), dtype=dt))
            self.bias = Parameter(np.empty((self.num_features,), dtype=dt))
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        if self.track_running_stats:
            self.register_buffer("running_mean", np.zeros(self.num_features, dtype=dt))
            self.register_buffer("running_var", np.ones(self.num_features, dtype=dt))
            self.register_buffer("num_batches_tracked", np.array(0, dtype=np.int64))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)
        self.reset_parameters()

    def reset_running_stats(self):
        """running_mean = 0, running_var = 1, num_batches_tracked = 0."""
        if self.track_running_stats:
            self.running_mean.array[...] = 0
            self.running_var.array[...] = 1
            self.num_batches_tracked.array[...] = 0

    def reset_parameters(self):
        """gamma = 1, beta = 0 (PyTorch's default), and fresh running statistics."""
        self.reset_running_stats()
        if self.affine:
            init.ones_(self.weight)
            init.zeros_(self.bias)

    def _check_input_dim(self, x):
        if x.ndim not in self._dims:
            want = " or ".join(f"{d}D" for d in self._dims)
            raise ValueError(f"expected {want} input (got {x.ndim}D input)")

    def forward(self, input):  # noqa: A002
        x = input if isinstance(input, ag.Tensor) else ag.tensor(input)
        self._check_input_dim(x)
        if x.shape[1] != self.num_features:
            raise ValueError(f"{type(self).__name__}({self.num_features}) got an input with "
                             f"{x.shape[1]} channels (shape {x.shape})")
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats and self.num_batches_tracked is not None:
            self.num_batches_tracked.array += 1
            if self.momentum is None:  # cumulative moving average
                factor = 1.0 / float(self.num_batches_tracked.array)
        use_batch = self.training or (self.running_mean is None and self.running_var is None)
        track = not self.training or self.track_running_stats
        return batch_norm(x, self.running_mean if track else None,
                          self.running_var if track else None, self.weight, self.bias,
                          use_batch, factor, self.eps)

    def extra_repr(self):
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"affine={self.affine}, track_running_stats={self.track_running_stats}")


class BatchNorm1d(_BatchNorm):
    """Batch normalisation of (N, C) features or (N, C, L) sequences, per channel C:
    z_norm = (z - mu) / sqrt(var + eps), y = gamma z_norm + beta, with batch statistics
    (biased variance) in training and the running estimates in eval.

    Shapes: (N, C) or (N, C, L) -> the same. Parameters (affine=True): ``weight`` (gamma,
    (C,), init 1), ``bias`` (beta, (C,), init 0). Buffers: ``running_mean`` (C,) init 0,
    ``running_var`` (C,) init 1 (updated with the unbiased batch variance),
    ``num_batches_tracked``. momentum=0.1 (None: cumulative average), eps=1e-5.
    """

    _dims = (2, 3)


class BatchNorm2d(_BatchNorm):
    """Batch normalisation of NCHW images, per channel C over (N, H, W): z_norm =
    (z - mu) / sqrt(var + eps), y = gamma z_norm + beta.

    Shapes: (N, C, H, W) -> the same. Parameters, buffers and defaults as
    :class:`BatchNorm1d` (gamma init 1, beta init 0, running_mean 0, running_var 1,
    momentum=0.1, eps=1e-5).
    """

    _dims = (4,)


class BatchNorm3d(_BatchNorm):
    """Batch normalisation of (N, C, D, H, W) volumes, per channel; as :class:`BatchNorm2d`."""

    _dims = (5,)
